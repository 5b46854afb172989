/**
 * Policy configs as CloudFront accepts them (in its words: InvalidArgument, InconsistentQuantities,
 * ...), completed with the defaults it answers back.
 */
import { InvalidArgument } from '../errors.js';
import { checkQuantities } from '../operations/common.js';
import type { CachePolicyConfig, OriginRequestPolicyConfig, ResponseHeadersPolicyConfig } from '../shapes.js';

const YEAR = 31536000;
const MAX_KEY_ITEMS = 10;
const NAME = /^[A-Za-z0-9_-]{1,128}$/;

function checkName(name: string, comment: string | undefined): void {
  if (!NAME.test(name)) throw new InvalidArgument(`The parameter Name is invalid: ${name}. It can contain only letters, numbers, hyphens and underscores, up to 128 characters.`);
  if ((comment ?? '').length > 128) throw new InvalidArgument('The parameter Comment is too long.');
}

/** A behavior (HeaderBehavior, ...) and its list: `whitelist`/`allExcept` need items, the others take none. */
function checkList(what: string, behavior: string, allowed: string[], list: { Quantity: number; Items?: string[] } | undefined, max?: number): void {
  if (!allowed.includes(behavior)) throw new InvalidArgument(`The parameter ${what}Behavior is invalid: ${behavior}`);
  const n = list?.Items?.length ?? 0;
  const needs = behavior === 'whitelist' || behavior === 'allExcept' || behavior === 'allViewerAndWhitelistCloudFront';
  if (needs && n === 0) throw new InvalidArgument(`The parameter ${what}s must contain at least one item when ${what}Behavior is ${behavior}.`);
  if (!needs && n > 0) throw new InvalidArgument(`The parameter ${what}s cannot be specified when ${what}Behavior is ${behavior}.`);
  if (max !== undefined && n > max) throw new InvalidArgument(`The number of ${what.toLowerCase()}s in the policy exceeds the maximum.`);
}

export function checkCachePolicy(input: CachePolicyConfig): CachePolicyConfig {
  checkQuantities(input);
  checkName(input.Name, input.Comment);
  const min = input.MinTTL;
  const def = input.DefaultTTL ?? Math.max(86400, min);
  const max = input.MaxTTL ?? Math.max(YEAR, def);
  if (min < 0 || def < 0 || max < 0 || min > def || def > max) throw new InvalidArgument('The TTL values are invalid: MinTTL must be at most DefaultTTL, which must be at most MaxTTL.');
  const p = input.ParametersInCacheKeyAndForwardedToOrigin;
  if (!p) throw new InvalidArgument('The parameter ParametersInCacheKeyAndForwardedToOrigin is required.');
  checkList('Header', p.HeadersConfig.HeaderBehavior, ['none', 'whitelist'], p.HeadersConfig.Headers, MAX_KEY_ITEMS);
  checkList('Cookie', p.CookiesConfig.CookieBehavior, ['none', 'whitelist', 'allExcept', 'all'], p.CookiesConfig.Cookies, MAX_KEY_ITEMS);
  checkList('QueryString', p.QueryStringsConfig.QueryStringBehavior, ['none', 'whitelist', 'allExcept', 'all'], p.QueryStringsConfig.QueryStrings, MAX_KEY_ITEMS);
  if (max === 0 && (p.EnableAcceptEncodingGzip || p.EnableAcceptEncodingBrotli || p.HeadersConfig.HeaderBehavior !== 'none' || p.CookiesConfig.CookieBehavior !== 'none' || p.QueryStringsConfig.QueryStringBehavior !== 'none')) {
    throw new InvalidArgument('The cache policy cannot include values in the cache key, or enable compression, when caching is disabled (MaxTTL 0).');
  }
  return {
    ...input,
    Comment: input.Comment ?? '',
    DefaultTTL: def,
    MaxTTL: max,
    ParametersInCacheKeyAndForwardedToOrigin: { ...p, EnableAcceptEncodingBrotli: p.EnableAcceptEncodingBrotli ?? false },
  };
}

