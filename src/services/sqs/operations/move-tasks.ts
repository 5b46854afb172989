/** StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask (DLQ redrive). */
import { defineOperation } from '../../../protocols/define-operation.js';
import type { Operation } from '../../service.js';
import { InvalidParameterValue } from '../errors.js';
import type { SqsEngine } from '../engine/index.js';
import { integer, list, named, required, string, structure } from './shapes.js';

const taskEntry = structure({
  TaskHandle: string(),
  Status: string(),
  SourceArn: string(),
  DestinationArn: string(),
  MaxNumberOfMessagesPerSecond: integer(),
  ApproximateNumberOfMessagesMoved: integer(),
  ApproximateNumberOfMessagesToMove: integer(),
  FailureReason: string(),
  StartedTimestamp: integer(),
});

export function moveTaskOperations({ moveTasks }: SqsEngine): Record<string, Operation> {
  return {
    StartMessageMoveTask: defineOperation({
      input: structure({ SourceArn: required(string()), DestinationArn: string(), MaxNumberOfMessagesPerSecond: integer() }),
      output: structure({ TaskHandle: string() }),
      async handler(input, ctx) {
        return { TaskHandle: await moveTasks.start(ctx, input.SourceArn, input.DestinationArn, input.MaxNumberOfMessagesPerSecond) };
      },
    }),
    CancelMessageMoveTask: defineOperation({
      input: structure({ TaskHandle: required(string()) }),
      output: structure({ ApproximateNumberOfMessagesMoved: integer() }),
      async handler(input, ctx) {
        return { ApproximateNumberOfMessagesMoved: await moveTasks.cancel(ctx, input.TaskHandle) };
      },
    }),
    ListMessageMoveTasks: defineOperation({
      input: structure({ SourceArn: required(string()), MaxResults: integer() }),
      output: structure({ Results: named(list(taskEntry, { memberName: 'ListMessageMoveTasksResultEntry', flattened: true }), 'ListMessageMoveTasksResultEntry') }),
      async handler(input, ctx) {
        const max = input.MaxResults ?? 1;
        if (max < 1 || max > 10) {
          throw new InvalidParameterValue(`Value ${max} for parameter MaxResults is invalid. Reason: You must enter a number that's between 1 and 10.`);
        }
        return {
          Results: (await moveTasks.list(ctx, input.SourceArn, max)).map((t) => ({
            TaskHandle: t.status === 'RUNNING' ? t.handle : undefined,
            Status: t.status,
            SourceArn: t.sourceArn,
            DestinationArn: t.destinationArn ?? undefined,
            MaxNumberOfMessagesPerSecond: t.maxPerSecond ?? undefined,
            ApproximateNumberOfMessagesMoved: t.moved,
            ApproximateNumberOfMessagesToMove: t.toMove,
            FailureReason: t.failureReason ?? undefined,
            StartedTimestamp: t.startedAt,
          })),
        };
      },
    }),
  };
}
