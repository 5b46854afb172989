/** Event source mappings: CreateEventSourceMapping, Get, Update, Delete and List. */
import { defineOperation } from '../../../protocols/define-operation.js';
import type { Operation } from '../../service.js';
import type { EventSourceMappings } from '../engine/mappings.js';
import { page } from './paging.js';
import { arn, boolean, destinationConfig, document, functionName, inQuery, inUri, integer, list, MARKER, maxItems, required, string, structure } from './shapes.js';

const COLLECTION = '/2015-03-31/event-source-mappings/';
const ONE = '/2015-03-31/event-source-mappings/{UUID}';

/** The settings Create and Update share (Create adds the source and its starting position). */
const SETTINGS = {
  FunctionName: functionName,
  Enabled: boolean(),
  BatchSize: integer({ min: 1, max: 10000 }),
  // At most five filters, each a JSON pattern: the engine checks them in Lambda's words.
  FilterCriteria: structure({ Filters: list(structure({ Pattern: string({ max: 4096 }) })) }),
  MaximumBatchingWindowInSeconds: integer({ min: 0, max: 300 }),
  ParallelizationFactor: integer({ min: 1, max: 10 }),
  DestinationConfig: destinationConfig,
  MaximumRecordAgeInSeconds: integer({ min: -1, max: 604800 }),
  BisectBatchOnFunctionError: boolean(),
  MaximumRetryAttempts: integer({ min: -1, max: 10000 }),
  TumblingWindowInSeconds: integer({ min: 0, max: 900 }),
  // Items checked by the engine against [ReportBatchItemFailures], worded as Lambda words an enum list.
  FunctionResponseTypes: list(string(), { max: 1 }),
  ScalingConfig: structure({ MaximumConcurrency: integer({ min: 2, max: 1000 }) }),
};

export function mappingOperations(mappings: EventSourceMappings): Record<string, Operation> {
  return {
    CreateEventSourceMapping: defineOperation({
      http: { method: 'POST', uri: COLLECTION, code: 202 },
      input: structure({
        EventSourceArn: arn,
        ...SETTINGS,
        FunctionName: required(functionName),
        // The service's order in its message, not the model's.
        StartingPosition: string({ enum: ['LATEST', 'AT_TIMESTAMP', 'TRIM_HORIZON'] }),
        // A timestamp (epoch seconds): the shapes have no such kind, and Nimbus reads no position at a time.
        StartingPositionTimestamp: document(),
      }),
      handler: (input, ctx) => mappings.create(input, ctx),
    }),
    GetEventSourceMapping: defineOperation({
      http: { method: 'GET', uri: ONE },
      input: structure({ UUID: inUri('UUID') }),
      handler: (input, ctx) => mappings.get(input.UUID, ctx),
    }),
    UpdateEventSourceMapping: defineOperation({
      http: { method: 'PUT', uri: ONE, code: 202 },
      input: structure({ UUID: inUri('UUID'), ...SETTINGS }),
      handler: (input, ctx) => {
        const { UUID, ...changes } = input;
        return mappings.update(UUID, changes, ctx);
      },
    }),
    DeleteEventSourceMapping: defineOperation({
      http: { method: 'DELETE', uri: ONE, code: 202 },
      input: structure({ UUID: inUri('UUID') }),
      handler: (input, ctx) => mappings.delete(input.UUID, ctx),
    }),
    ListEventSourceMappings: defineOperation({
      http: { method: 'GET', uri: COLLECTION },
      input: structure({ EventSourceArn: inQuery(arn, 'EventSourceArn'), FunctionName: inQuery(functionName, 'FunctionName'), Marker: MARKER, MaxItems: maxItems(10000) }),
      handler: (input, ctx) => page('EventSourceMappings', mappings.list(ctx, input), input.Marker, input.MaxItems ?? 100, 10000),
    }),
  };
}
