/**
 * Event source mappings as Lambda's API describes them: the stored document, its checks (with
 * Lambda's defaults, limits and messages, which differ for queues and streams) and the
 * EventSourceMappingConfiguration the API returns.
 */
import { parseArn } from '../../../lib/arn.js';
import { EventPatternError, parseEventPattern } from '../../../lib/event-pattern.js';
import { AwsError } from '../../../protocols/errors.js';
import { ConstraintList, rules } from '../../../protocols/validate.js';
import { InvalidParameterValueException } from '../errors.js';

export type SourceKind = 'sqs' | 'dynamodb';

/** One mapping, as stored (one JSON document per mapping). */
export interface MappingDoc {
  UUID: string;
  accountId: string;
  region: string;
  kind: SourceKind;
  EventSourceArn: string;
  /** The function's ARN, with the qualifier when the mapping names one. */
  FunctionArn: string;
  enabled: boolean;
  BatchSize: number;
  MaximumBatchingWindowInSeconds: number;
  FunctionResponseTypes: string[];
  FilterCriteria?: { Filters: Array<{ Pattern: string }> };
  ScalingConfig?: { MaximumConcurrency?: number };
  StartingPosition?: string;
  StartingPositionTimestamp?: number;
  MaximumRetryAttempts?: number;
  MaximumRecordAgeInSeconds?: number;
  BisectBatchOnFunctionError?: boolean;
  ParallelizationFactor?: number;
  TumblingWindowInSeconds?: number;
  DestinationConfig?: { OnFailure: { Destination?: string } };
  /** Epoch ms of the last change through the API. */
  LastModified: number;
  LastProcessingResult?: string;
  /** Streams: per shard, the sequence number up to which records are done (read after it). */
  positions?: Record<string, number>;
}

/**
 * The members CreateEventSourceMapping and UpdateEventSourceMapping take, their lengths, ranges
 * and enums already held to the model's constraints (operations/mappings.ts).
 */
export interface MappingInput {
  FunctionName?: string;
  EventSourceArn?: string;
  Enabled?: boolean;
  BatchSize?: number;
  MaximumBatchingWindowInSeconds?: number;
  FunctionResponseTypes?: string[];
  FilterCriteria?: { Filters?: Array<{ Pattern?: string }> };
  ScalingConfig?: { MaximumConcurrency?: number };
  StartingPosition?: string;
  StartingPositionTimestamp?: unknown;
  MaximumRetryAttempts?: number;
  MaximumRecordAgeInSeconds?: number;
  BisectBatchOnFunctionError?: boolean;
  ParallelizationFactor?: number;
  TumblingWindowInSeconds?: number;
  DestinationConfig?: { OnSuccess?: { Destination?: string }; OnFailure?: { Destination?: string } };
}

/** What a state-changing call reports while the change settles (Lambda answers before it does). */
export type TransitionState = 'Creating' | 'Updating' | 'Enabling' | 'Disabling' | 'Deleting';

const STREAM_ONLY = ['MaximumRetryAttempts', 'MaximumRecordAgeInSeconds', 'BisectBatchOnFunctionError', 'ParallelizationFactor', 'TumblingWindowInSeconds', 'DestinationConfig'] as const;
const RESPONSE_TYPES = ['ReportBatchItemFailures'];
const MAX_FILTERS = 5;

const invalid = (message: string) => new InvalidParameterValueException(message);

/** Which kind of source an ARN names; Lambda's error for one it cannot read from. */
export function sourceKind(arn: string | undefined): SourceKind {
  if (arn === undefined) throw invalid('Unrecognized event source.');
  const a = parseArn(arn);
  if (a?.service === 'sqs' && /^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(a.resource)) return 'sqs';
  if (a?.service === 'dynamodb' && /^table\/[A-Za-z0-9_.-]{3,255}\/stream\/.+$/.test(a.resource)) return 'dynamodb';
  // Kinesis is a source Lambda knows, but this cloud has no Kinesis streams.
  if (a?.service === 'kinesis') throw invalid(`Stream not found: ${arn}`);
  throw invalid('Unrecognized event source, must be kinesis, dynamodb stream or sqs.');
}

