/**
 * The registry of open WebSocket API connections on this node: what the data plane, the
 * @connections management API and anything built on them (acknowledged delivery) use to find a
 * connection, send to it, close it, and see every frame a client sends before it is routed.
 *
 * A connection is registered once its `$connect` succeeded and the upgrade completed, and
 * removed when it closes (after which `send` answers 'gone', as AWS's 410 GoneException).
 * The API is small on purpose and kept stable:
 *
 *   get(id)                 the live connection (its facts: api, stage, identity, times)
 *   send(id, data)          'sent' once written, 'gone' when the connection is not open
 *   close(id, code, reason) starts the closing handshake; false when it is not open
 *   onFrame(hook)           every incoming frame, in order, before routing; a hook that answers
 *                           true has consumed the frame (it is not routed)
 *   onOpen / onClose        lifecycle listeners (after `$connect`; after the close, with its code)
 */
import type { WebSocketConnection } from '../../../server/api.js';

/** What API Gateway knows of a connection (GetConnection shows part of it). */
export interface ConnectionFacts {
  connectionId: string;
  apiId: string;
  accountId: string;
  region: string;
  stage: string;
  /** The host a function sees as `requestContext.domainName` (the @connections endpoint's host). */
  domainName: string;
  connectedAt: number;
  identity: { sourceIp: string; userAgent?: string };
  /** The `$connect` authorizer's context (and principalId), passed on to every route. */
  authorizer?: Record<string, unknown>;
  /** The upgrade request's query string parameters. */
  query: Record<string, string>;
  /** The subprotocols the client asked for (Sec-WebSocket-Protocol), in order. */
  subprotocols: string[];
  /** Acknowledged delivery: the client whose mailbox this connection has (ack/delivery.ts). */
  clientId?: string;
}

export interface LiveConnection extends ConnectionFacts {
  /** When the client last sent a frame (or a ping), or something was sent to it. */
  lastActiveAt: number;
  /** Bytes sent but not yet taken by the client. */
  readonly bufferedAmount: number;
}

/** Answers true when it consumed the frame (it is then not routed). */
export type FrameHook = (conn: LiveConnection, data: string | Buffer) => boolean | Promise<boolean>;

interface Entry {
  live: LiveConnection;
  socket: WebSocketConnection;
}

export class Connections {
  private readonly open = new Map<string, Entry>();
  private readonly frameHooks: FrameHook[] = [];
  private readonly openListeners: ((conn: LiveConnection) => void)[] = [];
  private readonly closeListeners: ((conn: LiveConnection, code: number, reason: string) => void)[] = [];

  constructor(private readonly now: () => number) {}

  get size(): number {
    return this.open.size;
  }

  get(connectionId: string): LiveConnection | undefined {
    return this.open.get(connectionId)?.live;
  }

  /** The open connections (of one API when given). */
  *list(apiId?: string): IterableIterator<LiveConnection> {
    for (const e of this.open.values()) if (apiId === undefined || e.live.apiId === apiId) yield e.live;
  }

  /** Sends a text (string) or binary (Buffer) frame; 'gone' when the connection is not open (or closes first). */
  async send(connectionId: string, data: string | Buffer): Promise<'sent' | 'gone'> {
    const e = this.open.get(connectionId);
    if (!e) return 'gone';
    e.live.lastActiveAt = this.now();
    try {
      await e.socket.send(data);
      return 'sent';
    } catch {
      return 'gone';
    }
  }

  /** Starts the closing handshake (1000 unless told); false when the connection is not open. */
  close(connectionId: string, code = 1000, reason = ''): boolean {
    const e = this.open.get(connectionId);
    if (!e) return false;
    e.socket.close(code, reason);
    return true;
  }

  /** Every incoming frame passes the hooks (in the order added) before routing. Answers a function that removes the hook. */
  onFrame(hook: FrameHook): () => void {
    this.frameHooks.push(hook);
    return () => {
      const i = this.frameHooks.indexOf(hook);
      if (i >= 0) this.frameHooks.splice(i, 1);
    };
  }

  onOpen(listener: (conn: LiveConnection) => void): void {
    this.openListeners.push(listener);
  }

  onClose(listener: (conn: LiveConnection, code: number, reason: string) => void): void {
    this.closeListeners.push(listener);
  }

  // --- for the data plane ---

  /** Registers an open connection; the data plane calls `closed` when it closes. */
  add(facts: ConnectionFacts, socket: WebSocketConnection): LiveConnection {
    const live: LiveConnection = Object.defineProperty({ ...facts, lastActiveAt: facts.connectedAt }, 'bufferedAmount', { get: () => socket.bufferedAmount, enumerable: false }) as LiveConnection;
    this.open.set(facts.connectionId, { live, socket });
    for (const l of this.openListeners) l(live);
    return live;
  }

  /** Runs the frame hooks: true when one consumed the frame. */
  async consumed(live: LiveConnection, data: string | Buffer): Promise<boolean> {
    live.lastActiveAt = this.now();
    for (const hook of this.frameHooks) if (await hook(live, data)) return true;
    return false;
  }

  closed(connectionId: string, code: number, reason: string): void {
    const e = this.open.get(connectionId);
    if (!e) return;
    this.open.delete(connectionId);
    for (const l of this.closeListeners) l(e.live, code, reason);
  }
}
