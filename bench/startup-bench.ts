/**
 * Start-up: milliseconds from launching `nimbus start --memory` to its first 200 from
 * /_nimbus/health, for the bundle users run (package.json's bin) and for tsc's output (about
 * 230 modules), beside a bare node:http server started the same way (the floor: Node's own
 * start). Samples alternate between the three so machine noise falls on each alike.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fmt, log } from './measure.js';
import { ROOT } from './servers.js';

const BARE = `require('node:http').createServer((q, s) => s.end('{}')).listen(0, '127.0.0.1', function () { console.log('NIMBUS_READY http://127.0.0.1:' + this.address().port); });`;

const TARGETS: Array<{ name: string; args: string[] }> = [
  { name: 'nimbus start (bundle)', args: [join(ROOT, 'dist/src/cli.bundle.js'), 'start', '--memory', '--port', '0', '--log-level', 'silent'] },
  { name: 'nimbus start (tsc output)', args: [join(ROOT, 'dist/src/cli.js'), 'start', '--memory', '--port', '0', '--log-level', 'silent'] },
  { name: 'bare node:http', args: ['-e', BARE] },
];

/** Launch to the first 200 of the health endpoint (any path, for the bare server), in ms. */
async function once(args: string[]): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /NIMBUS_READY (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code} before it was ready`)));
    });
    for (;;) {
      const res = await fetch(`${endpoint}/_nimbus/health`).catch(() => undefined);
      if (res?.status === 200) return performance.now() - t0;
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    child.kill('SIGKILL');
  }
}

export async function startupPart(samples = 10): Promise<void> {
  log(`start-up: ${samples} launches of each, alternating`);
  const times = TARGETS.map(() => [] as number[]);
  for (let i = 0; i < samples; i++) for (let t = 0; t < TARGETS.length; t++) times[t]!.push(await once(TARGETS[t]!.args));
  console.log('\nStart-up, launch → healthy (ms)');
  console.log('target                       |    min |    p50 |    max');
  const bareP50 = median(times[2]!);
  TARGETS.forEach((t, i) => {
    const xs = times[i]!;
    console.log(`${t.name.padEnd(28)} | ${fmt(Math.min(...xs), 0).padStart(6)} | ${fmt(median(xs), 0).padStart(6)} | ${fmt(Math.max(...xs), 0).padStart(6)}`);
  });
  console.log(`(bundle p50 is ${fmt(median(times[0]!) - bareP50, 0)} ms over a bare Node server's start)`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
