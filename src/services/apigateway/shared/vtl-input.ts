/**
 * The `$input` and `$util` variables of API Gateway mapping templates ("Variables for data
 * transformations for API Gateway"), and the JSONPath subset `$input.json` and `$input.path`
 * take: `$`, `$.a.b`, `$.a[0]`, `$['a']`, `$["a"]`, `$.a[*]`.
 */
import { TemplateError } from './vtl-errors.js';

export interface TemplateParams {
  path: Record<string, string>;
  querystring: Record<string, string>;
  header: Record<string, string>;
}

type Segment = string | number | typeof WILDCARD;
const WILDCARD = Symbol('*');
const MAX_PATH_LENGTH = 1024;
const MAX_JSON_DEPTH = 256;

/** A JSONPath of the subset API Gateway templates use, as segments; throws TemplateError otherwise. */
export function parseJsonPath(path: string): Segment[] {
  const s = String(path).trim();
  if (s.length > MAX_PATH_LENGTH) throw new TemplateError(`JSONPath too long: ${s.slice(0, 64)}...`);
  if (s[0] !== '$') throw new TemplateError(`Invalid JSONPath: ${s}`);
  const out: Segment[] = [];
  let i = 1;
  while (i < s.length) {
    if (s[i] === '.') {
      i++;
      if (s[i] === '.') throw new TemplateError(`Unsupported JSONPath (deep scan): ${s}`);
      if (s[i] === '*') {
        out.push(WILDCARD);
        i++;
        continue;
      }
      const start = i;
      while (i < s.length && s[i] !== '.' && s[i] !== '[') i++;
      if (i === start) throw new TemplateError(`Invalid JSONPath: ${s}`);
      out.push(s.slice(start, i));
    } else if (s[i] === '[') {
      i++;
      const q = s[i];
      if (q === "'" || q === '"') {
        let name = '';
        i++;
        while (i < s.length && s[i] !== q) {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          name += s[i++];
        }
        if (s[i] !== q || s[i + 1] !== ']') throw new TemplateError(`Invalid JSONPath: ${s}`);
        out.push(name);
        i += 2;
      } else if (q === '*' && s[i + 1] === ']') {
        out.push(WILDCARD);
        i += 2;
      } else {
        const end = s.indexOf(']', i);
        const text = end < 0 ? '' : s.slice(i, end).trim();
        if (!/^-?\d+$/.test(text)) throw new TemplateError(`Unsupported JSONPath: ${s}`);
        out.push(Number(text));
        i = end + 1;
      }
    } else throw new TemplateError(`Invalid JSONPath: ${s}`);
  }
  return out;
}

/** The value at `path`, undefined when nothing is there; a path with `*` gives the list of matches. */
export function evalJsonPath(root: unknown, path: string): unknown {
  const segments = parseJsonPath(path);
  let values: unknown[] = [root];
  let multi = false;
  for (const seg of segments) {
    const next: unknown[] = [];
    for (const v of values) {
      if (v === null || typeof v !== 'object') continue;
      if (seg === WILDCARD) {
        multi = true;
        next.push(...(Array.isArray(v) ? v : Object.values(v)));
      } else if (typeof seg === 'number') {
        if (Array.isArray(v)) {
          const item = v[seg < 0 ? v.length + seg : seg];
          if (item !== undefined) next.push(item);
        }
      } else if (!Array.isArray(v) && Object.hasOwn(v, seg)) next.push((v as Record<string, unknown>)[seg]);
    }
    values = next;
  }
  return multi ? values : values[0];
}

/**
 * Values read from JSON behave in a template as AWS's do: a list prints as JSON, a map as Java
 * prints one (`{a=1, b=[{"c":5}]}`), so templates that print them get what AWS gives. The
 * printing is a non-enumerable toString, invisible to keySet() and #foreach.
 */
export function asTemplateValue(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_JSON_DEPTH) throw new TemplateError('JSON nested too deeply');
  if (Array.isArray(value)) {
    const list = value.map((v) => asTemplateValue(v, depth + 1));
    Object.defineProperty(list, 'toString', { value: () => JSON.stringify(list), enumerable: false, writable: true });
    return list;
  }
  const map: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) map[k] = asTemplateValue(v, depth + 1);
  Object.defineProperty(map, 'toString', { value: () => javaMapString(map), enumerable: false, writable: true });
  return map;
}

