/**
 * CloudFront's data plane: a distribution served at `{id}.cloudfront.localhost:<port>`, at its
 * DomainName `{id}.cloudfront.net` and at each of its alternate domain names (Aliases; a Host
 * header naming one reaches Nimbus; `*.example.com` covers one label), and path-style at
 * `/_nimbus/cloudfront/{id}/...`, through the edge network (tiers.ts).
 *
 * A viewer request, in CloudFront's order: the distribution is enabled; geo restriction (by
 * `CloudFront-Viewer-Country`) answers 403; the cache behavior is the first whose PathPattern
 * matches; its viewer protocol policy (the scheme is `X-Forwarded-Proto`, else http) redirects
 * or refuses plain HTTP; its AllowedMethods; its trusted key groups' signed URL or cookie; the
 * default root object for `/`; then the cache key and origin request from its policies, the
 * edge, the regional edge cache, the origin (or the origin group's members, failing over on the
 * group's status codes or no answer), custom error responses, and the viewer's conditional and
 * Range headers.
 *
 * Statistics per distribution and per edge are read, signed by the distribution's account, at
 * `GET /_nimbus/cloudfront-stats/{id}` (JSON).
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../../lib/clock.js';
import type { Logger } from '../../../lib/log.js';
import type { OutboundGuard } from '../../../lib/outbound.js';
import type { Credentials, SigV4Identity } from '../../../protocols/sigv4.js';
import type { ApiRequest, ApiResponse } from '../../../server/api.js';
import type { EndpointMatch, HostRoute } from '../../service.js';
import type { CachePolicyConfig, CloudFrontCatalog, DefaultCacheBehavior, Origin, OriginRequestPolicyConfig, StoredDistribution } from '../model.js';
import type { Upstream, UpstreamReply } from './http-cache.js';
import { fetchOrigin, OriginUnreachable, type OriginTarget } from './origin.js';
import { keyPlan, pickCookies, pickHeaders, pickQuery, picks, type KeyPlan, type Selection } from './request-keys.js';
import { applyResponseHeadersPolicy } from './response-headers.js';
import { stripSigningParams, verifySignedRequest } from './signed.js';
import { EdgeNetwork, type TierReply } from './tiers.js';
import { chooseEncoding, forViewer, originAcceptEncoding } from './viewer.js';

export const PATH_STYLE_PREFIX = '/_nimbus/cloudfront';
export const STATS_PREFIX = '/_nimbus/cloudfront-stats';

export interface DataPlaneDeps {
  catalog: CloudFrontCatalog;
  network: EdgeNetwork;
  clock: Clock;
  log: Logger;
  outbound: OutboundGuard;
  endpoint(): string;
  serviceCredentials?(principalService: string): Credentials;
  region: string;
  /** The largest origin answer read (bytes). */
  maxOriginBytes?: number;
}

const ID = /^[A-Z0-9]{1,32}$/;

/**
 * X-Amz-Cf-Id: 56 URL-safe characters, unique per request: a random prefix drawn once per
 * process and a counter (randomBytes per request costs more than the rest of a cache hit).
 */
const CF_ID_PREFIX = randomBytes(33).toString('base64url').slice(0, 44);
let cfSeq = 0;
function nextCfId(): string {
  cfSeq = (cfSeq + 1) % 2 ** 48;
  return CF_ID_PREFIX + cfSeq.toString(36).padStart(12, '0');
}

/** A behavior's key plan, kept while the behavior and its policies are the same objects (they are replaced on change). */
const plans = new WeakMap<object, { cache: object | undefined; origin: object | undefined; plan: KeyPlan }>();
function planOf(behavior: DefaultCacheBehavior, cachePolicy: CachePolicyConfig | undefined, originPolicy: OriginRequestPolicyConfig | undefined): KeyPlan {
  const known = plans.get(behavior);
  if (known && known.cache === cachePolicy && known.origin === originPolicy) return known.plan;
  const plan = keyPlan(behavior, cachePolicy, originPolicy);
  plans.set(behavior, { cache: cachePolicy, origin: originPolicy, plan });
  return plan;
}

