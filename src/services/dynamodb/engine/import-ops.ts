/**
 * ImportTable, DescribeImport, ListImports: a new table made from DynamoDB JSON objects in a
 * Nimbus bucket (lines of `{"Item":{...}}`, gzipped or not: what ExportTableToPointInTime
 * writes under `data/`). The table is created as CreateTable would create it, then every
 * object under the key prefix is read through S3's in-process calls (as the caller's
 * account, with S3's checks) and its items are written a chunk per commit. A line that is not
 * an item of the table's key schema is counted in ErrorCount and skipped, as DynamoDB does;
 * an import S3 refuses (no such bucket, access denied) is FAILED and leaves no table.
 */
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { InternalApi } from '../../../lib/internal.js';
import { AwsError } from '../../../protocols/errors.js';
import { ImportNotFoundException, ValidationException } from '../errors.js';
import type { DynamoEngine } from './index.js';
import { checkItemKeys, encodeKey } from './keys.js';
import { createTable, deleteTable } from './table-ops.js';
import { crossAccountRefusal, type TableScope } from './tables.js';
import type { Item } from './types.js';
import { itemSize, validateItem } from './values.js';

type Input = Record<string, unknown>;

const seconds = (ms: number) => ms / 1000;
const MAX_OBJECTS = 50_000;
const CHUNK = 128;

export async function importTable(engine: DynamoEngine, internal: InternalApi, scope: TableScope, input: Input) {
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
  const list = internal.get('s3.listKeys');
  const read = internal.get('s3.readObject');
  if (!list || !read) throw new ValidationException('S3 is not running in this Nimbus: nothing to import from');

  const created = (await createTable(engine, scope, {
    TableName: params.TableName,
    AttributeDefinitions: params.AttributeDefinitions,
    KeySchema: params.KeySchema,
    BillingMode: params.BillingMode ?? 'PAY_PER_REQUEST',
    ...(params.ProvisionedThroughput !== undefined ? { ProvisionedThroughput: params.ProvisionedThroughput } : {}),
    ...(params.GlobalSecondaryIndexes !== undefined ? { GlobalSecondaryIndexes: params.GlobalSecondaryIndexes } : {}),
  })) as { TableDescription: { TableArn: string; TableId: string; TableName: string } };
  const meta = engine.tables.find(scope, created.TableDescription.TableName)!;
  const start = engine.clock.now();
  const arn = `${meta.arn}/import/${String(start).padStart(13, '0')}-${randomBytes(4).toString('hex')}`;
  let processed = 0;
  let imported = 0;
  let errors = 0;
  let bytes = 0;
  let failure: AwsError | undefined;
  try {
    const prefix = typeof source.S3KeyPrefix === 'string' ? source.S3KeyPrefix : '';
    for (const key of await list({ accountId: scope.accountId, bucket: source.S3Bucket, prefix, max: MAX_OBJECTS })) {
      const body = await read({ accountId: scope.accountId, bucket: source.S3Bucket, key });
      if (!body) continue;
      bytes += body.length;
      let text: string;
      try {
        text = (compression === 'GZIP' ? gunzipSync(body) : body).toString('utf8');
      } catch {
        errors++;
        continue;
      }
      let chunk: Item[] = [];
      const flush = async () => {
        const items = chunk;
        chunk = [];
        await engine.write(async (tx) => {
          const live = engine.live(meta);
          for (const item of items) await engine.items.apply(tx, live, encodeKey(live.key, item), undefined, item, 'user', itemSize(item));
        });
      };
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        processed++;
        try {
          const item = validateItem((JSON.parse(line) as { Item?: unknown }).Item);
          checkItemKeys(meta, item);
          chunk.push(item);
          imported++;
        } catch {
          errors++;
          continue;
        }
        if (chunk.length >= CHUNK) await flush();
      }
      if (chunk.length) await flush();
    }
  } catch (e) {
    if (!(e instanceof AwsError)) throw e;
    failure = e;
  }
  // A failed import leaves no table behind.
  if (failure) await deleteTable(engine, scope, { TableName: meta.name });
  const end = engine.clock.now();
  const description: Record<string, unknown> = {
    ImportArn: arn,
    ImportStatus: failure ? 'FAILED' : 'COMPLETED',
    TableArn: meta.arn,
    TableId: meta.tableId,
    ...(typeof input.ClientToken === 'string' ? { ClientToken: input.ClientToken } : {}),
    S3BucketSource: source,
    ErrorCount: errors,
    InputFormat: 'DYNAMODB_JSON',
    InputCompressionType: compression,
    TableCreationParameters: params,
    StartTime: seconds(start),
    EndTime: seconds(end),
    ProcessedSizeBytes: bytes,
    ProcessedItemCount: processed,
    ImportedItemCount: imported,
    ...(failure ? { FailureCode: failure.code, FailureMessage: failure.message } : {}),
  };
  await engine.write((tx) => engine.repo.saveImport(tx, { arn, account: scope.accountId, region: scope.region, tableArn: meta.arn, createdAt: start, description: JSON.stringify(description) }));
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
