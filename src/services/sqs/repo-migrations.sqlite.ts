/** SQS's schema in SQLite, one step per release that changed it (applied once each, in order). */
import type { Migration } from '../../store/sqlite.js';

export const SQS_MIGRATIONS: Migration[] = [
  `CREATE TABLE sqs_queues (
     id INTEGER PRIMARY KEY,
     account TEXT NOT NULL,
     region TEXT NOT NULL,
     name TEXT NOT NULL,
     attributes TEXT NOT NULL,
     tags TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     modified_at INTEGER NOT NULL,
     UNIQUE (account, region, name)
   );
   CREATE TABLE sqs_messages (
     seq INTEGER PRIMARY KEY,
     queue_id INTEGER NOT NULL,
     message_id TEXT NOT NULL,
     body TEXT NOT NULL,
     md5_body TEXT NOT NULL,
     attributes TEXT,
     md5_attributes TEXT,
     system_attributes TEXT,
     sender_id TEXT NOT NULL,
     sent_at INTEGER NOT NULL,
     visible_at INTEGER NOT NULL,
     receive_count INTEGER NOT NULL,
     first_receive_at INTEGER,
     receipt TEXT,
     group_id TEXT,
     dedup_id TEXT
   );
   CREATE INDEX sqs_messages_visible ON sqs_messages (queue_id, visible_at);
   CREATE INDEX sqs_messages_order ON sqs_messages (queue_id, seq);
   CREATE INDEX sqs_messages_group ON sqs_messages (queue_id, group_id, seq) WHERE group_id IS NOT NULL;
   CREATE TABLE sqs_dedup (
     queue_id INTEGER NOT NULL,
     scope TEXT NOT NULL,
     dedup_id TEXT NOT NULL,
     entry TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     PRIMARY KEY (queue_id, scope, dedup_id)
   );
   CREATE INDEX sqs_dedup_expiry ON sqs_dedup (expires_at);
   CREATE TABLE sqs_receive_attempts (
     queue_id INTEGER NOT NULL,
     attempt_id TEXT NOT NULL,
     seqs TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     PRIMARY KEY (queue_id, attempt_id)
   );
   CREATE TABLE sqs_move_tasks (
     handle TEXT PRIMARY KEY,
     source_queue_id INTEGER NOT NULL,
     task TEXT NOT NULL,
     status TEXT NOT NULL,
     started_at INTEGER NOT NULL
   );
   CREATE INDEX sqs_move_tasks_source ON sqs_move_tasks (source_queue_id, started_at);`,
  // Queue ids and message sequences are never reused, even after deletes and restarts: each
  // is allocated from a durable counter advanced in the transaction that uses the value.
  // (A reused queue id let a send that raced a DeleteQueue land in a later queue; a reused
  // sequence made SequenceNumber go backwards.) Seeded with the highest values in use.
  `CREATE TABLE sqs_counters (
     name TEXT PRIMARY KEY,
     value INTEGER NOT NULL
   );
   INSERT INTO sqs_counters (name, value) VALUES
     ('queue_id', (SELECT COALESCE(MAX(id), 0) FROM sqs_queues)),
     ('seq', MAX(
       (SELECT COALESCE(MAX(seq), 0) FROM sqs_messages),
       (SELECT COALESCE(MAX(json_extract(entry, '$.seq')), 0) FROM sqs_dedup)
     ));`,
  // When the current receive happened: a visibility timeout may reach at most 12 hours past it.
  `ALTER TABLE sqs_messages ADD COLUMN received_at INTEGER;`,
  // The head (oldest message) of every message group, kept by triggers on every path that adds,
  // removes or moves a grouped message. A FIFO receive walks group heads, so a deep group whose
  // head is in flight costs one row, not one row per waiting message.
  `CREATE TABLE sqs_group_heads (
     queue_id INTEGER NOT NULL,
     group_id TEXT NOT NULL,
     head_seq INTEGER NOT NULL,
     PRIMARY KEY (queue_id, group_id)
   );
   CREATE INDEX sqs_group_heads_order ON sqs_group_heads (queue_id, head_seq);
   -- "Has this group a message in flight?" reads only the group's invisible messages.
   CREATE INDEX sqs_messages_group_visibility ON sqs_messages (queue_id, group_id, visible_at) WHERE group_id IS NOT NULL;
   INSERT INTO sqs_group_heads (queue_id, group_id, head_seq)
     SELECT queue_id, group_id, MIN(seq) FROM sqs_messages WHERE group_id IS NOT NULL GROUP BY queue_id, group_id;
   CREATE TRIGGER sqs_group_heads_insert AFTER INSERT ON sqs_messages WHEN NEW.group_id IS NOT NULL BEGIN
     INSERT INTO sqs_group_heads (queue_id, group_id, head_seq) VALUES (NEW.queue_id, NEW.group_id, NEW.seq)
       ON CONFLICT (queue_id, group_id) DO UPDATE SET head_seq = MIN(head_seq, excluded.head_seq);
   END;
   CREATE TRIGGER sqs_group_heads_delete AFTER DELETE ON sqs_messages WHEN OLD.group_id IS NOT NULL BEGIN
     DELETE FROM sqs_group_heads WHERE queue_id = OLD.queue_id AND group_id = OLD.group_id
       AND NOT EXISTS (SELECT 1 FROM sqs_messages WHERE queue_id = OLD.queue_id AND group_id = OLD.group_id);
     UPDATE sqs_group_heads
       SET head_seq = (SELECT MIN(seq) FROM sqs_messages WHERE queue_id = OLD.queue_id AND group_id = OLD.group_id)
       WHERE queue_id = OLD.queue_id AND group_id = OLD.group_id AND head_seq = OLD.seq;
   END;
   CREATE TRIGGER sqs_group_heads_move AFTER UPDATE OF seq, queue_id ON sqs_messages WHEN OLD.group_id IS NOT NULL BEGIN
     DELETE FROM sqs_group_heads WHERE queue_id = OLD.queue_id AND group_id = OLD.group_id
       AND NOT EXISTS (SELECT 1 FROM sqs_messages WHERE queue_id = OLD.queue_id AND group_id = OLD.group_id);
     UPDATE sqs_group_heads
       SET head_seq = (SELECT MIN(seq) FROM sqs_messages WHERE queue_id = OLD.queue_id AND group_id = OLD.group_id)
       WHERE queue_id = OLD.queue_id AND group_id = OLD.group_id AND head_seq = OLD.seq;
     INSERT INTO sqs_group_heads (queue_id, group_id, head_seq) VALUES (NEW.queue_id, NEW.group_id, NEW.seq)
       ON CONFLICT (queue_id, group_id) DO UPDATE SET head_seq = MIN(head_seq, excluded.head_seq);
   END;`,
];
