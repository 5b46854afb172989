/**
 * The pool: warm reuse, retiring, concurrency limits and the machine-wide cap, idle expiry,
 * spare processes, closing; and the Runtime API's answers to a misbehaving runtime.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ThrottledError } from '../../src/runtime/types.js';
import { harness, processAlive, until, type Harness } from './helpers.js';

let h: Harness;
before(() => {
  h = harness();
});
after(() => h.close());

const SLEEPY = `exports.handler = async (e) => { if (e.wait) await new Promise((r) => setTimeout(r, e.wait)); return process.pid; };`;

/**
 * A custom runtime (Node) that answers one invocation with its pid, then runs `after` instead
 * of asking for the next one.
 */
function answerOnceThen(after: string): string {
  return `#!/usr/bin/env node
const http = require('http');
const call = (method, path, body) => new Promise((ok) => {
  const req = http.request('http://' + process.env.AWS_LAMBDA_RUNTIME_API + '/2018-06-01/runtime' + path, { method }, (res) => { let b = ''; res.on('data', (c) => (b += c)); res.on('end', () => ok({ headers: res.headers, body: b })); });
  req.end(body);
});
(async () => {
  const next = await call('GET', '/invocation/next');
  await call('POST', '/invocation/' + next.headers['lambda-runtime-aws-request-id'] + '/response', JSON.stringify(process.pid));
  ${after}
})();
`;
}

describe('pool', { concurrency: true }, () => {
  test('warm reuse: the same process serves consecutive invocations', async () => {
    const spec = h.spec(h.code({ 'index.js': SLEEPY }));
    const pids = [];
    for (let i = 0; i < 5; i++) pids.push((await h.invoke(spec)).json);
    assert.equal(new Set(pids).size, 1);
    assert.equal(h.pool.busy(spec.key), 0);
  });

  test('concurrent invocations get their own environments; a limit throttles without queueing', async () => {
    const spec = h.spec(h.code({ 'index.js': SLEEPY }));
    const first = h.invoke(spec, { wait: 400 }, { concurrencyLimit: 2 });
    const second = h.invoke(spec, { wait: 400 }, { concurrencyLimit: 2 });
    await until(() => h.pool.busy(spec.key) === 2);
    await assert.rejects(h.invoke(spec, {}, { concurrencyLimit: 2 }), (e: unknown) => e instanceof ThrottledError && e.reason === 'ReservedFunctionConcurrentInvocationLimitExceeded' && e.message === 'Rate Exceeded.');
    await assert.rejects(h.invoke(spec, {}, { concurrencyLimit: 0 }), ThrottledError);
    const [a, b] = await Promise.all([first, second]);
    assert.notEqual(a.json, b.json);
    // Both now idle and warm: two more concurrent invocations reuse them.
    const again = await Promise.all([h.invoke(spec, { wait: 100 }), h.invoke(spec, { wait: 100 })]);
    assert.deepEqual(new Set(again.map((r) => r.json)), new Set([a.json, b.json]));
  });

  test('retire: idle environments stop now, busy ones after their invocation', async () => {
    const spec = h.spec(h.code({ 'index.js': SLEEPY }));
    const idlePid = (await h.invoke(spec)).json as number;
    const busy = h.invoke(spec, { wait: 300 });
    await until(() => h.pool.busy(spec.key) === 1);
    h.pool.retire(spec.key.slice(0, spec.key.lastIndexOf('|') + 1));
    await until(() => !processAlive(idlePid));
    const busyResult = await busy;
    assert.equal(busyResult.functionError, undefined, 'a retired busy environment finishes its invocation');
    await until(() => !processAlive(busyResult.json));
    const fresh = await h.invoke(spec);
    assert.ok(fresh.json !== idlePid && fresh.json !== busyResult.json);
    assert.ok(fresh.initDurationMs! > 0);
  });
});

describe('an environment that dies between invocations', () => {
  test('the next invocation, never delivered to it, runs in a fresh one', async () => {
    // A custom runtime that answers one invocation, then exits instead of asking for the next.
    const bootstrap = answerOnceThen('setTimeout(() => process.exit(0), 300);');
    const spec = h.spec(h.code({ bootstrap: { text: bootstrap, mode: 0o755 } }), { runtime: 'provided' });
    const first = await h.invoke(spec);
    const second = await h.invoke(spec); // assigned to the warm environment, which then exits
    assert.equal(second.functionError, undefined, second.payload.toString());
    assert.notEqual(second.json, first.json);
    assert.ok(second.initDurationMs! > 0);
  });
});

