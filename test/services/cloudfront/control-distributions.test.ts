/**
 * CloudFront distributions through the real SDK client: create (with tags), get, config,
 * update and delete under ETag/If-Match, InProgress → Deployed on the injected clock,
 * CallerReference idempotency, listing pages, AWS's validation errors, and tags.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
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
  type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
import { ACCOUNT, startTestNimbus, type TestNimbus } from '../../helpers/nimbus.js';
import { signedRequest } from '../../security/cross-account-helpers.js';
import { ALL_VIEWER, CACHING_DISABLED, cloudfrontClient, s3DistributionConfig } from './helpers.js';

async function rejects(p: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, `${e.name}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe('CloudFront distributions', () => {
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

  test('create answers 201 with the id, ARN, domain name, ETag and Location; InProgress until deployed', async () => {
    const out = await cf.send(new CreateDistributionCommand({ DistributionConfig: s3DistributionConfig('create-1') }));
    assert.equal(out.$metadata.httpStatusCode, 201);
    const d = out.Distribution!;
    assert.match(d.Id!, /^E[A-Z0-9]{13}$/);
    assert.equal(d.ARN, `arn:aws:cloudfront::${ACCOUNT}:distribution/${d.Id}`);
    assert.equal(d.DomainName, `${d.Id!.toLowerCase()}.cloudfront.net`);
    assert.equal(d.Status, 'InProgress');
    assert.match(out.ETag!, /^E[A-Z0-9]{13}$/);
    assert.equal(out.Location, `${t.endpoint}/2020-05-31/distribution/${d.Id}`);
    assert.ok(d.LastModifiedTime instanceof Date);
    assert.equal(d.InProgressInvalidationBatches, 0);
    // CloudFront fills in its defaults and answers them back.
    const c = d.DistributionConfig!;
    assert.deepEqual(c.Aliases, { Quantity: 0 });
    assert.equal(c.PriceClass, 'PriceClass_All');
    assert.equal(c.HttpVersion, 'http2');
    assert.deepEqual(c.Restrictions, { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } });
    assert.equal(c.ViewerCertificate?.CloudFrontDefaultCertificate, true);
    assert.deepEqual(c.DefaultCacheBehavior?.AllowedMethods?.Items, ['HEAD', 'GET']);
    assert.equal(c.DefaultCacheBehavior?.Compress, false);
    assert.equal(c.Origins?.Items?.[0]?.ConnectionAttempts, 3);
    assert.equal(c.Origins?.Items?.[0]?.S3OriginConfig?.OriginReadTimeout, 30);

    t.clock.advance(1000);
    const got = await cf.send(new GetDistributionCommand({ Id: d.Id }));
    assert.equal(got.Distribution?.Status, 'Deployed');
    assert.equal(got.ETag, out.ETag);
    const config = await cf.send(new GetDistributionConfigCommand({ Id: d.Id }));
    assert.equal(config.ETag, out.ETag);
    assert.deepEqual(config.DistributionConfig, got.Distribution?.DistributionConfig);
  });

  test('a retried create with the same CallerReference and config answers the same distribution; a different config is DistributionAlreadyExists', async () => {
    const first = await cf.send(new CreateDistributionCommand({ DistributionConfig: s3DistributionConfig('retry') }));
    const again = await cf.send(new CreateDistributionCommand({ DistributionConfig: s3DistributionConfig('retry') }));
    assert.equal(again.Distribution?.Id, first.Distribution?.Id);
    await rejects(
      cf.send(new CreateDistributionCommand({ DistributionConfig: s3DistributionConfig('retry', { Comment: 'changed' }) })),
      'DistributionAlreadyExists',
      /caller reference .* associated with another distribution/,
    );
  });

  test('update needs the current ETag in If-Match, makes a new one and redeploys; CallerReference cannot change', async () => {
    const { Distribution: d, ETag } = await cf.send(new CreateDistributionCommand({ DistributionConfig: s3DistributionConfig('update') }));
    t.clock.advance(1000);
    const config = s3DistributionConfig('update', { Comment: 'second' });
    await rejects(cf.send(new UpdateDistributionCommand({ Id: d!.Id, DistributionConfig: config })), 'InvalidIfMatchVersion');
    await rejects(cf.send(new UpdateDistributionCommand({ Id: d!.Id, DistributionConfig: config, IfMatch: 'EWRONG' })), 'PreconditionFailed');
    await rejects(cf.send(new UpdateDistributionCommand({ Id: d!.Id, DistributionConfig: s3DistributionConfig('other'), IfMatch: ETag })), 'IllegalUpdate');
    const out = await cf.send(new UpdateDistributionCommand({ Id: d!.Id, DistributionConfig: config, IfMatch: ETag }));
    assert.notEqual(out.ETag, ETag);
    assert.equal(out.Distribution?.Status, 'InProgress');
    assert.equal(out.Distribution?.DistributionConfig?.Comment, 'second');
    // The old ETag no longer matches.
    await rejects(cf.send(new UpdateDistributionCommand({ Id: d!.Id, DistributionConfig: config, IfMatch: ETag })), 'PreconditionFailed');
  });

  test('delete: only a disabled distribution whose change has deployed, with the current ETag', async () => {
    const { Distribution: d, ETag } = await cf.send(new CreateDistributionCommand({ DistributionConfig: s3DistributionConfig('delete') }));
    t.clock.advance(1000);
    await rejects(cf.send(new DeleteDistributionCommand({ Id: d!.Id, IfMatch: ETag })), 'DistributionNotDisabled', /has not been disabled/);
    const off = await cf.send(new UpdateDistributionCommand({ Id: d!.Id, IfMatch: ETag, DistributionConfig: s3DistributionConfig('delete', { Enabled: false }) }));
    await rejects(cf.send(new DeleteDistributionCommand({ Id: d!.Id, IfMatch: off.ETag })), 'DistributionNotDisabled');
    t.clock.advance(1000);
    await rejects(cf.send(new DeleteDistributionCommand({ Id: d!.Id })), 'InvalidIfMatchVersion');
    await rejects(cf.send(new DeleteDistributionCommand({ Id: d!.Id, IfMatch: ETag })), 'PreconditionFailed');
    const del = await cf.send(new DeleteDistributionCommand({ Id: d!.Id, IfMatch: off.ETag }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    await rejects(cf.send(new GetDistributionCommand({ Id: d!.Id })), 'NoSuchDistribution', /^The specified distribution does not exist\.$/);
  });

  test('list pages by Marker and MaxItems', async () => {
    const t2 = await startTestNimbus();
    const c2 = cloudfrontClient(t2.endpoint);
    try {
      const empty = await c2.send(new ListDistributionsCommand({}));
      assert.deepEqual({ ...empty.DistributionList, Items: empty.DistributionList?.Items ?? [] }, { Marker: '', MaxItems: 100, IsTruncated: false, Quantity: 0, Items: [] });
      const ids: string[] = [];
      const comments = new Map<string, string>();
      for (let i = 0; i < 3; i++) {
        const id = (await c2.send(new CreateDistributionCommand({ DistributionConfig: s3DistributionConfig(`l${i}`) }))).Distribution!.Id!;
        ids.push(id);
        comments.set(id, `distribution l${i}`);
      }
      ids.sort();
      const p1 = await c2.send(new ListDistributionsCommand({ MaxItems: 2 }));
      assert.equal(p1.DistributionList?.IsTruncated, true);
      assert.deepEqual(p1.DistributionList?.Items?.map((d) => d.Id), ids.slice(0, 2));
      assert.equal(p1.DistributionList?.NextMarker, ids[1]);
      const p2 = await c2.send(new ListDistributionsCommand({ MaxItems: 2, Marker: p1.DistributionList?.NextMarker }));
      assert.deepEqual(p2.DistributionList?.Items?.map((d) => d.Id), ids.slice(2));
      assert.equal(p2.DistributionList?.IsTruncated, false);
      const s = p2.DistributionList!.Items![0]!;
      assert.equal(s.Comment, comments.get(s.Id!));
      assert.equal(s.Origins?.Items?.[0]?.DomainName, 'assets.s3.us-east-1.amazonaws.com');
    } finally {
      c2.destroy();
      await t2.stop();
    }
  });

  test('origins of every kind, origin groups, cache behaviors, error responses and geo restriction round-trip', async () => {
    const config: DistributionConfig = {
      CallerReference: 'full',
      Comment: 'everything',
      Enabled: true,
      DefaultRootObject: 'index.html',
      Origins: {
        Quantity: 4,
        Items: [
          { Id: 'rest', DomainName: 'site.s3.eu-west-1.amazonaws.com', OriginPath: '/v1', S3OriginConfig: { OriginAccessIdentity: '' } },
          {
            Id: 'website',
            DomainName: 'site.s3-website-eu-west-1.amazonaws.com',
            CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'http-only' },
          },
          {
            Id: 'api',
            DomainName: 'abc123defg.execute-api.us-east-1.amazonaws.com',
            OriginPath: '/prod',
            CustomHeaders: { Quantity: 1, Items: [{ HeaderName: 'x-origin-secret', HeaderValue: 's3cr3t' }] },
            CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only', OriginReadTimeout: 60, OriginKeepaliveTimeout: 10, OriginSslProtocols: { Quantity: 1, Items: ['TLSv1.2'] } },
            ConnectionAttempts: 2,
            ConnectionTimeout: 5,
          },
          { Id: 'http', DomainName: 'origin.example.com', CustomOriginConfig: { HTTPPort: 8080, HTTPSPort: 8443, OriginProtocolPolicy: 'match-viewer' } },
        ],
      },
      OriginGroups: {
        Quantity: 1,
        Items: [{ Id: 'failover', FailoverCriteria: { StatusCodes: { Quantity: 2, Items: [500, 503] } }, Members: { Quantity: 2, Items: [{ OriginId: 'rest' }, { OriginId: 'website' }] } }],
      },
      DefaultCacheBehavior: { TargetOriginId: 'failover', ViewerProtocolPolicy: 'allow-all', CachePolicyId: CACHING_DISABLED, Compress: true },
      CacheBehaviors: {
        Quantity: 2,
        Items: [
          {
            PathPattern: '/api/*',
            TargetOriginId: 'api',
            ViewerProtocolPolicy: 'https-only',
            CachePolicyId: CACHING_DISABLED,
            OriginRequestPolicyId: ALL_VIEWER,
            AllowedMethods: { Quantity: 7, Items: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'], CachedMethods: { Quantity: 2, Items: ['GET', 'HEAD'] } },
          },
          {
            PathPattern: '*.jpg',
            TargetOriginId: 'http',
            ViewerProtocolPolicy: 'redirect-to-https',
            ForwardedValues: { QueryString: true, Cookies: { Forward: 'none' }, QueryStringCacheKeys: { Quantity: 1, Items: ['w'] } },
            MinTTL: 10,
            DefaultTTL: 60,
            MaxTTL: 600,
          },
        ],
      },
      CustomErrorResponses: { Quantity: 1, Items: [{ ErrorCode: 404, ResponsePagePath: '/404.html', ResponseCode: '404', ErrorCachingMinTTL: 30 }] },
      Restrictions: { GeoRestriction: { RestrictionType: 'blacklist', Quantity: 2, Items: ['KP', 'IR'] } },
    };
    const { Distribution: d } = await cf.send(new CreateDistributionCommand({ DistributionConfig: config }));
    const got = (await cf.send(new GetDistributionConfigCommand({ Id: d!.Id }))).DistributionConfig!;
    assert.equal(got.DefaultRootObject, 'index.html');
    assert.equal(got.Origins?.Items?.[2]?.CustomHeaders?.Items?.[0]?.HeaderValue, 's3cr3t');
    assert.equal(got.Origins?.Items?.[2]?.CustomOriginConfig?.OriginReadTimeout, 60);
    assert.equal(got.Origins?.Items?.[2]?.OriginPath, '/prod');
    assert.equal(got.Origins?.Items?.[3]?.CustomOriginConfig?.HTTPPort, 8080);
    assert.equal(got.Origins?.Items?.[1]?.CustomOriginConfig?.OriginReadTimeout, 30);
    assert.deepEqual(got.OriginGroups?.Items?.[0]?.FailoverCriteria?.StatusCodes?.Items, [500, 503]);
    assert.deepEqual(got.CacheBehaviors?.Items?.map((b) => b.PathPattern), ['/api/*', '*.jpg']);
    assert.equal(got.CacheBehaviors?.Items?.[1]?.ForwardedValues?.QueryStringCacheKeys?.Items?.[0], 'w');
    assert.equal(got.CacheBehaviors?.Items?.[1]?.MaxTTL, 600);
    assert.equal(got.DefaultCacheBehavior?.Compress, true);
    assert.deepEqual(got.CustomErrorResponses?.Items?.[0], { ErrorCode: 404, ResponsePagePath: '/404.html', ResponseCode: '404', ErrorCachingMinTTL: 30 });
    assert.deepEqual(got.Restrictions?.GeoRestriction?.Items, ['KP', 'IR']);
  });

  test("AWS's validation errors", async () => {
    const cases: Array<[string, Partial<DistributionConfig>, string]> = [
      ['unknown target origin', { DefaultCacheBehavior: { TargetOriginId: 'nope', ViewerProtocolPolicy: 'allow-all', CachePolicyId: CACHING_DISABLED } }, 'NoSuchOrigin'],
      ['quantity disagrees with items', { Aliases: { Quantity: 2, Items: ['a.example.com'] } }, 'InconsistentQuantities'],
      ['missing cache policy', { DefaultCacheBehavior: { TargetOriginId: 's3', ViewerProtocolPolicy: 'allow-all', CachePolicyId: '00000000-0000-0000-0000-000000000000' } }, 'NoSuchCachePolicy'],
      ['neither a cache policy nor ForwardedValues', { DefaultCacheBehavior: { TargetOriginId: 's3', ViewerProtocolPolicy: 'allow-all' } }, 'InvalidArgument'],
      [
        'TTLs out of order',
        { DefaultCacheBehavior: { TargetOriginId: 's3', ViewerProtocolPolicy: 'allow-all', ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } }, MinTTL: 100, DefaultTTL: 10 } },
        'InvalidTTLOrder',
      ],
      ['a bad error code', { CustomErrorResponses: { Quantity: 1, Items: [{ ErrorCode: 418 }] } }, 'InvalidErrorCode'],
      ['a relative error page path', { CustomErrorResponses: { Quantity: 1, Items: [{ ErrorCode: 404, ResponsePagePath: 'x.html', ResponseCode: '200' }] } }, 'InvalidRelativePath'],
      ['a bad location code', { Restrictions: { GeoRestriction: { RestrictionType: 'whitelist', Quantity: 1, Items: ['usa'] } } }, 'InvalidLocationCode'],
      ['whitelist without locations', { Restrictions: { GeoRestriction: { RestrictionType: 'whitelist', Quantity: 0 } } }, 'InvalidGeoRestrictionParameter'],
      ['a default root object with a slash', { DefaultRootObject: '/index.html' }, 'InvalidDefaultRootObject'],
      ['aliases without a certificate', { Aliases: { Quantity: 1, Items: ['www.example.com'] } }, 'InvalidViewerCertificate'],
      ['a missing key group', { DefaultCacheBehavior: { TargetOriginId: 's3', ViewerProtocolPolicy: 'allow-all', CachePolicyId: CACHING_DISABLED, TrustedKeyGroups: { Enabled: true, Quantity: 1, Items: ['0f0f0f0f-0000-0000-0000-000000000000'] } } }, 'TrustedKeyGroupDoesNotExist'],
      ['a missing origin access control', { Origins: { Quantity: 1, Items: [{ Id: 's3', DomainName: 'bkt.s3.us-east-1.amazonaws.com', S3OriginConfig: { OriginAccessIdentity: '' }, OriginAccessControlId: 'E0000000000000' }] } }, 'NoSuchOriginAccessControl'],
      ['an S3 origin that is no bucket', { Origins: { Quantity: 1, Items: [{ Id: 's3', DomainName: 'example.com', S3OriginConfig: { OriginAccessIdentity: '' } }] } }, 'InvalidArgument'],
      ['two origin kinds', { Origins: { Quantity: 1, Items: [{ Id: 's3', DomainName: 'bkt.s3.amazonaws.com', S3OriginConfig: { OriginAccessIdentity: '' }, CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'http-only' } }] } }, 'InvalidOrigin'],
      ['a read timeout past 120 s', { Origins: { Quantity: 1, Items: [{ Id: 's3', DomainName: 'x.example.com', CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'http-only', OriginReadTimeout: 121 } }] } }, 'InvalidOriginReadTimeout'],
      ['an origin path ending in a slash', { Origins: { Quantity: 1, Items: [{ Id: 's3', DomainName: 'bkt.s3.amazonaws.com', OriginPath: '/a/', S3OriginConfig: { OriginAccessIdentity: '' } }] } }, 'InvalidArgument'],
    ];
    for (const [what, overrides, code] of cases) {
      await rejects(cf.send(new CreateDistributionCommand({ DistributionConfig: s3DistributionConfig(`bad-${what}`, overrides) })), code).catch((e: Error) => {
        throw new Error(`${what}: ${e.message}`);
      });
    }
  });

  test('errors are CloudFront ErrorResponse documents', async () => {
    const a = await signedRequest(t.endpoint, 'cloudfront', { accessKeyId: 'test', secretAccessKey: 'test' }, { method: 'GET', path: '/2020-05-31/distribution/ENOTHERE000000' });
    assert.equal(a.status, 404);
    assert.match(a.body, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<ErrorResponse xmlns="http:\/\/cloudfront\.amazonaws\.com\/doc\/2020-05-31\/"><Error><Type>Sender<\/Type><Code>NoSuchDistribution<\/Code><Message>The specified distribution does not exist\.<\/Message><\/Error><RequestId>[^<]+<\/RequestId><\/ErrorResponse>$/);
    const bad = await signedRequest(t.endpoint, 'cloudfront', { accessKeyId: 'test', secretAccessKey: 'test' }, { method: 'POST', path: '/2020-05-31/distribution', body: '<DistributionConfig><oops' });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /<Code>MalformedInput<\/Code>/);
  });

  test('tags: created with the distribution, added, removed and listed by ARN', async () => {
    const out = await cf.send(
      new CreateDistributionWithTagsCommand({ DistributionConfigWithTags: { DistributionConfig: s3DistributionConfig('tagged'), Tags: { Items: [{ Key: 'team', Value: 'web' }] } } }),
    );
    assert.equal(out.$metadata.httpStatusCode, 201);
    const arn = out.Distribution!.ARN!;
    assert.deepEqual((await cf.send(new ListTagsForResourceCommand({ Resource: arn }))).Tags?.Items, [{ Key: 'team', Value: 'web' }]);
    await cf.send(new TagResourceCommand({ Resource: arn, Tags: { Items: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'edge' }] } }));
    await cf.send(new UntagResourceCommand({ Resource: arn, TagKeys: { Items: ['env'] } }));
    assert.deepEqual((await cf.send(new ListTagsForResourceCommand({ Resource: arn }))).Tags?.Items, [{ Key: 'team', Value: 'edge' }]);
    await rejects(cf.send(new TagResourceCommand({ Resource: arn, Tags: { Items: [{ Key: '' }] } })), 'InvalidTagging');
    await rejects(cf.send(new ListTagsForResourceCommand({ Resource: `arn:aws:cloudfront::${ACCOUNT}:distribution/ENOTHERE000000` })), 'NoSuchResource');
    await rejects(cf.send(new ListTagsForResourceCommand({ Resource: 'arn:aws:s3:::bucket' })), 'InvalidArgument');
  });
});
