/** The DynamoDB Streams API (its own target prefix, DynamoDBStreams_20120810). */
import type { DynamoEngine } from '../engine/index.js';
import { describeStream, getRecords, getShardIterator, listStreams } from '../engine/stream-ops.js';
import type { Operation } from '../../service.js';
import { op } from './define.js';

export function streamOperations(engine: DynamoEngine): Record<string, Operation> {
  return {
    ListStreams: op({ TableName: 'string', Limit: 'integer', ExclusiveStartStreamArn: 'string' }, (input, ctx) => listStreams(engine, ctx, input)),
    DescribeStream: op({ StreamArn: 'string!', Limit: 'integer', ExclusiveStartShardId: 'string' }, (input, ctx) => describeStream(engine, ctx, input)),
    GetShardIterator: op(
      { StreamArn: 'string!', ShardId: 'string!', ShardIteratorType: 'string!', SequenceNumber: 'string' },
      (input, ctx) => getShardIterator(engine, ctx, input),
    ),
    GetRecords: op({ ShardIterator: 'string!', Limit: 'integer' }, (input, ctx) => getRecords(engine, ctx, input)),
  };
}
