/**
 * The function sandbox (Linux): every execution environment runs under bubblewrap (bwrap, a
 * maintained namespace tool; no namespace code of our own) in its own PID, mount, IPC and UTS
 * namespaces, seeing only:
 *
 *   /usr, /bin, /lib*, /sbin, /etc   the system, read-only (tools a custom runtime needs)
 *   its code directory               read-only (LAMBDA_TASK_ROOT, at the same path)
 *   the runtime                      read-only: Node's install and Nimbus's bootstrap, the AWS
 *                                    SDK's node_modules; Python's install and its bootstrap
 *   /tmp                             a private tmpfs of the function's EphemeralStorage size
 *   /proc, /dev                      its own PID namespace's processes; a minimal /dev
 *
 * So no data directory, no Nimbus environment (/proc shows only the sandbox's processes; the
 * process gets only the variables launch.ts computes), no other environment. The network
 * namespace is shared: functions call Nimbus over loopback.
 *
 * When Nimbus runs as root, bwrap sets up the namespaces with root's privileges and the
 * function's process then drops to a uid of its own (setpriv: new uid and gid, no groups,
 * no capabilities, no-new-privs), one per live environment: it cannot signal Nimbus or
 * another environment, nor read what only root may. Unprivileged, bwrap makes a user
 * namespace and the process keeps Nimbus's uid (namespaces still hide everything else).
 * Memory, processes and CPU are bounded by cgroups (cgroups.ts) where Nimbus may create them.
 *
 * detectSandbox() probes once at start and says in one log line what is and is not isolated;
 * without bwrap (macOS, a container without namespaces) functions run as plain processes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { dirname, sep } from 'node:path';
import type { Logger } from '../lib/log.js';
import { detectCgroups, type CgroupHandle, type Cgroups } from './cgroups.js';

export type SandboxMode = 'auto' | 'off' | 'required';

/** First uid (and gid) given to environments; one per live environment above it. */
const UID_BASE = 1_100_000;
/** Lambda's default ephemeral storage (EphemeralStorage.Size). */
export const DEFAULT_EPHEMERAL_MB = 512;
const SETPRIV = '/usr/bin/setpriv';
/** Top-level system directories shown read-only (or as the symlinks they are, merged /usr). */
const SYSTEM_DIRS = ['usr', 'bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32', 'etc'];
const NAMESPACES = ['--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--die-with-parent', '--new-session'];
/** Joins the cgroups named before `--` (as root, before bwrap forks anything), then execs the rest. */
const JOIN_CGROUPS = 'for f do [ "$f" = -- ] && break; echo $$ > "$f" || exit 125; shift; done; shift; exec "$@"';

/** uid slots of live environments, process-wide: several pools (tests) never share a uid. */
const usedSlots = new Set<number>();
let probed: ReturnType<typeof probe> | undefined;

/** A path shown read-only in the sandbox: `src` on the host at `dest` inside. */
export interface Mount {
  src: string;
  dest: string;
}

export interface SandboxRequest {
  envId: string;
  command: string;
  args: string[];
  /** Directory the process starts in (where its code is shown). */
  cwd: string;
  /** The code directory on the host (its permissions decide the uid, see wrap). */
  codeDir: string;
  memoryMb: number;
  ephemeralMb: number;
  mounts: Mount[];
}

export interface SandboxedCommand {
  command: string;
  args: string[];
  cgroup: CgroupHandle | undefined;
  /** Frees the uid and removes the cgroups, once the process is gone. */
  release(): Promise<void>;
}

export class Sandbox {
  private readonly system: string[];

  constructor(
    readonly bwrap: string,
    /** Each environment gets its own uid (Nimbus is root); else a user namespace with Nimbus's. */
    readonly ownUid: boolean,
    readonly cgroups: Cgroups | undefined,
  ) {
    this.system = systemArgs();
  }

