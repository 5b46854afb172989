/**
 * Non-proxy integrations (MOCK, AWS: Lambda and SQS, HTTP): the request goes through the
 * integration's request template (chosen by Content-Type, or passed through as the passthrough
 * behaviour says), the backend answers, an integration response is selected (its
 * selectionPattern matched against a Lambda errorMessage, else against the backend's HTTP
 * status), and its response template and parameters make the method response.
 */
import type { ApiResponse } from '../../../../server/api.js';
import type { GatewayDeps } from '../../deps.js';
import type { Integration, IntegrationResponse } from '../model.js';
import { callHttp, functionOf, invokeLambda, queueOf, sendToQueue, type BackendResult } from './backends.js';
import { header, methodArn, requestContext, singleHeaders, type Invocation } from './invocation.js';
import { render, templateFor, type TemplateVars } from './templates.js';

/** What the data plane makes of a failure on this path: a gateway response of a type. */
export type Outcome = { response: ApiResponse } | { gateway: string; log?: string };

export function templateVars(inv: Invocation, body: string): TemplateVars {
  const querystring: Record<string, string> = {};
  for (const [k, v] of inv.query) if (!Object.hasOwn(querystring, k)) querystring[k] = v;
  return {
    body,
    params: { path: inv.pathParameters, querystring, header: singleHeaders(inv.req) },
    context: requestContext(inv),
    stageVariables: inv.stage.variables ?? {},
  };
}

/** The integration request's body: the matching template's output, or the body passed through. */
function requestBody(inv: Invocation, i: Integration): { body: string; overrides?: ReturnType<typeof render>['requestOverride'] } | { unsupported: true } {
  const raw = inv.req.body.toString('utf8');
  const chosen = templateFor(i.requestTemplates, header(inv.req, 'content-type'));
  if (chosen) {
    const out = render(chosen.template, templateVars(inv, raw));
    return { body: out.body, overrides: out.requestOverride };
  }
  const hasTemplates = !!i.requestTemplates && Object.keys(i.requestTemplates).length > 0;
  const behaviour = i.passthroughBehavior ?? 'WHEN_NO_MATCH';
  if (behaviour === 'NEVER' || (behaviour === 'WHEN_NO_TEMPLATES' && hasTemplates)) return { unsupported: true };
  return { body: raw };
}

/** A value of `integration.request.*` / `method.response.*` mappings: a 'static' value or a request/backend value. */
function mappedValue(expr: string, from: { path: Record<string, string>; query: URLSearchParams; headers: Record<string, string>; backendHeaders?: Record<string, string> }, stageVariables: Record<string, string>): string | undefined {
  if (/^'.*'$/s.test(expr)) return expr.slice(1, -1);
  let m = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(expr);
  if (m) return m[1] === 'path' ? from.path[m[2]!] : m[1] === 'querystring' ? (from.query.get(m[2]!) ?? undefined) : from.headers[m[2]!.toLowerCase()];
  m = /^integration\.response\.header\.(.+)$/.exec(expr);
  if (m) return from.backendHeaders?.[m[1]!.toLowerCase()];
  m = /^stageVariables\.(.+)$/.exec(expr);
  if (m) return stageVariables[m[1]!];
  return undefined;
}

