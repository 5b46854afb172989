/**
 * Multipart uploads: parts are blobs named by the multipart repo; completion concatenates them
 * into one new blob and hands it to Objects.commit. Every blob is named by some row from the
 * moment it is durable until it is removed, so a crash leaves nothing the startup sweep cannot
 * judge:
 *   1. concat -> the new blob C (unreferenced for an instant: an orphan the sweep removes);
 *   2. the upload becomes `completing` with C (the repo now refers to C);
 *   3. Objects.commit names C (a failed commit removes C; the upload is reopened);
 *   4. the upload becomes `completed`, its part rows go, then the part blobs are removed.
 * A crash between 2 and 4 is settled at the next start (or by the next request on the upload):
 * if the objects repo names C the completion is finished, else it is undone.
 *
 * Operations on one upload that change it (a part's commit, completion, abort, settling) run
 * one at a time, so a part cannot be replaced under a completion that is reading it.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Clock } from '../../../lib/clock.js';
import type { Ids } from '../../../lib/ids.js';
import type { Logger } from '../../../lib/log.js';
import { parseTrailerHeader } from '../../../protocols/aws-chunked.js';
import { checksumAlgorithmOfHeader, checksumHeaderName, createChecksum, toBase64, type ChecksumAlgorithm } from '../../../protocols/checksums.js';
import type { BlobStore } from '../../../store/blobs.js';
import type { Store, Tx } from '../../../store/store.js';
import type { RequestContext } from '../../service.js';
import { BadDigest, InvalidArgument, InvalidRequest, NoSuchUpload } from '../errors.js';
import type { ObjectRecord, ObjectSse, S3ObjectRepo } from '../repo.js';
import type { CompletedResult, PartRecord, S3MultipartRepo, UploadRecord } from '../repo-multipart.js';
import type { Buckets, Caller } from './buckets.js';
import { sourceReader } from './copy.js';
import { checkKeyLength, type Conditions, type Objects } from './objects.js';
import { checkParts, compositeChecksum, copyConditionError, expectedChecksum, mismatch } from './multipart-checks.js';
import { receiveBody, type UploadHeaders } from './uploads.js';
import { BodyCrypto } from './crypto.js';
import { customerKeyOf, sameCustomerKey, type Headers } from './sse.js';

export const MAX_PART_BYTES = 5 * 1024 ** 3;
export const MIN_PART_BYTES = 5 * 1024 ** 2;
export const MAX_PART_NUMBER = 10_000;
/** How long a completed upload still answers a retried CompleteMultipartUpload. */
const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;
const LIST_BATCH = 1000;
/** The greatest code point: any key starting with p sorts below p + this. */
const AFTER_ALL = '\u{10FFFF}';

export interface MultipartDeps {
  repo: S3MultipartRepo;
  /** The objects' repo: whether an object took a completed upload's body over. */
  objectRepo: Pick<S3ObjectRepo, 'object' | 'blobReferenced'>;
  objects: Objects;
  buckets: Buckets;
  blobs: BlobStore;
  store: Store;
  clock: Clock;
  ids: Ids;
  log: Logger;
}

/** The checksum algorithm and type are checked and defaulted by the operation (checksumChoice there). */
export type CreateInput = Pick<UploadRecord, 'bucket' | 'key' | 'headers' | 'metadata' | 'tags' | 'checksumAlgorithm' | 'checksumType' | 'sse' | 'lock' | 'acl'>;

/** Which part of which upload; the number is 1..10000 (the operation checks it). */
type PartTarget = { bucket: string; key: string; uploadId: string; partNumber: number };
export type PartInput = PartTarget & UploadHeaders & { body: Readable; /** The request's SSE-C headers. */ sse?: Headers };

export type CopyPartInput = PartTarget & {
  /** With versionId, that version of the source (x-amz-copy-source `?versionId=`). */
  source: { bucket: string; key: string; versionId?: string };
  /** x-amz-copy-source-range, inclusive, well formed (the operation checks the form). */
  range?: { start: number; end: number; raw: string };
  conditions: Conditions;
  /** The request's headers: the source's SSE-C key (copy-source trio) and the upload's (SSE-C trio). */
  sse?: Headers;
};

