/**
 * Acknowledged delivery with a `$connect` Lambda authorizer: the `clientId` in the authorizer's
 * context names the mailbox, and a `clientId` query parameter that contradicts it is refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateAuthorizerCommand, CreateRouteCommand, CreateDeploymentCommand } from '@aws-sdk/client-apigatewayv2';
import { createFunction } from '../../helpers/lambda.js';
import { createWsApi, postToClient, RawClient, STAGE, upgradeStatus, wsUrl } from './ws-ack-helpers.js';
import { fnArn, permit, startV2, type V2Nimbus } from './v2-helpers.js';

/** Allows `?token=alice-token` as client `alice`; denies anything else. */
const AUTHORIZER = `exports.handler = async (event) => {
  const ok = (event.queryStringParameters || {}).token === 'alice-token';
  return { principalId: 'alice', context: { clientId: 'alice' }, policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: ok ? 'Allow' : 'Deny', Resource: event.methodArn }] } };
};`;

describe("acknowledged delivery: a $connect authorizer's clientId", () => {
  let n: V2Nimbus;
  let apiId: string;
  let url: string;
  before(async () => {
    n = await startV2();
    apiId = await createWsApi(n.apigw);
    await createFunction(n.lambda, 'auth', { 'index.js': AUTHORIZER });
    await permit(n.lambda, 'auth', apiId);
    const { AuthorizerId } = await n.apigw.send(
      new CreateAuthorizerCommand({ ApiId: apiId, Name: 'auth', AuthorizerType: 'REQUEST', AuthorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn('auth')}/invocations`, IdentitySource: ['route.request.querystring.token'] }),
    );
    await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: '$connect', AuthorizationType: 'CUSTOM', AuthorizerId }));
    await n.apigw.send(new CreateDeploymentCommand({ ApiId: apiId, StageName: STAGE }));
    url = wsUrl(n.t.endpoint, apiId);
  });
  after(() => n.t.stop());

  test('names the mailbox; a contradicting clientId is refused with 403', async () => {
    assert.equal(await upgradeStatus(`${url}?token=wrong&clientId=alice`), 403, 'the authorizer denies');
    assert.equal(await upgradeStatus(`${url}?token=alice-token&clientId=bob`), 403, "bob is not the authorizer's client");
    const c = await RawClient.connect(`${url}?token=alice-token`, undefined);
    try {
      assert.equal(c.ws.protocol, 'nimbus.ack.v1');
      const r = await postToClient(n.t.endpoint, apiId, 'alice', 'for alice');
      assert.equal(r.status, 200, r.body);
      await c.until(() => c.seqs.length === 1);
      assert.deepEqual(c.frames, [{ seq: 1, data: 'for alice' }]);
    } finally {
      c.drop();
    }
    // The same id, asked for explicitly, is the same mailbox.
    const again = await RawClient.connect(`${url}?token=alice-token`, 'alice');
    try {
      await again.until(() => again.seqs.length === 1);
      assert.deepEqual(again.seqs, [1]);
    } finally {
      again.drop();
    }
  });
});
