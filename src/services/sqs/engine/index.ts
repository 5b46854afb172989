/** The SQS engine: the queue registry, message engine, long polls and move tasks, wired. */
import type { Logger } from '../../../lib/log.js';
import type { ServiceEnv } from '../../service.js';
import type { SqsRepo } from '../repo.js';
import { LongPolls } from './long-poll.js';
import { emptyAttributeMap, md5OfAttributes, type MessageAttributeMap } from './message-attributes.js';
import { MessageEngine, sequenceNumber, type Received } from './messages.js';
import { MoveTasks } from './move-tasks.js';
import { COMPUTED, ALL_ATTRIBUTE_NAMES } from './queue-attributes.js';
import { QueueRegistry, type Queue } from './queues.js';

/** Interval of retention and dedup sweeps. */
const SWEEP_MS = 30_000;

export interface PresentedMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes?: Record<string, string>;
  MD5OfMessageAttributes?: string;
  MessageAttributes?: MessageAttributeMap;
}

export class SqsEngine {
  readonly queues: QueueRegistry;
  readonly polls: LongPolls;
  readonly messages: MessageEngine;
  readonly moveTasks: MoveTasks;
  private sweepTimer: { cancel(): void } | undefined;
  private stopped = false;
  private readonly log: Logger;

  constructor(
    private readonly repo: SqsRepo,
    private readonly env: ServiceEnv,
  ) {
    this.log = env.log;
    this.queues = new QueueRegistry(repo, env.store, env.clock);
    this.polls = new LongPolls(env.clock);
    this.messages = new MessageEngine(repo, env.store, this.queues, this.polls, env.clock, env.ids);
    this.moveTasks = new MoveTasks(repo, env.store, this.queues, this.polls, env.clock, env.ids, env.log);
  }

  async start(): Promise<void> {
    await this.moveTasks.resume();
    this.scheduleSweep();
  }

  stop(): void {
    this.stopped = true;
    this.sweepTimer?.cancel();
    this.moveTasks.stop();
    this.polls.close();
  }

  private scheduleSweep(): void {
    if (this.stopped) return;
    this.sweepTimer = this.env.clock.at(this.env.clock.now() + SWEEP_MS, () => {
      this.messages
        .sweep()
        .catch((e) => this.log.error('sqs sweep failed', { error: String(e) }))
        .finally(() => this.scheduleSweep());
    });
  }

  /** GetQueueAttributes: the named attributes (or All), computed ones included. */
  async attributes(q: Queue, names: string[]): Promise<Record<string, string>> {
    const wanted = names.includes('All') ? ALL_ATTRIBUTE_NAMES : new Set(names);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(q.attributes)) if (wanted.has(k)) out[k] = v;
    if (COMPUTED.some((c) => wanted.has(c))) {
      const now = this.env.clock.now();
      const counts = await this.repo.counts(q.id, now, now - q.retentionSeconds * 1000);
      const computed: Record<(typeof COMPUTED)[number], string> = {
        ApproximateNumberOfMessages: String(counts.visible),
        ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
        ApproximateNumberOfMessagesDelayed: String(counts.delayed),
        CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
        LastModifiedTimestamp: String(Math.floor(q.modifiedAt / 1000)),
        QueueArn: q.arn,
      };
      for (const c of COMPUTED) if (wanted.has(c)) out[c] = computed[c];
    }
    return out;
  }

  /** Shapes a received message for ReceiveMessage, with the attributes the caller asked for. */
  present(q: Queue, r: Received, systemNames: string[], attributeNames: string[]): PresentedMessage {
    const m = r.message;
    const out: PresentedMessage = { MessageId: m.messageId, ReceiptHandle: r.receiptHandle, MD5OfBody: m.md5Body, Body: m.body };
    if (systemNames.length) {
      const all = systemNames.includes('All');
      const system: Record<string, string | undefined> = {
        SenderId: m.senderId,
        SentTimestamp: String(m.sentAt),
        ApproximateReceiveCount: String(m.receiveCount),
        ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? m.sentAt),
        SequenceNumber: q.fifo ? sequenceNumber(m.seq) : undefined,
        MessageDeduplicationId: m.dedupId ?? undefined,
        MessageGroupId: m.groupId ?? undefined,
        AWSTraceHeader: m.systemAttributes?.AWSTraceHeader,
        DeadLetterQueueSourceArn: m.systemAttributes?.DeadLetterQueueSourceArn,
      };
      const attrs: Record<string, string> = {};
      for (const [k, v] of Object.entries(system)) if (v !== undefined && (all || systemNames.includes(k))) attrs[k] = v;
      if (Object.keys(attrs).length) out.Attributes = attrs;
    }
    if (m.attributes && attributeNames.length) {
      const picked = emptyAttributeMap();
      for (const [name, v] of Object.entries(m.attributes)) if (attributeNameWanted(name, attributeNames)) picked[name] = v;
      if (Object.keys(picked).length) {
        out.MessageAttributes = picked;
        out.MD5OfMessageAttributes = md5OfAttributes(picked)!;
      }
    }
    return out;
  }
}

/** `All`, `.*` and `*` match everything, `prefix.*` names starting with `prefix` (AWS: `Hel.*` matches `Hello`), else exact names. */
function attributeNameWanted(name: string, wanted: string[]): boolean {
  for (const w of wanted) {
    if (w === 'All' || w === '.*' || w === '*' || w === name) return true;
    if (w.endsWith('.*') && name.startsWith(w.slice(0, -2))) return true;
  }
  return false;
}