export function checkOriginRequestPolicy(input: OriginRequestPolicyConfig): OriginRequestPolicyConfig {
  checkQuantities(input);
  checkName(input.Name, input.Comment);
  checkList('Header', input.HeadersConfig.HeaderBehavior, ['none', 'whitelist', 'allViewer', 'allViewerAndWhitelistCloudFront', 'allExcept'], input.HeadersConfig.Headers);
  checkList('Cookie', input.CookiesConfig.CookieBehavior, ['none', 'whitelist', 'all', 'allExcept'], input.CookiesConfig.Cookies);
  checkList('QueryString', input.QueryStringsConfig.QueryStringBehavior, ['none', 'whitelist', 'all', 'allExcept'], input.QueryStringsConfig.QueryStrings);
  return { ...input, Comment: input.Comment ?? '' };
}

const CORS_METHODS = ['GET', 'POST', 'OPTIONS', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'ALL'];
const FRAME_OPTIONS = ['DENY', 'SAMEORIGIN'];
const REFERRER_POLICIES = [
  'no-referrer',
  'no-referrer-when-downgrade',
  'origin',
  'origin-when-cross-origin',
  'same-origin',
  'strict-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
];
/** Headers a response headers policy may not add or remove itself (CloudFront sets them). */
const RESERVED = ['connection', 'content-length', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailers', 'transfer-encoding', 'upgrade', 'via', 'warning', 'x-cache', 'x-amz-cf-id', 'x-amz-cf-pop'];

export function checkResponseHeadersPolicy(input: ResponseHeadersPolicyConfig): ResponseHeadersPolicyConfig {
  checkQuantities(input);
  checkName(input.Name, input.Comment);
  const cors = input.CorsConfig;
  if (cors) {
    for (const m of cors.AccessControlAllowMethods.Items ?? []) if (!CORS_METHODS.includes(m)) throw new InvalidArgument(`The parameter AccessControlAllowMethods contains an invalid value: ${m}`);
    if ((cors.AccessControlAllowOrigins.Items ?? []).length === 0) throw new InvalidArgument('The parameter AccessControlAllowOrigins must contain at least one origin.');
    if (cors.AccessControlAllowCredentials && (cors.AccessControlAllowOrigins.Items ?? []).includes('*')) {
      throw new InvalidArgument('The parameter AccessControlAllowOrigins cannot contain * when AccessControlAllowCredentials is true.');
    }
    if (cors.AccessControlMaxAgeSec !== undefined && cors.AccessControlMaxAgeSec < 0) throw new InvalidArgument('The parameter AccessControlMaxAgeSec is invalid.');
  }
  const sec = input.SecurityHeadersConfig;
  if (sec?.FrameOptions && !FRAME_OPTIONS.includes(sec.FrameOptions.FrameOption)) throw new InvalidArgument(`The parameter FrameOption is invalid: ${sec.FrameOptions.FrameOption}`);
  if (sec?.ReferrerPolicy && !REFERRER_POLICIES.includes(sec.ReferrerPolicy.ReferrerPolicy)) throw new InvalidArgument(`The parameter ReferrerPolicy is invalid: ${sec.ReferrerPolicy.ReferrerPolicy}`);
  const timing = input.ServerTimingHeadersConfig;
  if (timing?.SamplingRate !== undefined) {
    const rate = Number(timing.SamplingRate);
    if (!Number.isFinite(rate) || rate < 0 || rate > 100) throw new InvalidArgument('The parameter SamplingRate must be between 0 and 100.');
  }
  const seen = new Set<string>();
  for (const h of [...(input.CustomHeadersConfig?.Items ?? []).map((x) => x.Header), ...(input.RemoveHeadersConfig?.Items ?? []).map((x) => x.Header)]) {
    const name = h.toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) throw new InvalidArgument(`The header name is invalid: ${h}`);
    if (RESERVED.includes(name)) throw new InvalidArgument(`The header ${h} cannot be set or removed by a response headers policy.`);
    if (seen.has(name)) throw new InvalidArgument(`The header ${h} is specified more than once.`);
    seen.add(name);
  }
  return { ...input, Comment: input.Comment ?? '' };
}
