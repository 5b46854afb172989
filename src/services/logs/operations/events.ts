/** Log events: PutLogEvents, GetLogEvents, FilterLogEvents. */
import { defineOperation } from '../../../protocols/define-operation.js';
import { boolean, document, integer, list, required, string, structure } from '../../../protocols/shapes.js';
import type { Operation } from '../../service.js';
import type { LogsEngine } from '../engine/index.js';
import { STREAM_NAME } from '../engine/validate.js';
import { logGroupIdentifier, logGroupName, logStreamName } from './shapes.js';

const inputLogEvent = structure({ timestamp: required(integer()), message: required(string()) });

export function eventOperations({ registry, events }: LogsEngine): Record<string, Operation> {
  return {
    PutLogEvents: defineOperation({
      input: structure({
        logGroupName: required(logGroupName),
        logStreamName: required(logStreamName),
        logEvents: required(list(inputLogEvent)),
        sequenceToken: string(),
        entity: document(),
      }),
      async handler(input, ctx) {
        const group = registry.group(ctx, input.logGroupName);
        return events.put(registry.stream(group, input.logStreamName), input.logEvents);
      },
    }),

    GetLogEvents: defineOperation({
      input: structure({
        logGroupName,
        logGroupIdentifier,
        logStreamName: required(logStreamName),
        startTime: integer(),
        endTime: integer(),
        nextToken: string(),
        limit: integer(),
        startFromHead: boolean(),
        unmask: boolean(),
      }),
      handler(input, ctx) {
        const group = registry.resolve(ctx, input);
        return events.get(registry.stream(group, input.logStreamName), input);
      },
    }),

    FilterLogEvents: defineOperation({
      input: structure({
        logGroupName,
        logGroupIdentifier,
        logStreamNames: list(logStreamName),
        logStreamNamePrefix: string({ pattern: STREAM_NAME }),
        startTime: integer(),
        endTime: integer(),
        filterPattern: string(),
        nextToken: string(),
        limit: integer(),
        interleaved: boolean(),
        unmask: boolean(),
      }),
      handler(input, ctx) {
        return events.filter(registry.resolve(ctx, input), input);
      },
    }),
  };
}
