/**
 * SQS state against its storage, through the real SDK: ids and sequence numbers that are never
 * reused (also across a restart on the same data directory), sends racing a DeleteQueue in one
 * group commit, and the queue registry after a batch whose commit failed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { startTestNimbus, type TestNimbus } from '../../helpers/nimbus.js';
import { createQueue, receive, receiveUpTo10, rejectsWith, withNimbus } from '../../helpers/sqs.js';

/** Makes every COMMIT of the store fail (as a full disk would) while fn runs. */
async function withFailingCommits(t: TestNimbus, fn: () => Promise<void>): Promise<void> {
  // Stubs the storage engine's COMMIT, not Nimbus logic: the batch's transaction rolls back.
  const stmts = (t.nimbus.store as unknown as { stmts: { commit: unknown } }).stmts;
  const commit = stmts.commit;
  stmts.commit = {
    run() {
      throw new Error('disk full');
    },
  };
  try {
    await fn();
  } finally {
    stmts.commit = commit;
  }
}

const listed = async (t: TestNimbus, prefix: string) => (await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }))).QueueUrls ?? [];

describe('SQS storage', () => {
  it('never reuses sequence numbers or queue ids, even after deletes and a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-sqs-ids-'));
    try {
      let t = await startTestNimbus({ dataDir });
      let url: string;
      let before: bigint[];
      let oldHandle: string;
      try {
        url = await createQueue(t, 'seq.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
        before = [];
        for (const body of ['m1', 'm2', 'm3']) {
          before.push(BigInt((await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: 'g' }))).SequenceNumber!));
        }
        // Every message, the newest included, is deleted.
        const got = await receiveUpTo10(t, url);
        assert.equal(got.length, 3);
        for (const m of got) await t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));

        // So is the newest queue, after one of its messages was received.
        const gone = await createQueue(t, 'gone');
        await t.sqs.send(new SendMessageCommand({ QueueUrl: gone, MessageBody: 'old' }));
        oldHandle = (await receive(t, gone))[0]!.ReceiptHandle!;
        await t.sqs.send(new DeleteQueueCommand({ QueueUrl: gone }));
      } finally {
        await t.stop();
      }

      t = await startTestNimbus({ dataDir });
      try {
        const after = BigInt((await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'm4', MessageGroupId: 'g' }))).SequenceNumber!);
        assert.ok(before.every((s) => after > s), `SequenceNumber ${after} after ${before.join(', ')}`);

        // A queue created now has an id of its own: the deleted queue's receipt handle is not one of its handles.
        const fresh = await createQueue(t, 'fresh');
        await t.sqs.send(new SendMessageCommand({ QueueUrl: fresh, MessageBody: 'new' }));
        await rejectsWith(
          t.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: fresh, ReceiptHandle: oldHandle, VisibilityTimeout: 10 })),
          'ReceiptHandleIsInvalid',
          `The input receipt handle "${oldHandle}" is not a valid receipt handle.`,
        );
        assert.deepEqual((await receive(t, fresh)).map((m) => m.Body), ['new']);
      } finally {
        await t.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('never acknowledges a send that lost a race with DeleteQueue, nor lets its message reach a later queue', () =>
    withNimbus(async (t) => {
      const store = t.nimbus.store;
      let oneCommit = 0;
      for (let i = 0; i < 30 && oneCommit < 3; i++) {
        const url = await createQueue(t, `old-${i}`);
        const commits = store.commits;
        // Both reach the server together, so their writes usually share one group commit.
        const [deleted, sent] = await Promise.allSettled([
          t.sqs.send(new DeleteQueueCommand({ QueueUrl: url })),
          t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `secret of old-${i}` })),
        ]);
        if (store.commits - commits === 1) oneCommit++;
        assert.equal(deleted.status, 'fulfilled');
        // The send either came first (and its message went with the queue) or finds no queue.
        if (sent.status === 'rejected') assert.equal((sent.reason as Error).name, 'QueueDoesNotExist');

        const fresh = await createQueue(t, `new-${i}`);
        assert.deepEqual(await receiveUpTo10(t, fresh), [], `trial ${i}: a message of the deleted queue reached a new one`);
      }
      assert.ok(oneCommit > 0, 'no trial put the delete and the send in one commit');
      // No acknowledged send left a message behind its deleted queue either.
      const orphans = store.db.prepare('SELECT COUNT(*) AS n FROM sqs_messages WHERE queue_id NOT IN (SELECT id FROM sqs_queues)').get() as { n: number };
      assert.equal(orphans.n, 0);
    }));

  it('forgets a queue whose CreateQueue was rolled back with its whole batch', () =>
    withNimbus(async (t) => {
      await withFailingCommits(t, () => assert.rejects(t.sqs.send(new CreateQueueCommand({ QueueName: 'lost' }))));
      assert.deepEqual(await listed(t, 'lost'), []);
      await rejectsWith(t.sqs.send(new GetQueueUrlCommand({ QueueName: 'lost' })), 'QueueDoesNotExist');
      // It may be created afresh (no "deleted recently", no stale copy), and works.
      const url = await createQueue(t, 'lost');
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'kept' }));
      assert.deepEqual((await receive(t, url)).map((m) => m.Body), ['kept']);
    }));

  it('keeps FIFO sequence numbers increasing when a batch holding a send is rolled back', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'seq-rollback.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
      const send = (body: string) => t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: 'g' }));
      const first = BigInt((await send('one')).SequenceNumber!);
      await withFailingCommits(t, () => assert.rejects(send('lost')));
      const second = BigInt((await send('two')).SequenceNumber!);
      const third = BigInt((await send('three')).SequenceNumber!);
      assert.ok(first < second && second < third, `${first} < ${second} < ${third}`);
      assert.deepEqual((await receiveUpTo10(t, url)).map((m) => m.Body), ['one', 'two', 'three']);
    }));

  it('keeps a queue whose DeleteQueue was rolled back with its whole batch', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'survivor');
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'still here' }));
      await withFailingCommits(t, () => assert.rejects(t.sqs.send(new DeleteQueueCommand({ QueueUrl: url }))));
      assert.deepEqual(await listed(t, 'survivor'), [url]);
      assert.deepEqual((await receive(t, url)).map((m) => m.Body), ['still here']);
      // Deleting it for real works, and the name is then in its cooldown as after any delete.
      await t.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
      assert.deepEqual(await listed(t, 'survivor'), []);
      await rejectsWith(t.sqs.send(new CreateQueueCommand({ QueueName: 'survivor' })), 'QueueDeletedRecently');
    }));
});
