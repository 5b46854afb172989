/**
 * The API Gateway v2 (HTTP APIs) rows of the cross-account matrix: every operation on the
 * owner's API by its id, on its parts (routes, integrations, authorizers, deployments, stages)
 * by id under the owner's API, and by the owner's part ids under the intruder's own API; tags by
 * the API's and the stage's ARN. API Gateway answers another account's API as an unknown one:
 * NotFoundException "Invalid API identifier specified {callerAccount}:{apiId}". The operations
 * are the `apigatewayv2` plugin's (v1's, of the same names, are `apigateway`'s).
 */
import assert from 'node:assert/strict';
import {
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateIntegrationCommand,
  CreateIntegrationResponseCommand,
  CreateRouteCommand,
  CreateRouteResponseCommand,
  CreateModelCommand,
  DeleteModelCommand,
  GetModelCommand,
  GetModelsCommand,
  GetModelTemplateCommand,
  UpdateModelCommand,
  DeleteIntegrationResponseCommand,
  DeleteRouteResponseCommand,
  GetIntegrationResponseCommand,
  GetIntegrationResponsesCommand,
  GetRouteResponseCommand,
  GetRouteResponsesCommand,
  UpdateIntegrationResponseCommand,
  UpdateRouteResponseCommand,
  CreateStageCommand,
  DeleteApiCommand,
  DeleteAuthorizerCommand,
  DeleteCorsConfigurationCommand,
  DeleteDeploymentCommand,
  DeleteIntegrationCommand,
  DeleteRouteCommand,
  DeleteStageCommand,
  ExportApiCommand,
  GetApiCommand,
  GetApisCommand,
  GetAuthorizerCommand,
  GetAuthorizersCommand,
  GetDeploymentCommand,
  GetDeploymentsCommand,
  GetIntegrationCommand,
  GetIntegrationsCommand,
  GetRouteCommand,
  GetRoutesCommand,
  GetStageCommand,
  GetStagesCommand,
  GetTagsCommand,
  ReimportApiCommand,
  ResetAuthorizersCacheCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateApiCommand,
  UpdateAuthorizerCommand,
  UpdateIntegrationCommand,
  UpdateRouteCommand,
  UpdateStageCommand,
  type ApiGatewayV2Client,
} from '@aws-sdk/client-apigatewayv2';
import { INTRUDER_ACCOUNT, re, type Refusal, type Row } from './cross-account-helpers.js';

/** What the v2 rows need of the fixture: the intruder's client, the owner's ids, the intruder's own API. */
export interface V2Fixture {
  intruder2: ApiGatewayV2Client;
  v2: { apiId: string; routeId: string; integrationId: string; authorizerId: string; deploymentId: string; ownApiId: string; ownRouteId: string };
}

/** The owner's API is unknown to the intruder (AWS's words, the caller's account in them). */
const noApi = (f: V2Fixture): Refusal => ({ name: 'NotFoundException', message: new RegExp(`^${re(`Invalid API identifier specified ${INTRUDER_ACCOUNT}:${f.v2.apiId}`)}$`) });
/** The owner's part id under the intruder's own API: unknown there. */
const noPart = (part: string, id: (f: V2Fixture) => string) => (f: V2Fixture): Refusal => ({
  name: 'NotFoundException',
  message: new RegExp(`^${re(`Invalid ${part} identifier specified ${INTRUDER_ACCOUNT}:${id(f)}`)}$`),
});

/**
 * A route naming a part its API does not have: BadRequestException in the words of a missing id
 * (Nimbus's wording, src/services/apigateway/v2/control/routes.ts; AWS's for this case unconfirmed).
 */
const badPart = (part: string, id: string): Refusal => ({ name: 'BadRequestException', message: new RegExp(`^${re(`Invalid ${part} identifier specified ${INTRUDER_ACCOUNT}:${id}`)}$`) });

