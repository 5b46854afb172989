/**
 * Durable fan-out: deliveries committed with a Publish survive a stop in the middle of
 * draining them, and go out when Nimbus starts again on the same data directory.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CreateTopicCommand, PublishBatchCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { startTestNimbus } from '../../helpers/nimbus.js';
import { queue, snsClient, take } from './helpers.js';

describe('SNS deliveries across a restart', () => {
  it('lose nothing when Nimbus stops in the middle of a fan-out', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-sns-restart-'));
    try {
      const first = await startTestNimbus({ dataDir });
      const sns = snsClient(first.endpoint);
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'durable' }));
      const queues = [];
      for (const name of ['a', 'b', 'c']) {
        const q = await queue(first, name);
        queues.push(q);
        await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'true' } }));
      }
      for (let batch = 0; batch < 10; batch++) {
        const PublishBatchRequestEntries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, Message: `m${batch * 10 + i}` }));
        const out = await sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries }));
        assert.equal(out.Successful!.length, 10);
      }
      sns.destroy();
      await first.stop();

      // What the store kept for the next run: the deliveries not yet made.
      const db = new Database(join(dataDir, 'nimbus.db'), { readonly: true });
      const pending = (db.prepare('SELECT COUNT(*) FROM sns_deliveries').pluck().get() as number);
      db.close();
      assert.ok(pending > 0, 'the stop came in the middle of the fan-out');

      const second = await startTestNimbus({ dataDir });
      try {
        const expected = Array.from({ length: 100 }, (_, i) => `m${i}`).sort();
        let total = 0;
        for (const q of queues) {
          // Deliveries made before the stop are still in the queue; the rest arrive now.
          const got = await take(second, q.url, 100);
          assert.deepEqual(got.map((m) => m.Body!).sort(), expected, `queue ${q.arn}`);
          total += got.length;
        }
        assert.equal(total, 300);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
