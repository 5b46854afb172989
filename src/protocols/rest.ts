/**
 * What the REST protocols (restXml: S3; restJson1: Lambda) share: an operation is chosen by
 * HTTP method, URI template and the query-string literals of its binding
 * (`GET /{Bucket}?location`), and its members travel in the URI, the query string, headers or
 * the body, as each member's location says. The body's own format (XML or JSON) is the
 * protocol's: it comes in as a `RestBodyCodec`.
 */
import { setOwn } from '../lib/own.js';
import type { Readable } from 'node:stream';
import { constraintViolations, type Member, type Shape, type StructureShape, type Violation } from './shapes.js';

export interface HttpBinding {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD' | 'OPTIONS' | 'PATCH';
  /** `/`, `/{Bucket}`, `/{Bucket}/{Key+}`, each optionally `?literal` or `?name=value` (`&`-joined). */
  uri: string;
  /**
   * A request header the route requires (S3's CopyObject: `x-amz-copy-source` on the URI of
   * PutObject). Such a route is tried before the same route without one.
   */
  header?: string;
  /** Success status (default 200). */
  code?: number;
}

type Segment = { literal: string } | { label: string; greedy: boolean };

export interface CompiledRoute<T> {
  name: string;
  target: T;
  method: string;
  segments: Segment[];
  query: Array<[string, string | undefined]>;
  header?: string;
}

export interface RouteMatch<T> {
  name: string;
  target: T;
  /** URI labels, percent-decoded. */
  labels: Record<string, string>;
}

/**
 * The operations of a REST service, matched against requests.
 *
 * `selectors` are the query names that choose an operation rather than parameterize it (S3's
 * subresources: `?acl`, `?legal-hold`, ...). A request naming one matches only a route whose
 * binding names it too, so `PUT /b/k?legal-hold` never falls through to PutObject; a request
 * no route claims by its selector is one the service does not implement (`selectorIn`).
 */
export class RestRoutes<T extends { http: HttpBinding }> {
  private readonly routes: CompiledRoute<T>[] = [];
  /** The routes of each method, in the same order (a request looks at its method's only). */
  private readonly byMethod = new Map<string, CompiledRoute<T>[]>();
  private readonly selectors: ReadonlySet<string>;

  constructor(operations: Record<string, T>, selectors: Iterable<string> = []) {
    this.selectors = new Set(selectors);
    for (const [name, target] of Object.entries(operations)) {
      const [path, query = ''] = target.http.uri.split('?', 2) as [string, string?];
      const segments: Segment[] = path
        .split('/')
        .filter((s) => s !== '')
        .map((s) => {
          const m = /^\{([A-Za-z0-9]+)(\+?)\}$/.exec(s);
          return m ? { label: m[1]!, greedy: m[2] === '+' } : { literal: s };
        });
      const literals: Array<[string, string | undefined]> = query
        .split('&')
        .filter(Boolean)
        .map((kv) => {
          const eq = kv.indexOf('=');
          return eq < 0 ? [kv, undefined] : [kv.slice(0, eq), kv.slice(eq + 1)];
        });
      this.routes.push({ name, target, method: target.http.method, segments, query: literals, header: target.http.header?.toLowerCase() });
    }
    // Most specific first: more query literals, a required header, more literal path segments, more segments.
    this.routes.sort(
      (a, b) =>
        b.query.length - a.query.length ||
        Number(b.header !== undefined) - Number(a.header !== undefined) ||
        literals(b) - literals(a) ||
        b.segments.length - a.segments.length,
    );
    for (const r of this.routes) {
      const list = this.byMethod.get(r.method);
      if (list) list.push(r);
      else this.byMethod.set(r.method, [r]);
    }
  }

  /** `headers` as node gives them (lower-case names); without them, no route that requires a header matches. */
  match(method: string, rawPath: string, query: URLSearchParams, headers: Record<string, string | string[] | undefined> = {}): RouteMatch<T> | undefined {
    const parts = rawPath.split('/').slice(1);
    if (parts.length && parts[parts.length - 1] === '' && parts.length === 1) parts.pop();
    const routes = this.byMethod.get(method);
    if (!routes) return undefined;
    const named = this.selectors.size ? [...query.keys()].filter((k) => this.selectors.has(k)) : [];
    for (const r of routes) {
      if (!queryMatches(r, query, named)) continue;
      if (r.header !== undefined && headers[r.header] === undefined) continue;
      const labels = matchPath(r.segments, parts);
      if (labels) return { name: r.name, target: r.target, labels };
    }
    return undefined;
  }

  /** The first selector the query names, if any: when no route matched, the operation asked for is one not implemented. */
  selectorIn(query: URLSearchParams): string | undefined {
    for (const k of query.keys()) if (this.selectors.has(k)) return k;
    return undefined;
  }
}

const literals = (r: CompiledRoute<unknown>) => r.segments.filter((s) => 'literal' in s).length;

/** The query has every literal of the route, and names no selector the route does not. */
function queryMatches(r: CompiledRoute<unknown>, query: URLSearchParams, named: string[]): boolean {
  for (const [k, v] of r.query) if (!query.has(k) || (v !== undefined && query.get(k) !== v)) return false;
  for (const k of named) {
    let claimed = false;
    for (const [q] of r.query) if (q === k) claimed = true;
    if (!claimed) return false;
  }
  return true;
}

