/**
 * Objects: bodies in the blob store, metadata in the repo. A PUT's bytes are durable (and
 * checked) before its metadata commits, and the replaced body is removed only after; a crash
 * in between leaves at most an unreferenced blob, which the startup sweep removes.
 *
 * In a bucket with versioning configured, writes and deletes keep older versions (see
 * versions.ts); a bucket never versioned takes exactly the unversioned paths.
 */
import { Readable } from 'node:stream';
import type { Clock } from '../../../lib/clock.js';
import type { Logger } from '../../../lib/log.js';
import type { BlobStore } from '../../../store/blobs.js';
import { BlobRangeError } from '../../../store/blobs.js';
import type { Store, Tx } from '../../../store/store.js';
import type { RequestContext } from '../../service.js';
import { AccessDenied, BucketNotEmpty, InvalidPartNumber, InvalidRange, InvalidRequest, KeyTooLongError, NoSuchKey, NoSuchVersion, NotFound, NotModified, PreconditionFailed } from '../errors.js';
import type { ObjectLock, ObjectRecord, ObjectSse, S3ObjectRepo } from '../repo.js';
import type { BodyCrypto } from './crypto.js';
import { checkRead, wholeObjectEtag, type Headers } from './sse.js';
import { checkDeletable } from './object-lock.js';
import type { Buckets, Caller } from './buckets.js';
import { readAcl, type AclRequest } from './acl.js';
import type { ObjectEvent } from './notifications.js';
import { receiveBody, type UploadHeaders } from './uploads.js';
import { deletedKey, findVersion, insertDeleteMarker, latestDeleteMarker, markerNotReadable, putVersioned, removeVersion } from './versions.js';

export interface PutInput extends UploadHeaders {
  bucket: string;
  key: string;
  body: Readable;
  headers: Record<string, string>;
  metadata: Record<string, string>;
  ifNoneMatch?: string;
  ifMatch?: string;
  tags?: Record<string, string>;
  /** The ACL asked for (x-amz-acl, x-amz-grant-*). */
  acl?: AclRequest;
  /** The object's encryption (chosen by the operation: the request's, the bucket's default, SSE-S3). */
  sse?: ObjectSse;
  /** Object lock retention and legal hold for the new version. */
  lock?: ObjectLock;
}

export interface Conditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifUnmodifiedSince?: string;
}

export interface ObjectRead {
  record: ObjectRecord;
  /** The body (absent for HEAD): a stream from its blob, or the bytes of an inline body. */
  stream?: Readable | Buffer;
  range?: { start: number; end: number };
  /** Whether the bucket has versioning configured (then reads report a version id, "null" too). */
  versioned: boolean;
  /** A read by partNumber of a multipart object: its part count (x-amz-mp-parts-count). */
  partsCount?: number;
}

/** Receives object changes inside their commit (with its Tx), and is kicked after it (notifications). */
export interface ObjectEventSink {
  record(tx: Tx, caller: Caller, e: ObjectEvent): Promise<void>;
  kick(): void;
}

/** What a DELETE did, for its x-amz-version-id and x-amz-delete-marker headers. */
export interface DeleteResult {
  versionId?: string;
  deleteMarker?: boolean;
}

/** S3's limit on an object key, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;

/** Every way an object gets a key (PUT, POST, copy, multipart) refuses one over S3's limit. */
export function checkKeyLength(key: string): void {
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new KeyTooLongError(key);
}

/** The standard content headers an object keeps from its upload and returns on GET/HEAD. */
export const CONTENT_HEADERS = ['content-type', 'content-encoding', 'content-disposition', 'content-language', 'cache-control', 'expires'];

export class Objects {
  constructor(
    private readonly repo: S3ObjectRepo,
    private readonly buckets: Buckets,
    private readonly blobs: BlobStore,
    private readonly store: Store,
    readonly clock: Clock,
    private readonly log: Logger,
    /** Seals every new body at rest (engine/crypto.ts). */
    readonly crypto: BodyCrypto,
  ) {}

