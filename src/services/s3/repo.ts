/**
 * S3's storage interface: bucket and object metadata (bodies are blobs, by id). Every method
 * returns a Promise; a method that writes takes its write's transaction first, and a read made
 * inside a write takes that write's transaction last (a networked backend reads its own changes).
 */
import type { Tx } from '../../store/store.js';

export interface BucketRecord {
  name: string;
  account: string;
  region: string;
  /** Epoch ms. */
  createdAt: number;
  /** The bucket policy (JSON text), if set. */
  policy?: string;
  /** The ACL: a canned ACL's name (private, public-read, ...) or a stored ACL (engine/acl.ts). */
  acl: string;
  /**
   * ObjectOwnership of its ownership controls; absent when none are set (then objects are
   * owned by their writers, as under ObjectWriter). New buckets get BucketOwnerEnforced.
   */
  ownership?: ObjectOwnership;
  /** PublicAccessBlockConfiguration, if set. */
  publicAccessBlock?: PublicAccessBlock;
  /** CORS rules, if set. */
  cors?: CorsRule[];
  /** Versioning, once configured; absent for a bucket never versioned (S3 cannot go back to that). */
  versioning?: VersioningState;
}

export type VersioningState = 'Enabled' | 'Suspended';

export type ObjectOwnership = 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';

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
  bucket(name: string, tx?: Tx): Promise<BucketRecord | undefined>;
  /** An account's buckets, by name. */
  buckets(account: string, tx?: Tx): Promise<BucketRecord[]>;
  /** Every bucket of every account (the engine's registry of buckets loads from it). */
  allBuckets(): Promise<BucketRecord[]>;
  insertBucket(tx: Tx, b: BucketRecord): Promise<void>;
  deleteBucket(tx: Tx, name: string): Promise<void>;
  /** Replaces the bucket's policy, ACL, public access block, CORS rules, versioning and ownership controls as given. */
  updateBucket(tx: Tx, b: BucketRecord): Promise<void>;
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
  /**
   * A small body kept in the row itself instead of a blob (blobId is then ''): one commit,
   * no file operations, for the many small objects most applications store.
   */
  body?: Buffer;
  /** The object's ACL (engine/acl.ts) unless private to the bucket's owner (x-amz-acl, x-amz-grant-*, PutObjectAcl). */
  acl?: string;
  /**
   * The version id; absent for the version S3 calls "null" (written before versioning was ever
   * enabled, or while it was suspended).
   */
  versionId?: string;
  /**
   * How the body is encrypted at rest and what answers about it say. Absent only for a body
   * stored before Nimbus encrypted bodies (plaintext, read as it is); every new body is sealed.
   */
  sse?: ObjectSse;
  /** Object lock retention and legal hold of this version, if any. */
  lock?: ObjectLock;
  /** A multipart object's part sizes, in part order (GET by partNumber, GetObjectAttributes). */
  parts?: number[];
  /** With `parts`: each part's base64 checksum in the object's checksum algorithm, when every part had one (GetObjectAttributes). */
  partChecksums?: string[];
}

/** Server-side encryption of one object (the body is sealed the same way whatever the kind: see engine/crypto.ts). */
export interface ObjectSse {
  /** What x-amz-server-side-encryption says; SSE-C objects report the customer algorithm instead. */
  algorithm: 'AES256' | 'aws:kms' | 'aws:kms:dsse' | 'SSE-C';
  /** The KMS key's ARN (aws:kms). */
  kmsKeyId?: string;
  /** x-amz-server-side-encryption-bucket-key-enabled (aws:kms). */
  bucketKey?: boolean;
  /** SSE-C: the key's MD5 (base64), as answers echo it, and a salted HMAC-SHA256 of the key that reads are checked against. */
  customerKeyMd5?: string;
  customerKeySalt?: string;
  customerKeyHmac?: string;
}

/** Object lock settings of one version. */
export interface ObjectLock {
  mode?: 'GOVERNANCE' | 'COMPLIANCE';
  /** Epoch ms. */
  retainUntil?: number;
  legalHold?: boolean;
}

/** A noncurrent version or a delete marker (a marker has no body: blobId '', size 0, etag ''). */
export interface VersionRecord extends ObjectRecord {
  deleteMarker: boolean;
  /** Order of creation within the key; the greatest is the newest. */
  seq: number;
}

/** A position in a version listing: rows of later keys, or of `key` with a smaller seq. */
export interface VersionPage {
  prefix: string;
  afterKey?: string;
  /** With afterKey: within that key, versions older than this seq (none if undefined). */
  beforeSeq?: number;
  limit: number;
}

export interface ListPage {
  /** Keys greater than this (exclusive), if set. */
  after?: string;
  prefix: string;
  limit: number;
}

export interface S3ObjectRepo {
  object(bucket: string, key: string, tx?: Tx): Promise<ObjectRecord | undefined>;
  putObject(tx: Tx, o: ObjectRecord): Promise<void>;
  deleteObject(tx: Tx, bucket: string, key: string): Promise<void>;
  /** Objects in UTF-8 byte order of key, from `after` (exclusive), starting with `prefix`; inline bodies left out. */
  listObjects(bucket: string, page: ListPage, tx?: Tx): Promise<ObjectRecord[]>;
  /** Whether any object, version or delete marker remains (DeleteBucket refuses then). */
  hasObjects(bucket: string, tx?: Tx): Promise<boolean>;
  /** Whether any object or version refers to the blob (crash recovery sweeps the others). */
  blobReferenced(blobId: string, tx?: Tx): Promise<boolean>;

  // Noncurrent versions and delete markers; the current object stays in the objects table.
  /** One version by id; `undefined` names the null version. */
  version(bucket: string, key: string, versionId: string | undefined, tx?: Tx): Promise<VersionRecord | undefined>;
  /** The newest noncurrent version or marker of a key. */
  latestVersion(bucket: string, key: string, tx?: Tx): Promise<VersionRecord | undefined>;
  /** Inserts or replaces (by bucket, key, version id), keeping the seq given. */
  putVersion(tx: Tx, v: VersionRecord): Promise<void>;
  /**
   * Adds a version (or marker) as the key's newest: its seq is made greater than any of the
   * key's, in the same step. Returns the seq given.
   */
  appendVersion(tx: Tx, v: Omit<VersionRecord, 'seq'>): Promise<number>;
  deleteVersion(tx: Tx, bucket: string, key: string, versionId: string | undefined): Promise<void>;
  /** Versions by key (byte order), newest first within a key, after the page's position; inline bodies left out. */
  listVersions(bucket: string, page: VersionPage, tx?: Tx): Promise<VersionRecord[]>;
}
