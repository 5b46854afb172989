/**
 * Acknowledged delivery's engine: durable, ordered mailboxes per (account, API, client id) and
 * the delivery of their messages to the client's live connection.
 *
 * - `post` commits the message (durable, with the next seq) before it answers; then the
 *   client's connection, if any, is pumped. Posts to one mailbox arriving together share one
 *   write (one state read and update), as writes share the store's commit.
 * - `attach` gives a connection the mailbox: everything above the last acknowledgement is sent
 *   again, in order, before anything newer. One connection per client: a newer one replaces it.
 * - `ack` acknowledges cumulatively and removes those messages; acknowledgements are gathered
 *   and written with the next post's transaction (or on their own within ACK_FLUSH_MS), so a
 *   steady stream costs one commit per message, not two.
 *
 * Only committed messages are ever sent: the store's single connection can see a batch's
 * writes before they commit, so a connection is pumped up to the highest seq whose write has
 * resolved (`committed`), never further. Messages expire after `ttlMs` (a timer at the earliest
 * expiry sweeps them; delivery skips expired ones at once); a mailbox holding `capacity`
 * messages refuses more with LimitExceededException.
 */
import type { Clock, Timer } from '../../../lib/clock.js';
import type { Logger } from '../../../lib/log.js';
import { LimitExceededException } from '../errors.js';
import { messageFrame } from './protocol.js';
import type { Store, Tx } from '../../../store/store.js';
import type { AppendResult, MailboxKey, MailboxMessage, MailboxRepo } from './repo.js';

export const DEFAULT_MAILBOX_TTL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_MAILBOX_CAPACITY = 10_000;
/** Messages read from the store per round of a pump. */
const PUMP_BATCH = 256;
/**
 * How long an acknowledgement may wait for a post's write to ride along with (ms). An
 * acknowledgement lost in a crash only means its messages come again, which clients drop by seq.
 */
const ACK_FLUSH_MS = 20;
/** Expired messages removed per sweep write. */
const SWEEP_BATCH = 1000;

export interface MailboxOptions {
  /** How long a message waits for its acknowledgement (ms). */
  ttlMs?: number;
  /** The most messages a mailbox holds. */
  capacity?: number;
}

/** Where a client's messages go: its live connection. */
export interface MailboxSink {
  /** Sends a text frame; resolves once written, rejects when the connection is gone. */
  send(frame: string): Promise<void>;
  /** Another connection of the same client took the mailbox over. */
  replaced(): void;
}

/** Counters for the backlog and the work done since Nimbus started. */
export interface MailboxMetrics {
  /** Messages held, unacknowledged, across all mailboxes. */
  backlog: number;
  /** Clients with a connection attached. */
  connectedClients: number;
  posted: number;
  delivered: number;
  /** Messages sent again after an earlier connection of the client had been sent them. */
  redelivered: number;
  acknowledged: number;
  expired: number;
  /** Posts refused because the mailbox was full. */
  refused: number;
}

class Session {
  /** Everything up to here was sent on this connection (or acknowledged before it attached). */
  sentUpTo = 0;
  pumping = false;
  closed = false;
  /** Set once the mailbox's state is read: until then nothing is sent. */
  ready = false;
  /**
   * Messages committed while attached and not sent yet, in seq order, so the pump need not read
   * them back from the store (at most FRESH_MAX: past that the store is read instead).
   */
  fresh: MailboxMessage[] = [];
  constructor(
    readonly key: string,
    readonly mailbox: MailboxKey,
    readonly sink: MailboxSink,
  ) {}
}

/** A post waiting for its write (see Mailboxes.writePosts). */
interface WaitingPost {
  body: Buffer;
  resolve(seq: number): void;
  reject(e: unknown): void;
}

/** The posts of one mailbox gathered for its next write. */
interface Gathered {
  mailbox: MailboxKey;
  posts: WaitingPost[];
}

interface PendingAck {
  mailbox: MailboxKey;
  seq: number;
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
  /** Messages the write removed. */
  removed?: number;
}

/** Messages a session keeps in memory for its pump (beyond that, the pump reads the store). */
const FRESH_MAX = PUMP_BATCH;

