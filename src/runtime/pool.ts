/**
 * The pool of execution environments on this machine, shared by every function.
 *
 * invoke(): an idle warm environment of the same spec.key is reused (the most recently used
 * one, so the rest age out); otherwise a new one starts, if the machine-wide cap allows. At the
 * cap, the least recently used idle environment of another key is stopped to make room.
 * Nothing ever queues: an invocation that cannot get an environment now is refused with
 * ThrottledError, ReservedFunctionConcurrentInvocationLimitExceeded when the function's own
 * limit is the reason (opts.concurrencyLimit: busy environments of the function, counted by
 * spec.functionArn unless opts.concurrencyGroup says otherwise), ConcurrentInvocationLimitExceeded
 * when the machine's is.
 *
 * Environments idle for idleMs are stopped (real time, unref'd timers). retire(prefix) stops
 * idle environments whose key starts with prefix at once and busy ones when they finish:
 * the functions service calls it when code or configuration changes or a function is deleted.
 * An environment that dies (timeout, crash, OOM, init failure) is dropped, so the next
 * invocation starts fresh; one that died between invocations, before the next was delivered,
 * is replaced transparently (the invocation never ran).
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from '../lib/log.js';
import { Environment, EnvironmentLostError, type EnvironmentContext } from './environment.js';
import { runtimeFamily } from './launch.js';
import { detectSandbox, type Sandbox, type SandboxMode } from './sandbox.js';
import { SpareProcesses } from './spares.js';
import { ThrottledError, type FunctionSpec, type InvocationRequest, type InvocationResult, type InvokeOptions, type LogSink } from './types.js';

export const DEFAULT_MAX_ENVIRONMENTS = 64;
export const DEFAULT_IDLE_MS = 10 * 60 * 1000;
export const DEFAULT_SPARES = 2;

export interface RuntimePoolOptions {
  logSink: LogSink;
  /** Injected clock, for log timestamps and stream names. */
  now: () => number;
  /** Machine-wide cap on environments (busy, starting and idle). */
  maxEnvironments?: number;
  /** Environments idle this long are stopped (real time). */
  idleMs?: number;
  /** Where per-environment directories (private TMPDIR) go; created if missing. */
  workDir: string;
  log: Logger;
  /**
   * Spare Node processes kept started, one per recently used memory size, so Node cold
   * starts skip Node's own start (spares.ts). Default 2; 0 disables. Not used sandboxed (a
   * spare would have to be started before its function's code and uid are known).
   */
  spares?: number;
  /** Nimbus's CA certificate, which spare processes must trust from their start (NODE_EXTRA_CA_CERTS). */
  caFile?: () => string | undefined;
  /**
   * Run environments in the function sandbox (sandbox.ts): 'auto' (default) where this machine
   * allows it, saying so at start; 'off'; 'required' fails to start without it.
   */
  sandbox?: SandboxMode;
}

/** Options of one invocation beyond the contract's InvokeOptions. */
export interface PoolInvokeOptions extends InvokeOptions {
  /**
   * What concurrencyLimit counts: busy environments whose invocations named the same group.
   * Defaults to spec.functionArn (all versions of the function: reserved concurrency); an event
   * source mapping's maximum concurrency would pass its own UUID.
   */
  concurrencyGroup?: string;
}

export interface PoolStats {
  /** Environments alive (starting, busy or idle). */
  environments: number;
  busy: number;
  idle: number;
  maxEnvironments: number;
  /** Spare Node processes waiting to be adopted. */
  spares: number;
}

interface Slot {
  env: Environment;
  key: string;
  busy: boolean;
  retired: boolean;
  lastUsed: number;
  idleTimer: NodeJS.Timeout | undefined;
}

export class RuntimePool {
  private readonly maxEnvironments: number;
  private readonly idleMs: number;
  private readonly envContext: EnvironmentContext;
  private readonly spares: SpareProcesses;
  private readonly sandbox: Sandbox | undefined;
  private readonly slots = new Map<Environment, Slot>();
  /** Idle environments by key, most recently used last. */
  private readonly idle = new Map<string, Slot[]>();
  private readonly busyByGroup = new Map<string, number>();
  private busyCount = 0;
  private closed = false;

  constructor(private readonly opts: RuntimePoolOptions) {
    this.maxEnvironments = opts.maxEnvironments ?? DEFAULT_MAX_ENVIRONMENTS;
    this.idleMs = opts.idleMs ?? DEFAULT_IDLE_MS;
    const workDir = resolve(opts.workDir);
    mkdirSync(workDir, { recursive: true });
    this.sandbox = detectSandbox(opts.sandbox ?? 'auto', opts.log);
    this.spares = new SpareProcesses({ max: this.sandbox ? 0 : (opts.spares ?? DEFAULT_SPARES), idleMs: this.idleMs, log: opts.log, ...(opts.caFile ? { caFile: opts.caFile } : {}) });
    this.envContext = { logSink: opts.logSink, now: opts.now, workDir, log: opts.log, spares: this.spares, ...(this.sandbox ? { sandbox: this.sandbox } : {}) };
  }

