import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { executeApiDecision } from '../../../src/services/apigateway/shared/resource-policy.js';

const API = 'arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5';
const arn = (stage: string, method: string, path: string) => `${API}/${stage}/${method}/${path}`;
const json = (...Statement: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement });

describe('executeApiDecision', () => {
  test('no policy, or one that is not JSON, says nothing', () => {
    assert.equal(executeApiDecision(undefined, { sourceIp: '1.2.3.4', resourceArn: arn('prod', 'GET', 'pets') }), 'none');
    assert.equal(executeApiDecision('{not json', { sourceIp: '1.2.3.4', resourceArn: arn('prod', 'GET', 'pets') }), 'none');
  });

  test('AWS example: allow only an IP range (Allow all, Deny NotIpAddress)', () => {
    const policy = json(
      { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
      { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '198.51.100.0/24'] } } },
    );
    assert.equal(executeApiDecision(policy, { sourceIp: '192.0.2.17', resourceArn: arn('prod', 'GET', 'pets') }), 'allow');
    assert.equal(executeApiDecision(policy, { sourceIp: '198.51.100.255', resourceArn: arn('dev', 'POST', 'pets/1') }), 'allow');
    assert.equal(executeApiDecision(policy, { sourceIp: '203.0.113.9', resourceArn: arn('prod', 'GET', 'pets') }), 'deny');
  });

  test('AWS example: deny an IP range', () => {
    const policy = json(
      { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
      { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24'] } } },
    );
    assert.equal(executeApiDecision(policy, { sourceIp: '192.0.2.1', resourceArn: arn('prod', 'GET', 'x') }), 'deny');
    assert.equal(executeApiDecision(policy, { sourceIp: '10.0.0.1', resourceArn: arn('prod', 'GET', 'x') }), 'allow');
    assert.equal(executeApiDecision(policy, { sourceIp: '2001:db8::1', resourceArn: arn('prod', 'GET', 'x') }), 'allow');
  });

  test('AWS example: allow another account on one method', () => {
    const policy = json({ Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::444455556666:root'] }, Action: 'execute-api:Invoke', Resource: 'execute-api:/stage/GET/pets' });
    assert.equal(executeApiDecision(policy, { principalAccount: '444455556666', sourceIp: '1.1.1.1', resourceArn: arn('stage', 'GET', 'pets') }), 'allow');
    assert.equal(executeApiDecision(policy, { principalAccount: '444455556666', sourceIp: '1.1.1.1', resourceArn: arn('stage', 'POST', 'pets') }), 'none');
    assert.equal(executeApiDecision(policy, { principalAccount: '777788889999', sourceIp: '1.1.1.1', resourceArn: arn('stage', 'GET', 'pets') }), 'none');
    // An anonymous caller is no account's principal.
    assert.equal(executeApiDecision(policy, { sourceIp: '1.1.1.1', resourceArn: arn('stage', 'GET', 'pets') }), 'none');
    const byId = json({ Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*' });
    assert.equal(executeApiDecision(byId, { principalAccount: '444455556666', sourceIp: '1.1.1.1', resourceArn: arn('stage', 'GET', 'pets') }), 'allow');
  });

  test('resources: execute-api:/ wildcards, full ARNs, another API', () => {
    const decide = (resource: unknown, resourceArn: string) => executeApiDecision(json({ Effect: 'Allow', Principal: '*', Action: 'execute-api:*', Resource: resource }), { sourceIp: '1.1.1.1', resourceArn });
    assert.equal(decide('execute-api:/prod/*', arn('prod', 'DELETE', 'a/b/c')), 'allow');
    assert.equal(decide('execute-api:/prod/*', arn('dev', 'GET', 'a')), 'none');
    assert.equal(decide('execute-api:/*/GET/pets/?', arn('v1', 'GET', 'pets/7')), 'allow');
    assert.equal(decide('execute-api:/*/GET/pets/?', arn('v1', 'GET', 'pets/77')), 'none');
    assert.equal(decide(`${API}/prod/GET/*`, arn('prod', 'GET', 'pets')), 'allow');
    assert.equal(decide('arn:aws:execute-api:us-east-1:111122223333:otherapi1/*', arn('prod', 'GET', 'pets')), 'none');
    assert.equal(decide(['arn:aws:execute-api:*:*:*'], arn('prod', 'GET', 'pets')), 'allow');
    // The same policy text serves two APIs, each against its own ARN.
    const policy = json({ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/prod/*' });
    assert.equal(executeApiDecision(policy, { sourceIp: '1.1.1.1', resourceArn: 'arn:aws:execute-api:us-east-1:111122223333:zzzzzzzzzz/prod/GET/' }), 'allow');
  });

  test('other actions do not grant Invoke', () => {
    const policy = json({ Effect: 'Allow', Principal: '*', Action: 'execute-api:ManageConnections', Resource: 'execute-api:/*' });
    assert.equal(executeApiDecision(policy, { sourceIp: '1.1.1.1', resourceArn: arn('prod', 'GET', 'x') }), 'none');
  });

  test('an explicit Deny wins, and a Deny on conditions Nimbus cannot evaluate holds', () => {
    const policy = json(
      { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
      { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } },
    );
    assert.equal(executeApiDecision(policy, { sourceIp: '1.1.1.1', resourceArn: arn('prod', 'GET', 'x') }), 'deny');
  });

  test('NotResource: a Deny of all but a public method', () => {
    const policy = json(
      { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
      { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', NotResource: ['execute-api:/prod/GET/public'], Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
    );
    assert.equal(executeApiDecision(policy, { sourceIp: '8.8.8.8', resourceArn: arn('prod', 'GET', 'public') }), 'allow');
    assert.equal(executeApiDecision(policy, { sourceIp: '8.8.8.8', resourceArn: arn('prod', 'GET', 'private') }), 'deny');
    assert.equal(executeApiDecision(policy, { sourceIp: '10.1.2.3', resourceArn: arn('prod', 'GET', 'private') }), 'allow');
  });
});
