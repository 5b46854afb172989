/**
 * The resource tree (CreateResource, GetResource, GetResources, UpdateResource, DeleteResource)
 * and the methods on it (PutMethod, GetMethod, UpdateMethod, DeleteMethod) with their method
 * responses. Path parts are literals, `{param}` or a final greedy `{proxy+}`.
 */
import { defineOperation } from '../../../../protocols/define-operation.js';
import { boolean, inQuery, inUri, list, map, required, string, structure } from '../../../../protocols/shapes.js';
import type { Operation } from '../../../service.js';
import type { GatewayDeps } from '../../deps.js';
import { BadRequestException, ConflictException } from '../../errors.js';
import { gatewayId } from '../../ids.js';
import type { Method, Resource, RestApiDoc } from '../model.js';
import { apiIdMember, byKey, changeApi, checkHttpMethod, defined, methodOf, noResponse, ownApi, page, pageMembers, resourceOf } from './common.js';
import { integrationView } from './integrations.js';
import { applyPatch, mapAt, patchMember, scalar, setAt } from './patch.js';

const PATH_PART = /^(\{[a-zA-Z0-9._-]+\+?\}|[a-zA-Z0-9._-]+)$/;
/** A resource tree is bounded (AWS's quota is 300 resources per API). */
export const MAX_RESOURCES = 300;

export function methodView(m: Method): Record<string, unknown> {
  return defined({ ...m, methodIntegration: m.methodIntegration ? integrationView(m.methodIntegration) : undefined });
}

/** A resource; its methods in full with `embed=methods`, else only their names (as AWS answers). */
export function resourceView(r: Resource, embed: boolean): Record<string, unknown> {
  const methods = r.resourceMethods && Object.keys(r.resourceMethods).length ? r.resourceMethods : undefined;
  return defined({
    id: r.id,
    parentId: r.parentId,
    pathPart: r.pathPart,
    path: r.path,
    resourceMethods: methods ? Object.fromEntries(Object.entries(methods).map(([k, m]) => [k, embed ? methodView(m) : {}])) : undefined,
  });
}

const childPath = (parent: Resource, part: string) => (parent.path === '/' ? `/${part}` : `${parent.path}/${part}`);

function checkPathPart(api: RestApiDoc, parent: Resource, part: string, self?: string): void {
  if (!PATH_PART.test(part)) {
    throw new BadRequestException("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.");
  }
  if (parent.pathPart?.endsWith('+}')) throw new BadRequestException(`Cannot create a child of a resource with a greedy path variable: ${parent.pathPart}`);
  for (const r of Object.values(api.resources)) {
    if (r.parentId !== parent.id || r.id === self) continue;
    if (r.pathPart === part) throw new ConflictException(`Another resource with the same parent already has this name: ${part}`);
    if (part.startsWith('{') && r.pathPart?.startsWith('{')) throw new BadRequestException(`A sibling (${r.pathPart}) of this resource already has a variable path part -- only one is allowed`);
  }
}

/** Recomputes the paths below a resource whose part or parent changed (bounded by the tree's size). */
function repath(api: RestApiDoc, r: Resource): void {
  const queue = [r];
  for (let n = 0; queue.length && n <= MAX_RESOURCES; n++) {
    const cur = queue.shift()!;
    for (const c of Object.values(api.resources)) {
      if (c.parentId !== cur.id) continue;
      c.path = childPath(cur, c.pathPart!);
      queue.push(c);
    }
  }
}

const embedsMethods = (embed: string[] | undefined) => (embed ?? []).some((e) => e.split(',').includes('methods'));
const methodMembers = { restApiId: apiIdMember, resourceId: inUri('resourceId'), httpMethod: inUri('httpMethod') };

