/**
 * HTTP_PROXY integrations: the request goes on to the integration's URL with its method (or the
 * integration's), path parameters substituted into the URL (`{proxy}` for a greedy `{proxy+}`),
 * the client's query string and headers (less hop-by-hop ones), and the body, after the request
 * parameter mappings; the backend's answer comes back as it is. A backend that does not answer
 * within the integration's timeout is a 504, one that cannot be reached a 500.
 */
import type { ApiResponse } from '../../../../server/api.js';
import type { GatewayDeps } from '../../deps.js';
import { HOP_BY_HOP, requestBackend, type BackendCall, type Destination } from '../../shared/http-backend.js';
import type { Integration } from '../model.js';
import { gatewayTimeout, internalError } from './answers.js';
import { isTimedOut, withTimeout } from './lambda-proxy.js';
import { mapRequest, type OutgoingRequest } from './params.js';
import type { Incoming } from './request.js';


/** An integration URI taken apart once: an integration is replaced, never edited, when it changes. */
interface Target {
  protocol: string;
  hostname: string;
  port: string;
  host: string;
  pathname: string;
  query: Array<[string, string]>;
  /** Whether the URI names a path of its own; without one, the request's path inside the stage is used. */
  ownPath: boolean;
}

const targets = new WeakMap<Integration, Target>();

function parseTarget(uri: string): Target | undefined {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return undefined;
  }
  return { protocol: u.protocol, hostname: u.hostname, port: u.port, host: u.host, pathname: u.pathname, query: [...u.searchParams], ownPath: !(u.pathname === '/' && !/^[a-z]+:\/\/[^/]+\//i.test(uri)) };
}

/** The integration's target for this request: parsed once, unless stage variables or path parameters fill it in. */
function targetOf(integration: Integration, inc: Incoming): Target | undefined {
  const raw = integration.integrationUri ?? '';
  const templated = raw.includes('{');
  let t = templated ? undefined : targets.get(integration);
  if (t) return t;
  const uri = raw.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_m, name: string) => inc.stage.stageVariables?.[name] ?? '');
  t = parseTarget(uri.replace(/\{([A-Za-z0-9._-]+)\+?\}/g, (m, name: string) => (Object.hasOwn(inc.pathParameters, name) ? encodePath(inc.pathParameters[name]!) : m)));
  if (t && !templated) targets.set(integration, t);
  return t;
}

export async function httpProxy(deps: GatewayDeps, inc: Incoming, integration: Integration): Promise<ApiResponse> {
  const target = targetOf(integration, inc);
  if (!target) {
    deps.log.warn('API Gateway: the HTTP_PROXY integration URI is no URL once its stage variables are in', { apiId: inc.api.id, uri: integration.integrationUri });
    return internalError();
  }
  const headers: Record<string, string> = {};
  for (const k in inc.headers) {
    const v = inc.headers[k];
    if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = Array.isArray(v) ? v.join(',') : v;
  }
  const path = target.ownPath ? target.pathname : inc.stagePath;
  let search: string;
  if (!integration.requestParameters && !target.query.length) search = inc.rawQuery ? `?${inc.rawQuery}` : '';
  else {
    const out: OutgoingRequest = { path, query: [...target.query, ...inc.query], headers };
    mapRequest(integration.requestParameters, inc, out);
    search = out.query.length ? `?${new URLSearchParams(out.query).toString()}` : '';
    if (out.path !== path) return proxyTo(deps, inc, integration, target, out.path, search, headers);
  }
  return proxyTo(deps, inc, integration, target, path, search, headers);
}

async function proxyTo(deps: GatewayDeps, inc: Incoming, integration: Integration, target: Target, path: string, search: string, headers: Record<string, string>): Promise<ApiResponse> {
  const method = !integration.integrationMethod || integration.integrationMethod === 'ANY' ? inc.method : integration.integrationMethod;
  const to: Destination = { protocol: target.protocol, hostname: target.hostname, port: target.port, host: target.host, pathname: cleanPath(path), search };
  const handle: BackendCall = {};
  const call = forward(deps, to, method, headers, method !== 'GET' && method !== 'HEAD' && inc.req.body.length ? inc.req.body : undefined, handle);
  try {
    const result = await withTimeout(deps, integration.timeoutInMillis, call);
    if (isTimedOut(result)) {
      handle.abort?.();
      call.catch(() => undefined);
      return gatewayTimeout();
    }
    return result;
  } catch (e) {
    deps.log.warn('API Gateway could not reach the HTTP_PROXY integration', { apiId: inc.api.id, url: `${to.protocol}//${to.host}${to.pathname}${to.search}`, err: (e as Error).message });
    return internalError();
  }
}

/** A path as a URL would carry it: already clean paths (the usual case) as they are, others normalised (dot segments, escapes). */
function cleanPath(path: string): string {
  if (/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/.test(path) && !/\/\.\.?(\/|$)/.test(path)) return path;
  const u = new URL('http://x');
  u.pathname = path;
  return u.pathname;
}

/** The backend's answer as the route's: Node writes a Set-Cookie list as repeated headers. */
async function forward(deps: GatewayDeps, to: Destination, method: string, headers: Record<string, string>, body: Buffer | undefined, handle: BackendCall): Promise<ApiResponse> {
  const answer = await requestBackend(deps.outbound, to, method, headers, body, handle);
  return { status: answer.status, headers: answer.headers as Record<string, string>, body: answer.body };
}

const encodePath = (v: string) => v.split('/').map(encodeURIComponent).join('/');
