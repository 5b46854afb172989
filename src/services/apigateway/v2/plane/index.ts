/**
 * The data plane of HTTP APIs: stage from the path, CORS preflights answered from the API's
 * configuration, route selection, authorization, throttling, then the route's integration
 * (a function, an HTTP backend, or an SQS action) and the response mappings; every answer carries
 * `apigw-requestid`, CORS headers for an allowed origin, and goes to the stage's access log.
 */
import type { ApiRequest, ApiResponse } from '../../../../server/api.js';
import type { DataPlane, GatewayDeps, InvokeCall } from '../../deps.js';
import type { StoredDocument } from '../../repo.js';
import { HTTP_API_KIND, type HttpApiDoc, type Integration, type RouteSettings } from '../model.js';
import { forbidden, internalError, notFound, ownAnswers, tooManyRequests } from './answers.js';
import { authorize } from './authorize.js';
import { corsHeaders, preflight } from './cors.js';
import { httpProxy } from './http-proxy.js';
import { lambdaProxy } from './lambda-proxy.js';
import { mapResponse } from './params.js';
import { contextVariables, headerValue, type Incoming } from './request.js';
import type { Seams } from './seams.js';
import { chooseRoute, chooseStage, servedParts } from './select.js';
import { sqsIntegration } from './sqs.js';

export function httpApiPlane(deps: GatewayDeps, seams: Seams): DataPlane {
  return {
    kinds: [HTTP_API_KIND],
    handle: async (req, doc, call) => {
      const inc = incoming(deps, req, doc as HttpApiDoc & StoredDocument, call);
      const res = inc ? await serveSafely(deps, seams, inc, call) : notFound();
      res.headers['apigw-requestid'] = req.requestId;
      if (inc) accessLog(deps, seams, inc, res);
      return res;
    },
  };
}

/** The request as the data plane carries it, or undefined when no stage serves its path. */
function incoming(deps: GatewayDeps, req: ApiRequest, api: HttpApiDoc, call: InvokeCall): Incoming | undefined {
  const stage = chooseStage(api, call.path);
  if (!stage) return undefined;
  const headers: Incoming['headers'] = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = v;
  const now = deps.clock.now();
  return {
    req,
    api,
    stageName: stage.stageName,
    stage: stage.stage,
    routeKey: '-',
    method: req.method.toUpperCase(),
    fullPath: call.path,
    stagePath: stage.stagePath,
    rawQuery: req.query,
    query: new URLSearchParams(req.query),
    headers,
    pathParameters: {},
    domainName: call.domainName,
    requestId: req.requestId,
    now,
    sourceIp: req.sourceIp ?? '127.0.0.1',
  };
}

/** Anything unexpected is still API Gateway's 500 with its request id, and logged with its stack. */
async function serveSafely(deps: GatewayDeps, seams: Seams, inc: Incoming, call: InvokeCall): Promise<ApiResponse> {
  try {
    return await serve(deps, seams, inc, call);
  } catch (e) {
    deps.log.error('API Gateway: unexpected error serving an HTTP API request', { apiId: inc.api.id, requestId: inc.requestId, error: e instanceof Error ? e.stack : String(e) });
    return internalError();
  }
}

async function serve(deps: GatewayDeps, seams: Seams, inc: Incoming, call: InvokeCall): Promise<ApiResponse> {
  const { api } = inc;
  // The default endpoint switched off: AWS answers 403 Forbidden on execute-api.
  if (api.disableExecuteApiEndpoint) return forbidden();
  const origin = headerValue(inc.headers, 'origin');
  const cors = api.corsConfiguration;
  const requestedMethod = headerValue(inc.headers, 'access-control-request-method');
  if (cors && inc.method === 'OPTIONS' && origin && requestedMethod) return preflight(cors, origin, requestedMethod, headerValue(inc.headers, 'access-control-request-headers'));
  // With CORS configured, API Gateway ignores the integration's own CORS headers and sends its own.
  const withCors = (res: ApiResponse): ApiResponse => {
    if (!cors) return res;
    for (const k of Object.keys(res.headers)) if (k.toLowerCase().startsWith('access-control-')) delete res.headers[k];
    Object.assign(res.headers, corsHeaders(cors, origin));
    return res;
  };

  const parts = servedParts(api, inc.stage);
  const chosen = parts && chooseRoute(parts, inc.method, inc.stagePath);
  if (!parts || !chosen) return withCors(notFound());
  const { route } = chosen;
  inc.route = route;
  inc.routeKey = route.routeKey;
  inc.pathParameters = chosen.pathParameters;
  inc.traceId = seams.traceHeader(headerValue(inc.headers, 'x-amzn-trace-id'), inc.now);
  forwardedHeaders(inc);

  if (!throttleAllows(seams, inc)) return withCors(tooManyRequests());
  const refusal = await authorize(deps, seams, inc, route, parts, call);
  if (refusal) return withCors(refusal);

  const integrationId = route.target?.startsWith('integrations/') ? route.target.slice('integrations/'.length) : undefined;
  const integration = integrationId !== undefined && Object.hasOwn(parts.integrations, integrationId) ? parts.integrations[integrationId] : undefined;
  if (!integration) {
    deps.log.warn('API Gateway: the route has no integration to send the request to', { apiId: api.id, routeKey: route.routeKey });
    return withCors(internalError());
  }
  inc.integration = integration;
  const started = deps.clock.now();
  const res = await integrate(deps, inc, integration);
  inc.integrationLatency = deps.clock.now() - started;
  if (!ownAnswers.has(res)) inc.integrationStatus = res.status;
  return withCors(mapped(inc, integration, res));
}

