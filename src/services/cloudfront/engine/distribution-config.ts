/**
 * A DistributionConfig as CloudFront accepts it: checked in CloudFront's words (each refusal an
 * error code its API reference lists for CreateDistribution and UpdateDistribution), then
 * completed with the defaults CloudFront fills in and answers back (empty lists as
 * `{ Quantity: 0 }`, origin timeouts, allowed methods, the default certificate, ...), so Get
 * answers what AWS would and the data plane finds every member present.
 */
import {
  CNAMEAlreadyExists,
  InvalidArgument,
  InvalidDefaultRootObject,
  InvalidErrorCode,
  InvalidGeoRestrictionParameter,
  InvalidLocationCode,
  InvalidOrigin,
  InvalidOriginKeepaliveTimeout,
  InvalidOriginReadTimeout,
  InvalidRelativePath,
  InvalidResponseCode,
  InvalidTTLOrder,
  InvalidViewerCertificate,
  NoSuchCachePolicy,
  NoSuchOrigin,
  NoSuchOriginAccessControl,
  NoSuchOriginRequestPolicy,
  NoSuchResponseHeadersPolicy,
  TooManyCacheBehaviors,
  TooManyDistributionCNAMEs,
  TooManyOriginCustomHeaders,
  TooManyOrigins,
  TrustedKeyGroupDoesNotExist,
} from '../errors.js';
import { MANAGED_CACHE_POLICIES, MANAGED_ORIGIN_REQUEST_POLICIES, MANAGED_RESPONSE_HEADERS_POLICIES } from '../managed.js';
import type { StoredCachePolicy, StoredKeyGroup, StoredOriginAccessControl, StoredOriginRequestPolicy, StoredResponseHeadersPolicy } from '../model.js';
import { checkQuantities, itemsOf } from '../operations/common.js';
import type { CacheBehavior, DefaultCacheBehavior, DistributionConfig, Origin } from '../shapes.js';
import type { Catalog } from './catalog.js';
import type { Documents } from './documents.js';

const METHOD_SETS = [['GET', 'HEAD'], ['GET', 'HEAD', 'OPTIONS'], ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']].map((s) => s.join(','));
const CACHED_SETS = [['GET', 'HEAD'], ['GET', 'HEAD', 'OPTIONS']].map((s) => s.join(','));
const VIEWER_POLICIES = ['allow-all', 'https-only', 'redirect-to-https'];
const ORIGIN_POLICIES = ['http-only', 'match-viewer', 'https-only'];
const SSL_PROTOCOLS = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2'];
const PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All', 'None'];
const HTTP_VERSIONS = ['http1.1', 'http2', 'http3', 'http2and3'];
const ERROR_CODES = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];
const RESPONSE_CODES = ['200', '400', '403', '404', '405', '414', '416', '500', '501', '502', '503', '504'];
const FAILOVER_CODES = [400, 403, 404, 416, 500, 502, 503, 504];
const MAX_ORIGINS = 100;
const MAX_BEHAVIORS = 75;
const MAX_ALIASES = 100;
const MAX_ORIGIN_HEADERS = 10;
const YEAR = 31536000;

/** `<bucket>.s3.amazonaws.com`, `<bucket>.s3.<region>.amazonaws.com`, `<bucket>.s3-<region>.amazonaws.com` (S3's REST endpoints). */
export const S3_REST_DOMAIN = /^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\.s3(?:[.-]([a-z0-9-]+))?\.amazonaws\.com$/;

const sortedKey = (items: string[] | undefined) => [...(items ?? [])].sort().join(',');

export interface ConfigContext {
  accountId: string;
  docs: Documents;
  catalog: Catalog;
  /** The distribution being updated (its own aliases are not taken). */
  distributionId?: string;
}

