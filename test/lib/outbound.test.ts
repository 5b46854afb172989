/**
 * The outbound guard: which addresses Nimbus may connect to for a user. Link-local and cloud
 * metadata addresses are refused by default, in every spelling (IPv4-mapped IPv6 included);
 * configuration adds ranges or allows them; names are checked on what they resolve to.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { OutboundGuard, OutboundRefused, parseCidrList } from '../../src/lib/outbound.js';

test('refuses link-local and metadata addresses by default, in every spelling; allows loopback and private ranges', () => {
  const guard = new OutboundGuard();
  for (const a of ['169.254.169.254', '169.254.170.2', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '[fd00:ec2::254]', 'fe80::1', '100.100.100.200', '0.0.0.0']) {
    assert.equal(guard.refuses(a), true, a);
  }
  for (const a of ['127.0.0.1', '::1', '10.0.0.5', '192.168.1.1', '172.16.0.1', '8.8.8.8', '2001:db8::1']) assert.equal(guard.refuses(a), false, a);
});

test('configured ranges are refused too; an allowed range wins over a denied one', () => {
  const guard = new OutboundGuard({ deny: ['10.0.0.0/8'], allow: ['169.254.169.254/32'] });
  assert.equal(guard.refuses('10.1.2.3'), true);
  assert.equal(guard.refuses('169.254.169.254'), false);
  assert.equal(guard.refuses('169.254.169.253'), true);
});

test('checkUrl refuses an IP literal host; names wait for the lookup', () => {
  const guard = new OutboundGuard();
  assert.throws(() => guard.checkUrl(new URL('http://169.254.169.254/latest/meta-data/')), OutboundRefused);
  assert.throws(() => guard.checkUrl(new URL('http://[::ffff:169.254.169.254]/')), OutboundRefused);
  guard.checkUrl(new URL('http://metadata.example/'));
  guard.checkUrl(new URL('http://127.0.0.1:8080/'));
});

test('a request through the guard never connects to a refused address a name resolves to', async () => {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const get = (guard: OutboundGuard, host: string) =>
    new Promise<number>((resolve, reject) => {
      const url = new URL(`http://${host}:${port}/`);
      const req = request(url, { ...guard.requestOptions(url) }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  try {
    await assert.rejects(get(new OutboundGuard({ deny: ['127.0.0.0/8', '::1/128'] }), 'localhost'), (e: unknown) => e instanceof OutboundRefused || (e as Error).message.includes('refused'));
    assert.equal(hits, 0);
    assert.equal(await get(new OutboundGuard(), 'localhost'), 200);
    assert.equal(hits, 1);
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('parseCidrList takes addresses and blocks, and refuses anything else', () => {
  assert.deepEqual(parseCidrList(' 10.0.0.0/8, 169.254.169.254 ,fd00::/8', 'x'), ['10.0.0.0/8', '169.254.169.254', 'fd00::/8']);
  assert.deepEqual(parseCidrList(undefined, 'x'), []);
  for (const bad of ['10.0.0.0/33', 'example.com', '::1/129', '10.0.0/8']) assert.throws(() => parseCidrList(bad, '--outbound-deny'), /--outbound-deny: not an IP address or CIDR block/);
});

test('configuration: flags win over NIMBUS_OUTBOUND_DENY/ALLOW; a bad range stops the start with ConfigError', () => {
  const c = loadConfig(['--outbound-deny', '10.0.0.0/8'], { NIMBUS_OUTBOUND_DENY: '192.168.0.0/16', NIMBUS_OUTBOUND_ALLOW: '169.254.169.254' });
  assert.deepEqual(c.outboundDeny, ['10.0.0.0/8']);
  assert.deepEqual(c.outboundAllow, ['169.254.169.254']);
  assert.deepEqual(loadConfig([], {}).outboundDeny, []);
  assert.throws(() => loadConfig([], { NIMBUS_OUTBOUND_ALLOW: 'metadata' }), (e: unknown) => e instanceof ConfigError && /--outbound-allow: not an IP address/.test((e as Error).message));
});
