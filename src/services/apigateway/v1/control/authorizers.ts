/**
 * Lambda authorizers (TOKEN and REQUEST; COGNITO_USER_POOLS stored only), gateway responses
 * (API Gateway's own answers, customised per API) and tags (on REST APIs, stages, API keys and
 * usage plans by `arn:aws:apigateway:{region}::/...`).
 */
import { defineOperation } from '../../../../protocols/define-operation.js';
import { inQuery, inUri, integer, list, map, required, string, structure } from '../../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../../service.js';
import type { GatewayDeps } from '../../deps.js';
import { BadRequestException, ConflictException, NotFoundException } from '../../errors.js';
import { gatewayId } from '../../ids.js';
import { RESPONSE_TYPES } from '../data/responses.js';
import type { ApiKeyDoc, Authorizer, GatewayResponse, RestApiDoc, UsagePlanDoc } from '../model.js';
import { apiIdMember, byKey, changeApi, defined, noApi, noAuthorizer, noStage, owner, ownApi, page, pageMembers } from './common.js';
import { applyPatch, mapAt, patchMember, scalar } from './patch.js';

const authorizerOf = (api: RestApiDoc, id: string): Authorizer => {
  const a = Object.hasOwn(api.authorizers, id) ? api.authorizers[id] : undefined;
  if (!a) throw noAuthorizer();
  return a;
};

function checkAuthorizer(a: Authorizer): void {
  if (!['TOKEN', 'REQUEST', 'COGNITO_USER_POOLS'].includes(a.type)) throw new BadRequestException(`Invalid authorizer type specified: ${a.type}. Valid options are TOKEN,REQUEST,COGNITO_USER_POOLS`);
  const ttl = a.authorizerResultTtlInSeconds;
  if (ttl !== undefined && (ttl < 0 || ttl > 3600)) throw new BadRequestException('Invalid authorizer result TTL specified: must be between 0 and 3600 seconds');
  if (a.type === 'COGNITO_USER_POOLS') {
    if (!a.providerARNs?.length) throw new BadRequestException('ProviderARNs need to be specified for authorizer of type COGNITO_USER_POOLS');
    return;
  }
  if (!a.authorizerUri) throw new BadRequestException(`Authorizer URI must be specified for authorizer of type ${a.type}`);
  if (a.type === 'TOKEN' && !/^method\.request\.header\.[^,\s]+$/.test(a.identitySource ?? '')) {
    throw new BadRequestException('Invalid identity source specified: a TOKEN authorizer takes one header, method.request.header.<name>');
  }
  if (a.identityValidationExpression !== undefined) {
    try {
      new RegExp(a.identityValidationExpression);
    } catch {
      throw new BadRequestException('Invalid identity validation expression specified');
    }
  }
}

const DEFAULT_TEMPLATE = { 'application/json': '{"message":$context.error.messageString}' };

function gatewayResponseView(type: string, r: GatewayResponse | undefined): Record<string, unknown> {
  if (r) return defined({ ...r, responseParameters: r.responseParameters ?? {}, responseTemplates: r.responseTemplates ?? DEFAULT_TEMPLATE });
  const def = RESPONSE_TYPES[type]!;
  return defined({ responseType: type, statusCode: type.startsWith('DEFAULT_') ? undefined : String(def.status), responseParameters: {}, responseTemplates: DEFAULT_TEMPLATE, defaultResponse: true });
}

function checkResponseType(type: string): void {
  if (!Object.hasOwn(RESPONSE_TYPES, type)) throw new BadRequestException(`Invalid response type specified: ${type}`);
}

