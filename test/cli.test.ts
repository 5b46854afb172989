/**
 * `nimbus start` as users run it: a child process that announces itself with a
 * `NIMBUS_READY <endpoint>` line, answers health, stops cleanly on SIGTERM/SIGINT, and refuses
 * bad flags with a usage message.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateQueueCommand, ListQueuesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { createFunction, decode } from './helpers/lambda.js';

// The file `nimbus start` runs (package.json's bin): the bundle of the compiled CLI.
const CLI = fileURLToPath(new URL('../src/cli.bundle.js', import.meta.url));
const USAGE = /usage: nimbus start/;
const STARTUP_MS = 20_000;

/** The environment without any NIMBUS_* setting of the machine running the tests. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('NIMBUS_')) env[k] = v;
  return { ...env, ...extra };
}

interface Running {
  child: ChildProcess;
  endpoint: string;
  stderr(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
/** Children run here, so that one that wrongly starts with the default ./.nimbus leaves no litter. */
const scratch = mkdtempSync(join(tmpdir(), 'nimbus-cli-cwd-'));
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

function spawnCli(args: string[], env: Record<string, string> = {}, cwd?: string): { child: ChildProcess; out: () => string; err: () => string; exit: Running['exit'] } {
  const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(env), cwd: cwd ?? scratch, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, out: () => out, err: () => err, exit };
}

