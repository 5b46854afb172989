/**
 * CloudFront's XML shapes (API version 2020-05-31), as its model names them: the documents a
 * user writes (DistributionConfig, CachePolicyConfig, ...) and the ones CloudFront answers.
 * The stored documents (model.ts) keep these configs exactly as decoded, so Get answers what
 * Create was given, and the data plane reads AWS's own structure.
 *
 * CloudFront writes every list as `{ Quantity, Items: [<Item>...] }` (`items` below); numbers
 * that AWS models as doubles (ServerTimingHeadersConfig.SamplingRate) travel as strings.
 */
import { boolean, integer, list, string, structure, type Shape, type ShapeType } from '../../protocols/shapes.js';

/** CloudFront's list wrapper: `<Quantity>n</Quantity><Items><Name>..</Name>...</Items>`. */
export const items = <S extends Shape>(member: S, memberName: string) =>
  structure({ Quantity: { shape: integer(), required: true as const }, Items: list(member, { memberName }) });

const req = <S extends Shape>(shape: S) => ({ shape, required: true as const });

// ---- distributions ------------------------------------------------------------------------------

export const customHeadersShape = items(structure({ HeaderName: req(string()), HeaderValue: req(string()) }), 'OriginCustomHeader');

export const originShape = structure({
  Id: req(string()),
  DomainName: req(string()),
  OriginPath: string(),
  CustomHeaders: customHeadersShape,
  S3OriginConfig: structure({ OriginAccessIdentity: string(), OriginReadTimeout: integer() }),
  CustomOriginConfig: structure({
    HTTPPort: req(integer()),
    HTTPSPort: req(integer()),
    OriginProtocolPolicy: req(string()),
    OriginSslProtocols: items(string(), 'SslProtocol'),
    OriginReadTimeout: integer(),
    OriginKeepaliveTimeout: integer(),
    IpAddressType: string(),
  }),
  VpcOriginConfig: structure({ VpcOriginId: string(), OriginReadTimeout: integer(), OriginKeepaliveTimeout: integer(), OwnerAccountId: string() }),
  ConnectionAttempts: integer(),
  ConnectionTimeout: integer(),
  ResponseCompletionTimeout: integer(),
  OriginShield: structure({ Enabled: req(boolean()), OriginShieldRegion: string() }),
  OriginAccessControlId: string(),
});

export const originGroupShape = structure({
  Id: req(string()),
  FailoverCriteria: req(structure({ StatusCodes: req(items(integer(), 'StatusCode')) })),
  Members: req(items(structure({ OriginId: req(string()) }), 'OriginGroupMember')),
  SelectionCriteria: string(),
});

const namesShape = items(string(), 'Name');

const behaviorMembers = {
  TargetOriginId: req(string()),
  TrustedSigners: structure({ Enabled: req(boolean()), Quantity: req(integer()), Items: list(string(), { memberName: 'AwsAccountNumber' }) }),
  TrustedKeyGroups: structure({ Enabled: req(boolean()), Quantity: req(integer()), Items: list(string(), { memberName: 'KeyGroup' }) }),
  ViewerProtocolPolicy: req(string()),
  AllowedMethods: structure({ Quantity: req(integer()), Items: list(string(), { memberName: 'Method' }), CachedMethods: items(string(), 'Method') }),
  SmoothStreaming: boolean(),
  Compress: boolean(),
  LambdaFunctionAssociations: items(structure({ LambdaFunctionARN: req(string()), EventType: req(string()), IncludeBody: boolean() }), 'LambdaFunctionAssociation'),
  FunctionAssociations: items(structure({ FunctionARN: req(string()), EventType: req(string()) }), 'FunctionAssociation'),
  FieldLevelEncryptionId: string(),
  RealtimeLogConfigArn: string(),
  CachePolicyId: string(),
  OriginRequestPolicyId: string(),
  ResponseHeadersPolicyId: string(),
  GrpcConfig: structure({ Enabled: req(boolean()) }),
  ForwardedValues: structure({
    QueryString: req(boolean()),
    Cookies: req(structure({ Forward: req(string()), WhitelistedNames: namesShape })),
    Headers: namesShape,
    QueryStringCacheKeys: namesShape,
  }),
  MinTTL: integer(),
  DefaultTTL: integer(),
  MaxTTL: integer(),
};

export const defaultCacheBehaviorShape = structure(behaviorMembers);
export const cacheBehaviorShape = structure({ PathPattern: req(string()), ...behaviorMembers });

export const customErrorResponseShape = structure({
  ErrorCode: req(integer()),
  ResponsePagePath: string(),
  ResponseCode: string(),
  ErrorCachingMinTTL: integer(),
});

export const viewerCertificateShape = structure({
  CloudFrontDefaultCertificate: boolean(),
  IAMCertificateId: string(),
  ACMCertificateArn: string(),
  SSLSupportMethod: string(),
  MinimumProtocolVersion: string(),
  Certificate: string(),
  CertificateSource: string(),
});

