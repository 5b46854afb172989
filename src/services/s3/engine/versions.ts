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
import type { Tx } from '../../../store/store.js';
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

/**
 * Makes room for a new latest version: the current object (`old`, read in this write) is
 * archived as noncurrent, except that in a suspended bucket the null version (current or not)
 * is replaced, and its body goes.
 */
async function displaceCurrent(
  tx: Tx,
  repo: S3ObjectRepo,
  state: VersioningState,
  bucket: string,
  key: string,
  old: ObjectRecord | undefined,
  keepBlob?: string,
): Promise<string[]> {
  const removed: string[] = [];
  if (state === 'Suspended') {
    const noncurrentNull = await repo.version(bucket, key, undefined, tx);
    if (noncurrentNull) {
      await repo.deleteVersion(tx, bucket, key, undefined);
      if (!noncurrentNull.deleteMarker) removed.push(noncurrentNull.blobId);
    }
  }
  if (old) {
    if (state === 'Suspended' && old.versionId === undefined) {
      if (old.blobId !== keepBlob) removed.push(old.blobId);
    } else await repo.appendVersion(tx, { ...old, deleteMarker: false });
    await repo.deleteObject(tx, bucket, key);
  }
  return removed;
}

/**
 * PUT, copy or multipart completion into a bucket with versioning configured; `old` is the
 * key's current object as the write read it.
 */
export async function putVersioned(
  tx: Tx,
  repo: S3ObjectRepo,
  state: VersioningState,
  record: ObjectRecord,
  now: number,
  old: ObjectRecord | undefined,
): Promise<{ record: ObjectRecord; removed: string[] }> {
  const removed = await displaceCurrent(tx, repo, state, record.bucket, record.key, old, record.blobId);
  const placed: ObjectRecord = { ...record };
  if (state === 'Enabled') placed.versionId = newVersionId(now);
  else delete placed.versionId;
  await repo.putObject(tx, placed);
  return { record: placed, removed };
}

/** DELETE without a version id in a versioned bucket: a delete marker becomes the latest version. */
export async function insertDeleteMarker(
  tx: Tx,
  repo: S3ObjectRepo,
  state: VersioningState,
  bucket: string,
  key: string,
  now: number,
): Promise<{ versionId: string; removed: string[] }> {
  const removed = await displaceCurrent(tx, repo, state, bucket, key, await repo.object(bucket, key, tx));
  const versionId = state === 'Enabled' ? newVersionId(now) : undefined;
  await repo.appendVersion(tx, {
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
  });
  return { versionId: versionId ?? NULL_VERSION, removed };
}

/**
 * DELETE with a version id: removes that version or marker for good. If it was the latest,
 * the next newest becomes current (moved back to the objects table unless it is a marker).
 * A version that does not exist is no error: S3 reports it deleted (DeleteObjects does too).
 */
export async function removeVersion(
  tx: Tx,
  repo: S3ObjectRepo,
  bucket: string,
  key: string,
  versionId: string,
): Promise<{ found: boolean; deleteMarker: boolean; removed: string[] }> {
  const id = recordVersionId(versionId);
  const current = await repo.object(bucket, key, tx);
  if (current && current.versionId === id) {
    await repo.deleteObject(tx, bucket, key);
    await promoteNewest(tx, repo, bucket, key);
    return { found: true, deleteMarker: false, removed: [current.blobId] };
  }
  const v = await repo.version(bucket, key, id, tx);
  if (!v) return { found: false, deleteMarker: false, removed: [] };
  await repo.deleteVersion(tx, bucket, key, id);
  if (!current) await promoteNewest(tx, repo, bucket, key);
  return { found: true, deleteMarker: v.deleteMarker, removed: v.deleteMarker ? [] : [v.blobId] };
}

async function promoteNewest(tx: Tx, repo: S3ObjectRepo, bucket: string, key: string): Promise<void> {
  const top = await repo.latestVersion(bucket, key, tx);
  if (!top || top.deleteMarker) return;
  await repo.deleteVersion(tx, bucket, key, top.versionId);
  await repo.putObject(tx, toObject(top));
}

export function toObject(v: VersionRecord): ObjectRecord {
  const { deleteMarker: _m, seq: _s, ...record } = v;
  return record;
}

/** A version by id (current or not), or undefined. */
export async function findVersion(
  repo: S3ObjectRepo,
  bucket: string,
  key: string,
  versionId: string,
  tx?: Tx,
): Promise<(ObjectRecord & { deleteMarker?: boolean; current: boolean }) | undefined> {
  const id = recordVersionId(versionId);
  const current = await repo.object(bucket, key, tx);
  if (current && current.versionId === id) return { ...current, current: true };
  const v = await repo.version(bucket, key, id, tx);
  return v && { ...v, current: false };
}

/** When a key has no current object: the delete marker that is its latest version, if any. */
export async function latestDeleteMarker(repo: S3ObjectRepo, bucket: string, key: string, tx?: Tx): Promise<VersionRecord | undefined> {
  const top = await repo.latestVersion(bucket, key, tx);
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
