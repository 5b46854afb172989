/**
 * The AWS query protocol: requests are `application/x-www-form-urlencoded` parameters
 * (`Action=SendMessage&QueueUrl=...&MessageAttribute.1.Name=...`), responses are XML
 * (`<SendMessageResponse><SendMessageResult>...`), errors are `<ErrorResponse>`.
 *
 * Wire names follow the AWS models (and botocore's QuerySerializer / QueryParser):
 *  - a structure member is `Prefix.Name` where Name is the member's `xmlName` or its name;
 *  - a non-flattened list is `Name.member.N` (`member` = the list's `memberName`);
 *  - a flattened list is `Name.N`, where Name is the list's `memberName` when set;
 *  - a non-flattened map is `Name.entry.N.key` / `Name.entry.N.value`;
 *  - a flattened map is `Name.N.Key` / `Name.N.Value` (the map's `keyName` / `valueName`).
 * Generic: no service knowledge lives here.
 */
import { ConflictingQueryParameter, MalformedQueryString, type AwsError } from './errors.js';
import { constraintViolations, isBase64, type ListShape, type MapShape, type Shape, type StructureShape, type Violation } from './shapes.js';
import { encodeXmlStructure, escapeXml, wrapXml } from './xml.js';

// ---------------------------------------------------------------------------------------
// Form parsing

function decodeComponent(s: string): string {
  const plus = s.indexOf('+');
  const pct = s.indexOf('%');
  if (plus === -1 && pct === -1) return s;
  const spaced = plus === -1 ? s : s.replaceAll('+', ' ');
  if (pct === -1) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw new MalformedQueryString('The query string contains a syntax error.');
  }
}

/**
 * Parses an `application/x-www-form-urlencoded` body (or a URL query string, with or without
 * its leading `?`) into a flat map; `+` is a space. A name given twice is refused
 * (ConflictingQueryParameter): taking either value would let `Action=Get...&Action=Delete...`
 * run an operation other than the one a reader of the request (or a proxy's rule) sees.
 * A name without `=` has the value `''`; empty segments (`a=1&&b=2`) are skipped.
 * Invalid percent-encoding (or percent-encoded bytes that are not UTF-8) throws the common
 * `MalformedQueryString` error.
 */
/**
 * AWS's common error for a parameter that clashes with another (documented for the query
 * APIs as "The query parameter <parameter> is invalid. Its structure conflicts with that of
 * another parameter."); that AWS answers a plainly repeated name with it is unconfirmed.
 */
export const conflictingParameter = (name: string) =>
  new ConflictingQueryParameter(`The query parameter '${name}' is invalid. Its structure conflicts with that of another parameter.`);