/** A part of the CompleteMultipartUpload list, as the operation parsed it. */
export interface RequestedPart {
  partNumber: number;
  /** Without quotes, lowercase. */
  etag: string;
  /** Part checksums given, by algorithm. */
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

export interface CompleteInput {
  bucket: string;
  key: string;
  uploadId: string;
  /** At least one (the operation refuses an empty list as MalformedXML). */
  parts: RequestedPart[];
  /** x-amz-checksum-<alg> headers: the object's checksum the client expects. */
  checksums: Record<string, string>;
  checksumType?: string;
  objectSize?: number;
  ifMatch?: string;
  ifNoneMatch?: string;
}

/** A part saved, and its verified checksums to echo, by header name. */
export type SavedPart = { part: PartRecord; checksums: Record<string, string>; /** The upload's encryption, for the answer's headers. */ sse?: ObjectSse };

/** A page of uploads; `next` is its last upload or common prefix (upload ID '' for a prefix). */
export type UploadList = { uploads: UploadRecord[]; prefixes: string[]; truncated: boolean; next?: { key: string; uploadId: string } };

export class Multipart {
  /** The tail of the operations queued on each upload, by upload ID. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly d: MultipartDeps) {}

  /** The time on the injected clock (object lock retention dates are judged on it). */
  now(): number {
    return this.d.clock.now();
  }

  /** The bucket's record (no access check: the operation's answer about KMS key ARNs needs its account and region). */
  bucketOf(bucket: string) {
    return this.d.buckets.find(bucket);
  }

  async create(caller: Caller, input: CreateInput): Promise<UploadRecord> {
    checkKeyLength(input.key);
    const put = { action: 's3:PutObject', key: input.key };
    const bucket = this.d.buckets.authorize(caller, input.bucket, put);
    // An ACL the bucket refuses is refused now, not at completion.
    this.d.buckets.objectAclFor(bucket, caller, input.acl);
    const { lock, ...rest } = input;
    const upload = { ...rest, ...(lock ? { lock } : {}), uploadId: this.d.ids.token(48), account: caller.accountId, initiated: this.d.clock.now() };
    const seq = await this.d.store.write((tx) => {
      this.d.buckets.authorize(caller, input.bucket, put);
      return this.d.repo.insertUpload(tx, upload);
    });
    return { ...upload, seq, state: 'open' };
  }

  async uploadPart(caller: Caller, input: PartInput, payload: RequestContext['payload']): Promise<SavedPart> {
    const { upload, partNumber } = await this.target(caller, input);
    const alg = upload.checksumAlgorithm;
    if (alg) {
      // An upload with a checksum algorithm takes part checksums of that algorithm only; a
      // COMPOSITE one needs every part's (its object checksum is made of them).
      const carried = [...Object.keys(input.checksums), ...parseTrailerHeader(input.trailer)].map((h) => checksumAlgorithmOfHeader(h));
      const other = carried.find((a) => a !== alg);
      if (other || (carried.length === 0 && upload.checksumType === 'COMPOSITE')) throw mismatch(alg, other);
    }
    checkPartKey(upload, input.sse ?? {});
    // Parts are always blobs (inline 0), each sealed under a data key of its own.
    const { blob, checksums } = await receiveBody(this.d.blobs, input.body, input, payload, MAX_PART_BYTES, 0, this.d.objects.crypto);
    const part = this.partOf(upload, partNumber, blob.id, blob.size, blob.md5, alg ? checksums[checksumHeaderName(alg)] : undefined);
    await this.savePart(part);
    return { part, checksums, sse: upload.sse };
  }