  async put(caller: Caller, input: PutInput, payload: RequestContext['payload']): Promise<ObjectRecord> {
    checkKeyLength(input.key);
    const bucket = this.buckets.authorize(caller, input.bucket, { action: 's3:PutObject', key: input.key });
    // An ACL the bucket refuses is refused before the body is read.
    this.buckets.objectAclFor(bucket, caller, input.acl);
    const { blob, checksums, inline } = await receiveBody(this.blobs, input.body, input, payload, undefined, undefined, this.crypto);
    const record: ObjectRecord = {
      bucket: input.bucket,
      key: input.key,
      blobId: blob.id,
      size: blob.size,
      etag: wholeObjectEtag(blob.md5, input.sse ?? { algorithm: 'AES256' }),
      lastModified: this.clock.now(),
      headers: input.headers,
      metadata: input.metadata,
      checksums,
      tags: input.tags ?? {},
      ...(inline ? { body: inline } : {}),
      sse: input.sse ?? { algorithm: 'AES256' },
      ...(input.lock ? { lock: input.lock } : {}),
    };
    return this.commit(caller, record, { ifNoneMatch: input.ifNoneMatch, ifMatch: input.ifMatch, ...(input.acl ? { acl: input.acl } : {}) });
  }

  /** Where object changes are reported, in their commit (event notifications). */
  private events: ObjectEventSink | undefined;

  onEvents(sink: ObjectEventSink): void {
    this.events = sink;
  }

  /**
   * Makes an object whose body is already a durable blob visible (PUT, multipart completion,
   * copy): checks the write conditions in the commit, then removes the body it replaced. If the
   * commit fails, the new blob is removed, so nothing is left behind. The object gets the ACL
   * asked for (private by default), owned as the bucket's ownership controls say.
   */
  async commit(
    caller: Caller,
    record: ObjectRecord,
    conditions: { ifNoneMatch?: string; ifMatch?: string; acl?: AclRequest } = {},
    cause: 'Put' | 'Copy' | 'CompleteMultipartUpload' | 'Post' = 'Put',
  ): Promise<ObjectRecord> {
    let replaced: string[] = [];
    let committed = record;
    try {
      await this.store.write(async (tx) => {
        const bucket = this.buckets.authorize(caller, record.bucket, { action: 's3:PutObject', key: record.key });
        const { acl: _given, ...rest } = record;
        const acl = this.buckets.objectAclFor(bucket, caller, conditions.acl);
        record = acl === undefined ? rest : { ...rest, acl };
        committed = record;
        const old = await this.repo.object(record.bucket, record.key, tx);
        // Conditional writes: If-None-Match: * creates only; If-Match replaces only that version.
        if (conditions.ifNoneMatch !== undefined && old && (conditions.ifNoneMatch.trim() === '*' || etagMatches(conditions.ifNoneMatch, old.etag))) {
          throw PreconditionFailed('If-None-Match');
        }
        if (conditions.ifMatch !== undefined && (!old || !etagMatches(conditions.ifMatch, old.etag))) {
          if (!old) throw new NoSuchKey(record.key);
          throw PreconditionFailed('If-Match');
        }
        if (bucket.versioning) {
          const placed = await putVersioned(tx, this.repo, bucket.versioning, record, this.clock.now(), old);
          committed = placed.record;
          replaced = placed.removed;
        } else {
          await this.repo.putObject(tx, record);
          replaced = old && old.blobId !== record.blobId ? [old.blobId] : [];
        }
        await this.events?.record(tx, caller, {
          name: `ObjectCreated:${cause}`,
          bucket: record.bucket,
          key: record.key,
          size: committed.size,
          etag: committed.etag,
          ...(committed.versionId ? { versionId: committed.versionId } : {}),
        });
      });
    } catch (e) {
      if (record.blobId) await this.blobs.remove(record.blobId);
      throw e;
    }
    this.events?.kick();
    for (const id of replaced) await this.removeBlob(id);
    return committed;
  }

