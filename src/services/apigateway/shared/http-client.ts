/**
 * A small HTTP/1.1 client for plain-`http:` integration backends, on pooled keep-alive sockets:
 * the request goes out as one write (request line, headers and body in one buffer), and the
 * answer is parsed here (status line, headers, a body by Content-Length, chunked, or up to the
 * close). It replaces node:http's client on the gateway's hottest outbound path (HTTP_PROXY),
 * whose agent, header objects and events cost several times what the request itself does.
 *
 * What it keeps of node:http's behaviour: every connection goes through the outbound guard's
 * lookup (a name is checked on the addresses it resolves to, at connect time); header names and
 * values are checked (no CR, LF or NUL can split a request); interim 1xx answers are skipped;
 * HEAD, 204 and 304 answers have no body; an answer larger than the caller's bound fails the
 * call. A kept socket the server closed while idle is noticed before reuse (its `close`), and an
 * idempotent request that finds its reused socket closed before any answer byte is sent once
 * more on a fresh connection (the race every keep-alive client has). Idle sockets are unref'd
 * and closed after a few seconds, below node:http servers' 5 s keep-alive timeout.
 */
import { connect, isIP, type Socket } from 'node:net';
import type { OutboundGuard } from '../../../lib/outbound.js';

export interface RawAnswer {
  status: number;
  /** Header names lower-cased, in order, with repeats: [name, value, name, value, ...]. */
  rawHeaders: string[];
  body: Buffer;
}

/** Lets the caller give up on a request (the integration timed out). */
export interface Abortable {
  abort?: () => void;
}

const IDLE_MS = 4000;
const MAX_HEAD_BYTES = 80 * 1024;
const MAX_IDLE_PER_ORIGIN = 256;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BAD_VALUE = /[\r\n\0]/;
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);

/** A request for one origin: `path` with its query, headers already free of hop-by-hop ones. */
export interface RawRequest {
  method: string;
  host: string;
  port: number;
  /** The Host header's value (`name:port` unless the port is the scheme's). */
  hostHeader: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  maxBodyBytes: number;
}

export class HttpClient {
  private readonly idle = new Map<string, Socket[]>();

  constructor(private readonly guard: OutboundGuard) {}

  request(r: RawRequest, call?: Abortable): Promise<RawAnswer> {
    const key = `${r.host}:${r.port}`;
    return new Promise((resolve, reject) => {
      // (In the executor: a bad method, path or header rejects the call.)
      const head = requestHead(r);
      const message = r.body?.length ? Buffer.concat([Buffer.from(head, 'latin1'), r.body]) : Buffer.from(head, 'latin1');
      const attempt = (retried: boolean) => {
        const kept = retried ? undefined : this.take(key);
        let socket: Socket;
        try {
          socket = kept ?? this.open(r);
        } catch (e) {
          return reject(e as Error);
        }
        const exchange = new Exchange(socket, r.method === 'HEAD', r.maxBodyBytes, (err, answer, reusable) => {
          if (call) call.abort = undefined;
          if (err) {
            socket.destroy();
            // A kept socket the server had closed: nothing was answered, so send it again once.
            if (kept && !exchange.gotBytes && !aborted && IDEMPOTENT.has(r.method)) return attempt(true);
            return reject(err);
          }
          if (reusable) this.release(key, socket);
          else socket.destroy();
          resolve(answer!);
        });
        let aborted = false;
        if (call) call.abort = () => ((aborted = true), exchange.fail(new Error('the request was aborted')));
        socket.write(message);
      };
      attempt(false);
    });
  }

  /** Closes every idle socket (the server is stopping). */
  close(): void {
    for (const list of this.idle.values()) for (const s of list) s.destroy();
    this.idle.clear();
  }

  private open(r: RawRequest): Socket {
    if (isIP(r.host) && this.guard.refuses(r.host)) throw this.guardError(r);
    const socket = connect({ host: r.host, port: r.port, lookup: this.guard.lookup, noDelay: true });
    return socket;
  }

  private guardError(r: RawRequest): Error {
    try {
      this.guard.checkUrl(new URL(`http://${r.hostHeader}`));
    } catch (e) {
      return e as Error;
    }
    return new Error(`connections to ${r.host} are refused`);
  }

  private take(key: string): Socket | undefined {
    const list = this.idle.get(key);
    while (list?.length) {
      const s = list.pop()!;
      const drop = this.drops.get(s);
      this.drops.delete(s);
      if (drop) watch(s, drop, false);
      if (!s.destroyed && s.writable) {
        s.ref();
        s.setTimeout(0);
        return s;
      }
      s.destroy();
    }
    return undefined;
  }

