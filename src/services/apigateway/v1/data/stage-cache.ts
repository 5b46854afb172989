/**
 * Stage caches of REST APIs: with `cacheClusterEnabled` on a stage and `caching/enabled` in its
 * method settings, the integration's answer to a method is kept for `caching/ttlInSeconds`
 * (default 300, at most 3600; 0 turns it off) on the injected clock, and later requests with
 * the same cache key get it without calling the integration. As on AWS:
 *   - the stage-wide setting (`*\/*`) caches GET methods only; other methods need a setting of
 *     their own;
 *   - the cache key is the method and resource plus the values of the integration's
 *     `cacheKeyParameters` (`method.request.querystring.q`, `.header.h`, `.path.p`): other
 *     query strings and headers do not split the cache;
 *   - a request with `Cache-Control: max-age=0` fetches afresh and replaces the entry, if the
 *     caller may (`requireAuthorizationForCacheControl`: a SigV4 signature for execute-api from
 *     the API's own account); otherwise `unauthorizedCacheControlHeaderStrategy` decides;
 *   - only the integration's answers are kept (never a gateway response), each at most 1 MB;
 *   - FlushStageCache empties a stage's cache.
 * The cache lives in this process's memory, bounded per stage in bytes (far below AWS's cache
 * cluster sizes, which are sized for production); it starts empty after a restart.
 */
import type { ApiResponse } from '../../../../server/api.js';
import type { Clock } from '../../../../lib/clock.js';
import type { GatewayDeps, InvokeCall } from '../../deps.js';
import type { MethodSetting } from '../model.js';
import { header, methodArn, methodSettingKey, type Invocation } from './invocation.js';

/** AWS's largest cached answer. */
const MAX_ENTRY_BYTES = 1_048_576;
/** What one stage's cache may hold in this process. */
const MAX_STAGE_BYTES = 16 * 1024 * 1024;
const MAX_STAGES = 1000;
const MAX_TTL_SECONDS = 3600;

interface Entry {
  status: number;
  headers: ApiResponse['headers'];
  body: string | Buffer;
  bytes: number;
  until: number;
}

/** One stage's entries, oldest use first, bounded in bytes. */
class StageCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  get(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    if (now >= e.until) {
      this.bytes -= e.bytes;
      return undefined;
    }
    this.entries.set(key, e);
    return e;
  }

  set(key: string, e: Entry): void {
    this.delete(key);
    while (this.bytes + e.bytes > MAX_STAGE_BYTES && this.entries.size) this.delete(this.entries.keys().next().value!);
    this.entries.set(key, e);
    this.bytes += e.bytes;
  }

  private delete(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.bytes -= old.bytes;
  }
}

/** What the data plane does with one request's cache: answer from it, or call and then keep. */
export type CacheStep =
  | { kind: 'off' }
  | { kind: 'hit'; response: ApiResponse }
  | { kind: 'miss'; keep: (response: ApiResponse) => void; headers?: Record<string, string> }
  | { kind: 'refused'; message: string };

export class StageCaches {
  private readonly stages = new Map<string, StageCache>();

  constructor(private readonly clock: Clock) {}

  /** Empties one stage's cache (FlushStageCache, a stage deleted or its cache turned off). */
  flush(apiId: string, stageName: string): void {
    this.stages.delete(`${apiId}/${stageName}`);
  }

