/**
 * Bucket lifecycle configurations and the expiration they drive
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html).
 *
 * A sweeper runs on the injected clock every `intervalMs` while any bucket has a configuration
 * (S3 evaluates once a day; here a rule acts at the first sweep after its time has come) and
 * applies each enabled rule to the objects its filter selects:
 * - Expiration Days/Date: current objects expire Days after LastModified, the time rounded up
 *   to the next midnight UTC as S3 rounds it, or once Date has passed. In an unversioned bucket
 *   they are deleted; in a versioned one a delete marker is added (Objects.delete without a
 *   version id). With Days, a delete marker that is a key's only version is removed once it is
 *   that old too (S3's implied ExpiredObjectDeleteMarker cleanup).
 * - ExpiredObjectDeleteMarker: a delete marker that is its key's only version is removed.
 * - NoncurrentVersionExpiration: a noncurrent version (or marker) is removed for good
 *   NoncurrentDays (rounded likewise) after it became noncurrent, i.e. after its successor was
 *   written, keeping the NewerNoncurrentVersions newest noncurrent versions.
 * - AbortIncompleteMultipartUpload: uploads initiated DaysAfterInitiation (rounded) ago are aborted.
 * Every removal goes through the Objects and Multipart engines (blobs removed after the commit),
 * acting as the bucket owner. Transitions are kept and returned, never applied.
 */
import type { Clock, Timer } from '../../../lib/clock.js';
import type { Logger } from '../../../lib/log.js';
import type { Store } from '../../../store/store.js';
import { NoSuchLifecycleConfiguration } from '../errors.js';
import type { BucketRecord, ObjectRecord, S3ObjectRepo, VersionRecord } from '../repo.js';
import type { S3LifecycleRepo } from '../repo-lifecycle.js';
import type { Buckets, Caller } from './buckets.js';
import type { Multipart } from './multipart.js';
import type { Objects } from './objects.js';
import { versionIdOf } from './versions.js';
import { retained } from './object-lock.js';

export interface LifecycleTag {
  Key: string;
  Value: string;
}

export interface LifecycleFilter {
  Prefix?: string;
  Tag?: LifecycleTag;
  ObjectSizeGreaterThan?: number;
  ObjectSizeLessThan?: number;
  And?: { Prefix?: string; Tags?: LifecycleTag[]; ObjectSizeGreaterThan?: number; ObjectSizeLessThan?: number };
}

/** A rule as S3 returns it (the wire form, numbers as numbers, Date as ISO text). */
/** The storage classes a lifecycle transition may name (S3's TransitionStorageClass). */
export const TRANSITION_STORAGE_CLASSES = ['DEEP_ARCHIVE', 'GLACIER', 'GLACIER_IR', 'INTELLIGENT_TIERING', 'ONEZONE_IA', 'STANDARD_IA'] as const;
export type TransitionStorageClass = (typeof TRANSITION_STORAGE_CLASSES)[number];
/** The values of x-amz-transition-default-minimum-object-size. */
export const TRANSITION_DEFAULT_MINIMUM_OBJECT_SIZES = ['all_storage_classes_128K', 'varies_by_storage_class'] as const;

export interface LifecycleRule {
  ID: string;
  Status: 'Enabled' | 'Disabled';
  /** The legacy top-level prefix (then there is no Filter). */
  Prefix?: string;
  Filter?: LifecycleFilter;
  Expiration?: { Date?: string; Days?: number; ExpiredObjectDeleteMarker?: boolean };
  Transitions?: Array<{ Date?: string; Days?: number; StorageClass?: TransitionStorageClass }>;
  NoncurrentVersionTransitions?: Array<{ NoncurrentDays?: number; NewerNoncurrentVersions?: number; StorageClass?: TransitionStorageClass }>;
  NoncurrentVersionExpiration?: { NoncurrentDays: number; NewerNoncurrentVersions?: number };
  AbortIncompleteMultipartUpload?: { DaysAfterInitiation: number };
}

export interface LifecycleConfig {
  rules: LifecycleRule[];
  /** x-amz-transition-default-minimum-object-size, echoed (transitions are not applied). */
  transitionDefaultMinimumObjectSize: (typeof TRANSITION_DEFAULT_MINIMUM_OBJECT_SIZES)[number];
}

