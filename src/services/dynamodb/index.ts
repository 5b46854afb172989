/**
 * The DynamoDB plugins: the DynamoDB API (DynamoDB_20120810) and the DynamoDB Streams API
 * (DynamoDBStreams_20120810). Both sign as `dynamodb` and share one engine.
 */
import { AwsError } from '../../protocols/errors.js';
import { decodeJsonInput, encodeJsonOutput } from '../../protocols/json.js';
import type { Violation } from '../../protocols/shapes.js';
import { fromViolations, validationMessage } from '../../protocols/validate.js';
import type { ServiceEnv, ServiceFactory, ServicePlugin } from '../service.js';
import { ExportJobs } from './engine/export-jobs.js';
import { ImportJobs } from './engine/import-jobs.js';
import { DynamoEngine } from './engine/index.js';
import { streamPositions, streamRecordsAfter } from './engine/stream-ops.js';
import { ValidationException } from './errors.js';
import { backupOperations } from './operations/backups.js';
import { exportOperations } from './operations/exports.js';
import { itemOperations } from './operations/items.js';
import { partiqlOperations } from './operations/partiql.js';
import { streamOperations } from './operations/streams.js';
import { tableOperations } from './operations/tables.js';
import { sqliteDynamoRepo } from './repo.sqlite.js';

/** DynamoDB's aggregate: "2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: ...; ...", at most 10. */
export function validationError(violations: Violation[]) {
  return new ValidationException(validationMessage(fromViolations(violations), { max: 10 }));
}

export interface DynamoDbOptions {
  /** How often expired items are looked for (default 1 s). */
  ttlIntervalMs?: number;
  /** Items per write when a whole table is rewritten (GSI backfill, TTL change); default 128. */
  rewriteChunk?: number;
  /** How long a new table stays CREATING, on the clock (--table-status-delay); default 0, ACTIVE at once. */
  tableStatusMs?: number;
}

export function dynamoDbService(opts: DynamoDbOptions = {}): ServiceFactory {
  return async (env) => {
    const engine = new DynamoEngine({
      repo: await env.store.repo({ sqlite: sqliteDynamoRepo }),
      store: env.store,
      clock: env.clock,
      ids: env.ids,
      bus: env.bus,
      log: env.log,
      ttlIntervalMs: opts.ttlIntervalMs,
      rewriteChunk: opts.rewriteChunk,
      tableStatusMs: opts.tableStatusMs,
    });
    await env.store.caches.register('dynamodb.tables', () => engine.tables.reload());
    engine.start();
    const exports = new ExportJobs(engine, env.internal);
    const imports = new ImportJobs(engine, env.internal);
    registerStreamReads(engine, env);
    const dynamodb: ServicePlugin = {
      name: 'dynamodb',
      signingName: 'dynamodb',
      json: { targetPrefix: 'DynamoDB_20120810', namespace: 'com.amazonaws.dynamodb.v20120810', version: '1.0', coral: true },
      operations: { ...tableOperations(engine), ...itemOperations(engine), ...partiqlOperations(engine), ...backupOperations(engine), ...exportOperations(engine, exports, imports) },
      validationError,
      // Once every service is up (they read and write S3): exports and imports a restart interrupted run again.
      start: () => {
        void exports.resume().catch((e) => env.log.error('resuming exports failed', { error: String(e) }));
        void imports.resume().catch((e) => env.log.error('resuming imports failed', { error: String(e) }));
      },
      stop: async () => {
        await exports.stop();
        await imports.stop();
        await engine.stop();
      },
      health: () => ({ tables: [...engine.tables.all()].length }),
    };
    const streams: ServicePlugin = {
      name: 'dynamodbstreams',
      signingName: 'dynamodb',
      json: { targetPrefix: 'DynamoDBStreams_20120810', namespace: 'com.amazonaws.dynamodb.v20120810', version: '1.0', coral: true },
      operations: streamOperations(engine),
      validationError,
    };
    registerCall(dynamodb, env);
    return [dynamodb, streams];
  };
}


/** `dynamodb.call`: an operation decoded and validated as the JSON wire's would be, for the account named (its own tables only). */
function registerCall(plugin: ServicePlugin, env: ServiceEnv): void {
  env.internal.register('dynamodb.call', async ({ operation, body, accountId, region, requestId }) => {
    const op = Object.hasOwn(plugin.operations, operation) ? plugin.operations[operation] : undefined;
    if (!op) return { error: { code: 'UnknownOperationException', message: `Unknown operation ${operation}`, status: 400 } };
    try {
      const { value, violations } = decodeJsonInput(op.input, body);
      if (violations.length) throw validationError(violations);
      const out = await op.handler(value, { requestId, operation, accountId, region, accessKeyId: '', endpoint: '', path: '/' });
      return { ok: encodeJsonOutput(out ?? {}) };
    } catch (e) {
      if (e instanceof AwsError) return { error: { code: e.code, message: e.message, status: e.status } };
      throw e;
    }
  });
}

/**
 * What Lambda's event source mappings call in-process: a stream's shard and positions, and
 * its records after a sequence number (the stream log's own rows, as GetRecords gives them).
 */
function registerStreamReads(engine: DynamoEngine, env: ServiceEnv): void {
  env.internal.register('dynamodb.streamInfo', ({ streamArn }) => streamPositions(engine, streamArn));
  env.internal.register('dynamodb.readStream', ({ streamArn, after, limit }) => streamRecordsAfter(engine, streamArn, after, limit));
}
