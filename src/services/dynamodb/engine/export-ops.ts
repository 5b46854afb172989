/**
 * ExportTableToPointInTime, DescribeExport, ListExports: a table as it was at a second of its
 * point-in-time recovery window, written to an S3 bucket of Nimbus in DynamoDB JSON. The
 * request is checked and the export stored IN_PROGRESS; ExportJobs (export-jobs.ts) writes it
 * in the background and stores it COMPLETED or FAILED, as DescribeExport then answers.
 */
import { randomBytes } from 'node:crypto';
import { ExportNotFoundException, InvalidExportTimeException, PointInTimeRecoveryUnavailableException, ValidationException } from '../errors.js';
import type { ExportJobs } from './export-jobs.js';
import type { DynamoEngine } from './index.js';
import { recoveryWindow } from './recovery-log.js';
import { crossAccountRefusal, type TableScope } from './tables.js';

type Input = Record<string, unknown>;

const seconds = (ms: number) => ms / 1000;

export async function exportTableToPointInTime(engine: DynamoEngine, jobs: ExportJobs, scope: TableScope, input: Input) {
  const tableArn = input.TableArn;
  if (typeof tableArn !== 'string') {
    throw new ValidationException("1 validation error detected: Value null at 'tableArn' failed to satisfy constraint: Member must not be null");
  }
  const bucket = input.S3Bucket;
  if (typeof bucket !== 'string') {
    throw new ValidationException("1 validation error detected: Value null at 's3Bucket' failed to satisfy constraint: Member must not be null");
  }
  const format = (input.ExportFormat as string | undefined) ?? 'DYNAMODB_JSON';
  if (format !== 'DYNAMODB_JSON') throw new ValidationException(`ExportFormat ${format} is not supported by Nimbus: use DYNAMODB_JSON`);
  if (input.ExportType !== undefined && input.ExportType !== 'FULL_EXPORT') throw new ValidationException('Only FULL_EXPORT exports are supported by Nimbus');
  const meta = engine.tables.find(scope, tableArn);
  if (!meta) throw new ValidationException(`Table not found: ${tableArn}`);
  if (!meta.pitr) throw new PointInTimeRecoveryUnavailableException(`Point in time recovery is not enabled for table '${meta.name}'`);
  const now = engine.clock.now();
  const { earliest } = recoveryWindow(meta, now);
  let exportTime = now;
  if (input.ExportTime !== undefined) {
    exportTime = Number(input.ExportTime) * 1000;
    if (!Number.isFinite(exportTime) || exportTime < earliest || exportTime > now) {
      throw new InvalidExportTimeException('Export time must be within the point in time recovery window of the table.');
    }
  }
  const exportId = `${String(now).padStart(13, '0')}-${randomBytes(4).toString('hex')}`;
  const arn = `${meta.arn}/export/${exportId}`;
  const prefixed = typeof input.S3Prefix === 'string' && input.S3Prefix !== '';
  const description: Record<string, unknown> = {
    ExportArn: arn,
    ExportStatus: 'IN_PROGRESS',
    StartTime: seconds(now),
    TableArn: meta.arn,
    TableId: meta.tableId,
    ExportTime: seconds(exportTime),
    ...(typeof input.ClientToken === 'string' ? { ClientToken: input.ClientToken } : {}),
    S3Bucket: bucket,
    ...(typeof input.S3BucketOwner === 'string' ? { S3BucketOwner: input.S3BucketOwner } : {}),
    ...(prefixed ? { S3Prefix: input.S3Prefix } : {}),
    S3SseAlgorithm: (input.S3SseAlgorithm as string | undefined) ?? 'AES256',
    ExportFormat: 'DYNAMODB_JSON',
    ExportType: 'FULL_EXPORT',
  };
  const row = { arn, account: scope.accountId, region: scope.region, tableArn: meta.arn, createdAt: now, description: JSON.stringify(description) };
  await engine.write((tx) => engine.repo.saveExport(tx, row));
  jobs.start(row);
  return { ExportDescription: description };
}

export async function describeExport(engine: DynamoEngine, scope: TableScope, input: Input) {
  const arn = input.ExportArn;
  if (typeof arn !== 'string') {
    throw new ValidationException("1 validation error detected: Value null at 'exportArn' failed to satisfy constraint: Member must not be null");
  }
  const account = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]*:(\d{12}):/.exec(arn)?.[1];
  if (account !== undefined && account !== scope.accountId) throw crossAccountRefusal(scope, arn);
  const row = (await engine.repo.exports(scope.accountId, scope.region)).find((e) => e.arn === arn);
  if (!row) throw new ExportNotFoundException(`Export not found: ${arn}`);
  return { ExportDescription: JSON.parse(row.description) as Record<string, unknown> };
}

export async function listExports(engine: DynamoEngine, scope: TableScope, input: Input) {
  const max = (input.MaxResults as number | undefined) ?? 25;
  let rows = await engine.repo.exports(scope.accountId, scope.region);
  if (typeof input.TableArn === 'string') rows = rows.filter((e) => e.tableArn === input.TableArn);
  if (typeof input.NextToken === 'string') {
    const at = rows.findIndex((e) => e.arn === input.NextToken);
    if (at >= 0) rows = rows.slice(at + 1);
  }
  const page = rows.slice(0, max);
  return {
    ExportSummaries: page.map((e) => {
      const d = JSON.parse(e.description) as Record<string, unknown>;
      return { ExportArn: e.arn, ExportStatus: d.ExportStatus, ExportType: d.ExportType };
    }),
    ...(rows.length > max ? { NextToken: page[page.length - 1]!.arn } : {}),
  };
}