export const STAGE_ARN = (apiId: string) => `arn:aws:apigateway:us-east-1::/apis/${apiId}/stages/prod`;
export const API_ARN = (apiId: string) => `arn:aws:apigateway:us-east-1::/apis/${apiId}`;
const JWT = { Issuer: 'https://issuer.example', Audience: ['aud'] };
const OPENAPI = JSON.stringify({ openapi: '3.0.1', info: { title: 'stolen', version: '1' }, paths: { '/loot': { get: { 'x-amazon-apigateway-integration': { type: 'HTTP_PROXY', httpMethod: 'GET', uri: 'https://example.com', payloadFormatVersion: '1.0' } } } } });

type Call = (c: ApiGatewayV2Client, f: V2Fixture) => Promise<unknown>;

/** Operations on the owner's API by its id (and on its parts by their ids under it). */
const byApiId: Array<[string, Call]> = [
  ['GetApi', (c, f) => c.send(new GetApiCommand({ ApiId: f.v2.apiId }))],
  ['UpdateApi', (c, f) => c.send(new UpdateApiCommand({ ApiId: f.v2.apiId, Name: 'stolen' }))],
  ['DeleteApi', (c, f) => c.send(new DeleteApiCommand({ ApiId: f.v2.apiId }))],
  ['DeleteCorsConfiguration', (c, f) => c.send(new DeleteCorsConfigurationCommand({ ApiId: f.v2.apiId }))],
  ['ExportApi', (c, f) => c.send(new ExportApiCommand({ ApiId: f.v2.apiId, Specification: 'OAS30', OutputType: 'JSON' }))],
  ['ReimportApi', (c, f) => c.send(new ReimportApiCommand({ ApiId: f.v2.apiId, Body: OPENAPI }))],
  ['CreateRoute', (c, f) => c.send(new CreateRouteCommand({ ApiId: f.v2.apiId, RouteKey: 'GET /loot', Target: `integrations/${f.v2.integrationId}` }))],
  ['GetRoute', (c, f) => c.send(new GetRouteCommand({ ApiId: f.v2.apiId, RouteId: f.v2.routeId }))],
  ['GetRoutes', (c, f) => c.send(new GetRoutesCommand({ ApiId: f.v2.apiId }))],
  ['UpdateRoute', (c, f) => c.send(new UpdateRouteCommand({ ApiId: f.v2.apiId, RouteId: f.v2.routeId, AuthorizationType: 'NONE' }))],
  ['DeleteRoute', (c, f) => c.send(new DeleteRouteCommand({ ApiId: f.v2.apiId, RouteId: f.v2.routeId }))],
  ['CreateIntegration', (c, f) => c.send(new CreateIntegrationCommand({ ApiId: f.v2.apiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'GET', IntegrationUri: 'https://example.com', PayloadFormatVersion: '1.0' }))],
  ['GetIntegration', (c, f) => c.send(new GetIntegrationCommand({ ApiId: f.v2.apiId, IntegrationId: f.v2.integrationId }))],
  ['GetIntegrations', (c, f) => c.send(new GetIntegrationsCommand({ ApiId: f.v2.apiId }))],
  ['UpdateIntegration', (c, f) => c.send(new UpdateIntegrationCommand({ ApiId: f.v2.apiId, IntegrationId: f.v2.integrationId, IntegrationUri: 'https://attacker.example' }))],
  ['DeleteIntegration', (c, f) => c.send(new DeleteIntegrationCommand({ ApiId: f.v2.apiId, IntegrationId: f.v2.integrationId }))],
  ['CreateStage', (c, f) => c.send(new CreateStageCommand({ ApiId: f.v2.apiId, StageName: 'loot' }))],
  ['GetStage', (c, f) => c.send(new GetStageCommand({ ApiId: f.v2.apiId, StageName: 'prod' }))],
  ['GetStages', (c, f) => c.send(new GetStagesCommand({ ApiId: f.v2.apiId }))],
  ['UpdateStage', (c, f) => c.send(new UpdateStageCommand({ ApiId: f.v2.apiId, StageName: 'prod', StageVariables: { fn: 'loot' } }))],
  ['DeleteStage', (c, f) => c.send(new DeleteStageCommand({ ApiId: f.v2.apiId, StageName: 'prod' }))],
  ['ResetAuthorizersCache', (c, f) => c.send(new ResetAuthorizersCacheCommand({ ApiId: f.v2.apiId, StageName: 'prod' }))],
  ['CreateDeployment', (c, f) => c.send(new CreateDeploymentCommand({ ApiId: f.v2.apiId, StageName: 'prod' }))],
  ['GetDeployment', (c, f) => c.send(new GetDeploymentCommand({ ApiId: f.v2.apiId, DeploymentId: f.v2.deploymentId }))],
  ['GetDeployments', (c, f) => c.send(new GetDeploymentsCommand({ ApiId: f.v2.apiId }))],
  ['DeleteDeployment', (c, f) => c.send(new DeleteDeploymentCommand({ ApiId: f.v2.apiId, DeploymentId: f.v2.deploymentId }))],
  ['CreateAuthorizer', (c, f) => c.send(new CreateAuthorizerCommand({ ApiId: f.v2.apiId, Name: 'loot', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: JWT }))],
  ['GetAuthorizer', (c, f) => c.send(new GetAuthorizerCommand({ ApiId: f.v2.apiId, AuthorizerId: f.v2.authorizerId }))],
  ['GetAuthorizers', (c, f) => c.send(new GetAuthorizersCommand({ ApiId: f.v2.apiId }))],
  ['UpdateAuthorizer', (c, f) => c.send(new UpdateAuthorizerCommand({ ApiId: f.v2.apiId, AuthorizerId: f.v2.authorizerId, JwtConfiguration: { Issuer: 'https://attacker.example', Audience: ['aud'] } }))],
  ['DeleteAuthorizer', (c, f) => c.send(new DeleteAuthorizerCommand({ ApiId: f.v2.apiId, AuthorizerId: f.v2.authorizerId }))],
  ['GetTags', (c, f) => c.send(new GetTagsCommand({ ResourceArn: API_ARN(f.v2.apiId) }))],
  ['TagResource', (c, f) => c.send(new TagResourceCommand({ ResourceArn: API_ARN(f.v2.apiId), Tags: { owned: 'yes' } }))],
  ['UntagResource', (c, f) => c.send(new UntagResourceCommand({ ResourceArn: API_ARN(f.v2.apiId), TagKeys: ['team'] }))],
  // WebSocket API parts (route and integration responses, models): the API is looked up first, as every part.
  ['CreateRouteResponse', (c, f) => c.send(new CreateRouteResponseCommand({ ApiId: f.v2.apiId, RouteId: f.v2.routeId, RouteResponseKey: '$default' }))],
  ['GetRouteResponse', (c, f) => c.send(new GetRouteResponseCommand({ ApiId: f.v2.apiId, RouteId: f.v2.routeId, RouteResponseId: 'abc123' }))],
  ['GetRouteResponses', (c, f) => c.send(new GetRouteResponsesCommand({ ApiId: f.v2.apiId, RouteId: f.v2.routeId }))],
  ['UpdateRouteResponse', (c, f) => c.send(new UpdateRouteResponseCommand({ ApiId: f.v2.apiId, RouteId: f.v2.routeId, RouteResponseId: 'abc123', ModelSelectionExpression: 'x' }))],
  ['DeleteRouteResponse', (c, f) => c.send(new DeleteRouteResponseCommand({ ApiId: f.v2.apiId, RouteId: f.v2.routeId, RouteResponseId: 'abc123' }))],
  ['CreateIntegrationResponse', (c, f) => c.send(new CreateIntegrationResponseCommand({ ApiId: f.v2.apiId, IntegrationId: f.v2.integrationId, IntegrationResponseKey: '$default' }))],
  ['GetIntegrationResponse', (c, f) => c.send(new GetIntegrationResponseCommand({ ApiId: f.v2.apiId, IntegrationId: f.v2.integrationId, IntegrationResponseId: 'abc123' }))],
  ['GetIntegrationResponses', (c, f) => c.send(new GetIntegrationResponsesCommand({ ApiId: f.v2.apiId, IntegrationId: f.v2.integrationId }))],
  ['UpdateIntegrationResponse', (c, f) => c.send(new UpdateIntegrationResponseCommand({ ApiId: f.v2.apiId, IntegrationId: f.v2.integrationId, IntegrationResponseId: 'abc123', TemplateSelectionExpression: 'x' }))],
  ['DeleteIntegrationResponse', (c, f) => c.send(new DeleteIntegrationResponseCommand({ ApiId: f.v2.apiId, IntegrationId: f.v2.integrationId, IntegrationResponseId: 'abc123' }))],
  ['CreateModel', (c, f) => c.send(new CreateModelCommand({ ApiId: f.v2.apiId, Name: 'loot', Schema: '{"type":"object"}' }))],
  ['GetModel', (c, f) => c.send(new GetModelCommand({ ApiId: f.v2.apiId, ModelId: 'abc123' }))],
  ['GetModels', (c, f) => c.send(new GetModelsCommand({ ApiId: f.v2.apiId }))],
  ['UpdateModel', (c, f) => c.send(new UpdateModelCommand({ ApiId: f.v2.apiId, ModelId: 'abc123', Schema: '{}' }))],
  ['DeleteModel', (c, f) => c.send(new DeleteModelCommand({ ApiId: f.v2.apiId, ModelId: 'abc123' }))],
  ['GetModelTemplate', (c, f) => c.send(new GetModelTemplateCommand({ ApiId: f.v2.apiId, ModelId: 'abc123' }))],
];

