/**
 * The runtime's small parts on their own: log framing and tails, stream names, the code
 * root that lets handlers import the SDK, the reserved variables.
 */
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createLogger } from '../../src/lib/log.js';
import { nodeCommand, RESERVED_ENVIRONMENT_VARIABLES } from '../../src/runtime/launch.js';
import { LineSplitter, LogStream, MAX_EVENT_CHARS, streamName } from '../../src/runtime/log-stream.js';
import { exitText } from '../../src/runtime/process-info.js';
import { prepareCodeRoot, sdkNodeModules } from '../../src/runtime/sdk-link.js';
import type { SinkCall } from './helpers.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('log framing', () => {
  test('lines split on \\n only; \\r inside a line is a newline within one event', () => {
    const out: string[] = [];
    const s = new LineSplitter((l) => out.push(l));
    s.push('a\rb\nc');
    s.push('d\r\ne\n\n');
    s.push('tail');
    assert.deepEqual(out, ['a\nb', 'cd', 'e', '']);
    s.end();
    assert.deepEqual(out.at(-1), 'tail');
  });

  test('a line longer than an event can hold is cut', () => {
    const out: string[] = [];
    const s = new LineSplitter((l) => out.push(l));
    s.push('x'.repeat(MAX_EVENT_CHARS * 2 + 5));
    s.push('\n');
    assert.deepEqual(out.map((l) => l.length), [MAX_EVENT_CHARS, MAX_EVENT_CHARS, 5]);
  });

  test('events are batched per flush, with the injected clock; the tail is the last 4 KB, whole characters', async () => {
    const calls: SinkCall[] = [];
    let now = 1000;
    const stream = new LogStream({ sink: (c) => calls.push(c), now: () => now++, log: createLogger('silent'), accountId: 'a', region: 'r', group: 'g', stream: 's' });
    stream.write('before');
    stream.startTail();
    for (let i = 0; i < 3000; i++) stream.write('é'.repeat(3));
    stream.write('last');
    const tail = stream.takeTail();
    assert.ok(Buffer.byteLength(tail) <= 4096 && Buffer.byteLength(tail) > 4080);
    assert.ok(tail.endsWith('éé\nlast\n') && !tail.includes('\ufffd'));
    assert.equal(calls.length, 0);
    stream.flush();
    assert.equal(calls.length, 1);
    assert.equal(calls[0].events.length, 3002);
    assert.deepEqual(calls[0].events[0], { timestamp: 1000, message: 'before' });
    stream.write('later');
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(calls.length, 2, 'a short timer flushes output between invocations');
  });

  test('stream names are dated by the clock and carry the version', () => {
    assert.equal(streamName(Date.UTC(2026, 0, 5), '$LATEST', 'ab'.repeat(16)), `2026/01/05/[$LATEST]${'ab'.repeat(16)}`);
    assert.equal(streamName(Date.UTC(2026, 10, 25), '7', '0'.repeat(32)), `2026/11/25/[7]${'0'.repeat(32)}`);
  });

  test('exit statuses in Lambda\'s words', () => {
    assert.equal(exitText(1, null), 'exit status 1');
    assert.equal(exitText(null, 'SIGKILL'), 'signal: killed');
    assert.equal(exitText(null, 'SIGABRT'), 'signal: aborted');
    assert.equal(exitText(0, null), '');
  });
});

describe('code root', () => {
  test('prepareCodeRoot links the SDK and writes package.json, idempotently, replacing a stale link', () => {
    const root = join(mkdtempSync(join(tmpdir(), 'nimbus-coderoot-')), 'code');
    dirs.push(root);
    prepareCodeRoot(root);
    prepareCodeRoot(root);
    const link = join(root, 'node_modules');
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readlinkSync(link), sdkNodeModules());
    assert.ok(existsSync(join(link, '@aws-sdk', 'client-sqs', 'package.json')));
    assert.equal(readFileSync(join(root, 'package.json'), 'utf8'), '{"type":"commonjs"}\n');
    rmSync(link);
    symlinkSync(join(root, 'nowhere'), link);
    prepareCodeRoot(root);
    assert.equal(readlinkSync(link), sdkNodeModules());
  });

  test('a real node_modules directory already there is left alone', () => {
    const root = mkdtempSync(join(tmpdir(), 'nimbus-coderoot-'));
    dirs.push(root);
    mkdirSync(join(root, 'node_modules'));
    prepareCodeRoot(root);
    assert.ok(lstatSync(join(root, 'node_modules')).isDirectory());
  });
});

test('the reserved variables are Lambda\'s list', () => {
  for (const k of ['AWS_LAMBDA_FUNCTION_NAME', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', '_HANDLER', 'LAMBDA_TASK_ROOT', 'AWS_LAMBDA_RUNTIME_API', 'AWS_REGION', 'TZ']) {
    assert.ok(RESERVED_ENVIRONMENT_VARIABLES.has(k), k);
  }
  for (const k of ['LANG', 'PATH', 'NODE_PATH', 'PYTHONPATH', 'AWS_ENDPOINT_URL', 'AWS_LAMBDA_EXEC_WRAPPER']) assert.ok(!RESERVED_ENVIRONMENT_VARIABLES.has(k), k);
});

test("a Node environment's heap is sized as Lambda's bootstrap sizes it: new space a tenth of MemorySize", () => {
  const flags = (mb: number) => nodeCommand(mb).args.filter((a) => a.startsWith('--max-'));
  assert.deepEqual(flags(512), ['--max-semi-space-size=25', '--max-old-space-size=461']);
  assert.deepEqual(flags(128), ['--max-semi-space-size=6', '--max-old-space-size=116']);
  assert.deepEqual(flags(10240), ['--max-semi-space-size=512', '--max-old-space-size=9216']);
});
