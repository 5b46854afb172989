/**
 * Server-side encryption as S3's API states it: which kind a new object gets (the request's
 * headers, else the bucket's default encryption, else SSE-S3 as S3 does since January 2023),
 * the SSE-C key checks on writes and reads, and the headers answers carry. Every body is sealed
 * at rest the same way whatever the kind (engine/crypto.ts); the kind decides what a request
 * must present to read it (SSE-C: the customer key, checked against a salted HMAC of it) and
 * what answers say. There is no KMS here: SSE-KMS records the key's ARN (the account's
 * `aws/s3` key when none is named) and answers with it.
 * Errors and messages: the S3 API reference and S3's recorded answers.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AccessDenied, InvalidArgument, InvalidRequest, s3Error } from '../errors.js';
import type { ObjectRecord, ObjectSse } from '../repo.js';

/** The SSE algorithms x-amz-server-side-encryption takes on a general purpose bucket. */
export const SSE_ALGORITHMS = ['AES256', 'aws:kms', 'aws:kms:dsse'] as const;
export type SseAlgorithm = (typeof SSE_ALGORITHMS)[number];

/** A bucket's default encryption (one rule, as S3 keeps it). */
export interface BucketEncryption {
  algorithm: SseAlgorithm;
  kmsKeyId?: string;
  bucketKey: boolean;
}

/** The encryption headers of a request, by lower-case name (the copy-source trio with `copySource`). */
export type Headers = Record<string, string | undefined>;

const H = 'x-amz-server-side-encryption';
const C = 'x-amz-server-side-encryption-customer-';
const CS = 'x-amz-copy-source-server-side-encryption-customer-';

/** An SSE-C key as a request presents it, checked. */
export interface CustomerKey {
  key: Buffer;
  /** Base64 MD5 of the key, as answers echo it. */
  md5: string;
}

const InvalidEncryptionAlgorithm = (value: string) =>
  s3Error('InvalidEncryptionAlgorithmError', 400, 'The Encryption request you specified is not valid. Supported value: AES256.', { ArgumentName: H, ArgumentValue: value });

/**
 * The SSE-C trio of a request (or its copy-source trio), or undefined when it has none. `write`
 * also checks the key's length (a read with a key of the wrong length is simply the wrong key).
 */
export function customerKeyOf(headers: Headers, copySource = false, write = true): CustomerKey | undefined {
  const p = copySource ? CS : C;
  const algorithm = headers[`${p}algorithm`];
  const key64 = headers[`${p}key`];
  const md5 = headers[`${p}key-md5`];
  if (algorithm === undefined && key64 === undefined && md5 === undefined) return undefined;
  if (algorithm === undefined) {
    throw InvalidArgument('Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.', H, 'null');
  }
  if (algorithm !== 'AES256') throw InvalidEncryptionAlgorithm(algorithm);
  if (key64 === undefined || key64 === '') {
    throw InvalidArgument('Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.', H, 'null');
  }
  // A write must carry the key's MD5 (S3's user guide names all three headers as required); a read
  // without it is taken, as S3 is reported to take it.
  if (write && md5 === undefined) {
    throw InvalidArgument('Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.', H, 'null');
  }
  const key = Buffer.from(key64, 'base64');
  const actual = createHash('md5').update(key).digest('base64');
  if (md5 !== undefined && md5 !== actual) throw InvalidArgument('The calculated MD5 hash of the key did not match the hash that was provided.', H, 'null');
  if (write && key.length !== 32) throw InvalidArgument('The secret key was invalid for the specified algorithm.', H, 'null');
  return { key, md5: actual };
}

/** The ARN of a KMS key as a request or configuration names it (key id, key ARN, alias, alias ARN). */
export function kmsKeyArn(id: string, account: string, region: string): string {
  if (id.startsWith('arn:')) {
    if (!/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/.test(id)) throw s3Error('KMS.NotFoundException', 400, `Invalid arn ${id}`);
    return id;
  }
  if (id.startsWith('alias/') && id.length > 6) {
    if (id === 'alias/aws/s3') return awsManagedKey(account, region);
    return `arn:aws:kms:${region}:${account}:${id}`;
  }
  if (/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(id) || /^mrk-[0-9a-f]{32}$/.test(id)) {
    return `arn:aws:kms:${region}:${account}:key/${id}`;
  }
  throw s3Error('KMS.NotFoundException', 400, `Invalid keyId '${id}'`);
}

