/**
 * The functions service (Lambda API, restJson1, signing name `lambda`). Function documents
 * live in the store, code zips in the service's own blob store (so no other service's sweep
 * can take them), unpacked code under `<dataDir>/lambda/code`, and the sandboxes in the
 * runtime pool. Environment output goes to CloudWatch Logs through `logs.append`.
 */
import { join } from 'node:path';
import { RuntimePool } from '../../runtime/pool.js';
import { prepareCodeRoot } from '../../runtime/sdk-link.js';
import { BlobStore } from '../../store/blobs.js';
import type { Store } from '../../store/store.js';
import type { ServiceEnv, ServicePlugin } from '../service.js';
import { AsyncInvocations } from './engine/async-invokes.js';
import { CodeStore } from './engine/code.js';
import { Functions } from './engine/functions.js';
import { Invoker } from './engine/invoker.js';
import { EventSourceMappings } from './engine/mappings.js';
import { parseFunctionArn } from './engine/names.js';
import { CODE_LINK_PREFIX, CodeLinks } from './engine/code-links.js';
import type { ApiResponse } from '../../server/api.js';
import { Registry } from './engine/registry.js';
import { serviceInvoke } from './engine/service-invoke.js';
import { Settings } from './engine/settings.js';
import { Versions } from './engine/versions.js';
import { functionNotFound, InvalidRequestContentException, lambdaValidationError } from './errors.js';
import { functionOperations } from './operations/functions.js';
import { invokeOperations } from './operations/invoke.js';
import { mappingOperations } from './operations/mappings.js';
import { settingsOperations } from './operations/settings.js';
import { urlOperations } from './operations/urls.js';
import { FunctionUrls } from './engine/urls.js';
import { FunctionUrlEndpoint } from './url-endpoint.js';
import { sqliteLambdaRepo } from './repo.sqlite.js';

export interface LambdaOptions {
  /** Machine-wide cap on execution environments. */
  maxEnvironments?: number;
  /** Idle environments stop after this long (ms, real time). */
  idleMs?: number;
  /** Directories under which code may be run in place (hot reload). */
  hotReloadRoots?: string[];
  /** Function sandbox mode (runtime/sandbox.ts); 'auto' by default. */
  sandbox?: 'auto' | 'off' | 'required';
}

