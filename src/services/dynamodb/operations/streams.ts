/** The DynamoDB Streams API (its own target prefix, DynamoDBStreams_20120810). */
import type { DynamoEngine } from '../engine/index.js';
import { describeStream, getRecords, getShardIterator, listStreams } from '../engine/stream-ops.js';
import type { Operation } from '../../service.js';
import { integer, string } from '../../../protocols/shapes.js';
import { op } from './define.js';

// DynamoDB Streams' declared constraints, in the order it checks them.
const STREAM_ARN = { shape: string({ min: 37, max: 1024 }), required: true } as const;
const SHARD_ID = { shape: string({ min: 28, max: 65 }) } as const;

export function streamOperations(engine: DynamoEngine): Record<string, Operation> {
  return {
    ListStreams: op(
      {
        TableName: { shape: string({ min: 3, max: 255, pattern: '[a-zA-Z0-9_.-]+' }) },
        Limit: { shape: integer({ min: 1, max: 100 }) },
        ExclusiveStartStreamArn: { shape: string({ min: 37, max: 1024 }) },
      },
      (input, ctx) => listStreams(engine, ctx, input),
    ),
    DescribeStream: op(
      { StreamArn: STREAM_ARN, Limit: { shape: integer({ min: 1, max: 100 }) }, ExclusiveStartShardId: SHARD_ID },
      (input, ctx) => describeStream(engine, ctx, input),
    ),
    GetShardIterator: op(
      {
        StreamArn: STREAM_ARN,
        ShardId: { ...SHARD_ID, required: true },
        ShardIteratorType: { shape: string({ enum: ['AFTER_SEQUENCE_NUMBER', 'LATEST', 'AT_SEQUENCE_NUMBER', 'TRIM_HORIZON'] }), required: true },
        SequenceNumber: { shape: string({ min: 21, max: 40 }) },
      },
      (input, ctx) => getShardIterator(engine, ctx, input),
    ),
    GetRecords: op(
      { ShardIterator: { shape: string({ min: 1, max: 2048 }), required: true }, Limit: { shape: integer({ min: 1, max: 1000 }) } },
      (input, ctx) => getRecords(engine, ctx, input),
    ),
  };
}
