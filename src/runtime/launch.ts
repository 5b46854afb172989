/**
 * How an execution environment's process is started: the command for each runtime family
 * and the environment variables Lambda sets.
 *
 *   nodejs<N>.x      this Node binary running Nimbus's Node bootstrap, heap sized from the
 *                    function's memory the way Lambda's own node bootstrap sizes it
 *   python3.8..3.13  the machine's python3 running Nimbus's Python bootstrap
 *   provided*        `<codeDir>/bootstrap`, executed directly (a custom runtime)
 *
 * Sandboxed (sandbox.ts), the code is shown at /var/task as on Lambda (so no path of the data
 * directory appears inside), the SDK's node_modules at /var/node_modules and the code root's
 * package.json at /var/package.json (sdk-link.ts explains both), the Python bootstrap at
 * /var/runtime/bootstrap.py; Node's and Python's installs and Node's bootstrap keep their paths.
 *
 * Nothing of Nimbus's own environment leaks in except PATH and HOME (a custom runtime needs
 * its tools; pyenv-style shims need HOME). The function's variables may set anything except
 * the keys Lambda reserves (RESERVED_ENVIRONMENT_VARIABLES), which always carry Lambda's values.
 * AWS_LAMBDA_EXEC_WRAPPER is honoured for the managed runtimes, as on Lambda.
 */
import { sourceFile } from '../lib/source-root.js';
import { existsSync, lstatSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { access, constants, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON_BOOTSTRAP } from './bootstrap/python.js';
import { installDir, type Mount } from './sandbox.js';
import { sdkNodeModules } from './sdk-link.js';
import type { FunctionSpec } from './types.js';

/**
 * Keys Lambda sets and refuses in a function's configuration (AWS: "Defined runtime environment
 * variables", the reserved list). LANG, PATH, NODE_PATH, PYTHONPATH and the like are not
 * reserved: a function may override them. The functions service may use this list to
 * validate CreateFunction / UpdateFunctionConfiguration; the runtime just ignores such keys.
 */
export const RESERVED_ENVIRONMENT_VARIABLES: ReadonlySet<string> = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
  'TZ',
]);

/** The compiled Node bootstrap, next to this file in dist. */
export const NODE_BOOTSTRAP = fileURLToPath(sourceFile('runtime/bootstrap/node.js'));

export type RuntimeFamily = 'nodejs' | 'python' | 'provided';

/** Which family runs `runtime`, or undefined for a runtime Nimbus cannot run. */
export function runtimeFamily(runtime: string): RuntimeFamily | undefined {
  if (/^nodejs\d+\.x$/.test(runtime)) return 'nodejs';
  if (/^python3\.(8|9|1[0-3])$/.test(runtime)) return 'python';
  if (runtime === 'provided' || runtime === 'provided.al2' || runtime === 'provided.al2023') return 'provided';
  return undefined;
}

/** A failure to start, reported as Lambda reports it: `RequestId: <id> Error: <detail>`. */
export interface LaunchFailure {
  errorType: string;
  detail: string;
}

export interface LaunchPlan {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** The bootstrap's own runtime directory (LAMBDA_RUNTIME_DIR). */
  runtimeDir: string;
  /** A spare Node process (spares.ts) may run this environment. */
  spareEligible: boolean;
  /** What a sandboxed process must see read-only (sandbox.ts): its code and its runtime. */
  mounts: Mount[];
}

export interface LaunchContext {
  /** `127.0.0.1:<port>` of the environment's Runtime API. */
  runtimeApi: string;
  logStream: string;
  /** The environment's private temp dir (TMPDIR). */
  tmpDir: string;
  /** The pool's work dir; the Python bootstrap is written there once. */
  workDir: string;
  /** The process will run in the sandbox (sandbox.ts). */
  sandboxed?: boolean;
}