export class CloudFrontDataPlane {
  constructor(private readonly deps: DataPlaneDeps) {
    deps.catalog.setInvalidationHook((inv, dist) => {
      deps.network.invalidate(dist.id, inv.batch.Paths.Items ?? []);
      void deps.catalog.completeInvalidation(inv.id).catch((e) => deps.log.error('completing an invalidation failed', { error: String(e), invalidation: inv.id }));
    });
    // The disk tiers survive a restart: what was invalidated or deleted while Nimbus was stopped
    // (or before it finished) is dropped before the first request.
    deps.network.retainDistributions((id) => deps.catalog.distribution(id) !== undefined);
    for (const inv of deps.catalog.pendingInvalidations()) {
      deps.network.invalidate(inv.distributionId, inv.batch.Paths.Items ?? []);
      void deps.catalog.completeInvalidation(inv.id).catch(() => undefined);
    }
    deps.catalog.onChange((doc, deleted) => {
      if (doc.kind === 'distribution' && deleted) deps.network.forget(doc.id);
    });
  }

  hosts(): HostRoute[] {
    const byId = (pathStyle: boolean) => (req: ApiRequest, match: EndpointMatch) => {
      const id = (match.labels.distributionId ?? '').toUpperCase();
      const dist = ID.test(id) ? this.deps.catalog.distribution(id) : undefined;
      if (!dist) return Promise.resolve(noSuchDistribution());
      return this.handle(req, dist, match.path || '/', pathStyle);
    };
    // An alternate domain name (Aliases): the router asks only for hosts no pattern matched.
    const byAlias = (req: ApiRequest, match: EndpointMatch) => {
      const dist = this.deps.catalog.distributionByDomainName(header(req.headers.host) ?? '');
      if (!dist) return Promise.resolve(noSuchDistribution());
      return this.handle(req, dist, match.path || '/', false);
    };
    const stats = (req: ApiRequest, match: EndpointMatch, verify: () => SigV4Identity) => Promise.resolve(this.stats(req, match, verify));
    return [
      { host: '{distributionId}.cloudfront.localhost', http: byId(false) },
      { pathStyle: `${PATH_STYLE_PREFIX}/{distributionId}`, http: byId(true) },
      { host: '{distributionId}.cloudfront.net', http: byId(false) },
      { claimsHost: (name) => this.deps.catalog.distributionByDomainName(name) !== undefined, http: byAlias },
      { pathStyle: `${STATS_PREFIX}/{distributionId}`, http: stats },
    ];
  }

  private stats(req: ApiRequest, match: EndpointMatch, verify: () => SigV4Identity): ApiResponse {
    let identity: SigV4Identity;
    try {
      identity = verify();
    } catch {
      return json(403, { message: 'The request must be signed by the distribution\'s account (SigV4).' });
    }
    const id = (match.labels.distributionId ?? '').toUpperCase();
    const dist = ID.test(id) ? this.deps.catalog.distribution(id) : undefined;
    if (req.method !== 'GET') return json(405, { message: 'Method Not Allowed' });
    if (!dist || dist.accountId !== identity.accountId) return json(404, { message: `The specified distribution does not exist: ${id}` });
    const s = this.deps.network.statsOf(dist.id);
    const sum = (k: keyof typeof s.shield) => Object.values(s.edges).reduce((n, e) => n + e[k], 0);
    return json(200, {
      distributionId: dist.id,
      requests: sum('requests'),
      hits: sum('hits') ,
      refreshHits: sum('refreshHits'),
      misses: sum('misses'),
      bytesFromCache: sum('bytesFromCache'),
      bytesFromOrigin: s.shield.bytesFromUpstream,
      originRequests: s.shield.upstreamRequests,
      originLatencyMs: Math.round(s.shield.upstreamLatencyMs * 1000) / 1000,
      edges: s.edges,
      shield: { name: this.deps.network.shield.name, ...s.shield },
    });
  }