/** Keeps a just-committed message for the session's pump, in seq order (posts of one batch resolve in order, almost always). */
function remember(s: Session, m: MailboxMessage): void {
  if (s.fresh.length >= FRESH_MAX) s.fresh = [];
  let i = s.fresh.length;
  while (i > 0 && s.fresh[i - 1]!.seq > m.seq) i--;
  s.fresh.splice(i, 0, m);
}

/**
 * The kept messages that follow what the session was sent, up to `bound`, when they are all
 * there and none expired; undefined when the store must be read (a gap, an expiry).
 */
function freshRun(s: Session, bound: number, now: number): MailboxMessage[] | undefined {
  let skip = 0;
  while (skip < s.fresh.length && s.fresh[skip]!.seq <= s.sentUpTo) skip++;
  if (skip) s.fresh.splice(0, skip);
  let n = 0;
  while (n < s.fresh.length && s.fresh[n]!.seq === s.sentUpTo + 1 + n && s.fresh[n]!.seq <= bound) {
    if (s.fresh[n]!.expiresAt <= now) return undefined;
    n++;
  }
  if (n === 0 || s.sentUpTo + n < bound) return undefined;
  return s.fresh.splice(0, n);
}

const keyOf = (k: MailboxKey) => `${k.accountId}\u0000${k.apiId}\u0000${k.clientId}`;

