/**
 * Storage interface of bucket lifecycle configurations. As with bucket tags, created_at ties a
 * configuration to one life of its bucket: a deleted bucket's leftover row never applies to a
 * new bucket of the same name (the sweeper removes such rows). Writes take their write's
 * transaction first; a read inside a write takes it last.
 */
import type { Tx } from '../../store/store.js';
import type { LifecycleConfig } from './engine/lifecycle.js';

export interface StoredLifecycle {
  bucket: string;
  createdAt: number;
  config: LifecycleConfig;
}

export interface S3LifecycleRepo {
  /** The configuration of the bucket created at `createdAt`, if it has one. */
  get(bucket: string, createdAt: number, tx?: Tx): Promise<LifecycleConfig | undefined>;
  put(tx: Tx, bucket: string, createdAt: number, config: LifecycleConfig): Promise<void>;
  delete(tx: Tx, bucket: string): Promise<void>;
  /** Whether any configuration is stored (the sweeper sleeps while none is). */
  any(): Promise<boolean>;
  /** Every stored configuration (stale ones of deleted buckets included), by bucket name. */
  all(): Promise<StoredLifecycle[]>;
}
