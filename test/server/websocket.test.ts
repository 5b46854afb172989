/**
 * WebSocket upgrades through the host router, with a test-only service registered by the test
 * (startNimbus's extraServices): a real `ws` client connects by host (Host header sent
 * explicitly: *.localhost does not resolve everywhere) and by path-style form, exchanges text and
 * binary frames, sees its request's headers and query, hits the frame-size limit, is refused on
 * hosts nobody claims, and is closed by stop(). Two services' host patterns resolve by
 * specificity in either registration order.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import WebSocket from 'ws';
import { createLogger } from '../../src/lib/log.js';
import { startNimbus, type Nimbus } from '../../src/nimbus.js';
import type { ServiceFactory, ServicePlugin } from '../../src/services/service.js';
import { TEST_CREDENTIALS, ACCOUNT } from '../helpers/nimbus.js';

/** A service with no AWS API: hosts only. */
function testService(name: string, hosts: ServicePlugin['hosts']): ServiceFactory {
  return () => ({ name, signingName: name, operations: {}, hosts, validationError: () => new Error('unused') as never });
}

/** What the test service heard, in order. */
const heard: string[] = [];
const MIB = Buffer.alloc(1024 * 1024, 7);

/**
 * Echoes frames back as they came (text as text, binary as binary); its first frame describes
 * the upgrade. `flood` sends 32 MiB at once without waiting (a peer that does not read them
 * makes Nimbus stop reading from it).
 */
const wsTest = testService('ws-test', [
  {
    host: '{id}.ws-test.localhost',
    pathStyle: '/_nimbus/ws-test/{id}',
    websocket: {
      maxPayload: 1024,
      accept: (req, match) => (match.labels.id === 'forbidden' ? { status: 403, headers: { 'content-type': 'text/plain' }, body: 'no' } : undefined),
      open(conn, req, match) {
        void conn.send(JSON.stringify({ labels: match.labels, path: match.path, query: req.query, headers: req.headers }));
        conn.onMessage(async (data) => {
          if (typeof data === 'string' && match.labels.id === 'slow') heard.push(data);
          if (data === 'close-me') return conn.close(4000, 'asked');
          if (data === 'flood') {
            for (let i = 0; i < 32; i++) void conn.send(MIB).catch(() => {});
            return;
          }
          await conn.send(data);
        });
      },
    },
  },
]);

async function start(extraServices: ServiceFactory[]): Promise<Nimbus> {
  return startNimbus({ port: 0, memory: true, log: createLogger('silent'), credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }], hotReloadRoots: [], extraServices });
}

/** Opens a client; resolves with it and its first message once open. */
function connect(port: number, host: string, path = '/', headers: Record<string, string> = {}): Promise<{ ws: WebSocket; first: any; messages: (string | Buffer)[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: { host, ...headers } });
    const messages: (string | Buffer)[] = [];
    let first: any;
    ws.on('message', (data: Buffer, binary: boolean) => {
      if (first === undefined) {
        first = JSON.parse(data.toString('utf8'));
        return resolve({ ws, first, messages });
      }
      messages.push(binary ? data : data.toString('utf8'));
    });
    ws.on('unexpected-response', (_req, res) => reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode })));
    ws.on('error', reject);
  });
}

const next = (ws: WebSocket): Promise<{ data: Buffer; binary: boolean }> => new Promise((r) => ws.once('message', (data: Buffer, binary: boolean) => r({ data, binary })));
const closed = (ws: WebSocket): Promise<{ code: number; reason: string }> => new Promise((r) => ws.once('close', (code, reason) => r({ code, reason: reason.toString() })));

