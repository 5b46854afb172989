/**
 * Sending, receiving, acknowledging (delete) and hiding (visibility) messages, for standard
 * and FIFO queues. Every state change runs inside one store write, so it is durable before
 * the caller hears of it.
 */
import type { Clock } from '../../../lib/clock.js';
import type { Ids } from '../../../lib/ids.js';
import type { Store, Tx } from '../../../store/store.js';
import { InvalidParameterValue, PurgeQueueInProgress, ReceiptHandleIsInvalid } from '../errors.js';
import type { AttemptEntry, MessageReceive, MessageRecord, SqsRepo } from '../repo.js';
import type { LongPolls } from './long-poll.js';
import type { PreparedSend } from './prepare-send.js';
import type { Queue, QueueRegistry } from './queues.js';
import { decodeReceipt, encodeReceipt, type ReceiptRef } from './receipts.js';

export const DEDUP_WINDOW_MS = 5 * 60_000;
const PURGE_COOLDOWN_MS = 60_000;
const MAX_VISIBILITY = 43200;

export interface SendResult {
  MessageId: string;
  MD5OfMessageBody: string;
  MD5OfMessageAttributes?: string;
  MD5OfMessageSystemAttributes?: string;
  SequenceNumber?: string;
}

export interface ReceiveOptions {
  max: number;
  visibilityTimeout: number;
  waitSeconds: number;
  attemptId?: string;
  /** Ends the wait empty (an in-process consumer that stops); the queue's other waiters wait on. */
  signal?: AbortSignal;
}

/** A received message and the receipt handle of this receive. */
export interface Received {
  message: MessageRecord;
  receiptHandle: string;
}

export function sequenceNumber(seq: number): string {
  return (10n ** 19n + BigInt(seq)).toString();
}

export class MessageEngine {
  private lastPurge = new Map<number, number>();

  constructor(
    private readonly repo: SqsRepo,
    private readonly store: Store,
    private readonly queues: QueueRegistry,
    private readonly polls: LongPolls,
    private readonly clock: Clock,
    private readonly ids: Ids,
  ) {}

  /**
   * A store write on q's messages. q was resolved before the write runs, and a DeleteQueue
   * may have committed in between: then the write is refused, never applied to a queue gone.
   */
  private writeTo<T>(q: Queue, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.store.write((tx) => {
      this.queues.assertExists(q);
      return fn(tx);
    });
  }

  /** Stores prepared messages in one commit; returns each one's result in order. */
  async send(q: Queue, batch: PreparedSend[], senderId: string): Promise<SendResult[]> {
    const results = await this.writeTo(q, (tx) => this.enqueueAll(tx, q, batch, senderId));
    this.polls.wake(q.id);
    return results;
  }

  private async enqueueAll(tx: Tx, q: Queue, batch: PreparedSend[], senderId: string): Promise<SendResult[]> {
    const results: SendResult[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) results[i] = await this.enqueue(tx, q, batch[i]!, senderId);
    return results;
  }

  /**
   * Stores prepared messages inside a write the caller is running (an in-process sender that
   * commits its own changes with them). The wake may come before the commit: a woken receive
   * takes in a later write, which runs after this one has committed.
   */
  async enqueueWithin(tx: Tx, q: Queue, batch: PreparedSend[], senderId: string): Promise<SendResult[]> {
    if (!tx.open) throw new Error('enqueueWithin needs a running store write');
    this.queues.assertExists(q);
    const results = await this.enqueueAll(tx, q, batch, senderId);
    this.polls.wake(q.id);
    return results;
  }

  private async enqueue(tx: Tx, q: Queue, p: PreparedSend, senderId: string): Promise<SendResult> {
    const now = this.clock.now();
    const scope = q.dedupByGroup ? p.groupId! : '';
    if (q.fifo) {
      const prior = await this.repo.getDedup(q.id, scope, p.dedupId!, tx);
      if (prior && prior.expiresAt > now) {
        // A duplicate inside the window: acknowledged as the original (its MessageId and
        // SequenceNumber), not enqueued. The digests are of this request, as the SDKs check.
        return result(prior.messageId, p.md5Body, p.md5Attributes, p.md5System, sequenceNumber(prior.seq));
      }
    }
    const seq = await this.repo.nextSeq(tx);
    const messageId = this.ids.uuid();
    await this.repo.insertMessage(tx, {
      seq,
      queueId: q.id,
      messageId,
      body: p.body,
      md5Body: p.md5Body,
      attributes: p.attributes,
      md5Attributes: p.md5Attributes,
      systemAttributes: p.systemAttributes,
      senderId,
      sentAt: now,
      visibleAt: now + p.delaySeconds * 1000,
      receiveCount: 0,
      firstReceiveAt: null,
      receipt: null,
      groupId: p.groupId,
      dedupId: p.dedupId,
    });
    if (q.fifo) {
      await this.repo.putDedup(tx, q.id, scope, p.dedupId!, {
        messageId,
        seq,
        md5Body: p.md5Body,
        md5Attributes: p.md5Attributes,
        md5System: p.md5System,
        expiresAt: now + DEDUP_WINDOW_MS,
      });
      return result(messageId, p.md5Body, p.md5Attributes, p.md5System, sequenceNumber(seq));
    }
    return result(messageId, p.md5Body, p.md5Attributes, p.md5System);
  }

