/**
 * One request to an HTTP API as the data plane carries it from selection to integration: the API,
 * stage and route chosen, the request's parts (headers lower-cased, query parsed, cookies split),
 * path parameters, the authorizer's output and the `$context` variables that mapping expressions
 * and access logs read.
 */
import type { ApiRequest } from '../../../../server/api.js';
import type { HttpApiDoc, Integration, Route, Stage } from '../model.js';

export interface IamIdentity {
  accessKey: string;
  accountId: string;
  callerId: string;
  userArn: string;
  userId: string;
}

export interface Incoming {
  req: ApiRequest;
  api: HttpApiDoc;
  stageName: string;
  stage: Stage;
  /** The chosen route, or undefined when none matched. */
  route?: Route;
  integration?: Integration;
  /** `GET /items/{id}` or `$default`. */
  routeKey: string;
  method: string;
  /** The path as the client sent it (with the stage prefix when it has one). */
  fullPath: string;
  /** The path inside the stage, which routes match. */
  stagePath: string;
  rawQuery: string;
  query: URLSearchParams;
  /** Header names lower-case; repeated headers as arrays. */
  headers: Record<string, string | string[] | undefined>;
  pathParameters: Record<string, string>;
  domainName: string;
  requestId: string;
  now: number;
  sourceIp: string;
  /** What authorized the request, as `requestContext.authorizer` shows it. */
  authorizer?: { jwt?: { claims: Record<string, unknown>; scopes: string[] | null }; lambda?: Record<string, unknown>; iam?: IamIdentity };
  traceId?: string;
  /** What the integration answered and how long it took (access logs' `$context.integration.*`). */
  integrationStatus?: number;
  integrationLatency?: number;
}

/** A request header's value(s) comma-joined, as payload 2.0 shows repeated headers. */
export function headerValue(h: Incoming['headers'], name: string): string | undefined {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v.join(',') : v;
}

/** `12/Mar/2020:19:03:58 +0000`, as requestContext.time gives it. */
export function clfTime(ms: number): string {
  const d = new Date(ms);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** The `$context` variables of a request (mapping expressions, access logs). */
export function contextVariables(inc: Incoming, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const iam = inc.authorizer?.iam;
  return {
    accountId: inc.api.accountId,
    apiId: inc.api.id,
    awsEndpointRequestId: inc.requestId,
    domainName: inc.domainName,
    domainPrefix: inc.domainName.split('.')[0],
    extendedRequestId: inc.requestId,
    httpMethod: inc.method,
    identity: { sourceIp: inc.sourceIp, userAgent: headerValue(inc.headers, 'user-agent') ?? '', ...(iam ? { accountId: iam.accountId, caller: iam.callerId, user: iam.userId, userArn: iam.userArn, accessKey: iam.accessKey } : {}) },
    path: inc.fullPath,
    protocol: 'HTTP/1.1',
    requestId: inc.requestId,
    requestTime: clfTime(inc.now),
    requestTimeEpoch: inc.now,
    routeKey: inc.routeKey,
    stage: inc.stageName,
    authorizer: inc.authorizer?.lambda ?? (inc.authorizer?.jwt ? { claims: inc.authorizer.jwt.claims, scopes: inc.authorizer.jwt.scopes } : undefined),
    ...extra,
  };
}
