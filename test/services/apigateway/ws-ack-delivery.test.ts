/**
 * Acknowledged delivery end to end, through real clients: the SDK for the control plane and
 * PostToConnection, `ws` clients speaking `nimbus.ack.v1` on the wire, signed
 * `POST /@clients/{clientId}` requests. A client that drops mid-stream (its socket destroyed,
 * no close) gets every unacknowledged message once, in order, when it connects again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { TEST_CREDENTIALS } from '../../helpers/nimbus.js';
import { createWsApi, managementEndpoint, postToClient, quiet, RawClient, upgradeStatus, wsUrl } from './ws-ack-helpers.js';
import { startV2, type V2Nimbus } from './v2-helpers.js';

const OTHER = { accessKeyId: 'other', secretAccessKey: 'other' };

describe('acknowledged delivery (nimbus.ack.v1)', () => {
  let n: V2Nimbus;
  let apiId: string;
  let url: string;
  const clients: RawClient[] = [];
  const connect = async (clientId: string | undefined, protocols?: string[], u = url) => {
    const c = await RawClient.connect(u, clientId, protocols);
    clients.push(c);
    return c;
  };
  const post = async (clientId: string, body: string | Buffer) => {
    const r = await postToClient(n.t.endpoint, apiId, clientId, body);
    assert.equal(r.status, 200, r.body);
    return (JSON.parse(r.body) as { seq: number }).seq;
  };

  before(async () => {
    n = await startV2({
      mailboxCapacity: 50,
      credentials: [
        { ...TEST_CREDENTIALS, accountId: '000000000000' },
        { ...OTHER, accountId: '111111111111' },
      ],
    });
    apiId = await createWsApi(n.apigw);
    url = wsUrl(n.t.endpoint, apiId);
  });
  after(async () => {
    for (const c of clients) c.drop();
    await n.t.stop();
  });

  test('POST /@clients/{clientId} answers {"seq": n}; messages arrive as {"seq", "data"} in order', async () => {
    assert.deepEqual([await post('early', 'a'), await post('early', 'b')], [1, 2]);
    const c = await connect('early', ['chat', 'nimbus.ack.v1']);
    assert.equal(c.ws.protocol, 'nimbus.ack.v1', 'the handshake names the subprotocol of acknowledged delivery');
    await c.until(() => c.seqs.length === 2);
    assert.deepEqual(c.frames, [
      { seq: 1, data: 'a' },
      { seq: 2, data: 'b' },
    ]);
    // Binary payloads travel as base64.
    await post('early', Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    await c.until(() => c.seqs.length === 3);
    assert.deepEqual(c.frames[2], { seq: 3, data: '3q2+7w==', encoding: 'base64' });
  });

  test('a client that drops mid-stream gets every unacknowledged message once, in order', async () => {
    const first = await connect('phone');
    for (let i = 1; i <= 20; i++) await post('phone', `m${i}`);
    await first.until(() => first.seqs.length === 20);
    first.ack(12);
    // The ack is consumed, not routed (the $default route would answer "routed").
    await quiet();
    assert.equal(first.frames.filter((f) => f.raw !== undefined).length, 0);
    first.drop();
    // Posted while the client is away.
    for (let i = 21; i <= 25; i++) await post('phone', `m${i}`);

    const second = await connect('phone');
    await second.until(() => second.seqs.length >= 13);
    await quiet();
    assert.deepEqual(second.seqs, Array.from({ length: 13 }, (_, i) => 13 + i), 'seq 13..25, each once, in order');
    assert.deepEqual(second.frames.map((f) => f.data), Array.from({ length: 13 }, (_, i) => `m${13 + i}`));
    // New messages follow the redelivered ones.
    await post('phone', 'm26');
    await second.until(() => second.seqs.length === 14);
    second.ack(26);
    await quiet();
    await second.close();
    const third = await connect('phone');
    await quiet();
    assert.deepEqual(third.frames, [], 'nothing is unacknowledged');
    // Other frames still reach the API's routes.
    third.ws.send('{"action":"anything"}');
    await third.until(() => third.frames.some((f) => f.raw === 'routed'));
  });

  test('PostToConnection to such a connection goes through its mailbox', async () => {
    const c = await connect('tablet');
    const connectionId = await c.connectionId();
    const mgmt = new ApiGatewayManagementApiClient({ endpoint: managementEndpoint(n.t.endpoint, apiId), region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    try {
      await mgmt.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('hello') }));
      await mgmt.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('again') }));
    } finally {
      mgmt.destroy();
    }
    await c.until(() => c.seqs.length === 2);
    assert.deepEqual(
      c.frames.filter((f) => f.seq !== undefined),
      [
        { seq: 1, data: 'hello' },
        { seq: 2, data: 'again' },
      ],
    );
    c.drop();
    const again = await connect('tablet');
    await again.until(() => again.seqs.length === 2);
    assert.deepEqual(again.seqs, [1, 2], 'unacknowledged PostToConnection messages come again');
  });

  test('a newer connection of the same client replaces the older (closed with 4001)', async () => {
    const a = await connect('twice');
    const closed = new Promise<number>((r) => a.ws.once('close', (code) => r(code)));
    const b = await connect('twice');
    assert.equal(await closed, 4001);
    await post('twice', 'x');
    await b.until(() => b.seqs.length === 1);
  });

  test('a full mailbox refuses with 429 LimitExceededException', async () => {
    for (let i = 0; i < 50; i++) await post('full', 'x');
    const r = await postToClient(n.t.endpoint, apiId, 'full', 'one too many');
    assert.equal(r.status, 429);
    assert.equal(r.errorType, 'LimitExceededException');
    assert.match(r.body, /mailbox of client full is full: it holds 50 unacknowledged messages/);
    const health = (await (await fetch(`${n.t.endpoint}/_nimbus/health`)).json()) as { services: { apigateway: { acknowledgedDelivery: Record<string, number> } } };
    const m = health.services.apigateway.acknowledgedDelivery;
    assert.ok(m.refused! >= 1 && m.backlog! >= 50 && m.redelivered! >= 10, JSON.stringify(m));
  });

  test('upgrades: the subprotocol needs a valid clientId; without the subprotocol, plain AWS behaviour', async () => {
    assert.equal(await upgradeStatus(url), 400);
    assert.equal(await upgradeStatus(`${url}?clientId=${'x'.repeat(129)}`), 400);
    const plain = await connect(undefined, []);
    plain.ws.send('{"ack": 1}');
    await plain.until(() => plain.frames.some((f) => f.raw === 'routed'));
  });

  test('an API without the tag delivers as AWS does: the handshake does not take the subprotocol', async () => {
    const plainApi = await createWsApi(n.apigw, {});
    // As API Gateway: no subprotocol in the handshake unless `$connect` chose one, so a client
    // that insists on nimbus.ack.v1 (ws, browsers) gives up rather than go unacknowledged.
    await assert.rejects(RawClient.connect(wsUrl(n.t.endpoint, plainApi), 'someone', ['nimbus.ack.v1']), /Server sent no subprotocol/);
    const c = await connect('someone', [], wsUrl(n.t.endpoint, plainApi));
    assert.equal(c.ws.protocol, '');
    const connectionId = await c.connectionId();
    const mgmt = new ApiGatewayManagementApiClient({ endpoint: managementEndpoint(n.t.endpoint, plainApi), region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    try {
      await mgmt.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('as is') }));
    } finally {
      mgmt.destroy();
    }
    await c.until(() => c.frames.some((f) => f.raw === 'as is'));
    const r = await postToClient(n.t.endpoint, plainApi, 'someone', 'x');
    assert.equal(r.status, 400, r.body);
  });

  test("another account cannot post to an API's clients", async () => {
    const r = await postToClient(n.t.endpoint, apiId, 'phone', 'x', OTHER);
    assert.equal(r.status, 403);
    assert.equal(r.errorType, 'ForbiddenException');
  });
});
