/**
 * Server access logging: Put/GetBucketLogging with S3's refusals, and the requests to a logged
 * bucket delivered as S3-format log lines to the target bucket, in batches on the injected clock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateBucketCommand,
  GetBucketLoggingCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketLoggingCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { rejectsWith } from '../../helpers/sqs.js';
import { ACCOUNT, startTestNimbus, TEST_CREDENTIALS, type TestNimbus } from '../../helpers/nimbus.js';
import { s3Client } from '../../helpers/s3.js';

const OTHER = { accessKeyId: 'other', secretAccessKey: 'other-secret' };
const OTHER_ACCOUNT = '111111111111';

/** The log objects under a prefix of the target bucket, once a batch is there. */
async function logLines(c: S3Client, t: TestNimbus, prefix: string): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    const list = await c.send(new ListObjectsV2Command({ Bucket: 'logs', Prefix: prefix }));
    if (list.Contents?.length) {
      const lines: string[] = [];
      for (const o of list.Contents) {
        const body = await (await c.send(new GetObjectCommand({ Bucket: 'logs', Key: o.Key! }))).Body!.transformToString();
        lines.push(...body.trim().split('\n'));
      }
      return lines;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return [];
}

describe('S3 bucket logging', () => {
  let t: TestNimbus;
  let c: S3Client;
  let other: S3Client;
  before(async () => {
    t = await startTestNimbus({ credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }, { ...OTHER, accountId: OTHER_ACCOUNT }] });
    c = s3Client(t);
    other = s3Client(t, { credentials: OTHER });
    for (const Bucket of ['data', 'logs']) await c.send(new CreateBucketCommand({ Bucket }));
    await other.send(new CreateBucketCommand({ Bucket: 'theirs' }));
  });
  after(async () => {
    c.destroy();
    other.destroy();
    await t.stop();
  });

  test('GetBucketLogging is empty until PutBucketLogging names a target; an empty status turns it off', async () => {
    assert.equal((await c.send(new GetBucketLoggingCommand({ Bucket: 'data' }))).LoggingEnabled, undefined);
    await c.send(new PutBucketLoggingCommand({ Bucket: 'data', BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'logs', TargetPrefix: 'first/' } } }));
    assert.deepEqual((await c.send(new GetBucketLoggingCommand({ Bucket: 'data' }))).LoggingEnabled, { TargetBucket: 'logs', TargetPrefix: 'first/' });
    await c.send(new PutBucketLoggingCommand({ Bucket: 'data', BucketLoggingStatus: {} }));
    assert.equal((await c.send(new GetBucketLoggingCommand({ Bucket: 'data' }))).LoggingEnabled, undefined);
  });

  test('a target that does not exist or is another account\'s is InvalidTargetBucketForLogging; another\'s bucket is not configurable', async () => {
    await rejectsWith(
      c.send(new PutBucketLoggingCommand({ Bucket: 'data', BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'nowhere', TargetPrefix: '' } } })),
      'InvalidTargetBucketForLogging',
      'The target bucket for logging does not exist',
    );
    await rejectsWith(
      c.send(new PutBucketLoggingCommand({ Bucket: 'data', BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'theirs', TargetPrefix: '' } } })),
      'InvalidTargetBucketForLogging',
      'The owner for the bucket to be logged and the target bucket must be the same.',
    );
    await rejectsWith(other.send(new GetBucketLoggingCommand({ Bucket: 'data' })), 'AccessDenied');
    await rejectsWith(other.send(new PutBucketLoggingCommand({ Bucket: 'data', BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'theirs', TargetPrefix: '' } } })), 'AccessDenied');
  });

  test('requests to a logged bucket are delivered to the target in S3\'s log format, batched on the clock', async () => {
    await c.send(new PutBucketLoggingCommand({ Bucket: 'data', BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'logs', TargetPrefix: 'access/' } } }));
    await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'dir/a b.txt', Body: 'hello' }));
    await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'dir/a b.txt' }));
    await rejectsWith(c.send(new GetObjectCommand({ Bucket: 'data', Key: 'missing' })), 'NoSuchKey');
    await c.send(new ListObjectsV2Command({ Bucket: 'data' }));
    const anon = await fetch(`${t.endpoint}/data/dir/a%20b.txt`);
    assert.equal(anon.status, 403);
    // Nothing is delivered before the batch's time.
    assert.equal((await c.send(new ListObjectsV2Command({ Bucket: 'logs', Prefix: 'access/' }))).KeyCount, 0);
    t.clock.advance(60_000);
    const all = await logLines(c, t, 'access/');
    // Before them: the earlier configuration requests made while logging was on (the last of
    // them the PutBucketLogging that named this prefix).
    assert.match(all.at(-6) ?? '', / REST\.PUT\.LOGGING - "PUT \/data\/?\?logging/);
    const lines = all.slice(-5);
    const keys = (await c.send(new ListObjectsV2Command({ Bucket: 'logs', Prefix: 'access/' }))).Contents!.map((o) => o.Key!);
    assert.equal(keys.length, 1);
    assert.match(keys[0]!, /^access\/\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-F]{16}$/);

    // bucket_owner bucket [time] remote_ip requester request_id operation key "request_uri" status error bytes_sent object_size total turnaround "referer" "user_agent" version_id host_id sig_version cipher auth_type host tls ap_arn acl_required
    const LINE = /^(\S+) (\S+) \[(\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000)\] (\S+) (\S+) (\S+) (\S+) (\S+) "([^"]*)" (\d{3}) (\S+) (\S+) (\S+) (\d+) (\d+) "([^"]*)" "([^"]*)" (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+)$/;
    const parsed = lines.map((l) => {
      const m = LINE.exec(l);
      assert.ok(m, l);
      return m;
    });
    const [put, get, missing, list, anonymous] = parsed as RegExpExecArray[];
    assert.deepEqual([put![1], put![2], put![5], put![7], put![8], put![10], put![13], put![20], put![22]], [ACCOUNT, 'data', ACCOUNT, 'REST.PUT.OBJECT', 'dir/a%20b.txt', '200', '5', 'SigV4', 'AuthHeader']);
    assert.match(put![9]!, /^PUT \/data\/dir\/a%20b\.txt(\?\S*)? HTTP\/1\.1$/);
    assert.deepEqual([get![7], get![10], get![12]], ['REST.GET.OBJECT', '200', '5']);
    assert.deepEqual([missing![7], missing![10], missing![11]], ['REST.GET.OBJECT', '404', 'NoSuchKey']);
    assert.deepEqual([list![7], list![8], list![10]], ['REST.GET.BUCKET', '-', '200']);
    assert.deepEqual([anonymous![5], anonymous![10], anonymous![11], anonymous![20]], ['-', '403', 'AccessDenied', '-']);
    assert.match(get![17]!, /aws-sdk-js/);

    // The next batch is a new object; requests to the target bucket itself are not logged.
    await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'dir/a b.txt' }));
    t.clock.advance(60_000);
    for (let i = 0; i < 100 && (await c.send(new ListObjectsV2Command({ Bucket: 'logs', Prefix: 'access/' }))).KeyCount! < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal((await c.send(new ListObjectsV2Command({ Bucket: 'logs', Prefix: 'access/' }))).KeyCount, 2);
  });
});
