/**
 * A small declarative shape language for operation inputs and outputs. Services declare the
 * shapes of their operations once; the generic codecs use them to decode (JSON, query form),
 * validate, and encode (JSON, XML). Names follow the AWS models: `xmlName` is the model's
 * locationName (used by the query protocol and XML), `flattened` its flattened trait.
 */
import type { Readable } from 'node:stream';
import { lowerFirst, pattern as toPattern, renderValue, rules, type Pattern } from './validate.js';

export type Shape = StringShape | IntegerShape | BooleanShape | BlobShape | ListShape | MapShape | StructureShape | DocumentShape;

/** Constraints as AWS's models declare them, checked at decode time (validate below). */
export interface LengthConstraints {
  /** The model's `length` trait: characters of a string, items of a list, entries of a map. */
  min?: number;
  max?: number;
}
export interface StringShape<E extends string = string> extends LengthConstraints {
  kind: 'string';
  pattern?: Pattern;
  /** The allowed values, in the order AWS's message lists them; the handler sees their union. */
  enum?: readonly E[];
  /** Values this matches skip the declared constraints: the service checks them (a table ARN given as DynamoDB's TableName). */
  exempt?: RegExp;
}
export interface IntegerShape {
  kind: 'integer';
  /** The Java type Coral names in a wrong-type message (`Long`; `Integer` unless told). */
  javaName?: string;
  /** The model's `range` trait. */
  min?: number;
  max?: number;
  /** The allowed values (an enumeration of numbers, such as Logs' retention periods). */
  enum?: readonly number[];
}
export interface BooleanShape {
  kind: 'boolean';
}
export interface BlobShape {
  kind: 'blob';
}
/**
 * Any JSON value, left for the service to check (DynamoDB's recursive AttributeValues, whose
 * errors DynamoDB words itself). JSON protocols only.
 */
export interface DocumentShape {
  kind: 'document';
  /**
   * The service's own reading of the value's JSON types, run in the validation pass where the
   * value stands: the error its deserializer raises (DynamoDB's SerializationException for an
   * AttributeValue of the wrong shape), or undefined. It reports the first wrong type in the
   * request as the codec reports one of a declared member, ahead of any missing member.
   */
  read?: (v: unknown) => Error | undefined;
}
export interface ListShape<M extends Shape = Shape> extends LengthConstraints {
  kind: 'list';
  member: M;
  /** Element name of each item in XML / query (default `member`). */
  memberName?: string;
  flattened?: boolean;
}
export interface MapShape<V extends Shape = Shape> extends LengthConstraints {
  kind: 'map';
  key: StringShape;
  value: V;
  keyName?: string;
  valueName?: string;
  flattened?: boolean;
  /** The Java type of the values, as Coral names it in a wrong-type message (`AttributeValue`). */
  javaName?: string;
  /**
   * DynamoDB's way with a map's entries: a key or value breaking its own length or pattern
   * constraints is reported against the whole map ("Map keys must satisfy constraint: [...]",
   * "Map value must satisfy constraint: [...]", naming all of that shape's constraints, upper
   * bound first), keys before values; a value's members are at `<map>.<key>.member.<member>`.
   */
  entriesAsWhole?: boolean;
}
/** Where a REST protocol carries a member: in the URI path, query string, headers, or the body. */
export type MemberLocation = 'uri' | 'querystring' | 'header' | 'headers' | 'payload';

export interface Member<S extends Shape = Shape> {
  shape: S;
  /** Name on the query/XML wire when it differs from the JSON member name. */
  xmlName?: string;
  required?: boolean;
  /** REST protocols only: where the member travels (default: an element of the XML body). */
  location?: MemberLocation;
  /** The URI label, query parameter, header, or (for `headers`) header-name prefix. */
  locationName?: string;
  /** A blob payload handed to the handler as the unread request stream (S3 uploads). */
  streaming?: boolean;
}
export interface StructureShape<M extends Record<string, Member> = Record<string, Member>> {
  kind: 'structure';
  members: M;
  /** The model's class name, as Java prints a structure value in a message (`KeySchemaElement(...)`). */
  javaName?: string;
}

type StringOptions<E extends string> = LengthConstraints & { pattern?: string | Pattern; enum?: readonly E[]; exempt?: RegExp };

