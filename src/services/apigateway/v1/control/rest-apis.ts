/**
 * REST APIs themselves (CreateRestApi, GetRestApi, GetRestApis, UpdateRestApi, DeleteRestApi):
 * an API is born with its root resource `/`.
 */
import { defineOperation } from '../../../../protocols/define-operation.js';
import { boolean, integer, list, map, required, string, structure } from '../../../../protocols/shapes.js';
import type { Operation } from '../../../service.js';
import type { GatewayDeps } from '../../deps.js';
import { BadRequestException, ConflictException } from '../../errors.js';
import { gatewayId } from '../../ids.js';
import { epochSeconds, type RestApiDoc } from '../model.js';
import { defaultModels } from './models.js';
import { apiIdMember, byKey, changeApi, defined, noApi, owner, ownApi, page, pageMembers } from './common.js';
import { applyPatch, mapAt, patchMember, scalar, setAt } from './patch.js';

/** The API as GetRestApi answers it (its parts have operations of their own). */
export function restApiView(api: RestApiDoc): Record<string, unknown> {
  return defined({
    id: api.id,
    name: api.name,
    description: api.description,
    createdDate: api.createdDate,
    version: api.version,
    binaryMediaTypes: api.binaryMediaTypes.length ? api.binaryMediaTypes : undefined,
    minimumCompressionSize: api.minimumCompressionSize,
    apiKeySource: api.apiKeySource,
    endpointConfiguration: api.endpointConfiguration,
    policy: api.policy,
    tags: Object.keys(api.tags).length ? api.tags : undefined,
    disableExecuteApiEndpoint: api.disableExecuteApiEndpoint,
    rootResourceId: api.rootResourceId,
  });
}

const checkCompression = (v: unknown) => {
  if (typeof v === 'number' && (v < 0 || v > 10485760)) throw new BadRequestException('Invalid minimum compression size, must be between 0 and 10485760');
};

/** A policy is stored as the JSON text it was given; a value that is not JSON is refused. */
function checkPolicy(policy: string | undefined): void {
  if (policy === undefined || policy === '') return;
  try {
    JSON.parse(policy);
  } catch {
    throw new BadRequestException('Invalid policy document. Please check the policy syntax and try again.');
  }
}

export function restApiOperations(deps: GatewayDeps): Record<string, Operation> {
  return {
    CreateRestApi: defineOperation({
      http: { method: 'POST', uri: '/restapis', code: 201 },
      input: structure({
        name: required(string()),
        description: string(),
        version: string(),
        cloneFrom: string(),
        binaryMediaTypes: list(string()),
        minimumCompressionSize: integer(),
        apiKeySource: string({ enum: ['HEADER', 'AUTHORIZER'] }),
        endpointConfiguration: structure({ types: list(string({ enum: ['REGIONAL', 'EDGE', 'PRIVATE'] })), vpcEndpointIds: list(string()) }),
        policy: string(),
        tags: map(string(), string()),
        disableExecuteApiEndpoint: boolean(),
      }),
      handler: async (input, ctx) => {
        checkCompression(input.minimumCompressionSize);
        checkPolicy(input.policy);
        const template = input.cloneFrom !== undefined ? ownApi(deps, ctx, input.cloneFrom) : undefined;
        const id = deps.documents.freshId(() => gatewayId(deps.ids));
        const rootId = gatewayId(deps.ids);
        const now = epochSeconds(deps.clock.now());
        const types = input.endpointConfiguration?.types?.length ? input.endpointConfiguration.types : ['EDGE'];
        const api: RestApiDoc = {
          kind: 'restApi',
          id,
          accountId: ctx.accountId,
          region: ctx.region,
          name: input.name,
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.version !== undefined ? { version: input.version } : {}),
          createdDate: now,
          binaryMediaTypes: input.binaryMediaTypes ?? template?.binaryMediaTypes ?? [],
          ...(input.minimumCompressionSize !== undefined ? { minimumCompressionSize: input.minimumCompressionSize } : {}),
          apiKeySource: input.apiKeySource ?? 'HEADER',
          endpointConfiguration: { types },
          ...(input.policy ? { policy: input.policy } : {}),
          disableExecuteApiEndpoint: input.disableExecuteApiEndpoint ?? false,
          tags: input.tags ?? {},
          rootResourceId: template?.rootResourceId ?? rootId,
          // A clone copies the resource tree, authorizers and gateway responses, not the deployments.
          resources: template ? structuredClone(template.resources) : { [rootId]: { id: rootId, path: '/' } },
          deployments: {},
          stages: {},
          authorizers: template ? structuredClone(template.authorizers) : {},
          gatewayResponses: template ? structuredClone(template.gatewayResponses) : {},
          models: template?.models ? structuredClone(template.models) : defaultModels(deps.ids),
        };
        await deps.documents.create(api, () => new ConflictException('Unable to create the REST API: the identifier is taken'));
        return restApiView(api);
      },
    }),

    GetRestApi: defineOperation({
      http: { method: 'GET', uri: '/restapis/{restApiId}' },
      input: structure({ restApiId: apiIdMember }),
      handler: (input, ctx) => restApiView(ownApi(deps, ctx, input.restApiId)),
    }),

    GetRestApis: defineOperation({
      http: { method: 'GET', uri: '/restapis' },
      input: structure({ ...pageMembers }),
      handler: (input, ctx) => {
        const apis = deps.documents.list<RestApiDoc>('restApi', owner(ctx)).sort(byKey((a) => a.id));
        const p = page(apis, (a) => a.id, input.position, input.limit);
        return { ...p, item: p.item.map(restApiView) };
      },
    }),

    UpdateRestApi: defineOperation({
      http: { method: 'PATCH', uri: '/restapis/{restApiId}' },
      input: structure({ restApiId: apiIdMember, ...patchMember }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          applyPatch(
            api,
            input.patchOperations,
            [
              scalar('/name', 'string', { ops: ['replace'] }),
              scalar('/description'),
              scalar('/version'),
              scalar('/policy'),
              scalar('/minimumCompressionSize', 'integer', { check: checkCompression }),
              scalar('/apiKeySource', 'string', { check: (v) => void (v === 'HEADER' || v === 'AUTHORIZER' || badEnum('apiKeySource', v)) }),
              scalar('/disableExecuteApiEndpoint', 'boolean'),
              setAt('/binaryMediaTypes'),
              mapAt('/tags'),
            ],
            (op, path, value) => {
              // The one endpoint type is an array element: `/endpointConfiguration/types/EDGE` replaced by REGIONAL.
              if (op !== 'replace' || !path.startsWith('/endpointConfiguration/types/')) return false;
              if (!['REGIONAL', 'EDGE', 'PRIVATE'].includes(String(value))) badEnum('endpointConfiguration', value);
              api.endpointConfiguration = { types: [String(value)] };
              return true;
            },
          );
          if (api.policy === '') delete api.policy;
          checkPolicy(api.policy);
          if (typeof api.name !== 'string' || api.name === '') throw new BadRequestException('Invalid REST API name specified');
          return restApiView(api);
        }),
    }),

    DeleteRestApi: defineOperation({
      http: { method: 'DELETE', uri: '/restapis/{restApiId}', code: 202 },
      input: structure({ restApiId: apiIdMember }),
      handler: async (input, ctx) => {
        await deps.documents.update<RestApiDoc, void>('restApi', input.restApiId, owner(ctx), noApi, () => ({ doc: null, result: undefined }));
        return undefined;
      },
    }),
  };
}

function badEnum(member: string, v: unknown): never {
  throw new BadRequestException(`Invalid value '${String(v)}' specified for ${member}`);
}
