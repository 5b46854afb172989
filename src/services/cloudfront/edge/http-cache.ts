/**
 * One HTTP cache (an edge location's, or the regional edge cache's) in front of an upstream
 * (the next cache, or the origin). It answers GET and HEAD by cache key:
 *
 *   - fresh entry: a Hit, with its Age;
 *   - stale entry with a validator (ETag, Last-Modified): a conditional upstream request; a 304
 *     refreshes the entry (RefreshHit), anything else replaces it (Miss);
 *   - within `stale-while-revalidate`: the stale entry answers at once and is refreshed behind;
 *   - upstream failure (no answer, or a 5xx) within `stale-if-error`: the stale entry answers;
 *   - no entry: a Miss. Concurrent misses (and revalidations) for one key wait for the one
 *     upstream request the first of them made, then answer from what it stored (request
 *     collapsing); when that answer could not be stored, each goes upstream itself.
 *
 * Variants: an entry's `Vary` names request headers whose values are part of its key (RFC
 * 9111 4.1); `Vary: *` is never stored. HEAD is answered from (and fills) the GET entry.
 */
import type { Readable } from 'node:stream';
import type { Clock } from '../../../lib/clock.js';
import { freshness, initialAge, type TtlPolicy } from './freshness.js';
import type { CachedObject, ObjectStore, StoredBody } from './object-store.js';

/**
 * A response as an upstream gives it (lower-cased headers, the whole body), or, for a large
 * object, its body still arriving as `stream` (then `body` is empty and `content-length` says
 * how long it is).
 */
export interface UpstreamReply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  stream?: Readable;
}

/** Asks the upstream for the object, with the given conditional headers (none for a plain fetch). */
export type Upstream = (conditional: Record<string, string>) => Promise<UpstreamReply>;

export type CacheResult = 'Hit' | 'RefreshHit' | 'Miss';

export interface LayerRequest {
  method: string;
  /** The cache key (CloudFront's: from the cache policy). */
  primary: string;
  /** Path and query, which invalidations match. */
  path: string;
  /** Lower-cased request headers (Vary values are read from them). */
  headers: Record<string, string>;
  ttl: TtlPolicy;
  /** The distribution's error caching TTL for a status, when it names one. */
  errorTtl?(status: number): number | undefined;
  /** false: neither read nor fill the cache (a method that is not cached). */
  cacheable?: boolean;
  /**
   * Which cookies of the answer's Set-Cookie are stored with the entry (and so given to viewers
   * on later hits), by cookie name; none when absent. The answer that fills the cache is passed
   * on whole.
   */
  cachesSetCookie?(name: string): boolean;
}

/** An answer that may come from a cache: a body kept on disk comes as `file` (then `body` is empty). */
export interface CachedReply extends UpstreamReply {
  file?: StoredBody;
}

const EMPTY = Buffer.alloc(0);

/** A stored body as a reply's `body` (in memory) or `file` (on disk). */
function storedBody(body: Buffer | StoredBody): { body: Buffer; file?: StoredBody } {
  return Buffer.isBuffer(body) ? { body } : { body: EMPTY, file: body };
}

export interface LayerReply extends CachedReply {
  result: CacheResult;
  /** Whether this answer is (now) in the cache. */
  stored: boolean;
  /** A streamed answer: settles once its body is in the cache (or could not be kept). */
  settled?: Promise<unknown>;
}

export interface LayerStats {
  requests: number;
  hits: number;
  refreshHits: number;
  misses: number;
  /** Upstream requests made (collapsed misses make one). */
  upstreamRequests: number;
  upstreamErrors: number;
  staleServed: number;
  bytesFromCache: number;
  bytesFromUpstream: number;
  /** Total milliseconds spent waiting for the upstream (wall time). */
  upstreamLatencyMs: number;
}

export const emptyStats = (): LayerStats => ({
  requests: 0,
  hits: 0,
  refreshHits: 0,
  misses: 0,
  upstreamRequests: 0,
  upstreamErrors: 0,
  staleServed: 0,
  bytesFromCache: 0,
  bytesFromUpstream: 0,
  upstreamLatencyMs: 0,
});

/** Hop-by-hop and per-connection headers, never stored. */
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection']);
/** Headers a 304 may not change in the stored entry. */
const KEEP_ON_304 = new Set(['etag', 'content-length', 'content-encoding', 'content-type', 'content-range']);

export function storableHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!HOP.has(k)) out[k] = v;
  return out;
}

/**
 * The Set-Cookie lines (joined by newlines, as origin.ts keeps them) a cache stores: those whose
 * cookie the request's forwarding picks, none under `Cache-Control: no-cache="Set-Cookie"`
 * (CloudFront's documented way to suspend caching cookies). '' for none.
 */
