/**
 * Shared setup for the runtime tests: a RuntimePool with an array LogSink, function code
 * written into a temp dir, and specs pointing at it. No zips: the code dir is used as is.
 * Environments run as plain processes (the sandbox's fallback) unless opts.sandbox says otherwise.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createLogger } from '../../src/lib/log.js';
import { RuntimePool, type RuntimePoolOptions } from '../../src/runtime/pool.js';
import type { FunctionSpec, InvocationResult, LogSink } from '../../src/runtime/types.js';

export type SinkCall = Parameters<LogSink>[0];

export interface Harness {
  pool: RuntimePool;
  /** Every LogSink call, in order. */
  sinks: SinkCall[];
  /** Parent of the code dirs (a code root after prepareCodeRoot). */
  codeRoot: string;
  workDir: string;
  /** Writes files (path → content; `mode` for executables) into a new code dir. */
  code(files: Record<string, string | { text: string; mode: number }>): string;
  spec(codeDir: string, over?: Partial<FunctionSpec>): FunctionSpec;
  invoke(spec: FunctionSpec, event?: unknown, opts?: { concurrencyLimit?: number; requestId?: string }): Promise<InvocationResult & { json: any; requestId: string }>;
  /** Every log event of a stream (or of all streams), in order. */
  events(stream?: string): Array<{ timestamp: number; message: string; stream: string }>;
  close(): Promise<void>;
}

let n = 0;

export function harness(opts: Partial<RuntimePoolOptions> = {}): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-runtime-test-'));
  const codeRoot = join(dir, 'code');
  const workDir = join(dir, 'work');
  mkdirSync(codeRoot, { recursive: true });
  const sinks: SinkCall[] = [];
  const pool = new RuntimePool({
    logSink: (a) => sinks.push(a),
    now: () => Date.now(),
    workDir,
    log: createLogger('silent'),
    // These tests observe environments as host processes (pids, TMPDIR paths, spares): plain
    // processes, the fallback, unless a test asks for the sandbox (sandbox*.test.ts).
    sandbox: 'off',
    ...opts,
  });
  const h: Harness = {
    pool,
    sinks,
    codeRoot,
    workDir,
    code(files) {
      const codeDir = join(codeRoot, `fn${++n}`);
      for (const [path, content] of Object.entries(files)) {
        const file = join(codeDir, path);
        mkdirSync(dirname(file), { recursive: true });
        if (typeof content === 'string') writeFileSync(file, content);
        else {
          writeFileSync(file, content.text);
          chmodSync(file, content.mode);
        }
      }
      mkdirSync(codeDir, { recursive: true });
      return codeDir;
    },
    spec(codeDir, over = {}) {
      const name = over.functionName ?? `fn-${++n}`;
      return {
        key: `000000000000|us-east-1|${name}|$LATEST|${n}`,
        functionName: name,
        functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
        version: '$LATEST',
        runtime: 'nodejs20.x',
        handler: 'index.handler',
        codeDir,
        timeoutSeconds: 3,
        memoryMb: 128,
        environment: {},
        region: 'us-east-1',
        accountId: '000000000000',
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
        endpoint: 'http://127.0.0.1:4566',
        logGroup: `/aws/lambda/${name}`,
        ...over,
      };
    },
    async invoke(spec, event = {}, o = {}) {
      const requestId = o.requestId ?? randomUUID();
      const r = await pool.invoke(spec, { requestId, payload: Buffer.from(JSON.stringify(event)), invokedFunctionArn: spec.functionArn }, o.concurrencyLimit !== undefined ? { concurrencyLimit: o.concurrencyLimit } : {});
      let json: unknown;
      try {
        json = JSON.parse(r.payload.toString('utf8'));
      } catch {
        json = undefined;
      }
      return { ...r, json, requestId };
    },
    events(stream) {
      return sinks.filter((s) => stream === undefined || s.stream === stream).flatMap((s) => s.events.map((e) => ({ ...e, stream: s.stream })));
    },
    async close() {
      await pool.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Waits until `cond` holds (polling: only for observing processes from outside). */
export async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
