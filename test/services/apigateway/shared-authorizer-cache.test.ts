import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../../src/lib/clock.js';
import { AuthorizerCache, authorizerPolicyDecision, policyAllows } from '../../../src/services/apigateway/shared/authorizer-cache.js';

describe('AuthorizerCache', () => {
  test('answers until the TTL passes', () => {
    const clock = new ManualClock();
    const cache = new AuthorizerCache<{ principalId: string }>(clock);
    cache.set('auth1|token-a', { principalId: 'user' }, 300);
    assert.deepEqual(cache.get('auth1|token-a'), { principalId: 'user' });
    assert.equal(cache.get('auth1|token-b'), undefined);
    clock.advance(299_999);
    assert.ok(cache.get('auth1|token-a'));
    clock.advance(1);
    assert.equal(cache.get('auth1|token-a'), undefined);
    assert.equal(cache.size(), 0);
  });

  test('a TTL of 0 caches nothing and forgets an earlier answer', () => {
    const cache = new AuthorizerCache<string>(new ManualClock());
    cache.set('k', 'v', 0);
    assert.equal(cache.get('k'), undefined);
    cache.set('k', 'v', 60);
    cache.set('k', 'w', 0);
    assert.equal(cache.get('k'), undefined);
  });

  test('is bounded: expired entries go first, then the least recently used', () => {
    const clock = new ManualClock();
    const cache = new AuthorizerCache<number>(clock, 3);
    cache.set('short', 0, 1);
    cache.set('a', 1, 60);
    cache.set('b', 2, 60);
    clock.advance(1000);
    cache.set('c', 3, 60);
    assert.equal(cache.size(), 3);
    assert.equal(cache.get('a'), 1);
    cache.set('d', 4, 60);
    // b was the least recently used.
    assert.equal(cache.get('b'), undefined);
    assert.deepEqual([cache.get('a'), cache.get('c'), cache.get('d')], [1, 3, 4]);
  });
});

const ARN = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/pets/42';
const policy = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });
const allow = (Resource: unknown, Action: unknown = 'execute-api:Invoke') => ({ Action, Effect: 'Allow', Resource });
const deny = (Resource: unknown, Action: unknown = 'execute-api:Invoke') => ({ Action, Effect: 'Deny', Resource });

describe('policyAllows', () => {
  test('the policy AWS examples return: Allow on the method ARN', () => {
    assert.equal(policyAllows(policy(allow(ARN)), ARN), true);
    assert.equal(policyAllows(policy(deny(ARN)), ARN), false);
    // Statement as one object, as some examples write it.
    assert.equal(policyAllows({ Version: '2012-10-17', Statement: allow(ARN) }, ARN), true);
    // The document as JSON text.
    assert.equal(policyAllows(JSON.stringify(policy(allow(ARN))), ARN), true);
  });

  test('resource wildcards: * spans any run (slashes too), ? one character', () => {
    const cases: [string, boolean][] = [
      ['*', true],
      ['arn:aws:execute-api:us-east-1:123456789012:abcdef1234/*', true],
      ['arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/*/*', true],
      ['arn:aws:execute-api:us-east-1:123456789012:abcdef1234/*/GET/pets/*', true],
      ['arn:aws:execute-api:*:*:abcdef1234/prod/GET/pets/4?', true],
      ['arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/POST/*', false],
      ['arn:aws:execute-api:us-east-1:123456789012:abcdef1234/test/*', false],
      ['arn:aws:execute-api:us-east-1:123456789012:other/*', false],
      ['arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/pets', false],
      ['arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/get/pets/42', false],
    ];
    for (const [resource, expected] of cases) assert.equal(policyAllows(policy(allow(resource)), ARN), expected, resource);
    assert.equal(policyAllows(policy(allow(['arn:x', ARN])), ARN), true);
  });

  test('action wildcards, case-insensitive as IAM compares actions', () => {
    for (const action of ['execute-api:Invoke', 'execute-api:*', '*', 'execute-api:invoke', 'execute-api:In*', ['s3:GetObject', 'execute-api:Invoke']]) {
      assert.equal(policyAllows(policy(allow(ARN, action)), ARN), true, JSON.stringify(action));
    }
    for (const action of ['execute-api:ManageConnections', 's3:*', []]) {
      assert.equal(policyAllows(policy(allow(ARN, action)), ARN), false, JSON.stringify(action));
    }
  });

  test('an explicit Deny wins over any Allow', () => {
    const arnGet = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/*';
    assert.equal(policyAllows(policy(allow('*'), deny(arnGet)), ARN), false);
    assert.equal(policyAllows(policy(deny(arnGet), allow('*')), ARN), false);
    assert.equal(policyAllows(policy(allow('*'), deny('arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/DELETE/*')), ARN), true);
  });

  test('NotAction and NotResource', () => {
    assert.equal(policyAllows(policy({ Effect: 'Allow', Action: 'execute-api:Invoke', NotResource: '*/DELETE/*' }), ARN), true);
    assert.equal(policyAllows(policy({ Effect: 'Allow', Action: 'execute-api:Invoke', NotResource: '*/GET/*' }), ARN), false);
    assert.equal(policyAllows(policy({ Effect: 'Allow', NotAction: 's3:*', Resource: '*' }), ARN), true);
  });

  test('malformed documents allow nothing, and say so', () => {
    const bad: unknown[] = [
      undefined,
      null,
      'not json',
      [],
      {},
      { Statement: 'x' },
      policy('x'),
      policy({ Effect: 'Permit', Action: '*', Resource: '*' }),
      policy({ Effect: 'allow', Action: '*', Resource: '*' }),
      policy({ Effect: 'Allow', Resource: '*' }),
      policy({ Effect: 'Allow', Action: '*' }),
      policy({ Effect: 'Allow', Action: 5, Resource: '*' }),
      policy({ Effect: 'Allow', Action: '*', Resource: [ARN, 7] }),
      policy(allow('*'), 'junk'),
    ];
    for (const doc of bad) {
      assert.equal(policyAllows(doc, ARN), false, JSON.stringify(doc));
      assert.equal(authorizerPolicyDecision(doc, ARN), 'invalid', JSON.stringify(doc));
    }
    assert.equal(authorizerPolicyDecision(policy(), ARN), 'deny');
    assert.equal(authorizerPolicyDecision(policy(allow('arn:other')), ARN), 'deny');
  });
});
