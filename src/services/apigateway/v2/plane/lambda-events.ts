/**
 * The events an HTTP API sends a function (AWS_PROXY), field by field as AWS documents them
 * ("Working with AWS Lambda proxy integrations for HTTP APIs"): payload format 2.0 (repeated
 * headers and query values comma-joined, cookies apart, `rawPath` with the stage prefix) and 1.0
 * (the REST-API-shaped event with `multiValueHeaders` and `multiValueQueryStringParameters`, and
 * nulls where nothing is set).
 */
import { setOwn } from '../../../../lib/own.js';
import { clfTime, headerValue, type Incoming } from './request.js';

/** Whether a body is text (sent as is) or binary (sent base64 with isBase64Encoded). */
export function isTextType(contentType: string | undefined): boolean {
  if (!contentType) return true;
  return /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql)|.*\+(json|xml))/i.test(contentType);
}

function body(inc: Incoming): { body?: string; isBase64Encoded: boolean } {
  if (inc.req.body.length === 0) return { isBase64Encoded: false };
  const text = isTextType(headerValue(inc.headers, 'content-type'));
  return { body: text ? inc.req.body.toString('utf8') : inc.req.body.toString('base64'), isBase64Encoded: !text };
}

const nonEmpty = <T extends object>(o: T | undefined): T | undefined => (o && Object.keys(o).length ? o : undefined);

export function eventV2(inc: Incoming): Record<string, unknown> {
  // Names come from the request: `constructor` or `__proto__` must be entries like any other.
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(inc.headers)) if (v !== undefined && k !== 'cookie') setOwn(headers, k, Array.isArray(v) ? v.join(',') : v);
  const query: Record<string, string> = {};
  for (const k of new Set(inc.query.keys())) setOwn(query, k, inc.query.getAll(k).join(','));
  const cookieHeader = inc.headers.cookie;
  const cookies = (Array.isArray(cookieHeader) ? cookieHeader : cookieHeader ? [cookieHeader] : []).flatMap((c) => c.split(/;\s*/)).filter(Boolean);
  const { body: b, isBase64Encoded } = body(inc);
  const authorizer = inc.authorizer?.iam
    ? { iam: { ...inc.authorizer.iam, cognitoIdentity: null, principalOrgId: null } }
    : inc.authorizer?.jwt
      ? { jwt: inc.authorizer.jwt }
      : inc.authorizer?.lambda
        ? { lambda: inc.authorizer.lambda }
        : undefined;
  return {
    version: '2.0',
    routeKey: inc.routeKey,
    rawPath: inc.fullPath,
    rawQueryString: inc.rawQuery,
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(nonEmpty(query) ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: inc.api.accountId,
      apiId: inc.api.id,
      ...(authorizer ? { authorizer } : {}),
      domainName: inc.domainName,
      domainPrefix: inc.domainName.split('.')[0],
      http: { method: inc.method, path: inc.fullPath, protocol: 'HTTP/1.1', sourceIp: inc.sourceIp, userAgent: headerValue(inc.headers, 'user-agent') ?? '' },
      requestId: inc.requestId,
      routeKey: inc.routeKey,
      stage: inc.stageName,
      time: clfTime(inc.now),
      timeEpoch: inc.now,
    },
    ...(b !== undefined ? { body: b } : {}),
    ...(nonEmpty(inc.pathParameters) ? { pathParameters: inc.pathParameters } : {}),
    isBase64Encoded,
    ...(nonEmpty(inc.stage.stageVariables) ? { stageVariables: inc.stage.stageVariables } : {}),
  };
}

export function eventV1(inc: Incoming): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(inc.headers)) {
    if (v === undefined) continue;
    const all = Array.isArray(v) ? v : [v];
    setOwn(multiValueHeaders, k, all);
    setOwn(headers, k, all[all.length - 1]!);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const k of new Set(inc.query.keys())) {
    const all = inc.query.getAll(k);
    setOwn(multiQuery, k, all);
    setOwn(query, k, all[all.length - 1]!);
  }
  const { body: b, isBase64Encoded } = body(inc);
  const resource = inc.routeKey === '$default' ? '$default' : inc.routeKey.slice(inc.routeKey.indexOf(' ') + 1);
  const iam = inc.authorizer?.iam;
  const authorizer = inc.authorizer?.jwt
    ? { claims: inc.authorizer.jwt.claims, scopes: inc.authorizer.jwt.scopes }
    : inc.authorizer?.lambda
      ? { lambda: inc.authorizer.lambda }
      : { claims: null, scopes: null };
  return {
    version: '1.0',
    resource,
    path: inc.fullPath,
    httpMethod: inc.method,
    headers,
    multiValueHeaders,
    queryStringParameters: nonEmpty(query) ?? null,
    multiValueQueryStringParameters: nonEmpty(multiQuery) ?? null,
    requestContext: {
      accountId: inc.api.accountId,
      apiId: inc.api.id,
      authorizer,
      domainName: inc.domainName,
      domainPrefix: inc.domainName.split('.')[0],
      extendedRequestId: inc.requestId,
      httpMethod: inc.method,
      identity: {
        accessKey: iam?.accessKey ?? null,
        accountId: iam?.accountId ?? null,
        caller: iam?.callerId ?? null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: inc.sourceIp,
        user: iam?.userId ?? null,
        userAgent: headerValue(inc.headers, 'user-agent') ?? '',
        userArn: iam?.userArn ?? null,
      },
      path: inc.fullPath,
      protocol: 'HTTP/1.1',
      requestId: inc.requestId,
      requestTime: clfTime(inc.now),
      requestTimeEpoch: inc.now,
      resourceId: null,
      resourcePath: resource,
      stage: inc.stageName,
    },
    pathParameters: nonEmpty(inc.pathParameters) ?? null,
    stageVariables: nonEmpty(inc.stage.stageVariables) ?? null,
    body: b ?? null,
    isBase64Encoded,
  };
}
