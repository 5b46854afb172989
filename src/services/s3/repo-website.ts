/**
 * Storage interface of website configurations, one per bucket (JSON text). Writes take their
 * write's transaction first; a read inside a write takes it last.
 */
import type { Tx } from '../../store/store.js';

export interface S3WebsiteRepo {
  config(bucket: string, tx?: Tx): Promise<string | undefined>;
  /** Stores a bucket's configuration, or with undefined removes it. */
  setConfig(tx: Tx, bucket: string, config: string | undefined): Promise<void>;
}
