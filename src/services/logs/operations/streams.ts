/** Log streams: CreateLogStream, DeleteLogStream, DescribeLogStreams. */
import { defineOperation } from '../../../protocols/define-operation.js';
import { boolean, required, string, structure } from '../../../protocols/shapes.js';
import type { Operation } from '../../service.js';
import { InvalidParameterException } from '../errors.js';
import type { LogsEngine } from '../engine/index.js';
import type { LogStream } from '../engine/registry.js';
import { pageOf } from '../engine/tokens.js';
import { limit, logGroupIdentifier, logGroupName, logStreamName, nextToken } from './shapes.js';

const ORDER_BY = ['LogStreamName', 'LastEventTime'] as const;

function describeStream(s: LogStream) {
  return {
    logStreamName: s.name,
    creationTime: s.createdAt,
    ...(s.firstEventTimestamp !== null ? { firstEventTimestamp: s.firstEventTimestamp } : {}),
    ...(s.lastEventTimestamp !== null ? { lastEventTimestamp: s.lastEventTimestamp } : {}),
    ...(s.lastIngestionTime !== null ? { lastIngestionTime: s.lastIngestionTime } : {}),
    ...(s.uploads > 0 ? { uploadSequenceToken: String(s.uploads).padStart(56, '0') } : {}),
    arn: s.arn,
    storedBytes: s.storedBytes,
  };
}

const byName = (a: LogStream, b: LogStream) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function streamOperations({ registry }: LogsEngine): Record<string, Operation> {
  return {
    CreateLogStream: defineOperation({
      input: structure({ logGroupName: required(logGroupName), logStreamName: required(logStreamName) }),
      async handler(input, ctx) {
        await registry.createStream(registry.group(ctx, input.logGroupName), input.logStreamName);
      },
    }),

    DeleteLogStream: defineOperation({
      input: structure({ logGroupName: required(logGroupName), logStreamName: required(logStreamName) }),
      async handler(input, ctx) {
        const group = registry.group(ctx, input.logGroupName);
        await registry.deleteStream(registry.stream(group, input.logStreamName));
      },
    }),

    DescribeLogStreams: defineOperation({
      input: structure({
        logGroupName,
        logGroupIdentifier,
        logStreamNamePrefix: logStreamName,
        orderBy: string({ enum: ORDER_BY }),
        descending: boolean(),
        nextToken,
        limit: limit(50),
      }),
      handler(input, ctx) {
        const byTime = input.orderBy === 'LastEventTime';
        if (byTime && input.logStreamNamePrefix !== undefined) {
          throw new InvalidParameterException('Cannot order by LastEventTime with a logStreamNamePrefix.');
        }
        const group = registry.resolve(ctx, input);
        const prefix = input.logStreamNamePrefix;
        const descending = input.descending ?? false;
        const streams = [...group.streams.values()].filter((s) => prefix === undefined || s.name.startsWith(prefix));
        // By time, streams without events come first (as if their last event were at 0).
        const keyOf = (s: LogStream) => (byTime ? [s.lastEventTimestamp ?? -1, s.name] : [s.name]);
        streams.sort((a, b) => (byTime ? (a.lastEventTimestamp ?? -1) - (b.lastEventTimestamp ?? -1) || byName(a, b) : byName(a, b)));
        if (descending) streams.reverse();
        const { page, nextToken } = pageOf(streams, keyOf, input.limit ?? 50, input.nextToken, descending);
        return { logStreams: page.map(describeStream), ...(nextToken ? { nextToken } : {}) };
      },
    }),
  };
}
