/**
 * CreateRoute, GetRoute, GetRoutes, UpdateRoute, DeleteRoute. A route key is `$default` or
 * `METHOD /path` (route-keys.ts) and unique within the API; its target names one of the API's
 * integrations; its authorization names an authorizer of the matching type (JWT routes a JWT
 * authorizer, CUSTOM routes a REQUEST one).
 */
import { defineOperation } from '../../../../protocols/define-operation.js';
import { boolean, inUri, list, map, string, required, structure } from '../../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../../service.js';
import type { GatewayDeps } from '../../deps.js';
import { BadRequestException, ConflictException } from '../../errors.js';
import { isWebSocket, LIMITS, type HttpApiDoc, type Route } from '../model.js';
import { modelNamed } from '../../ws/control/models.js';
import { checkRouteResponseSelection, wsRouteAuthorizationProblem, wsRouteKeyProblem } from '../../ws/control/rules.js';
import { routeKeyProblem } from '../route-keys.js';
import { changeApi, page, partId, partMissing, readApi, sorted } from './common.js';
import { API_ID, AUTHORIZATION_TYPE, MAX_RESULTS, NEXT_TOKEN } from './shapes.js';
import { routeView } from './views.js';

const ROUTE_ID = inUri('RouteId');

const ROUTE_MEMBERS = {
  apiKeyRequired: boolean(),
  authorizationScopes: list(string()),
  authorizationType: AUTHORIZATION_TYPE,
  authorizerId: string(),
  modelSelectionExpression: string(),
  operationName: string(),
  requestParameters: map(string(), structure({ required: boolean() })),
  routeResponseSelectionExpression: string(),
  requestModels: map(string(), string()),
  target: string(),
};

type RouteInput = Partial<Pick<Route, 'apiKeyRequired' | 'authorizationScopes' | 'authorizationType' | 'authorizerId' | 'operationName' | 'target' | 'routeKey' | 'routeResponseSelectionExpression' | 'modelSelectionExpression' | 'requestModels'>> & {
  requestParameters?: Record<string, { required?: boolean }>;
};

export function routeOperations(deps: GatewayDeps): Record<string, Operation> {
  return {
    CreateRoute: defineOperation({
      http: { method: 'POST', uri: '/v2/apis/{ApiId}/routes', code: 201 },
      input: structure({ ApiId: API_ID, routeKey: required(string()), ...ROUTE_MEMBERS }),
      handler: async (input, ctx) =>
        routeView(
          await changeApi(deps, ctx, input.ApiId, (doc) => {
            if (Object.keys(doc.routes).length >= LIMITS.routes) throw new BadRequestException(`Maximum number of routes (${LIMITS.routes}) reached for this API`);
            const routeId = partId(deps, doc.routes);
            const route = applyRoute(ctx, doc, { routeId, routeKey: input.routeKey, apiKeyRequired: false, authorizationType: 'NONE' }, input);
            doc.routes[routeId] = route;
            return route;
          }),
        ),
    }),
    GetRoute: defineOperation({
      http: { method: 'GET', uri: '/v2/apis/{ApiId}/routes/{RouteId}' },
      input: structure({ ApiId: API_ID, RouteId: ROUTE_ID }),
      handler: (input, ctx) => routeView(findRoute(ctx, readApi(deps, ctx, input.ApiId), input.RouteId)),
    }),
    GetRoutes: defineOperation({
      http: { method: 'GET', uri: '/v2/apis/{ApiId}/routes' },
      input: structure({ ApiId: API_ID, MaxResults: MAX_RESULTS, NextToken: NEXT_TOKEN }),
      handler: (input, ctx) => page(sorted(readApi(deps, ctx, input.ApiId).routes).map(routeView), input.NextToken, input.MaxResults),
    }),
    UpdateRoute: defineOperation({
      http: { method: 'PATCH', uri: '/v2/apis/{ApiId}/routes/{RouteId}' },
      input: structure({ ApiId: API_ID, RouteId: ROUTE_ID, routeKey: string(), ...ROUTE_MEMBERS }),
      handler: async (input, ctx) =>
        routeView(
          await changeApi(deps, ctx, input.ApiId, (doc) => {
            const route = applyRoute(ctx, doc, structuredClone(findRoute(ctx, doc, input.RouteId)), input);
            doc.routes[route.routeId] = route;
            return route;
          }),
        ),
    }),
    DeleteRoute: defineOperation({
      http: { method: 'DELETE', uri: '/v2/apis/{ApiId}/routes/{RouteId}', code: 204 },
      input: structure({ ApiId: API_ID, RouteId: ROUTE_ID }),
      handler: async (input, ctx) => {
        await changeApi(deps, ctx, input.ApiId, (doc) => {
          findRoute(ctx, doc, input.RouteId);
          delete doc.routes[input.RouteId];
        });
      },
    }),
  };
}

