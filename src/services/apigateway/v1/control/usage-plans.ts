/**
 * Usage plans (Create/Get/GetUsagePlans/Update/Delete), the API keys in them (usage plan keys)
 * and GetUsage (requests per key and day, with what remains of the quota).
 */
import { defineOperation } from '../../../../protocols/define-operation.js';
import { document, inQuery, inUri, integer, list, map, required, string, structure } from '../../../../protocols/shapes.js';
import type { Operation } from '../../../service.js';
import type { RequestContext } from '../../../service.js';
import type { GatewayDeps } from '../../deps.js';
import { BadRequestException, ConflictException, NotFoundException } from '../../errors.js';
import { gatewayId } from '../../ids.js';
import type { ApiKeyDoc, RestApiDoc, UsagePlanDoc } from '../model.js';
import { dayCounter, dayOf, periodStart, planCounters, quotaCounter } from '../quota.js';
import { byKey, defined, noApiKey, noUsagePlan, owner, page, pageMembers } from './common.js';
import { applyPatch, mapAt, patchMember, scalar } from './patch.js';

/** rateLimit is a double in the model (the shape language has no doubles: it is checked here). */
const throttle = structure({ burstLimit: integer(), rateLimit: document() });

export function usagePlanView(p: UsagePlanDoc): Record<string, unknown> {
  return defined({
    id: p.id,
    name: p.name,
    description: p.description,
    apiStages: p.apiStages,
    throttle: p.throttle,
    quota: p.quota,
    tags: Object.keys(p.tags).length ? p.tags : undefined,
  });
}

/** Every API stage of a plan must be one of the caller's APIs and stages. */
function checkStages(deps: GatewayDeps, ctx: RequestContext, plan: UsagePlanDoc): void {
  const seen = new Set<string>();
  for (const s of plan.apiStages) {
    const api = deps.documents.own<RestApiDoc>('restApi', s.apiId, owner(ctx));
    if (!api || !Object.hasOwn(api.stages, s.stage)) throw new BadRequestException(`Invalid API Stage {api: ${s.apiId}, stage: ${s.stage}} specified for usageplan ${plan.id}`);
    if (seen.has(`${s.apiId}:${s.stage}`)) throw new ConflictException(`API Stage {api: ${s.apiId}, stage: ${s.stage}} already exists in usageplan ${plan.id}`);
    seen.add(`${s.apiId}:${s.stage}`);
  }
  const q = plan.quota;
  if (q) {
    if (!['DAY', 'WEEK', 'MONTH'].includes(q.period)) throw new BadRequestException('Invalid quota period specified. Valid options are DAY,WEEK,MONTH');
    if (!(q.limit >= 0)) throw new BadRequestException('Quota limit should be a non-negative integer');
    const maxOffset = q.period === 'DAY' ? 0 : q.period === 'WEEK' ? 6 : 27;
    if ((q.offset ?? 0) < 0 || (q.offset ?? 0) > maxOffset) throw new BadRequestException(`Quota offset must be between 0 and ${maxOffset} for period ${q.period}`);
  }
  const t = plan.throttle;
  if (t && ((t.rateLimit ?? 0) < 0 || (t.burstLimit ?? 0) < 0)) throw new BadRequestException('Throttle limits must be non-negative');
}