export function authorizerOperations(deps: GatewayDeps): Record<string, Operation> {
  const authorizerMembers = { restApiId: apiIdMember, authorizerId: inUri('authorizerId') };
  const gatewayMembers = { restApiId: apiIdMember, responseType: inUri('responseType') };
  return {
    CreateAuthorizer: defineOperation({
      http: { method: 'POST', uri: '/restapis/{restApiId}/authorizers', code: 201 },
      input: structure({
        restApiId: apiIdMember,
        name: required(string()),
        type: required(string()),
        providerARNs: list(string()),
        authType: string(),
        authorizerUri: string(),
        authorizerCredentials: string(),
        identitySource: string(),
        identityValidationExpression: string(),
        authorizerResultTtlInSeconds: integer(),
      }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          let id = gatewayId(deps.ids, 6);
          while (Object.hasOwn(api.authorizers, id)) id = gatewayId(deps.ids, 6);
          const { restApiId: _api, ...rest } = input;
          const a = defined({ id, ...rest, type: rest.type as Authorizer['type'], authorizerResultTtlInSeconds: rest.authorizerResultTtlInSeconds ?? 300 });
          checkAuthorizer(a);
          if (Object.keys(api.authorizers).length >= 10) throw new BadRequestException('Unable to create authorizer: the API has reached the limit of 10 authorizers');
          api.authorizers[id] = a;
          return a;
        }),
    }),
    GetAuthorizer: defineOperation({
      http: { method: 'GET', uri: '/restapis/{restApiId}/authorizers/{authorizerId}' },
      input: structure(authorizerMembers),
      handler: (input, ctx) => authorizerOf(ownApi(deps, ctx, input.restApiId), input.authorizerId),
    }),
    GetAuthorizers: defineOperation({
      http: { method: 'GET', uri: '/restapis/{restApiId}/authorizers' },
      input: structure({ restApiId: apiIdMember, ...pageMembers }),
      handler: (input, ctx) => page(Object.values(ownApi(deps, ctx, input.restApiId).authorizers).sort(byKey((a) => a.id)), (a) => a.id, input.position, input.limit),
    }),
    UpdateAuthorizer: defineOperation({
      http: { method: 'PATCH', uri: '/restapis/{restApiId}/authorizers/{authorizerId}' },
      input: structure({ ...authorizerMembers, ...patchMember }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          const a = authorizerOf(api, input.authorizerId);
          applyPatch(a, input.patchOperations, [
            scalar('/name'),
            scalar('/type'),
            scalar('/authType'),
            scalar('/authorizerUri'),
            scalar('/authorizerCredentials'),
            scalar('/identitySource'),
            scalar('/identityValidationExpression'),
            scalar('/authorizerResultTtlInSeconds', 'integer'),
          ]);
          checkAuthorizer(a);
          return a;
        }),
    }),
    DeleteAuthorizer: defineOperation({
      http: { method: 'DELETE', uri: '/restapis/{restApiId}/authorizers/{authorizerId}', code: 202 },
      input: structure(authorizerMembers),
      handler: async (input, ctx) => {
        await changeApi(deps, ctx, input.restApiId, (api) => {
          const a = authorizerOf(api, input.authorizerId);
          for (const r of Object.values(api.resources)) {
            for (const m of Object.values(r.resourceMethods ?? {})) {
              if (m.authorizerId === a.id) throw new ConflictException(`Cannot delete authorizer '${a.name}', is referenced in method: '${m.httpMethod}:${r.path}'`);
            }
          }
          delete api.authorizers[a.id];
        });
        return undefined;
      },
    }),

    PutGatewayResponse: defineOperation({
      http: { method: 'PUT', uri: '/restapis/{restApiId}/gatewayresponses/{responseType}', code: 201 },
      input: structure({ ...gatewayMembers, statusCode: string({ pattern: '[1-5]\\d\\d' }), responseParameters: map(string(), string()), responseTemplates: map(string(), string()) }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          checkResponseType(input.responseType);
          const r: GatewayResponse = defined({ responseType: input.responseType, statusCode: input.statusCode, responseParameters: input.responseParameters, responseTemplates: input.responseTemplates, defaultResponse: false });
          api.gatewayResponses[input.responseType] = r;
          return gatewayResponseView(input.responseType, r);
        }),
    }),
    GetGatewayResponse: defineOperation({
      http: { method: 'GET', uri: '/restapis/{restApiId}/gatewayresponses/{responseType}' },
      input: structure(gatewayMembers),
      handler: (input, ctx) => {
        const api = ownApi(deps, ctx, input.restApiId);
        checkResponseType(input.responseType);
        return gatewayResponseView(input.responseType, api.gatewayResponses[input.responseType]);
      },
    }),
    GetGatewayResponses: defineOperation({
      http: { method: 'GET', uri: '/restapis/{restApiId}/gatewayresponses' },
      input: structure({ restApiId: apiIdMember, ...pageMembers }),
      handler: (input, ctx) => {
        const api = ownApi(deps, ctx, input.restApiId);
        const all = Object.keys(RESPONSE_TYPES).sort();
        const p = page(all, (t) => t, input.position, input.limit ?? 500);
        return { ...p, item: p.item.map((t) => gatewayResponseView(t, api.gatewayResponses[t])) };
      },
    }),
    UpdateGatewayResponse: defineOperation({
      http: { method: 'PATCH', uri: '/restapis/{restApiId}/gatewayresponses/{responseType}' },
      input: structure({ ...gatewayMembers, ...patchMember }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          checkResponseType(input.responseType);
          const r = api.gatewayResponses[input.responseType] ?? { responseType: input.responseType, defaultResponse: false };
          applyPatch(r, input.patchOperations, [scalar('/statusCode'), mapAt('/responseParameters'), mapAt('/responseTemplates')]);
          r.defaultResponse = false;
          api.gatewayResponses[input.responseType] = r;
          return gatewayResponseView(input.responseType, r);
        }),
    }),
    DeleteGatewayResponse: defineOperation({
      http: { method: 'DELETE', uri: '/restapis/{restApiId}/gatewayresponses/{responseType}', code: 202 },
      input: structure(gatewayMembers),
      handler: async (input, ctx) => {
        await changeApi(deps, ctx, input.restApiId, (api) => {
          checkResponseType(input.responseType);
          if (!Object.hasOwn(api.gatewayResponses, input.responseType)) throw new NotFoundException('Invalid Gateway Response type specified');
          delete api.gatewayResponses[input.responseType];
        });
        return undefined;
      },
    }),

    ...tagOperations(deps),
  };
}