  /**
   * An object's record (the current one, or the version asked for), or NoSuchKey /
   * NoSuchVersion; a delete marker is not an object (NoSuchKey, or 405 by its id), and with
   * `markerHeaders` (GET, HEAD, GetObjectAttributes) the error's answer says it met one.
   */
  async get(
    caller: Caller,
    bucket: string,
    key: string,
    action = 's3:GetObject',
    versionId?: string,
    method = 'GET',
    markerHeaders = false,
    tx?: Tx,
  ): Promise<ObjectRecord> {
    // The object's own ACL may grant what the bucket does not (public-read objects), and its
    // tags may decide a policy's conditions: it is looked up before authorizing, but a caller
    // refused still learns nothing: the refusal comes before NoSuchKey.
    const b = this.buckets.find(bucket);
    const found = versionId === undefined ? await this.repo.object(bucket, key, tx) : await findVersion(this.repo, bucket, key, versionId, tx);
    const readable = found && !('deleteMarker' in found && found.deleteMarker) ? found : undefined;
    try {
      this.buckets.authorize(caller, bucket, {
        action,
        key,
        ...(readable && b ? { objectAcl: readAcl(readable.acl, b.account, b.account), existingTags: readable.tags } : {}),
      });
    } catch (e) {
      // Nothing there: S3 answers by s3:ListBucket alone (404 to a caller who may list the
      // bucket, a public-read one included; 403 to others), below.
      if (found || !(e instanceof AccessDenied)) throw e;
    }
    if (versionId !== undefined) {
      const v = found as Awaited<ReturnType<typeof findVersion>>;
      if (!v) throw this.missing(caller, bucket, NoSuchVersion(key, versionId));
      if (v.deleteMarker) throw markerNotReadable(method, v, markerHeaders);
      const { current: _c, deleteMarker: _m, ...record } = v;
      return record;
    }
    if (found) return found as ObjectRecord;
    const marker = await latestDeleteMarker(this.repo, bucket, key, tx);
    throw this.missing(caller, bucket, marker ? deletedKey(key, marker, markerHeaders) : new NoSuchKey(key));
  }

  /** A missing key is 404 only to a caller that may list the bucket; to others S3 answers 403. */
  private missing(caller: Caller, bucket: string, notFound: Error): Error {
    return this.buckets.permits(caller, bucket, { action: 's3:ListBucket' }) ? notFound : new AccessDenied();
  }

  /** Changes an object's (or one version's) metadata in place (tags), as one commit. */
  async update(
    caller: Caller,
    bucket: string,
    key: string,
    change: (r: ObjectRecord) => ObjectRecord,
    action = 's3:PutObjectTagging',
    versionId?: string,
  ): Promise<ObjectRecord> {
    return this.store.write(async (tx) => {
      const next = change(await this.get(caller, bucket, key, action, versionId, 'GET', false, tx));
      const old = versionId === undefined ? undefined : await this.repo.version(bucket, key, next.versionId, tx);
      if (old) await this.repo.putVersion(tx, { ...next, deleteMarker: false, seq: old.seq });
      else await this.repo.putObject(tx, next);
      return next;
    });
  }

  /** GET (with body) or HEAD: conditions first, then the range. */
  async read(
    caller: Caller,
    bucket: string,
    key: string,
    opts: { head: boolean; range?: string; conditions: Conditions; versionId?: string; sse?: Headers; copySource?: boolean; partNumber?: number },
  ): Promise<ObjectRead> {
    if (opts.partNumber !== undefined && opts.range !== undefined) throw InvalidRequest('Cannot specify both Range header and partNumber query parameter');
    const action = opts.versionId === undefined ? 's3:GetObject' : 's3:GetObjectVersion';
    let record: ObjectRecord;
    try {
      record = await this.get(caller, bucket, key, action, opts.versionId, opts.head ? 'HEAD' : 'GET', true);
    } catch (e) {
      // HEAD has no body to name the error in: a plain 404 (a delete marker's keeps its headers).
      if (opts.head && e instanceof NoSuchKey) throw new NotFound();
      throw e;
    }
    const versioned = this.buckets.find(bucket)?.versioning !== undefined || record.versionId !== undefined;
    checkConditions(record, opts.conditions);
    checkRead(record, opts.sse ?? {}, opts.copySource);
    let range = opts.range === undefined ? undefined : parseRange(opts.range, record.size);
    let partsCount: number | undefined;
    if (opts.partNumber !== undefined) {
      ({ range, partsCount } = partRange(record, opts.partNumber));
    }
    if (opts.head) return { record, range, versioned, ...(partsCount !== undefined ? { partsCount } : {}) };
    try {
      return { record, stream: await this.openBody(record, range), range, versioned, ...(partsCount !== undefined ? { partsCount } : {}) };
    } catch (e) {
      if (e instanceof BlobRangeError) throw InvalidRange(opts.range!, record.size);
      throw e;
    }
  }

