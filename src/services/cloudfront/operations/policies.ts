/**
 * Cache policies, origin request policies and response headers policies: each kind has the same
 * six operations (Create, Get, GetConfig, Update, Delete, List) on `/2020-05-31/<kind>`, the
 * same ETag/If-Match rules, names unique within an account, and AWS's managed policies beside
 * the account's own (listed with Type=managed, readable by anyone, changed by no one). A policy
 * a distribution's behavior names cannot be deleted.
 */
import { defineOperation } from '../../../protocols/define-operation.js';
import { inPayload, inQuery, inUri, string, structure, type StructureShape } from '../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../service.js';
import type { CloudFrontDeps } from '../deps.js';
import { checkCachePolicy, checkOriginRequestPolicy, checkResponseHeadersPolicy } from '../engine/policy-config.js';
import {
  AccessDenied,
  CachePolicyAlreadyExists,
  CachePolicyInUse,
  InvalidArgument,
  NoSuchCachePolicy,
  NoSuchOriginRequestPolicy,
  NoSuchResponseHeadersPolicy,
  OriginRequestPolicyAlreadyExists,
  OriginRequestPolicyInUse,
  ResponseHeadersPolicyAlreadyExists,
  ResponseHeadersPolicyInUse,
} from '../errors.js';
import { MANAGED_CACHE_POLICIES, MANAGED_LAST_MODIFIED, MANAGED_ORIGIN_REQUEST_POLICIES, MANAGED_RESPONSE_HEADERS_POLICIES } from '../managed.js';
import type { StoredDistribution } from '../model.js';
import {
  cachePolicyConfigShape,
  cachePolicyShape,
  originRequestPolicyConfigShape,
  originRequestPolicyShape,
  pageShape,
  responseHeadersPolicyConfigShape,
  responseHeadersPolicyShape,
  type DefaultCacheBehavior,
} from '../shapes.js';
import { checkIfMatch, etagMember, ifMatchMember, iso, locationMember, markerMember, maxItemsMember, newEtag, page, V } from './common.js';

type PolicyDocKind = 'cache-policy' | 'origin-request-policy' | 'response-headers-policy';

interface StoredPolicy {
  kind: PolicyDocKind;
  id: string;
  accountId: string;
  etag: string;
  lastModified: number;
  config: { Name: string } & Record<string, unknown>;
}

interface PolicyKind {
  kind: PolicyDocKind;
  /** The element name: `CachePolicy` (its config is `CachePolicyConfig`, its list `CachePolicyList`). */
  element: string;
  /** The List operation's noun: `CachePolicies`. */
  plural: string;
  shape: StructureShape;
  configShape: StructureShape;
  managed: ReadonlyMap<string, Record<string, unknown>>;
  noSuch(): Error;
  alreadyExists(): Error;
  inUse(): Error;
  /** Checks a config and answers it completed with CloudFront's defaults. */
  prepare(config: Record<string, unknown>): Record<string, unknown>;
  /** The policy id a behavior names of this kind. */
  usedBy(b: DefaultCacheBehavior): string | undefined;
}

const KINDS: PolicyKind[] = [
  {
    kind: 'cache-policy',
    element: 'CachePolicy',
    plural: 'CachePolicies',
    shape: cachePolicyShape,
    configShape: cachePolicyConfigShape,
    managed: MANAGED_CACHE_POLICIES as ReadonlyMap<string, Record<string, unknown>>,
    noSuch: () => new NoSuchCachePolicy('The cache policy does not exist.'),
    alreadyExists: () => new CachePolicyAlreadyExists('A cache policy with this name already exists. You must provide a unique name. To modify an existing cache policy, use UpdateCachePolicy.'),
    inUse: () => new CachePolicyInUse('Cannot delete the cache policy because it is attached to one or more cache behaviors.'),
    prepare: (c) => checkCachePolicy(c as never) as Record<string, unknown>,
    usedBy: (b) => b.CachePolicyId,
  },
  {
    kind: 'origin-request-policy',
    element: 'OriginRequestPolicy',
    plural: 'OriginRequestPolicies',
    shape: originRequestPolicyShape,
    configShape: originRequestPolicyConfigShape,
    managed: MANAGED_ORIGIN_REQUEST_POLICIES as ReadonlyMap<string, Record<string, unknown>>,
    noSuch: () => new NoSuchOriginRequestPolicy('The origin request policy does not exist.'),
    alreadyExists: () =>
      new OriginRequestPolicyAlreadyExists('An origin request policy with this name already exists. You must provide a unique name. To modify an existing origin request policy, use UpdateOriginRequestPolicy.'),
    inUse: () => new OriginRequestPolicyInUse('Cannot delete the origin request policy because it is attached to one or more cache behaviors.'),
    prepare: (c) => checkOriginRequestPolicy(c as never) as Record<string, unknown>,
    usedBy: (b) => b.OriginRequestPolicyId,
  },
  {
    kind: 'response-headers-policy',
    element: 'ResponseHeadersPolicy',
    plural: 'ResponseHeadersPolicies',
    shape: responseHeadersPolicyShape,
    configShape: responseHeadersPolicyConfigShape,
    managed: MANAGED_RESPONSE_HEADERS_POLICIES as ReadonlyMap<string, Record<string, unknown>>,
    noSuch: () => new NoSuchResponseHeadersPolicy('The response headers policy does not exist.'),
    alreadyExists: () =>
      new ResponseHeadersPolicyAlreadyExists(
        'A response headers policy with this name already exists. You must provide a unique name. To modify an existing response headers policy, use UpdateResponseHeadersPolicy.',
      ),
    inUse: () => new ResponseHeadersPolicyInUse('Cannot delete the response headers policy because it is attached to one or more cache behaviors.'),
    prepare: (c) => checkResponseHeadersPolicy(c as never) as Record<string, unknown>,
    usedBy: (b) => b.ResponseHeadersPolicyId,
  },
];

