/**
 * Storage interface of the bucket settings kept beside the bucket's row: default encryption
 * and object lock. Each row is tied to the creation time of the bucket it belongs to, so a
 * bucket deleted and created again never inherits its namesake's settings. Writes take their
 * write's transaction first.
 */
import type { Tx } from '../../store/store.js';
import type { BucketEncryption } from './engine/sse.js';

export interface ObjectLockRule {
  mode: 'GOVERNANCE' | 'COMPLIANCE';
  days?: number;
  years?: number;
}

export interface BucketSettingsRecord {
  bucket: string;
  createdAt: number;
  /** PutBucketEncryption's rule; absent: SSE-S3, S3's default. */
  encryption?: BucketEncryption;
  /** Set when the bucket was created with object lock (which cannot be turned off). */
  objectLock?: { enabled: true; rule?: ObjectLockRule };
}

export interface S3SettingsRepo {
  all(): Promise<BucketSettingsRecord[]>;
  put(tx: Tx, s: BucketSettingsRecord): Promise<void>;
}
