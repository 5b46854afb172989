/**
 * AWS_PROXY integrations with a function: the event for the integration's payload format, the
 * invocation through `lambda.invoke` on the function's resource policy (as
 * apigateway.amazonaws.com for the route's execute-api ARN), the integration's timeout on the
 * clock, and the function's answer read as AWS reads it (format 2.0 infers a 200 JSON answer from
 * anything without a statusCode; 1.0 requires one).
 */
import type { ApiResponse } from '../../../../server/api.js';
import type { GatewayDeps } from '../../deps.js';
import type { Integration } from '../model.js';
import { badGateway, internalError, serviceUnavailable } from './answers.js';
import { eventV1, eventV2 } from './lambda-events.js';
import type { Incoming } from './request.js';
import { functionArnOf, routeSourceArn } from './targets.js';

const TIMED_OUT = Symbol('timed out');

/** Runs `work` against the integration's timeout on the injected clock. */
export function withTimeout<T>(deps: GatewayDeps, ms: number, work: Promise<T>): Promise<T | typeof TIMED_OUT> {
  // One promise and one timer per call (no race or finally: this is on every integration call).
  return new Promise((resolve, reject) => {
    const timer = deps.clock.at(deps.clock.now() + ms, () => resolve(TIMED_OUT));
    work.then(
      (v) => (timer.cancel(), resolve(v)),
      (e: unknown) => (timer.cancel(), reject(e)),
    );
  });
}
export const isTimedOut = (v: unknown): v is typeof TIMED_OUT => v === TIMED_OUT;

export async function lambdaProxy(deps: GatewayDeps, inc: Incoming, integration: Integration): Promise<ApiResponse> {
  const invoke = deps.internal.get('lambda.invoke');
  const functionArn = functionArnOf(integration.integrationUri ?? '', inc.stage.stageVariables ?? {});
  if (!invoke || !functionArn) {
    deps.log.warn('API Gateway: the integration names no function Nimbus can invoke (a stage variable missing?)', { apiId: inc.api.id, integrationId: integration.integrationId, uri: integration.integrationUri });
    return internalError();
  }
  const event = integration.payloadFormatVersion === '1.0' ? eventV1(inc) : eventV2(inc);
  const sourceArn = routeSourceArn({ region: inc.api.region, accountId: inc.api.accountId, apiId: inc.api.id }, inc.stageName, inc.method, inc.routeKey);
  const result = await withTimeout(
    deps,
    integration.timeoutInMillis,
    invoke({
      functionArn,
      payload: Buffer.from(JSON.stringify(event)),
      from: 'apigateway.amazonaws.com',
      sourceArn,
      sourceAccount: inc.api.accountId,
      ...(integration.credentialsArn ? { viaRole: true } : {}),
      requestId: inc.requestId,
      ...(inc.traceId ? { traceId: inc.traceId } : {}),
    }),
  );
  if (isTimedOut(result)) return serviceUnavailable();
  if (result.kind !== 'ok') {
    // The user's to fix (a permission, a function name): say why, as AWS's execution log would.
    deps.log.warn(`API Gateway could not invoke the integration's function: ${result.message}`, { apiId: inc.api.id, routeKey: inc.routeKey, functionArn, sourceArn, reason: result.kind });
    return internalError();
  }
  if (result.functionError) return badGateway();
  return (integration.payloadFormatVersion === '1.0' ? responseV1 : responseV2)(result.payload) ?? badGateway();
}

type Parsed = { ok: true; value: unknown } | { ok: false };

function parse(payload: Buffer): Parsed {
  try {
    return { ok: true, value: JSON.parse(payload.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Payload 2.0: a `statusCode` object as given; anything else is the body of a 200 JSON answer. */
function responseV2(payload: Buffer): ApiResponse | undefined {
  const parsed = parse(payload);
  if (!parsed.ok) return undefined;
  const v = parsed.value;
  if (isObject(v) && 'statusCode' in v) return explicit(v, true);
  const body = typeof v === 'string' ? v : JSON.stringify(v);
  return { status: 200, headers: { 'content-type': 'application/json' }, body };
}

/** Payload 1.0: the answer must be a `statusCode` object. */
function responseV1(payload: Buffer): ApiResponse | undefined {
  const parsed = parse(payload);
  if (!parsed.ok || !isObject(parsed.value) || !('statusCode' in parsed.value)) return undefined;
  return explicit(parsed.value, false);
}

/** The answer a function spelled out; undefined when it is malformed (a 502). */
function explicit(v: Record<string, unknown>, cookiesAllowed: boolean): ApiResponse | undefined {
  const status = typeof v.statusCode === 'string' && /^\d+$/.test(v.statusCode) ? Number(v.statusCode) : v.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) return undefined;
  if (v.headers !== undefined && v.headers !== null && !isObject(v.headers)) return undefined;
  if (v.multiValueHeaders !== undefined && v.multiValueHeaders !== null && !isObject(v.multiValueHeaders)) return undefined;
  if (v.body !== undefined && v.body !== null && typeof v.body !== 'string') return undefined;
  const headers: Record<string, string> = {};
  for (const [k, hv] of Object.entries((v.headers as Record<string, unknown> | null) ?? {})) headers[k.toLowerCase()] = String(hv);
  for (const [k, hv] of Object.entries((v.multiValueHeaders as Record<string, unknown> | null) ?? {})) {
    if (!Array.isArray(hv)) return undefined;
    headers[k.toLowerCase()] = hv.map(String).join(',');
  }
  if (cookiesAllowed && v.cookies !== undefined && v.cookies !== null) {
    if (!Array.isArray(v.cookies)) return undefined;
    // Each cookie its own Set-Cookie header: node writes an array value as repeated headers.
    if (v.cookies.length) headers['set-cookie'] = v.cookies.map(String) as unknown as string;
  }
  const text = (v.body as string | undefined | null) ?? '';
  return { status, headers, body: v.isBase64Encoded === true ? Buffer.from(text, 'base64') : text };
}
