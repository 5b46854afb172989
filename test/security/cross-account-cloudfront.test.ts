/**
 * The cross-account matrix for CloudFront (see cross-account-helpers.ts): every operation on the
 * owner's distributions, policies, origin access controls, keys, key groups and invalidations,
 * by id (and, for tags, by ARN). CloudFront answers another account's id exactly as a missing
 * one (NoSuchDistribution, NoSuchCachePolicy, ...), whatever If-Match is sent, even the owner's
 * current ETag; an ARN naming another account is AccessDenied (IAM cannot grant it). Lists and
 * creates answer within the caller's own account.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import {
  CreateInvalidationCommand,
  CreateKeyGroupCommand,
  CreateOriginAccessControlCommand,
  CreatePublicKeyCommand,
  DeleteKeyGroupCommand,
  DeleteOriginAccessControlCommand,
  DeletePublicKeyCommand,
  GetInvalidationCommand,
  GetKeyGroupCommand,
  GetKeyGroupConfigCommand,
  GetOriginAccessControlCommand,
  GetOriginAccessControlConfigCommand,
  GetPublicKeyCommand,
  GetPublicKeyConfigCommand,
  ListInvalidationsCommand,
  ListKeyGroupsCommand,
  ListOriginAccessControlsCommand,
  ListPublicKeysCommand,
  UpdateKeyGroupCommand,
  UpdateOriginAccessControlCommand,
  UpdatePublicKeyCommand,
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
  oac: { id: string; etag: string };
  publicKey: { id: string; etag: string; pem: string };
  keyGroup: { id: string; etag: string };
  invalidationId: string;
  /** A distribution of the intruder's own. */
  intruderDistributionId: string;
}

const pem = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const oacConfig = { Name: 'owner-oac', SigningProtocol: 'sigv4' as const, SigningBehavior: 'always' as const, OriginAccessControlOriginType: 's3' as const };

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

const NO_OAC: Refusal = { name: 'NoSuchOriginAccessControl', message: /^The specified origin access control does not exist\.$/ };
const NO_PUBLIC_KEY: Refusal = { name: 'NoSuchPublicKey', message: /^The specified public key does not exist\.$/ };
const NO_KEY_GROUP: Refusal = { name: 'NoSuchResource', message: /^The specified key group does not exist\.$/ };

const keyCalls: Array<[string, Refusal, (c: CloudFrontClient, f: F) => Promise<unknown>]> = [
  ['GetOriginAccessControl', NO_OAC, (c, f) => c.send(new GetOriginAccessControlCommand({ Id: f.oac.id }))],
  ['GetOriginAccessControlConfig', NO_OAC, (c, f) => c.send(new GetOriginAccessControlConfigCommand({ Id: f.oac.id }))],
  ['UpdateOriginAccessControl', NO_OAC, (c, f) => c.send(new UpdateOriginAccessControlCommand({ Id: f.oac.id, IfMatch: f.oac.etag, OriginAccessControlConfig: { ...oacConfig, SigningBehavior: 'never' } }))],
  ['DeleteOriginAccessControl', NO_OAC, (c, f) => c.send(new DeleteOriginAccessControlCommand({ Id: f.oac.id, IfMatch: f.oac.etag }))],
  ['GetPublicKey', NO_PUBLIC_KEY, (c, f) => c.send(new GetPublicKeyCommand({ Id: f.publicKey.id }))],
  ['GetPublicKeyConfig', NO_PUBLIC_KEY, (c, f) => c.send(new GetPublicKeyConfigCommand({ Id: f.publicKey.id }))],
  [
    'UpdatePublicKey',
    NO_PUBLIC_KEY,
    (c, f) => c.send(new UpdatePublicKeyCommand({ Id: f.publicKey.id, IfMatch: f.publicKey.etag, PublicKeyConfig: { CallerReference: 'owner-key', Name: 'owner-key', EncodedKey: f.publicKey.pem, Comment: 'taken' } })),
  ],
  ['DeletePublicKey', NO_PUBLIC_KEY, (c, f) => c.send(new DeletePublicKeyCommand({ Id: f.publicKey.id, IfMatch: f.publicKey.etag }))],
  ['GetKeyGroup', NO_KEY_GROUP, (c, f) => c.send(new GetKeyGroupCommand({ Id: f.keyGroup.id }))],
  ['GetKeyGroupConfig', NO_KEY_GROUP, (c, f) => c.send(new GetKeyGroupConfigCommand({ Id: f.keyGroup.id }))],
  ['UpdateKeyGroup', NO_KEY_GROUP, (c, f) => c.send(new UpdateKeyGroupCommand({ Id: f.keyGroup.id, IfMatch: f.keyGroup.etag, KeyGroupConfig: { Name: 'owner-group', Items: [f.publicKey.id], Comment: 'taken' } }))],
  ['DeleteKeyGroup', NO_KEY_GROUP, (c, f) => c.send(new DeleteKeyGroupCommand({ Id: f.keyGroup.id, IfMatch: f.keyGroup.etag }))],
  ['CreateInvalidation', NO_DISTRIBUTION, (c, f) => c.send(new CreateInvalidationCommand({ DistributionId: f.distributionId, InvalidationBatch: { CallerReference: 'intruder', Paths: { Quantity: 1, Items: ['/*'] } } }))],
  ['GetInvalidation', NO_DISTRIBUTION, (c, f) => c.send(new GetInvalidationCommand({ DistributionId: f.distributionId, Id: f.invalidationId }))],
  ['ListInvalidations', NO_DISTRIBUTION, (c, f) => c.send(new ListInvalidationsCommand({ DistributionId: f.distributionId }))],
];

