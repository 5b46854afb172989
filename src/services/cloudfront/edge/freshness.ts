/**
 * How long a response stays in an edge cache: RFC 9111's freshness model with CloudFront's
 * documented rules on top ("Manage how long content stays in the cache"):
 *
 *   - `s-maxage`, else `max-age`, else `Expires` minus `Date` is the origin's TTL; it is used
 *     when it lies within the policy's [MinTTL, MaxTTL] and clamped to that range otherwise;
 *   - no such header: the policy's DefaultTTL;
 *   - `no-store`, `no-cache` or `private` with MinTTL 0: not cached; with MinTTL > 0: MinTTL;
 *   - MaxTTL 0 (CachingDisabled): never cached;
 *   - only 200, 203, 204, 300, 301, 410 are cached with these TTLs; 307 and 308 only when the
 *     response carries Cache-Control; error statuses (400, 403, 404, 405, 414, 416, 500, 501,
 *     502, 503, 504) for the error caching TTL (CloudFront's default 10 s, or a
 *     Cache-Control max-age the origin sent);
 *   - `stale-if-error=N` and `stale-while-revalidate=N` extend an entry's use past expiry.
 *
 * Everything here is pure: seconds in, seconds out.
 */

export interface TtlPolicy {
  /** Seconds. */
  minTtl: number;
  defaultTtl: number;
  maxTtl: number;
}

export interface CacheControl {
  maxAge?: number;
  sMaxAge?: number;
  noStore: boolean;
  noCache: boolean;
  private: boolean;
  noTransform: boolean;
  staleIfError?: number;
  staleWhileRevalidate?: number;
}

/** Parses a Cache-Control header value (directive names are case-insensitive; bad numbers ignored). */
export function parseCacheControl(value: string | undefined): CacheControl {
  const cc: CacheControl = { noStore: false, noCache: false, private: false, noTransform: false };
  if (!value) return cc;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const raw = eq < 0 ? undefined : part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    const num = raw !== undefined && /^\d{1,12}$/.test(raw) ? Number(raw) : undefined;
    switch (name) {
      case 'max-age':
        if (num !== undefined) cc.maxAge = num;
        break;
      case 's-maxage':
        if (num !== undefined) cc.sMaxAge = num;
        break;
      case 'no-store':
        cc.noStore = true;
        break;
      case 'no-cache':
        // With field names (`no-cache="Set-Cookie"`) the response may be stored; only those
        // fields are not reused (RFC 9111 5.2.2.4; http-cache.ts drops a named Set-Cookie).
        if (raw === undefined) cc.noCache = true;
        break;
      case 'private':
        cc.private = true;
        break;
      case 'no-transform':
        cc.noTransform = true;
        break;
      case 'stale-if-error':
        if (num !== undefined) cc.staleIfError = num;
        break;
      case 'stale-while-revalidate':
        if (num !== undefined) cc.staleWhileRevalidate = num;
        break;
    }
  }
  return cc;
}

/** An HTTP date in seconds since the epoch, or undefined when it is not one. */
export function parseHttpDate(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

const CACHED_STATUSES = new Set([200, 203, 204, 300, 301, 410]);
const CACHED_WITH_CACHE_CONTROL = new Set([307, 308]);
export const ERROR_STATUSES = new Set([400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504]);
/** CloudFront's error caching minimum TTL when neither the distribution nor the origin names one. */
export const DEFAULT_ERROR_CACHING_TTL = 10;

export interface Freshness {
  /** Whether the response may be stored at all. */
  store: boolean;
  /** Freshness lifetime in seconds (0: stored, but revalidated on every use). */
  ttl: number;
  /** Seconds past expiry the entry may still answer when the origin fails. */
  staleIfError: number;
  /** Seconds past expiry the entry may answer while it is refreshed in the background. */
  staleWhileRevalidate: number;
}

const NOT_STORED: Freshness = { store: false, ttl: 0, staleIfError: 0, staleWhileRevalidate: 0 };

/**
 * The freshness of an origin response under a cache policy. `headers` are lower-cased;
 * `nowSeconds` stands in for a missing Date header; `errorTtl` is the distribution's ErrorCachingMinTTL for this status, when it names one.
 */
export function freshness(status: number, headers: Record<string, string>, policy: TtlPolicy, nowSeconds: number, errorTtl?: number): Freshness {
  if (policy.maxTtl <= 0 && policy.defaultTtl <= 0 && policy.minTtl <= 0) return NOT_STORED;
  const cc = parseCacheControl(headers['cache-control']);
  const stale = { staleIfError: cc.staleIfError ?? 0, staleWhileRevalidate: cc.staleWhileRevalidate ?? 0 };
  if (ERROR_STATUSES.has(status)) {
    if (cc.noStore && errorTtl === undefined) return NOT_STORED;
    const ttl = errorTtl ?? cc.sMaxAge ?? cc.maxAge ?? DEFAULT_ERROR_CACHING_TTL;
    return ttl > 0 ? { store: true, ttl, staleIfError: 0, staleWhileRevalidate: 0 } : NOT_STORED;
  }
  if (!CACHED_STATUSES.has(status) && !(CACHED_WITH_CACHE_CONTROL.has(status) && headers['cache-control'])) return NOT_STORED;
  if (headers.vary?.trim() === '*') return NOT_STORED;
  if (cc.noStore || cc.noCache || cc.private) {
    return policy.minTtl > 0 ? { store: true, ttl: policy.minTtl, ...stale } : NOT_STORED;
  }
  let origin = cc.sMaxAge ?? cc.maxAge;
  if (origin === undefined && headers.expires !== undefined) {
    const expires = parseHttpDate(headers.expires);
    const date = parseHttpDate(headers.date);
    // An Expires that is not a date means "already expired" (RFC 9111 5.3).
    origin = expires === undefined ? 0 : Math.max(0, expires - (date ?? nowSeconds));
  }
  const ttl = origin === undefined ? policy.defaultTtl : Math.min(policy.maxTtl, Math.max(policy.minTtl, origin));
  return { store: true, ttl, ...stale };
}

/** The Age a response arrived with (seconds; 0 when absent or not a number). */
export function initialAge(headers: Record<string, string>): number {
  const v = headers.age;
  return v && /^\d{1,12}$/.test(v.trim()) ? Number(v.trim()) : 0;
}
