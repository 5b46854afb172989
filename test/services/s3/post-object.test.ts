/**
 * POST Object: browser-based uploads with a SigV4 POST policy, as @aws-sdk/s3-presigned-post
 * generates them, sent by a real fetch with FormData; and unsigned forms to public buckets.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeleteObjectsCommand, GetObjectCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPostOptions } from '@aws-sdk/s3-presigned-post';
import { startTestNimbus, TEST_CREDENTIALS, type TestNimbus } from '../../helpers/nimbus.js';
import { createOpenBucket } from '../../helpers/s3.js';

function s3(t: TestNimbus, credentials = TEST_CREDENTIALS): S3Client {
  return new S3Client({
    endpoint: t.endpoint,
    region: 'us-east-1',
    credentials,
    forcePathStyle: true,
    maxAttempts: 1,
    systemClockOffset: t.clock.now() - Date.now(),
  });
}

async function withBucket(fn: (t: TestNimbus, client: S3Client) => Promise<void>): Promise<void> {
  const t = await startTestNimbus();
  const client = s3(t);
  try {
    await createOpenBucket(client, { Bucket: 'forms' });
    await fn(t, client);
  } finally {
    client.destroy();
    await t.stop();
  }
}

/** Sends a form: the fields in order, then the file last (as a browser does). */
async function post(url: string, fields: Record<string, string>, file: string | Uint8Array, filename = 'hello.txt'): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([file as BlobPart]), filename);
  return fetch(url, { method: 'POST', body: form, redirect: 'manual' });
}

async function presign(client: S3Client, opts: Omit<PresignedPostOptions, 'Bucket'>) {
  return createPresignedPost(client, { Bucket: 'forms', ...opts });
}

async function refused(res: Response, status: number, code: string, message?: string | RegExp): Promise<void> {
  const body = await res.text();
  assert.equal(res.status, status, body);
  assert.match(body, new RegExp(`<Code>${code}</Code>`));
  const xml = (m: string) => m.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/</g, '&lt;');
  if (typeof message === 'string') assert.ok(body.includes(`<Message>${xml(message)}</Message>`), body);
  else if (message) assert.match(body, message);
}

const read = async (client: S3Client, key: string) => client.send(new GetObjectCommand({ Bucket: 'forms', Key: key }));

