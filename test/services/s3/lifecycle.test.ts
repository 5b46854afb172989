import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketLifecycleCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { dueAt } from '../../../src/services/s3/engine/lifecycle.js';
import { rejectsWith } from '../../helpers/sqs.js';
import { startTestNimbus, TEST_CREDENTIALS, type TestNimbus } from '../../helpers/nimbus.js';

const DAY = 86_400_000;

/** A client signing on the Nimbus clock as it is now (it may be days ahead of real time). */
function s3(t: TestNimbus): S3Client {
  return new S3Client({
    endpoint: t.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    forcePathStyle: true,
    maxAttempts: 1,
    systemClockOffset: t.clock.now() - Date.now(),
  });
}

async function withBucket(fn: (t: TestNimbus, c: S3Client) => Promise<void>): Promise<void> {
  const t = await startTestNimbus({ memory: true });
  const c = s3(t);
  try {
    await c.send(new CreateBucketCommand({ Bucket: 'data' }));
    await fn(t, c);
  } finally {
    c.destroy();
    await t.stop();
  }
}

/**
 * Polls `check` with a fresh client until it holds; each round moves the clock one sweep
 * interval, so the sweep that runs after the clock moved is sure to have had its turn.
 */
async function waitFor(t: TestNimbus, check: (c: S3Client) => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const c = s3(t);
    try {
      if (await check(c)) return;
    } finally {
      c.destroy();
    }
    await new Promise((r) => setTimeout(r, 20));
    t.clock.advance(60_000);
  }
  assert.fail('condition not reached in time');
}

const keys = async (c: S3Client) => ((await c.send(new ListObjectsV2Command({ Bucket: 'data' }))).Contents ?? []).map((o) => o.Key!).sort();
const put = (c: S3Client, Key: string, Tagging?: string) => c.send(new PutObjectCommand({ Bucket: 'data', Key, Body: 'x'.repeat(20), Tagging }));
const putRules = (c: S3Client, Rules: LifecycleRule[]) => c.send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'data', LifecycleConfiguration: { Rules } }));