  /**
   * Receives up to opts.max messages, waiting up to opts.waitSeconds for the first one.
   * Returns empty when the wait ends without messages.
   */
  async receive(q: Queue, opts: ReceiveOptions): Promise<Received[]> {
    const deadline = this.clock.now() + opts.waitSeconds * 1000;
    for (;;) {
      if (opts.signal?.aborted) return [];
      // A wake between this look and the wait below makes the wait end at once.
      const generation = this.polls.generation(q.id);
      const { received, touched } = await this.writeTo(q, (tx) => this.take(tx, q, opts));
      for (const id of touched) this.polls.wake(id);
      if (received.length > 0 || this.clock.now() >= deadline || this.polls.isClosed || !this.queues.byId(q.id)) return received;
      const next = await this.repo.nextVisibleAt(q.id, this.clock.now());
      if (next !== undefined && next < deadline) this.polls.wakeAt(q.id, next);
      await this.polls.wait(q.id, deadline, generation, opts.signal);
      // A poll whose queue was deleted while it waited ends empty, as at its deadline.
      if (!this.queues.byId(q.id)) return [];
    }
  }

  /**
   * The receive itself, inside a store write. Receives are recorded in one repo call per
   * standard receive (its refills skip what they have seen), or per FIFO group taken.
   */
  private async take(tx: Tx, q: Queue, opts: ReceiveOptions): Promise<{ received: Received[]; touched: number[] }> {
    const now = this.clock.now();
    const touched: number[] = [];
    if (q.fifo && opts.attemptId !== undefined) {
      const again = await this.retryAttempt(tx, q, opts, now);
      if (again) return { received: again, touched };
    }
    const received: Received[] = [];
    const marks: MessageReceive[] = [];
    const flush = async () => {
      if (marks.length > 0) await this.repo.markReceived(tx, marks.splice(0));
    };
    const deliver = (m: MessageRecord) => {
      const nonce = this.ids.token(12);
      const receiveCount = m.receiveCount + 1;
      const firstReceiveAt = m.firstReceiveAt ?? now;
      const visibleAt = now + opts.visibilityTimeout * 1000;
      marks.push({ seq: m.seq, receivedAt: now, visibleAt, receipt: nonce, receiveCount, firstReceiveAt });
      received.push({
        message: { ...m, visibleAt, receipt: nonce, receiveCount, firstReceiveAt },
        receiptHandle: encodeReceipt(q.id, m.seq, nonce),
      });
    };
    /** Expired or dead-lettered messages leave the queue here; true when m is still deliverable. */
    const keep = async (m: MessageRecord): Promise<boolean> => {
      if (m.sentAt + q.retentionSeconds * 1000 <= now) {
        await this.repo.deleteMessage(tx, m.seq);
        return false;
      }
      if (q.redrive && m.receiveCount >= q.redrive.maxReceiveCount) {
        const dlq = this.queues.byArn(q.redrive.deadLetterTargetArn);
        if (dlq) {
          const system = { ...(m.systemAttributes ?? {}), DeadLetterQueueSourceArn: q.arn };
          // Dead-lettered messages keep their receive count and first receive (as in AWS), and
          // their sent time, except from a FIFO queue: "For FIFO queues, the enqueue timestamp
          // resets when the message is moved to a dead-letter queue" (so retention starts over),
          // and the deduplication id becomes the message id, so that two messages sharing a
          // deduplication id stay two in the dead-letter queue.
          await this.repo.moveMessage(tx, m.seq, {
            toQueueId: dlq.id,
            newSeq: await this.repo.nextSeq(tx),
            visibleAt: now,
            systemAttributes: system,
            resetReceives: false,
            ...(q.fifo ? { sentAt: now, dedupId: m.messageId } : {}),
          });
          touched.push(dlq.id);
          return false;
        }
      }
      return true;
    };

    if (!q.fifo) {
      // Refills past messages that expired or were dead-lettered; a message delivered with
      // VisibilityTimeout 0 stays visible, so `seen` keeps it from coming twice.
      const seen = new Set<number>();
      while (received.length < opts.max) {
        const batch = (await this.repo.visibleMessages(q.id, now, opts.max - received.length + seen.size, tx)).filter((m) => !seen.has(m.seq));
        if (batch.length === 0) break;
        for (const m of batch) {
          seen.add(m.seq);
          if (received.length < opts.max && (await keep(m))) deliver(m);
        }
      }
    } else {
      // FIFO: group by group, oldest head first. A group whose head is not visible (in flight or
      // delayed), or that has any message in flight, waits; an open group gives its messages in
      // order, several in one receive, up to the first that is not visible.
      const takeGroup = async (groupId: string, headSeq: number): Promise<void> => {
        let from = headSeq;
        while (received.length < opts.max) {
          const want = opts.max - received.length;
          const page = await this.repo.groupMessages(q.id, groupId, from, want, tx);
          for (const m of page) {
            if (m.visibleAt > now) return;
            from = m.seq + 1;
            if (await keep(m)) deliver(m);
          }
          if (page.length < want) return;
        }
      };
      let after = 0;
      while (received.length < opts.max) {
        const heads = await this.repo.groupHeads(q.id, after, 100, tx);
        if (heads.length === 0) break;
        for (const { groupId, headSeq } of heads) {
          after = headSeq;
          if (!(await this.repo.groupBlocked(q.id, groupId, headSeq, now, tx))) {
            await takeGroup(groupId, headSeq);
            // Recorded before the next group head is read: a group whose head was dead-lettered
            // comes round again (with its next head), and must then show its messages in flight.
            await flush();
          }
          if (received.length >= opts.max) break;
        }
      }
      if (opts.attemptId !== undefined && received.length > 0) {
        const entries: AttemptEntry[] = received.map((r) => ({ seq: r.message.seq, receipt: r.message.receipt! }));
        await this.repo.putReceiveAttempt(tx, q.id, opts.attemptId, entries, now + DEDUP_WINDOW_MS);
      }
    }
    await flush();
    return { received, touched };
  }

