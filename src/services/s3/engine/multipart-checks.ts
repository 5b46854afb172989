/**
 * The checks of multipart uploads that need no storage: a completion's part list and expected
 * checksum, the composite checksum, and how a failed copy-source condition is reported.
 */
import { checksumAlgorithmOfHeader, createChecksum, toBase64, type ChecksumAlgorithm } from '../../../protocols/checksums.js';
import { AwsError } from '../../../protocols/errors.js';
import { EntityTooSmall, InvalidPart, InvalidPartOrder, InvalidRequest, PreconditionFailed, s3Error } from '../errors.js';
import type { PartRecord, UploadRecord } from '../repo-multipart.js';
import type { CompleteInput, RequestedPart } from './multipart.js';
import type { Conditions } from './objects.js';

/** A part or completion checksum of another algorithm than the upload's. */
export const mismatch = (expected: ChecksumAlgorithm, actual: ChecksumAlgorithm | undefined) =>
  InvalidRequest(`Checksum Type mismatch occurred, expected checksum Type: ${expected.toLowerCase()}, actual checksum Type: ${actual?.toLowerCase() ?? 'null'}`);

/** The object checksum the completion request expects, after checking it names the upload's mode. */
export function expectedChecksum(u: UploadRecord, input: CompleteInput): string | undefined {
  const alg = u.checksumAlgorithm;
  // Without an algorithm on the upload, S3 accepts these headers and ignores them.
  if (!alg) return undefined;
  if (input.checksumType !== undefined && input.checksumType !== u.checksumType) {
    throw s3Error('BadDigest', 400, `The upload was created using the ${u.checksumType} checksum mode. The complete request must use the same checksum mode.`);
  }
  let expected: string | undefined;
  for (const [header, value] of Object.entries(input.checksums)) {
    const given = checksumAlgorithmOfHeader(header);
    if (given !== alg) throw mismatch(alg, given);
    expected = value.trim();
  }
  return expected;
}

/** A copy-source condition that failed is a 412 naming the copy-source header, never a 304. */
export function copyConditionError(e: unknown, c: Conditions): unknown {
  if (!(e instanceof AwsError)) return e;
  if (e.code === 'PreconditionFailed') return PreconditionFailed(`x-amz-copy-source-${e.xmlDetails()?.Condition ?? 'If-Match'}`);
  if (e.code === 'NotModified') return PreconditionFailed(c.ifNoneMatch !== undefined ? 'x-amz-copy-source-If-None-Match' : 'x-amz-copy-source-If-Modified-Since');
  return e;
}

/**
 * The parts a completion names, checked as S3 checks them: each uploaded with that ETag (and
 * checksum), lowest part number first; then ascending (with checksums: 1, 2, 3, ...); then
 * all but the last at least the minimum size.
 */
export function checkParts(u: UploadRecord, requested: RequestedPart[], stored: Map<number, PartRecord>, minSize: number): PartRecord[] {
  const alg = u.checksumAlgorithm;
  for (const r of [...requested].sort((a, b) => a.partNumber - b.partNumber)) {
    const p = stored.get(r.partNumber);
    if (!p || p.etag !== `"${r.etag}"`) throw InvalidPart(u.uploadId, r.partNumber, r.etag);
    const given = Object.entries(r.checksums) as [ChecksumAlgorithm, string][];
    // A checksum of another algorithm, or any without one on the upload, matches no part.
    if (given.some(([a, v]) => a !== alg || (p.checksum !== undefined && v.trim() !== p.checksum))) throw InvalidPart(u.uploadId, r.partNumber, r.etag);
    if (alg && u.checksumType === 'COMPOSITE' && r.checksums[alg] === undefined) {
      throw InvalidRequest(
        `The upload was created using a ${alg.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${r.partNumber} in the request.`,
      );
    }
  }
  requested.forEach((r, i) => {
    if ((i > 0 && r.partNumber <= requested[i - 1]!.partNumber) || (alg && r.partNumber !== i + 1)) throw InvalidPartOrder(u.uploadId);
  });
  const chosen = requested.map((r) => stored.get(r.partNumber)!);
  chosen.forEach((p, i) => {
    if (i < chosen.length - 1 && p.size < minSize) throw EntityTooSmall(p.size, minSize, p.partNumber, p.etag.slice(1, -1));
  });
  return chosen;
}

/** S3's composite checksum: the checksum of the parts' binary checksums, then `-<parts>`. */
export function compositeChecksum(alg: ChecksumAlgorithm, parts: Pick<PartRecord, 'checksum'>[]): string {
  const c = createChecksum(alg);
  for (const p of parts) c.update(Buffer.from(p.checksum!, 'base64'));
  return `${toBase64(c.digest())}-${parts.length}`;
}
