/** Types of nimbus-ws.mjs, Nimbus's acknowledged-delivery client (see that file). */

export declare const SUBPROTOCOL: 'nimbus.ack.v1';
export declare const REPLACED: 4001;
export declare const HANDLER_FAILED: 4000;

export interface MessageMeta {
  seq: number;
  encoding?: 'base64';
}

export interface ConnectOptions {
  /** The client's mailbox id (or the `clientId` query parameter of the URL). */
  clientId?: string;
  /** A WebSocket constructor (the `ws` package in Node before 22); default the global one. */
  WebSocket?: unknown;
  /**
   * Each message once, in order: text as a string, other payloads as a Uint8Array. It is
   * acknowledged once this returns (or its promise resolves); if it throws, the connection is
   * closed and the message comes again on the next one.
   */
  onMessage?(data: string | Uint8Array, meta: MessageMeta): void | Promise<void>;
  /** Frames that are not mailbox messages (a route's response), as received. */
  onReply?(data: unknown): void;
  onOpen?(): void;
  onClose?(code: number, reason: string): void;
  onError?(error: unknown): void;
  /** Called with each acknowledgement sent (e.g. to keep `lastSeq` across page loads). */
  onAck?(seq: number): void;
  /** The highest seq already handled (kept from an earlier session); default 0. */
  lastSeq?: number;
  /** Milliseconds to gather acknowledgements into one frame; default 0 (the next turn). */
  ackDelay?: number;
  /** Reconnect backoff: doubles from min to max; default 100 and 5000 ms. */
  minReconnectDelay?: number;
  maxReconnectDelay?: number;
}

export declare class NimbusSocket {
  constructor(url: string, options?: ConnectOptions);
  readonly url: string;
  readonly clientId: string;
  /** The highest seq handed to onMessage. */
  readonly lastSeq: number;
  readonly connected: boolean;
  opened(): Promise<void>;
  send(data: string | ArrayBufferView | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
}

export declare function connect(url: string, options?: ConnectOptions): NimbusSocket;
