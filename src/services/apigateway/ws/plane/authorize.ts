/**
 * Authorizing a WebSocket API's `$connect`: AWS_IAM (the upgrade signed with SigV4 for
 * `execute-api` by the API's own account, usually as a presigned URL) or CUSTOM (a Lambda REQUEST
 * authorizer: identity from the upgrade's headers and query string, an IAM policy back, the
 * decision cached by identity for the authorizer's TTL). As AWS answers the upgrade: 401 when an
 * identity source is missing, 403 when denied, 500 when the authorizer fails.
 */
import type { SigV4Identity } from '../../../../protocols/sigv4.js';
import type { GatewayDeps } from '../../deps.js';
import type { Authorizer, Route, Snapshot } from '../../v2/model.js';
import type { Seams } from '../../v2/plane/seams.js';
import { functionArnOf, invokeAuthorizer } from '../../v2/plane/targets.js';
import { requestContext, type WsEvent } from './events.js';

export type Verdict = { ok: true; context?: Record<string, unknown> } | { ok: false; status: 401 | 403 | 500; why: string };

interface Decision {
  allow: boolean;
  context: Record<string, unknown>;
}

export async function authorizeConnect(deps: GatewayDeps, seams: Seams, e: WsEvent, route: Route, parts: Snapshot, verify: () => SigV4Identity): Promise<Verdict> {
  if (route.authorizationType === 'AWS_IAM') {
    let identity: SigV4Identity;
    try {
      identity = verify();
    } catch (err) {
      return { ok: false, status: 403, why: `signature: ${(err as Error).message}` };
    }
    if (identity.service !== 'execute-api') return { ok: false, status: 403, why: `signed for ${identity.service}, not execute-api` };
    // Nimbus has no IAM users to evaluate: the API's own account may connect.
    if (identity.accountId !== e.conn.accountId) return { ok: false, status: 403, why: 'signed by another account' };
    return { ok: true, context: { accountId: identity.accountId, accessKey: identity.accessKeyId, userArn: `arn:aws:iam::${identity.accountId}:root` } };
  }
  if (route.authorizationType !== 'CUSTOM') return { ok: true };
  const a: Authorizer | undefined = route.authorizerId !== undefined && Object.hasOwn(parts.authorizers, route.authorizerId) ? parts.authorizers[route.authorizerId] : undefined;
  const functionArn = a?.authorizerUri ? functionArnOf(a.authorizerUri, e.stageVariables) : undefined;
  const invoke = deps.internal.get('lambda.invoke');
  if (!a || !functionArn || !invoke) return { ok: false, status: 500, why: 'the route names no authorizer function Nimbus can invoke' };
  const identity = a.identitySource.map((s) => identityValue(s, e));
  if (identity.some((v) => v === undefined || v === '')) return { ok: false, status: 401, why: 'an identity source is missing from the request' };
  const methodArn = `arn:aws:execute-api:${e.conn.region}:${e.conn.accountId}:${e.conn.apiId}/${e.conn.stage}/$connect`;
  const ttl = a.authorizerResultTtlInSeconds ?? 0;
  const cacheKey = `ws/${e.conn.apiId}/${a.authorizerId}/${identity.join('\u0000')}`;
  let decision = ttl > 0 && a.identitySource.length ? (seams.authorizerCache.get(cacheKey) as Decision | undefined) : undefined;
  if (!decision) {
    const headers = Object.fromEntries(Object.entries(e.headers ?? {}).map(([k, v]) => [k, v.join(',')]));
    const query = Object.fromEntries(Object.entries(e.query ?? {}).map(([k, v]) => [k, v[v.length - 1]!]));
    const event = {
      type: 'REQUEST',
      methodArn,
      headers,
      multiValueHeaders: e.headers ?? {},
      queryStringParameters: query,
      multiValueQueryStringParameters: e.query ?? {},
      stageVariables: e.stageVariables,
      requestContext: requestContext(e),
    };
    const result = await invokeAuthorizer(invoke, { region: e.conn.region, accountId: e.conn.accountId, apiId: e.conn.apiId }, a, functionArn, event, e.requestId);
    if (result.kind !== 'ok') return { ok: false, status: 500, why: `could not invoke the authorizer: ${result.message}` };
    // AWS: an authorizer that throws "Unauthorized" answers 401; any other failure is a 500.
    if (result.functionError) {
      const unauthorized = /"errorMessage"\s*:\s*"Unauthorized"/.test(result.payload.toString('utf8'));
      return unauthorized ? { ok: false, status: 401, why: 'the authorizer said Unauthorized' } : { ok: false, status: 500, why: 'the authorizer failed' };
    }
    const parsed = readDecision(seams, result.payload, methodArn);
    if (!parsed) return { ok: false, status: 500, why: 'the authorizer answered no valid policy' };
    decision = parsed;
    if (ttl > 0 && a.identitySource.length) seams.authorizerCache.set(cacheKey, decision, ttl);
  }
  if (!decision.allow) return { ok: false, status: 403, why: 'the authorizer denied the connection' };
  return { ok: true, context: decision.context };
}

/** `route.request.header.X` (case-insensitive), `route.request.querystring.X`, `stageVariables.X`, `context.X`. */
function identityValue(source: string, e: WsEvent): string | undefined {
  const header = /^route\.request\.header\.(.+)$/.exec(source);
  if (header) {
    const name = header[1]!.toLowerCase();
    const entry = Object.entries(e.headers ?? {}).find(([k]) => k.toLowerCase() === name);
    return entry?.[1].join(',');
  }
  const query = /^route\.request\.querystring\.(.+)$/.exec(source);
  if (query) return e.query?.[query[1]!]?.at(-1);
  const stage = /^stageVariables\.(.+)$/.exec(source);
  if (stage) return e.stageVariables[stage[1]!];
  const ctx = /^context\.(.+)$/.exec(source);
  if (ctx) {
    const v = (requestContext(e) as Record<string, unknown>)[ctx[1]!];
    return v === undefined ? undefined : String(v);
  }
  return undefined;
}

function readDecision(seams: Seams, payload: Buffer, methodArn: string): Decision | undefined {
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as { context?: unknown; policyDocument?: unknown; principalId?: unknown };
  const verdict = seams.policyDecision(o.policyDocument, methodArn);
  if (verdict === 'invalid') return undefined;
  const context = typeof o.context === 'object' && o.context !== null ? (o.context as Record<string, unknown>) : {};
  return { allow: verdict === 'allow', context: { ...context, ...(o.principalId !== undefined ? { principalId: o.principalId } : {}) } };
}