  /**
   * A retried ReceiveRequestAttemptId gets the same messages and handles, visibility reset:
   * those still in flight under the receipt that attempt gave them. A message deleted since,
   * or received again (by another consumer, whose handle this must not hand out), is not
   * returned; when none is left the retry is a fresh receive.
   */
  private async retryAttempt(tx: Tx, q: Queue, opts: ReceiveOptions, now: number): Promise<Received[] | undefined> {
    const entries = await this.repo.getReceiveAttempt(q.id, opts.attemptId!, now, tx);
    if (!entries) return undefined;
    const out: Received[] = [];
    for (const { seq, receipt } of entries) {
      const m = await this.repo.getMessage(seq, tx);
      if (!m || m.queueId !== q.id || m.receipt !== receipt || m.visibleAt <= now) continue;
      const visibleAt = now + opts.visibilityTimeout * 1000;
      await this.repo.setVisibleAt(tx, seq, visibleAt);
      out.push({ message: { ...m, visibleAt }, receiptHandle: encodeReceipt(q.id, seq, receipt) });
    }
    return out.length > 0 ? out : undefined;
  }

  /** When the queue's next hidden message becomes visible, for in-process long polls (an event source mapping's). */
  nextVisibleAt(q: Queue, now: number): Promise<number | undefined> {
    return this.repo.nextVisibleAt(q.id, now);
  }

  /** Parses a receipt handle of this queue; ReceiptHandleIsInvalid otherwise. */
  receipt(q: Queue, handle: string): ReceiptRef {
    const r = decodeReceipt(handle);
    if (!r || r.queueId !== q.id) throw new ReceiptHandleIsInvalid(`The input receipt handle "${handle}" is not a valid receipt handle.`);
    return r;
  }

