/**
 * Backups and point-in-time recovery: CreateBackup, DescribeBackup, ListBackups, DeleteBackup,
 * RestoreTableFromBackup, UpdateContinuousBackups, DescribeContinuousBackups and
 * RestoreTableToPointInTime.
 *
 * A backup is a snapshot of the table's items kept in item storage under a storage id of its
 * own (one statement, so it is consistent), with the table's definition beside it. Turning
 * point-in-time recovery on takes such a snapshot as the base, and from then on every change
 * of the table is logged with its time (item-store.ts). A restore makes the new table at once
 * (CREATING) and fills it in the background a chunk per write (table-jobs.ts): the backup's or
 * base's items, then the logged changes up to the second restored to, then its indexes, so a
 * large restore never holds up other writes for long.
 */
import { randomBytes } from 'node:crypto';
import {
  BackupNotFoundException,
  InvalidRestoreTimeException,
  PointInTimeRecoveryUnavailableException,
  TableAlreadyExistsException,
  TableNotFoundException,
  ValidationException,
} from '../errors.js';
import type { BackupRow } from '../repo.js';
import type { DynamoEngine } from './index.js';
import { recoveryWindow } from './recovery-log.js';
import { keySchemaJson, projectionJson } from './table-description.js';
import type { RestoreJob, TableMeta } from './table-meta.js';
import { describe } from './table-ops.js';
import { NAME_RE, validateTableName } from './table-checks.js';
import { crossAccountRefusal, type TableScope } from './tables.js';

type Input = Record<string, unknown>;

const DEFAULT_RECOVERY_DAYS = 35;
const seconds = (ms: number) => ms / 1000;

// ---- on-demand backups ---------------------------------------------------------------------

