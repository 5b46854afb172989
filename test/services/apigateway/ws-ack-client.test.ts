/**
 * The acknowledged-delivery client library (client/nimbus-ws.mjs), the same scenario in Node
 * (with the `ws` package) and in headless chromium (driven by playwright-core) on a page served
 * by Nimbus, importing the library from Nimbus itself: messages once and in order (binary as
 * bytes), the connection cut by the server (DeleteConnection) before anything was acknowledged,
 * the reconnect, the redelivered messages dropped as duplicates, acknowledgements on close, and
 * nothing again for the client afterwards.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ApiGatewayManagementApiClient, DeleteConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { CreateBucketCommand, DeletePublicAccessBlockCommand, PutBucketPolicyCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { TEST_CREDENTIALS } from '../../helpers/nimbus.js';
import { createWsApi, managementEndpoint, postToClient, quiet, wsUrl } from './ws-ack-helpers.js';
import { startV2, type V2Nimbus } from './v2-helpers.js';

type NimbusWs = typeof import('../../../client/nimbus-ws.mjs');
const CHROMIUM = '/usr/bin/chromium';

/** One side running the library: Node or a browser page. */
interface Side {
  /** Connects (ackDelay 5 s, so nothing is acknowledged before the cut), resolves once open. */
  start(url: string, clientId: string): Promise<void>;
  /** What onMessage was handed, as `seq:data` (bytes as `bin:1,2,3`). */
  got(): Promise<string[]>;
  replies(): Promise<string[]>;
  send(text: string): Promise<void>;
  opened(): Promise<void>;
  close(): Promise<void>;
}

const format = `(data, meta) => meta.seq + ':' + (typeof data === 'string' ? data : 'bin:' + Array.from(data).join(','))`;

function nodeSide(lib: NimbusWs): Side {
  let sock: ReturnType<NimbusWs['connect']>;
  let got: string[] = [];
  let replies: string[] = [];
  const fmt = eval(format) as (d: unknown, m: { seq: number }) => string;
  return {
    async start(url, clientId) {
      got = [];
      replies = [];
      sock = lib.connect(url, { clientId, WebSocket, ackDelay: 5000, minReconnectDelay: 50, onMessage: (d, m) => void got.push(fmt(d, m)), onReply: (r) => void replies.push(String(r)) });
      await sock.opened();
    },
    got: async () => got,
    replies: async () => replies,
    send: async (t) => sock.send(t),
    opened: () => sock.opened(),
    close: async () => sock.close(),
  };
}

