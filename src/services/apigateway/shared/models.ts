/**
 * What REST API models (v1) and WebSocket API models (v2) share: a schema is checked when it is
 * stored, as API Gateway checks it ("Invalid model specified: Validation Result: ..."), parsed
 * once per stored model for the data plane, and may name another model of the same API by its
 * canonical URL; a request body is validated against one with AWS's wording.
 */
import { BadRequestException } from '../errors.js';
import { schemaProblems, SchemaTooComplex, validateJsonSchema, type Json } from './json-schema.js';

/** `https://apigateway.amazonaws.com/restapis/{apiId}/models/{name}`: how a schema names another model. */
const MODEL_URL = /^https:\/\/apigateway\.amazonaws\.com\/restapis\/([^/]+)\/models\/([^/]+)$/;

/** The model name a canonical model URL gives for `apiId`, if it names one of that API's. */
export function modelNameOfUrl(apiId: string, ref: string): string | undefined {
  const m = MODEL_URL.exec(ref);
  return m && m[1] === apiId ? m[2] : undefined;
}

/** The canonical URL of an API's model, as schemas (and imported `$ref`s) name it. */
export const modelUrl = (apiId: string, name: string) => `https://apigateway.amazonaws.com/restapis/${apiId}/models/${name}`;

/**
 * Refuses a schema API Gateway would refuse: longer than `maxChars`, not JSON, not an object, or
 * with keywords it cannot use; `isModelRef` says whether a non-local `$ref` names a model.
 */
export function checkModelSchema(schema: string | undefined, maxChars: number, isModelRef: (ref: string) => boolean): void {
  if (schema === undefined) return;
  const invalid = (errors: string[]) => new BadRequestException(`Invalid model specified: Validation Result: warnings : [], errors : [${errors.join(', ')}]`);
  if (schema.length > maxChars) throw invalid(['Invalid model schema specified']);
  let parsed: unknown;
  try {
    parsed = JSON.parse(schema);
  } catch {
    throw invalid(['Invalid model schema specified']);
  }
  const problems = schemaProblems(parsed, isModelRef);
  if (problems.length) throw invalid(problems);
}

/** Parsed schemas by stored model (a deployment's models never change), so a request parses none. */
const parsed = new WeakMap<object, Record<string, unknown> | null>();

/** The model's schema as an object, or null when it is not one a validator can use. */
export function parsedSchema(model: { schema?: string }): Record<string, unknown> | null {
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

/**
 * A body's failures against a model's schema, worded as API Gateway's validator words them (empty
 * when it passes); `other` finds another model a `$ref` names. An empty body is checked as `{}`,
 * so a model's required properties still catch it.
 */
export function bodyFailures(schema: Record<string, unknown>, body: string | Buffer, other: (ref: string) => { schema?: string } | undefined): string[] {
  let value: Json;
  try {
    value = body.length ? (JSON.parse(typeof body === 'string' ? body : body.toString('utf8')) as Json) : {};
  } catch {
    return ['Unable to parse the request body as JSON'];
  }
  try {
    const resolve = (ref: string) => {
      const m = other(ref);
      return m ? (parsedSchema(m) ?? undefined) : undefined;
    };
    return validateJsonSchema(schema, value, resolve).errors;
  } catch (e) {
    if (e instanceof SchemaTooComplex) return [e.message];
    throw e;
  }
}
