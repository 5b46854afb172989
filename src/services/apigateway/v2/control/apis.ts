/**
 * CreateApi, GetApi, GetApis, UpdateApi, DeleteApi, DeleteCorsConfiguration. Quick create (a
 * `target` on CreateApi) makes the managed parts AWS makes: an integration (AWS_PROXY with payload
 * 2.0 for a function, HTTP_PROXY for a URL), the route (`routeKey`, default `$default`) and the
 * `$default` stage with auto-deploy.
 */
import { defineOperation } from '../../../../protocols/define-operation.js';
import { boolean, string, required, structure } from '../../../../protocols/shapes.js';
import type { Operation } from '../../../service.js';
import type { GatewayDeps } from '../../deps.js';
import { BadRequestException, ConflictException } from '../../errors.js';
import { HTTP_API_KIND, isWebSocket, type HttpApiDoc, type Integration } from '../model.js';
import { checkRouteSelection } from '../../ws/control/rules.js';
import { routeKeyProblem } from '../route-keys.js';
import { apiMissing, autoDeploy, changeApi, DEFAULT_ROUTE_SELECTION, newHttpApi, owner, page, partId, readApi } from './common.js';
import { API_ID, CORS, MAX_RESULTS, NEXT_TOKEN, TAGS } from './shapes.js';
import { apiView } from './views.js';

const API_MEMBERS = {
  apiKeySelectionExpression: string(),
  corsConfiguration: CORS,
  credentialsArn: string(),
  description: string({ max: 1024 }),
  disableSchemaValidation: boolean(),
  disableExecuteApiEndpoint: boolean(),
  ipAddressType: string({ enum: ['ipv4', 'dualstack'] }),
  routeKey: string(),
  routeSelectionExpression: string(),
  target: string(),
  version: string({ max: 64 }),
};


export function apiOperations(deps: GatewayDeps): Record<string, Operation> {
  return {
    CreateApi: defineOperation({
      http: { method: 'POST', uri: '/v2/apis', code: 201 },
      input: structure({ name: required(string({ min: 1, max: 128 })), protocolType: required(string({ enum: ['WEBSOCKET', 'HTTP'] })), tags: TAGS, ...API_MEMBERS }),
      handler: async (input, ctx) => {
        const webSocket = input.protocolType === 'WEBSOCKET';
        if (webSocket) {
          checkRouteSelection(input.routeSelectionExpression);
          if (input.target !== undefined || input.routeKey !== undefined || input.credentialsArn !== undefined) throw new BadRequestException('Quick create is supported only for HTTP APIs');
          if (input.corsConfiguration) throw new BadRequestException('CORS is supported only for HTTP APIs');
        } else if (input.routeSelectionExpression !== undefined && input.routeSelectionExpression !== DEFAULT_ROUTE_SELECTION) {
          throw new BadRequestException(`Unsupported route selection expression for HTTP API: ${input.routeSelectionExpression}`);
        }
        if (input.target === undefined && (input.routeKey !== undefined || input.credentialsArn !== undefined)) {
          throw new BadRequestException('RouteKey and CredentialsArn can only be specified with Target (quick create)');
        }
        const empty = newHttpApi(deps, ctx, input.name);
        const doc: HttpApiDoc = {
          ...empty,
          ...(webSocket ? { protocolType: 'WEBSOCKET', routeSelectionExpression: input.routeSelectionExpression! } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.version !== undefined ? { version: input.version } : {}),
          ...(input.apiKeySelectionExpression !== undefined ? { apiKeySelectionExpression: input.apiKeySelectionExpression } : {}),
          ...(input.corsConfiguration ? { corsConfiguration: input.corsConfiguration } : {}),
          ...(input.disableExecuteApiEndpoint !== undefined ? { disableExecuteApiEndpoint: input.disableExecuteApiEndpoint } : {}),
          ...(input.disableSchemaValidation !== undefined ? { disableSchemaValidation: input.disableSchemaValidation } : {}),
          ...(input.ipAddressType !== undefined ? { ipAddressType: input.ipAddressType } : {}),
          ...(input.tags ? { tags: input.tags } : {}),
        };
        if (input.target !== undefined) quickCreate(deps, doc, input.target, input.routeKey ?? '$default', input.credentialsArn, doc.createdDate);
        await deps.documents.create(doc, () => new ConflictException('API id conflict, retry'));
        return apiView(deps, doc);
      },
    }),
    GetApi: defineOperation({
      http: { method: 'GET', uri: '/v2/apis/{ApiId}' },
      input: structure({ ApiId: API_ID }),
      handler: (input, ctx) => apiView(deps, readApi(deps, ctx, input.ApiId)),
    }),
    GetApis: defineOperation({
      http: { method: 'GET', uri: '/v2/apis' },
      input: structure({ MaxResults: MAX_RESULTS, NextToken: NEXT_TOKEN }),
      handler: (input, ctx) => {
        const all = deps.documents.list<HttpApiDoc>(HTTP_API_KIND, owner(ctx)).map((d) => apiView(deps, d));
        return page(all, input.NextToken, input.MaxResults);
      },
    }),
    UpdateApi: defineOperation({
      http: { method: 'PATCH', uri: '/v2/apis/{ApiId}' },
      input: structure({ ApiId: API_ID, name: string({ min: 1, max: 128 }), ...API_MEMBERS }),
      handler: async (input, ctx) => {
        const doc = await changeApi(deps, ctx, input.ApiId, (doc) => {
          if (input.routeSelectionExpression !== undefined) {
            if (isWebSocket(doc)) doc.routeSelectionExpression = checkRouteSelection(input.routeSelectionExpression);
            else if (input.routeSelectionExpression !== DEFAULT_ROUTE_SELECTION) throw new BadRequestException(`Unsupported route selection expression for HTTP API: ${input.routeSelectionExpression}`);
          }
          if (isWebSocket(doc) && (input.target !== undefined || input.routeKey !== undefined)) throw new BadRequestException('Quick create is supported only for HTTP APIs');
          if (isWebSocket(doc) && input.corsConfiguration !== undefined) throw new BadRequestException('CORS is supported only for HTTP APIs');
          if (input.name !== undefined) doc.name = input.name;
          if (input.description !== undefined) doc.description = input.description;
          if (input.version !== undefined) doc.version = input.version;
          if (input.corsConfiguration !== undefined) doc.corsConfiguration = input.corsConfiguration;
          if (input.disableExecuteApiEndpoint !== undefined) doc.disableExecuteApiEndpoint = input.disableExecuteApiEndpoint;
          if (input.disableSchemaValidation !== undefined) doc.disableSchemaValidation = input.disableSchemaValidation;
          if (input.apiKeySelectionExpression !== undefined) doc.apiKeySelectionExpression = input.apiKeySelectionExpression;
          if (input.ipAddressType !== undefined) doc.ipAddressType = input.ipAddressType;
          if (input.target !== undefined) retarget(doc, input.target, input.credentialsArn);
          if (input.routeKey !== undefined) rekey(doc, input.routeKey);
          return doc;
        });
        return apiView(deps, doc);
      },
    }),
    DeleteApi: defineOperation({
      http: { method: 'DELETE', uri: '/v2/apis/{ApiId}', code: 204 },
      input: structure({ ApiId: API_ID }),
      handler: async (input, ctx) => {
        await deps.documents.update<HttpApiDoc, void>(HTTP_API_KIND, input.ApiId, owner(ctx), () => apiMissing(ctx, input.ApiId), () => ({ doc: null, result: undefined }));
      },
    }),
    DeleteCorsConfiguration: defineOperation({
      http: { method: 'DELETE', uri: '/v2/apis/{ApiId}/cors', code: 204 },
      input: structure({ ApiId: API_ID }),
      handler: async (input, ctx) => {
        await changeApi(deps, ctx, input.ApiId, (doc) => void delete doc.corsConfiguration);
      },
    }),
  };
}

