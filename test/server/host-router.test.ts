/**
 * The host router: the most specific pattern wins whatever the registration order, a plain
 * API host is never captured, path-style forms match at segment boundaries.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HostRouter } from '../../src/server/host-router.js';

const head = (host: string, path = '/', extra: { method?: string; query?: string } = {}) => ({ method: extra.method ?? 'GET', path, query: extra.query ?? '', headers: { host } });

/** Every pattern in the given order, each target named by its pattern. */
function routerOf(hosts: string[], paths: string[] = []): HostRouter<string> {
  const r = new HostRouter<string>();
  for (const h of hosts) r.addHost(h, h);
  for (const p of paths) r.addPath(p, p);
  return r;
}

const S3ISH = ['{bucket+}.localhost', '{bucket+}.s3.localhost', '{bucket+}.s3-website.localhost', '{bucket+}.s3-website-{region}.localhost', 's3.localhost'];
const OTHERS = ['{urlId}.lambda-url.{region}.localhost', '{id}.ws-test.localhost', '{id}.{zone}.localhost'];

describe('host router', () => {
  for (const [name, order] of [
    ['registered in one order', [...S3ISH, ...OTHERS]],
    ['registered in the reverse order', [...S3ISH, ...OTHERS].reverse()],
  ] as const) {
    it(`picks the most specific host pattern, ${name}`, () => {
      const r = routerOf([...order]);
      const pick = (host: string) => {
        const m = r.match(head(host));
        return m && { target: m.target, labels: m.labels };
      };
      assert.deepEqual(pick('photos.localhost:4566'), { target: '{bucket+}.localhost', labels: { bucket: 'photos' } });
      assert.deepEqual(pick('my.dotted.bucket.s3.localhost'), { target: '{bucket+}.s3.localhost', labels: { bucket: 'my.dotted.bucket' } });
      assert.deepEqual(pick('site.s3-website.localhost'), { target: '{bucket+}.s3-website.localhost', labels: { bucket: 'site' } });
      assert.deepEqual(pick('site.s3-website-eu-west-1.localhost'), { target: '{bucket+}.s3-website-{region}.localhost', labels: { bucket: 'site', region: 'eu-west-1' } });
      assert.deepEqual(pick('abc.lambda-url.us-east-1.localhost:1234'), { target: '{urlId}.lambda-url.{region}.localhost', labels: { urlId: 'abc', region: 'us-east-1' } });
      // A literal label beats a capture, and a fixed number of labels beats {name+}.
      assert.deepEqual(pick('chat.ws-test.localhost'), { target: '{id}.ws-test.localhost', labels: { id: 'chat' } });
      assert.deepEqual(pick('chat.other.localhost'), { target: '{id}.{zone}.localhost', labels: { id: 'chat', zone: 'other' } });
      assert.deepEqual(pick('S3.LOCALHOST'), { target: 's3.localhost', labels: {} });
    });
  }

  it('never captures the plain API host, an address or an unclaimed name', () => {
    const r = routerOf([...S3ISH, ...OTHERS]);
    for (const host of ['localhost', 'localhost:4566', '127.0.0.1:4566', '[::1]:4566', 'example.com', '.localhost', 'a..localhost']) {
      assert.equal(r.match(head(host)), undefined, host);
    }
    assert.equal(r.match({ method: 'GET', path: '/', query: '', headers: {} }), undefined);
  });

  it('matches path-style forms by the longest prefix, at segment boundaries, and exact paths', () => {
    const paths = ['/_nimbus/', '/_nimbus/s3-website/{bucket}', '/_nimbus/lambda-url/{urlId}', '/_nimbus/sns/'];
    for (const order of [paths, [...paths].reverse()]) {
      const r = routerOf([], order);
      const pick = (path: string) => {
        const m = r.match(head('localhost:4566', path));
        return m && { target: m.target, labels: m.labels, path: m.path };
      };
      assert.deepEqual(pick('/_nimbus/s3-website/site/a/b.html'), { target: '/_nimbus/s3-website/{bucket}', labels: { bucket: 'site' }, path: '/a/b.html' });
      assert.deepEqual(pick('/_nimbus/s3-website/site'), { target: '/_nimbus/s3-website/{bucket}', labels: { bucket: 'site' }, path: '/' });
      assert.deepEqual(pick('/_nimbus/lambda-url/abc%20d/x'), { target: '/_nimbus/lambda-url/{urlId}', labels: { urlId: 'abc d' }, path: '/x' });
      assert.deepEqual(pick('/_nimbus/sns/confirm'), { target: '/_nimbus/sns/', labels: {}, path: '/confirm' });
      assert.deepEqual(pick('/_nimbus/s3-websitex/a'), { target: '/_nimbus/', labels: {}, path: '/s3-websitex/a' });
      assert.equal(pick('/bucket/key'), undefined);
    }
    const r = new HostRouter<string>();
    r.addPath('/', 'links', { exact: true, when: (req) => req.query.startsWith('Action=') });
    assert.equal(r.match(head('localhost', '/', { query: 'Action=Unsubscribe' }))?.target, 'links');
    assert.equal(r.match(head('localhost', '/', { query: 'list-type=2' })), undefined);
    assert.equal(r.match(head('localhost', '/bucket', { query: 'Action=Unsubscribe' })), undefined);
  });

  it('tries hosts before paths: a claimed host is not routed by its path', () => {
    const r = routerOf(['{bucket+}.localhost'], ['/_nimbus/sns/']);
    assert.equal(r.match(head('photos.localhost', '/_nimbus/sns/confirm'))?.target, '{bucket+}.localhost');
    assert.equal(r.match(head('localhost', '/_nimbus/sns/confirm'))?.target, '/_nimbus/sns/');
  });

  it('refuses patterns it cannot order', () => {
    const r = new HostRouter<string>();
    r.addHost('{id}.ws-test.localhost', 'a');
    assert.throws(() => r.addHost('{id}.ws-test.localhost', 'b'), /registered twice/);
    assert.throws(() => r.addHost('{id}.{zone}', 'c'), /last label must be literal/);
    assert.throws(() => r.addHost('a.{id+}.localhost', 'c'), /only as the whole first label/);
    assert.throws(() => r.addPath('/_nimbus/x{id}', 'c'), /whole segment/);
  });

  it('asks a host claim only for dotted, non-address hosts no pattern matched; patterns and paths keep theirs', () => {
    const r = routerOf(['{id}.cloudfront.localhost', '{bucket+}.localhost'], ['/_nimbus/cloudfront/{id}']);
    const asked: string[] = [];
    r.addHostClaim((name) => {
      asked.push(name);
      return name === 'www.shop.test';
    }, 'alias');
    assert.equal(r.match(head('WWW.Shop.Test:4566'))?.target, 'alias');
    assert.equal(r.match(head('www.shop.test', '/_nimbus/cloudfront/E1'))?.target, 'alias');
    assert.equal(r.match(head('e1.cloudfront.localhost'))?.target, '{id}.cloudfront.localhost');
    assert.equal(r.match(head('other.test'))?.target, undefined);
    assert.equal(r.match(head('other.test', '/_nimbus/cloudfront/E1'))?.target, '/_nimbus/cloudfront/{id}');
    assert.equal(r.match(head('127.0.0.1:4566'))?.target, undefined);
    assert.equal(r.match(head('localhost:4566'))?.target, undefined);
    assert.deepEqual(asked, ['www.shop.test', 'www.shop.test', 'other.test', 'other.test']);
  });
});