export function storedSetCookie(lines: string, cacheControl: string | undefined, keep: ((name: string) => boolean) | undefined): string {
  if (!keep || (cacheControl && /no-cache\s*=\s*"?[^"]*\bset-cookie\b/i.test(cacheControl))) return '';
  return lines
    .split('\n')
    .filter((line) => {
      const eq = line.indexOf('=');
      return eq > 0 && keep(line.slice(0, eq).trim());
    })
    .join('\n');
}

/** The request headers a response varies on, lower-cased; ['*'] for `Vary: *`. */
export function parseVary(value: string | undefined): string[] {
  if (!value) return [];
  return [...new Set(value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))].sort();
}

export function variantKey(primary: string, vary: readonly string[], headers: Record<string, string>): string {
  if (vary.length === 0) return primary;
  let key = primary;
  for (const name of vary) key += `\n${name}:${(headers[name] ?? '').trim()}`;
  return key;
}

/** The age (seconds) of a stored object at `now`. */
export function currentAge(obj: CachedObject, now: number): number {
  return obj.initialAge + Math.max(0, now - obj.responseTime) / 1000;
}

type Count = (k: keyof LayerStats, n?: number) => void;

interface Flight {
  done: Promise<unknown>;
}

export class HttpCache {
  readonly stats: LayerStats = emptyStats();
  private readonly inflight = new Map<string, Flight>();
  /** Invalidation generation: an upstream answer that began before an invalidation is not stored. */
  private generation = 0;

  constructor(
    readonly name: string,
    readonly store: ObjectStore,
    private readonly clock: Clock,
  ) {}

  /** Answers a request; `also` is counted into besides this cache's own statistics (a distribution's). */
  async serve(req: LayerRequest, upstream: Upstream, also?: LayerStats): Promise<LayerReply> {
    const tally = also ? [this.stats, also] : [this.stats];
    const count = (k: keyof LayerStats, n = 1) => {
      for (const s of tally) s[k] += n;
    };
    count('requests');
    if (req.cacheable === false || (req.method !== 'GET' && req.method !== 'HEAD')) {
      const r = await this.fetchUpstream(upstream, {}, count);
      count('misses');
      return { ...r, result: 'Miss', stored: false };
    }
    for (let attempt = 0; ; attempt++) {
      const vary = this.store.varyOf(req.primary);
      const key = variantKey(req.primary, vary, req.headers);
      const obj = this.store.get(key);
      const now = this.clock.now();
      if (obj) {
        const age = currentAge(obj, now);
        if (age < obj.fresh.ttl) {
          const body = this.store.memoryBody(obj) ?? (await this.store.body(obj));
          if (body) return this.hit(obj, body, age, count);
        } else if (age < obj.fresh.ttl + obj.fresh.staleWhileRevalidate && !this.inflight.has(key)) {
          const body = await this.store.body(obj);
          if (body) {
            void this.collapse(key, () => this.revalidate(req, obj, upstream, count)).catch(() => undefined);
            return this.hit(obj, body, age, count);
          }
        }
      }
      // Collapse onto a flight for this variant, or (for a first fetch) for the cache key.
      const flightKey = obj ? key : req.primary;
      const flight = this.inflight.get(flightKey);
      if (flight && attempt === 0) {
        await flight.done.catch(() => undefined);
        continue;
      }
      const reply = await this.collapse(flightKey, () => (obj ? this.revalidate(req, obj, upstream, count) : this.miss(req, upstream, count)), attempt === 0);
      count(reply.result === 'RefreshHit' ? 'refreshHits' : reply.result === 'Hit' ? 'hits' : 'misses');
      return reply;
    }
  }

  /** Drops every entry the predicate picks; returns how many. Answers already under way are not stored. */
  invalidateWhere(pick: (obj: CachedObject) => boolean): number {
    this.generation++;
    return this.store.deleteWhere(pick);
  }

  private hit(obj: CachedObject, body: Buffer | StoredBody, age: number, count: Count): LayerReply {
    count('hits');
    count('bytesFromCache', obj.size);
    return { status: obj.status, headers: { ...obj.headers, age: String(Math.floor(age)) }, ...storedBody(body), result: 'Hit', stored: true };
  }

  private async collapse<T>(key: string, run: () => Promise<T>, share = true): Promise<T> {
    if (!share) return run();
    const p = run();
    // A streamed answer is in the cache only once its body arrived: the flight lasts until then.
    const flight = { done: p.then((r) => (r as { settled?: Promise<unknown> } | undefined)?.settled) };
    this.inflight.set(key, flight);
    const land = () => {
      if (this.inflight.get(key) === flight) this.inflight.delete(key);
    };
    flight.done.then(land, land);
    return p;
  }

  private async fetchUpstream(upstream: Upstream, conditional: Record<string, string>, count: Count): Promise<UpstreamReply> {
    const t0 = performance.now();
    count('upstreamRequests');
    try {
      const r = await upstream(conditional);
      count('bytesFromUpstream', r.stream ? Number(r.headers['content-length'] ?? 0) : r.body.length);
      if (r.status >= 500) count('upstreamErrors');
      return r;
    } catch (e) {
      count('upstreamErrors');
      throw e;
    } finally {
      count('upstreamLatencyMs', performance.now() - t0);
    }
  }

