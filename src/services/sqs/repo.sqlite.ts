/** SQS storage in SQLite. All SQL of the service lives here and in repo-migrations.sqlite.ts (its schema). */
import type { Statement } from 'better-sqlite3';
import { liveTx, type SqliteConnection } from '../../store/sqlite.js';
import type { Tx } from '../../store/store.js';
import type {
  AttemptEntry,
  DedupEntry,
  MessageCounts,
  MessageMove,
  MessageReceive,
  MessageRecord,
  MoveTaskRecord,
  QueueRecord,
  ReceiptState,
  SqsRepo,
} from './repo.js';
import { SQS_MIGRATIONS } from './repo-migrations.sqlite.js';

export { SQS_MIGRATIONS };

/** The SQLite repo factory for `store.repo({ sqlite })`: applies SQS's migrations, wires the sequence reservations. */
export function sqliteSqsRepo(conn: SqliteConnection): SqsRepo {
  conn.migrate('sqs', SQS_MIGRATIONS);
  return new SqliteSqsRepo(conn);
}

interface MessageRow {
  seq: number;
  queue_id: number;
  message_id: string;
  body: string;
  md5_body: string;
  attributes: string | null;
  md5_attributes: string | null;
  system_attributes: string | null;
  sender_id: string;
  sent_at: number;
  visible_at: number;
  receive_count: number;
  first_receive_at: number | null;
  receipt: string | null;
  group_id: string | null;
  dedup_id: string | null;
}

function toMessage(r: MessageRow): MessageRecord {
  return {
    seq: r.seq,
    queueId: r.queue_id,
    messageId: r.message_id,
    body: r.body,
    md5Body: r.md5_body,
    attributes: r.attributes === null ? null : JSON.parse(r.attributes, reviveBuffers),
    md5Attributes: r.md5_attributes,
    systemAttributes: r.system_attributes === null ? null : JSON.parse(r.system_attributes),
    senderId: r.sender_id,
    sentAt: r.sent_at,
    visibleAt: r.visible_at,
    receiveCount: r.receive_count,
    firstReceiveAt: r.first_receive_at,
    receipt: r.receipt,
    groupId: r.group_id,
    dedupId: r.dedup_id,
  };
}

/** Binary attribute values are stored as {"$b": base64}. */
function storeBuffers(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
    return { $b: Buffer.from((value as { data: number[] }).data).toString('base64') };
  }
  return value;
}
function reviveBuffers(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && typeof (value as { $b?: unknown }).$b === 'string') {
    return Buffer.from((value as { $b: string }).$b, 'base64');
  }
  return value;
}

const MESSAGE_COLUMNS = `seq, queue_id, message_id, body, md5_body, attributes, md5_attributes, system_attributes, sender_id,
  sent_at, visible_at, receive_count, first_receive_at, receipt, group_id, dedup_id`;

/**
 * Message sequences are reserved in blocks (hi/lo): the stored counter is the highest value
 * reserved, so after a restart numbering resumes above anything ever handed out, and the
 * counter is written once per block instead of once per message. Blocks are topped up at the
 * start of a batch, outside any write's savepoint, so a failed write cannot undo a
 * reservation that later writes rely on.
 */
const SEQ_BLOCK = 1_000_000;
/** Top up when fewer than this many remain: more than any one batch allocates. */
const SEQ_LOW_WATER = 100_000;

class SqliteSqsRepo implements SqsRepo {
  private s: Record<string, Statement>;
  /** Last sequence handed out, and the highest reserved; 0/0 until the first batch. */
  private seqLast = 0;
  private seqReserved = 0;

