/**
 * Helpers for the event source mapping tests: a function that reports every event it gets to
 * an observer queue (through the SDK, as real code would) and fails as told, and a collector
 * that reads the observer queue until the test has seen enough.
 */
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { createFunction } from '../../helpers/lambda.js';

/**
 * The reporting handler. MODE: `ok`; `throw` when a record is bad; `partial` reports bad
 * records as batch item failures; `partial-once` reports each bad record only the first time.
 * A record is bad when its SQS body contains "fail" or its new image has a `bad` attribute.
 */
const REPORTER = `
const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
const sqs = new SQSClient({});
const seen = new Set();
exports.handler = async (event) => {
  const started = Date.now();
  if (process.env.SLEEP_MS) await new Promise((r) => setTimeout(r, Number(process.env.SLEEP_MS)));
  const observer = process.env.AWS_ENDPOINT_URL + '/' + process.env.OBSERVER;
  await sqs.send(new SendMessageCommand({ QueueUrl: observer, MessageBody: JSON.stringify({ event, started, ended: Date.now() }) }));
  const mode = process.env.MODE || 'ok';
  const isBad = (r) => (r.eventSource === 'aws:sqs' ? r.body.includes('fail') : Boolean(r.dynamodb.NewImage && r.dynamodb.NewImage.bad));
  const idOf = (r) => (r.eventSource === 'aws:sqs' ? r.messageId : r.dynamodb.SequenceNumber);
  const bad = event.Records.filter(isBad);
  if (mode === 'throw' && bad.length) throw new Error('poison');
  if (mode === 'partial') return { batchItemFailures: bad.map((r) => ({ itemIdentifier: idOf(r) })) };
  if (mode === 'partial-once') {
    const fresh = bad.filter((r) => !seen.has(idOf(r)));
    for (const r of fresh) seen.add(idOf(r));
    return { batchItemFailures: fresh.map((r) => ({ itemIdentifier: idOf(r) })) };
  }
  if (mode === 'invalid') return { batchItemFailures: [{ itemIdentifier: 'no-such-id' }] };
  return {};
};
`;

export interface Invocation {
  event: { Records: Array<Record<string, any>> };
  started: number;
  ended: number;
}

export async function queue(sqs: SQSClient, name: string, attributes: Record<string, string> = {}): Promise<{ url: string; arn: string }> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return { url, arn: attrs.Attributes!.QueueArn! };
}

/** Creates the reporting function; it reports to the queue at `observerUrl` (on whatever port Nimbus listens on then). */
export async function reporter(lambda: LambdaClient, name: string, observerUrl: string, env: Record<string, string> = {}): Promise<string> {
  const path = new URL(observerUrl).pathname.slice(1);
  await createFunction(lambda, name, { 'index.js': REPORTER }, { Environment: { Variables: { OBSERVER: path, ...env } }, Timeout: 10 });
  return `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Reads (and deletes) the observer queue's reports until `done` says the test has seen enough,
 * calling `tick` between looks (to move a ManualClock). Fails after `timeoutMs` of real time.
 */
export async function collect(
  sqs: SQSClient,
  url: string,
  done: (seen: Invocation[]) => boolean,
  opts: { tick?: () => void; timeoutMs?: number; into?: Invocation[] } = {},
): Promise<Invocation[]> {
  const seen = opts.into ?? [];
  const until = Date.now() + (opts.timeoutMs ?? 15_000);
  for (;;) {
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 600 }));
    const messages = got.Messages ?? [];
    for (const m of messages) seen.push(JSON.parse(m.Body!) as Invocation);
    if (messages.length) {
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
    if (done(seen)) return seen;
    if (Date.now() > until) throw new Error(`timed out; saw ${JSON.stringify(seen.map((s) => s.event.Records.length))} batches`);
    if (!messages.length) {
      opts.tick?.();
      await sleep(25);
    }
  }
}

/** Records seen across invocations, in the order they were reported. */
export const recordsOf = (seen: Invocation[]) => seen.flatMap((s) => s.event.Records);

/** Visible and in-flight message counts of a queue. */
export async function counts(sqs: SQSClient, url: string): Promise<{ visible: number; inFlight: number }> {
  const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes!;
  return { visible: Number(a.ApproximateNumberOfMessages), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible) };
}

/** Waits (real time) until `check` holds. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000, tick?: () => void): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    tick?.();
    await sleep(25);
  }
}

export { sleep };