  /**
   * An object's plaintext body, or the inclusive range of it (already checked against its size):
   * a sealed body is decrypted chunk by chunk, a body stored before encryption is read as it is.
   */
  async openBody(record: ObjectRecord, range?: { start: number; end: number }): Promise<Readable | Buffer> {
    if (record.body) {
      if (record.sse) return this.crypto.openBuffer(record.body, record.size, range);
      return range ? record.body.subarray(range.start, range.end + 1) : record.body;
    }
    if (record.sse) return this.crypto.openSealed(this.blobs, record.blobId, record.size, range);
    return (await this.blobs.open(record.blobId, range)).stream;
  }

  /**
   * DELETE. Without a version id: removes the object (unversioned bucket) or inserts a delete
   * marker (versioned). With one: removes that version or marker for good.
   */
  async delete(caller: Caller, bucket: string, key: string, versionId?: string, bypassGovernance = false): Promise<DeleteResult> {
    const action = versionId === undefined ? 's3:DeleteObject' : 's3:DeleteObjectVersion';
    let removed: string[] = [];
    const result = await this.store.write(async (tx): Promise<DeleteResult> => {
      const b = this.buckets.authorize(caller, bucket, { action, key });
      if (versionId !== undefined) {
        // A locked version is not removed (a delete marker on top of it always may be added).
        const v = await findVersion(this.repo, bucket, key, versionId, tx);
        if (v && !v.deleteMarker && v.lock) checkDeletable(v.lock, this.clock.now(), bypassGovernance && this.mayBypass(caller, bucket, key));
        const r = await removeVersion(tx, this.repo, bucket, key, versionId);
        removed = r.removed;
        await this.events?.record(tx, caller, { name: 'ObjectRemoved:Delete', bucket, key, versionId });
        return { versionId, ...(r.deleteMarker ? { deleteMarker: true } : {}) };
      }
      if (b.versioning) {
        const r = await insertDeleteMarker(tx, this.repo, b.versioning, bucket, key, this.clock.now());
        removed = r.removed;
        await this.events?.record(tx, caller, { name: 'ObjectRemoved:DeleteMarkerCreated', bucket, key, ...(r.versionId ? { versionId: r.versionId } : {}) });
        return { versionId: r.versionId, deleteMarker: true };
      }
      const old = await this.repo.object(bucket, key, tx);
      if (!old) return {};
      await this.repo.deleteObject(tx, bucket, key);
      removed = [old.blobId];
      await this.events?.record(tx, caller, { name: 'ObjectRemoved:Delete', bucket, key });
      return {};
    });
    this.events?.kick();
    for (const id of removed) await this.removeBlob(id);
    return result;
  }

  /** Whether the caller may lift GOVERNANCE retention (s3:BypassGovernanceRetention). */
  mayBypass(caller: Caller, bucket: string, key: string): boolean {
    try {
      this.buckets.authorize(caller, bucket, { action: 's3:BypassGovernanceRetention', key });
      return true;
    } catch {
      return false;
    }
  }

  /** Refuses to delete a bucket that still holds objects (inside the deletion's write). */
  async assertEmpty(tx: Tx, bucket: string): Promise<void> {
    if (await this.repo.hasObjects(bucket, tx)) throw new BucketNotEmpty(bucket);
  }

