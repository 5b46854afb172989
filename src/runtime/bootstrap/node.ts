/**
 * Nimbus's Node.js runtime client: the program an environment's child process runs (with
 * only Node built-ins), behaving like Lambda's aws-lambda-nodejs-runtime-interface-client.
 *
 * Init: console is patched to Lambda's line format; the handler `dir/file.a.b` is loaded from
 * LAMBDA_TASK_ROOT (file.js, .mjs or .cjs; a .js follows its nearest package.json "type";
 * ESM through import(), CommonJS through require) and its export path resolved. Failures go
 * to /init/error as Runtime.ImportModuleError, Runtime.UserCodeSyntaxError,
 * Runtime.HandlerNotFound or Runtime.MalformedHandlerName, and the process exits.
 *
 * Loop: GET /next, call the handler, POST the JSON result or the error. A handler returning
 * a promise completes when it settles. A callback-style handler completes when the callback
 * is called and, with context.callbackWaitsForEmptyEventLoop (the default), once the event
 * loop has drained ('beforeExit': the runtime's own idle keep-alive socket is unref'd, so only
 * the handler's work keeps the loop alive). A handler that never completes but lets the loop
 * drain responds null, as on Lambda. Uncaught exceptions and unhandled rejections are posted
 * as the invocation's error, then the process exits (the next invocation gets a fresh one).
 */
import dns from 'node:dns';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { RuntimeApiClient } from './client.js';

type Handler = (event: unknown, context: unknown, callback: (err?: unknown, result?: unknown) => void) => unknown;
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown; errorType?: string };

const SELF = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------------------------- *.localhost
// *.localhost is loopback (RFC 6761), as browsers resolve it and glibc does not: a WebSocket
// API's requestContext.domainName ({apiId}.execute-api.localhost) then reaches Nimbus.
const realLookup = dns.lookup;
function localhostLookup(this: unknown, hostname: string, options: unknown, callback?: unknown): void {
  const cb = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
  const opts = typeof options === 'function' || options === undefined ? {} : typeof options === 'number' ? { family: options } : (options as { all?: boolean; family?: number });
  if (typeof hostname === 'string' && /(^|\.)localhost\.?$/i.test(hostname) && opts.family !== 6) {
    if (opts.all) return void process.nextTick(cb, null, [{ address: '127.0.0.1', family: 4 }]);
    return void process.nextTick(cb, null, '127.0.0.1', 4);
  }
  return (realLookup as unknown as (...args: unknown[]) => void).call(this, hostname, options, callback);
}
(dns as { lookup: unknown }).lookup = localhostLookup;

let requestId = 'undefined';

