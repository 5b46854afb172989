/**
 * Bucket settings kept beside the bucket's row (default encryption, object lock), read on
 * every object write: held in memory, loaded through the store's cache registry
 * (`s3.bucketSettings`) and kept in step by this engine's writes. A row applies only to the
 * bucket created at its `createdAt`: a namesake created later starts with S3's defaults.
 */
import type { Store, Tx } from '../../../store/store.js';
import type { BucketSettingsRecord, S3SettingsRepo } from '../repo-settings.js';
import type { Buckets, Caller } from './buckets.js';

export class BucketSettings {
  private byName = new Map<string, BucketSettingsRecord>();

  constructor(
    private readonly repo: S3SettingsRepo,
    private readonly buckets: Buckets,
    private readonly store: Store,
  ) {}

  async reload(): Promise<void> {
    this.byName = new Map((await this.repo.all()).map((s) => [s.bucket, s]));
  }

  /** The settings of the bucket of this name as it is now (S3's defaults when none were set). */
  get(bucket: string): BucketSettingsRecord | undefined {
    const b = this.buckets.find(bucket);
    const s = this.byName.get(bucket);
    return b && s && s.createdAt === b.createdAt ? s : undefined;
  }

  /** Changes the caller's own bucket's settings in one commit (AccessDenied for another account's). */
  async update(caller: Caller, bucket: string, change: (s: BucketSettingsRecord) => BucketSettingsRecord): Promise<BucketSettingsRecord> {
    return this.store.write(async (tx) => this.updateIn(tx, caller, bucket, change));
  }

  async updateIn(tx: Tx, caller: Caller, bucket: string, change: (s: BucketSettingsRecord) => BucketSettingsRecord): Promise<BucketSettingsRecord> {
    const b = await this.buckets.ownedIn(tx, caller, bucket);
    const current = this.byName.get(bucket);
    const base: BucketSettingsRecord = current && current.createdAt === b.createdAt ? current : { bucket, createdAt: b.createdAt };
    const next = change(base);
    await this.repo.put(tx, next);
    this.byName.set(bucket, next);
    return next;
  }
}