  /** UploadPartCopy: a part made of an object of the caller's, or a byte range of it. */
  async copyPart(caller: Caller, input: CopyPartInput): Promise<SavedPart> {
    const { upload, partNumber } = await this.target(caller, input);
    const source = input.source;
    const record = await this.d.objects.get(sourceReader(caller), source.bucket, source.key, source.versionId === undefined ? 's3:GetObject' : 's3:GetObjectVersion', source.versionId);
    const range = input.range;
    if (range && (range.start > range.end || range.end >= record.size)) {
      throw InvalidArgument(`Range specified is not valid for source object of size: ${record.size}`, 'x-amz-copy-source-range', range.raw);
    }
    const length = range ? range.end - range.start + 1 : record.size;
    if (length > MAX_PART_BYTES) throw InvalidRequest(`The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_PART_BYTES}`);
    checkPartKey(upload, input.sse ?? {});
    const read = await this.d.objects
      .read(caller, source.bucket, source.key, {
        head: false,
        range: range && `bytes=${range.start}-${range.end}`,
        conditions: input.conditions,
        versionId: source.versionId,
        sse: input.sse ?? {},
        copySource: true,
      })
      .catch((e: unknown) => Promise.reject(copyConditionError(e, input.conditions)));
    const alg = upload.checksumAlgorithm;
    const body = read.stream!;
    const blob = await this.d.objects.crypto.writeSealed(this.d.blobs, Buffer.isBuffer(body) ? [body] : (body as AsyncIterable<Buffer>), {
      maxBytes: MAX_PART_BYTES,
      hashers: alg ? { checksum: () => createChecksum(alg) } : {},
    });
    const checksum = alg ? toBase64(blob.digests.checksum!) : undefined;
    const part = this.partOf(upload, partNumber, blob.id, blob.size, blob.md5, checksum);
    await this.savePart(part);
    return { part, checksums: alg ? { [checksumHeaderName(alg)]: checksum! } : {}, sse: upload.sse };
  }