/** The headers API Gateway adds before an integration sees the request (x-forwarded-*, the trace id). */
function forwardedHeaders(inc: Incoming): void {
  const h = inc.headers;
  const before = headerValue(h, 'x-forwarded-for');
  h['x-forwarded-for'] = before ? `${before}, ${inc.sourceIp}` : inc.sourceIp;
  h['x-forwarded-proto'] ??= 'http';
  h['x-forwarded-port'] ??= /:(\d+)$/.exec(headerValue(h, 'host') ?? '')?.[1] ?? '80';
  if (inc.traceId) h['x-amzn-trace-id'] = inc.traceId;
}

function integrate(deps: GatewayDeps, inc: Incoming, integration: Integration): Promise<ApiResponse> {
  if (integration.integrationType === 'HTTP_PROXY') return httpProxy(deps, inc, integration);
  if (integration.integrationSubtype !== undefined) return sqsIntegration(deps, inc, integration);
  return lambdaProxy(deps, inc, integration);
}

/** The integration's response parameters for the answer's status code. */
function mapped(inc: Incoming, integration: Integration, res: ApiResponse): ApiResponse {
  if (!integration.responseParameters || !integration.responseParameters[String(res.status)]) return res;
  const body = typeof res.body === 'string' ? res.body : Buffer.isBuffer(res.body) ? res.body.toString('utf8') : '';
  const out = mapResponse(integration.responseParameters, inc, { status: res.status, headers: res.headers, body });
  return { status: out.status, headers: out.headers, body: res.body };
}

/**
 * Throttling: the route's settings on the stage (RouteSettings by route key, else the stage's
 * DefaultRouteSettings), then the account's default.
 */
function throttleAllows(seams: Seams, inc: Incoming): boolean {
  const own: RouteSettings | undefined = inc.stage.routeSettings?.[inc.routeKey];
  const def = inc.stage.defaultRouteSettings;
  const rate = own?.throttlingRateLimit ?? def?.throttlingRateLimit;
  const burst = own?.throttlingBurstLimit ?? def?.throttlingBurstLimit;
  if (rate !== undefined || burst !== undefined) {
    const routeScoped = own?.throttlingRateLimit !== undefined || own?.throttlingBurstLimit !== undefined;
    const key = `httpApi/${inc.api.id}/${inc.stageName}/${routeScoped ? inc.routeKey : '*'}`;
    if (!seams.take(key, { rateLimit: rate ?? Number.MAX_SAFE_INTEGER, burstLimit: burst ?? Number.MAX_SAFE_INTEGER })) return false;
  }
  return seams.take(`account/${inc.api.accountId}/${inc.api.region}`, seams.accountLimit);
}

function accessLog(deps: GatewayDeps, seams: Seams, inc: Incoming, res: ApiResponse): void {
  const settings = inc.stage.accessLogSettings;
  if (!settings?.destinationArn || !settings.format) return;
  // Accounts are walls: a stage logs only to its own account's log groups.
  if (settings.destinationArn.split(':')[4] !== inc.api.accountId) return;
  const length = typeof res.body === 'string' ? Buffer.byteLength(res.body) : Buffer.isBuffer(res.body) ? res.body.length : undefined;
  const error = ownAnswers.get(res);
  const integration = inc.integrationStatus !== undefined ? { status: inc.integrationStatus, integrationStatus: inc.integrationStatus, latency: inc.integrationLatency } : undefined;
  seams.accessLog(
    { destinationArn: settings.destinationArn, apiId: inc.api.id, stage: inc.stageName },
    settings.format,
    contextVariables(inc, {
      status: res.status,
      responseLength: length,
      responseLatency: deps.clock.now() - inc.now,
      integrationStatus: inc.integrationStatus,
      integrationLatency: inc.integrationLatency,
      ...(integration ? { integration } : {}),
      ...(error !== undefined ? { error: { message: error, messageString: JSON.stringify(error) } } : {}),
    }),
  );
}