export async function mappedIntegration(deps: GatewayDeps, inv: Invocation, i: Integration): Promise<Outcome> {
  const built = requestBody(inv, i);
  if ('unsupported' in built) return { gateway: 'UNSUPPORTED_MEDIA_TYPE' };
  const source = { sourceArn: methodArn(inv, inv.resource.path), sourceAccount: inv.api.accountId, requestId: inv.req.requestId };
  const reqHeaders = singleHeaders(inv.req);
  const stageVars = inv.stage.variables ?? {};
  // integration.request.{header,querystring,path}.* from the method request.
  const mapped = { header: {} as Record<string, string>, querystring: new URLSearchParams(), path: {} as Record<string, string> };
  for (const [target, expr] of Object.entries(i.requestParameters ?? {})) {
    const m = /^integration\.request\.(header|querystring|path)\.(.+)$/.exec(target);
    const v = mappedValue(expr, { path: inv.pathParameters, query: inv.query, headers: reqHeaders }, stageVars);
    if (!m || v === undefined) continue;
    if (m[1] === 'header') mapped.header[m[2]!] = v;
    else if (m[1] === 'querystring') mapped.querystring.set(m[2]!, v);
    else mapped.path[m[2]!] = v;
  }
  // What the request template set under $context.requestOverride wins over the mappings.
  for (const [k, v] of Object.entries(built.overrides?.header ?? {})) mapped.header[k] = Array.isArray(v) ? v.join(',') : v;
  for (const [k, v] of Object.entries(built.overrides?.querystring ?? {})) mapped.querystring.set(k, Array.isArray(v) ? v.join(',') : v);
  Object.assign(mapped.path, built.overrides?.path ?? {});

  let result: BackendResult;
  if (i.type === 'MOCK') {
    // MOCK answers the status its request template names (`{"statusCode": 200}`), 200 otherwise.
    let status = 200;
    try {
      const parsed = JSON.parse(built.body || '{}') as { statusCode?: unknown };
      if (typeof parsed.statusCode === 'number') status = parsed.statusCode;
    } catch {
      /* a body that is not JSON names no status */
    }
    result = { kind: 'ok', status, headers: {}, body: Buffer.alloc(0) };
  } else if (i.type === 'AWS') {
    const fn = functionOf(i);
    const queue = queueOf(i);
    if (fn) {
      result = await invokeLambda(deps, { functionArn: fn, payload: Buffer.from(built.body || '{}'), ...source, viaRole: !!i.credentials, traceId: inv.traceId, timeoutMs: i.timeoutInMillis });
    } else if (queue) {
      result = await sendToQueue(deps, queue, built.body, source);
    } else return { gateway: 'API_CONFIGURATION_ERROR', log: `the AWS integration URI ${i.uri} names a service Nimbus does not integrate with` };
  } else {
    let url = i.uri ?? '';
    url = url.replace(/\{([^}]+)\}/g, (all, name: string) => (Object.hasOwn(mapped.path, name) ? encodeURIComponent(mapped.path[name]!) : all));
    const q = mapped.querystring.toString();
    if (q) url += (url.includes('?') ? '&' : '?') + q;
    result = await callHttp(deps, url, i.httpMethod ?? inv.req.method, { 'content-type': header(inv.req, 'content-type') ?? 'application/json', 'x-amzn-trace-id': inv.traceId, ...mapped.header }, Buffer.from(built.body), i.timeoutInMillis, true);
  }

  if (result.kind === 'timeout') return { gateway: 'INTEGRATION_TIMEOUT' };
  if (result.kind === 'refused') return { gateway: 'API_CONFIGURATION_ERROR', log: `Execution failed due to configuration error: ${result.why}` };
  if (result.kind === 'ok') inv.integrationStatus = result.status;
  const selector = result.kind === 'functionError' ? result.errorMessage : String(result.status);
  // A Lambda function's success is answered by the default response; its errors and an HTTP
  // backend's statuses are matched against the selection patterns.
  const lambdaSuccess = result.kind === 'ok' && i.type === 'AWS' && !!functionOf(i);
  const chosen = selectResponse(i.integrationResponses ?? {}, selector, !lambdaSuccess);
  if (!chosen) return { gateway: 'API_CONFIGURATION_ERROR', log: `Execution failed due to configuration error: No match for output mapping and no default output mapping configured (${selector})` };
  const backendBody = result.body.toString('utf8');
  const backendHeaders = result.kind === 'ok' ? result.headers : {};
  const accept = header(inv.req, 'accept');
  const tmpl = templateFor(chosen.responseTemplates, accept && !accept.includes('*') ? accept : undefined) ?? firstTemplate(chosen.responseTemplates);
  const rendered = tmpl ? render(tmpl.template, templateVars(inv, backendBody)) : undefined;
  const headers: Record<string, string> = { 'content-type': tmpl?.key ?? backendHeaders['content-type'] ?? 'application/json' };
  for (const [target, expr] of Object.entries(chosen.responseParameters ?? {})) {
    const m = /^method\.response\.header\.(.+)$/.exec(target);
    const v = mappedValue(expr, { path: inv.pathParameters, query: inv.query, headers: reqHeaders, backendHeaders }, stageVars);
    if (m && v !== undefined) headers[m[1]!.toLowerCase()] = v;
  }
  // What the response template set under $context.responseOverride wins.
  for (const [k, v] of Object.entries(rendered?.responseOverride.header ?? {})) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  const status = rendered?.responseOverride.status ?? Number(chosen.statusCode);
  return { response: { status, headers, body: rendered ? rendered.body : backendBody } };
}

const firstTemplate = (t: Record<string, string> | undefined) => {
  const e = Object.entries(t ?? {})[0];
  return e ? { key: e[0], template: e[1] } : undefined;
};

/**
 * The integration response whose selectionPattern matches the whole selector (a Lambda
 * errorMessage, or the status code), else the default one (no pattern). A Lambda success is
 * matched only by the default, as on AWS.
 */
export function selectResponse(responses: Record<string, IntegrationResponse>, selector: string, usePatterns: boolean): IntegrationResponse | undefined {
  const all = Object.values(responses);
  const byPattern = all.filter((r) => r.selectionPattern !== undefined && r.selectionPattern !== '');
  if (usePatterns) {
    for (const r of byPattern) {
      let re: RegExp;
      try {
        // Java's Pattern.matches: the pattern must match the whole selector (which may span lines).
        re = new RegExp(`^(?:${r.selectionPattern})$`, 's');
      } catch {
        continue;
      }
      if (re.test(selector)) return r;
    }
  }
  return all.find((r) => r.selectionPattern === undefined || r.selectionPattern === '');
}
