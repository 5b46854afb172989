/**
 * Resource bounds for sandboxed environments (sandbox.ts): one control group per environment,
 * under a group of Nimbus's own, itself under the group Nimbus runs in (so whatever bounds
 * the machine or container already sets still hold).
 *
 *   memory  MemorySize, everything the processes use: V8's heap and off-heap buffers, native
 *           allocations, page cache, their tmpfs /tmp. No swap beyond it (memsw, where the
 *           kernel accounts swap). The kernel's OOM killer ends a process over the limit; the
 *           group's oom_kill counter tells the environment it was memory (Runtime.OutOfMemory).
 *   pids    Lambda's bound on processes and threads: 1,024.
 *   cpu     a quota of CPU time in proportion to memory, as Lambda allocates it (1,769 MB is one
 *           vCPU), but never less than one CPU (a fraction of a CPU would make a Node cold start
 *           take seconds on a small function). The scheduling weight is left at the default:
 *           a weight below a plain process's would slow small functions' cold starts on a busy
 *           machine for no isolation gained.
 *
 * Both cgroup v1 (one hierarchy per controller, /sys/fs/cgroup/<controller>) and a pure v2
 * hierarchy (cgroup.controllers at /sys/fs/cgroup) are handled. detectCgroups() tries to
 * create Nimbus's group and set a limit in it; what fails is reported as not bounded.
 * Processes join their group before they exec bubblewrap (see sandbox.ts), so nothing they
 * start escapes it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = '/sys/fs/cgroup';
/** Lambda's quota: "Processes and threads: 1,024". */
export const PIDS_MAX = 1024;
/** Lambda: a function with 1,769 MB has the equivalent of one vCPU. */
const MB_PER_VCPU = 1769;
const CPU_PERIOD_US = 100_000;

export type Controller = 'memory' | 'pids' | 'cpu';

export interface Limits {
  memoryMb: number;
}

/** One environment's groups. */
export interface CgroupHandle {
  /** The `cgroup.procs` files a process writes its pid into to join (one per v1 hierarchy). */
  readonly procsFiles: string[];
  /** The kernel's OOM killer acted in the group. */
  oomKilled(): boolean;
  /** Peak memory charged to the group, in MB (rounded up), when known. */
  peakMb(): number | undefined;
  /** Kills whatever is left in the group and removes it (retries while processes exit). */
  remove(): Promise<void>;
}

export interface Cgroups {
  version: 1 | 2;
  controllers: Controller[];
  create(name: string, limits: Limits): CgroupHandle;
  /** Removes Nimbus's own groups (at close, once every environment is gone). */
  close(): void;
}

/** The cgroups Nimbus can use for environments, or a reason why none. */
export function detectCgroups(): Cgroups | string {
  if (process.platform !== 'linux') return 'not Linux';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'Nimbus is not root';
  try {
    if (existsSync(join(ROOT, 'cgroup.controllers'))) return detectV2();
    return detectV1();
  } catch (e) {
    return `cgroups are not writable (${(e as Error).message})`;
  }
}

/** The path of the group this process is in, per v1 controller (or '' for v2), from /proc/self/cgroup. */
function ownPaths(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    for (const c of m[1]!.split(',')) out.set(c, m[2]!);
  }
  return out;
}