function parseArn(ctx: RequestContext, arn: string): { kind: string; id: string; stage?: string } {
  const m = /^arn:aws:apigateway:([^:]+)::\/(restapis|apikeys|usageplans)\/([^/]+)(?:\/stages\/([^/]+))?$/.exec(arn);
  if (!m) throw new BadRequestException(`Invalid resource arn specified: ${arn}`);
  const [, region, kind, id, stage] = m;
  if (region !== ctx.region) throw new NotFoundException('Invalid resource identifier specified');
  if (stage !== undefined && kind !== 'restapis') throw new BadRequestException(`Invalid resource arn specified: ${arn}`);
  return { kind: kind!, id: id!, ...(stage !== undefined ? { stage } : {}) };
}

function readTags(deps: GatewayDeps, ctx: RequestContext, arn: string): Record<string, string> {
  const { kind, id, stage } = parseArn(ctx, arn);
  if (kind === 'restapis') {
    const api = ownApi(deps, ctx, id);
    if (stage === undefined) return { ...api.tags };
    const s = Object.hasOwn(api.stages, stage) ? api.stages[stage] : undefined;
    if (!s) throw noStage();
    return { ...s.tags };
  }
  const doc = deps.documents.own<ApiKeyDoc | UsagePlanDoc>(kind === 'apikeys' ? 'apiKey' : 'usagePlan', id, owner(ctx));
  if (!doc) throw new NotFoundException('Invalid resource identifier specified');
  return { ...doc.tags };
}

/** The tags of the resource an ARN names, changed in one write (`change` gets the live tag map). */
async function withTags<R>(deps: GatewayDeps, ctx: RequestContext, arn: string, change: (tags: Record<string, string>) => R): Promise<R> {
  const { kind, id, stage } = parseArn(ctx, arn);
  if (kind === 'restapis') {
    return deps.documents.update<RestApiDoc, R>('restApi', id, owner(ctx), noApi, (api) => {
      if (stage === undefined) return { doc: api, result: change(api.tags) };
      const s = Object.hasOwn(api.stages, stage) ? api.stages[stage] : undefined;
      if (!s) throw noStage();
      return { doc: api, result: change((s.tags ??= {})) };
    });
  }
  const docKind = kind === 'apikeys' ? 'apiKey' : 'usagePlan';
  return deps.documents.update<ApiKeyDoc | UsagePlanDoc, R>(docKind, id, owner(ctx), () => new NotFoundException('Invalid resource identifier specified'), (doc) => ({ doc, result: change(doc.tags) }));
}

function tagOperations(deps: GatewayDeps): Record<string, Operation> {
  return {
    GetTags: defineOperation({
      http: { method: 'GET', uri: '/tags/{resourceArn}' },
      input: structure({ resourceArn: inUri('resourceArn'), ...pageMembers }),
      handler: (input, ctx) => ({ tags: readTags(deps, ctx, input.resourceArn) }),
    }),
    TagResource: defineOperation({
      http: { method: 'PUT', uri: '/tags/{resourceArn}', code: 204 },
      input: structure({ resourceArn: inUri('resourceArn'), tags: required(map(string(), string({ max: 256 }), { max: 50 })) }),
      handler: async (input, ctx) => {
        await withTags(deps, ctx, input.resourceArn, (tags) => {
          for (const [k, v] of Object.entries(input.tags)) {
            if (k.length < 1 || k.length > 128 || k.startsWith('aws:')) throw new BadRequestException(`Invalid tag key: ${k}`);
            tags[k] = v;
          }
          if (Object.keys(tags).length > 50) throw new BadRequestException('Resource can have at most 50 tags');
        });
        return undefined;
      },
    }),
    UntagResource: defineOperation({
      http: { method: 'DELETE', uri: '/tags/{resourceArn}', code: 204 },
      input: structure({ resourceArn: inUri('resourceArn'), tagKeys: { ...inQuery(list(string()), 'tagKeys'), required: true } }),
      handler: async (input, ctx) => {
        await withTags(deps, ctx, input.resourceArn, (tags) => {
          for (const k of input.tagKeys ?? []) delete tags[k];
        });
        return undefined;
      },
    }),
  };
}
