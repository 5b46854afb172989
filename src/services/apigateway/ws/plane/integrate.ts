/**
 * Running a WebSocket route's integration for one event: AWS_PROXY (the Lambda proxy event, the
 * function's `statusCode` and `body`), AWS (a function, or SQS SendMessage, with the request
 * rendered by the integration's request template), HTTP and HTTP_PROXY (the body POSTed to the
 * URL through the outbound guard), and MOCK (the template's `statusCode`). Non-proxy answers go
 * through the integration response whose key matches the status (`$default` or `/regex/`) and
 * its response template. The answer is what a two-way route sends back, and what decides a
 * `$connect` (a status outside 2xx refuses the connection).
 */
import type { GatewayDeps } from '../../deps.js';
import { renderMappingTemplate, TemplateError } from '../../shared/vtl.js';
import { callHttp, invokeLambda, sendToQueue, type BackendResult } from '../../v1/data/backends.js';
import type { Integration, IntegrationResponse } from '../../v2/model.js';
import { functionArnOf } from '../../v2/plane/targets.js';
import { contextVariables, proxyEvent, type WsEvent } from './events.js';

export type Outcome =
  /** The integration answered: its status and the body a two-way route sends back (undefined: nothing). */
  | { kind: 'ok'; status: number; body?: string | Buffer; headers?: Record<string, string> }
  /** API Gateway could not get an answer: AWS's error (500 Internal server error, 504 on a timeout). */
  | { kind: 'error'; status: number; why: string };

const SQS_PATH = /^arn:aws:apigateway:([^:]+):sqs:path\/(\d{12})\/([^/?]+)/;

export async function runIntegration(deps: GatewayDeps, e: WsEvent, integration: Integration): Promise<Outcome> {
  const sourceArn = `arn:aws:execute-api:${e.conn.region}:${e.conn.accountId}:${e.conn.apiId}/${e.conn.stage}/${e.routeKey}`;
  const timeoutMs = integration.timeoutInMillis;
  switch (integration.integrationType) {
    case 'AWS_PROXY': {
      const functionArn = functionArnOf(integration.integrationUri ?? '', e.stageVariables);
      if (!functionArn) return { kind: 'error', status: 500, why: 'the integration names no function (a stage variable missing?)' };
      const r = await invokeLambda(deps, { functionArn, payload: Buffer.from(JSON.stringify(proxyEvent(e))), sourceArn, sourceAccount: e.conn.accountId, viaRole: !!integration.credentialsArn, requestId: e.requestId, timeoutMs });
      return proxyAnswer(r);
    }
    case 'MOCK': {
      const rendered = render(e, integration);
      if ('error' in rendered) return rendered.error;
      let status = 200;
      try {
        const v = JSON.parse(rendered.body || '{}') as { statusCode?: unknown };
        if (typeof v.statusCode === 'number') status = v.statusCode;
      } catch {
        // AWS: a MOCK template that is not JSON with a statusCode answers 200.
      }
      return respond(e, integration, { kind: 'ok', status, headers: {}, body: Buffer.alloc(0) });
    }
    case 'AWS': {
      const rendered = render(e, integration);
      if ('error' in rendered) return rendered.error;
      const uri = integration.integrationUri ?? '';
      const functionArn = functionArnOf(uri, e.stageVariables);
      if (functionArn) {
        const r = await invokeLambda(deps, { functionArn, payload: Buffer.from(rendered.body), sourceArn, sourceAccount: e.conn.accountId, viaRole: !!integration.credentialsArn, requestId: e.requestId, timeoutMs });
        return respond(e, integration, r);
      }
      const sqs = SQS_PATH.exec(uri);
      if (sqs) {
        const r = await sendToQueue(deps, `arn:aws:sqs:${sqs[1]}:${sqs[2]}:${sqs[3]}`, rendered.body, { sourceArn, sourceAccount: e.conn.accountId, requestId: e.requestId });
        return respond(e, integration, r);
      }
      return { kind: 'error', status: 500, why: `the AWS integration's service is not one Nimbus can call from a WebSocket API: ${uri}` };
    }
    case 'HTTP':
    case 'HTTP_PROXY': {
      const proxy = integration.integrationType === 'HTTP_PROXY';
      const rendered = proxy ? { body: bodyText(e) } : render(e, integration);
      if ('error' in rendered) return rendered.error;
      const body = proxy && Buffer.isBuffer(e.body) ? e.body : Buffer.from(rendered.body);
      const r = await callHttp(deps, integration.integrationUri ?? '', integration.integrationMethod ?? 'POST', { 'content-type': 'application/json' }, body, timeoutMs);
      return proxy ? passThrough(r) : respond(e, integration, r);
    }
    default:
      return { kind: 'error', status: 500, why: `integration type ${String(integration.integrationType)}` };
  }
}

const bodyText = (e: WsEvent): string => (e.body === undefined ? '' : Buffer.isBuffer(e.body) ? e.body.toString('base64') : e.body);

/**
 * The request template the integration's template selection expression picks (`\$default` or an
 * expression on the body, such as `$request.body.action`), rendered; the body itself when there is
 * none and the passthrough behavior allows it.
 */
function render(e: WsEvent, i: Integration): { body: string } | { error: Outcome } {
  const templates = i.requestTemplates ?? {};
  const key = selectKey(i.templateSelectionExpression, e);
  const template = Object.hasOwn(templates, key) ? templates[key] : Object.hasOwn(templates, '$default') ? templates.$default : undefined;
  if (template === undefined) {
    const none = Object.keys(templates).length === 0;
    if (i.passthroughBehavior === 'NEVER' || (i.passthroughBehavior === 'WHEN_NO_TEMPLATES' && !none)) return { error: { kind: 'error', status: 415, why: 'no request template matches and passthrough is off' } };
    return { body: bodyText(e) };
  }
  try {
    return { body: renderMappingTemplate(template, vars(e, bodyText(e))).body };
  } catch (err) {
    if (err instanceof TemplateError) return { error: { kind: 'error', status: 500, why: `request template: ${err.message}` } };
    throw err;
  }
}

