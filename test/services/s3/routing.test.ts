/**
 * S3 subresources: a request naming one (`?legal-hold`, `?encryption`, ...) goes to the
 * operation that implements it or is answered 501 NotImplemented, and never reaches another
 * operation (PutObject used to replace an object's body with a `?legal-hold` request's XML).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, GetObjectTaggingCommand, HeadBucketCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { RestRoutes, type HttpBinding } from '../../../src/protocols/rest.js';
import { ACCOUNT, startTestNimbus, TEST_CREDENTIALS, type TestNimbus } from '../../helpers/nimbus.js';
import { s3Client, signedS3Fetch } from '../../helpers/s3.js';

/** Every subresource S3 defines, whether Nimbus implements it or not. */
const SUBRESOURCES = [
  'abac', 'accelerate', 'acl', 'analytics', 'attributes', 'cors', 'delete', 'encryption', 'intelligent-tiering', 'inventory',
  'legal-hold', 'lifecycle', 'location', 'logging', 'metadataConfiguration', 'metadataInventoryTable', 'metadataJournalTable',
  'metadataTable', 'metrics', 'notification', 'object-lock', 'ownershipControls', 'policy', 'policyStatus', 'publicAccessBlock',
  'renameObject', 'replication', 'requestPayment', 'restore', 'retention', 'select', 'session', 'tagging', 'torrent', 'uploadId',
  'uploads', 'versioning', 'versions', 'website',
];
const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'] as const;
const BODY = '<LegalHold xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>ON</Status></LegalHold>';

/** A subresource request (`?<sub>`) signed as the SDK signs it; PUT and POST carry the body. */
function signedFetch(t: TestNimbus, method: string, path: string, sub: string, body: string) {
  const withBody = method === 'PUT' || method === 'POST';
  return signedS3Fetch(t, method, path, { [sub]: '' }, {}, withBody ? body : '').then((r) => ({ status: r.status, text: r.body }));
}

describe('S3 subresources are never answered as another operation', () => {
  let t: TestNimbus;
  let s3: S3Client;
  let routes: RestRoutes<{ http: HttpBinding }>;
  before(async () => {
    t = await startTestNimbus({ credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }] });
    s3 = s3Client(t);
    await s3.send(new CreateBucketCommand({ Bucket: 'data' }));
    await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'k', Body: 'original', Tagging: 'a=1' }));
    const plugin = t.nimbus.services.find((s) => s.name === 's3')!;
    const ops: Record<string, { http: HttpBinding }> = {};
    for (const [name, op] of Object.entries(plugin.operations)) if (op.http) ops[name] = { http: op.http };
    routes = new RestRoutes(ops, plugin.restXml!.subresources);
  });
  after(async () => {
    s3.destroy();
    await t.stop();
  });

  test('the route table sends a subresource only to an operation whose URI names it', () => {
    for (const sub of SUBRESOURCES) {
      for (const method of METHODS) {
        for (const path of ['/data', '/data/k']) {
          const m = routes.match(method, path, new URLSearchParams(`${sub}=`), {});
          if (m) assert.ok(bindingNames(m.name, sub), `${method} ${path}?${sub} went to ${m.name}`);
        }
      }
    }
    function ops(name: string) {
      return t.nimbus.services.find((s) => s.name === 's3')!.operations[name]!.http!.uri.split('?')[1] ?? '';
    }
    function bindingNames(name: string, sub: string) {
      return ops(name).split('&').some((kv) => kv.split('=')[0] === sub);
    }
  });

  test('unimplemented subresources answer 501 NotImplemented and change nothing', async () => {
    let unimplemented = 0;
    for (const sub of SUBRESOURCES) {
      for (const method of METHODS) {
        for (const path of ['/data', '/data/k']) {
          if (routes.match(method, path, new URLSearchParams(`${sub}=`), {})) continue;
          unimplemented++;
          const res = await signedFetch(t, method, path, sub, BODY);
          assert.equal(res.status, 501, `${method} ${path}?${sub}: ${res.status} ${res.text}`);
          if (method !== 'HEAD') {
            assert.match(res.text, /<Code>NotImplemented<\/Code>/, `${method} ${path}?${sub}`);
            assert.match(res.text, /<Message>A header you provided implies functionality that is not implemented<\/Message>/);
          }
        }
      }
    }
    // The ones the issue names are among them.
    assert.ok(unimplemented > 100, `only ${unimplemented} unimplemented combinations were tried`);
    const body = await (await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'k' }))).Body!.transformToString();
    assert.equal(body, 'original');
    await s3.send(new HeadBucketCommand({ Bucket: 'data' }));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'data' }));
    assert.deepEqual(listed.Contents?.map((o) => o.Key), ['k']);
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: 'data', Key: 'k' }))).TagSet, [{ Key: 'a', Value: '1' }]);
  });

  test('the requests of the data-loss report are refused: legal hold and retention do not overwrite, bucket settings do not create or list', async () => {
    // Each is refused: 501 where not implemented, else as its own operation refuses this document
    // (legal hold and retention on a bucket without object lock, a LegalHold document as a configuration).
    const refused = (status: number) => status === 501 || (status >= 400 && status < 500);
    for (const sub of ['legal-hold', 'retention']) {
      const res = await signedFetch(t, 'PUT', '/data/k', sub, BODY);
      assert.ok(refused(res.status), `PUT ?${sub}: ${res.status}`);
    }
    // ?logging is PutBucketLogging/GetBucketLogging: a LegalHold body is no logging status.
    assert.equal((await signedFetch(t, 'PUT', '/data', 'logging', BODY)).status, 400);
    assert.match((await signedFetch(t, 'GET', '/data', 'logging', '')).text, /<BucketLoggingStatus/);
    for (const sub of ['encryption', 'object-lock', 'logging', 'ownershipControls']) {
      const put = await signedFetch(t, 'PUT', '/data', sub, BODY);
      assert.ok(refused(put.status), `PUT ?${sub}: ${put.status}`);
      const got = await signedFetch(t, 'GET', '/data', sub, '');
      assert.doesNotMatch(got.text, /ListBucketResult/, `GET ?${sub}`);
    }
    const torrent = await signedFetch(t, 'GET', '/data/k', 'torrent', '');
    assert.equal(torrent.status, 501);
    assert.doesNotMatch(torrent.text, /original/);
    const body = await (await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'k' }))).Body!.transformToString();
    assert.equal(body, 'original');
  });

  test('parameters that are not subresources still reach their operations', async () => {
    // x-id (added by the SDK), versionId and partNumber parameterize; they choose nothing.
    const got = await signedFetch(t, 'GET', '/data/k', 'x-id', '');
    assert.equal(got.status, 200);
    assert.equal(got.text, 'original');
    const partial = await signedFetch(t, 'GET', '/data/k', 'versionId', '');
    assert.notEqual(partial.status, 501);
  });
});
