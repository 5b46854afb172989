/**
 * The function sandbox, attacked from inside through the real Lambda API: functions written
 * here try to read Nimbus's environment and another function's, reach the data directory,
 * write outside /tmp, signal Nimbus, use memory beyond MemorySize off-heap, and start more
 * processes than Lambda allows. Skipped where this machine cannot sandbox (the fallback is
 * covered by sandbox-fallback.test.ts and the other runtime tests, which run plain processes).
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../src/lib/log.js';
import { detectCgroups } from '../../src/runtime/cgroups.js';
import { detectSandbox } from '../../src/runtime/sandbox.js';
import { createFunction, decode, startLambdaNimbus } from '../helpers/lambda.js';
import type { TestNimbus } from '../helpers/nimbus.js';

const sandbox = detectSandbox('auto', createLogger('silent'));
const cgroups = typeof detectCgroups() !== 'string';
const SECRET = `nimbus-secret-${process.pid}-${Math.random().toString(36).slice(2)}`;

/** A handler running the probe named by event.op; every probe returns what it managed to see or do. */
const PROBE = `
const fs = require('node:fs');
const cp = require('node:child_process');
const attempt = (f) => { try { return { ok: true, value: f() }; } catch (e) { return { ok: false, code: e.code || e.message }; } };
const environs = () => fs.readdirSync('/proc').filter((d) => /^\\d+$/.test(d)).map((pid) => attempt(() => fs.readFileSync('/proc/' + pid + '/environ', 'latin1')));
exports.handler = async (event) => {
  switch (event.op) {
    case 'env': return {
      own: JSON.stringify(process.env),
      proc1: attempt(() => fs.readFileSync('/proc/1/environ', 'latin1')),
      parent: attempt(() => fs.readFileSync('/proc/' + process.ppid + '/environ', 'latin1')),
      nimbus: attempt(() => fs.readFileSync('/proc/' + event.nimbusPid + '/environ', 'latin1')),
      all: environs(),
    };
    case 'fs': return {
      uid: process.getuid(),
      listData: attempt(() => fs.readdirSync(event.dataDir)),
      readData: attempt(() => fs.readFileSync(event.dataFile).length),
      writeCode: attempt(() => fs.writeFileSync(process.env.LAMBDA_TASK_ROOT + '/index.js', 'hacked')),
      writeCodeRoot: attempt(() => fs.writeFileSync(process.env.LAMBDA_TASK_ROOT + '/../evil.js', 'x')),
      writeUsr: attempt(() => fs.writeFileSync('/usr/evil', 'x')),
      writeEtc: attempt(() => fs.writeFileSync('/etc/evil', 'x')),
      writeRoot: attempt(() => fs.writeFileSync('/evil', 'x')),
      writeTmp: attempt(() => { fs.writeFileSync('/tmp/ok', 'fine'); return fs.readFileSync('/tmp/ok', 'utf8'); }),
      tmpdir: process.env.TMPDIR,
    };
    case 'kill': return { signal0: attempt(() => process.kill(event.nimbusPid, 0)), pids: fs.readdirSync('/proc').filter((d) => /^\\d+$/.test(d)).length };
    case 'offheap': {
      const keep = [];
      // Stops by itself at 1 GB: unbounded, it would answer instead of being killed.
      for (let i = 0; i < 64; i++) keep.push(Buffer.alloc(16 * 1024 * 1024, 1));
      return { survived: keep.length };
    }
    case 'fork': {
      // One shell starts sleepers until a fork fails (the shell then exits): one line each.
      const r = cp.spawnSync('/bin/sh', ['-c', 'i=0; while [ $i -lt 1100 ]; do sleep 60 >/dev/null 2>&1 & echo $!; i=$((i+1)); done'], { encoding: 'utf8', maxBuffer: 1 << 20 });
      const children = r.stdout.split('\\n').filter(Boolean).map(Number);
      for (const pid of children) attempt(() => process.kill(pid, 'SIGKILL'));
      return { started: children.length, status: r.status, stderr: r.stderr.slice(0, 200) };
    }
  }
};
`;

let t: TestNimbus;
let lambda: LambdaClient;
before(async () => {
  if (!sandbox) return;
  process.env.NIMBUS_SANDBOX_TEST_SECRET = SECRET;
  ({ t, lambda } = await startLambdaNimbus({ memory: false }));
  await createFunction(lambda, 'probe', { 'index.js': PROBE }, { MemorySize: 256, Timeout: 30 });
  await createFunction(lambda, 'holder', { 'index.js': `exports.handler = async () => { await new Promise((r) => setTimeout(r, 50)); return process.pid; };` }, { Environment: { Variables: { OTHER_SECRET: `${SECRET}-other` } } });
});
after(async () => {
  delete process.env.NIMBUS_SANDBOX_TEST_SECRET;
  await t?.stop();
});

