/**
 * The Lambda request shapes the benchmark measures, and the setup around them: a SigV4 signer
 * for the Lambda REST API (restJson1, service `lambda`), a raw keep-alive client, function zips
 * built in memory (fflate, as the tests build them), the control-plane calls the benchmark
 * needs (CreateFunction and friends, waiting as the SDK's waiters do), the warm Invoke
 * operation, the same event POSTed to lambda-local's watch server, and the CPU time of a
 * process together with all its descendants (a function's environments are Nimbus's children).
 *
 * Signing as the SDK does for Lambda: host and x-amz-date signed, the payload hash is the hex
 * SHA-256 of the body (not sent as a header). The Invoke body's hash is computed once, so a
 * request costs one SHA-256 of the canonical request and one HMAC: the generator stays light.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { zipSync } from 'fflate';
import { HttpError, LocalTarget, postRoot } from './load.js';
import { SigV4Signer } from './sigv4-sign.js';

/** The handler every shape runs: it returns its input. */
export const ECHO_SOURCE = 'exports.handler = async (e) => e;\n';
/** The SQS pipeline's handler: takes the batch, returns nothing (the batch succeeded). */
export const SINK_SOURCE = 'exports.handler = async () => {};\n';
export const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
/** A ~100-byte JSON event (compact, so the echo comes back byte for byte). */
export const PAYLOAD = JSON.stringify({ id: 'bench-0001', source: 'nimbus.bench', detail: 'a one hundred byte event 0123456789abcdef' });

const sha256hex = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const SIGNED_HEADERS = 'host;x-amz-date';

/** SigV4 for Lambda REST requests (host and x-amz-date signed; the body's hash in the canonical request). */
export class LambdaSigner extends SigV4Signer {
  constructor(private readonly o: { accessKeyId: string; secretAccessKey: string; region: string; host: string }) {
    super({ ...o, service: 'lambda' });
  }

  /** Headers for `method path` (path without a query, segments needing no encoding) whose body hashes to `payloadHash`. */
  sign(method: string, path: string, payloadHash: string): Record<string, string> {
    const amzDate = this.date();
    const canonical = `${method}\n${path}\n\nhost:${this.o.host}\nx-amz-date:${amzDate}\n\n${SIGNED_HEADERS}\n${payloadHash}`;
    return { host: this.o.host, 'x-amz-date': amzDate, authorization: this.authorization(canonical, SIGNED_HEADERS) };
  }
}

export interface LambdaReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Signed Lambda REST calls to one endpoint over a keep-alive Agent. */
export class LambdaRaw {
  private readonly target: LocalTarget;
  private readonly signer: LambdaSigner;

  constructor(endpoint: string, concurrency: number) {
    this.target = new LocalTarget(endpoint, concurrency);
    this.signer = new LambdaSigner({ accessKeyId: 'test', secretAccessKey: 'test', region: 'us-east-1', host: this.target.hostHeader });
  }

