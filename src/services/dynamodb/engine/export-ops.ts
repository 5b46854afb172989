/**
 * ExportTableToPointInTime, DescribeExport, ListExports: a table as it was at a second of its
 * point-in-time recovery window, written to an S3 bucket of Nimbus in DynamoDB JSON, laid out
 * as DynamoDB lays exports out:
 *
 *   <prefix>/AWSDynamoDB/<exportId>/manifest-summary.json
 *   <prefix>/AWSDynamoDB/<exportId>/manifest-files.json
 *   <prefix>/AWSDynamoDB/<exportId>/data/<file>.json.gz   one `{"Item":{...}}` per line
 *
 * The objects are written through S3's in-process call, as the table's account, with S3's own
 * checks: a missing bucket or one the account may not write makes the export FAILED with S3's
 * error code, as DynamoDB reports it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { InternalApi } from '../../../lib/internal.js';
import { AwsError } from '../../../protocols/errors.js';
import { ExportNotFoundException, InvalidExportTimeException, PointInTimeRecoveryUnavailableException, ValidationException } from '../errors.js';
import type { ItemCursor } from '../repo.js';
import type { DynamoEngine } from './index.js';
import type { TableMeta } from './table-meta.js';
import { crossAccountRefusal, type TableScope } from './tables.js';

type Input = Record<string, unknown>;

const DAY_MS = 86_400_000;
const seconds = (ms: number) => ms / 1000;

export async function exportTableToPointInTime(engine: DynamoEngine, internal: InternalApi, scope: TableScope, input: Input) {
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
  const earliest = Math.max(meta.pitr.since, now - meta.pitr.days * DAY_MS);
  let exportTime = now;
  if (input.ExportTime !== undefined) {
    exportTime = Number(input.ExportTime) * 1000;
    if (!Number.isFinite(exportTime) || exportTime < earliest || exportTime > now) {
      throw new InvalidExportTimeException('Export time must be within the point in time recovery window of the table.');
    }
  }
  const exportId = `${String(now).padStart(13, '0')}-${randomBytes(4).toString('hex')}`;
  const arn = `${meta.arn}/export/${exportId}`;
  const prefix = typeof input.S3Prefix === 'string' && input.S3Prefix !== '' ? `${input.S3Prefix.replace(/\/+$/, '')}/` : '';
  const base = `${prefix}AWSDynamoDB/${exportId}`;
  const items = await itemsAt(engine, meta, exportTime);
  const description: Record<string, unknown> = {
    ExportArn: arn,
    ExportStatus: 'COMPLETED',
    StartTime: seconds(now),
    EndTime: seconds(now),
    ExportManifest: `${base}/manifest-summary.json`,
    TableArn: meta.arn,
    TableId: meta.tableId,
    ExportTime: seconds(exportTime),
    ...(typeof input.ClientToken === 'string' ? { ClientToken: input.ClientToken } : {}),
    S3Bucket: bucket,
    ...(typeof input.S3BucketOwner === 'string' ? { S3BucketOwner: input.S3BucketOwner } : {}),
    ...(prefix ? { S3Prefix: input.S3Prefix } : {}),
    S3SseAlgorithm: (input.S3SseAlgorithm as string | undefined) ?? 'AES256',
    ExportFormat: 'DYNAMODB_JSON',
    BilledSizeBytes: items.reduce((n, i) => n + i.length, 0),
    ItemCount: items.length,
    ExportType: 'FULL_EXPORT',
  };
  try {
    const write = internal.get('s3.writeObject');
    if (!write) throw new ValidationException('S3 is not running in this Nimbus: nothing to export to');
    const data = gzipSync(items.map((i) => `{"Item":${i}}\n`).join(''));
    const dataKey = `${base}/data/${randomBytes(8).toString('hex')}.json.gz`;
    const { etag } = await write({ accountId: scope.accountId, bucket, key: dataKey, body: data, contentType: 'application/x-gzip' });
    const md5 = createHash('md5').update(data).digest('base64');
    const filesKey = `${base}/manifest-files.json`;
    await write({
      accountId: scope.accountId,
      bucket,
      key: filesKey,
      body: Buffer.from(`${JSON.stringify({ itemCount: items.length, md5Checksum: md5, etag: etag.replace(/"/g, ''), dataFileS3Key: dataKey })}\n`),
      contentType: 'application/json',
    });
    const summary = {
      version: '2020-06-30',
      exportArn: arn,
      startTime: new Date(now).toISOString(),
      endTime: new Date(now).toISOString(),
      tableArn: meta.arn,
      tableId: meta.tableId,
      exportTime: new Date(exportTime).toISOString(),
      s3Bucket: bucket,
      s3Prefix: prefix ? input.S3Prefix : null,
      s3SseAlgorithm: description.S3SseAlgorithm,
      s3SseKmsKeyId: null,
      manifestFilesS3Key: filesKey,
      billedSizeBytes: description.BilledSizeBytes,
      itemCount: items.length,
      outputFormat: 'DYNAMODB_JSON',
      exportType: 'FULL_EXPORT',
    };
    await write({ accountId: scope.accountId, bucket, key: `${base}/manifest-summary.json`, body: Buffer.from(JSON.stringify(summary)), contentType: 'application/json' });
  } catch (e) {
    if (!(e instanceof AwsError)) throw e;
    // DynamoDB takes the export and reports S3's refusal as its failure.
    Object.assign(description, { ExportStatus: 'FAILED', FailureCode: e.code, FailureMessage: e.message, BilledSizeBytes: 0, ItemCount: 0 });
    delete description.ExportManifest;
  }
  await engine.write((tx) => engine.repo.saveExport(tx, { arn, account: scope.accountId, region: scope.region, tableArn: meta.arn, createdAt: now, description: JSON.stringify(description) }));
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

/** The table's items (stored JSON text) as they were at `at`: the base snapshot with the logged changes up to then. */
async function itemsAt(engine: DynamoEngine, meta: TableMeta, at: number): Promise<string[]> {
  const byKey = new Map<string, string>();
  const keyOf = (pk: Buffer, sk: Buffer) => `${pk.toString('base64')}/${sk.toString('base64')}`;
  let after: ItemCursor | undefined;
  for (;;) {
    const rows = await engine.repo.readItems(meta.pitr!.baseId, after, 1000);
    for (const r of rows) byKey.set(keyOf(r.pk, r.sk), r.item);
    if (rows.length < 1000) break;
    after = [rows[rows.length - 1]!.pk, rows[rows.length - 1]!.sk];
  }
  let seq = 0;
  for (;;) {
    const changes = await engine.repo.readChanges(meta.id, seq, at, 1000);
    for (const c of changes) {
      if (c.item === null) byKey.delete(keyOf(c.pk, c.sk));
      else byKey.set(keyOf(c.pk, c.sk), c.item);
      seq = c.seq;
    }
    if (changes.length < 1000) break;
  }
  return [...byKey.values()];
}