/** The owner's part ids named under the intruder's own API: parts are scoped to their API. */
const underOwnApi: Array<[string, Call, Refusal | ((f: V2Fixture) => Refusal)]> = [
  ['GetRoute', (c, f) => c.send(new GetRouteCommand({ ApiId: f.v2.ownApiId, RouteId: f.v2.routeId })), noPart('Route', (f) => f.v2.routeId)],
  ['UpdateRoute', (c, f) => c.send(new UpdateRouteCommand({ ApiId: f.v2.ownApiId, RouteId: f.v2.routeId, AuthorizationType: 'NONE' })), noPart('Route', (f) => f.v2.routeId)],
  ['DeleteRoute', (c, f) => c.send(new DeleteRouteCommand({ ApiId: f.v2.ownApiId, RouteId: f.v2.routeId })), noPart('Route', (f) => f.v2.routeId)],
  ['GetIntegration', (c, f) => c.send(new GetIntegrationCommand({ ApiId: f.v2.ownApiId, IntegrationId: f.v2.integrationId })), noPart('Integration', (f) => f.v2.integrationId)],
  ['UpdateIntegration', (c, f) => c.send(new UpdateIntegrationCommand({ ApiId: f.v2.ownApiId, IntegrationId: f.v2.integrationId, TimeoutInMillis: 5000 })), noPart('Integration', (f) => f.v2.integrationId)],
  ['DeleteIntegration', (c, f) => c.send(new DeleteIntegrationCommand({ ApiId: f.v2.ownApiId, IntegrationId: f.v2.integrationId })), noPart('Integration', (f) => f.v2.integrationId)],
  ['GetAuthorizer', (c, f) => c.send(new GetAuthorizerCommand({ ApiId: f.v2.ownApiId, AuthorizerId: f.v2.authorizerId })), noPart('Authorizer', (f) => f.v2.authorizerId)],
  ['UpdateAuthorizer', (c, f) => c.send(new UpdateAuthorizerCommand({ ApiId: f.v2.ownApiId, AuthorizerId: f.v2.authorizerId, Name: 'x' })), noPart('Authorizer', (f) => f.v2.authorizerId)],
  ['DeleteAuthorizer', (c, f) => c.send(new DeleteAuthorizerCommand({ ApiId: f.v2.ownApiId, AuthorizerId: f.v2.authorizerId })), noPart('Authorizer', (f) => f.v2.authorizerId)],
  ['GetDeployment', (c, f) => c.send(new GetDeploymentCommand({ ApiId: f.v2.ownApiId, DeploymentId: f.v2.deploymentId })), noPart('Deployment', (f) => f.v2.deploymentId)],
  ['DeleteDeployment', (c, f) => c.send(new DeleteDeploymentCommand({ ApiId: f.v2.ownApiId, DeploymentId: f.v2.deploymentId })), noPart('Deployment', (f) => f.v2.deploymentId)],
];

