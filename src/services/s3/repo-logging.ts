/**
 * Storage interface of bucket logging configurations (PutBucketLogging). As with bucket tags,
 * created_at ties a configuration to one life of its bucket: a deleted bucket's leftover row
 * never applies to a new bucket of the same name. Writes take their write's transaction first.
 */
import type { Tx } from '../../store/store.js';
import type { LoggingConfig } from './engine/logging.js';

export interface StoredLogging {
  bucket: string;
  createdAt: number;
  config: LoggingConfig;
}

export interface S3LoggingRepo {
  /** Every stored configuration (the engine keeps them in memory). */
  all(): Promise<StoredLogging[]>;
  put(tx: Tx, bucket: string, createdAt: number, config: LoggingConfig): Promise<void>;
  delete(tx: Tx, bucket: string): Promise<void>;
}