function browserSide(page: Page): Side {
  return {
    start: (url, clientId) =>
      page.evaluate(
        async ([url, clientId, format]) => {
          const w = window as unknown as Record<string, any>;
          w.got = [];
          w.replies = [];
          const fmt = (0, eval)(format);
          w.sock = w.nimbusWs.connect(url, { clientId, ackDelay: 5000, minReconnectDelay: 50, onMessage: (d: unknown, m: unknown) => void w.got.push(fmt(d, m)), onReply: (r: unknown) => void w.replies.push(String(r)) });
          await w.sock.opened();
        },
        [url, clientId, format] as const,
      ),
    got: () => page.evaluate(() => (window as unknown as { got: string[] }).got),
    replies: () => page.evaluate(() => (window as unknown as { replies: string[] }).replies),
    send: (t) => page.evaluate((t) => (window as unknown as { sock: { send(t: string): void } }).sock.send(t), t),
    opened: () => page.evaluate(() => (window as unknown as { sock: { opened(): Promise<void> } }).sock.opened()),
    close: () => page.evaluate(() => (window as unknown as { sock: { close(): void } }).sock.close()),
  };
}

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('acknowledged delivery: the client library', () => {
  let n: V2Nimbus;
  let apiId: string;
  let url: string;
  let mgmt: ApiGatewayManagementApiClient;

  const metrics = async () =>
    ((await (await fetch(`${n.t.endpoint}/_nimbus/health`)).json()) as { services: { apigateway: { acknowledgedDelivery: Record<string, number> } } }).services.apigateway.acknowledgedDelivery;
  const post = async (clientId: string, body: string | Buffer) => assert.equal((await postToClient(n.t.endpoint, apiId, clientId, body)).status, 200);

  /** The scenario both sides must pass alike. */
  async function scenario(side: Side, clientId: string) {
    await side.start(url, clientId);
    // The connection's id, through a route (a reply, not a mailbox message).
    await side.send('{"action":"whoami"}');
    const [reply] = await eventually(side.replies, (r) => r.length === 1);
    const connectionId = reply!.slice('id:'.length);
    for (const m of ['one', 'two', 'three']) await post(clientId, m);
    await post(clientId, Buffer.from([0, 255, 7]));
    await eventually(side.got, (g) => g.length === 4);
    const redeliveredBefore = (await metrics()).redelivered!;
    // Cut by the server before the client acknowledged anything: it reconnects by itself.
    await mgmt.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    await post(clientId, 'five');
    await eventually(side.got, (g) => g.length >= 5);
    await side.opened();
    await eventually(metrics, (m) => m.redelivered! >= redeliveredBefore + 4);
    await quiet();
    assert.deepEqual(await side.got(), ['1:one', '2:two', '3:three', '4:bin:0,255,7', '5:five'], 'once each, in order: the redelivered ones were dropped');
    // close() sends the pending acknowledgement first.
    const ackedBefore = (await metrics()).acknowledged!;
    await side.close();
    await eventually(metrics, (m) => m.acknowledged === ackedBefore + 5);
    // A fresh client object (a new page, a new process): nothing is unacknowledged.
    await side.start(url, clientId);
    await post(clientId, 'six');
    await eventually(side.got, (g) => g.length === 1);
    await quiet();
    assert.deepEqual(await side.got(), ['6:six']);
    await side.close();
  }

  before(async () => {
    n = await startV2({ clock: 'system' });
    apiId = await createWsApi(n.apigw);
    url = wsUrl(n.t.endpoint, apiId);
    mgmt = new ApiGatewayManagementApiClient({ endpoint: managementEndpoint(n.t.endpoint, apiId), region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  });
  after(async () => {
    mgmt.destroy();
    await n.t.stop();
  });

  test('Nimbus serves the library (CORS-open) and its types', async () => {
    const r = await fetch(`${n.t.endpoint}/_nimbus/client/nimbus-ws.mjs`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type')!, /^text\/javascript/);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.match(await r.text(), /export function connect/);
    assert.equal((await fetch(`${n.t.endpoint}/_nimbus/client/nimbus-ws.d.mts`)).status, 200);
    assert.equal((await fetch(`${n.t.endpoint}/_nimbus/client/other.mjs`)).status, 404);
  });

  test('in Node', async () => {
    const lib = (await import(new URL('../../../../client/nimbus-ws.mjs', import.meta.url).href)) as NimbusWs;
    await scenario(nodeSide(lib), 'node-client');
  });

  test('in Node: a handler that throws does not acknowledge; the message comes again', async () => {
    const lib = (await import(new URL('../../../../client/nimbus-ws.mjs', import.meta.url).href)) as NimbusWs;
    const seen: string[] = [];
    const errors: unknown[] = [];
    let failOnce = true;
    const sock = lib.connect(url, {
      clientId: 'flaky',
      WebSocket,
      minReconnectDelay: 20,
      onError: (e) => void errors.push(e),
      onMessage: (data, { seq }) => {
        seen.push(`${seq}:${String(data)}`);
        if (seq === 2 && failOnce) {
          failOnce = false;
          throw new Error('handler failed');
        }
      },
    });
    try {
      await sock.opened();
      // Posted together, so that 'after' is on its way while 'boom' fails.
      await post('flaky', 'fine');
      await Promise.all([post('flaky', 'boom'), post('flaky', 'after')]);
      await eventually(async () => seen, (s) => s.length === 4);
      await quiet();
      // (Which of the two posted together got seq 2 is the store's choice.)
      const [second, third] = seen[1] === '2:boom' ? ['boom', 'after'] : ['after', 'boom'];
      assert.deepEqual(seen, ['1:fine', `2:${second}`, `2:${second}`, `3:${third}`], 'seq 2 handed over again after the failure, then seq 3, once');
      assert.equal((errors[0] as Error).message, 'handler failed');
      assert.equal(sock.lastSeq, 3);
    } finally {
      sock.close();
    }
  });

  test('in headless chromium, on a page served by Nimbus', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed` }, async () => {
    // The page: an object of a public bucket, importing the library from Nimbus.
    const s3 = new S3Client({ endpoint: n.t.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, forcePathStyle: true, maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: 'site' }));
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: 'site' }));
    const Policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::site/*' }] });
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'site', Policy }));
    const html = `<!doctype html><title>ack</title><script type="module">import * as lib from '/_nimbus/client/nimbus-ws.mjs'; window.nimbusWs = lib;</script>`;
    await s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'index.html', Body: html, ContentType: 'text/html' }));
    s3.destroy();
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${n.t.endpoint}/site/index.html`);
      await page.waitForFunction(() => 'nimbusWs' in window, undefined, { timeout: 5000 });
      await scenario(browserSide(page), 'browser-client');
      assert.deepEqual(errors, []);
    } finally {
      await browser?.close();
    }
  });
});
