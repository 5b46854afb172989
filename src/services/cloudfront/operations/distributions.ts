/**
 * Distributions: Create (and WithTags), Get, GetConfig, Update, Delete, List. Every change
 * carries the current ETag as If-Match and makes a new one; a created or updated distribution
 * is InProgress until its deployment delay has passed on the injected clock, then Deployed. A
 * distribution must be disabled (and that change deployed) before it is deleted.
 */
import { defineOperation } from '../../../protocols/define-operation.js';
import { inPayload, inUri, structure } from '../../../protocols/shapes.js';
import type { RequestContext } from '../../service.js';
import type { CloudFrontDeps } from '../deps.js';
import { prepareDistributionConfig } from '../engine/distribution-config.js';
import { DistributionAlreadyExists, DistributionNotDisabled, IllegalUpdate, NoSuchDistribution } from '../errors.js';
import { cloudfrontId } from '../ids.js';
import { CLOUDFRONT_DOMAIN, distributionArn, type StoredDistribution, type StoredKeyGroup } from '../model.js';
import {
  distributionConfigShape,
  distributionShape,
  distributionSummaryShape,
  pageShape,
  tagsShape,
  type Distribution,
  type DistributionConfig,
  type DistributionSummary,
  type Tag,
} from '../shapes.js';
import { checkIfMatch, etagMember, ifMatchMember, iso, itemsOf, locationMember, markerMember, maxItemsMember, newEtag, page, V } from './common.js';
import { checkTags } from './tags.js';

const noSuchDistribution = () => new NoSuchDistribution('The specified distribution does not exist.');

/** The Distribution element CloudFront answers for a stored distribution. */
export function distributionView(deps: CloudFrontDeps, d: StoredDistribution): Distribution {
  const groups = new Map<string, string[]>();
  for (const b of [d.config.DefaultCacheBehavior, ...(d.config.CacheBehaviors?.Items ?? [])]) {
    if (!b.TrustedKeyGroups?.Enabled) continue;
    for (const id of b.TrustedKeyGroups.Items ?? []) groups.set(id, deps.docs.own<StoredKeyGroup>('key-group', id, d.accountId)?.config.Items ?? []);
  }
  return {
    Id: d.id,
    ARN: d.arn,
    Status: deps.catalog.status(d),
    LastModifiedTime: iso(d.lastModified),
    InProgressInvalidationBatches: deps.catalog.pendingInvalidations(d.id).length,
    DomainName: d.domainName,
    ActiveTrustedSigners: { Enabled: false, Quantity: 0 },
    ActiveTrustedKeyGroups: {
      Enabled: groups.size > 0,
      ...itemsOf([...groups].map(([KeyGroupId, keys]) => ({ KeyGroupId, KeyPairIds: itemsOf(keys) }))),
    },
    DistributionConfig: d.config,
  };
}

function summaryView(deps: CloudFrontDeps, d: StoredDistribution): DistributionSummary {
  const c = d.config;
  return {
    Id: d.id,
    ARN: d.arn,
    ETag: d.etag,
    Status: deps.catalog.status(d),
    LastModifiedTime: iso(d.lastModified),
    DomainName: d.domainName,
    Aliases: c.Aliases ?? { Quantity: 0 },
    Origins: c.Origins,
    OriginGroups: c.OriginGroups ?? { Quantity: 0 },
    DefaultCacheBehavior: c.DefaultCacheBehavior,
    CacheBehaviors: c.CacheBehaviors ?? { Quantity: 0 },
    CustomErrorResponses: c.CustomErrorResponses ?? { Quantity: 0 },
    Comment: c.Comment,
    PriceClass: c.PriceClass ?? 'PriceClass_All',
    Enabled: c.Enabled,
    ViewerCertificate: c.ViewerCertificate ?? {},
    Restrictions: c.Restrictions ?? { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } },
    WebACLId: c.WebACLId ?? '',
    HttpVersion: c.HttpVersion ?? 'http2',
    IsIPV6Enabled: c.IsIPV6Enabled ?? false,
    Staging: c.Staging ?? false,
  };
}

/** The caller's distribution by id, or NoSuchDistribution (another account's is not told apart from a missing one). */
export function ownDistribution(deps: CloudFrontDeps, id: string, ctx: RequestContext): StoredDistribution {
  const d = deps.docs.own<StoredDistribution>('distribution', id, ctx.accountId);
  if (!d) throw noSuchDistribution();
  return d;
}

/** A fingerprint of a create request's config, to tell a retried create from a different one with the same CallerReference. */
const fingerprint = (c: DistributionConfig) => JSON.stringify(c);

async function create(deps: CloudFrontDeps, ctx: RequestContext, input: DistributionConfig, tags: Tag[]) {
  const config = prepareDistributionConfig(input, { accountId: ctx.accountId, docs: deps.docs, catalog: deps.catalog });
  const id = deps.docs.freshId('distribution', () => cloudfrontId(deps.ids, 'E'));
  const now = deps.clock.now();
  const doc: StoredDistribution = {
    kind: 'distribution',
    id,
    accountId: ctx.accountId,
    arn: distributionArn(ctx.accountId, id),
    domainName: `${id.toLowerCase()}.${CLOUDFRONT_DOMAIN}`,
    etag: newEtag(deps),
    lastModified: now,
    deployedAt: now + deps.deployDelayMs,
    config,
    tags,
    createRequest: fingerprint(input),
  };
  const { doc: d } = await deps.docs.create(doc, () => {
    const same = deps.docs.filter<StoredDistribution>('distribution', (x) => x.accountId === ctx.accountId && x.config.CallerReference === input.CallerReference)[0];
    if (!same) return undefined;
    if (same.createRequest !== doc.createRequest) throw new DistributionAlreadyExists('The caller reference that you are using to create a distribution is associated with another distribution.');
    return same;
  });
  return { Distribution: distributionView(deps, d), Location: `${ctx.endpoint}${V}/distribution/${d.id}`, ETag: d.etag };
}

