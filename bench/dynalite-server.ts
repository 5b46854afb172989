/**
 * dynalite (npm; in memory, LevelDB's memory-level, no fsync) in its own process on
 * 127.0.0.1 and a random port, tables ACTIVE at once. Prints `DYNALITE_READY http://127.0.0.1:<port>`,
 * or exits with code 3 and a note on stderr when the package is not installed.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let dynalite: (options: Record<string, unknown>) => Server;
try {
  dynalite = require('dynalite') as typeof dynalite;
} catch (e) {
  process.stderr.write(`dynalite is not installed (npm install --save-dev dynalite): ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(3);
}

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.DYNALITE_PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`DYNALITE_READY http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
const stop = () => {
  setTimeout(() => process.exit(0), 5000).unref();
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
