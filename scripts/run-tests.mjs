#!/usr/bin/env node
// Runs every compiled test file under dist/test with node's test runner. Node 20 does not
// expand globs, so the files are listed here; a run that executes no test fails.
//
//   node scripts/run-tests.mjs [substring ...]   only the files whose path contains one
//
// Files run as many at a time as the machine has cores (NIMBUS_TEST_CONCURRENCY overrides):
// node's default, one less, runs them one by one on two cores, where much of each file's time
// is spent waiting (fsyncs, child processes, the AWS CLI) and the other core idles.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const only = process.argv.slice(2);
const files = find('dist/test').filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.error('run-tests: no test files found under dist/test');
  process.exit(1);
}
const tapFile = `dist/test-results.${process.pid}.tap`;
const concurrency = Number(process.env.NIMBUS_TEST_CONCURRENCY) || availableParallelism();
const child = spawn(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tapFile}`, ...files], {
  stdio: 'inherit',
  env: { ...process.env, AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING: '1', NODE_NO_WARNINGS: '1' },
});
child.on('exit', async (code) => {
  const { readFileSync, rmSync } = await import('node:fs');
  const tap = readFileSync(tapFile, 'utf8');
  rmSync(tapFile, { force: true });
  const count = (k) => Number((tap.match(new RegExp(`^# ${k} (\\d+)`, 'm')) ?? [])[1] ?? 0);
  const pass = count('pass');
  const fail = count('fail');
  const skipped = count('skipped');
  console.log(`\n${pass} passed, ${fail} failed${skipped ? `, ${skipped} skipped` : ''}`);
  if (pass + fail === 0) {
    console.error('run-tests: no test ran');
    process.exit(1);
  }
  process.exit(code ?? 1);
});
