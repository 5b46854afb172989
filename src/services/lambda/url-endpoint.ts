/**
 * The HTTP side of function URLs: a request to `<url-id>.lambda-url.<region>.localhost` (or
 * its path-style form `/_nimbus/lambda-url/<url-id>/...`, for clients that cannot resolve
 * `*.localhost`) becomes Lambda's payload format 2.0 event; the function's answer becomes the HTTP response
 * (a `statusCode` object, or any other JSON as a 200 application/json body). AuthType AWS_IAM
 * requires a SigV4 signature for service `lambda` from the function's own account; NONE lets
 * anyone call. CORS preflights are answered from the URL's Cors settings without invoking.
 */
import { own, setOwn } from '../../lib/own.js';
import type { Clock } from '../../lib/clock.js';
import { AwsError } from '../../protocols/errors.js';
import type { SigV4Identity } from '../../protocols/sigv4.js';
import type { ApiRequest, ApiResponse } from '../../server/api.js';
import type { EndpointMatch, HostRoute } from '../service.js';
import type { Invoker } from './engine/invoker.js';
import type { FunctionRef } from './engine/names.js';
import type { FunctionUrls } from './engine/urls.js';
import { TooManyRequestsException } from './errors.js';
import type { UrlConfig } from './model.js';

export class FunctionUrlEndpoint {
  constructor(
    private readonly urls: FunctionUrls,
    private readonly invoker: Invoker,
    private readonly clock: Clock,
  ) {}

  /** The host router's declaration of function URLs, served by this endpoint. */
  readonly hosts: HostRoute[] = [
    { host: '{urlId}.lambda-url.{region}.localhost', pathStyle: '/_nimbus/lambda-url/{urlId}', http: (req, match, verify) => this.handle(req, match, verify) },
  ];

  /** Serves one request to a function URL. */
  async handle(req: ApiRequest, match: EndpointMatch, verify: () => SigV4Identity): Promise<ApiResponse> {
    const urlId = match.labels.urlId!;
    const found = /^[a-z0-9]{32}$/.test(urlId) ? this.urls.byId(urlId) : undefined;
    if (!found) return plain(404, { Message: 'Not Found' });
    const { fn, qualifier, config } = found;
    const origin = header(req, 'origin');
    const cors = corsHeaders(config, origin);
    if (req.method === 'OPTIONS' && origin && header(req, 'access-control-request-method')) {
      return { status: 200, headers: { ...cors, ...preflightHeaders(config) }, body: '' };
    }
    let identity: SigV4Identity | undefined;
    if (config.AuthType === 'AWS_IAM') {
      try {
        identity = verify();
      } catch {
        return plain(403, { Message: 'Forbidden' }, cors);
      }
      // Only the function's own account may call it: Nimbus evaluates no resource policies.
      if (identity.service !== 'lambda' || identity.accountId !== fn.accountId) return plain(403, { Message: 'Forbidden' }, cors);
    }
    const event = this.event(req, match.path, urlId, identity);
    const ref: FunctionRef = { accountId: fn.accountId, region: fn.region, name: fn.name, ...(qualifier !== '$LATEST' ? { qualifier } : {}) };
    let result;
    try {
      result = await this.invoker.invoke(this.invoker.resolve(ref), Buffer.from(JSON.stringify(event)), { requestId: req.requestId });
    } catch (e) {
      if (e instanceof TooManyRequestsException) return plain(429, { Message: 'Rate Exceeded.' }, cors);
      if (e instanceof AwsError) return plain(502, { Message: 'Internal Server Error' }, cors);
      throw e;
    }
    if (result.functionError) return plain(502, { Message: 'Internal Server Error' }, cors);
    const response = responseOf(result.payload);
    return { ...response, headers: { ...response.headers, ...cors } };
  }

