/**
 * Invalidations (Create, Get, List) of a distribution's cached objects by path; a path may end
 * in `*` (everything under it). An invalidation is InProgress until every edge and the shield
 * have dropped what it names: the data plane installs a hook (CloudFrontCatalog.
 * setInvalidationHook) that clears them and marks it Completed; without one (no cache to clear)
 * it is Completed as soon as it is stored. A retried CallerReference answers the first batch.
 */
import { defineOperation } from '../../../protocols/define-operation.js';
import { inPayload, inUri, structure } from '../../../protocols/shapes.js';
import type { RequestContext } from '../../service.js';
import type { CloudFrontDeps } from '../deps.js';
import { BatchTooLarge, InvalidArgument, InvalidationBatchAlreadyExists, NoSuchInvalidation, TooManyInvalidationsInProgress } from '../errors.js';
import { cloudfrontId } from '../ids.js';
import type { StoredDistribution, StoredInvalidation } from '../model.js';
import { invalidationBatchShape, invalidationShape, pageShape } from '../shapes.js';
import { checkQuantities, iso, locationMember, markerMember, maxItemsMember, V, withPayloadChecks } from './common.js';
import { ownDistribution } from './distributions.js';

/** CloudFront's limits: 3,000 paths in one batch and in progress at once, 15 wildcard paths in progress. */
const MAX_PATHS = 3000;
const MAX_WILDCARDS_IN_PROGRESS = 15;

const noSuchInvalidation = () => new NoSuchInvalidation('The specified invalidation does not exist.');

const view = (i: StoredInvalidation) => ({ Id: i.id, Status: i.status, CreateTime: iso(i.createdAt), InvalidationBatch: i.batch });

/** Checks a batch's paths: each starts with `/`, and `*` may only end one. */
function checkPaths(paths: string[]): void {
  if (paths.length === 0) throw new InvalidArgument('Your request must contain at least one invalidation path.');
  if (paths.length > MAX_PATHS) throw new BatchTooLarge('Invalidation batch specified is too large.');
  for (const p of paths) {
    if (!p.startsWith('/') || p.length > 4000) throw new InvalidArgument(`Your request contains one or more invalid invalidation paths: ${p}`);
    const star = p.indexOf('*');
    if (star >= 0 && star !== p.length - 1) throw new InvalidArgument(`The wildcard * must be the last character of an invalidation path: ${p}`);
  }
}

export function invalidationOperations(deps: CloudFrontDeps) {
  const ofDistribution = (d: StoredDistribution) =>
    deps.docs.filter<StoredInvalidation>('invalidation', (i) => i.distributionId === d.id).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  const own = (distributionId: string, id: string, ctx: RequestContext) => {
    const d = ownDistribution(deps, distributionId, ctx);
    const i = deps.docs.own<StoredInvalidation>('invalidation', id, ctx.accountId);
    if (!i || i.distributionId !== d.id) throw noSuchInvalidation();
    return i;
  };
  return withPayloadChecks({
    CreateInvalidation: defineOperation({
      http: { method: 'POST', uri: `${V}/distribution/{DistributionId}/invalidation`, code: 201 },
      input: structure({ DistributionId: inUri('DistributionId'), InvalidationBatch: { ...inPayload(invalidationBatchShape), required: true as const } }),
      output: structure({ Location: locationMember, Invalidation: inPayload(invalidationShape) }),
      handler: async (input, ctx) => {
        const d = ownDistribution(deps, input.DistributionId, ctx);
        checkQuantities(input.InvalidationBatch);
        const paths = input.InvalidationBatch.Paths.Items ?? [];
        checkPaths(paths);
        const hook = deps.catalog.invalidationHook();
        const doc: StoredInvalidation = {
          kind: 'invalidation',
          id: deps.docs.freshId('invalidation', () => cloudfrontId(deps.ids, 'I')),
          accountId: ctx.accountId,
          distributionId: d.id,
          createdAt: deps.clock.now(),
          status: hook ? 'InProgress' : 'Completed',
          batch: { Paths: { Quantity: paths.length, Items: paths }, CallerReference: input.InvalidationBatch.CallerReference },
        };
        const { doc: inv, created } = await deps.docs.create(doc, () => {
          const all = ofDistribution(d);
          const same = all.find((i) => i.batch.CallerReference === doc.batch.CallerReference);
          if (same) {
            if (JSON.stringify(same.batch.Paths.Items ?? []) !== JSON.stringify(paths)) {
              throw new InvalidationBatchAlreadyExists('The caller reference you attempted to create the invalidation with is already in use by another invalidation.');
            }
            return same;
          }
          const pending = all.filter((i) => i.status === 'InProgress');
          const pendingPaths = pending.flatMap((i) => i.batch.Paths.Items ?? []);
          if (pendingPaths.length + paths.length > MAX_PATHS || [...pendingPaths, ...paths].filter((p) => p.endsWith('*')).length > MAX_WILDCARDS_IN_PROGRESS) {
            throw new TooManyInvalidationsInProgress('Processing your request would cause the maximum number of in-progress invalidations to be exceeded.');
          }
          return undefined;
        });
        if (created && hook) hook(inv, d);
        return { Location: `${ctx.endpoint}${V}/distribution/${d.id}/invalidation/${inv.id}`, Invalidation: view(deps.docs.byId<StoredInvalidation>('invalidation', inv.id) ?? inv) };
      },
    }),
    GetInvalidation: defineOperation({
      http: { method: 'GET', uri: `${V}/distribution/{DistributionId}/invalidation/{Id}` },
      input: structure({ DistributionId: inUri('DistributionId'), Id: inUri('Id') }),
      output: structure({ Invalidation: inPayload(invalidationShape) }),
      handler: (input, ctx) => ({ Invalidation: view(own(input.DistributionId, input.Id, ctx)) }),
    }),
    ListInvalidations: defineOperation({
      http: { method: 'GET', uri: `${V}/distribution/{DistributionId}/invalidation` },
      input: structure({ DistributionId: inUri('DistributionId'), Marker: markerMember, MaxItems: maxItemsMember }),
      output: structure({
        InvalidationList: inPayload(
          pageShape(structure({ Id: invalidationShape.members.Id, CreateTime: invalidationShape.members.CreateTime, Status: invalidationShape.members.Status }), 'InvalidationSummary'),
        ),
      }),
      handler: (input, ctx) => {
        const d = ownDistribution(deps, input.DistributionId, ctx);
        const all = ofDistribution(d);
        const max = input.MaxItems ?? 100;
        if (!Number.isInteger(max) || max < 0) throw new InvalidArgument('The parameter MaxItems is invalid.');
        // Newest first; the marker is the last id of the previous page.
        const start = input.Marker ? all.findIndex((i) => i.id === input.Marker) + 1 : 0;
        const rest = start > 0 || !input.Marker ? all.slice(start) : [];
        const items = rest.slice(0, max);
        const truncated = rest.length > items.length;
        return {
          InvalidationList: {
            Marker: input.Marker ?? '',
            ...(truncated && items.length ? { NextMarker: items[items.length - 1]!.id } : {}),
            MaxItems: max,
            IsTruncated: truncated,
            Quantity: items.length,
            ...(items.length ? { Items: items.map((i) => ({ Id: i.id, CreateTime: iso(i.createdAt), Status: i.status })) } : {}),
          },
        };
      },
    }),
  });
}