  async handle(req: ApiRequest, dist: StoredDistribution, path: string, pathStyle: boolean): Promise<ApiResponse> {
    const { catalog, network } = this.deps;
    const cfg = dist.config;
    const cfId = nextCfId();
    const edge = network.pick(req.headers);
    const finish = (r: ApiResponse, cache: string) => withCfHeaders(r, cache, edge, cfId);
    if (!cfg.Enabled) return finish(errorPage(403, 'The request could not be satisfied.', 'This distribution is not enabled.'), 'Error');
    const geo = cfg.Restrictions?.GeoRestriction;
    if (geo && geo.RestrictionType !== 'none') {
      const country = header(req.headers['cloudfront-viewer-country'])?.toUpperCase();
      const listed = country !== undefined && (geo.Items ?? []).includes(country);
      if (geo.RestrictionType === 'whitelist' ? !listed : listed) {
        return finish(errorPage(403, 'The request could not be satisfied.', 'The Amazon CloudFront distribution is configured to block access from your country.'), 'Error');
      }
    }
    const behavior = catalog.behaviorFor(dist, path);
    const proto = header(req.headers['x-forwarded-proto']) === 'https' ? 'https' : 'http';
    const host = header(req.headers.host) ?? dist.domainName;
    const viewerBase = pathStyle ? `${proto}://${host}${PATH_STYLE_PREFIX}/${dist.id}` : `${proto}://${host}`;
    if (proto === 'http' && behavior.ViewerProtocolPolicy === 'redirect-to-https') {
      return finish({ status: 301, headers: { location: `https://${host}${pathStyle ? `${PATH_STYLE_PREFIX}/${dist.id}` : ''}${path}${req.query ? `?${req.query}` : ''}`, 'content-type': 'text/html', server: 'CloudFront' }, body: '' }, 'Redirect');
    }
    if (proto === 'http' && behavior.ViewerProtocolPolicy === 'https-only') {
      return finish(errorPage(403, 'The request could not be satisfied.', 'Bad request. This distribution only serves HTTPS.'), 'Error');
    }
    const allowed = behavior.AllowedMethods?.Items ?? ['GET', 'HEAD'];
    if (!allowed.includes(req.method)) return finish(errorPage(403, 'The request could not be satisfied.', 'This distribution is not configured to allow the HTTP request method that was used for this request.'), 'Error');

    if (behavior.TrustedKeyGroups?.Enabled && (behavior.TrustedKeyGroups.Items?.length ?? 0) > 0) {
      const keys = catalog.trustedPublicKeys(dist, behavior);
      const rest = stripSigningParams(req.query);
      const suffix = `${path}${rest ? `?${rest}` : ''}`;
      const hosts = [...new Set([host, host.replace(/:\d+$/, ''), dist.domainName])];
      const urls = hosts.flatMap((h) => [`https://${h}${suffix}`, `http://${h}${suffix}`]);
      if (pathStyle) urls.push(`${viewerBase}${suffix}`);
      const denial = verifySignedRequest({
        query: req.query,
        cookie: header(req.headers.cookie),
        urls,
        sourceIp: req.sourceIp,
        now: Math.floor(this.deps.clock.now() / 1000),
        keyFor: (id) => keys.get(id)?.encodedKey,
      });
      if (denial) return finish(xmlError(403, denial.code, denial.message), 'Error');
    }

    const viewerPath = path === '/' && cfg.DefaultRootObject ? `/${cfg.DefaultRootObject.replace(/^\/+/, '')}` : path;
    const first = await this.fetchThrough(req, dist, behavior, viewerPath, edge, cfId);
    let reply: TierReply | ApiResponse = first;
    // Custom error responses: another page (fetched through the cache as any object) and/or another status.
    const custom = 'result' in first ? cfg.CustomErrorResponses?.Items?.find((c) => c.ErrorCode === first.status) : undefined;
    const code = custom?.ResponseCode && /^[1-5]\d\d$/.test(custom.ResponseCode) ? Number(custom.ResponseCode) : undefined;
    if (custom?.ResponsePagePath && 'result' in first) {
      const page = await this.fetchThrough({ ...req, method: 'GET', query: '', headers: { ...req.headers, range: undefined, 'if-none-match': undefined, 'if-modified-since': undefined } }, dist, catalog.behaviorFor(dist, custom.ResponsePagePath), custom.ResponsePagePath, edge, cfId);
      if ('result' in page && page.status < 400) reply = { ...page, status: code ?? first.status };
      else if (code) reply = { ...first, status: code };
    } else if (code && 'result' in first) {
      reply = { ...first, status: code };
    }
    if (!('result' in reply)) return finish(reply, 'Error');
    const shown = forViewer({ method: req.method, headers: lowerHeaders(req.headers) }, reply);
    const out: Record<string, string> = {};
    // Set-Cookie reaches the viewer only when the behavior forwards cookies (CloudFront removes it otherwise).
    const setCookie = reply.headers['set-cookie'];
    const forwardsCookies = setCookie !== undefined && this.forwardsCookies(dist, behavior);
    for (const [k, v] of Object.entries(shown.headers)) if (k !== 'set-cookie' && k !== 'transfer-encoding' && k !== 'connection' && !k.startsWith('x-amz-cf-') && k !== 'x-cache' && k !== 'via') out[k] = v;
    const rhp = behavior.ResponseHeadersPolicyId ? catalog.responseHeadersPolicy(dist, behavior.ResponseHeadersPolicyId) : undefined;
    if (rhp) applyResponseHeadersPolicy(rhp, req.method, header(req.headers.origin), out);
    if (reply.shieldResult) out['x-nimbus-shield-cache'] = `${reply.shieldResult} from cloudfront`;
    out['x-nimbus-simulated-latency-ms'] = String(reply.simulatedMs);
    const cache = reply.status >= 400 && reply.result === 'Miss' ? 'Error' : reply.result;
    return finish({ status: shown.status, headers: out, ...(forwardsCookies ? { repeated: { 'set-cookie': setCookie.split('\n') } } : {}), body: shown.body }, cache);
  }

