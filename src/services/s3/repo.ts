/** S3's storage interface: bucket metadata (object metadata and bodies come with the object operations). */
export interface BucketRecord {
  name: string;
  account: string;
  region: string;
  /** Epoch ms. */
  createdAt: number;
}

export interface S3Repo {
  bucket(name: string): BucketRecord | undefined;
  buckets(account: string): BucketRecord[];
  insertBucket(b: BucketRecord): void;
  deleteBucket(name: string): void;
}
