/**
 * The DynamoDB Streams API: ListStreams, DescribeStream, GetShardIterator, GetRecords. Each
 * stream has one shard, open while the stream is enabled; its records are the stream log
 * (stream-log.ts) in sequence order. Shard iterators are opaque, name their stream and
 * position, and expire after 15 minutes as in DynamoDB.
 */
import { ExpiredIteratorException, ResourceNotFoundException, TrimmedDataAccessException, ValidationException } from '../errors.js';
import type { StreamRow } from '../repo.js';
import type { DynamoEngine } from './index.js';
import { formatSequence, parseSequence, STREAM_RETENTION_MS } from './stream-log.js';
import type { KeySchema } from './table-meta.js';
import { crossAccountRefusal, type TableScope } from './tables.js';

type Input = Record<string, unknown>;

const ITERATOR_TTL_MS = 15 * 60_000;
const STREAM_ARN = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[a-zA-Z0-9_.-]{3,255}\/stream\/\S+$/;
const MAX_RECORDS = 1000;

async function visibleStreams(engine: DynamoEngine, scope: TableScope): Promise<StreamRow[]> {
  const cutoff = engine.clock.now() - STREAM_RETENTION_MS;
  return (await engine.repo.streams()).filter((s) => s.account === scope.accountId && s.region === scope.region && (s.disabledAt === null || s.disabledAt >= cutoff));
}

async function streamByArn(engine: DynamoEngine, scope: TableScope, arn: unknown): Promise<StreamRow> {
  if (typeof arn !== 'string' || arn.length < 37 || arn.length > 1024) {
    throw new ValidationException(`1 validation error detected: Value '${String(arn)}' at 'streamArn' failed to satisfy constraint: Member must have length greater than or equal to 37`);
  }
  if (!STREAM_ARN.test(arn)) throw new ValidationException('Invalid StreamArn');
  // Another account's stream is refused as its table is (streams have resource policies of their own), existing or not.
  if (arn.split(':')[4] !== scope.accountId) throw crossAccountRefusal(scope, arn);
  const s = (await visibleStreams(engine, scope)).find((x) => x.arn === arn);
  if (!s) throw new ResourceNotFoundException(`Requested resource not found: Stream: ${arn} not found`);
  return s;
}

function shardId(s: StreamRow): string {
  return `shardId-${String(s.createdAt).padStart(20, '0')}-${s.id.toString(16).padStart(8, '0')}`;
}

export async function listStreams(engine: DynamoEngine, scope: TableScope, input: Input) {
  const limit = (input.Limit as number | undefined) ?? 100;
  if (limit < 1 || limit > 100) {
    throw new ValidationException(`1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value ${limit < 1 ? 'greater than or equal to 1' : 'less than or equal to 100'}`);
  }
  let streams = await visibleStreams(engine, scope);
  if (typeof input.TableName === 'string') streams = streams.filter((s) => s.tableName === input.TableName);
  if (typeof input.ExclusiveStartStreamArn === 'string') {
    const at = streams.findIndex((s) => s.arn === input.ExclusiveStartStreamArn);
    streams = at >= 0 ? streams.slice(at + 1) : streams;
  }
  const page = streams.slice(0, limit);
  return {
    Streams: page.map((s) => ({ StreamArn: s.arn, TableName: s.tableName, StreamLabel: s.label })),
    LastEvaluatedStreamArn: streams.length > limit ? page[page.length - 1]!.arn : undefined,
  };
}

export async function describeStream(engine: DynamoEngine, scope: TableScope, input: Input) {
  const s = await streamByArn(engine, scope, input.StreamArn);
  const bounds = await engine.repo.streamBounds(s.id);
  const key = JSON.parse(s.keySchema) as KeySchema;
  const range: Record<string, string> = { StartingSequenceNumber: formatSequence(bounds.first ?? (bounds.last ?? (await engine.repo.maxSequence())) + 1) };
  if (s.disabledAt !== null && bounds.last !== null) range.EndingSequenceNumber = formatSequence(bounds.last);
  const shards = input.ExclusiveStartShardId === shardId(s) ? [] : [{ ShardId: shardId(s), SequenceNumberRange: range }];
  return {
    StreamDescription: {
      StreamArn: s.arn,
      StreamLabel: s.label,
      StreamStatus: s.disabledAt === null ? 'ENABLED' : 'DISABLED',
      StreamViewType: s.viewType,
      CreationRequestDateTime: s.createdAt / 1000,
      TableName: s.tableName,
      KeySchema: [
        { AttributeName: key.hash.name, KeyType: 'HASH' },
        ...(key.range ? [{ AttributeName: key.range.name, KeyType: 'RANGE' }] : []),
      ],
      Shards: shards,
    },
  };
}

interface IteratorState {
  /** Stream ARN. */
  a: string;
  /** Read records with sequence numbers greater than this. */
  p: number;
  /** Issued at, epoch ms. */
  t: number;
}

