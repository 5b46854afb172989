/**
 * JSON Schema draft 4, the model language of API Gateway (REST API request validators, WebSocket
 * route request models), checked the way API Gateway reports it: its validator words each
 * failure as the Java json-schema-validator does (`object has missing required properties
 * (["name"])`, `instance type (string) does not match any allowed primitive type (allowed:
 * ["integer","number"])`), and `$context.error.validationErrorString` is the list of them in
 * brackets. A container that fails its own keywords is not searched further (the validator's
 * default, so one missing property does not also report every sibling's failure).
 *
 * Hand-written rather than a dependency: the maintained validators on npm dropped draft 4 (ajv
 * needs a separate draft-04 package), and the wording has to be AWS's anyway. Bounded: schema
 * nesting and `$ref` chains by depth, the work of one validation by a step budget, the errors
 * reported by count, and patterns are compiled once per schema. `format` is not checked (API
 * Gateway ignores it too).
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = Record<string, unknown>;

/** Finds the schema a `$ref` outside the current document names (another model), or undefined. */
export type RefResolver = (ref: string) => Schema | undefined;

export interface SchemaCheck {
  /** AWS's messages, in the order found; empty when the instance is valid. */
  errors: string[];
}

const MAX_DEPTH = 64;
const MAX_STEPS = 100_000;
const MAX_ERRORS = 50;

class Budget {
  steps = 0;
  spend(): void {
    if (++this.steps > MAX_STEPS) throw new SchemaTooComplex();
  }
}

/** Validation would cost more than the step budget or the depth bound: the body is refused. */
export class SchemaTooComplex extends Error {
  constructor() {
    super('the request body is too complex to validate');
  }
}

/** `[msg1, msg2]`, as `$context.error.validationErrorString` gives the failures. */
export const validationErrorString = (errors: string[]): string => `[${errors.join(', ')}]`;

/** Validates `instance` against `schema` (the root of its `#/...` references). */
export function validateJsonSchema(schema: Schema, instance: Json, resolve: RefResolver = () => undefined): SchemaCheck {
  const errors: string[] = [];
  new Walker(resolve, new Budget()).check(schema, schema, instance, errors, 0);
  return { errors: errors.slice(0, MAX_ERRORS) };
}

/**
 * Whether a model's schema is one API Gateway accepts: an object whose keywords have the types
 * draft 4 gives them, with `$ref`s that are local (`#/definitions/...`) or name another model by
 * its canonical URL. Returns AWS's error list, empty when it is fine.
 */
