/** Exports of a table to S3 and imports from S3 (DynamoDB JSON). */
import type { ExportJobs } from '../engine/export-jobs.js';
import type { ImportJobs } from '../engine/import-jobs.js';
import { describeExport, exportTableToPointInTime, listExports } from '../engine/export-ops.js';
import { describeImport, importTable, listImports } from '../engine/import-ops.js';
import type { DynamoEngine } from '../engine/index.js';
import { integer, string } from '../../../protocols/shapes.js';
import type { Operation } from '../../service.js';
import { op, struct } from './define.js';

export function exportOperations(engine: DynamoEngine, exports: ExportJobs, imports: ImportJobs): Record<string, Operation> {
  return {
    ExportTableToPointInTime: op(
      {
        TableArn: 'string',
        ExportTime: 'doc',
        ClientToken: 'string',
        S3Bucket: 'string',
        S3BucketOwner: 'string',
        S3Prefix: 'string',
        S3SseAlgorithm: { shape: string({ enum: ['AES256', 'KMS'] }) },
        S3SseKmsKeyId: 'string',
        ExportFormat: { shape: string({ enum: ['DYNAMODB_JSON', 'ION'] }) },
        ExportType: { shape: string({ enum: ['FULL_EXPORT', 'INCREMENTAL_EXPORT'] }) },
        IncrementalExportSpecification: 'struct',
      },
      (input, ctx) => exportTableToPointInTime(engine, exports, ctx, input),
    ),
    DescribeExport: op({ ExportArn: 'string' }, (input, ctx) => describeExport(engine, ctx, input)),
    ImportTable: op(
      {
        ClientToken: 'string',
        S3BucketSource: struct('S3BucketSource'),
        InputFormat: { shape: string({ enum: ['DYNAMODB_JSON', 'ION', 'CSV'] }) },
        InputFormatOptions: 'struct',
        InputCompressionType: { shape: string({ enum: ['GZIP', 'ZSTD', 'NONE'] }) },
        TableCreationParameters: struct('TableCreationParameters'),
      },
      (input, ctx) => importTable(engine, imports, ctx, input),
    ),
    DescribeImport: op({ ImportArn: 'string' }, (input, ctx) => describeImport(engine, ctx, input)),
    ListImports: op({ TableArn: 'string', PageSize: { shape: integer({ min: 1, max: 25 }) }, NextToken: 'string' }, (input, ctx) => listImports(engine, ctx, input)),
    ListExports: op({ TableArn: 'string', MaxResults: { shape: integer({ min: 1, max: 25 }) }, NextToken: 'string' }, (input, ctx) => listExports(engine, ctx, input)),
  };
}
