/**
 * The one HTTP server: every service on one port. It owns sockets, writing answers, WebSocket
 * upgrades (handed to the hub) and graceful shutdown; each request goes through the pipeline.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { Clock } from '../lib/clock.js';
import type { Ids } from '../lib/ids.js';
import type { Logger } from '../lib/log.js';
import { performance } from 'node:perf_hooks';
import { Readable, pipeline, type Duplex } from 'node:stream';
import { requestLine, type ApiRequest, type ApiResponse } from './api.js';
import { newRequestCtx, type Next } from './pipeline/context.js';
import type { WebSocketHub } from './websocket.js';

const EMPTY = Buffer.alloc(0);

export { MAX_BODY_BYTES } from './pipeline/body.js';

export interface HttpServerOptions {
  host: string;
  port: number;
  ids: Ids;
  log: Logger;
  /** Nimbus's clock: the Date header tells clients the server's time (SDKs correct skew by it). */
  clock: Clock;
  /** The request pipeline (pipeline/index.ts): every request goes through it once. */
  pipeline: Next;
  /** WebSocket upgrades; without it every upgrade is refused. */
  websockets?: WebSocketHub;
}

export class HttpServer {
  private server: Server;
  /** Responses not yet closed. */
  private active = new Set<ServerResponse>();
  /** Requests in flight: response not yet closed, or (client gone) handler still running. */
  private busy = 0;
  private drained: (() => void) | undefined;
  private closing = false;
  private dateSecond = -1;
  private dateString = '';

  constructor(private readonly opts: HttpServerOptions) {
    this.server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => this.onRequest(req, res, false));
    // Expect: 100-continue: the body step answers it once it knows the request's body limit.
    this.server.on('checkContinue', (req, res) => this.onRequest(req, res, true));
    // Any other expectation (`Expect: ''`, `Expect: 200`) is ignored, as S3 ignores it, rather
    // than answered 417 as node would by default.
    this.server.on('checkExpectation', (req, res) => this.onRequest(req, res, false));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (opts.websockets) return opts.websockets.upgrade(req, socket, head);
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    // Malformed HTTP never reaches onRequest; it still gets an answer with a request id.
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
      // Bytes past a request's Content-Length that are no request (a client that sent more body
      // than it declared): the request being answered keeps its answer (S3's BadDigest), then
      // the connection closes.
      const pending = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
      if (pending && !pending.writableFinished && pending.req.complete) return void pending.once('close', () => socket.end());
      // Headers too large are a 400, as AWS's front ends answer them (not node's 431).
      socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\nx-amzn-RequestId: ${this.opts.ids.uuid()}\r\nContent-Length: 0\r\n\r\n`);
    });
  }

  /** The HTTP Date of the clock's now, formatted once per second. */
  private httpDate(): string {
    const now = this.opts.clock.now();
    const second = Math.floor(now / 1000);
    if (second !== this.dateSecond) {
      this.dateSecond = second;
      this.dateString = new Date(now).toUTCString();
    }
    return this.dateString;
  }

  /**
   * A second listener speaking TLS (the local CA's certificate): each decrypted connection is
   * handed to the same HTTP server, so HTTPS requests and WSS upgrades go through the same
   * pipeline as plain ones. Answers the port.
   */
  listenTls(port: number, tls: { key: Buffer; cert: Buffer }): Promise<number> {
    const server = createTlsServer({ key: tls.key, cert: tls.cert, ALPNProtocols: ['http/1.1'] }, (socket) => this.server.emit('connection', socket));
    server.on('tlsClientError', (_e, socket) => socket.destroy());
    this.tlsServer = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.opts.host, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  private tlsServer: TlsServer | undefined;

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Stops accepting connections, closes WebSockets and resolves once requests in flight are answered. */
  async close(): Promise<void> {
    this.closing = true;
    // Requests in flight are answered with `Connection: close`, so no client reuses a socket
    // that is about to go.
    for (const res of this.active) res.shouldKeepAlive = false;
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    const tlsClosed = this.tlsServer ? new Promise<void>((r) => this.tlsServer!.close(() => r())) : undefined;
    this.server.closeIdleConnections();
    const websockets = this.opts.websockets?.close();
    if (this.busy > 0) await new Promise<void>((r) => (this.drained = r));
    this.server.closeAllConnections();
    await websockets;
    await closed;
    await tlsClosed;
  }

  private onRequest(incoming: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void {
    const startedAt = performance.now();
    this.active.add(res);
    this.busy++;
    let handled: Promise<void> | undefined;
    res.on('close', () => {
      this.active.delete(res);
      // A client that hung up does not cut its request short: shutdown waits for the handler.
      if (handled) void handled.then(() => this.idle());
      else this.idle();
    });
    if (this.closing) res.shouldKeepAlive = false;
    const req: ApiRequest = requestLine(incoming, EMPTY);
    const ctx = newRequestCtx(incoming, res, req, expectsContinue, startedAt);
    let answer: Promise<ApiResponse>;
    try {
      answer = this.opts.pipeline(ctx);
    } catch (e) {
      answer = Promise.reject(e);
    }
    handled = answer.then(
      (out) => {
        if (ctx.destroy) return void res.destroy();
        if (ctx.closeConnection) res.shouldKeepAlive = false;
        send(res, this.httpDate(), req.requestId, out);
      },
      (e) => {
        // Whatever goes wrong with one request, the process lives on.
        this.opts.log.error('request failed', { requestId: req.requestId, error: e instanceof Error ? e.stack : String(e) });
        send(res, this.httpDate(), req.requestId, internalError());
      },
    );
  }

  private idle(): void {
    if (--this.busy === 0 && this.drained) this.drained();
  }
}

function internalError(): ApiResponse {
  return { status: 500, headers: { 'content-type': 'text/plain' }, body: 'internal error' };
}

/**
 * Writes the answer once. Never throws: an answer that cannot be written (say, a header value
 * node refuses) becomes a plain 500, and failing that the connection is dropped.
 */
function send(res: ServerResponse, date: string, requestId: string, out: ApiResponse): void {
  if (res.headersSent || res.destroyed) return;
  try {
    write(res, date, requestId, out);
  } catch {
    try {
      if (!res.headersSent) return write(res, date, requestId, internalError());
    } catch {
      // fall through
    }
    res.destroy();
  }
}

function write(res: ServerResponse, date: string, requestId: string, out: ApiResponse): void {
  const body = out.body;
  if (body instanceof Readable) {
    // Streamed answers (S3 object bodies) set their own Content-Length; a source that fails
    // midway can only end the connection, as the status is already sent.
    res.writeHead(out.status, { ...out.headers, ...out.repeated, date, 'x-amzn-RequestId': requestId });
    pipeline(body, res, (err) => {
      if (err) res.destroy();
    });
    return;
  }
  res.writeHead(out.status, {
    ...out.headers,
    ...out.repeated,
    date,
    'x-amzn-RequestId': requestId,
    // A HEAD answer declares the length of the body it does not send.
    'content-length': out.headers['content-length'] ?? (typeof body === 'string' ? Buffer.byteLength(body) : body.length),
  });
  res.end(body);
}
