/**
 * A small declarative shape language for operation inputs and outputs. Services declare the
 * shapes of their operations once; the generic codecs use them to decode (JSON, query form),
 * validate, and encode (JSON, XML). Names follow the AWS models: `xmlName` is the model's
 * locationName (used by the query protocol and XML), `flattened` its flattened trait.
 */
export type Shape = StringShape | IntegerShape | BooleanShape | BlobShape | ListShape | MapShape | StructureShape | DocumentShape;

export interface StringShape {
  kind: 'string';
}
export interface IntegerShape {
  kind: 'integer';
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
}
export interface ListShape {
  kind: 'list';
  member: Shape;
  /** Element name of each item in XML / query (default `member`). */
  memberName?: string;
  flattened?: boolean;
}
export interface MapShape {
  kind: 'map';
  key: Shape;
  value: Shape;
  keyName?: string;
  valueName?: string;
  flattened?: boolean;
}
/** Where a REST protocol carries a member: in the URI path, query string, headers, or the body. */
export type MemberLocation = 'uri' | 'querystring' | 'header' | 'headers' | 'payload';

export interface Member {
  shape: Shape;
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
export interface StructureShape {
  kind: 'structure';
  members: Record<string, Member>;
}

export const string = (): StringShape => ({ kind: 'string' });
export const integer = (): IntegerShape => ({ kind: 'integer' });
export const boolean = (): BooleanShape => ({ kind: 'boolean' });
export const blob = (): BlobShape => ({ kind: 'blob' });
export const document = (): DocumentShape => ({ kind: 'document' });
export const list = (member: Shape, opts: { memberName?: string; flattened?: boolean } = {}): ListShape => ({
  kind: 'list',
  member,
  ...opts,
});
export const map = (
  key: Shape,
  value: Shape,
  opts: { keyName?: string; valueName?: string; flattened?: boolean } = {},
): MapShape => ({ kind: 'map', key, value, ...opts });

type MemberSpec = Shape | (Member & { shape: Shape });
/** structure({ QueueUrl: req(string()), Attributes: { shape: ..., xmlName: 'Attribute' } }) */
export function structure(members: Record<string, MemberSpec>): StructureShape {
  const out: Record<string, Member> = {};
  for (const [name, spec] of Object.entries(members)) {
    out[name] = 'kind' in spec ? { shape: spec } : spec;
  }
  return { kind: 'structure', members: out };
}
/** Marks a member required. */
export const required = (shape: Shape, xmlName?: string): Member => ({ shape, required: true, ...(xmlName ? { xmlName } : {}) });
/** A member with a different query/XML name. */
export const named = (shape: Shape, xmlName: string): Member => ({ shape, xmlName });

// REST bindings (S3's REST-XML): where each member travels.
/** A `{Label}` of the URI template (always required). */
export const inUri = (label: string, shape: Shape = string()): Member => ({ shape, required: true, location: 'uri', locationName: label });
export const inQuery = (shape: Shape, name: string): Member => ({ shape, location: 'querystring', locationName: name });
export const inHeader = (shape: Shape, name: string): Member => ({ shape, location: 'header', locationName: name });
/** Every header starting with `prefix` (S3's x-amz-meta-*), keyed by the rest of its name. */
export const headersWithPrefix = (prefix: string): Member => ({ shape: map(string(), string()), location: 'headers', locationName: prefix });
/** The whole body as an unread stream, for uploads of any size. */
export const streamingPayload = (): Member => ({ shape: blob(), location: 'payload', streaming: true });
/** The whole body: a structure (XML element `xmlName`) or a blob. */
export const inPayload = (shape: Shape, xmlName?: string): Member => ({ shape, location: 'payload', ...(xmlName ? { xmlName } : {}) });


/** One problem found while validating input against its shape. */
export type Violation =
  | { kind: 'missing'; path: string; member: string }
  | { kind: 'type'; path: string; member: string; expected: Shape['kind']; value: unknown };

/**
 * Checks a decoded JSON value against a structure: required members present, types right.
 * Unknown members are ignored, as AWS services ignore them. Blobs arrive as base64 strings
 * and are replaced by Buffers. Returns the violations (empty when valid).
 */
export function validate(shape: StructureShape, value: Record<string, unknown>): Violation[] {
  const violations: Violation[] = [];
  checkStructure(shape, value, '', violations);
  return violations;
}

function checkStructure(shape: StructureShape, value: Record<string, unknown>, path: string, out: Violation[]): void {
  for (const [name, member] of Object.entries(shape.members)) {
    const v = value[name];
    const p = path ? `${path}.${name}` : name;
    if (v === undefined || v === null) {
      if (member.required) out.push({ kind: 'missing', path: p, member: name });
      if (v === null) delete value[name];
      continue;
    }
    const fixed = checkValue(member.shape, v, p, name, out);
    if (fixed !== v) value[name] = fixed;
  }
}

function checkValue(shape: Shape, v: unknown, path: string, member: string, out: Violation[]): unknown {
  const bad = () => {
    out.push({ kind: 'type', path, member, expected: shape.kind, value: v });
    return v;
  };
  // A null member is absent (checkStructure drops it); a null inside a list or map is not.
  if (v === null) return bad();
  switch (shape.kind) {
    case 'document':
      return v;
    case 'string':
      return typeof v === 'string' ? v : bad();
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) ? v : bad();
    case 'boolean':
      return typeof v === 'boolean' ? v : bad();
    case 'blob':
      if (typeof v !== 'string' || !isBase64(v)) return bad();
      return Buffer.from(v, 'base64');
    case 'list': {
      if (!Array.isArray(v)) return bad();
      for (let i = 0; i < v.length; i++) {
        const fixed = checkValue(shape.member, v[i], `${path}.${i + 1}`, member, out);
        if (fixed !== v[i]) v[i] = fixed;
      }
      return v;
    }
    case 'map': {
      if (typeof v !== 'object' || Array.isArray(v)) return bad();
      const obj = v as Record<string, unknown>;
      for (const k of Object.keys(obj)) {
        const fixed = checkValue(shape.value, obj[k], `${path}.${k}`, member, out);
        if (fixed !== obj[k]) obj[k] = fixed;
      }
      return v;
    }
    case 'structure':
      if (typeof v !== 'object' || Array.isArray(v)) return bad();
      checkStructure(shape, v as Record<string, unknown>, path, out);
      return v;
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
export function isBase64(s: string): boolean {
  return BASE64.test(s);
}
