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
  /** A stream is piped as it comes; its length is in the headers the handler set. */
  body: string | Buffer | Readable;
}
