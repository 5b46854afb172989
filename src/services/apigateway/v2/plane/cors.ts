/**
 * CORS from an HTTP API's CorsConfiguration: a preflight (OPTIONS with Origin and
 * Access-Control-Request-Method) is answered by API Gateway itself, without invoking anything,
 * and other answers to an allowed origin carry the CORS headers (which replace the
 * integration's own, as AWS documents for configured CORS).
 */
import type { ApiResponse } from '../../../../server/api.js';
import type { Cors } from '../model.js';

const allowed = (cors: Cors, origin: string) => (cors.allowOrigins ?? []).some((o) => o === '*' || o.toLowerCase() === origin.toLowerCase() || wildcard(o, origin));

/** `https://*.example.com` style origins. */
function wildcard(pattern: string, origin: string): boolean {
  if (!pattern.includes('*')) return false;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`, 'i');
  return re.test(origin);
}

/** The CORS headers for an answer to `origin`, or none when the origin is not allowed. */
export function corsHeaders(cors: Cors | undefined, origin: string | undefined): Record<string, string> {
  if (!cors || !origin || !allowed(cors, origin)) return {};
  const any = cors.allowOrigins?.includes('*') && !cors.allowCredentials;
  return {
    'access-control-allow-origin': any ? '*' : origin,
    ...(cors.allowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
    ...(cors.exposeHeaders?.length ? { 'access-control-expose-headers': cors.exposeHeaders.join(',') } : {}),
    ...(any ? {} : { vary: 'Origin' }),
  };
}

/** The answer to a preflight: 204 with the allowed methods and headers (none of them when the origin or method is not allowed). */
export function preflight(cors: Cors, origin: string, method: string, requestHeaders: string | undefined): ApiResponse {
  const base = corsHeaders(cors, origin);
  const methods = cors.allowMethods ?? [];
  const methodOk = methods.includes('*') || methods.map((m) => m.toUpperCase()).includes(method.toUpperCase());
  if (!base['access-control-allow-origin'] || !methodOk) return { status: 204, headers: {}, body: '' };
  const allowHeaders = cors.allowHeaders ?? [];
  const headers: Record<string, string> = {
    ...base,
    'access-control-allow-methods': methods.join(','),
  };
  if (allowHeaders.length) headers['access-control-allow-headers'] = allowHeaders.includes('*') && requestHeaders ? requestHeaders : allowHeaders.join(',');
  if (cors.maxAge !== undefined && cors.maxAge >= 0) headers['access-control-max-age'] = String(cors.maxAge);
  delete headers['access-control-expose-headers'];
  return { status: 204, headers, body: '' };
}