  private release(key: string, s: Socket): void {
    let list = this.idle.get(key);
    if (!list) this.idle.set(key, (list = []));
    if (list.length >= MAX_IDLE_PER_ORIGIN) return void s.destroy();
    const kept = list;
    const drop = () => {
      watch(s, drop, false);
      this.drops.delete(s);
      s.destroy();
      const i = kept.indexOf(s);
      if (i >= 0) kept.splice(i, 1);
    };
    // Closed, failed, idle too long, or bytes that answer nothing: the connection is not reused.
    watch(s, drop, true);
    this.drops.set(s, drop);
    s.setTimeout(IDLE_MS);
    s.unref();
    kept.push(s);
  }

  /** The listener that drops each idle socket, so taking it back removes exactly that one. */
  private readonly drops = new WeakMap<Socket, () => void>();
}

const IDLE_EVENTS = ['close', 'error', 'timeout', 'data', 'end'] as const;

function watch(s: Socket, drop: () => void, on: boolean): void {
  for (const e of IDLE_EVENTS) (on ? s.on(e, drop) : s.off(e, drop));
}

function requestHead(r: RawRequest): string {
  if (!TOKEN.test(r.method)) throw new TypeError(`Invalid HTTP method: ${r.method}`);
  if (BAD_VALUE.test(r.path) || r.path.includes(' ')) throw new TypeError('The request path contains unescaped characters');
  let head = `${r.method} ${r.path} HTTP/1.1\r\nHost: ${r.hostHeader}\r\nConnection: keep-alive\r\n`;
  for (const name in r.headers) {
    const value = r.headers[name]!;
    if (!TOKEN.test(name)) throw new TypeError(`Invalid header name: ${JSON.stringify(name)}`);
    if (BAD_VALUE.test(value)) throw new TypeError(`Invalid character in the value of header ${name}`);
    head += `${name}: ${value}\r\n`;
  }
  if (r.body?.length) head += `Content-Length: ${r.body.length}\r\n`;
  else if (r.method === 'POST' || r.method === 'PUT' || r.method === 'PATCH') head += 'Content-Length: 0\r\n';
  return head + '\r\n';
}

type Done = (err: Error | undefined, answer?: RawAnswer, reusable?: boolean) => void;

/** One request's answer read off its socket. */
class Exchange {
  gotBytes = false;
  private buf: Buffer = Buffer.alloc(0);
  private status = 0;
  private rawHeaders: string[] = [];
  private keepAlive = true;
  /** Body framing once the head is read: a length, chunked, or up to the close. */
  private mode: 'head' | 'length' | 'chunked' | 'close' = 'head';
  private remaining = 0;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private finished = false;
  private readonly onData = (c: Buffer) => this.data(c);
  private readonly onEnd = () => this.end();
  private readonly onError = (e: Error) => this.fail(e);

