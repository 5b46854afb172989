/**
 * Helpers shared by the SNS tests: a Nimbus with an SNS client, queues named by ARN, and a
 * receive that waits (in real time, briefly) for the deliveries the drainer sends after a
 * Publish is acknowledged.
 */
import assert from 'node:assert/strict';
import { createVerify, X509Certificate } from 'node:crypto';
import { SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { ACCOUNT, startTestNimbus, TEST_CREDENTIALS, type TestNimbus, type TestNimbusOptions } from '../../helpers/nimbus.js';
import { createQueue } from '../../helpers/sqs.js';

export { rejectsWith } from '../../helpers/sqs.js';

export function snsClient(endpoint: string): SNSClient {
  return new SNSClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
}

/** Runs fn against a fresh Nimbus and an SNS client, and always stops both. */
export async function withSns(fn: (sns: SNSClient, t: TestNimbus) => Promise<void>, opts?: TestNimbusOptions): Promise<void> {
  const t = await startTestNimbus(opts);
  const sns = snsClient(t.endpoint);
  try {
    await fn(sns, t);
  } finally {
    sns.destroy();
    await t.stop();
  }
}

export const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
export const topicArn = (name: string) => `arn:aws:sns:us-east-1:${ACCOUNT}:${name}`;

/** Creates a queue; answers its URL and ARN. */
export async function queue(t: TestNimbus, name: string, attributes?: Record<string, string>): Promise<{ url: string; arn: string }> {
  return { url: await createQueue(t, name, attributes), arn: queueArn(name) };
}

/**
 * Receives (and deletes) messages until `count` have arrived, waiting up to ~5 s of real
 * time; then checks that no more arrive for a moment when `exact` is set.
 */
export async function take(t: TestNimbus, url: string, count: number, exact = true): Promise<Message[]> {
  const out: Message[] = [];
  for (let i = 0; i < 250 && out.length < count; i++) {
    const r = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }));
    const got = r.Messages ?? [];
    if (got.length) {
      out.push(...got);
      await t.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: got.map((m, k) => ({ Id: String(k), ReceiptHandle: m.ReceiptHandle })) }));
    } else await new Promise((res) => setTimeout(res, 20));
  }
  assert.equal(out.length >= count, true, `expected ${count} messages on ${url}, got ${out.length}`);
  if (exact) await nothingMore(t, url);
  return out;
}

/** Asserts that the queue stays empty for a short while (deliveries are asynchronous). */
export async function nothingMore(t: TestNimbus, url: string, ms = 150): Promise<void> {
  await new Promise((res) => setTimeout(res, ms));
  const r = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
  assert.equal(r.Messages?.length ?? 0, 0, `unexpected messages: ${JSON.stringify(r.Messages?.map((m) => m.Body))}`);
}

/**
 * Verifies an SNS message's signature as a receiver would, following AWS's documented steps
 * (written out here, not taken from Nimbus): the certificate from SigningCertURL, the canonical
 * string of the signed fields, RSA with SHA1 (SignatureVersion 1) or SHA256 (2).
 */
export async function signatureVerifies(body: Record<string, string | undefined>): Promise<boolean> {
  const res = await fetch(body.SigningCertURL ?? body.SigningCertUrl!);
  assert.equal(res.status, 200);
  const pem = await res.text();
  const cert = new X509Certificate(pem);
  assert.ok(cert.verify(cert.publicKey), 'a self-signed certificate');
  const fields = body.Type === 'Notification' ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  let canonical = '';
  for (const k of fields) if (body[k] !== undefined && body[k] !== null) canonical += `${k}\n${body[k]}\n`;
  const algorithm = body.SignatureVersion === '2' ? 'RSA-SHA256' : 'RSA-SHA1';
  return createVerify(algorithm).update(canonical, 'utf8').verify(pem, body.Signature!, 'base64');
}
