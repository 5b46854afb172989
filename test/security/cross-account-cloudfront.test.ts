/**
 * The cross-account matrix for CloudFront (see cross-account-helpers.ts): every operation on the
 * owner's distributions, policies, origin access controls, keys, key groups and invalidations,
 * by id (and, for tags, by ARN). CloudFront answers another account's id exactly as a missing
 * one (NoSuchDistribution, NoSuchCachePolicy, ...), whatever If-Match is sent, even the owner's
 * current ETag; an ARN naming another account is AccessDenied (IAM cannot grant it). Lists and
 * creates answer within the caller's own account.
 */
import assert from 'node:assert/strict';
import {
  CreateCachePolicyCommand,
  CreateOriginRequestPolicyCommand,
  CreateResponseHeadersPolicyCommand,
  DeleteCachePolicyCommand,
  DeleteOriginRequestPolicyCommand,
  DeleteResponseHeadersPolicyCommand,
  GetCachePolicyCommand,
  GetCachePolicyConfigCommand,
  GetOriginRequestPolicyCommand,
  GetOriginRequestPolicyConfigCommand,
  GetResponseHeadersPolicyCommand,
  GetResponseHeadersPolicyConfigCommand,
  ListCachePoliciesCommand,
  ListOriginRequestPoliciesCommand,
  ListResponseHeadersPoliciesCommand,
  UpdateCachePolicyCommand,
  UpdateOriginRequestPolicyCommand,
  UpdateResponseHeadersPolicyCommand,
  type CachePolicyConfig,
  type OriginRequestPolicyConfig,
  type ResponseHeadersPolicyConfig,
  CreateDistributionCommand,
  CreateDistributionWithTagsCommand,
  DeleteDistributionCommand,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  ListDistributionsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateDistributionCommand,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import type { TestNimbus } from '../helpers/nimbus.js';
import { cloudfrontClient, s3DistributionConfig } from '../services/cloudfront/helpers.js';
import { INTRUDER, runMatrix, startMatrixNimbus, type Refusal, type Row } from './cross-account-helpers.js';

interface F {
  t: TestNimbus;
  owner: CloudFrontClient;
  intruder: CloudFrontClient;
  /** The owner's distribution (disabled and deployed, so only the wall stops its deletion) and its current ETag. */
  distributionId: string;
  distributionArn: string;
  etag: string;
  /** The owner's policies by kind, with their current ETags. */
  policies: Record<'cache' | 'originRequest' | 'responseHeaders', { id: string; etag: string }>;
}

const cacheConfig: CachePolicyConfig = {
  Name: 'owner-cache',
  MinTTL: 0,
  ParametersInCacheKeyAndForwardedToOrigin: {
    EnableAcceptEncodingGzip: false,
    HeadersConfig: { HeaderBehavior: 'none' },
    CookiesConfig: { CookieBehavior: 'none' },
    QueryStringsConfig: { QueryStringBehavior: 'none' },
  },
};
const originRequestConfig: OriginRequestPolicyConfig = {
  Name: 'owner-origin-request',
  HeadersConfig: { HeaderBehavior: 'none' },
  CookiesConfig: { CookieBehavior: 'none' },
  QueryStringsConfig: { QueryStringBehavior: 'all' },
};
const responseHeadersConfig: ResponseHeadersPolicyConfig = { Name: 'owner-response-headers', CustomHeadersConfig: { Quantity: 1, Items: [{ Header: 'x-owner', Value: '1', Override: true }] } };

const NO_DISTRIBUTION: Refusal = { name: 'NoSuchDistribution', message: /^The specified distribution does not exist\.$/ };
const ACCESS_DENIED: Refusal = { name: 'AccessDenied', message: /is not authorized to perform: cloudfront:/ };

/** The calls that name the owner's distribution by id, each with the owner's current ETag where it takes one. */
const distributionCalls: Array<[string, (c: CloudFrontClient, f: F) => Promise<unknown>]> = [
  ['GetDistribution', (c, f) => c.send(new GetDistributionCommand({ Id: f.distributionId }))],
  ['GetDistributionConfig', (c, f) => c.send(new GetDistributionConfigCommand({ Id: f.distributionId }))],
  ['UpdateDistribution', (c, f) => c.send(new UpdateDistributionCommand({ Id: f.distributionId, IfMatch: f.etag, DistributionConfig: s3DistributionConfig('owner', { Enabled: false, Comment: 'taken' }) }))],
  ['DeleteDistribution', (c, f) => c.send(new DeleteDistributionCommand({ Id: f.distributionId, IfMatch: f.etag }))],
];

const tagCalls: Array<[string, (c: CloudFrontClient, arn: string) => Promise<unknown>]> = [
  ['TagResource', (c, arn) => c.send(new TagResourceCommand({ Resource: arn, Tags: { Items: [{ Key: 'owned', Value: 'yes' }] } }))],
  ['UntagResource', (c, arn) => c.send(new UntagResourceCommand({ Resource: arn, TagKeys: { Items: ['team'] } }))],
  ['ListTagsForResource', (c, arn) => c.send(new ListTagsForResourceCommand({ Resource: arn }))],
];

const NO_CACHE_POLICY: Refusal = { name: 'NoSuchCachePolicy', message: /^The cache policy does not exist\.$/ };
const NO_ORIGIN_REQUEST_POLICY: Refusal = { name: 'NoSuchOriginRequestPolicy', message: /^The origin request policy does not exist\.$/ };
const NO_RESPONSE_HEADERS_POLICY: Refusal = { name: 'NoSuchResponseHeadersPolicy', message: /^The response headers policy does not exist\.$/ };

/** Each policy kind's calls by id, with the owner's current ETag where one is taken. */
const policyCalls: Array<[string, Refusal, (c: CloudFrontClient, f: F) => Promise<unknown>]> = [
  ['GetCachePolicy', NO_CACHE_POLICY, (c, f) => c.send(new GetCachePolicyCommand({ Id: f.policies.cache.id }))],
  ['GetCachePolicyConfig', NO_CACHE_POLICY, (c, f) => c.send(new GetCachePolicyConfigCommand({ Id: f.policies.cache.id }))],
  ['UpdateCachePolicy', NO_CACHE_POLICY, (c, f) => c.send(new UpdateCachePolicyCommand({ Id: f.policies.cache.id, IfMatch: f.policies.cache.etag, CachePolicyConfig: { ...cacheConfig, MinTTL: 5 } }))],
  ['DeleteCachePolicy', NO_CACHE_POLICY, (c, f) => c.send(new DeleteCachePolicyCommand({ Id: f.policies.cache.id, IfMatch: f.policies.cache.etag }))],
  ['GetOriginRequestPolicy', NO_ORIGIN_REQUEST_POLICY, (c, f) => c.send(new GetOriginRequestPolicyCommand({ Id: f.policies.originRequest.id }))],
  ['GetOriginRequestPolicyConfig', NO_ORIGIN_REQUEST_POLICY, (c, f) => c.send(new GetOriginRequestPolicyConfigCommand({ Id: f.policies.originRequest.id }))],
  [
    'UpdateOriginRequestPolicy',
    NO_ORIGIN_REQUEST_POLICY,
    (c, f) => c.send(new UpdateOriginRequestPolicyCommand({ Id: f.policies.originRequest.id, IfMatch: f.policies.originRequest.etag, OriginRequestPolicyConfig: { ...originRequestConfig, Comment: 'taken' } })),
  ],
  ['DeleteOriginRequestPolicy', NO_ORIGIN_REQUEST_POLICY, (c, f) => c.send(new DeleteOriginRequestPolicyCommand({ Id: f.policies.originRequest.id, IfMatch: f.policies.originRequest.etag }))],
  ['GetResponseHeadersPolicy', NO_RESPONSE_HEADERS_POLICY, (c, f) => c.send(new GetResponseHeadersPolicyCommand({ Id: f.policies.responseHeaders.id }))],
  ['GetResponseHeadersPolicyConfig', NO_RESPONSE_HEADERS_POLICY, (c, f) => c.send(new GetResponseHeadersPolicyConfigCommand({ Id: f.policies.responseHeaders.id }))],
  [
    'UpdateResponseHeadersPolicy',
    NO_RESPONSE_HEADERS_POLICY,
    (c, f) => c.send(new UpdateResponseHeadersPolicyCommand({ Id: f.policies.responseHeaders.id, IfMatch: f.policies.responseHeaders.etag, ResponseHeadersPolicyConfig: { ...responseHeadersConfig, Comment: 'taken' } })),
  ],
  ['DeleteResponseHeadersPolicy', NO_RESPONSE_HEADERS_POLICY, (c, f) => c.send(new DeleteResponseHeadersPolicyCommand({ Id: f.policies.responseHeaders.id, IfMatch: f.policies.responseHeaders.etag }))],
];

const listQuantity = (out: unknown, member: string) => (out as Record<string, { Quantity?: number }>)[member]?.Quantity;

const rows: Row<F>[] = [
  ...policyCalls.map(([op, refusal, call]): Row<F> => ({ op, form: 'by id', call: (f) => call(f.intruder, f), refusal })),
  { op: 'ListCachePolicies', form: "(Type=custom lists the caller's own)", call: (f) => f.intruder.send(new ListCachePoliciesCommand({ Type: 'custom' })), shows: (out) => assert.equal(listQuantity(out, 'CachePolicyList'), 0) },
  {
    op: 'ListOriginRequestPolicies',
    form: "(Type=custom lists the caller's own)",
    call: (f) => f.intruder.send(new ListOriginRequestPoliciesCommand({ Type: 'custom' })),
    shows: (out) => assert.equal(listQuantity(out, 'OriginRequestPolicyList'), 0),
  },
  {
    op: 'ListResponseHeadersPolicies',
    form: "(Type=custom lists the caller's own)",
    call: (f) => f.intruder.send(new ListResponseHeadersPoliciesCommand({ Type: 'custom' })),
    shows: (out) => assert.equal(listQuantity(out, 'ResponseHeadersPolicyList'), 0),
  },
  // Names are the caller's own: the owner's names do not collide with the intruder's.
  { op: 'CreateCachePolicy', form: "with the owner's policy name", call: (f) => f.intruder.send(new CreateCachePolicyCommand({ CachePolicyConfig: cacheConfig })), shows: () => {} },
  { op: 'CreateOriginRequestPolicy', form: "with the owner's policy name", call: (f) => f.intruder.send(new CreateOriginRequestPolicyCommand({ OriginRequestPolicyConfig: originRequestConfig })), shows: () => {} },
  {
    op: 'CreateResponseHeadersPolicy',
    form: "with the owner's policy name",
    call: (f) => f.intruder.send(new CreateResponseHeadersPolicyCommand({ ResponseHeadersPolicyConfig: responseHeadersConfig })),
    shows: () => {},
  },
  {
    op: 'CreateDistribution',
    form: "naming the owner's cache policy",
    call: (f) =>
      f.intruder.send(
        new CreateDistributionCommand({ DistributionConfig: s3DistributionConfig('steal-cache', { DefaultCacheBehavior: { TargetOriginId: 's3', ViewerProtocolPolicy: 'allow-all', CachePolicyId: f.policies.cache.id } }) }),
      ),
    refusal: NO_CACHE_POLICY,
  },
  {
    op: 'CreateDistribution',
    form: "naming the owner's origin request and response headers policies",
    call: (f) =>
      f.intruder.send(
        new CreateDistributionCommand({
          DistributionConfig: s3DistributionConfig('steal-orp', {
            DefaultCacheBehavior: { TargetOriginId: 's3', ViewerProtocolPolicy: 'allow-all', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6', OriginRequestPolicyId: f.policies.originRequest.id },
          }),
        }),
      ),
    refusal: NO_ORIGIN_REQUEST_POLICY,
  },
  ...distributionCalls.map(([op, call]): Row<F> => ({ op, form: 'by id', call: (f) => call(f.intruder, f), refusal: NO_DISTRIBUTION })),
  ...tagCalls.map(([op, call]): Row<F> => ({ op, form: 'by ARN', call: (f) => call(f.intruder, f.distributionArn), refusal: ACCESS_DENIED })),
  {
    op: 'ListDistributions',
    form: "(lists the caller's own distributions)",
    call: (f) => f.intruder.send(new ListDistributionsCommand({})),
    shows: (out) => assert.equal((out as { DistributionList?: { Quantity?: number } }).DistributionList?.Quantity, 0),
  },
  {
    // A CallerReference is the caller's own: the owner's does not make the intruder's create a retry of it.
    op: 'CreateDistribution',
    form: "with the owner's CallerReference",
    call: (f) => f.intruder.send(new CreateDistributionCommand({ DistributionConfig: s3DistributionConfig('owner', { Comment: 'intruder' }) })),
    shows: (out, f) => assert.notEqual((out as { Distribution?: { Id?: string } }).Distribution?.Id, f.distributionId),
  },
  {
    op: 'CreateDistributionWithTags',
    form: "with the owner's CallerReference",
    call: (f) => f.intruder.send(new CreateDistributionWithTagsCommand({ DistributionConfigWithTags: { DistributionConfig: s3DistributionConfig('owner-tagged'), Tags: { Items: [] } } })),
    shows: (out, f) => assert.notEqual((out as { Distribution?: { Id?: string } }).Distribution?.Id, f.distributionId),
  },
];

runMatrix<F>({
  service: 'cloudfront',
  async setup() {
    const t = await startMatrixNimbus();
    const owner = cloudfrontClient(t.endpoint);
    const created = await owner.send(
      new CreateDistributionWithTagsCommand({
        DistributionConfigWithTags: { DistributionConfig: s3DistributionConfig('owner-tagged', { Enabled: false }), Tags: { Items: [{ Key: 'team', Value: 'owner' }] } },
      }),
    );
    await owner.send(new CreateDistributionCommand({ DistributionConfig: s3DistributionConfig('owner') }));
    const cache = await owner.send(new CreateCachePolicyCommand({ CachePolicyConfig: cacheConfig }));
    const originRequest = await owner.send(new CreateOriginRequestPolicyCommand({ OriginRequestPolicyConfig: originRequestConfig }));
    const responseHeaders = await owner.send(new CreateResponseHeadersPolicyCommand({ ResponseHeadersPolicyConfig: responseHeadersConfig }));
    t.clock.advance(1000);
    const d = created.Distribution!;
    return {
      t,
      owner,
      intruder: cloudfrontClient(t.endpoint, { credentials: INTRUDER }),
      distributionId: d.Id!,
      distributionArn: d.ARN!,
      etag: created.ETag!,
      policies: {
        cache: { id: cache.CachePolicy!.Id!, etag: cache.ETag! },
        originRequest: { id: originRequest.OriginRequestPolicy!.Id!, etag: originRequest.ETag! },
        responseHeaders: { id: responseHeaders.ResponseHeadersPolicy!.Id!, etag: responseHeaders.ETag! },
      },
    };
  },
  async teardown(f) {
    f.owner.destroy();
    f.intruder.destroy();
    await f.t.stop();
  },
  rows,
  async snapshot(f) {
    const list = await f.owner.send(new ListDistributionsCommand({}));
    const d = await f.owner.send(new GetDistributionCommand({ Id: f.distributionId }));
    const tags = await f.owner.send(new ListTagsForResourceCommand({ Resource: f.distributionArn }));
    const policies = {
      cache: await f.owner.send(new GetCachePolicyCommand({ Id: f.policies.cache.id })),
      originRequest: await f.owner.send(new GetOriginRequestPolicyCommand({ Id: f.policies.originRequest.id })),
      responseHeaders: await f.owner.send(new GetResponseHeadersPolicyCommand({ Id: f.policies.responseHeaders.id })),
    };
    return {
      policies: Object.fromEntries(Object.entries(policies).map(([k, v]) => [k, { ...v, $metadata: undefined }])),
      ids: list.DistributionList?.Items?.map((x) => x.Id),
      etag: d.ETag,
      config: d.Distribution?.DistributionConfig,
      tags: tags.Tags?.Items,
    };
  },
});
