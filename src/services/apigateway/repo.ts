/**
 * API Gateway's storage: whole documents by kind and id. An API (v1 REST or v2 HTTP) is one
 * document with all its parts (routes, integrations, stages, deployments, authorizers), so a
 * change to it commits as one write; account-level resources (API keys, usage plans) are
 * documents of their own kinds. Counters that change on every request (usage plan quotas) are
 * kept apart from the documents, so a request never rewrites its API.
 */
import type { Tx } from '../../store/store.js';

/** What every stored document carries: the walls (account, region) and its identity. */
export interface StoredDocument {
  kind: string;
  id: string;
  accountId: string;
  region: string;
}

export interface ApiGatewayRepo {
  /** Every document of every kind (the registry loads them at start and on reload). */
  allDocuments(tx?: Tx): Promise<StoredDocument[]>;
  putDocument(tx: Tx, doc: StoredDocument): Promise<void>;
  deleteDocument(tx: Tx, kind: string, id: string): Promise<void>;
  /** A counter's value (0 when never written), e.g. a usage plan quota by key and period. */
  counter(key: string, tx?: Tx): Promise<number>;
  /** Adds `delta` to a counter and answers its new value. */
  addToCounter(tx: Tx, key: string, delta: number): Promise<number>;
  /** Removes every counter whose key starts with `prefix` (a deleted usage plan's, an expired period's). */
  deleteCounters(tx: Tx, prefix: string): Promise<void>;
}
