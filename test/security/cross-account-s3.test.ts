/**
 * The cross-account matrix for S3 (see cross-account-helpers.ts). Bucket names are global, so
 * the intruder's requests reach the owner's bucket and are refused by its policy and ACL:
 * AccessDenied ("Access Denied"). Every bucket and object operation runs path-style and
 * virtual-hosted (the SDK's own addressing, `<bucket>.s3.localhost`); object reads and writes
 * also by URLs presigned by the intruder, a POST form signed by the intruder, and the website
 * endpoint. Then what a bucket policy grants: GetObject under one prefix, nothing else.
 */
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { test } from 'node:test';
import { S3Client, GetObjectCommand, PutObjectCommand, ListObjectsV2Command, PutBucketPolicyCommand, CreateBucketCommand, ListBucketsCommand, DeleteObjectCommand, HeadObjectCommand, type S3ClientConfig } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { TestNimbus } from '../helpers/nimbus.js';
import { httpOutcome, INTRUDER, INTRUDER_ACCOUNT, OWNER, rawRequest, refused, runMatrix, startMatrixNimbus, type Refusal, type Row } from './cross-account-helpers.js';
import { BUCKET, OWN_BUCKET, bucketCalls, objectCalls, ownerSetup, s3Snapshot, type S3Call } from './cross-account-s3-rows.js';

interface F {
  t: TestNimbus;
  owner: S3Client;
  intruder: S3Client;
  intruderVirtual: S3Client;
  uploadId: string;
  /** The version id of the owner's object (the bucket is versioned). */
  versionId: string;
}

const DENIED: Refusal = { name: 'AccessDenied', message: /^Access Denied$/ };
/** HEAD answers carry no body: the refusal is known by its status alone. */
const HEAD_DENIED: Refusal = { status: 403 };

/** Resolves every name to 127.0.0.1, so the SDK's virtual-hosted requests (`<bucket>.s3.localhost`) reach Nimbus. */
const loopback = new Agent({
  lookup: ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) =>
    opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)) as never,
});

function s3(t: TestNimbus, credentials: { accessKeyId: string; secretAccessKey: string }, virtual = false): S3Client {
  const extra: Partial<S3ClientConfig> = virtual
    ? { endpoint: t.endpoint.replace('127.0.0.1', 's3.localhost'), forcePathStyle: false, requestHandler: new NodeHttpHandler({ httpAgent: loopback }) }
    : { endpoint: t.endpoint, forcePathStyle: true };
  return new S3Client({ region: 'us-east-1', credentials, maxAttempts: 1, ...extra });
}

const refusalOf = (op: string): Refusal => (op.startsWith('Head') ? HEAD_DENIED : DENIED);

/**
 * DeleteObjects answers 200 and refuses key by key (AWS checks s3:DeleteObject per object):
 * every key is refused with AccessDenied and none deleted.
 */
function eachKeyDenied(out: unknown): void {
  const o = out as { Deleted?: unknown[]; Errors?: Array<{ Key?: string; Code?: string; Message?: string }> };
  assert.deepEqual(o.Deleted ?? [], []);
  assert.deepEqual(o.Errors, [{ Key: 'secret.txt', Code: 'AccessDenied', Message: 'Access Denied' }]);
}

const sdkRows = (calls: Array<[string, S3Call, string?]>): Row<F>[] =>
  calls.flatMap(([op, call, what]) =>
    (['path-style', 'virtual-hosted'] as const).map((style): Row<F> => {
      const row = { op, form: `${style}${what ? `, ${what}` : ''}`, call: (f: F) => call(style === 'path-style' ? f.intruder : f.intruderVirtual, { uploadId: f.uploadId }) };
      return op === 'DeleteObjects' ? { ...row, shows: eachKeyDenied } : { ...row, refusal: refusalOf(op) };
    }),
  );

/** A presigned URL made with the intruder's keys, fetched unsigned. */
async function presigned(f: F, sign: (c: S3Client) => Promise<string>, init: RequestInit = {}): Promise<unknown> {
  const url = await sign(f.intruder);
  const res = await fetch(url, init);
  return httpOutcome({ status: res.status, headers: {}, body: await res.text() });
}