  /** Runs one invocation; throws ThrottledError when it cannot run now (see the top). */
  async invoke(spec: FunctionSpec, req: InvocationRequest, opts: PoolInvokeOptions = {}): Promise<InvocationResult> {
    if (this.closed) throw new Error('RuntimePool is closed');
    const group = opts.concurrencyGroup ?? spec.functionArn;
    const groupBusy = this.busyByGroup.get(group) ?? 0;
    if (opts.concurrencyLimit !== undefined && groupBusy >= opts.concurrencyLimit) throw new ThrottledError('ReservedFunctionConcurrentInvocationLimitExceeded');
    let slot = this.acquire(spec);
    this.busyByGroup.set(group, groupBusy + 1);
    try {
      try {
        const result = await slot.env.invoke(req);
        // A Node cold start just happened: have a spare ready for the next one. Spawning
        // forks this process (milliseconds): not on the path of this result.
        if (result.initDurationMs !== undefined && runtimeFamily(spec.runtime) === 'nodejs') setTimeout(() => this.closed || this.spares.replenish(spec.memoryMb), 20).unref();
        return result;
      } catch (e) {
        if (!(e instanceof EnvironmentLostError)) throw e;
        // Lost to close(): no fresh environment may start now; the invocation fails.
        if (this.closed) throw new Error('RuntimePool is closed: the invocation was not delivered');
        // It never ran: give it a fresh environment, once.
        this.release(slot);
        slot = this.acquire(spec);
        return await slot.env.invoke(req);
      }
    } finally {
      const n = (this.busyByGroup.get(group) ?? 1) - 1;
      if (n === 0) this.busyByGroup.delete(group);
      else this.busyByGroup.set(group, n);
      this.release(slot);
    }
  }

  /** Stops idle environments whose key starts with keyPrefix now, busy ones when they finish. */
  retire(keyPrefix: string): void {
    for (const slot of this.slots.values()) {
      if (!slot.key.startsWith(keyPrefix)) continue;
      slot.retired = true;
      if (!slot.busy) this.stop(slot);
    }
  }

  /** Busy environments whose key starts with keyPrefix ('' for all). */
  busy(keyPrefix = ''): number {
    if (keyPrefix === '') return this.busyCount;
    let n = 0;
    for (const slot of this.slots.values()) if (slot.busy && slot.key.startsWith(keyPrefix)) n++;
    return n;
  }

  /** Environments run sandboxed (sandbox.ts). */
  get sandboxed(): boolean {
    return this.sandbox !== undefined;
  }

  stats(): PoolStats {
    return { environments: this.slots.size, busy: this.busyCount, idle: this.slots.size - this.busyCount, maxEnvironments: this.maxEnvironments, spares: this.spares.size };
  }

  /**
   * Kills every environment (busy ones fail with Runtime.ExitError; an invocation assigned to a
   * warm one but not yet delivered fails too, it is not retried) and waits for them. No
   * environment starts after this.
   */
  async close(): Promise<void> {
    this.closed = true;
    const envs = [...this.slots.values()].map((s) => s.env);
    for (const slot of [...this.slots.values()]) {
      clearTimeout(slot.idleTimer);
      if (!slot.busy) this.forget(slot);
    }
    await Promise.all([...envs.map((e) => e.stop()), this.spares.close()]);
    this.sandbox?.close();
  }

  /** An idle environment of spec.key, or a new one; marks it busy. */
  private acquire(spec: FunctionSpec): Slot {
    if (this.closed) throw new Error('RuntimePool is closed');
    const list = this.idle.get(spec.key);
    let slot = list?.pop();
    if (list && list.length === 0) this.idle.delete(spec.key);
    if (!slot) {
      if (this.slots.size >= this.maxEnvironments && !this.evictIdle()) throw new ThrottledError('ConcurrentInvocationLimitExceeded');
      const env = new Environment(spec, this.envContext);
      slot = { env, key: spec.key, busy: false, retired: false, lastUsed: 0, idleTimer: undefined };
      this.slots.set(env, slot);
      env.onDead = () => this.forget(slot!);
      env.start();
    }
    clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    slot.busy = true;
    this.busyCount++;
    return slot;
  }

  /** Back to idle after an invocation, or stopped (retired, closed, dead). */
  private release(slot: Slot): void {
    if (!slot.busy) return;
    slot.busy = false;
    this.busyCount--;
    if (!this.slots.has(slot.env)) return; // died: already forgotten
    if (slot.retired || this.closed || !slot.env.alive) return this.stop(slot);
    slot.lastUsed = performance.now();
    let list = this.idle.get(slot.key);
    if (!list) this.idle.set(slot.key, (list = []));
    list.push(slot);
    slot.idleTimer = setTimeout(() => this.stop(slot), this.idleMs);
    slot.idleTimer.unref();
  }

  /** Stops the least recently used idle environment; false when none is idle. */
  private evictIdle(): boolean {
    let oldest: Slot | undefined;
    for (const list of this.idle.values()) {
      const s = list[0];
      if (s && (!oldest || s.lastUsed < oldest.lastUsed)) oldest = s;
    }
    if (!oldest) return false;
    this.stop(oldest);
    return true;
  }

  private stop(slot: Slot): void {
    this.forget(slot);
    slot.env.stop().catch((e) => this.opts.log.error('stopping a runtime environment failed', { key: slot.key, error: String(e) }));
  }

  /** Drops a slot from every index (it no longer counts against the cap). */
  private forget(slot: Slot): void {
    clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    if (!this.slots.delete(slot.env)) return;
    const list = this.idle.get(slot.key);
    const i = list ? list.indexOf(slot) : -1;
    if (i >= 0) {
      list!.splice(i, 1);
      if (list!.length === 0) this.idle.delete(slot.key);
    }
  }
}
