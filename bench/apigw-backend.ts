/**
 * The API Gateway benchmark's HTTP backend: a bare node:http server that reads the request and
 * answers a small fixed JSON body to any method and path. It is the HTTP_PROXY integration's
 * target and, called directly, the ceiling any HTTP API in Node reaches on this machine.
 * Prints `APIGW_BACKEND_READY http://127.0.0.1:<port>`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const BODY = Buffer.from('{"hello":"world"}');

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
    res.end(BODY);
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`APIGW_BACKEND_READY http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