async function probe(name: string, event: Record<string, unknown>): Promise<{ status: string | undefined; json: any }> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(event) }));
  return { status: out.FunctionError, json: JSON.parse(decode(out.Payload)) };
}

describe('function sandbox', { skip: !sandbox && 'this machine cannot sandbox functions', concurrency: true }, () => {
  test("a function reads neither Nimbus's environment nor another function's variables", async () => {
    // NODE_TEST_CONTEXT is in this process's initial environment block (node --test sets it):
    // the one /proc/<pid>/environ shows. The secret is in its process.env.
    const marker = readFileSync('/proc/self/environ', 'latin1').includes('NODE_TEST_CONTEXT=') ? 'NODE_TEST_CONTEXT=' : 'PWD=';
    assert.ok(readFileSync('/proc/self/environ', 'latin1').includes(marker));
    // The other function is warm (its environment alive) while the probe looks.
    const holding = probe('holder', {});
    const r = await probe('probe', { op: 'env', nimbusPid: process.pid });
    await holding;
    assert.equal(r.status, undefined, JSON.stringify(r.json));
    const seen = JSON.stringify(r.json);
    assert.ok(!seen.includes(SECRET), 'a secret of Nimbus or of the other function is visible');
    assert.ok(!seen.includes(marker), "Nimbus's environment block is visible");
    assert.equal(r.json.nimbus.ok, false);
    assert.equal(r.json.parent.ok, false); // the parent is outside the PID namespace (ppid 0)
    // /proc lists only the sandbox's own processes (bubblewrap's init and the runtime).
    assert.ok(r.json.all.length <= 3, `${r.json.all.length} processes visible`);
  });

  test('a function cannot see the data directory nor write outside its /tmp; it runs under a uid of its own', async () => {
    const dataDir = t.dataDir!;
    const dataFile = readdirSync(dataDir).map((f) => join(dataDir, f)).find((f) => /\.db$|\.sqlite/.test(f)) ?? join(dataDir, readdirSync(dataDir)[0]!);
    const r = await probe('probe', { op: 'fs', dataDir, dataFile });
    assert.equal(r.status, undefined, JSON.stringify(r.json));
    const j = r.json;
    assert.notEqual(j.uid, 0);
    assert.notEqual(j.uid, process.getuid!());
    assert.deepEqual(j.listData, { ok: false, code: 'ENOENT' });
    assert.deepEqual(j.readData, { ok: false, code: 'ENOENT' });
    for (const k of ['writeCode', 'writeCodeRoot', 'writeUsr', 'writeEtc', 'writeRoot']) {
      assert.equal(j[k].ok, false, `${k} succeeded`);
      assert.ok(['EROFS', 'EACCES', 'EPERM'].includes(j[k].code), `${k}: ${j[k].code}`);
    }
    assert.deepEqual(j.writeTmp, { ok: true, value: 'fine' });
    assert.equal(j.tmpdir, '/tmp');
    // The code is intact for the next environment too.
    const again = await probe('probe', { op: 'kill', nimbusPid: process.pid });
    assert.equal(again.status, undefined);
  });

  test('a function cannot signal Nimbus', async () => {
    const r = await probe('probe', { op: 'kill', nimbusPid: process.pid });
    assert.equal(r.status, undefined, JSON.stringify(r.json));
    assert.equal(r.json.signal0.ok, false);
    assert.ok(['ESRCH', 'EPERM'].includes(r.json.signal0.code), r.json.signal0.code);
  });

  test('a function is stopped at its MemorySize, off-heap Buffers included: Runtime.OutOfMemory', { skip: !cgroups && 'cgroups are not available' }, async () => {
    await createFunction(lambda, 'hog', { 'index.js': PROBE }, { MemorySize: 128, Timeout: 30 });
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'hog', Payload: JSON.stringify({ op: 'offheap' }), LogType: 'Tail' }));
    const json = JSON.parse(decode(out.Payload));
    assert.equal(out.FunctionError, 'Unhandled', JSON.stringify(json));
    assert.equal(json.errorType, 'Runtime.OutOfMemory');
    assert.match(json.errorMessage, /^RequestId: \S+ Error: Runtime exited with error: signal: killed$/);
    const tail = Buffer.from(out.LogResult!, 'base64').toString('utf8');
    assert.match(tail, /Memory Size: 128 MB\tMax Memory Used: 128 MB/);
    // The next invocation gets a fresh environment.
    const next = await probe('hog', { op: 'kill', nimbusPid: process.pid });
    assert.equal(next.status, undefined);
  });

  test('a function cannot start more than 1,024 processes and threads', { skip: !cgroups && 'cgroups are not available' }, async () => {
    const r = await probe('probe', { op: 'fork' });
    assert.equal(r.status, undefined, JSON.stringify(r.json));
    assert.ok(r.json.started > 100 && r.json.started < 1024, JSON.stringify(r.json));
    assert.notEqual(r.json.status, 0, 'every fork succeeded');
  });
});