  /** Whether a behavior forwards any cookie to its origin (its cache and origin request policies, or legacy ForwardedValues). */
  private forwardsCookies(dist: StoredDistribution, behavior: DefaultCacheBehavior): boolean {
    const { catalog } = this.deps;
    const cachePolicy = behavior.CachePolicyId ? catalog.cachePolicy(dist, behavior.CachePolicyId) : undefined;
    const originPolicy = behavior.OriginRequestPolicyId ? catalog.originRequestPolicy(dist, behavior.OriginRequestPolicyId) : undefined;
    return planOf(behavior, cachePolicy, originPolicy).forward.cookies.behavior !== 'none';
  }

  /** One object through the edge: cache key, origin request, tiers; an unreachable origin is a 502/504 page. */
  private async fetchThrough(req: ApiRequest, dist: StoredDistribution, behavior: DefaultCacheBehavior, path: string, edge: string, cfId: string): Promise<TierReply | ApiResponse> {
    const { catalog } = this.deps;
    const viewerHeaders = lowerHeaders(req.headers);
    const cachePolicy = behavior.CachePolicyId ? catalog.cachePolicy(dist, behavior.CachePolicyId) : undefined;
    const originPolicy = behavior.OriginRequestPolicyId ? catalog.originRequestPolicy(dist, behavior.OriginRequestPolicyId) : undefined;
    const plan = planOf(behavior, cachePolicy, originPolicy);
    const signingDrop = behavior.TrustedKeyGroups?.Enabled ? (n: string) => n === 'Expires' || n === 'Signature' || n === 'Key-Pair-Id' || n === 'Policy' : undefined;
    const keyQuery = pickQuery(req.query, plan.key.query, signingDrop);
    const keyHeaders = pickHeaders(req.headers, plan.key.headers);
    const keyCookies = pickCookies(header(req.headers.cookie), plan.key.cookies);
    const encoding = chooseEncoding(header(req.headers['accept-encoding']), plan.gzip, plan.brotli);
    const key = `${path}\n${keyQuery ? keyQuery.split('&').sort().join('&') : ''}\n${headerKey(keyHeaders)}\n${keyCookies}`;
    const forwardCookies = plan.forward.cookies.behavior === 'none' ? '' : pickCookies(header(req.headers.cookie), plan.forward.cookies);
    const cacheableMethod = req.method === 'GET' || req.method === 'HEAD';
    const cacheable = cacheableMethod && !(plan.ttl.maxTtl === 0 && plan.ttl.defaultTtl === 0 && plan.ttl.minTtl === 0);
    // The origin request is built only when an upstream is asked (never on an edge hit).
    const origin: Upstream = (conditional) => {
      const forwardHeaders = pickHeaders(req.headers, plan.forward.headers);
      const originHeaders: Record<string, string> = {
        ...forwardHeaders,
        'user-agent': forwardHeaders['user-agent'] ?? 'Amazon CloudFront',
        via: viaOf(cfId),
        'x-amz-cf-id': cfId,
      };
      const ae = originAcceptEncoding(encoding, plan.gzip);
      if (ae) originHeaders['accept-encoding'] = ae;
      if (forwardCookies) originHeaders.cookie = forwardCookies;
      return this.fromOrigin(dist, behavior.TargetOriginId, {
        method: cacheableMethod ? 'GET' : req.method,
        path,
        query: pickQuery(req.query, plan.forward.query, signingDrop),
        headers: { ...originHeaders, ...conditional },
        ...(cacheableMethod ? {} : { body: req.body }),
      });
    };
    const errorTtl = (status: number) => dist.config.CustomErrorResponses?.Items?.find((c) => c.ErrorCode === status)?.ErrorCachingMinTTL;
    try {
      return await this.deps.network.serve(
        edge,
        {
          distributionId: dist.id,
          method: req.method,
          key,
          path: `${path}${keyQuery ? `?${keyQuery}` : ''}`,
          headers: viewerHeaders,
          ttl: plan.ttl,
          errorTtl,
          encoding,
          compress: behavior.Compress ?? false,
          cacheable,
          ...setCookieRule(plan.forward.cookies, forwardCookies),
        },
        origin,
      );
    } catch (e) {
      if (e instanceof OriginUnreachable) {
        return e.timedOut
          ? errorPage(504, 'The request could not be satisfied.', 'CloudFront attempted to establish a connection with the origin, but either the attempt failed or the origin closed the connection.')
          : errorPage(502, 'The request could not be satisfied.', 'CloudFront wasn\'t able to connect to the origin.');
      }
      throw e;
    }
  }