function matchPath(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  let i = 0;
  for (const seg of segments) {
    if ('literal' in seg) {
      if (parts[i] !== seg.literal) return undefined;
      i++;
    } else if (seg.greedy) {
      if (i >= parts.length) return undefined;
      const rest = parts.slice(i).join('/');
      if (rest === '') return undefined;
      labels[seg.label] = safeDecode(rest);
      return labels;
    } else {
      const part = parts[i];
      if (part === undefined || part === '') return undefined;
      labels[seg.label] = safeDecode(part);
      i++;
    }
  }
  // A bucket-level URI may end with one slash (`/bucket/`).
  const rest = parts.slice(i);
  if (rest.length === 0 || (rest.length === 1 && rest[0] === '')) return labels;
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---- input ------------------------------------------------------------------------------------

export interface RestRequestParts {
  labels: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The unread body, for a streaming payload member. */
  stream?: NodeJS.ReadableStream;
}

/** Whether an operation's input takes its body as a stream. */
export function streamsPayload(shape: StructureShape): boolean {
  return Object.values(shape.members).some((m) => m.location === 'payload' && m.streaming);
}

/** Returned by a codec for a body it cannot parse. */
export const BAD_BODY = Symbol('bad body');

/** How a REST protocol reads its body. */
export interface RestBodyCodec {
  /** A structure-shaped payload member (S3's `<CreateBucketConfiguration>`). */
  payload(member: Member, name: string, body: Buffer): unknown;
  /** The members that have no location, read from the body (restJson1's JSON object); `{}` when there are none. */
  bodyMembers(shape: StructureShape, body: Buffer): Record<string, unknown> | typeof BAD_BODY;
}

/**
 * The operation's input from the request parts. A body the codec cannot parse gives `badBody`;
 * a member of the wrong type or a missing required one is a violation.
 */
export function decodeRestInput(
  shape: StructureShape,
  parts: RestRequestParts,
  codec: RestBodyCodec,
): { value: Record<string, unknown>; violations: Violation[]; badBody?: boolean } {
  const value: Record<string, unknown> = {};
  const violations: Violation[] = [];
  let fromBody: Record<string, unknown> | undefined;
  for (const [name, member] of Object.entries(shape.members)) {
    let v: unknown;
    if (member.location) v = memberValue(name, member, parts, violations, codec);
    else {
      if (!fromBody) {
        const decoded = codec.bodyMembers(shape, parts.body);
        if (decoded === BAD_BODY) return { value, violations, badBody: true };
        fromBody = decoded;
      }
      v = fromBody[name];
    }
    if (v === BAD_BODY) return { value, violations, badBody: true };
    if (v === undefined || v === null) {
      if (member.required) violations.push({ kind: 'missing', path: name, member: name });
      continue;
    }
    value[name] = v;
  }
  violations.push(...constraintViolations(shape, value));
  return { value, violations };
}

function memberValue(name: string, m: Member, parts: RestRequestParts, violations: Violation[], codec: RestBodyCodec): unknown {
  const where = m.locationName ?? name;
  switch (m.location) {
    case 'uri':
      return parts.labels[where];
    case 'querystring':
      if (m.shape.kind === 'list') {
        const all = parts.query.getAll(where);
        return all.length ? all : undefined;
      }
      return scalar(m.shape, parts.query.get(where) ?? undefined, name, violations);
    case 'header': {
      const h = parts.headers[where.toLowerCase()];
      return scalar(m.shape, Array.isArray(h) ? h.join(',') : h, name, violations);
    }
    case 'headers': {
      const prefix = where.toLowerCase();
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(parts.headers)) {
        // A name such as `__proto__` (x-amz-meta-__proto__) is an entry like any other.
        if (k.startsWith(prefix) && v !== undefined) setOwn(out, k.slice(prefix.length), Array.isArray(v) ? v.join(',') : v);
      }
      return Object.keys(out).length ? out : undefined;
    }
    case 'payload': {
      if (m.streaming) return parts.stream;
      if (m.shape.kind === 'blob') return parts.body;
      if (parts.body.length === 0) return undefined;
      if (m.shape.kind !== 'structure') return parts.body.toString('utf8');
      return codec.payload(m, name, parts.body);
    }
    default:
      return undefined;
  }
}

function scalar(shape: Shape, raw: string | undefined, member: string, violations: Violation[]): unknown {
  if (raw === undefined) return undefined;
  if (shape.kind === 'integer') {
    const n = /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
    if (!Number.isSafeInteger(n)) {
      violations.push({ kind: 'type', path: member, member, expected: 'integer', value: raw });
      return undefined;
    }
    return n;
  }
  if (shape.kind === 'boolean') return raw.trim().toLowerCase() === 'true';
  return raw;
}

// ---- output -----------------------------------------------------------------------------------

export interface RestOutput {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer | Readable;
}

/** A handler's answer with its status, headers and body set by itself (S3 object reads: 206, ranges, streams). */
export class RestAnswer implements RestOutput {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly body: string | Buffer | Readable = '',
  ) {}
}

/** The header members of an output as response headers (`headers`-located maps by prefix). */
export function outputHeaders(shape: StructureShape, value: Record<string, unknown>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, m] of Object.entries(shape.members)) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    if (m.location === 'header') headers[(m.locationName ?? name).toLowerCase()] = String(v);
    else if (m.location === 'headers') {
      for (const [k, hv] of Object.entries(v as Record<string, string>)) headers[`${m.locationName ?? ''}${k}`.toLowerCase()] = hv;
    }
  }
  return headers;
}
