/**
 * The one host router: which service endpoint a request is for, from its Host header or its
 * path, decided once per request by the MOST SPECIFIC pattern, whatever the order patterns
 * were registered in.
 *
 * Host patterns are dot-separated labels, compared case-insensitively without the port:
 *   - a literal (`localhost`, `s3-website`); the last label must be one;
 *   - `{name}`: any one label, captured;
 *   - `pre{name}suf`: a label with literal text around one capture (`s3-website-{region}`);
 *   - `{name+}`, first label only: one or more labels, captured with their dots (dotted buckets).
 * A pattern with more literal labels beats one with fewer; then more partly literal labels; then
 * more literal characters; then a fixed number of labels beats `{name+}`.
 *
 * Path patterns are a literal prefix with `{name}` segments (`/_nimbus/lambda-url/{urlId}`),
 * matched at a segment boundary; the rest of the path is the match's `path`. `exact` patterns
 * must equal the whole path. An exact pattern beats a prefix; a longer literal prefix beats a
 * shorter one. Host patterns are tried first: a claimed host is never routed by its path.
 *
 * Host claims (`addHostClaim`) are for names users choose (CloudFront's alternate domain names):
 * a predicate asked, in registration order, only for a dotted host that no pattern matched and
 * that is not an IPv4 address, so they never take a host from a pattern or the plain API host.
 *
 * Two patterns of equal specificity that can match the same request are a registration error
 * when identical; otherwise the first registered wins a tie (documented, not relied upon).
 */

export interface HostMatch<T> {
  target: T;
  /** The captured labels, by name (path captures percent-decoded). */
  labels: Record<string, string>;
  /** The path within the endpoint: the request's path for a host match, the rest for a path-style one. */
  path: string;
}

/** Request facts a pattern's `when` condition may look at. */
export interface RouteHead {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface PatternOptions {
  /** Path patterns only: the whole path must equal the pattern. */
  exact?: boolean;
  /** A narrower claim: the pattern matches only when this holds (SNS's unsigned `/?Action=` links). */
  when?(req: RouteHead): boolean;
}

const enum Kind {
  Literal,
  Capture,
  Mixed,
  Greedy,
}

interface Label {
  kind: Kind;
  /** Literal text (Literal), or the text before the capture (Mixed). */
  text: string;
  /** Text after the capture (Mixed). */
  suffix: string;
  name: string;
}

interface HostPattern<T> {
  source: string;
  labels: Label[];
  greedy: boolean;
  score: number[];
  target: T;
  when: PatternOptions['when'];
}

interface PathPattern<T> {
  source: string;
  /** The literal text before the first capture. */
  prefix: string;
  /** Capture names, one path segment each, after the prefix (each ends at the next '/'). */
  captures: string[];
  exact: boolean;
  score: number[];
  target: T;
  when: PatternOptions['when'];
}

/** A label with a capture; literal text is lower case (hosts are compared lower-cased). */
const CAPTURE = /^([a-z0-9-]*)\{([A-Za-z][A-Za-z0-9]*)(\+?)\}([a-z0-9-]*)$/;

export class HostRouter<T> {
  /** Host patterns by their last (literal) label, most specific first. */
  private readonly hosts = new Map<string, HostPattern<T>[]>();
  /** Path patterns, most specific first. */
  private readonly paths: PathPattern<T>[] = [];
  /** Predicates over host names no pattern matched, in registration order. */
  private readonly claims: Array<{ claims: (name: string) => boolean; target: T }> = [];

  /** A claim on host names no pattern matches (lower-case, without the port). */
  addHostClaim(claims: (name: string) => boolean, target: T): void {
    this.claims.push({ claims, target });
  }

  addHost(pattern: string, target: T, opts: PatternOptions = {}): void {
    const parts = pattern.split('.');
    if (parts.length < 2) throw new Error(`host pattern ${pattern}: at least two labels`);
    const labels = parts.map((p, i): Label => {
      const m = CAPTURE.exec(p);
      if (!m) {
        if (!/^[a-z0-9-]+$/.test(p)) throw new Error(`host pattern ${pattern}: bad label ${p}`);
        return { kind: Kind.Literal, text: p, suffix: '', name: '' };
      }
      const [, pre, name, plus, suf] = m as unknown as [string, string, string, string, string];
      if (plus && (i !== 0 || pre || suf)) throw new Error(`host pattern ${pattern}: {${name}+} only as the whole first label`);
      if (plus) return { kind: Kind.Greedy, text: '', suffix: '', name };
      return pre || suf ? { kind: Kind.Mixed, text: pre, suffix: suf, name } : { kind: Kind.Capture, text: '', suffix: '', name };
    });
    const last = labels[labels.length - 1]!;
    if (last.kind !== Kind.Literal) throw new Error(`host pattern ${pattern}: the last label must be literal`);
    const literal = labels.filter((l) => l.kind === Kind.Literal);
    const mixed = labels.filter((l) => l.kind === Kind.Mixed);
    const greedy = labels[0]!.kind === Kind.Greedy;
    const chars = literal.reduce((n, l) => n + l.text.length, 0) + mixed.reduce((n, l) => n + l.text.length + l.suffix.length, 0);
    const score = [literal.length, mixed.length, chars, greedy ? 0 : 1];
    const list = this.hosts.get(last.text) ?? [];
    if (list.some((p) => p.source === pattern)) throw new Error(`host pattern ${pattern} registered twice`);
    list.push({ source: pattern, labels, greedy, score, target, when: opts.when });
    list.sort((a, b) => compare(b.score, a.score));
    this.hosts.set(last.text, list);
  }

