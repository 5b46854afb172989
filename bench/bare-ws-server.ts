/**
 * The ceiling for a WebSocket broadcast: a bare `ws` server (no routing, no function, no
 * signing) that, for each text frame `{"text": ...}` it receives, sends `text` to every other
 * open connection. The broadcast bench drives it with the same clients it drives Nimbus with,
 * so the difference is what Nimbus adds on this machine.
 * Prints `BARE_WS_READY ws://127.0.0.1:<port>`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

const server = createServer((_req, res) => res.writeHead(426).end());
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws: WebSocket) => {
  ws.on('message', (data) => {
    const { text } = JSON.parse(data.toString()) as { text: string };
    for (const peer of wss.clients) if (peer !== ws && peer.readyState === peer.OPEN) peer.send(text);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`BARE_WS_READY ws://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => {
  for (const c of wss.clients) c.terminate();
  server.close(() => process.exit(0));
});
