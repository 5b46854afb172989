/**
 * CloudFront's managed policies, by the ids AWS documents ("Use managed cache policies", "Use
 * managed origin request policies", "Use managed response headers policies" in the CloudFront
 * Developer Guide). Every account sees them (ListCachePolicies Type=managed), none may change or
 * delete them, and any distribution may name them.
 */
import type { CachePolicyConfig, OriginRequestPolicyConfig, ResponseHeadersPolicyConfig } from './shapes.js';

/** When AWS last changed the managed policies, as LastModifiedTime shows them. */
export const MANAGED_LAST_MODIFIED = Date.UTC(2024, 0, 1);

const names = (...n: string[]) => (n.length ? { Quantity: n.length, Items: n } : { Quantity: 0 });
const YEAR = 31536000;

function cachePolicy(
  Name: string,
  Comment: string,
  ttl: [min: number, def: number, max: number],
  key: { headers?: string[]; cookies?: 'none' | 'all'; queryStrings?: 'none' | 'all' | string[]; gzip: boolean; brotli: boolean },
): CachePolicyConfig {
  const qs = key.queryStrings ?? 'none';
  return {
    Comment,
    Name,
    MinTTL: ttl[0],
    DefaultTTL: ttl[1],
    MaxTTL: ttl[2],
    ParametersInCacheKeyAndForwardedToOrigin: {
      EnableAcceptEncodingGzip: key.gzip,
      EnableAcceptEncodingBrotli: key.brotli,
      HeadersConfig: key.headers ? { HeaderBehavior: 'whitelist', Headers: names(...key.headers) } : { HeaderBehavior: 'none' },
      CookiesConfig: { CookieBehavior: key.cookies ?? 'none' },
      QueryStringsConfig: Array.isArray(qs) ? { QueryStringBehavior: 'whitelist', QueryStrings: names(...qs) } : { QueryStringBehavior: qs },
    },
  };
}

export const MANAGED_CACHE_POLICIES: ReadonlyMap<string, CachePolicyConfig> = new Map([
  [
    '2e54312d-136d-493c-8eb9-b001f22f67d2',
    cachePolicy('Managed-Amplify', 'Policy for Amplify Origin', [2, 2, 600], {
      headers: ['Authorization', 'CloudFront-Viewer-Country', 'Host'],
      cookies: 'all',
      queryStrings: 'all',
      gzip: true,
      brotli: true,
    }),
  ],
  ['4135ea2d-6df8-44a3-9df3-4b5a84be39ad', cachePolicy('Managed-CachingDisabled', 'Policy with caching disabled', [0, 0, 0], { gzip: false, brotli: false })],
  [
    '658327ea-f89d-4fab-a63d-7e88639e58f6',
    cachePolicy('Managed-CachingOptimized', 'Policy with caching enabled. Supports Gzip and Brotli compression.', [1, 86400, YEAR], { gzip: true, brotli: true }),
  ],
  [
    'b2884449-e4de-46a7-ac36-70bc7f1ddd6d',
    cachePolicy('Managed-CachingOptimizedForUncompressedObjects', 'Default policy when compression is disabled', [1, 86400, YEAR], { gzip: false, brotli: false }),
  ],
  [
    '08627262-05a9-4f76-9ded-b50ca2e3a84f',
    cachePolicy('Managed-Elemental-MediaPackage', 'Policy for Elemental MediaPackage Origin', [0, 86400, YEAR], {
      headers: ['origin'],
      queryStrings: ['aws.manifestfilter', 'start', 'end', 'm'],
      gzip: true,
      brotli: false,
    }),
  ],
  [
    '83da9c7e-98b4-4e11-a168-04f0df8e2c65',
    cachePolicy('UseOriginCacheControlHeaders', 'Policy for origins that return Cache-Control headers. Query strings are not included in the cache key.', [0, 0, YEAR], {
      headers: ['host', 'origin', 'x-http-method-override', 'x-http-method', 'x-method-override'],
      cookies: 'all',
      gzip: true,
      brotli: true,
    }),
  ],
  [
    '4cc15a8a-d715-48a4-82b8-cc0b614638fe',
    cachePolicy('UseOriginCacheControlHeaders-QueryStrings', 'Policy for origins that return Cache-Control headers and serve different content based on query strings.', [0, 0, YEAR], {
      headers: ['host', 'origin', 'x-http-method-override', 'x-http-method', 'x-method-override'],
      cookies: 'all',
      queryStrings: 'all',
      gzip: true,
      brotli: true,
    }),
  ],
]);

