/**
 * The AWS API pipeline for one request: route ▶ verify SigV4 ▶ decode ▶ handler ▶ encode.
 * Every failure becomes the protocol's error shape; anything untyped is logged with its stack
 * and answered as a 500 InternalFailure.
 */
import type { Logger } from '../lib/log.js';
import { AwsError, InternalFailure, InvalidAction, malformedXml, MethodNotAllowed, MissingAction, UnknownOperationException } from '../protocols/errors.js';
import { decodeJsonInput, encodeJsonError, encodeJsonOutput, jsonContentType } from '../protocols/json.js';
import { decodeQueryInput, encodeQueryError, encodeQueryResponse, parseForm } from '../protocols/query.js';
import { decodeRestInput, RestRoutes, streamsPayload, type HttpBinding, type RouteMatch } from '../protocols/rest.js';
import { encodeRestJsonError, encodeRestJsonOutput, restJsonBody } from '../protocols/rest-json.js';
import { encodeRestOutput, encodeRestXmlError, restXmlBody } from '../protocols/rest-xml.js';
import { isUnsigned, requireSigningService, type SigV4Identity, type SigV4Verifier } from '../protocols/sigv4.js';
import type { Operation, RequestContext, ServicePlugin } from '../services/service.js';
import type { ApiRequest, ApiResponse } from './api.js';
import { MAX_BODY_BYTES } from './http-server.js';
import type { Route, Router } from './router.js';

const XML = 'text/xml';
const GENERIC_XMLNS = 'https://nimbus.dev/doc/';
const EMPTY = Buffer.alloc(0);

export class Dispatcher {
  private readonly rest = new WeakMap<ServicePlugin, RestRoutes<Operation & { http: HttpBinding }>>();

  /** The compiled REST routes of a service, built on first use. */
  private restRoutes(service: ServicePlugin): RestRoutes<Operation & { http: HttpBinding }> {
    let routes = this.rest.get(service);
    if (!routes) {
      const ops: Record<string, Operation & { http: HttpBinding }> = {};
      for (const [name, op] of Object.entries(service.operations)) if (op.http) ops[name] = op as Operation & { http: HttpBinding };
      this.rest.set(service, (routes = new RestRoutes(ops, service.restXml?.subresources)));
    }
    return routes;
  }

  constructor(
    private readonly router: Router,
    private readonly verifier: SigV4Verifier,
    private readonly log: Logger,
    services: ServicePlugin[] = [],
  ) {
    this.withEndpoints = services.filter((s) => s.httpEndpoint);
  }

  /**
   * How the operation a request is routed to takes its body (decided before reading it):
   * 'stream', or the most bytes it may buffer.
   */
  bodyLimit(req: Omit<ApiRequest, 'body' | 'stream'>): number | 'stream' {
    if (this.endpointServiceOf(req)) return MAX_BODY_BYTES;
    const route = this.router.route({ ...req, body: EMPTY });
    // The server asks this before reading the body, then dispatches the same request: the
    // route is kept (keyed by the request's own headers object) so it is found once.
    if (route) this.routed.set(req.headers, route);
    if (route?.protocol !== 'rest-xml' && route?.protocol !== 'rest-json') return MAX_BODY_BYTES;
    const match = this.restRoutes(route.service).match(req.method, route.service.routingPath?.(req) ?? req.path, new URLSearchParams(req.query), req.headers);
    if (!match) return MAX_BODY_BYTES;
    this.matched.set(req.headers, match);
    if (streamsPayload(match.target.input)) return 'stream';
    // A larger buffer only for a caller who names a configured key: strangers cannot make
    // Nimbus hold 70 MB before their signature is refused.
    const max = match.target.maxBodyBytes;
    return max !== undefined && this.verifier.namesKnownKey(req) ? max : MAX_BODY_BYTES;
  }

  private readonly routed = new WeakMap<object, Route>();
  /** The REST operation bodyLimit found for a request, kept the same way. */
  private readonly matched = new WeakMap<object, RouteMatch<Operation & { http: HttpBinding }>>();

  async dispatch(req: ApiRequest): Promise<ApiResponse> {
    const endpoint = this.endpointServiceOf(req);
    if (endpoint) return this.serveEndpoint(endpoint, req);
    const route = this.routed.get(req.headers) ?? this.router.route(req);
    const res = await this.answer(req, route);
    const extra = route?.service.responseHeaders?.(req);
    if (extra) Object.assign(res.headers, extra);
    return res;
  }