  async complete(caller: Caller, input: CompleteInput): Promise<{ upload: UploadRecord; result: CompletedResult; versionId?: string }> {
    this.d.buckets.authorize(caller, input.bucket, { action: 's3:PutObject', key: input.key });
    return this.exclusive(input.uploadId, async () => {
      const upload = await this.settle(await this.find(input.bucket, input.key, input.uploadId, true));
      const requested = input.parts;
      const signature = requested.map((r) => `${r.partNumber}:${r.etag}`).join(',');
      if (upload.state === 'completed') {
        // A retry of the request that completed it (a lost answer) gets the same answer.
        const object = await this.d.objectRepo.object(upload.bucket, upload.key);
        if (upload.result?.parts !== signature || object?.blobId !== upload.result.objectBlob) throw NoSuchUpload(upload.uploadId);
        return { upload, result: upload.result, ...(object?.versionId ? { versionId: object.versionId } : {}) };
      }
      const stored = new Map((await this.d.repo.parts(upload.uploadId, 0, MAX_PART_NUMBER)).map((p) => [p.partNumber, p]));
      const chosen = checkParts(upload, requested, stored, MIN_PART_BYTES);
      const expected = expectedChecksum(upload, input);
      const size = chosen.reduce((n, p) => n + p.size, 0);
      if (input.objectSize !== undefined && input.objectSize !== size) {
        throw InvalidRequest("The provided 'x-amz-mp-object-size' header does not match what was computed");
      }
      const digests = Buffer.concat(chosen.map((p) => Buffer.from(p.etag.slice(1, -1), 'hex')));
      const etag = `"${createHash('md5').update(digests).digest('hex')}-${chosen.length}"`;
      const alg = upload.checksumAlgorithm;
      const full = alg !== undefined && upload.checksumType === 'FULL_OBJECT';
      const checksums: Record<string, string> = {};
      if (alg && !full) {
        const value = compositeChecksum(alg, chosen);
        if (expected !== undefined && expected !== value && expected !== value.replace(/-\d+$/, '')) throw BadDigest(alg);
        checksums[checksumHeaderName(alg)] = value;
      }
      // The parts are decrypted in turn and the whole sealed under the object's own data key.
      const blob = await this.d.objects.crypto.writeSealed(this.d.blobs, this.plainParts(chosen), full ? { hashers: { checksum: () => createChecksum(alg) } } : {});
      if (full) {
        const value = toBase64(blob.digests.checksum!);
        if (expected !== undefined && expected !== value) {
          await this.removeBlob(blob.id);
          throw BadDigest(alg);
        }
        checksums[checksumHeaderName(alg)] = value;
      }
      if (alg) checksums['x-amz-checksum-type'] = upload.checksumType!;
      const result: CompletedResult = { etag, size, checksums, parts: signature, objectBlob: blob.id };
      try {
        await this.d.store.write(async (tx) => {
          if ((await this.d.repo.upload(upload.uploadId, tx))?.state !== 'open') throw NoSuchUpload(upload.uploadId);
          await this.d.repo.updateUpload(tx, { uploadId: upload.uploadId, state: 'completing', blobId: blob.id, result });
        });
      } catch (e) {
        await this.removeBlob(blob.id);
        throw e;
      }
      const completing: UploadRecord = { ...upload, state: 'completing', blobId: blob.id, result };
      // S3 gives a multipart object the time its upload was initiated.
      const { bucket, key, headers, metadata, tags } = upload;
      const parts = chosen.map((p) => p.size);
      // Each part's own checksum, for GetObjectAttributes' ObjectParts.
      const partChecksums = alg && chosen.every((p) => p.checksum !== undefined) ? chosen.map((p) => p.checksum!) : undefined;
      const record: ObjectRecord = {
        bucket, key, headers, metadata, tags, checksums, blobId: blob.id, size, etag, lastModified: upload.initiated, parts,
        ...(partChecksums ? { partChecksums } : {}),
        sse: upload.sse ?? { algorithm: 'AES256' },
        ...(upload.lock ? { lock: upload.lock } : {}),
      };
      let committed: ObjectRecord;
      try {
        committed = await this.d.objects.commit(caller, record, { ifMatch: input.ifMatch, ifNoneMatch: input.ifNoneMatch, ...(upload.acl ? { acl: upload.acl } : {}) }, 'CompleteMultipartUpload');
      } catch (e) {
        // The commit removed the new body; the upload stays in progress, as S3 leaves it.
        await this.d.store.write((tx) => this.reopen(tx, upload.uploadId)).catch((err) => this.d.log.warn('could not reopen an upload', { error: String(err) }));
        throw e;
      }
      // The object is there: a cleanup that fails now is redone when the upload is next touched.
      await this.finish(completing).catch((e) => this.d.log.warn('could not finish a completed upload', { uploadId: upload.uploadId, error: String(e) }));
      return { upload: { ...completing, state: 'completed', blobId: undefined }, result, ...(committed.versionId ? { versionId: committed.versionId } : {}) };
    });
  }

  async abort(caller: Caller, bucket: string, key: string, uploadId: string): Promise<void> {
    this.d.buckets.authorize(caller, bucket, { action: 's3:AbortMultipartUpload', key });
    await this.exclusive(uploadId, async () => {
      const upload = await this.settle(await this.find(bucket, key, uploadId));
      if (upload.state === 'completed') throw NoSuchUpload(uploadId);
      const parts = await this.d.store.write((tx) => this.d.repo.deleteUpload(tx, uploadId));
      for (const p of parts) await this.removeBlob(p.blobId);
    });
  }

  async listParts(caller: Caller, bucket: string, key: string, uploadId: string, after: number, max: number) {
    this.d.buckets.authorize(caller, bucket, { action: 's3:ListMultipartUploadParts', key });
    const upload = await this.find(bucket, key, uploadId);
    const rows = max === 0 ? [] : await this.d.repo.parts(uploadId, after, max + 1);
    return { upload, parts: rows.slice(0, max), truncated: rows.length > max };
  }