const ROWS: Row<V2Fixture>[] = [
  ...byApiId.map(([op, call]): Row<V2Fixture> => ({ op, form: 'by API id', call: (f) => call(f.intruder2, f), refusal: noApi })),
  ...underOwnApi.map(([op, call, refusal]): Row<V2Fixture> => ({ op, form: "by the owner's part id under the intruder's own API", call: (f) => call(f.intruder2, f), refusal })),
  // A route of the intruder's own API cannot target the owner's integration nor use its authorizer.
  {
    op: 'CreateRoute',
    form: "on the intruder's own API, targeting the owner's integration id",
    call: (f) => f.intruder2.send(new CreateRouteCommand({ ApiId: f.v2.ownApiId, RouteKey: 'GET /loot', Target: `integrations/${f.v2.integrationId}` })),
    refusal: (f) => badPart('integration', f.v2.integrationId),
  },
  {
    op: 'UpdateRoute',
    form: "on the intruder's own route, naming the owner's authorizer id",
    call: (f) => f.intruder2.send(new UpdateRouteCommand({ ApiId: f.v2.ownApiId, RouteId: f.v2.ownRouteId, AuthorizationType: 'JWT', AuthorizerId: f.v2.authorizerId })),
    refusal: (f) => badPart('authorizer', f.v2.authorizerId),
  },
  {
    op: 'CreateStage',
    form: "on the intruder's own API, naming the owner's deployment id",
    call: (f) => f.intruder2.send(new CreateStageCommand({ ApiId: f.v2.ownApiId, StageName: 'loot', DeploymentId: f.v2.deploymentId })),
    refusal: noPart('Deployment', (f) => f.v2.deploymentId),
  },
  ...([
    ['GetTags', (c, f) => c.send(new GetTagsCommand({ ResourceArn: STAGE_ARN(f.v2.apiId) }))],
    ['TagResource', (c, f) => c.send(new TagResourceCommand({ ResourceArn: STAGE_ARN(f.v2.apiId), Tags: { owned: 'yes' } }))],
    ['UntagResource', (c, f) => c.send(new UntagResourceCommand({ ResourceArn: STAGE_ARN(f.v2.apiId), TagKeys: ['team'] }))],
  ] as Array<[string, Call]>).map(([op, call]): Row<V2Fixture> => ({ op, form: "by the owner's stage ARN", call: (f) => call(f.intruder2, f), refusal: noApi })),
  {
    op: 'GetApis',
    form: "lists the caller's own APIs",
    call: (f) => f.intruder2.send(new GetApisCommand({})),
    shows: (out, f) => assert.deepEqual((out as { Items?: Array<{ ApiId?: string }> }).Items?.map((a) => a.ApiId), [f.v2.ownApiId]),
  },
];

/** Every row is the `apigatewayv2` plugin's: the runner's service is `apigateway` (v1). */
export const V2_ROWS: Row<V2Fixture>[] = ROWS.map((r) => ({ ...r, service: 'apigatewayv2' }));