  /**
   * The service whose plain HTTP endpoint (a function URL) a request is for, if any; asked by
   * bodyLimit and again by dispatch, so the answer is kept per request like the route.
   */
  private endpointServiceOf(req: Pick<ApiRequest, 'method' | 'path' | 'headers' | 'query'>): ServicePlugin | undefined {
    const known = this.endpointServices.get(req.headers);
    if (known !== undefined) return known ?? undefined;
    const found = this.withEndpoints.find((s) => s.httpEndpoint!.matches(req));
    this.endpointServices.set(req.headers, found ?? null);
    return found;
  }

  private readonly endpointServices = new WeakMap<object, ServicePlugin | null>();
  private readonly withEndpoints: ServicePlugin[];

  private async serveEndpoint(service: ServicePlugin, req: ApiRequest): Promise<ApiResponse> {
    try {
      return await service.httpEndpoint!.handle(req, () => this.verifier.verify(req));
    } catch (e) {
      this.log.error('unhandled error', { requestId: req.requestId, error: e instanceof Error ? e.stack : String(e) });
      return { status: 500, headers: { 'content-type': 'application/json' }, body: '{"Message":"Internal Server Error"}' };
    }
  }

  private async answer(req: ApiRequest, route: Route | undefined): Promise<ApiResponse> {
    try {
      // Authentication comes first, even for requests we cannot route: an unsigned request
      // learns nothing about what exists.
      const anonymous = route !== undefined && route.service.claimsUnsigned !== undefined && isUnsigned(req);
      const identity: SigV4Identity = anonymous
        ? { accessKeyId: '', accountId: '', region: '', service: route.service.signingName, payloadSigned: false, payloadHash: 'UNSIGNED-PAYLOAD' }
        : this.verifier.verify(req.stream ? { ...req, streamed: true } : req);
      if (!route) throw new InvalidAction('The action or operation requested is invalid. Verify that the action is typed correctly.');
      // A signature is good for the service its credential scope names, and no other (the
      // route may have come from X-Amz-Target rather than from the scope).
      requireSigningService(identity, route.service.signingName);
      const { operation, name, input } = this.decode(route, req, identity);
      const ctx: RequestContext = {
        requestId: req.requestId,
        operation: name,
        accountId: identity.accountId,
        accessKeyId: identity.accessKeyId,
        region: identity.region,
        endpoint: endpointOf(req),
        path: req.path,
        query: req.query,
        ...(anonymous ? { anonymous: true } : {}),
        sourceIp: req.sourceIp,
        headers: req.headers,
        traceHeader: headerValue(req.headers['x-amzn-trace-id']),
        ...(req.stream ? { payload: { hash: identity.payloadHash, ...(identity.streaming ? { streaming: identity.streaming } : {}) } } : {}),
      };
      const output = await operation.handler(input, ctx);
      return this.encode(route, name, operation, output, req.requestId);
    } catch (e) {
      return this.encodeError(route, e, req);
    }
  }