function javaMapString(map: Record<string, unknown>): string {
  return `{${Object.entries(map)
    .map(([k, v]) => `${k}=${v === null ? 'null' : String(v)}`)
    .join(', ')}}`;
}

/** `$input`: the payload and the request's parameters. */
export function makeInput(body: string, params: TemplateParams, maxBody: number): Record<string, unknown> {
  if (body.length > maxBody) throw new TemplateError(`Request body exceeds ${maxBody} characters`, 'limit');
  let parsed: { value: unknown } | undefined;
  let converted: { value: unknown } | undefined;
  const json = (): unknown => {
    if (!parsed) {
      // AWS treats an empty payload as `{}`.
      if (body.trim() === '') parsed = { value: {} };
      else {
        try {
          parsed = { value: JSON.parse(body) };
        } catch (err) {
          throw new TemplateError(`Could not parse request body into json: ${err instanceof Error ? err.message : String(err)}`, 'body');
        }
      }
    }
    return parsed.value;
  };
  const all = { path: { ...params.path }, querystring: { ...params.querystring }, header: { ...params.header } };
  return {
    // `$input.body` of an empty payload is `{}` too (as LocalStack found AWS does; unconfirmed in AWS's documentation).
    body: body === '' ? '{}' : body,
    json(path: unknown): string {
      const v = evalJsonPath(json(), String(path ?? '$'));
      // No match: an empty JSON string (unconfirmed: AWS's own wording says nothing of it).
      return v === undefined ? '""' : JSON.stringify(v);
    },
    path(path: unknown): unknown {
      // The payload is made a template value once; every path() reads from that one tree.
      converted ??= { value: asTemplateValue(json()) };
      const v = evalJsonPath(converted.value, String(path ?? '$'));
      return v;
    },
    params(name?: unknown): unknown {
      if (name === undefined) return all;
      const key = String(name);
      for (const where of [params.path, params.querystring] as const) if (Object.hasOwn(where, key)) return where[key];
      if (Object.hasOwn(params.header, key)) return params.header[key];
      // Header names are case-insensitive on the wire.
      const lower = key.toLowerCase();
      for (const [k, v] of Object.entries(params.header)) if (k.toLowerCase() === lower) return v;
      return '';
    },
  };
}

/** `$util`. */
export function makeUtil(): Record<string, (value: unknown) => unknown> {
  return {
    escapeJavaScript: (v) => (v === undefined || v === null ? v : escapeJavaScript(String(v))),
    parseJson: (v) => {
      try {
        return asTemplateValue(JSON.parse(String(v)));
      } catch (err) {
        if (err instanceof TemplateError) throw err;
        throw new TemplateError(`Unable to parse JSON: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
    urlEncode: (v) => (v === undefined || v === null ? v : urlEncode(String(v))),
    urlDecode: (v) => (v === undefined || v === null ? v : urlDecode(String(v))),
    base64Encode: (v) => (v === undefined || v === null ? v : Buffer.from(String(v), 'utf8').toString('base64')),
    base64Decode: (v) => (v === undefined || v === null ? v : Buffer.from(String(v), 'base64').toString('utf8')),
  };
}

/**
 * JavaScript string escaping as Java's StringEscapeUtils.escapeJavaScript (commons-lang 2)
 * does: quotes (single too, as AWS warns), backslash and slash, control characters, and
 * everything above ASCII as \uXXXX.
 */
export function escapeJavaScript(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (c > 0x7f) out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    else if (c < 32) {
      const named: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };
      out += named[c] ?? `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    } else if (ch === "'" || ch === '"' || ch === '\\' || ch === '/') out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/** Java's URLEncoder.encode(s, "UTF-8"): form encoding, space as `+`, `.-*_` and alphanumerics kept. */
export function urlEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Java's URLDecoder.decode(s, "UTF-8"): `+` is a space; a malformed escape is an error. */
export function urlDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new TemplateError(`URLDecoder: Illegal hex characters in escape (%) pattern: ${s.slice(0, 64)}`);
  }
}
