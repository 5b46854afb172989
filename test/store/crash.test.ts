/**
 * Durability under a crash: a Nimbus child process acknowledges thousands of concurrent
 * sends, is killed with SIGKILL mid-stream, restarts on the same data dir, and every
 * acknowledged message is there exactly once.
 */
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startChildNimbus } from '../helpers/child-nimbus.js';


const startChild = (dataDir: string) => startChildNimbus(dataDir);

function client(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

test('every acknowledged send survives SIGKILL, exactly once', { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-crash-'));
  try {
    const first = await startChild(dataDir);
    let sqs = client(first.endpoint);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'crash' }));
    const queueUrl = QueueUrl!;

    const TOTAL = 4000;
    const KILL_AFTER = 2500;
    const acked = new Set<string>();
    let next = 0;
    let killed = false;
    const exited = new Promise<void>((r) => first.child.once('exit', () => r()));
    const worker = async () => {
      while (next < TOTAL && !killed) {
        const body = `m-${next++}`;
        try {
          await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
          acked.add(body);
          if (acked.size >= KILL_AFTER && !killed) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        } catch {
          // In flight when the process died: may or may not have been stored.
        }
      }
    };
    await Promise.all(Array.from({ length: 48 }, worker));
    await exited;
    sqs.destroy();
    assert.ok(acked.size >= KILL_AFTER, `acknowledged ${acked.size}`);

    const second = await startChild(dataDir);
    sqs = client(second.endpoint);
    const seen = new Map<string, number>();
    for (let empty = 0; empty < 2; ) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }));
      const msgs = r.Messages ?? [];
      if (msgs.length === 0) {
        empty++;
        continue;
      }
      for (const m of msgs) seen.set(m.Body!, (seen.get(m.Body!) ?? 0) + 1);
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
    const missing = [...acked].filter((b) => !seen.has(b));
    assert.deepEqual(missing, [], 'no acknowledged message is lost');
    const duplicated = [...seen].filter(([, n]) => n > 1);
    assert.deepEqual(duplicated, [], 'no message is delivered twice');
    sqs.destroy();
    second.child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => second.child.once('exit', r));
    assert.equal(code, 0);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
