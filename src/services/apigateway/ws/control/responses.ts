/**
 * Route responses (CreateRouteResponse, GetRouteResponse, GetRouteResponses,
 * UpdateRouteResponse, DeleteRouteResponse) and integration responses (CreateIntegrationResponse,
 * GetIntegrationResponse, GetIntegrationResponses, UpdateIntegrationResponse,
 * DeleteIntegrationResponse) of WebSocket APIs. A route with a `$default` route response is
 * two-way: the integration's answer, through the matching integration response, is sent back
 * to the client. Both are kept inside their route or integration, so a deployment's snapshot
 * carries them.
 */
import { defineOperation } from '../../../../protocols/define-operation.js';
import { boolean, inUri, map, string, required, structure } from '../../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../../service.js';
import type { GatewayDeps } from '../../deps.js';
import { BadRequestException, ConflictException } from '../../errors.js';
import { changeApi, defined, page, partId, partMissing, readApi, sorted } from '../../v2/control/common.js';
import { findIntegration } from '../../v2/control/integrations.js';
import { findRoute } from '../../v2/control/routes.js';
import { API_ID, MAX_RESULTS, NEXT_TOKEN } from '../../v2/control/shapes.js';
import { isWebSocket, type HttpApiDoc, type IntegrationResponse, type RouteResponse } from '../../v2/model.js';
import { modelNamed } from './models.js';
import { integrationResponseKeyProblem } from './rules.js';

const ROUTE_ID = inUri('RouteId');
const ROUTE_RESPONSE_ID = inUri('RouteResponseId');
const INTEGRATION_ID = inUri('IntegrationId');
const INTEGRATION_RESPONSE_ID = inUri('IntegrationResponseId');

const ROUTE_RESPONSE_MEMBERS = {
  modelSelectionExpression: string(),
  responseModels: map(string(), string()),
  responseParameters: map(string(), structure({ required: boolean() })),
};

const INTEGRATION_RESPONSE_MEMBERS = {
  contentHandlingStrategy: string({ enum: ['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT'] }),
  responseParameters: map(string(), string()),
  responseTemplates: map(string(), string()),
  templateSelectionExpression: string(),
};

/** Route and integration responses are WebSocket API parts: AWS refuses them on HTTP APIs. */
function webSocketOnly(doc: HttpApiDoc): void {
  if (!isWebSocket(doc)) throw new BadRequestException('Route responses and integration responses are supported only for WebSocket APIs');
}

type RouteResponseInput = { routeResponseKey?: string; modelSelectionExpression?: string; responseModels?: Record<string, string>; responseParameters?: Record<string, { required?: boolean }> };
type IntegrationResponseInput = Partial<Omit<IntegrationResponse, 'integrationResponseId'>>;

