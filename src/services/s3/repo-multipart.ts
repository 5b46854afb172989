/**
 * Storage interface of multipart uploads: the uploads in progress and their parts (bodies are
 * blobs, by id). Kept apart from the objects' repo: an upload is not an object until it is
 * completed, and then the objects' repo takes its body over.
 */
import type { AclRequest } from './engine/acl.js';
import type { ChecksumAlgorithm } from '../../protocols/checksums.js';
import type { ObjectLock, ObjectSse } from './repo.js';
import type { Tx } from '../../store/store.js';

export type ChecksumType = 'COMPOSITE' | 'FULL_OBJECT';

/**
 * open: parts may be added. completing: the parts were concatenated into `blobId`, which
 * the object commit is about to name (a crash here is settled at the next start or request).
 * completed: the object holds the body; the row stays a while so that a retried
 * CompleteMultipartUpload gets the same answer, as S3 gives it.
 */
export type UploadState = 'open' | 'completing' | 'completed';

/** What CompleteMultipartUpload answered; kept to answer a retry of it the same way. */
export interface CompletedResult {
  etag: string;
  size: number;
  /** x-amz-checksum-<alg> and x-amz-checksum-type of the object, if any. */
  checksums: Record<string, string>;
  /** The part list of the request (`n:etag,...`), for recognising a retry. */
  parts: string;
  /** The object's body once completed (not a reference the sweep honours: the object owns it). */
  objectBlob?: string;
}

export interface UploadRecord {
  uploadId: string;
  bucket: string;
  key: string;
  /** The initiator and owner. */
  account: string;
  /** Epoch ms. */
  initiated: number;
  /** Content-Type, Cache-Control, ... given on CreateMultipartUpload, for the object. */
  headers: Record<string, string>;
  /** x-amz-meta-* without the prefix. */
  metadata: Record<string, string>;
  tags: Record<string, string>;
  checksumAlgorithm?: ChecksumAlgorithm;
  checksumType?: ChecksumType;
  /** The ACL asked for (x-amz-acl, x-amz-grant-*), which the completed object gets. */
  acl?: AclRequest;
  state: UploadState;
  /** While completing: the concatenated body, referenced here until the object names it. */
  blobId?: string;
  result?: CompletedResult;
  /** The object's encryption, chosen on CreateMultipartUpload (parts of an SSE-C upload need its key). */
  sse?: ObjectSse;
  /** The object's lock settings, chosen on CreateMultipartUpload. */
  lock?: ObjectLock;
  /** Creation order (initiation order within a key, as ListMultipartUploads sorts). */
  seq: number;
}

export interface PartRecord {
  uploadId: string;
  partNumber: number;
  blobId: string;
  size: number;
  /** Quoted MD5 hex, as S3 sends it. */
  etag: string;
  /** Epoch ms. */
  lastModified: number;
  /** Base64 checksum in the upload's algorithm, when it has one and the part carried it. */
  checksum?: string;
}

export interface UploadPage {
  prefix: string;
  /** Uploads of keys after this one, or of this key with a greater `afterSeq`. */
  afterKey?: string;
  afterSeq?: number;
  limit: number;
}

/**
 * Every method returns a Promise; a method that writes takes its write's transaction first, a
 * read made inside a write takes that write's transaction last.
 */
export interface S3MultipartRepo {
  upload(uploadId: string, tx?: Tx): Promise<UploadRecord | undefined>;
  /** Inserts an open upload; returns its seq. */
  insertUpload(tx: Tx, u: Omit<UploadRecord, 'seq' | 'state'>): Promise<number>;
  /** Sets state, blobId and result. */
  updateUpload(tx: Tx, u: Pick<UploadRecord, 'uploadId' | 'state' | 'blobId' | 'result'>, completedAt?: number): Promise<void>;
  /** Deletes the upload and its parts; returns the parts it had (their blobs are the caller's to remove). */
  deleteUpload(tx: Tx, uploadId: string): Promise<PartRecord[]>;
  /** Open and completing uploads in (key UTF-8 byte order, seq) order. */
  listUploads(bucket: string, page: UploadPage, tx?: Tx): Promise<UploadRecord[]>;
  completingUploads(): Promise<UploadRecord[]>;
  /**
   * Marks a completion finished: the upload becomes `completed` at `completedAt` (keeping its
   * result), its parts go (returned, for their blobs), and completed uploads older than
   * `pruneBefore` (epoch ms) are dropped: retries come soon or never.
   */
  finishUpload(tx: Tx, uploadId: string, result: UploadRecord['result'], completedAt: number, pruneBefore: number): Promise<PartRecord[]>;
  /** Deletes every upload of the bucket; returns the blobs they referenced. */
  deleteBucketUploads(tx: Tx, bucket: string): Promise<string[]>;
  part(uploadId: string, partNumber: number, tx?: Tx): Promise<PartRecord | undefined>;
  /** Inserts or replaces the part; returns the blob of the part it replaced, if any. */
  putPart(tx: Tx, p: PartRecord): Promise<string | undefined>;
  /** Parts in ascending number, after `after` (exclusive). */
  parts(uploadId: string, after: number, limit: number, tx?: Tx): Promise<PartRecord[]>;
  /** Whether a part, or an upload being completed, refers to the blob (the startup sweep asks). */
  blobReferenced(blobId: string, tx?: Tx): Promise<boolean>;
}