/** Checks `config` and answers it completed with CloudFront's defaults. */
export function prepareDistributionConfig(input: DistributionConfig, ctx: ConfigContext): DistributionConfig {
  checkQuantities(input);
  const c = structuredClone(input);
  if ((c.Comment ?? '').length > 128) throw new InvalidArgument('The parameter Comment is too long.');

  // Aliases
  const aliases = c.Aliases?.Items ?? [];
  if (aliases.length > MAX_ALIASES) throw new TooManyDistributionCNAMEs('Your request contains more CNAMEs than are allowed per distribution.');
  for (const a of aliases) if (!/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i.test(a)) throw new InvalidArgument(`The parameter CNAME contains an invalid value: ${a}`);
  if (aliases.length && !c.ViewerCertificate?.ACMCertificateArn && !c.ViewerCertificate?.IAMCertificateId) {
    throw new InvalidViewerCertificate(
      'To add an alternate domain name (CNAME) to a CloudFront distribution, you must attach a trusted certificate that validates your authorization to use the domain name.',
    );
  }
  const taken = ctx.catalog.aliasTaken(aliases, ctx.distributionId);
  if (taken) throw new CNAMEAlreadyExists(`One or more of the CNAMEs you provided are already associated with a different resource.`);

  // Origins
  const origins = c.Origins.Items ?? [];
  if (origins.length === 0) throw new InvalidArgument('The parameter Origins must contain at least one origin.');
  if (origins.length > MAX_ORIGINS) throw new TooManyOrigins('You cannot create more origins for the distribution.');
  const ids = new Set<string>();
  for (const o of origins) {
    if (ids.has(o.Id)) throw new InvalidArgument(`The parameter Origin Id must be unique: ${o.Id}`);
    ids.add(o.Id);
    checkOrigin(o, ctx);
  }
  const groups = c.OriginGroups?.Items ?? [];
  for (const g of groups) {
    if (ids.has(g.Id)) throw new InvalidArgument(`The parameter OriginGroup Id must be unique among origins and origin groups: ${g.Id}`);
    const members = g.Members.Items ?? [];
    if (members.length !== 2) throw new InvalidArgument('The parameter OriginGroup must have exactly two members.');
    for (const m of members) if (!origins.some((o) => o.Id === m.OriginId)) throw new NoSuchOrigin('One or more of your origins or origin groups do not exist.');
    const codes = g.FailoverCriteria.StatusCodes.Items ?? [];
    if (codes.length === 0) throw new InvalidArgument('The parameter FailoverCriteria must contain at least one status code.');
    for (const code of codes) if (!FAILOVER_CODES.includes(code)) throw new InvalidArgument(`The parameter FailoverCriteria contains an invalid status code: ${code}`);
    if (g.SelectionCriteria !== undefined && !['default', 'media-quality-based'].includes(g.SelectionCriteria)) throw new InvalidArgument('The parameter SelectionCriteria is invalid.');
    ids.add(g.Id);
  }

  // Behaviors
  const behaviors = c.CacheBehaviors?.Items ?? [];
  if (behaviors.length > MAX_BEHAVIORS) throw new TooManyCacheBehaviors('Your request contains more cache behaviors than are allowed per distribution.');
  const patterns = new Set<string>();
  for (const b of behaviors) {
    if (b.PathPattern === '' || b.PathPattern.length > 255) throw new InvalidArgument('The parameter PathPattern is invalid.');
    if (patterns.has(b.PathPattern)) throw new InvalidArgument(`The parameter PathPattern must be unique: ${b.PathPattern}`);
    patterns.add(b.PathPattern);
  }
  for (const b of [c.DefaultCacheBehavior, ...behaviors]) checkBehavior(b, ids, groups.map((g) => g.Id), ctx);

  // Default root object, error responses, restrictions, the rest
  const root = c.DefaultRootObject ?? '';
  if (root.startsWith('/') || root.length > 255) throw new InvalidDefaultRootObject('The specified default root object is invalid.');
  for (const e of c.CustomErrorResponses?.Items ?? []) {
    if (!ERROR_CODES.includes(e.ErrorCode)) throw new InvalidErrorCode(`The specified error code is not valid: ${e.ErrorCode}`);
    const hasPage = e.ResponsePagePath !== undefined && e.ResponsePagePath !== '';
    const hasCode = e.ResponseCode !== undefined && e.ResponseCode !== '';
    if (hasPage && !e.ResponsePagePath!.startsWith('/')) throw new InvalidRelativePath('The relative path is too big, is not URL-encoded, or does not begin with a slash (/).');
    if (hasCode && !RESPONSE_CODES.includes(e.ResponseCode!)) throw new InvalidResponseCode(`The specified response code is not valid: ${e.ResponseCode}`);
    if (hasPage !== hasCode) throw new InvalidArgument('The parameters ResponsePagePath and ResponseCode must be specified together.');
    if (e.ErrorCachingMinTTL !== undefined && e.ErrorCachingMinTTL < 0) throw new InvalidArgument('The parameter ErrorCachingMinTTL is invalid.');
  }
  const geo = c.Restrictions?.GeoRestriction;
  if (geo) {
    if (!['none', 'whitelist', 'blacklist'].includes(geo.RestrictionType)) throw new InvalidGeoRestrictionParameter('The specified geo restriction parameter is not valid.');
    const locations = geo.Items ?? [];
    if ((geo.RestrictionType === 'none') !== (locations.length === 0)) throw new InvalidGeoRestrictionParameter('The specified geo restriction parameter is not valid.');
    for (const l of locations) if (!/^[A-Z]{2}$/.test(l)) throw new InvalidLocationCode(`The location code specified is not valid: ${l}`);
  }
  if (c.PriceClass !== undefined && !PRICE_CLASSES.includes(c.PriceClass)) throw new InvalidArgument(`The parameter PriceClass is invalid: ${c.PriceClass}`);
  if (c.HttpVersion !== undefined && !HTTP_VERSIONS.includes(c.HttpVersion)) throw new InvalidArgument(`The parameter HttpVersion is invalid: ${c.HttpVersion}`);
  const cert = c.ViewerCertificate;
  if (cert?.SSLSupportMethod !== undefined && !['sni-only', 'vip', 'static-ip'].includes(cert.SSLSupportMethod)) throw new InvalidViewerCertificate('The specified SSL certificate doesn\'t exist, isn\'t in us-east-1 region, isn\'t valid, or doesn\'t include a valid certificate chain.');
  if (c.Logging?.Enabled && !/\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$/.test(c.Logging.Bucket ?? '')) throw new InvalidArgument('The S3 bucket that you specified for CloudFront logs does not exist.');

  return withDefaults(c);
}