export function responseOperations(deps: GatewayDeps): Record<string, Operation> {
  return {
    CreateRouteResponse: defineOperation({
      http: { method: 'POST', uri: '/v2/apis/{ApiId}/routes/{RouteId}/routeresponses', code: 201 },
      input: structure({ ApiId: API_ID, RouteId: ROUTE_ID, routeResponseKey: required(string()), ...ROUTE_RESPONSE_MEMBERS }),
      handler: async (input, ctx) =>
        await changeApi(deps, ctx, input.ApiId, (doc) => {
          webSocketOnly(doc);
          const route = findRoute(ctx, doc, input.RouteId);
          const responses = (route.routeResponses ??= {});
          // A route has one response: `$default` (AWS: "Currently only $default is supported").
          if (Object.keys(responses).length) throw new ConflictException(`Route ${route.routeId} already has a route response`);
          const routeResponseId = partId(deps, responses, 6);
          const r = applyRouteResponse(doc, { routeResponseId, routeResponseKey: '' }, input as RouteResponseInput);
          responses[routeResponseId] = r;
          return { ...r };
        }),
    }),
    GetRouteResponse: defineOperation({
      http: { method: 'GET', uri: '/v2/apis/{ApiId}/routes/{RouteId}/routeresponses/{RouteResponseId}' },
      input: structure({ ApiId: API_ID, RouteId: ROUTE_ID, RouteResponseId: ROUTE_RESPONSE_ID }),
      handler: (input, ctx) => ({ ...findRouteResponse(ctx, readApi(deps, ctx, input.ApiId), input.RouteId, input.RouteResponseId) }),
    }),
    GetRouteResponses: defineOperation({
      http: { method: 'GET', uri: '/v2/apis/{ApiId}/routes/{RouteId}/routeresponses' },
      input: structure({ ApiId: API_ID, RouteId: ROUTE_ID, MaxResults: MAX_RESULTS, NextToken: NEXT_TOKEN }),
      handler: (input, ctx) => page(sorted(findRoute(ctx, readApi(deps, ctx, input.ApiId), input.RouteId).routeResponses ?? {}).map((r) => ({ ...r })), input.NextToken, input.MaxResults),
    }),
    UpdateRouteResponse: defineOperation({
      http: { method: 'PATCH', uri: '/v2/apis/{ApiId}/routes/{RouteId}/routeresponses/{RouteResponseId}' },
      input: structure({ ApiId: API_ID, RouteId: ROUTE_ID, RouteResponseId: ROUTE_RESPONSE_ID, routeResponseKey: string(), ...ROUTE_RESPONSE_MEMBERS }),
      handler: async (input, ctx) =>
        await changeApi(deps, ctx, input.ApiId, (doc) => {
          const r = applyRouteResponse(doc, structuredClone(findRouteResponse(ctx, doc, input.RouteId, input.RouteResponseId)), input as RouteResponseInput);
          doc.routes[input.RouteId]!.routeResponses![r.routeResponseId] = r;
          return { ...r };
        }),
    }),
    DeleteRouteResponse: defineOperation({
      http: { method: 'DELETE', uri: '/v2/apis/{ApiId}/routes/{RouteId}/routeresponses/{RouteResponseId}', code: 204 },
      input: structure({ ApiId: API_ID, RouteId: ROUTE_ID, RouteResponseId: ROUTE_RESPONSE_ID }),
      handler: async (input, ctx) => {
        await changeApi(deps, ctx, input.ApiId, (doc) => {
          findRouteResponse(ctx, doc, input.RouteId, input.RouteResponseId);
          delete doc.routes[input.RouteId]!.routeResponses![input.RouteResponseId];
        });
      },
    }),

    CreateIntegrationResponse: defineOperation({
      http: { method: 'POST', uri: '/v2/apis/{ApiId}/integrations/{IntegrationId}/integrationresponses', code: 201 },
      input: structure({ ApiId: API_ID, IntegrationId: INTEGRATION_ID, integrationResponseKey: required(string()), ...INTEGRATION_RESPONSE_MEMBERS }),
      handler: async (input, ctx) =>
        await changeApi(deps, ctx, input.ApiId, (doc) => {
          webSocketOnly(doc);
          const integration = findIntegration(ctx, doc, input.IntegrationId);
          const responses = (integration.integrationResponses ??= {});
          if (Object.values(responses).some((r) => r.integrationResponseKey === input.integrationResponseKey)) {
            throw new ConflictException(`Integration response with key ${input.integrationResponseKey} already exists for this integration`);
          }
          const integrationResponseId = partId(deps, responses, 6);
          const r = applyIntegrationResponse({ integrationResponseId, integrationResponseKey: '' }, input as IntegrationResponseInput);
          responses[integrationResponseId] = r;
          return { ...r };
        }),
    }),
    GetIntegrationResponse: defineOperation({
      http: { method: 'GET', uri: '/v2/apis/{ApiId}/integrations/{IntegrationId}/integrationresponses/{IntegrationResponseId}' },
      input: structure({ ApiId: API_ID, IntegrationId: INTEGRATION_ID, IntegrationResponseId: INTEGRATION_RESPONSE_ID }),
      handler: (input, ctx) => ({ ...findIntegrationResponse(ctx, readApi(deps, ctx, input.ApiId), input.IntegrationId, input.IntegrationResponseId) }),
    }),
    GetIntegrationResponses: defineOperation({
      http: { method: 'GET', uri: '/v2/apis/{ApiId}/integrations/{IntegrationId}/integrationresponses' },
      input: structure({ ApiId: API_ID, IntegrationId: INTEGRATION_ID, MaxResults: MAX_RESULTS, NextToken: NEXT_TOKEN }),
      handler: (input, ctx) =>
        page(sorted(findIntegration(ctx, readApi(deps, ctx, input.ApiId), input.IntegrationId).integrationResponses ?? {}).map((r) => ({ ...r })), input.NextToken, input.MaxResults),
    }),
    UpdateIntegrationResponse: defineOperation({
      http: { method: 'PATCH', uri: '/v2/apis/{ApiId}/integrations/{IntegrationId}/integrationresponses/{IntegrationResponseId}' },
      input: structure({ ApiId: API_ID, IntegrationId: INTEGRATION_ID, IntegrationResponseId: INTEGRATION_RESPONSE_ID, integrationResponseKey: string(), ...INTEGRATION_RESPONSE_MEMBERS }),
      handler: async (input, ctx) =>
        await changeApi(deps, ctx, input.ApiId, (doc) => {
          const r = applyIntegrationResponse(structuredClone(findIntegrationResponse(ctx, doc, input.IntegrationId, input.IntegrationResponseId)), input as IntegrationResponseInput);
          const responses = doc.integrations[input.IntegrationId]!.integrationResponses!;
          if (Object.values(responses).some((o) => o.integrationResponseKey === r.integrationResponseKey && o.integrationResponseId !== r.integrationResponseId)) {
            throw new ConflictException(`Integration response with key ${r.integrationResponseKey} already exists for this integration`);
          }
          responses[r.integrationResponseId] = r;
          return { ...r };
        }),
    }),
    DeleteIntegrationResponse: defineOperation({
      http: { method: 'DELETE', uri: '/v2/apis/{ApiId}/integrations/{IntegrationId}/integrationresponses/{IntegrationResponseId}', code: 204 },
      input: structure({ ApiId: API_ID, IntegrationId: INTEGRATION_ID, IntegrationResponseId: INTEGRATION_RESPONSE_ID }),
      handler: async (input, ctx) => {
        await changeApi(deps, ctx, input.ApiId, (doc) => {
          findIntegrationResponse(ctx, doc, input.IntegrationId, input.IntegrationResponseId);
          delete doc.integrations[input.IntegrationId]!.integrationResponses![input.IntegrationResponseId];
        });
      },
    }),
  };
}