  /**
   * Deletes the message of a receipt. On a standard queue a handle from an earlier receive
   * (the message was received again since) or of a message already gone succeeds without
   * deleting anything, as SQS documents. On a FIFO queue a handle whose receive is no longer
   * in flight has expired: InvalidParameterValue, as AWS answers.
   */
  async deleteInTx(tx: Tx, q: Queue, handle: ReceiptRef, raw: string): Promise<void> {
    const m = await this.repo.receiptState(handle.seq, tx);
    if (!m || m.queueId !== q.id) return;
    if (m.receipt !== handle.nonce || (q.fifo && m.visibleAt <= this.clock.now())) {
      if (q.fifo) throw new InvalidParameterValue(`Value ${raw} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`);
      return;
    }
    await this.repo.deleteMessage(tx, handle.seq);
  }

  /** Runs deletes in one commit; each entry's error is returned, not thrown. */
  async delete(q: Queue, entries: { handle: ReceiptRef; raw: string }[]): Promise<(Error | undefined)[]> {
    const results = await this.writeTo(q, (tx) => eachCaptured(entries, (e) => this.deleteInTx(tx, q, e.handle, e.raw)));
    // A delete may open a FIFO group to waiting receives.
    if (q.fifo) this.polls.wake(q.id);
    return results;
  }

  checkVisibility(timeout: number): void {
    if (!Number.isInteger(timeout) || timeout < 0 || timeout > MAX_VISIBILITY) {
      throw new InvalidParameterValue(`Value ${timeout} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.`);
    }
  }

  /**
   * Sets a received message's visibility timeout, counted from now. Only the latest receipt
   * handle may; on a standard queue it still may after its timeout ran out (AWS answers 200
   * and hides the message again), on a FIFO queue only while the receive is in flight.
   */
  async changeVisibilityInTx(tx: Tx, q: Queue, handle: ReceiptRef, raw: string, timeout: number): Promise<void> {
    const m = await this.repo.receiptState(handle.seq, tx);
    const now = this.clock.now();
    if (!m || m.queueId !== q.id || m.receipt !== handle.nonce || (q.fifo && m.visibleAt <= now)) {
      throw new InvalidParameterValue(
        `Value ${raw} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
      );
    }
    // "The maximum visibility timeout is 12 hours from the time that Amazon SQS receives the
    // ReceiveMessage request."
    if (m.receivedAt !== null && now + timeout * 1000 > m.receivedAt + MAX_VISIBILITY * 1000) {
      throw new InvalidParameterValue(
        `Value ${timeout} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [${MAX_VISIBILITY} seconds]`,
      );
    }
    await this.repo.setVisibleAt(tx, handle.seq, now + timeout * 1000);
  }

  /** Runs visibility changes in one commit; each entry's error is returned, not thrown. */
  async changeVisibility(q: Queue, entries: { handle: ReceiptRef; raw: string; timeout: number }[]): Promise<(Error | undefined)[]> {
    const results = await this.writeTo(q, (tx) => eachCaptured(entries, (e) => this.changeVisibilityInTx(tx, q, e.handle, e.raw, e.timeout)));
    this.polls.wake(q.id);
    return results;
  }

  async purge(q: Queue): Promise<void> {
    const now = this.clock.now();
    const last = this.lastPurge.get(q.id);
    if (last !== undefined && now - last < PURGE_COOLDOWN_MS) {
      throw new PurgeQueueInProgress(`Only one PurgeQueue operation on ${q.name} is allowed every 60 seconds.`);
    }
    this.lastPurge.set(q.id, now);
    await this.writeTo(q, (tx) => this.repo.purge(tx, q.id));
  }

  /** Deletes messages past their queue's retention period, and expired dedup entries. */
  async sweep(): Promise<void> {
    const now = this.clock.now();
    await this.store.write(async (tx) => {
      for (const q of this.queues.all()) await this.repo.deleteExpired(tx, q.id, now - q.retentionSeconds * 1000);
      await this.repo.sweepDedup(tx, now);
    });
  }
}

/** Runs fn for each entry in turn; each one's AWS error (or any error) is returned instead of thrown. */
async function eachCaptured<E>(entries: E[], fn: (e: E) => Promise<void>): Promise<(Error | undefined)[]> {
  const out: (Error | undefined)[] = new Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    try {
      await fn(entries[i]!);
      out[i] = undefined;
    } catch (err) {
      out[i] = err as Error;
    }
  }
  return out;
}

function result(messageId: string, md5Body: string, md5Attributes: string | null, md5System: string | null, seq?: string): SendResult {
  const r: SendResult = { MessageId: messageId, MD5OfMessageBody: md5Body };
  if (md5Attributes) r.MD5OfMessageAttributes = md5Attributes;
  if (md5System) r.MD5OfMessageSystemAttributes = md5System;
  if (seq) r.SequenceNumber = seq;
  return r;
}