export const DAY_MS = 86_400_000;

/**
 * When an action `days` after `since` is due: S3 adds the days and rounds up to the next
 * midnight UTC (an object written 2014-01-15 10:30 with Days 3 expires 2014-01-19 00:00).
 */
export function dueAt(since: number, days: number): number {
  return (Math.floor(since / DAY_MS) + days + 1) * DAY_MS;
}

/** What a rule's filter selects: a key prefix, tags that must all be present, a size range. */
export interface Criteria {
  prefix: string;
  tags: LifecycleTag[];
  greaterThan?: number;
  lessThan?: number;
}

export function criteria(rule: LifecycleRule): Criteria {
  if (rule.Prefix !== undefined) return { prefix: rule.Prefix, tags: [] };
  const f = rule.Filter ?? {};
  if (f.And) return { prefix: f.And.Prefix ?? '', tags: f.And.Tags ?? [], greaterThan: f.And.ObjectSizeGreaterThan, lessThan: f.And.ObjectSizeLessThan };
  return { prefix: f.Prefix ?? '', tags: f.Tag ? [f.Tag] : [], greaterThan: f.ObjectSizeGreaterThan, lessThan: f.ObjectSizeLessThan };
}

/** Whether the filter selects an object or version (a delete marker has no size to compare). */
export function selects(c: Criteria, o: ObjectRecord, marker = false): boolean {
  if (!o.key.startsWith(c.prefix)) return false;
  if (!c.tags.every((t) => Object.hasOwn(o.tags, t.Key) && o.tags[t.Key] === t.Value)) return false;
  if (marker) return true;
  return (c.greaterThan === undefined || o.size > c.greaterThan) && (c.lessThan === undefined || o.size < c.lessThan);
}

export interface LifecycleDeps {
  repo: S3LifecycleRepo;
  buckets: Buckets;
  objects: Objects;
  objectRepo: S3ObjectRepo;
  multipart: Multipart;
  store: Store;
  clock: Clock;
  log: Logger;
  /** How often the sweep runs; default 60 s. */
  intervalMs?: number;
}

const BATCH = 500;

export class Lifecycle {
  private timer: Timer | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Asking the repo whether any configuration exists, before arming. */
  private arming = false;
  private wakeAgain = false;
  private readonly intervalMs: number;

  constructor(private readonly d: LifecycleDeps) {
    this.intervalMs = d.intervalMs ?? 60_000;
  }

  async get(caller: Caller, bucket: string): Promise<LifecycleConfig> {
    const b = this.d.buckets.owned(caller, bucket);
    const config = await this.d.repo.get(b.name, b.createdAt);
    if (!config) throw NoSuchLifecycleConfiguration(b.name);
    return config;
  }

  async put(caller: Caller, bucket: string, config: LifecycleConfig): Promise<void> {
    await this.d.store.write(async (tx) => {
      const b = await this.d.buckets.ownedIn(tx, caller, bucket);
      await this.d.repo.put(tx, b.name, b.createdAt, config);
    });
    this.configs.delete(bucket);
    this.wake();
  }

  async delete(caller: Caller, bucket: string): Promise<void> {
    await this.d.store.write(async (tx) => {
      const b = await this.d.buckets.ownedIn(tx, caller, bucket);
      await this.d.repo.delete(tx, b.name);
    });
    this.configs.delete(bucket);
  }

  /**
   * Each bucket's configuration as last read (null: none), for x-amz-expiration on every object
   * answer without a query each time; dropped when this node changes it, and when told to reload.
   */
  private readonly configs = new Map<string, { createdAt: number; config: LifecycleConfig | null }>();

  /** Forgets the cached configurations (after a rollback, or another node's change). */
  reload(): void {
    this.configs.clear();
  }

