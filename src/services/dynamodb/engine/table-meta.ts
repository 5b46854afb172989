/**
 * What Nimbus keeps about a table: its definition as CreateTable/UpdateTable left it, plus
 * the ids that tie it to storage. Stored as JSON; TableDescription is derived from it.
 */
import type { ScalarKeyType } from './types.js';

export interface KeyDef {
  name: string;
  type: ScalarKeyType;
}

export interface KeySchema {
  hash: KeyDef;
  range?: KeyDef;
  /**
   * Multi-attribute keys (global secondary indexes only): the partition key's and the sort
   * key's further attributes, in key-schema order (up to three more each). Absent on every
   * other key, so tables and indexes stored before multi-attribute keys read unchanged.
   */
  moreHash?: KeyDef[];
  moreRange?: KeyDef[];
}

/** The partition key's attributes, in key-schema order. */
export const hashDefs = (k: KeySchema): KeyDef[] => [k.hash, ...(k.moreHash ?? [])];
/** The sort key's attributes, in key-schema order (none without a sort key). */
export const rangeDefs = (k: KeySchema): KeyDef[] => (k.range ? [k.range, ...(k.moreRange ?? [])] : []);
/** Every key attribute: the partition key's, then the sort key's. */
export const keyDefs = (k: KeySchema): KeyDef[] => [...hashDefs(k), ...rangeDefs(k)];
/** A key with more than one partition or sort key attribute. */
export const isMultiAttribute = (k: KeySchema): boolean => (k.moreHash?.length ?? 0) > 0 || (k.moreRange?.length ?? 0) > 0;

/** A key schema from its elements in request order (HASH elements before RANGE ones, as checked). */
export function keySchemaOf(elements: Array<KeyDef & { keyType: string }>): KeySchema {
  const def = ({ name, type }: KeyDef): KeyDef => ({ name, type });
  const [hash, ...moreHash] = elements.filter((e) => e.keyType === 'HASH').map(def);
  const [range, ...moreRange] = elements.filter((e) => e.keyType === 'RANGE').map(def);
  return { hash: hash!, ...(range ? { range } : {}), ...(moreHash.length ? { moreHash } : {}), ...(moreRange.length ? { moreRange } : {}) };
}

export type ProjectionType = 'ALL' | 'KEYS_ONLY' | 'INCLUDE';

export interface Projection {
  type: ProjectionType;
  /** INCLUDE only. */
  nonKeyAttributes?: string[];
}

export interface Throughput {
  read: number;
  write: number;
}

export interface IndexMeta {
  /** Storage id, unique across all tables and never reused. */
  id: number;
  name: string;
  kind: 'GSI' | 'LSI';
  key: KeySchema;
  projection: Projection;
  /** GSIs on PROVISIONED tables. */
  throughput?: Throughput;
  /** Epoch ms. */
  createdAt: number;
  /** GSI added by UpdateTable and still backfilling. */
  status: 'CREATING' | 'ACTIVE';
  /** While backfilling: the last table item indexed so far (none yet: from the start). */
  backfilled?: StoredCursor;
}

/** A position in a table's items in key order, as stored: [pk, sk] in base64. */
export type StoredCursor = [string, string];

export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';

export interface StreamMeta {
  /** Storage id of the stream (one per enablement: re-enabling makes a new stream). */
  id: number;
  label: string;
  viewType: StreamViewType;
  arn: string;
}

export interface TableMeta {
  /** Storage id, never reused, so a re-created table never sees a dropped one's items. */
  id: number;
  account: string;
  region: string;
  name: string;
  arn: string;
  tableId: string; // the UUID AWS reports as TableId
  createdAt: number; // epoch ms
  key: KeySchema;
  /** AttributeDefinitions as given (only key attributes of the table and its indexes). */
  attributes: KeyDef[];
  billingMode: 'PROVISIONED' | 'PAY_PER_REQUEST';
  throughput?: Throughput;
  indexes: IndexMeta[];
  /** The current stream, when enabled. */
  stream?: StreamMeta;
  /** TTL attribute, when TimeToLive is enabled. */
  ttlAttribute?: string;
  /**
   * Set while the items' expiry times are being recomputed for the current TTL setting (a
   * chunk per write): the last item done.
   */
  expiryRewrite?: { after: StoredCursor };
  tableClass: 'STANDARD' | 'STANDARD_INFREQUENT_ACCESS';
  deletionProtection: boolean;
  tags: Record<string, string>;
  /** Epoch ms of the last throughput decrease and increase (DescribeTable reports them). */
  lastDecreaseAt?: number;
  lastIncreaseAt?: number;
  decreasesToday?: number;
  /**
   * Point-in-time recovery, while enabled: when it was turned on, the storage id of the base
   * snapshot taken then (every change after it is in the table's change log) and the window.
   */
  pitr?: { since: number; baseId: number; days: number };
  /**
   * Epoch ms the table stops being CREATING, when tables pass through CREATING for a while
   * (the table status delay; by default a table is ACTIVE at once and this is unset).
   */
  activeAt?: number;
  /** The import (its ARN) filling this table from S3: the table is CREATING until it is done. */
  importing?: string;
  /** While a restore fills this table (it is CREATING until done), a chunk per write. */
  restore?: RestoreJob;
  /** Where the table was restored from (DescribeTable's RestoreSummary). */
  restored?: { sourceBackupArn?: string; sourceTableArn: string; at: number };
}

/**
 * A restore in progress: first the items of storage id `from` (a backup, or a point-in-time
 * base snapshot) are copied, then the source's change log is replayed up to `until`.
 */
export interface RestoreJob {
  from: number;
  after?: StoredCursor;
  /** Point in time only: the source table's storage id, the last change applied, the time restored to. */
  changes?: { tableId: number; afterSeq: number; until: number };
  /** Drop `from` once copied (a snapshot made only for this restore). */
  dropFrom?: boolean;
}
