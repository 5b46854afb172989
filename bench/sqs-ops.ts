/** The SQS request shapes the benchmark measures, as load-generator operations. */
import { HttpError, runLoad, type JsonClient, type LoadResult } from './load.js';

/** A ~100-byte message body. */
export const BODY = 'Nimbus benchmark message body, about one hundred bytes long: 0123456789 abcdefghijklmnopqrstuvwxyz.';

export class DrainedError extends Error {
  constructor() {
    super('ReceiveMessage returned no messages (queue drained)');
  }
}

export async function createQueue(client: JsonClient, name: string): Promise<string> {
  const r = await client.ok<{ QueueUrl: string }>('CreateQueue', { QueueName: name });
  return r.QueueUrl;
}

export async function countMessages(client: JsonClient, queueUrl: string): Promise<number> {
  const r = await client.ok<{ Attributes?: Record<string, string> }>('GetQueueAttributes', {
    QueueUrl: queueUrl,
    AttributeNames: ['ApproximateNumberOfMessages'],
  });
  return Number(r.Attributes?.ApproximateNumberOfMessages ?? 0);
}

/** SendMessage of one ~100-byte message; the request body is built once. */
export function sendOp(client: JsonClient, queueUrl: string): () => Promise<number> {
  const payload = JSON.stringify({ QueueUrl: queueUrl, MessageBody: BODY });
  return async () => {
    const r = await client.call('SendMessage', payload);
    if (r.status !== 200) throw new HttpError('SendMessage', r.status, r.body);
    return 1;
  };
}

/** SendMessageBatch of ten ~100-byte messages. */
export function batchOp(client: JsonClient, queueUrl: string): () => Promise<number> {
  const payload = JSON.stringify({
    QueueUrl: queueUrl,
    Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: BODY })),
  });
  return async () => {
    const r = await client.call('SendMessageBatch', payload);
    if (r.status !== 200) throw new HttpError('SendMessageBatch', r.status, r.body);
    const out = JSON.parse(r.body) as { Successful?: unknown[]; Failed?: unknown[] };
    if (out.Failed?.length) throw new HttpError('SendMessageBatch(Failed entries)', r.status, r.body);
    return out.Successful?.length ?? 0;
  };
}

/**
 * One operation = ReceiveMessage(MaxNumberOfMessages 10, no wait) + DeleteMessageBatch of what
 * it received; resolves with the number of messages received and deleted.
 */
export function receiveDeleteOp(client: JsonClient, queueUrl: string): () => Promise<number> {
  const receive = JSON.stringify({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 300 });
  const prefix = `{"QueueUrl":${JSON.stringify(queueUrl)},"Entries":[`;
  return async () => {
    const r = await client.call('ReceiveMessage', receive);
    if (r.status !== 200) throw new HttpError('ReceiveMessage', r.status, r.body);
    const msgs = (JSON.parse(r.body) as { Messages?: { ReceiptHandle: string }[] }).Messages ?? [];
    if (msgs.length === 0) throw new DrainedError();
    let entries = '';
    for (let i = 0; i < msgs.length; i++) entries += `${i ? ',' : ''}{"Id":"${i}","ReceiptHandle":${JSON.stringify(msgs[i]!.ReceiptHandle)}}`;
    const d = await client.call('DeleteMessageBatch', `${prefix}${entries}]}`);
    if (d.status !== 200) throw new HttpError('DeleteMessageBatch', d.status, d.body);
    const out = JSON.parse(d.body) as { Failed?: unknown[] };
    if (out.Failed?.length) throw new HttpError('DeleteMessageBatch(Failed entries)', d.status, d.body);
    return msgs.length;
  };
}

/** Sends `count` messages (batches of ten at `concurrency`) as fast as the server takes them. */
export async function prefill(client: JsonClient, queueUrl: string, count: number, concurrency: number, maxMs: number): Promise<LoadResult> {
  const op = batchOp(client, queueUrl);
  return runLoad({ concurrency, warmupMs: 0, durationMs: maxMs, maxOps: Math.ceil(count / 10), op });
}