  addPath(pattern: string, target: T, opts: PatternOptions = {}): void {
    if (!pattern.startsWith('/')) throw new Error(`path pattern ${pattern}: must start with /`);
    const brace = pattern.indexOf('{');
    const prefix = brace < 0 ? pattern : pattern.slice(0, brace);
    const captures: string[] = [];
    if (brace >= 0) {
      if (!prefix.endsWith('/')) throw new Error(`path pattern ${pattern}: a capture is a whole segment`);
      for (const seg of pattern.slice(brace).split('/')) {
        const m = /^\{([A-Za-z][A-Za-z0-9]*)\}$/.exec(seg);
        if (!m) throw new Error(`path pattern ${pattern}: after the first capture, only {name} segments`);
        captures.push(m[1]!);
      }
    }
    const exact = opts.exact ?? false;
    if (this.paths.some((p) => p.source === pattern && p.exact === exact)) throw new Error(`path pattern ${pattern} registered twice`);
    const score = [exact ? 1 : 0, prefix.length, captures.length];
    this.paths.push({ source: pattern, prefix, captures, exact, score, target, when: opts.when });
    this.paths.sort((a, b) => compare(b.score, a.score));
  }

  /**
   * The endpoint a request is for: the most specific host pattern matching its Host header,
   * else the most specific path pattern; undefined for a request to the plain API host.
   */
  match(req: RouteHead): HostMatch<T> | undefined {
    return this.matchHost(req) ?? this.matchPath(req);
  }

  private matchHost(req: RouteHead): HostMatch<T> | undefined {
    const host = req.headers.host;
    if (typeof host !== 'string' || host.charCodeAt(0) === 91 /* [ */) return undefined;
    const colon = host.lastIndexOf(':');
    const name = (colon >= 0 ? host.slice(0, colon) : host).toLowerCase();
    const dot = name.lastIndexOf('.');
    // A plain `localhost` or an address is nobody's host: only dotted names under a claimed
    // last label are looked at.
    if (dot <= 0) return undefined;
    const list = this.hosts.get(name.slice(dot + 1));
    if (list) {
      const parts = name.split('.');
      for (const p of list) {
        const labels = matchLabels(p, parts);
        if (labels && (!p.when || p.when(req))) return { target: p.target, labels, path: req.path };
      }
    }
    if (this.claims.length === 0 || /^[0-9.]+$/.test(name)) return undefined;
    for (const c of this.claims) if (c.claims(name)) return { target: c.target, labels: {}, path: req.path };
    return undefined;
  }

  private matchPath(req: RouteHead): HostMatch<T> | undefined {
    const path = req.path;
    for (const p of this.paths) {
      if (!path.startsWith(p.prefix)) continue;
      if (p.exact) {
        if (path.length === p.prefix.length && (!p.when || p.when(req))) return { target: p.target, labels: {}, path };
        continue;
      }
      // A literal prefix that ends with '/' leaves that '/' to the rest of the path.
      let at = p.captures.length === 0 && p.prefix.endsWith('/') ? p.prefix.length - 1 : p.prefix.length;
      let labels: Record<string, string> | undefined = {};
      for (const name of p.captures) {
        const end = path.indexOf('/', at);
        const seg = path.slice(at, end < 0 ? path.length : end);
        const value = seg ? decode(seg) : undefined;
        if (value === undefined) {
          labels = undefined;
          break;
        }
        labels[name] = value;
        at = end < 0 ? path.length : end;
      }
      if (!labels) continue;
      // A prefix ends at a segment boundary: `/_nimbus/sns/` or `/x/{id}` then `/` or nothing.
      if (at < path.length && path.charCodeAt(at) !== 47) continue;
      if (p.when && !p.when(req)) continue;
      return { target: p.target, labels, path: at < path.length ? path.slice(at) : '/' };
    }
    return undefined;
  }
}

function matchLabels<T>(p: HostPattern<T>, parts: string[]): Record<string, string> | undefined {
  const fixed = p.labels.length;
  if (p.greedy ? parts.length < fixed : parts.length !== fixed) return undefined;
  // Compare from the end: the literal suffix (`.localhost`) rules most hosts out at once.
  const offset = parts.length - fixed;
  for (let i = fixed - 1; i >= (p.greedy ? 1 : 0); i--) {
    const l = p.labels[i]!;
    const v = parts[i + offset]!;
    if (l.kind === Kind.Literal ? v !== l.text : v.length === 0) return undefined;
    if (l.kind === Kind.Mixed && !(v.length > l.text.length + l.suffix.length && v.startsWith(l.text) && v.endsWith(l.suffix))) return undefined;
  }
  const labels: Record<string, string> = {};
  if (p.greedy) {
    const head = parts.slice(0, offset + 1);
    if (head.some((x) => x.length === 0)) return undefined;
    labels[p.labels[0]!.name] = head.join('.');
  }
  for (let i = p.greedy ? 1 : 0; i < fixed; i++) {
    const l = p.labels[i]!;
    const v = parts[i + offset]!;
    if (l.kind === Kind.Capture) labels[l.name] = v;
    else if (l.kind === Kind.Mixed) labels[l.name] = v.slice(l.text.length, v.length - l.suffix.length);
  }
  return labels;
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function decode(seg: string): string | undefined {
  try {
    return decodeURIComponent(seg);
  } catch {
    return undefined;
  }
}
