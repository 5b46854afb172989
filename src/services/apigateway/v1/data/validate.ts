/**
 * A method's request validator: its required request parameters (path, query string, header)
 * and its body against the method's request model for the request's content type, checked
 * before the integration runs. A refusal is the BAD_REQUEST_PARAMETERS or BAD_REQUEST_BODY
 * gateway response, with `$context.error.validationErrorString` saying why.
 */
import { validationErrorString } from '../../shared/json-schema.js';
import { bodyFailures, parsedSchema } from '../../shared/models.js';
import { modelByUrl } from '../control/models.js';
import { header, type Invocation } from './invocation.js';

export interface ValidationRefusal {
  type: 'BAD_REQUEST_PARAMETERS' | 'BAD_REQUEST_BODY';
  message: string;
  validationErrorString: string;
}

export function validateRequest(inv: Invocation): ValidationRefusal | undefined {
  const id = inv.method.requestValidatorId;
  const validator = id && inv.snapshot.requestValidators && Object.hasOwn(inv.snapshot.requestValidators, id) ? inv.snapshot.requestValidators[id] : undefined;
  if (!validator) return undefined;
  return (validator.validateRequestParameters && missingParameters(inv)) || (validator.validateRequestBody && invalidBody(inv)) || undefined;
}

/** Required parameters the request lacks: `Missing required request parameters: [a, b]`. */
function missingParameters(inv: Invocation): ValidationRefusal | undefined {
  const missing: string[] = [];
  for (const [p, required] of Object.entries(inv.method.requestParameters ?? {})) {
    if (!required) continue;
    const m = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(p);
    if (!m) continue;
    const name = m[2]!;
    const present = m[1] === 'path' ? !!inv.pathParameters[name] : m[1] === 'querystring' ? inv.query.has(name) : header(inv.req, name.toLowerCase()) !== undefined;
    if (!present) missing.push(name);
  }
  if (!missing.length) return undefined;
  const message = `Missing required request parameters: [${missing.join(', ')}]`;
  return { type: 'BAD_REQUEST_PARAMETERS', message, validationErrorString: message };
}

/**
 * The body against the model for its content type (`application/json` when the request names
 * none; the `$default` entry when no entry names it). No model, no check. An empty body is
 * checked as `{}`, so a model's required properties still catch it.
 */
function invalidBody(inv: Invocation): ValidationRefusal | undefined {
  const models = inv.method.requestModels;
  if (!models) return undefined;
  const type = (header(inv.req, 'content-type') ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  const name = Object.hasOwn(models, type) ? models[type] : Object.hasOwn(models, '$default') ? models.$default : undefined;
  const all = inv.snapshot.models;
  const model = name && all && Object.hasOwn(all, name) ? all[name]! : undefined;
  if (!model) return undefined;
  const schema = parsedSchema(model);
  if (!schema) return undefined;
  const errors = bodyFailures(schema, inv.req.body, (ref) => modelByUrl(all, inv.api.id, ref));
  return errors.length ? { type: 'BAD_REQUEST_BODY', message: 'Invalid request body', validationErrorString: validationErrorString(errors) } : undefined;
}
