/**
 * What the HTTP API operations share: the caller's walls, finding and changing the caller's API
 * (another account's id is answered exactly as a missing one), AWS's not-found wording, dates and
 * pages.
 */
import type { RequestContext } from '../../../service.js';
import type { GatewayDeps } from '../../deps.js';
import type { Owner } from '../../engine/documents.js';
import { BadRequestException, NotFoundException } from '../../errors.js';
import { gatewayId } from '../../ids.js';
import { HTTP_API_KIND, type Deployment, type HttpApiDoc } from '../model.js';

export const owner = (ctx: RequestContext): Owner => ({ accountId: ctx.accountId, region: ctx.region });

/** AWS: "Invalid API identifier specified 123456789012:abcde12345". */
export const apiMissing = (ctx: RequestContext, apiId: string) => new NotFoundException(`Invalid API identifier specified ${ctx.accountId}:${apiId}`);

/** The parts' wording follows the API's (`Invalid Route identifier specified ...`); unconfirmed against AWS. */
export const partMissing = (ctx: RequestContext, part: string, id: string) => new NotFoundException(`Invalid ${part} identifier specified ${ctx.accountId}:${id}`);

export function readApi(deps: GatewayDeps, ctx: RequestContext, apiId: string): HttpApiDoc {
  const doc = deps.documents.own<HttpApiDoc>(HTTP_API_KIND, apiId, owner(ctx));
  if (!doc) throw apiMissing(ctx, apiId);
  return doc;
}

/**
 * Changes the caller's API in one commit: `change` edits the copy it gets and answers the result.
 * When the change touched what a stage serves and the API has auto-deploy stages, the same commit
 * makes an auto deployment of it for them (as AWS deploys such stages on every change).
 */
export function changeApi<R>(deps: GatewayDeps, ctx: RequestContext, apiId: string, change: (doc: HttpApiDoc) => R): Promise<R> {
  return deps.documents.update<HttpApiDoc, R>(HTTP_API_KIND, apiId, owner(ctx), () => apiMissing(ctx, apiId), (doc) => {
    // Only an API with auto-deploy stages pays for the comparison (a stage made auto-deploy now has no deployment yet).
    const watched = Object.values(doc.stages).some((st) => st.autoDeploy);
    const before = watched ? servedKey(doc) : '';
    const result = change(doc);
    autoDeploy(deps, doc, watched && servedKey(doc) !== before);
    return { doc, result };
  });
}

const servedKey = (doc: HttpApiDoc) => JSON.stringify([doc.routes, doc.integrations, doc.authorizers, doc.models]);

/** A deployment of the API's current routes, integrations, authorizers and models. */
export function snapshot(deps: GatewayDeps, doc: HttpApiDoc, description: string | undefined, autoDeployed: boolean): Deployment {
  const deploymentId = partId(deps, doc.deployments, 6);
  const d: Deployment = {
    deploymentId,
    ...(description !== undefined ? { description } : {}),
    createdDate: deps.clock.now(),
    autoDeployed,
    snapshot: structuredClone({ routes: doc.routes, integrations: doc.integrations, authorizers: doc.authorizers, models: doc.models }),
  };
  doc.deployments[deploymentId] = d;
  return d;
}

/**
 * Points the auto-deploy stages at a fresh auto deployment when what they serve changed (or one
 * has none yet), and drops auto deployments no stage serves any more, so they do not pile up.
 */
export function autoDeploy(deps: GatewayDeps, doc: HttpApiDoc, changed: boolean): void {
  const stages = Object.values(doc.stages).filter((s) => s.autoDeploy);
  const stale = stages.filter((s) => changed || s.deploymentId === undefined || !Object.hasOwn(doc.deployments, s.deploymentId));
  if (stale.length === 0 || Object.keys(doc.routes).length === 0) return;
  const d = snapshot(deps, doc, 'Automatic deployment triggered by changes to the Api configuration', true);
  for (const s of stale) {
    s.deploymentId = d.deploymentId;
    s.lastDeploymentStatusMessage = `Successfully deployed stage with deployment ID '${d.deploymentId}'`;
  }
  const served = new Set(Object.values(doc.stages).map((s) => s.deploymentId));
  for (const [id, dep] of Object.entries(doc.deployments)) if (dep.autoDeployed && !served.has(id)) delete doc.deployments[id];
}

/** A fresh id for a part of an API, unique within `taken`. */
export function partId(deps: GatewayDeps, taken: Record<string, unknown>, length = 7): string {
  for (;;) {
    const id = gatewayId(deps.ids, length);
    if (!Object.hasOwn(taken, id)) return id;
  }
}

export const iso = (ms: number) => new Date(ms).toISOString();

/** Drops undefined members, so a view shows only what is set. */
export function defined<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

/** One page of `items` as the GetX operations answer (`items`, `nextToken`): the token is the offset. */
export function page<T>(items: T[], nextToken: string | undefined, maxResults: string | undefined): { items: T[]; nextToken?: string } {
  const start = nextToken === undefined ? 0 : Number(nextToken);
  if (!Number.isSafeInteger(start) || start < 0) throw new BadRequestException('Invalid nextToken');
  const max = maxResults === undefined ? 500 : Number(maxResults);
  if (!Number.isSafeInteger(max) || max < 1) throw new BadRequestException('Invalid maxResults');
  const slice = items.slice(start, start + max);
  return start + max < items.length ? { items: slice, nextToken: String(start + max) } : { items: slice };
}

/** A `{ [id]: part }` record's values in id order. */
export const sorted = <T>(parts: Record<string, T>): T[] =>
  Object.keys(parts)
    .sort()
    .map((k) => parts[k]!);

/** HTTP APIs route by method and path only. */
export const DEFAULT_ROUTE_SELECTION = '${request.method} ${request.path}';

/** A new, empty HTTP API of the caller's, with a fresh id and AWS's defaults (CreateApi and ImportApi fill it in). */
export function newHttpApi(deps: GatewayDeps, ctx: RequestContext, name: string): HttpApiDoc {
  return {
    kind: HTTP_API_KIND,
    id: deps.documents.freshId(() => gatewayId(deps.ids)),
    accountId: ctx.accountId,
    region: ctx.region,
    name,
    protocolType: 'HTTP',
    routeSelectionExpression: DEFAULT_ROUTE_SELECTION,
    apiKeySelectionExpression: '$request.header.x-api-key',
    disableExecuteApiEndpoint: false,
    ipAddressType: 'ipv4',
    createdDate: deps.clock.now(),
    tags: {},
    routes: {},
    integrations: {},
    authorizers: {},
    stages: {},
    deployments: {},
  };
}
