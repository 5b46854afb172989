/**
 * What of a viewer request goes into the cache key and what is forwarded to the origin, as a
 * cache policy (ParametersInCacheKeyAndForwardedToOrigin), an origin request policy, or a
 * legacy behavior's ForwardedValues say. Everything in the cache key is also forwarded.
 */
import type { CachePolicyConfig, DefaultCacheBehavior, OriginRequestPolicyConfig } from '../model.js';
import type { TtlPolicy } from './freshness.js';

type Names = { Quantity: number; Items?: string[] } | undefined;

export interface Selection {
  /** none | whitelist | allExcept | all (| allViewer ... for headers of origin request policies) */
  behavior: string;
  names: Set<string>;
}

export interface KeyPlan {
  ttl: TtlPolicy;
  gzip: boolean;
  brotli: boolean;
  key: { query: Selection; headers: Selection; cookies: Selection };
  forward: { query: Selection; headers: Selection; cookies: Selection };
}

const sel = (behavior: string | undefined, names: Names, lower: boolean): Selection => ({
  behavior: behavior ?? 'none',
  names: new Set((names?.Items ?? []).map((n) => (lower ? n.toLowerCase() : n))),
});

/** The key plan of a behavior: its cache policy and origin request policy, or its legacy settings. */
export function keyPlan(behavior: DefaultCacheBehavior, cachePolicy: CachePolicyConfig | undefined, originPolicy: OriginRequestPolicyConfig | undefined): KeyPlan {
  let plan: KeyPlan;
  if (cachePolicy) {
    const p = cachePolicy.ParametersInCacheKeyAndForwardedToOrigin;
    const key = {
      query: sel(p?.QueryStringsConfig.QueryStringBehavior, p?.QueryStringsConfig.QueryStrings, false),
      headers: sel(p?.HeadersConfig.HeaderBehavior, p?.HeadersConfig.Headers, true),
      cookies: sel(p?.CookiesConfig.CookieBehavior, p?.CookiesConfig.Cookies, false),
    };
    plan = {
      ttl: { minTtl: cachePolicy.MinTTL, defaultTtl: cachePolicy.DefaultTTL ?? 86400, maxTtl: cachePolicy.MaxTTL ?? 31536000 },
      gzip: p?.EnableAcceptEncodingGzip ?? false,
      brotli: p?.EnableAcceptEncodingBrotli ?? false,
      key,
      forward: key,
    };
  } else {
    const fv = behavior.ForwardedValues;
    const headers = fv?.Headers?.Items ?? [];
    const key = {
      query: fv?.QueryString ? (fv.QueryStringCacheKeys?.Quantity ? sel('whitelist', fv.QueryStringCacheKeys, false) : sel('all', undefined, false)) : sel('none', undefined, false),
      headers: headers.includes('*') ? sel('all', undefined, true) : sel(headers.length ? 'whitelist' : 'none', fv?.Headers, true),
      cookies: sel(fv?.Cookies.Forward ?? 'none', fv?.Cookies.WhitelistedNames, false),
    };
    plan = {
      ttl: { minTtl: behavior.MinTTL ?? 0, defaultTtl: behavior.DefaultTTL ?? 86400, maxTtl: behavior.MaxTTL ?? 31536000 },
      gzip: true,
      brotli: false,
      key,
      forward: { ...key, query: fv?.QueryString ? sel('all', undefined, false) : key.query },
    };
  }
  if (originPolicy) {
    plan.forward = {
      query: union(plan.key.query, sel(originPolicy.QueryStringsConfig.QueryStringBehavior, originPolicy.QueryStringsConfig.QueryStrings, false)),
      headers: union(plan.key.headers, sel(originPolicy.HeadersConfig.HeaderBehavior, originPolicy.HeadersConfig.Headers, true)),
      cookies: union(plan.key.cookies, sel(originPolicy.CookiesConfig.CookieBehavior, originPolicy.CookiesConfig.Cookies, false)),
    };
  }
  return plan;
}

/** What both selections pick (a simple over-approximation for mixed kinds: the wider one). */
function union(a: Selection, b: Selection): Selection {
  if (a.behavior === 'none') return b;
  if (b.behavior === 'none') return a;
  if (a.behavior === 'whitelist' && b.behavior === 'whitelist') return { behavior: 'whitelist', names: new Set([...a.names, ...b.names]) };
  const wide = (s: Selection) => s.behavior === 'all' || s.behavior.startsWith('allViewer');
  if (wide(a)) return a;
  if (wide(b)) return b;
  return b.behavior === 'allExcept' ? b : a;
}

export function picks(s: Selection, name: string): boolean {
  switch (s.behavior) {
    case 'none':
      return false;
    case 'whitelist':
      return s.names.has(name);
    case 'allExcept':
      return !s.names.has(name);
    default:
      // all, allViewer, allViewerAndWhitelistCloudFront
      return true;
  }
}

/** The query string's pairs the selection picks, in their order ('' for none). */
export function pickQuery(query: string, s: Selection, drop: (name: string) => boolean = () => false): string {
  if (!query || s.behavior === 'none') return '';
  return query
    .split('&')
    .filter((p) => {
      if (!p) return false;
      const eq = p.indexOf('=');
      const name = safeDecode(eq < 0 ? p : p.slice(0, eq));
      return !drop(name) && picks(s, name);
    })
    .join('&');
}

/** Request headers never forwarded (hop-by-hop, or CloudFront's to set). */
const NEVER_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'proxy-authorization', 'proxy-connection', 'content-length', 'expect', 'cookie', 'accept-encoding', 'range', 'if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'x-nimbus-edge']);

/** Lower-cased headers the selection picks. */
export function pickHeaders(headers: Record<string, string | string[] | undefined>, s: Selection): Record<string, string> {
  const out: Record<string, string> = {};
  if (s.behavior === 'none') return out;
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || NEVER_FORWARDED.has(k) || !picks(s, k)) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** The Cookie header's cookies the selection picks ('' for none), sorted by name for a stable key. */
export function pickCookies(cookieHeader: string | undefined, s: Selection): string {
  if (!cookieHeader || s.behavior === 'none') return '';
  return cookieHeader
    .split(';')
    .map((c) => c.trim())
    .filter((c) => {
      const eq = c.indexOf('=');
      return c && picks(s, eq < 0 ? c : c.slice(0, eq));
    })
    .sort()
    .join('; ');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