export async function createBackup(engine: DynamoEngine, scope: TableScope, input: Input) {
  const name = input.BackupName;
  if (typeof name !== 'string' || name.length < 3 || name.length > 255 || !NAME_RE.test(name)) {
    throw new ValidationException(
      `1 validation error detected: Value ${name === undefined ? 'null' : `'${String(name)}'`} at 'backupName' failed to satisfy constraint: ` +
        (name === undefined ? 'Member must not be null' : !NAME_RE.test(String(name)) ? 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+' : String(name).length < 3 ? 'Member must have length greater than or equal to 3' : 'Member must have length less than or equal to 255'),
    );
  }
  const meta = requireTable(engine, scope, input.TableName);
  if (meta.restore) throw new TableNotFoundException(`Table not found: ${meta.name}`);
  const now = engine.clock.now();
  const row = await engine.write(async (tx) => {
    const live = engine.live(meta);
    const dataId = await engine.repo.nextId(tx, 'table');
    const { count, size } = await engine.repo.snapshotItems(tx, live.id, dataId);
    const row: BackupRow = {
      arn: `${live.arn}/backup/${String(now).padStart(14, '0')}-${randomBytes(4).toString('hex')}`,
      account: live.account,
      region: live.region,
      name,
      tableName: live.name,
      tableArn: live.arn,
      tableId: live.tableId,
      dataId,
      meta: JSON.stringify(live),
      createdAt: now,
      sizeBytes: size,
      itemCount: count,
    };
    await engine.repo.saveBackup(tx, row);
    return row;
  });
  return { BackupDetails: backupDetails(row) };
}

export async function describeBackup(engine: DynamoEngine, scope: TableScope, input: Input) {
  return { BackupDescription: backupDescription(await requireBackup(engine, scope, input.BackupArn)) };
}

export async function listBackups(engine: DynamoEngine, scope: TableScope, input: Input) {
  const limit = (input.Limit as number | undefined) ?? 100;
  let rows = await engine.repo.backups(scope.accountId, scope.region);
  if (typeof input.TableName === 'string') {
    const name = input.TableName.startsWith('arn:') ? input.TableName : undefined;
    rows = rows.filter((b) => (name ? b.tableArn === name : b.tableName === input.TableName));
  }
  const type = input.BackupType as string | undefined;
  if (type === 'SYSTEM' || type === 'AWS_BACKUP') rows = [];
  const lower = input.TimeRangeLowerBound as number | undefined;
  const upper = input.TimeRangeUpperBound as number | undefined;
  if (lower !== undefined) rows = rows.filter((b) => b.createdAt >= lower * 1000);
  if (upper !== undefined) rows = rows.filter((b) => b.createdAt < upper * 1000);
  if (typeof input.ExclusiveStartBackupArn === 'string') {
    const at = rows.findIndex((b) => b.arn === input.ExclusiveStartBackupArn);
    if (at >= 0) rows = rows.slice(at + 1);
  }
  const page = rows.slice(0, limit);
  return {
    BackupSummaries: page.map((b) => ({
      TableName: b.tableName,
      TableId: b.tableId,
      TableArn: b.tableArn,
      BackupArn: b.arn,
      BackupName: b.name,
      BackupCreationDateTime: seconds(b.createdAt),
      BackupStatus: 'AVAILABLE',
      BackupType: 'USER',
      BackupSizeBytes: b.sizeBytes,
    })),
    ...(rows.length > limit ? { LastEvaluatedBackupArn: page[page.length - 1]!.arn } : {}),
  };
}

export async function deleteBackup(engine: DynamoEngine, scope: TableScope, input: Input) {
  const row = await requireBackup(engine, scope, input.BackupArn);
  await engine.write(async (tx) => {
    await engine.repo.deleteBackup(tx, row.arn);
    await engine.repo.dropItems(tx, row.dataId);
  });
  engine.schedulePurge();
  const description = backupDescription(row);
  (description.BackupDetails as Record<string, unknown>).BackupStatus = 'DELETED';
  return { BackupDescription: description };
}

export async function restoreTableFromBackup(engine: DynamoEngine, scope: TableScope, input: Input) {
  const target = validateTableName(input.TargetTableName, 'targetTableName');
  const row = await requireBackup(engine, scope, input.BackupArn);
  const source = JSON.parse(row.meta) as TableMeta;
  const meta = await restoreInto(engine, scope, target, source, input, { from: row.dataId }, { sourceBackupArn: row.arn, sourceTableArn: row.tableArn });
  return { TableDescription: await describe(engine, meta, 'CREATING') };
}

// ---- point-in-time recovery ----------------------------------------------------------------

export async function updateContinuousBackups(engine: DynamoEngine, scope: TableScope, input: Input) {
  const spec = input.PointInTimeRecoverySpecification as Record<string, unknown> | undefined;
  if (spec === undefined || spec === null) {
    throw new ValidationException("1 validation error detected: Value null at 'pointInTimeRecoverySpecification' failed to satisfy constraint: Member must not be null");
  }
  const enabled = spec.PointInTimeRecoveryEnabled;
  if (typeof enabled !== 'boolean') {
    throw new ValidationException(
      "1 validation error detected: Value null at 'pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled' failed to satisfy constraint: Member must not be null",
    );
  }
  const days = spec.RecoveryPeriodInDays as number | undefined;
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 35)) {
    throw new ValidationException(
      `1 validation error detected: Value '${String(days)}' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: Member must have value ${Number(days) < 1 ? 'greater than or equal to 1' : 'less than or equal to 35'}`,
    );
  }
  if (days !== undefined && !enabled) throw new ValidationException('RecoveryPeriodInDays can only be specified when PointInTimeRecoveryEnabled is true');
  const meta = requireTable(engine, scope, input.TableName);
  const updated = await engine.write(async (tx) => {
    const next = structuredClone(engine.live(meta));
    if (enabled && !next.pitr) {
      // The base every restore starts from; changes from now on are logged.
      const baseId = await engine.repo.nextId(tx, 'table');
      await engine.repo.snapshotItems(tx, next.id, baseId);
      next.pitr = { since: engine.clock.now(), baseId, days: days ?? DEFAULT_RECOVERY_DAYS };
    } else if (enabled && next.pitr && days !== undefined) {
      next.pitr.days = days;
    } else if (!enabled && next.pitr) {
      await engine.repo.dropItems(tx, next.pitr.baseId);
      await engine.repo.dropChanges(tx, next.id);
      delete next.pitr;
    }
    await engine.tables.put(tx, next);
    return next;
  });
  engine.schedulePurge();
  return { ContinuousBackupsDescription: continuousBackups(engine, updated) };
}

export function describeContinuousBackups(engine: DynamoEngine, scope: TableScope, input: Input) {
  const meta = requireTable(engine, scope, input.TableName);
  return { ContinuousBackupsDescription: continuousBackups(engine, meta) };
}

