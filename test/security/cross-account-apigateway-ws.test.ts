/**
 * The cross-account rows of WebSocket APIs' data plane: the @connections management API
 * (PostToConnection, GetConnection, DeleteConnection — no plugin's operations, so not in
 * COVERAGE: they answer on the execute-api hosts) and an AWS_IAM `$connect`. Another account's
 * calls on the owner's connection, at the owner's API or at its own naming the owner's
 * connection id, are ForbiddenException (403); unsigned calls and calls signed for another
 * service too. Afterwards the owner's connection is still open and the owner's own calls work.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiGatewayManagementApiClient, DeleteConnectionCommand, GetConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import * as v2 from '@aws-sdk/client-apigatewayv2';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { TestNimbus } from '../helpers/nimbus.js';
import { connect, type Client } from '../services/apigateway/ws-helpers.js';
import { INTRUDER, OWNER, rawRequest, signedRequest, startMatrixNimbus } from './cross-account-helpers.js';

const REGION = 'us-east-1';
type Creds = { accessKeyId: string; secretAccessKey: string };

/** A WebSocket API whose `$default` MOCK route answers the caller's connection id. */
async function mockWsApi(c: v2.ApiGatewayV2Client, connect: v2.AuthorizationType = 'NONE'): Promise<string> {
  const apiId = (await c.send(new v2.CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId!;
  const mock = await c.send(new v2.CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'MOCK', RequestTemplates: { $default: '{"statusCode": 200}' } }));
  await c.send(new v2.CreateIntegrationResponseCommand({ ApiId: apiId, IntegrationId: mock.IntegrationId!, IntegrationResponseKey: '$default', ResponseTemplates: { $default: '$context.connectionId' } }));
  const route = await c.send(new v2.CreateRouteCommand({ ApiId: apiId, RouteKey: '$default', Target: `integrations/${mock.IntegrationId}` }));
  await c.send(new v2.CreateRouteResponseCommand({ ApiId: apiId, RouteId: route.RouteId!, RouteResponseKey: '$default' }));
  if (connect !== 'NONE') await c.send(new v2.CreateRouteCommand({ ApiId: apiId, RouteKey: '$connect', AuthorizationType: connect, Target: `integrations/${mock.IntegrationId}` }));
  await c.send(new v2.CreateStageCommand({ ApiId: apiId, StageName: 'prod', AutoDeploy: true }));
  return apiId;
}

describe('cross-account: WebSocket APIs (@connections and $connect)', () => {
  let t: TestNimbus;
  let ownerApi: string;
  let intruderApi: string;
  let iamApi: string;
  let client: Client;
  let connectionId: string;
  const mgmt = (apiId: string, credentials: Creds) => new ApiGatewayManagementApiClient({ endpoint: `${t.endpoint}/_nimbus/execute-api/${apiId}/prod`, region: REGION, credentials, maxAttempts: 1 });
  const forbidden = (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, 'ForbiddenException');
    assert.equal(e.$metadata?.httpStatusCode, 403);
    return true;
  };

  before(async () => {
    t = await startMatrixNimbus();
    const c2 = (credentials: Creds) => new v2.ApiGatewayV2Client({ endpoint: t.endpoint, region: REGION, credentials, maxAttempts: 1 });
    ownerApi = await mockWsApi(c2(OWNER));
    iamApi = await mockWsApi(c2(OWNER), 'AWS_IAM');
    intruderApi = await mockWsApi(c2(INTRUDER));
    client = await connect(t, ownerApi, 'prod');
    client.ws.send('who am I');
    connectionId = String(await client.next());
  });
  after(async () => {
    client.ws.close();
    await t.stop();
  });

  const ops = (id: () => string) =>
    [
      ['PostToConnection', () => new PostToConnectionCommand({ ConnectionId: id(), Data: 'stolen' })],
      ['GetConnection', () => new GetConnectionCommand({ ConnectionId: id() })],
      ['DeleteConnection', () => new DeleteConnectionCommand({ ConnectionId: id() })],
    ] as const;

  for (const [op, command] of ops(() => connectionId)) {
    test(`${op} by the owner's connection id at the owner's API: ForbiddenException`, async () => {
      await assert.rejects(mgmt(ownerApi, INTRUDER).send(command() as never), forbidden);
    });
    test(`${op} by the owner's connection id at the intruder's own API: ForbiddenException`, async () => {
      await assert.rejects(mgmt(intruderApi, INTRUDER).send(command() as never), forbidden);
    });
  }

  test('unsigned, or signed for another service: 403', async () => {
    const path = `/_nimbus/execute-api/${ownerApi}/prod/@connections/${encodeURIComponent(connectionId)}`;
    assert.equal((await rawRequest(t.endpoint, { method: 'POST', path, body: 'x' })).status, 403);
    assert.equal((await signedRequest(t.endpoint, 'sqs', OWNER, { method: 'POST', path, body: 'x' })).status, 403);
  });

  test("an AWS_IAM $connect signed by another account: 403; by the API's own account: open", async () => {
    const url = new URL(t.endpoint);
    const presign = async (credentials: Creds) => {
      const signer = new SignatureV4({ service: 'execute-api', region: REGION, credentials, sha256: Sha256 });
      const req = await signer.presign({ method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: `/_nimbus/execute-api/${iamApi}/prod`, headers: { host: url.host }, query: {} }, { expiresIn: 300 });
      return new URLSearchParams(req.query as Record<string, string>).toString();
    };
    await assert.rejects(connect(t, iamApi, 'prod'), { status: 403 });
    await assert.rejects(connect(t, iamApi, 'prod', { query: await presign(INTRUDER) }), { status: 403 });
    const own = await connect(t, iamApi, 'prod', { query: await presign(OWNER) });
    own.ws.close();
  });

  test("the owner's connection is still open, and the owner's own calls work", async () => {
    const owner = mgmt(ownerApi, OWNER);
    const info = await owner.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    assert.ok(info.ConnectedAt);
    await owner.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'still yours' }));
    assert.equal(await client.next(), 'still yours');
  });
});
