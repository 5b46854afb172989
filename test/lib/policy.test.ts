import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { conditionsHold } from '../../src/lib/policy-conditions.js';
import { policyAllows, policyDecision, wildcard } from '../../src/lib/policy.js';

describe('wildcard', () => {
  test('matches IAM wildcards', () => {
    const cases: [string, string, boolean][] = [
      ['*', 'anything', true],
      ['sqs:*', 'sqs:SendMessage', true],
      ['sqs:Send*', 'sqs:SendMessage', true],
      ['sqs:Send*', 'sqs:ReceiveMessage', false],
      ['sqs:?endMessage', 'sqs:SendMessage', true],
      ['a*b*c', 'aXXbYYc', true],
      ['a*b*c', 'aXXbYY', false],
      ['arn:aws:sqs:*:123456789012:q*', 'arn:aws:sqs:us-east-1:123456789012:queue', true],
      ['', '', true],
      ['', 'x', false],
      ['x', '', false],
      ['**', '', true],
    ];
    for (const [pattern, value, expected] of cases) assert.equal(wildcard(pattern, value, false), expected, `${pattern} ~ ${value}`);
    assert.equal(wildcard('SQS:sendmessage', 'sqs:SendMessage', true), true);
    assert.equal(wildcard('SQS:sendmessage', 'sqs:SendMessage', false), false);
  });

  test('many stars cost linear time, not exponential', () => {
    const started = process.hrtime.bigint();
    assert.equal(wildcard('*'.repeat(5000) + 'Z', 'sqs:SendMessage'.repeat(100), false), false);
    assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 500);
  });
});

describe('policyAllows', () => {
  const policy = (statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
  const req = { principalAccount: '111111111111', action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:000000000000:q' };

  test('allows by account, root ARN or *; an explicit Deny wins; nothing matching denies', () => {
    const allow = (principal: unknown) => ({ Effect: 'Allow', Principal: principal, Action: 'SQS:SendMessage', Resource: req.resource });
    assert.equal(policyAllows(policy([allow({ AWS: '111111111111' })]), req), true);
    assert.equal(policyAllows(policy([allow({ AWS: ['arn:aws:iam::111111111111:root'] })]), req), true);
    assert.equal(policyAllows(policy([allow('*')]), req), true);
    assert.equal(policyAllows(policy([allow({ AWS: '222222222222' })]), req), false);
    assert.equal(policyAllows(policy([allow('*'), { Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: '*' }]), req), false);
    assert.equal(policyAllows(undefined, req), false);
    assert.equal(policyAllows('not json', req), false);
    assert.equal(policyAllows(policy([{ ...allow('*'), Condition: { Bool: { 'aws:SecureTransport': 'true' } } }]), req), false);
  });

  test('a condition Nimbus cannot evaluate keeps an Allow from granting and a Deny from being evaded', () => {
    const keys = { 'aws:SourceIp': '10.0.0.1' };
    const test = (c: unknown, unknown: 'fail' | 'hold') => conditionsHold(c, keys, unknown);
    const unknownOp = { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } };
    const allow = { Effect: 'Allow', Principal: '*', Action: 'sqs:*', Resource: '*' };
    assert.equal(policyDecision(policy([{ ...allow, Condition: unknownOp }]), req, test), 'none');
    assert.equal(policyDecision(policy([allow, { ...allow, Effect: 'Deny', Condition: unknownOp }]), req, test), 'deny');
    // A known condition that fails still keeps the Deny off, unknown operator or not.
    const mixed = { ...unknownOp, IpAddress: { 'aws:SourceIp': '192.168.0.0/16' } };
    assert.equal(policyDecision(policy([allow, { ...allow, Effect: 'Deny', Condition: mixed }]), req, test), 'allow');
    // Statements that are not objects match nothing.
    assert.equal(policyDecision(policy([null, 7, 'x', allow]), req, test), 'allow');
  });
});