const listQuantity = (out: unknown, member: string) => (out as Record<string, { Quantity?: number }>)[member]?.Quantity;

const rows: Row<F>[] = [
  ...keyCalls.map(([op, refusal, call]): Row<F> => ({ op, form: 'by id', call: (f) => call(f.intruder, f), refusal })),
  {
    op: 'GetInvalidation',
    form: "by the owner's invalidation id under the caller's own distribution",
    call: (f) => f.intruder.send(new GetInvalidationCommand({ DistributionId: f.intruderDistributionId, Id: f.invalidationId })),
    refusal: { name: 'NoSuchInvalidation', message: /^The specified invalidation does not exist\.$/ },
  },
  { op: 'ListOriginAccessControls', form: "(lists the caller's own)", call: (f) => f.intruder.send(new ListOriginAccessControlsCommand({})), shows: (out) => assert.equal(listQuantity(out, 'OriginAccessControlList'), 0) },
  { op: 'ListPublicKeys', form: "(lists the caller's own)", call: (f) => f.intruder.send(new ListPublicKeysCommand({})), shows: (out) => assert.equal(listQuantity(out, 'PublicKeyList'), 0) },
  { op: 'ListKeyGroups', form: "(lists the caller's own)", call: (f) => f.intruder.send(new ListKeyGroupsCommand({})), shows: (out) => assert.equal(listQuantity(out, 'KeyGroupList'), 0) },
  { op: 'CreateOriginAccessControl', form: "with the owner's name", call: (f) => f.intruder.send(new CreateOriginAccessControlCommand({ OriginAccessControlConfig: oacConfig })), shows: () => {} },
  {
    op: 'CreatePublicKey',
    form: "with the owner's CallerReference and name",
    call: (f) => f.intruder.send(new CreatePublicKeyCommand({ PublicKeyConfig: { CallerReference: 'owner-key', Name: 'owner-key', EncodedKey: f.publicKey.pem } })),
    shows: (out, f) => assert.notEqual((out as { PublicKey?: { Id?: string } }).PublicKey?.Id, f.publicKey.id),
  },
  {
    op: 'CreateKeyGroup',
    form: "naming the owner's public key",
    call: (f) => f.intruder.send(new CreateKeyGroupCommand({ KeyGroupConfig: { Name: 'owner-group', Items: [f.publicKey.id] } })),
    refusal: NO_PUBLIC_KEY,
  },
  {
    op: 'CreateDistribution',
    form: "naming the owner's origin access control",
    call: (f) =>
      f.intruder.send(
        new CreateDistributionCommand({
          DistributionConfig: s3DistributionConfig('steal-oac', {
            Origins: { Quantity: 1, Items: [{ Id: 's3', DomainName: 'assets.s3.us-east-1.amazonaws.com', S3OriginConfig: { OriginAccessIdentity: '' }, OriginAccessControlId: f.oac.id }] },
          }),
        }),
      ),
    refusal: NO_OAC,
  },
  {
    op: 'CreateDistribution',
    form: "trusting the owner's key group",
    call: (f) =>
      f.intruder.send(
        new CreateDistributionCommand({
          DistributionConfig: s3DistributionConfig('steal-group', {
            DefaultCacheBehavior: {
              TargetOriginId: 's3',
              ViewerProtocolPolicy: 'allow-all',
              CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
              TrustedKeyGroups: { Enabled: true, Quantity: 1, Items: [f.keyGroup.id] },
            },
          }),
        }),
      ),
    refusal: { name: 'TrustedKeyGroupDoesNotExist' },
  },
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
    shows: (out, f) => {
      const ids = (out as { DistributionList?: { Items?: Array<{ Id?: string }> } }).DistributionList?.Items?.map((d) => d.Id) ?? [];
      assert.ok(!ids.includes(f.distributionId), `the owner's distribution is listed: ${ids.join(', ')}`);
      assert.ok(ids.includes(f.intruderDistributionId));
    },
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
    const oac = await owner.send(new CreateOriginAccessControlCommand({ OriginAccessControlConfig: oacConfig }));
    const keyPem = pem();
    const key = await owner.send(new CreatePublicKeyCommand({ PublicKeyConfig: { CallerReference: 'owner-key', Name: 'owner-key', EncodedKey: keyPem } }));
    const group = await owner.send(new CreateKeyGroupCommand({ KeyGroupConfig: { Name: 'owner-group', Items: [key.PublicKey!.Id!] } }));
    const inv = await owner.send(
      new CreateInvalidationCommand({ DistributionId: created.Distribution!.Id, InvalidationBatch: { CallerReference: 'owner', Paths: { Quantity: 1, Items: ['/index.html'] } } }),
    );
    const intruder = cloudfrontClient(t.endpoint, { credentials: INTRUDER });
    const own = await intruder.send(new CreateDistributionCommand({ DistributionConfig: s3DistributionConfig('intruder-own') }));
    t.clock.advance(1000);
    const d = created.Distribution!;
    return {
      oac: { id: oac.OriginAccessControl!.Id!, etag: oac.ETag! },
      publicKey: { id: key.PublicKey!.Id!, etag: key.ETag!, pem: keyPem },
      keyGroup: { id: group.KeyGroup!.Id!, etag: group.ETag! },
      invalidationId: inv.Invalidation!.Id!,
      intruderDistributionId: own.Distribution!.Id!,
      t,
      owner,
      intruder,
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
    const strip = (v: object) => ({ ...v, $metadata: undefined });
    return {
      oac: strip(await f.owner.send(new GetOriginAccessControlCommand({ Id: f.oac.id }))),
      publicKey: strip(await f.owner.send(new GetPublicKeyCommand({ Id: f.publicKey.id }))),
      keyGroup: strip(await f.owner.send(new GetKeyGroupCommand({ Id: f.keyGroup.id }))),
      // Ids only: a data plane completes invalidations in its own time.
      invalidations: (await f.owner.send(new ListInvalidationsCommand({ DistributionId: f.distributionId }))).InvalidationList?.Items?.map((i) => i.Id),
      policies: Object.fromEntries(Object.entries(policies).map(([k, v]) => [k, { ...v, $metadata: undefined }])),
      ids: list.DistributionList?.Items?.map((x) => x.Id),
      etag: d.ETag,
      config: d.Distribution?.DistributionConfig,
      tags: tags.Tags?.Items,
    };
  },
});
