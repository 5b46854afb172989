/**
 * The SQS plugin: standard and FIFO queues over the JSON protocol (AWS SDK v3) and the query
 * protocol (older SDKs, AWS CLI v2 from Debian), one engine behind both.
 */
import type { Violation } from '../../protocols/shapes.js';
import type { ServiceFactory, ServicePlugin } from '../service.js';
import { SqsEngine } from './engine/index.js';
import { prepareSend } from './engine/prepare-send.js';
import { InvalidParameterValue, MissingParameter, QueueDoesNotExist } from './errors.js';
import { batchOperations } from './operations/batches.js';
import { messageOperations } from './operations/messages.js';
import { moveTaskOperations } from './operations/move-tasks.js';
import { queueOperations } from './operations/queues.js';
import { tagAndPermissionOperations } from './operations/tags-permissions.js';
import { SQS_MIGRATIONS, SqliteSqsRepo } from './repo.sqlite.js';

/**
 * Shape violations as SQS reports them: the first missing or malformed parameter. (Wrong JSON
 * types never get here: the JSON codec answers them with a SerializationException, as AWS does.)
 */
function validationError(violations: Violation[]) {
  const v = violations[0]!;
  if (v.kind === 'missing') return new MissingParameter(`The request must contain the parameter ${v.member}.`);
  return new InvalidParameterValue(`Value ${String(v.value)} for parameter ${v.member} is invalid. Reason: Must be of type ${v.expected}.`);
}

export const createSqsService: ServiceFactory = (env) => {
  env.store.migrate('sqs', SQS_MIGRATIONS);
  const engine = new SqsEngine(new SqliteSqsRepo(env.store.db, env.store), env);
  engine.start();
  // Other services (S3 event notifications, later SNS) enqueue through these, as their
  // service principal, without HTTP.
  env.internal.register('sqs.queueExists', ({ queueArn }) => engine.queues.byArn(queueArn) !== undefined);
  env.internal.register('sqs.sendMessage', async ({ queueArn, body, from }) => {
    const q = engine.queues.byArn(queueArn);
    if (!q) throw new QueueDoesNotExist('The specified queue does not exist.');
    const [result] = await engine.messages.send(q, [prepareSend(q, { MessageBody: body })], from);
    return { messageId: result!.MessageId };
  });
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
