/**
 * Starting and stopping the servers under test as child processes, and reading their CPU
 * time and memory from the kernel's own accounting (/proc/<pid>/stat and /status): the same
 * figures process.cpuUsage() and process.memoryUsage().rss would give inside the child, with
 * no change to the server.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { get } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench
export const ROOT = resolve(here, '..', '..');

let clkTck = 0;
function ticksPerSecond(): number {
  if (!clkTck) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** utime and stime of a process (all its threads) from /proc/<pid>/stat, µs. */
export function cpuSplit(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
  const us = 1e6 / ticksPerSecond();
  return { user: Number(f[11]) * us, system: Number(f[12]) * us };
}

export interface ServerProc {
  name: string;
  endpoint: string;
  pid: number;
  /** user+system CPU time of the whole process (all threads), µs. */
  cpuMicros(): number;
  /** The same, split into user and system time, µs. */
  cpuSplit(): { user: number; system: number };
  /** Bytes this process caused to be written to storage (/proc/<pid>/io write_bytes). */
  writeBytes(): number;
  /** Resident set now and its peak (VmHWM), in MB. */
  memory(): { rssMb: number; peakMb: number };
  /** The last lines the server wrote on stderr. */
  stderrTail(): string;
  exited(): boolean;
  /** SIGTERM, wait for a clean exit (SIGKILL after timeoutMs); resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

export interface SpawnOptions {
  name: string;
  script: string;
  args?: string[];
  nodeArgs?: string[];
  readyPrefix: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export function spawnServer(o: SpawnOptions): Promise<ServerProc> {
  const child: ChildProcess = spawn(process.execPath, [...(o.nodeArgs ?? []), o.script, ...(o.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => {
    stderr = (stderr + c).slice(-8000);
  });
  let exitCode: number | null | undefined;
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r((exitCode = code))));
  const pid = child.pid!;
  const proc = (endpoint: string): ServerProc => ({
    name: o.name,
    endpoint,
    pid,
    cpuMicros: () => {
      const { user, system } = cpuSplit(pid);
      return user + system;
    },
    cpuSplit: () => cpuSplit(pid),
    writeBytes: () => {
      try {
        return Number(/^write_bytes:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? NaN);
      } catch {
        return NaN;
      }
    },
    memory: () => {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
      return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
    },
    stderrTail: () => stderr,
    exited: () => exitCode !== undefined,
    async stop(timeoutMs = 60_000) {
      if (exitCode !== undefined) return exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  });
  return new Promise((resolveReady, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${o.name} did not get ready in time; stderr:\n${stderr}`));
    }, o.timeoutMs ?? 30_000);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (c: string) => {
      out += c;
      const line = out.split('\n').find((l) => l.startsWith(o.readyPrefix));
      if (line) {
        clearTimeout(timer);
        out = '';
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolveReady(proc(line.slice(o.readyPrefix.length).trim()));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${o.name} exited with ${code} before it was ready; stderr:\n${stderr}`));
    });
  });
}

/** Nimbus's store commit count from GET /_nimbus/health (unsigned, outside the AWS API). */
export function nimbusCommits(endpoint: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(`${endpoint}/_nimbus/health`, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        try {
          resolve(Number((JSON.parse(text) as { store?: { commits?: number } }).store?.commits ?? NaN));
        } catch (e) {
          reject(e);
        }
      });
    }).on('error', reject);
  });
}

/**
 * Nimbus as users run it (the bundle) on a random port: with a data dir (durable, fsync'ed:
 * the real thing), or with `'memory'` as `--memory` (named nimbus-mem).
 */
export function startNimbus(dataDir: string | 'memory', nodeArgs: string[] = []): Promise<ServerProc> {
  const memory = dataDir === 'memory';
  return spawnServer({
    name: memory ? 'nimbus-mem' : 'nimbus',
    script: join(ROOT, 'dist', 'src', 'cli.bundle.js'),
    args: ['start', '--host', '127.0.0.1', '--port', '0', ...(memory ? ['--memory'] : ['--data-dir', dataDir]), '--log-level', 'warn'],
    nodeArgs,
    readyPrefix: 'NIMBUS_READY ',
  });
}

/** The bare `ws` broadcast ceiling (bare-ws-server.ts); its endpoint is a ws:// URL. */
export function startBareWs(): Promise<ServerProc> {
  return spawnServer({ name: 'bare-ws', script: join(here, 'bare-ws-server.js'), readyPrefix: 'BARE_WS_READY ' });
}

/**
 * user+system CPU of every descendant of a process (the function environments Nimbus started),
 * µs, from /proc: what a function's own work costs beside Nimbus's.
 */
export function descendantsCpuMicros(pid: number): number {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const todo = [...(children.get(pid) ?? [])];
  while (todo.length) {
    const p = todo.pop()!;
    todo.push(...(children.get(p) ?? []));
    try {
      const { user, system } = cpuSplit(p);
      total += user + system;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** The bare node:http ceiling. */
export function startBare(): Promise<ServerProc> {
  return spawnServer({ name: 'bare', script: join(here, 'bare-server.js'), readyPrefix: 'BARE_READY ' });
}

/**
 * The disk's fsync latency right now (this machine is shared): appends 4 KiB and fsyncs,
 * `count` times, in a scratch file in `dir`. Returns p50 and p90 in ms.
 */
export function fsyncProbe(dir: string, count = 100): { p50: number; p90: number } {
  const file = join(dir, `fsync-probe-${process.pid}`);
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(4096, 7);
  const ms: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      writeSync(fd, block);
      const t = performance.now();
      fsyncSync(fd);
      ms.push(performance.now() - t);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(count * 0.5)]!, p90: ms[Math.floor(count * 0.9)]! };
}

/** dynalite (npm, in memory) in a child process; rejects (exit code 3) when it is not installed. */
export function startDynalite(): Promise<ServerProc> {
  return spawnServer({ name: 'dynalite', script: join(here, 'dynalite-server.js'), readyPrefix: 'DYNALITE_READY ' });
}

/** fauxqs (npm, in memory, no signature check) in a child process; rejects (exit code 3) when it is not installed. */
export function startFauxqs(): Promise<ServerProc> {
  return spawnServer({ name: 'fauxqs', script: join(here, 'fauxqs-server.js'), readyPrefix: 'FAUXQS_READY ' });
}

/** s3rver (npm, files in `dir`, no fsync) in a child process; rejects (exit code 3) when it is not installed. */
export function startS3rver(dir: string): Promise<ServerProc> {
  return spawnServer({ name: 's3rver', script: join(here, 's3rver-server.js'), readyPrefix: 'S3RVER_READY ', env: { S3RVER_DIR: dir } });
}
