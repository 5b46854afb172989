/**
 * ImportTable, DescribeImport, ListImports: a new table made from DynamoDB JSON objects in a
 * Nimbus bucket (lines of `{"Item":{...}}`, gzipped or not: what ExportTableToPointInTime
 * writes under `data/`). ImportTable checks the request, creates the table as CreateTable
 * would (CREATING until the import is done) and stores the import IN_PROGRESS in the same
 * write, then answers; import-jobs.ts fills the table in the background.
 */
import { randomBytes } from 'node:crypto';
import { ImportNotFoundException, ValidationException } from '../errors.js';
import type { ImportJobs } from './import-jobs.js';
import type { DynamoEngine } from './index.js';
import { createTable } from './table-ops.js';
import { crossAccountRefusal, type TableScope } from './tables.js';

type Input = Record<string, unknown>;

const seconds = (ms: number) => ms / 1000;

export async function importTable(engine: DynamoEngine, imports: ImportJobs, scope: TableScope, input: Input) {
  const source = input.S3BucketSource as { S3Bucket?: unknown; S3KeyPrefix?: unknown; S3BucketOwner?: unknown } | undefined;
  if (!source || typeof source.S3Bucket !== 'string') {
    throw new ValidationException("1 validation error detected: Value null at 's3BucketSource.s3Bucket' failed to satisfy constraint: Member must not be null");
  }
  const format = input.InputFormat;
  if (format !== 'DYNAMODB_JSON') throw new ValidationException(`InputFormat ${String(format)} is not supported by Nimbus: use DYNAMODB_JSON`);
  const compression = (input.InputCompressionType as string | undefined) ?? 'NONE';
  if (compression !== 'GZIP' && compression !== 'NONE') throw new ValidationException(`InputCompressionType ${compression} is not supported by Nimbus: use GZIP or NONE`);
  const params = input.TableCreationParameters as Record<string, unknown> | undefined;
  if (!params) throw new ValidationException("1 validation error detected: Value null at 'tableCreationParameters' failed to satisfy constraint: Member must not be null");

  const start = engine.clock.now();
  let row: { arn: string; account: string; region: string; tableArn: string; createdAt: number; description: string } | undefined;
  let description: Record<string, unknown> = {};
  await createTable(
    engine,
    scope,
    {
      TableName: params.TableName,
      AttributeDefinitions: params.AttributeDefinitions,
      KeySchema: params.KeySchema,
      BillingMode: params.BillingMode ?? 'PAY_PER_REQUEST',
      ...(params.ProvisionedThroughput !== undefined ? { ProvisionedThroughput: params.ProvisionedThroughput } : {}),
      ...(params.GlobalSecondaryIndexes !== undefined ? { GlobalSecondaryIndexes: params.GlobalSecondaryIndexes } : {}),
    },
    async (tx, meta) => {
      const arn = `${meta.arn}/import/${String(start).padStart(13, '0')}-${randomBytes(4).toString('hex')}`;
      meta.importing = arn;
      description = {
        ImportArn: arn,
        ImportStatus: 'IN_PROGRESS',
        TableArn: meta.arn,
        TableId: meta.tableId,
        ...(typeof input.ClientToken === 'string' ? { ClientToken: input.ClientToken } : {}),
        S3BucketSource: source,
        ErrorCount: 0,
        InputFormat: 'DYNAMODB_JSON',
        InputCompressionType: compression,
        TableCreationParameters: params,
        StartTime: seconds(start),
        ProcessedSizeBytes: 0,
        ProcessedItemCount: 0,
        ImportedItemCount: 0,
      };
      row = { arn, account: scope.accountId, region: scope.region, tableArn: meta.arn, createdAt: start, description: JSON.stringify(description) };
      await engine.repo.saveImport(tx, row);
    },
  );
  imports.start(row!);
  return { ImportTableDescription: description };
}

export async function describeImport(engine: DynamoEngine, scope: TableScope, input: Input) {
  const arn = input.ImportArn;
  if (typeof arn !== 'string') {
    throw new ValidationException("1 validation error detected: Value null at 'importArn' failed to satisfy constraint: Member must not be null");
  }
  const account = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]*:(\d{12}):/.exec(arn)?.[1];
  if (account !== undefined && account !== scope.accountId) throw crossAccountRefusal(scope, arn);
  const row = (await engine.repo.imports(scope.accountId, scope.region)).find((i) => i.arn === arn);
  if (!row) throw new ImportNotFoundException(`Import not found: ${arn}`);
  return { ImportTableDescription: JSON.parse(row.description) as Record<string, unknown> };
}

export async function listImports(engine: DynamoEngine, scope: TableScope, input: Input) {
  const size = (input.PageSize as number | undefined) ?? 25;
  let rows = await engine.repo.imports(scope.accountId, scope.region);
  if (typeof input.TableArn === 'string') rows = rows.filter((i) => i.tableArn === input.TableArn);
  if (typeof input.NextToken === 'string') {
    const at = rows.findIndex((i) => i.arn === input.NextToken);
    if (at >= 0) rows = rows.slice(at + 1);
  }
  const page = rows.slice(0, size);
  return {
    ImportSummaryList: page.map((i) => {
      const d = JSON.parse(i.description) as Record<string, unknown>;
      return { ImportArn: i.arn, ImportStatus: d.ImportStatus, TableArn: i.tableArn, S3BucketSource: d.S3BucketSource, InputFormat: d.InputFormat, StartTime: d.StartTime, EndTime: d.EndTime };
    }),
    ...(rows.length > size ? { NextToken: page[page.length - 1]!.arn } : {}),
  };
}