export async function restoreTableToPointInTime(engine: DynamoEngine, scope: TableScope, input: Input) {
  const target = validateTableName(input.TargetTableName, 'targetTableName');
  const sourceName = (input.SourceTableArn ?? input.SourceTableName) as unknown;
  if (sourceName === undefined) throw new ValidationException('Either SourceTableName or SourceTableArn must be specified');
  if (input.SourceTableArn !== undefined && input.SourceTableName !== undefined) {
    throw new ValidationException('Only one of SourceTableName or SourceTableArn can be specified');
  }
  const useLatest = input.UseLatestRestorableTime === true;
  if (useLatest && input.RestoreDateTime !== undefined) {
    throw new ValidationException('Only one of RestoreDateTime or UseLatestRestorableTime can be specified');
  }
  const source = engine.tables.find(scope, String(sourceName));
  if (!source) throw new TableNotFoundException(`Table not found: ${String(sourceName)}`);
  if (!source.pitr) throw new PointInTimeRecoveryUnavailableException(`Point in time recovery is not enabled for table '${source.name}'`);
  const { earliest, latest } = recoveryWindow(source, engine.clock.now());
  let until: number;
  if (useLatest || input.RestoreDateTime === undefined) until = latest;
  else {
    const at = Number(input.RestoreDateTime) * 1000;
    if (!Number.isFinite(at) || at < earliest || at > latest) {
      throw new InvalidRestoreTimeException('Invalid restore time specified. RestoreDateTime must be between EarliestRestorableDateTime and LatestRestorableDateTime.');
    }
    until = at;
  }
  const job: RestoreJob = { from: source.pitr.baseId, changes: { tableId: source.id, afterSeq: 0, until } };
  const meta = await restoreInto(engine, scope, target, source, input, job, { sourceTableArn: source.arn }, until);
  return { TableDescription: await describe(engine, meta, 'CREATING') };
}

// ---- shared --------------------------------------------------------------------------------

/** A new table like `source` (keys, indexes as overridden, billing), filled in the background by `job`. */
async function restoreInto(
  engine: DynamoEngine,
  scope: TableScope,
  target: string,
  source: TableMeta,
  input: Input,
  job: RestoreJob,
  from: { sourceBackupArn?: string; sourceTableArn: string },
  restoredTo?: number,
): Promise<TableMeta> {
  if (engine.tables.find(scope, target)) throw new TableAlreadyExistsException(`Table already exists: ${target}`);
  const meta = await engine.write(async (tx) => {
    if (engine.tables.find(scope, target)) throw new TableAlreadyExistsException(`Table already exists: ${target}`);
    const now = engine.clock.now();
    const billing = (input.BillingModeOverride as TableMeta['billingMode'] | undefined) ?? source.billingMode;
    const pt = input.ProvisionedThroughputOverride as { ReadCapacityUnits?: number; WriteCapacityUnits?: number } | undefined;
    const keepIndexes = (kind: 'GSI' | 'LSI', override: unknown) => {
      const own = source.indexes.filter((ix) => ix.kind === kind);
      if (!Array.isArray(override)) return own;
      const names = new Set((override as Array<{ IndexName?: string }>).map((o) => o.IndexName));
      return own.filter((ix) => names.has(ix.name));
    };
    const indexes = [...keepIndexes('LSI', input.LocalSecondaryIndexOverride), ...keepIndexes('GSI', input.GlobalSecondaryIndexOverride)];
    const meta: TableMeta = {
      id: await engine.repo.nextId(tx, 'table'),
      account: scope.accountId,
      region: scope.region,
      name: target,
      arn: `arn:aws:dynamodb:${scope.region}:${scope.accountId}:table/${target}`,
      tableId: engine.ids.uuid(),
      createdAt: now,
      key: source.key,
      attributes: source.attributes,
      billingMode: billing,
      ...(billing === 'PROVISIONED'
        ? { throughput: pt ? { read: Number(pt.ReadCapacityUnits), write: Number(pt.WriteCapacityUnits) } : (source.throughput ?? { read: 5, write: 5 }) }
        : {}),
      indexes: [],
      tableClass: source.tableClass,
      deletionProtection: false,
      tags: {},
      restore: job,
      restored: { ...from, at: restoredTo ?? now },
    };
    // The indexes are built from the restored items once they are all in.
    for (const ix of indexes) meta.indexes.push({ ...ix, id: await engine.repo.nextId(tx, 'index'), createdAt: now, status: 'CREATING' });
    for (const ix of meta.indexes) delete ix.backfilled;
    await engine.tables.put(tx, meta);
    return meta;
  });
  engine.jobs.kick();
  return meta;
}