describe('S3 lifecycle', () => {
  test('S3 rounds Days to the next midnight UTC', () => {
    // The user guide's example: created 2014-01-15 10:30 UTC, 3 days: 2014-01-19 00:00 UTC.
    assert.equal(dueAt(Date.UTC(2014, 0, 15, 10, 30), 3), Date.UTC(2014, 0, 19));
    assert.equal(dueAt(Date.UTC(2014, 0, 15, 0, 0), 1), Date.UTC(2014, 0, 17));
  });

  test('configuration round trip; Get and Delete; NoSuchLifecycleConfiguration', () =>
    withBucket(async (_t, c) => {
      const missing = 'The lifecycle configuration does not exist';
      await rejectsWith(c.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'data' })), 'NoSuchLifecycleConfiguration', missing);
      const rules: LifecycleRule[] = [
        { ID: 'logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 }, Transitions: [{ Days: 10, StorageClass: 'GLACIER' }] },
        {
          ID: 'tmp',
          Status: 'Disabled',
          Filter: { And: { Prefix: 'tmp/', Tags: [{ Key: 'class', Value: 'temp' }], ObjectSizeGreaterThan: 10 } },
          NoncurrentVersionExpiration: { NoncurrentDays: 5, NewerNoncurrentVersions: 2 },
        },
        { ID: 'legacy', Status: 'Enabled', Prefix: 'old/', Expiration: { Date: new Date(Date.UTC(2030, 0, 1)) } },
        { ID: 'markers', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { ExpiredObjectDeleteMarker: true } },
        { Status: 'Enabled', Filter: { ObjectSizeLessThan: 1000 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
      ];
      const put = await putRules(c, rules);
      assert.equal(put.TransitionDefaultMinimumObjectSize, 'all_storage_classes_128K');
      const got = await c.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'data' }));
      assert.equal(got.TransitionDefaultMinimumObjectSize, 'all_storage_classes_128K');
      const [logs, tmp, legacy, markers, unnamed] = got.Rules!;
      assert.deepEqual(logs, rules[0]);
      assert.deepEqual(tmp, rules[1]);
      assert.equal(legacy!.Prefix, 'old/');
      assert.equal(legacy!.Filter, undefined);
      assert.equal(legacy!.Expiration!.Date!.toISOString(), '2030-01-01T00:00:00.000Z');
      assert.deepEqual(markers!.Filter, { Prefix: '' });
      assert.equal(markers!.Expiration!.ExpiredObjectDeleteMarker, true);
      // A rule without an ID gets one.
      assert.ok(unnamed!.ID && unnamed!.ID.length > 0);
      assert.deepEqual(unnamed!.AbortIncompleteMultipartUpload, { DaysAfterInitiation: 7 });
      assert.equal(unnamed!.Filter!.ObjectSizeLessThan, 1000);

      const del = await c.send(new DeleteBucketLifecycleCommand({ Bucket: 'data' }));
      assert.equal(del.$metadata.httpStatusCode, 204);
      await rejectsWith(c.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'data' })), 'NoSuchLifecycleConfiguration', missing);
      await rejectsWith(c.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'nope' })), 'NoSuchBucket');
    }));

  test('invalid configurations are refused as S3 refuses them', () =>
    withBucket(async (_t, c) => {
      const base = { Status: 'Enabled' as const, Filter: { Prefix: '' } };
      const refused = (rules: LifecycleRule[], code: string, message?: string) => rejectsWith(putRules(c, rules), code, message);
      await refused([{ ...base, Expiration: { Days: 0 } }], 'InvalidArgument', "'Days' for Expiration action must be a positive integer");
      await refused([{ ...base, NoncurrentVersionExpiration: { NoncurrentDays: 0 } }], 'InvalidArgument', "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
      await refused(
        [{ ...base, AbortIncompleteMultipartUpload: { DaysAfterInitiation: -1 } }],
        'InvalidArgument',
        "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
      );
      await refused([{ ...base, Expiration: { Date: new Date(Date.UTC(2030, 0, 1, 12)) } }], 'InvalidArgument', "'Date' must be at midnight GMT");
      await refused(
        [{ ...base, ID: 'a', Expiration: { Days: 1 } }, { ...base, ID: 'a', Expiration: { Days: 2 } }],
        'InvalidArgument',
        'Rule ID must be unique. Found same ID for more than one rule',
      );
      await refused([{ ...base, ID: 'x'.repeat(256), Expiration: { Days: 1 } }], 'InvalidArgument', 'ID length should not exceed allowed limit of 255');
      await refused(
        Array.from({ length: 1001 }, (_, i) => ({ ...base, ID: `r${i}`, Expiration: { Days: 1 } })),
        'InvalidArgument',
      );
      await refused([{ ...base }], 'InvalidRequest', 'At least one action needs to be specified in a rule');
      await refused(
        [{ Status: 'Enabled', Filter: { Tag: { Key: 'k', Value: 'v' } }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }],
        'InvalidRequest',
        'AbortIncompleteMultipartUpload cannot be specified with Tags.',
      );
      const malformed = 'The XML you provided was not well-formed or did not validate against our published schema';
      await refused([{ Status: 'Enabled', Filter: { Prefix: 'a', Tag: { Key: 'k', Value: 'v' } }, Expiration: { Days: 1 } }], 'MalformedXML', malformed);
      await refused([{ ...base, Expiration: { Days: 1, ExpiredObjectDeleteMarker: true } }], 'MalformedXML', malformed);
      await refused([{ Status: 'On' as 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } }], 'MalformedXML', malformed);
      await refused([{ Status: 'Enabled', Prefix: 'a', Filter: { Prefix: 'a' }, Expiration: { Days: 1 } }], 'MalformedXML', malformed);
      await refused([], 'MalformedXML', malformed);
      await rejectsWith(
        c.send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'nope', LifecycleConfiguration: { Rules: [{ ...base, Expiration: { Days: 1 } }] } })),
        'NoSuchBucket',
      );
      // Nothing was stored by the refusals.
      await rejectsWith(c.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'data' })), 'NoSuchLifecycleConfiguration');
    }));

  test('current objects expire after Days by prefix and by tag; others stay', () =>
    withBucket(async (t, c) => {
      const t0 = t.clock.now();
      await put(c, 'logs/a');
      await put(c, 'keep/b');
      await put(c, 'c', 'class=temp');
      await put(c, 'd', 'class=keep');
      await putRules(c, [
        { ID: 'logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 1 } },
        { ID: 'temp', Status: 'Enabled', Filter: { Tag: { Key: 'class', Value: 'temp' } }, Expiration: { Days: 1 } },
        { ID: 'off', Status: 'Disabled', Filter: { Prefix: 'keep/' }, Expiration: { Days: 1 } },
      ]);
      // A day later (not yet due: the old objects expire at the second midnight after t0).
      t.clock.set(t0 + DAY);
      const later = s3(t);
      await put(later, 'logs/new');
      later.destroy();
      t.clock.set(dueAt(t0, 1) + 1000);
      await waitFor(t, async (c) => !(await keys(c)).includes('logs/a'));
      const c2 = s3(t);
      assert.deepEqual(await keys(c2), ['d', 'keep/b', 'logs/new']);
      c2.destroy();
    }));

  test('Expiration Date deletes what it covers once the date has passed', () =>
    withBucket(async (t, c) => {
      await put(c, 'old/a');
      await put(c, 'new/b');
      const date = (Math.floor(t.clock.now() / DAY) + 3) * DAY;
      await putRules(c, [{ ID: 'date', Status: 'Enabled', Prefix: 'old/', Expiration: { Date: new Date(date) } }]);
      t.clock.set(date);
      await waitFor(t, async (c) => !(await keys(c)).includes('old/a'));
      const c2 = s3(t);
      assert.deepEqual(await keys(c2), ['new/b']);
      c2.destroy();
    }));

  test('versioned bucket: delete markers, noncurrent versions and lone markers expire', () =>
    withBucket(async (t, c) => {
      await c.send(new PutBucketVersioningCommand({ Bucket: 'data', VersioningConfiguration: { Status: 'Enabled' } }));
      const t0 = t.clock.now();
      const v1 = (await put(c, 'k')).VersionId!;
      const v2 = (await put(c, 'k')).VersionId!;
      // A lone delete marker: its only version removed by id.
      const m1 = (await put(c, 'm/x')).VersionId!;
      await c.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'm/x' }));
      await c.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'm/x', VersionId: m1 }));
      const n: string[] = [];
      for (let i = 0; i < 4; i++) n.push((await put(c, 'n/y')).VersionId!);
      await putRules(c, [
        { ID: 'k', Status: 'Enabled', Filter: { Prefix: 'k' }, Expiration: { Days: 1 }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } },
        { ID: 'markers', Status: 'Enabled', Filter: { Prefix: 'm/' }, Expiration: { ExpiredObjectDeleteMarker: true } },
        { ID: 'n', Status: 'Enabled', Filter: { Prefix: 'n/' }, NoncurrentVersionExpiration: { NoncurrentDays: 1, NewerNoncurrentVersions: 2 } },
      ]);
      const versions = async (c: S3Client, Prefix: string) => {
        const r = await c.send(new ListObjectVersionsCommand({ Bucket: 'data', Prefix }));
        return { versions: (r.Versions ?? []).map((v) => v.VersionId!), markers: (r.DeleteMarkers ?? []).map((m) => ({ latest: m.IsLatest })) };
      };
      t.clock.set(dueAt(t0, 1) + 1000);
      // k: the current version is hidden behind a new marker; v1, noncurrent since t0, is gone;
      // v2 became noncurrent just now and stays.
      await waitFor(t, async (c) => (await versions(c, 'k')).versions.length === 1);
      let c2 = s3(t);
      assert.deepEqual(await versions(c2, 'k'), { versions: [v2], markers: [{ latest: true }] });
      assert.ok(!(await versions(c2, 'k')).versions.includes(v1));
      c2.destroy();
      // m/x: the lone marker is removed.
      c2 = s3(t);
      assert.deepEqual(await versions(c2, 'm/'), { versions: [], markers: [] });
      // n/y: the current version and the two newest noncurrent ones stay.
      assert.deepEqual((await versions(c2, 'n/')).versions, [n[3], n[2], n[1]]);
      c2.destroy();
    }));

  test('incomplete multipart uploads are aborted DaysAfterInitiation after they started', () =>
    withBucket(async (t, c) => {
      const t0 = t.clock.now();
      await c.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'up/a' }));
      await c.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'other/b' }));
      await putRules(c, [{ ID: 'mpu', Status: 'Enabled', Filter: { Prefix: 'up/' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }]);
      t.clock.set(t0 + DAY);
      const later = s3(t);
      await later.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'up/c' }));
      later.destroy();
      t.clock.set(dueAt(t0, 1) + 1000);
      const uploads = async (c: S3Client) => ((await c.send(new ListMultipartUploadsCommand({ Bucket: 'data' }))).Uploads ?? []).map((u) => u.Key!);
      await waitFor(t, async (c) => !(await uploads(c)).includes('up/a'));
      const c2 = s3(t);
      assert.deepEqual(await uploads(c2), ['other/b', 'up/c']);
      c2.destroy();
    }));
});
