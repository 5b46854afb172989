/**
 * Where an integration or authorizer points: a function ARN (given as such, or in API Gateway's
 * `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations` form), and the
 * execute-api ARNs API Gateway names as the source when it invokes one (the function's resource
 * policy must allow them).
 */

import type { InternalCalls } from '../../../../lib/internal.js';

const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?$/;
const INVOCATION = /^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/;

const STAGE_VARIABLE = /\$\{stageVariables\.([A-Za-z0-9_]+)\}/g;

/**
 * The function ARN an integration or authorizer URI names, or undefined when it names none.
 * `${stageVariables.x}` in the URI (a function alias per stage, a common pattern) is replaced by
 * the stage's variable; without `stageVariables` (the control plane's check) any value will do.
 */
export function functionArnOf(template: string, stageVariables?: Record<string, string>): string | undefined {
  const uri = template.replace(STAGE_VARIABLE, (_m, name: string) => (stageVariables ? (Object.hasOwn(stageVariables, name) ? stageVariables[name]! : '') : 'x'));
  const inv = INVOCATION.exec(uri);
  const arn = inv ? inv[1]! : uri;
  return FUNCTION_ARN.test(arn) ? arn : undefined;
}

export interface ApiRef {
  region: string;
  accountId: string;
  apiId: string;
}

/**
 * The execute-api ARN of a route as the invoke permission names it:
 * `{apiId}/{stage}/{METHOD}{path}` (e.g. `abc/prod/GET/items/{id}`), and `{apiId}/{stage}/$default`
 * for the `$default` route (AWS's documented `.../*\/$default` permission).
 */
export function routeSourceArn(api: ApiRef, stage: string, method: string, routeKey: string): string {
  const base = `arn:aws:execute-api:${api.region}:${api.accountId}:${api.apiId}/${stage}`;
  if (routeKey === '$default') return `${base}/$default`;
  const path = routeKey.slice(routeKey.indexOf(' ') + 1);
  return `${base}/${method}${path}`;
}

/** The execute-api ARN of an authorizer: `{apiId}/authorizers/{authorizerId}`. */
export const authorizerSourceArn = (api: ApiRef, authorizerId: string) => `arn:aws:execute-api:${api.region}:${api.accountId}:${api.apiId}/authorizers/${authorizerId}`;

/**
 * Invokes a Lambda authorizer's function with its event, as API Gateway does: as
 * apigateway.amazonaws.com for the authorizer's ARN (the function's policy decides), or through
 * the authorizer's role.
 */
export function invokeAuthorizer(invoke: InternalCalls['lambda.invoke'], api: ApiRef, a: { authorizerId: string; authorizerCredentialsArn?: string }, functionArn: string, event: unknown, requestId: string) {
  return invoke({
    functionArn,
    payload: Buffer.from(JSON.stringify(event)),
    from: 'apigateway.amazonaws.com',
    sourceArn: authorizerSourceArn(api, a.authorizerId),
    sourceAccount: api.accountId,
    ...(a.authorizerCredentialsArn ? { viaRole: true } : {}),
    requestId,
  });
}

/** The resource an IAM policy names for a request (`execute-api:Invoke`): `{apiId}/{stage}/{METHOD}/{path}`. */
export const methodArn = (api: ApiRef, stage: string, method: string, path: string) => `arn:aws:execute-api:${api.region}:${api.accountId}:${api.apiId}/${stage}/${method}${path}`;
