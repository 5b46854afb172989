/**
 * Which of the caller's distributions use a policy or key group (ListDistributionsByCachePolicyId,
 * ...ByOriginRequestPolicyId, ...ByResponseHeadersPolicyId, ...ByKeyGroup): what a user asks
 * before deleting one (CachePolicyInUse, ResourceInUse). A managed policy lists the caller's
 * distributions that name it; another account's policy or key group is a missing one.
 */
import { defineOperation } from '../../../protocols/define-operation.js';
import { inPayload, inUri, string, structure } from '../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../service.js';
import type { CloudFrontDeps } from '../deps.js';
import { NoSuchCachePolicy, NoSuchOriginRequestPolicy, NoSuchResource, NoSuchResponseHeadersPolicy } from '../errors.js';
import { MANAGED_CACHE_POLICIES, MANAGED_ORIGIN_REQUEST_POLICIES, MANAGED_RESPONSE_HEADERS_POLICIES } from '../managed.js';
import type { StoredDistribution } from '../model.js';
import { pageShape, type DefaultCacheBehavior } from '../shapes.js';
import { markerMember, maxItemsMember, page, V } from './common.js';

interface ByResource {
  op: string;
  path: string;
  label: string;
  kind: string;
  managed?: ReadonlyMap<string, unknown>;
  missing(): Error;
  uses(b: DefaultCacheBehavior, id: string): boolean;
}

const BY: ByResource[] = [
  {
    op: 'ListDistributionsByCachePolicyId',
    path: 'distributionsByCachePolicyId',
    label: 'CachePolicyId',
    kind: 'cache-policy',
    managed: MANAGED_CACHE_POLICIES,
    missing: () => new NoSuchCachePolicy('The cache policy does not exist.'),
    uses: (b, id) => b.CachePolicyId === id,
  },
  {
    op: 'ListDistributionsByOriginRequestPolicyId',
    path: 'distributionsByOriginRequestPolicyId',
    label: 'OriginRequestPolicyId',
    kind: 'origin-request-policy',
    managed: MANAGED_ORIGIN_REQUEST_POLICIES,
    missing: () => new NoSuchOriginRequestPolicy('The origin request policy does not exist.'),
    uses: (b, id) => b.OriginRequestPolicyId === id,
  },
  {
    op: 'ListDistributionsByResponseHeadersPolicyId',
    path: 'distributionsByResponseHeadersPolicyId',
    label: 'ResponseHeadersPolicyId',
    kind: 'response-headers-policy',
    managed: MANAGED_RESPONSE_HEADERS_POLICIES,
    missing: () => new NoSuchResponseHeadersPolicy('The response headers policy does not exist.'),
    uses: (b, id) => b.ResponseHeadersPolicyId === id,
  },
  {
    op: 'ListDistributionsByKeyGroup',
    path: 'distributionsByKeyGroupId',
    label: 'KeyGroupId',
    kind: 'key-group',
    missing: () => new NoSuchResource('The specified key group does not exist.'),
    uses: (b, id) => (b.TrustedKeyGroups?.Items ?? []).includes(id),
  },
];

export function byResourceOperations(deps: CloudFrontDeps): Record<string, Operation> {
  const out: Record<string, Operation> = {};
  for (const by of BY) {
    const using = (id: string, ctx: RequestContext) => {
      if (!by.managed?.has(id) && !deps.docs.own(by.kind, id, ctx.accountId)) throw by.missing();
      return deps.docs.filter<StoredDistribution>(
        'distribution',
        (d) => d.accountId === ctx.accountId && [d.config.DefaultCacheBehavior, ...(d.config.CacheBehaviors?.Items ?? [])].some((b) => by.uses(b, id)),
      );
    };
    out[by.op] = defineOperation({
      http: { method: 'GET', uri: `${V}/${by.path}/{${by.label}}` },
      input: structure({ [by.label]: inUri(by.label), Marker: markerMember, MaxItems: maxItemsMember }),
      output: structure({ DistributionIdList: inPayload(pageShape(string(), 'DistributionId')) }),
      handler: (raw, ctx) => {
        const input = raw as { Marker?: string; MaxItems?: number } & Record<string, string>;
        const p = page(using(input[by.label]!, ctx), (d) => d.id, input.Marker, input.MaxItems);
        return {
          DistributionIdList: {
            Marker: input.Marker ?? '',
            ...(p.nextMarker ? { NextMarker: p.nextMarker } : {}),
            MaxItems: p.max,
            IsTruncated: p.truncated,
            Quantity: p.items.length,
            ...(p.items.length ? { Items: p.items.map((d) => d.id) } : {}),
          },
        };
      },
    });
  }
  return out;
}
