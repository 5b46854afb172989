/**
 * The edge network: a set of edge locations (default three, named as AWS names its POPs), each
 * with its own cache, in front of one regional edge cache (the origin shield), in front of the
 * origin. Every distribution shares the network; cache keys and statistics are per
 * distribution.
 *
 * A request picks its edge by `x-nimbus-edge: <edge name>`, else by `CloudFront-Viewer-Country`
 * (an ISO 3166 country code, mapped to the nearest edge by continent), else the default edge.
 * A latency map (edge<->viewer, edge<->shield, shield<->origin, in ms of real delay per round
 * trip; all 0 unless configured) simulates distance, so the difference a cache makes can be
 * seen; each reply says how much simulated latency it had.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../../../lib/clock.js';
import type { TtlPolicy } from './freshness.js';
import { emptyStats, HttpCache, type CachedReply, type CacheResult, type LayerStats, type Upstream, type UpstreamReply } from './http-cache.js';
import { DEFAULT_STORE_LIMITS, ObjectStore, type StoreLimits } from './object-store.js';
import { compressReply, compresses, notModified, notModifiedHeaders, type Encoding } from './viewer.js';

export type Continent = 'NA' | 'SA' | 'EU' | 'AF' | 'AS' | 'OC';

export interface EdgeDefinition {
  /** A POP name, e.g. `IAD89-C1`. */
  name: string;
  /** Where it stands: viewers on this continent are sent here. */
  continent: Continent;
  /** Simulated round trip to its viewers, ms. */
  viewerMs?: number;
  /** Simulated round trip to the regional edge cache, ms. */
  shieldMs?: number;
}

export interface EdgeNetworkOptions {
  clock: Clock;
  /** Where large objects are kept (a directory per cache is made under it); none: memory only. */
  dir?: string;
  edges?: EdgeDefinition[];
  /** The edge a request with no location goes to (default: the first). */
  defaultEdge?: string;
  shieldName?: string;
  /** Simulated round trip from the regional edge cache to an origin, ms. */
  originMs?: number;
  /** Each edge's (and the shield's) cache bounds. */
  limits?: StoreLimits;
}

export const DEFAULT_EDGES: readonly EdgeDefinition[] = [
  { name: 'IAD89-C1', continent: 'NA' },
  { name: 'FRA56-P1', continent: 'EU' },
  { name: 'NRT57-P2', continent: 'AS' },
];
export const DEFAULT_SHIELD = 'IAD-REC';

/** ISO 3166 alpha-2 codes by continent (the ones not listed fall to the default edge). */
const CONTINENTS: Record<Continent, string> = {
  NA: 'US CA MX GT BZ SV HN NI CR PA CU DO HT JM BS BB TT PR',
  SA: 'BR AR CL CO PE VE EC BO PY UY GY SR',
  EU: 'GB IE FR DE NL BE LU CH AT IT ES PT DK NO SE FI IS PL CZ SK HU RO BG GR HR SI RS BA ME MK AL EE LV LT UA BY MD RU TR CY MT',
  AF: 'ZA NG KE EG MA DZ TN GH ET TZ UG SN CI CM AO',
  AS: 'JP CN KR KP TW HK MO SG MY TH VN PH ID IN PK BD LK NP MM KH LA MN AE SA IL QA KW BH OM JO LB IR IQ KZ UZ',
  OC: 'AU NZ FJ PG',
};
const CONTINENT_OF = new Map<string, Continent>();
for (const [c, list] of Object.entries(CONTINENTS) as [Continent, string][]) for (const code of list.split(' ')) CONTINENT_OF.set(code, c);
/** Where a continent without an edge of its own goes. */
const NEAREST: Record<Continent, Continent[]> = { NA: ['NA', 'SA', 'EU'], SA: ['SA', 'NA', 'EU'], EU: ['EU', 'AF', 'NA'], AF: ['AF', 'EU', 'AS'], AS: ['AS', 'OC', 'EU'], OC: ['OC', 'AS', 'NA'] };

