/** S3's storage interface: bucket and object metadata (bodies are blobs, by id). */
export interface BucketRecord {
  name: string;
  account: string;
  region: string;
  /** Epoch ms. */
  createdAt: number;
  /** The bucket policy (JSON text), if set. */
  policy?: string;
  /** The canned ACL: private, public-read, public-read-write, authenticated-read. */
  acl: string;
  /** PublicAccessBlockConfiguration, if set. */
  publicAccessBlock?: PublicAccessBlock;
  /** CORS rules, if set. */
  cors?: CorsRule[];
}

export interface CorsRule {
  ID?: string;
  AllowedOrigins: string[];
  AllowedMethods: string[];
  AllowedHeaders?: string[];
  ExposeHeaders?: string[];
  MaxAgeSeconds?: number;
}

export interface PublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

export interface S3Repo {
  bucket(name: string): BucketRecord | undefined;
  buckets(account: string): BucketRecord[];
  insertBucket(b: BucketRecord): void;
  deleteBucket(name: string): void;
  /** Replaces the bucket's policy, ACL and public access block as given. */
  updateBucket(b: BucketRecord): void;
}

export interface ObjectRecord {
  bucket: string;
  key: string;
  blobId: string;
  size: number;
  /** Quoted, as S3 sends it: `"<md5 hex>"`. */
  etag: string;
  /** Epoch ms. */
  lastModified: number;
  /** Content-Type, Content-Encoding, Cache-Control, ... as given on upload. */
  headers: Record<string, string>;
  /** x-amz-meta-* without the prefix. */
  metadata: Record<string, string>;
  /** Checksums given (and verified) on upload, by header name: x-amz-checksum-crc32 ... */
  checksums: Record<string, string>;
  /** Object tags (x-amz-tagging on upload, PutObjectTagging). */
  tags: Record<string, string>;
}

export interface ListPage {
  /** Keys greater than this (exclusive), if set. */
  after?: string;
  prefix: string;
  limit: number;
}

export interface S3ObjectRepo {
  object(bucket: string, key: string): ObjectRecord | undefined;
  putObject(o: ObjectRecord): void;
  deleteObject(bucket: string, key: string): void;
  /** Objects in UTF-8 byte order of key, from `after` (exclusive), starting with `prefix`. */
  listObjects(bucket: string, page: ListPage): ObjectRecord[];
  hasObjects(bucket: string): boolean;
  /** Whether any object refers to the blob (crash recovery sweeps the others). */
  blobReferenced(blobId: string): boolean;
}