/** The account's AWS managed key for S3 (`aws/s3`) in a region: a fixed key id per account and region. */
export function awsManagedKey(account: string, region: string): string {
  const h = createHash('sha256').update(`aws/s3:${account}:${region}`).digest('hex');
  return `arn:aws:kms:${region}:${account}:key/${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The encryption of a new object (PutObject, CopyObject's target, CreateMultipartUpload,
 * POST): the request's headers first, then the bucket's default, then SSE-S3.
 */
export function chooseSse(headers: Headers, bucketDefault: BucketEncryption | undefined, where: { account: string; region: string }): { sse: ObjectSse; customerKey?: CustomerKey } {
  const algorithm = headers[H];
  const kmsKeyId = headers[`${H}-aws-kms-key-id`];
  const bucketKeyHeader = headers[`${H}-bucket-key-enabled`];
  const customer = headers[`${C}algorithm`] !== undefined || headers[`${C}key`] !== undefined || headers[`${C}key-md5`] !== undefined;
  if (customer && algorithm !== undefined) {
    throw InvalidArgument('Server Side Encryption with Customer provided key is incompatible with the encryption method specified', H, algorithm);
  }
  if (algorithm !== undefined && !(SSE_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw InvalidArgument('The encryption method specified is not supported', H, algorithm);
  }
  if (kmsKeyId !== undefined && algorithm !== 'aws:kms' && algorithm !== 'aws:kms:dsse') {
    throw InvalidArgument('Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms', `${H}-aws-kms-key-id`, kmsKeyId);
  }
  if (customer) {
    const key = customerKeyOf(headers)!;
    return { sse: customerSse(key), customerKey: key };
  }
  const chosen: BucketEncryption =
    algorithm === undefined
      ? (bucketDefault ?? { algorithm: 'AES256', bucketKey: false })
      : { algorithm: algorithm as SseAlgorithm, ...(kmsKeyId !== undefined ? { kmsKeyId } : {}), bucketKey: bucketDefault?.bucketKey ?? false };
  if (chosen.algorithm === 'AES256') return { sse: { algorithm: 'AES256' } };
  const bucketKey = bucketKeyHeader !== undefined ? bucketKeyHeader.toLowerCase() === 'true' : chosen.bucketKey;
  const arn = chosen.kmsKeyId !== undefined ? kmsKeyArn(chosen.kmsKeyId, where.account, where.region) : awsManagedKey(where.account, where.region);
  return { sse: { algorithm: chosen.algorithm, kmsKeyId: arn, ...(bucketKey && chosen.algorithm === 'aws:kms' ? { bucketKey: true } : {}) } };
}

/** An SSE-C object's record of its key: the MD5 answers echo, and a salted HMAC reads are checked against. */
function customerSse(key: CustomerKey): ObjectSse {
  const salt = randomBytes(16);
  return {
    algorithm: 'SSE-C',
    customerKeyMd5: key.md5,
    customerKeySalt: salt.toString('base64'),
    customerKeyHmac: createHmac('sha256', salt).update(key.key).digest('base64'),
  };
}

/** Whether a presented key is the one an SSE-C record was written with. */
export function sameCustomerKey(sse: ObjectSse, key: CustomerKey): boolean {
  if (!sse.customerKeySalt || !sse.customerKeyHmac) return false;
  const mac = createHmac('sha256', Buffer.from(sse.customerKeySalt, 'base64')).update(key.key).digest();
  const stored = Buffer.from(sse.customerKeyHmac, 'base64');
  return mac.length === stored.length && timingSafeEqual(mac, stored);
}

/**
 * A read of an object's body or metadata (GET, HEAD, a copy's source, UploadPartCopy's source):
 * an SSE-C object needs its key, any other object refuses one; SSE-S3 and SSE-KMS objects
 * refuse an x-amz-server-side-encryption header (their encryption cannot change on a read).
 */
export function checkRead(record: ObjectRecord, headers: Headers, copySource = false): void {
  const key = customerKeyOf(headers, copySource, false);
  if (record.sse?.algorithm === 'SSE-C') {
    if (!key) throw InvalidRequest('The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.');
    if (!sameCustomerKey(record.sse, key)) throw new AccessDenied('Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key.');
    return;
  }
  if (key) throw InvalidRequest('The encryption parameters are not applicable to this object.');
  if (!copySource && headers[H] !== undefined) throw InvalidArgument('x-amz-server-side-encryption header is not supported for this operation.', H, headers[H]);
}

/** The headers an answer about an object (or part) carries for its encryption. */
export function sseHeaders(sse: ObjectSse | undefined): Record<string, string> {
  if (!sse) return {};
  if (sse.algorithm === 'SSE-C') {
    return { [`${C}algorithm`]: 'AES256', [`${C}key-md5`]: sse.customerKeyMd5 ?? '' };
  }
  return {
    [H]: sse.algorithm,
    ...(sse.kmsKeyId ? { [`${H}-aws-kms-key-id`]: sse.kmsKeyId } : {}),
    ...(sse.bucketKey ? { [`${H}-bucket-key-enabled`]: 'true' } : {}),
  };
}

/**
 * The ETag of an object written whole (PUT, POST, copy). S3 documents it as the MD5 of the
 * content for plaintext and SSE-S3 objects only: an SSE-C or SSE-KMS object's ETag is not the
 * MD5 of its data (it would tell anyone who may list the bucket a digest of the plaintext).
 * Those get a random 32-hex-digit tag, fixed for the version, which conditional requests and
 * listings use like any other. Content-MD5 and checksums are still checked against the bytes.
 */
export function wholeObjectEtag(md5: Buffer, sse: ObjectSse | undefined): string {
  const hidden = sse?.algorithm === 'SSE-C' || sse?.algorithm === 'aws:kms' || sse?.algorithm === 'aws:kms:dsse';
  return `"${(hidden ? randomBytes(16) : md5).toString('hex')}"`;
}
