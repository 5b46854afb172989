/**
 * Route keys of HTTP APIs: `$default`, or `METHOD /path` where a path segment is a literal, a
 * `{param}`, or (last only) a greedy `{proxy+}`. The control plane refuses any other key; the
 * data plane matches requests against the parsed form and ranks matches as AWS does: literal
 * segments over `{param}` over `{proxy+}`, segment by segment, then a method over ANY, and
 * `$default` only when nothing else matches.
 */

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const;

export type Segment = { literal: string } | { param: string; greedy: boolean };

export interface ParsedKey {
  method: string;
  path: string;
  segments: Segment[];
}

const PARAM = /^\{([A-Za-z0-9._-]+)(\+?)\}$/;
const LITERAL = /^[A-Za-z0-9._~!$&'()*,;=:@%-]+$/;

/** The parsed route key, or a reason it is not one (undefined for `$default`). */
export function parseRouteKey(key: string): ParsedKey | undefined | { error: string } {
  if (key === '$default') return undefined;
  const m = /^([A-Z]+) (\/.*)$/.exec(key);
  if (!m || !(METHODS as readonly string[]).includes(m[1]!)) return { error: `Unable to parse route key: ${key}` };
  const path = m[2]!;
  const parts = path === '/' ? [] : path.slice(1).split('/');
  const segments: Segment[] = [];
  const names = new Set<string>();
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const p = PARAM.exec(part);
    if (p) {
      const greedy = p[2] === '+';
      if (greedy && i !== parts.length - 1) return { error: `A greedy path variable must be the last segment of the route key: ${key}` };
      if (names.has(p[1]!)) return { error: `Duplicate path variable ${p[1]} in route key: ${key}` };
      names.add(p[1]!);
      segments.push({ param: p[1]!, greedy });
    } else if (LITERAL.test(part)) segments.push({ literal: part });
    else return { error: `Unable to parse route key: ${key}` };
  }
  return { method: m[1]!, path, segments };
}

/** Why `key` cannot be a route key of an HTTP API, or undefined when it can. Unconfirmed wording. */
export function routeKeyProblem(key: string): string | undefined {
  const parsed = parseRouteKey(key);
  return parsed && 'error' in parsed ? parsed.error : undefined;
}

/**
 * How a route matched a request path: one rank per segment (2 literal, 1 param, 0 greedy) and the
 * captured parameters; undefined when it does not match.
 */
export function matchPath(segments: Segment[], parts: string[]): { ranks: number[]; params: Record<string, string> } | undefined {
  const ranks: number[] = [];
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if ('literal' in seg) {
      if (parts[i] !== seg.literal) return undefined;
      ranks.push(2);
    } else if (seg.greedy) {
      const rest = parts.slice(i);
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      params[seg.param] = decode(rest.join('/'));
      ranks.push(0);
      return { ranks, params };
    } else {
      const part = parts[i];
      if (part === undefined || part === '') return undefined;
      params[seg.param] = decode(part);
      ranks.push(1);
    }
  }
  return parts.length === segments.length ? { ranks, params } : undefined;
}

/** Whether rank list `a` is more specific than `b`: the first segment that differs decides; a longer literal path wins a tie. */
export function moreSpecific(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
