/** Backups and point-in-time recovery. */
import {
  createBackup,
  deleteBackup,
  describeBackup,
  describeContinuousBackups,
  listBackups,
  restoreTableFromBackup,
  restoreTableToPointInTime,
  updateContinuousBackups,
} from '../engine/backup-ops.js';
import type { DynamoEngine } from '../engine/index.js';
import { integer, string } from '../../../protocols/shapes.js';
import type { Operation } from '../../service.js';
import { op, struct } from './define.js';

const OVERRIDES = {
  BillingModeOverride: { shape: string({ enum: ['PROVISIONED', 'PAY_PER_REQUEST'] }) },
  GlobalSecondaryIndexOverride: 'list',
  LocalSecondaryIndexOverride: 'list',
  ProvisionedThroughputOverride: struct('ProvisionedThroughput'),
  OnDemandThroughputOverride: struct('OnDemandThroughput'),
  SSESpecificationOverride: struct('SSESpecification'),
} as const;

export function backupOperations(engine: DynamoEngine): Record<string, Operation> {
  return {
    CreateBackup: op({ TableName: 'string', BackupName: 'string' }, (input, ctx) => createBackup(engine, ctx, input)),
    DescribeBackup: op({ BackupArn: 'string' }, (input, ctx) => describeBackup(engine, ctx, input)),
    ListBackups: op(
      {
        TableName: 'string',
        Limit: { shape: integer({ min: 1, max: 100 }) },
        TimeRangeLowerBound: 'doc',
        TimeRangeUpperBound: 'doc',
        ExclusiveStartBackupArn: 'string',
        BackupType: { shape: string({ enum: ['USER', 'SYSTEM', 'AWS_BACKUP', 'ALL'] }) },
      },
      (input, ctx) => listBackups(engine, ctx, input),
    ),
    DeleteBackup: op({ BackupArn: 'string' }, (input, ctx) => deleteBackup(engine, ctx, input)),
    RestoreTableFromBackup: op({ TargetTableName: 'string', BackupArn: 'string', ...OVERRIDES }, (input, ctx) => restoreTableFromBackup(engine, ctx, input)),
    UpdateContinuousBackups: op(
      { TableName: 'string', PointInTimeRecoverySpecification: struct('PointInTimeRecoverySpecification') },
      (input, ctx) => updateContinuousBackups(engine, ctx, input),
    ),
    DescribeContinuousBackups: op({ TableName: 'string' }, (input, ctx) => describeContinuousBackups(engine, ctx, input)),
    RestoreTableToPointInTime: op(
      {
        SourceTableArn: 'string',
        SourceTableName: 'string',
        TargetTableName: 'string',
        UseLatestRestorableTime: 'boolean',
        RestoreDateTime: 'doc',
        ...OVERRIDES,
      },
      (input, ctx) => restoreTableToPointInTime(engine, ctx, input),
    ),
  };
}
