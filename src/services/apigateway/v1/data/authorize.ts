/**
 * A method's authorization: the API's resource policy, AWS_IAM (a SigV4 signature), or a
 * Lambda authorizer (TOKEN: one header; REQUEST: the identity sources named) whose returned IAM
 * policy must allow `execute-api:Invoke` on the method ARN. Answers cached by identity for the
 * authorizer's TTL. The authorizer's `context` and `principalId` become
 * requestContext.authorizer; a `usageIdentifierKey` is the API key when the API's key source is
 * AUTHORIZER. COGNITO_USER_POOLS methods verify the pool's token (cognito-authorizer.ts).
 */
import type { GatewayDeps, InvokeCall } from '../../deps.js';
import type { Authorizer } from '../model.js';
import { functionOf, invokeLambda } from './backends.js';
import { header, methodArn, requestContext, singleHeaders, type Invocation } from './invocation.js';
import { proxyEvent } from './proxy.js';
import { cognitoAuthorizer } from './cognito-authorizer.js';
import { AuthorizerCache, authorizerPolicyDecision } from '../../shared/authorizer-cache.js';
import { executeApiDecision } from '../../shared/resource-policy.js';

export interface Denial {
  type: string;
  message?: string | null;
}

/** An authorizer's answer, cached by identity: its policy is evaluated against each request's method ARN. */
interface Verdict {
  policy: unknown;
  context: Record<string, unknown>;
  usageIdentifierKey?: string;
}

const caches = new WeakMap<GatewayDeps, AuthorizerCache<Verdict>>();

/** Forgets the cached authorizer answers of one API (FlushStageAuthorizersCache; the cache is keyed by API, not stage). */
export function flushAuthorizerCache(deps: GatewayDeps, apiId: string): void {
  // AuthorizerCache has no per-prefix removal: the whole cache goes, which only costs re-invocations.
  void apiId;
  caches.get(deps)?.clear();
}

export async function authorize(deps: GatewayDeps, inv: Invocation, call: InvokeCall): Promise<Denial | undefined> {
  const arn = methodArn(inv, inv.path);
  const policy = inv.snapshot.policy;
  let principalAccount: string | undefined;
  if (inv.method.authorizationType === 'AWS_IAM') {
    if (!header(inv.req, 'authorization') && !inv.query.has('X-Amz-Signature')) return { type: 'MISSING_AUTHENTICATION_TOKEN' };
    let identity;
    try {
      identity = call.verify();
    } catch {
      return { type: 'INVALID_SIGNATURE' };
    }
    // The signature must be for execute-api, as AWS's SigV4 check of an invoke requires.
    if (identity.service !== 'execute-api') return { type: 'INVALID_SIGNATURE', message: `Credential should be scoped to correct service: 'execute-api'.` };
    principalAccount = identity.accountId;
    inv.caller = { accountId: identity.accountId, accessKeyId: identity.accessKeyId };
  }
  if (policy || principalAccount !== undefined) {
    // AWS's table for resource policies: an explicit deny always refuses; without an allow, IAM
    // callers of the API's own account and Lambda authorizers still decide, anyone else is refused.
    const decision = executeApiDecision(policy, { ...(principalAccount !== undefined ? { principalAccount } : {}), sourceIp: inv.req.sourceIp ?? '127.0.0.1', resourceArn: arn });
    const user = principalAccount !== undefined ? `arn:aws:iam::${principalAccount}:root` : 'anonymous';
    if (decision === 'deny') return { type: 'ACCESS_DENIED', message: `User: ${user} is not authorized to perform: execute-api:Invoke on resource: ${arn} with an explicit deny` };
    const implicitOk = inv.method.authorizationType === 'CUSTOM' || (principalAccount !== undefined && principalAccount === inv.api.accountId);
    if (decision === 'none' && !implicitOk) return { type: 'ACCESS_DENIED', message: `User: ${user} is not authorized to perform: execute-api:Invoke on resource: ${arn}` };
  }
  const type = inv.method.authorizationType;
  if (type !== 'CUSTOM' && type !== 'COGNITO_USER_POOLS') return undefined;
  const authorizer = inv.method.authorizerId && Object.hasOwn(inv.snapshot.authorizers, inv.method.authorizerId) ? inv.snapshot.authorizers[inv.method.authorizerId] : undefined;
  if (!authorizer || (type === 'COGNITO_USER_POOLS') !== (authorizer.type === 'COGNITO_USER_POOLS')) return { type: 'AUTHORIZER_CONFIGURATION_ERROR' };
  return type === 'COGNITO_USER_POOLS' ? cognitoAuthorizer(deps, inv, authorizer) : lambdaAuthorizer(deps, inv, authorizer, arn);
}

/** The identity sources' values, or undefined when one is missing (AWS answers 401 without calling the authorizer). */
function identity(inv: Invocation, a: Authorizer): string[] | undefined {
  const sources = (a.identitySource ?? (a.type === 'TOKEN' ? 'method.request.header.Authorization' : '')).split(',').map((s) => s.trim()).filter(Boolean);
  const values: string[] = [];
  for (const s of sources) {
    let m: RegExpExecArray | null;
    let v: string | undefined;
    if ((m = /^method\.request\.header\.(.+)$/.exec(s))) v = header(inv.req, m[1]!.toLowerCase());
    else if ((m = /^method\.request\.querystring\.(.+)$/.exec(s))) v = inv.query.get(m[1]!) ?? undefined;
    else if ((m = /^stageVariables\.(.+)$/.exec(s))) v = inv.stage.variables?.[m[1]!];
    else if ((m = /^context\.(.+)$/.exec(s))) v = String((requestContext(inv) as Record<string, unknown>)[m[1]!] ?? '');
    if (v === undefined || v === '') return undefined;
    values.push(v);
  }
  return values;
}

