/**
 * Object lock (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html): a
 * version under a legal hold, or retained until a date (GOVERNANCE: the bypass header lifts it;
 * COMPLIANCE: nothing does), cannot be deleted; its retention can be lengthened, not shortened
 * (GOVERNANCE: not without the bypass). Locks apply to versions: a delete marker or a new version
 * can always be added on top. Retention is judged on the injected clock.
 */
import { AccessDenied, InvalidArgument, InvalidRequest, MalformedXML, s3Error } from '../errors.js';
import type { ObjectLock } from '../repo.js';
import type { BucketSettingsRecord, ObjectLockRule } from '../repo-settings.js';

export const LOCK_MODES = ['GOVERNANCE', 'COMPLIANCE'] as const;
export type LockMode = (typeof LOCK_MODES)[number];
const DAY_MS = 24 * 60 * 60 * 1000;

export const ObjectLocked = () => new AccessDenied('Access Denied because object protected by object lock.');
export const MissingLockConfiguration = () => InvalidRequest('Bucket is missing Object Lock Configuration');
export const NoSuchObjectLockConfiguration = () => s3Error('NoSuchObjectLockConfiguration', 404, 'The specified object does not have a ObjectLock configuration');
export const ObjectLockConfigurationNotFound = (bucket: string) =>
  s3Error('ObjectLockConfigurationNotFoundError', 404, 'Object Lock configuration does not exist for this bucket', { BucketName: bucket });
export const InvalidBucketState = (message: string) => s3Error('InvalidBucketState', 409, message);
const PastDate = () => InvalidArgument('The retain until date must be in the future!', 'RetainUntilDate', '');

/** Whether the bucket was created with (or given) object lock. */
export const lockEnabled = (s: BucketSettingsRecord | undefined): boolean => s?.objectLock?.enabled === true;

/** Whether a version's retention is in force now. */
export function retained(lock: ObjectLock | undefined, now: number): boolean {
  return lock?.mode !== undefined && lock.retainUntil !== undefined && lock.retainUntil > now;
}

/**
 * Refuses the permanent deletion of a locked version: a legal hold, COMPLIANCE retention, or
 * GOVERNANCE retention without the bypass.
 */
export function checkDeletable(lock: ObjectLock | undefined, now: number, bypassGovernance: boolean): void {
  if (lock?.legalHold) throw ObjectLocked();
  if (retained(lock, now) && !(lock!.mode === 'GOVERNANCE' && bypassGovernance)) throw ObjectLocked();
}

/** An ISO 8601 date as S3 takes one (x-amz-object-lock-retain-until-date, RetainUntilDate). */
function parseDate(value: string): number {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw InvalidArgument('The retain until date must be provided in ISO 8601 format', 'x-amz-object-lock-retain-until-date', value);
  return t;
}

/** The default retention's end for a version written now. */
function defaultUntil(rule: ObjectLockRule, now: number): number {
  return now + (rule.days !== undefined ? rule.days * DAY_MS : rule.years! * 365 * DAY_MS);
}

/**
 * The lock of a new version (PutObject, CopyObject, CreateMultipartUpload, POST): the request's
 * x-amz-object-lock-* headers, else the bucket's default retention; none in a bucket without lock.
 */
export function lockForWrite(headers: Record<string, string | undefined>, settings: BucketSettingsRecord | undefined, now: number): ObjectLock | undefined {
  const mode = headers['x-amz-object-lock-mode'];
  const until = headers['x-amz-object-lock-retain-until-date'];
  const hold = headers['x-amz-object-lock-legal-hold'];
  const asked = mode !== undefined || until !== undefined || hold !== undefined;
  if (!lockEnabled(settings)) {
    if (asked) throw MissingLockConfiguration();
    return undefined;
  }
  if ((mode === undefined) !== (until === undefined)) {
    throw InvalidArgument('x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied', 'x-amz-object-lock-mode', mode ?? '');
  }
  if (mode !== undefined && !(LOCK_MODES as readonly string[]).includes(mode)) throw InvalidArgument('Unknown wormMode directive.', 'x-amz-object-lock-mode', mode);
  if (hold !== undefined && hold !== 'ON' && hold !== 'OFF') throw InvalidArgument('Legal Hold must be either of ON or OFF', 'x-amz-object-lock-legal-hold', hold);
  const lock: ObjectLock = {};
  if (mode !== undefined) {
    const t = parseDate(until!);
    if (t <= now) throw PastDate();
    lock.mode = mode as LockMode;
    lock.retainUntil = t;
  } else if (settings!.objectLock!.rule) {
    lock.mode = settings!.objectLock!.rule.mode;
    lock.retainUntil = defaultUntil(settings!.objectLock!.rule, now);
  }
  if (hold === 'ON') lock.legalHold = true;
  return Object.keys(lock).length ? lock : undefined;
}

/**
 * A new retention for a version (PutObjectRetention): a COMPLIANCE retention in force can only
 * be lengthened, in the same mode; a GOVERNANCE one only lengthened unless the bypass is given.
 * An empty Retention removes it (GOVERNANCE with the bypass, or one no longer in force).
 */
export function changeRetention(
  old: ObjectLock | undefined,
  next: { mode?: string; until?: string } | undefined,
  now: number,
  bypassGovernance: boolean,
): ObjectLock {
  let mode: LockMode | undefined;
  let until: number | undefined;
  if (next && (next.mode !== undefined || next.until !== undefined)) {
    if (next.mode === undefined || next.until === undefined) throw MalformedXML();
    if (!(LOCK_MODES as readonly string[]).includes(next.mode)) throw MalformedXML();
    mode = next.mode as LockMode;
    until = parseDate(next.until);
    if (until <= now) throw PastDate();
  }
  if (retained(old, now)) {
    const lengthens = mode === old!.mode && until !== undefined && until >= old!.retainUntil!;
    if (!lengthens && !(old!.mode === 'GOVERNANCE' && bypassGovernance)) throw ObjectLocked();
  }
  const { mode: _m, retainUntil: _u, ...rest } = old ?? {};
  return mode === undefined ? rest : { ...rest, mode, retainUntil: until };
}

/** The x-amz-object-lock-* headers of GET and HEAD answers. */
export function lockHeaders(lock: ObjectLock | undefined): Record<string, string> {
  if (!lock) return {};
  const h: Record<string, string> = {};
  if (lock.mode && lock.retainUntil !== undefined) {
    h['x-amz-object-lock-mode'] = lock.mode;
    h['x-amz-object-lock-retain-until-date'] = new Date(lock.retainUntil).toISOString();
  }
  if (lock.legalHold !== undefined) h['x-amz-object-lock-legal-hold'] = lock.legalHold ? 'ON' : 'OFF';
  return h;
}

/** A default retention rule from an ObjectLockConfiguration document, checked as S3 checks it. */
export function parseRule(rule: { DefaultRetention?: { Mode?: string; Days?: number; Years?: number } } | undefined): ObjectLockRule | undefined {
  if (rule === undefined) return undefined;
  const d = rule.DefaultRetention;
  if (!d || d.Mode === undefined || (d.Days === undefined) === (d.Years === undefined)) throw MalformedXML();
  if (!(LOCK_MODES as readonly string[]).includes(d.Mode)) throw MalformedXML();
  const n = d.Days ?? d.Years!;
  if (!Number.isInteger(n) || n <= 0) throw s3Error('InvalidRetentionPeriod', 400, 'Default retention period must be a positive integer value');
  return { mode: d.Mode as LockMode, ...(d.Days !== undefined ? { days: d.Days } : { years: d.Years! }) };
}