const toNumber = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function usagePlanOperations(deps: GatewayDeps): Record<string, Operation> {
  const missing = noUsagePlan;
  return {
    CreateUsagePlan: defineOperation({
      http: { method: 'POST', uri: '/usageplans', code: 201 },
      input: structure({
        name: required(string()),
        description: string(),
        apiStages: list(structure({ apiId: string(), stage: string(), throttle: map(string(), throttle) })),
        throttle,
        quota: structure({ limit: integer(), offset: integer(), period: string() }),
        tags: map(string(), string()),
      }),
      handler: async (input, ctx) => {
        let id = gatewayId(deps.ids, 6);
        while (deps.documents.idTaken(id)) id = gatewayId(deps.ids, 6);
        const rate = (t: { burstLimit?: number; rateLimit?: unknown } | undefined) => {
          if (!t) return undefined;
          if (t.rateLimit !== undefined && toNumber(t.rateLimit) === undefined) throw new BadRequestException('Invalid throttle rateLimit: a number is expected');
          return defined({ burstLimit: t.burstLimit, rateLimit: toNumber(t.rateLimit) });
        };
        const plan: UsagePlanDoc = defined({
          kind: 'usagePlan' as const,
          id,
          accountId: ctx.accountId,
          region: ctx.region,
          name: input.name,
          description: input.description,
          apiStages: (input.apiStages ?? []).map((s) =>
            defined({ apiId: s.apiId ?? '', stage: s.stage ?? '', throttle: s.throttle ? Object.fromEntries(Object.entries(s.throttle).map(([k, v]) => [k, rate(v)!])) : undefined }),
          ),
          throttle: rate(input.throttle),
          quota: input.quota ? defined({ limit: input.quota.limit ?? 0, offset: input.quota.offset, period: (input.quota.period ?? '') as 'DAY' }) : undefined,
          keyIds: [],
          tags: input.tags ?? {},
        });
        checkStages(deps, ctx, plan);
        await deps.documents.create(plan, () => new ConflictException('Usage plan already exists'));
        return usagePlanView(plan);
      },
    }),
    GetUsagePlan: defineOperation({
      http: { method: 'GET', uri: '/usageplans/{usagePlanId}' },
      input: structure({ usagePlanId: inUri('usagePlanId') }),
      handler: (input, ctx) => {
        const p = deps.documents.own<UsagePlanDoc>('usagePlan', input.usagePlanId, owner(ctx));
        if (!p) throw missing();
        return usagePlanView(p);
      },
    }),
    GetUsagePlans: defineOperation({
      http: { method: 'GET', uri: '/usageplans' },
      input: structure({ ...pageMembers, keyId: inQuery(string(), 'keyId') }),
      handler: (input, ctx) => {
        const plans = deps.documents
          .list<UsagePlanDoc>('usagePlan', owner(ctx))
          .filter((p) => input.keyId === undefined || p.keyIds.includes(input.keyId))
          .sort(byKey((p) => p.id));
        const p = page(plans, (x) => x.id, input.position, input.limit);
        return { ...p, item: p.item.map(usagePlanView) };
      },
    }),
    UpdateUsagePlan: defineOperation({
      http: { method: 'PATCH', uri: '/usageplans/{usagePlanId}' },
      input: structure({ usagePlanId: inUri('usagePlanId'), ...patchMember }),
      handler: (input, ctx) =>
        deps.documents.update<UsagePlanDoc, Record<string, unknown>>('usagePlan', input.usagePlanId, owner(ctx), missing, (plan) => {
          applyPatch(
            plan,
            input.patchOperations,
            [
              scalar('/name', 'string', { ops: ['replace'] }),
              scalar('/description'),
              scalar('/throttle/rateLimit', 'number'),
              scalar('/throttle/burstLimit', 'integer'),
              scalar('/throttle', 'string', { ops: ['remove'] }),
              scalar('/quota/limit', 'integer'),
              scalar('/quota/offset', 'integer'),
              scalar('/quota/period'),
              scalar('/quota', 'string', { ops: ['remove'] }),
              mapAt('/tags'),
            ],
            (op, path, value) => {
              // `/apiStages` with value `{apiId}:{stage}` adds or removes one API stage.
              if (path !== '/apiStages') return false;
              const [apiId = '', stage = ''] = (value ?? '').split(':');
              const exists = plan.apiStages.some((s) => s.apiId === apiId && s.stage === stage);
              if (op === 'remove') {
                if (!exists) throw new BadRequestException(`Invalid API Stage {api: ${apiId}, stage: ${stage}} specified for usageplan ${plan.id}`);
                plan.apiStages = plan.apiStages.filter((s) => !(s.apiId === apiId && s.stage === stage));
              } else plan.apiStages.push({ apiId, stage });
              return true;
            },
          );
          if (plan.quota && plan.quota.limit === undefined) plan.quota.limit = 0;
          checkStages(deps, ctx, plan);
          return { doc: plan, result: usagePlanView(plan) };
        }),
    }),
    DeleteUsagePlan: defineOperation({
      http: { method: 'DELETE', uri: '/usageplans/{usagePlanId}', code: 202 },
      input: structure({ usagePlanId: inUri('usagePlanId') }),
      handler: async (input, ctx) => {
        await deps.documents.update<UsagePlanDoc, void>('usagePlan', input.usagePlanId, owner(ctx), missing, () => ({ doc: null, result: undefined }));
        await deps.store.write(async (tx) => {
          for (const prefix of planCounters(input.usagePlanId)) await deps.repo.deleteCounters(tx, prefix);
        });
        return undefined;
      },
    }),
    ...usagePlanKeyOperations(deps),
  };
}