export function parseForm(body: string): Map<string, string> {
  const out = new Map<string, string>();
  const n = body.length;
  let start = n > 0 && body.charCodeAt(0) === 0x3f /* ? */ ? 1 : 0;
  while (start < n) {
    let amp = body.indexOf('&', start);
    if (amp === -1) amp = n;
    if (amp > start) {
      const eq = body.indexOf('=', start);
      const name = decodeComponent(body.slice(start, eq === -1 || eq > amp ? amp : eq));
      if (out.has(name)) throw conflictingParameter(name);
      out.set(name, eq === -1 || eq > amp ? '' : decodeComponent(body.slice(eq + 1, amp)));
    }
    start = amp + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Input decoding

/** The parameters as a tree of their dot-separated name segments. */
interface Node {
  /** The parameter's value when a parameter ends at this node. */
  v?: string;
  c?: Map<string, Node>;
}

function buildTree(params: Map<string, string>): Node {
  const root: Node = { c: new Map() };
  for (const [key, value] of params) {
    let node = root;
    let start = 0;
    for (;;) {
      const dot = key.indexOf('.', start);
      const seg = dot === -1 ? (start === 0 ? key : key.slice(start)) : key.slice(start, dot);
      let children = node.c;
      if (children === undefined) children = node.c = new Map();
      let child = children.get(seg);
      if (child === undefined) {
        child = {};
        children.set(seg, child);
      }
      node = child;
      if (dot === -1) break;
      start = dot + 1;
    }
    node.v = value;
  }
  return root;
}

/** The children of `node` named by a 1-based decimal index, in numeric order. */
function indexed(node: Node): Node[] {
  const children = node.c;
  if (children === undefined) return [];
  let entries: { i: number; node: Node }[] | undefined;
  let sorted = true;
  let prev = 0;
  for (const [seg, child] of children) {
    const i = parseIndex(seg);
    if (i === -1) continue;
    (entries ??= []).push({ i, node: child });
    if (i < prev) sorted = false;
    prev = i;
  }
  if (entries === undefined) return [];
  if (!sorted) entries.sort((a, b) => a.i - b.i);
  return entries.map((e) => e.node);
}

/** A list/map index: decimal digits, at least 1; -1 when `seg` is not one. */
function parseIndex(seg: string): number {
  const n = seg.length;
  if (n === 0 || n > 15) return -1;
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = seg.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v >= 1 ? v : -1;
}

function isDecimalInteger(s: string): boolean {
  const n = s.length;
  let k = 0;
  if (n > 0 && (s.charCodeAt(0) === 0x2d /* - */ || s.charCodeAt(0) === 0x2b) /* + */) k = 1;
  if (k === n) return false;
  for (; k < n; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Sets `obj[key]` as an own property, also for `__proto__`. */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** Marker for a value that failed to decode (its violation is already recorded). */
const INVALID = Symbol('invalid');

class Decoder {
  readonly violations: Violation[] = [];

  structure(shape: StructureShape, node: Node | undefined, path: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const children = node?.c;
    const members = shape.members;
    for (const name in members) {
      const member = members[name]!;
      const p = path ? `${path}.${name}` : name;
      const ms = member.shape;
      const wire = member.xmlName ?? name;
      let child: Node | undefined;
      if (children !== undefined) {
        if (ms.kind === 'list' && ms.flattened && ms.memberName !== undefined) {
          // botocore names the items after the list member (AttributeNames -> AttributeName.N)
          // but sends an empty list under the member's own name; accept both.
          child = children.get(ms.memberName) ?? children.get(wire);
        } else {
          child = children.get(wire);
        }
      }
      const v = child === undefined ? undefined : this.value(ms, child, p, name);
      if (v === undefined) {
        if (member.required) this.violations.push({ kind: 'missing', path: p, member: name });
      } else if (v !== INVALID) {
        out[name] = v;
      }
    }
    return out;
  }

  /** Decodes `node` as `shape`; undefined when absent, INVALID when it failed. */
  value(shape: Shape, node: Node, path: string, member: string): unknown {
    switch (shape.kind) {
      case 'string':
        return node.v;
      case 'integer': {
        const s = node.v;
        if (s === undefined) return undefined;
        const n = isDecimalInteger(s) ? Number(s) : NaN;
        if (!Number.isSafeInteger(n)) return this.bad(shape, s, path, member);
        return n === 0 ? 0 : n; // no -0
      }
      case 'boolean': {
        const s = node.v;
        if (s === undefined) return undefined;
        if (s.length === 4 && s.toLowerCase() === 'true') return true;
        if (s.length === 5 && s.toLowerCase() === 'false') return false;
        return this.bad(shape, s, path, member);
      }
      case 'blob': {
        const s = node.v;
        if (s === undefined) return undefined;
        if (!isBase64(s)) return this.bad(shape, s, path, member);
        return Buffer.from(s, 'base64');
      }
      case 'structure':
        if (node.c === undefined) return undefined;
        return this.structure(shape, node, path);
      case 'list':
        return this.list(shape, node, path, member);
      case 'map':
        return this.map(shape, node, path, member);
      case 'document':
        throw new Error('document shapes are for JSON protocols only');
    }
  }

  private bad(shape: Shape, value: string, path: string, member: string): typeof INVALID {
    this.violations.push({ kind: 'type', path, member, expected: shape.kind, value });
    return INVALID;
  }

  private list(shape: ListShape, node: Node, path: string, member: string): unknown[] | undefined {
    const container = shape.flattened ? node : node.c?.get(shape.memberName ?? 'member');
    const items = container === undefined ? [] : indexed(container);
    if (items.length === 0) {
      // The query protocol sends an empty list as `Name=` (botocore, AWS SDKs).
      return node.v === '' ? [] : undefined;
    }
    const out: unknown[] = [];
    for (let k = 0; k < items.length; k++) {
      // Paths count the items present on the wire, from 1, whatever their wire indices.
      const v = this.value(shape.member, items[k]!, `${path}.${k + 1}`, member);
      if (v !== undefined && v !== INVALID) out.push(v);
    }
    return out;
  }

  private map(shape: MapShape, node: Node, path: string, member: string): Record<string, unknown> | undefined {
    const container = shape.flattened ? node : node.c?.get('entry');
    if (container === undefined) return undefined;
    const entries = indexed(container);
    if (entries.length === 0) return undefined;
    const keyName = shape.keyName ?? 'key';
    const valueName = shape.valueName ?? 'value';
    const out: Record<string, unknown> = {};
    let position = 0;
    for (const entry of entries) {
      position++;
      const keyNode = entry.c?.get(keyName);
      const key = keyNode?.v;
      if (key === undefined) {
        this.violations.push({ kind: 'missing', path: `${path}.${position}.${keyName}`, member: keyName });
        continue;
      }
      const valueNode = entry.c?.get(valueName);
      const p = `${path}.${key}`;
      const v = valueNode === undefined ? undefined : this.value(shape.value, valueNode, p, member);
      if (v === undefined) {
        this.violations.push({ kind: 'missing', path: p, member: valueName });
      } else if (v !== INVALID) {
        setOwn(out, key, v);
      }
    }
    return out;
  }
}

/**
 * Decodes flat query parameters into a value of `shape`. Integers are decimal, booleans
 * `true`/`false` in any case, blobs base64 (decoded to Buffers). List and map indices are
 * 1-based, may be sparse and in any order; items are taken in numeric order. Unknown
 * parameters are ignored. Violation paths use member names (as `validate` in shapes.ts does:
 * `Entries.2.MessageAttributes.color.DataType`), list positions counted from 1.
 * A member whose value does not parse is left out of `value` and reported as a `type`
 * violation; an absent required member as `missing` (also an entry of a map without its key
 * or value).
 */
export function decodeQueryInput(
  shape: StructureShape,
  params: Map<string, string>,
): { value: Record<string, unknown>; violations: Violation[] } {
  const decoder = new Decoder();
  const value = decoder.structure(shape, buildTree(params), '');
  return { value, violations: [...decoder.violations, ...constraintViolations(shape, value)] };
}

// ---------------------------------------------------------------------------------------
// Output encoding

/**
 * `<{op}Response xmlns="{ns}"><{op}Result>...</{op}Result><ResponseMetadata><RequestId>{id}
 * </RequestId></ResponseMetadata></{op}Response>`; no Result element when `shape` is
 * undefined (an operation with an empty output), `<{op}Result/>` when it has no members set.
 * Members in the shape's declaration order; undefined/null members are omitted; booleans
 * `true`/`false`; blobs (Buffers/Uint8Arrays) base64; numbers decimal. Flattened lists repeat
 * their element (named by the list's memberName, else the member's xmlName or name);
 * non-flattened lists wrap items in `<memberName ?? 'member'>`; flattened maps repeat
 * `<xmlName><Key/><Value/></xmlName>` (keyName/valueName, default key/value); non-flattened
 * maps wrap `<entry><key/><value/></entry>` in the member's element. Maps may be plain
 * objects or `Map`s.
 */
export function encodeQueryResponse(
  operation: string,
  output: unknown,
  shape: StructureShape | undefined,
  xmlNamespace: string,
  requestId: string,
): string {
  let out = `<${operation}Response xmlns="${escapeXml(xmlNamespace)}">`;
  if (shape !== undefined) {
    const body =
      output !== undefined && output !== null && typeof output === 'object'
        ? encodeXmlStructure(shape, output as Record<string, unknown>)
        : '';
    out += wrapXml(`${operation}Result`, body);
  }
  out +=
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata>` +
    `</${operation}Response>`;
  return out;
}

/**
 * The query protocol's error body, as SQS sends it:
 * `<?xml version="1.0"?><ErrorResponse xmlns="{ns}"><Error><Type>{Sender|Receiver}</Type>
 * <Code>{queryCode}</Code><Message>{message}</Message><Detail/></Error><RequestId>{id}
 * </RequestId></ErrorResponse>`. The HTTP status is `err.status`, set by the caller.
 */
export function encodeQueryError(err: AwsError, xmlNamespace: string, requestId: string): string {
  return (
    `<?xml version="1.0"?><ErrorResponse xmlns="${escapeXml(xmlNamespace)}"><Error>` +
    `<Type>${err.fault}</Type><Code>${escapeXml(err.queryCode)}</Code>` +
    `<Message>${escapeXml(err.queryMessage)}</Message><Detail/></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  );
}
