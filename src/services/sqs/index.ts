/**
 * The SQS plugin: standard and FIFO queues over the JSON protocol (AWS SDK v3) and the query
 * protocol (older SDKs, AWS CLI v2 from Debian), one engine behind both.
 */
import type { Violation } from '../../protocols/shapes.js';
import type { InternalCalls, ReceivedSqsMessage, ServiceSendResult } from '../../lib/internal.js';
import type { ServiceEnv, ServiceFactory, ServicePlugin } from '../service.js';
import { SqsEngine, type PresentedMessage } from './engine/index.js';
import { prepareSend, type PreparedSend } from './engine/prepare-send.js';
import { AccessDenied, InvalidParameterValue, MissingParameter, QueueDoesNotExist } from './errors.js';
import { batchOperations } from './operations/batches.js';
import { messageOperations } from './operations/messages.js';
import { moveTaskOperations } from './operations/move-tasks.js';
import { queueOperations } from './operations/queues.js';
import { tagAndPermissionOperations } from './operations/tags-permissions.js';
import { sqliteSqsRepo } from './repo.sqlite.js';

/**
 * Shape violations as SQS reports them: the first missing or malformed parameter. (Wrong JSON
 * types never get here: the JSON codec answers them with a SerializationException, as AWS does.)
 */
function validationError(violations: Violation[]) {
  const v = violations[0]!;
  if (v.kind === 'missing') return new MissingParameter(`The request must contain the parameter ${v.member}.`);
  const reason = v.kind === 'type' ? `Must be of type ${v.expected}` : v.rule;
  return new InvalidParameterValue(`Value ${String(v.value)} for parameter ${v.member} is invalid. Reason: ${reason}.`);
}

export const createSqsService: ServiceFactory = async (env) => {
  const engine = new SqsEngine(await env.store.repo({ sqlite: sqliteSqsRepo }), env);
  await env.store.caches.register('sqs.queues', () => engine.queues.reload());
  await engine.start();
  // Other services (S3 event notifications, SNS) enqueue through these, as their
  // service principal, without HTTP.
  env.internal.register('sqs.queueExists', ({ queueArn }) => engine.queues.byArn(queueArn) !== undefined);
  env.internal.register('sqs.checkSender', ({ queueArn, from, sourceArn, sourceAccount }) => {
    const q = engine.queues.byArn(queueArn);
    if (!q) return 'missing';
    return engine.queues.allowsService(q, from, sourceArn, sourceAccount) ? 'ok' : 'denied';
  });
  env.internal.register('sqs.sendMessage', async ({ queueArn, body, from, messageAttributes, groupId, dedupId }) => {
    const q = engine.queues.byArn(queueArn);
    if (!q) throw new QueueDoesNotExist('The specified queue does not exist.');
    const input = { MessageBody: body, MessageAttributes: messageAttributes, MessageGroupId: groupId, MessageDeduplicationId: dedupId };
    const [result] = await engine.messages.send(q, [prepareSend(q, input)], from);
    return { messageId: result!.MessageId };
  });
  const enqueueInWrite: InternalCalls['sqs.enqueueInWrite'] = async (tx, { queueArn, from, sourceArn, sourceAccount, messages }) => {
    const q = engine.queues.byArn(queueArn);
    if (!q) throw new QueueDoesNotExist('The specified queue does not exist.');
    if (!engine.queues.allowsService(q, from, sourceArn, sourceAccount)) throw new AccessDenied(`Access to the resource ${q.arn} is denied.`);
    const results: ServiceSendResult[] = [];
    const prepared: PreparedSend[] = [];
    const slots: number[] = [];
    for (const m of messages) {
      try {
        prepared.push(prepareSend(q, { MessageBody: m.body, MessageAttributes: m.messageAttributes, MessageGroupId: m.groupId, MessageDeduplicationId: m.dedupId }));
        slots.push(results.length);
        results.push({ messageId: '' });
      } catch (e) {
        results.push({ error: e as Error });
      }
    }
    if (prepared.length) (await engine.messages.enqueueWithin(tx, q, prepared, from)).forEach((r, i) => (results[slots[i]!] = { messageId: r.MessageId }));
    return results;
  };
  env.internal.register('sqs.enqueueInWrite', enqueueInWrite);
  env.internal.register('sqs.sendMessages', (args) => env.store.write((tx) => enqueueInWrite(tx, args)));
  registerConsumerCalls(engine, env);
  const plugin: ServicePlugin = {
    name: 'sqs',
    signingName: 'sqs',
    json: { targetPrefix: 'AmazonSQS', namespace: 'com.amazonaws.sqs', version: '1.0', queryCompatible: true },
    query: { xmlNamespace: 'http://queue.amazonaws.com/doc/2012-11-05/' },
    operations: {
      ...queueOperations(engine),
      ...messageOperations(engine),
      ...batchOperations(engine),
      ...tagAndPermissionOperations(engine),
      ...moveTaskOperations(engine),
    },
    validationError,
    queryDefaults(params, path) {
      // Query clients may address the queue by posting to its URL instead of a QueueUrl.
      if (!params.has('QueueUrl') && /^\/\d{12}\/[^/]+\/?$/.test(path)) params.set('QueueUrl', path);
    },
    stop: () => engine.stop(),
    health: () => ({ queues: [...engine.queues.all()].length }),
  };
  return plugin;
};

/**
 * What Lambda's event source mappings call in-process: a long-polling receive (the engine's
 * own wake-ups, plus an abort for a mapping that stops) and a batch delete.
 */
function registerConsumerCalls(engine: SqsEngine, env: ServiceEnv): void {
  const queueOf = (arn: string) => {
    const q = engine.queues.byArn(arn);
    if (!q) throw new QueueDoesNotExist('The specified queue does not exist.');
    return q;
  };
  env.internal.register('sqs.receiveMessages', async ({ queueArn, max, waitMs, signal }) => {
    const q = queueOf(queueArn);
    if (engine.polls.isClosed) {
      // Shutting down: the poll ends empty at its deadline or abort, as a long poll would, so a
      // consumer that polls again does not spin.
      await new Promise<void>((resolve) => {
        const timer = env.clock.at(env.clock.now() + waitMs, resolve);
        signal?.addEventListener('abort', () => (timer.cancel(), resolve()), { once: true });
      });
      return [];
    }
    const received = await engine.messages.receive(q, { max, visibilityTimeout: q.visibilityTimeout, waitSeconds: waitMs / 1000, signal });
    return received.map((r) => consumed(engine.present(q, r, ['All'], ['All'])));
  });
  env.internal.register('sqs.deleteMessages', async ({ queueArn, receiptHandles }) => {
    const q = queueOf(queueArn);
    const entries = receiptHandles.flatMap((raw) => {
      try {
        return [{ handle: engine.messages.receipt(q, raw), raw }];
      } catch {
        return [];
      }
    });
    if (entries.length) await engine.messages.delete(q, entries);
  });
  env.internal.register('sqs.purgeQueue', async ({ queueArn }) => engine.messages.purge(queueOf(queueArn)));
}

/** A received message with every attribute, as in-process consumers get it. */
function consumed(m: PresentedMessage): ReceivedSqsMessage {
  return {
    messageId: m.MessageId,
    receiptHandle: m.ReceiptHandle,
    body: m.Body,
    md5OfBody: m.MD5OfBody,
    attributes: m.Attributes ?? {},
    ...(m.MessageAttributes ? { messageAttributes: m.MessageAttributes, md5OfMessageAttributes: m.MD5OfMessageAttributes } : {}),
  };
}