export function schemaProblems(schema: unknown, isModelRef: (ref: string) => boolean): string[] {
  const problems = new Set<string>();
  const stack: Array<{ s: unknown; depth: number }> = [{ s: schema, depth: 0 }];
  let seen = 0;
  while (stack.length) {
    const { s, depth } = stack.pop()!;
    if (++seen > MAX_STEPS || depth > MAX_DEPTH || !isObject(s)) {
      problems.add('Invalid model schema specified');
      continue;
    }
    const ref = s.$ref;
    if (ref !== undefined && (typeof ref !== 'string' || (!ref.startsWith('#') && !isModelRef(ref)))) problems.add('Model reference must be in canonical form');
    for (const k of ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties']) if (k in s && !(Number.isInteger(s[k]) && (s[k] as number) >= 0)) problems.add('Invalid model schema specified');
    for (const k of ['minimum', 'maximum']) if (k in s && typeof s[k] !== 'number') problems.add('Invalid model schema specified');
    if ('multipleOf' in s && !(typeof s.multipleOf === 'number' && s.multipleOf > 0)) problems.add('Invalid model schema specified');
    if ('pattern' in s && (typeof s.pattern !== 'string' || !compiles(s.pattern))) problems.add('Invalid model schema specified');
    if ('required' in s && !(Array.isArray(s.required) && s.required.length > 0 && s.required.every((r) => typeof r === 'string'))) problems.add('Invalid model schema specified');
    if ('enum' in s && !(Array.isArray(s.enum) && s.enum.length > 0)) problems.add('Invalid model schema specified');
    if ('type' in s && !validType(s.type)) problems.add('Invalid model schema specified');
    for (const k of ['properties', 'patternProperties', 'definitions']) {
      if (!(k in s)) continue;
      if (!isObject(s[k])) problems.add('Invalid model schema specified');
      else for (const v of Object.values(s[k] as Schema)) stack.push({ s: v, depth: depth + 1 });
    }
    for (const k of ['allOf', 'anyOf', 'oneOf']) {
      if (!(k in s)) continue;
      if (!Array.isArray(s[k]) || (s[k] as unknown[]).length === 0) problems.add('Invalid model schema specified');
      else for (const v of s[k] as unknown[]) stack.push({ s: v, depth: depth + 1 });
    }
    for (const k of ['not', 'additionalProperties', 'additionalItems', 'items']) {
      const v = s[k];
      if (v === undefined || typeof v === 'boolean') continue;
      if (Array.isArray(v) && k === 'items') for (const i of v) stack.push({ s: i, depth: depth + 1 });
      else stack.push({ s: v, depth: depth + 1 });
    }
  }
  return [...problems];
}

const TYPES = ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string'];

function validType(t: unknown): boolean {
  if (typeof t === 'string') return TYPES.includes(t);
  return Array.isArray(t) && t.length > 0 && t.every((x) => typeof x === 'string' && TYPES.includes(x));
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    try {
      new RegExp(pattern);
      return true;
    } catch {
      return false;
    }
  }
}

