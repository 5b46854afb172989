/**
 * Origin access controls, public keys, key groups and invalidations through the SDK client, and
 * the catalog the data plane reads: a distribution by DomainName and alias, its behavior by path,
 * its policies (managed and its account's), trusted keys, and invalidations completed through
 * the hook the data plane installs.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  CreateDistributionCommand,
  CreateInvalidationCommand,
  CreateKeyGroupCommand,
  CreateOriginAccessControlCommand,
  CreatePublicKeyCommand,
  DeleteDistributionCommand,
  DeleteKeyGroupCommand,
  DeleteOriginAccessControlCommand,
  DeletePublicKeyCommand,
  GetDistributionCommand,
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
  UpdateDistributionCommand,
  UpdateKeyGroupCommand,
  UpdateOriginAccessControlCommand,
  UpdatePublicKeyCommand,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import { cloudfrontCatalog } from '../../../src/services/cloudfront/index.js';
import type { Catalog } from '../../../src/services/cloudfront/engine/catalog.js';
import type { CloudFrontCatalog, StoredInvalidation } from '../../../src/services/cloudfront/model.js';
import { startTestNimbus, type TestNimbus } from '../../helpers/nimbus.js';
import { ALL_VIEWER, CACHING_DISABLED, CACHING_OPTIMIZED, cloudfrontClient, s3DistributionConfig } from './helpers.js';

async function rejects(p: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name, `${e.name}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return true;
  });
}

const pem = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('CloudFront origin access control, keys, key groups and invalidations', () => {
  let t: TestNimbus;
  let cf: CloudFrontClient;
  let catalog: CloudFrontCatalog;
  before(async () => {
    t = await startTestNimbus();
    cf = cloudfrontClient(t.endpoint);
    catalog = cloudfrontCatalog(t.nimbus.services.find((s) => s.name === 'cloudfront')!)!;
  });
  after(async () => {
    cf.destroy();
    await t.stop();
  });

  test('an origin access control: create, get, update, list, in use by an S3 origin, delete', async () => {
    const config = { Name: 'assets-oac', SigningProtocol: 'sigv4' as const, SigningBehavior: 'always' as const, OriginAccessControlOriginType: 's3' as const };
    const created = await cf.send(new CreateOriginAccessControlCommand({ OriginAccessControlConfig: config }));
    assert.equal(created.$metadata.httpStatusCode, 201);
    const id = created.OriginAccessControl!.Id!;
    assert.match(id, /^E[A-Z0-9]{13}$/);
    await rejects(cf.send(new CreateOriginAccessControlCommand({ OriginAccessControlConfig: config })), 'OriginAccessControlAlreadyExists');
    await rejects(cf.send(new CreateOriginAccessControlCommand({ OriginAccessControlConfig: { ...config, Name: 'x', SigningBehavior: 'sometimes' as never } })), 'InvalidArgument');
    assert.equal((await cf.send(new GetOriginAccessControlConfigCommand({ Id: id }))).OriginAccessControlConfig?.SigningBehavior, 'always');
    const updated = await cf.send(new UpdateOriginAccessControlCommand({ Id: id, IfMatch: created.ETag, OriginAccessControlConfig: { ...config, Description: 'signs', SigningBehavior: 'no-override' } }));
    assert.equal(updated.OriginAccessControl?.OriginAccessControlConfig?.Description, 'signs');
    const list = await cf.send(new ListOriginAccessControlsCommand({}));
    assert.deepEqual(list.OriginAccessControlList?.Items?.map((o) => [o.Id, o.Name, o.SigningBehavior, o.Description]), [[id, 'assets-oac', 'no-override', 'signs']]);

    const dist = await cf.send(
      new CreateDistributionCommand({
        DistributionConfig: s3DistributionConfig('oac', {
          Enabled: false,
          Origins: { Quantity: 1, Items: [{ Id: 's3', DomainName: 'private.s3.us-east-1.amazonaws.com', S3OriginConfig: { OriginAccessIdentity: '' }, OriginAccessControlId: id }] },
        }),
      }),
    );
    await rejects(cf.send(new DeleteOriginAccessControlCommand({ Id: id, IfMatch: updated.ETag })), 'OriginAccessControlInUse');
    const d = catalog.distribution(dist.Distribution!.Id!)!;
    assert.equal(catalog.originAccessControl(d, id)?.SigningBehavior, 'no-override');
    t.clock.advance(1000);
    await cf.send(new DeleteDistributionCommand({ Id: d.id, IfMatch: dist.ETag }));
    await cf.send(new DeleteOriginAccessControlCommand({ Id: id, IfMatch: updated.ETag }));
    await rejects(cf.send(new GetOriginAccessControlCommand({ Id: id })), 'NoSuchOriginAccessControl');
  });

  test('public keys and key groups: only a comment changes, in use refusals, trusted by a behavior', async () => {
    await rejects(cf.send(new CreatePublicKeyCommand({ PublicKeyConfig: { CallerReference: 'bad', Name: 'bad', EncodedKey: 'not a key' } })), 'InvalidArgument');
    const encoded = pem();
    const key = await cf.send(new CreatePublicKeyCommand({ PublicKeyConfig: { CallerReference: 'k1', Name: 'signer', EncodedKey: encoded, Comment: 'first' } }));
    const keyId = key.PublicKey!.Id!;
    assert.match(keyId, /^K[A-Z0-9]{13}$/);
    await rejects(cf.send(new CreatePublicKeyCommand({ PublicKeyConfig: { CallerReference: 'k1', Name: 'other', EncodedKey: encoded } })), 'PublicKeyAlreadyExists');
    await rejects(
      cf.send(new UpdatePublicKeyCommand({ Id: keyId, IfMatch: key.ETag, PublicKeyConfig: { CallerReference: 'k1', Name: 'signer', EncodedKey: pem() } })),
      'CannotChangeImmutablePublicKeyFields',
    );
    const key2 = await cf.send(new UpdatePublicKeyCommand({ Id: keyId, IfMatch: key.ETag, PublicKeyConfig: { CallerReference: 'k1', Name: 'signer', EncodedKey: encoded, Comment: 'second' } }));
    assert.equal((await cf.send(new GetPublicKeyConfigCommand({ Id: keyId }))).PublicKeyConfig?.Comment, 'second');
    assert.equal((await cf.send(new GetPublicKeyCommand({ Id: keyId }))).ETag, key2.ETag);
    assert.deepEqual((await cf.send(new ListPublicKeysCommand({}))).PublicKeyList?.Items?.map((k) => [k.Id, k.Name, k.Comment]), [[keyId, 'signer', 'second']]);

    await rejects(cf.send(new CreateKeyGroupCommand({ KeyGroupConfig: { Name: 'g', Items: ['KNOTAKEY000000'] } })), 'NoSuchPublicKey');
    const group = await cf.send(new CreateKeyGroupCommand({ KeyGroupConfig: { Name: 'signers', Items: [keyId] } }));
    const groupId = group.KeyGroup!.Id!;
    await rejects(cf.send(new CreateKeyGroupCommand({ KeyGroupConfig: { Name: 'signers', Items: [keyId] } })), 'KeyGroupAlreadyExists');
    await rejects(cf.send(new DeletePublicKeyCommand({ Id: keyId, IfMatch: key2.ETag })), 'PublicKeyInUse');
    const group2 = await cf.send(new UpdateKeyGroupCommand({ Id: groupId, IfMatch: group.ETag, KeyGroupConfig: { Name: 'signers', Items: [keyId], Comment: 'web' } }));
    assert.equal((await cf.send(new GetKeyGroupConfigCommand({ Id: groupId }))).KeyGroupConfig?.Comment, 'web');
    assert.deepEqual((await cf.send(new ListKeyGroupsCommand({}))).KeyGroupList?.Items?.map((g) => g.KeyGroup?.Id), [groupId]);

    const dist = await cf.send(
      new CreateDistributionCommand({
        DistributionConfig: s3DistributionConfig('signed', {
          Enabled: false,
          DefaultCacheBehavior: { TargetOriginId: 's3', ViewerProtocolPolicy: 'https-only', CachePolicyId: CACHING_OPTIMIZED, TrustedKeyGroups: { Enabled: true, Quantity: 1, Items: [groupId] } },
        }),
      }),
    );
    const active = (await cf.send(new GetDistributionCommand({ Id: dist.Distribution!.Id }))).Distribution?.ActiveTrustedKeyGroups;
    assert.deepEqual(active, { Enabled: true, Quantity: 1, Items: [{ KeyGroupId: groupId, KeyPairIds: { Quantity: 1, Items: [keyId] } }] });
    const d = catalog.distribution(dist.Distribution!.Id!)!;
    const trusted = catalog.trustedPublicKeys(d, d.config.DefaultCacheBehavior);
    assert.deepEqual([...trusted.keys()], [keyId]);
    assert.equal(trusted.get(keyId)?.encodedKey, encoded);

    await rejects(cf.send(new DeleteKeyGroupCommand({ Id: groupId, IfMatch: group2.ETag })), 'ResourceInUse');
    t.clock.advance(1000);
    await cf.send(new DeleteDistributionCommand({ Id: d.id, IfMatch: dist.ETag }));
    await cf.send(new DeleteKeyGroupCommand({ Id: groupId, IfMatch: group2.ETag }));
    await rejects(cf.send(new GetKeyGroupCommand({ Id: groupId })), 'NoSuchResource');
    await cf.send(new DeletePublicKeyCommand({ Id: keyId, IfMatch: key2.ETag }));
    await rejects(cf.send(new GetPublicKeyCommand({ Id: keyId })), 'NoSuchPublicKey');
  });

  test('the catalog: by DomainName, behavior by path, policies managed and own', async () => {
    const { Distribution } = await cf.send(
      new CreateDistributionCommand({
        DistributionConfig: s3DistributionConfig('catalog', {
          CacheBehaviors: {
            Quantity: 2,
            Items: [
              { PathPattern: '/api/*', TargetOriginId: 's3', ViewerProtocolPolicy: 'allow-all', CachePolicyId: CACHING_DISABLED, OriginRequestPolicyId: ALL_VIEWER },
              { PathPattern: '*.jp?g', TargetOriginId: 's3', ViewerProtocolPolicy: 'allow-all', CachePolicyId: CACHING_OPTIMIZED },
            ],
          },
        }),
      }),
    );
    const d = catalog.distributionByDomainName(`${Distribution!.DomainName!.toUpperCase()}:443`)!;
    assert.equal(d.id, Distribution!.Id);
    assert.equal(catalog.distributionByDomainName('nothere.cloudfront.net'), undefined);
    assert.equal(catalog.status(d), 'InProgress');
    t.clock.advance(1000);
    assert.equal(catalog.status(d), 'Deployed');
    assert.equal(catalog.behaviorFor(d, '/api/users').CachePolicyId, CACHING_DISABLED);
    assert.equal(catalog.behaviorFor(d, '/img/a.jpeg').CachePolicyId, CACHING_OPTIMIZED);
    assert.equal('PathPattern' in catalog.behaviorFor(d, '/index.html'), false);
    assert.equal(catalog.cachePolicy(d, CACHING_DISABLED)?.MaxTTL, 0);
    assert.equal(catalog.originRequestPolicy(d, ALL_VIEWER)?.CookiesConfig.CookieBehavior, 'all');
    assert.equal(catalog.cachePolicy(d, '00000000-0000-0000-0000-000000000000'), undefined);
  });

  test('invalidations: wildcards, Completed when stored without a data plane, InProgress until the hook completes them', async () => {
    // Without a data plane's hook first (one may be installed: it is put back at the end).
    const installed = (catalog as Catalog).invalidationHook();
    catalog.setInvalidationHook(undefined);
    const { Distribution: d } = await cf.send(new CreateDistributionCommand({ DistributionConfig: s3DistributionConfig('inval') }));
    const id = d!.Id!;
    const first = await cf.send(new CreateInvalidationCommand({ DistributionId: id, InvalidationBatch: { CallerReference: 'i1', Paths: { Quantity: 2, Items: ['/index.html', '/img/*'] } } }));
    assert.equal(first.$metadata.httpStatusCode, 201);
    assert.match(first.Invalidation!.Id!, /^I[A-Z0-9]{13}$/);
    assert.equal(first.Invalidation?.Status, 'Completed');
    assert.equal(first.Location, `${t.endpoint}/2020-05-31/distribution/${id}/invalidation/${first.Invalidation!.Id}`);
    // A retried CallerReference answers the same invalidation; other paths under it are refused.
    const again = await cf.send(new CreateInvalidationCommand({ DistributionId: id, InvalidationBatch: { CallerReference: 'i1', Paths: { Quantity: 2, Items: ['/index.html', '/img/*'] } } }));
    assert.equal(again.Invalidation?.Id, first.Invalidation?.Id);
    await rejects(cf.send(new CreateInvalidationCommand({ DistributionId: id, InvalidationBatch: { CallerReference: 'i1', Paths: { Quantity: 1, Items: ['/x'] } } })), 'InvalidationBatchAlreadyExists');
    await rejects(cf.send(new CreateInvalidationCommand({ DistributionId: id, InvalidationBatch: { CallerReference: 'bad', Paths: { Quantity: 1, Items: ['/a*/b'] } } })), 'InvalidArgument');
    await rejects(cf.send(new CreateInvalidationCommand({ DistributionId: id, InvalidationBatch: { CallerReference: 'bad2', Paths: { Quantity: 1, Items: ['no-slash'] } } })), 'InvalidArgument');
    await rejects(cf.send(new CreateInvalidationCommand({ DistributionId: 'ENOTHERE000000', InvalidationBatch: { CallerReference: 'x', Paths: { Quantity: 1, Items: ['/a'] } } })), 'NoSuchDistribution');

    // The data plane's hook: invalidations stay InProgress until it reports them done.
    const seen: StoredInvalidation[] = [];
    catalog.setInvalidationHook((inv) => seen.push(inv));
    try {
      t.clock.advance(1000);
      const second = await cf.send(new CreateInvalidationCommand({ DistributionId: id, InvalidationBatch: { CallerReference: 'i2', Paths: { Quantity: 1, Items: ['/*'] } } }));
      assert.equal(second.Invalidation?.Status, 'InProgress');
      assert.deepEqual(seen.map((i) => i.id), [second.Invalidation!.Id]);
      assert.deepEqual(catalog.pendingInvalidations(id).map((i) => i.batch.Paths.Items), [['/*']]);
      assert.equal((await cf.send(new GetDistributionCommand({ Id: id }))).Distribution?.InProgressInvalidationBatches, 1);
      await catalog.completeInvalidation(second.Invalidation!.Id!);
      assert.equal((await cf.send(new GetInvalidationCommand({ DistributionId: id, Id: second.Invalidation!.Id }))).Invalidation?.Status, 'Completed');
      assert.deepEqual(catalog.pendingInvalidations(), []);

      // Newest first, paged by Marker.
      const p1 = await cf.send(new ListInvalidationsCommand({ DistributionId: id, MaxItems: 1 }));
      assert.deepEqual(p1.InvalidationList?.Items?.map((i) => i.Id), [second.Invalidation!.Id]);
      assert.equal(p1.InvalidationList?.IsTruncated, true);
      const p2 = await cf.send(new ListInvalidationsCommand({ DistributionId: id, MaxItems: 1, Marker: p1.InvalidationList?.NextMarker }));
      assert.deepEqual(p2.InvalidationList?.Items?.map((i) => [i.Id, i.Status]), [[first.Invalidation!.Id, 'Completed']]);
      assert.equal(p2.InvalidationList?.IsTruncated, false);
    } finally {
      catalog.setInvalidationHook(installed);
    }
    await rejects(cf.send(new GetInvalidationCommand({ DistributionId: id, Id: 'INOTHERE000000' })), 'NoSuchInvalidation');
  });

  test('aliases: found by the catalog, unique across distributions', async () => {
    const cert = { ACMCertificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/abc', SSLSupportMethod: 'sni-only' as const };
    const a = await cf.send(new CreateDistributionCommand({ DistributionConfig: s3DistributionConfig('alias-a', { Aliases: { Quantity: 1, Items: ['cdn.example.com'] }, ViewerCertificate: cert }) }));
    assert.equal(catalog.distributionByDomainName('CDN.example.com')?.id, a.Distribution?.Id);
    await rejects(
      cf.send(new CreateDistributionCommand({ DistributionConfig: s3DistributionConfig('alias-b', { Aliases: { Quantity: 1, Items: ['cdn.example.com'] }, ViewerCertificate: cert }) })),
      'CNAMEAlreadyExists',
    );
    // Its own aliases do not block an update of it.
    const up = await cf.send(
      new UpdateDistributionCommand({ Id: a.Distribution!.Id, IfMatch: a.ETag, DistributionConfig: s3DistributionConfig('alias-a', { Comment: 'again', Aliases: { Quantity: 1, Items: ['cdn.example.com'] }, ViewerCertificate: cert }) }),
    );
    assert.equal(up.Distribution?.DistributionConfig?.ViewerCertificate?.CertificateSource, 'acm');
  });
});