/** string(), string({ min: 1, max: 80, pattern: '[a-zA-Z0-9_-]+' }), string({ enum: ['A', 'B'] }) */
export function string<const E extends string = string>(c: StringOptions<E> = {}): StringShape<E> {
  const { pattern, ...rest } = c;
  return { kind: 'string', ...rest, ...(pattern !== undefined ? { pattern: typeof pattern === 'string' ? toPattern(pattern) : pattern } : {}) };
}
export const integer = (c: { min?: number; max?: number; enum?: readonly number[]; javaName?: string } = {}): IntegerShape => ({ kind: 'integer', ...c });
export const boolean = (): BooleanShape => ({ kind: 'boolean' });
export const blob = (): BlobShape => ({ kind: 'blob' });
export const document = (opts: { read?: DocumentShape['read'] } = {}): DocumentShape => ({ kind: 'document', ...opts });
export const list = <M extends Shape>(member: M, opts: { memberName?: string; flattened?: boolean } & LengthConstraints = {}): ListShape<M> => ({
  kind: 'list',
  member,
  ...opts,
});
export const map = <V extends Shape>(
  key: StringShape,
  value: V,
  opts: { keyName?: string; valueName?: string; flattened?: boolean; javaName?: string; entriesAsWhole?: boolean } & LengthConstraints = {},
): MapShape<V> => ({ kind: 'map', key, value, ...opts });

type MemberSpec = Shape | Member;
type AsMember<S> = S extends { kind: string } ? { shape: S } : S;
/** structure({ QueueUrl: required(string()), Attributes: { shape: ..., xmlName: 'Attribute' } }) */
export function structure<M extends Record<string, MemberSpec>>(
  members: M,
  opts: { javaName?: string } = {},
): StructureShape<{ [K in keyof M]: AsMember<M[K]> }> {
  const out: Record<string, Member> = {};
  for (const [name, spec] of Object.entries(members)) {
    out[name] = 'kind' in spec ? { shape: spec } : spec;
  }
  return { kind: 'structure', members: out as { [K in keyof M]: AsMember<M[K]> }, ...opts };
}
/** Marks a member required. */
export const required = <S extends Shape>(shape: S, xmlName?: string): Member<S> & { required: true } => ({
  shape,
  required: true,
  ...(xmlName ? { xmlName } : {}),
});
/** A member with a different query/XML name. */
export const named = <S extends Shape>(shape: S, xmlName: string): Member<S> => ({ shape, xmlName });

// REST bindings (S3's REST-XML): where each member travels.
/** A `{Label}` of the URI template (always required). */
export function inUri(label: string): Member<StringShape> & { required: true };
export function inUri<S extends Shape>(label: string, shape: S): Member<S> & { required: true };
export function inUri(label: string, shape: Shape = string()): Member & { required: true } {
  return { shape, required: true, location: 'uri', locationName: label };
}
export const inQuery = <S extends Shape>(shape: S, name: string): Member<S> => ({ shape, location: 'querystring', locationName: name });
export const inHeader = <S extends Shape>(shape: S, name: string): Member<S> => ({ shape, location: 'header', locationName: name });
/** Every header starting with `prefix` (S3's x-amz-meta-*), keyed by the rest of its name. */
export const headersWithPrefix = (prefix: string): Member<MapShape<StringShape>> => ({ shape: map(string(), string()), location: 'headers', locationName: prefix });
/** The whole body as an unread stream, for uploads of any size. */
export const streamingPayload = (): Member<BlobShape> & { streaming: true } => ({ shape: blob(), location: 'payload', streaming: true });
/** The whole body: a structure (XML element `xmlName`) or a blob. */
export const inPayload = <S extends Shape>(shape: S, xmlName?: string): Member<S> => ({ shape, location: 'payload', ...(xmlName ? { xmlName } : {}) });

// ---- the handler's types, inferred from the declarations ----------------------------------------

