/**
 * The Lambda proxy integration (AWS_PROXY): the request becomes the REST API proxy event as AWS
 * documents it, and the function's answer (`statusCode`, `headers`, `multiValueHeaders`,
 * `body`, `isBase64Encoded`) becomes the response; anything else is a malformed answer, which
 * API Gateway turns into a 502.
 */
import type { ApiResponse } from '../../../../server/api.js';
import { header, isBinary, requestContext, singleHeaders, type Invocation } from './invocation.js';

const orNull = <T extends object>(o: T): T | null => (Object.keys(o).length ? o : null);

export function proxyEvent(inv: Invocation): Record<string, unknown> {
  const multiHeaders: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(inv.req.headers)) if (v !== undefined) Object.defineProperty(multiHeaders, k, { value: Array.isArray(v) ? v : [v], enumerable: true, writable: true, configurable: true });
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of inv.query) {
    Object.defineProperty(query, k, { value: v, enumerable: true, writable: true, configurable: true });
    const before = Object.hasOwn(multiQuery, k) ? multiQuery[k]! : [];
    Object.defineProperty(multiQuery, k, { value: [...before, v], enumerable: true, writable: true, configurable: true });
  }
  const binary = isBinary(header(inv.req, 'content-type'), inv.snapshot.binaryMediaTypes);
  const body = inv.req.body.length ? (binary ? inv.req.body.toString('base64') : inv.req.body.toString('utf8')) : null;
  return {
    resource: inv.resource.path,
    path: inv.path,
    httpMethod: inv.req.method,
    headers: orNull(singleHeaders(inv.req)),
    multiValueHeaders: orNull(multiHeaders),
    queryStringParameters: orNull(query),
    multiValueQueryStringParameters: orNull(multiQuery),
    pathParameters: orNull(inv.pathParameters),
    stageVariables: inv.stage.variables && Object.keys(inv.stage.variables).length ? inv.stage.variables : null,
    requestContext: requestContext(inv),
    body,
    isBase64Encoded: binary && body !== null,
  };
}

/** The HTTP response for a function's proxy answer, or undefined when it is malformed. */
export function proxyResponse(payload: Buffer): ApiResponse | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const r = value as Record<string, unknown>;
  const allowed = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded', 'cookies']);
  if (Object.keys(r).some((k) => !allowed.has(k))) return undefined;
  const status = typeof r.statusCode === 'number' ? r.statusCode : typeof r.statusCode === 'string' && /^\d{3}$/.test(r.statusCode) ? Number(r.statusCode) : undefined;
  if (status === undefined || status < 100 || status > 599) return undefined;
  if (r.body !== undefined && r.body !== null && typeof r.body !== 'string') return undefined;
  const headers: Record<string, string> = {};
  if (r.multiValueHeaders !== undefined && r.multiValueHeaders !== null) {
    if (typeof r.multiValueHeaders !== 'object') return undefined;
    for (const [k, v] of Object.entries(r.multiValueHeaders)) headers[k.toLowerCase()] = Array.isArray(v) ? v.map(String).join(', ') : String(v);
  }
  if (r.headers !== undefined && r.headers !== null) {
    if (typeof r.headers !== 'object') return undefined;
    // Single-value headers are added to the multi-value ones of the same name.
    for (const [k, v] of Object.entries(r.headers)) {
      const key = k.toLowerCase();
      headers[key] = headers[key] !== undefined ? `${headers[key]}, ${String(v)}` : String(v);
    }
  }
  headers['content-type'] ??= 'application/json';
  const body = typeof r.body === 'string' ? r.body : '';
  return { status, headers, body: r.isBase64Encoded === true ? Buffer.from(body, 'base64') : body };
}
