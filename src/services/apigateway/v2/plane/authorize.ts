/**
 * Route authorization on HTTP APIs: AWS_IAM (a SigV4 signature for `execute-api` from the API's
 * own account: Nimbus has no IAM users or roles to evaluate), JWT (a bearer token the JWT
 * authorizer's issuer signed for one of its audiences, with the route's scopes), and CUSTOM (a
 * Lambda REQUEST authorizer: simple `{isAuthorized}` answers or an IAM policy, cached by identity
 * for the authorizer's TTL). A refusal is AWS's 401 `Unauthorized` (missing identity, bad token)
 * or 403 `Forbidden` (denied).
 */
import type { ApiResponse } from '../../../../server/api.js';
import type { GatewayDeps, InvokeCall } from '../../deps.js';
import type { Authorizer, Route, Snapshot } from '../model.js';
import { forbidden, internalError, unauthorized } from './answers.js';
import { eventV1, eventV2 } from './lambda-events.js';
import { evaluate } from './params.js';
import { headerValue, type Incoming } from './request.js';
import type { Seams } from './seams.js';
import { functionArnOf, invokeAuthorizer, methodArn } from './targets.js';

/** Authorizes the request for its route: undefined to go on (with `inc.authorizer` set), or the refusal. */
export async function authorize(deps: GatewayDeps, seams: Seams, inc: Incoming, route: Route, parts: Snapshot, call: InvokeCall): Promise<ApiResponse | undefined> {
  switch (route.authorizationType) {
    case 'NONE':
      return undefined;
    case 'AWS_IAM': {
      let identity;
      try {
        identity = call.verify();
      } catch {
        return forbidden();
      }
      if (identity.service !== 'execute-api' || identity.accountId !== inc.api.accountId) return forbidden();
      inc.authorizer = { iam: { accessKey: identity.accessKeyId, accountId: identity.accountId, callerId: identity.accessKeyId, userArn: `arn:aws:iam::${identity.accountId}:root`, userId: identity.accessKeyId } };
      return undefined;
    }
    case 'JWT':
      return jwt(deps, seams, inc, route, authorizerOf(parts, route));
    case 'CUSTOM':
      return custom(deps, seams, inc, authorizerOf(parts, route));
  }
}

const authorizerOf = (parts: Snapshot, route: Route): Authorizer | undefined => (route.authorizerId !== undefined && Object.hasOwn(parts.authorizers, route.authorizerId) ? parts.authorizers[route.authorizerId] : undefined);

async function jwt(deps: GatewayDeps, seams: Seams, inc: Incoming, route: Route, a: Authorizer | undefined): Promise<ApiResponse | undefined> {
  if (!a?.jwtConfiguration?.issuer) return internalError();
  const raw = evaluate(a.identitySource[0] ?? '$request.header.Authorization', inc);
  const token = raw.replace(/^Bearer\s+/i, '');
  if (!token) return unauthorized();
  let verified;
  try {
    verified = await seams.verifyJwt(token, { issuer: a.jwtConfiguration.issuer, audience: a.jwtConfiguration.audience ?? [] });
  } catch (e) {
    deps.log.debug('API Gateway: JWT rejected', { apiId: inc.api.id, reason: (e as Error).message });
    return unauthorized();
  }
  const wanted = route.authorizationScopes ?? [];
  if (wanted.length && !wanted.some((s) => verified.scopes.includes(s))) return forbidden();
  inc.authorizer = { jwt: { claims: claimStrings(verified.claims), scopes: verified.scopes.length ? verified.scopes : null } };
  return undefined;
}

/**
 * Claims as HTTP APIs pass them on: every value a string (`exp` as "1700000000"), an array as
 * its items space-separated in brackets (`cognito:groups` as "[admin user]"). This follows reports
 * of what API Gateway sends (AWS's documentation shows only string claims); objects, which those
 * reports do not cover, are given as JSON.
 */
function claimStrings(claims: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(claims)) {
    out[k] = typeof v === 'string' ? v : Array.isArray(v) ? `[${v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ')}]` : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  }
  return out;
}

interface Decision {
  allow: boolean;
  context?: Record<string, unknown>;
}

async function custom(deps: GatewayDeps, seams: Seams, inc: Incoming, a: Authorizer | undefined): Promise<ApiResponse | undefined> {
  const functionArn = a?.authorizerUri ? functionArnOf(a.authorizerUri, inc.stage.stageVariables ?? {}) : undefined;
  const invoke = deps.internal.get('lambda.invoke');
  if (!a || !functionArn || !invoke) return internalError();
  const identity = a.identitySource.map((s) => evaluate(s, inc));
  // A configured identity source missing from the request: refused without invoking (AWS's 401).
  if (a.identitySource.length && identity.some((v) => v === '')) return unauthorized();
  const ttl = a.authorizerResultTtlInSeconds ?? 0;
  const cacheKey = `${inc.api.id}/${a.authorizerId}/${identity.join('\u0000')}`;
  const cached = ttl > 0 && a.identitySource.length ? (seams.authorizerCache.get(cacheKey) as Decision | undefined) : undefined;
  let decision = cached;
  const arn = methodArn({ region: inc.api.region, accountId: inc.api.accountId, apiId: inc.api.id }, inc.stageName, inc.method, inc.stagePath);
  if (!decision) {
    const event = a.authorizerPayloadFormatVersion === '2.0' ? { ...eventV2(inc), type: 'REQUEST', routeArn: arn, identitySource: identity } : { ...eventV1(inc), type: 'REQUEST', methodArn: arn, identitySource: identity.join(','), authorizationToken: headerValue(inc.headers, 'authorization') };
    const result = await invokeAuthorizer(invoke, { region: inc.api.region, accountId: inc.api.accountId, apiId: inc.api.id }, a, functionArn, event, inc.requestId);
    if (result.kind !== 'ok') {
      deps.log.warn(`API Gateway could not invoke the authorizer's function: ${result.message}`, { apiId: inc.api.id, authorizerId: a.authorizerId, functionArn, reason: result.kind });
      return internalError();
    }
    if (result.functionError) return internalError();
    const parsed = readDecision(seams, result.payload, a, arn);
    if (!parsed) return internalError();
    decision = parsed;
    if (ttl > 0 && a.identitySource.length) seams.authorizerCache.set(cacheKey, decision, ttl);
  }
  if (!decision.allow) return forbidden();
  inc.authorizer = { lambda: decision.context ?? {} };
  return undefined;
}

/** The authorizer's answer: simple (`isAuthorized`) or an IAM policy; undefined when malformed. */
function readDecision(seams: Seams, payload: Buffer, a: Authorizer, arn: string): Decision | undefined {
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as { isAuthorized?: unknown; context?: unknown; policyDocument?: unknown; principalId?: unknown };
  const context = typeof o.context === 'object' && o.context !== null ? (o.context as Record<string, unknown>) : undefined;
  if (a.enableSimpleResponses) {
    if (typeof o.isAuthorized !== 'boolean') return undefined;
    return { allow: o.isAuthorized, ...(context ? { context } : {}) };
  }
  // A policy that is no policy (no Statement, no Effect) is the authorizer's fault: AWS's 500.
  const verdict = seams.policyDecision(o.policyDocument, arn);
  if (verdict === 'invalid') return undefined;
  const allow = verdict === 'allow';
  const ctx = { ...(context ?? {}), ...(o.principalId !== undefined ? { principalId: o.principalId } : {}) };
  return { allow, context: ctx };
}
