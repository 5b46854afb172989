/**
 * The CloudWatch Logs plugin (awsJson1_1, X-Amz-Target `Logs_20140328`, signing name `logs`):
 * log groups and streams, events in and out (GetLogEvents, FilterLogEvents with filter
 * patterns), retention and tags. It also offers other services the in-process `logs.append`
 * call, which the Lambda runtime uses for every function's stdout and stderr.
 */
import type { Violation } from '../../protocols/shapes.js';
import type { Store } from '../../store/store.js';
import { fromViolations, validationMessage } from '../../protocols/validate.js';
import type { ServiceEnv, ServicePlugin } from '../service.js';
import { LogsEngine } from './engine/index.js';
import { InvalidParameterException } from './errors.js';
import { eventOperations } from './operations/events.js';
import { groupOperations } from './operations/groups.js';
import { streamOperations } from './operations/streams.js';
import { tagOperations } from './operations/tags.js';
import { sqliteLogsRepo } from './repo.sqlite.js';

/** Missing members and broken constraints as CloudWatch Logs reports them: "1 validation error detected: Value null at 'logGroupName' ...". */
function validationError(violations: Violation[]) {
  return new InvalidParameterException(validationMessage(fromViolations(violations)));
}

export async function createLogsService(env: ServiceEnv): Promise<ServicePlugin> {
  const store: Store = env.store;
  const repo = await store.repo({ sqlite: sqliteLogsRepo });
  const engine = new LogsEngine(repo, { store, clock: env.clock, log: env.log });
  await store.caches.register('logs.registry', () => engine.registry.load());
  engine.start();
  env.internal.register('logs.append', (args) => engine.appender.append(args));
  return {
    name: 'logs',
    signingName: 'logs',
    json: { targetPrefix: 'Logs_20140328', namespace: 'com.amazonaws.cloudwatchlogs', version: '1.1' },
    operations: {
      ...groupOperations(engine),
      ...streamOperations(engine),
      ...eventOperations(engine),
      ...tagOperations(engine),
    },
    validationError,
    stop: () => engine.stop(),
    health: () => ({ logGroups: [...engine.registry.all()].length }),
  };
}