/** Starts `nimbus start <args>` and waits for its NIMBUS_READY line. */
async function start(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Running> {
  const p = spawnCli(['start', ...args], env, cwd);
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no NIMBUS_READY within ${STARTUP_MS} ms; stderr:\n${p.err()}`)), STARTUP_MS);
    const check = () => {
      const m = /^NIMBUS_READY (\S+)$/m.exec(p.out());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    p.child.stdout!.on('data', check);
    p.exit.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`nimbus exited (${code ?? signal}) before it was ready; stderr:\n${p.err()}`));
    });
  });
  return { child: p.child, endpoint, stderr: p.err, exit: p.exit };
}

/** Runs the CLI to completion (for invocations that must fail fast). */
async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = spawnCli(args, env);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), STARTUP_MS);
  const { code } = await p.exit;
  clearTimeout(timer);
  return { code, stdout: p.out(), stderr: p.err() };
}

async function health(endpoint: string): Promise<any> {
  const res = await fetch(`${endpoint}/_nimbus/health`);
  assert.equal(res.status, 200);
  assert.ok(res.headers.get('x-amzn-requestid'));
  return res.json();
}

/** A port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const client = (endpoint: string) =>
  new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });

describe('nimbus start', () => {
  it('from the bundle, runs functions and checkpoints the store (files of their own beside it)', async () => {
    const dataDir = join(scratch, 'bundle-data');
    const n = await start(['--port', '0', '--data-dir', dataDir, '--log-level', 'warn']);
    const lambda = new LambdaClient({ endpoint: n.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    try {
      await createFunction(lambda, 'from-bundle', { 'index.mjs': 'export const handler = async (e) => ({ echoed: e.n * 2 });' });
      const out = await lambda.send(new InvokeCommand({ FunctionName: 'from-bundle', Payload: Buffer.from('{"n":21}') }));
      assert.equal(out.FunctionError, undefined, decode(out.Payload));
      assert.deepEqual(JSON.parse(decode(out.Payload)), { echoed: 42 });
    } finally {
      lambda.destroy();
    }
    n.child.kill('SIGTERM');
    assert.deepEqual(await n.exit, { code: 0, signal: null });
    assert.ok(existsSync(join(dataDir, 'nimbus.db')));
    assert.doesNotMatch(n.stderr(), /checkpoint worker failed|Cannot find module|ERR_MODULE_NOT_FOUND/);
  });

  it('prints NIMBUS_READY, answers health and exits 0 on SIGTERM', async () => {
    const n = await start(['--port', '0', '--memory']);
    assert.match(n.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(n.endpoint, 'http://127.0.0.1:0');
    const body = await health(n.endpoint);
    assert.equal(body.status, 'ready');
    assert.ok(body.services.sqs);
    assert.equal(body.store.memory, true);
    const sqs = client(n.endpoint);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'cli-q' }));
    assert.equal(QueueUrl, `${n.endpoint}/000000000000/cli-q`);
    sqs.destroy();
    n.child.kill('SIGTERM');
    assert.deepEqual(await n.exit, { code: 0, signal: null });
  });

  it('exits 0 on SIGINT', async () => {
    const n = await start(['--port', '0', '--memory', '--log-level', 'silent']);
    n.child.kill('SIGINT');
    assert.deepEqual(await n.exit, { code: 0, signal: null });
    assert.equal(n.stderr(), '');
  });

  it('a signal sent the moment NIMBUS_READY is read still exits 0', async () => {
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGTERM'] as const) {
      const n = await start(['--port', '0', '--memory', '--log-level', 'silent']);
      n.child.kill(signal);
      assert.deepEqual(await n.exit, { code: 0, signal: null }, signal);
    }
  });

  it('SIGTERM answers a long poll in flight and exits 0', async () => {
    const n = await start(['--port', '0', '--memory', '--log-level', 'silent']);
    const sqs = client(n.endpoint);
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'cli-poll' }));
      const started = Date.now();
      const poll = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
      await new Promise((r) => setTimeout(r, 300));
      n.child.kill('SIGTERM');
      const out = await poll;
      assert.equal(out.Messages, undefined);
      assert.deepEqual(await n.exit, { code: 0, signal: null });
      assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
    } finally {
      sqs.destroy();
    }
  });

  it('keeps its state in --data-dir across a SIGTERM restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-cli-'));
    try {
      const dataDir = join(dir, 'data');
      const first = await start(['--port', '0', '--data-dir', dataDir, '--log-level', 'error']);
      assert.equal((await health(first.endpoint)).store.memory, false);
      let sqs = client(first.endpoint);
      await sqs.send(new CreateQueueCommand({ QueueName: 'kept' }));
      sqs.destroy();
      first.child.kill('SIGTERM');
      assert.equal((await first.exit).code, 0);
      assert.ok(existsSync(dataDir));

      const second = await start(['--port', '0', `--data-dir=${dataDir}`, '--log-level', 'error']);
      sqs = client(second.endpoint);
      const { QueueUrls } = await sqs.send(new ListQueuesCommand({}));
      assert.deepEqual(QueueUrls, [`${second.endpoint}/000000000000/kept`]);
      sqs.destroy();
      second.child.kill('SIGTERM');
      assert.equal((await second.exit).code, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('honours NIMBUS_PORT', async () => {
    const port = await freePort();
    const n = await start(['--memory'], { NIMBUS_PORT: String(port) });
    assert.equal(n.endpoint, `http://127.0.0.1:${port}`);
    await health(n.endpoint);
    n.child.kill('SIGTERM');
    assert.equal((await n.exit).code, 0);
  });

  it('starts without its TLS listener when the derived TLS port (HTTP port + 1) is taken, and refuses a taken --tls-port', async () => {
    // A free port whose successor can be taken by a blocker of our own.
    const blocker = createServer();
    let port = 0;
    for (let i = 0; i < 20 && port === 0; i++) {
      const candidate = await freePort();
      const ok = await new Promise<boolean>((r) => {
        blocker.once('error', () => r(false));
        blocker.listen(candidate + 1, '127.0.0.1', () => r(true));
      });
      if (ok) port = candidate;
    }
    assert.ok(port, 'found a port pair');
    try {
      const n = await start(['--memory'], { NIMBUS_PORT: String(port) });
      assert.equal(n.endpoint, `http://127.0.0.1:${port}`);
      await health(n.endpoint);
      n.child.kill('SIGTERM');
      assert.equal((await n.exit).code, 0);
      const r = await run(['start', '--memory', '--port', '0', '--tls-port', String(port + 1), '--log-level', 'silent']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /EADDRINUSE/);
    } finally {
      blocker.close();
    }
  });

  it('lets a flag win over the environment', async () => {
    const n = await start(['--port', '0'], { NIMBUS_PORT: 'not-a-port', NIMBUS_MEMORY: '1' });
    assert.equal((await health(n.endpoint)).store.memory, true);
    n.child.kill('SIGTERM');
    assert.equal((await n.exit).code, 0);
  });

  it('--data-dir beats NIMBUS_MEMORY', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-cli-'));
    try {
      const n = await start(['--port', '0', '--data-dir', dir, '--log-level', 'silent'], { NIMBUS_MEMORY: '1' });
      assert.equal((await health(n.endpoint)).store.memory, false);
      n.child.kill('SIGTERM');
      assert.equal((await n.exit).code, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('honours NIMBUS_CREDENTIALS and --credentials-file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-cli-creds-'));
    try {
      const file = join(dir, 'creds.json');
      writeFileSync(file, JSON.stringify([{ accessKeyId: 'FILEKEY', secretAccessKey: 'filesecret', accountId: '222222222222' }]));
      const n = await start(['--port', '0', '--memory', '--credentials-file', file, '--log-level', 'silent'], { NIMBUS_CREDENTIALS: 'ENVKEY:envsecret:111111111111' });
      for (const [accessKeyId, secretAccessKey, account] of [
        ['test', 'test', '000000000000'],
        ['ENVKEY', 'envsecret', '111111111111'],
        ['FILEKEY', 'filesecret', '222222222222'],
      ] as const) {
        const sqs = new SQSClient({ endpoint: n.endpoint, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
        const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'mine' }));
        assert.equal(QueueUrl, `${n.endpoint}/${account}/mine`);
        sqs.destroy();
      }
      n.child.kill('SIGTERM');
      assert.equal((await n.exit).code, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('nimbus start refuses bad input', () => {
  const refused = async (args: string[], message: RegExp, env: Record<string, string> = {}) => {
    const r = await run(args, env);
    assert.notEqual(r.code, 0, `exited 0: ${r.stdout}`);
    assert.notEqual(r.code, null, 'killed: it hung instead of refusing');
    assert.match(r.stderr, message);
    assert.match(r.stderr, USAGE);
    assert.doesNotMatch(r.stdout, /NIMBUS_READY/);
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'a usage error is not a stack trace');
  };

  it('--port abc', () => refused(['start', '--port', 'abc', '--memory'], /invalid port: abc/));
  it('--port 70000', () => refused(['start', '--port', '70000', '--memory'], /invalid port: 70000/));
  it('--port 1e3 and --port 0x50 (not decimal)', async () => {
    await refused(['start', '--port', '1e3', '--memory'], /invalid port: 1e3/);
    await refused(['start', '--port', '0x50', '--memory'], /invalid port: 0x50/);
  });
  it('an empty NIMBUS_PORT is not port 0', () => refused(['start', '--memory'], /invalid port/, { NIMBUS_PORT: '' }));
  it('--bogus', () => refused(['start', '--bogus'], /unknown flag: --bogus/));
  it('--ttl-sweep-interval 0 and abc', async () => {
    await refused(['start', '--memory', '--ttl-sweep-interval', '0'], /invalid TTL sweep interval/);
    await refused(['start', '--memory'], /invalid TTL sweep interval \(seconds, 0.05 to 86400\): abc/, { NIMBUS_TTL_SWEEP_INTERVAL: 'abc' });
  });
  it('--max-function-environments 0 and --function-idle-timeout x', async () => {
    await refused(['start', '--memory', '--max-function-environments', '0'], /invalid maximum function environments \(1 to 10000\): 0/);
    await refused(['start', '--memory'], /invalid function idle timeout \(seconds\) \(1 to 86400\): x/, { NIMBUS_FUNCTION_IDLE_TIMEOUT: 'x' });
  });
  it('--port without a value', () => refused(['start', '--memory', '--port'], /--port needs a value/));
  it('a stray argument', () => refused(['start', 'now'], /unexpected argument: now/));
  it('--memory with --data-dir', () => refused(['start', '--memory', '--data-dir', 'x'], /--memory and --data-dir exclude each other/));
  it('NIMBUS_MEMORY with NIMBUS_DATA_DIR', () =>
    refused(['start', '--port', '0'], /NIMBUS_MEMORY and NIMBUS_DATA_DIR exclude each other/, { NIMBUS_MEMORY: '1', NIMBUS_DATA_DIR: 'x' }));
  it('--memory=maybe', () => refused(['start', '--memory=maybe'], /--memory/));
  it('a bad --log-level', () => refused(['start', '--memory', '--log-level', 'loud'], /invalid log level: loud/));
  it('a bad NIMBUS_CREDENTIALS', () => refused(['start', '--memory', '--port', '0'], /NIMBUS_CREDENTIALS/, { NIMBUS_CREDENTIALS: 'nokey' }));
  it('an unknown command', () => refused(['serve'], /unknown command: serve/));
  it('no command', () => refused([], USAGE));

  it('--help prints the usage and exits 0', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, USAGE);
  });

  it('a data dir that cannot be created: a clear message, non-zero exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-cli-file-'));
    try {
      const file = join(dir, 'a-file');
      writeFileSync(file, '');
      const r = await run(['start', '--port', '0', '--data-dir', join(file, 'sub'), '--log-level', 'silent']);
      assert.notEqual(r.code, 0);
      assert.notEqual(r.code, null);
      assert.match(r.stderr, /^nimbus: cannot start: ENOTDIR/m);
      assert.doesNotMatch(r.stderr, /^\s+at /m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a port in use: a clear message, non-zero exit', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = blocker.address() as { port: number };
      const r = await run(['start', '--memory', '--port', String(port), '--log-level', 'silent']);
      assert.notEqual(r.code, 0);
      assert.notEqual(r.code, null);
      assert.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
      assert.doesNotMatch(r.stderr, /^\s+at /m);
    } finally {
      blocker.close();
    }
  });
});