const planKeyView = (k: ApiKeyDoc) => defined({ id: k.id, type: 'API_KEY', value: k.value, name: k.name });

function usagePlanKeyOperations(deps: GatewayDeps): Record<string, Operation> {
  const planOf = (ctx: RequestContext, id: string) => {
    const p = deps.documents.own<UsagePlanDoc>('usagePlan', id, owner(ctx));
    if (!p) throw noUsagePlan();
    return p;
  };
  const keyOf = (ctx: RequestContext, id: string) => {
    const k = deps.documents.own<ApiKeyDoc>('apiKey', id, owner(ctx));
    if (!k) throw noApiKey();
    return k;
  };
  return {
    CreateUsagePlanKey: defineOperation({
      http: { method: 'POST', uri: '/usageplans/{usagePlanId}/keys', code: 201 },
      input: structure({ usagePlanId: inUri('usagePlanId'), keyId: required(string()), keyType: required(string()) }),
      handler: async (input, ctx) => {
        if (input.keyType !== 'API_KEY') throw new BadRequestException(`Invalid key type specified: ${input.keyType}`);
        const key = keyOf(ctx, input.keyId);
        await deps.documents.update<UsagePlanDoc, void>('usagePlan', input.usagePlanId, owner(ctx), noUsagePlan, (plan) => {
          if (plan.keyIds.includes(key.id)) throw new ConflictException(`Usage Plan ${plan.id} cannot be added because API Key ${key.id} is already associated with it`);
          plan.keyIds.push(key.id);
          return { doc: plan, result: undefined };
        });
        return planKeyView(key);
      },
    }),
    GetUsagePlanKey: defineOperation({
      http: { method: 'GET', uri: '/usageplans/{usagePlanId}/keys/{keyId}' },
      input: structure({ usagePlanId: inUri('usagePlanId'), keyId: inUri('keyId') }),
      handler: (input, ctx) => {
        const plan = planOf(ctx, input.usagePlanId);
        if (!plan.keyIds.includes(input.keyId)) throw new NotFoundException('Invalid Usage Plan Key identifier specified');
        return planKeyView(keyOf(ctx, input.keyId));
      },
    }),
    GetUsagePlanKeys: defineOperation({
      http: { method: 'GET', uri: '/usageplans/{usagePlanId}/keys' },
      input: structure({ usagePlanId: inUri('usagePlanId'), nameQuery: inQuery(string(), 'name'), ...pageMembers }),
      handler: (input, ctx) => {
        const plan = planOf(ctx, input.usagePlanId);
        const keys = plan.keyIds
          .map((id) => deps.documents.own<ApiKeyDoc>('apiKey', id, owner(ctx)))
          .filter((k): k is ApiKeyDoc => !!k && (input.nameQuery === undefined || (k.name ?? '').startsWith(input.nameQuery)))
          .sort(byKey((k) => k.id));
        const p = page(keys, (k) => k.id, input.position, input.limit);
        return { ...p, item: p.item.map(planKeyView) };
      },
    }),
    DeleteUsagePlanKey: defineOperation({
      http: { method: 'DELETE', uri: '/usageplans/{usagePlanId}/keys/{keyId}', code: 202 },
      input: structure({ usagePlanId: inUri('usagePlanId'), keyId: inUri('keyId') }),
      handler: async (input, ctx) => {
        await deps.documents.update<UsagePlanDoc, void>('usagePlan', input.usagePlanId, owner(ctx), noUsagePlan, (plan) => {
          if (!plan.keyIds.includes(input.keyId)) throw noApiKey();
          return { doc: { ...plan, keyIds: plan.keyIds.filter((k) => k !== input.keyId) }, result: undefined };
        });
        return undefined;
      },
    }),
    UpdateUsage: defineOperation({
      http: { method: 'PATCH', uri: '/usageplans/{usagePlanId}/keys/{keyId}/usage' },
      input: structure({ usagePlanId: inUri('usagePlanId'), keyId: inUri('keyId'), ...patchMember }),
      handler: async (input, ctx) => {
        const plan = planOf(ctx, input.usagePlanId);
        if (!plan.keyIds.includes(input.keyId)) throw noApiKey();
        const ops = input.patchOperations ?? [];
        // The one path AWS documents: replace /remaining, what is left of this period's quota.
        for (const op of ops) {
          if (op.op !== 'replace' || op.path !== '/remaining') throw new BadRequestException(`Invalid patch path  '${op.path ?? ''}' specified for op '${op.op ?? ''}'. Must be one of: [/remaining]`);
          if (!/^\d+$/.test(op.value ?? '')) throw new BadRequestException(`Invalid remaining quota value '${op.value ?? ''}'`);
        }
        const now = deps.clock.now();
        const items: Record<string, Array<[number, number]>> = {};
        if (plan.quota) {
          const counter = quotaCounter(plan.id, input.keyId, periodStart(now, plan.quota));
          const remaining = ops.length ? Number(ops[ops.length - 1]!.value) : undefined;
          const used = await deps.store.write(async (tx) => {
            const current = await deps.repo.counter(counter, tx);
            if (remaining === undefined) return current;
            const target = Math.max(0, plan.quota!.limit - remaining);
            return deps.repo.addToCounter(tx, counter, target - current);
          });
          items[input.keyId] = [[used, Math.max(0, plan.quota.limit - used)]];
        }
        const today = dayOf(now);
        return { usagePlanId: plan.id, startDate: today, endDate: today, values: items };
      },
    }),
    GetUsage: defineOperation({
      http: { method: 'GET', uri: '/usageplans/{usagePlanId}/usage' },
      input: structure({ usagePlanId: inUri('usagePlanId'), keyId: inQuery(string(), 'keyId'), startDate: { ...inQuery(string(), 'startDate'), required: true }, endDate: { ...inQuery(string(), 'endDate'), required: true }, ...pageMembers }),
      handler: async (input, ctx) => {
        const plan = planOf(ctx, input.usagePlanId);
        const start = Date.parse(`${input.startDate}T00:00:00Z`);
        const end = Date.parse(`${input.endDate}T00:00:00Z`);
        if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) throw new BadRequestException('The usage plan period is invalid: startDate and endDate must be yyyy-MM-dd, startDate first');
        if ((end - start) / 86_400_000 > 90) throw new BadRequestException('The usage data period cannot exceed 90 days');
        const items: Record<string, Array<[number, number]>> = {};
        for (const keyId of plan.keyIds.filter((k) => input.keyId === undefined || k === input.keyId)) {
          const days: Array<[number, number]> = [];
          let total = 0;
          for (let t = start; t <= end; t += 86_400_000) {
            const used = await deps.repo.counter(dayCounter(plan.id, keyId, new Date(t).toISOString().slice(0, 10)));
            total += used;
            days.push([used, plan.quota ? Math.max(0, plan.quota.limit - total) : 0]);
          }
          items[keyId] = days;
        }
        // The model names the member items; on the wire it is `values`.
        return { usagePlanId: plan.id, startDate: input.startDate, endDate: input.endDate, values: items };
      },
    }),
  };
}