  /** Lambda's payload format 2.0 event for the request. */
  private event(req: ApiRequest, path: string, urlId: string, identity: SigV4Identity | undefined): Record<string, unknown> {
    // Names come from the request: `constructor` or `__proto__` must be entries like any other.
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && k !== 'cookie') setOwn(headers, k, Array.isArray(v) ? v.join(',') : v);
    const query: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(req.query)) {
      const before = own(query, k);
      setOwn(query, k, before === undefined ? v : `${before},${v}`);
    }
    const cookies = header(req, 'cookie')?.split(/;\s*/).filter(Boolean);
    const text = isText(headers['content-type']);
    const now = this.clock.now();
    return {
      version: '2.0',
      routeKey: '$default',
      rawPath: path,
      rawQueryString: req.query,
      ...(cookies?.length ? { cookies } : {}),
      headers,
      ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
      requestContext: {
        accountId: identity ? identity.accountId : 'anonymous',
        apiId: urlId,
        ...(identity ? { authorizer: { iam: { accessKey: identity.accessKeyId, accountId: identity.accountId, callerId: identity.accessKeyId, userArn: `arn:aws:iam::${identity.accountId}:root`, userId: identity.accessKeyId } } } : {}),
        domainName: String(req.headers.host).replace(/:\d+$/, ''),
        domainPrefix: urlId,
        http: { method: req.method, path, protocol: 'HTTP/1.1', sourceIp: req.sourceIp ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
        requestId: req.requestId,
        routeKey: '$default',
        stage: '$default',
        time: clfTime(now),
        timeEpoch: now,
      },
      ...(req.body.length ? { body: text ? req.body.toString('utf8') : req.body.toString('base64') } : {}),
      isBase64Encoded: req.body.length > 0 && !text,
    };
  }
}

/** The HTTP response for a function's answer, as function URLs interpret it. */
function responseOf(payload: Buffer): ApiResponse {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    return { status: 200, headers: { 'content-type': 'application/json' }, body: payload };
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'statusCode' in value) {
    const r = value as { statusCode: number; headers?: Record<string, string>; body?: unknown; isBase64Encoded?: boolean; cookies?: string[] };
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
    const body = r.body === undefined || r.body === null ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    if (r.cookies?.length) headers['set-cookie'] = r.cookies.join(', ');
    return { status: Number(r.statusCode) || 200, headers, body: r.isBase64Encoded ? Buffer.from(body, 'base64') : body };
  }
  if (typeof value === 'string') return { status: 200, headers: { 'content-type': 'application/json' }, body: value };
  return { status: 200, headers: { 'content-type': 'application/json' }, body: payload };
}

function corsHeaders(config: UrlConfig, origin: string | undefined): Record<string, string> {
  const cors = config.Cors as { AllowOrigins?: string[]; ExposeHeaders?: string[]; AllowCredentials?: boolean } | undefined;
  if (!cors || !origin) return {};
  const allowed = (cors.AllowOrigins ?? []).some((o) => o === '*' || o === origin);
  if (!allowed) return {};
  return {
    'access-control-allow-origin': cors.AllowOrigins?.includes('*') && !cors.AllowCredentials ? '*' : origin,
    ...(cors.ExposeHeaders?.length ? { 'access-control-expose-headers': cors.ExposeHeaders.join(',') } : {}),
    ...(cors.AllowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
    vary: 'Origin',
  };
}

function preflightHeaders(config: UrlConfig): Record<string, string> {
  const cors = config.Cors as { AllowMethods?: string[]; AllowHeaders?: string[]; MaxAge?: number } | undefined;
  return {
    ...(cors?.AllowMethods?.length ? { 'access-control-allow-methods': cors.AllowMethods.join(',') } : {}),
    ...(cors?.AllowHeaders?.length ? { 'access-control-allow-headers': cors.AllowHeaders.join(',') } : {}),
    ...(cors?.MaxAge !== undefined ? { 'access-control-max-age': String(cors.MaxAge) } : {}),
  };
}

const header = (req: Pick<ApiRequest, 'headers'>, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

const plain = (status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse => ({ status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

function isText(contentType: string | undefined): boolean {
  if (!contentType) return true;
  return /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|.*\+(json|xml))/i.test(contentType);
}

/** `12/Mar/2020:19:03:58 +0000`, as requestContext.time gives it. */
function clfTime(ms: number): string {
  const d = new Date(ms);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
