/** Log events: PutLogEvents, GetLogEvents, FilterLogEvents. */
import { boolean, document, integer, list, required, string, structure } from '../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../service.js';
import type { LogsEngine } from '../engine/index.js';
import type { FilterInput, GetInput, InputEvent } from '../engine/events.js';
import { Checks, GROUP_IDENTIFIER, GROUP_NAME, STREAM_NAME } from '../engine/validate.js';

const inputLogEvent = structure({ timestamp: required(integer()), message: required(string()) });

interface GroupRef {
  logGroupName?: string;
  logGroupIdentifier?: string;
}

function checkGroupRef(checks: Checks, input: GroupRef): Checks {
  return checks.name('logGroupName', input.logGroupName, GROUP_NAME).name('logGroupIdentifier', input.logGroupIdentifier, GROUP_IDENTIFIER, 2048);
}

export function eventOperations({ registry, events }: LogsEngine): Record<string, Operation> {
  return {
    PutLogEvents: {
      input: structure({
        logGroupName: required(string()),
        logStreamName: required(string()),
        logEvents: required(list(inputLogEvent)),
        sequenceToken: string(),
        entity: document(),
      }),
      async handler(input: { logGroupName: string; logStreamName: string; logEvents: InputEvent[] }, ctx: RequestContext) {
        new Checks().name('logGroupName', input.logGroupName, GROUP_NAME).name('logStreamName', input.logStreamName, STREAM_NAME).done();
        const group = registry.group(ctx, input.logGroupName);
        return events.put(registry.stream(group, input.logStreamName), input.logEvents);
      },
    },

    GetLogEvents: {
      input: structure({
        logGroupName: string(),
        logGroupIdentifier: string(),
        logStreamName: required(string()),
        startTime: integer(),
        endTime: integer(),
        nextToken: string(),
        limit: integer(),
        startFromHead: boolean(),
        unmask: boolean(),
      }),
      handler(input: GroupRef & GetInput & { logStreamName: string }, ctx: RequestContext) {
        checkGroupRef(new Checks(), input).name('logStreamName', input.logStreamName, STREAM_NAME).done();
        const group = registry.resolve(ctx, input);
        return events.get(registry.stream(group, input.logStreamName), input);
      },
    },

    FilterLogEvents: {
      input: structure({
        logGroupName: string(),
        logGroupIdentifier: string(),
        logStreamNames: list(string()),
        logStreamNamePrefix: string(),
        startTime: integer(),
        endTime: integer(),
        filterPattern: string(),
        nextToken: string(),
        limit: integer(),
        interleaved: boolean(),
        unmask: boolean(),
      }),
      handler(input: GroupRef & FilterInput, ctx: RequestContext) {
        const checks = checkGroupRef(new Checks(), input);
        (input.logStreamNames ?? []).forEach((n, i) => checks.name(`logStreamNames.${i + 1}.member`, n, STREAM_NAME));
        checks.pattern('logStreamNamePrefix', input.logStreamNamePrefix, STREAM_NAME).done();
        return events.filter(registry.resolve(ctx, input), input);
      },
    },
  };
}