  /** One line saying what is and is not isolated. */
  describe(version: string): string {
    const parts = [`on (${version}): PID, mount, IPC namespaces; read-only code and runtime; private /tmp; no data directory or Nimbus environment in view`];
    parts.push(this.ownUid ? 'own uid per environment' : 'NO own uid (Nimbus is not root: environments share its uid inside a user namespace)');
    parts.push(this.cgroups ? `cgroup v${this.cgroups.version} bounds: ${this.cgroups.controllers.join(', ')}` : 'NO cgroup bounds (memory beyond MemorySize, processes and CPU are not limited)');
    parts.push('network shared (loopback to Nimbus)');
    return parts.join('; ');
  }

  /** The command that runs `req` sandboxed; throws when the cgroup cannot be made. */
  wrap(req: SandboxRequest): SandboxedCommand {
    const slot = this.takeSlot();
    let cgroup: CgroupHandle | undefined;
    try {
      cgroup = this.cgroups?.create(`env-${req.envId}`, { memoryMb: req.memoryMb });
    } catch (e) {
      usedSlots.delete(slot);
      throw e;
    }
    const args = [...NAMESPACES];
    if (!this.ownUid) args.push('--unshare-user');
    args.push(...this.system, '--proc', '/proc', '--dev', '/dev', '--perms', '1777', '--size', String(req.ephemeralMb * 1024 * 1024), '--tmpfs', '/tmp');
    args.push(...mountArgs(req.mounts), '--chdir', req.cwd);
    const { uid, gid } = runAs(req.codeDir, UID_BASE + slot);
    const inner = this.ownUid ? [SETPRIV, '--reuid', uid, '--regid', gid, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--', req.command, ...req.args] : [req.command, ...req.args];
    args.push('--', ...inner);
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      await cgroup?.remove();
      usedSlots.delete(slot);
    };
    if (!cgroup) return { command: this.bwrap, args, cgroup, release };
    return { command: '/bin/sh', args: ['-c', JOIN_CGROUPS, 'nimbus-join-cgroup', ...cgroup.procsFiles, '--', this.bwrap, ...args], cgroup, release };
  }

  close(): void {
    this.cgroups?.close();
  }

  private takeSlot(): number {
    let n = 0;
    while (usedSlots.has(n)) n++;
    usedSlots.add(n);
    return n;
  }
}

/**
 * Probes what this machine allows and logs one line saying so. 'off' never sandboxes;
 * 'required' throws instead of falling back.
 */
export function detectSandbox(mode: SandboxMode, log: Logger): Sandbox | undefined {
  if (mode === 'off') {
    log.warn('function sandbox: off (--function-sandbox off): functions run as plain processes with Nimbus\'s uid, environment-free but able to read its files and signal it');
    return undefined;
  }
  const found = (probed ??= probe());
  if (typeof found === 'string') {
    if (mode === 'required') throw new Error(`function sandbox required but unavailable: ${found}`);
    log.warn(`function sandbox: unavailable (${found}): functions run as plain processes with Nimbus's uid, able to read its files and signal it; memory, processes and CPU are not bounded`);
    return undefined;
  }
  const cg = detectCgroups();
  const sandbox = new Sandbox(found.bwrap, found.ownUid, typeof cg === 'string' ? undefined : cg);
  log.info(`function sandbox: ${sandbox.describe(found.version)}${typeof cg === 'string' ? ` (cgroups: ${cg})` : ''}`);
  return sandbox;
}

/**
 * The environment's own uid, unless its code directory is one others may not read (a
 * hot-reload directory made by mkdtemp or a private home): then the directory owner's uid and
 * gid, still without capabilities, so the code stays readable. Deployed code (zips) is always
 * world-readable, so this is a development-only case; the README says so.
 */
function runAs(codeDir: string, own: number): { uid: string; gid: string } {
  try {
    const st = statSync(codeDir);
    if ((st.mode & 0o005) !== 0o005) return { uid: String(st.uid), gid: String(st.gid) };
  } catch {
    /* missing: the launch reports it */
  }
  return { uid: String(own), gid: String(own) };
}