  /** Uploads in progress by key, then initiation; rolled up at the delimiter like object keys. */
  async listUploads(
    caller: Caller,
    bucket: string,
    req: { prefix: string; delimiter?: string; keyMarker?: string; uploadIdMarker?: string; max: number },
  ): Promise<UploadList> {
    this.d.buckets.authorize(caller, bucket, { action: 's3:ListBucketMultipartUploads' });
    const out: UploadList = { uploads: [], prefixes: [], truncated: false };
    if (req.max === 0) return out;
    let afterKey = req.keyMarker || undefined;
    let afterSeq: number | undefined;
    // S3 ignores an upload ID marker without a key marker.
    if (afterKey !== undefined && req.uploadIdMarker) {
      const marker = await this.d.repo.upload(req.uploadIdMarker);
      if (marker?.bucket === bucket && marker.key === afterKey) afterSeq = marker.seq;
    }
    const full = () => out.uploads.length + out.prefixes.length === req.max;
    for (;;) {
      const rows = await this.d.repo.listUploads(bucket, { prefix: req.prefix, afterKey, afterSeq, limit: LIST_BATCH });
      if (rows.length === 0) return out;
      for (const row of rows) {
        const cut = req.delimiter ? row.key.indexOf(req.delimiter, req.prefix.length) : -1;
        if (cut < 0) {
          if (full()) return { ...out, truncated: true };
          out.uploads.push(row);
          out.next = { key: row.key, uploadId: row.uploadId };
          [afterKey, afterSeq] = [row.key, row.seq];
          continue;
        }
        const prefix = row.key.slice(0, cut + req.delimiter!.length);
        // One seek past every upload under the prefix; a prefix at the key marker was listed before.
        [afterKey, afterSeq] = [prefix + AFTER_ALL, undefined];
        if (req.keyMarker === undefined || prefix > req.keyMarker) {
          if (full()) return { ...out, truncated: true };
          out.prefixes.push(prefix);
          out.next = { key: prefix, uploadId: '' };
        }
        break;
      }
    }
  }

  /**
   * For DeleteBucket, inside its commit: S3 deletes a bucket with uploads in progress, and
   * them with it. Their blobs are removed once a later commit shows the deletion held (a
   * write queued now, never awaited here: it runs after this one).
   */
  async dropUploads(tx: Tx, bucket: string): Promise<void> {
    const ids = await this.d.repo.deleteBucketUploads(tx, bucket);
    if (ids.length === 0) return;
    this.d.store.write(async (later) => {
      const gone: string[] = [];
      for (const id of ids) if (!(await this.blobReferenced(id, later))) gone.push(id);
      return gone;
    }).then(
      (gone) => Promise.all(gone.map((id) => this.removeBlob(id))),
      (e: unknown) => this.d.log.warn('could not remove the parts of a deleted bucket', { error: String(e) }),
    );
  }

  /** Settles completions a crash interrupted; run at startup. */
  async recover(): Promise<void> {
    try {
      for (const u of await this.d.repo.completingUploads()) await this.exclusive(u.uploadId, () => this.settle(u));
    } catch (e) {
      this.d.log.error('multipart recovery failed', { error: e instanceof Error ? e.stack : String(e) });
    }
  }

  /** Whether an upload's part or pending completion, or an object, names the blob. */
  async blobReferenced(id: string, tx?: Tx): Promise<boolean> {
    return (await this.d.repo.blobReferenced(id, tx)) || this.d.objectRepo.blobReferenced(id, tx);
  }

  private async target(caller: Caller, t: PartTarget): Promise<{ upload: UploadRecord; partNumber: number }> {
    this.d.buckets.authorize(caller, t.bucket, { action: 's3:PutObject', key: t.key });
    return { upload: await this.find(t.bucket, t.key, t.uploadId), partNumber: t.partNumber };
  }

  /** The upload of this bucket and key; a completed one only for CompleteMultipartUpload. */
  private async find(bucket: string, key: string, uploadId: string, completed = false): Promise<UploadRecord> {
    const u = await this.d.repo.upload(uploadId);
    if (!u || u.bucket !== bucket || u.key !== key || (u.state === 'completed' && !completed)) throw NoSuchUpload(uploadId);
    return u;
  }

  private partOf(u: UploadRecord, partNumber: number, blobId: string, size: number, md5: Buffer, checksum: string | undefined): PartRecord {
    return { uploadId: u.uploadId, partNumber, blobId, size, etag: `"${md5.toString('hex')}"`, lastModified: this.d.clock.now(), checksum };
  }

