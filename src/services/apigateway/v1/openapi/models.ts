/**
 * Models in OpenAPI definitions of REST APIs, both ways: OpenAPI 3's `components/schemas` and
 * Swagger 2's `definitions` are the API's models (JSON schemas, content type
 * `application/json`); a `$ref` to `#/components/schemas/X` (or `#/definitions/X`) is, inside a
 * model, the canonical model URL API Gateway uses
 * (`https://apigateway.amazonaws.com/restapis/{apiId}/models/X`) and, on a method, a request or
 * response model: OpenAPI 3's `requestBody` and responses' `content` by media type, Swagger 2's
 * `in: body` parameter and responses' `schema` by the operation's `consumes`/`produces`
 * (`application/json` when none). An export writes them back the same way, with the models the
 * exported methods use (and those their schemas name), `$schema` left out.
 */
import { BadRequestException } from '../../errors.js';
import { modelNameOfUrl, modelUrl } from '../../shared/models.js';
import type { Method, Model } from '../model.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_DEPTH = 64;

const localPrefix = (oas3: boolean) => (oas3 ? '#/components/schemas/' : '#/definitions/');

/** A copy of `v` with every `$ref` string passed through `map` (bounded in depth). */
function mapRefs(v: unknown, map: (ref: string) => string, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new BadRequestException('Invalid OpenAPI input: a schema is nested too deeply');
  if (Array.isArray(v)) return v.map((x) => mapRefs(x, map, depth + 1));
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) out[k] = k === '$ref' && typeof x === 'string' ? map(x) : mapRefs(x, map, depth + 1);
  return out;
}

/** The definition's schemas as models of API `apiId`, by name (`newId` gives their ids). */
export function importModels(doc: Obj, oas3: boolean, apiId: string, newId: () => string): Record<string, Model> {
  const schemas = oas3 ? (isObj(doc.components) ? doc.components.schemas : undefined) : doc.definitions;
  const prefix = localPrefix(oas3);
  const models: Record<string, Model> = {};
  for (const [name, schema] of Object.entries(isObj(schemas) ? schemas : {})) {
    if (!/^[A-Za-z0-9]+$/.test(name)) throw new BadRequestException(`Invalid OpenAPI input: model name '${name}' must be alphanumeric`);
    if (!isObj(schema)) throw new BadRequestException(`Invalid OpenAPI input: the schema of model '${name}' is not an object`);
    const mapped = mapRefs(schema, (ref) => (ref.startsWith(prefix) ? modelUrl(apiId, ref.slice(prefix.length)) : ref));
    models[name] = { id: newId(), name, schema: JSON.stringify(mapped), contentType: 'application/json' };
  }
  return models;
}

/** The model a method's schema names by `$ref` (`#/components/schemas/X` → `X`), if any. */
function refName(schema: unknown, oas3: boolean): string | undefined {
  if (!isObj(schema) || typeof schema.$ref !== 'string') return undefined;
  const prefix = localPrefix(oas3);
  return schema.$ref.startsWith(prefix) ? schema.$ref.slice(prefix.length) : undefined;
}

/** Media types an operation consumes or produces (Swagger 2), `application/json` when it names none. */
function mediaTypes(op: Obj, doc: Obj, key: 'consumes' | 'produces'): string[] {
  const list = Array.isArray(op[key]) ? op[key] : Array.isArray(doc[key]) ? doc[key] : [];
  const types = (list as unknown[]).filter((t): t is string => typeof t === 'string');
  return types.length ? types : ['application/json'];
}

/** The operation's request models by media type (`requestBody` in OpenAPI 3, the `in: body` parameter in Swagger 2). */
export function requestModelsOf(op: Obj, parameters: unknown[], doc: Obj, oas3: boolean): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (oas3) {
    const content = isObj(op.requestBody) && isObj(op.requestBody.content) ? op.requestBody.content : {};
    for (const [type, media] of Object.entries(content)) {
      const name = isObj(media) ? refName(media.schema, true) : undefined;
      if (name) out[type] = name;
    }
  } else {
    const body = parameters.find((p): p is Obj => isObj(p) && p.in === 'body');
    const name = body ? refName(body.schema, false) : undefined;
    if (name) for (const type of mediaTypes(op, doc, 'consumes')) out[type] = name;
  }
  return Object.keys(out).length ? out : undefined;
}

/** A response's models by media type (`content` in OpenAPI 3, `schema` with `produces` in Swagger 2). */
export function responseModelsOf(response: unknown, op: Obj, doc: Obj, oas3: boolean): Record<string, string> | undefined {
  if (!isObj(response)) return undefined;
  const out: Record<string, string> = {};
  if (oas3) {
    for (const [type, media] of Object.entries(isObj(response.content) ? response.content : {})) {
      const name = isObj(media) ? refName(media.schema, true) : undefined;
      if (name) out[type] = name;
    }
  } else {
    const name = refName(response.schema, false);
    if (name) for (const type of mediaTypes(op, doc, 'produces')) out[type] = name;
  }
  return Object.keys(out).length ? out : undefined;
}

/** Refuses methods that name a model the definition (or the API, when merging) does not have. */
export function checkMethodModels(method: Method, has: (name: string) => boolean, where: string): void {
  const named = [...Object.values(method.requestModels ?? {}), ...Object.values(method.methodResponses ?? {}).flatMap((r) => Object.values(r.responseModels ?? {}))];
  for (const name of named) if (!has(name)) throw new BadRequestException(`Invalid OpenAPI input: ${where} names model '${name}', which the definition does not define`);
}

// ---- export ---------------------------------------------------------------------------------

const ref = (name: string, oas3: boolean) => ({ $ref: `${localPrefix(oas3)}${name}` });

/** Collects the models an export names, and writes them (with the models their schemas name) as the definition's schemas. */
export class ExportedModels {
  private readonly used = new Set<string>();

  constructor(
    private readonly apiId: string,
    private readonly models: Record<string, Model>,
    private readonly oas3: boolean,
  ) {}

  /** OpenAPI 3: `{ content: { type: { schema: $ref } } }`; Swagger 2: the `$ref` alone (the caller places it). */
  use(name: string): { $ref: string } | undefined {
    if (!Object.hasOwn(this.models, name)) return undefined;
    this.used.add(name);
    return ref(name, this.oas3);
  }

  /** The OpenAPI 3 `content` map for a set of models by media type. */
  content(models: Record<string, string> | undefined): Obj | undefined {
    const out: Obj = {};
    for (const [type, name] of Object.entries(models ?? {})) {
      const r = this.use(name);
      if (r) out[type] = { schema: r };
    }
    return Object.keys(out).length ? out : undefined;
  }

  /** The schemas of every model used so far, and of the models they name, by name. */
  schemas(): Obj | undefined {
    const out: Obj = {};
    const queue = [...this.used];
    while (queue.length) {
      const name = queue.shift()!;
      if (Object.hasOwn(out, name) || !Object.hasOwn(this.models, name)) continue;
      let schema: unknown = {};
      try {
        schema = JSON.parse(this.models[name]!.schema ?? '{}');
      } catch {
        // A schema AWS refused would never have been stored; keep the export going with an empty one.
      }
      const mapped = mapRefs(schema, (r) => {
        const other = modelNameOfUrl(this.apiId, r);
        if (other === undefined) return r;
        queue.push(other);
        return ref(other, this.oas3).$ref;
      }) as Obj;
      if (isObj(mapped)) delete mapped.$schema;
      out[name] = mapped;
    }
    return Object.keys(out).length ? Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]])) : undefined;
  }
}