export function resourceOperations(deps: GatewayDeps): Record<string, Operation> {
  return {
    CreateResource: defineOperation({
      http: { method: 'POST', uri: '/restapis/{restApiId}/resources/{parentId}', code: 201 },
      input: structure({ restApiId: apiIdMember, parentId: inUri('parentId'), pathPart: required(string()) }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          const parent = resourceOf(api, input.parentId);
          checkPathPart(api, parent, input.pathPart);
          if (Object.keys(api.resources).length >= MAX_RESOURCES) throw new BadRequestException(`Unable to create resource: the API has reached the limit of ${MAX_RESOURCES} resources`);
          let id = gatewayId(deps.ids, 6);
          while (Object.hasOwn(api.resources, id)) id = gatewayId(deps.ids, 6);
          const r: Resource = { id, parentId: parent.id, pathPart: input.pathPart, path: childPath(parent, input.pathPart) };
          api.resources[id] = r;
          return resourceView(r, false);
        }),
    }),

    GetResource: defineOperation({
      http: { method: 'GET', uri: '/restapis/{restApiId}/resources/{resourceId}' },
      input: structure({ restApiId: apiIdMember, resourceId: inUri('resourceId'), embed: inQuery(list(string()), 'embed') }),
      handler: (input, ctx) => resourceView(resourceOf(ownApi(deps, ctx, input.restApiId), input.resourceId), embedsMethods(input.embed)),
    }),

    GetResources: defineOperation({
      http: { method: 'GET', uri: '/restapis/{restApiId}/resources' },
      input: structure({ restApiId: apiIdMember, embed: inQuery(list(string()), 'embed'), ...pageMembers }),
      handler: (input, ctx) => {
        const api = ownApi(deps, ctx, input.restApiId);
        const all = Object.values(api.resources).sort(byKey((r) => r.id));
        const p = page(all, (r) => r.id, input.position, input.limit);
        return { ...p, item: p.item.map((r) => resourceView(r, embedsMethods(input.embed))) };
      },
    }),

    UpdateResource: defineOperation({
      http: { method: 'PATCH', uri: '/restapis/{restApiId}/resources/{resourceId}' },
      input: structure({ restApiId: apiIdMember, resourceId: inUri('resourceId'), ...patchMember }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          const r = resourceOf(api, input.resourceId);
          if (r.id === api.rootResourceId) throw new BadRequestException('The root resource cannot be updated');
          applyPatch(r, input.patchOperations, [scalar('/pathPart', 'string', { ops: ['replace'] }), scalar('/parentId', 'string', { ops: ['replace'] })]);
          const parent = resourceOf(api, r.parentId!);
          // A resource cannot move below itself.
          for (let p: Resource | undefined = parent, n = 0; p && n <= MAX_RESOURCES; p = p.parentId ? api.resources[p.parentId] : undefined, n++) {
            if (p.id === r.id) throw new BadRequestException('Unable to move a resource below itself');
          }
          checkPathPart(api, parent, r.pathPart!, r.id);
          r.path = childPath(parent, r.pathPart!);
          repath(api, r);
          return resourceView(r, false);
        }),
    }),

    DeleteResource: defineOperation({
      http: { method: 'DELETE', uri: '/restapis/{restApiId}/resources/{resourceId}', code: 202 },
      input: structure({ restApiId: apiIdMember, resourceId: inUri('resourceId') }),
      handler: async (input, ctx) => {
        await changeApi(deps, ctx, input.restApiId, (api) => {
          const r = resourceOf(api, input.resourceId);
          if (r.id === api.rootResourceId) throw new BadRequestException('Cannot delete the root resource of the REST API');
          // The resource goes with everything below it.
          const gone = new Set([r.id]);
          for (let changed = true, n = 0; changed && n <= MAX_RESOURCES; n++) {
            changed = false;
            for (const c of Object.values(api.resources)) if (c.parentId && gone.has(c.parentId) && !gone.has(c.id)) (gone.add(c.id), (changed = true));
          }
          for (const id of gone) delete api.resources[id];
        });
        return undefined;
      },
    }),

    PutMethod: defineOperation({
      http: { method: 'PUT', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}', code: 201 },
      input: structure({
        ...methodMembers,
        authorizationType: required(string()),
        authorizerId: string(),
        apiKeyRequired: boolean(),
        operationName: string(),
        requestParameters: map(string(), boolean()),
        requestModels: map(string(), string()),
        requestValidatorId: string(),
        authorizationScopes: list(string()),
      }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          const r = resourceOf(api, input.resourceId);
          const httpMethod = checkHttpMethod(input.httpMethod);
          if (r.resourceMethods && Object.hasOwn(r.resourceMethods, httpMethod)) throw new ConflictException('Method already exists for this resource');
          const m: Method = defined({
            httpMethod,
            authorizationType: input.authorizationType,
            authorizerId: input.authorizerId,
            apiKeyRequired: input.apiKeyRequired ?? false,
            operationName: input.operationName,
            requestParameters: input.requestParameters,
            requestModels: input.requestModels,
            requestValidatorId: input.requestValidatorId,
            authorizationScopes: input.authorizationScopes,
          });
          checkMethod(api, m);
          (r.resourceMethods ??= {})[httpMethod] = m;
          return methodView(m);
        }),
    }),

    GetMethod: defineOperation({
      http: { method: 'GET', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}' },
      input: structure(methodMembers),
      handler: (input, ctx) => methodView(methodOf(ownApi(deps, ctx, input.restApiId), input.resourceId, input.httpMethod)),
    }),

    UpdateMethod: defineOperation({
      http: { method: 'PATCH', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}' },
      input: structure({ ...methodMembers, ...patchMember }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          const m = methodOf(api, input.resourceId, input.httpMethod);
          applyPatch(m, input.patchOperations, [
            scalar('/authorizationType'),
            scalar('/authorizerId'),
            scalar('/apiKeyRequired', 'boolean'),
            scalar('/operationName'),
            scalar('/requestValidatorId'),
            mapAt('/requestParameters', 'boolean'),
            mapAt('/requestModels'),
            setAt('/authorizationScopes'),
          ]);
          checkMethod(api, m);
          return methodView(m);
        }),
    }),

    DeleteMethod: defineOperation({
      http: { method: 'DELETE', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}', code: 204 },
      input: structure(methodMembers),
      handler: async (input, ctx) => {
        await changeApi(deps, ctx, input.restApiId, (api) => {
          methodOf(api, input.resourceId, input.httpMethod);
          delete resourceOf(api, input.resourceId).resourceMethods![input.httpMethod];
        });
        return undefined;
      },
    }),

    ...methodResponseOperations(deps),
  };
}

