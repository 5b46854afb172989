/**
 * One request to a REST API as the data plane's steps see it once its stage, resource and
 * method are known: what the proxy event, mapping templates, authorizers and usage plans read.
 */
import type { ApiRequest } from '../../../../server/api.js';
import type { Method, Resource, RestApiDoc, Snapshot, Stage } from '../model.js';

export interface Invocation {
  req: ApiRequest;
  api: RestApiDoc;
  stage: Stage;
  snapshot: Snapshot;
  resource: Resource;
  method: Method;
  /** The request's path inside the stage (`/pets/1`). */
  path: string;
  pathParameters: Record<string, string>;
  query: URLSearchParams;
  domainName: string;
  /** Epoch ms the request arrived (the injected clock). */
  now: number;
  /** The backend's status, once it answered (for the access log's $context.integrationStatus). */
  integrationStatus?: number;
  /** The X-Amzn-Trace-Id passed on to the backend. */
  traceId: string;
  /** The API key the request presented and its id, once accepted. */
  apiKey?: { value: string; id: string };
  /** The SigV4 signer of an AWS_IAM method's request. */
  caller?: { accountId: string; accessKeyId: string };
  /** The API key an authorizer named (`usageIdentifierKey`), for APIs whose key source is AUTHORIZER. */
  usageIdentifierKey?: string;
  /** The authorizer's context (and principalId) for requestContext.authorizer. */
  authorizer?: Record<string, unknown>;
}

/** A header's first value (node gives lower-case names). */
export function header(req: Pick<ApiRequest, 'headers'>, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Every header as one value (the last one, as the REST proxy event's `headers` keeps). */
export function singleHeaders(req: Pick<ApiRequest, 'headers'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) Object.defineProperty(out, k, { value: Array.isArray(v) ? v[v.length - 1]! : v, enumerable: true, writable: true, configurable: true });
  return out;
}

/** The execute-api ARN of a method request: `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`. */
export function methodArn(inv: Invocation, path: string): string {
  return `arn:aws:execute-api:${inv.api.region}:${inv.api.accountId}:${inv.api.id}/${inv.stage.stageName}/${inv.req.method}${path === '/' ? '/' : path}`;
}

/** How stage method settings name a method: `~1pets~1{id}/GET` (`~1` for `/`, `*` for every method). */
export const methodSettingKey = (resourcePath: string, method: string): string => `${resourcePath.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}`;

/** `09/Apr/2015:12:34:56 +0000`, as requestContext.requestTime gives it. */
export function clfTime(ms: number): string {
  const d = new Date(ms);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** Whether a content type is one of the API's binary media types (`image/png`, `image/*`, `*\/*`). */
export function isBinary(contentType: string | undefined, binaryMediaTypes: string[]): boolean {
  if (!contentType || binaryMediaTypes.length === 0) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return binaryMediaTypes.some((b) => {
    const t = b.toLowerCase();
    if (t === '*/*') return true;
    if (t.endsWith('/*')) return type.startsWith(t.slice(0, -1));
    return t === type;
  });
}

/** The requestContext every integration and template sees ($context in templates). */
export function requestContext(inv: Invocation): Record<string, unknown> {
  const ua = header(inv.req, 'user-agent') ?? null;
  return {
    accountId: inv.api.accountId,
    apiId: inv.api.id,
    ...(inv.authorizer ? { authorizer: inv.authorizer } : {}),
    domainName: inv.domainName,
    domainPrefix: inv.domainName.split('.')[0],
    extendedRequestId: inv.req.requestId,
    httpMethod: inv.req.method,
    identity: {
      accessKey: inv.caller?.accessKeyId ?? null,
      accountId: inv.caller?.accountId ?? null,
      ...(inv.apiKey ? { apiKey: inv.apiKey.value, apiKeyId: inv.apiKey.id } : {}),
      caller: inv.caller?.accessKeyId ?? null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: inv.req.sourceIp ?? '127.0.0.1',
      user: inv.caller?.accessKeyId ?? null,
      userAgent: ua,
      // Nimbus knows the signer's account, not an IAM user: the account's root stands for it.
      userArn: inv.caller ? `arn:aws:iam::${inv.caller.accountId}:root` : null,
    },
    path: `/${inv.stage.stageName}${inv.path === '/' ? '/' : inv.path}`,
    protocol: 'HTTP/1.1',
    requestId: inv.req.requestId,
    requestTime: clfTime(inv.now),
    requestTimeEpoch: inv.now,
    resourceId: inv.resource.id,
    resourcePath: inv.resource.path,
    stage: inv.stage.stageName,
  };
}