function requireTable(engine: DynamoEngine, scope: TableScope, name: unknown): TableMeta {
  const table = validateTableName(name, 'tableName', { allowArn: true });
  const meta = engine.tables.find(scope, table);
  if (!meta) throw new TableNotFoundException(`Table not found: ${table}`);
  return meta;
}

async function requireBackup(engine: DynamoEngine, scope: TableScope, arn: unknown): Promise<BackupRow> {
  if (typeof arn !== 'string' || arn.length < 37 || arn.length > 1024) {
    throw new ValidationException(
      `1 validation error detected: Value ${arn === undefined ? 'null' : `'${String(arn)}'`} at 'backupArn' failed to satisfy constraint: ${arn === undefined ? 'Member must not be null' : `Member must have length ${String(arn).length < 37 ? 'greater than or equal to 37' : 'less than or equal to 1024'}`}`,
    );
  }
  // Another account's backup is refused whether or not it exists, as its tables are.
  const account = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]*:(\d{12}):/.exec(arn)?.[1];
  if (account !== undefined && account !== scope.accountId) throw crossAccountRefusal(scope, arn);
  const row = (await engine.repo.backups(scope.accountId, scope.region)).find((b) => b.arn === arn);
  if (!row) throw new BackupNotFoundException(`Backup not found for the given BackupARN: ${arn}`);
  return row;
}

function backupDetails(b: BackupRow): Record<string, unknown> {
  return {
    BackupArn: b.arn,
    BackupName: b.name,
    BackupSizeBytes: b.sizeBytes,
    BackupStatus: 'AVAILABLE',
    BackupType: 'USER',
    BackupCreationDateTime: seconds(b.createdAt),
  };
}

function backupDescription(b: BackupRow): Record<string, unknown> {
  const meta = JSON.parse(b.meta) as TableMeta;
  const ppr = meta.billingMode === 'PAY_PER_REQUEST';
  const lsis = meta.indexes.filter((ix) => ix.kind === 'LSI');
  const gsis = meta.indexes.filter((ix) => ix.kind === 'GSI');
  return {
    BackupDetails: backupDetails(b),
    SourceTableDetails: {
      TableName: meta.name,
      TableId: meta.tableId,
      TableArn: meta.arn,
      TableSizeBytes: b.sizeBytes,
      KeySchema: keySchemaJson(meta.key),
      TableCreationDateTime: seconds(meta.createdAt),
      ProvisionedThroughput: { ReadCapacityUnits: ppr ? 0 : (meta.throughput?.read ?? 0), WriteCapacityUnits: ppr ? 0 : (meta.throughput?.write ?? 0) },
      ItemCount: b.itemCount,
      BillingMode: meta.billingMode,
    },
    SourceTableFeatureDetails: {
      ...(lsis.length ? { LocalSecondaryIndexes: lsis.map((ix) => ({ IndexName: ix.name, KeySchema: keySchemaJson(ix.key), Projection: projectionJson(ix.projection) })) } : {}),
      ...(gsis.length
        ? {
            GlobalSecondaryIndexes: gsis.map((ix) => ({
              IndexName: ix.name,
              KeySchema: keySchemaJson(ix.key),
              Projection: projectionJson(ix.projection),
              ProvisionedThroughput: { ReadCapacityUnits: ppr ? 0 : (ix.throughput?.read ?? 0), WriteCapacityUnits: ppr ? 0 : (ix.throughput?.write ?? 0) },
            })),
          }
        : {}),
      ...(meta.stream ? { StreamDescription: { StreamEnabled: true, StreamViewType: meta.stream.viewType } } : {}),
      ...(meta.ttlAttribute ? { TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED', AttributeName: meta.ttlAttribute } } : {}),
    },
  };
}

function continuousBackups(engine: DynamoEngine, meta: TableMeta): Record<string, unknown> {
  if (!meta.pitr) {
    return { ContinuousBackupsStatus: 'ENABLED', PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'DISABLED' } };
  }
  const { earliest, latest } = recoveryWindow(meta, engine.clock.now());
  return {
    ContinuousBackupsStatus: 'ENABLED',
    PointInTimeRecoveryDescription: {
      PointInTimeRecoveryStatus: 'ENABLED',
      RecoveryPeriodInDays: meta.pitr.days,
      EarliestRestorableDateTime: seconds(earliest),
      LatestRestorableDateTime: seconds(latest),
    },
  };
}
