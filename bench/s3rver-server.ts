/**
 * s3rver (npm; objects as plain files in a directory, no fsync) in its own process on
 * 127.0.0.1 and a random port, with the benchmark's credentials (test/test) registered so that
 * it checks their signatures. Data directory: S3RVER_DIR. Prints `S3RVER_READY http://127.0.0.1:<port>`,
 * or exits with code 3 and a note on stderr when the package is not installed.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

const require = createRequire(import.meta.url);
let S3rver: S3rverClass;
let account: { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };
try {
  S3rver = require('s3rver') as S3rverClass;
  account = require('s3rver/lib/models/account.js') as typeof account;
} catch (e) {
  process.stderr.write(`s3rver is not installed (npm install --save-dev s3rver): ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(3);
}
const directory = process.env.S3RVER_DIR;
if (!directory) {
  process.stderr.write('S3RVER_DIR is not set\n');
  process.exit(2);
}

account.DUMMY_ACCOUNT.createKeyPair('test', 'test');
const s3rver = new S3rver({ address: '127.0.0.1', port: Number(process.env.S3RVER_PORT ?? 0), silent: true, directory, vhostBuckets: false });
const { port } = await s3rver.run();
if (s3rver.httpServer) s3rver.httpServer.keepAliveTimeout = 65_000;
process.stdout.write(`S3RVER_READY http://127.0.0.1:${port}\n`);

const stop = () => {
  setTimeout(() => process.exit(0), 5000).unref();
  s3rver.httpServer?.closeAllConnections();
  s3rver.close().then(
    () => process.exit(0),
    () => process.exit(0),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
