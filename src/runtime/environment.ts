/**
 * One execution environment: one child process speaking the Runtime API to a server of its
 * own (runtime-api.ts), running one invocation at a time, with its own log stream and a
 * private TMPDIR under the pool's work dir (removed when the environment stops).
 *
 * Life: start() creates the tmp dir, the server and the process (or adopts a spare Node
 * process, spares.ts). Init ends with the process's first `/next` (Init Duration) or fails:
 * `/init/error`, or the process exits first. An invocation is handed to the held `/next` (START), and ends with a posted response or error,
 * a timeout (the process group is SIGKILLed: Sandbox.Timedout) or the process's exit
 * (Runtime.ExitError, or Runtime.OutOfMemory when V8 reported heap exhaustion). END and REPORT
 * follow. After a timeout, an exit or an init failure the environment is dead; a warm one
 * serves the next invocation, which may be assigned before the runtime's next `/next`.
 *
 * Log completeness: the runtime writes its output before it posts the result, so the output
 * is already in the pipe when the result arrives; completing on the following setImmediate
 * lets the pipe's pending data be read first. After an exit, completion waits for the pipes
 * to close.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../lib/log.js';
import { diesWithNimbus, launchFailurePayload, planLaunch, SANDBOX_TASK_ROOT, type LaunchFailure } from './launch.js';
import { LineSplitter, LogStream, streamName } from './log-stream.js';
import { exitText, PeakMemory } from './process-info.js';
import { ACCEPTED, errorDocument, INVALID_REQUEST_ID, INVALID_STATE, MAX_RESPONSE_BYTES, postedError, RuntimeApi, sendInvocation, type ApiAnswer } from './runtime-api.js';
import { DEFAULT_EPHEMERAL_MB, type Sandbox, type SandboxedCommand } from './sandbox.js';
import type { SpareProcesses } from './spares.js';
import type { FunctionSpec, InvocationRequest, InvocationResult, LogSink } from './types.js';

/** Lambda's init phase limit; a slower init keeps going into the invocation's own timeout. */
const INIT_TIMEOUT_MS = 10_000;
/** How long to wait for the pipes to close after the process exits (grandchildren may hold them). */
const PIPE_GRACE_MS = 500;

export interface EnvironmentContext {
  logSink: LogSink;
  now: () => number;
  workDir: string;
  log: Logger;
  /** Pre-started Node processes to adopt instead of spawning (see spares.ts); unsandboxed only. */
  spares?: SpareProcesses;
  /** Runs each process in the function sandbox (sandbox.ts); undefined runs plain processes. */
  sandbox?: Sandbox;
}

/**
 * The environment died after its previous invocation, before this one was handed over: the
 * invocation never ran and may go to a fresh environment.
 */
export class EnvironmentLostError extends Error {
  constructor() {
    super('execution environment exited before the invocation was delivered');
  }
}

interface Outcome {
  payload: Buffer;
  errorType?: string;
  /** Adds `Status: <status>` (and the error type for 'error') to REPORT. */
  status?: 'timeout' | 'error';
}

interface Invocation {
  req: InvocationRequest;
  resolve(r: InvocationResult): void;
  reject(e: Error): void;
  dispatched: boolean;
  /** performance.now() when handed to the runtime. */
  startedAt: number;
  timer: NodeJS.Timeout | undefined;
  timedOut: boolean;
  /** An outcome is known (completion may still be pending). */
  settled: boolean;
}

export class Environment {
  readonly id = randomBytes(16).toString('hex');
  readonly streamName: string;
  private readonly logs: LogStream;
  private readonly api: RuntimeApi;
  private readonly tmpRoot: string;
  private child: ChildProcess | undefined;
  private held: ServerResponse | undefined;
  private current: Invocation | undefined;
  private initStartedAt = 0;
  private initTimer: NodeJS.Timeout | undefined;
  private initDurationMs: number | undefined;
  private initReported = false;
  private initFailure: { payload?: Buffer; launch?: LaunchFailure; errorType: string } | undefined;
  private exitStatus: string | undefined;
  private outOfMemory = false;
  private maxMemoryMb = 0;
  private memory: PeakMemory | undefined;
  private sandboxed: SandboxedCommand | undefined;
  private stopping = false;
  /** launch() has finished preparing (the process exists, or never will). */
  private launched = false;
  private dead = false;
  private readonly exited: Promise<void>;
  private markExited!: () => void;
  /** Called once when the environment can take no more invocations. */
  onDead: ((env: Environment) => void) | undefined;