  lookup(inv: Invocation, call: InvokeCall): CacheStep {
    const setting = settingOf(inv);
    if (!inv.stage.cacheClusterEnabled || !setting?.cachingEnabled) return { kind: 'off' };
    const ttl = Math.min(setting.cacheTtlInSeconds ?? 300, MAX_TTL_SECONDS);
    if (!(ttl > 0)) return { kind: 'off' };
    const stageKey = `${inv.api.id}/${inv.stage.stageName}`;
    let cache = this.stages.get(stageKey);
    if (!cache) {
      cache = new StageCache();
      this.stages.set(stageKey, cache);
      if (this.stages.size > MAX_STAGES) this.stages.delete(this.stages.keys().next().value!);
    }
    const key = cacheKey(inv);
    const now = this.clock.now();
    const keep = (res: ApiResponse) => {
      if (typeof res.body !== 'string' && !Buffer.isBuffer(res.body)) return;
      const bytes = Buffer.byteLength(res.body) + key.length;
      if (bytes > MAX_ENTRY_BYTES) return;
      cache.set(key, { status: res.status, headers: { ...res.headers }, body: res.body, bytes, until: this.clock.now() + ttl * 1000 });
    };
    if (wantsFresh(inv)) {
      if (!setting.requireAuthorizationForCacheControl || mayInvalidate(inv, call)) return { kind: 'miss', keep };
      const strategy = setting.unauthorizedCacheControlHeaderStrategy ?? 'SUCCEED_WITH_RESPONSE_HEADER';
      if (strategy === 'FAIL_WITH_403') {
        const user = inv.caller ? `arn:aws:iam::${inv.caller.accountId}:root` : 'anonymous';
        return { kind: 'refused', message: `User: ${user} is not authorized to perform: execute-api:InvalidateCache on resource: ${methodArn(inv, inv.path)}` };
      }
      // The header is ignored: the request is answered as any other (from the cache if it can be).
      const hit = cache.get(key, now);
      const warning = strategy === 'SUCCEED_WITH_RESPONSE_HEADER' ? { warning: '199 "Cache-Control header ignored: the caller is not authorized to invalidate the cache"' } : undefined;
      if (hit) return { kind: 'hit', response: { status: hit.status, headers: { ...hit.headers, ...warning }, body: hit.body } };
      return { kind: 'miss', keep, ...(warning ? { headers: warning } : {}) };
    }
    const hit = cache.get(key, now);
    if (hit) return { kind: 'hit', response: { status: hit.status, headers: { ...hit.headers }, body: hit.body } };
    return { kind: 'miss', keep };
  }
}

const caches = new WeakMap<GatewayDeps, StageCaches>();

/** The stage caches of this Nimbus (the data plane answers from them; FlushStageCache empties them). */
export function stageCaches(deps: GatewayDeps): StageCaches {
  let c = caches.get(deps);
  if (!c) caches.set(deps, (c = new StageCaches(deps.clock)));
  return c;
}

/** The method's own caching setting, or the stage-wide one, which caches GET methods only. */
function settingOf(inv: Invocation): MethodSetting | undefined {
  const settings = inv.stage.methodSettings;
  const own = settings[methodSettingKey(inv.resource.path, inv.req.method)] ?? settings[methodSettingKey(inv.resource.path, '*')];
  if (own) return own;
  return inv.req.method === 'GET' ? settings['*/*'] : undefined;
}

/** The method, the resource and the values of the integration's cache key parameters. */
function cacheKey(inv: Invocation): string {
  const parts = [inv.resource.id, inv.req.method];
  for (const p of inv.method.methodIntegration?.cacheKeyParameters ?? []) {
    const m = /^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.(.+)$/.exec(p);
    if (!m) continue;
    const name = m[2]!;
    const value =
      m[1] === 'path' ? inv.pathParameters[name] : m[1] === 'querystring' ? inv.query.get(name) : m[1] === 'multivaluequerystring' ? inv.query.getAll(name).join(',') : header(inv.req, name.toLowerCase());
    parts.push(`${p}=${value ?? ''}`);
  }
  return JSON.stringify(parts);
}

function wantsFresh(inv: Invocation): boolean {
  const cc = header(inv.req, 'cache-control');
  return !!cc && /(?:^|,)\s*max-age\s*=\s*0\s*(?:,|$)/i.test(cc);
}

/** A SigV4 signature for execute-api by the API's own account may invalidate its cache. */
function mayInvalidate(inv: Invocation, call: InvokeCall): boolean {
  if (inv.caller) return inv.caller.accountId === inv.api.accountId;
  if (!header(inv.req, 'authorization') && !inv.query.has('X-Amz-Signature')) return false;
  try {
    const identity = call.verify();
    if (identity.service !== 'execute-api') return false;
    inv.caller = { accountId: identity.accountId, accessKeyId: identity.accessKeyId };
    return identity.accountId === inv.api.accountId;
  } catch {
    return false;
  }
}
