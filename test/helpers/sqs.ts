/**
 * Helpers shared by the SQS tests (test/services/sqs): a Nimbus per test, queues, receives,
 * message counts, AWS error assertions, and a ManualClock that reports armed timers.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
  type QueueAttributeName,
  type ReceiveMessageCommandInput,
} from '@aws-sdk/client-sqs';
import { ManualClock, type Timer } from '../../src/lib/clock.js';
import { startTestNimbus, type TestNimbus, type TestNimbusOptions } from './nimbus.js';

// ---- a Nimbus per test ------------------------------------------------------------------

/**
 * Runs fn against a fresh Nimbus and always stops it. By default each gets its own ManualClock,
 * so long clock moves in one test stay within SigV4's allowed skew.
 */
export async function withNimbus(fn: (t: TestNimbus) => Promise<void>, opts?: TestNimbusOptions): Promise<void> {
  const t = await startTestNimbus(opts);
  try {
    await fn(t);
  } finally {
    await t.stop();
  }
}

/** A ManualClock that tells the test when Nimbus arms a timer for a given instant. */
export class WatchedClock extends ManualClock {
  private armed = new Map<number, number>();
  private watchers: { at: number; count: number; resolve: () => void }[] = [];

  override at(at: number, fn: () => void): Timer {
    const timer = super.at(at, fn);
    this.armed.set(at, (this.armed.get(at) ?? 0) + 1);
    this.watchers = this.watchers.filter((w) => {
      if (w.at !== at || this.armed.get(at)! < w.count) return true;
      w.resolve();
      return false;
    });
    return timer;
  }

  /** How many timers for exactly `at` have been armed so far. */
  armedAt(at: number): number {
    return this.armed.get(at) ?? 0;
  }

  /**
   * Resolves once `count` more timers for exactly `at` have been armed (a waiting receive arms
   * one for its deadline just before it starts to wait).
   */
  timersAt(at: number, count = 1): Promise<void> {
    const target = (this.armed.get(at) ?? 0) + count;
    return new Promise((resolve) => this.watchers.push({ at, count: target, resolve }));
  }
}

/** withNimbus on a WatchedClock starting now, which fn gets as its second argument. */
export async function withWatchedClock(
  fn: (t: TestNimbus, clock: WatchedClock) => Promise<void>,
  opts: Omit<TestNimbusOptions, 'clock'> = {},
): Promise<void> {
  const clock = new WatchedClock(Date.now());
  await withNimbus((t) => fn(t, clock), { ...opts, clock });
}

// ---- queues and messages ----------------------------------------------------------------

/** Creates a queue (Attributes sent only when given) and answers its URL. */
export async function createQueue(t: TestNimbus, name: string, attributes?: Record<string, string>): Promise<string> {
  const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return QueueUrl!;
}

/**
 * One ReceiveMessage with exactly the parameters given (so SQS's default of one message
 * applies unless `extra` sets MaxNumberOfMessages), answering its messages ([] for none).
 * `client` is a TestNimbus (its default client is used) or any SQSClient.
 */
export async function receive(client: TestNimbus | SQSClient, QueueUrl: string, extra: Partial<ReceiveMessageCommandInput> = {}): Promise<Message[]> {
  const sqs = client instanceof SQSClient ? client : client.sqs;
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl, ...extra }));
  return out.Messages ?? [];
}

/** receive with MaxNumberOfMessages 10 (the most SQS allows) unless `extra` sets another. */
export function receiveUpTo10(client: TestNimbus | SQSClient, QueueUrl: string, extra: Partial<ReceiveMessageCommandInput> = {}): Promise<Message[]> {
  return receive(client, QueueUrl, { MaxNumberOfMessages: 10, ...extra });
}

// ---- message counts (ApproximateNumberOf* attributes) -----------------------------------

export interface MessageCounts {
  /** ApproximateNumberOfMessages */
  visible: number;
  /** ApproximateNumberOfMessagesNotVisible */
  inFlight: number;
  /** ApproximateNumberOfMessagesDelayed */
  delayed: number;
}

const COUNT_ATTRIBUTES = {
  visible: 'ApproximateNumberOfMessages',
  inFlight: 'ApproximateNumberOfMessagesNotVisible',
  delayed: 'ApproximateNumberOfMessagesDelayed',
} as const satisfies Record<keyof MessageCounts, QueueAttributeName>;

const ALL_COUNTS: (keyof MessageCounts)[] = ['visible', 'inFlight', 'delayed'];

/**
 * The queue's message counts, read in one GetQueueAttributes that asks for just the counts
 * named in `which` (default all three); the answer has exactly those keys.
 */
export async function counts<K extends keyof MessageCounts = keyof MessageCounts>(
  t: TestNimbus,
  QueueUrl: string,
  which: readonly K[] = ALL_COUNTS as K[],
): Promise<Pick<MessageCounts, K>> {
  const { Attributes: a } = await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: which.map((k) => COUNT_ATTRIBUTES[k]) }));
  return Object.fromEntries(which.map((k) => [k, Number(a![COUNT_ATTRIBUTES[k]])])) as Pick<MessageCounts, K>;
}

/** ApproximateNumberOfMessages alone. */
export async function visibleCount(t: TestNimbus, QueueUrl: string): Promise<number> {
  return (await counts(t, QueueUrl, ['visible'])).visible;
}

/** Every message the queue holds: visible + in flight + delayed. */
export async function totalCount(t: TestNimbus, QueueUrl: string): Promise<number> {
  const c = await counts(t, QueueUrl);
  return c.visible + c.inFlight + c.delayed;
}

// ---- assertions and digests -------------------------------------------------------------

/** Asserts that p rejects with the AWS error `name` and, when given, exactly `message`. */
export async function rejectsWith(p: Promise<unknown>, name: string, message?: string): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name, `error name (message: ${e.message})`);
    if (message !== undefined) assert.equal(e.message, message);
    return true;
  });
}

/** Hex MD5 (strings as UTF-8), as in MD5OfMessageBody / MD5OfBody. */
export const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');