function checkOrigin(o: Origin, ctx: ConfigContext): void {
  if (o.Id === '' || o.Id.length > 128) throw new InvalidArgument('The parameter Origin Id is invalid.');
  if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(o.DomainName) || o.DomainName.length > 253) throw new InvalidArgument(`The parameter origin name is not a valid domain name: ${o.DomainName}`);
  const kinds = [o.S3OriginConfig, o.CustomOriginConfig, o.VpcOriginConfig].filter((k) => k !== undefined).length;
  if (kinds !== 1) throw new InvalidOrigin('Exactly one of CustomOriginConfig, VpcOriginConfig and S3OriginConfig must be specified.');
  if (o.S3OriginConfig && !S3_REST_DOMAIN.test(o.DomainName.toLowerCase())) throw new InvalidArgument('The parameter Origin DomainName does not refer to a valid S3 bucket.');
  const path = o.OriginPath ?? '';
  if (path !== '' && (!path.startsWith('/') || path.endsWith('/') || path.length > 255)) throw new InvalidArgument('The parameter origin path must begin with a slash and must not end with a slash.');
  if ((o.CustomHeaders?.Items ?? []).length > MAX_ORIGIN_HEADERS) throw new TooManyOriginCustomHeaders('Your request contains too many origin custom headers.');
  for (const h of o.CustomHeaders?.Items ?? []) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(h.HeaderName)) throw new InvalidArgument(`The parameter HeaderName is invalid: ${h.HeaderName}`);
  }
  const custom = o.CustomOriginConfig;
  if (custom) {
    if (!ORIGIN_POLICIES.includes(custom.OriginProtocolPolicy)) throw new InvalidArgument(`The parameter OriginProtocolPolicy is invalid: ${custom.OriginProtocolPolicy}`);
    for (const port of [custom.HTTPPort, custom.HTTPSPort]) if (!(port === 80 || port === 443 || (port >= 1024 && port <= 65535))) throw new InvalidArgument(`The parameter port is invalid: ${port}`);
    for (const p of custom.OriginSslProtocols?.Items ?? []) if (!SSL_PROTOCOLS.includes(p)) throw new InvalidArgument(`The parameter OriginSslProtocols is invalid: ${p}`);
    if (custom.OriginReadTimeout !== undefined && (custom.OriginReadTimeout < 1 || custom.OriginReadTimeout > 120)) throw new InvalidOriginReadTimeout('The read timeout specified for the origin is not valid.');
    if (custom.OriginKeepaliveTimeout !== undefined && (custom.OriginKeepaliveTimeout < 1 || custom.OriginKeepaliveTimeout > 120)) throw new InvalidOriginKeepaliveTimeout('The keep alive timeout specified for the origin is not valid.');
  }
  const s3Timeout = o.S3OriginConfig?.OriginReadTimeout;
  if (s3Timeout !== undefined && (s3Timeout < 1 || s3Timeout > 120)) throw new InvalidOriginReadTimeout('The read timeout specified for the origin is not valid.');
  if (o.ConnectionAttempts !== undefined && (o.ConnectionAttempts < 1 || o.ConnectionAttempts > 3)) throw new InvalidArgument('The parameter ConnectionAttempts is invalid; it must be between 1 and 3.');
  if (o.ConnectionTimeout !== undefined && (o.ConnectionTimeout < 1 || o.ConnectionTimeout > 10)) throw new InvalidArgument('The parameter ConnectionTimeout is invalid; it must be between 1 and 10.');
  if (o.OriginAccessControlId) {
    const oac = ctx.docs.own<StoredOriginAccessControl>('origin-access-control', o.OriginAccessControlId, ctx.accountId);
    if (!oac) throw new NoSuchOriginAccessControl('The specified origin access control does not exist.');
    if (oac.config.OriginAccessControlOriginType === 's3' && !o.S3OriginConfig && !S3_REST_DOMAIN.test(o.DomainName.toLowerCase())) {
      throw new InvalidArgument('The parameter OriginAccessControlId is only valid for an S3 origin.');
    }
    if (o.S3OriginConfig?.OriginAccessIdentity) throw new InvalidArgument('You cannot use both origin access identity and origin access control on the same origin.');
  }
}