describe('machine-wide cap', () => {
  test('at the cap an idle environment of another function makes room; a busy one throttles', async () => {
    const small = harness({ maxEnvironments: 1 });
    try {
      const a = small.spec(small.code({ 'index.js': SLEEPY }));
      const b = small.spec(small.code({ 'index.js': SLEEPY }));
      const pidA = (await small.invoke(a)).json as number;
      const pidB = (await small.invoke(b)).json as number; // evicts a's idle environment
      await until(() => !processAlive(pidA));
      assert.equal(small.pool.stats().environments, 1);
      const busyB = small.invoke(b, { wait: 300 });
      await until(() => small.pool.busy() === 1);
      await assert.rejects(small.invoke(a), (e: unknown) => e instanceof ThrottledError && e.reason === 'ConcurrentInvocationLimitExceeded');
      await assert.rejects(small.invoke(b), (e: unknown) => e instanceof ThrottledError && e.reason === 'ConcurrentInvocationLimitExceeded');
      assert.equal((await busyB).json, pidB);
    } finally {
      await small.close();
    }
  });

  test('idle environments stop after idleMs; close() kills everything', async () => {
    const quick = harness({ idleMs: 200 });
    try {
      const spec = quick.spec(quick.code({ 'index.js': SLEEPY }));
      const pid = (await quick.invoke(spec)).json as number;
      await until(() => !processAlive(pid));
      assert.equal(quick.pool.stats().environments, 0);
      const busy = quick.invoke(spec, { wait: 5000 });
      await until(() => quick.pool.busy() === 1);
      await quick.pool.close();
      const r = await busy;
      assert.equal(r.errorType, 'Runtime.ExitError');
      await assert.rejects(quick.invoke(spec), /closed/);
    } finally {
      await quick.close();
    }
  });
});

describe('spare processes', () => {
  test('a Node cold start adopts a spare and still sees only its own environment', async () => {
    const code = h.code({
      'index.js': `exports.handler = async () => ({ pid: process.pid, uptime: process.uptime() * 1000, cwd: process.cwd(), v: process.env.V, keys: Object.keys(process.env).sort(), nodePath: require('module').globalPaths.includes(process.env.LAMBDA_TASK_ROOT) });`,
    });
    const first = await h.invoke(h.spec(code, { environment: { V: '1' } }));
    await until(() => h.pool.stats().spares > 0);
    await new Promise((r) => setTimeout(r, 1000));
    const second = await h.invoke(h.spec(code, { environment: { V: '2' } }));
    assert.ok(second.json.uptime >= 1000, 'the process was started before the invocation: a spare');
    assert.notEqual(first.json.pid, second.json.pid);
    assert.deepEqual({ ...second.json, pid: 0, uptime: 0 }, { ...first.json, pid: 0, uptime: 0, v: '2' });
    assert.equal(second.json.cwd, code);
    assert.equal(second.json.nodePath, true);
    // Startup-only variables rule out a spare; the function still runs.
    const third = await h.invoke(h.spec(code, { environment: { V: '3', NODE_OPTIONS: '--no-deprecation' } }));
    assert.equal(third.json.v, '3');
  });
});

