/**
 * Nimbus as a child process on a data dir, for tests that kill it (SIGKILL) and start it
 * again: resolves once it prints NIMBUS_READY with its endpoint.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(process.cwd(), 'dist/src/cli.js');

/** Starts `nimbus start` on dataDir (port 0, errors only on stderr); `running` tracks it until it exits. */
export function startChildNimbus(dataDir: string, running?: Set<ChildProcess>): Promise<{ child: ChildProcess; endpoint: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'start', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--log-level', 'error'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (running) {
      running.add(child);
      child.once('exit', () => running.delete(child));
    }
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /NIMBUS_READY (\S+)/.exec(out);
      if (m) resolve({ child, endpoint: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`nimbus exited early with ${code}`)));
  });
}
