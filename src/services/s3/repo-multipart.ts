/**
 * Storage interface of multipart uploads: the uploads in progress and their parts (bodies are
 * blobs, by id). Kept apart from the objects' repo: an upload is not an object until it is
 * completed, and then the objects' repo takes its body over.
 */
import type { ChecksumAlgorithm } from '../../protocols/checksums.js';

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
  state: UploadState;
  /** While completing: the concatenated body, referenced here until the object names it. */
  blobId?: string;
  result?: CompletedResult;
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

export interface S3MultipartRepo {
  upload(uploadId: string): UploadRecord | undefined;
  /** Inserts an open upload; returns its seq. */
  insertUpload(u: Omit<UploadRecord, 'seq' | 'state'>): number;
  /** Sets state, blobId and result. */
  updateUpload(u: Pick<UploadRecord, 'uploadId' | 'state' | 'blobId' | 'result'>, completedAt?: number): void;
  /** Deletes the upload and its parts. */
  deleteUpload(uploadId: string): void;
  /** Open and completing uploads in (key UTF-8 byte order, seq) order. */
  listUploads(bucket: string, page: UploadPage): UploadRecord[];
  completingUploads(): UploadRecord[];
  /** Drops completed uploads older than `before` (epoch ms): retries come soon or never. */
  pruneCompleted(before: number): void;
  /** Deletes every upload of the bucket; returns the blobs they referenced. */
  deleteBucketUploads(bucket: string): string[];
  part(uploadId: string, partNumber: number): PartRecord | undefined;
  putPart(p: PartRecord): void;
  /** Parts in ascending number, after `after` (exclusive). */
  parts(uploadId: string, after: number, limit: number): PartRecord[];
  deleteParts(uploadId: string): void;
  /** Whether a part, or an upload being completed, refers to the blob (the startup sweep asks). */
  blobReferenced(blobId: string): boolean;
}