function findRouteResponse(ctx: RequestContext, doc: HttpApiDoc, routeId: string, id: string): RouteResponse {
  const responses = findRoute(ctx, doc, routeId).routeResponses ?? {};
  const r = Object.hasOwn(responses, id) ? responses[id] : undefined;
  if (!r) throw partMissing(ctx, 'RouteResponse', id);
  return r;
}

function findIntegrationResponse(ctx: RequestContext, doc: HttpApiDoc, integrationId: string, id: string): IntegrationResponse {
  const responses = findIntegration(ctx, doc, integrationId).integrationResponses ?? {};
  const r = Object.hasOwn(responses, id) ? responses[id] : undefined;
  if (!r) throw partMissing(ctx, 'IntegrationResponse', id);
  return r;
}

function applyRouteResponse(doc: HttpApiDoc, r: RouteResponse, input: RouteResponseInput): RouteResponse {
  if (input.routeResponseKey !== undefined) {
    if (input.routeResponseKey !== '$default') throw new BadRequestException(`Invalid route response key: ${input.routeResponseKey}. Currently only $default is supported`);
    r.routeResponseKey = input.routeResponseKey;
  }
  if (input.modelSelectionExpression !== undefined) r.modelSelectionExpression = input.modelSelectionExpression;
  if (input.responseModels !== undefined) {
    // As a route's request models: only models the API has.
    for (const name of Object.values(input.responseModels)) if (!modelNamed(doc.models, name)) throw new BadRequestException(`Invalid model identifier specified: ${name}`);
    r.responseModels = input.responseModels;
  }
  if (input.responseParameters !== undefined) r.responseParameters = Object.fromEntries(Object.entries(input.responseParameters).map(([k, v]) => [k, { required: v.required ?? false }]));
  return defined(r as unknown as Record<string, unknown>) as unknown as RouteResponse;
}

function applyIntegrationResponse(r: IntegrationResponse, input: IntegrationResponseInput): IntegrationResponse {
  if (input.integrationResponseKey !== undefined) {
    const problem = integrationResponseKeyProblem(input.integrationResponseKey);
    if (problem) throw new BadRequestException(problem);
    r.integrationResponseKey = input.integrationResponseKey;
  }
  if (input.contentHandlingStrategy !== undefined) r.contentHandlingStrategy = input.contentHandlingStrategy;
  if (input.responseParameters !== undefined) r.responseParameters = input.responseParameters;
  if (input.responseTemplates !== undefined) {
    for (const [k, t] of Object.entries(input.responseTemplates)) if (t.length > 32768) throw new BadRequestException(`Response template ${k} exceeds 32768 characters`);
    r.responseTemplates = input.responseTemplates;
  }
  if (input.templateSelectionExpression !== undefined) r.templateSelectionExpression = input.templateSelectionExpression;
  return r;
}