/** A method as PutMethod and UpdateMethod leave it: its validator, models and authorizer must be the API's. */
function checkMethod(api: RestApiDoc, m: Method): void {
  if (m.requestValidatorId !== undefined && !(api.requestValidators && Object.hasOwn(api.requestValidators, m.requestValidatorId))) {
    throw new BadRequestException('Invalid Request Validator identifier specified');
  }
  if (!['NONE', 'AWS_IAM', 'CUSTOM', 'COGNITO_USER_POOLS'].includes(m.authorizationType)) {
    throw new BadRequestException(`Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS`);
  }
  if (m.authorizationType === 'CUSTOM' || m.authorizationType === 'COGNITO_USER_POOLS') {
    if (!m.authorizerId || !Object.hasOwn(api.authorizers, m.authorizerId)) throw new BadRequestException('Invalid authorizer ID specified');
  } else delete m.authorizerId;
  for (const name of Object.values(m.requestModels ?? {})) {
    if (!(api.models && Object.hasOwn(api.models, name))) throw new BadRequestException(`Invalid model identifier specified: ${name}`);
  }
}

const responseMembers = { ...methodMembers, statusCode: inUri('statusCode') };
const STATUS = /^[1-5]\d\d$/;

function methodResponseOperations(deps: GatewayDeps): Record<string, Operation> {
  const responseOf = (api: RestApiDoc, i: { resourceId: string; httpMethod: string; statusCode: string }) => {
    const m = methodOf(api, i.resourceId, i.httpMethod);
    const r = m.methodResponses && Object.hasOwn(m.methodResponses, i.statusCode) ? m.methodResponses[i.statusCode] : undefined;
    if (!r) throw noResponse();
    return { m, r };
  };
  return {
    PutMethodResponse: defineOperation({
      http: { method: 'PUT', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/responses/{statusCode}', code: 201 },
      input: structure({ ...responseMembers, responseParameters: map(string(), boolean()), responseModels: map(string(), string()) }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          const m = methodOf(api, input.resourceId, input.httpMethod);
          if (!STATUS.test(input.statusCode)) throw new BadRequestException('Invalid status code specified');
          const r = defined({ statusCode: input.statusCode, responseParameters: input.responseParameters, responseModels: input.responseModels });
          (m.methodResponses ??= {})[input.statusCode] = r;
          return r;
        }),
    }),
    GetMethodResponse: defineOperation({
      http: { method: 'GET', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/responses/{statusCode}' },
      input: structure(responseMembers),
      handler: (input, ctx) => responseOf(ownApi(deps, ctx, input.restApiId), input).r,
    }),
    UpdateMethodResponse: defineOperation({
      http: { method: 'PATCH', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/responses/{statusCode}', code: 201 },
      input: structure({ ...responseMembers, ...patchMember }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          const { r } = responseOf(api, input);
          applyPatch(r, input.patchOperations, [mapAt('/responseParameters', 'boolean'), mapAt('/responseModels')]);
          return r;
        }),
    }),
    DeleteMethodResponse: defineOperation({
      http: { method: 'DELETE', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/responses/{statusCode}', code: 204 },
      input: structure(responseMembers),
      handler: async (input, ctx) => {
        await changeApi(deps, ctx, input.restApiId, (api) => {
          const { m } = responseOf(api, input);
          delete m.methodResponses![input.statusCode];
        });
        return undefined;
      },
    }),
  };
}
