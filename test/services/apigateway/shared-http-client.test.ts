/**
 * The gateway's pooled HTTP/1.1 client (shared/http-client.ts) against real servers: node:http
 * (Content-Length, chunked, keep-alive reuse, a server that closes idle sockets), and raw TCP
 * servers for what node:http does not send (answers up to the close, interim 100s, trailers,
 * garbage); the outbound guard; the body bound; abort; header injection refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { OutboundGuard } from '../../../src/lib/outbound.js';
import { HttpClient, type RawRequest } from '../../../src/services/apigateway/shared/http-client.js';

const port = (s: Server | TcpServer) => (s.address() as AddressInfo).port;
const req = (p: number, o: Partial<RawRequest> = {}): RawRequest => ({ method: 'GET', host: '127.0.0.1', port: p, hostHeader: `127.0.0.1:${p}`, path: '/', headers: {}, maxBodyBytes: 1 << 20, ...o });
const header = (raw: string[], name: string) => {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i] === name) out.push(raw[i + 1]!);
  return out;
};

/** A raw TCP server answering each connection's first request with `answer` (then closing when `close`). */
async function rawServer(answer: (s: Socket) => void): Promise<TcpServer> {
  const server = createTcpServer((s) => {
    let got = '';
    s.on('data', (c) => {
      got += c.toString('latin1');
      if (got.includes('\r\n\r\n')) {
        got = '';
        answer(s);
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

describe('API Gateway: the pooled HTTP/1.1 client for http: backends', () => {
  let server: Server;
  let connections = 0;
  const client = new HttpClient(new OutboundGuard());
  before(async () => {
    server = createServer((rq, rs) => {
      const chunks: Buffer[] = [];
      rq.on('data', (c: Buffer) => chunks.push(c));
      rq.on('end', () => {
        const body = Buffer.concat(chunks);
        if (rq.url === '/chunked') {
          rs.writeHead(200, { 'content-type': 'text/plain' });
          rs.write('hello ');
          setImmediate(() => rs.end('world'));
          return;
        }
        if (rq.url === '/cookies') {
          rs.setHeader('set-cookie', ['a=1', 'b=2']);
          return rs.end();
        }
        if (rq.url === '/empty') return rs.writeHead(204).end();
        rs.writeHead(200, { 'content-type': 'application/json', 'x-seen-host': rq.headers.host ?? '' });
        rs.end(JSON.stringify({ method: rq.method, url: rq.url, body: body.toString(), custom: rq.headers['x-custom'] ?? null, length: rq.headers['content-length'] ?? null }));
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  after(() => {
    client.close();
    server.close();
  });

  it('sends method, path, headers and body, reads a Content-Length answer, and reuses the connection', async () => {
    const before = connections;
    const a = await client.request(req(port(server), { method: 'POST', path: '/items?x=1', headers: { 'x-custom': 'yes' }, body: Buffer.from('payload') }));
    assert.equal(a.status, 200);
    assert.deepEqual(JSON.parse(a.body.toString()), { method: 'POST', url: '/items?x=1', body: 'payload', custom: 'yes', length: '7' });
    assert.deepEqual(header(a.rawHeaders, 'x-seen-host'), [`127.0.0.1:${port(server)}`]);
    for (let i = 0; i < 5; i++) assert.equal((await client.request(req(port(server)))).status, 200);
    await Promise.all(Array.from({ length: 4 }, () => client.request(req(port(server)))));
    assert.ok(connections - before <= 4, `${connections - before} connections for 10 requests`);
  });

  it('reads chunked answers, Set-Cookie repeats, and bodiless 204 and HEAD answers', async () => {
    assert.equal((await client.request(req(port(server), { path: '/chunked' }))).body.toString(), 'hello world');
    assert.deepEqual(header((await client.request(req(port(server), { path: '/cookies' }))).rawHeaders, 'set-cookie'), ['a=1', 'b=2']);
    const empty = await client.request(req(port(server), { path: '/empty' }));
    assert.deepEqual([empty.status, empty.body.length], [204, 0]);
    const head = await client.request(req(port(server), { method: 'HEAD' }));
    assert.deepEqual([head.status, head.body.length], [200, 0]);
    assert.equal((await client.request(req(port(server)))).status, 200);
  });

  it('sends a request again on a fresh connection when its kept one was closed by the server', async () => {
    const quick = createServer({ keepAliveTimeout: 50 }, (_q, s) => s.end('ok'));
    await new Promise<void>((r) => quick.listen(0, '127.0.0.1', r));
    try {
      assert.equal((await client.request(req(port(quick)))).body.toString(), 'ok');
      await new Promise((r) => setTimeout(r, 150));
      assert.equal((await client.request(req(port(quick)))).body.toString(), 'ok');
    } finally {
      quick.close();
    }
  });

  it('reads an answer framed by the close, skips interim 100s, reads trailers, and refuses garbage', async () => {
    const byClose = await rawServer((s) => s.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end'));
    const interim = await rawServer((s) => s.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok'));
    const trailers = await rawServer((s) => s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n'));
    const garbage = await rawServer((s) => s.end('SSH-2.0-OpenSSH\r\n\r\n'));
    try {
      assert.equal((await client.request(req(port(byClose)))).body.toString(), 'until the end');
      const created = await client.request(req(port(interim)));
      assert.deepEqual([created.status, created.body.toString()], [201, 'ok']);
      assert.equal((await client.request(req(port(trailers)))).body.toString(), 'abc');
      await assert.rejects(client.request(req(port(garbage))), /not HTTP/);
    } finally {
      for (const s of [byClose, interim, trailers, garbage]) s.close();
    }
  });

  it('fails an answer past its bound, an aborted request, a refused address, and a header that would split the request', async () => {
    const big = await rawServer((s) => s.write(`HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n${'x'.repeat(5000)}`));
    const silent = await rawServer(() => undefined);
    try {
      await assert.rejects(client.request(req(port(big), { maxBodyBytes: 1000 })), /larger than 1000 bytes/);
      const call: { abort?: () => void } = {};
      const pending = client.request(req(port(silent)), call);
      setTimeout(() => call.abort?.(), 20);
      await assert.rejects(pending, /aborted/);
      await assert.rejects(client.request(req(80, { host: '169.254.169.254', hostHeader: '169.254.169.254' })), /refused/);
      await assert.rejects(client.request(req(port(server), { headers: { 'x-evil': 'a\r\nInjected: 1' } })), /Invalid character/);
      await assert.rejects(client.request(req(port(server), { headers: { 'bad name': 'x' } })), /Invalid header name/);
    } finally {
      big.close();
      silent.close();
    }
  });
});