/** The value a handler sees for a shape: enums as unions, blobs as Buffers, documents unknown. */
export type ShapeType<S> = [Shape] extends [S]
  ? unknown // the undeclared union (a generic helper's shape): nothing more is known
  : S extends { kind: 'string'; enum?: readonly (infer E)[] }
    ? string extends E
      ? string
      : E
    : S extends { kind: 'integer' }
      ? number
      : S extends { kind: 'boolean' }
        ? boolean
        : S extends { kind: 'blob' }
          ? Buffer
          : S extends { kind: 'document' }
            ? unknown
            : S extends { kind: 'list'; member: infer M }
              ? ShapeType<M>[]
              : S extends { kind: 'map'; value: infer V }
                ? Record<string, ShapeType<V>>
                : S extends { kind: 'structure'; members: infer M }
                  ? string extends keyof M
                    ? Record<string, unknown>
                    : StructureType<M>
                  : never;

type MemberType<M> = M extends { streaming: true } ? Readable : M extends { shape: infer S } ? ShapeType<S> : never;
type RequiredKeys<M> = { [K in keyof M]: M[K] extends { required: true } ? K : never }[keyof M];
/**
 * A structure's members: `required` ones present, the others optional. Flattened into one object
 * type: an intersection with an empty `{}` (a structure without required members) would accept
 * any value at all, a Promise included, so an async handler's answer would go unchecked.
 */
export type StructureType<M> = Flatten<
  { [K in keyof M as K extends RequiredKeys<M> ? K : never]: MemberType<M[K]> } & {
    [K in keyof M as K extends RequiredKeys<M> ? never : K]?: MemberType<M[K]>;
  }
>;
type Flatten<T> = { [K in keyof T]: T[K] };

/** One problem found while validating input against its shape. */
export type Violation =
  /** `at`: AWS's path, where the codec knows it (`requestItems.t.member.keys`). */
  | { kind: 'missing'; path: string; member: string; at?: string }
  /** `inList`: the value is a list's item or a map's value (Coral words a structure there differently); `error`: a document's own reader's. */
  | { kind: 'type'; path: string; member: string; expected: Shape['kind']; value: unknown; shape?: Shape; inList?: boolean; error?: Error }
  /** A declared constraint broken: `at` is AWS's path (`entries.1.member.id`), `rule` AWS's text. */
  | { kind: 'constraint'; path: string; member: string; at: string; value: unknown; rule: string; shown?: string };

/**
 * Checks a decoded JSON value against a structure: required members present, types right,
 * declared constraints kept (in member order, each member's own constraints before its
 * contents). Unknown members are ignored, as AWS services ignore them. Blobs arrive as base64
 * strings and are replaced by Buffers. Returns the violations (empty when valid).
 */
export function validate(shape: StructureShape, value: Record<string, unknown>): Violation[] {
  const violations: Violation[] = [];
  checkStructure(shape, value, '', '', violations);
  return violations;
}

/**
 * Only the declared constraints of an already decoded value (query and REST inputs, whose
 * decoders report missing members and types themselves), in member order; nothing to do, and
 * no pass over the value, for a shape that declares none.
 */
export function constraintViolations(shape: StructureShape, value: Record<string, unknown>): Violation[] {
  if (!declaresConstraints(shape)) return [];
  return validate(shape, value).filter((v) => v.kind === 'constraint');
}

const declared = new WeakMap<Shape, boolean>();
function declaresConstraints(shape: Shape, depth = 0): boolean {
  const known = declared.get(shape);
  if (known !== undefined) return known;
  let found = false;
  switch (shape.kind) {
    case 'string':
      found = shape.min !== undefined || shape.max !== undefined || shape.pattern !== undefined || shape.enum !== undefined;
      break;
    case 'integer':
      found = shape.min !== undefined || shape.max !== undefined || shape.enum !== undefined;
      break;
    case 'list':
      found = shape.min !== undefined || shape.max !== undefined || (depth < 32 && declaresConstraints(shape.member, depth + 1));
      break;
    case 'map':
      found = shape.min !== undefined || shape.max !== undefined || (depth < 32 && (declaresConstraints(shape.key, depth + 1) || declaresConstraints(shape.value, depth + 1)));
      break;
    case 'structure':
      found = depth < 32 && Object.values(shape.members).some((m) => declaresConstraints(m.shape, depth + 1));
      break;
  }
  declared.set(shape, found);
  return found;
}