  /** One request; `hash` is the body's SHA-256 (hex) when the caller has it already. */
  call(method: string, path: string, body = '', extra: Record<string, string> = {}, hash?: string): Promise<LambdaReply> {
    const headers: Record<string, string> = { ...this.signer.sign(method, path, hash ?? sha256hex(body)), ...extra };
    if (body || method === 'POST' || method === 'PUT') headers['content-length'] = String(Buffer.byteLength(body));
    if (body) headers['content-type'] ??= 'application/json';
    return new Promise((resolve, reject) => {
      const req = request(this.target.options(method, path, headers), (res) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** call() that throws (with the body) on an answer outside 2xx, and parses the JSON answer. */
  async ok<T = Record<string, unknown>>(operation: string, method: string, path: string, body?: object): Promise<T> {
    const r = await this.call(method, path, body === undefined ? '' : JSON.stringify(body));
    if (r.status < 200 || r.status > 299) throw new HttpError(operation, r.status, r.body);
    return (r.body ? JSON.parse(r.body) : {}) as T;
  }

  close(): void {
    this.target.close();
  }
}

// ---- control plane --------------------------------------------------------------------------------

export const fnPath = (name: string, rest = '') => `/2015-03-31/functions/${name}${rest}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A zip holding index.js (mode 0644), built in memory. */
export function zipOf(source: string): Buffer {
  return Buffer.from(zipSync({ 'index.js': [Buffer.from(source), { os: 3, attrs: (0o100000 | 0o644) << 16 }] } as never));
}

interface FnConfig {
  State?: string;
  LastUpdateStatus?: string;
  StateReason?: string;
}

/** Polls GetFunctionConfiguration until the function is Active and its last update Successful (as the SDK's waiters do). */
export async function waitReady(client: LambdaRaw, name: string, timeoutMs = 30_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const c = await client.ok<FnConfig>('GetFunctionConfiguration', 'GET', fnPath(name, '/configuration'));
    if (c.State === 'Failed' || c.LastUpdateStatus === 'Failed') throw new Error(`function ${name} failed: ${c.StateReason ?? ''}`);
    if (c.State === 'Active' && (c.LastUpdateStatus ?? 'Successful') === 'Successful') return;
    if (performance.now() > until) throw new Error(`function ${name} not ready after ${timeoutMs} ms (${c.State}/${c.LastUpdateStatus})`);
    await sleep(20);
  }
}

/** CreateFunction (nodejs20.x, index.handler, from `source`), then waits until it is Active. */
export async function createFunction(client: LambdaRaw, name: string, source: string, extra: Record<string, unknown> = {}): Promise<void> {
  await client.ok('CreateFunction', 'POST', '/2015-03-31/functions', {
    FunctionName: name,
    Runtime: 'nodejs20.x',
    Handler: 'index.handler',
    Role: ROLE,
    Code: { ZipFile: zipOf(source).toString('base64') },
    ...extra,
  });
  await waitReady(client, name);
}

/** UpdateFunctionConfiguration (its warm environments retire), then waits for LastUpdateStatus Successful. */
export async function updateConfiguration(client: LambdaRaw, name: string, changes: Record<string, unknown>): Promise<void> {
  await client.ok('UpdateFunctionConfiguration', 'PUT', fnPath(name, '/configuration'), changes);
  await waitReady(client, name);
}

export async function deleteFunction(client: LambdaRaw, name: string): Promise<void> {
  await client.ok('DeleteFunction', 'DELETE', fnPath(name));
}

/** The runtime pool's figures from GET /_nimbus/health (unsigned, outside the AWS API). */
export async function poolStats(endpoint: string): Promise<{ environments: number; busy: number; idle: number; spares: number }> {
  const r = await fetch(`${endpoint}/_nimbus/health`);
  const h = (await r.json()) as { services?: { lambda?: { environments?: { environments: number; busy: number; idle: number; spares: number } } } };
  const s = h.services?.lambda?.environments;
  if (!s) throw new Error('GET /_nimbus/health shows no lambda environments');
  return s;
}

// ---- operations ---------------------------------------------------------------------------------

/** One RequestResponse Invoke; the body checked against the echo it must be (unless `echo` is false: the bare server answers {}). */
export function invokeOp(client: LambdaRaw, name: string, payload = PAYLOAD, echo = true): () => Promise<number> {
  const path = fnPath(name, '/invocations');
  const hash = sha256hex(payload);
  return async () => {
    const r = await client.call('POST', path, payload, {}, hash);
    if (r.status !== 200 || r.headers['x-amz-function-error']) throw new HttpError('Invoke', r.status, r.body);
    if (echo && r.body !== payload) throw new HttpError('Invoke(answer is not the event)', r.status, r.body);
    return 1;
  };
}

/** One Invoke with LogType=Tail: its wall time (ms), and the REPORT line's Duration and Init Duration (ms). */
export async function timedInvoke(client: LambdaRaw, name: string): Promise<{ ms: number; durationMs: number; initMs: number }> {
  const t = performance.now();
  const r = await client.call('POST', fnPath(name, '/invocations'), PAYLOAD, { 'x-amz-log-type': 'Tail' });
  const ms = performance.now() - t;
  if (r.status !== 200 || r.headers['x-amz-function-error']) throw new HttpError('Invoke', r.status, r.body);
  const tail = Buffer.from(String(r.headers['x-amz-log-result'] ?? ''), 'base64').toString('utf8');
  const num = (label: string) => Number(new RegExp(`${label}: ([\\d.]+) ms`).exec(tail)?.[1] ?? NaN);
  return { ms, durationMs: num('\tDuration'), initMs: num('Init Duration') };
}

/** The same event POSTed to lambda-local's watch server as `{"event": ...}` (handed to the handler as is). */
export function lambdaLocalOp(endpoint: string, concurrency: number, payload = PAYLOAD): { op: () => Promise<number>; close: () => void } {
  const target = new LocalTarget(endpoint, concurrency);
  const body = `{"event":${payload}}`;
  const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  const op = async () => {
    const r = await postRoot(target, headers, body);
    if (r.status !== 200) throw new HttpError('lambda-local', r.status, r.body);
    if (r.body !== payload) throw new HttpError('lambda-local(answer is not the event)', 200, r.body);
    return 1;
  };
  return { op, close: () => target.close() };
}

// ---- CPU of a process tree --------------------------------------------------------------------------

const TICK_US = 10_000; // USER_HZ is 100 on Linux: one tick of /proc/<pid>/stat is 10 ms.

/**
 * user+system CPU (µs) of `pid` and, separately, of all its live descendants, from
 * /proc/<pid>/stat. Descendants that exited in between are missed (their time went to
 * cutime/cstime only if waited for), so this is for windows where the tree is stable.
 */
export function treeCpu(pid: number): { own: number; descendants: number } {
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const p = Number(name);
    if (!Number.isInteger(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(p, Number(f[1]));
      cpu.set(p, (Number(f[11]) + Number(f[12])) * TICK_US);
    } catch {
      // exited while we looked
    }
  }
  const inTree = (p: number): boolean => {
    for (let q = parent.get(p), hops = 0; q !== undefined && q > 1 && hops < 64; q = parent.get(q), hops++) if (q === pid) return true;
    return false;
  };
  let descendants = 0;
  for (const [p, us] of cpu) if (p !== pid && inTree(p)) descendants += us;
  return { own: cpu.get(pid) ?? NaN, descendants };
}