  /**
   * The x-amz-expiration header S3 gives an object a current-version expiration rule selects:
   * `expiry-date="<HTTP date>", rule-id="<ID>"` (the earliest, when several select it).
   */
  async expiration(o: ObjectRecord): Promise<string | undefined> {
    const b = this.d.buckets.find(o.bucket);
    if (!b) return undefined;
    let cached = this.configs.get(b.name);
    if (!cached || cached.createdAt !== b.createdAt) {
      cached = { createdAt: b.createdAt, config: (await this.d.repo.get(b.name, b.createdAt)) ?? null };
      if (this.configs.size > 10_000) this.configs.clear();
      this.configs.set(b.name, cached);
    }
    let best: { at: number; id: string } | undefined;
    for (const rule of cached.config?.rules ?? []) {
      const e = rule.Expiration;
      if (rule.Status !== 'Enabled' || !e || (e.Days === undefined && e.Date === undefined)) continue;
      if (!selects(criteria(rule), o)) continue;
      const at = e.Days !== undefined ? dueAt(o.lastModified, e.Days) : Date.parse(e.Date!);
      if (!Number.isNaN(at) && (!best || at < best.at)) best = { at, id: rule.ID };
    }
    return best && `expiry-date="${new Date(best.at).toUTCString()}", rule-id="${best.id}"`;
  }

  /** (Re)arms the sweep while some bucket has a configuration. */
  wake(): void {
    if (this.stopped || this.timer || this.running) return;
    // A wake while the repo is being asked may follow a configuration stored after it was asked.
    if (this.arming) {
      this.wakeAgain = true;
      return;
    }
    this.arming = true;
    this.d.repo.any().then(
      (any) => {
        this.arming = false;
        if (any) this.arm();
        else if (this.wakeAgain) this.wake();
        this.wakeAgain = false;
      },
      (e: unknown) => {
        this.arming = false;
        this.wakeAgain = false;
        this.d.log.warn('lifecycle sweep not armed', { error: String(e) });
      },
    );
  }

  private arm(): void {
    if (this.stopped || this.timer || this.running) return;
    this.timer = this.d.clock.at(this.d.clock.now() + this.intervalMs, () => {
      this.timer = undefined;
      void this.sweep();
    });
  }

  /** One pass over every configured bucket; resolves when the actions found due are done. */
  sweep(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.pass().finally(() => {
      this.running = undefined;
      this.wake();
    });
    return this.running;
  }

  /** Stops the timer and waits for a sweep in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    await this.running;
  }

  private async pass(): Promise<void> {
    for (const stored of await this.d.repo.all()) {
      const b = this.d.buckets.find(stored.bucket);
      // A configuration left by a deleted bucket applies to no later bucket of that name.
      if (!b || b.createdAt !== stored.createdAt) continue;
      for (const rule of stored.config.rules) {
        if (this.stopped) return;
        if (rule.Status !== 'Enabled') continue;
        try {
          await this.apply(b, rule, this.d.clock.now());
        } catch (e) {
          this.d.log.warn('lifecycle rule failed', { bucket: b.name, rule: rule.ID, error: e instanceof Error ? e.message : String(e) });
        }
      }
    }
  }

  private async apply(b: BucketRecord, rule: LifecycleRule, now: number): Promise<void> {
    const owner: Caller = { accountId: b.account, region: b.region };
    const c = criteria(rule);
    const exp = rule.Expiration;
    const date = exp?.Date === undefined ? undefined : Date.parse(exp.Date);
    const expired = (since: number) => (date !== undefined ? now >= date : exp?.Days !== undefined && now >= dueAt(since, exp.Days));
    if (exp?.Days !== undefined || date !== undefined) await this.expireCurrent(owner, b.name, c, expired);
    // With Days, S3 also removes lone delete markers once they are that old.
    const markers =
      exp?.ExpiredObjectDeleteMarker === true ? () => true : exp?.Days !== undefined ? (m: VersionRecord) => expired(m.lastModified) : undefined;
    if (markers || rule.NoncurrentVersionExpiration) await this.expireVersions(owner, b.name, c, now, rule.NoncurrentVersionExpiration, markers);
    if (rule.AbortIncompleteMultipartUpload) await this.abortUploads(owner, b.name, c.prefix, now, rule.AbortIncompleteMultipartUpload.DaysAfterInitiation);
  }

  /** Current objects: deleted, or (versioned bucket) hidden behind a new delete marker. */
  private async expireCurrent(owner: Caller, bucket: string, c: Criteria, expired: (since: number) => boolean): Promise<void> {
    let after: string | undefined;
    for (;;) {
      const page = await this.d.objectRepo.listObjects(bucket, { prefix: c.prefix, after, limit: BATCH });
      for (const o of page) {
        if (this.stopped) return;
        if (!selects(c, o) || !expired(o.lastModified)) continue;
        // The object may have been replaced since the page was read.
        const now = await this.d.objectRepo.object(bucket, o.key);
        if (!now || now.lastModified !== o.lastModified || now.versionId !== o.versionId) continue;
        await this.d.objects.delete(owner, bucket, o.key);
      }
      if (page.length < BATCH) return;
      after = page[page.length - 1]!.key;
    }
  }

