/**
 * Writing XML by string concatenation (no XML library on the hot path): escaping, and the
 * shape-driven encoding of structures that the query and REST-XML protocols share.
 */
import type { Shape, StructureShape } from './shapes.js';

/**
 * What each code point below 63 becomes in XML content: the five markup characters become
 * their predefined entities; `\r` and the other C0 controls (except `\t` and `\n`, which
 * survive parsing as they are) become character references. `\r` must be a reference
 * because XML parsers normalise a literal CR (and CRLF) to LF; the other controls are not
 * XML 1.0 characters at all, so a reference is the only way to carry them (lenient parsers,
 * including the AWS SDKs', decode it; strict ones reject it either way).
 */
const REPLACEMENT: (string | undefined)[] = new Array(63).fill(undefined);
for (let c = 0; c < 0x20; c++) {
  if (c !== 0x09 && c !== 0x0a) REPLACEMENT[c] = `&#x${c.toString(16).toUpperCase()};`;
}
REPLACEMENT[0x26] = '&amp;';
REPLACEMENT[0x3c] = '&lt;';
REPLACEMENT[0x3e] = '&gt;';
REPLACEMENT[0x22] = '&quot;';
REPLACEMENT[0x27] = '&apos;';

/**
 * Escapes text for XML element content or a double-quoted attribute value:
 * `& < > " '` as entities, `\r` as `&#xD;` (so it round-trips), other C0 controls except
 * tab and newline as character references. Everything else (all of Unicode) is left as is.
 * Returns `s` itself when nothing needs escaping.
 */
export function escapeXml(s: string): string {
  const n = s.length;
  let i = 0;
  // Fast path: find the first character needing a replacement.
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 63 && REPLACEMENT[c] !== undefined) break;
  }
  if (i === n) return s;
  let out = '';
  let last = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 63) {
      const r = REPLACEMENT[c];
      if (r !== undefined) {
        if (i > last) out += s.slice(last, i);
        out += r;
        last = i + 1;
      }
    }
  }
  if (last < n) out += s.slice(last);
  return out;
}

// ---- shape-driven encoding ------------------------------------------------------------------

function scalarText(shape: Shape, v: unknown): string {
  switch (shape.kind) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'integer':
      return typeof v === 'number' || typeof v === 'bigint' ? String(v) : escapeXml(String(v));
    case 'blob':
      if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
      return Buffer.from(String(v), 'utf8').toString('base64');
    default:
      return escapeXml(typeof v === 'string' ? v : String(v));
  }
}

function mapEntries(v: unknown): Iterable<[unknown, unknown]> {
  if (v instanceof Map) return v as Map<unknown, unknown>;
  return Object.entries(v as Record<string, unknown>);
}

export function wrapXml(name: string, content: string): string {
  return content === '' ? `<${name}/>` : `<${name}>${content}</${name}>`;
}

/** The XML for the members of a structure, in declaration order. */
export function encodeXmlStructure(shape: StructureShape, value: Record<string, unknown>): string {
  let out = '';
  const members = shape.members;
  for (const name in members) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    const member = members[name]!;
    const ms = member.shape;
    const elementName =
      ms.kind === 'list' && ms.flattened ? (ms.memberName ?? member.xmlName ?? name) : (member.xmlName ?? name);
    out += encodeXmlElement(elementName, ms, v);
  }
  return out;
}

/**
 * `<name>value</name>`; for a flattened list or map, the repeated elements themselves
 * (nothing when empty).
 */
export function encodeXmlElement(name: string, shape: Shape, v: unknown): string {
  switch (shape.kind) {
    case 'structure':
      return wrapXml(name, typeof v === 'object' ? encodeXmlStructure(shape, v as Record<string, unknown>) : '');
    case 'list': {
      const items = v as unknown[];
      let out = '';
      if (shape.flattened) {
        for (const item of items) if (item !== undefined && item !== null) out += encodeXmlElement(name, shape.member, item);
        return out;
      }
      const itemName = shape.memberName ?? 'member';
      for (const item of items) if (item !== undefined && item !== null) out += encodeXmlElement(itemName, shape.member, item);
      return wrapXml(name, out);
    }
    case 'map': {
      const keyName = shape.keyName ?? 'key';
      const valueName = shape.valueName ?? 'value';
      let out = '';
      for (const [k, val] of mapEntries(v)) {
        if (val === undefined || val === null) continue;
        const entry = encodeXmlElement(keyName, shape.key, k) + encodeXmlElement(valueName, shape.value, val);
        out += shape.flattened ? `<${name}>${entry}</${name}>` : `<entry>${entry}</entry>`;
      }
      return shape.flattened ? out : wrapXml(name, out);
    }
    default:
      return `<${name}>${scalarText(shape, v)}</${name}>`;
  }
}