  /** The answer of an origin, or of an origin group's members in turn (failover). */
  private async fromOrigin(dist: StoredDistribution, targetId: string, req: Parameters<typeof fetchOrigin>[2]): Promise<UpstreamReply> {
    const group = dist.config.OriginGroups?.Items?.find((g) => g.Id === targetId);
    if (!group) return this.originRequest(dist, targetId, req);
    const members = group.Members.Items?.map((m) => m.OriginId) ?? [];
    const failOn = new Set(group.FailoverCriteria.StatusCodes.Items ?? []);
    let last: UpstreamReply | undefined;
    let error: unknown;
    for (const [i, id] of members.entries()) {
      // Failover is for GET, HEAD and OPTIONS only.
      if (i > 0 && !['GET', 'HEAD', 'OPTIONS'].includes(req.method)) break;
      try {
        last = await this.originRequest(dist, id, req);
        if (!failOn.has(last.status)) return last;
      } catch (e) {
        if (!(e instanceof OriginUnreachable)) throw e;
        error = e;
      }
    }
    if (last) return last;
    throw error ?? new OriginUnreachable('the origin group has no members');
  }

  private originRequest(dist: StoredDistribution, originId: string, req: Parameters<typeof fetchOrigin>[2]): Promise<UpstreamReply> {
    const origin = dist.config.Origins.Items?.find((o) => o.Id === originId);
    if (!origin) return Promise.reject(new OriginUnreachable(`no origin ${originId}`));
    return fetchOrigin(
      {
        outbound: this.deps.outbound,
        endpoint: this.deps.endpoint,
        ...(this.deps.serviceCredentials ? { serviceCredentials: this.deps.serviceCredentials } : {}),
        now: () => this.deps.clock.now(),
        maxBodyBytes: this.deps.maxOriginBytes ?? 256 * 1024 * 1024,
      },
      this.target(dist, origin),
      req,
    );
  }

