/**
 * One request to an HTTP integration's backend (v1 HTTP and HTTP_PROXY, v2 HTTP_PROXY), as API
 * Gateway makes it: hop-by-hop headers stay behind, the body goes as given, and the answer is
 * read whole up to API Gateway's 10 MB payload quota (a larger one fails the call). Every
 * request goes through the outbound guard: an integration URL is user input and must not reach
 * link-local or cloud metadata addresses. Plain `http:` backends are reached by the gateway's
 * own pooled client (http-client.ts: one write per request, sockets kept alive), `https:` ones by
 * node:https on its global agent (which keeps connections alive too).
 */
import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { OutboundGuard } from '../../../lib/outbound.js';
import { HttpClient } from './http-client.js';

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

/** Where a request goes: a URL, or the same parts without the cost of building one (HTTP_PROXY's hot path). */
export type Destination = Pick<URL, 'protocol' | 'hostname' | 'port' | 'host' | 'pathname' | 'search'>;

/** One pooled client per outbound guard (one per Nimbus). */
const clients = new WeakMap<OutboundGuard, HttpClient>();

export function requestBackend(outbound: OutboundGuard, to: Destination, method: string, headers: Record<string, string>, body: Buffer | undefined, call?: BackendCall): Promise<BackendAnswer> {
  const forward: Record<string, string> = {};
  for (const k in headers) if (!HOP_BY_HOP.has(k.toLowerCase())) forward[k] = headers[k]!;
  if (to.protocol === 'http:') {
    let client = clients.get(outbound);
    if (!client) clients.set(outbound, (client = new HttpClient(outbound)));
    const host = to.hostname.replace(/^\[|\]$/g, '');
    const request = { method, host, port: to.port ? Number(to.port) : 80, hostHeader: to.host, path: `${to.pathname}${to.search}`, headers: forward, body, maxBodyBytes: MAX_BACKEND_RESPONSE_BYTES };
    return client.request(request, call).then((a) => ({ status: a.status, headers: answerHeaders(a.rawHeaders), body: a.body }));
  }
  if (body?.length) forward['content-length'] = String(body.length);
  const url = to instanceof URL ? to : new URL(`${to.protocol}//${to.host}${to.pathname}${to.search}`);
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

/** An answer's headers as BackendAnswer keeps them: hop-by-hop ones dropped, Set-Cookie a list, other repeats joined with `, `. */
function answerHeaders(raw: string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!;
    const v = raw[i + 1]!;
    if (HOP_BY_HOP.has(k)) continue;
    const had = out[k];
    if (had === undefined) out[k] = k === 'set-cookie' ? [v] : v;
    else if (Array.isArray(had)) had.push(v);
    else out[k] = `${had}, ${v}`;
  }
  return out;
}