  constructor(conn: SqliteConnection) {
    const p = (sql: string) => conn.db.prepare(sql);
    conn.onBatchStart(() => this.reserveSeqs());
    // A batch rolled back as a whole took its reservation with it: read the counter again.
    conn.onRollback(() => (this.seqLast = this.seqReserved = 0));
    this.s = {
      // One UPDATE of a one-row page, rolled back with the write that used the value.
      nextCounter: p('UPDATE sqs_counters SET value = value + 1 WHERE name = ? RETURNING value'),
      reserveCounter: p('UPDATE sqs_counters SET value = value + ? WHERE name = ? RETURNING value'),
      counter: p('SELECT value FROM sqs_counters WHERE name = ?'),
      insertQueue: p('INSERT INTO sqs_queues (id, account, region, name, attributes, tags, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      updateQueue: p('UPDATE sqs_queues SET attributes = ?, tags = ?, modified_at = ? WHERE id = ?'),
      deleteQueue: p('DELETE FROM sqs_queues WHERE id = ?'),
      deleteQueueMessages: p('DELETE FROM sqs_messages WHERE queue_id = ?'),
      deleteQueueDedup: p('DELETE FROM sqs_dedup WHERE queue_id = ?'),
      deleteQueueAttempts: p('DELETE FROM sqs_receive_attempts WHERE queue_id = ?'),
      deleteQueueTasks: p('DELETE FROM sqs_move_tasks WHERE source_queue_id = ?'),
      insertMessage: p(`INSERT INTO sqs_messages (${MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      getMessage: p(`SELECT ${MESSAGE_COLUMNS} FROM sqs_messages WHERE seq = ?`),
      receiptState: p('SELECT queue_id AS queueId, receipt, visible_at AS visibleAt, received_at AS receivedAt FROM sqs_messages WHERE seq = ?'),
      visible: p(`SELECT ${MESSAGE_COLUMNS} FROM sqs_messages WHERE queue_id = ? AND visible_at <= ? ORDER BY visible_at LIMIT ?`),
      groupHeads: p('SELECT group_id AS groupId, head_seq AS headSeq FROM sqs_group_heads WHERE queue_id = ? AND head_seq > ? ORDER BY head_seq LIMIT ?'),
      groupMessages: p(`SELECT ${MESSAGE_COLUMNS} FROM sqs_messages WHERE queue_id = ? AND group_id = ? AND seq >= ? ORDER BY seq LIMIT ?`),
      groupBlocked: p(
        `SELECT 1 FROM sqs_messages INDEXED BY sqs_messages_group_visibility
           WHERE queue_id = ? AND group_id = ? AND visible_at > ? AND (receive_count > 0 OR seq < ?) LIMIT 1`,
      ),
      markReceived: p('UPDATE sqs_messages SET visible_at = ?, receipt = ?, receive_count = ?, first_receive_at = ?, received_at = ? WHERE seq = ?'),
      setVisibleAt: p('UPDATE sqs_messages SET visible_at = ? WHERE seq = ?'),
      deleteMessage: p('DELETE FROM sqs_messages WHERE seq = ?'),
      moveMessage: p(`UPDATE sqs_messages SET seq = ?, queue_id = ?, visible_at = ?, receipt = NULL, system_attributes = ?,
        sent_at = COALESCE(?, sent_at), message_id = COALESCE(?, message_id), dedup_id = COALESCE(?, dedup_id),
        receive_count = CASE WHEN ? THEN 0 ELSE receive_count END,
        first_receive_at = CASE WHEN ? THEN NULL ELSE first_receive_at END WHERE seq = ?`),
      countVisible: p('SELECT COUNT(*) AS n FROM sqs_messages WHERE queue_id = ? AND visible_at <= ? AND sent_at > ?'),
      countInvisible: p(
        `SELECT SUM(receive_count > 0) AS inFlight, SUM(receive_count = 0) AS delayed FROM sqs_messages
         WHERE queue_id = ? AND visible_at > ? AND sent_at > ?`,
      ),
      nextVisible: p('SELECT MIN(visible_at) AS t FROM sqs_messages WHERE queue_id = ? AND visible_at > ?'),
      oldest: p(`SELECT ${MESSAGE_COLUMNS} FROM sqs_messages INDEXED BY sqs_messages_order WHERE queue_id = ? AND seq > ? ORDER BY seq LIMIT ?`),
      countAll: p('SELECT COUNT(*) AS n FROM sqs_messages WHERE queue_id = ?'),
      // Retention: everything before the queue's first message (in sequence order) still kept.
      firstKept: p('SELECT seq FROM sqs_messages INDEXED BY sqs_messages_order WHERE queue_id = ? AND sent_at > ? ORDER BY seq LIMIT 1'),
      deleteBefore: p('DELETE FROM sqs_messages WHERE queue_id = ? AND seq < ?'),
      loadQueues: p('SELECT * FROM sqs_queues'),
      getDedup: p('SELECT entry FROM sqs_dedup WHERE queue_id = ? AND scope = ? AND dedup_id = ?'),
      putDedup: p('INSERT OR REPLACE INTO sqs_dedup (queue_id, scope, dedup_id, entry, expires_at) VALUES (?, ?, ?, ?, ?)'),
      sweepDedup: p('DELETE FROM sqs_dedup WHERE expires_at <= ?'),
      sweepAttempts: p('DELETE FROM sqs_receive_attempts WHERE expires_at <= ?'),
      getAttempt: p('SELECT seqs FROM sqs_receive_attempts WHERE queue_id = ? AND attempt_id = ? AND expires_at > ?'),
      putAttempt: p('INSERT OR REPLACE INTO sqs_receive_attempts (queue_id, attempt_id, seqs, expires_at) VALUES (?, ?, ?, ?)'),
      insertTask: p('INSERT INTO sqs_move_tasks (handle, source_queue_id, task, status, started_at) VALUES (?, ?, ?, ?, ?)'),
      updateTask: p('UPDATE sqs_move_tasks SET task = ?, status = ? WHERE handle = ?'),
      tasksOf: p('SELECT task FROM sqs_move_tasks WHERE source_queue_id = ? ORDER BY started_at DESC'),
      activeTasks: p(`SELECT task FROM sqs_move_tasks WHERE status IN ('RUNNING', 'CANCELLING')`),
    };
  }

  async loadQueues(_tx?: Tx): Promise<QueueRecord[]> {
    const rows = this.s.loadQueues!.all() as {
      id: number;
      account: string;
      region: string;
      name: string;
      attributes: string;
      tags: string;
      created_at: number;
      modified_at: number;
    }[];
    return rows.map((r) => ({
      id: r.id,
      account: r.account,
      region: r.region,
      name: r.name,
      attributes: JSON.parse(r.attributes),
      tags: JSON.parse(r.tags),
      createdAt: r.created_at,
      modifiedAt: r.modified_at,
    }));
  }

  async insertQueue(tx: Tx, q: Omit<QueueRecord, 'id'>): Promise<number> {
    liveTx(tx);
    const id = this.next('queue_id');
    this.s.insertQueue!.run(id, q.account, q.region, q.name, JSON.stringify(q.attributes), JSON.stringify(q.tags), q.createdAt, q.modifiedAt);
    return id;
  }

  private next(counter: 'queue_id' | 'seq'): number {
    return (this.s.nextCounter!.get(counter) as { value: number }).value;
  }

  async updateQueue(tx: Tx, q: QueueRecord): Promise<void> {
    liveTx(tx);
    this.s.updateQueue!.run(JSON.stringify(q.attributes), JSON.stringify(q.tags), q.modifiedAt, q.id);
  }

  async deleteQueue(tx: Tx, id: number): Promise<void> {
    liveTx(tx);
    this.s.deleteQueueMessages!.run(id);
    this.s.deleteQueueDedup!.run(id);
    this.s.deleteQueueAttempts!.run(id);
    this.s.deleteQueueTasks!.run(id);
    this.s.deleteQueue!.run(id);
  }

  private reserveSeqs(): void {
    if (this.seqReserved - this.seqLast >= SEQ_LOW_WATER) return;
    const reserved = (this.s.reserveCounter!.get(SEQ_BLOCK, 'seq') as { value: number }).value;
    // The counter was at least every value handed out so far: the new block starts above them
    // (leaving the rest of the old block unused).
    this.seqLast = reserved - SEQ_BLOCK;
    this.seqReserved = reserved;
  }

  async nextSeq(tx: Tx): Promise<number> {
    liveTx(tx);
    // Only reachable outside a store batch or past SEQ_LOW_WATER allocations in one batch.
    if (this.seqLast >= this.seqReserved) return this.next('seq');
    return ++this.seqLast;
  }

  async currentSeq(_tx?: Tx): Promise<number> {
    return this.seqReserved === 0 ? (this.s.counter!.get('seq') as { value: number }).value : this.seqLast;
  }

  async insertMessage(tx: Tx, m: MessageRecord): Promise<void> {
    liveTx(tx);
    this.s.insertMessage!.run(
      m.seq,
      m.queueId,
      m.messageId,
      m.body,
      m.md5Body,
      m.attributes === null ? null : JSON.stringify(m.attributes, storeBuffers),
      m.md5Attributes,
      m.systemAttributes === null ? null : JSON.stringify(m.systemAttributes),
      m.senderId,
      m.sentAt,
      m.visibleAt,
      m.receiveCount,
      m.firstReceiveAt,
      m.receipt,
      m.groupId,
      m.dedupId,
    );
  }

  async getMessage(seq: number, _tx?: Tx): Promise<MessageRecord | undefined> {
    const r = this.s.getMessage!.get(seq) as MessageRow | undefined;
    return r && toMessage(r);
  }

  async receiptState(seq: number, _tx?: Tx): Promise<ReceiptState | undefined> {
    return this.s.receiptState!.get(seq) as ReceiptState | undefined;
  }

  async visibleMessages(queueId: number, now: number, limit: number, _tx?: Tx): Promise<MessageRecord[]> {
    return (this.s.visible!.all(queueId, now, limit) as MessageRow[]).map(toMessage);
  }

  async groupHeads(queueId: number, afterSeq: number, limit: number, _tx?: Tx): Promise<{ groupId: string; headSeq: number }[]> {
    return this.s.groupHeads!.all(queueId, afterSeq, limit) as { groupId: string; headSeq: number }[];
  }

  async groupMessages(queueId: number, groupId: string, fromSeq: number, limit: number, _tx?: Tx): Promise<MessageRecord[]> {
    return (this.s.groupMessages!.all(queueId, groupId, fromSeq, limit) as MessageRow[]).map(toMessage);
  }

  async groupBlocked(queueId: number, groupId: string, beforeSeq: number, now: number, _tx?: Tx): Promise<boolean> {
    return this.s.groupBlocked!.get(queueId, groupId, now, beforeSeq) !== undefined;
  }

  async markReceived(tx: Tx, receives: MessageReceive[]): Promise<void> {
    liveTx(tx);
    const mark = this.s.markReceived!;
    for (const r of receives) mark.run(r.visibleAt, r.receipt, r.receiveCount, r.firstReceiveAt, r.receivedAt, r.seq);
  }

  async setVisibleAt(tx: Tx, seq: number, visibleAt: number): Promise<void> {
    liveTx(tx);
    this.s.setVisibleAt!.run(visibleAt, seq);
  }

  async deleteMessage(tx: Tx, seq: number): Promise<void> {
    liveTx(tx);
    this.s.deleteMessage!.run(seq);
  }

  async moveMessage(tx: Tx, seq: number, m: MessageMove): Promise<void> {
    liveTx(tx);
    const reset = m.resetReceives ? 1 : 0;
    const system = m.systemAttributes === null ? null : JSON.stringify(m.systemAttributes);
    this.s.moveMessage!.run(m.newSeq, m.toQueueId, m.visibleAt, system, m.sentAt ?? null, m.messageId ?? null, m.dedupId ?? null, reset, reset, seq);
  }

  async counts(queueId: number, now: number, sentAfter: number, _tx?: Tx): Promise<MessageCounts> {
    const v = this.s.countVisible!.get(queueId, now, sentAfter) as { n: number };
    const i = this.s.countInvisible!.get(queueId, now, sentAfter) as { inFlight: number | null; delayed: number | null };
    return { visible: v.n, inFlight: i.inFlight ?? 0, delayed: i.delayed ?? 0 };
  }

  async nextVisibleAt(queueId: number, now: number, _tx?: Tx): Promise<number | undefined> {
    const r = this.s.nextVisible!.get(queueId, now) as { t: number | null };
    return r.t ?? undefined;
  }

  async purge(tx: Tx, queueId: number): Promise<number> {
    liveTx(tx);
    return this.s.deleteQueueMessages!.run(queueId).changes;
  }

  async oldestMessages(queueId: number, afterSeq: number, limit: number, _tx?: Tx): Promise<MessageRecord[]> {
    return (this.s.oldest!.all(queueId, afterSeq, limit) as MessageRow[]).map(toMessage);
  }

  async deleteExpired(tx: Tx, queueId: number, cutoff: number): Promise<number> {
    liveTx(tx);
    const kept = this.s.firstKept!.get(queueId, cutoff) as { seq: number } | undefined;
    return this.s.deleteBefore!.run(queueId, kept ? kept.seq : Number.MAX_SAFE_INTEGER).changes;
  }

  async countMessages(queueId: number, _tx?: Tx): Promise<number> {
    return (this.s.countAll!.get(queueId) as { n: number }).n;
  }

  async getDedup(queueId: number, scope: string, dedupId: string, _tx?: Tx): Promise<DedupEntry | undefined> {
    const r = this.s.getDedup!.get(queueId, scope, dedupId) as { entry: string } | undefined;
    return r && JSON.parse(r.entry);
  }

  async putDedup(tx: Tx, queueId: number, scope: string, dedupId: string, e: DedupEntry): Promise<void> {
    liveTx(tx);
    this.s.putDedup!.run(queueId, scope, dedupId, JSON.stringify(e), e.expiresAt);
  }

  async sweepDedup(tx: Tx, now: number): Promise<void> {
    liveTx(tx);
    this.s.sweepDedup!.run(now);
    this.s.sweepAttempts!.run(now);
  }

  async getReceiveAttempt(queueId: number, attemptId: string, now: number, _tx?: Tx): Promise<AttemptEntry[] | undefined> {
    const r = this.s.getAttempt!.get(queueId, attemptId, now) as { seqs: string } | undefined;
    if (!r) return undefined;
    // Stored as [[seq, nonce], ...]; rows written before nonces were kept (bare sequences)
    // cannot be checked against the current receipt, so they match nothing.
    const entries: unknown[] = JSON.parse(r.seqs);
    return entries.flatMap((e) =>
      Array.isArray(e) && typeof e[0] === 'number' && typeof e[1] === 'string' ? [{ seq: e[0], receipt: e[1] }] : [],
    );
  }

  async putReceiveAttempt(tx: Tx, queueId: number, attemptId: string, entries: AttemptEntry[], expiresAt: number): Promise<void> {
    liveTx(tx);
    this.s.putAttempt!.run(queueId, attemptId, JSON.stringify(entries.map((e) => [e.seq, e.receipt])), expiresAt);
  }

  async insertMoveTask(tx: Tx, t: MoveTaskRecord): Promise<void> {
    liveTx(tx);
    this.s.insertTask!.run(t.handle, t.sourceQueueId, JSON.stringify(t), t.status, t.startedAt);
  }

  async updateMoveTask(tx: Tx, t: MoveTaskRecord): Promise<void> {
    liveTx(tx);
    this.s.updateTask!.run(JSON.stringify(t), t.status, t.handle);
  }

  async moveTasks(sourceQueueId: number, _tx?: Tx): Promise<MoveTaskRecord[]> {
    return (this.s.tasksOf!.all(sourceQueueId) as { task: string }[]).map((r) => JSON.parse(r.task));
  }

  async activeMoveTasks(_tx?: Tx): Promise<MoveTaskRecord[]> {
    return (this.s.activeTasks!.all() as { task: string }[]).map((r) => JSON.parse(r.task));
  }
}