export interface TierRequest {
  distributionId: string;
  method: string;
  /** The policy's cache key for this request (without the distribution). */
  key: string;
  /** Path and query string, for invalidations. */
  path: string;
  /** Lower-cased headers forwarded with the request (Vary reads them). */
  headers: Record<string, string>;
  ttl: TtlPolicy;
  errorTtl?(status: number): number | undefined;
  /** The encoding the edge serves (part of the key); '' for none. */
  encoding: Encoding;
  /** Whether the edge compresses an uncompressed answer in that encoding (the behavior's Compress; default true). */
  compress?: boolean;
  /** false: bypass every cache (CachingDisabled, or a method not cached). */
  cacheable: boolean;
  /** Which Set-Cookie cookies are cached with an answer (LayerRequest.cachesSetCookie). */
  cachesSetCookie?(name: string): boolean;
}

export interface TierReply extends CachedReply {
  edge: string;
  /** What the edge did (X-Cache). */
  result: CacheResult;
  /** What the regional edge cache did, when the edge asked it. */
  shieldResult?: CacheResult;
  /** Simulated round-trip latency this request had, ms. */
  simulatedMs: number;
}

export interface DistributionStats {
  edges: Record<string, LayerStats>;
  shield: LayerStats;
}

const delay = (ms: number) => (ms > 0 ? sleep(ms) : undefined);

export class EdgeNetwork {
  readonly edges: ReadonlyMap<string, { def: EdgeDefinition; cache: HttpCache }>;
  readonly shield: HttpCache;
  readonly defaultEdge: string;
  /** Origin answers longer than this are streamed (the memory tier's largest object). */
  readonly streamAbove: number;
  private readonly originMs: number;
  private readonly byContinent = new Map<Continent, string>();
  private readonly stats = new Map<string, DistributionStats>();

  constructor(opts: EdgeNetworkOptions) {
    const defs = opts.edges?.length ? opts.edges : DEFAULT_EDGES;
    const limits = opts.limits ?? DEFAULT_STORE_LIMITS;
    this.streamAbove = limits.memoryObjectMax;
    const edges = new Map<string, { def: EdgeDefinition; cache: HttpCache }>();
    for (const def of defs) {
      if (!/^[A-Za-z0-9-]{1,32}$/.test(def.name) || edges.has(def.name.toUpperCase())) throw new Error(`edge location ${def.name}: names are 1-32 letters, digits and hyphens, each once`);
      edges.set(def.name.toUpperCase(), { def, cache: new HttpCache(def.name, new ObjectStore(`edge:${def.name}`, opts.dir, limits), opts.clock) });
      if (!this.byContinent.has(def.continent)) this.byContinent.set(def.continent, def.name.toUpperCase());
    }
    this.edges = edges;
    this.defaultEdge = (opts.defaultEdge ?? defs[0]!.name).toUpperCase();
    if (!edges.has(this.defaultEdge)) throw new Error(`default edge ${opts.defaultEdge} is not one of the edge locations`);
    const shieldName = opts.shieldName ?? DEFAULT_SHIELD;
    this.shield = new HttpCache(shieldName, new ObjectStore(`shield:${shieldName}`, opts.dir, limits), opts.clock);
    if (opts.dir) sweepOtherCaches(opts.dir, [...defs.map((d) => `edge:${d.name}`), `shield:${shieldName}`]);
    this.originMs = opts.originMs ?? 0;
  }

  /** The edge a viewer's request goes to (see the module comment). */
  pick(headers: Record<string, string | string[] | undefined>): string {
    const named = headers['x-nimbus-edge'];
    if (typeof named === 'string' && this.edges.has(named.trim().toUpperCase())) return named.trim().toUpperCase();
    const country = headers['cloudfront-viewer-country'];
    const continent = typeof country === 'string' ? CONTINENT_OF.get(country.trim().toUpperCase()) : undefined;
    if (continent) for (const c of NEAREST[continent]) {
      const e = this.byContinent.get(c);
      if (e) return e;
    }
    return this.defaultEdge;
  }

