/**
 * Checksums as S3's XML carries them: elements ChecksumCRC32 ... ChecksumSHA256 (in results,
 * part lists and GetObjectAttributes), where headers and stored records name them
 * x-amz-checksum-crc32 ... .
 */
import { CHECKSUM_ALGORITHMS, checksumAlgorithmOfHeader, type ChecksumAlgorithm } from '../../../protocols/checksums.js';
import { string } from '../../../protocols/shapes.js';
import type { ObjectRecord } from '../repo.js';

/** The XML element of each flexible checksum algorithm. */
export const CHECKSUM_ELEMENTS = Object.fromEntries(CHECKSUM_ALGORITHMS.map((a) => [a, `Checksum${a}`])) as Record<ChecksumAlgorithm, string>;

/** A string member for every checksum element, in S3's order (ChecksumType is not among them). */
export const checksumMembers = () => ({
  ChecksumCRC32: string(),
  ChecksumCRC32C: string(),
  ChecksumCRC64NVME: string(),
  ChecksumSHA1: string(),
  ChecksumSHA256: string(),
});

/** [algorithm, value] of the x-amz-checksum-<alg> entries of a checksum map. */
export function checksumEntries(checksums: Record<string, string>): [ChecksumAlgorithm, string][] {
  const out: [ChecksumAlgorithm, string][] = [];
  for (const [header, value] of Object.entries(checksums)) {
    const alg = checksumAlgorithmOfHeader(header);
    if (alg) out.push([alg, value]);
  }
  return out;
}

/** An object's checksums as the XML elements ChecksumCRC32 ... and the ChecksumType they have. */
export function checksumElements(r: ObjectRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [alg, value] of checksumEntries(r.checksums)) {
    out[CHECKSUM_ELEMENTS[alg]] = value;
    // A multipart object's checksum of checksums ends in -<parts>.
    out.ChecksumType = /-\d+$/.test(value) ? 'COMPOSITE' : 'FULL_OBJECT';
  }
  return out;
}

/** A checksum map as headers, with the x-amz-checksum-type S3 answers beside any checksum (FULL_OBJECT unless stored otherwise). */
export function checksumHeadersOut(checksums: Record<string, string>): Record<string, string> {
  const entries = checksumEntries(checksums);
  if (entries.length === 0 || checksums['x-amz-checksum-type'] !== undefined) return checksums;
  return { ...checksums, 'x-amz-checksum-type': /-\d+$/.test(entries[0]![1]) ? 'COMPOSITE' : 'FULL_OBJECT' };
}