function originRequestPolicy(
  Name: string,
  Comment: string,
  headers: { behavior: 'none' | 'whitelist' | 'allViewer' | 'allViewerAndWhitelistCloudFront' | 'allExcept'; names?: string[] },
  cookies: 'none' | 'all',
  queryStrings: 'none' | 'all',
): OriginRequestPolicyConfig {
  return {
    Comment,
    Name,
    HeadersConfig: { HeaderBehavior: headers.behavior, ...(headers.names ? { Headers: names(...headers.names) } : {}) },
    CookiesConfig: { CookieBehavior: cookies },
    QueryStringsConfig: { QueryStringBehavior: queryStrings },
  };
}

/** The CloudFront headers released through June 2022 (AllViewerAndCloudFrontHeaders-2022-06). */
const CLOUDFRONT_HEADERS_2022_06 = [
  'CloudFront-Forwarded-Proto',
  'CloudFront-Is-Android-Viewer',
  'CloudFront-Is-Desktop-Viewer',
  'CloudFront-Is-IOS-Viewer',
  'CloudFront-Is-Mobile-Viewer',
  'CloudFront-Is-SmartTV-Viewer',
  'CloudFront-Is-Tablet-Viewer',
  'CloudFront-Viewer-Address',
  'CloudFront-Viewer-ASN',
  'CloudFront-Viewer-City',
  'CloudFront-Viewer-Country',
  'CloudFront-Viewer-Country-Name',
  'CloudFront-Viewer-Country-Region',
  'CloudFront-Viewer-Country-Region-Name',
  'CloudFront-Viewer-Http-Version',
  'CloudFront-Viewer-Latitude',
  'CloudFront-Viewer-Longitude',
  'CloudFront-Viewer-Metro-Code',
  'CloudFront-Viewer-Postal-Code',
  'CloudFront-Viewer-Time-Zone',
  'CloudFront-Viewer-TLS',
];

export const MANAGED_ORIGIN_REQUEST_POLICIES: ReadonlyMap<string, OriginRequestPolicyConfig> = new Map([
  ['216adef6-5c7f-47e4-b989-5492eafa07d3', originRequestPolicy('Managed-AllViewer', 'Policy to forward all parameters in viewer requests', { behavior: 'allViewer' }, 'all', 'all')],
  [
    '33f36d7e-f396-46d9-90e0-52428a34d9dc',
    originRequestPolicy(
      'Managed-AllViewerAndCloudFrontHeaders-2022-06',
      'Policy to forward all parameters in viewer requests and all CloudFront headers released through June 2022',
      { behavior: 'allViewerAndWhitelistCloudFront', names: CLOUDFRONT_HEADERS_2022_06 },
      'all',
      'all',
    ),
  ],
  [
    'b689b0a8-53d0-40ab-baf2-68738e2966ac',
    originRequestPolicy('Managed-AllViewerExceptHostHeader', 'Policy to forward all parameters in viewer requests except for the Host header', { behavior: 'allExcept', names: ['host'] }, 'all', 'all'),
  ],
  ['59781a5b-3903-41f3-afcb-af62929ccde1', originRequestPolicy('Managed-CORS-CustomOrigin', 'Policy for custom origin with CORS', { behavior: 'whitelist', names: ['origin'] }, 'none', 'none')],
  [
    '88a5eaf4-2fd4-4709-b370-b4c650ea3fcf',
    originRequestPolicy(
      'Managed-CORS-S3Origin',
      'Policy for S3 origin with CORS',
      { behavior: 'whitelist', names: ['origin', 'access-control-request-headers', 'access-control-request-method'] },
      'none',
      'none',
    ),
  ],
  [
    '775133bc-15f2-49f9-abea-afb2e0bf67d2',
    originRequestPolicy(
      'Managed-Elemental-MediaTailor-PersonalizedManifests',
      'Policy for Elemental MediaTailor Personalized Manifests',
      { behavior: 'whitelist', names: ['origin', 'access-control-request-headers', 'x-forwarded-for', 'access-control-request-method', 'user-agent'] },
      'none',
      'all',
    ),
  ],
  ['acba4595-bd28-49b8-b9fe-13317c0390fa', originRequestPolicy('Managed-UserAgentRefererHeaders', 'Policy to forward user-agent and referer headers to origin', { behavior: 'whitelist', names: ['user-agent', 'referer'] }, 'none', 'all')],
]);