  constructor(
    readonly spec: FunctionSpec,
    private readonly ctx: EnvironmentContext,
  ) {
    this.streamName = streamName(ctx.now(), spec.version, this.id);
    this.logs = new LogStream({ sink: ctx.logSink, now: ctx.now, log: ctx.log, accountId: spec.accountId, region: spec.region, group: spec.logGroup, stream: this.streamName });
    this.tmpRoot = join(ctx.workDir, `env-${this.id}`);
    this.api = new RuntimeApi({
      next: (res) => this.onNext(res),
      result: (kind, id, body, type) => this.onResult(kind, id, body, type),
      initError: (body, type) => this.onInitError(body, type),
      failed: (e) => ctx.log.error('runtime API request failed', { key: spec.key, error: e instanceof Error ? e.stack : String(e) }),
      serverError: (e) => ctx.log.error('runtime API server error', { key: spec.key, error: e.stack ?? String(e) }),
    });
    this.exited = new Promise((r) => (this.markExited = r));
  }

  /** True until the environment has died or is stopping. */
  get alive(): boolean {
    return !this.dead && !this.stopping;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process; failures surface as the first invocation's init error. */
  start(): void {
    this.initStartedAt = performance.now();
    this.initTimer = setTimeout(() => this.onInitTimeout(), INIT_TIMEOUT_MS + this.spec.timeoutSeconds * 1000);
    this.initTimer.unref();
    this.launch().catch((e) => {
      this.ctx.log.error('runtime environment failed to start', { key: this.spec.key, error: e instanceof Error ? e.stack : String(e) });
      this.launched = true;
      this.failInit({ errorType: 'Runtime.Unknown', detail: e instanceof Error ? e.message : String(e) });
    });
  }

  private async launch(): Promise<void> {
    const sandbox = this.ctx.sandbox;
    // Sandboxed, /tmp is a private tmpfs inside; otherwise a directory of the environment's own.
    const tmpDir = sandbox ? '/tmp' : join(this.tmpRoot, 'tmp');
    const [runtimeApi] = await Promise.all([this.api.listen(), sandbox ? undefined : mkdir(tmpDir, { recursive: true }), this.spec.verifyCode?.()]);
    const plan = await planLaunch(this.spec, { runtimeApi, logStream: this.streamName, tmpDir, workDir: this.ctx.workDir, sandboxed: sandbox !== undefined });
    this.launched = true;
    if (this.stopping) return this.gone();
    if (!('command' in plan)) return this.failInit(plan);
    let child = plan.spareEligible && !sandbox ? this.ctx.spares?.take(this.spec.memoryMb) : undefined;
    if (child) child.send({ env: plan.env, cwd: this.spec.codeDir });
    else {
      let run = { command: plan.command, args: plan.args };
      if (sandbox) {
        this.sandboxed = sandbox.wrap({
          envId: this.id,
          command: plan.command,
          args: plan.args,
          cwd: SANDBOX_TASK_ROOT,
          codeDir: this.spec.codeDir,
          memoryMb: this.spec.memoryMb,
          ephemeralMb: this.spec.ephemeralStorageMb ?? DEFAULT_EPHEMERAL_MB,
          mounts: plan.mounts,
        });
        run = this.sandboxed;
      }
      const { command, args } = diesWithNimbus(run.command, run.args);
      child = spawn(command, args, { cwd: this.spec.codeDir, env: plan.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    }
    this.child = child;
    // Sandboxed, the child is bubblewrap: the cgroup knows the function's memory instead.
    if (child.pid !== undefined && !this.sandboxed) this.memory = new PeakMemory(child.pid);
    child.once('error', (e: NodeJS.ErrnoException) => {
      if (child.pid === undefined) this.failInit({ errorType: 'Runtime.InvalidEntrypoint', detail: `fork/exec ${plan.command}: ${e.code === 'EACCES' ? 'permission denied' : e.message}` });
    });
    this.capture(child.stdout!, false);
    this.capture(child.stderr!, true);
    let closed = false;
    child.once('close', () => {
      closed = true;
      this.gone();
    });
    child.once('exit', (code, signal) => {
      this.exitStatus = exitText(...this.unwrapExit(code, signal));
      if (this.sandboxed?.cgroup?.oomKilled()) this.outOfMemory = true;
      this.killGroup(); // whatever it left behind
      setTimeout(() => closed || this.gone(), PIPE_GRACE_MS).unref();
    });
  }

  private capture(stream: NodeJS.ReadableStream, isStderr: boolean): void {
    stream.setEncoding('utf8');
    const lines = new LineSplitter((line) => {
      if (isStderr && line.includes('JavaScript heap out of memory')) this.outOfMemory = true;
      this.logs.write(line);
    });
    stream.on('data', (c: string) => lines.push(c));
    stream.on('end', () => lines.end());
    stream.on('error', () => undefined);
  }

  /** Runs one invocation; the pool never overlaps them. Rejects only with EnvironmentLostError. */
  invoke(req: InvocationRequest): Promise<InvocationResult> {
    return new Promise((resolve, reject) => {
      const inv: Invocation = { req, resolve, reject, dispatched: false, startedAt: 0, timer: undefined, timedOut: false, settled: false };
      this.current = inv;
      if (this.initFailure) return this.settle(inv, this.initOutcome(req.requestId));
      if (this.dead || this.stopping) {
        this.current = undefined;
        return reject(new EnvironmentLostError());
      }
      if (this.held) this.dispatch();
    });
  }

  /** Kills the process and resolves once it is gone and cleaned up. */
  stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      if (this.child) this.killGroup();
      else if (this.launched) this.gone();
      // else launch() is still preparing: it sees `stopping` and ends there.
    }
    return this.exited;
  }

  private onNext(res: ServerResponse): ApiAnswer | undefined {
    if (this.dead || this.stopping || this.initFailure) {
      res.destroy();
      return undefined;
    }
    // A second `/next` while one is held (a runtime polling from two threads, say) is refused;
    // the held one keeps waiting for the invocation. One whose connection is gone is replaced.
    if (this.held && !this.held.destroyed && !this.held.socket?.destroyed) return INVALID_STATE;
    if (this.initDurationMs === undefined) {
      this.initDurationMs = performance.now() - this.initStartedAt;
      clearTimeout(this.initTimer);
    }
    this.held = res;
    res.once('close', () => {
      if (this.held === res) this.held = undefined;
    });
    if (this.current && !this.current.dispatched && !this.current.settled) this.dispatch();
    return undefined;
  }

  private dispatch(): void {
    const inv = this.current!;
    const res = this.held!;
    this.held = undefined;
    inv.dispatched = true;
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    this.logs.startTail();
    this.logs.write(`START RequestId: ${inv.req.requestId} Version: ${this.spec.version}`);
    inv.startedAt = performance.now();
    sendInvocation(res, inv.req, Date.now() + timeoutMs);
    inv.timer = setTimeout(() => this.onTimeout(inv), timeoutMs);
    inv.timer.unref();
  }

  private onResult(kind: 'response' | 'error', id: string, body: Buffer | undefined, errorType: string | undefined): ApiAnswer {
    const inv = this.current;
    if (!inv || !inv.dispatched || inv.settled || inv.req.requestId !== id) return INVALID_REQUEST_ID;
    let outcome: Outcome;
    if (body === undefined) {
      outcome = { payload: errorDocument('Function.ResponseSizeTooLarge', `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`, true), errorType: 'Function.ResponseSizeTooLarge' };
    } else if (kind === 'response') {
      outcome = { payload: body };
    } else {
      outcome = postedError(body, errorType);
    }
    inv.settled = true;
    clearTimeout(inv.timer);
    setImmediate(() => this.complete(inv, outcome));
    return ACCEPTED;
  }

  private onInitError(body: Buffer | undefined, errorType: string | undefined): ApiAnswer {
    if (this.initDurationMs !== undefined || this.initFailure) return INVALID_STATE;
    const o = postedError(body ?? Buffer.alloc(0), errorType);
    this.initFailure = { payload: o.payload, errorType: o.errorType };
    this.initDurationMs = performance.now() - this.initStartedAt;
    clearTimeout(this.initTimer);
    this.killGroup();
    const inv = this.current;
    if (inv && !inv.settled) {
      inv.settled = true;
      setImmediate(() => this.complete(inv, this.initOutcome(inv.req.requestId)));
    }
    return ACCEPTED;
  }

  /** A failure before the process could run (no bootstrap, unsupported runtime, ...). */
  private failInit(f: LaunchFailure): void {
    if (this.initFailure || this.dead) return;
    this.initFailure = { launch: f, errorType: f.errorType };
    clearTimeout(this.initTimer);
    const inv = this.current;
    if (inv && !inv.settled) this.settle(inv, this.initOutcome(inv.req.requestId));
    this.gone();
  }

  private initOutcome(requestId: string): Outcome {
    const f = this.initFailure!;
    return { payload: f.payload ?? launchFailurePayload(f.launch!, requestId), errorType: f.errorType, status: 'error' };
  }

  private onInitTimeout(): void {
    const inv = this.current;
    if (inv && !inv.dispatched) inv.timedOut = true;
    this.killGroup();
  }

  private onTimeout(inv: Invocation): void {
    if (inv.settled) return;
    inv.timedOut = true;
    this.readMaxMemory(); // while the process is still there to ask
    this.killGroup();
    // SIGKILL cannot be ignored; this only guards against a process that never reports exit.
    setTimeout(() => inv.settled || this.settle(inv, this.timeoutOutcome(inv)), 2000).unref();
  }

  private timeoutOutcome(inv: Invocation): Outcome {
    const msg = `Task timed out after ${this.spec.timeoutSeconds.toFixed(2)} seconds`;
    this.logs.write(`${new Date(this.ctx.now()).toISOString()} ${inv.req.requestId} ${msg}`);
    return { payload: errorDocument('Sandbox.Timedout', `RequestId: ${inv.req.requestId} Error: ${msg}`), errorType: 'Sandbox.Timedout', status: 'timeout' };
  }

  /** The process and its pipes are gone (or never were): settle whatever was in flight. */
  private gone(): void {
    if (this.dead) return;
    this.dead = true;
    clearTimeout(this.initTimer);
    this.held = undefined;
    this.api.close();
    this.memory?.close();
    this.memory = undefined;
    // V8 gives up at the heap limit: as on Lambda, the function used all its memory.
    if (this.outOfMemory) this.maxMemoryMb = this.spec.memoryMb;
    const inv = this.current;
    if (inv && !inv.settled) {
      if (inv.timedOut) this.settle(inv, this.timeoutOutcome(inv));
      else if (this.initFailure) this.settle(inv, this.initOutcome(inv.req.requestId));
      else if (!inv.dispatched && this.initDurationMs !== undefined) {
        inv.settled = true;
        this.current = undefined;
        inv.reject(new EnvironmentLostError());
      } else {
        const errorType = this.outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError';
        const reason = this.exitStatus ? `Runtime exited with error: ${this.exitStatus}` : this.stopping ? 'Runtime exited with error: signal: killed' : 'Runtime exited without providing a reason';
        this.settle(inv, { payload: errorDocument(errorType, `RequestId: ${inv.req.requestId} Error: ${reason}`), errorType, status: 'error' });
      }
    }
    this.logs.flush();
    this.onDead?.(this);
    Promise.all([
      rm(this.tmpRoot, { recursive: true, force: true, maxRetries: 2 }).catch((e) => this.ctx.log.warn('could not remove environment tmp dir', { dir: this.tmpRoot, error: String(e) })),
      this.sandboxed?.release().catch((e) => this.ctx.log.warn('could not release the environment sandbox', { error: String(e) })),
    ]).finally(() => this.markExited());
  }

  private settle(inv: Invocation, outcome: Outcome): void {
    inv.settled = true;
    clearTimeout(inv.timer);
    this.complete(inv, outcome);
  }

  /**
   * Writes END and REPORT and resolves the invocation. The log is not flushed here: its timer
   * hands the lines over within 100 ms, so busy functions share one log commit across many
   * invocations (the tail for LogType=Tail is kept in memory).
   */
  private complete(inv: Invocation, o: Outcome): void {
    const id = inv.req.requestId;
    if (!inv.dispatched) {
      this.logs.startTail();
      this.logs.write(`START RequestId: ${id} Version: ${this.spec.version}`);
    }
    const durationMs = inv.dispatched ? performance.now() - inv.startedAt : 0;
    const billedDurationMs = Math.max(1, Math.ceil(durationMs));
    this.readMaxMemory();
    let report = `REPORT RequestId: ${id}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${billedDurationMs} ms\tMemory Size: ${this.spec.memoryMb} MB\tMax Memory Used: ${this.maxMemoryMb} MB\t`;
    let initDurationMs: number | undefined;
    if (!this.initReported && this.initDurationMs !== undefined) {
      this.initReported = true;
      initDurationMs = this.initDurationMs;
      report += `Init Duration: ${initDurationMs.toFixed(2)} ms\t`;
    }
    if (o.status === 'timeout') report += 'Status: timeout';
    else if (o.status === 'error') report += `Status: error\tError Type: ${o.errorType}`;
    this.logs.write(`END RequestId: ${id}`);
    this.logs.write(report);
    const logTail = this.logs.takeTail();
    if (this.current === inv) this.current = undefined;
    const result: InvocationResult = { payload: o.payload, logTail, durationMs, billedDurationMs };
    if (o.errorType !== undefined) {
      result.functionError = 'Unhandled';
      result.errorType = o.errorType;
    }
    if (initDurationMs !== undefined) result.initDurationMs = initDurationMs;
    inv.resolve(result);
  }

  /**
   * bwrap exits with 128+N when the function's process was killed by signal N: that is how
   * the function ended, in Lambda's words (`signal: killed`).
   */
  private unwrapExit(code: number | null, signal: NodeJS.Signals | null): [number | null, NodeJS.Signals | null] {
    if (!this.sandboxed || code === null || code <= 128 || code > 128 + 64) return [code, signal];
    const name = Object.entries(osConstants.signals).find(([, n]) => n === code - 128)?.[0];
    return name ? [null, name as NodeJS.Signals] : [code, signal];
  }

  private readMaxMemory(): void {
    const mb = this.sandboxed ? this.sandboxed.cgroup?.peakMb() : this.memory?.read();
    if (mb !== undefined) this.maxMemoryMb = Math.min(this.spec.memoryMb, Math.max(this.maxMemoryMb, mb));
  }

  private killGroup(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        this.child!.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
}
