/**
 * Running a function: resolves the qualifier (alias weights included) to a version, builds the
 * sandbox spec, applies Lambda's concurrency rules and hands the invocation to the runtime
 * pool. Every caller (Invoke, asynchronous retries, event source mappings, function URLs)
 * comes through here.
 */
import { own } from '../../../lib/own.js';
import { watch, type FSWatcher } from 'node:fs';
import type { Credentials } from '../../../protocols/sigv4.js';
import { ThrottledError, type FunctionSpec, type InvocationResult } from '../../../runtime/types.js';
import type { RuntimePool } from '../../../runtime/pool.js';
import { RequestTooLargeException, ResourceConflictException, TooManyRequestsException } from '../errors.js';
import type { FunctionRecord, VersionRecord } from '../model.js';
import { functionKey } from '../model.js';
import type { CodeStore } from './code.js';
import type { Functions } from './functions.js';
import { functionArn, type FunctionRef } from './names.js';

/** Lambda's payload limits: 6 MB for a synchronous request or response. */
export const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;

export interface ResolvedFunction {
  fn: FunctionRecord;
  version: VersionRecord;
  /** `$LATEST` or the version number that runs. */
  executedVersion: string;
  /** The ARN as the caller named it (qualified when they gave a qualifier). */
  invokedArn: string;
}

export interface InvokerDeps {
  functions: Functions;
  code: CodeStore;
  pool: RuntimePool;
  endpoint(): string;
  credentials(fn: FunctionRecord): Credentials | undefined;
  random?: () => number;
}

export class Invoker {
  /** Watchers of hot-reload directories, by function key. */
  private readonly watchers = new Map<string, FSWatcher>();

  constructor(private readonly d: InvokerDeps) {}

  /** The version a call runs: an alias with a routing configuration picks by weight. */
  resolve(ref: FunctionRef): ResolvedFunction {
    const { fn, version } = this.d.functions.version(ref);
    let chosen = version;
    const alias = ref.qualifier !== undefined ? own(fn.aliases, ref.qualifier) : undefined;
    const weights = alias?.RoutingConfig?.AdditionalVersionWeights;
    if (weights) {
      const roll = (this.d.random ?? Math.random)();
      let acc = 0;
      for (const [v, w] of Object.entries(weights)) {
        acc += w;
        if (roll < acc && own(fn.versions, v)) {
          chosen = own(fn.versions, v)!;
          break;
        }
      }
    }
    return { fn, version: chosen, executedVersion: chosen.config.Version, invokedArn: functionArn(ref, ref.qualifier) };
  }

  /** Runs the function once and waits for its result (RequestResponse); throttled calls throw TooManyRequestsException. */
  async invoke(
    target: ResolvedFunction,
    payload: Buffer,
    opts: { requestId: string; traceId?: string; clientContext?: string; concurrencyLimit?: number },
  ): Promise<InvocationResult> {
    if (payload.length > MAX_SYNC_PAYLOAD) {
      throw new RequestTooLargeException(`${payload.length} byte payload is too large for the RequestResponse invocation type (limit ${MAX_SYNC_PAYLOAD} bytes)`);
    }
    await this.d.functions.waitActive(target.fn);
    const { config } = target.version;
    if (config.State === 'Failed') {
      throw new ResourceConflictException(`The operation cannot be performed at this time. The function is currently in the following state: ${config.State}`);
    }
    const reserved = target.fn.reservedConcurrency;
    if (reserved === 0) throw new TooManyRequestsException('Rate Exceeded.', 'ReservedFunctionConcurrentInvocationLimitExceeded');
    const limits = [reserved, opts.concurrencyLimit].filter((n): n is number => n !== undefined);
    const spec = await this.spec(target);
    try {
      return await this.d.pool.invoke(
        spec,
        { requestId: opts.requestId, payload, invokedFunctionArn: target.invokedArn, traceId: opts.traceId, clientContext: opts.clientContext },
        limits.length ? { concurrencyLimit: Math.min(...limits) } : {},
      );
    } catch (e) {
      if (e instanceof ThrottledError) throw new TooManyRequestsException('Rate Exceeded.', e.reason);
      throw e;
    }
  }

  /** Warm environments of the function stop (its code or configuration changed, or it was deleted). */
  retire(fn: Pick<FunctionRecord, 'accountId' | 'region' | 'name'>): void {
    const key = functionKey(fn.accountId, fn.region, fn.name);
    this.d.pool.retire(`${key}|`);
    // A hot-reload watcher is made again by the next invoke (the directory may have changed).
    this.watchers.get(key)?.close();
    this.watchers.delete(key);
  }

  close(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  private async spec(target: ResolvedFunction): Promise<FunctionSpec> {
    const { fn, version } = target;
    const c = version.config;
    const codeDir = await this.d.code.dirOf(version.code);
    if (version.code.kind === 'dir') this.watch(fn, codeDir);
    const creds = this.d.credentials(fn);
    return {
      key: `${functionKey(fn.accountId, fn.region, fn.name)}|${c.Version}|${c.RevisionId}`,
      functionName: fn.name,
      functionArn: functionArn(fn),
      version: c.Version,
      runtime: c.Runtime ?? 'provided.al2023',
      handler: c.Handler ?? '',
      codeDir,
      verifyCode: () => this.d.code.verify(version.code),
      timeoutSeconds: c.Timeout,
      memoryMb: c.MemorySize,
      ephemeralStorageMb: c.EphemeralStorage.Size,
      environment: c.Environment?.Variables ?? {},
      region: fn.region,
      accountId: fn.accountId,
      // With no key of its account configured the environment gets one that signs nothing valid:
      // never another account's.
      credentials: { accessKeyId: creds?.accessKeyId ?? 'NIMBUS-NO-KEY-FOR-ACCOUNT', secretAccessKey: creds?.secretAccessKey ?? 'none' },
      endpoint: this.d.endpoint(),
      logGroup: c.LoggingConfig.LogGroup,
    };
  }

  /** Hot reload: a change under a local code directory retires the function's warm environments. */
  private watch(fn: FunctionRecord, dir: string): void {
    const key = functionKey(fn.accountId, fn.region, fn.name);
    if (this.watchers.has(key)) return;
    try {
      const w = watch(dir, { recursive: true, persistent: false }, () => this.retire(fn));
      w.on('error', () => w.close());
      this.watchers.set(key, w);
    } catch {
      // Without recursive watching, changes show on the next code or configuration update.
    }
  }
}
