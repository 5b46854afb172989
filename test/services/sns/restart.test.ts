/**
 * Deliveries left in the outbox by an earlier run go out when Nimbus starts again: queue
 * deliveries as an earlier version queued them (today a queue gets its message in the
 * Publish's own commit, so only a data dir from before has them), signed when enveloped.
 * (A crash in the middle of a fan-out is test/store/sns-crash.test.ts.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { queue, signatureVerifies, snsClient, take } from './helpers.js';
import { startTestNimbus } from '../../helpers/nimbus.js';

describe('SNS outbox across a restart', () => {
  it('delivers queue deliveries an earlier run left pending', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-sns-outbox-'));
    try {
      const first = await startTestNimbus({ dataDir });
      const sns = snsClient(first.endpoint);
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'left' }));
      const raw = await queue(first, 'raw');
      const enveloped = await queue(first, 'enveloped');
      const { SubscriptionArn: rawSub } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: raw.arn, Attributes: { RawMessageDelivery: 'true' }, ReturnSubscriptionArn: true }));
      const { SubscriptionArn: envSub } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: enveloped.arn, ReturnSubscriptionArn: true }));
      sns.destroy();
      await first.stop();

      const db = new Database(join(dataDir, 'nimbus.db'));
      const payload = JSON.stringify({ messageId: '7f3c2a5e-0000-4000-8000-000000000001', topicArn: TopicArn, message: 'left behind', attributes: {}, timestamp: Date.now() });
      const row = db.prepare('INSERT INTO sns_messages (payload, created_at) VALUES (?, ?)').run(payload, Date.now()).lastInsertRowid;
      const insert = db.prepare('INSERT INTO sns_deliveries (message_row, subscription_arn, protocol, endpoint, raw, dlq_arn, attempts, next_at) VALUES (?, ?, ?, ?, ?, NULL, 0, 0)');
      insert.run(row, rawSub, 'sqs', raw.arn, 1);
      insert.run(row, envSub, 'sqs', enveloped.arn, 0);
      db.close();

      const second = await startTestNimbus({ dataDir });
      try {
        assert.equal((await take(second, raw.url, 1))[0]!.Body, 'left behind');
        const body = JSON.parse((await take(second, enveloped.url, 1))[0]!.Body!);
        assert.equal(body.Message, 'left behind');
        assert.ok(await signatureVerifies(body));
      } finally {
        await second.stop();
      }
      const after = new Database(join(dataDir, 'nimbus.db'), { readonly: true });
      assert.equal(after.prepare('SELECT COUNT(*) FROM sns_deliveries').pluck().get(), 0, 'the outbox is empty');
      assert.equal(after.prepare('SELECT COUNT(*) FROM sns_messages').pluck().get(), 0, 'and so is the message store');
      after.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