  /** Serves a request at an edge: its cache, then the shield's, then the origin. */
  async serve(edgeName: string, req: TierRequest, origin: Upstream): Promise<TierReply> {
    const edge = this.edges.get(edgeName) ?? this.edges.get(this.defaultEdge)!;
    const stats = this.statsOf(req.distributionId);
    const edgeStats = (stats.edges[edge.def.name] ??= emptyStats());
    const primary = `${req.distributionId}\n${req.encoding}\n${req.key}`;
    const layerReq = { method: req.method, primary, path: req.path, headers: req.headers, ttl: req.ttl, cacheable: req.cacheable, ...(req.errorTtl ? { errorTtl: req.errorTtl } : {}), ...(req.cachesSetCookie ? { cachesSetCookie: req.cachesSetCookie } : {}) };
    let simulatedMs = edge.def.viewerMs ?? 0;
    let shieldResult: CacheResult | undefined;
    const fromOrigin: Upstream = async (conditional) => {
      simulatedMs += this.originMs;
      await delay(this.originMs);
      return origin(conditional);
    };
    const fromShield: Upstream = async (conditional) => {
      simulatedMs += edge.def.shieldMs ?? 0;
      await delay(edge.def.shieldMs ?? 0);
      const r = await this.shield.serve(layerReq, fromOrigin, stats.shield);
      shieldResult = r.result;
      if (Object.keys(conditional).length > 0 && notModified(conditional, r.status, r.headers)) {
        r.stream?.resume(); // the shield's own copy still fills
        return { status: 304, headers: notModifiedHeaders(r.headers), body: Buffer.alloc(0) };
      }
      const encoding = req.compress === false ? '' : req.encoding;
      if (!r.stream && !r.file) return compressReply({ status: r.status, headers: r.headers, body: r.body }, encoding);
      // A streamed body, or one from the shield's disk: passed on as a stream, or, when the edge
      // compresses it (at most 10 MB), read whole and compressed as a smaller answer is.
      const size = r.file ? r.file.size : Number(r.headers['content-length']);
      const source = r.stream ?? r.file!.open(0, size - 1);
      if (compresses(r.status, r.headers, size, encoding)) return compressReply({ status: r.status, headers: r.headers, body: await buffer(source) }, encoding);
      return { status: r.status, headers: { ...r.headers, 'content-length': String(size) }, body: r.body, stream: source };
    };
    if (edge.def.viewerMs) await delay(edge.def.viewerMs);
    const r = await edge.cache.serve(layerReq, fromShield, edgeStats);
    return { status: r.status, headers: r.headers, body: r.body, ...(r.stream ? { stream: r.stream } : {}), ...(r.file ? { file: r.file } : {}), edge: edge.def.name, result: r.result, ...(shieldResult ? { shieldResult } : {}), simulatedMs };
  }

  /**
   * Drops a distribution's cached objects whose path (with its query string) matches one of
   * the invalidation paths, at every edge and at the shield. A path ending in `*` matches
   * every path with that prefix; others match exactly. Returns the objects dropped per cache.
   */
  invalidate(distributionId: string, paths: readonly string[]): Record<string, number> {
    const matchers = paths.map(invalidationMatcher);
    const pick = (path: string) => matchers.some((m) => m(path));
    const prefix = `${distributionId}\n`;
    const out: Record<string, number> = {};
    for (const { def, cache } of this.edges.values()) out[def.name] = cache.invalidateWhere((o) => o.primary.startsWith(prefix) && pick(o.path));
    out[this.shield.name] = this.shield.invalidateWhere((o) => o.primary.startsWith(prefix) && pick(o.path));
    return out;
  }

