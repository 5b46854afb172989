/**
 * The one HTTP server: every service on one port. It owns sockets, request ids, body limits,
 * the health endpoint and graceful shutdown; everything AWS-shaped is the dispatcher's.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../lib/clock.js';
import type { Ids } from '../lib/ids.js';
import type { Logger } from '../lib/log.js';
import { Readable, pipeline } from 'node:stream';
import type { ApiRequest, ApiResponse } from './api.js';

const EMPTY = Buffer.alloc(0);

/**
 * Largest request body accepted by the API endpoint. Room for the largest valid SQS request
 * on any wire: 1 MiB of payload (a message, or a batch) grows up to 3x when form-encoded
 * (every byte `%XX`) and 4x for binary attributes (base64, then `+`/`/` percent-encoded).
 */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface HttpServerOptions {
  host: string;
  port: number;
  ids: Ids;
  log: Logger;
  /** Nimbus's clock: the Date header tells clients the server's time (SDKs correct skew by it). */
  clock: Clock;
  dispatch(req: ApiRequest): Promise<ApiResponse>;
  /**
   * How the operation this request is for takes its body: 'stream' (S3 uploads: not read
   * here), or the most bytes it may buffer (MAX_BODY_BYTES unless the operation says more).
   */
  bodyLimit?(req: Omit<ApiRequest, 'body' | 'stream'>): number | 'stream';
  health(): { ready: boolean; body: Record<string, unknown> };
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
    this.server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => this.onRequest(req, res));
    // Expect: 100-continue: refuse an oversized body before the client sends it, unless the
    // operation streams its body (S3 uploads, with limits of their own).
    this.server.on('checkContinue', (req, res) => {
      const limit = this.limitOf(req);
      if (limit === 'stream' || !(declaredLength(req) > limit)) res.writeContinue();
      this.onRequest(req, res);
    });
    // Malformed HTTP never reaches onRequest; it still gets an answer with a request id.
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nx-amzn-RequestId: ${this.opts.ids.uuid()}\r\nContent-Length: 0\r\n\r\n`);
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

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Stops accepting connections and resolves once requests in flight are answered. */
  async close(): Promise<void> {
    this.closing = true;
    // Requests in flight are answered with `Connection: close`, so no client reuses a socket
    // that is about to go.
    for (const res of this.active) res.shouldKeepAlive = false;
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    this.server.closeIdleConnections();
    if (this.busy > 0) await new Promise<void>((r) => (this.drained = r));
    this.server.closeAllConnections();
    await closed;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const requestId = this.opts.ids.uuid();
    this.active.add(res);
    this.busy++;
    const handling: Handling = {};
    res.on('close', () => {
      this.active.delete(res);
      // A client that hung up does not cut its request short: shutdown waits for the handler.
      if (handling.dispatch) void handling.dispatch.then(() => this.idle());
      else this.idle();
    });
    if (this.closing) res.shouldKeepAlive = false;
    try {
      this.handle(req, res, requestId, handling);
    } catch (e) {
      // Whatever goes wrong with one request, the process lives on.
      this.opts.log.error('request failed', { requestId, error: e instanceof Error ? e.stack : String(e) });
      send(res, this.httpDate(), requestId, internalError());
    }
  }

  private limitOf(req: IncomingMessage): number | 'stream' {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    return (
      this.opts.bodyLimit?.({ method: req.method ?? 'GET', path: q >= 0 ? url.slice(0, q) : url, query: q >= 0 ? url.slice(q + 1) : '', headers: req.headers, requestId: '' }) ??
      MAX_BODY_BYTES
    );
  }

  private idle(): void {
    if (--this.busy === 0 && this.drained) this.drained();
  }

  private handle(req: IncomingMessage, res: ServerResponse, requestId: string, handling: Handling): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    if (path === '/_nimbus/health' && req.method === 'GET') {
      const { ready, body } = this.opts.health();
      return send(res, this.httpDate(), requestId, { status: ready ? 200 : 503, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    }
    const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, '');
    const head = { method: req.method ?? 'GET', path, query: q >= 0 ? url.slice(q + 1) : '', headers: req.headers, requestId, sourceIp };
    const limit = this.opts.bodyLimit?.(head) ?? MAX_BODY_BYTES;
    if (limit === 'stream') {
      // The service reads the body as a stream (and enforces its own size limits).
      handling.dispatch = this.opts.dispatch({ ...head, body: EMPTY, stream: req }).then(
        (out) => {
          // An answer before the whole body was read (a refusal): close rather than drain it.
          if (!req.complete) res.shouldKeepAlive = false;
          send(res, this.httpDate(), requestId, out);
        },
        (e) => {
          this.opts.log.error('dispatch failed', { requestId, error: e instanceof Error ? e.stack : String(e) });
          send(res, this.httpDate(), requestId, internalError());
        },
      );
      return;
    }
    if (declaredLength(req) > limit) {
      res.shouldKeepAlive = false;
      req.resume();
      return send(res, this.httpDate(), requestId, tooLarge());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on('data', (chunk: Buffer) => {
      if (aborted) return;
      size += chunk.length;
      if (size > limit) {
        aborted = true;
        res.shouldKeepAlive = false;
        send(res, this.httpDate(), requestId, tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (aborted) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      const apiReq: ApiRequest = { ...head, body };
      handling.dispatch = this.opts.dispatch(apiReq).then(
        (out) => send(res, this.httpDate(), requestId, out),
        (e) => {
          this.opts.log.error('dispatch failed', { requestId, error: e instanceof Error ? e.stack : String(e) });
          send(res, this.httpDate(), requestId, internalError());
        },
      );
    });
    req.on('error', () => res.destroy());
  }
}

interface Handling {
  /** The dispatch of the request, once its body is in; never rejects. */
  dispatch?: Promise<void>;
}

/** The Content-Length the client declared; 0 when none (chunked or empty). */
function declaredLength(req: IncomingMessage): number {
  return Number(req.headers['content-length'] ?? 0);
}

function tooLarge(): ApiResponse {
  return { status: 413, headers: { 'content-type': 'text/plain' }, body: 'Request Entity Too Large' };
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
    res.writeHead(out.status, { ...out.headers, date, 'x-amzn-RequestId': requestId });
    pipeline(body, res, (err) => {
      if (err) res.destroy();
    });
    return;
  }
  res.writeHead(out.status, {
    ...out.headers,
    date,
    'x-amzn-RequestId': requestId,
    // A HEAD answer declares the length of the body it does not send.
    'content-length': out.headers['content-length'] ?? (typeof body === 'string' ? Buffer.byteLength(body) : body.length),
  });
  res.end(body);
}