const distributionOutput = structure({ Distribution: inPayload(distributionShape), Location: locationMember, ETag: etagMember });

export function distributionOperations(deps: CloudFrontDeps) {
  return {
    CreateDistribution: defineOperation({
      http: { method: 'POST', uri: `${V}/distribution`, code: 201 },
      input: structure({ DistributionConfig: { ...inPayload(distributionConfigShape), required: true as const } }),
      output: distributionOutput,
      handler: (input, ctx) => create(deps, ctx, input.DistributionConfig, []),
    }),
    CreateDistributionWithTags: defineOperation({
      http: { method: 'POST', uri: `${V}/distribution?WithTags`, code: 201 },
      input: structure({
        DistributionConfigWithTags: { ...inPayload(structure({ DistributionConfig: { shape: distributionConfigShape, required: true as const }, Tags: { shape: tagsShape, required: true as const } })), required: true as const },
      }),
      output: distributionOutput,
      handler: (input, ctx) => {
        const tags = input.DistributionConfigWithTags.Tags.Items ?? [];
        checkTags(tags);
        return create(deps, ctx, input.DistributionConfigWithTags.DistributionConfig, tags);
      },
    }),
    GetDistribution: defineOperation({
      http: { method: 'GET', uri: `${V}/distribution/{Id}` },
      input: structure({ Id: inUri('Id') }),
      output: structure({ Distribution: inPayload(distributionShape), ETag: etagMember }),
      handler: (input, ctx) => {
        const d = ownDistribution(deps, input.Id, ctx);
        return { Distribution: distributionView(deps, d), ETag: d.etag };
      },
    }),
    GetDistributionConfig: defineOperation({
      http: { method: 'GET', uri: `${V}/distribution/{Id}/config` },
      input: structure({ Id: inUri('Id') }),
      output: structure({ DistributionConfig: inPayload(distributionConfigShape), ETag: etagMember }),
      handler: (input, ctx) => {
        const d = ownDistribution(deps, input.Id, ctx);
        return { DistributionConfig: d.config, ETag: d.etag };
      },
    }),
    UpdateDistribution: defineOperation({
      http: { method: 'PUT', uri: `${V}/distribution/{Id}/config` },
      input: structure({ DistributionConfig: { ...inPayload(distributionConfigShape), required: true as const }, Id: inUri('Id'), IfMatch: ifMatchMember }),
      output: structure({ Distribution: inPayload(distributionShape), ETag: etagMember }),
      handler: async (input, ctx) => {
        ownDistribution(deps, input.Id, ctx);
        const d = await deps.docs.update<StoredDistribution, StoredDistribution>('distribution', input.Id, ctx.accountId, noSuchDistribution, (doc) => {
          checkIfMatch(input.IfMatch, doc.etag);
          if (input.DistributionConfig.CallerReference !== doc.config.CallerReference) throw new IllegalUpdate('The CallerReference of a distribution cannot be changed.');
          const config = prepareDistributionConfig(input.DistributionConfig, { accountId: ctx.accountId, docs: deps.docs, catalog: deps.catalog, distributionId: doc.id });
          const now = deps.clock.now();
          const next = { ...doc, config, etag: newEtag(deps), lastModified: now, deployedAt: now + deps.deployDelayMs };
          return { doc: next, result: next };
        });
        return { Distribution: distributionView(deps, d), ETag: d.etag };
      },
    }),
    DeleteDistribution: defineOperation({
      http: { method: 'DELETE', uri: `${V}/distribution/{Id}`, code: 204 },
      input: structure({ Id: inUri('Id'), IfMatch: ifMatchMember }),
      handler: async (input, ctx) => {
        await deps.docs.update<StoredDistribution, void>('distribution', input.Id, ctx.accountId, noSuchDistribution, (doc) => {
          checkIfMatch(input.IfMatch, doc.etag);
          if (doc.config.Enabled || deps.catalog.status(doc) !== 'Deployed') {
            throw new DistributionNotDisabled('The distribution you are trying to delete has not been disabled.');
          }
          return { doc: null, result: undefined };
        });
        // Its invalidations go with it.
        for (const inv of deps.docs.filter<{ kind: 'invalidation'; id: string; accountId: string; distributionId: string }>('invalidation', (i) => i.distributionId === input.Id)) {
          await deps.docs.update('invalidation', inv.id, inv.accountId, noSuchDistribution, () => ({ doc: null, result: undefined }));
        }
      },
    }),
    ListDistributions: defineOperation({
      http: { method: 'GET', uri: `${V}/distribution` },
      input: structure({ Marker: markerMember, MaxItems: maxItemsMember }),
      output: structure({ DistributionList: inPayload(pageShape(distributionSummaryShape, 'DistributionSummary')) }),
      handler: (input, ctx) => {
        const p = page(deps.docs.list<StoredDistribution>('distribution', ctx.accountId), (d) => d.id, input.Marker, input.MaxItems);
        return {
          DistributionList: {
            Marker: input.Marker ?? '',
            ...(p.nextMarker ? { NextMarker: p.nextMarker } : {}),
            MaxItems: p.max,
            IsTruncated: p.truncated,
            Quantity: p.items.length,
            ...(p.items.length ? { Items: p.items.map((d) => summaryView(deps, d)) } : {}),
          },
        };
      },
    }),
  };
}
