/**
 * The group-head index that FIFO receives walk: triggers keep it right on every path that adds,
 * removes or moves a grouped message, and migration 4 builds it for messages already stored.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SQS_MIGRATIONS } from '../../../src/services/sqs/repo.sqlite.js';
import { SqliteStore as Store } from '../../../src/store/sqlite.js';

test('group heads follow inserts, deletes and moves, and are built for existing messages', async () => {
  const s = new Store({ memory: true });
  s.migrate('sqs', SQS_MIGRATIONS.slice(0, 3));
  const insert = s.db.prepare(
    `INSERT INTO sqs_messages (seq, queue_id, message_id, body, md5_body, sender_id, sent_at, visible_at, receive_count, group_id)
     VALUES (?, ?, 'id', 'body', 'md5', 'sender', 0, 0, 0, ?)`,
  );
  insert.run(5, 1, 'g1');
  insert.run(3, 1, 'g1');
  insert.run(7, 1, 'g2');
  insert.run(8, 1, null);
  s.migrate('sqs', SQS_MIGRATIONS);
  const heads = () => s.db.prepare('SELECT queue_id AS q, group_id AS g, head_seq AS head FROM sqs_group_heads ORDER BY q, head').all();
  assert.deepEqual(heads(), [
    { q: 1, g: 'g1', head: 3 },
    { q: 1, g: 'g2', head: 7 },
  ]);

  insert.run(9, 1, 'g2'); // behind the head: no change
  insert.run(10, 1, 'g3'); // a new group
  assert.deepEqual(heads(), [
    { q: 1, g: 'g1', head: 3 },
    { q: 1, g: 'g2', head: 7 },
    { q: 1, g: 'g3', head: 10 },
  ]);

  s.db.prepare('DELETE FROM sqs_messages WHERE seq IN (3, 10)').run(); // g1's head goes; g3 empties
  s.db.prepare('DELETE FROM sqs_messages WHERE seq = 9').run(); // not a head
  assert.deepEqual(heads(), [
    { q: 1, g: 'g1', head: 5 },
    { q: 1, g: 'g2', head: 7 },
  ]);

  s.db.prepare('UPDATE sqs_messages SET seq = 11, queue_id = 2 WHERE seq = 5').run(); // dead-lettered
  assert.deepEqual(heads(), [
    { q: 1, g: 'g2', head: 7 },
    { q: 2, g: 'g1', head: 11 },
  ]);
  await s.close();
});
