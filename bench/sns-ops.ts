/**
 * The SNS fan-out shapes as load-generator operations, and the setup around them: topics and
 * SQS subscriptions (query protocol, service `sns`), the Publish operation (a ~100-byte message
 * carrying its send time), receivers that long-poll a sample of the subscribed queues and time
 * each message from Publish to receipt, and the queues' message counts to see when every
 * delivery is in.
 *
 * Times in messages are `performance.timeOrigin + performance.now()` (ms, this process's clock),
 * so a message's age at receipt is exact to the microsecond whatever the wall clock does.
 */
import { HttpError, type JsonClient, type QueryClient } from './load.js';

/** This process's clock as epoch ms (monotonic: performance.now() from the time origin). */
export const nowMs = () => performance.timeOrigin + performance.now();
const monoOffsetUs = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;
/** A monotonic µs mark (measure()'s fromUs/toUs, process.hrtime) on nowMs()'s clock. */
export const monoUsToMs = (us: number) => performance.timeOrigin + (us - monoOffsetUs) / 1000;

/** The topic ARN sent to the bare server (it does not look at it). */
export const BARE_TOPIC = 'arn:aws:sns:us-east-1:000000000000:bench-sns';

const PAD = 'abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123';
/** `{"t":<send time>,"pad":"..."}`, about 100 bytes. */
export const message = (t: number) => `{"t":${t.toFixed(3)},"pad":"${PAD}"}`;

