/**
 * The load generator: keep-alive node:http clients (one Agent, maxSockets = concurrency) for
 * the JSON protocol and the query protocol (form-encoded POST, XML answer),
 * a log-bucketed latency histogram, and a closed-loop runner (N workers, each one request at
 * a time) with a warm-up and a measured window bounded in both time and operation count.
 */
import { Agent, request, type RequestOptions } from 'node:http';
import { JsonSigner, QuerySigner } from './sigv4-sign.js';

export interface Reply {
  status: number;
  body: string;
}

/** Signed JSON-protocol calls to one endpoint. */
export class JsonClient {
  private readonly target: LocalTarget;
  private readonly signer: JsonSigner;

  constructor(
    endpoint: string,
    concurrency: number,
    readonly targetPrefix = 'AmazonSQS',
    service = 'sqs',
  ) {
    this.target = new LocalTarget(endpoint, concurrency);
    this.signer = new JsonSigner({ accessKeyId: 'test', secretAccessKey: 'test', region: 'us-east-1', service, host: this.target.hostHeader });
  }

  /** POST / with X-Amz-Target `<prefix>.<operation>`; body is a JSON string or a value to stringify. */
  call(operation: string, payload: string | object): Promise<Reply> {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const headers = this.signer.sign(`${this.targetPrefix}.${operation}`, body);
    return postRoot(this.target, headers, body);
  }

  /** call() that throws (with the body) on any non-200, and parses the JSON answer. */
  async ok<T = Record<string, unknown>>(operation: string, payload: string | object): Promise<T> {
    const r = await this.call(operation, payload);
    if (r.status !== 200) throw new HttpError(operation, r.status, r.body);
    return (r.body ? JSON.parse(r.body) : {}) as T;
  }

  close(): void {
    this.target.close();
  }
}

/**
 * Where every benchmark client sends: a server on 127.0.0.1 (never further), over one
 * keep-alive Agent with a socket per concurrent request.
 */
export class LocalTarget {
  readonly host: string;
  readonly port: number;
  /** The Host header value (`127.0.0.1:<port>`), which signers sign. */
  readonly hostHeader: string;
  private readonly agent: Agent;

  constructor(endpoint: string, concurrency: number) {
    const u = new URL(endpoint);
    if (u.hostname !== '127.0.0.1') throw new Error(`bench only talks to 127.0.0.1, not ${u.hostname}`);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.hostHeader = u.host;
    this.agent = new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency, scheduling: 'fifo' });
  }

  /** node:http request options for one request to the target. */
  options(method: string, path: string, headers: Record<string, string>): RequestOptions {
    return { agent: this.agent, host: this.host, port: this.port, method, path, headers };
  }

  close(): void {
    this.agent.destroy();
  }
}