  /**
   * Only signed bytes decide the operation and its input: the body is read only when the
   * signature covers it (the verifier already refuses an unsigned non-empty body outside S3; this
   * holds even without that), and then form fields take precedence over URL query parameters.
   */
  private decode(
    route: Route,
    req: ApiRequest,
    identity: Pick<SigV4Identity, 'payloadSigned'>,
  ): { operation: Operation; name: string; input: Record<string, unknown> } {
    const { service } = route;
    const body = identity.payloadSigned ? req.body : EMPTY;
    if (route.protocol === 'rest-xml' || route.protocol === 'rest-json') {
      const query = new URLSearchParams(req.query);
      const routes = this.restRoutes(service);
      const match = this.matched.get(req.headers) ?? routes.match(req.method, service.routingPath?.(req) ?? req.path, query, req.headers);
      if (!match) {
        const subresource = routes.selectorIn(query);
        if (subresource !== undefined && service.restXml?.notImplemented) throw service.restXml.notImplemented(subresource);
        if (route.protocol === 'rest-json') throw new UnknownOperationException('Unknown operation');
        throw new MethodNotAllowed('The specified method is not allowed against this resource.');
      }
      const xml = route.protocol === 'rest-xml';
      const decoded = decodeRestInput(match.target.input, { labels: match.labels, query, headers: req.headers, body, stream: req.stream }, xml ? restXmlBody : restJsonBody);
      if (decoded.badBody) throw xml ? malformedXml() : service.restJson!.malformedBody();
      if (decoded.violations.length) throw service.validationError(decoded.violations, match.name);
      return { operation: match.target, name: match.name, input: decoded.value };
    }
    if (route.protocol === 'json') {
      const name = route.target ?? '';
      const operation = operationOf(service, name);
      if (!operation) throw new UnknownOperationException(`The action ${name} is not valid for this web service.`);
      const { value, violations } = decodeJsonInput(operation.input, body);
      if (violations.length) throw service.validationError(violations, name);
      return { operation, name, input: value };
    }
    const contentType = String(req.headers['content-type'] ?? '');
    const form = identity.payloadSigned && req.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded');
    const params = parseForm(form ? body.toString('utf8') : req.query);
    if (form && req.query) {
      // Query parameters in the URL of a POST are merged under the (signed) form fields.
      for (const [k, v] of parseForm(req.query)) if (!params.has(k)) params.set(k, v);
    }
    service.queryDefaults?.(params, req.path);
    const name = params.get('Action');
    if (!name) throw new MissingAction('Missing Action');
    const operation = operationOf(service, name);
    if (!operation) throw new InvalidAction(`The action ${name} is not valid for this web service.`);
    const { value, violations } = decodeQueryInput(operation.input, params);
    if (violations.length) throw service.validationError(violations, name);
    return { operation, name, input: value };
  }

  private encode(route: Route, name: string, operation: Operation, output: unknown, requestId: string): ApiResponse {
    if (route.protocol === 'rest-xml') {
      const out = encodeRestOutput(operation.output, output, operation.http!, route.service.restXml!.xmlNamespace, operation.outputRoot);
      return out;
    }
    if (route.protocol === 'rest-json') return encodeRestJsonOutput(operation.output, output, operation.http!);
    if (route.protocol === 'json') {
      const spec = route.service.json!;
      return { status: 200, headers: { 'content-type': jsonContentType(spec.version) }, body: encodeJsonOutput(output) };
    }
    const ns = route.service.query!.xmlNamespace;
    return { status: 200, headers: { 'content-type': XML }, body: encodeQueryResponse(name, output, operation.output, ns, requestId) };
  }

  private encodeError(route: Route | undefined, e: unknown, req: ApiRequest): ApiResponse {
    let err: AwsError;
    if (e instanceof AwsError) err = e;
    else {
      this.log.error('unhandled error', { requestId: req.requestId, error: e instanceof Error ? e.stack : String(e) });
      err = new InternalFailure('The request processing has failed because of an unknown error, exception or failure.');
    }
    if (route?.protocol === 'rest-xml') {
      // HEAD answers carry no body; the status says it all.
      const body = req.method === 'HEAD' || err.status === 304 ? '' : encodeRestXmlError(err, req.requestId);
      // (Signature errors carry S3's names as their query code: SignatureDoesNotMatch, ...)
      return { status: err.status, headers: { ...err.responseHeaders(), ...(body ? { 'content-type': 'application/xml' } : {}) }, body };
    }
    if (route?.protocol === 'rest-json') return encodeRestJsonError(err);
    const asJson = route ? route.protocol === 'json' : String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json');
    if (asJson) {
      const spec = route?.service.json ?? { namespace: 'com.amazon.coral.service', version: '1.0' as const };
      const { headers, body } = encodeJsonError(err, spec);
      return { status: err.status, headers: { 'content-type': jsonContentType(spec.version), ...headers }, body };
    }
    const ns = route?.service.query?.xmlNamespace ?? GENERIC_XMLNS;
    return { status: err.status, headers: { 'content-type': XML }, body: encodeQueryError(err, ns, req.requestId) };
  }
}

/** The service's own operation of that name (never one inherited from Object.prototype). */
function operationOf(service: ServicePlugin, name: string): Operation | undefined {
  return Object.hasOwn(service.operations, name) ? service.operations[name] : undefined;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** `http://host:port` as the client called it. */
function endpointOf(req: Pick<ApiRequest, 'headers'>): string {
  const proto = req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  const host = req.headers.host ?? 'localhost';
  return `${proto}://${host}`;
}