  /** Drops every object a distribution has in any cache (it was deleted). */
  forget(distributionId: string): void {
    this.invalidate(distributionId, ['/*']);
    this.stats.delete(distributionId);
  }

  statsOf(distributionId: string): DistributionStats {
    let s = this.stats.get(distributionId);
    if (!s) {
      s = { edges: {}, shield: emptyStats() };
      for (const { def } of this.edges.values()) s.edges[def.name] = emptyStats();
      this.stats.set(distributionId, s);
    }
    return s;
  }

  /** The objects and bytes each cache holds (all distributions). */
  occupancy(): Record<string, { objects: number; memoryBytes: number; diskBytes: number }> {
    const out: Record<string, { objects: number; memoryBytes: number; diskBytes: number }> = {};
    for (const { def, cache } of this.edges.values()) out[def.name] = cache.store.stats;
    out[this.shield.name] = this.shield.store.stats;
    return out;
  }

  clear(): void {
    for (const { cache } of this.edges.values()) cache.store.clear();
    this.shield.store.clear();
  }

  /** Drops every cached object of a distribution the predicate refuses (deleted while Nimbus was stopped). */
  retainDistributions(keep: (distributionId: string) => boolean): void {
    const drop = (o: { primary: string }) => !keep(o.primary.slice(0, o.primary.indexOf('\n')));
    for (const { cache } of this.edges.values()) cache.invalidateWhere(drop);
    this.shield.invalidateWhere(drop);
  }

  /** Stops: the memory tiers are let go, the disk tiers' files stay for the next start. */
  close(): void {
    for (const { cache } of this.edges.values()) cache.store.close();
    this.shield.store.close();
  }
}

/** Removes the directories of caches no longer configured (an edge list changed between starts). */
function sweepOtherCaches(root: string, names: string[]): void {
  const mine = new Set(names.map(ObjectStore.dirName));
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return;
  }
  for (const e of entries) if (!mine.has(e)) rmSync(join(root, e), { recursive: true, force: true });
}

/**
 * Edge locations from `NAME:CONTINENT[:viewerMs[:shieldMs]]`, comma-separated (NIMBUS_CDN_EDGES),
 * e.g. `IAD89-C1:NA,FRA56-P1:EU:30:80,NRT57-P2:AS:40:150`; the first is the default edge.
 */
export function parseEdgeList(text: string): EdgeDefinition[] {
  const out: EdgeDefinition[] = [];
  for (const entry of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, continent, viewer, shield, ...rest] = entry.split(':');
    const ms = (v: string | undefined) => (v === undefined || v === '' ? undefined : /^\d{1,5}$/.test(v) ? Number(v) : NaN);
    const viewerMs = ms(viewer);
    const shieldMs = ms(shield);
    if (!name || !/^[A-Za-z0-9-]{1,32}$/.test(name) || !continent || !(continent in CONTINENTS) || rest.length > 0 || Number.isNaN(viewerMs) || Number.isNaN(shieldMs)) {
      throw new Error(`CDN edge list: each entry is NAME:CONTINENT[:viewerMs[:shieldMs]] with CONTINENT one of ${Object.keys(CONTINENTS).join(', ')}; got ${entry}`);
    }
    out.push({ name, continent: continent as Continent, ...(viewerMs !== undefined ? { viewerMs } : {}), ...(shieldMs !== undefined ? { shieldMs } : {}) });
  }
  if (out.length === 0) throw new Error('CDN edge list: at least one edge location');
  return out;
}

/** CloudFront invalidation paths: `*` at the end matches any rest; elsewhere it is literal. */
export function invalidationMatcher(pattern: string): (path: string) => boolean {
  const p = pattern.startsWith('/') ? pattern : `/${pattern}`;
  if (p.endsWith('*')) {
    const prefix = p.slice(0, -1);
    return (path) => path.startsWith(prefix);
  }
  return (path) => path === p;
}