async function lambdaAuthorizer(deps: GatewayDeps, inv: Invocation, a: Authorizer, arn: string): Promise<Denial | undefined> {
  const ids = identity(inv, a);
  if (!ids) return { type: 'UNAUTHORIZED' };
  if (a.type === 'TOKEN' && a.identityValidationExpression) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(`^(?:${a.identityValidationExpression})$`);
    } catch {
      re = undefined;
    }
    if (re && !re.test(ids[0]!)) return { type: 'UNAUTHORIZED' };
  }
  const ttl = a.authorizerResultTtlInSeconds ?? 300;
  const cacheKey = `${inv.api.id}/${a.id}/${JSON.stringify(ids)}`;
  let cache = caches.get(deps);
  if (!cache) caches.set(deps, (cache = new AuthorizerCache<Verdict>(deps.clock)));
  let verdict = ttl > 0 ? cache?.get(cacheKey) : undefined;
  if (!verdict) {
    const outcome = await callAuthorizer(deps, inv, a, ids, arn);
    if ('type' in outcome) return outcome;
    verdict = outcome;
    if (ttl > 0) cache?.set(cacheKey, verdict, ttl);
  }
  const decision = authorizerPolicyDecision(verdict.policy, arn);
  if (decision === 'invalid') return (deps.log.warn(`API Gateway ${inv.api.id} authorizer ${a.id}: the policy document is not a valid IAM policy`), { type: 'AUTHORIZER_CONFIGURATION_ERROR' });
  if (decision !== 'allow') return { type: 'ACCESS_DENIED' };
  inv.authorizer = verdict.context;
  if (verdict.usageIdentifierKey !== undefined) inv.usageIdentifierKey = verdict.usageIdentifierKey;
  return undefined;
}

async function callAuthorizer(deps: GatewayDeps, inv: Invocation, a: Authorizer, ids: string[], arn: string): Promise<Denial | Verdict> {
  const fn = functionOf({ type: 'AWS', uri: a.authorizerUri, timeoutInMillis: 29000, cacheKeyParameters: [] });
  const log = (why: string) => deps.log.warn(`API Gateway ${inv.api.id} authorizer ${a.id}: ${why}`);
  if (!fn) return (log(`the authorizer URI ${a.authorizerUri} names no Lambda function`), { type: 'AUTHORIZER_CONFIGURATION_ERROR' });
  const event =
    a.type === 'TOKEN'
      ? { type: 'TOKEN', authorizationToken: ids[0], methodArn: arn }
      : (() => {
          const e = proxyEvent(inv);
          return { type: 'REQUEST', methodArn: arn, resource: e.resource, path: e.path, httpMethod: e.httpMethod, headers: singleHeaders(inv.req), multiValueHeaders: e.multiValueHeaders, queryStringParameters: e.queryStringParameters, multiValueQueryStringParameters: e.multiValueQueryStringParameters, pathParameters: e.pathParameters, stageVariables: e.stageVariables, requestContext: e.requestContext };
        })();
  const result = await invokeLambda(deps, {
    functionArn: fn,
    payload: Buffer.from(JSON.stringify(event)),
    sourceArn: `arn:aws:execute-api:${inv.api.region}:${inv.api.accountId}:${inv.api.id}/authorizers/${a.id}`,
    sourceAccount: inv.api.accountId,
    viaRole: !!a.authorizerCredentials,
    requestId: inv.req.requestId,
    timeoutMs: 29000,
  });
  if (result.kind === 'timeout' || result.kind === 'refused') return (log(result.kind === 'refused' ? result.why : 'timed out'), { type: 'AUTHORIZER_CONFIGURATION_ERROR' });
  // An authorizer that fails with "Unauthorized" asks for a 401; any other failure is a 500.
  if (result.kind === 'functionError') return result.errorMessage === 'Unauthorized' ? { type: 'UNAUTHORIZED' } : (log(`the function failed: ${result.errorMessage}`), { type: 'AUTHORIZER_CONFIGURATION_ERROR' });
  let answer: { principalId?: unknown; policyDocument?: unknown; context?: unknown; usageIdentifierKey?: unknown };
  try {
    answer = JSON.parse(result.body.toString('utf8')) as typeof answer;
    if (typeof answer !== 'object' || answer === null) throw new Error('not an object');
  } catch {
    return (log('the answer is not a JSON object'), { type: 'AUTHORIZER_CONFIGURATION_ERROR' });
  }
  if (typeof answer.principalId !== 'string' || typeof answer.policyDocument !== 'object' || answer.policyDocument === null) {
    return (log('the answer lacks principalId or policyDocument'), { type: 'AUTHORIZER_CONFIGURATION_ERROR' });
  }
  // Context values are strings, numbers or booleans; anything else makes the answer invalid.
  const context: Record<string, unknown> = { principalId: answer.principalId };
  if (answer.context !== undefined && answer.context !== null) {
    if (typeof answer.context !== 'object') return (log('context is not an object'), { type: 'AUTHORIZER_CONFIGURATION_ERROR' });
    for (const [k, v] of Object.entries(answer.context as Record<string, unknown>)) {
      if (!['string', 'number', 'boolean'].includes(typeof v)) return (log(`context value ${k} is not a string, number or boolean`), { type: 'AUTHORIZER_CONFIGURATION_ERROR' });
      context[k] = v;
    }
  }
  return {
    policy: answer.policyDocument,
    context,
    ...(typeof answer.usageIdentifierKey === 'string' ? { usageIdentifierKey: answer.usageIdentifierKey } : {}),
  };
}