function isObject(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The type the validator names an instance by: a whole number is an `integer`. */
function typeOf(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const show = (v: unknown): string => JSON.stringify(v);
const sortedJson = (names: Iterable<string>): string => show([...names].sort());

/** Equality of JSON values (uniqueItems, enum): numbers by value, objects by members. */
function equal(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as Json[]).length && a.every((x, i) => equal(x, (b as Json[])[i]!));
  const ka = Object.keys(a);
  const ob = b as Record<string, Json>;
  return ka.length === Object.keys(ob).length && ka.every((k) => Object.hasOwn(ob, k) && equal(a[k]!, ob[k]!));
}

class Walker {
  private readonly patterns = new Map<string, RegExp | null>();

  constructor(
    private readonly resolve: RefResolver,
    private readonly budget: Budget,
  ) {}

  private regex(p: string): RegExp | null {
    let r = this.patterns.get(p);
    if (r === undefined) {
      try {
        r = new RegExp(p, 'u');
      } catch {
        try {
          r = new RegExp(p);
        } catch {
          r = null;
        }
      }
      this.patterns.set(p, r);
    }
    return r;
  }

  /** Follows `$ref` (draft 4: a schema with `$ref` is that reference alone). */
  private deref(root: Schema, s: Schema, depth: number): { root: Schema; s: Schema } | undefined {
    let hops = 0;
    while (typeof s.$ref === 'string') {
      if (++hops + depth > MAX_DEPTH) throw new SchemaTooComplex();
      const ref = s.$ref;
      if (ref.startsWith('#')) {
        const target = pointer(root, ref.slice(1));
        if (!isObject(target)) return undefined;
        s = target;
      } else {
        const other = this.resolve(ref);
        if (!other) return undefined;
        root = other;
        s = other;
      }
    }
    return { root, s };
  }

  /** Whether the instance is valid, without reporting why (anyOf, oneOf, not). */
  private passes(root: Schema, s: unknown, v: Json, depth: number): boolean {
    const errors: string[] = [];
    this.check(root, s, v, errors, depth);
    return errors.length === 0;
  }

  check(rootIn: Schema, sIn: unknown, v: Json, errors: string[], depth: number): void {
    this.budget.spend();
    if (depth > MAX_DEPTH) throw new SchemaTooComplex();
    if (!isObject(sIn)) return;
    const found = this.deref(rootIn, sIn, depth);
    if (!found) return;
    const { root, s } = found;
    const own: string[] = [];
    const t = typeOf(v);

    if (s.type !== undefined) {
      const allowed = new Set(Array.isArray(s.type) ? (s.type as string[]) : [s.type as string]);
      if (allowed.has('number')) allowed.add('integer');
      if (!allowed.has(t)) {
        own.push(`instance type (${t}) does not match any allowed primitive type (allowed: ${sortedJson(allowed)})`);
        errors.push(...own);
        return;
      }
    }
    if (Array.isArray(s.enum) && !s.enum.some((e) => equal(e as Json, v))) own.push(`instance value (${show(v)}) not found in enum (possible values: ${show(s.enum)})`);

    for (const [k, list] of [
      ['allOf', s.allOf],
      ['anyOf', s.anyOf],
      ['oneOf', s.oneOf],
    ] as const) {
      if (!Array.isArray(list)) continue;
      const matched = list.filter((sub) => this.passes(root, sub, v, depth + 1)).length;
      if (k === 'allOf' && matched < list.length) own.push(`instance failed to match all required schemas (matched only ${matched} out of ${list.length})`);
      if (k === 'anyOf' && matched === 0) own.push(`instance failed to match at least one required schema among ${list.length}`);
      if (k === 'oneOf' && matched !== 1) own.push(`instance failed to match exactly one schema (matched ${matched} out of ${list.length})`);
    }
    if (s.not !== undefined && this.passes(root, s.not, v, depth + 1)) own.push('instance matched a schema which it should not have');

    // Containers report their own failures and then, only if there were none, their members'.
    if (Array.isArray(v)) return this.checkArray(root, s, v, own, errors, depth);
    if (t === 'object') return this.checkObject(root, s, v as Record<string, Json>, own, errors, depth);
    if (typeof v === 'number') this.checkNumber(s, v, own);
    else if (typeof v === 'string') this.checkString(s, v, own);
    errors.push(...own);
  }

  private checkNumber(s: Schema, v: number, own: string[]): void {
    if (typeof s.minimum === 'number') {
      if (v < s.minimum) own.push(`numeric instance is lower than the required minimum (minimum: ${s.minimum}, found: ${v})`);
      else if (s.exclusiveMinimum === true && v === s.minimum) own.push(`numeric instance is not strictly greater than the required minimum ${s.minimum}`);
    }
    if (typeof s.maximum === 'number') {
      if (v > s.maximum) own.push(`numeric instance is greater than the required maximum (maximum: ${s.maximum}, found: ${v})`);
      else if (s.exclusiveMaximum === true && v === s.maximum) own.push(`numeric instance is not strictly lower than the required maximum ${s.maximum}`);
    }
    if (typeof s.multipleOf === 'number' && s.multipleOf > 0) {
      const q = v / s.multipleOf;
      if (Math.abs(q - Math.round(q)) > 1e-9) own.push(`remainder of division is not zero (${v} / ${s.multipleOf})`);
    }
  }

  private checkString(s: Schema, v: string, own: string[]): void {
    // Lengths count code points, as JSON Schema does.
    const length = typeof s.minLength === 'number' || typeof s.maxLength === 'number' ? [...v].length : 0;
    if (typeof s.minLength === 'number' && length < s.minLength) own.push(`string ${show(v)} is too short (length: ${length}, required minimum: ${s.minLength})`);
    if (typeof s.maxLength === 'number' && length > s.maxLength) own.push(`string ${show(v)} is too long (length: ${length}, maximum allowed: ${s.maxLength})`);
    if (typeof s.pattern === 'string') {
      const r = this.regex(s.pattern);
      if (r && !r.test(v)) own.push(`ECMA 262 regex ${show(s.pattern)} does not match input string ${show(v)}`);
    }
  }

  private checkArray(root: Schema, s: Schema, v: Json[], own: string[], errors: string[], depth: number): void {
    if (typeof s.minItems === 'number' && v.length < s.minItems) own.push(`array is too short: must have at least ${s.minItems} elements but instance has ${v.length} elements`);
    if (typeof s.maxItems === 'number' && v.length > s.maxItems) own.push(`array is too long: must have at most ${s.maxItems} elements but instance has ${v.length} elements`);
    if (s.uniqueItems === true) {
      this.budget.steps += v.length;
      outer: for (let i = 0; i < v.length; i++)
        for (let j = i + 1; j < v.length; j++) {
          this.budget.spend();
          if (equal(v[i]!, v[j]!)) {
            own.push('array must not contain duplicate elements');
            break outer;
          }
        }
    }
    if (Array.isArray(s.items) && s.additionalItems === false && v.length > s.items.length) own.push(`schema only allows ${s.items.length} elements in array but instance has ${v.length} elements`);
    errors.push(...own);
    if (own.length) return;
    for (let i = 0; i < v.length && errors.length < MAX_ERRORS; i++) {
      const sub = Array.isArray(s.items) ? (i < s.items.length ? s.items[i] : s.additionalItems) : s.items;
      this.check(root, sub, v[i]!, errors, depth + 1);
    }
  }

  private checkObject(root: Schema, s: Schema, v: Record<string, Json>, own: string[], errors: string[], depth: number): void {
    const keys = Object.keys(v);
    if (Array.isArray(s.required)) {
      const missing = (s.required as string[]).filter((r) => !Object.hasOwn(v, r));
      if (missing.length) own.push(`object has missing required properties (${sortedJson(new Set(missing))})`);
    }
    if (typeof s.minProperties === 'number' && keys.length < s.minProperties) own.push(`object has too few properties (found ${keys.length} but schema requires at least ${s.minProperties})`);
    if (typeof s.maxProperties === 'number' && keys.length > s.maxProperties) own.push(`object has too many properties (found ${keys.length} but schema requires at most ${s.maxProperties})`);
    const properties = isObject(s.properties) ? s.properties : {};
    const patterns = isObject(s.patternProperties) ? Object.keys(s.patternProperties).map((p) => ({ p, r: this.regex(p) })) : [];
    if (s.additionalProperties === false) {
      const extra = keys.filter((k) => !Object.hasOwn(properties, k) && !patterns.some(({ r }) => r?.test(k)));
      if (extra.length) own.push(`object instance has properties which are not allowed by the schema: ${sortedJson(extra)}`);
    }
    if (isObject(s.dependencies)) {
      for (const [name, dep] of Object.entries(s.dependencies)) {
        if (!Object.hasOwn(v, name) || !Array.isArray(dep)) continue;
        const missing = (dep as string[]).filter((d) => !Object.hasOwn(v, d));
        if (missing.length) own.push(`property ${show(name)} of object has missing property dependencies (schema requires ${sortedJson(dep as string[])}; missing: ${sortedJson(missing)})`);
      }
    }
    errors.push(...own);
    if (own.length) return;
    for (const k of keys) {
      if (errors.length >= MAX_ERRORS) return;
      let matched = false;
      if (Object.hasOwn(properties, k)) {
        matched = true;
        this.check(root, properties[k], v[k]!, errors, depth + 1);
      }
      for (const { p, r } of patterns) {
        if (!r?.test(k)) continue;
        matched = true;
        this.check(root, (s.patternProperties as Schema)[p], v[k]!, errors, depth + 1);
      }
      if (!matched && isObject(s.additionalProperties)) this.check(root, s.additionalProperties, v[k]!, errors, depth + 1);
    }
    if (isObject(s.dependencies)) {
      for (const [name, dep] of Object.entries(s.dependencies)) if (Object.hasOwn(v, name) && isObject(dep)) this.check(root, dep, v, errors, depth + 1);
    }
  }
}

/** The value a JSON pointer (`/definitions/Pet`) names inside a schema. */
function pointer(root: Schema, p: string): unknown {
  if (p === '') return root;
  let cur: unknown = root;
  for (const raw of p.split('/').slice(1)) {
    let part: string;
    try {
      part = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    part = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
