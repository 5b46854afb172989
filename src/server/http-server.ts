/**
 * The one HTTP server: every service on one port. It owns sockets, request ids, body limits,
 * the health endpoint and graceful shutdown; everything AWS-shaped is the dispatcher's.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Ids } from '../lib/ids.js';
import type { Logger } from '../lib/log.js';
import type { ApiRequest, ApiResponse } from './api.js';

/** Largest request body accepted by the API endpoint. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface HttpServerOptions {
  host: string;
  port: number;
  ids: Ids;
  log: Logger;
  dispatch(req: ApiRequest): Promise<ApiResponse>;
  health(): { ready: boolean; body: Record<string, unknown> };
}

export class HttpServer {
  private server: Server;
  private inFlight = 0;
  private drained: (() => void) | undefined;
  private closing = false;

  constructor(private readonly opts: HttpServerOptions) {
    this.server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => this.onRequest(req, res));
    this.server.on('clientError', (err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy(err);
    });
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
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    this.server.closeIdleConnections();
    if (this.inFlight > 0) await new Promise<void>((r) => (this.drained = r));
    this.server.closeAllConnections();
    await closed;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const requestId = this.opts.ids.uuid();
    this.inFlight++;
    res.on('close', () => {
      if (--this.inFlight === 0 && this.drained) this.drained();
    });
    if (this.closing) res.shouldKeepAlive = false;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    if (path === '/_nimbus/health' && req.method === 'GET') {
      const { ready, body } = this.opts.health();
      return send(res, requestId, { status: ready ? 200 : 503, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      res.shouldKeepAlive = false;
      req.resume();
      return send(res, requestId, tooLarge());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on('data', (chunk: Buffer) => {
      if (aborted) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        aborted = true;
        res.shouldKeepAlive = false;
        send(res, requestId, tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (aborted) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      const apiReq: ApiRequest = { method: req.method ?? 'GET', path, query: q >= 0 ? url.slice(q + 1) : '', headers: req.headers, body, requestId };
      this.opts.dispatch(apiReq).then(
        (out) => send(res, requestId, out),
        (e) => {
          this.opts.log.error('dispatch failed', { requestId, error: e instanceof Error ? e.stack : String(e) });
          send(res, requestId, { status: 500, headers: { 'content-type': 'text/plain' }, body: 'internal error' });
        },
      );
    });
    req.on('error', () => res.destroy());
  }
}

function tooLarge(): ApiResponse {
  return { status: 413, headers: { 'content-type': 'text/plain' }, body: 'Request Entity Too Large' };
}

function send(res: ServerResponse, requestId: string, out: ApiResponse): void {
  if (res.headersSent || res.destroyed) return;
  const body = out.body;
  res.writeHead(out.status, {
    ...out.headers,
    'x-amzn-RequestId': requestId,
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
  });
  res.end(body);
}
