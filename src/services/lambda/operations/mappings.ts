/** Event source mappings: CreateEventSourceMapping, Get, Update, Delete and List. */
import type { Operation } from '../../service.js';
import type { EventSourceMappings } from '../engine/mappings.js';
import type { MappingInput } from '../engine/mappings-config.js';
import { inQuery, inUri, MARKER, MAX_ITEMS, op, page } from './define.js';
import { string } from '../../../protocols/shapes.js';

const COLLECTION = '/2015-03-31/event-source-mappings/';
const ONE = '/2015-03-31/event-source-mappings/{UUID}';

/** The settings Create and Update share (Create adds the source and its starting position). */
const SETTINGS = {
  FunctionName: 'string',
  Enabled: 'boolean',
  BatchSize: 'integer',
  FilterCriteria: 'doc',
  MaximumBatchingWindowInSeconds: 'integer',
  ParallelizationFactor: 'integer',
  DestinationConfig: 'doc',
  MaximumRecordAgeInSeconds: 'integer',
  BisectBatchOnFunctionError: 'boolean',
  MaximumRetryAttempts: 'integer',
  TumblingWindowInSeconds: 'integer',
  FunctionResponseTypes: 'strings',
  ScalingConfig: 'doc',
} as const;

export function mappingOperations(mappings: EventSourceMappings): Record<string, Operation> {
  return {
    CreateEventSourceMapping: op(
      { method: 'POST', uri: COLLECTION, code: 202 },
      { ...SETTINGS, FunctionName: 'string!', EventSourceArn: 'string', StartingPosition: 'string', StartingPositionTimestamp: 'doc' },
      (input: MappingInput, ctx) => mappings.create(input, ctx),
    ),
    GetEventSourceMapping: op({ method: 'GET', uri: ONE }, { UUID: inUri('UUID') }, (input: { UUID: string }, ctx) => mappings.get(input.UUID, ctx)),
    UpdateEventSourceMapping: op({ method: 'PUT', uri: ONE, code: 202 }, { ...SETTINGS, UUID: inUri('UUID') }, (input: MappingInput & { UUID: string }, ctx) => {
      const { UUID, ...changes } = input;
      return mappings.update(UUID, changes, ctx);
    }),
    DeleteEventSourceMapping: op({ method: 'DELETE', uri: ONE, code: 202 }, { UUID: inUri('UUID') }, (input: { UUID: string }, ctx) => mappings.delete(input.UUID, ctx)),
    ListEventSourceMappings: op(
      { method: 'GET', uri: COLLECTION },
      { EventSourceArn: inQuery(string(), 'EventSourceArn'), FunctionName: inQuery(string(), 'FunctionName'), Marker: MARKER, MaxItems: MAX_ITEMS },
      (input: { EventSourceArn?: string; FunctionName?: string; Marker?: string; MaxItems?: number }, ctx) => {
        const all = mappings.list(ctx, input);
        return page('EventSourceMappings', all, input.Marker, input.MaxItems ?? 100, 10000);
      },
    ),
  };
}
