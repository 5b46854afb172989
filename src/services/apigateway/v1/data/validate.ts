/**
 * A method's request validator: its required request parameters (path, query string, header)
 * and its body against the method's request model for the request's content type, checked
 * before the integration runs. A refusal is the BAD_REQUEST_PARAMETERS or BAD_REQUEST_BODY
 * gateway response, with `$context.error.validationErrorString` saying why.
 */
import { schemaProblems, SchemaTooComplex, validateJsonSchema, validationErrorString, type Json } from '../../shared/json-schema.js';
import { modelByUrl } from '../control/models.js';
import type { Model } from '../model.js';
import { header, type Invocation } from './invocation.js';

export interface ValidationRefusal {
  type: 'BAD_REQUEST_PARAMETERS' | 'BAD_REQUEST_BODY';
  message: string;
  validationErrorString: string;
}

/** Parsed schemas by model (a deployment's models never change), so a request parses none. */
const parsed = new WeakMap<Model, Record<string, unknown> | null>();

function schemaOf(model: Model): Record<string, unknown> | null {
  let s = parsed.get(model);
  if (s === undefined) {
    try {
      const v: unknown = JSON.parse(model.schema ?? '{}');
      s = typeof v === 'object' && v !== null && !Array.isArray(v) && schemaProblems(v, () => true).length === 0 ? (v as Record<string, unknown>) : null;
    } catch {
      s = null;
    }
    parsed.set(model, s);
  }
  return s;
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
  const schema = schemaOf(model);
  if (!schema) return undefined;
  const refuse = (errors: string[]): ValidationRefusal => ({ type: 'BAD_REQUEST_BODY', message: 'Invalid request body', validationErrorString: validationErrorString(errors) });
  let body: Json;
  try {
    body = inv.req.body.length ? (JSON.parse(inv.req.body.toString('utf8')) as Json) : {};
  } catch {
    return refuse(['Unable to parse the request body as JSON']);
  }
  try {
    const resolve = (ref: string) => {
      const other = modelByUrl(all, inv.api.id, ref);
      return other ? (schemaOf(other) ?? undefined) : undefined;
    };
    const { errors } = validateJsonSchema(schema, body, resolve);
    return errors.length ? refuse(errors) : undefined;
  } catch (e) {
    if (e instanceof SchemaTooComplex) return refuse([e.message]);
    throw e;
  }
}