/** Works out how to start `spec`'s process; a LaunchFailure is the environment's init error. */
export async function planLaunch(spec: FunctionSpec, ctx: LaunchContext): Promise<LaunchPlan | LaunchFailure> {
  const family = runtimeFamily(spec.runtime);
  let command: string;
  let args: string[] = [];
  let runtimeDir: string;
  const extra: Record<string, string> = {};
  const taskRoot = ctx.sandboxed ? SANDBOX_TASK_ROOT : spec.codeDir;
  const mounts: Mount[] = codeMounts(spec.codeDir);
  const mount = (path: string | undefined, dest = path) => path && mounts.push({ src: path, dest: dest! });
  switch (family) {
    case 'nodejs': {
      ({ command, args } = nodeCommand(spec.memoryMb));
      runtimeDir = dirname(NODE_BOOTSTRAP);
      mount(runtimeDir);
      mount(installDir(process.execPath));
      extra.NODE_PATH = [ctx.sandboxed ? SANDBOX_NODE_MODULES : sdkNodeModules(), taskRoot].join(process.platform === 'win32' ? ';' : ':');
      break;
    }
    case 'python': {
      const python = await pythonExecutable();
      if (!python) return { errorType: 'Runtime.InvalidEntrypoint', detail: 'fork/exec python3: no such file or directory' };
      const file = await pythonBootstrap(ctx.workDir);
      command = python;
      args = ['-u', ctx.sandboxed ? SANDBOX_PYTHON_BOOTSTRAP : file];
      runtimeDir = dirname(ctx.sandboxed ? SANDBOX_PYTHON_BOOTSTRAP : file);
      mount(file, SANDBOX_PYTHON_BOOTSTRAP);
      mount(installDir(python));
      break;
    }
    case 'provided': {
      command = join(taskRoot, 'bootstrap');
      runtimeDir = taskRoot;
      const st = await stat(join(spec.codeDir, 'bootstrap')).catch(() => undefined);
      if (!st?.isFile()) return { errorType: 'Runtime.InvalidEntrypoint', detail: `Couldn't find valid bootstrap(s): [${command} /opt/bootstrap]` };
      try {
        await access(join(spec.codeDir, 'bootstrap'), constants.X_OK);
      } catch {
        return { errorType: 'Runtime.InvalidEntrypoint', detail: `fork/exec ${command}: permission denied` };
      }
      break;
    }
    default:
      return { errorType: 'Runtime.InvalidEntrypoint', detail: `unsupported runtime ${JSON.stringify(spec.runtime)}` };
  }

  const env: Record<string, string> = {};
  if (process.env.PATH) env.PATH = process.env.PATH;
  // Sandboxed, Nimbus's home is not in view: /tmp is the one writable place.
  if (ctx.sandboxed) env.HOME = '/tmp';
  else if (process.env.HOME) env.HOME = process.env.HOME;
  if (process.platform === 'win32' && process.env.SystemRoot) env.SystemRoot = process.env.SystemRoot;
  env.LANG = 'en_US.UTF-8';
  env.TMPDIR = ctx.tmpDir;
  env.AWS_ENDPOINT_URL = spec.endpoint;
  if (spec.caFile) {
    // Nimbus's local CA, for HTTPS callbacks (a WebSocket API's https://{domainName}/{stage}).
    const ca = ctx.sandboxed ? SANDBOX_CA_FILE : spec.caFile;
    if (ctx.sandboxed) mounts.push({ src: spec.caFile, dest: SANDBOX_CA_FILE });
    env.NODE_EXTRA_CA_CERTS = ca;
    env.AWS_CA_BUNDLE = ca;
  }
  Object.assign(env, extra);
  for (const [k, v] of Object.entries(spec.environment)) {
    if (!RESERVED_ENVIRONMENT_VARIABLES.has(k)) env[k] = v;
  }
  // Reserved: always Lambda's values, whatever the function's configuration says.
  env.AWS_LAMBDA_FUNCTION_NAME = spec.functionName;
  env.AWS_LAMBDA_FUNCTION_VERSION = spec.version;
  env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE = String(spec.memoryMb);
  env.AWS_LAMBDA_LOG_GROUP_NAME = spec.logGroup;
  env.AWS_LAMBDA_LOG_STREAM_NAME = ctx.logStream;
  env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
  env.AWS_LAMBDA_RUNTIME_API = ctx.runtimeApi;
  env.AWS_REGION = spec.region;
  env.AWS_DEFAULT_REGION = spec.region;
  // Custom runtimes get no AWS_EXECUTION_ENV on Lambda.
  if (family !== 'provided') env.AWS_EXECUTION_ENV = `AWS_Lambda_${spec.runtime}`;
  env.AWS_ACCESS_KEY_ID = spec.credentials.accessKeyId;
  env.AWS_SECRET_ACCESS_KEY = spec.credentials.secretAccessKey;
  env.LAMBDA_TASK_ROOT = taskRoot;
  env.LAMBDA_RUNTIME_DIR = runtimeDir;
  env._HANDLER = spec.handler;
  env.TZ = ':UTC';

  const wrapper = spec.environment.AWS_LAMBDA_EXEC_WRAPPER;
  if (wrapper && family !== 'provided') {
    args = [command, ...args];
    command = wrapper;
  }
  const spareEligible = family === 'nodejs' && Object.keys(spec.environment).every((k) => !STARTUP_ONLY.test(k));
  return { command, args, env, runtimeDir, spareEligible, mounts };
}

/** Where a sandboxed environment sees its code (LAMBDA_TASK_ROOT), as on Lambda. */
export const SANDBOX_TASK_ROOT = '/var/task';
/** The SDK's node_modules, found from /var/task by Node's parent-directory search. */
const SANDBOX_NODE_MODULES = '/var/node_modules';
const SANDBOX_PYTHON_BOOTSTRAP = '/var/runtime/bootstrap.py';
/** Where a sandboxed environment sees Nimbus's CA certificate. */
const SANDBOX_CA_FILE = '/var/nimbus/ca.pem';