function probe(): { bwrap: string; ownUid: boolean; version: string } | string {
  if (process.platform !== 'linux') return `${process.platform} has no Linux namespaces`;
  const bwrap = ['/usr/bin/bwrap', '/usr/local/bin/bwrap', '/bin/bwrap'].find((p) => existsSync(p));
  if (!bwrap) return 'bubblewrap (bwrap) is not installed';
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && !existsSync(SETPRIV)) return `${SETPRIV} (util-linux) is missing`;
  let version = 'bubblewrap';
  try {
    version = execFileSync(bwrap, ['--version'], { encoding: 'utf8', timeout: 5000 }).trim();
  } catch {
    /* old bwrap: no --version */
  }
  const tryRun = (ownUid: boolean): string | undefined => {
    const args = [...NAMESPACES, ...(ownUid ? [] : ['--unshare-user']), ...systemArgs(), '--proc', '/proc', '--dev', '/dev', '--size', '1048576', '--tmpfs', '/tmp', '--'];
    args.push(...(ownUid ? [SETPRIV, '--reuid', String(UID_BASE), '--regid', String(UID_BASE), '--clear-groups', '--', 'true'] : ['true']));
    try {
      execFileSync(bwrap, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
      return undefined;
    } catch (e) {
      const stderr = String((e as { stderr?: Buffer }).stderr ?? '').trim();
      return stderr || (e as Error).message;
    }
  };
  if (root && tryRun(true) === undefined) return { bwrap, ownUid: true, version };
  const err = tryRun(false);
  if (err !== undefined) return `bwrap cannot create namespaces here: ${err.split('\n')[0]}`;
  return { bwrap, ownUid: false, version };
}

/** The system directories, read-only; merged-/usr symlinks recreated as symlinks. */
function systemArgs(): string[] {
  const out: string[] = [];
  for (const name of SYSTEM_DIRS) {
    const p = `/${name}`;
    try {
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out.push('--symlink', readlinkSync(p), p);
      else if (st.isDirectory()) out.push('--ro-bind', p, p);
    } catch {
      /* absent on this system */
    }
  }
  return out;
}

/** Whether `p` is already visible through the system directories. */
function underSystem(p: string): boolean {
  return SYSTEM_DIRS.some((d) => p === `/${d}` || p.startsWith(`/${d}/`));
}

/**
 * Read-only binds, parents first; a path inside one already bound is skipped. Directories on
 * the way to a bind are created world-traversable (bwrap would otherwise make them 0700 as
 * root, which the function's uid could not pass).
 */
export function mountArgs(mounts: Mount[]): string[] {
  const out: string[] = [];
  const made = new Set<string>();
  const bound: string[] = [];
  const sorted = [...mounts].map((m) => ({ src: realpathSync(m.src), dest: m.dest })).sort((a, b) => a.dest.length - b.dest.length);
  for (const m of sorted) {
    if (underSystem(m.dest) || bound.some((b) => m.dest === b || m.dest.startsWith(b + sep))) continue;
    const parents: string[] = [];
    for (let d = dirname(m.dest); d !== dirname(d); d = dirname(d)) parents.unshift(d);
    for (const d of parents) {
      if (made.has(d) || underSystem(d)) continue;
      made.add(d);
      out.push('--perms', '0755', '--dir', d);
    }
    out.push('--ro-bind', m.src, m.dest);
    bound.push(m.dest);
  }
  return out;
}

/** The install directory of an executable outside the system dirs (`<prefix>/bin/x` → `<prefix>`). */
export function installDir(executable: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(executable);
  } catch {
    return undefined;
  }
  if (underSystem(real)) return undefined;
  const bin = dirname(real);
  return bin.endsWith(`${sep}bin`) ? dirname(bin) : bin;
}