  /** Commits a part whose body is durable; the part it replaces is removed after. */
  private async savePart(part: PartRecord): Promise<void> {
    let replaced: string | undefined;
    try {
      await this.exclusive(part.uploadId, async () => {
        const u = await this.d.repo.upload(part.uploadId);
        if (u) await this.settle(u);
        await this.d.store.write(async (tx) => {
          if ((await this.d.repo.upload(part.uploadId, tx))?.state !== 'open') throw NoSuchUpload(part.uploadId);
          replaced = await this.d.repo.putPart(tx, part);
        });
      });
    } catch (e) {
      await this.removeBlob(part.blobId);
      throw e;
    }
    if (replaced) await this.removeBlob(replaced);
  }

  /** Finishes a completion whose object commit held (see the top), or undoes one whose did not. */
  private async settle(u: UploadRecord): Promise<UploadRecord> {
    if (u.state !== 'completing') return u;
    if (await this.d.objectRepo.blobReferenced(u.blobId!)) {
      await this.finish(u);
      return { ...u, state: 'completed', blobId: undefined };
    }
    await this.d.store.write((tx) => this.reopen(tx, u.uploadId));
    await this.removeBlob(u.blobId!);
    return { ...u, state: 'open', blobId: undefined, result: undefined };
  }

  private async finish(u: UploadRecord): Promise<void> {
    const now = this.d.clock.now();
    const parts = await this.d.store.write((tx) => this.d.repo.finishUpload(tx, u.uploadId, u.result, now, now - RETRY_WINDOW_MS));
    for (const p of parts) await this.removeBlob(p.blobId);
  }

  /** Inside a write: back to open (the concatenated body is not the repo's to name any more). */
  private async reopen(tx: Tx, uploadId: string): Promise<void> {
    if ((await this.d.repo.upload(uploadId, tx))?.state === 'completing') await this.d.repo.updateUpload(tx, { uploadId, state: 'open', blobId: undefined, result: undefined });
  }

  /** The plaintext of parts end to end: sealed parts decrypted, parts stored before encryption as they are. */
  private async *plainParts(parts: PartRecord[]): AsyncGenerator<Buffer> {
    const crypto = this.d.objects.crypto;
    for (const p of parts) {
      if (p.size === 0) continue;
      const head = await this.d.blobs.open(p.blobId, { start: 0, end: 3 });
      const magic: Buffer[] = [];
      for await (const c of head.stream as AsyncIterable<Buffer>) magic.push(c);
      const sealed = BodyCrypto.looksSealedMagic(Buffer.concat(magic));
      const stream = sealed ? await crypto.openSealed(this.d.blobs, p.blobId, p.size) : (await this.d.blobs.open(p.blobId)).stream;
      // Leaving this loop early (the write failed) destroys the stream, closing the file.
      for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
    }
  }

  private exclusive<T>(uploadId: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.locks.get(uploadId) ?? Promise.resolve()).then(fn);
    const tail = run.catch(() => undefined);
    this.locks.set(uploadId, tail);
    void tail.then(() => {
      if (this.locks.get(uploadId) === tail) this.locks.delete(uploadId);
    });
    return run;
  }

  private async removeBlob(id: string): Promise<void> {
    try {
      await this.d.blobs.remove(id);
    } catch (e) {
      // Left for the sweep at the next start.
      this.d.log.warn('could not remove a part body', { id, error: String(e) });
    }
  }
}

/**
 * UploadPart and UploadPartCopy of an SSE-C upload need the key it was created with; the
 * parts of any other upload take no SSE-C key.
 */
function checkPartKey(upload: UploadRecord, headers: Headers): void {
  const key = customerKeyOf(headers);
  const customer = upload.sse?.algorithm === 'SSE-C';
  if (customer !== (key !== undefined)) {
    throw InvalidRequest('The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.');
  }
  if (key && !sameCustomerKey(upload.sse!, key)) throw InvalidRequest('The provided encryption parameters did not match the ones used originally.');
}
