/**
 * Deployments (a snapshot of the API's resource tree, authorizers, gateway responses and policy:
 * what a stage serves until it is pointed at another) and stages (the named invoke paths, with
 * variables, method settings such as throttling, and access log settings).
 */
import { defineOperation } from '../../../../protocols/define-operation.js';
import { boolean, inQuery, inUri, map, required, string, structure } from '../../../../protocols/shapes.js';
import type { Operation } from '../../../service.js';
import type { GatewayDeps } from '../../deps.js';
import { BadRequestException, ConflictException } from '../../errors.js';
import { gatewayId } from '../../ids.js';
import { epochSeconds, type Deployment, type MethodSetting, type RestApiDoc, type Stage } from '../model.js';
import { apiIdMember, byKey, changeApi, defined, noDeployment, noStage, ownApi, page, pageMembers } from './common.js';
import { flushAuthorizerCache } from '../data/authorize.js';
import { stageCaches } from '../data/stage-cache.js';
import { applyPatch, mapAt, patchMember, scalar } from './patch.js';

export const deploymentView = (d: Deployment) => defined({ id: d.id, description: d.description, createdDate: d.createdDate });
export const stageView = (s: Stage) => defined({ ...s, tags: s.tags && Object.keys(s.tags).length ? s.tags : undefined });

const stageOf = (api: RestApiDoc, name: string): Stage => {
  const s = Object.hasOwn(api.stages, name) ? api.stages[name] : undefined;
  if (!s) throw noStage();
  return s;
};
const deploymentOf = (api: RestApiDoc, id: string): Deployment => {
  const d = Object.hasOwn(api.deployments, id) ? api.deployments[id] : undefined;
  if (!d) throw noDeployment();
  return d;
};

function snapshot(api: RestApiDoc): Deployment['snapshot'] {
  const methods = Object.values(api.resources).flatMap((r) => Object.values(r.resourceMethods ?? {}));
  if (methods.length === 0) throw new BadRequestException("The REST API doesn't contain any methods");
  if (methods.some((m) => !m.methodIntegration)) throw new BadRequestException('No integration defined for method');
  return structuredClone({
    resources: api.resources,
    authorizers: api.authorizers,
    gatewayResponses: api.gatewayResponses,
    requestValidators: api.requestValidators ?? {},
    models: api.models ?? {},
    ...(api.policy ? { policy: api.policy } : {}),
    binaryMediaTypes: api.binaryMediaTypes,
    apiKeySource: api.apiKeySource,
  });
}

