/**
 * One request to an HTTP integration's backend (v1 HTTP and HTTP_PROXY, v2 HTTP_PROXY), as API
 * Gateway makes it: hop-by-hop headers stay behind, the body goes as given, and the answer is
 * read whole up to API Gateway's 10 MB payload quota (a larger one fails the call). Every
 * request goes through the outbound guard: an integration URL is user input and must not reach
 * link-local or cloud metadata addresses. Node's global agent keeps connections alive, so a
 * busy route reuses its sockets.
 */
import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { OutboundGuard } from '../../../lib/outbound.js';

/** Headers that describe one connection, not the message: never forwarded either way. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
]);

/** API Gateway's payload quota: a larger backend answer is an integration failure. */
export const MAX_BACKEND_RESPONSE_BYTES = 10 * 1024 * 1024;

export interface BackendAnswer {
  status: number;
  /** The backend's headers less hop-by-hop ones; Set-Cookie stays a list, other repeats are joined with `, `. */
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/**
 * Lets the caller give up on a request (the integration timed out): `abort` is set once the
 * request exists. Cheaper than an AbortSignal, which costs a listener per request.
 */
export interface BackendCall {
  abort?: () => void;
}

export function requestBackend(outbound: OutboundGuard, url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined, call?: BackendCall): Promise<BackendAnswer> {
  const forward: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!HOP_BY_HOP.has(k.toLowerCase())) forward[k] = v;
  if (body?.length) forward['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    let req: ClientRequest;
    try {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      req = send(url, { method, headers: forward, ...outbound.requestOptions(url) }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BACKEND_RESPONSE_BYTES) req.destroy(new Error(`the backend's answer is larger than ${MAX_BACKEND_RESPONSE_BYTES} bytes`));
          else chunks.push(c);
        });
        res.on('error', reject);
        res.on('end', () => {
          const out: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (v === undefined || HOP_BY_HOP.has(k)) continue;
            out[k] = Array.isArray(v) && k !== 'set-cookie' ? v.join(', ') : v;
          }
          resolve({ status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks, size) });
        });
      });
    } catch (e) {
      reject(e as Error);
      return;
    }
    req.on('error', reject);
    if (call) call.abort = () => req.destroy(new Error('the request was aborted'));
    req.end(body?.length ? body : undefined);
  });
}