  /** Noncurrent versions past NoncurrentDays, and delete markers left as a key's only version. */
  private async expireVersions(
    owner: Caller,
    bucket: string,
    c: Criteria,
    now: number,
    nve: LifecycleRule['NoncurrentVersionExpiration'],
    /** Undefined when the rule does not remove lone delete markers. */
    markers: ((marker: VersionRecord) => boolean) | undefined,
  ): Promise<void> {
    for await (const { key, rows } of this.keysWithVersions(bucket, c.prefix)) {
      if (this.stopped) return;
      const current = await this.d.objectRepo.object(bucket, key);
      // Without a current object, the newest row is the delete marker that is the latest version.
      const first = current ? 0 : 1;
      let remaining = rows.length;
      if (nve) {
        let successor = current ? current.lastModified : rows[0]!.lastModified;
        for (let i = first; i < rows.length; i++) {
          const v = rows[i]!;
          const noncurrentSince = successor;
          successor = v.lastModified;
          if (i - first < (nve.NewerNoncurrentVersions ?? 0)) continue;
          if (!selects(c, v, v.deleteMarker) || now < dueAt(noncurrentSince, nve.NoncurrentDays)) continue;
          // A version under object lock stays until its lock ends (the next run looks again).
          if (v.lock && (v.lock.legalHold || retained(v.lock, now))) continue;
          await this.d.objects.delete(owner, bucket, key, versionIdOf(v));
          remaining--;
        }
      }
      const marker = rows[0]!;
      if (markers && !current && remaining === 1 && marker.deleteMarker && selects(c, marker, true) && markers(marker)) {
        await this.d.objects.delete(owner, bucket, key, versionIdOf(marker));
      }
    }
  }

  /** A bucket's keys with noncurrent versions or markers, each with its rows newest first. */
  private async *keysWithVersions(bucket: string, prefix: string): AsyncGenerator<{ key: string; rows: VersionRecord[] }> {
    let pos: { afterKey?: string; beforeSeq?: number } = {};
    let key: string | undefined;
    let rows: VersionRecord[] = [];
    for (;;) {
      const page = await this.d.objectRepo.listVersions(bucket, { prefix, ...pos, limit: BATCH });
      for (const v of page) {
        if (v.key !== key) {
          if (key !== undefined) yield { key, rows };
          key = v.key;
          rows = [];
        }
        rows.push(v);
      }
      if (page.length < BATCH) break;
      const last = page[page.length - 1]!;
      pos = { afterKey: last.key, beforeSeq: last.seq };
    }
    if (key !== undefined) yield { key, rows };
  }

  private async abortUploads(owner: Caller, bucket: string, prefix: string, now: number, days: number): Promise<void> {
    // Found first, aborted after: the listing's markers must name uploads that still exist.
    const due: Array<{ key: string; uploadId: string }> = [];
    let marker: { key: string; uploadId: string } | undefined;
    for (;;) {
      const page = await this.d.multipart.listUploads(owner, bucket, { prefix, keyMarker: marker?.key, uploadIdMarker: marker?.uploadId, max: BATCH });
      for (const u of page.uploads) if (now >= dueAt(u.initiated, days)) due.push({ key: u.key, uploadId: u.uploadId });
      if (!page.truncated || !page.next) break;
      marker = page.next;
    }
    for (const u of due) {
      if (this.stopped) return;
      try {
        await this.d.multipart.abort(owner, bucket, u.key, u.uploadId);
      } catch (e) {
        // Completed or aborted meanwhile.
        this.d.log.debug('lifecycle abort skipped', { bucket, uploadId: u.uploadId, error: String(e) });
      }
    }
  }
}
