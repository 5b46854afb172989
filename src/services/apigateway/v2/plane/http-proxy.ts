/**
 * HTTP_PROXY integrations: the request goes on to the integration's URL with its method (or the
 * integration's), path parameters substituted into the URL (`{proxy}` for a greedy `{proxy+}`),
 * the client's query string and headers (less hop-by-hop ones), and the body, after the request
 * parameter mappings; the backend's answer comes back as it is. A backend that does not answer
 * within the integration's timeout is a 504, one that cannot be reached a 500.
 */
import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ApiResponse } from '../../../../server/api.js';
import type { GatewayDeps } from '../../deps.js';
import type { Integration } from '../model.js';
import { gatewayTimeout, internalError } from './answers.js';
import { isTimedOut, withTimeout } from './lambda-proxy.js';
import { mapRequest, type OutgoingRequest } from './params.js';
import type { Incoming } from './request.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'expect']);

export async function httpProxy(deps: GatewayDeps, inc: Incoming, integration: Integration): Promise<ApiResponse> {
  const uri = (integration.integrationUri ?? '').replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_m, name: string) => inc.stage.stageVariables?.[name] ?? '');
  let target: URL;
  try {
    target = new URL(uri.replace(/\{([A-Za-z0-9._-]+)\+?\}/g, (m, name: string) => (Object.hasOwn(inc.pathParameters, name) ? encodePath(inc.pathParameters[name]!) : m)));
  } catch {
    deps.log.warn('API Gateway: the HTTP_PROXY integration URI is no URL once its stage variables are in', { apiId: inc.api.id, uri });
    return internalError();
  }
  // A URL without a path of its own takes the request's path (the $default route's catch-all use).
  const path = target.pathname === '/' && !/^[a-z]+:\/\/[^/]+\//i.test(uri) ? inc.stagePath : target.pathname;
  const out: OutgoingRequest = { path, query: [...target.searchParams, ...inc.query], headers: {} };
  for (const [k, v] of Object.entries(inc.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out.headers[k] = Array.isArray(v) ? v.join(',') : v;
  mapRequest(integration.requestParameters, inc, out);
  const method = !integration.integrationMethod || integration.integrationMethod === 'ANY' ? inc.method : integration.integrationMethod;
  const url = new URL(target.origin);
  url.pathname = out.path;
  for (const [k, v] of out.query) url.searchParams.append(k, v);
  const abort = new AbortController();
  const call = forward(deps, url, method, out.headers, method !== 'GET' && method !== 'HEAD' && inc.req.body.length ? inc.req.body : undefined, abort.signal);
  try {
    const result = await withTimeout(deps, integration.timeoutInMillis, call);
    if (isTimedOut(result)) {
      abort.abort();
      call.catch(() => undefined);
      return gatewayTimeout();
    }
    return result;
  } catch (e) {
    deps.log.warn('API Gateway could not reach the HTTP_PROXY integration', { apiId: inc.api.id, url: url.href, err: (e as Error).message });
    return internalError();
  }
}

/** The largest backend answer taken (API Gateway's 10 MB payload quota); a larger one is a 500. */
const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/**
 * One request to the backend through node:http(s) with the outbound guard (a user's URL must not
 * reach metadata endpoints), the body buffered up to the payload quota.
 */
function forward(deps: GatewayDeps, url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined, signal: AbortSignal): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let req: ClientRequest;
    try {
      req = send(url, { method, headers, signal, ...deps.outbound.requestOptions(url) }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new Error(`the backend's answer is larger than ${MAX_RESPONSE_BYTES} bytes`));
          else chunks.push(c);
        });
        res.on('end', () => {
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (v === undefined || HOP_BY_HOP.has(k)) continue;
            // Node writes an array value as repeated headers: each Set-Cookie stays its own.
            out[k] = Array.isArray(v) ? (k === 'set-cookie' ? (v as unknown as string) : v.join(', ')) : v;
          }
          resolve({ status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks, size) });
        });
        res.on('error', reject);
      });
    } catch (e) {
      reject(e as Error);
      return;
    }
    req.on('error', reject);
    req.end(body);
  });
}

const encodePath = (v: string) => v.split('/').map(encodeURIComponent).join('/');
