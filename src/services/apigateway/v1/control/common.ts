/**
 * What the v1 control-plane operations share: the caller's walls, AWS's "not found" wordings,
 * lookups of an API's parts that throw them, list paging (`{ item, position }`), and the URI
 * members every `/restapis/{restApiId}/...` operation takes.
 */
import type { RequestContext } from '../../../service.js';
import { inQuery, inUri, integer, string } from '../../../../protocols/shapes.js';
import type { GatewayDeps } from '../../deps.js';
import type { Owner } from '../../engine/documents.js';
import { BadRequestException, NotFoundException } from '../../errors.js';
import type { Method, Resource, RestApiDoc } from '../model.js';

export const owner = (ctx: RequestContext): Owner => ({ accountId: ctx.accountId, region: ctx.region });

// AWS's wordings of missing parts: the REST API one is confirmed by the AWS SDK's own feature
// tests; Resource, Method and Stage match the wordings of public emulators that snapshot-test
// against AWS (moto, LocalStack); Integration, Deployment, Authorizer, API Key, Usage Plan and
// the response status follow the same pattern (unconfirmed against AWS itself).
export const noApi = () => new NotFoundException('Invalid REST API identifier specified');
export const noResource = () => new NotFoundException('Invalid Resource identifier specified');
export const noMethod = () => new NotFoundException('Invalid Method identifier specified');
export const noIntegration = () => new NotFoundException('Invalid Integration identifier specified');
export const noResponse = () => new NotFoundException('Invalid Response status code specified');
export const noStage = () => new NotFoundException('Invalid Stage identifier specified');
export const noDeployment = () => new NotFoundException('Invalid Deployment identifier specified');
export const noAuthorizer = () => new NotFoundException('Invalid Authorizer identifier specified');
export const noApiKey = () => new NotFoundException('Invalid API Key identifier specified');
export const noUsagePlan = () => new NotFoundException('Invalid Usage Plan ID specified');

/** The caller's REST API, or AWS's NotFoundException. */
export function ownApi(deps: GatewayDeps, ctx: RequestContext, id: string): RestApiDoc {
  const api = deps.documents.own<RestApiDoc>('restApi', id, owner(ctx));
  if (!api) throw noApi();
  return api;
}

/** Changes the caller's REST API in one write (see Documents.update). */
export function changeApi<R>(deps: GatewayDeps, ctx: RequestContext, id: string, change: (api: RestApiDoc) => R): Promise<R> {
  return deps.documents.update<RestApiDoc, R>('restApi', id, owner(ctx), noApi, (api) => ({ doc: api, result: change(api) }));
}

export function resourceOf(api: RestApiDoc, id: string): Resource {
  const r = Object.hasOwn(api.resources, id) ? api.resources[id] : undefined;
  if (!r) throw noResource();
  return r;
}

export function methodOf(api: RestApiDoc, resourceId: string, httpMethod: string): Method {
  const r = resourceOf(api, resourceId);
  const m = r.resourceMethods && Object.hasOwn(r.resourceMethods, httpMethod) ? r.resourceMethods[httpMethod] : undefined;
  if (!m) throw noMethod();
  return m;
}

/** The HTTP methods a method may be declared for (ANY catches every other). */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'];

export function checkHttpMethod(m: string): string {
  if (!HTTP_METHODS.includes(m)) throw new BadRequestException('Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY');
  return m;
}

export const apiIdMember = inUri('restApiId');
export const pageMembers = { position: inQuery(string(), 'position'), limit: inQuery(integer({ min: 1, max: 500 }), 'limit') };

/**
 * One page of a list as v1 answers it: `{ item, position }`. The position is the id of the next
 * item, which stays valid while items before it come and go.
 */
export function page<T>(items: T[], key: (t: T) => string, position: string | undefined, limit: number | undefined): { item: T[]; position?: string } {
  const size = limit ?? 25;
  let start = 0;
  if (position !== undefined) {
    start = items.findIndex((i) => key(i) >= position);
    if (start < 0) start = items.length;
  }
  const item = items.slice(start, start + size);
  const next = items[start + size];
  return next ? { item, position: key(next) } : { item };
}

export const byKey = <T>(key: (t: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/** Drops undefined members, so a stored object answers only what it has. */
export function defined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
