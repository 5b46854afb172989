import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';

/** The HTTP-free view of a request and its answer, between server/ and the dispatcher. */
export interface ApiRequest {
  method: string;
  /** Raw path as received, without the query string. */
  path: string;
  /** Raw query string without '?'. */
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The unread body, for operations that stream it (S3 uploads); `body` is then empty. */
  stream?: Readable;
  requestId: string;
  /** The client's address (policy conditions such as aws:SourceIp). */
  sourceIp?: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  /** Headers sent as one line per value (Set-Cookie); written after `headers`. */
  repeated?: Record<string, string[]>;
  /** A stream is piped as it comes; its length is in the headers the handler set. */
  body: string | Buffer | Readable;
}

/** The head of a WebSocket upgrade request, as the service owning its host or path sees it. */
export interface UpgradeRequest {
  method: string;
  /** Raw path as received, without the query string. */
  path: string;
  /** Raw query string without '?'. */
  query: string;
  headers: Record<string, string | string[] | undefined>;
  requestId: string;
  sourceIp?: string;
}

/**
 * One open WebSocket connection. Reading stops while a message listener's promise is pending
 * and while the peer is slow to take what was sent (more than the high-water mark buffered),
 * so neither side can make Nimbus queue without bound.
 */
export interface WebSocketConnection {
  /** The request id of the upgrade. */
  readonly id: string;
  /** Bytes sent but not yet taken by the peer. */
  readonly bufferedAmount: number;
  /** Sends a text (string) or binary (Buffer) frame; resolves once written, rejects if the connection is gone. */
  send(data: string | Buffer): Promise<void>;
  /** Starts the closing handshake (1000 unless told). */
  close(code?: number, reason?: string): void;
  /** Text frames arrive as strings, binary frames as Buffers, one at a time in order. */
  onMessage(listener: (data: string | Buffer) => void | Promise<void>): void;
  onClose(listener: (code: number, reason: string) => void): void;
  /** A ping from the peer (answered with a pong by the server itself). */
  onPing?(listener: () => void): void;
}

/** What a request says of itself on its request line and socket, as both HTTP requests and upgrades take it. */
export function requestLine(incoming: IncomingMessage): Pick<ApiRequest, 'method' | 'path' | 'query' | 'headers' | 'sourceIp'> {
  const url = incoming.url ?? '/';
  const q = url.indexOf('?');
  return {
    method: incoming.method ?? 'GET',
    path: q >= 0 ? url.slice(0, q) : url,
    query: q >= 0 ? url.slice(q + 1) : '',
    headers: incoming.headers,
    sourceIp: incoming.socket.remoteAddress?.replace(/^::ffff:/, ''),
  };
}