/**
 * Checks a mapping (a new one, or an existing one with an update applied) and returns the
 * document with Lambda's defaults filled in. `input` is what the caller sent, for the
 * messages that depend on what was given rather than on the result.
 */
export function checkMapping(doc: MappingDoc, input: MappingInput, creating: boolean): MappingDoc {
  const out: MappingDoc = { ...doc };
  const types = input.FunctionResponseTypes;
  if (types?.some((t) => !RESPONSE_TYPES.includes(t))) {
    new ConstraintList().add('functionResponseTypes', types, rules.eachMember([rules.enum(RESPONSE_TYPES)])).throwIfAny((message) => new AwsError('ValidationException', message));
  }
  const concurrency = input.ScalingConfig?.MaximumConcurrency;

  if (input.Enabled !== undefined) out.enabled = input.Enabled;
  if (input.BatchSize !== undefined) out.BatchSize = input.BatchSize;
  if (input.MaximumBatchingWindowInSeconds !== undefined) out.MaximumBatchingWindowInSeconds = input.MaximumBatchingWindowInSeconds;
  if (input.FunctionResponseTypes !== undefined) out.FunctionResponseTypes = [...new Set(input.FunctionResponseTypes)];
  if (input.FilterCriteria !== undefined) {
    const filters = checkFilters(input.FilterCriteria);
    if (filters.length) out.FilterCriteria = { Filters: filters };
    else delete out.FilterCriteria;
  }
  if (input.ScalingConfig !== undefined) {
    if (concurrency !== undefined) out.ScalingConfig = { MaximumConcurrency: concurrency };
    else delete out.ScalingConfig;
  }

  if (doc.kind === 'sqs') {
    if (input.StartingPosition !== undefined || input.StartingPositionTimestamp !== undefined) throw invalid('StartingPosition is not valid for SQS event sources.');
    for (const name of STREAM_ONLY) {
      if (input[name] !== undefined) throw invalid(`Unsupported ${name} parameter for given event source mapping type.`);
    }
    const fifo = doc.EventSourceArn.endsWith('.fifo');
    if (fifo && out.MaximumBatchingWindowInSeconds > 0) throw invalid('Batching window is not supported for FIFO queues');
    if (fifo && out.BatchSize > 10) throw invalid('Batch size must be less than or equal to 10 for FIFO queues');
    if (out.BatchSize > 10 && out.MaximumBatchingWindowInSeconds < 1) {
      throw invalid('Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10');
    }
    return out;
  }

  if (input.ScalingConfig !== undefined) throw invalid('Unsupported ScalingConfig parameter for given event source mapping type.');
  if (creating) {
    // Lambda reports this one as InvalidParameterValueException, its message ending in a full stop.
    if (input.StartingPosition === undefined) throw invalid(`${new ConstraintList().add('startingPosition', null, rules.notNull).message()}.`);
    if (input.StartingPosition === 'AT_TIMESTAMP') throw invalid(`Unsupported starting position for arn type: ${doc.EventSourceArn}`);
    out.StartingPosition = input.StartingPosition;
  } else if (input.StartingPosition !== undefined) {
    throw invalid('StartingPosition cannot be updated.');
  }
  if (input.MaximumRetryAttempts !== undefined) out.MaximumRetryAttempts = input.MaximumRetryAttempts;
  if (input.MaximumRecordAgeInSeconds !== undefined) {
    const age = input.MaximumRecordAgeInSeconds;
    if (age !== -1 && age < 60) throw invalid('MaximumRecordAgeInSeconds must be -1 or between 60 and 604800.');
    out.MaximumRecordAgeInSeconds = age;
  }
  if (input.BisectBatchOnFunctionError !== undefined) out.BisectBatchOnFunctionError = input.BisectBatchOnFunctionError;
  if (input.ParallelizationFactor !== undefined) out.ParallelizationFactor = input.ParallelizationFactor;
  if (input.TumblingWindowInSeconds !== undefined) out.TumblingWindowInSeconds = input.TumblingWindowInSeconds;
  if (input.DestinationConfig !== undefined) out.DestinationConfig = checkDestination(input.DestinationConfig, doc.accountId);
  out.MaximumRetryAttempts ??= -1;
  out.MaximumRecordAgeInSeconds ??= -1;
  out.BisectBatchOnFunctionError ??= false;
  out.ParallelizationFactor ??= 1;
  out.TumblingWindowInSeconds ??= 0;
  out.DestinationConfig ??= { OnFailure: {} };
  return out;
}