function get(port: number, host: string, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('WebSocket upgrades', () => {
  let nimbus: Nimbus;
  before(async () => {
    nimbus = await start([wsTest]);
  });
  after(() => nimbus.stop());

  it('connects by host, sees the request, and exchanges text and binary frames', async () => {
    const { ws, first } = await connect(nimbus.port, `room1.ws-test.localhost:${nimbus.port}`, '/chat?user=ann&x=1', { 'x-custom': 'yes' });
    assert.deepEqual(first.labels, { id: 'room1' });
    assert.equal(first.path, '/chat');
    assert.equal(first.query, 'user=ann&x=1');
    assert.equal(first.headers['x-custom'], 'yes');
    assert.equal(first.headers.host, `room1.ws-test.localhost:${nimbus.port}`);
    ws.send('hello');
    const text = await next(ws);
    assert.equal(text.binary, false);
    assert.equal(text.data.toString('utf8'), 'hello');
    const bytes = Buffer.from([0, 1, 2, 255]);
    ws.send(bytes);
    const bin = await next(ws);
    assert.equal(bin.binary, true);
    assert.deepEqual(bin.data, bytes);
    const done = closed(ws);
    ws.send('close-me');
    assert.deepEqual(await done, { code: 4000, reason: 'asked' });
  });

  it('connects by the path-style form', async () => {
    const { ws, first } = await connect(nimbus.port, `127.0.0.1:${nimbus.port}`, '/_nimbus/ws-test/room2/deeper?y=2');
    assert.deepEqual(first.labels, { id: 'room2' });
    assert.equal(first.path, '/deeper');
    assert.equal(first.query, 'y=2');
    // Messages are answered in order, one at a time.
    const got: string[] = [];
    const all = new Promise<void>((r) => ws.on('message', (data: Buffer) => got.push(data.toString('utf8')) === 20 && r()));
    for (let i = 0; i < 20; i++) ws.send(`m${i}`);
    await all;
    assert.deepEqual(got, Array.from({ length: 20 }, (_, i) => `m${i}`));
    ws.close();
    await closed(ws);
  });

  it('closes with 1009 on a frame over the endpoint’s limit', async () => {
    const { ws } = await connect(nimbus.port, 'big.ws-test.localhost');
    ws.send('x'.repeat(1024));
    assert.equal((await next(ws)).data.length, 1024);
    const done = closed(ws);
    ws.send('x'.repeat(1025));
    assert.equal((await done).code, 1009);
  });

  it('refuses upgrades on hosts nobody claims (404), and as the owning service decides', async () => {
    for (const host of ['chat.example.com', `localhost:${nimbus.port}`, 'photos.localhost', 'abc.lambda-url.us-east-1.localhost']) {
      await assert.rejects(connect(nimbus.port, host), (e: any) => e.status === 404, host);
    }
    await assert.rejects(connect(nimbus.port, '127.0.0.1', '/_nimbus/elsewhere'), (e: any) => e.status === 404);
    await assert.rejects(connect(nimbus.port, 'forbidden.ws-test.localhost'), (e: any) => e.status === 403);
    // A plain HTTP request to a WebSocket-only host is told to upgrade.
    assert.equal((await get(nimbus.port, 'room.ws-test.localhost')).status, 426);
  });

  it('stops reading from a peer that does not take what it is sent, until it does', async () => {
    const { ws } = await connect(nimbus.port, 'slow.ws-test.localhost');
    let received = 0;
    ws.on('message', (data: Buffer) => (received += data.length));
    // The client reads nothing: Nimbus's buffers for it fill up.
    ws.pause();
    ws.send('flood');
    await new Promise((r) => setTimeout(r, 200));
    ws.send('probe');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(heard, ['flood'], 'the probe is not read while the peer is slow');
    ws.resume();
    while (received < 32 * MIB.length || heard.length < 2) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(heard, ['flood', 'probe']);
    ws.close();
    await closed(ws);
  });

  it('stop() closes open connections', async () => {
    const own = await start([wsTest]);
    const { ws } = await connect(own.port, 'bye.ws-test.localhost');
    const done = closed(ws);
    await own.stop();
    assert.equal((await done).code, 1001);
  });
});

describe('host patterns of two services', () => {
  const a = testService('svc-a', [{ host: '{id}.ws-test.localhost', http: async (req, m) => ({ status: 200, headers: {}, body: `a:${m.labels.id}` }) }]);
  const b = testService('svc-b', [
    { host: '{id}.{zone}.localhost', http: async (req, m) => ({ status: 200, headers: {}, body: `b:${m.labels.id}:${m.labels.zone}` }) },
  ]);
  for (const [name, order] of [
    ['a first', [a, b]],
    ['b first', [b, a]],
  ] as const) {
    it(`resolve by specificity whatever the registration order (${name})`, async () => {
      const n = await start([...order]);
      try {
        assert.deepEqual(await get(n.port, 'one.ws-test.localhost'), { status: 200, body: 'a:one' });
        assert.deepEqual(await get(n.port, 'two.other.localhost'), { status: 200, body: 'b:two:other' });
        // S3's `{bucket+}.localhost` keeps the single-label names; its S3 error says so (an
        // anonymous request for a bucket that does not exist: 404 NoSuchBucket, as S3 answers).
        const s3 = await get(n.port, 'photos.localhost');
        assert.equal(s3.status, 404);
        assert.match(s3.body, /<Code>NoSuchBucket<\/Code>/);
      } finally {
        await n.stop();
      }
    });
  }
});
