/**
 * WebSocket upgrades: the HTTP server's `upgrade` event goes through the same host router as
 * requests. The service owning the host or path may refuse (any HTTP answer) before the
 * handshake, or accept it with the subprotocol the handshake names (none unless it chooses one
 * the client offered); an upgrade nobody claims is refused with 404 and its socket closed. Each open
 * connection has a frame-size limit (the endpoint's `maxPayload`, 1009 beyond it) and
 * backpressure both ways: reading stops while a message listener is busy and while the peer is
 * slow to take what was sent (until the socket drains).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Ids } from '../lib/ids.js';
import type { SigV4Identity, SigV4Verifier } from '../protocols/sigv4.js';
import type { Logger } from '../lib/log.js';
import type { EndpointMatch, UpgradeAnswer, WebSocketEndpoint } from '../services/service.js';
import { requestLine, type ApiResponse, type UpgradeRequest, type WebSocketConnection } from './api.js';
import type { EndpointTarget } from './endpoints.js';
import type { HostRouter } from './host-router.js';

/** API Gateway's frame limit for WebSocket APIs. */
export const DEFAULT_MAX_PAYLOAD = 128 * 1024;
/** Bytes buffered for a slow peer before reading from it stops. */
const HIGH_WATER = 1024 * 1024;

export class WebSocketHub {
  private readonly servers = new Map<number, WebSocketServer>();
  private readonly open = new Set<Connection>();
  private readonly pending = new Set<Duplex>();
  /** The subprotocol an endpoint chose for an upgrade, until its handshake is answered. */
  private readonly protocols = new WeakMap<IncomingMessage, string>();
  private closing = false;

  constructor(
    private readonly hosts: HostRouter<EndpointTarget>,
    private readonly ids: Ids,
    private readonly log: Logger,
    /** Checks an upgrade's SigV4 signature when its endpoint asks (AWS_IAM on a WebSocket API's $connect). */
    private readonly verifier?: SigV4Verifier,
  ) {}

  /** The `upgrade` event of the HTTP server. */
  upgrade(incoming: IncomingMessage, socket: Duplex, head: Buffer): void {
    const requestId = this.ids.uuid();
    socket.on('error', () => socket.destroy());
    const req: UpgradeRequest = { ...requestLine(incoming), requestId };
    if (this.closing) return refuse(socket, requestId, { status: 503, headers: {}, body: '' });
    const match = this.hosts.match(req);
    const ws = match?.target.route.websocket;
    if (!match || !ws) {
      this.log.debug('upgrade refused', { path: req.path, status: 404, requestId });
      return refuse(socket, requestId, { status: 404, headers: {}, body: '' });
    }
    this.pending.add(socket);
    void this.accept(ws, req, match, incoming, socket, head).finally(() => this.pending.delete(socket));
  }

  private async accept(ws: WebSocketEndpoint, req: UpgradeRequest, match: EndpointMatch, incoming: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    let answer: UpgradeAnswer;
    try {
      const verify = (): SigV4Identity => {
        if (!this.verifier) throw new Error('no SigV4 verifier');
        return this.verifier.verify({ method: req.method, path: req.path, query: req.query, headers: req.headers, body: Buffer.alloc(0) });
      };
      answer = await ws.accept?.(req, match, verify);
    } catch (e) {
      this.log.error('unhandled error', { requestId: req.requestId, error: e instanceof Error ? e.stack : String(e) });
      answer = { status: 500, headers: {}, body: '' };
    }
    const refusal = answer && 'status' in answer ? answer : undefined;
    if (refusal || this.closing || socket.destroyed) return refuse(socket, req.requestId, refusal ?? { status: 503, headers: {}, body: '' });
    if (answer && 'protocol' in answer && answer.protocol !== undefined) this.protocols.set(incoming, answer.protocol);
    const server = this.serverFor(ws.maxPayload ?? DEFAULT_MAX_PAYLOAD);
    server.handleUpgrade(incoming, socket, head, (peer) => {
      const conn = new Connection(peer, socket, req.requestId);
      this.open.add(conn);
      peer.once('close', () => this.open.delete(conn));
      this.log.debug('websocket open', { path: req.path, requestId: req.requestId });
      try {
        ws.open(conn, req, match);
      } catch (e) {
        this.log.error('unhandled error', { requestId: req.requestId, error: e instanceof Error ? e.stack : String(e) });
        peer.close(1011);
      }
    });
  }

