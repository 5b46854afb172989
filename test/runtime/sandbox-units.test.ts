/**
 * The sandbox's pieces without a function: what it says at start, and how read-only mounts
 * are laid out.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createLogger } from '../../src/lib/log.js';
import { detectSandbox, mountArgs } from '../../src/runtime/sandbox.js';

function capture(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger('info', (l) => lines.push(l)) };
}

describe('sandbox detection', () => {
  test("'off' says at start that functions run as plain processes", () => {
    const { lines, log } = capture();
    assert.equal(detectSandbox('off', log), undefined);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /function sandbox: off .*plain processes/);
  });

  test("'auto' says in one line what is and is not isolated", () => {
    const { lines, log } = capture();
    const s = detectSandbox('auto', log);
    assert.equal(lines.length, 1);
    if (s) {
      assert.match(lines[0]!, /function sandbox: on \(.*PID, mount, IPC namespaces.*network shared/);
      assert.match(lines[0]!, s.cgroups ? /cgroup v\d bounds: memory/ : /NO cgroup bounds/);
      s.close();
    } else {
      assert.match(lines[0]!, /function sandbox: unavailable \(.+\): functions run as plain processes/);
      assert.throws(() => detectSandbox('required', createLogger('silent')), /function sandbox required but unavailable/);
    }
  });
});

describe('read-only mounts', () => {
  test('parents first and world-traversable, nested and system paths skipped, sources resolved', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-mounts-'));
    try {
      mkdirSync(join(dir, 'code', 'lib'), { recursive: true });
      writeFileSync(join(dir, 'boot.py'), '');
      const args = mountArgs([
        { src: join(dir, 'code', 'lib'), dest: '/var/task/lib' },
        { src: join(dir, 'code'), dest: '/var/task' },
        { src: join(dir, 'boot.py'), dest: '/var/runtime/bootstrap.py' },
        { src: '/usr/bin', dest: '/usr/bin' },
      ]);
      assert.deepEqual(args, [
        '--perms', '0755', '--dir', '/var',
        '--ro-bind', join(dir, 'code'), '/var/task',
        '--perms', '0755', '--dir', '/var/runtime',
        '--ro-bind', join(dir, 'boot.py'), '/var/runtime/bootstrap.py',
      ]);
      assert.throws(() => mountArgs([{ src: join(dir, 'missing'), dest: '/var/task' }]), { code: 'ENOENT' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