const website = (f: F, path: string, method = 'GET', host?: string) =>
  rawRequest(f.t.endpoint, host ? { method, path, host } : { method, path: `/_nimbus/s3-website/${BUCKET}${path}` }).then(httpOutcome);

const rows: Row<F>[] = [
  ...sdkRows(bucketCalls),
  ...sdkRows(objectCalls),
  { op: 'GetObject', form: 'by a URL presigned by the intruder', call: (f) => presigned(f, (c) => getSignedUrl(c, new GetObjectCommand({ Bucket: BUCKET, Key: 'secret.txt' }), { expiresIn: 300 })), refusal: DENIED },
  { op: 'PutObject', form: 'by a URL presigned by the intruder', call: (f) => presigned(f, (c) => getSignedUrl(c, new PutObjectCommand({ Bucket: BUCKET, Key: 'secret.txt' }), { expiresIn: 300 }), { method: 'PUT', body: 'forged' }), refusal: DENIED },
  { op: 'DeleteObject', form: 'by a URL presigned by the intruder', call: (f) => presigned(f, (c) => getSignedUrl(c, new DeleteObjectCommand({ Bucket: BUCKET, Key: 'secret.txt' }), { expiresIn: 300 }), { method: 'DELETE' }), refusal: DENIED },
  { op: 'ListObjectsV2', form: 'by a URL presigned by the intruder', call: (f) => presigned(f, (c) => getSignedUrl(c, new ListObjectsV2Command({ Bucket: BUCKET }), { expiresIn: 300 })), refusal: DENIED },
  {
    op: 'GetObject',
    form: 'by a virtual-hosted URL presigned by the intruder',
    async call(f) {
      const url = new URL(await getSignedUrl(f.intruderVirtual, new GetObjectCommand({ Bucket: BUCKET, Key: 'secret.txt' }), { expiresIn: 300 }));
      assert.equal(url.hostname, `${BUCKET}.s3.localhost`);
      return httpOutcome(await rawRequest(f.t.endpoint, { method: 'GET', path: `${url.pathname}${url.search}`, host: url.host }));
    },
    refusal: DENIED,
  },
  // A key the owner's bucket does not hold is refused as one it holds (without s3:ListBucket AWS answers 403, not NoSuchKey), so keys cannot be probed.
  { op: 'GetObject', form: 'path-style, a missing key', call: (f) => f.intruder.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'no-such-key' })), refusal: DENIED },
  { op: 'HeadObject', form: 'path-style, a missing key', call: (f) => f.intruder.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'no-such-key' })), refusal: HEAD_DENIED },
  { op: 'DeleteObject', form: 'path-style, a missing key', call: (f) => f.intruder.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'no-such-key' })), refusal: DENIED },
  // By version id: a permanent delete of the owner's version, or a read of it.
  { op: 'DeleteObject', form: "path-style, by the owner's version id", call: (f) => f.intruder.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'secret.txt', VersionId: f.versionId })), refusal: DENIED },
  { op: 'GetObject', form: "path-style, by the owner's version id", call: (f) => f.intruder.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'secret.txt', VersionId: f.versionId })), refusal: DENIED },
  // Unsigned: the owner's bucket grants nothing to everyone.
  ...(
    [
      ['GetObject', 'GET', `/${BUCKET}/secret.txt`],
      ['PutObject', 'PUT', `/${BUCKET}/secret.txt`],
      ['DeleteObject', 'DELETE', `/${BUCKET}/secret.txt`],
      ['ListObjectsV2', 'GET', `/${BUCKET}`],
      ['GetBucketPolicy', 'GET', `/${BUCKET}`],
    ] as const
  ).map(
    ([op, method, path]): Row<F> => ({
      op,
      form: 'anonymous, path-style',
      call: (f) => rawRequest(f.t.endpoint, { method, path, query: op === 'ListObjectsV2' ? { 'list-type': '2' } : op === 'GetBucketPolicy' ? { policy: '' } : {}, body: method === 'PUT' ? 'forged' : '' }).then(httpOutcome),
      refusal: DENIED,
    }),
  ),
  {
    op: 'PostObject',
    form: 'by a POST form signed by the intruder',
    async call(f) {
      const { url, fields } = await createPresignedPost(f.intruder, { Bucket: BUCKET, Key: 'secret.txt' });
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      form.append('file', new Blob(['forged']), 'x.txt');
      const res = await fetch(url, { method: 'POST', body: form, redirect: 'manual' });
      return httpOutcome({ status: res.status, headers: {}, body: await res.text() });
    },
    refusal: DENIED,
  },
  // The website endpoint is anonymous: the owner's bucket grants no public read, so its pages are refused.
  { op: 'WebsiteGet', form: 'path-style website', call: (f) => website(f, '/secret.txt'), refusal: { name: 'HTTP 403' } },
  { op: 'WebsiteGet', form: 'virtual-hosted website', call: (f) => website(f, '/secret.txt', 'GET', `${BUCKET}.s3-website.localhost:${new URL(f.t.endpoint).port}`), refusal: { name: 'HTTP 403' } },
  { op: 'WebsiteHead', form: 'path-style website', call: (f) => website(f, '/secret.txt', 'HEAD'), refusal: { name: 'HTTP 403' } },
  { op: 'WebsiteGetRoot', form: 'path-style website', call: (f) => website(f, '/'), refusal: { name: 'HTTP 403' } },
  { op: 'WebsiteHeadRoot', form: 'path-style website', call: (f) => website(f, '/', 'HEAD'), refusal: { name: 'HTTP 403' } },
  {
    op: 'ListBuckets',
    form: "lists the caller's own buckets",
    call: (f) => f.intruder.send(new ListBucketsCommand({})),
    shows: (out) => assert.deepEqual((out as { Buckets?: Array<{ Name?: string }> }).Buckets?.map((b) => b.Name), [OWN_BUCKET]),
  },
  // Access is decided before the body is read (AWS): a malformed policy from the intruder is refused as any other.
  {
    op: 'PutBucketPolicy',
    form: 'path-style, with a malformed policy',
    call: (f) => f.intruder.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: '{}' })),
    refusal: DENIED,
  },
  // A bucket name is global: the owner's is taken, whoever asks.
  {
    op: 'CreateBucket',
    form: "with the owner's bucket name",
    call: (f) => f.intruder.send(new CreateBucketCommand({ Bucket: BUCKET })),
    refusal: { name: 'BucketAlreadyExists', message: /^The requested bucket name is not available/ },
  },
];