export function lambdaService(opts: LambdaOptions = {}) {
  return async (env: ServiceEnv): Promise<ServicePlugin> => {
    const store: Store = env.store;
    const repo = await store.repo({ sqlite: sqliteLambdaRepo });
    const root = join(env.dataDir, 'lambda');
    const blobs = new BlobStore({ memory: env.memory, dir: join(root, 'blobs'), log: env.log });
    const codeRoot = join(root, 'code');
    prepareCodeRoot(codeRoot);
    const code = new CodeStore(blobs, codeRoot, opts.hotReloadRoots ?? [], env.log);
    const registry = new Registry(repo, store);
    await store.caches.register('lambda.functions', () => registry.reload());
    // Zips no function refers to (a crash between storing one and committing its function).
    await blobs.sweep((id) => [...registry.all()].some((f) => [f.latest, ...Object.values(f.versions)].some((v) => v.code.kind === 'zip' && v.code.blobId === id)), 0);

    const pool = new RuntimePool({
      logSink: (args) => void env.internal.get('logs.append')?.(args).catch((e) => env.log.warn('function logs lost', { error: String(e) })),
      now: () => env.clock.now(),
      workDir: join(root, 'environments'),
      log: env.log,
      ...(opts.maxEnvironments !== undefined ? { maxEnvironments: opts.maxEnvironments } : {}),
      ...(opts.idleMs !== undefined ? { idleMs: opts.idleMs } : {}),
      ...(opts.sandbox !== undefined ? { sandbox: opts.sandbox } : {}),
    });
    let invoker: Invoker | undefined;
    const functions = new Functions({
      registry,
      code,
      clock: env.clock,
      ids: env.ids,
      log: env.log,
      readS3: (args) => env.internal.get('s3.readObject')?.(args) ?? Promise.resolve(undefined),
      changed: (fn) => invoker?.retire(fn),
    });
    invoker = new Invoker({
      functions,
      code,
      pool,
      endpoint: env.endpoint,
      // The creator's key while it is configured, else another of the function's account.
      credentials: (fn) => {
        const own = fn.creatorKeyId ? env.credentials?.(fn.creatorKeyId) : undefined;
        return own?.accountId === fn.accountId ? own : env.accountCredentials?.(fn.accountId);
      },
    });
    const versions = new Versions(registry, functions, env.ids);
    const settings = new Settings(registry, env.clock);
    const urls = new FunctionUrls(registry, env.clock, env.ids, () => new URL(env.endpoint()).port);
    const urlEndpoint = new FunctionUrlEndpoint(urls, invoker, env.clock);
    const asyncInvokes = new AsyncInvocations({
      repo,
      store,
      clock: env.clock,
      ids: env.ids,
      log: env.log,
      internal: env.internal,
      invoker,
      resolve: (ref) => (registry.find(ref) ? invoker!.resolve(ref) : undefined),
    });
    // What other services call: S3 notifications (and later SNS) invoke asynchronously.
    const targetOf = (functionArn: string) => {
      const ref = parseFunctionArn(functionArn);
      if (!ref || !registry.find(ref)) return undefined;
      try {
        return { ref, target: invoker!.resolve(ref) };
      } catch {
        return undefined;
      }
    };
    env.internal.register('lambda.functionExists', ({ functionArn, accountId }) => targetOf(functionArn)?.ref.accountId === accountId);
    env.internal.register('lambda.invoke', serviceInvoke(registry, invoker));
    env.internal.register('lambda.invokeAsync', async ({ functionArn, payload }) => {
      const found = targetOf(functionArn);
      if (!found) throw functionNotFound(functionArn);
      await asyncInvokes.enqueue(found.target, found.ref.qualifier, Buffer.from(payload), env.ids.uuid());
    });
    // Functions left Pending by a restart are activated again.
    for (const fn of registry.all()) if (fn.latest.config.State === 'Pending' || fn.latest.config.LastUpdateStatus === 'InProgress') functions.activate(fn);
    const mappings = new EventSourceMappings({ repo, store, clock: env.clock, ids: env.ids, log: env.log, internal: env.internal, bus: env.bus, registry, functions, invoker });
    await store.caches.register('lambda.mappings', () => mappings.reload());

    const codeLinks = new CodeLinks(env.clock);
    /** Serves a GetFunction code link: the version's zip, or 403 as S3 answers a bad presigned URL. */
    const downloadCode = async (path: string): Promise<ApiResponse> => {
      const target = codeLinks.open(path);
      const fn = target && registry.find(target);
      const version = fn && (target.version === '$LATEST' ? fn.latest : fn.versions[target.version]);
      const zip = version && (await code.zipOf(version.code));
      if (!zip) return { status: 403, headers: { 'content-type': 'application/xml' }, body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired or the link is not valid</Message></Error>' };
      return { status: 200, headers: { 'content-type': 'application/zip', 'content-length': String(zip.length) }, body: zip };
    };
    return {
      name: 'lambda',
      signingName: 'lambda',
      restJson: {
        malformedBody: () => new InvalidRequestContentException('Could not parse request body into json: Could not parse payload into json: Unexpected character'),
      },
      operations: {
        ...functionOperations({
          registry,
          functions,
          versions,
          codeLocation: (fn, version, ctx) =>
            version.code.kind === 'zip' ? `${ctx.endpoint}${codeLinks.path({ accountId: fn.accountId, region: fn.region, name: fn.name, version: version.config.Version })}` : undefined,
        }),
        ...invokeOperations(invoker, asyncInvokes),
        ...mappingOperations(mappings),
        ...settingsOperations(settings, registry),
        ...urlOperations(urls),
      },
      hosts: [...urlEndpoint.hosts, { pathStyle: CODE_LINK_PREFIX, http: (req) => downloadCode(req.path) }],
      validationError: (violations) => lambdaValidationError(violations),
      start() {
        // Once Nimbus listens (functions call back into it): queued events resume, and the
        // pollers and stream readers of enabled mappings start.
        asyncInvokes.kick();
        mappings.start();
      },
      async stop() {
        // Runners stop taking batches; those in hand end when the pool closes below.
        const mappingsStopped = mappings.stop();
        asyncInvokes.stop();
        invoker!.close();
        await pool.close();
        await mappingsStopped;
        await blobs.close();
      },
      health: () => ({ environments: pool.stats() }),
    };
  };
}