  /**
   * One ws server (handshakes only, no listening socket) per frame-size limit. The handshake
   * names the subprotocol the endpoint chose, if the client offered it, and none otherwise (ws
   * alone would pick the client's first).
   */
  private serverFor(maxPayload: number): WebSocketServer {
    let server = this.servers.get(maxPayload);
    if (!server) {
      const handleProtocols = (offered: Set<string>, incoming: IncomingMessage): string | false => {
        const chosen = this.protocols.get(incoming);
        return chosen !== undefined && offered.has(chosen) ? chosen : false;
      };
      this.servers.set(maxPayload, (server = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload, handleProtocols })));
    }
    return server;
  }

  /** Refuses new upgrades and closes open connections (1001 going away), forcing those that linger. */
  async close(): Promise<void> {
    this.closing = true;
    for (const s of this.pending) s.destroy();
    const closed = [...this.open].map((c) => c.shutDown());
    await Promise.all(closed);
    for (const s of this.servers.values()) s.close();
  }
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 426: 'Upgrade Required', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** Answers an upgrade with a plain HTTP response and closes the socket. */
function refuse(socket: Duplex, requestId: string, res: ApiResponse): void {
  if (!socket.writable) return void socket.destroy();
  const body = typeof res.body === 'string' || Buffer.isBuffer(res.body) ? Buffer.from(res.body) : Buffer.alloc(0);
  const headers = { ...res.headers, connection: 'close', 'x-amzn-RequestId': requestId, 'content-length': String(body.length) };
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${String(v).replace(/[\r\n]/g, '')}`);
  socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 ${res.status} ${REASONS[res.status] ?? 'Refused'}\r\n${lines.join('\r\n')}\r\n\r\n`), body]));
  socket.once('finish', () => socket.destroy());
}

class Connection implements WebSocketConnection {
  private listener: ((data: string | Buffer) => void | Promise<void>) | undefined;
  private readonly inbox: (string | Buffer)[] = [];
  private busy = false;
  /** Reading stopped: a listener is busy, or the peer is slow. */
  private heldByListener = false;
  private heldByPeer = false;

  constructor(
    private readonly peer: WebSocket,
    private readonly socket: Duplex,
    readonly id: string,
  ) {
    peer.on('message', (data: RawData, binary: boolean) => this.receive(binary ? toBuffer(data) : toBuffer(data).toString('utf8')));
    // Errors (a frame over the limit, a protocol violation) close the connection; the close
    // listeners hear the code.
    peer.on('error', () => {});
  }

  get bufferedAmount(): number {
    return this.peer.bufferedAmount;
  }

  send(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.peer.readyState !== this.peer.OPEN) return reject(new Error('the WebSocket connection is closed'));
      this.peer.send(data, { binary: typeof data !== 'string' }, (err) => (err ? reject(err) : resolve()));
      if (!this.heldByPeer && this.peer.bufferedAmount > HIGH_WATER) {
        // The peer is slow: stop reading from it until it has taken what we sent.
        this.heldByPeer = true;
        this.peer.pause();
        const drained = () => {
          this.heldByPeer = false;
          this.resume();
        };
        if (this.socket.writableNeedDrain) this.socket.once('drain', drained);
        else queueMicrotask(drained);
      }
    });
  }

  close(code = 1000, reason?: string): void {
    this.peer.close(code, reason);
  }

  onMessage(listener: (data: string | Buffer) => void | Promise<void>): void {
    this.listener = listener;
    this.deliver();
  }

  onClose(listener: (code: number, reason: string) => void): void {
    this.peer.on('close', (code: number, reason: Buffer) => listener(code, reason.toString('utf8')));
  }

  onPing(listener: () => void): void {
    this.peer.on('ping', listener);
  }

  /** Going away (1001); a peer that does not answer the close within a second is cut off. */
  shutDown(): Promise<void> {
    return new Promise((resolve) => {
      if (this.peer.readyState === this.peer.CLOSED) return resolve();
      const timer = setTimeout(() => this.peer.terminate(), 1000);
      this.peer.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.peer.close(1001, 'Going Away');
    });
  }

  private receive(data: string | Buffer): void {
    this.inbox.push(data);
    this.deliver();
  }

  /** Hands messages to the listener one at a time; reading stops while one is being handled. */
  private deliver(): void {
    if (this.busy || !this.listener) return;
    while (this.inbox.length) {
      const result = this.listener(this.inbox.shift()!);
      if (result && typeof (result as Promise<void>).then === 'function') {
        this.busy = true;
        if (!this.heldByListener) (this.heldByListener = true), this.peer.pause();
        void (result as Promise<void>).then(this.settled, this.settled);
        return;
      }
    }
    if (this.heldByListener) {
      this.heldByListener = false;
      this.resume();
    }
  }

  private readonly settled = (): void => {
    this.busy = false;
    this.deliver();
  };

  private resume(): void {
    // (Closing too: the peer's close frame must still be read.)
    if (!this.heldByListener && !this.heldByPeer) this.peer.resume();
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
