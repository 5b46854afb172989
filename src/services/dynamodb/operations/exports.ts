/** Exports of a table to S3 (DynamoDB JSON). */
import type { InternalApi } from '../../../lib/internal.js';
import { describeExport, exportTableToPointInTime, listExports } from '../engine/export-ops.js';
import type { DynamoEngine } from '../engine/index.js';
import { integer, string } from '../../../protocols/shapes.js';
import type { Operation } from '../../service.js';
import { op } from './define.js';

export function exportOperations(engine: DynamoEngine, internal: InternalApi): Record<string, Operation> {
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
      (input, ctx) => exportTableToPointInTime(engine, internal, ctx, input),
    ),
    DescribeExport: op({ ExportArn: 'string' }, (input, ctx) => describeExport(engine, ctx, input)),
    ListExports: op({ TableArn: 'string', MaxResults: { shape: integer({ min: 1, max: 25 }) }, NextToken: 'string' }, (input, ctx) => listExports(engine, ctx, input)),
  };
}
