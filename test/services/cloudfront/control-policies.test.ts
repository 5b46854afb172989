/**
 * Cache, origin request and response headers policies through the SDK client: the managed ones
 * by AWS's ids, the account's own with ETag/If-Match, unique names, in-use refusals, and
 * listing by Type.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateCachePolicyCommand,
  CreateDistributionCommand,
  CreateOriginRequestPolicyCommand,
  CreateResponseHeadersPolicyCommand,
  DeleteCachePolicyCommand,
  DeleteDistributionCommand,
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
  UpdateDistributionCommand,
  UpdateOriginRequestPolicyCommand,
  UpdateResponseHeadersPolicyCommand,
  type CachePolicyConfig,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import { startTestNimbus, type TestNimbus } from '../../helpers/nimbus.js';
import { ALL_VIEWER, CACHING_DISABLED, CACHING_OPTIMIZED, cloudfrontClient, s3DistributionConfig } from './helpers.js';

async function rejects(p: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name, `${e.name}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return true;
  });
}

const cacheConfig = (Name: string, over: Partial<CachePolicyConfig> = {}): CachePolicyConfig => ({
  Name,
  MinTTL: 0,
  DefaultTTL: 60,
  MaxTTL: 3600,
  ParametersInCacheKeyAndForwardedToOrigin: {
    EnableAcceptEncodingGzip: true,
    EnableAcceptEncodingBrotli: true,
    HeadersConfig: { HeaderBehavior: 'none' },
    CookiesConfig: { CookieBehavior: 'none' },
    QueryStringsConfig: { QueryStringBehavior: 'whitelist', QueryStrings: { Quantity: 1, Items: ['page'] } },
  },
  ...over,
});

describe('CloudFront policies', () => {
  let t: TestNimbus;
  let cf: CloudFrontClient;
  before(async () => {
    t = await startTestNimbus();
    cf = cloudfrontClient(t.endpoint);
  });
  after(async () => {
    cf.destroy();
    await t.stop();
  });

  test('the managed policies answer by their AWS ids, and cannot be changed', async () => {
    const optimized = await cf.send(new GetCachePolicyCommand({ Id: CACHING_OPTIMIZED }));
    const c = optimized.CachePolicy!.CachePolicyConfig!;
    assert.equal(c.Name, 'Managed-CachingOptimized');
    assert.deepEqual([c.MinTTL, c.DefaultTTL, c.MaxTTL], [1, 86400, 31536000]);
    assert.equal(c.ParametersInCacheKeyAndForwardedToOrigin?.EnableAcceptEncodingBrotli, true);
    const disabled = await cf.send(new GetCachePolicyConfigCommand({ Id: CACHING_DISABLED }));
    assert.deepEqual([disabled.CachePolicyConfig?.MinTTL, disabled.CachePolicyConfig?.DefaultTTL, disabled.CachePolicyConfig?.MaxTTL], [0, 0, 0]);
    const allViewer = await cf.send(new GetOriginRequestPolicyCommand({ Id: ALL_VIEWER }));
    assert.equal(allViewer.OriginRequestPolicy?.OriginRequestPolicyConfig?.HeadersConfig?.HeaderBehavior, 'allViewer');
    const cors = await cf.send(new GetResponseHeadersPolicyCommand({ Id: '60669652-455b-4ae9-85a4-c4c02393f86c' }));
    assert.deepEqual(cors.ResponseHeadersPolicy?.ResponseHeadersPolicyConfig?.CorsConfig?.AccessControlAllowOrigins?.Items, ['*']);
    await rejects(cf.send(new UpdateCachePolicyCommand({ Id: CACHING_OPTIMIZED, IfMatch: optimized.ETag, CachePolicyConfig: cacheConfig('x') })), 'AccessDenied');
    await rejects(cf.send(new DeleteCachePolicyCommand({ Id: CACHING_OPTIMIZED, IfMatch: optimized.ETag })), 'AccessDenied');
    const managed = await cf.send(new ListCachePoliciesCommand({ Type: 'managed' }));
    assert.ok(managed.CachePolicyList!.Items!.every((s) => s.Type === 'managed'));
    assert.ok(managed.CachePolicyList!.Items!.some((s) => s.CachePolicy?.Id === CACHING_OPTIMIZED));
    assert.equal((await cf.send(new ListOriginRequestPoliciesCommand({ Type: 'managed' }))).OriginRequestPolicyList?.Quantity, 7);
    assert.equal((await cf.send(new ListResponseHeadersPoliciesCommand({ Type: 'managed' }))).ResponseHeadersPolicyList?.Quantity, 5);
  });

  test('a cache policy: create, get, update under If-Match, unique names, in use by a distribution, delete', async () => {
    const created = await cf.send(new CreateCachePolicyCommand({ CachePolicyConfig: cacheConfig('api-by-page') }));
    assert.equal(created.$metadata.httpStatusCode, 201);
    const id = created.CachePolicy!.Id!;
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(created.Location, `${t.endpoint}/2020-05-31/cache-policy/${id}`);
    assert.deepEqual(created.CachePolicy?.CachePolicyConfig?.ParametersInCacheKeyAndForwardedToOrigin?.QueryStringsConfig?.QueryStrings?.Items, ['page']);
    await rejects(cf.send(new CreateCachePolicyCommand({ CachePolicyConfig: cacheConfig('api-by-page') })), 'CachePolicyAlreadyExists');

    await rejects(cf.send(new UpdateCachePolicyCommand({ Id: id, CachePolicyConfig: cacheConfig('api-by-page', { MaxTTL: 7200 }) })), 'InvalidIfMatchVersion');
    const updated = await cf.send(new UpdateCachePolicyCommand({ Id: id, IfMatch: created.ETag, CachePolicyConfig: cacheConfig('api-by-page', { MaxTTL: 7200 }) }));
    assert.notEqual(updated.ETag, created.ETag);
    assert.equal((await cf.send(new GetCachePolicyCommand({ Id: id }))).CachePolicy?.CachePolicyConfig?.MaxTTL, 7200);

    // Listed as custom.
    const custom = await cf.send(new ListCachePoliciesCommand({ Type: 'custom' }));
    assert.deepEqual(custom.CachePolicyList?.Items?.map((s) => [s.Type, s.CachePolicy?.Id]), [['custom', id]]);

    // A distribution may name it; then it cannot be deleted.
    const dist = await cf.send(
      new CreateDistributionCommand({ DistributionConfig: s3DistributionConfig('uses-policy', { DefaultCacheBehavior: { TargetOriginId: 's3', ViewerProtocolPolicy: 'allow-all', CachePolicyId: id } }) }),
    );
    await rejects(cf.send(new DeleteCachePolicyCommand({ Id: id, IfMatch: updated.ETag })), 'CachePolicyInUse');
    t.clock.advance(1000);
    const off = await cf.send(new UpdateDistributionCommand({ Id: dist.Distribution!.Id, IfMatch: dist.ETag, DistributionConfig: s3DistributionConfig('uses-policy', { Enabled: false }) }));
    await rejects(cf.send(new DeleteCachePolicyCommand({ Id: id, IfMatch: created.ETag })), 'PreconditionFailed');
    await cf.send(new DeleteCachePolicyCommand({ Id: id, IfMatch: updated.ETag }));
    await rejects(cf.send(new GetCachePolicyCommand({ Id: id })), 'NoSuchCachePolicy', /^The cache policy does not exist\.$/);
    t.clock.advance(1000);
    await cf.send(new DeleteDistributionCommand({ Id: dist.Distribution!.Id, IfMatch: off.ETag }));
  });

  test('cache policy validation', async () => {
    await rejects(cf.send(new CreateCachePolicyCommand({ CachePolicyConfig: cacheConfig('ttl', { MinTTL: 100, DefaultTTL: 10 }) })), 'InvalidArgument');
    await rejects(
      cf.send(
        new CreateCachePolicyCommand({
          CachePolicyConfig: cacheConfig('wl', {
            ParametersInCacheKeyAndForwardedToOrigin: {
              EnableAcceptEncodingGzip: false,
              HeadersConfig: { HeaderBehavior: 'whitelist' },
              CookiesConfig: { CookieBehavior: 'none' },
              QueryStringsConfig: { QueryStringBehavior: 'none' },
            },
          }),
        }),
      ),
      'InvalidArgument',
    );
    await rejects(cf.send(new CreateCachePolicyCommand({ CachePolicyConfig: cacheConfig('bad name!') })), 'InvalidArgument');
  });

  test('an origin request policy and a response headers policy, end to end', async () => {
    const orp = await cf.send(
      new CreateOriginRequestPolicyCommand({
        OriginRequestPolicyConfig: {
          Name: 'forward-auth',
          HeadersConfig: { HeaderBehavior: 'whitelist', Headers: { Quantity: 1, Items: ['Authorization'] } },
          CookiesConfig: { CookieBehavior: 'none' },
          QueryStringsConfig: { QueryStringBehavior: 'all' },
        },
      }),
    );
    const orpId = orp.OriginRequestPolicy!.Id!;
    assert.deepEqual((await cf.send(new GetOriginRequestPolicyConfigCommand({ Id: orpId }))).OriginRequestPolicyConfig?.HeadersConfig?.Headers?.Items, ['Authorization']);
    const orp2 = await cf.send(
      new UpdateOriginRequestPolicyCommand({
        Id: orpId,
        IfMatch: orp.ETag,
        OriginRequestPolicyConfig: { Name: 'forward-auth', HeadersConfig: { HeaderBehavior: 'allViewer' }, CookiesConfig: { CookieBehavior: 'all' }, QueryStringsConfig: { QueryStringBehavior: 'all' } },
      }),
    );
    assert.equal(orp2.OriginRequestPolicy?.OriginRequestPolicyConfig?.HeadersConfig?.HeaderBehavior, 'allViewer');

    const rhp = await cf.send(
      new CreateResponseHeadersPolicyCommand({
        ResponseHeadersPolicyConfig: {
          Name: 'site-headers',
          CorsConfig: {
            AccessControlAllowOrigins: { Quantity: 1, Items: ['https://example.com'] },
            AccessControlAllowHeaders: { Quantity: 1, Items: ['*'] },
            AccessControlAllowMethods: { Quantity: 2, Items: ['GET', 'HEAD'] },
            AccessControlAllowCredentials: true,
            AccessControlMaxAgeSec: 600,
            OriginOverride: true,
          },
          SecurityHeadersConfig: { FrameOptions: { Override: true, FrameOption: 'DENY' }, StrictTransportSecurity: { Override: true, AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true } },
          ServerTimingHeadersConfig: { Enabled: true, SamplingRate: 12.5 },
          CustomHeadersConfig: { Quantity: 1, Items: [{ Header: 'X-Site', Value: 'nimbus', Override: false }] },
          RemoveHeadersConfig: { Quantity: 1, Items: [{ Header: 'Server' }] },
        },
      }),
    );
    const rhpId = rhp.ResponseHeadersPolicy!.Id!;
    const got = (await cf.send(new GetResponseHeadersPolicyConfigCommand({ Id: rhpId }))).ResponseHeadersPolicyConfig!;
    assert.equal(got.ServerTimingHeadersConfig?.SamplingRate, 12.5);
    assert.equal(got.SecurityHeadersConfig?.StrictTransportSecurity?.AccessControlMaxAgeSec, 63072000);
    assert.deepEqual(got.CustomHeadersConfig?.Items, [{ Header: 'X-Site', Value: 'nimbus', Override: false }]);
    await rejects(
      cf.send(new UpdateResponseHeadersPolicyCommand({ Id: rhpId, IfMatch: rhp.ETag, ResponseHeadersPolicyConfig: { Name: 'site-headers', RemoveHeadersConfig: { Quantity: 1, Items: [{ Header: 'Via' }] } } })),
      'InvalidArgument',
    );

    // Both used by one behavior, then released.
    const dist = await cf.send(
      new CreateDistributionCommand({
        DistributionConfig: s3DistributionConfig('uses-both', {
          Enabled: false,
          DefaultCacheBehavior: { TargetOriginId: 's3', ViewerProtocolPolicy: 'allow-all', CachePolicyId: CACHING_OPTIMIZED, OriginRequestPolicyId: orpId, ResponseHeadersPolicyId: rhpId },
        }),
      }),
    );
    await rejects(cf.send(new DeleteOriginRequestPolicyCommand({ Id: orpId, IfMatch: orp2.ETag })), 'OriginRequestPolicyInUse');
    await rejects(cf.send(new DeleteResponseHeadersPolicyCommand({ Id: rhpId, IfMatch: rhp.ETag })), 'ResponseHeadersPolicyInUse');
    t.clock.advance(1000);
    await cf.send(new DeleteDistributionCommand({ Id: dist.Distribution!.Id, IfMatch: dist.ETag }));
    await cf.send(new DeleteOriginRequestPolicyCommand({ Id: orpId, IfMatch: orp2.ETag }));
    await cf.send(new DeleteResponseHeadersPolicyCommand({ Id: rhpId, IfMatch: rhp.ETag }));
    await rejects(cf.send(new GetOriginRequestPolicyCommand({ Id: orpId })), 'NoSuchOriginRequestPolicy');
    await rejects(cf.send(new GetResponseHeadersPolicyCommand({ Id: rhpId })), 'NoSuchResponseHeadersPolicy');
  });
});
