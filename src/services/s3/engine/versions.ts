/**
 * Versioning's bookkeeping, run inside the caller's store.write so that every change (a new
 * version, a delete marker, a version removed, a noncurrent version promoted) is one commit.
 *
 * The invariant: the objects table holds a key's latest version unless that is a delete marker;
 * every other version and marker of the key is in the versions table, ordered by seq. So reads
 * and listings of current objects stay what they were for unversioned buckets, and a key's
 * newest row in the versions table is the latest version exactly when no current object exists.
 *
 * Functions return the blobs their change made unreferenced; the caller removes them after the
 * commit (a crash in between leaves blobs the startup sweep removes).
 */
import { randomIds } from '../../../lib/ids.js';
import { S3ErrorWithHeaders } from '../errors.js';
import type { ObjectRecord, S3ObjectRepo, VersioningState, VersionRecord } from '../repo.js';

/** How S3 names the version of objects written while versioning was off or suspended. */
export const NULL_VERSION = 'null';

let lastMs = 0;
let counter = 0;

/**
 * A new version id: URL-safe, unique (random tail), and sortable by creation within this
 * process (hex milliseconds, then a counter), which makes them easy to read in listings.
 */
export function newVersionId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else counter++;
  return `${lastMs.toString(16).padStart(12, '0')}${counter.toString(16).padStart(4, '0')}${randomIds.token(12)}`;
}

/** The id S3 reports for a record: its own, or "null". */
export const versionIdOf = (r: { versionId?: string }): string => r.versionId ?? NULL_VERSION;

/** A version id from a request ("null" names the null version) as records hold it. */
export const recordVersionId = (id: string): string | undefined => (id === NULL_VERSION ? undefined : id);

function archive(repo: S3ObjectRepo, old: ObjectRecord): void {
  repo.putVersion({ ...old, deleteMarker: false, seq: repo.nextSeq(old.bucket, old.key) });
}

/**
 * Makes room for a new latest version: the current object is archived as noncurrent, except
 * that in a suspended bucket the null version (current or not) is replaced, and its body goes.
 */
function displaceCurrent(repo: S3ObjectRepo, state: VersioningState, bucket: string, key: string, keepBlob?: string): string[] {
  const removed: string[] = [];
  const old = repo.object(bucket, key);
  if (state === 'Suspended') {
    const noncurrentNull = repo.version(bucket, key, undefined);
    if (noncurrentNull) {
      repo.deleteVersion(bucket, key, undefined);
      if (!noncurrentNull.deleteMarker) removed.push(noncurrentNull.blobId);
    }
  }
  if (old) {
    if (state === 'Suspended' && old.versionId === undefined) {
      if (old.blobId !== keepBlob) removed.push(old.blobId);
    } else archive(repo, old);
    repo.deleteObject(bucket, key);
  }
  return removed;
}

/** PUT, copy or multipart completion into a bucket with versioning configured. */
export function putVersioned(repo: S3ObjectRepo, state: VersioningState, record: ObjectRecord, now: number): { record: ObjectRecord; removed: string[] } {
  const removed = displaceCurrent(repo, state, record.bucket, record.key, record.blobId);
  const placed: ObjectRecord = { ...record };
  if (state === 'Enabled') placed.versionId = newVersionId(now);
  else delete placed.versionId;
  repo.putObject(placed);
  return { record: placed, removed };
}

/** DELETE without a version id in a versioned bucket: a delete marker becomes the latest version. */
export function insertDeleteMarker(repo: S3ObjectRepo, state: VersioningState, bucket: string, key: string, now: number): { versionId: string; removed: string[] } {
  const removed = displaceCurrent(repo, state, bucket, key);
  const versionId = state === 'Enabled' ? newVersionId(now) : undefined;
  repo.putVersion({
    bucket,
    key,
    ...(versionId !== undefined ? { versionId } : {}),
    deleteMarker: true,
    blobId: '',
    size: 0,
    etag: '',
    lastModified: now,
    headers: {},
    metadata: {},
    checksums: {},
    tags: {},
    seq: repo.nextSeq(bucket, key),
  });
  return { versionId: versionId ?? NULL_VERSION, removed };
}

/**
 * DELETE with a version id: removes that version or marker for good. If it was the latest,
 * the next newest becomes current (moved back to the objects table unless it is a marker).
 * A version that does not exist is no error: S3 reports it deleted (DeleteObjects does too).
 */
export function removeVersion(repo: S3ObjectRepo, bucket: string, key: string, versionId: string): { found: boolean; deleteMarker: boolean; removed: string[] } {
  const id = recordVersionId(versionId);
  const current = repo.object(bucket, key);
  if (current && current.versionId === id) {
    repo.deleteObject(bucket, key);
    promoteNewest(repo, bucket, key);
    return { found: true, deleteMarker: false, removed: [current.blobId] };
  }
  const v = repo.version(bucket, key, id);
  if (!v) return { found: false, deleteMarker: false, removed: [] };
  repo.deleteVersion(bucket, key, id);
  if (!current) promoteNewest(repo, bucket, key);
  return { found: true, deleteMarker: v.deleteMarker, removed: v.deleteMarker ? [] : [v.blobId] };
}

function promoteNewest(repo: S3ObjectRepo, bucket: string, key: string): void {
  const top = repo.latestVersion(bucket, key);
  if (!top || top.deleteMarker) return;
  repo.deleteVersion(bucket, key, top.versionId);
  repo.putObject(toObject(top));
}

export function toObject(v: VersionRecord): ObjectRecord {
  const { deleteMarker: _m, seq: _s, ...record } = v;
  return record;
}

/** A version by id (current or not), or undefined. */
export function findVersion(repo: S3ObjectRepo, bucket: string, key: string, versionId: string): (ObjectRecord & { deleteMarker?: boolean; current: boolean }) | undefined {
  const id = recordVersionId(versionId);
  const current = repo.object(bucket, key);
  if (current && current.versionId === id) return { ...current, current: true };
  const v = repo.version(bucket, key, id);
  return v && { ...v, current: false };
}

/** When a key has no current object: the delete marker that is its latest version, if any. */
export function latestDeleteMarker(repo: S3ObjectRepo, bucket: string, key: string): VersionRecord | undefined {
  const top = repo.latestVersion(bucket, key);
  return top?.deleteMarker ? top : undefined;
}

/**
 * A key whose latest version is a delete marker: 404 NoSuchKey. GET, HEAD and
 * GetObjectAttributes (`markerHeaders`) mark it as such in their answer's headers.
 */
export function deletedKey(key: string, marker: VersionRecord, markerHeaders: boolean): S3ErrorWithHeaders {
  const headers: Record<string, string> = markerHeaders ? { 'x-amz-delete-marker': 'true', 'x-amz-version-id': versionIdOf(marker) } : {};
  return new S3ErrorWithHeaders('NoSuchKey', 404, 'The specified key does not exist.', { Key: key }, headers);
}

/** A delete marker asked for by its id: 405, as S3 answers (a marker has nothing to read); GET, HEAD and GetObjectAttributes say so in headers. */
export function markerNotReadable(method: string, marker: ObjectRecord, markerHeaders: boolean): S3ErrorWithHeaders {
  const headers: Record<string, string> = markerHeaders
    ? { 'x-amz-delete-marker': 'true', 'x-amz-version-id': versionIdOf(marker), 'last-modified': new Date(marker.lastModified).toUTCString(), allow: 'DELETE' }
    : {};
  return new S3ErrorWithHeaders('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.', { Method: method, ResourceType: 'DeleteMarker' }, headers);
}
