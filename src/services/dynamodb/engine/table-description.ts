/**
 * TableDescription, the shape CreateTable, DescribeTable, UpdateTable and DeleteTable answer,
 * derived from TableMeta. Member order and presence follow what DynamoDB returns:
 *  - timestamps are epoch seconds as JSON numbers (fractional, as DynamoDB's are);
 *  - AttributeDefinitions and NonKeyAttributes come back sorted by name, index lists in the
 *    order they were created;
 *  - ProvisionedThroughput is always there: 0/0 on PAY_PER_REQUEST tables and their GSIs, with
 *    NumberOfDecreasesToday (which resets at 00:00 UTC) and the last increase/decrease times
 *    once there have been some; LSIs have none;
 *  - BillingModeSummary only on PAY_PER_REQUEST tables (a table created PROVISIONED has none);
 *    its LastUpdateToPayPerRequestDateTime is missing from the CreateTable answer;
 *  - LocalSecondaryIndexes / GlobalSecondaryIndexes only when there are some; GSIs carry
 *    IndexStatus (CREATING with the table), and Backfilling only while a GSI added by
 *    UpdateTable is being filled; DeleteTable's answer lists no GSIs;
 *  - StreamSpecification, LatestStreamLabel and LatestStreamArn while a stream is enabled;
 *  - TableClassSummary only once the class is not STANDARD (absent means STANDARD);
 *  - DeletionProtectionEnabled always;
 *  - WarmThroughput (table and GSIs) except in CreateTable's and DeleteTable's answers:
 *    12000/4000 on PAY_PER_REQUEST, the provisioned units otherwise.
 */
import { hashDefs, rangeDefs, type IndexMeta, type KeySchema, type Projection, type TableMeta, type Throughput } from './table-meta.js';

export type TableStatus = 'CREATING' | 'ACTIVE' | 'DELETING' | 'UPDATING';

export interface TableStats {
  itemCount: number;
  sizeBytes: number;
  /** By IndexMeta.id; a missing index counts as empty. */
  indexStats: Map<number, { itemCount: number; sizeBytes: number }>;
}

const seconds = (ms: number) => ms / 1000;
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** KeySchema on the wire: the HASH elements, then the RANGE elements, each in key-schema order. */
export function keySchemaJson(key: KeySchema): Array<{ AttributeName: string; KeyType: 'HASH' | 'RANGE' }> {
  return [
    ...hashDefs(key).map((d) => ({ AttributeName: d.name, KeyType: 'HASH' as const })),
    ...rangeDefs(key).map((d) => ({ AttributeName: d.name, KeyType: 'RANGE' as const })),
  ];
}

export function projectionJson(p: Projection): Record<string, unknown> {
  return { ProjectionType: p.type, ...(p.nonKeyAttributes ? { NonKeyAttributes: [...p.nonKeyAttributes].sort(byName) } : {}) };
}

/** Decreases count per UTC day: yesterday's no longer count. */
function decreasesToday(meta: TableMeta, now: number): number {
  if (!meta.decreasesToday || meta.lastDecreaseAt === undefined) return 0;
  const day = (ms: number) => Math.floor(ms / 86_400_000);
  return day(meta.lastDecreaseAt) === day(now) ? meta.decreasesToday : 0;
}

function warm(units: Throughput | undefined, ppr: boolean): Record<string, unknown> {
  return { ReadUnitsPerSecond: ppr ? 12000 : (units?.read ?? 0), WriteUnitsPerSecond: ppr ? 4000 : (units?.write ?? 0), Status: 'ACTIVE' };
}

/**
 * TableDescription as DescribeTable / CreateTable / DeleteTable / UpdateTable return it; status
 * is the TableStatus the operation reports (CreateTable: CREATING, DeleteTable: DELETING, ...).
 * `now` (epoch ms) decides whether NumberOfDecreasesToday still counts.
 */