const vars = (e: WsEvent, body: string) => ({ body, params: { path: {}, querystring: {}, header: {} }, context: contextVariables(e), stageVariables: e.stageVariables });

/** A selection expression's value: `\$default` is the literal `$default`; `$request.body.x` reads the JSON body. */
export function selectKey(expression: string | undefined, e: WsEvent): string {
  if (expression === undefined || expression === '' || expression === '\\$default' || expression === '$default') return '$default';
  const m = /^\$\{?request\.body\.([A-Za-z0-9_$.-]+)\}?$/.exec(expression);
  if (m) {
    const v = bodyPath(e.body, m[1]!);
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '$default';
  }
  return expression.replace(/\\\$/g, '$');
}

/** `a.b.c` of a JSON text body; undefined when the body is not JSON or has no such member. */
export function bodyPath(body: string | Buffer | undefined, path: string): unknown {
  if (typeof body !== 'string' || body.length === 0) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return undefined;
  }
  for (const part of path.split('.').slice(0, 32)) {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.hasOwn(v, part)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** A Lambda proxy answer: `statusCode` (200 when absent) and `body`. */
function proxyAnswer(r: BackendResult): Outcome {
  if (r.kind === 'timeout') return { kind: 'error', status: 504, why: 'the function did not answer within the integration timeout' };
  if (r.kind === 'refused') return { kind: 'error', status: 500, why: r.why };
  if (r.kind === 'functionError') return { kind: 'error', status: 502, why: `the function failed: ${r.errorMessage}` };
  let v: unknown;
  try {
    v = JSON.parse(r.body.toString('utf8'));
  } catch {
    return { kind: 'error', status: 502, why: 'the function answered something that is not JSON' };
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && ('statusCode' in v || 'body' in v)) {
    const o = v as { statusCode?: unknown; body?: unknown; headers?: unknown; isBase64Encoded?: unknown };
    const status = o.statusCode === undefined ? 200 : Number(o.statusCode);
    if (!Number.isInteger(status)) return { kind: 'error', status: 502, why: 'the function answered a statusCode that is not a number' };
    const headers: Record<string, string> = {};
    if (typeof o.headers === 'object' && o.headers !== null) for (const [k, hv] of Object.entries(o.headers)) headers[k] = String(hv);
    const text = typeof o.body === 'string' ? o.body : o.body === undefined || o.body === null ? undefined : JSON.stringify(o.body);
    const body = text !== undefined && o.isBase64Encoded === true ? Buffer.from(text, 'base64') : text;
    return { kind: 'ok', status, headers, ...(body !== undefined ? { body } : {}) };
  }
  return { kind: 'ok', status: 200, body: typeof v === 'string' ? v : JSON.stringify(v) };
}

/** HTTP_PROXY: the backend's status and body as they are. */
function passThrough(r: BackendResult): Outcome {
  if (r.kind === 'timeout') return { kind: 'error', status: 504, why: 'the HTTP backend did not answer within the integration timeout' };
  if (r.kind === 'refused') return { kind: 'error', status: 500, why: r.why };
  if (r.kind === 'functionError') return { kind: 'error', status: 502, why: r.errorMessage };
  return { kind: 'ok', status: r.status, headers: r.headers, body: r.body.toString('utf8') };
}

/** A non-proxy answer through the integration response matching its status, and its template. */
function respond(e: WsEvent, i: Integration, r: BackendResult): Outcome {
  if (r.kind === 'timeout') return { kind: 'error', status: 504, why: 'the integration did not answer within its timeout' };
  if (r.kind === 'refused') return { kind: 'error', status: 500, why: r.why };
  const status = r.kind === 'functionError' ? 500 : r.status;
  const raw = r.body.toString('utf8');
  const chosen = integrationResponseFor(i.integrationResponses ?? {}, status, r.kind === 'functionError' ? r.errorMessage : undefined);
  if (!chosen) return { kind: 'ok', status, body: raw };
  const templates = chosen.responseTemplates ?? {};
  const key = selectKey(chosen.templateSelectionExpression, { ...e, body: raw });
  const template = Object.hasOwn(templates, key) ? templates[key] : Object.hasOwn(templates, '$default') ? templates.$default : undefined;
  if (template === undefined) return { kind: 'ok', status, body: raw };
  try {
    const out = renderMappingTemplate(template, vars(e, raw));
    return { kind: 'ok', status: out.responseOverride.status ?? status, body: out.body };
  } catch (err) {
    if (err instanceof TemplateError) return { kind: 'error', status: 500, why: `response template: ${err.message}` };
    throw err;
  }
}

/** A `/regex/` key matching the status (or a function's error message), else `$default`. */
function integrationResponseFor(responses: Record<string, IntegrationResponse>, status: number, errorMessage: string | undefined): IntegrationResponse | undefined {
  let fallback: IntegrationResponse | undefined;
  for (const r of Object.values(responses)) {
    if (r.integrationResponseKey === '$default') {
      fallback = r;
      continue;
    }
    const pattern = r.integrationResponseKey.slice(1, -1);
    try {
      const re = new RegExp(`^(?:${pattern})$`);
      if (re.test(errorMessage ?? String(status))) return r;
    } catch {
      // checked when it was created
    }
  }
  return fallback;
}
