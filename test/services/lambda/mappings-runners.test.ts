/**
 * The mapping runners on their own, with fake sources and a fake invoker: what happens on stop
 * and on errors, where a whole Nimbus would be slow or could not provoke the case.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../../src/lib/clock.js';
import { EventBus } from '../../../src/lib/event-bus.js';
import { randomIds } from '../../../src/lib/ids.js';
import { InternalApi, type StreamLogRecord } from '../../../src/lib/internal.js';
import { createLogger } from '../../../src/lib/log.js';
import type { RunnerDeps } from '../../../src/services/lambda/engine/mappings-batch.js';
import type { MappingDoc } from '../../../src/services/lambda/engine/mappings-config.js';
import { SqsPoller } from '../../../src/services/lambda/engine/mappings-sqs.js';
import { StreamReader } from '../../../src/services/lambda/engine/mappings-streams.js';
import type { Invoker, ResolvedFunction } from '../../../src/services/lambda/engine/invoker.js';
import type { InvocationResult } from '../../../src/runtime/types.js';

const STREAM = 'arn:aws:dynamodb:us-east-1:000000000000:table/t1/stream/2026-01-01T00:00:00.000';
const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:q1';
const DEST = 'arn:aws:sqs:us-east-1:000000000000:dest';
const tick = () => new Promise((r) => setImmediate(r));

function doc(extra: Partial<MappingDoc>): MappingDoc {
  return {
    UUID: 'u1',
    accountId: '000000000000',
    region: 'us-east-1',
    kind: 'dynamodb',
    EventSourceArn: STREAM,
    FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f',
    enabled: true,
    BatchSize: 10,
    MaximumBatchingWindowInSeconds: 0,
    FunctionResponseTypes: [],
    LastModified: 0,
    ...extra,
  };
}

function record(sequence: number): StreamLogRecord {
  return { sequence, createdAt: Date.UTC(2026, 0, 1), record: { eventName: 'INSERT', dynamodb: { SequenceNumber: String(sequence), Keys: { pk: { S: `k${sequence}` } } } } };
}

interface Harness {
  clock: ManualClock;
  internal: InternalApi;
  deps: RunnerDeps;
  invocations: Array<{ payload: Buffer; resolve(r: Partial<InvocationResult>): void }>;
  saves: Array<[string, number]>;
  sent: string[];
}

function harness(savePosition?: RunnerDeps['savePosition']): Harness {
  const clock = new ManualClock();
  const internal = new InternalApi();
  const h: Harness = { clock, internal, invocations: [], saves: [], sent: [], deps: undefined as never };
  const invoker = {
    invoke: (_t: ResolvedFunction, payload: Buffer) =>
      new Promise<InvocationResult>((resolve) => h.invocations.push({ payload, resolve: (r) => resolve({ payload: Buffer.from('null'), logTail: '', ...r } as InvocationResult) })),
  } as unknown as Invoker;
  internal.register('sqs.sendMessage', async ({ body }) => {
    h.sent.push(body);
    return { messageId: 'm' };
  });
  h.deps = {
    clock,
    ids: randomIds,
    log: createLogger('silent'),
    internal,
    invoker,
    resolve: () => ({ executedVersion: '$LATEST' }) as ResolvedFunction,
    savePosition:
      savePosition ??
      (async (_uuid, shardId, sequence) => {
        h.saves.push([shardId, sequence]);
      }),
  };
  return h;
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), what);
}

function streamSource(h: Harness, records: StreamLogRecord[], opts: { failReads?: number } = {}): void {
  let failReads = opts.failReads ?? 0;
  h.internal.register('dynamodb.streamInfo', () => ({ shardId: 'shardId-1', trimHorizon: 0, latest: records.at(-1)?.sequence ?? 0, enabled: true }));
  h.internal.register('dynamodb.readStream', ({ after, limit }) => {
    if (failReads > 0) {
      failReads--;
      throw new Error('disk I/O error');
    }
    return { records: records.filter((r) => r.sequence > after).slice(0, limit), trimmed: false };
  });
}

describe('stream reader', () => {
  test('a batch failed by Nimbus stopping is no attempt: not given up, position not moved', async () => {
    const h = harness();
    streamSource(h, [record(1), record(2)]);
    const reader = new StreamReader(doc({ StartingPosition: 'TRIM_HORIZON', MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: DEST } } }), h.deps, new EventBus(createLogger('silent')));
    await until(() => h.invocations.length === 1, 'the batch was invoked');
    const stopping = reader.stop();
    // The pool's close() kills the busy environment: the invocation comes back as an exit error.
    h.invocations[0]!.resolve({ functionError: 'Unhandled', errorType: 'Runtime.ExitError' });
    await stopping;
    assert.deepEqual(h.sent, [], 'nothing sent to the on-failure destination');
    assert.deepEqual(h.saves, [], 'the position stays before the batch');
  });
});

describe('stream reader errors', () => {
  test('a failed read or position write does not stop the reader; the position moves only once saved', async () => {
    let failSaves = 1;
    const saves: number[] = [];
    const h = harness(async (_uuid, _shard, sequence) => {
      if (failSaves > 0) {
        failSaves--;
        throw new Error('database is locked');
      }
      saves.push(sequence);
    });
    streamSource(h, [record(1)], { failReads: 1 });
    const d = doc({ StartingPosition: 'TRIM_HORIZON' });
    const reader = new StreamReader(d, h.deps, new EventBus(createLogger('silent')));
    try {
      await tick();
      assert.equal(h.invocations.length, 0, 'the first read failed');
      h.clock.advance(1000); // the backoff, on the clock
      await until(() => h.invocations.length === 1, 'read again after the backoff');
      h.invocations[0]!.resolve({});
      await until(() => failSaves === 0, 'tried to save the position');
      await tick();
      assert.equal(d.positions?.['shardId-1'], 0, 'not moved in memory before the save is durable');
      h.clock.advance(2000);
      // Read again from the old position (at least once), and this time the save holds.
      await until(() => h.invocations.length === 2, 'the batch is read again');
      h.invocations[1]!.resolve({});
      await until(() => saves.length === 1, 'saved');
      assert.deepEqual(saves, [1]);
      assert.equal(d.positions?.['shardId-1'], 1);
    } finally {
      const stopping = reader.stop();
      for (const inv of h.invocations.slice(2)) inv.resolve({});
      await stopping;
    }
  });
});

describe('SQS poller', () => {
  test('stop() ends every poller paused after a read error (ManualClock never moves)', async () => {
    const h = harness();
    let receives = 0;
    h.internal.register('sqs.receiveMessages', async () => {
      receives++;
      throw new Error('The specified queue does not exist.');
    });
    const poller = new SqsPoller(doc({ kind: 'sqs', EventSourceArn: QUEUE, ScalingConfig: { MaximumConcurrency: 3 } }), h.deps);
    await until(() => receives === 3, 'every poller tried');
    await tick();
    let done = false;
    const stopping = poller.stop().then(() => (done = true));
    await until(() => done, 'stop() resolved');
    await stopping;
    assert.equal(receives, 3);
  });
});
