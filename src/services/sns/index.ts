/**
 * The SNS plugin: standard and FIFO topics over the query protocol, subscriptions of SQS
 * queues and Lambda functions, filter policies, and a durable fan-out: a Publish commits the
 * message with its pending deliveries, which a drainer delivers in-process after the commit
 * (and after a restart).
 */
import type { Violation } from '../../protocols/shapes.js';
import type { ServiceEnv, ServicePlugin } from '../service.js';
import { SnsEngine } from './engine/index.js';
import { invalidParameter, ValidationError } from './errors.js';
import { publishOperations } from './operations/publish.js';
import { subscriptionOperations } from './operations/subscriptions.js';
import { topicOperations } from './operations/topics.js';
import { SNS_MIGRATIONS, SqliteSnsRepo } from './repo.sqlite.js';

/** Shape violations as SNS reports them: a missing member, or a value of the wrong type. */
function validationError(violations: Violation[]) {
  const v = violations[0]!;
  if (v.kind === 'missing') {
    const member = v.member.charAt(0).toLowerCase() + v.member.slice(1);
    return new ValidationError(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  }
  return invalidParameter(v.member);
}

export function createSnsService(env: ServiceEnv): ServicePlugin {
  env.store.migrate('sns', SNS_MIGRATIONS);
  const engine = new SnsEngine(new SqliteSnsRepo(env.store.db), env);
  return {
    name: 'sns',
    signingName: 'sns',
    query: { xmlNamespace: 'http://sns.amazonaws.com/doc/2010-03-31/' },
    operations: {
      ...topicOperations(engine),
      ...subscriptionOperations(engine),
      ...publishOperations(engine),
    },
    validationError,
    start: () => engine.start(),
    stop: () => engine.stop(),
  };
}