  private async miss(req: LayerRequest, upstream: Upstream, count: Count): Promise<LayerReply> {
    const generation = this.generation;
    const r = await this.fetchUpstream(upstream, {}, count);
    if (r.stream) return this.storeStreaming(req, r, r.stream, generation);
    const stored = generation === this.generation && (await this.storeReply(req, r));
    return { ...r, result: 'Miss', stored };
  }

  /** A streamed answer: passed on as it arrives, written to the disk tier on the way when it may be kept. */
  private storeStreaming(req: LayerRequest, r: UpstreamReply, stream: Readable, generation: number): LayerReply {
    const obj = generation === this.generation ? this.entryOf(req, r, Number(r.headers['content-length'])) : undefined;
    const put = obj && this.store.putStream(obj, stream, () => generation === this.generation);
    if (!put) return { ...r, result: 'Miss', stored: false };
    return { ...r, stream: put.out, result: 'Miss', stored: false, settled: put.stored };
  }

  private async storeReply(req: LayerRequest, r: UpstreamReply): Promise<boolean> {
    const obj = this.entryOf(req, r, r.body.length);
    return obj ? this.store.put(obj, r.body) : false;
  }

  /** The cache entry an answer makes; undefined when it may not be stored. */
  private entryOf(req: LayerRequest, r: UpstreamReply, size: number): CachedObject | undefined {
    if (!Number.isSafeInteger(size) || size < 0) return undefined;
    const now = this.clock.now();
    const headers = storableHeaders(r.headers);
    if (headers['set-cookie'] !== undefined) {
      const kept = storedSetCookie(headers['set-cookie'], headers['cache-control'], req.cachesSetCookie);
      if (kept) headers['set-cookie'] = kept;
      else delete headers['set-cookie'];
    }
    const fresh = freshness(r.status, headers, req.ttl, Math.floor(now / 1000), req.errorTtl?.(r.status));
    const vary = parseVary(headers.vary);
    if (!fresh.store || vary.includes('*')) return undefined;
    const key = variantKey(req.primary, vary, req.headers);
    const obj: CachedObject = { key, primary: req.primary, path: req.path, status: r.status, headers, size, responseTime: now, initialAge: initialAge(headers), fresh, vary };
    delete obj.headers.age;
    return obj;
  }

  private async revalidate(req: LayerRequest, obj: CachedObject, upstream: Upstream, count: Count): Promise<LayerReply> {
    const conditional: Record<string, string> = {};
    if (obj.headers.etag) conditional['if-none-match'] = obj.headers.etag;
    if (obj.headers['last-modified']) conditional['if-modified-since'] = obj.headers['last-modified'];
    const generation = this.generation;
    const stale = async (): Promise<LayerReply | undefined> => {
      const age = currentAge(obj, this.clock.now());
      if (age >= obj.fresh.ttl + obj.fresh.staleIfError) return undefined;
      const body = await this.store.body(obj);
      if (!body) return undefined;
      count('staleServed');
      count('bytesFromCache', obj.size);
      return { status: obj.status, headers: { ...obj.headers, age: String(Math.floor(age)) }, ...storedBody(body), result: 'Hit', stored: true };
    };
    let r: UpstreamReply;
    try {
      r = await this.fetchUpstream(upstream, conditional, count);
    } catch (e) {
      const s = await stale();
      if (s) return s;
      throw e;
    }
    if (r.status >= 500) {
      const s = await stale();
      if (s) return s;
    }
    if (r.status === 304 && Object.keys(conditional).length > 0) {
      const body = await this.store.body(obj);
      if (body && generation === this.generation) {
        const now = this.clock.now();
        const merged = { ...obj.headers };
        for (const [k, v] of Object.entries(storableHeaders(r.headers))) if (!KEEP_ON_304.has(k)) merged[k] = v;
        const age = initialAge(merged);
        delete merged.age;
        const fresh = freshness(obj.status, merged, req.ttl, Math.floor(now / 1000), req.errorTtl?.(obj.status));
        this.store.refresh(obj, obj.status, merged, now, age, fresh);
        count('bytesFromCache', obj.size);
        return { status: obj.status, headers: { ...merged, age: String(age) }, ...storedBody(body), result: 'RefreshHit', stored: true };
      }
      // Evicted or invalidated meanwhile: fetch it whole.
      r = await this.fetchUpstream(upstream, {}, count);
    }
    if (r.stream) return this.storeStreaming(req, r, r.stream, generation);
    const stored = generation === this.generation && (await this.storeReply(req, r));
    if (!stored) this.store.delete(obj.key);
    return { ...r, result: 'Miss', stored };
  }
}