/** Lambda's batch size when none is given: 10 for queues, 100 for streams. */
export const defaultBatchSize = (kind: SourceKind) => (kind === 'sqs' ? 10 : 100);

function checkFilters(criteria: NonNullable<MappingInput['FilterCriteria']>): Array<{ Pattern: string }> {
  const filters = criteria.Filters ?? [];
  if (filters.length > MAX_FILTERS) throw invalid(`The maximum number of filters in FilterCriteria is ${MAX_FILTERS}.`);
  return filters.map(({ Pattern: pattern }) => {
    if (pattern === undefined) throw invalid('Invalid filter pattern definition.');
    try {
      parseEventPattern(pattern);
    } catch (e) {
      if (e instanceof EventPatternError) throw invalid('Invalid filter pattern definition.');
      throw e;
    }
    return { Pattern: pattern };
  });
}

/**
 * A stream mapping's on-failure destination. Only an SQS queue of the mapping's own account
 * is taken: this cloud has no SNS destinations yet (the records would be lost), and the
 * execution role cannot reach another account's queue without a queue policy.
 */
function checkDestination(config: NonNullable<MappingInput['DestinationConfig']>, accountId: string): { OnFailure: { Destination?: string } } {
  if (config.OnSuccess !== undefined) throw invalid('Unsupported DestinationConfig parameter for given event source mapping type.');
  const destination = config.OnFailure?.Destination;
  if (destination === undefined || destination === '') return { OnFailure: {} };
  const a = parseArn(destination);
  if (!a || a.service !== 'sqs' || !/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(a.resource)) {
    throw invalid(`The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure(destination=${destination})) is invalid.`);
  }
  if (a.account !== accountId) throw invalid('The provided execution role does not have permissions to call SendMessage on SQS');
  return { OnFailure: { Destination: destination } };
}

/** EventSourceMappingConfiguration, as the API returns it. */
export function describeMapping(doc: MappingDoc, state?: TransitionState): Record<string, unknown> {
  const common = {
    UUID: doc.UUID,
    ...(doc.kind === 'dynamodb' ? { StartingPosition: doc.StartingPosition } : {}),
    BatchSize: doc.BatchSize,
    MaximumBatchingWindowInSeconds: doc.MaximumBatchingWindowInSeconds,
    ...(doc.kind === 'dynamodb' ? { ParallelizationFactor: doc.ParallelizationFactor } : {}),
    EventSourceArn: doc.EventSourceArn,
    ...(doc.FilterCriteria ? { FilterCriteria: doc.FilterCriteria } : {}),
    FunctionArn: doc.FunctionArn,
    LastModified: doc.LastModified / 1000,
    ...(doc.kind === 'dynamodb' ? { LastProcessingResult: doc.LastProcessingResult ?? 'No records processed' } : {}),
    State: state ?? (doc.enabled ? 'Enabled' : 'Disabled'),
    // Lambda words the reason differently for queues and streams.
    StateTransitionReason: doc.kind === 'sqs' ? 'USER_INITIATED' : 'User action',
  };
  const streams =
    doc.kind === 'dynamodb'
      ? {
          DestinationConfig: doc.DestinationConfig,
          MaximumRecordAgeInSeconds: doc.MaximumRecordAgeInSeconds,
          BisectBatchOnFunctionError: doc.BisectBatchOnFunctionError,
          MaximumRetryAttempts: doc.MaximumRetryAttempts,
          TumblingWindowInSeconds: doc.TumblingWindowInSeconds,
        }
      : {};
  return {
    ...common,
    ...streams,
    FunctionResponseTypes: doc.FunctionResponseTypes,
    ...(doc.ScalingConfig ? { ScalingConfig: doc.ScalingConfig } : {}),
    EventSourceMappingArn: `arn:aws:lambda:${doc.region}:${doc.accountId}:event-source-mapping:${doc.UUID}`,
  };
}
