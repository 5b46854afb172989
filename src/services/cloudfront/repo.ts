/**
 * CloudFront's storage: whole documents by kind and id (a distribution with its config and
 * tags, a policy, a key group, an invalidation, ...). A change rewrites one document in one
 * durable commit; every document is small.
 */
import type { Tx } from '../../store/store.js';

/** What every stored document carries: its kind, id and the account that owns it (CloudFront is global: no region). */
export interface StoredDocument {
  kind: string;
  id: string;
  accountId: string;
}

export interface CloudFrontRepo {
  /** Every document of every kind (loaded at start and on reload). */
  allDocuments(tx?: Tx): Promise<StoredDocument[]>;
  putDocument(tx: Tx, doc: StoredDocument): Promise<void>;
  deleteDocument(tx: Tx, kind: string, id: string): Promise<void>;
}