/** POST / with these headers and body; resolves with the status and the whole answer as text. */
export function postRoot(target: LocalTarget, headers: Record<string, string>, body: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(target.options('POST', '/', headers), (res) => {
      res.setEncoding('utf8');
      let text = '';
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A form body: `Action=<action>&Version=<version>&<params>` (URLSearchParams encoding). */
export function formBody(action: string, version: string, params: Record<string, string> = {}): string {
  return new URLSearchParams({ Action: action, Version: version, ...params }).toString();
}

/** Signed query-protocol calls (SNS: form-encoded POST /, XML answer) to one endpoint. */
export class QueryClient {
  private readonly target: LocalTarget;
  private readonly signer: QuerySigner;

  constructor(
    endpoint: string,
    concurrency: number,
    readonly service = 'sns',
    readonly version = '2010-03-31',
  ) {
    this.target = new LocalTarget(endpoint, concurrency);
    this.signer = new QuerySigner({ accessKeyId: 'test', secretAccessKey: 'test', region: 'us-east-1', service, host: this.target.hostHeader });
  }

  /** POST / with a form body built already (see formBody). */
  send(body: string): Promise<Reply> {
    return postRoot(this.target, this.signer.sign(body), body);
  }

  /** `Action=<action>` with these parameters; throws (with the body) on any non-200; answers the XML. */
  async ok(action: string, params: Record<string, string> = {}): Promise<string> {
    const r = await this.send(formBody(action, this.version, params));
    if (r.status !== 200) throw new HttpError(action, r.status, r.body);
    return r.body;
  }

  close(): void {
    this.target.close();
  }
}

export class HttpError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${operation}: HTTP ${status} ${body.slice(0, 300)}`);
  }
}

/** Latencies in buckets 1% wide (log scale) from 1 µs to ~100 s. */
export class Histogram {
  private static readonly LN_STEP = Math.log(1.01);
  private readonly counts = new Uint32Array(1900);
  count = 0;
  max = 0;

  recordMs(ms: number): void {
    const us = Math.max(1, ms * 1000);
    const i = Math.min(this.counts.length - 1, Math.floor(Math.log(us) / Histogram.LN_STEP));
    this.counts[i]!++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  /** The latency (ms) at quantile q (0..1), to within 1%. */
  quantileMs(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.max, Math.pow(1.01, i + 0.5) / 1000);
    }
    return this.max;
  }
}

export interface LoadOptions {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Bound on operations counted in the measured window (the window ends when reached). */
  maxOps?: number;
  /**
   * One operation of worker `w`; resolves with the number of items it handled (messages),
   * or throws. An HttpError counts as an error and its body is kept as a sample.
   */
  op: (w: number) => Promise<number>;
  /** Called at the start and at the end of the measured window (e.g. to read server CPU). */
  onWindowStart?: () => void;
  onWindowEnd?: () => void;
  /** An error for which this returns a reason ends the window early (e.g. the queue drained). */
  stopOn?: (e: unknown) => string | undefined;
}

export interface LoadResult {
  ops: number;
  items: number;
  errors: number;
  errorSamples: string[];
  elapsedMs: number;
  opsPerSec: number;
  itemsPerSec: number;
  p50: number;
  p99: number;
  max: number;
  /** CPU of this (generator) process in the window, µs per op. */
  genCpuUsPerOp: number;
  /** Why the window ended before its duration, if it did. */
  endedEarly?: string;
}

/** Closed loop: `concurrency` workers, each issuing its next op as soon as the last one ends. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const hist = new Histogram();
  const maxOps = o.maxOps ?? Infinity;
  // Hard bound on loop iterations, errors included, whatever happens.
  const maxIterations = Number.isFinite(maxOps) ? maxOps * 2 + o.concurrency * 4 + 10_000 : 50_000_000;
  let iterations = 0;
  let measuring = false;
  let stopped = false;
  let ops = 0;
  let items = 0;
  let errors = 0;
  const errorSamples: string[] = [];
  let t0 = 0;
  let t1 = 0;
  let cpu0 = process.cpuUsage();
  let cpu1 = cpu0;
  let endTimer: NodeJS.Timeout | undefined;
  let endedEarly: string | undefined;

  const endWindow = () => {
    if (stopped) return;
    stopped = true;
    t1 = performance.now();
    cpu1 = process.cpuUsage();
    if (endTimer) clearTimeout(endTimer);
    o.onWindowEnd?.();
  };
  const startWindow = () => {
    if (measuring) return;
    o.onWindowStart?.();
    cpu0 = process.cpuUsage();
    t0 = performance.now();
    measuring = true;
    endTimer = setTimeout(endWindow, o.durationMs);
  };

  const worker = async (w: number) => {
    while (!stopped && iterations++ < maxIterations) {
      const start = performance.now();
      try {
        const n = await o.op(w);
        if (measuring && !stopped) {
          hist.recordMs(performance.now() - start);
          ops++;
          items += n;
          if (ops >= maxOps) {
            endedEarly = `reached ${maxOps} ops`;
            endWindow();
          }
        }
      } catch (e) {
        const reason = o.stopOn?.(e);
        if (reason !== undefined) {
          if (!measuring) startWindow();
          endedEarly ??= reason;
          endWindow();
          continue;
        }
        if (measuring && !stopped) errors++;
        const text = e instanceof HttpError ? `HTTP ${e.status} ${e.operation}: ${e.body.slice(0, 400)}` : String(e instanceof Error ? e.message : e);
        if (errorSamples.length < 5 && !errorSamples.includes(text)) errorSamples.push(text);
        if (!(e instanceof HttpError)) await new Promise((r) => setTimeout(r, 5)); // connection trouble: don't spin
      }
    }
  };

  const warm = setTimeout(startWindow, o.warmupMs);
  const workers = Array.from({ length: o.concurrency }, (_, w) => worker(w));
  await Promise.all(workers);
  clearTimeout(warm);
  if (!measuring) startWindow(); // the loop bound ended everything during warm-up
  endWindow();
  const elapsedMs = Math.max(1e-3, t1 - t0);
  const cpuUs = cpu1.user - cpu0.user + cpu1.system - cpu0.system;
  return {
    ops,
    items,
    errors,
    errorSamples,
    elapsedMs,
    opsPerSec: (ops * 1000) / elapsedMs,
    itemsPerSec: (items * 1000) / elapsedMs,
    p50: hist.quantileMs(0.5),
    p99: hist.quantileMs(0.99),
    max: hist.max,
    genCpuUsPerOp: ops ? cpuUs / ops : NaN,
    endedEarly,
  };
}