/** The integration a quick-create target makes: a function (ARN) through AWS_PROXY 2.0, a URL through HTTP_PROXY. */
function targetIntegration(id: string, target: string, credentialsArn: string | undefined): Integration {
  const isUrl = /^https?:\/\//i.test(target);
  if (!isUrl && !/^arn:aws[a-z-]*:(lambda|apigateway):/.test(target)) throw new BadRequestException(`Invalid target: ${target}. A target must be a Lambda function ARN or an HTTP URL`);
  return {
    integrationId: id,
    integrationType: isUrl ? 'HTTP_PROXY' : 'AWS_PROXY',
    connectionType: 'INTERNET',
    ...(isUrl ? { integrationMethod: 'ANY' } : {}),
    integrationUri: target,
    payloadFormatVersion: isUrl ? '1.0' : '2.0',
    timeoutInMillis: 30000,
    ...(credentialsArn ? { credentialsArn } : {}),
    apiGatewayManaged: true,
  };
}

function quickCreate(deps: GatewayDeps, doc: HttpApiDoc, target: string, routeKey: string, credentialsArn: string | undefined, now: number): void {
  const problem = routeKeyProblem(routeKey);
  if (problem) throw new BadRequestException(problem);
  const integrationId = partId(deps, doc.integrations);
  doc.integrations[integrationId] = targetIntegration(integrationId, target, credentialsArn);
  const routeId = partId(deps, doc.routes);
  doc.routes[routeId] = { routeId, routeKey, apiKeyRequired: false, authorizationType: 'NONE', target: `integrations/${integrationId}`, apiGatewayManaged: true };
  doc.stages.$default = { stageName: '$default', autoDeploy: true, tags: {}, createdDate: now, lastUpdatedDate: now, defaultRouteSettings: { detailedMetricsEnabled: false }, routeSettings: {}, stageVariables: {}, apiGatewayManaged: true };
  autoDeploy(deps, doc, true);
}

/** UpdateApi with a route key changes the managed route of a quick-created API. */
function rekey(doc: HttpApiDoc, routeKey: string): void {
  const managed = Object.values(doc.routes).find((r) => r.apiGatewayManaged);
  if (!managed) throw new BadRequestException('RouteKey can only be updated for an API created with quick create');
  const problem = routeKeyProblem(routeKey);
  if (problem) throw new BadRequestException(problem);
  if (Object.values(doc.routes).some((r) => r.routeKey === routeKey && r.routeId !== managed.routeId)) throw new ConflictException(`Route with key ${routeKey} already exists for this API`);
  doc.routes[managed.routeId] = { ...managed, routeKey };
}

/** UpdateApi with a target changes the managed integration of a quick-created API. */
function retarget(doc: HttpApiDoc, target: string, credentialsArn: string | undefined): void {
  const managed = Object.values(doc.integrations).find((i) => i.apiGatewayManaged);
  if (!managed) throw new BadRequestException('Target can only be updated for an API created with quick create');
  doc.integrations[managed.integrationId] = targetIntegration(managed.integrationId, target, credentialsArn ?? managed.credentialsArn);
}