function detectV1(): Cgroups | string {
  const own = ownPaths();
  const bases = new Map<Controller, string>();
  const failures: string[] = [];
  for (const c of ['memory', 'pids', 'cpu'] as Controller[]) {
    const mount = join(ROOT, c);
    if (!existsSync(join(mount, 'cgroup.procs'))) {
      failures.push(`${c}: not mounted`);
      continue;
    }
    // Under our own group when it is visible at its path; else at the hierarchy's root.
    const parent = existsSync(join(mount, own.get(c) ?? '/')) ? join(mount, own.get(c) ?? '/') : mount;
    const base = join(parent, `nimbus-${process.pid}`);
    try {
      sweepStale(parent);
      mkdirSync(base, { recursive: true });
      if (c === 'memory') writeFileSync(join(base, 'memory.use_hierarchy'), '1', { flag: 'r+' }); // may fail once children exist: harmless
      bases.set(c, base);
    } catch (e) {
      if (c === 'memory' && existsSync(base)) bases.set(c, base);
      else failures.push(`${c}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (!bases.has('memory')) return `cgroup v1 memory controller unavailable (${failures.join(', ')})`;
  const memsw = existsSync(join(bases.get('memory')!, 'memory.memsw.limit_in_bytes'));
  return {
    version: 1,
    controllers: [...bases.keys()],
    create(name, limits) {
      const dirs = new Map<Controller, string>();
      try {
        for (const [c, base] of bases) {
          const dir = join(base, name);
          mkdirSync(dir);
          dirs.set(c, dir);
          if (c === 'memory') {
            const bytes = String(limits.memoryMb * 1024 * 1024);
            writeFileSync(join(dir, 'memory.limit_in_bytes'), bytes);
            if (memsw) writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), bytes);
          } else if (c === 'pids') {
            writeFileSync(join(dir, 'pids.max'), String(PIDS_MAX));
          } else {
            writeFileSync(join(dir, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
            writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(cpuQuotaUs(limits.memoryMb)));
          }
        }
      } catch (e) {
        for (const d of dirs.values()) tryRmdir(d);
        throw e;
      }
      const mem = dirs.get('memory')!;
      return {
        procsFiles: [...dirs.values()].map((d) => join(d, 'cgroup.procs')),
        oomKilled: () => counter(join(mem, 'memory.oom_control'), 'oom_kill') > 0,
        peakMb: () => mb(read(join(mem, 'memory.max_usage_in_bytes'))),
        remove: () => removeGroups([...dirs.values()]),
      };
    },
    close() {
      for (const base of bases.values()) tryRmdir(base);
    },
  };
}

function detectV2(): Cgroups | string {
  const own = ownPaths().get('') ?? '/';
  const parent = join(ROOT, own);
  const available = read(join(parent, 'cgroup.controllers'))?.split(/\s+/) ?? [];
  if (!available.includes('memory')) return 'cgroup v2 without the memory controller';
  const base = join(parent, `nimbus-${process.pid}`);
  sweepStale(parent);
  mkdirSync(base, { recursive: true });
  const wanted = (['memory', 'pids', 'cpu'] as Controller[]).filter((c) => available.includes(c));
  // Controllers must be enabled for the children of each level; a level with processes of its
  // own cannot delegate (the "no internal processes" rule), which is then reported.
  const enable = `${wanted.map((c) => `+${c}`).join(' ')}`;
  try {
    writeFileSync(join(parent, 'cgroup.subtree_control'), enable);
  } catch {
    /* already enabled, or refused: checked below */
  }
  writeFileSync(join(base, 'cgroup.subtree_control'), enable);
  const enabled = (read(join(base, 'cgroup.subtree_control')) ?? '').split(/\s+/) as Controller[];
  if (!enabled.includes('memory')) return 'cgroup v2: the memory controller cannot be delegated';
  return {
    version: 2,
    controllers: wanted.filter((c) => enabled.includes(c)),
    create(name, limits) {
      const dir = join(base, name);
      mkdirSync(dir);
      try {
        writeFileSync(join(dir, 'memory.max'), String(limits.memoryMb * 1024 * 1024));
        if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
        if (enabled.includes('pids')) writeFileSync(join(dir, 'pids.max'), String(PIDS_MAX));
        if (enabled.includes('cpu')) {
          writeFileSync(join(dir, 'cpu.max'), `${cpuQuotaUs(limits.memoryMb)} ${CPU_PERIOD_US}`);
        }
      } catch (e) {
        tryRmdir(dir);
        throw e;
      }
      return {
        procsFiles: [join(dir, 'cgroup.procs')],
        oomKilled: () => counter(join(dir, 'memory.events'), 'oom_kill') > 0,
        peakMb: () => mb(read(join(dir, 'memory.peak'))),
        remove: () => removeGroups([dir], join(dir, 'cgroup.kill')),
      };
    },
    close() {
      tryRmdir(base);
    },
  };
}

/** At least one CPU; more for large functions, as Lambda gives (up to 6 vCPUs at 10,240 MB). */
function cpuQuotaUs(memoryMb: number): number {
  return Math.round(Math.max(1, memoryMb / MB_PER_VCPU) * CPU_PERIOD_US);
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** `key N` in a flat keyed file (memory.oom_control, memory.events); 0 when absent. */
function counter(file: string, key: string): number {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(read(file) ?? '');
  return m ? Number(m[1]) : 0;
}

function mb(bytes: string | undefined): number | undefined {
  const n = Number(bytes);
  return bytes && n > 0 ? Math.ceil(n / (1024 * 1024)) : undefined;
}

/** Empty groups a Nimbus that was killed left behind (its pid no longer runs). */
function sweepStale(parent: string): void {
  for (const name of readdirSync(parent)) {
    const m = /^nimbus-(\d+)$/.exec(name);
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    const dir = join(parent, name);
    for (const child of readdirSync(dir, { withFileTypes: true })) if (child.isDirectory()) tryRmdir(join(dir, child.name));
    tryRmdir(dir);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryRmdir(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * Removes groups once empty. The PID namespace's end kills every process in it, but the
 * kernel takes a moment to reap them; a group still busy after that is retried a few times.
 */
async function removeGroups(dirs: string[], killFile?: string): Promise<void> {
  if (killFile) {
    try {
      writeFileSync(killFile, '1');
    } catch {
      /* kernel without cgroup.kill */
    }
  }
  for (let attempt = 0; attempt < 20; attempt++) {
    if (dirs.map(tryRmdir).every(Boolean)) return;
    // v1 has no cgroup.kill: whatever is still listed is killed by pid.
    for (const pid of (read(join(dirs[0]!, 'cgroup.procs')) ?? '').split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await new Promise((r) => setTimeout(r, 25 * (attempt + 1)));
  }
}
