/**
 * Custom runtimes (`provided*`: the code's own bootstrap executable) and Python handlers run
 * by Nimbus's Python bootstrap, when python3 is installed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { harness, until, type Harness } from './helpers.js';

let h: Harness;
before(() => {
  // Custom and Python runtimes run sandboxed where the machine allows (sandbox.ts).
  h = harness({ sandbox: 'auto' });
});
after(() => h.close());

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const SHELL_BOOTSTRAP = `#!/bin/sh
set -eu
API="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
echo "custom runtime starting for $_HANDLER"
while true; do
  HEADERS="$(mktemp)"
  EVENT="$(curl -sS -LD "$HEADERS" "$API/invocation/next")"
  ID="$(grep -i Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)"
  echo "got $EVENT"
  if [ "$EVENT" = '{"fail":true}' ]; then
    curl -sS -X POST -H 'Lambda-Runtime-Function-Error-Type: Custom.Failure' -d '{"errorMessage":"it failed","errorType":"Custom.Failure"}' "$API/invocation/$ID/error" >/dev/null
  else
    curl -sS -X POST -d "{\\"echo\\":$EVENT,\\"tmp\\":\\"$TMPDIR\\"}" "$API/invocation/$ID/response" >/dev/null
  fi
done
`;

describe('provided runtimes', { concurrency: true }, () => {
  test('a shell bootstrap with curl', { skip: !has('curl') && 'curl is not installed' }, async () => {
    const spec = h.spec(h.code({ bootstrap: { text: SHELL_BOOTSTRAP, mode: 0o755 } }), { runtime: 'provided.al2', handler: 'function.handler' });
    const ok = await h.invoke(spec, { a: [1, 2] });
    assert.equal(ok.functionError, undefined, ok.payload.toString());
    assert.deepEqual(ok.json.echo, { a: [1, 2] });
    assert.ok(h.pool.sandboxed ? ok.json.tmp === '/tmp' : ok.json.tmp.startsWith(h.workDir));
    assert.ok(ok.logTail.includes('got {"a":[1,2]}'));
    await until(() => h.events().some((e) => e.message === 'custom runtime starting for function.handler'));
    const failed = await h.invoke(spec, { fail: true });
    assert.equal(failed.functionError, 'Unhandled');
    assert.equal(failed.errorType, 'Custom.Failure');
    assert.deepEqual(failed.json, { errorMessage: 'it failed', errorType: 'Custom.Failure' });
  });

  test('a missing or non-executable bootstrap: Runtime.InvalidEntrypoint', async () => {
    const missing = await h.invoke(h.spec(h.code({ 'main.sh': '' }), { runtime: 'provided' }));
    assert.equal(missing.errorType, 'Runtime.InvalidEntrypoint');
    assert.match(missing.json.errorMessage, /^RequestId: \S+ Error: Couldn't find valid bootstrap\(s\): \[\S+\/bootstrap \/opt\/bootstrap\]$/);
    const plain = await h.invoke(h.spec(h.code({ bootstrap: { text: '#!/bin/sh\n', mode: 0o644 } }), { runtime: 'provided.al2023' }));
    assert.equal(plain.errorType, 'Runtime.InvalidEntrypoint');
    assert.match(plain.json.errorMessage, /permission denied$/);
  });

  test('a bootstrap reporting /init/error', async () => {
    const bootstrap = `#!/usr/bin/env node
const http = require('http');
const req = http.request('http://' + process.env.AWS_LAMBDA_RUNTIME_API + '/2018-06-01/runtime/init/error', { method: 'POST', headers: { 'Lambda-Runtime-Function-Error-Type': 'Custom.InitBroke' } }, (res) => { res.resume(); res.on('end', () => setTimeout(() => {}, 10000)); });
req.end(JSON.stringify({ errorMessage: 'no config', errorType: 'Custom.InitBroke' }));
`;
    const r = await h.invoke(h.spec(h.code({ bootstrap: { text: bootstrap, mode: 0o755 } }), { runtime: 'provided' }));
    assert.equal(r.functionError, 'Unhandled');
    assert.equal(r.errorType, 'Custom.InitBroke');
    assert.deepEqual(r.json, { errorMessage: 'no config', errorType: 'Custom.InitBroke' });
  });
});

describe('python', { skip: !has('python3') && 'python3 is not installed', concurrency: true }, () => {
  const APP = `import json, logging, os, sys
logger = logging.getLogger()
logger.setLevel(logging.INFO)
print("cold start")

def handler(event, context):
    print("event", json.dumps(event))
    logger.info("info line\\nsecond line")
    if event.get("fail"):
        raise ValueError("bad value")
    return {
        "event": event,
        "name": context.function_name,
        "request": context.aws_request_id,
        "memory": context.memory_limit_in_mb,
        "arn": context.invoked_function_arn,
        "remaining": context.get_remaining_time_in_millis(),
        "tmp": os.environ["TMPDIR"],
        "fn_env": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        "exec": os.environ.get("AWS_EXECUTION_ENV"),
        "pid": os.getpid(),
    }
`;

  test('a python3.12 handler: context, logs, warm reuse, errors', async () => {
    const spec = h.spec(h.code({ 'pkg/app.py': APP }), { runtime: 'python3.12', handler: 'pkg/app.handler', environment: { AWS_LAMBDA_FUNCTION_NAME: 'spoof' } });
    const r = await h.invoke(spec, { n: 1 });
    assert.equal(r.functionError, undefined, r.payload.toString());
    const j = r.json;
    assert.deepEqual(j.event, { n: 1 });
    assert.equal(j.name, spec.functionName);
    assert.equal(j.fn_env, spec.functionName);
    assert.equal(j.request, r.requestId);
    assert.equal(j.memory, 128);
    assert.equal(j.arn, spec.functionArn);
    assert.equal(j.exec, 'AWS_Lambda_python3.12');
    assert.ok(j.remaining > 2000 && j.remaining <= 3000);
    assert.ok(h.pool.sandboxed ? j.tmp === '/tmp' : j.tmp.startsWith(h.workDir));
    assert.ok(r.logTail.includes('event {"n": 1}\n'));
    assert.match(r.logTail, new RegExp(`\\[INFO\\]\\t\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\t${r.requestId}\\tinfo line\\nsecond line\\n`));
    await until(() => h.events().some((e) => e.message === 'cold start'));
    const failed = await h.invoke(spec, { fail: true });
    assert.equal(failed.functionError, 'Unhandled');
    assert.equal(failed.errorType, 'ValueError');
    assert.equal(failed.json.errorMessage, 'bad value');
    assert.equal(failed.json.requestId, failed.requestId);
    assert.match(failed.json.stackTrace.at(-1), /raise ValueError\("bad value"\)/);
    assert.ok(failed.logTail.includes('[ERROR] ValueError: bad value\nTraceback (most recent call last):'));
    assert.equal((await h.invoke(spec, { n: 2 })).json.pid, j.pid, 'warm reuse');
  });

  test('python init errors', async () => {
    const missing = await h.invoke(h.spec(h.code({ 'x.py': '' }), { runtime: 'python3.12', handler: 'app.handler' }));
    assert.equal(missing.errorType, 'Runtime.ImportModuleError');
    assert.equal(missing.json.errorMessage, "Unable to import module 'app': No module named 'app'");
    const noHandler = await h.invoke(h.spec(h.code({ 'app.py': 'x = 1' }), { runtime: 'python3.11', handler: 'app.handler' }));
    assert.equal(noHandler.errorType, 'Runtime.HandlerNotFound');
    assert.equal(noHandler.json.errorMessage, "Handler 'handler' missing on module 'app'");
    const escape = await h.invoke(h.spec(h.code({ 'app.py': '' }), { runtime: 'python3.12', handler: '../app.handler' }));
    assert.equal(escape.errorType, 'Runtime.MalformedHandlerName');
  });
});