function encodeIterator(state: IteratorState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

function decodeIterator(it: unknown): IteratorState {
  if (typeof it !== 'string' || it.length < 1 || it.length > 2048) {
    throw new ValidationException(`1 validation error detected: Value '${String(it)}' at 'shardIterator' failed to satisfy constraint: Member must have length less than or equal to 2048`);
  }
  try {
    const s = JSON.parse(Buffer.from(it, 'base64url').toString('utf8')) as IteratorState;
    if (typeof s.a === 'string' && Number.isSafeInteger(s.p) && Number.isSafeInteger(s.t)) return s;
  } catch {
    // fall through
  }
  throw new ValidationException('Invalid ShardIterator');
}

export async function getShardIterator(engine: DynamoEngine, scope: TableScope, input: Input) {
  const type = input.ShardIteratorType;
  const atSequence = type === 'AT_SEQUENCE_NUMBER' || type === 'AFTER_SEQUENCE_NUMBER';
  // A sequence number only goes with the iterator types that start at one, and they need it;
  // both are checked before the stream is looked up.
  if (!atSequence && input.SequenceNumber !== undefined) {
    throw new ValidationException(`Invalid Request: SequenceNumber must not be provided for ShardIteratorType ${String(type)}`);
  }
  if (atSequence && input.SequenceNumber === undefined) {
    throw new ValidationException(`Invalid Request: SequenceNumber must be provided for ShardIteratorType ${String(type)}`);
  }
  if (atSequence && parseSequence(input.SequenceNumber as string) === undefined) {
    throw new ValidationException(`Invalid SequenceNumber: ${String(input.SequenceNumber)}`);
  }
  const s = await streamByArn(engine, scope, input.StreamArn);
  if (input.ShardId !== shardId(s)) throw new ResourceNotFoundException(`Requested resource not found: Shard does not exist`);
  const bounds = await engine.repo.streamBounds(s.id);
  let position: number;
  if (type === 'TRIM_HORIZON') position = (bounds.first ?? (bounds.last ?? (await engine.repo.maxSequence())) + 1) - 1;
  else if (type === 'LATEST') position = bounds.last ?? (await engine.repo.maxSequence());
  else if (type === 'AT_SEQUENCE_NUMBER' || type === 'AFTER_SEQUENCE_NUMBER') {
    const seq = typeof input.SequenceNumber === 'string' ? parseSequence(input.SequenceNumber) : undefined;
    if (seq === undefined) throw new ValidationException('Invalid SequenceNumber for ShardIteratorType ' + type + ': the SequenceNumber is required');
    if (bounds.first !== null && seq < bounds.first) {
      throw new TrimmedDataAccessException('The operation attempted to read past the oldest stream record in a shard.');
    }
    position = type === 'AT_SEQUENCE_NUMBER' ? seq - 1 : seq;
  } else {
    throw new ValidationException(
      `1 validation error detected: Value '${String(type)}' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_SEQUENCE_NUMBER, TRIM_HORIZON]`,
    );
  }
  return { ShardIterator: encodeIterator({ a: s.arn, p: position, t: engine.clock.now() }) };
}

export async function getRecords(engine: DynamoEngine, scope: TableScope, input: Input) {
  const state = decodeIterator(input.ShardIterator);
  const limit = (input.Limit as number | undefined) ?? MAX_RECORDS;
  if (limit < 1 || limit > MAX_RECORDS) {
    throw new ValidationException(`1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value ${limit < 1 ? 'greater than or equal to 1' : 'less than or equal to 1000'}`);
  }
  const now = engine.clock.now();
  if (now - state.t > ITERATOR_TTL_MS) {
    throw new ExpiredIteratorException('Iterator expired. The iterator was created at time ' + new Date(state.t).toUTCString() + ' while right now it is ' + new Date(now).toUTCString() + ' which is further in the future than the tolerated delay of 900000 milliseconds.');
  }
  const s = await streamByArn(engine, scope, state.a);
  const bounds = await engine.repo.streamBounds(s.id);
  if (bounds.first !== null && state.p + 1 < bounds.first) {
    throw new TrimmedDataAccessException('The operation attempted to read past the oldest stream record in a shard.');
  }
  const rows = await engine.repo.readRecords(s.id, state.p, limit);
  const records = rows.map((r) => JSON.parse(r.record) as Record<string, unknown>);
  const last = rows.length ? rows[rows.length - 1]!.seq : state.p;
  // A disabled stream's shard is closed: once it is read to its end there is no next iterator.
  const closed = s.disabledAt !== null && (bounds.last === null || last >= bounds.last);
  return { Records: records, NextShardIterator: closed ? undefined : encodeIterator({ a: s.arn, p: last, t: now }) };
}

// ---- in-process readers (Lambda's stream event source mappings) ---------------------------------

/** A stream still visible (enabled, or disabled less than 24 hours ago), by ARN, in any account. */
async function streamForReader(engine: DynamoEngine, arn: string): Promise<StreamRow | undefined> {
  const cutoff = engine.clock.now() - STREAM_RETENTION_MS;
  return (await engine.repo.streams()).find((s) => s.arn === arn && (s.disabledAt === null || s.disabledAt >= cutoff));
}

/** A stream's one shard and its positions: the oldest record kept less one (TRIM_HORIZON) and the newest (LATEST). */
export async function streamPositions(engine: DynamoEngine, arn: string) {
  const s = await streamForReader(engine, arn);
  if (!s) return undefined;
  const bounds = await engine.repo.streamBounds(s.id);
  const latest = bounds.last ?? (await engine.repo.maxSequence());
  return { shardId: shardId(s), trimHorizon: (bounds.first ?? latest + 1) - 1, latest, enabled: s.disabledAt === null };
}

/** Up to `limit` records after sequence `after`; `trimmed` when some after it had expired (reading resumed at the oldest kept). */
export async function streamRecordsAfter(engine: DynamoEngine, arn: string, after: number, limit: number) {
  const s = await streamForReader(engine, arn);
  if (!s) return undefined;
  const { first } = await engine.repo.streamBounds(s.id);
  const trimmed = first !== null && after + 1 < first;
  const rows = await engine.repo.readRecords(s.id, trimmed ? first - 1 : after, limit);
  return { trimmed, records: rows.map((r) => ({ sequence: r.seq, createdAt: r.createdAt, record: JSON.parse(r.record) as Record<string, unknown> })) };
}