function checkBehavior(b: DefaultCacheBehavior | CacheBehavior, targets: Set<string>, _groups: string[], ctx: ConfigContext): void {
  if (!targets.has(b.TargetOriginId)) throw new NoSuchOrigin('One or more of your origins or origin groups do not exist.');
  if (!VIEWER_POLICIES.includes(b.ViewerProtocolPolicy)) throw new InvalidArgument(`The parameter ViewerProtocolPolicy is invalid: ${b.ViewerProtocolPolicy}`);
  if (b.AllowedMethods) {
    if (!METHOD_SETS.includes(sortedKey(b.AllowedMethods.Items))) throw new InvalidArgument('The parameter AllowedMethods is invalid.');
    const cached = b.AllowedMethods.CachedMethods?.Items;
    if (cached && !CACHED_SETS.includes(sortedKey(cached))) throw new InvalidArgument('The parameter CachedMethods is invalid.');
  }
  if (b.CachePolicyId) {
    if (b.ForwardedValues || b.MinTTL !== undefined || b.DefaultTTL !== undefined || b.MaxTTL !== undefined) {
      throw new InvalidArgument('The parameter ForwardedValues cannot be used when a cache policy is associated to the cache behavior.');
    }
    if (!MANAGED_CACHE_POLICIES.has(b.CachePolicyId) && !ctx.docs.own<StoredCachePolicy>('cache-policy', b.CachePolicyId, ctx.accountId)) throw new NoSuchCachePolicy('The cache policy does not exist.');
  } else {
    if (!b.ForwardedValues) throw new InvalidArgument('The parameter ForwardedValues is required.');
    if (b.MinTTL === undefined) throw new InvalidArgument('The parameter MinTTL is required.');
    const min = b.MinTTL;
    const def = b.DefaultTTL ?? Math.max(86400, min);
    const max = b.MaxTTL ?? Math.max(YEAR, def);
    if (min < 0 || def < 0 || max < 0 || min > def || def > max) throw new InvalidTTLOrder('The TTL order specified in CacheBehavior is not valid.');
    const forward = b.ForwardedValues.Cookies.Forward;
    if (!['none', 'whitelist', 'all'].includes(forward)) throw new InvalidArgument(`The parameter Forward is invalid: ${forward}`);
  }
  if (b.OriginRequestPolicyId && !MANAGED_ORIGIN_REQUEST_POLICIES.has(b.OriginRequestPolicyId) && !ctx.docs.own<StoredOriginRequestPolicy>('origin-request-policy', b.OriginRequestPolicyId, ctx.accountId)) {
    throw new NoSuchOriginRequestPolicy('The origin request policy does not exist.');
  }
  if (
    b.ResponseHeadersPolicyId &&
    !MANAGED_RESPONSE_HEADERS_POLICIES.has(b.ResponseHeadersPolicyId) &&
    !ctx.docs.own<StoredResponseHeadersPolicy>('response-headers-policy', b.ResponseHeadersPolicyId, ctx.accountId)
  ) {
    throw new NoSuchResponseHeadersPolicy('The response headers policy does not exist.');
  }
  const kg = b.TrustedKeyGroups;
  if (kg) {
    if (kg.Enabled && (kg.Items ?? []).length === 0) throw new InvalidArgument('The parameter TrustedKeyGroups must name at least one key group when enabled.');
    for (const id of kg.Items ?? []) if (!ctx.docs.own<StoredKeyGroup>('key-group', id, ctx.accountId)) throw new TrustedKeyGroupDoesNotExist('The specified key group does not exist.');
  }
  if (b.TrustedSigners?.Enabled && (b.TrustedSigners.Items ?? []).length) {
    throw new InvalidArgument('Trusted signers (CloudFront key pairs) are not supported: use TrustedKeyGroups.');
  }
}

