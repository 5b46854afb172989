/**
 * The data plane of REST APIs: `/{stage}/...` is served from the resource tree of the stage's
 * deployment (the most specific resource, then the method or ANY), through the method's
 * authorization (AWS_IAM, a Lambda authorizer), its API key and usage plan, and its
 * integration. Every refusal is one of API Gateway's gateway responses, as the API customises
 * them.
 */
import type { ApiRequest, ApiResponse } from '../../../../server/api.js';
import type { DataPlane, GatewayDeps, InvokeCall } from '../../deps.js';
import type { StoredDocument } from '../../repo.js';
import type { Integration, RestApiDoc, Snapshot } from '../model.js';
import { traceHeader } from '../../shared/trace.js';
import { StageAccessLogs, type Served } from './access.js';
import { authorize } from './authorize.js';
import { callHttp, functionOf, invokeLambda } from './backends.js';
import { header, methodArn, type Invocation } from './invocation.js';
import { mappedIntegration, type Outcome } from './mapped.js';
import { methodFor, ResourceTree } from './match.js';
import { proxyEvent, proxyResponse } from './proxy.js';
import { gatewayResponse } from './responses.js';
import { TemplateError } from './templates.js';
import { stageCaches, type StageCaches } from './stage-cache.js';
import { UsagePlans } from './usage.js';
import { validateRequest } from './validate.js';

export class RestDataPlane implements DataPlane {
  readonly kinds = ['restApi'];
  /** Resource trees by API and deployment: a deployment never changes once made. */
  private readonly trees = new Map<string, { snapshot: Snapshot; tree: ResourceTree }>();
  private readonly usage: UsagePlans;
  private readonly caches: StageCaches;
  readonly accessLogs: StageAccessLogs;

  constructor(private readonly deps: GatewayDeps) {
    this.usage = new UsagePlans(deps);
    this.caches = stageCaches(deps);
    this.accessLogs = new StageAccessLogs(deps);
  }

  async handle(req: ApiRequest, doc: StoredDocument, call: InvokeCall): Promise<ApiResponse> {
    const api = doc as RestApiDoc;
    const started = this.deps.clock.now();
    // A well-formed incoming X-Amzn-Trace-Id is kept (the trace spans caller and backend).
    const trace = traceHeader(header(req, 'x-amzn-trace-id'), started, this.deps.ids);
    const served: Served = {};
    const res = await this.serve(req, api, call, trace, served);
    // x-amzn-RequestId is the server's, on every answer.
    res.headers['x-amz-apigw-id'] ??= req.requestId.replace(/-/g, '').slice(0, 16);
    res.headers['x-amzn-trace-id'] = trace;
    this.accessLogs.write(api, req, served, res, started);
    return res;
  }

  private async serve(req: ApiRequest, api: RestApiDoc, call: InvokeCall, trace: string, served: Served): Promise<ApiResponse> {
    const plain = (type: string, message?: string | null) => {
      served.errorType = type;
      return gatewayResponse(type, {}, { requestId: req.requestId, ...(message !== undefined ? { message } : {}) });
    };
    if (api.disableExecuteApiEndpoint) return plain('INVALID_API_KEY', 'Forbidden');
    const slash = call.path.indexOf('/', 1);
    const stageName = safeDecode(slash < 0 ? call.path.slice(1) : call.path.slice(1, slash));
    const path = slash < 0 ? '/' : call.path.slice(slash) || '/';
    const stage = stageName && Object.hasOwn(api.stages, stageName) ? api.stages[stageName]! : undefined;
    // No such stage: API Gateway answers as for a path no resource serves.
    if (!stage) return plain('MISSING_AUTHENTICATION_TOKEN');
    served.stage = stage;
    const deployed = this.deployed(api, stage.deploymentId);
    if (!deployed) return plain('MISSING_AUTHENTICATION_TOKEN');
    const { snapshot, tree } = deployed;
    const fail = (type: string, message?: string | null, validationErrorString?: string) => {
      served.errorType = type;
      if (message !== undefined) served.errorMessage = message;
      if (validationErrorString !== undefined) served.validationErrorString = validationErrorString;
      return gatewayResponse(type, snapshot.gatewayResponses, { requestId: req.requestId, ...(message !== undefined ? { message } : {}), ...(validationErrorString !== undefined ? { validationErrorString } : {}) });
    };
    const found = tree.match(path);
    const method = found && methodFor(found.resource, req.method);
    if (!found || !method) return fail('MISSING_AUTHENTICATION_TOKEN');
    const inv: Invocation = {
      req,
      api,
      stage,
      snapshot,
      resource: found.resource,
      method,
      path,
      pathParameters: found.pathParameters,
      query: new URLSearchParams(req.query),
      domainName: call.domainName,
      now: this.deps.clock.now(),
      traceId: trace,
    };
    served.inv = inv;

    // The method's request validator runs before authorization, as on AWS.
    const invalid = validateRequest(inv);
    if (invalid) return fail(invalid.type, invalid.message, invalid.validationErrorString);
    const denied = await authorize(this.deps, inv, call);
    if (denied) return fail(denied.type, denied.message);
    const limited = await this.usage.admit(inv);
    if (limited) return fail(limited);

    const integration = withStageVariables(method.methodIntegration, stage.variables);
    if (!integration) return fail('API_CONFIGURATION_ERROR');
    const cached = this.caches.lookup(inv, call);
    if (cached.kind === 'hit') return cached.response;
    if (cached.kind === 'refused') return fail('ACCESS_DENIED', cached.message);
    try {
      const outcome =
        integration.type === 'AWS_PROXY' ? await this.proxy(inv, integration) : integration.type === 'HTTP_PROXY' ? await this.httpProxy(inv, integration) : await mappedIntegration(this.deps, inv, integration);
      if ('response' in outcome) {
        if (cached.kind === 'miss') {
          cached.keep(outcome.response);
          Object.assign(outcome.response.headers, cached.headers);
        }
        return outcome.response;
      }
      if (outcome.log) this.deps.log.warn(`API Gateway ${api.id} ${stage.stageName} ${req.method} ${path}: ${outcome.log}`);
      return fail(outcome.gateway);
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      this.deps.log.warn(`API Gateway ${api.id} ${stage.stageName} ${req.method} ${path}: Execution failed due to a mapping template error: ${e.message}`);
      return fail('API_CONFIGURATION_ERROR');
    }
  }