runMatrix<F>({
  service: 's3',
  async setup() {
    const t = await startMatrixNimbus();
    const owner = s3(t, OWNER);
    const intruder = s3(t, INTRUDER);
    const uploadId = await ownerSetup(owner, INTRUDER_ACCOUNT, intruder);
    const versionId = (await owner.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'secret.txt' }))).VersionId!;
    return { t, owner, intruder, intruderVirtual: s3(t, INTRUDER, true), uploadId, versionId };
  },
  async teardown(f) {
    for (const c of [f.owner, f.intruder, f.intruderVirtual]) c.destroy();
    await f.t.stop();
  },
  rows,
  snapshot: (f) => s3Snapshot(f.owner),
  more(fixture) {
    test('a bucket policy granting the intruder GetObject under shared/ allows exactly that', async () => {
      const f = fixture();
      for (const c of [f.intruder, f.intruderVirtual]) {
        const got = await c.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'shared/readme.txt' }));
        assert.equal(await got.Body!.transformToString(), 'for the intruder');
        await refused(c.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'secret.txt' })), DENIED, 'GetObject outside the granted prefix');
        await refused(c.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'shared/readme.txt', Body: 'forged' })), DENIED, 'PutObject under the granted prefix');
        await refused(c.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'shared/' })), DENIED, 'ListObjectsV2 of the granted prefix');
        await refused(c.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${BUCKET}/*` }] }) })), DENIED, 'PutBucketPolicy');
      }
      const url = await getSignedUrl(f.intruder, new GetObjectCommand({ Bucket: BUCKET, Key: 'shared/readme.txt' }), { expiresIn: 300 });
      assert.equal(await (await fetch(url)).text(), 'for the intruder');
      const owned = await f.owner.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'shared/readme.txt' }));
      assert.equal(await owned.Body!.transformToString(), 'for the intruder');
    });
  },
});
