/**
 * The Node bootstrap's Runtime API client: HTTP/1.1 over one kept-alive TCP connection,
 * written directly on node:net because this is the warm path of every invocation.
 *
 * It speaks only as much HTTP as the Runtime API needs (requests with Content-Length bodies;
 * responses with Content-Length, never chunked) and supports pipelining: `together()` sends a
 * result and the following `/next` in one write, saving a round trip per invocation.
 *
 * The socket is unref'd whenever no response is awaited, so an idle connection never keeps
 * the event loop alive: the bootstrap relies on 'beforeExit' to learn that a handler's work
 * has drained (callbackWaitsForEmptyEventLoop).
 */
import { connect, type Socket } from 'node:net';

export interface ApiResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
}

interface Waiter {
  ok(r: ApiResponse): void;
  fail(e: Error): void;
}

const EMPTY = Buffer.alloc(0);
const HEADER_END = Buffer.from('\r\n\r\n');

export class RuntimeApiClient {
  private socket: Socket | undefined;
  private readonly waiting: Waiter[] = [];
  /** Bytes received but not yet consumed (before a response's body is known). */
  private pendingBytes: Buffer = EMPTY;
  /** The response whose body is being received, if its head has been parsed. */
  private head: { status: number; headers: Record<string, string>; body: Buffer; filled: number } | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly base: string,
  ) {}

  /** Sends one request; resolves with its response. */
  request(method: string, path: string, headers?: Record<string, string>, body?: Buffer): Promise<ApiResponse> {
    const socket = this.connection();
    let head = `${method} ${this.base}${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n`;
    if (headers) for (const k in headers) head += `${k}: ${headers[k]}\r\n`;
    if (body) head += `Content-Length: ${body.length}\r\n`;
    head += '\r\n';
    const p = new Promise<ApiResponse>((ok, fail) => this.waiting.push({ ok, fail }));
    socket.ref();
    socket.write(head, 'latin1');
    if (body && body.length) socket.write(body);
    return p;
  }

  /** Runs `fn`'s requests as one write (pipelined). */
  together<T>(fn: () => T): T {
    const socket = this.connection();
    socket.cork();
    try {
      return fn();
    } finally {
      socket.uncork();
    }
  }

  private connection(): Socket {
    if (this.socket) return this.socket;
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    socket.on('data', (c: Buffer) => this.onData(c));
    const fail = (e: Error) => {
      this.socket = undefined;
      for (const w of this.waiting.splice(0)) w.fail(e);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('runtime API connection closed')));
    this.socket = socket;
    return socket;
  }

  private onData(chunk: Buffer): void {
    let data = chunk;
    while (data.length > 0) {
      if (this.head) {
        const take = Math.min(data.length, this.head.body.length - this.head.filled);
        data.copy(this.head.body, this.head.filled, 0, take);
        this.head.filled += take;
        data = data.subarray(take);
      } else {
        const all = this.pendingBytes.length ? Buffer.concat([this.pendingBytes, data]) : data;
        const end = all.indexOf(HEADER_END);
        if (end < 0) {
          this.pendingBytes = all;
          return;
        }
        this.pendingBytes = EMPTY;
        const lines = all.toString('latin1', 0, end).split('\r\n');
        const status = Number(lines[0].split(' ')[1]);
        const headers: Record<string, string> = {};
        for (let i = 1; i < lines.length; i++) {
          const colon = lines[i].indexOf(':');
          if (colon > 0) headers[lines[i].slice(0, colon).trim().toLowerCase()] = lines[i].slice(colon + 1).trim();
        }
        const length = Number(headers['content-length'] ?? 0);
        const rest = all.subarray(end + 4);
        if (rest.length >= length) {
          // The common case: the whole response in one chunk, no copy.
          this.deliver({ status, headers, body: rest.subarray(0, length) });
          data = rest.subarray(length);
          continue;
        }
        this.head = { status, headers, body: Buffer.allocUnsafe(length), filled: 0 };
        data = rest;
      }
      if (this.head && this.head.filled === this.head.body.length) {
        const { status, headers, body } = this.head;
        this.head = undefined;
        this.deliver({ status, headers, body });
      }
    }
  }

  private deliver(r: ApiResponse): void {
    const w = this.waiting.shift();
    if (this.waiting.length === 0) this.socket?.unref();
    w?.ok(r);
  }
}