const simpleCors = { AccessControlAllowOrigins: names('*'), AccessControlAllowHeaders: names(), AccessControlAllowMethods: names('GET', 'HEAD'), AccessControlAllowCredentials: false, OriginOverride: false };
const preflightCors = {
  AccessControlAllowOrigins: names('*'),
  AccessControlAllowHeaders: names('*'),
  AccessControlAllowMethods: { Quantity: 1, Items: ['ALL'] },
  AccessControlAllowCredentials: false,
  AccessControlExposeHeaders: names('*'),
  AccessControlMaxAgeSec: 600,
  OriginOverride: false,
};
const securityHeaders = {
  XSSProtection: { Override: false, Protection: true, ModeBlock: true },
  FrameOptions: { Override: false, FrameOption: 'SAMEORIGIN' },
  ReferrerPolicy: { Override: false, ReferrerPolicy: 'strict-origin-when-cross-origin' },
  ContentTypeOptions: { Override: true },
  StrictTransportSecurity: { Override: false, IncludeSubdomains: false, Preload: false, AccessControlMaxAgeSec: YEAR },
};

export const MANAGED_RESPONSE_HEADERS_POLICIES: ReadonlyMap<string, ResponseHeadersPolicyConfig> = new Map<string, ResponseHeadersPolicyConfig>([
  ['60669652-455b-4ae9-85a4-c4c02393f86c', { Name: 'Managed-SimpleCORS', Comment: 'Allows all origins for simple CORS requests', CorsConfig: simpleCors }],
  ['5cc3b908-e619-4b99-88e5-2cf7f45965bd', { Name: 'Managed-CORS-With-Preflight', Comment: 'Allows all origins for CORS requests, including preflight requests', CorsConfig: preflightCors }],
  ['67f7725c-6f97-4210-82d7-5512b31e9d03', { Name: 'Managed-SecurityHeadersPolicy', Comment: 'Adds a set of security headers to every response', SecurityHeadersConfig: securityHeaders }],
  [
    'e61eb60c-9c35-4d20-a928-2b84e02af89c',
    { Name: 'Managed-CORS-and-SecurityHeadersPolicy', Comment: 'Allows all origins for simple CORS requests and adds security headers', CorsConfig: simpleCors, SecurityHeadersConfig: securityHeaders },
  ],
  [
    'eaab4381-ed33-4a86-88ca-d9558dc6cd63',
    {
      Name: 'Managed-CORS-with-preflight-and-SecurityHeadersPolicy',
      Comment: 'Allows all origins for CORS requests, including preflight requests, and adds security headers',
      CorsConfig: preflightCors,
      SecurityHeadersConfig: securityHeaders,
    },
  ],
]);