/** The ETag every managed policy answers (they never change). */
const MANAGED_ETAG = 'E23ZP02F085DFQ';

function operationsOf(deps: CloudFrontDeps, k: PolicyKind): Record<string, Operation> {
  const base = `${V}/${k.kind}`;
  const view = (p: { id: string; lastModified: number; config: Record<string, unknown> }) => ({ Id: p.id, LastModifiedTime: iso(p.lastModified), [`${k.element}Config`]: p.config });
  const managedView = (id: string) => view({ id, lastModified: MANAGED_LAST_MODIFIED, config: k.managed.get(id)! });
  const policyOut = structure({ [k.element]: inPayload(k.shape), ETag: etagMember });
  const configOut = structure({ [`${k.element}Config`]: inPayload(k.configShape), ETag: etagMember });
  const configIn = { ...inPayload(k.configShape), required: true as const };

  /** The caller's policy, or a managed one (readable by anyone), else NoSuch*. */
  const find = (id: string, ctx: RequestContext): { policy: StoredPolicy | undefined; managed: boolean } => {
    if (k.managed.has(id)) return { policy: undefined, managed: true };
    const policy = deps.docs.own<StoredPolicy>(k.kind, id, ctx.accountId);
    if (!policy) throw k.noSuch();
    return { policy, managed: false };
  };
  const refuseManaged = (id: string) => {
    if (k.managed.has(id)) throw new AccessDenied(`Managed policies cannot be modified or deleted: ${id}`);
  };
  const nameTaken = (accountId: string, name: string, exceptId?: string) =>
    deps.docs.filter<StoredPolicy>(k.kind, (p) => p.accountId === accountId && p.id !== exceptId && p.config.Name === name).length > 0 ||
    [...k.managed.values()].some((m) => m.Name === name);

  return {
    [`Create${k.element}`]: defineOperation({
      http: { method: 'POST', uri: base, code: 201 },
      input: structure({ [`${k.element}Config`]: configIn }),
      output: structure({ [k.element]: inPayload(k.shape), Location: locationMember, ETag: etagMember }),
      handler: async (input, ctx) => {
        const config = k.prepare((input as Record<string, Record<string, unknown>>)[`${k.element}Config`]!) as StoredPolicy['config'];
        const doc: StoredPolicy = { kind: k.kind, id: deps.docs.freshId(k.kind, () => deps.ids.uuid()), accountId: ctx.accountId, etag: newEtag(deps), lastModified: deps.clock.now(), config };
        await deps.docs.create(doc, () => {
          if (nameTaken(ctx.accountId, config.Name)) throw k.alreadyExists();
          return undefined;
        });
        return { [k.element]: view(doc), Location: `${ctx.endpoint}${base}/${doc.id}`, ETag: doc.etag };
      },
    }),
    [`Get${k.element}`]: defineOperation({
      http: { method: 'GET', uri: `${base}/{Id}` },
      input: structure({ Id: inUri('Id') }),
      output: policyOut,
      handler: (input, ctx) => {
        const { policy } = find(input.Id, ctx);
        return policy ? { [k.element]: view(policy), ETag: policy.etag } : { [k.element]: managedView(input.Id), ETag: MANAGED_ETAG };
      },
    }),
    [`Get${k.element}Config`]: defineOperation({
      http: { method: 'GET', uri: `${base}/{Id}/config` },
      input: structure({ Id: inUri('Id') }),
      output: configOut,
      handler: (input, ctx) => {
        const { policy } = find(input.Id, ctx);
        return { [`${k.element}Config`]: policy ? policy.config : k.managed.get(input.Id)!, ETag: policy ? policy.etag : MANAGED_ETAG };
      },
    }),
    [`Update${k.element}`]: defineOperation({
      http: { method: 'PUT', uri: `${base}/{Id}` },
      input: structure({ [`${k.element}Config`]: configIn, Id: inUri('Id'), IfMatch: ifMatchMember }),
      output: policyOut,
      handler: async (raw, ctx) => {
        const input = raw as { Id: string; IfMatch?: string } & Record<string, Record<string, unknown>>;
        refuseManaged(input.Id);
        const config = k.prepare(input[`${k.element}Config`]!) as StoredPolicy['config'];
        const next = await deps.docs.update<StoredPolicy, StoredPolicy>(k.kind, input.Id, ctx.accountId, k.noSuch, (doc) => {
          checkIfMatch(input.IfMatch, doc.etag);
          if (nameTaken(ctx.accountId, config.Name, doc.id)) throw k.alreadyExists();
          const updated = { ...doc, config, etag: newEtag(deps), lastModified: deps.clock.now() };
          return { doc: updated, result: updated };
        });
        return { [k.element]: view(next), ETag: next.etag };
      },
    }),
    [`Delete${k.element}`]: defineOperation({
      http: { method: 'DELETE', uri: `${base}/{Id}`, code: 204 },
      input: structure({ Id: inUri('Id'), IfMatch: ifMatchMember }),
      handler: async (input, ctx) => {
        refuseManaged(input.Id);
        await deps.docs.update<StoredPolicy, void>(k.kind, input.Id, ctx.accountId, k.noSuch, (doc) => {
          checkIfMatch(input.IfMatch, doc.etag);
          const used = deps.docs.filter<StoredDistribution>('distribution', (d) =>
            d.accountId === ctx.accountId && [d.config.DefaultCacheBehavior, ...(d.config.CacheBehaviors?.Items ?? [])].some((b) => k.usedBy(b) === doc.id),
          );
          if (used.length) throw k.inUse();
          return { doc: null, result: undefined };
        });
      },
    }),
    [`List${k.plural}`]: defineOperation({
      http: { method: 'GET', uri: base },
      input: structure({ Type: inQuery(string(), 'Type'), Marker: markerMember, MaxItems: maxItemsMember }),
      output: structure({ [`${k.element}List`]: inPayload(pageShape(structure({ Type: string(), [k.element]: k.shape }), `${k.element}Summary`)) }),
      handler: (input, ctx) => {
        if (input.Type !== undefined && input.Type !== 'managed' && input.Type !== 'custom') throw new InvalidArgument(`The parameter Type is invalid: ${input.Type}`);
        const all: Array<{ Type: string; id: string; item: Record<string, unknown> }> = [];
        if (input.Type !== 'custom') for (const id of k.managed.keys()) all.push({ Type: 'managed', id, item: managedView(id) });
        if (input.Type !== 'managed') for (const p of deps.docs.list<StoredPolicy>(k.kind, ctx.accountId)) all.push({ Type: 'custom', id: p.id, item: view(p) });
        const key = (x: { Type: string; id: string }) => `${x.Type === 'managed' ? 0 : 1}${x.id}`;
        all.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
        const p = page(all, (x) => `${x.Type === 'managed' ? 0 : 1}${x.id}`, input.Marker ? `${k.managed.has(input.Marker) ? 0 : 1}${input.Marker}` : undefined, input.MaxItems);
        return {
          [`${k.element}List`]: {
            ...(p.nextMarker ? { NextMarker: p.nextMarker.slice(1) } : {}),
            MaxItems: p.max,
            Quantity: p.items.length,
            ...(p.items.length ? { Items: p.items.map((x) => ({ Type: x.Type, [k.element]: x.item })) } : {}),
          },
        };
      },
    }),
  };
}

export function policyOperations(deps: CloudFrontDeps): Record<string, Operation> {
  return Object.assign({}, ...KINDS.map((k) => operationsOf(deps, k))) as Record<string, Operation>;
}
