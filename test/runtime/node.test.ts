/**
 * The Node.js runtime as function code sees it: handler styles and module formats, the
 * context object, environment variables, logs, errors, init failures and the AWS SDK.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { prepareCodeRoot } from '../../src/runtime/sdk-link.js';
import { harness, until, type Harness } from './helpers.js';

let h: Harness;
before(() => {
  process.env.NIMBUS_TEST_SECRET = 'must-not-leak';
  h = harness();
  prepareCodeRoot(h.codeRoot);
});
after(() => h.close());

describe('handlers', { concurrency: true }, () => {
  test('async CommonJS handler: event in, JSON out, context filled in', async () => {
    const dir = h.code({
      'index.js': `exports.handler = async (event, context) => ({ event, ctx: { ...context, remaining: context.getRemainingTimeInMillis() }, argv: process.argv.length });`,
    });
    const spec = h.spec(dir, { timeoutSeconds: 5 });
    const r = await h.invoke(spec, { a: 1 });
    assert.equal(r.functionError, undefined);
    assert.deepEqual(r.json.event, { a: 1 });
    const c = r.json.ctx;
    assert.equal(c.functionName, spec.functionName);
    assert.equal(c.functionVersion, '$LATEST');
    assert.equal(c.invokedFunctionArn, spec.functionArn);
    assert.equal(c.memoryLimitInMB, '128');
    assert.equal(c.awsRequestId, r.requestId);
    assert.equal(c.logGroupName, spec.logGroup);
    assert.match(c.logStreamName, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.equal(c.callbackWaitsForEmptyEventLoop, true);
    assert.ok(c.remaining > 4000 && c.remaining <= 5000, `remaining ${c.remaining}`);
    assert.ok(r.durationMs > 0 && r.billedDurationMs >= Math.ceil(r.durationMs));
    assert.ok(r.initDurationMs! > 0);
  });

  test('ESM handlers: .mjs, and .js under "type": "module"; nested export paths', async () => {
    const mjs = h.code({ 'index.mjs': `export const handler = async (e) => ({ esm: true, url: import.meta.url.startsWith('file:') });` });
    assert.deepEqual((await h.invoke(h.spec(mjs))).json, { esm: true, url: true });
    const typed = h.code({ 'package.json': '{"type":"module"}', 'src/app.js': `export const api = { v1: { main: async () => 'nested' } };` });
    assert.equal((await h.invoke(h.spec(typed, { handler: 'src/app.api.v1.main' }))).json, 'nested');
    const cjs = h.code({ 'lib/h.cjs': `module.exports = { deep: { fn: async () => 'cjs' } };` });
    assert.equal((await h.invoke(h.spec(cjs, { handler: 'lib/h.deep.fn' }))).json, 'cjs');
  });

  test('callback handlers wait for the event loop unless told not to', async () => {
    const dir = h.code({
      'index.js': `
        let n = 0;
        exports.wait = (event, context, callback) => { setTimeout(() => n++, 300); callback(null, { n }); };
        exports.nowait = (event, context, callback) => { context.callbackWaitsForEmptyEventLoop = false; setTimeout(() => n++, 300); callback(null, { n }); };
        exports.fail = (event, context, callback) => callback(new TypeError('bad input'));
        exports.succeed = (event, context) => context.succeed('ok');
        exports.sync = () => 'ignored';`,
    });
    const wait = await h.invoke(h.spec(dir, { handler: 'index.wait' }));
    assert.deepEqual(wait.json, { n: 0 });
    assert.ok(wait.durationMs >= 250, `waited ${wait.durationMs}`);
    const nowait = await h.invoke(h.spec(dir, { handler: 'index.nowait' }));
    assert.deepEqual(nowait.json, { n: 0 });
    assert.ok(nowait.durationMs < 250, `did not wait: ${nowait.durationMs}`);
    const fail = await h.invoke(h.spec(dir, { handler: 'index.fail' }));
    assert.equal(fail.functionError, 'Unhandled');
    assert.equal(fail.json.errorType, 'TypeError');
    assert.equal(fail.json.errorMessage, 'bad input');
    assert.equal((await h.invoke(h.spec(dir, { handler: 'index.succeed' }))).json, 'ok');
    // A non-async handler that never calls back: null once the loop drains, as on Lambda.
    assert.equal((await h.invoke(h.spec(dir, { handler: 'index.sync' }))).payload.toString(), 'null');
  });

  test('handler errors: thrown Error, rejected non-Error, undefined result', async () => {
    const dir = h.code({
      'index.js': `
        class MyError extends Error { constructor(m) { super(m); this.name = 'MyError'; } }
        exports.err = async () => { throw new MyError('boom'); };
        exports.str = async () => { throw 'plain'; };
        exports.undef = async () => undefined;`,
    });
    const err = await h.invoke(h.spec(dir, { handler: 'index.err' }));
    assert.equal(err.functionError, 'Unhandled');
    assert.equal(err.errorType, 'MyError');
    assert.equal(err.json.errorMessage, 'boom');
    assert.ok(Array.isArray(err.json.trace) && err.json.trace[0] === 'MyError: boom');
    assert.match(err.logTail, /\tERROR\tInvoke Error \t\{"errorType":"MyError","errorMessage":"boom","stack":\[/);
    const str = await h.invoke(h.spec(dir, { handler: 'index.str' }));
    assert.deepEqual(str.json, { errorType: 'string', errorMessage: 'plain', trace: [] });
    const undef = await h.invoke(h.spec(dir, { handler: 'index.undef' }));
    assert.equal(undef.payload.toString(), 'null');
    assert.equal(undef.functionError, undefined);
  });

  test('environment variables: Lambda\'s set, reserved ones protected, nothing of Nimbus leaks', async () => {
    const dir = h.code({ 'index.js': `exports.handler = async () => ({ env: process.env, cwd: process.cwd() });` });
    const spec = h.spec(dir, {
      environment: { MY_VAR: 'mine', AWS_LAMBDA_FUNCTION_NAME: 'spoofed', AWS_ACCESS_KEY_ID: 'spoofed', _HANDLER: 'x.y', TZ: 'Europe/Paris', LANG: 'C.UTF-8' },
    });
    const { json } = await h.invoke(spec);
    const env = json.env as Record<string, string>;
    assert.equal(json.cwd, dir);
    assert.equal(env.MY_VAR, 'mine');
    assert.equal(env.LANG, 'C.UTF-8', 'LANG is not reserved');
    assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, spec.functionName);
    assert.equal(env.AWS_ACCESS_KEY_ID, 'AKIDTEST');
    assert.equal(env.AWS_SECRET_ACCESS_KEY, 'secret');
    assert.equal(env.AWS_SESSION_TOKEN, undefined);
    assert.equal(env._HANDLER, 'index.handler');
    assert.equal(env.TZ, ':UTC');
    assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
    assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '128');
    assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, spec.logGroup);
    assert.match(env.AWS_LAMBDA_LOG_STREAM_NAME, /\[\$LATEST\][0-9a-f]{32}$/);
    assert.equal(env.AWS_REGION, 'us-east-1');
    assert.equal(env.AWS_DEFAULT_REGION, 'us-east-1');
    assert.equal(env.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs20.x');
    assert.match(env.AWS_LAMBDA_RUNTIME_API, /^127\.0\.0\.1:\d+$/);
    assert.equal(env.AWS_LAMBDA_INITIALIZATION_TYPE, 'on-demand');
    assert.equal(env.LAMBDA_TASK_ROOT, dir);
    assert.ok(env.LAMBDA_RUNTIME_DIR && env.NODE_PATH && env.PATH);
    assert.equal(env.AWS_ENDPOINT_URL, 'http://127.0.0.1:4566');
    assert.ok(env.TMPDIR.startsWith(h.workDir));
    assert.equal(env.NIMBUS_TEST_SECRET, undefined);
  });

  test('AWS_LAMBDA_EXEC_WRAPPER runs the runtime through a wrapper script', async () => {
    const dir = h.code({
      'index.js': `exports.handler = async () => process.env.WRAPPED;`,
      'wrapper.sh': { text: '#!/bin/sh\nexport WRAPPED=yes\nexec "$@"\n', mode: 0o755 },
    });
    const r = await h.invoke(h.spec(dir, { environment: { AWS_LAMBDA_EXEC_WRAPPER: `${dir}/wrapper.sh` } }));
    assert.equal(r.json, 'yes', r.payload.toString());
  });

  test('logs: console lines in Lambda format, one event per message, START/END/REPORT, tail', async () => {
    const dir = h.code({
      'index.js': `console.log('loading');
        exports.handler = async (e) => { console.log('first\\nsecond', { a: 1 }); console.warn('careful'); console.error(new Error('shown')); process.stdout.write('raw line\\n'); process.stderr.write('to stderr\\n'); return 1; };`,
    });
    const spec = h.spec(dir);
    const r1 = await h.invoke(spec);
    const r2 = await h.invoke(spec);
    // Lines reach the sink on the stream's short timer.
    await until(() => h.events().some((e) => e.message.startsWith(`REPORT RequestId: ${r2.requestId}`)));
    const stream = h.events().find((e) => e.message === 'START RequestId: ' + r1.requestId + ' Version: $LATEST')!.stream;
    const msgs = h.events(stream).map((e) => e.message);
    assert.match(msgs[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\tundefined\tINFO\tloading$/);
    const i = msgs.indexOf(`START RequestId: ${r1.requestId} Version: $LATEST`);
    assert.ok(i > 0);
    assert.match(msgs[i + 1], new RegExp(`^\\S+Z\\t${r1.requestId}\\tINFO\\tfirst\\nsecond \\{ a: 1 \\}$`));
    assert.match(msgs[i + 2], /\tWARN\tcareful$/);
    assert.match(msgs[i + 3], /\tERROR\tError: shown\n {4}at /);
    assert.equal(msgs[i + 4], 'raw line');
    assert.equal(msgs[i + 5], 'to stderr');
    assert.equal(msgs[i + 6], `END RequestId: ${r1.requestId}`);
    assert.match(msgs[i + 7], new RegExp(`^REPORT RequestId: ${r1.requestId}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms\\t$`));
    const report2 = msgs.find((m) => m.startsWith(`REPORT RequestId: ${r2.requestId}`))!;
    assert.ok(!report2.includes('Init Duration'), 'Init Duration only on the first invocation');
    assert.equal(r2.initDurationMs, undefined);
    assert.ok(r1.logTail.startsWith(`START RequestId: ${r1.requestId}`) && r1.logTail.endsWith('\t\n'));
    assert.ok(!r1.logTail.includes('loading'), 'init output is not part of an invocation');
    assert.ok(r2.logTail.includes('first\nsecond'));
    const ts = h.events(stream).map((e) => e.timestamp);
    assert.deepEqual(ts, [...ts].sort((a, b) => a - b));
  });

  test('logTail keeps the last 4 KB', async () => {
    const dir = h.code({ 'index.js': `exports.handler = async () => { for (let i = 0; i < 200; i++) console.log('line ' + i + ' ' + 'x'.repeat(50)); return 0; };` });
    const r = await h.invoke(h.spec(dir));
    assert.ok(Buffer.byteLength(r.logTail) <= 4096 && Buffer.byteLength(r.logTail) > 3900);
    assert.ok(r.logTail.includes('line 199') && !r.logTail.includes('line 100 '));
    assert.match(r.logTail, /REPORT RequestId: .*\n$/);
  });

  test('trace id, client context and identity reach the handler', async () => {
    const dir = h.code({ 'index.js': `exports.handler = async (e, c) => ({ trace: process.env._X_AMZN_TRACE_ID, cc: c.clientContext, id: c.identity });` });
    const spec = h.spec(dir);
    const cc = Buffer.from(JSON.stringify({ custom: { k: 'v' }, env: { platform: 'x' } })).toString('base64');
    const r = await h.pool.invoke(spec, {
      requestId: 'req-1',
      payload: Buffer.from('{}'),
      invokedFunctionArn: spec.functionArn + ':prod',
      traceId: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      clientContext: cc,
      cognitoIdentity: JSON.stringify({ cognitoIdentityId: 'id-1', cognitoIdentityPoolId: 'pool-1' }),
    });
    const json = JSON.parse(r.payload.toString());
    assert.equal(json.trace, 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1');
    assert.deepEqual(json.cc, { custom: { k: 'v' }, env: { platform: 'x' } });
    assert.deepEqual(json.id, { cognitoIdentityId: 'id-1', cognitoIdentityPoolId: 'pool-1' });
  });

  test('AWS SDK v3 imports without bundling, from CommonJS and ESM; a bundled copy wins', async () => {
    const cjs = h.code({ 'index.js': `const { SQSClient } = require('@aws-sdk/client-sqs'); exports.handler = async () => typeof SQSClient;` });
    const esm = h.code({ 'index.mjs': `import { SQSClient, ListQueuesCommand } from '@aws-sdk/client-sqs'; export const handler = async () => [typeof SQSClient, typeof ListQueuesCommand];` });
    const bundled = h.code({
      'index.js': `exports.handler = async () => require('@aws-sdk/client-sqs').marker;`,
      'node_modules/@aws-sdk/client-sqs/package.json': '{"name":"@aws-sdk/client-sqs","main":"index.js"}',
      'node_modules/@aws-sdk/client-sqs/index.js': `exports.marker = 'bundled';`,
    });
    const [a, b, c] = await Promise.all([h.invoke(h.spec(cjs)), h.invoke(h.spec(esm)), h.invoke(h.spec(bundled))]);
    assert.equal(a.json, 'function', a.payload.toString());
    assert.deepEqual(b.json, ['function', 'function'], b.payload.toString());
    assert.equal(c.json, 'bundled');
  });

  test('response larger than 6 MB: Function.ResponseSizeTooLarge, environment stays warm', async () => {
    const dir = h.code({ 'index.js': `exports.handler = async (e) => e.big ? 'x'.repeat(6291556) : process.pid;` });
    const spec = h.spec(dir);
    const pid = (await h.invoke(spec)).json;
    const r = await h.invoke(spec, { big: true });
    assert.equal(r.functionError, 'Unhandled');
    assert.deepEqual(r.json, { errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).', errorType: 'Function.ResponseSizeTooLarge' });
    assert.equal((await h.invoke(spec)).json, pid);
  });
});

describe('init failures', { concurrency: true }, () => {
  const cases: Array<[string, Record<string, string>, string, string, RegExp]> = [
    ['missing module', { 'other.js': '' }, 'index.handler', 'Runtime.ImportModuleError', /^Error: Cannot find module 'index'/],
    ['missing dependency', { 'index.js': `require('not-a-package-anywhere');` }, 'index.handler', 'Runtime.ImportModuleError', /Cannot find module 'not-a-package-anywhere'/],
    ['missing export', { 'index.js': 'exports.other = 1;' }, 'index.handler', 'Runtime.HandlerNotFound', /^index\.handler is undefined or not exported$/],
    ['not a function', { 'index.js': 'exports.handler = 1;' }, 'index.handler', 'Runtime.HandlerNotFound', /^index\.handler is not a function$/],
    ['malformed handler', { 'index.js': '' }, 'index', 'Runtime.MalformedHandlerName', /^Bad handler$/],
    ['escaping the code dir', { 'index.js': '' }, '../../outside.handler', 'Runtime.MalformedHandlerName', /^Bad handler$/],
    ['syntax error', { 'index.js': 'exports.handler = async () => {' }, 'index.handler', 'Runtime.UserCodeSyntaxError', /^SyntaxError: /],
    ['throws at init', { 'index.js': `throw new RangeError('init failed');` }, 'index.handler', 'RangeError', /^init failed$/],
  ];
  for (const [name, files, handler, errorType, message] of cases) {
    test(name, async () => {
      const spec = h.spec(h.code(files), { handler });
      const r = await h.invoke(spec);
      assert.equal(r.functionError, 'Unhandled');
      assert.equal(r.errorType, errorType);
      assert.equal(r.json.errorType, errorType);
      assert.match(r.json.errorMessage, message);
      assert.equal(h.pool.busy(spec.key), 0);
      assert.ok(r.logTail.includes(`Status: error\tError Type: ${errorType}`), r.logTail);
    });
  }

  test('process exits during init without reporting: Runtime.ExitError', async () => {
    const r = await h.invoke(h.spec(h.code({ 'index.js': 'process.exit(3);' })));
    assert.equal(r.errorType, 'Runtime.ExitError');
    assert.match(r.json.errorMessage, /^RequestId: \S+ Error: Runtime exited with error: exit status 3$/);
  });

  test('unsupported runtime', async () => {
    const r = await h.invoke(h.spec(h.code({ 'index.js': '' }), { runtime: 'cobol9' }));
    assert.equal(r.functionError, 'Unhandled');
    assert.equal(r.errorType, 'Runtime.InvalidEntrypoint');
    assert.match(r.json.errorMessage, /^RequestId: \S+ Error: unsupported runtime "cobol9"$/);
  });
});

describe('failures that end the environment', { concurrency: true }, () => {
  test('timeout: Sandbox.Timedout, process killed, next invocation cold', async () => {
    const dir = h.code({ 'index.js': `exports.handler = async (e) => { if (e.hang) { setInterval(() => {}, 1000); return new Promise(() => {}); } return process.pid; };` });
    const spec = h.spec(dir, { timeoutSeconds: 1 });
    const pid = (await h.invoke(spec)).json as number;
    const r = await h.invoke(spec, { hang: true });
    assert.equal(r.functionError, 'Unhandled');
    assert.equal(r.errorType, 'Sandbox.Timedout');
    assert.deepEqual(r.json, { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${r.requestId} Error: Task timed out after 1.00 seconds` });
    assert.match(r.logTail, new RegExp(`\\n\\d{4}-\\S+Z ${r.requestId} Task timed out after 1\\.00 seconds\\n`));
    assert.match(r.logTail, /\tStatus: timeout\n$/);
    assert.ok(r.durationMs >= 1000);
    assert.throws(() => process.kill(pid, 0));
    const next = await h.invoke(spec);
    assert.notEqual(next.json, pid);
    assert.ok(next.initDurationMs! > 0);
  });

  test('crash: Runtime.ExitError, then a fresh environment', async () => {
    const dir = h.code({ 'index.js': `exports.handler = async (e) => { if (e.exit) process.exit(1); return process.pid; };` });
    const spec = h.spec(dir);
    const pid = (await h.invoke(spec)).json;
    const r = await h.invoke(spec, { exit: true });
    assert.equal(r.errorType, 'Runtime.ExitError');
    assert.deepEqual(r.json, { errorMessage: `RequestId: ${r.requestId} Error: Runtime exited with error: exit status 1`, errorType: 'Runtime.ExitError' });
    assert.match(r.logTail, /Status: error\tError Type: Runtime.ExitError$/m);
    const next = await h.invoke(spec);
    assert.notEqual(next.json, pid);
  });

  test('uncaught exception and unhandled rejection: reported, then a fresh environment', async () => {
    const dir = h.code({
      'index.js': `exports.handler = async (e) => {
        if (e.throwLater) setTimeout(() => { throw new SyntaxError('later'); }, 0);
        if (e.reject) Promise.reject(new Error('nobody listens'));
        if (e.throwLater || e.reject) await new Promise((r) => setTimeout(r, 200));
        return process.pid;
      };`,
    });
    const spec = h.spec(dir);
    const pid = (await h.invoke(spec)).json;
    const thrown = await h.invoke(spec, { throwLater: true });
    assert.equal(thrown.errorType, 'SyntaxError');
    assert.equal(thrown.json.errorMessage, 'later');
    const after1 = (await h.invoke(spec)).json;
    assert.notEqual(after1, pid);
    const rejected = await h.invoke(spec, { reject: true });
    assert.equal(rejected.errorType, 'Runtime.UnhandledPromiseRejection');
    assert.equal(rejected.json.errorMessage, 'Error: nobody listens');
    assert.notEqual((await h.invoke(spec)).json, after1);
  });

  test('heap exhaustion: Runtime.OutOfMemory', async () => {
    const dir = h.code({ 'index.js': `exports.handler = async () => { const keep = []; for (;;) keep.push(new Array(1 << 20).fill(1.5)); };` });
    const r = await h.invoke(h.spec(dir, { memoryMb: 128, timeoutSeconds: 20 }));
    assert.equal(r.functionError, 'Unhandled');
    assert.equal(r.errorType, 'Runtime.OutOfMemory');
    assert.match(r.json.errorMessage, /^RequestId: \S+ Error: Runtime exited with error: (signal: \w+|exit status \d+)$/);
    assert.ok(r.logTail.includes('JavaScript heap out of memory'));
  });

  test('TMPDIR is private to an environment and removed with it', async () => {
    const dir = h.code({ 'index.js': `const fs = require('fs'); exports.handler = async (e) => { const d = require('os').tmpdir(); fs.writeFileSync(d + '/f', 'x'); await new Promise((r) => setTimeout(r, e.wait)); return d; };` });
    const spec = h.spec(dir);
    const [a, b] = await Promise.all([h.invoke(spec, { wait: 300 }), h.invoke(spec, { wait: 300 })]);
    assert.notEqual(a.json, b.json);
    assert.ok(existsSync(a.json) && existsSync(b.json));
    h.pool.retire(spec.key);
    const { until } = await import('./helpers.js');
    await until(() => !existsSync(a.json) && !existsSync(b.json));
  });
});