/** A structure's members in declaration order, with AWS's spelling of each name; built once per shape. */
const memberLists = new WeakMap<StructureShape, ReadonlyArray<{ name: string; member: Member; at: string }>>();
function membersOf(shape: StructureShape): ReadonlyArray<{ name: string; member: Member; at: string }> {
  let list = memberLists.get(shape);
  if (!list) memberLists.set(shape, (list = Object.entries(shape.members).map(([name, member]) => ({ name, member, at: lowerFirst(name) }))));
  return list;
}

function checkStructure(shape: StructureShape, value: Record<string, unknown>, path: string, at: string, out: Violation[]): void {
  for (const { name, member, at: memberAt } of membersOf(shape)) {
    const v = value[name];
    const p = path ? `${path}.${name}` : name;
    if (v === undefined || v === null) {
      if (member.required) out.push({ kind: 'missing', path: p, member: name, at: at ? `${at}.${memberAt}` : memberAt });
      if (v === null) delete value[name];
      continue;
    }
    if (member.streaming) continue;
    const fixed = checkValue(member.shape, v, p, at ? `${at}.${memberAt}` : memberAt, name, out);
    if (fixed !== v) value[name] = fixed;
  }
}

/** A value of the wrong JSON type for its shape; the value stands as it is. */
function wrongType(shape: Shape, v: unknown, path: string, member: string, out: Violation[], inList: boolean): unknown {
  out.push({ kind: 'type', path, member, expected: shape.kind, value: v, shape, ...(inList ? { inList } : {}) });
  return v;
}

function broken(v: unknown, path: string, at: string, member: string, out: Violation[], rule: string, shown?: string): void {
  out.push({ kind: 'constraint', path, member, at, value: v, rule, ...(shown !== undefined ? { shown } : {}) });
}

// (No closures made per value: this runs for every member of every request.)
function checkValue(shape: Shape, v: unknown, path: string, at: string, member: string, out: Violation[], inList = false): unknown {
  // A null member is absent (checkStructure drops it); a null inside a list or map is not.
  if (v === null) return wrongType(shape, v, path, member, out, inList);
  switch (shape.kind) {
    case 'document': {
      const error = shape.read?.(v);
      if (error) out.push({ kind: 'type', path, member, expected: 'document', value: v, shape, error });
      return v;
    }
    case 'string':
      if (typeof v !== 'string') return wrongType(shape, v, path, member, out, inList);
      if (shape.exempt?.test(v)) return v;
      if (shape.min !== undefined && v.length < shape.min) broken(v, path, at, member, out, rules.minLength(shape.min));
      if (shape.max !== undefined && v.length > shape.max) broken(v, path, at, member, out, rules.maxLength(shape.max));
      if (shape.pattern && !shape.pattern.re.test(v)) broken(v, path, at, member, out, rules.pattern(shape.pattern.text));
      if (shape.enum && !shape.enum.includes(v)) broken(v, path, at, member, out, rules.enum(shape.enum));
      return v;
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) return wrongType(shape, v, path, member, out, inList);
      if (shape.min !== undefined && v < shape.min) broken(v, path, at, member, out, rules.min(shape.min));
      if (shape.max !== undefined && v > shape.max) broken(v, path, at, member, out, rules.max(shape.max));
      if (shape.enum && !shape.enum.includes(v)) broken(v, path, at, member, out, rules.enum(shape.enum));
      return v;
    case 'boolean':
      return typeof v === 'boolean' ? v : wrongType(shape, v, path, member, out, inList);
    case 'blob':
      if (Buffer.isBuffer(v)) return v;
      if (typeof v !== 'string' || !isBase64(v)) return wrongType(shape, v, path, member, out, inList);
      return Buffer.from(v, 'base64');
    case 'list': {
      if (!Array.isArray(v)) return wrongType(shape, v, path, member, out, inList);
      checkCount(shape, v.length, v, path, at, member, out);
      for (let i = 0; i < v.length; i++) {
        const fixed = checkValue(shape.member, v[i], `${path}.${i + 1}`, `${at}.${i + 1}.member`, member, out, true);
        if (fixed !== v[i]) v[i] = fixed;
      }
      return v;
    }
    case 'map': {
      if (typeof v !== 'object' || Array.isArray(v)) return wrongType(shape, v, path, member, out, inList);
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj);
      checkCount(shape, keys.length, obj, path, at, member, out);
      if (shape.entriesAsWhole) {
        checkEntriesAsWhole(shape, obj, keys, path, at, member, out);
        return v;
      }
      for (const k of keys) {
        const p = `${path}.${k}`;
        checkValue(shape.key, k, p, `${at}.${k}.member.key`, member, out);
        // A map's values are read as a list's items are (Coral: "Unexpected value type in payload").
        const fixed = checkValue(shape.value, obj[k], p, `${at}.${k}.member.value`, member, out, true);
        if (fixed !== obj[k]) obj[k] = fixed;
      }
      return v;
    }
    case 'structure':
      if (typeof v !== 'object' || Array.isArray(v)) return wrongType(shape, v, path, member, out, inList);
      checkStructure(shape, v as Record<string, unknown>, path, at, out);
      return v;
  }
}

