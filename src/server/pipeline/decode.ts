/**
 * Wire ▶ typed input. Only signed bytes decide the operation and its input: the body is read
 * only when the signature covers it (the verifier already refuses an unsigned non-empty body
 * outside S3; this holds even without that), and then form fields take precedence over URL
 * query parameters.
 */
import { InvalidAction, malformedXml, MethodNotAllowed, MissingAction, UnknownOperationException } from '../../protocols/errors.js';
import { decodeJsonInput } from '../../protocols/json.js';
import { decodeQueryInput, parseForm } from '../../protocols/query.js';
import { decodeRestInput } from '../../protocols/rest.js';
import { restJsonBody } from '../../protocols/rest-json.js';
import { restXmlBody } from '../../protocols/rest-xml.js';
import type { Operation, ServicePlugin } from '../../services/service.js';
import type { RequestCtx, Step } from './context.js';

const EMPTY = Buffer.alloc(0);

export const decodeStep: Step = (ctx, next) => {
  decode(ctx);
  return next(ctx);
};

function decode(ctx: RequestCtx): void {
  const { req, route } = ctx;
  const service = route!.service;
  const body = ctx.identity!.payloadSigned ? req.body : EMPTY;
  if (route!.protocol === 'rest-xml' || route!.protocol === 'rest-json') {
    const query = ctx.restQuery!;
    const match = ctx.restMatch;
    if (!match) {
      const subresource = ctx.restRoutes!.selectorIn(query);
      if (subresource !== undefined && service.restXml?.notImplemented) throw service.restXml.notImplemented(subresource);
      if (route!.protocol === 'rest-json') throw new UnknownOperationException('Unknown operation');
      throw new MethodNotAllowed('The specified method is not allowed against this resource.');
    }
    const xml = route!.protocol === 'rest-xml';
    const decoded = decodeRestInput(match.target.input, { labels: match.labels, query, headers: req.headers, body, stream: req.stream }, xml ? restXmlBody : restJsonBody);
    if (decoded.badBody) throw xml ? (service.restXml?.malformedBody?.() ?? malformedXml()) : service.restJson!.malformedBody();
    if (decoded.violations.length) throw service.validationError(decoded.violations, match.name);
    return set(ctx, match.name, match.target, decoded.value);
  }
  if (route!.protocol === 'json') {
    const name = route!.target ?? '';
    const operation = operationOf(service, name);
    // Coral (DynamoDB) names no action in its answer.
    if (!operation) throw new UnknownOperationException(service.json?.coral ? '' : `The action ${name} is not valid for this web service.`);
    const { value, violations } = decodeJsonInput(operation.input, body, service.json?.coral);
    if (violations.length) throw service.validationError(violations, name);
    return set(ctx, name, operation, value);
  }
  const contentType = String(req.headers['content-type'] ?? '');
  const form = ctx.identity!.payloadSigned && req.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded');
  const params = parseForm(form ? body.toString('utf8') : req.query);
  if (form && req.query) {
    // Query parameters in the URL of a POST are merged under the (signed) form fields, which
    // win (a presigned POST's form chooses the operation); a name repeated within either is
    // refused by parseForm.
    for (const [k, v] of parseForm(req.query)) if (!params.has(k)) params.set(k, v);
  }
  service.queryDefaults?.(params, req.path);
  const name = params.get('Action');
  if (!name) throw new MissingAction('Missing Action');
  const operation = operationOf(service, name);
  if (!operation) throw new InvalidAction(`The action ${name} is not valid for this web service.`);
  const { value, violations } = decodeQueryInput(operation.input, params);
  if (violations.length) throw service.validationError(violations, name);
  set(ctx, name, operation, value);
}

function set(ctx: RequestCtx, name: string, operation: Operation, input: Record<string, unknown>): void {
  ctx.operationName = name;
  ctx.operation = operation;
  ctx.input = input;
}

/** The service's own operation of that name (never one inherited from Object.prototype). */
function operationOf(service: ServicePlugin, name: string): Operation | undefined {
  return Object.hasOwn(service.operations, name) ? service.operations[name] : undefined;
}