export const restrictionsShape = structure({
  GeoRestriction: req(structure({ RestrictionType: req(string()), Quantity: req(integer()), Items: list(string(), { memberName: 'Location' }) })),
});

const aliasesShape = items(string(), 'CNAME');

export const distributionConfigShape = structure({
  CallerReference: req(string()),
  Aliases: aliasesShape,
  DefaultRootObject: string(),
  Origins: req(items(originShape, 'Origin')),
  OriginGroups: items(originGroupShape, 'OriginGroup'),
  DefaultCacheBehavior: req(defaultCacheBehaviorShape),
  CacheBehaviors: items(cacheBehaviorShape, 'CacheBehavior'),
  CustomErrorResponses: items(customErrorResponseShape, 'CustomErrorResponse'),
  Comment: req(string()),
  Logging: structure({ Enabled: boolean(), IncludeCookies: boolean(), Bucket: string(), Prefix: string() }),
  PriceClass: string(),
  Enabled: req(boolean()),
  ViewerCertificate: viewerCertificateShape,
  Restrictions: restrictionsShape,
  WebACLId: string(),
  HttpVersion: string(),
  IsIPV6Enabled: boolean(),
  ContinuousDeploymentPolicyId: string(),
  Staging: boolean(),
  AnycastIpListId: string(),
  ConnectionMode: string(),
});

const keyPairIdsShape = items(string(), 'KeyPairId');

export const distributionShape = structure({
  Id: req(string()),
  ARN: req(string()),
  Status: req(string()),
  LastModifiedTime: req(string()),
  InProgressInvalidationBatches: req(integer()),
  DomainName: req(string()),
  ActiveTrustedSigners: structure({
    Enabled: req(boolean()),
    Quantity: req(integer()),
    Items: list(structure({ AwsAccountNumber: string(), KeyPairIds: keyPairIdsShape }), { memberName: 'Signer' }),
  }),
  ActiveTrustedKeyGroups: structure({
    Enabled: req(boolean()),
    Quantity: req(integer()),
    Items: list(structure({ KeyGroupId: req(string()), KeyPairIds: req(keyPairIdsShape) }), { memberName: 'KGKeyPairIds' }),
  }),
  DistributionConfig: req(distributionConfigShape),
  AliasICPRecordals: list(structure({ CNAME: string(), ICPRecordalStatus: string() }), { memberName: 'AliasICPRecordal' }),
});

export const distributionSummaryShape = structure({
  Id: req(string()),
  ARN: req(string()),
  ETag: string(),
  Status: req(string()),
  LastModifiedTime: req(string()),
  DomainName: req(string()),
  Aliases: req(aliasesShape),
  Origins: req(items(originShape, 'Origin')),
  OriginGroups: items(originGroupShape, 'OriginGroup'),
  DefaultCacheBehavior: req(defaultCacheBehaviorShape),
  CacheBehaviors: req(items(cacheBehaviorShape, 'CacheBehavior')),
  CustomErrorResponses: req(items(customErrorResponseShape, 'CustomErrorResponse')),
  Comment: req(string()),
  PriceClass: req(string()),
  Enabled: req(boolean()),
  ViewerCertificate: req(viewerCertificateShape),
  Restrictions: req(restrictionsShape),
  WebACLId: req(string()),
  HttpVersion: req(string()),
  IsIPV6Enabled: req(boolean()),
  Staging: req(boolean()),
  ConnectionMode: string(),
  AnycastIpListId: string(),
});

/** A page of a List operation's answer (DistributionList, CachePolicyList, ...): members a list does not have stay undefined. */
export const pageShape = <S extends Shape>(member: S, memberName: string) =>
  structure({
    Marker: string(),
    NextMarker: string(),
    MaxItems: req(integer()),
    IsTruncated: boolean(),
    Quantity: req(integer()),
    Items: list(member, { memberName }),
  });

export const tagsShape = structure({ Items: list(structure({ Key: req(string()), Value: string() }), { memberName: 'Tag' }) });

// ---- policies -----------------------------------------------------------------------------------

export const cacheHeadersConfigShape = structure({ HeaderBehavior: req(string()), Headers: namesShape });
export const cookiesConfigShape = structure({ CookieBehavior: req(string()), Cookies: namesShape });
export const queryStringsConfigShape = structure({ QueryStringBehavior: req(string()), QueryStrings: namesShape });

export const cachePolicyConfigShape = structure({
  Comment: string(),
  Name: req(string()),
  DefaultTTL: integer(),
  MaxTTL: integer(),
  MinTTL: req(integer()),
  ParametersInCacheKeyAndForwardedToOrigin: structure({
    EnableAcceptEncodingGzip: req(boolean()),
    EnableAcceptEncodingBrotli: boolean(),
    HeadersConfig: req(cacheHeadersConfigShape),
    CookiesConfig: req(cookiesConfigShape),
    QueryStringsConfig: req(queryStringsConfigShape),
  }),
});
export const cachePolicyShape = structure({ Id: req(string()), LastModifiedTime: req(string()), CachePolicyConfig: req(cachePolicyConfigShape) });

