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
}

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

const rows: Row<F>[] = [
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
    t.clock.advance(1000);
    const d = created.Distribution!;
    return { t, owner, intruder: cloudfrontClient(t.endpoint, { credentials: INTRUDER }), distributionId: d.Id!, distributionArn: d.ARN!, etag: created.ETag! };
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
    return {
      ids: list.DistributionList?.Items?.map((x) => x.Id),
      etag: d.ETag,
      config: d.Distribution?.DistributionConfig,
      tags: tags.Tags?.Items,
    };
  },
});
