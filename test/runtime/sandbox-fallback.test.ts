/**
 * The sandbox and its fallback side by side, on the runtime pool: the same function under
 * 'auto' (sandboxed where the machine allows) and 'off' (plain processes, as on macOS or in
 * a container without namespaces) runs and answers; what differs is what it can see.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../src/lib/log.js';
import { detectSandbox } from '../../src/runtime/sandbox.js';
import { prepareCodeRoot } from '../../src/runtime/sdk-link.js';
import { harness, type Harness } from './helpers.js';

const available = detectSandbox('auto', createLogger('silent')) !== undefined;

const CODE = {
  'index.js': `
const fs = require('node:fs');
const { SQSClient } = require('@aws-sdk/client-sqs');
exports.handler = async () => ({
  uid: process.getuid(),
  pid: process.pid,
  tmp: process.env.TMPDIR,
  sdk: typeof SQSClient,
  procs: fs.readdirSync('/proc').filter((d) => /^\\d+$/.test(d)).length,
  home: process.env.HOME,
});`,
};

let on: Harness;
let off: Harness;
before(() => {
  on = harness({ sandbox: 'auto' });
  off = harness({ sandbox: 'off' });
  prepareCodeRoot(on.codeRoot);
  prepareCodeRoot(off.codeRoot);
});
after(async () => {
  await on.close();
  await off.close();
});

describe('sandbox and fallback', { concurrency: true }, () => {
  test("with the sandbox off, a function runs as a plain process of Nimbus's uid", async () => {
    assert.equal(off.pool.sandboxed, false);
    const r = await off.invoke(off.spec(off.code(CODE)));
    assert.equal(r.functionError, undefined, r.payload.toString());
    assert.equal(r.json.uid, process.getuid!());
    assert.ok(r.json.tmp.startsWith(off.workDir));
    assert.equal(r.json.sdk, 'function');
    assert.ok(r.json.procs > 3); // the whole machine's processes
    // Warm invoke works as before.
    assert.equal((await off.invoke(off.spec(off.code(CODE)))).functionError, undefined);
  });

  test('sandboxed, the same function runs with its own uid, pid namespace and /tmp, and still loads the SDK', { skip: !available && 'this machine cannot sandbox functions' }, async () => {
    assert.equal(on.pool.sandboxed, true);
    const spec = on.spec(on.code(CODE));
    const [a, b] = await Promise.all([on.invoke(spec), on.invoke(spec)]);
    for (const r of [a, b]) {
      assert.equal(r.functionError, undefined, r.payload.toString());
      assert.notEqual(r.json.uid, process.getuid!());
      assert.equal(r.json.tmp, '/tmp');
      assert.equal(r.json.home, '/tmp');
      assert.equal(r.json.sdk, 'function');
      assert.ok(r.json.procs <= 3, `${r.json.procs} processes visible`);
    }
    // Two live environments never share a uid.
    assert.notEqual(a.json.uid, b.json.uid);
  });
});