describe('Runtime API', () => {
  test('answers a custom runtime as Lambda does: 400 for a wrong id, 404 for unknown paths, 403 for a late init error', async () => {
    const bootstrap = `#!/usr/bin/env node
const http = require('http');
const api = process.env.AWS_LAMBDA_RUNTIME_API;
const call = (method, path, body, headers = {}) => new Promise((ok, fail) => {
  const req = http.request('http://' + api + path, { method, headers }, (res) => { let b = ''; res.on('data', (c) => (b += c)); res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body: b })); });
  req.on('error', fail);
  req.end(body);
});
(async () => {
  for (;;) {
    const next = await call('GET', '/2018-06-01/runtime/invocation/next');
    const id = next.headers['lambda-runtime-aws-request-id'];
    const probes = {
      wrongId: (await call('POST', '/2018-06-01/runtime/invocation/not-' + id + '/response', '{}')).status,
      wrongIdBody: JSON.parse((await call('POST', '/2018-06-01/runtime/invocation/x/error', '{}')).body),
      unknown: (await call('GET', '/2018-06-01/runtime/nothing')).status,
      lateInitError: (await call('POST', '/2018-06-01/runtime/init/error', '{}')).status,
      headers: { deadline: Number(next.headers['lambda-runtime-deadline-ms']) - Date.now(), arn: next.headers['lambda-runtime-invoked-function-arn'], type: next.headers['content-type'] },
      event: JSON.parse(next.body),
      handler: process.env._HANDLER,
      execEnv: process.env.AWS_EXECUTION_ENV,
    };
    const posted = await call('POST', '/2018-06-01/runtime/invocation/' + id + '/response', JSON.stringify(probes));
    if (posted.status !== 202) process.exit(9);
    if ((await call('POST', '/2018-06-01/runtime/invocation/' + id + '/response', '{}')).status !== 400) process.exit(8);
  }
})();
`;
    const spec = h.spec(h.code({ bootstrap: { text: bootstrap, mode: 0o755 } }), { runtime: 'provided.al2023', handler: 'anything.here', timeoutSeconds: 10 });
    const r = await h.invoke(spec, { hi: 1 });
    assert.equal(r.functionError, undefined, r.payload.toString());
    const j = r.json;
    assert.equal(j.wrongId, 400);
    assert.deepEqual(j.wrongIdBody, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
    assert.equal(j.unknown, 404);
    assert.equal(j.lateInitError, 403);
    assert.ok(j.headers.deadline > 8000 && j.headers.deadline <= 10000);
    assert.equal(j.headers.arn, spec.functionArn);
    assert.equal(j.headers.type, 'application/json');
    assert.deepEqual(j.event, { hi: 1 });
    assert.equal(j.handler, 'anything.here');
    assert.equal(j.execEnv, undefined, 'custom runtimes get no AWS_EXECUTION_ENV');
    assert.equal((await h.invoke(spec, { hi: 2 })).json.event.hi, 2);
  });
});

describe('closing the pool', () => {
  test('an invocation whose environment close() took is not retried on a fresh one', async () => {
    // A custom runtime that answers one invocation, then stays alive without asking for the next.
    const bootstrap = answerOnceThen('setInterval(() => undefined, 1000);');
    const own = harness();
    const spec = own.spec(own.code({ bootstrap: { text: bootstrap, mode: 0o755 } }), { runtime: 'provided' });
    await own.invoke(spec);
    const pending = own.invoke(spec); // assigned to the warm environment, never delivered
    const outcome = pending.then(
      () => 'ran',
      () => 'failed',
    );
    await own.close();
    assert.equal(await outcome, 'failed');
    assert.equal(own.pool.stats().environments, 0, 'no environment started after close()');
    await assert.rejects(own.invoke(spec), /closed/);
  });
});

describe('Runtime API robustness', () => {
  test('a second concurrent /next is refused with 403; the held one still gets the invocation', async () => {
    const bootstrap = `#!/usr/bin/env node
const http = require('http');
const api = process.env.AWS_LAMBDA_RUNTIME_API;
const call = (method, path, body) => new Promise((ok, fail) => {
  const req = http.request('http://' + api + '/2018-06-01/runtime' + path, { method, agent: false }, (res) => { let b = ''; res.on('data', (c) => (b += c)); res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body: b })); });
  req.on('error', fail);
  req.end(body);
});
(async () => {
  const n = await call('GET', '/invocation/next');
  await call('POST', '/invocation/' + n.headers['lambda-runtime-aws-request-id'] + '/response', n.body);
  // Idle now: ask twice at once.
  const first = call('GET', '/invocation/next');
  await new Promise((r) => setTimeout(r, 50));
  const second = await call('GET', '/invocation/next');
  const next = await first;
  const id = next.headers['lambda-runtime-aws-request-id'];
  await call('POST', '/invocation/' + id + '/response', JSON.stringify({ second: second.status, secondBody: JSON.parse(second.body), event: JSON.parse(next.body) }));
  for (;;) {
    const n = await call('GET', '/invocation/next');
    await call('POST', '/invocation/' + n.headers['lambda-runtime-aws-request-id'] + '/response', n.body);
  }
})();
`;
    const spec = h.spec(h.code({ bootstrap: { text: bootstrap, mode: 0o755 } }), { runtime: 'provided.al2023' });
    assert.deepEqual((await h.invoke(spec, { n: 1 })).json, { n: 1 });
    await new Promise((r) => setTimeout(r, 150)); // both /next calls made
    const r = await h.invoke(spec, { n: 2 });
    assert.equal(r.functionError, undefined, r.payload.toString());
    assert.deepEqual(r.json, { second: 403, secondBody: { errorMessage: 'State transition is not allowed', errorType: 'InvalidStateTransition' }, event: { n: 2 } });
    assert.deepEqual((await h.invoke(spec, { n: 3 })).json, { n: 3 }, 'the environment lives on');
  });

  test('an error on the listening server is logged, not thrown', async () => {
    const { RuntimeApi } = await import('../../src/runtime/runtime-api.js');
    const errors: Error[] = [];
    const api = new RuntimeApi({ next: () => undefined, result: () => ({ status: 202, body: {} }), initError: () => ({ status: 202, body: {} }), failed: () => undefined, serverError: (e) => errors.push(e) });
    await api.listen();
    try {
      const emfile = Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' });
      (api as unknown as { server: import('node:http').Server }).server.emit('error', emfile);
      assert.deepEqual(errors, [emfile]);
    } finally {
      api.close();
    }
  });
});