  constructor(
    private readonly socket: Socket,
    private readonly headRequest: boolean,
    private readonly maxBody: number,
    private readonly done: Done,
  ) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
  }

  fail(e: Error): void {
    if (this.finished) return;
    this.finish();
    this.done(e);
  }

  private finish(): void {
    this.finished = true;
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
  }

  private succeed(reusable: boolean): void {
    if (this.finished) return;
    this.finish();
    this.done(undefined, { status: this.status, rawHeaders: this.rawHeaders, body: this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size) }, reusable && this.keepAlive);
  }

  private end(): void {
    if (this.finished) return;
    if (this.mode === 'close') return this.succeed(false);
    this.fail(new Error(this.gotBytes ? 'the backend closed the connection before its answer was complete' : 'socket hang up'));
  }

  private data(c: Buffer): void {
    this.gotBytes = true;
    this.buf = this.buf.length ? Buffer.concat([this.buf, c]) : c;
    try {
      this.parse();
    } catch (e) {
      this.fail(e as Error);
    }
  }

  private body(b: Buffer): void {
    if (!b.length) return;
    this.size += b.length;
    if (this.size > this.maxBody) throw new Error(`the backend's answer is larger than ${this.maxBody} bytes`);
    this.chunks.push(b);
  }

  private parse(): void {
    for (;;) {
      if (this.finished) return;
      if (this.mode === 'head') {
        const at = this.buf.indexOf('\r\n\r\n');
        if (at < 0) {
          if (this.buf.length > MAX_HEAD_BYTES) throw new Error('the backend answered a header block larger than 80 KB');
          return;
        }
        this.head(this.buf.toString('latin1', 0, at));
        this.buf = this.buf.subarray(at + 4);
        if (this.status < 200) {
          // An interim answer (100 Continue, 103 Early Hints): the real one follows.
          if (this.status === 101) throw new Error('the backend switched protocols');
          this.rawHeaders = [];
          continue;
        }
        continue;
      }
      if (this.mode === 'length') {
        const take = Math.min(this.remaining, this.buf.length);
        this.body(this.buf.subarray(0, take));
        this.buf = this.buf.subarray(take);
        this.remaining -= take;
        if (this.remaining === 0) return this.succeed(this.buf.length === 0);
        return;
      }
      if (this.mode === 'close') {
        this.body(this.buf);
        this.buf = Buffer.alloc(0);
        return;
      }
      // chunked: `size[;ext]\r\n data \r\n` ... `0\r\n [trailers] \r\n`
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, this.buf.length);
        this.body(this.buf.subarray(0, take));
        this.buf = this.buf.subarray(take);
        this.remaining -= take;
        if (this.remaining > 0) return;
        this.remaining = -2; // the CRLF after the data
      }
      if (this.remaining === -2) {
        if (this.buf.length < 2) return;
        if (this.buf[0] !== 13 || this.buf[1] !== 10) throw new Error('the backend sent a malformed chunk');
        this.buf = this.buf.subarray(2);
        this.remaining = 0;
      }
      if (this.remaining === -1) {
        // Trailers after the last chunk, up to an empty line.
        const at = this.buf.indexOf('\r\n');
        if (at < 0) return;
        this.buf = this.buf.subarray(at + 2);
        if (at === 0) return this.succeed(this.buf.length === 0);
        continue;
      }
      const line = this.buf.indexOf('\r\n');
      if (line < 0) {
        if (this.buf.length > 1024) throw new Error('the backend sent a malformed chunk size');
        return;
      }
      const size = parseInt(this.buf.toString('latin1', 0, line).split(';', 1)[0]!.trim(), 16);
      if (!Number.isSafeInteger(size) || size < 0) throw new Error('the backend sent a malformed chunk size');
      this.buf = this.buf.subarray(line + 2);
      if (size === 0) this.remaining = -1;
      else this.remaining = size;
    }
  }

  private head(text: string): void {
    let eol = text.indexOf('\r\n');
    if (eol < 0) eol = text.length;
    const m = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(text.slice(0, eol));
    if (!m) throw new Error('the backend answered something that is not HTTP/1.x');
    this.status = Number(m[2]);
    const http10 = m[1] === '0';
    let length: number | undefined;
    let chunked = false;
    let connection = '';
    const raw: string[] = [];
    for (let at = eol + 2; at < text.length; ) {
      let end = text.indexOf('\r\n', at);
      if (end < 0) end = text.length;
      const colon = text.indexOf(':', at);
      if (colon <= at || colon > end) throw new Error('the backend answered a malformed header');
      const name = text.slice(at, colon).trim().toLowerCase();
      const value = text.slice(colon + 1, end).trim();
      at = end + 2;
      raw.push(name, value);
      if (name === 'content-length') {
        const n = Number(value);
        if (!/^\d+$/.test(value) || (length !== undefined && length !== n)) throw new Error('the backend answered a malformed Content-Length');
        length = n;
      } else if (name === 'transfer-encoding') chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
      else if (name === 'connection') connection += `${value.toLowerCase()},`;
    }
    this.rawHeaders = raw;
    if (this.status < 200) return;
    this.keepAlive = http10 ? /(?:^|,)\s*keep-alive\s*,/.test(connection) : !/(?:^|,)\s*close\s*,/.test(connection);
    // (`buf` still holds the head here: bytes beyond it answer nothing, so the socket is not reused.)
    if (this.headRequest || this.status === 204 || this.status === 304) {
      this.mode = 'length';
      this.remaining = 0;
      return this.succeed(this.buf.length <= text.length + 4);
    }
    if (chunked) this.mode = 'chunked';
    else if (length !== undefined) {
      this.mode = 'length';
      this.remaining = length;
      if (length === 0) return this.succeed(this.buf.length <= text.length + 4);
    } else {
      this.mode = 'close';
      this.keepAlive = false;
    }
  }
}
