/**
 * Durable fan-out under a crash: a Nimbus child process acknowledges concurrent publishes to a
 * topic with three SQS subscribers and one HTTP endpoint that never answers (so deliveries are
 * certainly pending), is killed with SIGKILL mid-stream, and restarts on the same data dir.
 * Then every acknowledged message is in every queue exactly once (queues get a message in the
 * Publish's own commit), and reaches the HTTP endpoint from the outbox, which answers now.
 */
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startChildNimbus } from '../helpers/child-nimbus.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

const startChild = (dataDir: string) => startChildNimbus(dataDir);

const clients = (endpoint: string) => ({
  sns: new SNSClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }),
  sqs: new SQSClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }),
});

/** An HTTP subscriber: confirms its subscription; hangs on notifications until `answering`. */
function endpointServer() {
  const received = new Set<string>();
  const hung: ServerResponse[] = [];
  const state = { answering: false };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(text) as { Type: string; SubscribeURL?: string; Message?: string };
      if (body.Type === 'SubscriptionConfirmation') {
        void fetch(body.SubscribeURL!).then(() => res.end());
        return;
      }
      if (!state.answering) {
        hung.push(res);
        return;
      }
      received.add(body.Message!);
      res.end();
    });
  });
  return { server, received, hung, state };
}

test('every acknowledged publish reaches every subscriber after SIGKILL, each queue exactly once', { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-sns-crash-'));
  const http = endpointServer();
  await new Promise<void>((r) => http.server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}/sns`;
  try {
    const first = await startChild(dataDir);
    let { sns, sqs } = clients(first.endpoint);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'crash' }));
    const queueUrls: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes!.QueueArn, Attributes: { RawMessageDelivery: 'true' } }));
      queueUrls.push(QueueUrl!);
    }
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: url }));
    // The endpoint confirms by its SubscribeURL; wait until Nimbus has it.
    for (let i = 0; i < 200; i++) {
      const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
      if (subs.Subscriptions!.every((x) => x.SubscriptionArn !== 'PendingConfirmation')) break;
      await new Promise((r) => setTimeout(r, 25));
    }

    const TOTAL = 3000;
    const KILL_AFTER = 1500;
    const acked = new Set<string>();
    let next = 0;
    let killed = false;
    const exited = new Promise<void>((r) => first.child.once('exit', () => r()));
    const worker = async () => {
      while (next < TOTAL && !killed) {
        const body = `m-${next++}`;
        try {
          await sns.send(new PublishCommand({ TopicArn, Message: body }));
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
    await Promise.all(Array.from({ length: 32 }, worker));
    await exited;
    sns.destroy();
    sqs.destroy();
    assert.ok(acked.size >= KILL_AFTER, `acknowledged ${acked.size}`);
    assert.ok(http.hung.length > 0, 'the HTTP endpoint held deliveries when Nimbus died');
    for (const res of http.hung) res.destroy();
    http.state.answering = true;

    const second = await startChild(dataDir);
    ({ sns, sqs } = clients(second.endpoint));
    const drained = queueUrls.map(async (queueUrl) => {
      const seen = new Map<string, number>();
      // Until every acknowledged message is in, then once more for anything left (duplicates).
      for (let last = false, deadline = Date.now() + 20_000; ; ) {
        const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300, WaitTimeSeconds: last ? 0 : 1 }));
        const msgs = r.Messages ?? [];
        if (msgs.length === 0) {
          if (last) break;
          last = Date.now() > deadline || [...acked].every((b) => seen.has(b));
          continue;
        }
        for (const m of msgs) seen.set(m.Body!, (seen.get(m.Body!) ?? 0) + 1);
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      }
      assert.deepEqual([...acked].filter((b) => !seen.has(b)), [], `no acknowledged message is lost (${queueUrl})`);
      assert.deepEqual([...seen].filter(([, n]) => n > 1), [], `no message is delivered twice (${queueUrl})`);
    });
    await Promise.all(drained);
    for (let i = 0; i < 400 && [...acked].some((b) => !http.received.has(b)); i++) await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual([...acked].filter((b) => !http.received.has(b)), [], 'the HTTP endpoint got every acknowledged message');
    sns.destroy();
    sqs.destroy();
    second.child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => second.child.once('exit', r));
    assert.equal(code, 0);
  } finally {
    http.server.closeAllConnections();
    http.server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