const empty = { Quantity: 0 };

function behaviorDefaults<B extends DefaultCacheBehavior>(b: B): B {
  const allowed = b.AllowedMethods ?? { Quantity: 2, Items: ['HEAD', 'GET'] };
  return {
    ...b,
    TrustedSigners: b.TrustedSigners ?? { Enabled: false, Quantity: 0 },
    TrustedKeyGroups: b.TrustedKeyGroups ?? { Enabled: false, Quantity: 0 },
    AllowedMethods: { ...allowed, CachedMethods: allowed.CachedMethods ?? { Quantity: 2, Items: ['HEAD', 'GET'] } },
    SmoothStreaming: b.SmoothStreaming ?? false,
    Compress: b.Compress ?? false,
    LambdaFunctionAssociations: b.LambdaFunctionAssociations ?? empty,
    FunctionAssociations: b.FunctionAssociations ?? empty,
    FieldLevelEncryptionId: b.FieldLevelEncryptionId ?? '',
    ...(b.CachePolicyId
      ? {}
      : {
          ForwardedValues: { ...b.ForwardedValues!, Headers: b.ForwardedValues!.Headers ?? empty, QueryStringCacheKeys: b.ForwardedValues!.QueryStringCacheKeys ?? empty },
          MinTTL: b.MinTTL ?? 0,
          DefaultTTL: b.DefaultTTL ?? Math.max(86400, b.MinTTL ?? 0),
          MaxTTL: b.MaxTTL ?? Math.max(YEAR, b.DefaultTTL ?? 86400),
        }),
  };
}