/** See MapShape.entriesAsWhole. */
function checkEntriesAsWhole(shape: MapShape, obj: Record<string, unknown>, keys: string[], path: string, at: string, member: string, out: Violation[]): void {
  const shown = renderValue(obj, shape);
  for (const k of keys) {
    if (!keepsOwnConstraints(shape.key, k)) broken(obj, path, at, member, out, `Map keys must satisfy constraint: [${ownRules(shape.key).join(', ')}]`, shown);
  }
  for (const k of keys) {
    if (!keepsOwnConstraints(shape.value, obj[k])) broken(obj, path, at, member, out, rules.eachMapValue(ownRules(shape.value)), shown);
  }
  const contents = withoutOwnConstraints(shape.value);
  for (const k of keys) {
    const fixed = checkValue(contents, obj[k], `${path}.${k}`, `${at}.${k}.member`, member, out, true);
    if (fixed !== obj[k]) obj[k] = fixed;
  }
}

/** A string's or collection's own length and pattern constraints, as Coral lists them: upper bound, lower bound, pattern. */
function ownRules(shape: Shape): string[] {
  if (shape.kind !== 'string' && shape.kind !== 'list' && shape.kind !== 'map') return [];
  const out: string[] = [];
  if (shape.max !== undefined) out.push(rules.maxLength(shape.max));
  if (shape.min !== undefined) out.push(rules.minLength(shape.min));
  if (shape.kind === 'string' && shape.pattern) out.push(rules.pattern(shape.pattern.text));
  return out;
}

function keepsOwnConstraints(shape: Shape, v: unknown): boolean {
  let n: number;
  if (shape.kind === 'string' && typeof v === 'string') {
    if (shape.exempt?.test(v)) return true;
    if (shape.pattern && !shape.pattern.re.test(v)) return false;
    n = v.length;
  } else if (shape.kind === 'list' && Array.isArray(v)) n = v.length;
  else if (shape.kind === 'map' && typeof v === 'object' && v !== null && !Array.isArray(v)) n = Object.keys(v).length;
  else return true; // a wrong type is reported where the value is read
  return (shape.min === undefined || n >= shape.min) && (shape.max === undefined || n <= shape.max);
}

const stripped = new WeakMap<Shape, Shape>();
/** The shape with its own length bounds taken off (reported against the map instead); its contents keep theirs. */
function withoutOwnConstraints(shape: Shape): Shape {
  if (shape.kind !== 'list' && shape.kind !== 'map') return shape;
  let s = stripped.get(shape);
  if (!s) {
    const { min: _min, max: _max, ...rest } = shape;
    stripped.set(shape, (s = rest as Shape));
  }
  return s;
}

/** A list's or map's size against its bounds; the value is shown as AWS renders the whole. */
function checkCount(shape: ListShape | MapShape, n: number, v: unknown, path: string, at: string, member: string, out: Violation[]): void {
  if (shape.min !== undefined && n < shape.min) broken(v, path, at, member, out, rules.minLength(shape.min), renderValue(v, shape));
  if (shape.max !== undefined && n > shape.max) broken(v, path, at, member, out, rules.maxLength(shape.max), renderValue(v, shape));
}

// Groups of four as a length check, not a repeated regex group: V8 keeps a backtracking entry
// per repetition of a group, and a blob of a few MB (a function's zip) overflowed the stack.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
export function isBase64(s: string): boolean {
  return s.length % 4 === 0 && BASE64.test(s);
}