  private deployed(api: RestApiDoc, deploymentId: string): { snapshot: Snapshot; tree: ResourceTree } | undefined {
    const key = `${api.id}/${deploymentId}`;
    const d = Object.hasOwn(api.deployments, deploymentId) ? api.deployments[deploymentId] : undefined;
    if (!d) return undefined;
    let t = this.trees.get(key);
    // A deleted and re-made API may reuse nothing, but the cache is checked against the snapshot itself.
    if (!t || t.snapshot !== d.snapshot) {
      t = { snapshot: d.snapshot, tree: new ResourceTree(d.snapshot.resources) };
      this.trees.set(key, t);
      if (this.trees.size > 1000) this.trees.delete(this.trees.keys().next().value!);
    }
    return t;
  }

  private async proxy(inv: Invocation, i: Integration): Promise<Outcome> {
    const fn = functionOf(i);
    if (!fn) return { gateway: 'API_CONFIGURATION_ERROR', log: `the AWS_PROXY integration URI ${i.uri} names no Lambda function` };
    const result = await invokeLambda(this.deps, {
      functionArn: fn,
      payload: Buffer.from(JSON.stringify(proxyEvent(inv))),
      sourceArn: methodArn(inv, inv.resource.path),
      sourceAccount: inv.api.accountId,
      viaRole: !!i.credentials,
      requestId: inv.req.requestId,
      traceId: inv.traceId,
      timeoutMs: i.timeoutInMillis,
    });
    if (result.kind === 'timeout') return { gateway: 'INTEGRATION_TIMEOUT' };
    if (result.kind === 'refused') return { gateway: 'API_CONFIGURATION_ERROR', log: `Execution failed due to configuration error: ${result.why}` };
    inv.integrationStatus = 200;
    if (result.kind === 'functionError') return { response: internalError(inv, 502) };
    const response = proxyResponse(result.body);
    if (!response) {
      this.deps.log.warn(`API Gateway ${inv.api.id}: Execution failed due to configuration error: Malformed Lambda proxy response`);
      return { response: internalError(inv, 502) };
    }
    return { response };
  }

  /** HTTP_PROXY: the request passed through to the endpoint (`{proxy}` and other path parameters filled in), the answer passed back. */
  private async httpProxy(inv: Invocation, i: Integration): Promise<Outcome> {
    let url = (i.uri ?? '').replace(/\{([^}+]+)\+?\}/g, (all, name: string) => inv.pathParameters[name] ?? all);
    if (inv.req.query) url += (url.includes('?') ? '&' : '?') + inv.req.query;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(inv.req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    headers['x-amzn-trace-id'] = inv.traceId;
    const method = i.httpMethod === 'ANY' || !i.httpMethod ? inv.req.method : i.httpMethod;
    const result = await callHttp(this.deps, url, method, headers, inv.req.body, i.timeoutInMillis);
    if (result.kind === 'timeout') return { gateway: 'INTEGRATION_TIMEOUT' };
    if (result.kind !== 'ok') return { gateway: 'INTEGRATION_FAILURE', log: result.kind === 'refused' ? result.why : 'failed' };
    return { response: { status: result.status, headers: result.headers, body: result.body } };
  }
}

/** An integration whose URI names stage variables (`function:${stageVariables.fn}`), with the stage's values put in. */
function withStageVariables(i: Integration | undefined, vars: Record<string, string> | undefined): Integration | undefined {
  if (!i?.uri?.includes('${stageVariables.')) return i;
  return { ...i, uri: i.uri.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_all, name: string) => vars?.[name] ?? '') };
}

/** A Lambda proxy failure: 502 `{"message": "Internal server error"}`, as AWS words it. */
function internalError(inv: Invocation, status: number): ApiResponse {
  return { status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalServerErrorException' }, body: '{"message": "Internal server error"}' };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
