/**
 * CopyObject: a server-side copy of one object's body into a new blob, made visible with
 * Objects.commit like any upload. The source's metadata and tags travel with it unless the
 * request REPLACEs them. https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
 *
 * The copy is a new blob rather than a shared reference, so deleting or overwriting either
 * object never touches the other's body.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../../lib/clock.js';
import { CHECKSUM_ALGORITHMS, checksumHeaderName, createChecksum, toBase64, type ChecksumAlgorithm } from '../../../protocols/checksums.js';
import { BlobNotFoundError, type BlobInfo, type BlobStore } from '../../../store/blobs.js';
import { InvalidArgument, InvalidRequest, NoSuchKey, PreconditionFailed } from '../errors.js';
import type { ObjectLock, ObjectRecord, ObjectSse } from '../repo.js';
import { checkRead, wholeObjectEtag } from './sse.js';
import { INLINE_MAX_BYTES } from './uploads.js';
import type { Caller } from './buckets.js';
import type { AclRequest } from './acl.js';
import { CONTENT_HEADERS, checkKeyLength, etagMatches, type Conditions, type Objects } from './objects.js';
import { parseTaggingHeader } from './tagging.js';

/** S3's limit for a copy in one request; larger objects are copied with UploadPartCopy. */
export const MAX_COPY_BYTES = 5 * 1024 ** 3;
/** A concurrent overwrite of the source can remove the body being read; the copy then starts over. */
const ATTEMPTS = 3;

export interface CopyInput {
  bucket: string;
  key: string;
  /** x-amz-copy-source as sent: `/bucket/key` or `bucket/key`, URL-encoded, maybe `?versionId=`. */
  source: string;
  metadataDirective?: Directive;
  taggingDirective?: Directive;
  /** x-amz-tagging, used with the REPLACE tagging directive. */
  tagging?: string;
  /** x-amz-copy-source-if-*: conditions on the source. */
  sourceConditions: Conditions;
  /** If-Match / If-None-Match: conditions on the destination, as for PutObject. */
  ifMatch?: string;
  ifNoneMatch?: string;
  /** The request's content headers and x-amz-meta-* (used on REPLACE). */
  headers: Record<string, string>;
  metadata: Record<string, string>;
  /** x-amz-checksum-algorithm: compute this checksum of the copy instead of keeping the source's. */
  checksumAlgorithm?: string;
  /** The copy's ACL (x-amz-acl, x-amz-grant-*): private unless asked; the source's is not copied. */
  acl?: AclRequest;
  /** Whether the request changes the storage class, website redirect or encryption (which lets an object be copied onto itself). */
  changesAttributes: boolean;
  /** The copy's encryption (the request's, else the destination bucket's default, else SSE-S3). */
  sse?: ObjectSse;
  /** The copy's object lock (the request's, else the destination bucket's default retention). */
  lock?: ObjectLock;
}

export interface CopyDeps {
  objects: Objects;
  blobs: BlobStore;
  clock: Clock;
}

