/**
 * API keys (CreateApiKey, GetApiKey, GetApiKeys, UpdateApiKey, DeleteApiKey): account-level
 * documents of kind `apiKey`, whose value is shown only when asked for (includeValue[s]).
 */
import { defineOperation } from '../../../../protocols/define-operation.js';
import { boolean, inQuery, inUri, list, map, string, structure } from '../../../../protocols/shapes.js';
import type { Operation } from '../../../service.js';
import type { GatewayDeps } from '../../deps.js';
import { BadRequestException, ConflictException } from '../../errors.js';
import { gatewayId } from '../../ids.js';
import type { Owner } from '../../engine/documents.js';
import { epochSeconds, type ApiKeyDoc, type RestApiDoc, type UsagePlanDoc } from '../model.js';
import { byKey, defined, noApiKey, owner, page, pageMembers } from './common.js';
import { applyPatch, mapAt, patchMember, scalar } from './patch.js';

export function apiKeyView(k: ApiKeyDoc, withValue: boolean): Record<string, unknown> {
  return defined({
    id: k.id,
    value: withValue ? k.value : undefined,
    name: k.name,
    customerId: k.customerId,
    description: k.description,
    enabled: k.enabled,
    createdDate: k.createdDate,
    lastUpdatedDate: k.lastUpdatedDate,
    stageKeys: k.stageKeys,
    tags: Object.keys(k.tags).length ? k.tags : undefined,
  });
}

function checkValue(deps: GatewayDeps, k: { id: string; value: string; accountId: string; region: string }): void {
  if (k.value.length < 20 || k.value.length > 128) throw new BadRequestException('API Key value should be at least 20 characters');
  if (deps.documents.list<ApiKeyDoc>('apiKey', k).some((o) => o.value === k.value && o.id !== k.id)) throw new ConflictException('API Key already exists');
}

export function apiKeyOperations(deps: GatewayDeps): Record<string, Operation> {
  return {
    CreateApiKey: defineOperation({
      http: { method: 'POST', uri: '/apikeys', code: 201 },
      input: structure({
        name: string(),
        description: string(),
        enabled: boolean(),
        generateDistinctId: boolean(),
        value: string(),
        stageKeys: list(structure({ restApiId: string(), stageName: string() })),
        customerId: string(),
        tags: map(string(), string()),
      }),
      handler: async (input, ctx) => {
        const id = deps.documents.freshId(() => gatewayId(deps.ids));
        const now = epochSeconds(deps.clock.now());
        const k: ApiKeyDoc = defined({
          kind: 'apiKey' as const,
          id,
          accountId: ctx.accountId,
          region: ctx.region,
          name: input.name,
          value: input.value ?? gatewayId(deps.ids, 40).replace(/^./, (c) => c.toUpperCase()),
          description: input.description,
          enabled: input.enabled ?? false,
          customerId: input.customerId,
          createdDate: now,
          lastUpdatedDate: now,
          stageKeys: (input.stageKeys ?? []).map((s) => `${s.restApiId}/${s.stageName}`),
          tags: input.tags ?? {},
        });
        for (const stage of k.stageKeys) checkStageKey(deps, ctx, stage);
        checkValue(deps, k);
        await deps.documents.create(k, () => new ConflictException('API Key already exists'));
        return apiKeyView(k, true);
      },
    }),
    GetApiKey: defineOperation({
      http: { method: 'GET', uri: '/apikeys/{apiKey}' },
      input: structure({ apiKey: inUri('apiKey'), includeValue: inQuery(boolean(), 'includeValue') }),
      handler: (input, ctx) => {
        const k = deps.documents.own<ApiKeyDoc>('apiKey', input.apiKey, owner(ctx));
        if (!k) throw noApiKey();
        return apiKeyView(k, input.includeValue === true);
      },
    }),
    GetApiKeys: defineOperation({
      http: { method: 'GET', uri: '/apikeys' },
      input: structure({ ...pageMembers, nameQuery: inQuery(string(), 'name'), customerId: inQuery(string(), 'customerId'), includeValues: inQuery(boolean(), 'includeValues') }),
      handler: (input, ctx) => {
        const keys = deps.documents
          .list<ApiKeyDoc>('apiKey', owner(ctx))
          .filter((k) => (input.nameQuery === undefined || (k.name ?? '').startsWith(input.nameQuery)) && (input.customerId === undefined || k.customerId === input.customerId))
          .sort(byKey((k) => k.id));
        const p = page(keys, (k) => k.id, input.position, input.limit);
        return { ...p, item: p.item.map((k) => apiKeyView(k, input.includeValues === true)) };
      },
    }),
    UpdateApiKey: defineOperation({
      http: { method: 'PATCH', uri: '/apikeys/{apiKey}' },
      input: structure({ apiKey: inUri('apiKey'), ...patchMember }),
      handler: (input, ctx) =>
        deps.documents.update<ApiKeyDoc, Record<string, unknown>>('apiKey', input.apiKey, owner(ctx), noApiKey, (k) => {
          applyPatch(
            k,
            input.patchOperations,
            [scalar('/name'), scalar('/description'), scalar('/enabled', 'boolean'), scalar('/customerId'), mapAt('/tags')],
            (op, path, value) => {
              if (path !== '/stages') return false;
              const stage = value ?? '';
              k.stageKeys = k.stageKeys.filter((s) => s !== stage);
              if (op !== 'remove') {
                checkStageKey(deps, ctx, stage);
                k.stageKeys.push(stage);
              }
              return true;
            },
          );
          k.lastUpdatedDate = epochSeconds(deps.clock.now());
          return { doc: k, result: apiKeyView(k, false) };
        }),
    }),
    DeleteApiKey: defineOperation({
      http: { method: 'DELETE', uri: '/apikeys/{apiKey}', code: 202 },
      input: structure({ apiKey: inUri('apiKey') }),
      handler: async (input, ctx) => {
        await deps.documents.update<ApiKeyDoc, void>('apiKey', input.apiKey, owner(ctx), noApiKey, () => ({ doc: null, result: undefined }));
        // The key leaves the usage plans that held it.
        for (const plan of deps.documents.list<UsagePlanDoc>('usagePlan', owner(ctx)).filter((p) => p.keyIds.includes(input.apiKey))) {
          await deps.documents.update<UsagePlanDoc, void>('usagePlan', plan.id, owner(ctx), () => new Error('gone'), (p) => ({ doc: { ...p, keyIds: p.keyIds.filter((id) => id !== input.apiKey) }, result: undefined })).catch(() => undefined);
        }
        return undefined;
      },
    }),
  };
}

/**
 * A stage key (`{restApiId}/{stageName}`) must name a stage of the caller's own REST API: another
 * account's API is answered as a missing one, so a key cannot be bound to it. The wording is
 * unconfirmed against AWS.
 */
function checkStageKey(deps: GatewayDeps, ctx: Owner, stageKey: string): void {
  const slash = stageKey.indexOf('/');
  const api = slash > 0 ? deps.documents.own<RestApiDoc>('restApi', stageKey.slice(0, slash), ctx) : undefined;
  if (!api || !Object.hasOwn(api.stages, stageKey.slice(slash + 1))) throw new BadRequestException('Invalid stage identifier specified');
}