export const originRequestPolicyConfigShape = structure({
  Comment: string(),
  Name: req(string()),
  HeadersConfig: req(cacheHeadersConfigShape),
  CookiesConfig: req(cookiesConfigShape),
  QueryStringsConfig: req(queryStringsConfigShape),
});
export const originRequestPolicyShape = structure({ Id: req(string()), LastModifiedTime: req(string()), OriginRequestPolicyConfig: req(originRequestPolicyConfigShape) });

const override = { Override: req(boolean()) };
export const responseHeadersPolicyConfigShape = structure({
  Comment: string(),
  Name: req(string()),
  CorsConfig: structure({
    AccessControlAllowOrigins: req(items(string(), 'Origin')),
    AccessControlAllowHeaders: req(items(string(), 'Header')),
    AccessControlAllowMethods: req(items(string(), 'Method')),
    AccessControlAllowCredentials: req(boolean()),
    AccessControlExposeHeaders: items(string(), 'Header'),
    AccessControlMaxAgeSec: integer(),
    OriginOverride: req(boolean()),
  }),
  SecurityHeadersConfig: structure({
    XSSProtection: structure({ ...override, Protection: req(boolean()), ModeBlock: boolean(), ReportUri: string() }),
    FrameOptions: structure({ ...override, FrameOption: req(string()) }),
    ReferrerPolicy: structure({ ...override, ReferrerPolicy: req(string()) }),
    ContentSecurityPolicy: structure({ ...override, ContentSecurityPolicy: req(string()) }),
    ContentTypeOptions: structure({ ...override }),
    StrictTransportSecurity: structure({ ...override, IncludeSubdomains: boolean(), Preload: boolean(), AccessControlMaxAgeSec: req(integer()) }),
  }),
  ServerTimingHeadersConfig: structure({ Enabled: req(boolean()), SamplingRate: string() }),
  CustomHeadersConfig: items(structure({ Header: req(string()), Value: req(string()), Override: req(boolean()) }), 'ResponseHeadersPolicyCustomHeader'),
  RemoveHeadersConfig: items(structure({ Header: req(string()) }), 'ResponseHeadersPolicyRemoveHeader'),
});
export const responseHeadersPolicyShape = structure({ Id: req(string()), LastModifiedTime: req(string()), ResponseHeadersPolicyConfig: req(responseHeadersPolicyConfigShape) });

// ---- origin access control, public keys, key groups, invalidations ---------------------------------

export const originAccessControlConfigShape = structure({
  Name: req(string()),
  Description: string(),
  SigningProtocol: req(string()),
  SigningBehavior: req(string()),
  OriginAccessControlOriginType: req(string()),
});
export const originAccessControlShape = structure({ Id: req(string()), OriginAccessControlConfig: originAccessControlConfigShape });

export const publicKeyConfigShape = structure({ CallerReference: req(string()), Name: req(string()), EncodedKey: req(string()), Comment: string() });
export const publicKeyShape = structure({ Id: req(string()), CreatedTime: req(string()), PublicKeyConfig: req(publicKeyConfigShape) });

export const keyGroupConfigShape = structure({ Name: req(string()), Items: req(list(string(), { memberName: 'PublicKey' })), Comment: string() });
export const keyGroupShape = structure({ Id: req(string()), LastModifiedTime: req(string()), KeyGroupConfig: req(keyGroupConfigShape) });

export const invalidationBatchShape = structure({ Paths: req(items(string(), 'Path')), CallerReference: req(string()) });
export const invalidationShape = structure({ Id: req(string()), Status: req(string()), CreateTime: req(string()), InvalidationBatch: req(invalidationBatchShape) });

// ---- the types a handler and the data plane see -----------------------------------------------------

export type DistributionConfig = ShapeType<typeof distributionConfigShape>;
export type Origin = ShapeType<typeof originShape>;
export type OriginGroup = ShapeType<typeof originGroupShape>;
export type DefaultCacheBehavior = ShapeType<typeof defaultCacheBehaviorShape>;
export type CacheBehavior = ShapeType<typeof cacheBehaviorShape>;
export type CustomErrorResponse = ShapeType<typeof customErrorResponseShape>;
export type Distribution = ShapeType<typeof distributionShape>;
export type DistributionSummary = ShapeType<typeof distributionSummaryShape>;
export type CachePolicyConfig = ShapeType<typeof cachePolicyConfigShape>;
export type OriginRequestPolicyConfig = ShapeType<typeof originRequestPolicyConfigShape>;
export type ResponseHeadersPolicyConfig = ShapeType<typeof responseHeadersPolicyConfigShape>;
export type OriginAccessControlConfig = ShapeType<typeof originAccessControlConfigShape>;
export type PublicKeyConfig = ShapeType<typeof publicKeyConfigShape>;
export type KeyGroupConfig = ShapeType<typeof keyGroupConfigShape>;
export type InvalidationBatch = ShapeType<typeof invalidationBatchShape>;
export type Tag = { Key: string; Value?: string };
