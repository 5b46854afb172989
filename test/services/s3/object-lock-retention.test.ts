/**
 * Object lock: buckets created with it, default retention, GOVERNANCE (lifted by the bypass
 * header) and COMPLIANCE retention, legal holds; locked versions are not deleted by requests
 * or by lifecycle rules; retention runs on the injected clock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { rejectsWith } from '../../helpers/sqs.js';
import { startTestNimbus, type TestNimbus } from '../../helpers/nimbus.js';
import { s3Client, signedS3Fetch } from '../../helpers/s3.js';

const DAY = 24 * 60 * 60 * 1000;
const LOCKED = 'Access Denied because object protected by object lock.';

describe('S3 object lock', () => {
  let t: TestNimbus;
  let s3: S3Client;
  let n = 0;
  /** A fresh bucket with object lock. */
  const lockedBucket = async () => {
    const Bucket = `lock-${++n}`;
    await s3.send(new CreateBucketCommand({ Bucket, ObjectLockEnabledForBucket: true }));
    return Bucket;
  };
  const later = (ms: number) => new Date(t.clock.now() + ms);
  /** Moves Nimbus's clock, and the client's with it (requests are signed for the time Nimbus keeps). */
  const advance = (ms: number) => {
    t.clock.advance(ms);
    s3.config.systemClockOffset = t.clock.now() - Date.now();
  };
  before(async () => {
    t = await startTestNimbus();
    s3 = s3Client(t);
    await s3.send(new CreateBucketCommand({ Bucket: 'plain' }));
  });
  after(async () => {
    s3.destroy();
    await t.stop();
  });

  test('a bucket created with object lock is versioned for good; its configuration takes a default retention', async () => {
    const Bucket = await lockedBucket();
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status, 'Enabled');
    assert.deepEqual((await s3.send(new GetObjectLockConfigurationCommand({ Bucket }))).ObjectLockConfiguration, { ObjectLockEnabled: 'Enabled' });
    await rejectsWith(
      s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } })),
      'InvalidBucketState',
      'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.',
    );
    await s3.send(new PutObjectLockConfigurationCommand({ Bucket, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 2 } } } }));
    assert.deepEqual((await s3.send(new GetObjectLockConfigurationCommand({ Bucket }))).ObjectLockConfiguration, {
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 2 } },
    });
    await rejectsWith(
      s3.send(new PutObjectLockConfigurationCommand({ Bucket, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1, Years: 1 } } } })),
      'MalformedXML',
    );
    await rejectsWith(
      s3.send(new PutObjectLockConfigurationCommand({ Bucket, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 0 } } } })),
      'InvalidRetentionPeriod',
      'Default retention period must be a positive integer value',
    );
    await rejectsWith(
      s3.send(new PutObjectLockConfigurationCommand({ Bucket, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: -1 } } } })),
      'InvalidRetentionPeriod',
      'Default retention period must be a positive integer value',
    );
    // A PUT that will be locked must carry a digest of its body (the SDK sends a CRC32 of its own).
    const bare = await signedS3Fetch(t, 'PUT', `/${Bucket}/nodigest`, {}, {}, 'x');
    assert.equal(bare.status, 400);
    assert.match(bare.body, /<Code>InvalidRequest<\/Code><Message>Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters<\/Message>/);
    // The default applies to every new version: PUT, copy, multipart.
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'k' }));
    assert.equal(head.ObjectLockMode, 'GOVERNANCE');
    assert.equal(head.ObjectLockRetainUntilDate?.getTime(), t.clock.now() + 2 * DAY);
    assert.equal((await s3.send(new GetObjectRetentionCommand({ Bucket, Key: 'k', VersionId: put.VersionId }))).Retention?.Mode, 'GOVERNANCE');
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy', CopySource: `${Bucket}/k` }));
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket, Key: 'copy' }))).ObjectLockMode, 'GOVERNANCE');
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mp' }));
    const part = await s3.send(new UploadPartCommand({ Bucket, Key: 'mp', UploadId: up.UploadId!, PartNumber: 1, Body: 'p' }));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'mp', UploadId: up.UploadId!, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    assert.equal((await s3.send(new GetObjectCommand({ Bucket, Key: 'mp' }))).ObjectLockMode, 'GOVERNANCE');

    // Without object lock: no configuration, and no lock asked of objects.
    await rejectsWith(s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'plain' })), 'ObjectLockConfigurationNotFoundError', 'Object Lock configuration does not exist for this bucket');
    await rejectsWith(
      s3.send(new PutObjectLockConfigurationCommand({ Bucket: 'plain', ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } })),
      'InvalidBucketState',
      "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration",
    );
    await rejectsWith(
      s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'k', Body: 'x', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: later(DAY) })),
      'InvalidRequest',
      'Bucket is missing Object Lock Configuration',
    );
    await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'k', Body: 'x' }));
    await rejectsWith(s3.send(new PutObjectLegalHoldCommand({ Bucket: 'plain', Key: 'k', LegalHold: { Status: 'ON' } })), 'InvalidRequest', 'Bucket is missing Object Lock Configuration');
    await rejectsWith(s3.send(new GetObjectRetentionCommand({ Bucket: 'plain', Key: 'k' })), 'InvalidRequest', 'Bucket is missing Object Lock Configuration');
    // An existing versioned bucket can take object lock.
    await s3.send(new CreateBucketCommand({ Bucket: 'later-lock' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'later-lock', VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new PutObjectLockConfigurationCommand({ Bucket: 'later-lock', ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } }));
    assert.equal((await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'later-lock' }))).ObjectLockConfiguration?.ObjectLockEnabled, 'Enabled');
  });

  test('COMPLIANCE retention: no delete of the version, no shortening, until the date passes on the clock', async () => {
    const Bucket = await lockedBucket();
    await rejectsWith(
      s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x', ObjectLockMode: 'COMPLIANCE' })),
      'InvalidArgument',
      'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied',
    );
    await rejectsWith(
      s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: later(-1000) })),
      'InvalidArgument',
      'The retain until date must be in the future!',
    );
    const until = later(DAY);
    const v1 = (await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'first', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: until }))).VersionId!;
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'k' }));
    assert.deepEqual([head.ObjectLockMode, head.ObjectLockRetainUntilDate?.toISOString()], ['COMPLIANCE', until.toISOString()]);
    await rejectsWith(s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: v1 })), 'AccessDenied', LOCKED);
    await rejectsWith(s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: v1, BypassGovernanceRetention: true })), 'AccessDenied', LOCKED);
    const batch = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'k', VersionId: v1 }] } }));
    assert.deepEqual(batch.Errors?.map((e) => [e.Key, e.Code]), [['k', 'AccessDenied']]);
    // Overwriting makes a new version on top; the locked one stays as it was.
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'second' }));
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: v1 }))).Body!.transformToString(), 'first');
    // A delete marker may always be added.
    assert.equal((await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k' }))).DeleteMarker, true);
    // Retention is lengthened, never shortened or changed to GOVERNANCE.
    await rejectsWith(s3.send(new PutObjectRetentionCommand({ Bucket, Key: 'k', VersionId: v1, Retention: { Mode: 'COMPLIANCE', RetainUntilDate: later(DAY / 2) } })), 'AccessDenied', LOCKED);
    await rejectsWith(
      s3.send(new PutObjectRetentionCommand({ Bucket, Key: 'k', VersionId: v1, BypassGovernanceRetention: true, Retention: { Mode: 'GOVERNANCE', RetainUntilDate: later(2 * DAY) } })),
      'AccessDenied',
    );
    const longer = later(2 * DAY);
    await s3.send(new PutObjectRetentionCommand({ Bucket, Key: 'k', VersionId: v1, Retention: { Mode: 'COMPLIANCE', RetainUntilDate: longer } }));
    assert.equal((await s3.send(new GetObjectRetentionCommand({ Bucket, Key: 'k', VersionId: v1 }))).Retention?.RetainUntilDate?.toISOString(), longer.toISOString());
    advance(DAY + 1000);
    await rejectsWith(s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: v1 })), 'AccessDenied', LOCKED);
    advance(DAY);
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: v1 }));
    await rejectsWith(s3.send(new HeadObjectCommand({ Bucket, Key: 'k', VersionId: v1 })), 'NotFound');
  });

  test('GOVERNANCE retention is lifted by x-amz-bypass-governance-retention; an empty retention removes it', async () => {
    const Bucket = await lockedBucket();
    const v = (await s3.send(new PutObjectCommand({ Bucket, Key: 'g', Body: 'x' }))).VersionId!;
    await rejectsWith(s3.send(new GetObjectRetentionCommand({ Bucket, Key: 'g' })), 'NoSuchObjectLockConfiguration', 'The specified object does not have a ObjectLock configuration');
    await s3.send(new PutObjectRetentionCommand({ Bucket, Key: 'g', Retention: { Mode: 'GOVERNANCE', RetainUntilDate: later(DAY) } }));
    await rejectsWith(s3.send(new DeleteObjectCommand({ Bucket, Key: 'g', VersionId: v })), 'AccessDenied', LOCKED);
    await rejectsWith(s3.send(new PutObjectRetentionCommand({ Bucket, Key: 'g', Retention: { Mode: 'GOVERNANCE', RetainUntilDate: later(DAY / 2) } })), 'AccessDenied', LOCKED);
    await s3.send(new PutObjectRetentionCommand({ Bucket, Key: 'g', BypassGovernanceRetention: true, Retention: { Mode: 'GOVERNANCE', RetainUntilDate: later(DAY / 2) } }));
    const batch = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'g', VersionId: v }] } }));
    assert.equal(batch.Errors?.[0]?.Code, 'AccessDenied');
    // Removing the retention needs the bypass too; then the version goes.
    await rejectsWith(s3.send(new PutObjectRetentionCommand({ Bucket, Key: 'g', Retention: {} })), 'AccessDenied');
    await s3.send(new PutObjectRetentionCommand({ Bucket, Key: 'g', BypassGovernanceRetention: true, Retention: {} }));
    await rejectsWith(s3.send(new GetObjectRetentionCommand({ Bucket, Key: 'g' })), 'NoSuchObjectLockConfiguration');
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'g', VersionId: v }));
    // With the bypass header a GOVERNANCE version is deleted directly.
    const w = (await s3.send(new PutObjectCommand({ Bucket, Key: 'h', Body: 'x', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: later(DAY) }))).VersionId!;
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'h', VersionId: w, BypassGovernanceRetention: true }));
    assert.deepEqual((await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: 'h' }))).Versions ?? [], []);
  });

  test('a legal hold keeps a version until it is released, whatever the retention', async () => {
    const Bucket = await lockedBucket();
    const v = (await s3.send(new PutObjectCommand({ Bucket, Key: 'h', Body: 'x', ObjectLockLegalHoldStatus: 'ON' }))).VersionId!;
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket, Key: 'h' }))).ObjectLockLegalHoldStatus, 'ON');
    assert.equal((await s3.send(new GetObjectLegalHoldCommand({ Bucket, Key: 'h', VersionId: v }))).LegalHold?.Status, 'ON');
    await rejectsWith(s3.send(new DeleteObjectCommand({ Bucket, Key: 'h', VersionId: v, BypassGovernanceRetention: true })), 'AccessDenied', LOCKED);
    await s3.send(new PutObjectLegalHoldCommand({ Bucket, Key: 'h', VersionId: v, LegalHold: { Status: 'OFF' } }));
    assert.equal((await s3.send(new GetObjectLegalHoldCommand({ Bucket, Key: 'h' }))).LegalHold?.Status, 'OFF');
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'h', VersionId: v }));
    const other = (await s3.send(new PutObjectCommand({ Bucket, Key: 'o', Body: 'x' }))).VersionId!;
    await rejectsWith(s3.send(new GetObjectLegalHoldCommand({ Bucket, Key: 'o', VersionId: other })), 'NoSuchObjectLockConfiguration');
  });

  test('lifecycle expiration leaves locked versions alone', async () => {
    const Bucket = await lockedBucket();
    const held = (await s3.send(new PutObjectCommand({ Bucket, Key: 'l', Body: '1', ObjectLockLegalHoldStatus: 'ON' }))).VersionId!;
    const retainedV = (await s3.send(new PutObjectCommand({ Bucket, Key: 'l', Body: '2', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: later(30 * DAY) }))).VersionId!;
    const free = (await s3.send(new PutObjectCommand({ Bucket, Key: 'l', Body: '3' }))).VersionId!;
    await s3.send(new PutObjectCommand({ Bucket, Key: 'l', Body: '4' }));
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket,
        LifecycleConfiguration: { Rules: [{ ID: 'old', Status: 'Enabled', Filter: { Prefix: '' }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }] },
      }),
    );
    const versions = async () => ((await s3.send(new ListObjectVersionsCommand({ Bucket }))).Versions ?? []).map((v) => v.VersionId!);
    advance(3 * DAY);
    const end = Date.now() + 5000;
    while ((await versions()).includes(free)) {
      assert.ok(Date.now() < end, 'the unlocked noncurrent version was not expired');
      await new Promise((r) => setTimeout(r, 20));
      advance(60_000);
    }
    const left = await versions();
    assert.ok(left.includes(held) && left.includes(retainedV), `locked versions were expired: ${left}`);
  });
});