describe('S3 POST Object', () => {
  test('a presigned form uploads; the object reads back with its content type and metadata', () =>
    withBucket(async (_t, client) => {
      const { url, fields } = await presign(client, {
        Key: 'uploads/${filename}',
        Conditions: [['content-length-range', 1, 1024], ['starts-with', '$Content-Type', 'text/']],
        Fields: { 'Content-Type': 'text/plain', 'x-amz-meta-color': 'blue' },
      });
      const res = await post(url, fields, 'hello from a form');
      assert.equal(res.status, 204, await res.text());
      assert.equal(res.headers.get('etag'), '"' + (await import('node:crypto')).createHash('md5').update('hello from a form').digest('hex') + '"');
      const got = await read(client, 'uploads/hello.txt');
      assert.equal(await got.Body!.transformToString(), 'hello from a form');
      assert.equal(got.ContentType, 'text/plain');
      assert.deepEqual(got.Metadata, { color: 'blue' });
    }));

  test('a large file streams into the blob store; success_action_status 201 answers PostResponse XML', () =>
    withBucket(async (_t, client) => {
      const big = Buffer.alloc(300 * 1024, 'abcdefghij');
      // The body must not be mistaken for a boundary even when it looks like one.
      big.write('\r\n--', 1000);
      const { url, fields } = await presign(client, { Key: 'big.bin', Fields: { success_action_status: '201' } });
      const res = await post(url, fields, big);
      const xml = await res.text();
      assert.equal(res.status, 201, xml);
      assert.match(xml, /<PostResponse><Location>[^<]*\/forms\/big\.bin<\/Location><Bucket>forms<\/Bucket><Key>big\.bin<\/Key><ETag>&quot;[0-9a-f]{32}&quot;<\/ETag><\/PostResponse>/);
      const got = await read(client, 'big.bin');
      assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(big));
    }));

  test('starts-with and exact conditions are enforced; every field must be covered', () =>
    withBucket(async (_t, client) => {
      const { url, fields } = await presign(client, { Key: 'uploads/${filename}', Fields: { 'x-amz-meta-color': 'blue' } });
      await refused(
        await post(url, { ...fields, key: 'elsewhere/x.txt' }, 'x'),
        403,
        'AccessDenied',
        'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "uploads/"]',
      );
      await refused(
        await post(url, { ...fields, 'x-amz-meta-color': 'red' }, 'x'),
        403,
        'AccessDenied',
        'Invalid according to Policy: Policy Condition failed: ["eq", "$x-amz-meta-color", "blue"]',
      );
      await refused(await post(url, { ...fields, 'x-amz-meta-extra': '1' }, 'x'), 403, 'AccessDenied', 'Invalid according to Policy: Extra input fields: x-amz-meta-extra');
      // x-ignore-* fields need no condition.
      assert.equal((await post(url, { ...fields, 'x-ignore-note': 'n' }, 'x')).status, 204);
    }));

  test('content-length-range: EntityTooSmall and EntityTooLarge', () =>
    withBucket(async (_t, client) => {
      const { url, fields } = await presign(client, { Key: 'sized', Conditions: [['content-length-range', 2, 10]] });
      await refused(await post(url, fields, 'x'), 400, 'EntityTooSmall', /<MinSizeAllowed>2<\/MinSizeAllowed>/);
      await refused(await post(url, fields, 'x'.repeat(11)), 400, 'EntityTooLarge', /<MaxSizeAllowed>10<\/MaxSizeAllowed>/);
      assert.equal((await post(url, fields, 'just-right')).status, 204);
    }));

  test('an expired policy, a tampered policy, a wrong key and missing fields are refused', () =>
    withBucket(async (t, client) => {
      const { url, fields } = await presign(client, { Key: 'k', Expires: 60 });
      const policy = JSON.parse(Buffer.from(fields.Policy!, 'base64').toString('utf8')) as { conditions: unknown[] };
      policy.conditions.push(['content-length-range', 0, 10 ** 9]);
      const tampered = Buffer.from(JSON.stringify(policy)).toString('base64');
      await refused(await post(url, { ...fields, Policy: tampered }, 'x'), 403, 'SignatureDoesNotMatch');
      const other = s3(t, { accessKeyId: 'nobody', secretAccessKey: 'x' });
      await refused(await post(url, (await presign(other, { Key: 'k' })).fields, 'x'), 403, 'InvalidAccessKeyId');
      other.destroy();
      const { key: _key, ...noKey } = fields;
      await refused(await post(url, noKey, 'x'), 400, 'InvalidArgument', "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.");
      const { 'X-Amz-Signature': _sig, ...unsigned } = fields;
      await refused(await post(url, unsigned, 'x'), 400, 'InvalidArgument', /<ArgumentName>x-amz-signature<\/ArgumentName>/);
      t.clock.advance(61_000);
      await refused(await post(url, fields, 'x'), 403, 'AccessDenied', 'Invalid according to Policy: Policy expired.');
    }));

  test('huge fields before the file: MaxPostPreDataLengthExceeded; not a form: refused; DeleteObjects still routes', () =>
    withBucket(async (t, client) => {
      const { url, fields } = await presign(client, { Key: 'k' });
      await refused(await post(url, { ...fields, 'x-ignore-padding': 'p'.repeat(30 * 1024) }, 'x'), 400, 'MaxPostPreDataLengthExceeded');
      await refused(await fetch(`${t.endpoint}/forms`, { method: 'POST', body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 412, 'PreconditionFailed');
      assert.equal((await post(url, fields, 'x')).status, 204);
      const deleted = await client.send(new DeleteObjectsCommand({ Bucket: 'forms', Delete: { Objects: [{ Key: 'k' }] } }));
      assert.equal(deleted.Deleted?.[0]?.Key, 'k');
    }));

  test('an unsigned form is anonymous: allowed only when the bucket policy lets anyone PutObject', () =>
    withBucket(async (t, client) => {
      const url = `${t.endpoint}/forms`;
      await refused(await post(url, { key: 'anon/${filename}' }, 'x'), 403, 'AccessDenied');
      const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::forms/anon/*' }] };
      await client.send(new PutBucketPolicyCommand({ Bucket: 'forms', Policy: JSON.stringify(policy) }));
      const res = await post(url, { key: 'anon/${filename}', success_action_redirect: 'http://example.com/done?x=1' }, 'anonymous', 'a.txt');
      assert.equal(res.status, 303);
      const to = new URL(res.headers.get('location')!);
      assert.equal(to.searchParams.get('key'), 'anon/a.txt');
      assert.equal(to.searchParams.get('x'), '1');
      assert.equal(await (await read(client, 'anon/a.txt')).Body!.transformToString(), 'anonymous');
      await refused(await post(url, { key: 'other/${filename}' }, 'x'), 403, 'AccessDenied');
    }));
});
