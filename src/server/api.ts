/** The HTTP-free view of a request and its answer, between server/ and the dispatcher. */
export interface ApiRequest {
  method: string;
  /** Raw path as received, without the query string. */
  path: string;
  /** Raw query string without '?'. */
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  requestId: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}