/**
 * The code directory at /var/task, the SDK at /var/node_modules and, when the code's parent
 * is a code root (sdk-link.ts), its package.json at /var/package.json: handlers resolve the
 * SDK and load as they do unsandboxed.
 */
function codeMounts(codeDir: string): Mount[] {
  const out: Mount[] = [
    { src: codeDir, dest: SANDBOX_TASK_ROOT },
    { src: sdkNodeModules(), dest: SANDBOX_NODE_MODULES },
  ];
  const root = dirname(codeDir);
  try {
    if (lstatSync(join(root, 'node_modules')).isSymbolicLink() && existsSync(join(root, 'package.json'))) out.push({ src: join(root, 'package.json'), dest: '/var/package.json' });
  } catch {
    /* not a code root */
  }
  return out;
}

/**
 * The command that starts `command` so it dies with Nimbus: environments run in their own
 * process group (so a timeout can kill a whole tree), which a SIGKILLed Nimbus would leave
 * running. On Linux, util-linux's setpriv sets the parent-death signal and then execs the
 * command (same pid); elsewhere the command runs as it is.
 */
export function diesWithNimbus(command: string, args: string[]): { command: string; args: string[] } {
  return SETPRIV ? { command: SETPRIV, args: ['--pdeathsig', 'KILL', '--', command, ...args] } : { command, args };
}

const SETPRIV = process.platform === 'linux' && existsSync('/usr/bin/setpriv') ? '/usr/bin/setpriv' : undefined;

/** Variables Node (or its libraries) read only at process start: no spare process for these. */
const STARTUP_ONLY = /^(NODE_(?!PATH$)|UV_|OPENSSL_|SSL_CERT_|LC_|LANG$|AWS_LAMBDA_EXEC_WRAPPER$)/;

/**
 * Node with Nimbus's bootstrap, heap sized as Lambda's own Node.js bootstrap
 * (/var/runtime/bootstrap) sizes it: new space a tenth of MemorySize (half of it the semi-space
 * limit), old space the rest, so MemorySize is the heap limit. A smaller new space would make
 * code that keeps many requests in flight (a broadcast's 1,000 SDK calls) spend much of its CPU
 * in scavenges that Lambda does not run.
 */
export function nodeCommand(memoryMb: number): { command: string; args: string[] } {
  const newSpace = Math.max(2, Math.floor(memoryMb / 10));
  const semiSpace = Math.max(1, Math.floor(newSpace / 2));
  return { command: process.execPath, args: ['--expose-gc', `--max-semi-space-size=${semiSpace}`, `--max-old-space-size=${Math.max(16, memoryMb - newSpace)}`, NODE_BOOTSTRAP] };
}

/** What a spare Node process starts with, before it is handed its environment's variables. */
export function spareEnvironment(caFile?: string): Record<string, string> {
  const env: Record<string, string> = { LANG: 'en_US.UTF-8', TZ: ':UTC' };
  // Read by Node only at start: a spare must start with the CA the environment it becomes trusts.
  if (caFile) env.NODE_EXTRA_CA_CERTS = caFile;
  if (process.env.PATH) env.PATH = process.env.PATH;
  if (process.env.HOME) env.HOME = process.env.HOME;
  return env;
}

/** Renders a failure's payload for one invocation. */
export function launchFailurePayload(f: LaunchFailure, requestId: string): Buffer {
  return Buffer.from(JSON.stringify({ errorType: f.errorType, errorMessage: `RequestId: ${requestId} Error: ${f.detail}` }));
}

let python: Promise<string | undefined> | undefined;

/**
 * The real python3 binary, resolved once: version-manager shims (pyenv, asdf) cost a shell
 * and a lookup per start, so they are resolved to the executable they would run.
 */
function pythonExecutable(): Promise<string | undefined> {
  python ??= new Promise((resolve) => {
    execFile('python3', ['-c', 'import sys; print(sys.executable)'], { timeout: 10_000 }, (err, stdout) => {
      const exe = String(stdout).trim();
      resolve(err ? undefined : exe || 'python3');
    });
  });
  return python;
}

const pythonFiles = new Map<string, Promise<string>>();

/** Writes the Python bootstrap into workDir once per process (its name carries its hash). */
function pythonBootstrap(workDir: string): Promise<string> {
  let p = pythonFiles.get(workDir);
  if (!p) {
    const hash = createHash('sha256').update(PYTHON_BOOTSTRAP).digest('hex').slice(0, 12);
    const file = join(workDir, `bootstrap-${hash}.py`);
    p = writeFile(file, PYTHON_BOOTSTRAP, { mode: 0o644 }).then(() => file);
    p.catch(() => pythonFiles.delete(workDir));
    pythonFiles.set(workDir, p);
  }
  return p;
}