  private target(dist: StoredDistribution, o: Origin): OriginTarget {
    const custom = o.CustomOriginConfig;
    const policy = custom?.OriginProtocolPolicy ?? 'https-only';
    const oac = o.OriginAccessControlId ? this.deps.catalog.originAccessControl(dist, o.OriginAccessControlId) : undefined;
    const signs = oac && oac.SigningBehavior !== 'never' && oac.OriginAccessControlOriginType === 's3';
    return {
      domainName: o.DomainName,
      originPath: (o.OriginPath ?? '').replace(/\/+$/, ''),
      protocol: custom ? (policy === 'http-only' ? 'http' : 'https') : 'https',
      httpPort: custom?.HTTPPort ?? 80,
      httpsPort: custom?.HTTPSPort ?? 443,
      customHeaders: Object.fromEntries((o.CustomHeaders?.Items ?? []).map((h) => [h.HeaderName, h.HeaderValue])),
      connectTimeoutMs: (o.ConnectionTimeout ?? 10) * 1000,
      readTimeoutMs: (custom?.OriginReadTimeout ?? o.S3OriginConfig?.OriginReadTimeout ?? 30) * 1000,
      ...(signs ? { signAs: { sourceArn: dist.arn, sourceAccount: dist.accountId, region: this.deps.region } } : {}),
    };
  }
}

/**
 * Which Set-Cookie cookies are cached with an answer, as CloudFront documents for its cookie
 * forwarding: with a list (whitelist, allExcept), the cookies it picks; with all, the cookies the
 * viewer's request carried; with none, no Set-Cookie at all (nor is it passed to the viewer).
 */
function setCookieRule(forward: Selection, forwardedCookies: string): { cachesSetCookie?(name: string): boolean } {
  if (forward.behavior === 'none') return {};
  if (forward.behavior === 'whitelist' || forward.behavior === 'allExcept') return { cachesSetCookie: (name) => picks(forward, name) };
  const sent = new Set(forwardedCookies.split('; ').map((c) => c.slice(0, Math.max(0, c.indexOf('=')))));
  return { cachesSetCookie: (name) => sent.has(name) };
}

function noSuchDistribution(): ApiResponse {
  return errorPage(404, 'The request could not be satisfied.', 'Bad request: no distribution has this domain name.');
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The cache key's part for the picked headers (sorted by name). */
function headerKey(h: Record<string, string>): string {
  const names = Object.keys(h);
  if (names.length === 0) return '';
  return names
    .sort()
    .map((k) => `${k}:${h[k]}`)
    .join('\n');
}

/** Lower-cased, single-valued request headers; node:http's own (already so, most of the time) are used as they are. */
function lowerHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  let plain = true;
  for (const k in h) {
    const v = h[k];
    if (typeof v !== 'string' || k.toLowerCase() !== k) {
      plain = false;
      break;
    }
  }
  if (plain) return h as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function withCfHeaders(r: ApiResponse, cache: string, edge: string, cfId: string): ApiResponse {
  const h = r.headers;
  h['x-cache'] = `${cache} from cloudfront`;
  h.via = viaOf(cfId);
  h['x-amz-cf-pop'] = edge;
  h['x-amz-cf-id'] = cfId;
  return r;
}

/** `1.1 <hex-like id>.cloudfront.net (CloudFront)`, from the request's id. */
function viaOf(cfId: string): string {
  return `1.1 ${cfId.slice(12, 44).toLowerCase().replace(/[^a-z0-9]/g, '0')}.cloudfront.net (CloudFront)`;
}

function json(status: number, body: unknown): ApiResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** CloudFront's own error page (HTML, as it answers errors it generates). */
export function errorPage(status: number, title: string, detail: string): ApiResponse {
  const body = `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<HTML><HEAD><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1">
<TITLE>ERROR: ${title.replace(/\.$/, '')}</TITLE>
</HEAD><BODY>
<H1>${status} ERROR</H1>
<H2>${title}</H2>
<HR noshade size="1px">
${detail}
</BODY></HTML>`;
  return { status, headers: { 'content-type': 'text/html', server: 'CloudFront' }, body };
}

/** The XML error CloudFront answers a refused signed request with. */
function xmlError(status: number, code: string, message: string): ApiResponse {
  return { status, headers: { 'content-type': 'text/xml', server: 'CloudFront' }, body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>` };
}
