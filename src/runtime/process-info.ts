/**
 * What an environment learns about its process from the operating system: how it ended, in
 * the words Lambda uses, and its peak memory for REPORT's Max Memory Used.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** Scratch space for /proc/<pid>/status (about 1.5 KB); reads are synchronous, so one is shared. */
const statusBuffer = Buffer.alloc(8192);

/**
 * Lambda's (Go's os.ProcessState) wording of an exit: `exit status 1`, `signal: killed`;
 * empty for exit status 0, which Lambda reports as "Runtime exited without providing a reason".
 */
export function exitText(code: number | null, signal: NodeJS.Signals | null): string {
  if (code === 0) return '';
  if (code !== null) return `exit status ${code}`;
  return `signal: ${SIGNALS[signal ?? ''] ?? String(signal ?? 'unknown')}`;
}

const SIGNALS: Record<string, string> = {
  SIGKILL: 'killed',
  SIGTERM: 'terminated',
  SIGABRT: 'aborted',
  SIGSEGV: 'segmentation fault',
  SIGBUS: 'bus error',
  SIGILL: 'illegal instruction',
  SIGFPE: 'floating point exception',
  SIGINT: 'interrupt',
  SIGPIPE: 'broken pipe',
};

/**
 * Peak resident memory (VmHWM) of a process, where /proc has it. The status file is kept open
 * and re-read from offset 0 (procfs regenerates it), at most once per READ_EVERY_MS: a busy
 * environment's REPORT lines may show a peak up to that old.
 */
const READ_EVERY_MS = 100;

export class PeakMemory {
  private fd: number | undefined;
  private failed = false;
  private lastReadAt = -Infinity;
  private last: number | undefined;

  constructor(private readonly pid: number) {}

  /** Megabytes (rounded up), or undefined when unavailable (not Linux, or the process is gone). */
  read(): number | undefined {
    if (this.failed) return undefined;
    const now = performance.now();
    if (now - this.lastReadAt < READ_EVERY_MS) return this.last;
    this.lastReadAt = now;
    this.last = this.readNow();
    return this.last;
  }

  private readNow(): number | undefined {
    try {
      this.fd ??= openSync(`/proc/${this.pid}/status`, 'r');
      const n = readSync(this.fd, statusBuffer, 0, statusBuffer.length, 0);
      const text = statusBuffer.toString('latin1', 0, n);
      const at = text.indexOf('VmHWM:');
      if (at < 0) return undefined;
      const kb = parseInt(text.slice(at + 6, text.indexOf('kB', at)), 10);
      return kb > 0 ? Math.ceil(kb / 1024) : undefined;
    } catch {
      this.close();
      this.failed = true;
      return undefined;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
