/** Helpers for the S3 tests: an SDK client for a test Nimbus, and a Nimbus with one bucket. */
import { CreateBucketCommand, DeletePublicAccessBlockCommand, PutBucketAclCommand, S3Client, type CreateBucketCommandInput, type S3ClientConfig } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { ACCOUNT, startTestNimbus, TEST_CREDENTIALS, type TestNimbus } from './nimbus.js';

/** Path-style, no retries, the default test key pair; `extra` overrides any of it. */
export function s3Client(t: TestNimbus, extra: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({ endpoint: t.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, forcePathStyle: true, maxAttempts: 1, ...extra });
}

/**
 * A bucket that may be made public, as S3 has one made since April 2023: created (with ACLs
 * enabled when asked), its public access block deleted, then given its public ACL if any (a
 * new bucket blocks public access, so CreateBucket itself refuses a public ACL).
 */
export async function createOpenBucket(c: S3Client, input: CreateBucketCommandInput): Promise<void> {
  const { ACL, ...rest } = input;
  await c.send(new CreateBucketCommand(rest));
  await c.send(new DeletePublicAccessBlockCommand({ Bucket: input.Bucket }));
  if (ACL) await c.send(new PutBucketAclCommand({ Bucket: input.Bucket, ACL }));
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

/**
 * A path-style request signed as the SDK signs it, with exactly the headers given (no checksum
 * added) and the body's SHA-256: for what the SDK would not send (odd subresources, bodies
 * without Content-MD5).
 */
export async function signedS3Fetch(
  t: TestNimbus,
  method: string,
  path: string,
  query: Record<string, string>,
  headers: Record<string, string> = {},
  body = '',
): Promise<{ status: number; body: string }> {
  const url = new URL(t.endpoint);
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', sha256: Sha256, credentials: TEST_CREDENTIALS, uriEscapePath: false });
  const signed = await signer.sign(
    new HttpRequest({
      method,
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path,
      query,
      headers: { host: url.host, 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'), ...headers },
      body,
    }),
  );
  // %20 for a space, as the signer encodes it (URLSearchParams writes '+').
  const qs = new URLSearchParams(query).toString().replace(/\+/g, '%20');
  const res = await fetch(`${t.endpoint}${path}?${qs}`, { method, headers: signed.headers as Record<string, string>, body: body === '' ? undefined : body });
  return { status: res.status, body: await res.text() };
}