const STAGE_NAME = /^[a-zA-Z0-9_-]+$/;
const VARIABLE = { name: /^[a-zA-Z0-9_]+$/, value: /^[a-zA-Z0-9\-._~:/?#&=,]*$/ };

function checkVariables(vars: Record<string, string> | undefined): void {
  for (const [k, v] of Object.entries(vars ?? {})) {
    if (!VARIABLE.name.test(k)) throw new BadRequestException('Stage variable names may only contain alphanumeric characters and underscores');
    if (!VARIABLE.value.test(v) || v.length > 512) throw new BadRequestException(`Stage variable value ${v} does not match the pattern [A-Za-z0-9-._~:/?#&=,]+ or is longer than 512 characters`);
  }
}

function newStage(deps: GatewayDeps, name: string, deploymentId: string, extra: Partial<Stage>): Stage {
  if (!STAGE_NAME.test(name) || name.length > 128) throw new BadRequestException('Stage name only allows a-zA-Z0-9_ and hyphens');
  const now = epochSeconds(deps.clock.now());
  return withCacheStatus(defined({ stageName: name, deploymentId, cacheClusterEnabled: false, cacheClusterStatus: 'NOT_AVAILABLE', methodSettings: {}, tracingEnabled: false, createdDate: now, lastUpdatedDate: now, ...extra }));
}

/**
 * The cache cluster's status follows cacheClusterEnabled at once (AWS takes minutes to build
 * one: Nimbus's is memory, ready when asked for), with AWS's default size of 0.5 GB.
 */
function withCacheStatus(stage: Stage): Stage {
  stage.cacheClusterStatus = stage.cacheClusterEnabled ? 'AVAILABLE' : 'NOT_AVAILABLE';
  if (stage.cacheClusterEnabled) stage.cacheClusterSize ??= '0.5';
  return stage;
}

export const DEFAULT_METHOD_SETTING: MethodSetting = {
  metricsEnabled: false,
  loggingLevel: 'OFF',
  dataTraceEnabled: false,
  throttlingBurstLimit: 5000,
  throttlingRateLimit: 10000,
  cachingEnabled: false,
  cacheTtlInSeconds: 300,
  cacheDataEncrypted: false,
  requireAuthorizationForCacheControl: true,
  unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER',
};

/** The patch paths of one method setting (`/{resourcePath}/{method}/<these>`) and the member each sets. */
const SETTING_PATHS: Record<string, [keyof MethodSetting, 'boolean' | 'number' | 'string']> = {
  'metrics/enabled': ['metricsEnabled', 'boolean'],
  'logging/loglevel': ['loggingLevel', 'string'],
  'logging/dataTrace': ['dataTraceEnabled', 'boolean'],
  'throttling/burstLimit': ['throttlingBurstLimit', 'number'],
  'throttling/rateLimit': ['throttlingRateLimit', 'number'],
  'caching/enabled': ['cachingEnabled', 'boolean'],
  'caching/ttlInSeconds': ['cacheTtlInSeconds', 'number'],
  'caching/dataEncrypted': ['cacheDataEncrypted', 'boolean'],
  'caching/requireAuthorizationForCacheControl': ['requireAuthorizationForCacheControl', 'boolean'],
  'caching/unauthorizedCacheControlHeaderStrategy': ['unauthorizedCacheControlHeaderStrategy', 'string'],
};

/**
 * `/*\/*\/throttling/rateLimit` or `/~1pets/GET/throttling/rateLimit`: the key is the resource
 * path (`~1` for `/`, as AWS writes it) and method; the setting applies to that method (or all).
 */
function patchMethodSetting(stage: Stage, op: string, path: string, value: string | undefined): boolean {
  const m = /^\/([^/]+)\/([^/]+)(?:\/(.+))?$/.exec(path);
  if (!m) return false;
  const [, res, method, setting] = m;
  if (!(res === '*' || res!.startsWith('~1')) || !(method === '*' || /^[A-Z]+$/.test(method!))) return false;
  const key = `${res}/${method}`;
  if (setting === undefined) {
    if (op !== 'remove') return false;
    delete stage.methodSettings[key];
    return true;
  }
  const spec = SETTING_PATHS[setting];
  if (!spec) return false;
  const current = (stage.methodSettings[key] ??= { ...(stage.methodSettings['*/*'] ?? DEFAULT_METHOD_SETTING) });
  const [member, type] = spec;
  if (op === 'remove') {
    (current as unknown as Record<string, unknown>)[member] = DEFAULT_METHOD_SETTING[member];
    return true;
  }
  let v: unknown = value;
  if (type === 'boolean') {
    if (value !== 'true' && value !== 'false') throw new BadRequestException(`Invalid boolean value '${value}' specified for path ${path}`);
    v = value === 'true';
  } else if (type === 'number') {
    v = Number(value);
    if (value === undefined || value.trim() === '' || !Number.isFinite(v) || (v as number) < 0) throw new BadRequestException(`Invalid number value '${value}' specified for path ${path}`);
  }
  (current as unknown as Record<string, unknown>)[member] = v;
  return true;
}

const stageMembers = { restApiId: apiIdMember, stageName: inUri('stageName') };

export function deploymentOperations(deps: GatewayDeps): Record<string, Operation> {
  return {
    CreateDeployment: defineOperation({
      http: { method: 'POST', uri: '/restapis/{restApiId}/deployments', code: 201 },
      input: structure({
        restApiId: apiIdMember,
        stageName: string(),
        stageDescription: string(),
        description: string(),
        cacheClusterEnabled: boolean(),
        cacheClusterSize: string(),
        variables: map(string(), string()),
        tracingEnabled: boolean(),
      }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          checkVariables(input.variables);
          let id = gatewayId(deps.ids, 6);
          while (Object.hasOwn(api.deployments, id)) id = gatewayId(deps.ids, 6);
          const d: Deployment = defined({ id, description: input.description, createdDate: epochSeconds(deps.clock.now()), snapshot: snapshot(api) });
          api.deployments[id] = d;
          if (input.stageName !== undefined && input.stageName !== '') {
            const existing = Object.hasOwn(api.stages, input.stageName) ? api.stages[input.stageName] : undefined;
            if (existing) {
              existing.deploymentId = id;
              if (input.variables) existing.variables = { ...existing.variables, ...input.variables };
              existing.lastUpdatedDate = epochSeconds(deps.clock.now());
            } else {
              api.stages[input.stageName] = newStage(deps, input.stageName, id, {
                description: input.stageDescription,
                variables: input.variables,
                cacheClusterEnabled: input.cacheClusterEnabled ?? false,
                tracingEnabled: input.tracingEnabled ?? false,
              });
            }
          }
          return deploymentView(d);
        }),
    }),
    GetDeployment: defineOperation({
      http: { method: 'GET', uri: '/restapis/{restApiId}/deployments/{deploymentId}' },
      input: structure({ restApiId: apiIdMember, deploymentId: inUri('deploymentId') }),
      handler: (input, ctx) => deploymentView(deploymentOf(ownApi(deps, ctx, input.restApiId), input.deploymentId)),
    }),
    GetDeployments: defineOperation({
      http: { method: 'GET', uri: '/restapis/{restApiId}/deployments' },
      input: structure({ restApiId: apiIdMember, ...pageMembers }),
      handler: (input, ctx) => {
        const all = Object.values(ownApi(deps, ctx, input.restApiId).deployments).sort(byKey((d) => d.id));
        const p = page(all, (d) => d.id, input.position, input.limit);
        return { ...p, item: p.item.map(deploymentView) };
      },
    }),
    UpdateDeployment: defineOperation({
      http: { method: 'PATCH', uri: '/restapis/{restApiId}/deployments/{deploymentId}' },
      input: structure({ restApiId: apiIdMember, deploymentId: inUri('deploymentId'), ...patchMember }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          const d = deploymentOf(api, input.deploymentId);
          applyPatch(d, input.patchOperations, [scalar('/description')]);
          return deploymentView(d);
        }),
    }),
    DeleteDeployment: defineOperation({
      http: { method: 'DELETE', uri: '/restapis/{restApiId}/deployments/{deploymentId}', code: 202 },
      input: structure({ restApiId: apiIdMember, deploymentId: inUri('deploymentId') }),
      handler: async (input, ctx) => {
        await changeApi(deps, ctx, input.restApiId, (api) => {
          deploymentOf(api, input.deploymentId);
          if (Object.values(api.stages).some((s) => s.deploymentId === input.deploymentId)) {
            throw new BadRequestException('Active stages pointing to this deployment must be moved or deleted');
          }
          delete api.deployments[input.deploymentId];
        });
        return undefined;
      },
    }),

    CreateStage: defineOperation({
      http: { method: 'POST', uri: '/restapis/{restApiId}/stages', code: 201 },
      input: structure({
        restApiId: apiIdMember,
        stageName: required(string()),
        deploymentId: required(string()),
        description: string(),
        cacheClusterEnabled: boolean(),
        cacheClusterSize: string(),
        variables: map(string(), string()),
        tracingEnabled: boolean(),
        tags: map(string(), string()),
      }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          deploymentOf(api, input.deploymentId);
          if (Object.hasOwn(api.stages, input.stageName)) throw new ConflictException('Stage already exists');
          checkVariables(input.variables);
          const s = newStage(deps, input.stageName, input.deploymentId, {
            description: input.description,
            variables: input.variables,
            cacheClusterEnabled: input.cacheClusterEnabled ?? false,
            cacheClusterSize: input.cacheClusterSize,
            tracingEnabled: input.tracingEnabled ?? false,
            tags: input.tags,
          });
          api.stages[input.stageName] = s;
          return stageView(s);
        }),
    }),
    GetStage: defineOperation({
      http: { method: 'GET', uri: '/restapis/{restApiId}/stages/{stageName}' },
      input: structure(stageMembers),
      handler: (input, ctx) => stageView(stageOf(ownApi(deps, ctx, input.restApiId), input.stageName)),
    }),
    GetStages: defineOperation({
      http: { method: 'GET', uri: '/restapis/{restApiId}/stages' },
      input: structure({ restApiId: apiIdMember, deploymentId: inQuery(string(), 'deploymentId') }),
      handler: (input, ctx) => {
        const stages = Object.values(ownApi(deps, ctx, input.restApiId).stages).sort(byKey((s) => s.stageName));
        const want = input.deploymentId;
        return { item: stages.filter((s) => want === undefined || s.deploymentId === want).map(stageView) };
      },
    }),
    UpdateStage: defineOperation({
      http: { method: 'PATCH', uri: '/restapis/{restApiId}/stages/{stageName}' },
      input: structure({ ...stageMembers, ...patchMember }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          const s = stageOf(api, input.stageName);
          applyPatch(
            s,
            input.patchOperations,
            [
              scalar('/deploymentId', 'string', { ops: ['replace'], check: (v) => void deploymentOf(api, String(v)) }),
              scalar('/description'),
              scalar('/cacheClusterEnabled', 'boolean'),
              scalar('/cacheClusterSize'),
              scalar('/tracingEnabled', 'boolean'),
              scalar('/accessLogSettings/destinationArn'),
              scalar('/accessLogSettings/format'),
              scalar('/accessLogSettings', 'string', { ops: ['remove'] }),
              mapAt('/variables'),
            ],
            (op, path, value) => patchMethodSetting(s, op, path, value),
          );
          checkVariables(s.variables);
          withCacheStatus(s);
          // A cache turned off is emptied: turned on again, it starts afresh.
          if (!s.cacheClusterEnabled) stageCaches(deps).flush(api.id, s.stageName);
          if (s.accessLogSettings && Object.keys(s.accessLogSettings).length === 0) delete s.accessLogSettings;
          s.lastUpdatedDate = epochSeconds(deps.clock.now());
          return stageView(s);
        }),
    }),
    FlushStageAuthorizersCache: defineOperation({
      http: { method: 'DELETE', uri: '/restapis/{restApiId}/stages/{stageName}/cache/authorizers', code: 202 },
      input: structure(stageMembers),
      handler: (input, ctx) => {
        stageOf(ownApi(deps, ctx, input.restApiId), input.stageName);
        flushAuthorizerCache(deps, input.restApiId);
        return undefined;
      },
    }),
    FlushStageCache: defineOperation({
      http: { method: 'DELETE', uri: '/restapis/{restApiId}/stages/{stageName}/cache/data', code: 202 },
      input: structure(stageMembers),
      handler: (input, ctx) => {
        stageOf(ownApi(deps, ctx, input.restApiId), input.stageName);
        stageCaches(deps).flush(input.restApiId, input.stageName);
        return undefined;
      },
    }),
    DeleteStage: defineOperation({
      http: { method: 'DELETE', uri: '/restapis/{restApiId}/stages/{stageName}', code: 202 },
      input: structure(stageMembers),
      handler: async (input, ctx) => {
        await changeApi(deps, ctx, input.restApiId, (api) => {
          stageOf(api, input.stageName);
          delete api.stages[input.stageName];
        });
        stageCaches(deps).flush(input.restApiId, input.stageName);
        return undefined;
      },
    }),
  };
}