export class Mailboxes {
  readonly ttlMs: number;
  readonly capacity: number;
  private readonly sessions = new Map<string, Session>();
  /** Posts waiting for a write that has not run yet, per mailbox: they share it. */
  private readonly gathering = new Map<string, Gathered>();
  /** Posts not yet resolved, per mailbox. */
  private readonly inflight = new Map<string, number>();
  /** The highest seq known committed, per mailbox with a session or a resolved post. */
  private readonly committed = new Map<string, number>();
  /** The highest seq ever sent, per mailbox (since start): what counts as a redelivery. */
  private readonly sentHigh = new Map<string, number>();
  private readonly counts: Omit<MailboxMetrics, 'backlog' | 'connectedClients'> = { posted: 0, delivered: 0, redelivered: 0, acknowledged: 0, expired: 0, refused: 0 };
  private backlogCount = 0;
  private expiry: { at: number; timer: Timer } | undefined;
  /** Acknowledgements not written yet, per mailbox: the highest seq, and who waits for the write. */
  private readonly pendingAcks = new Map<string, PendingAck>();
  private ackTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly repo: MailboxRepo,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    opts: MailboxOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? DEFAULT_MAILBOX_TTL_MS;
    this.capacity = opts.capacity ?? DEFAULT_MAILBOX_CAPACITY;
  }

  /** Loads the backlog and arms the expiry timer (registered as a cache: reloads after a rollback). */
  async reload(): Promise<void> {
    this.backlogCount = await this.repo.backlog();
    const next = await this.repo.nextExpiry();
    if (next !== undefined) this.armExpiry(next);
  }

  /** Stops the expiry timer and writes the acknowledgements still gathered. */
  async stop(): Promise<void> {
    await this.flushAcks();
    this.stopped = true;
    this.expiry?.timer.cancel();
    this.expiry = undefined;
  }

  metrics(): MailboxMetrics {
    return { backlog: this.backlogCount, connectedClients: this.sessions.size, ...this.counts };
  }

  /**
   * Writes a message durably into the client's mailbox; answers its seq. Posts to one mailbox
   * that arrive before the store runs their write share it (see writePosts).
   */
  post(mailbox: MailboxKey, body: Buffer): Promise<number> {
    const key = keyOf(mailbox);
    this.inflight.set(key, (this.inflight.get(key) ?? 0) + 1);
    const settled = () => {
      const n = this.inflight.get(key)! - 1;
      if (n) this.inflight.set(key, n);
      else this.inflight.delete(key);
    };
    return new Promise<number>((resolve, reject) => {
      const waiting: WaitingPost = { body, resolve: (seq) => (settled(), resolve(seq)), reject: (e) => (settled(), reject(e)) };
      const gathered = this.gathering.get(key);
      if (gathered) return void gathered.posts.push(waiting);
      this.gathering.set(key, { mailbox, posts: [waiting] });
      void this.writePosts(key);
    });
  }

  /**
   * One store write for the posts of a mailbox gathered until the store runs it: one state read
   * and one update for all of them, with the acknowledgements gathered so far riding along (and
   * making room first), so neither costs a commit of its own. Posts arriving once it runs wait
   * for the next write.
   */
  private async writePosts(key: string): Promise<void> {
    let taken: Gathered | undefined;
    const take = (): Gathered => {
      if (!taken) (taken = this.gathering.get(key)!), this.gathering.delete(key);
      return taken;
    };
    let acks: PendingAck[] = [];
    let expiresAt = 0;
    let result: AppendResult;
    try {
      result = await this.store.write(async (tx) => {
        const { mailbox, posts } = take();
        acks = this.takeAcks();
        await this.applyAcks(tx, acks);
        const now = this.clock.now();
        expiresAt = now + this.ttlMs;
        return this.repo.append(
          tx,
          mailbox,
          posts.map((p) => p.body),
          now,
          expiresAt,
          this.capacity,
        );
      });
    } catch (e) {
      if (acks.length) this.ackFailed(acks, e);
      for (const p of take().posts) p.reject(e);
      return;
    }
    this.ackedAfterCommit(acks);
    const { mailbox, posts } = take();
    const s = this.sessions.get(key);
    for (let i = 0; i < result.accepted; i++) if (s) remember(s, { seq: result.firstSeq + i, body: posts[i]!.body, expiresAt });
    if (result.accepted) {
      const last = result.firstSeq + result.accepted - 1;
      this.counts.posted += result.accepted;
      this.backlogCount += result.accepted;
      if (last > (this.committed.get(key) ?? 0)) this.committed.set(key, last);
      this.armExpiry(expiresAt);
      if (s) this.pump(s);
    }
    posts.forEach((p, i) => {
      if (i < result.accepted) return p.resolve(result.firstSeq + i);
      this.counts.refused++;
      p.reject(new LimitExceededException(`The mailbox of client ${mailbox.clientId} is full: it holds ${result.count} unacknowledged messages, the most it may hold (${this.capacity})`));
    });
  }

  /**
   * Gives a connection the client's mailbox: it is sent every unacknowledged message, in order,
   * then each new one. Answers the detach function (call it when the connection closes).
   */
  async attach(mailbox: MailboxKey, sink: MailboxSink): Promise<() => void> {
    const key = keyOf(mailbox);
    const s = new Session(key, mailbox, sink);
    const previous = this.sessions.get(key);
    this.sessions.set(key, s);
    if (previous) {
      previous.closed = true;
      previous.sink.replaced();
    }
    // With no post of this mailbox in flight, its last seq is committed (see the header).
    const quiet = !this.inflight.has(key);
    const state = await this.repo.state(mailbox);
    if (quiet && state.lastSeq > (this.committed.get(key) ?? 0)) this.committed.set(key, state.lastSeq);
    s.sentUpTo = state.ackedSeq;
    s.ready = true;
    this.pump(s);
    return () => {
      s.closed = true;
      if (this.sessions.get(key) === s) this.sessions.delete(key);
    };
  }

  /** A client's cumulative acknowledgement, up to the highest seq it was sent. */
  async ack(mailbox: MailboxKey, seq: number): Promise<void> {
    const key = keyOf(mailbox);
    const upTo = Math.min(seq, this.sentHigh.get(key) ?? 0);
    if (upTo <= 0) return;
    let pending = this.pendingAcks.get(key);
    if (pending) pending.seq = Math.max(pending.seq, upTo);
    else this.pendingAcks.set(key, (pending = { mailbox, seq: upTo, waiters: [] }));
    const done = new Promise<void>((resolve, reject) => pending.waiters.push({ resolve, reject }));
    // Written with the next write of a post, or on its own a moment later.
    this.ackTimer ??= setTimeout(() => void this.flushAcks(), ACK_FLUSH_MS);
    return done;
  }

  /** Writes the acknowledgements gathered so far in a transaction of their own. */
  async flushAcks(): Promise<void> {
    if (!this.pendingAcks.size) return;
    const acks = this.takeAcks();
    try {
      await this.store.write((tx) => this.applyAcks(tx, acks));
      this.ackedAfterCommit(acks);
    } catch (e) {
      this.ackFailed(acks, e);
    }
  }

  /** Takes the gathered acknowledgements (their write is about to start). */
  private takeAcks(): PendingAck[] {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    const acks = [...this.pendingAcks.values()];
    this.pendingAcks.clear();
    return acks;
  }

  private async applyAcks(tx: Tx, acks: PendingAck[]): Promise<void> {
    for (const a of acks) a.removed = (await this.repo.ack(tx, a.mailbox, a.seq)).removed;
  }

  private ackedAfterCommit(acks: PendingAck[]): void {
    for (const a of acks) {
      this.counts.acknowledged += a.removed ?? 0;
      this.backlogCount -= a.removed ?? 0;
      for (const w of a.waiters) w.resolve();
    }
  }

  /** The write failed: its acknowledgements are lost (the messages come again; the client drops them by seq). */
  private ackFailed(acks: PendingAck[], e: unknown): void {
    this.log.warn('mailbox acknowledgements not written', { error: e instanceof Error ? e.message : String(e) });
    for (const a of acks) for (const w of a.waiters) w.reject(e);
  }


  /** Removes every mailbox of an API (the API was deleted): its clients' messages and seqs are gone. */
  async deleteApi(accountId: string, apiId: string): Promise<void> {
    await this.store.write((tx) => this.repo.deleteApi(tx, accountId, apiId));
    const prefix = `${accountId}\u0000${apiId}\u0000`;
    for (const m of [this.committed, this.sentHigh]) for (const k of [...m.keys()]) if (k.startsWith(prefix)) m.delete(k);
    this.backlogCount = await this.repo.backlog();
  }

  /** Sends what the connection has not been sent yet, committed, in order; one pump per connection at a time. */
  private pump(s: Session): void {
    if (s.pumping || s.closed || !s.ready) return;
    s.pumping = true;
    void this.pumpLoop(s)
      .catch((e) => {
        // The connection is gone (its close detaches it); what was not acknowledged waits.
        this.log.debug('mailbox delivery stopped', { clientId: s.mailbox.clientId, error: e instanceof Error ? e.message : String(e) });
        s.closed = true;
      })
      .finally(() => {
        s.pumping = false;
      });
  }

  private async pumpLoop(s: Session): Promise<void> {
    for (;;) {
      const bound = this.committed.get(s.key) ?? 0;
      if (s.closed || s.sentUpTo >= bound) return;
      const now = this.clock.now();
      const batch = freshRun(s, bound, now) ?? (await this.repo.pending(s.mailbox, s.sentUpTo, bound, now, PUMP_BATCH));
      if (batch.length === 0) {
        // Everything up to the bound expired (or was acknowledged meanwhile).
        s.sentUpTo = bound;
        continue;
      }
      let last: Promise<void> | undefined;
      for (const m of batch) {
        if (s.closed) return;
        last = s.sink.send(messageFrame(m.seq, m.body));
        // (A failed send fails the later ones too: the last one's rejection ends the pump.)
        last.catch(() => {});
        s.sentUpTo = m.seq;
        const high = this.sentHigh.get(s.key) ?? 0;
        if (m.seq <= high) this.counts.redelivered++;
        else this.sentHigh.set(s.key, m.seq);
        this.counts.delivered++;
      }
      await last;
    }
  }

  private armExpiry(at: number): void {
    if (this.stopped || (this.expiry && this.expiry.at <= at)) return;
    this.expiry?.timer.cancel();
    this.expiry = { at, timer: this.clock.at(at, () => void this.sweep()) };
  }

  /** Removes expired messages, then waits for the next expiry. */
  private async sweep(): Promise<void> {
    this.expiry = undefined;
    if (this.stopped) return;
    try {
      for (;;) {
        const now = this.clock.now();
        const n = await this.store.write((tx) => this.repo.sweep(tx, now, SWEEP_BATCH));
        this.counts.expired += n;
        this.backlogCount -= n;
        if (n < SWEEP_BATCH) break;
      }
      const next = await this.repo.nextExpiry();
      if (next !== undefined) this.armExpiry(next);
    } catch (e) {
      this.log.error('mailbox sweep failed', { error: e instanceof Error ? e.stack : String(e) });
    }
  }
}