  /**
   * Removes blobs nothing refers to (crash leftovers). Run at startup, before requests are
   * taken: with no grace period, a blob written by a request in flight but not yet committed
   * would look unreferenced. `alsoReferenced` covers blobs other parts of S3 hold (multipart).
   */
  async sweep(alsoReferenced: (id: string) => Promise<boolean> = async () => false): Promise<void> {
    try {
      const r = await this.blobs.sweep(async (id) => (await this.repo.blobReferenced(id)) || alsoReferenced(id), 0);
      if (r.removed) this.log.info('removed unreferenced object bodies', { removed: r.removed });
    } catch (e) {
      this.log.error('blob sweep failed', { error: e instanceof Error ? e.stack : String(e) });
    }
  }

  private async removeBlob(id: string): Promise<void> {
    if (!id) return; // an inline body went with its row
    try {
      await this.blobs.remove(id);
    } catch (e) {
      // A body that could not be removed is swept at the next start.
      this.log.warn('could not remove a replaced object body', { id, error: String(e) });
    }
  }
}

/**
 * An If-Match / If-None-Match list (`"a", "b"`, `*`, quoted or not, maybe weak `W/"a"`) against
 * an object's quoted ETag; the x-amz-copy-source-if-* conditions of a copy compare the same way.
 */
export function etagMatches(header: string, etag: string): boolean {
  return header.split(',').some((t) => {
    const given = t.trim();
    if (given === '*') return true;
    // A weak tag (W/"...") names the same entity: S3's ETags are all strong. `W/*` is no tag.
    const tag = given.replace(/^W\//, '');
    return tag !== '*' && (tag === etag || `"${tag}"` === etag);
  });
}

/** RFC 7232 as S3 applies it: If-Match wins over If-Unmodified-Since, If-None-Match over If-Modified-Since. */
function checkConditions(record: ObjectRecord, c: Conditions): void {
  const modified = Math.floor(record.lastModified / 1000) * 1000;
  const since = (h: string | undefined) => (h === undefined ? NaN : Date.parse(h));
  if (c.ifMatch !== undefined) {
    if (!etagMatches(c.ifMatch, record.etag)) throw PreconditionFailed('If-Match');
  } else if (c.ifUnmodifiedSince !== undefined && modified > since(c.ifUnmodifiedSince)) {
    // (An unparseable date compares false: the condition is ignored, as HTTP says.)
    throw PreconditionFailed('If-Unmodified-Since');
  }
  if (c.ifNoneMatch !== undefined) {
    if (etagMatches(c.ifNoneMatch, record.etag)) throw NotModified(record.etag, record.lastModified);
  } else if (c.ifModifiedSince !== undefined && !Number.isNaN(since(c.ifModifiedSince)) && !(modified > since(c.ifModifiedSince))) {
    throw NotModified(record.etag, record.lastModified);
  }
}

/**
 * GET/HEAD by partNumber: that part's bytes of a multipart object (with its part count); part 1
 * of an object uploaded in one piece is all of it. Any other part is InvalidPartNumber.
 */
function partRange(record: ObjectRecord, partNumber: number): { range: { start: number; end: number } | undefined; partsCount?: number } {
  const sizes = record.parts ?? [record.size];
  if (partNumber > sizes.length) throw InvalidPartNumber();
  if (record.size === 0) return { range: undefined, ...(record.parts ? { partsCount: sizes.length } : {}) };
  const start = sizes.slice(0, partNumber - 1).reduce((n, s) => n + s, 0);
  return { range: { start, end: start + sizes[partNumber - 1]! - 1 }, ...(record.parts ? { partsCount: sizes.length } : {}) };
}

/** One `bytes=` range as S3 takes it; a header it cannot parse is ignored (the whole object). */
export function parseRange(header: string, size: number): { start: number; end: number } | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) throw InvalidRange(header, size);
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) throw InvalidRange(header, size);
  return { start, end };
}