export function findRoute(ctx: RequestContext, doc: HttpApiDoc, routeId: string): Route {
  const r = Object.hasOwn(doc.routes, routeId) ? doc.routes[routeId] : undefined;
  if (!r) throw partMissing(ctx, 'Route', routeId);
  return r;
}

/** The route with the input's changes, checked against the API's other routes, integrations and authorizers. */
function applyRoute(ctx: RequestContext, doc: HttpApiDoc, route: Route, input: RouteInput): Route {
  const webSocket = isWebSocket(doc);
  if (input.routeKey !== undefined) {
    const problem = webSocket ? wsRouteKeyProblem(input.routeKey) : routeKeyProblem(input.routeKey);
    if (problem) throw new BadRequestException(problem);
    const clash = Object.values(doc.routes).find((r) => r.routeKey === input.routeKey && r.routeId !== route.routeId);
    if (clash) throw new ConflictException(`Route with key ${input.routeKey} already exists for this API`);
    route.routeKey = input.routeKey;
  }
  if (input.apiKeyRequired !== undefined) route.apiKeyRequired = input.apiKeyRequired;
  if (input.operationName !== undefined) route.operationName = input.operationName;
  if (input.requestParameters !== undefined) {
    route.requestParameters = Object.fromEntries(Object.entries(input.requestParameters).map(([k, v]) => [k, { required: v.required ?? false }]));
  }
  if (input.target !== undefined) {
    const m = /^integrations\/([a-z0-9]+)$/.exec(input.target);
    if (!m) throw new BadRequestException(`Invalid target: ${input.target}. A route target must be integrations/{integrationId}`);
    if (!Object.hasOwn(doc.integrations, m[1]!)) throw new BadRequestException(`Invalid integration identifier specified ${ctx.accountId}:${m[1]}`);
    route.target = input.target;
  }
  if (input.authorizationType !== undefined) route.authorizationType = input.authorizationType;
  if (input.authorizerId !== undefined) route.authorizerId = input.authorizerId;
  if (route.authorizationType === 'NONE' || route.authorizationType === 'AWS_IAM') {
    if (input.authorizerId !== undefined) throw new BadRequestException(`AuthorizerId can not be specified when authorizationType is ${route.authorizationType}`);
    delete route.authorizerId;
  }
  if (input.authorizationScopes !== undefined) route.authorizationScopes = input.authorizationScopes;
  if (route.authorizationType === 'JWT' || route.authorizationType === 'CUSTOM') {
    const want = route.authorizationType === 'JWT' ? 'JWT' : 'REQUEST';
    const authorizer = route.authorizerId !== undefined && Object.hasOwn(doc.authorizers, route.authorizerId) ? doc.authorizers[route.authorizerId] : undefined;
    if (!authorizer) throw new BadRequestException(`Invalid authorizer identifier specified ${ctx.accountId}:${route.authorizerId ?? ''}`);
    if (authorizer.authorizerType !== want) throw new BadRequestException(`AuthorizationType ${route.authorizationType} requires an authorizer of type ${want}`);
  }
  if (route.authorizationScopes?.length && route.authorizationType !== 'JWT') {
    throw new BadRequestException('Authorization scopes are supported only for JWT authorizers');
  }
  if (webSocket) {
    const problem = wsRouteAuthorizationProblem(route.routeKey, route.authorizationType);
    if (problem) throw new BadRequestException(problem);
    if (input.routeResponseSelectionExpression !== undefined) {
      checkRouteResponseSelection(input.routeResponseSelectionExpression);
      route.routeResponseSelectionExpression = input.routeResponseSelectionExpression;
    }
    if (input.modelSelectionExpression !== undefined) route.modelSelectionExpression = input.modelSelectionExpression;
    if (input.requestModels !== undefined) {
      for (const name of Object.values(input.requestModels)) if (!modelNamed(doc.models, name)) throw new BadRequestException(`Invalid model identifier specified: ${name}`);
      route.requestModels = input.requestModels;
    }
  } else if (input.routeResponseSelectionExpression !== undefined || input.modelSelectionExpression !== undefined || input.requestModels !== undefined) {
    throw new BadRequestException('Route response selection, models and request models are supported only for WebSocket APIs');
  }
  return route;
}
