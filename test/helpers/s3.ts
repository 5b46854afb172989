/** Helpers for the S3 tests: an SDK client for a test Nimbus, and a Nimbus with one bucket. */
import { CreateBucketCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { ACCOUNT, startTestNimbus, TEST_CREDENTIALS, type TestNimbus } from './nimbus.js';

/** Path-style, no retries, the default test key pair; `extra` overrides any of it. */
export function s3Client(t: TestNimbus, extra: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({ endpoint: t.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, forcePathStyle: true, maxAttempts: 1, ...extra });
}

/** Runs fn against a fresh Nimbus holding an empty bucket (`data` unless told), and always stops it. */
export async function withBucket(
  fn: (c: S3Client, t: TestNimbus) => Promise<void>,
  opts: { memory?: boolean; dataDir?: string; bucket?: string; clock?: 'system' } = {},
): Promise<void> {
  const t = await startTestNimbus({ memory: opts.memory, dataDir: opts.dataDir, clock: opts.clock, credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }] });
  const c = s3Client(t);
  try {
    await c.send(new CreateBucketCommand({ Bucket: opts.bucket ?? 'data' }));
    await fn(c, t);
  } finally {
    c.destroy();
    await t.stop();
  }
}
