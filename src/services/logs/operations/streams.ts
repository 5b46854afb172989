/** Log streams: CreateLogStream, DeleteLogStream, DescribeLogStreams. */
import { boolean, integer, required, string, structure } from '../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../service.js';
import { InvalidParameterException } from '../errors.js';
import type { LogsEngine } from '../engine/index.js';
import type { LogStream } from '../engine/registry.js';
import { pageOf } from '../engine/tokens.js';
import { Checks, GROUP_IDENTIFIER, GROUP_NAME, STREAM_NAME } from '../engine/validate.js';

const ORDER_BY = ['LogStreamName', 'LastEventTime'];

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
    CreateLogStream: {
      input: structure({ logGroupName: required(string()), logStreamName: required(string()) }),
      async handler(input: { logGroupName: string; logStreamName: string }, ctx: RequestContext) {
        new Checks().name('logGroupName', input.logGroupName, GROUP_NAME).name('logStreamName', input.logStreamName, STREAM_NAME).done();
        await registry.createStream(registry.group(ctx, input.logGroupName), input.logStreamName);
      },
    },

    DeleteLogStream: {
      input: structure({ logGroupName: required(string()), logStreamName: required(string()) }),
      async handler(input: { logGroupName: string; logStreamName: string }, ctx: RequestContext) {
        new Checks().name('logGroupName', input.logGroupName, GROUP_NAME).name('logStreamName', input.logStreamName, STREAM_NAME).done();
        const group = registry.group(ctx, input.logGroupName);
        await registry.deleteStream(registry.stream(group, input.logStreamName));
      },
    },

    DescribeLogStreams: {
      input: structure({
        logGroupName: string(),
        logGroupIdentifier: string(),
        logStreamNamePrefix: string(),
        orderBy: string(),
        descending: boolean(),
        nextToken: string(),
        limit: integer(),
      }),
      handler(
        input: {
          logGroupName?: string;
          logGroupIdentifier?: string;
          logStreamNamePrefix?: string;
          orderBy?: string;
          descending?: boolean;
          nextToken?: string;
          limit?: number;
        },
        ctx: RequestContext,
      ) {
        new Checks()
          .name('logGroupName', input.logGroupName, GROUP_NAME)
          .name('logGroupIdentifier', input.logGroupIdentifier, GROUP_IDENTIFIER, 2048)
          .name('logStreamNamePrefix', input.logStreamNamePrefix, STREAM_NAME)
          .oneOf('orderBy', input.orderBy, ORDER_BY)
          .range('limit', input.limit, 1, 50)
          .length('nextToken', input.nextToken, 1, Infinity)
          .done();
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
    },
  };
}
