/**
 * lambda-local (npm) in its own process, in its HTTP watch mode (`lambda-local -l <file> -h
 * handler --watch <port>`): each POST runs the handler through lambda-local's execute() (a
 * fresh Context, the handler module re-required, its timeout timer) and answers the result.
 * A body of `{"event": ...}` is handed to the handler as is. The handler file is
 * LAMBDA_LOCAL_HANDLER.
 *
 * Two changes to the CLI's setup, neither on the invoke path: the watch server listens on
 * 127.0.0.1 and a random port (the CLI listens on every interface; its listen() call is
 * redirected), with the 65 s keep-alive the other servers under test get, and lambda-local's
 * logger writes warnings and above only (the CLI logs one info line per request, as Nimbus
 * does at --log-level warn: nothing). Prints `LAMBDA_LOCAL_READY http://127.0.0.1:<port>`,
 * or exits with code 3 and a note on stderr when the package is not installed.
 */
import { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

interface LambdaLocal {
  watch(opts: Record<string, unknown>): void;
  getLogger(): { level: string };
  version: string;
}

const require = createRequire(import.meta.url);
let lambdaLocal: LambdaLocal;
try {
  lambdaLocal = require('lambda-local') as LambdaLocal;
} catch (e) {
  process.stderr.write(`lambda-local is not installed (npm install --save-dev lambda-local): ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(3);
}
const handlerPath = process.env.LAMBDA_LOCAL_HANDLER;
if (!handlerPath) {
  process.stderr.write('LAMBDA_LOCAL_HANDLER is not set\n');
  process.exit(2);
}

let server: Server | undefined;
const listen = Server.prototype.listen as (this: Server, port: number, host: string, cb: () => void) => Server;
Server.prototype.listen = function (this: Server, ...args: unknown[]) {
  const cb = args.find((a): a is () => void => typeof a === 'function');
  server = this;
  this.keepAliveTimeout = 65_000;
  return listen.call(this, 0, '127.0.0.1', () => {
    process.stdout.write(`LAMBDA_LOCAL_READY http://127.0.0.1:${(this.address() as AddressInfo).port}\n`);
    cb?.();
  });
} as typeof Server.prototype.listen;

lambdaLocal.getLogger().level = 'warn';
// What the CLI passes for `-l <file> -h handler --watch <port>` (verboseLevel 0: watch's own default).
lambdaLocal.watch({
  lambdaPath: handlerPath,
  lambdaHandler: 'handler',
  timeoutMs: 3000,
  environment: [],
  callbackWaitsForEmptyEventLoop: false,
  verboseLevel: 0,
  port: 0,
});

const stop = () => {
  setTimeout(() => process.exit(0), 5000).unref();
  if (!server) process.exit(0);
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