export async function copyObject(deps: CopyDeps, caller: Caller, input: CopyInput): Promise<ObjectRecord> {
  checkKeyLength(input.key);
  const source = parseCopySource(input.source);
  const metadataDirective = input.metadataDirective ?? 'COPY';
  const taggingDirective = input.taggingDirective ?? 'COPY';
  const tags = taggingDirective === 'REPLACE' ? parseTaggingHeader(input.tagging ?? '') : undefined;
  const algorithm = checksumAlgorithm(input.checksumAlgorithm);

  // The source is read as its bucket's: x-amz-source-expected-bucket-owner names its owner.
  const reader = sourceReader(caller);
  for (let attempt = 1; ; attempt++) {
    const src =
      source.versionId === undefined
        ? await deps.objects.get(reader, source.bucket, source.key)
        : await deps.objects.get(reader, source.bucket, source.key, 's3:GetObjectVersion', source.versionId);
    checkSourceConditions(src, input.sourceConditions);
    // An SSE-C source needs its key (the x-amz-copy-source-server-side-encryption-customer-* trio).
    checkRead(src, input.headers, true);
    // Copying an older version onto its key is how S3 restores it: not a copy onto itself.
    const self = src.bucket === input.bucket && src.key === input.key && source.versionId === undefined;
    if (self && metadataDirective !== 'REPLACE' && !input.changesAttributes) {
      throw InvalidRequest(
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    }
    if (src.size > MAX_COPY_BYTES) throw InvalidRequest(`The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_COPY_BYTES}`);
    let blob: BlobInfo;
    let inline: Buffer | undefined;
    try {
      // The body is decrypted and sealed again under a data key of the copy's own.
      const body = await deps.objects.openBody(src);
      if (Buffer.isBuffer(body) && body.length <= INLINE_MAX_BYTES) {
        blob = inlineInfo(body, algorithm); // a small body is copied with its row
        inline = deps.objects.crypto.sealBuffer(body);
      } else {
        blob = await deps.objects.crypto.writeSealed(deps.blobs, Buffer.isBuffer(body) ? [body] : (body as AsyncIterable<Buffer>), algorithm ? { hashers: { checksum: () => createChecksum(algorithm) } } : {});
      }
    } catch (e) {
      if (!(e instanceof BlobNotFoundError)) throw e;
      if (attempt < ATTEMPTS) continue;
      throw new NoSuchKey(source.key);
    }
    const record: ObjectRecord = {
      bucket: input.bucket,
      key: input.key,
      blobId: blob.id,
      size: blob.size,
      // A copy is one upload: its ETag is as a PUT's, even if the source was multipart.
      etag: wholeObjectEtag(blob.md5, input.sse),
      lastModified: deps.clock.now(),
      headers: metadataDirective === 'REPLACE' ? pick(input.headers, CONTENT_HEADERS) : src.headers,
      metadata: metadataDirective === 'REPLACE' ? input.metadata : src.metadata,
      checksums: algorithm ? { [checksumHeaderName(algorithm)]: toBase64(blob.digests.checksum!) } : src.checksums,
      tags: tags ?? src.tags,
      ...(inline ? { body: inline } : {}),
      sse: input.sse ?? { algorithm: 'AES256' },
      ...(input.lock ? { lock: input.lock } : {}),
    };
    return deps.objects.commit(caller, record, { ifMatch: input.ifMatch, ifNoneMatch: input.ifNoneMatch, ...(input.acl ? { acl: input.acl } : {}) }, 'Copy');
  }
}

/** The caller as the reader of a copy's source: its expected owner is x-amz-source-expected-bucket-owner. */
export function sourceReader(caller: Caller): Caller {
  const headers = caller.headers;
  if (!headers || (headers['x-amz-expected-bucket-owner'] === undefined && headers['x-amz-source-expected-bucket-owner'] === undefined)) return caller;
  const { 'x-amz-expected-bucket-owner': _destination, 'x-amz-source-expected-bucket-owner': source, ...rest } = headers;
  return { ...caller, headers: source === undefined ? rest : { ...rest, 'x-amz-expected-bucket-owner': source } };
}

/** The bucket, key and (with `?versionId=`) version an x-amz-copy-source names. */
export function parseCopySource(header: string): { bucket: string; key: string; versionId?: string } {
  const bad = () => InvalidArgument('Copy Source must mention the source bucket and key: sourcebucket/sourcekey', 'x-amz-copy-source', header);
  // The query comes off first: an encoded `?` (%3F) belongs to the key.
  const q = header.indexOf('?');
  let path: string;
  try {
    path = decodeURIComponent(q < 0 ? header : header.slice(0, q));
  } catch {
    throw bad();
  }
  if (path.startsWith('/')) path = path.slice(1);
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) throw bad();
  const versionId = q < 0 ? undefined : (new URLSearchParams(header.slice(q + 1)).get('versionId') ?? undefined);
  return { bucket: path.slice(0, slash), key: path.slice(slash + 1), ...(versionId !== undefined ? { versionId } : {}) };
}

/** x-amz-metadata-directive / x-amz-tagging-directive, one of the model's two values (checked at decode time). */
type Directive = 'COPY' | 'REPLACE';

function checksumAlgorithm(value: string | undefined): ChecksumAlgorithm | undefined {
  if (value === undefined) return undefined;
  const alg = CHECKSUM_ALGORITHMS.find((a) => a === value.toUpperCase());
  if (!alg) throw InvalidArgument('Checksum algorithm provided is unsupported.', 'x-amz-checksum-algorithm', value);
  return alg;
}

/**
 * The x-amz-copy-source-if-* headers, as the CopyObject reference states them: If-Match holding
 * wins over a failing If-Unmodified-Since, a failing If-None-Match over a holding
 * If-Modified-Since; every failure is 412 (a copy has no 304). Dates that do not parse are
 * ignored, as HTTP ignores them.
 */
function checkSourceConditions(src: ObjectRecord, c: Conditions): void {
  const modified = Math.floor(src.lastModified / 1000) * 1000;
  const date = (h: string | undefined) => (h === undefined ? NaN : Date.parse(h));
  const unmodifiedSince = date(c.ifUnmodifiedSince);
  const modifiedSince = date(c.ifModifiedSince);
  if (c.ifMatch !== undefined) {
    if (!etagMatches(c.ifMatch, src.etag)) throw PreconditionFailed('x-amz-copy-source-If-Match');
  } else if (!Number.isNaN(unmodifiedSince) && modified > unmodifiedSince) {
    throw PreconditionFailed('x-amz-copy-source-If-Unmodified-Since');
  }
  if (c.ifNoneMatch !== undefined) {
    if (etagMatches(c.ifNoneMatch, src.etag)) throw PreconditionFailed('x-amz-copy-source-If-None-Match');
  } else if (!Number.isNaN(modifiedSince) && modified <= modifiedSince) {
    throw PreconditionFailed('x-amz-copy-source-If-Modified-Since');
  }
}

function pick(headers: Record<string, string>, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) if (headers[name] !== undefined) out[name] = headers[name]!;
  return out;
}

/** The BlobInfo of an inline body (id ''), with the digests a copy needs. */
function inlineInfo(body: Buffer, algorithm: ChecksumAlgorithm | undefined): BlobInfo {
  const digests: Record<string, Buffer> = {};
  if (algorithm) {
    const c = createChecksum(algorithm);
    c.update(body);
    digests.checksum = c.digest();
  }
  return { id: '', size: body.length, md5: createHash('md5').update(body).digest(), digests };
}