function withDefaults(c: DistributionConfig): DistributionConfig {
  const origins = (c.Origins.Items ?? []).map(
    (o): Origin => ({
      ...o,
      OriginPath: o.OriginPath ?? '',
      CustomHeaders: o.CustomHeaders ?? empty,
      ...(o.S3OriginConfig ? { S3OriginConfig: { OriginAccessIdentity: o.S3OriginConfig.OriginAccessIdentity ?? '', OriginReadTimeout: o.S3OriginConfig.OriginReadTimeout ?? 30 } } : {}),
      ...(o.CustomOriginConfig
        ? {
            CustomOriginConfig: {
              ...o.CustomOriginConfig,
              OriginSslProtocols: o.CustomOriginConfig.OriginSslProtocols ?? { Quantity: 1, Items: ['TLSv1.2'] },
              OriginReadTimeout: o.CustomOriginConfig.OriginReadTimeout ?? 30,
              OriginKeepaliveTimeout: o.CustomOriginConfig.OriginKeepaliveTimeout ?? 5,
              IpAddressType: o.CustomOriginConfig.IpAddressType ?? 'ipv4',
            },
          }
        : {}),
      ConnectionAttempts: o.ConnectionAttempts ?? 3,
      ConnectionTimeout: o.ConnectionTimeout ?? 10,
      OriginShield: o.OriginShield ?? { Enabled: false },
      OriginAccessControlId: o.OriginAccessControlId ?? '',
    }),
  );
  return {
    ...c,
    Aliases: c.Aliases ?? empty,
    DefaultRootObject: c.DefaultRootObject ?? '',
    Origins: itemsOf(origins),
    OriginGroups: c.OriginGroups ?? empty,
    DefaultCacheBehavior: behaviorDefaults(c.DefaultCacheBehavior),
    CacheBehaviors: itemsOf((c.CacheBehaviors?.Items ?? []).map((b) => behaviorDefaults(b))),
    CustomErrorResponses: itemsOf((c.CustomErrorResponses?.Items ?? []).map((e) => ({ ...e, ResponsePagePath: e.ResponsePagePath ?? '', ResponseCode: e.ResponseCode ?? '', ErrorCachingMinTTL: e.ErrorCachingMinTTL ?? 10 }))),
    Logging: { Enabled: c.Logging?.Enabled ?? false, IncludeCookies: c.Logging?.IncludeCookies ?? false, Bucket: c.Logging?.Bucket ?? '', Prefix: c.Logging?.Prefix ?? '' },
    PriceClass: c.PriceClass ?? 'PriceClass_All',
    ViewerCertificate: c.ViewerCertificate?.ACMCertificateArn
      ? { ...c.ViewerCertificate, Certificate: c.ViewerCertificate.ACMCertificateArn, CertificateSource: 'acm', SSLSupportMethod: c.ViewerCertificate.SSLSupportMethod ?? 'sni-only', MinimumProtocolVersion: c.ViewerCertificate.MinimumProtocolVersion ?? 'TLSv1.2_2021' }
      : c.ViewerCertificate?.IAMCertificateId
        ? { ...c.ViewerCertificate, Certificate: c.ViewerCertificate.IAMCertificateId, CertificateSource: 'iam', SSLSupportMethod: c.ViewerCertificate.SSLSupportMethod ?? 'sni-only', MinimumProtocolVersion: c.ViewerCertificate.MinimumProtocolVersion ?? 'TLSv1.2_2021' }
        : { CloudFrontDefaultCertificate: true, SSLSupportMethod: 'vip', MinimumProtocolVersion: 'TLSv1', CertificateSource: 'cloudfront' },
    Restrictions: c.Restrictions ?? { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } },
    WebACLId: c.WebACLId ?? '',
    HttpVersion: c.HttpVersion ?? 'http2',
    IsIPV6Enabled: c.IsIPV6Enabled ?? false,
    Staging: c.Staging ?? false,
  };
}
