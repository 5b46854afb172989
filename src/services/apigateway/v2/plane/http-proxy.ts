/**
 * HTTP_PROXY integrations: the request goes on to the integration's URL with its method (or the
 * integration's), path parameters substituted into the URL (`{proxy}` for a greedy `{proxy+}`),
 * the client's query string and headers (less hop-by-hop ones), and the body, after the request
 * parameter mappings; the backend's answer comes back as it is. A backend that does not answer
 * within the integration's timeout is a 504, one that cannot be reached a 500.
 */
import type { ApiResponse } from '../../../../server/api.js';
import type { GatewayDeps } from '../../deps.js';
import { HOP_BY_HOP, requestBackend, type BackendCall } from '../../shared/http-backend.js';
import type { Integration } from '../model.js';
import { gatewayTimeout, internalError } from './answers.js';
import { isTimedOut, withTimeout } from './lambda-proxy.js';
import { mapRequest, type OutgoingRequest } from './params.js';
import type { Incoming } from './request.js';


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
  const handle: BackendCall = {};
  const call = forward(deps, url, method, out.headers, method !== 'GET' && method !== 'HEAD' && inc.req.body.length ? inc.req.body : undefined, handle);
  try {
    const result = await withTimeout(deps, integration.timeoutInMillis, call);
    if (isTimedOut(result)) {
      handle.abort?.();
      call.catch(() => undefined);
      return gatewayTimeout();
    }
    return result;
  } catch (e) {
    deps.log.warn('API Gateway could not reach the HTTP_PROXY integration', { apiId: inc.api.id, url: url.href, err: (e as Error).message });
    return internalError();
  }
}

/** The backend's answer as the route's: Node writes a Set-Cookie list as repeated headers. */
async function forward(deps: GatewayDeps, url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined, handle: BackendCall): Promise<ApiResponse> {
  const answer = await requestBackend(deps.outbound, url, method, headers, body, handle);
  return { status: answer.status, headers: answer.headers as Record<string, string>, body: answer.body };
}

const encodePath = (v: string) => v.split('/').map(encodeURIComponent).join('/');
