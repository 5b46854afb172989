/**
 * Spare Node.js processes: most of a Node environment's cold start is Node's own start
 * (with heap flags V8's code cache does not match, ~70-100 ms here, more on a loaded machine),
 * which does not depend on the function. So after a Node environment of some memory size
 * has started, one more process with that size's heap flags is started in the background,
 * with the bootstrap loaded but waiting: the next cold start of that size adopts it, sending
 * the environment's variables and working directory over the IPC channel (the bootstrap then
 * replaces its whole process.env, chdirs, re-reads NODE_PATH and closes the channel). Its init
 * is then a few milliseconds plus the handler's own module load.
 *
 * At most `max` spares exist (one per memory size, least recently wanted replaced first);
 * one unused for idleMs is stopped. Functions whose variables Node reads only at process
 * start (NODE_OPTIONS, UV_*, OPENSSL_*, locale, an exec wrapper) never get a spare: see
 * launch.ts's spareEligible.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../lib/log.js';
import { diesWithNimbus, nodeCommand, spareEnvironment } from './launch.js';

interface Spare {
  child: ChildProcess;
  timer: NodeJS.Timeout;
}

export class SpareProcesses {
  /** By memory size; Map order is least recently wanted first. */
  private readonly spares = new Map<number, Spare>();
  private readonly all = new Set<ChildProcess>();
  private closed = false;

  constructor(private readonly o: { max: number; idleMs: number; log: Logger; caFile?: () => string | undefined }) {}

  get size(): number {
    return this.spares.size;
  }

  /** A live spare for memoryMb, now the caller's (to adopt), or undefined. */
  take(memoryMb: number): ChildProcess | undefined {
    const s = this.spares.get(memoryMb);
    if (!s) return undefined;
    this.spares.delete(memoryMb);
    clearTimeout(s.timer);
    this.all.delete(s.child);
    if (s.child.exitCode !== null || s.child.signalCode !== null || !s.child.connected) {
      kill(s.child);
      return undefined;
    }
    return s.child;
  }

  /** Makes sure a spare for memoryMb exists or is starting. */
  replenish(memoryMb: number): void {
    if (this.closed || this.o.max <= 0) return;
    const existing = this.spares.get(memoryMb);
    if (existing) {
      // Recently wanted: move to the end, restart its idle clock.
      this.spares.delete(memoryMb);
      this.spares.set(memoryMb, existing);
      existing.timer.refresh();
      return;
    }
    while (this.spares.size >= this.o.max) this.discard(this.spares.keys().next().value!);
    const node = nodeCommand(memoryMb);
    const { command, args } = diesWithNimbus(node.command, node.args);
    let child: ChildProcess;
    try {
      child = spawn(command, args, { env: spareEnvironment(this.o.caFile?.()), stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true });
    } catch (e) {
      this.o.log.warn('could not start a spare runtime process', { error: String(e) });
      return;
    }
    child.on('error', (e) => this.o.log.warn('spare runtime process failed', { error: String(e) }));
    child.stdout!.resume();
    child.stderr!.resume();
    const timer = setTimeout(() => this.discard(memoryMb), this.o.idleMs);
    timer.unref();
    const spare: Spare = { child, timer };
    this.spares.set(memoryMb, spare);
    this.all.add(child);
    child.once('exit', () => {
      this.all.delete(child);
      if (this.spares.get(memoryMb) === spare) {
        this.spares.delete(memoryMb);
        clearTimeout(timer);
      }
    });
  }

  /** Kills every spare and waits for them to exit. */
  async close(): Promise<void> {
    this.closed = true;
    const children = [...this.all];
    for (const m of [...this.spares.keys()]) this.discard(m);
    await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
  }

  private discard(memoryMb: number): void {
    const s = this.spares.get(memoryMb);
    if (!s) return;
    this.spares.delete(memoryMb);
    clearTimeout(s.timer);
    kill(s.child);
  }
}

function kill(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}
