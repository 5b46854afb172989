/**
 * Storage interface of bucket tag sets. A set is stored with the creation time of the bucket
 * it belongs to, so a bucket deleted and created again never shows its namesake's tags.
 * Writes take their write's transaction first; a read inside a write takes it last.
 */
import type { Tx } from '../../store/store.js';

export interface S3ExtrasRepo {
  /** The tag set of the bucket created at `createdAt`, if it has one. */
  bucketTags(bucket: string, createdAt: number, tx?: Tx): Promise<Record<string, string> | undefined>;
  putBucketTags(tx: Tx, bucket: string, createdAt: number, tags: Record<string, string>): Promise<void>;
  deleteBucketTags(tx: Tx, bucket: string): Promise<void>;
}
