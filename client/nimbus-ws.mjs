/**
 * nimbus-ws: the client of Nimbus's acknowledged delivery for WebSocket APIs (protocol
 * `nimbus.ack.v1`). One ES module, no dependencies, the same code in browsers and Node:
 * it connects with the subprotocol and `clientId`, hands each message to `onMessage` once and in
 * order (duplicates, which a reconnect may send again, are dropped by seq), acknowledges what
 * was handled, and reconnects with backoff, resuming where the acknowledgements left off.
 *
 * Browser:  import { connect } from 'http://127.0.0.1:4566/_nimbus/client/nimbus-ws.mjs';
 * Node:     import { connect } from 'nimbus/client/nimbus-ws.mjs'; pass `WebSocket` from the
 *           `ws` package unless the runtime has a global one (Node 22+).
 *
 * Wire protocol: Nimbus sends `{"seq": n, "data": "..."}` (with `"encoding": "base64"` when the
 * payload is not UTF-8 text); the client answers `{"ack": n}`, acknowledging everything up to n.
 */

export const SUBPROTOCOL = 'nimbus.ack.v1';
/** Close code Nimbus uses when a newer connection of the same client took over: no reconnect. */
export const REPLACED = 4001;
/** Close code this library uses after a failed message handler (the message comes again). */
export const HANDLER_FAILED = 4000;

/**
 * Connects and keeps connecting until `close()`.
 * @param {string} url  the API's stage URL, `ws://{apiId}.execute-api.localhost:4566/{stage}`
 * @param {import('./nimbus-ws.mjs').ConnectOptions} options
 * @returns {NimbusSocket}
 */
export function connect(url, options) {
  return new NimbusSocket(url, options);
}

export class NimbusSocket {
  constructor(url, options = {}) {
    const Ws = options.WebSocket ?? globalThis.WebSocket;
    if (typeof Ws !== 'function') throw new TypeError('nimbus-ws: no WebSocket implementation: pass options.WebSocket (e.g. the ws package in Node before 22)');
    const u = new URL(url);
    const clientId = options.clientId ?? u.searchParams.get('clientId');
    if (!clientId) throw new TypeError('nimbus-ws: a clientId is required (options.clientId or the clientId query parameter)');
    u.searchParams.set('clientId', clientId);
    this.url = u.toString();
    this.clientId = clientId;
    this._Ws = Ws;
    this._opts = options;
    this._minDelay = options.minReconnectDelay ?? 100;
    this._maxDelay = options.maxReconnectDelay ?? 5000;
    this._delay = this._minDelay;
    this._ackDelay = options.ackDelay ?? 0;
    /** The highest seq handed to onMessage (messages at or below it are duplicates). */
    this.lastSeq = options.lastSeq ?? 0;
    this._acked = 0;
    this._ackTimer = undefined;
    this._queue = [];
    this._handling = false;
    this._closed = false;
    this._ws = undefined;
    this._timer = undefined;
    this._openWaiters = [];
    this._open();
  }

  /** Whether a connection is open now. */
  get connected() {
    return !!this._ws && this._ws.readyState === 1;
  }

  /** Resolves once a connection is open (now, or the next one). */
  opened() {
    if (this.connected) return Promise.resolve();
    if (this._closed) return Promise.reject(new Error('nimbus-ws: closed'));
    return new Promise((resolve, reject) => this._openWaiters.push({ resolve, reject }));
  }

  /** Sends a frame to the API's routes (not part of acknowledged delivery); throws when not connected. */
  send(data) {
    if (!this.connected) throw new Error('nimbus-ws: not connected');
    this._ws.send(data);
  }

  /** Closes for good: no reconnect. Messages not yet acknowledged wait in the mailbox. */
  close(code = 1000, reason = '') {
    this._closed = true;
    clearTimeout(this._timer);
    this._flushAck();
    clearTimeout(this._ackTimer);
    for (const w of this._openWaiters.splice(0)) w.reject(new Error('nimbus-ws: closed'));
    if (this._ws && this._ws.readyState <= 1) this._ws.close(code, reason);
  }

  _open() {
    const ws = new this._Ws(this.url, [SUBPROTOCOL]);
    this._ws = ws;
    ws.addEventListener('open', () => {
      if (ws !== this._ws) return;
      this._delay = this._minDelay;
      for (const w of this._openWaiters.splice(0)) w.resolve();
      this._opts.onOpen?.();
    });
    ws.addEventListener('message', (ev) => {
      if (ws === this._ws) this._receive(ev.data);
    });
    ws.addEventListener('error', (ev) => {
      if (ws === this._ws) this._opts.onError?.(ev?.error ?? new Error('nimbus-ws: connection error'));
    });
    ws.addEventListener('close', (ev) => {
      if (ws !== this._ws) return;
      this._queue.length = 0;
      this._acked = 0;
      this._opts.onClose?.(ev.code, ev.reason);
      if (this._closed || ev.code === REPLACED) {
        this._closed = true;
        for (const w of this._openWaiters.splice(0)) w.reject(new Error(`nimbus-ws: closed (${ev.code})`));
        return;
      }
      this._timer = setTimeout(() => this._open(), this._delay);
      this._delay = Math.min(this._delay * 2, this._maxDelay);
    });
  }

  _receive(raw) {
    let frame;
    if (typeof raw === 'string' && raw.startsWith('{"seq"')) {
      try {
        frame = JSON.parse(raw);
      } catch {}
    }
    if (!frame || typeof frame.seq !== 'number') {
      // Not a mailbox message (a route's response): handed over as is, not acknowledged.
      this._opts.onReply?.(raw);
      return;
    }
    this._queue.push(frame);
    if (!this._handling) void this._drain(this._ws);
  }

  /** Hands queued messages to onMessage one at a time, skipping duplicates, then acknowledges. */
  async _drain(ws) {
    this._handling = true;
    try {
      while (this._queue.length && ws === this._ws) {
        const f = this._queue.shift();
        if (f.seq > this.lastSeq) {
          const data = f.encoding === 'base64' ? fromBase64(f.data) : f.data;
          try {
            await this._opts.onMessage?.(data, { seq: f.seq, encoding: f.encoding });
          } catch (err) {
            // Not acknowledged: the message comes again on the next connection.
            this._opts.onError?.(err);
            this._queue.length = 0;
            if (ws.readyState <= 1) ws.close(HANDLER_FAILED, 'message handler failed');
            return;
          }
          this.lastSeq = f.seq;
        }
        this._scheduleAck();
      }
    } finally {
      this._handling = false;
    }
  }

  _scheduleAck() {
    if (this._ackTimer !== undefined) return;
    this._ackTimer = setTimeout(() => {
      this._ackTimer = undefined;
      this._flushAck();
    }, this._ackDelay);
  }

  _flushAck() {
    if (this.lastSeq > this._acked && this.connected) {
      this._ws.send(JSON.stringify({ ack: this.lastSeq }));
      this._acked = this.lastSeq;
      this._opts.onAck?.(this.lastSeq);
    }
  }
}

function fromBase64(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