const unescapeXml = (s: string) =>
  s.replace(/&(?:#(\d+)|#x([0-9a-fA-F]+)|(amp|lt|gt|quot|apos));/g, (_, d?: string, h?: string, n?: string) =>
    d ? String.fromCharCode(Number(d)) : h ? String.fromCharCode(parseInt(h, 16)) : ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[n!]!,
  );

/** The text of the first `<name>` element of an XML answer. */
export function xmlText(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return m ? unescapeXml(m[1]!) : undefined;
}

export async function createTopic(sns: QueryClient, name: string): Promise<string> {
  const arn = xmlText(await sns.ok('CreateTopic', { Name: name }), 'TopicArn');
  if (!arn) throw new Error(`CreateTopic ${name}: no TopicArn in the answer`);
  return arn;
}

/** Subscribes a queue (by ARN); RawMessageDelivery when `raw`. Answers the subscription ARN. */
export async function subscribeQueue(sns: QueryClient, topicArn: string, queueArn: string, raw: boolean): Promise<string> {
  const params: Record<string, string> = { TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn, ReturnSubscriptionArn: 'true' };
  if (raw) Object.assign(params, { 'Attributes.entry.1.key': 'RawMessageDelivery', 'Attributes.entry.1.value': 'true' });
  const xml = await sns.ok('Subscribe', params);
  const arn = xmlText(xml, 'SubscriptionArn');
  if (!arn?.startsWith('arn:')) throw new Error(`Subscribe ${queueArn}: ${xml.slice(0, 300)}`);
  return arn;
}

export async function queueArnOf(sqs: JsonClient, queueUrl: string): Promise<string> {
  const r = await sqs.ok<{ Attributes?: Record<string, string> }>('GetQueueAttributes', { QueueUrl: queueUrl, AttributeNames: ['QueueArn'] });
  const arn = r.Attributes?.QueueArn;
  if (!arn) throw new Error(`GetQueueAttributes ${queueUrl}: no QueueArn`);
  return arn;
}

/** Messages in a queue, received or not (ApproximateNumberOfMessages + ...NotVisible: exact in Nimbus). */
export async function queueHolds(sqs: JsonClient, queueUrl: string): Promise<number> {
  const r = await sqs.ok<{ Attributes?: Record<string, string> }>('GetQueueAttributes', {
    QueueUrl: queueUrl,
    AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  });
  return Number(r.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(r.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

export interface PublishCounter {
  /** Publishes acknowledged with a MessageId (warm-up included). */
  acked: number;
  /** When the first Publish went out (performance.now()). */
  firstAt: number;
}

/** Publish of a fresh ~100-byte message carrying its send time; counts the acknowledged ones. */
export function publishOp(sns: QueryClient, topicArn: string, counter: PublishCounter): () => Promise<number> {
  const prefix = `Action=Publish&Version=2010-03-31&TopicArn=${encodeURIComponent(topicArn)}&Message=`;
  return async () => {
    const t = performance.now();
    if (!counter.firstAt) counter.firstAt = t;
    const r = await sns.send(prefix + encodeURIComponent(message(performance.timeOrigin + t)));
    if (r.status !== 200 || !r.body.includes('<MessageId>')) throw new HttpError('Publish', r.status, r.body);
    counter.acked++;
    return 1;
  };
}

/**
 * The send time a received body carries: the SNS envelope's Message (enveloped) or the body
 * itself (raw delivery). Throws when the body is not the shape the subscription should deliver.
 */
export function sentAt(body: string, raw: boolean): number {
  let text = body;
  if (!raw) {
    const env = JSON.parse(body) as { Type?: string; Message?: string; Signature?: string };
    if (env.Type !== 'Notification' || typeof env.Message !== 'string' || !env.Signature) throw new Error(`not a signed SNS envelope: ${body.slice(0, 200)}`);
    text = env.Message;
  }
  const t = (JSON.parse(text) as { t?: unknown }).t;
  if (typeof t !== 'number') throw new Error(`no send time in ${text.slice(0, 200)}`);
  return t;
}

interface SqsMessage {
  Body: string;
  ReceiptHandle: string;
}

/**
 * Long-polling receivers on a few queues (`loops` per queue): ReceiveMessage(10, WaitTimeSeconds
 * 1), each message's age recorded at once, then DeleteMessageBatch off the loop's path. The
 * deletes can be held (quiesce) while the queues are counted, so count + deleted is exact.
 */
export class Receivers {
  /** Send time and age (ms) of every message received. */
  readonly sent: number[] = [];
  readonly ages: number[] = [];
  received = 0;
  deleted = 0;
  private readonly deletedByQueue = new Map<string, number>();
  errors = 0;
  readonly errorSamples: string[] = [];
  private stopping = false;
  private loops: Promise<void>[] = [];
  private readonly deletes = new Set<Promise<void>>();
  private gate: Promise<void> | undefined;

  constructor(
    private readonly sqs: JsonClient,
    readonly queueUrls: string[],
    private readonly perQueue: number,
    private readonly raw: boolean,
  ) {}

  start(): void {
    for (const url of this.queueUrls) for (let i = 0; i < this.perQueue; i++) this.loops.push(this.loop(url));
  }

  /** Ends the loops (after their current long poll) and waits for the deletes. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
    while (this.deletes.size) await Promise.all([...this.deletes]);
  }

  /** Messages deleted from this queue so far. */
  deletedFrom(url: string): number {
    return this.deletedByQueue.get(url) ?? 0;
  }

  /** Runs fn with no DeleteMessageBatch in flight (new ones wait for it). */
  async quiesce<T>(fn: () => Promise<T>): Promise<T> {
    while (this.gate) await this.gate;
    let open!: () => void;
    this.gate = new Promise<void>((r) => (open = r));
    try {
      while (this.deletes.size) await Promise.all([...this.deletes]);
      return await fn();
    } finally {
      this.gate = undefined;
      open();
    }
  }

  private fail(e: unknown): void {
    this.errors++;
    const text = e instanceof HttpError ? `HTTP ${e.status} ${e.operation}: ${e.body.slice(0, 300)}` : String(e instanceof Error ? e.message : e);
    if (this.errorSamples.length < 5 && !this.errorSamples.includes(text)) this.errorSamples.push(text);
  }

  private async loop(url: string): Promise<void> {
    const receive = JSON.stringify({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 300 });
    while (!this.stopping) {
      let msgs: SqsMessage[];
      try {
        const r = await this.sqs.call('ReceiveMessage', receive);
        if (r.status !== 200) throw new HttpError('ReceiveMessage', r.status, r.body);
        msgs = (JSON.parse(r.body) as { Messages?: SqsMessage[] }).Messages ?? [];
      } catch (e) {
        this.fail(e);
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      if (!msgs.length) continue;
      const now = nowMs();
      for (const m of msgs) {
        try {
          const t = sentAt(m.Body, this.raw);
          this.sent.push(t);
          this.ages.push(now - t);
        } catch (e) {
          this.fail(e);
        }
      }
      this.received += msgs.length;
      void this.remove(url, msgs);
    }
  }

  private async remove(url: string, msgs: SqsMessage[]): Promise<void> {
    while (this.gate) await this.gate;
    const entries = msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle }));
    const p = this.sqs
      .call('DeleteMessageBatch', { QueueUrl: url, Entries: entries })
      .then((d) => {
        if (d.status !== 200) throw new HttpError('DeleteMessageBatch', d.status, d.body);
        const out = JSON.parse(d.body) as { Successful?: unknown[]; Failed?: unknown[] };
        const n = out.Successful?.length ?? 0;
        this.deleted += n;
        this.deletedByQueue.set(url, (this.deletedByQueue.get(url) ?? 0) + n);
        if (out.Failed?.length) throw new HttpError('DeleteMessageBatch(Failed entries)', d.status, d.body);
      })
      .catch((e) => this.fail(e))
      .finally(() => this.deletes.delete(p));
    this.deletes.add(p);
    await p;
  }
}

/** Runs fn over items, `concurrency` at a time; answers the results in order. */
export async function mapLimit<T, R>(items: T[], concurrency: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}