// ---------------------------------------------------------------------------------- console
const stdoutWrite = process.stdout.write.bind(process.stdout);
function logLine(level: string, args: unknown[]): void {
  // One event per message: newlines inside it travel as \r (the parent turns them back).
  stdoutWrite(`${new Date().toISOString()}\t${requestId}\t${level}\t${format(...args).replace(/\n/g, '\r')}\n`);
}
const levels: Array<[keyof Console, string]> = [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']];
for (const [name, level] of levels) (console as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => logLine(level, args);
(console as unknown as Record<string, unknown>).fatal = (...args: unknown[]) => logLine('FATAL', args);

// ------------------------------------------------------------------------------------- http
let api: RuntimeApiClient;
const JSON_TYPE = { 'Content-Type': 'application/json' };

/** Lambda's error document for a thrown value. */
function toErrorDoc(err: unknown, typeOverride?: string): { errorType: string; errorMessage: string; trace: string[] } {
  try {
    if (err instanceof Error || (err && typeof err === 'object' && 'stack' in err && 'message' in err)) {
      const e = err as Error;
      return { errorType: typeOverride ?? e.name, errorMessage: e.message, trace: String(e.stack ?? '').split('\n') };
    }
    return { errorType: typeOverride ?? typeof err, errorMessage: String((err as { toString(): string }).toString()), trace: [] };
  } catch {
    return { errorType: 'handled', errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack', trace: [] };
  }
}

function errorLog(prefix: string, doc: { errorType: string; errorMessage: string; trace: string[] }): void {
  // Lambda's shape: `Invoke Error \t{"errorType":...,"stack":[...]}`.
  logLine('ERROR', [prefix, '\t' + JSON.stringify({ errorType: doc.errorType, errorMessage: doc.errorMessage, stack: doc.trace })]);
}

function postError(path: string, doc: { errorType: string; errorMessage: string; trace: string[] }): Promise<unknown> {
  return api.request('POST', path, { 'Content-Type': 'application/json', 'Lambda-Runtime-Function-Error-Type': headerValue(doc.errorType) }, Buffer.from(JSON.stringify(doc)));
}

/** Header values are Latin-1 without control characters. */
function headerValue(v: string): string {
  return v.replace(/[^\x20-\x7e]/g, '?');
}

// ------------------------------------------------------------------------------------- init
class RuntimeError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

async function loadHandler(root: string, full: string): Promise<Handler> {
  const slash = full.lastIndexOf('/');
  const moduleRoot = full.slice(0, slash + 1);
  const m = /^([^.]*)\.(.*)$/.exec(full.slice(slash + 1));
  if (!m || !m[1] || !m[2] || m[2].split('.').some((p) => !p)) throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  const [, moduleName, handlerPath] = m;
  const base = resolve(root, moduleRoot, moduleName);
  // Handler strings never reach outside the code directory.
  if (!(base + sep).startsWith(resolve(root) + sep)) throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find(isFile);
  if (!file) throw new RuntimeError('Runtime.ImportModuleError', `Error: Cannot find module '${moduleName}'\nRequire stack:\n- ${SELF}`);
  let app: unknown;
  try {
    app = await loadModule(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err instanceof SyntaxError) throw new RuntimeError('Runtime.UserCodeSyntaxError', String(err));
    if (err?.code === 'MODULE_NOT_FOUND' || err?.code === 'ERR_MODULE_NOT_FOUND') throw new RuntimeError('Runtime.ImportModuleError', String(err));
    throw e;
  }
  let fn: unknown = app;
  for (const part of handlerPath.split('.')) fn = fn == null ? undefined : (fn as Record<string, unknown>)[part];
  if (fn === undefined) throw new RuntimeError('Runtime.HandlerNotFound', `${full} is undefined or not exported`);
  if (typeof fn !== 'function') throw new RuntimeError('Runtime.HandlerNotFound', `${full} is not a function`);
  return fn as Handler;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

async function loadModule(file: string): Promise<unknown> {
  if (file.endsWith('.mjs') || (file.endsWith('.js') && nearestType(dirname(file)) === 'module')) return import(pathToFileURL(file).href);
  try {
    return createRequire(file)(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_REQUIRE_ESM') return import(pathToFileURL(file).href);
    throw e;
  }
}

/** The "type" of the nearest package.json, as Node itself determines a .js file's format. */
function nearestType(dir: string): string | undefined {
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: string }).type;
      } catch {
        return undefined;
      }
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

// ------------------------------------------------------------------------------- invocation
/** What happens when the event loop drains during an invocation (see the top). */
let onDrain: (() => void) | undefined;
process.on('beforeExit', () => onDrain?.());

/** Settles the current invocation on an uncaught exception, then the process exits. */
let onFatal: ((o: Outcome) => void) | undefined;
/** Set by an uncaught exception or rejection: report it, then exit with this code. */
let fatalExit: number | undefined;
process.on('uncaughtException', (err) => fatal({ ok: false, error: err }, 'Uncaught Exception', 129));
process.on('unhandledRejection', (reason) => {
  const err = new RuntimeError('Runtime.UnhandledPromiseRejection', String(reason));
  fatal({ ok: false, error: err }, 'Unhandled Promise Rejection', 128);
});
function fatal(o: Outcome & { ok: false }, label: string, code: number): void {
  const doc = toErrorDoc(o.error, o.errorType);
  errorLog(label, doc);
  if (onFatal) {
    fatalExit = code;
    onFatal(o);
  } else process.exit(code);
}

function invoke(handler: Handler, headers: Record<string, string>, payload: Buffer): Promise<Outcome> {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const json = (h: string | undefined) => (h ? JSON.parse(h) : undefined);
  return new Promise<Outcome>((settle) => {
    let done = false;
    const finish = (o: Outcome) => {
      if (done) return;
      done = true;
      onDrain = undefined;
      settle(o);
    };
    let event: unknown;
    let identity: unknown;
    let clientContext: unknown;
    try {
      event = payload.length ? JSON.parse(payload.toString('utf8')) : {};
      const ci = json(headers['lambda-runtime-cognito-identity']) as Record<string, unknown> | undefined;
      identity = ci && { cognitoIdentityId: ci.cognitoIdentityId ?? ci.cognito_identity_id, cognitoIdentityPoolId: ci.cognitoIdentityPoolId ?? ci.cognito_identity_pool_id };
      clientContext = json(headers['lambda-runtime-client-context']);
    } catch (e) {
      return finish({ ok: false, error: new RuntimeError('Runtime.UnmarshalError', `Unable to parse the event: ${(e as Error).message}`) });
    }
    const callback = (err?: unknown, value?: unknown) => {
      const o: Outcome = err != null ? { ok: false, error: err } : { ok: true, value };
      if (context.callbackWaitsForEmptyEventLoop) onDrain = () => finish(o);
      else finish(o);
    };
    const context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      awsRequestId: requestId,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      identity,
      clientContext,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: (err?: unknown, value?: unknown) => finish(err != null ? { ok: false, error: err } : { ok: true, value }),
      succeed: (value?: unknown) => finish({ ok: true, value }),
      fail: (err?: unknown) => finish({ ok: false, error: err ?? 'handled' }),
    };
    onDrain = () => finish({ ok: true, value: undefined });
    onFatal = finish;
    try {
      const r = handler(event, context, callback) as PromiseLike<unknown> | undefined;
      if (r && typeof r.then === 'function') {
        r.then(
          (value) => finish({ ok: true, value }),
          (error) => finish({ ok: false, error }),
        );
      }
    } catch (error) {
      finish({ ok: false, error });
    }
  });
}

/**
 * A spare process (see spares.ts) starts with an IPC channel and a placeholder environment;
 * it is adopted by receiving its environment's variables and working directory.
 */
async function adoption(): Promise<void> {
  if (!process.send) return;
  const onDisconnect = () => process.exit(0); // Nimbus went away before using it
  process.once('disconnect', onDisconnect);
  const msg = await new Promise<{ env: Record<string, string>; cwd: string }>((ok) => process.once('message', ok));
  process.off('disconnect', onDisconnect);
  for (const k of Object.keys(process.env)) delete process.env[k];
  Object.assign(process.env, msg.env);
  process.chdir(msg.cwd);
  (Module as unknown as { _initPaths(): void })._initPaths(); // NODE_PATH
  process.disconnect();
}

async function main(): Promise<void> {
  await adoption();
  const [host, port] = (process.env.AWS_LAMBDA_RUNTIME_API ?? '127.0.0.1:9001').split(':');
  api = new RuntimeApiClient(host, Number(port), '/2018-06-01/runtime');
  const root = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  const name = process.env._HANDLER ?? '';
  let handler: Handler;
  try {
    handler = await loadHandler(root, name);
  } catch (e) {
    const doc = toErrorDoc(e);
    errorLog('Uncaught Exception', doc);
    await postError('/init/error', doc).catch(() => undefined);
    process.exit(1);
  }
  let next = api.request('GET', '/invocation/next');
  for (;;) {
    const inv = await next;
    if (inv.status !== 200) throw new Error(`runtime API answered /next with ${inv.status}`);
    requestId = inv.headers['lambda-runtime-aws-request-id'];
    const trace = inv.headers['lambda-runtime-trace-id'];
    if (trace) process.env._X_AMZN_TRACE_ID = trace;
    else if (process.env._X_AMZN_TRACE_ID !== undefined) delete process.env._X_AMZN_TRACE_ID;
    const o = await invoke(handler, inv.headers, inv.body);
    onFatal = undefined;
    const path = `/invocation/${encodeURIComponent(requestId)}`;
    let post: () => Promise<unknown>;
    if (o.ok) {
      let body: Buffer | undefined;
      try {
        body = Buffer.from(JSON.stringify(o.value) ?? 'null');
      } catch (e) {
        const doc = toErrorDoc(e, 'Runtime.MarshalError');
        errorLog('Invoke Error', doc);
        post = () => postError(`${path}/error`, doc);
      }
      if (body) post = () => api.request('POST', `${path}/response`, JSON_TYPE, body);
    } else {
      const doc = toErrorDoc(o.error, o.errorType);
      if (fatalExit === undefined) errorLog('Invoke Error', doc);
      post = () => postError(`${path}/error`, doc);
    }
    if (fatalExit !== undefined) {
      await post!();
      process.exit(fatalExit);
    }
    // The result and the next /next leave in one write.
    next = api.together(() => {
      post!().catch(() => undefined); // a refused result (413) changes nothing here
      return api.request('GET', '/invocation/next');
    });
  }
}

main().catch((e) => {
  // The Runtime API went away: the environment is being stopped.
  process.stderr.write(`nimbus runtime: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
