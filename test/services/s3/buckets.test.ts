import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  GetBucketLocationCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { awsJson, awsCli, cliSkip } from '../../helpers/aws-cli.js';
import { rejectsWith } from '../../helpers/sqs.js';
import { ACCOUNT, startTestNimbus, TEST_CREDENTIALS, type TestNimbus } from '../../helpers/nimbus.js';

const OTHER = { accessKeyId: 'other', secretAccessKey: 'other-secret' };

function s3(t: TestNimbus, opts: { region?: string; credentials?: typeof TEST_CREDENTIALS } = {}): S3Client {
  return new S3Client({ endpoint: t.endpoint, region: opts.region ?? 'us-east-1', credentials: opts.credentials ?? TEST_CREDENTIALS, forcePathStyle: true, maxAttempts: 1 });
}

async function withS3(fn: (t: TestNimbus) => Promise<void>): Promise<void> {
  const t = await startTestNimbus({ credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }, { ...OTHER, accountId: '111111111111' }] });
  try {
    await fn(t);
  } finally {
    await t.stop();
  }
}

describe('S3 buckets', () => {
  test('create, head, list, locate and delete', () =>
    withS3(async (t) => {
      const c = s3(t);
      const created = await c.send(new CreateBucketCommand({ Bucket: 'photos' }));
      assert.equal(created.Location, '/photos');
      await c.send(new CreateBucketCommand({ Bucket: 'archive' }));
      const head = await c.send(new HeadBucketCommand({ Bucket: 'photos' }));
      assert.equal(head.BucketRegion, 'us-east-1');
      const listed = await c.send(new ListBucketsCommand({}));
      assert.deepEqual(listed.Buckets?.map((b) => b.Name), ['archive', 'photos']);
      assert.ok(listed.Buckets?.[0]?.CreationDate instanceof Date);
      assert.equal(listed.Owner?.ID, ACCOUNT);
      const loc = await c.send(new GetBucketLocationCommand({ Bucket: 'photos' }));
      assert.equal(loc.LocationConstraint ?? '', '', 'us-east-1 is an empty constraint');
      // us-east-1 keeps S3's legacy answer to re-creating your own bucket.
      await c.send(new CreateBucketCommand({ Bucket: 'photos' }));
      await c.send(new DeleteBucketCommand({ Bucket: 'photos' }));
      await rejectsWith(c.send(new HeadBucketCommand({ Bucket: 'photos' })), 'NotFound');
      await rejectsWith(c.send(new DeleteBucketCommand({ Bucket: 'photos' })), 'NoSuchBucket', 'The specified bucket does not exist');
      assert.deepEqual((await c.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name), ['archive']);
    }));

  test('names are global, checked, and placed in the region asked for', () =>
    withS3(async (t) => {
      const c = s3(t);
      await c.send(new CreateBucketCommand({ Bucket: 'shared-name' }));
      const other = s3(t, { credentials: OTHER });
      await rejectsWith(
        other.send(new CreateBucketCommand({ Bucket: 'shared-name' })),
        'BucketAlreadyExists',
        'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
      );
      await assert.rejects(other.send(new HeadBucketCommand({ Bucket: 'shared-name' })), (e: { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(e.$metadata?.httpStatusCode, 403, "another account's bucket is forbidden");
        return true;
      });
      assert.equal((await other.send(new ListBucketsCommand({}))).Buckets?.length ?? 0, 0);
      for (const bad of ['ab', 'Upper', 'a..b', '192.168.1.1', '-leading', 'xn--punycode']) {
        await rejectsWith(c.send(new CreateBucketCommand({ Bucket: bad })), 'InvalidBucketName', 'The specified bucket is not valid.');
      }
      const eu = s3(t, { region: 'eu-west-1' });
      await eu.send(new CreateBucketCommand({ Bucket: 'in-ireland', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
      assert.equal((await eu.send(new GetBucketLocationCommand({ Bucket: 'in-ireland' }))).LocationConstraint, 'eu-west-1');
      await rejectsWith(
        eu.send(new CreateBucketCommand({ Bucket: 'in-ireland' , CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })),
        'BucketAlreadyOwnedByYou',
        'Your previous request to create the named bucket succeeded and you already own it.',
      );
      // (The SDK fills in its own region as the constraint when none is given.)
      await rejectsWith(
        eu.send(new CreateBucketCommand({ Bucket: 'elsewhere', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } })),
        'IllegalLocationConstraintException',
        'The us-west-2 location constraint is incompatible for the region specific endpoint this request was sent to.',
      );
      await rejectsWith(
        c.send(new CreateBucketCommand({ Bucket: 'wrong-place', CreateBucketConfiguration: { LocationConstraint: 'eu-west-2' } })),
        'IllegalLocationConstraintException',
        'The eu-west-2 location constraint is incompatible for the region specific endpoint this request was sent to.',
      );
    }));

  test('the bucket registry reloads through the store\'s caches when another node changed the buckets', () =>
    withS3(async (t) => {
      const c = s3(t);
      await c.send(new CreateBucketCommand({ Bucket: 'kept' }));
      assert.ok(t.nimbus.store.caches.names().includes('s3.buckets'));
      // Another node (here: a direct change to the shared store) adds one bucket and removes another.
      await t.nimbus.store.write(() => {
        t.nimbus.store.db.prepare("INSERT INTO s3_buckets (name, account, region, created_at, acl) VALUES ('from-elsewhere', ?, 'us-east-1', 0, 'private')").run(ACCOUNT);
        t.nimbus.store.db.prepare("DELETE FROM s3_buckets WHERE name = 'kept'").run();
      });
      await t.nimbus.store.caches.reload('s3.buckets');
      const head = await c.send(new HeadBucketCommand({ Bucket: 'from-elsewhere' }));
      assert.equal(head.BucketRegion, 'us-east-1');
      await rejectsWith(c.send(new HeadBucketCommand({ Bucket: 'kept' })), 'NotFound');
    }));

  test('the AWS CLI: mb, ls, rb', { skip: cliSkip }, () =>
    withS3(async (t) => {
      const mb = await awsCli(t.endpoint, 's3', ['mb', 's3://cli-bucket']);
      assert.equal(mb.code, 0, mb.stderr);
      const ls = await awsCli(t.endpoint, 's3', ['ls']);
      assert.match(ls.stdout, /cli-bucket/);
      const api = await awsJson(t.endpoint, 's3api', ['list-buckets']);
      assert.deepEqual(api.Buckets.map((b: { Name: string }) => b.Name), ['cli-bucket']);
      const rb = await awsCli(t.endpoint, 's3', ['rb', 's3://cli-bucket']);
      assert.equal(rb.code, 0, rb.stderr);
    }));
});
