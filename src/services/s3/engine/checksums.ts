/**
 * The checksums a request vouches for its body with: Content-MD5 and the flexible
 * x-amz-checksum-<alg> headers, of which S3 takes one at most. Streamed bodies are checked on
 * the way into the blob store (uploads.ts); the small XML bodies S3 requires a checksum for
 * (DeleteObjects, tagging, lifecycle) are checked whole here.
 */
import { createHash } from 'node:crypto';
import { checksumAlgorithmOfHeader, checksumOf, fromBase64Strict, type ChecksumAlgorithm } from '../../../protocols/checksums.js';
import { BadDigest, ContentMd5Mismatch, InvalidArgument, InvalidDigest, MissingContentMd5 } from '../errors.js';

/**
 * The x-amz-checksum-<alg> headers among a request's headers, by name. x-amz-checksum-type,
 * -mode and -algorithm share the prefix but carry no checksum, so they are left out.
 */
export function checksumHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (checksumAlgorithmOfHeader(name)) out[name] = value;
  return out;
}

/** The one checksum a request declares, decoded; undefined if it declares none. */
export function declaredChecksum(checksums: Record<string, string>): { alg: ChecksumAlgorithm; header: string; value: Buffer } | undefined {
  const declared = Object.entries(checksums);
  if (declared.length > 1) throw InvalidArgument('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  if (declared.length === 0) return undefined;
  const [header, value] = declared[0]!;
  const bytes = fromBase64Strict(value);
  if (!bytes) throw InvalidArgument(`Value for ${header} header is invalid.`);
  return { alg: checksumAlgorithmOfHeader(header)!, header, value: bytes };
}

/**
 * S3 refuses these bodies unless Content-MD5 or one x-amz-checksum-* header vouches for them
 * (the SDKs send x-amz-checksum-crc32 by default), and checks the one given.
 */
export function checkRequestChecksum(headers: Record<string, string>, body: Buffer): void {
  const md5 = headers['content-md5'];
  const checksums = checksumHeaders(headers);
  if (md5 === undefined && Object.keys(checksums).length === 0) throw MissingContentMd5();
  if (md5 !== undefined) {
    const want = fromBase64Strict(md5, 16);
    if (!want) throw InvalidDigest();
    if (!createHash('md5').update(body).digest().equals(want)) throw ContentMd5Mismatch();
  }
  const expected = declaredChecksum(checksums);
  if (expected && !checksumOf(expected.alg, body).equals(expected.value)) throw BadDigest(expected.alg);
}