export function describeTable(meta: TableMeta, stats: TableStats, status: TableStatus, now: number = Date.now()): Record<string, unknown> {
  const ppr = meta.billingMode === 'PAY_PER_REQUEST';
  const withWarm = status === 'ACTIVE' || status === 'UPDATING';
  const indexArn = (ix: IndexMeta) => `${meta.arn}/index/${ix.name}`;
  const sizes = (ix: IndexMeta) => {
    const s = stats.indexStats.get(ix.id);
    return { IndexSizeBytes: s?.sizeBytes ?? 0, ItemCount: s?.itemCount ?? 0 };
  };
  const lsis = meta.indexes.filter((ix) => ix.kind === 'LSI');
  // DeleteTable's answer leaves the GSIs out (as dynalite recorded from DynamoDB).
  const gsis = status === 'DELETING' ? [] : meta.indexes.filter((ix) => ix.kind === 'GSI');

  const out: Record<string, unknown> = {
    AttributeDefinitions: [...meta.attributes].sort((a, b) => byName(a.name, b.name)).map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    TableName: meta.name,
    KeySchema: keySchemaJson(meta.key),
    TableStatus: status,
    CreationDateTime: seconds(meta.createdAt),
    ProvisionedThroughput: {
      ...(meta.lastIncreaseAt !== undefined ? { LastIncreaseDateTime: seconds(meta.lastIncreaseAt) } : {}),
      ...(meta.lastDecreaseAt !== undefined ? { LastDecreaseDateTime: seconds(meta.lastDecreaseAt) } : {}),
      NumberOfDecreasesToday: decreasesToday(meta, now),
      ReadCapacityUnits: ppr ? 0 : (meta.throughput?.read ?? 0),
      WriteCapacityUnits: ppr ? 0 : (meta.throughput?.write ?? 0),
    },
    TableSizeBytes: stats.sizeBytes,
    ItemCount: stats.itemCount,
    TableArn: meta.arn,
    TableId: meta.tableId,
  };
  if (ppr) {
    // TableMeta keeps no switch time: a table made PAY_PER_REQUEST later reports its creation time.
    out.BillingModeSummary = { BillingMode: 'PAY_PER_REQUEST', ...(status !== 'CREATING' ? { LastUpdateToPayPerRequestDateTime: seconds(meta.createdAt) } : {}) };
  }
  if (lsis.length > 0) {
    out.LocalSecondaryIndexes = lsis.map((ix) => ({
      IndexName: ix.name,
      KeySchema: keySchemaJson(ix.key),
      Projection: projectionJson(ix.projection),
      ...sizes(ix),
      IndexArn: indexArn(ix),
    }));
  }
  if (gsis.length > 0) {
    out.GlobalSecondaryIndexes = gsis.map((ix) => ({
      IndexName: ix.name,
      KeySchema: keySchemaJson(ix.key),
      Projection: projectionJson(ix.projection),
      IndexStatus: status === 'CREATING' ? 'CREATING' : ix.status,
      ...(status !== 'CREATING' && ix.status === 'CREATING' ? { Backfilling: true } : {}),
      ProvisionedThroughput: { NumberOfDecreasesToday: 0, ReadCapacityUnits: ppr ? 0 : (ix.throughput?.read ?? 0), WriteCapacityUnits: ppr ? 0 : (ix.throughput?.write ?? 0) },
      ...sizes(ix),
      IndexArn: indexArn(ix),
      ...(withWarm ? { WarmThroughput: warm(ix.throughput, ppr) } : {}),
    }));
  }
  if (meta.stream) {
    out.StreamSpecification = { StreamEnabled: true, StreamViewType: meta.stream.viewType };
    out.LatestStreamLabel = meta.stream.label;
    out.LatestStreamArn = meta.stream.arn;
  }
  if (meta.restored) {
    out.RestoreSummary = {
      ...(meta.restored.sourceBackupArn ? { SourceBackupArn: meta.restored.sourceBackupArn } : {}),
      SourceTableArn: meta.restored.sourceTableArn,
      RestoreDateTime: seconds(meta.restored.at),
      RestoreInProgress: meta.restore !== undefined,
    };
  }
  if (meta.tableClass !== 'STANDARD') out.TableClassSummary = { TableClass: meta.tableClass };
  out.DeletionProtectionEnabled = meta.deletionProtection;
  if (withWarm) out.WarmThroughput = warm(meta.throughput, ppr);
  return out;
}
