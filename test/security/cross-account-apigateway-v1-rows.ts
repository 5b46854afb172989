/**
 * The API Gateway v1 (REST APIs, API keys, usage plans) rows of the cross-account matrix: every
 * operation on the owner's REST API by its id (its resources, methods, integrations and their
 * responses, deployments, stages, authorizers, gateway responses, request validators, exports,
 * PutRestApi), the owner's part ids under the intruder's own API, API keys and usage plans by id,
 * tags by ARN. AWS answers another account's REST API as an unknown one: NotFoundException
 * "Invalid REST API identifier specified" (Nimbus's wording, src/services/apigateway/v1).
 */
import assert from 'node:assert/strict';
import {
  CreateApiKeyCommand,
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateModelCommand,
  CreateRequestValidatorCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteAuthorizerCommand,
  DeleteDeploymentCommand,
  DeleteGatewayResponseCommand,
  DeleteIntegrationCommand,
  DeleteIntegrationResponseCommand,
  DeleteMethodCommand,
  DeleteMethodResponseCommand,
  DeleteModelCommand,
  DeleteRequestValidatorCommand,
  DeleteResourceCommand,
  DeleteRestApiCommand,
  DeleteStageCommand,
  DeleteUsagePlanCommand,
  DeleteUsagePlanKeyCommand,
  FlushStageAuthorizersCacheCommand,
  FlushStageCacheCommand,
  GetApiKeyCommand,
  GetApiKeysCommand,
  GetAuthorizerCommand,
  GetAuthorizersCommand,
  GetDeploymentCommand,
  GetDeploymentsCommand,
  GetExportCommand,
  GetGatewayResponseCommand,
  GetGatewayResponsesCommand,
  GetIntegrationCommand,
  GetIntegrationResponseCommand,
  GetMethodCommand,
  GetMethodResponseCommand,
  GetModelCommand,
  GetModelsCommand,
  GetModelTemplateCommand,
  GetRequestValidatorCommand,
  GetRequestValidatorsCommand,
  GetResourceCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  GetStageCommand,
  GetStagesCommand,
  GetTagsCommand,
  GetUsageCommand,
  GetUsagePlanCommand,
  GetUsagePlanKeyCommand,
  GetUsagePlanKeysCommand,
  GetUsagePlansCommand,
  PutGatewayResponseCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  PutRestApiCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateApiKeyCommand,
  UpdateAuthorizerCommand,
  UpdateDeploymentCommand,
  UpdateGatewayResponseCommand,
  UpdateIntegrationCommand,
  UpdateIntegrationResponseCommand,
  UpdateMethodCommand,
  UpdateMethodResponseCommand,
  UpdateModelCommand,
  UpdateRequestValidatorCommand,
  UpdateResourceCommand,
  UpdateRestApiCommand,
  UpdateStageCommand,
  UpdateUsageCommand,
  UpdateUsagePlanCommand,
  type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import type { Refusal, Row } from './cross-account-helpers.js';

/** What the v1 rows need of the fixture: the intruder's client, the owner's ids, the intruder's own API, key and plan. */
export interface V1Fixture {
  intruder1: APIGatewayClient;
  v1: {
    apiId: string;
    rootId: string;
    resourceId: string;
    deploymentId: string;
    authorizerId: string;
    validatorId: string;
    keyId: string;
    planId: string;
    ownApiId: string;
    ownRootId: string;
    ownKeyId: string;
    ownPlanId: string;
  };
}

const NO_API: Refusal = { name: 'NotFoundException', message: /^Invalid REST API identifier specified$/ };
const NO_KEY: Refusal = { name: 'NotFoundException', message: /^Invalid API Key identifier specified$/ };
const NO_PLAN: Refusal = { name: 'NotFoundException', message: /^Invalid Usage Plan ID specified$/ };
const notFound = (what: string): Refusal => ({ name: 'NotFoundException', message: new RegExp(`^Invalid ${what} identifier specified$`) });
const replace = (path: string, value: string) => ({ patchOperations: [{ op: 'replace' as const, path, value }] });
const OPENAPI = Buffer.from(JSON.stringify({ openapi: '3.0.1', info: { title: 'stolen', version: '1' }, paths: {} }));

/** An authorizer function the intruder would like the owner's API to call. */
const LOOT_URI = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:222222222222:function:loot/invocations';

type Call = (c: APIGatewayClient, f: V1Fixture) => Promise<unknown>;
const m = (f: V1Fixture) => ({ restApiId: f.v1.apiId, resourceId: f.v1.resourceId, httpMethod: 'GET' });

/** Operations on the owner's REST API by its id (its parts by their ids under it). */
const byApiId: Array<[string, Call]> = [
  ['GetRestApi', (c, f) => c.send(new GetRestApiCommand({ restApiId: f.v1.apiId }))],
  ['UpdateRestApi', (c, f) => c.send(new UpdateRestApiCommand({ restApiId: f.v1.apiId, ...replace('/name', 'stolen') }))],
  ['DeleteRestApi', (c, f) => c.send(new DeleteRestApiCommand({ restApiId: f.v1.apiId }))],
  ['PutRestApi', (c, f) => c.send(new PutRestApiCommand({ restApiId: f.v1.apiId, mode: 'overwrite', body: OPENAPI }))],
  ['GetExport', (c, f) => c.send(new GetExportCommand({ restApiId: f.v1.apiId, stageName: 'prod', exportType: 'oas30' }))],
  ['GetResources', (c, f) => c.send(new GetResourcesCommand({ restApiId: f.v1.apiId }))],
  ['GetResource', (c, f) => c.send(new GetResourceCommand({ restApiId: f.v1.apiId, resourceId: f.v1.resourceId }))],
  ['CreateResource', (c, f) => c.send(new CreateResourceCommand({ restApiId: f.v1.apiId, parentId: f.v1.rootId, pathPart: 'loot' }))],
  ['UpdateResource', (c, f) => c.send(new UpdateResourceCommand({ restApiId: f.v1.apiId, resourceId: f.v1.resourceId, ...replace('/pathPart', 'loot') }))],
  ['DeleteResource', (c, f) => c.send(new DeleteResourceCommand({ restApiId: f.v1.apiId, resourceId: f.v1.resourceId }))],
  ['GetMethod', (c, f) => c.send(new GetMethodCommand(m(f)))],
  ['PutMethod', (c, f) => c.send(new PutMethodCommand({ ...m(f), httpMethod: 'POST', authorizationType: 'NONE' }))],
  ['UpdateMethod', (c, f) => c.send(new UpdateMethodCommand({ ...m(f), ...replace('/authorizationType', 'NONE') }))],
  ['DeleteMethod', (c, f) => c.send(new DeleteMethodCommand(m(f)))],
  ['GetMethodResponse', (c, f) => c.send(new GetMethodResponseCommand({ ...m(f), statusCode: '200' }))],
  ['PutMethodResponse', (c, f) => c.send(new PutMethodResponseCommand({ ...m(f), statusCode: '201' }))],
  ['UpdateMethodResponse', (c, f) => c.send(new UpdateMethodResponseCommand({ ...m(f), statusCode: '200', patchOperations: [{ op: 'add', path: '/responseParameters/method.response.header.X-Loot', value: 'false' }] }))],
  ['DeleteMethodResponse', (c, f) => c.send(new DeleteMethodResponseCommand({ ...m(f), statusCode: '200' }))],
  ['GetIntegration', (c, f) => c.send(new GetIntegrationCommand(m(f)))],
  ['PutIntegration', (c, f) => c.send(new PutIntegrationCommand({ ...m(f), type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: 'https://attacker.example' }))],
  ['UpdateIntegration', (c, f) => c.send(new UpdateIntegrationCommand({ ...m(f), ...replace('/timeoutInMillis', '5000') }))],
  ['DeleteIntegration', (c, f) => c.send(new DeleteIntegrationCommand(m(f)))],
  ['GetIntegrationResponse', (c, f) => c.send(new GetIntegrationResponseCommand({ ...m(f), statusCode: '200' }))],
  ['PutIntegrationResponse', (c, f) => c.send(new PutIntegrationResponseCommand({ ...m(f), statusCode: '200', selectionPattern: 'loot' }))],
  ['UpdateIntegrationResponse', (c, f) => c.send(new UpdateIntegrationResponseCommand({ ...m(f), statusCode: '200', ...replace('/selectionPattern', 'loot') }))],
  ['DeleteIntegrationResponse', (c, f) => c.send(new DeleteIntegrationResponseCommand({ ...m(f), statusCode: '200' }))],
  ['CreateDeployment', (c, f) => c.send(new CreateDeploymentCommand({ restApiId: f.v1.apiId, stageName: 'prod' }))],
  ['GetDeployment', (c, f) => c.send(new GetDeploymentCommand({ restApiId: f.v1.apiId, deploymentId: f.v1.deploymentId }))],
  ['GetDeployments', (c, f) => c.send(new GetDeploymentsCommand({ restApiId: f.v1.apiId }))],
  ['UpdateDeployment', (c, f) => c.send(new UpdateDeploymentCommand({ restApiId: f.v1.apiId, deploymentId: f.v1.deploymentId, ...replace('/description', 'loot') }))],
  ['DeleteDeployment', (c, f) => c.send(new DeleteDeploymentCommand({ restApiId: f.v1.apiId, deploymentId: f.v1.deploymentId }))],
  ['CreateStage', (c, f) => c.send(new CreateStageCommand({ restApiId: f.v1.apiId, stageName: 'loot', deploymentId: f.v1.deploymentId }))],
  ['GetStage', (c, f) => c.send(new GetStageCommand({ restApiId: f.v1.apiId, stageName: 'prod' }))],
  ['GetStages', (c, f) => c.send(new GetStagesCommand({ restApiId: f.v1.apiId }))],
  ['UpdateStage', (c, f) => c.send(new UpdateStageCommand({ restApiId: f.v1.apiId, stageName: 'prod', ...replace('/variables/fn', 'loot') }))],
  ['DeleteStage', (c, f) => c.send(new DeleteStageCommand({ restApiId: f.v1.apiId, stageName: 'prod' }))],
  ['FlushStageAuthorizersCache', (c, f) => c.send(new FlushStageAuthorizersCacheCommand({ restApiId: f.v1.apiId, stageName: 'prod' }))],
  ['FlushStageCache', (c, f) => c.send(new FlushStageCacheCommand({ restApiId: f.v1.apiId, stageName: 'prod' }))],
  ['CreateAuthorizer', (c, f) => c.send(new CreateAuthorizerCommand({ restApiId: f.v1.apiId, name: 'loot', type: 'TOKEN', authorizerUri: LOOT_URI, identitySource: 'method.request.header.Authorization' }))],
  ['GetAuthorizer', (c, f) => c.send(new GetAuthorizerCommand({ restApiId: f.v1.apiId, authorizerId: f.v1.authorizerId }))],
  ['GetAuthorizers', (c, f) => c.send(new GetAuthorizersCommand({ restApiId: f.v1.apiId }))],
  ['UpdateAuthorizer', (c, f) => c.send(new UpdateAuthorizerCommand({ restApiId: f.v1.apiId, authorizerId: f.v1.authorizerId, ...replace('/authorizerUri', LOOT_URI) }))],
  ['DeleteAuthorizer', (c, f) => c.send(new DeleteAuthorizerCommand({ restApiId: f.v1.apiId, authorizerId: f.v1.authorizerId }))],
  ['PutGatewayResponse', (c, f) => c.send(new PutGatewayResponseCommand({ restApiId: f.v1.apiId, responseType: 'DEFAULT_4XX', statusCode: '418' }))],
  ['GetGatewayResponse', (c, f) => c.send(new GetGatewayResponseCommand({ restApiId: f.v1.apiId, responseType: 'DEFAULT_5XX' }))],
  ['GetGatewayResponses', (c, f) => c.send(new GetGatewayResponsesCommand({ restApiId: f.v1.apiId }))],
  ['UpdateGatewayResponse', (c, f) => c.send(new UpdateGatewayResponseCommand({ restApiId: f.v1.apiId, responseType: 'DEFAULT_5XX', ...replace('/statusCode', '418') }))],
  ['DeleteGatewayResponse', (c, f) => c.send(new DeleteGatewayResponseCommand({ restApiId: f.v1.apiId, responseType: 'DEFAULT_5XX' }))],
  ['CreateRequestValidator', (c, f) => c.send(new CreateRequestValidatorCommand({ restApiId: f.v1.apiId, name: 'loot' }))],
  ['GetRequestValidator', (c, f) => c.send(new GetRequestValidatorCommand({ restApiId: f.v1.apiId, requestValidatorId: f.v1.validatorId }))],
  ['GetRequestValidators', (c, f) => c.send(new GetRequestValidatorsCommand({ restApiId: f.v1.apiId }))],
  ['UpdateRequestValidator', (c, f) => c.send(new UpdateRequestValidatorCommand({ restApiId: f.v1.apiId, requestValidatorId: f.v1.validatorId, ...replace('/name', 'loot') }))],
  ['DeleteRequestValidator', (c, f) => c.send(new DeleteRequestValidatorCommand({ restApiId: f.v1.apiId, requestValidatorId: f.v1.validatorId }))],
  // Every REST API is born with the models Empty and Error.
  ['CreateModel', (c, f) => c.send(new CreateModelCommand({ restApiId: f.v1.apiId, name: 'Loot', contentType: 'application/json', schema: '{"type":"object"}' }))],
  ['GetModel', (c, f) => c.send(new GetModelCommand({ restApiId: f.v1.apiId, modelName: 'Error' }))],
  ['GetModels', (c, f) => c.send(new GetModelsCommand({ restApiId: f.v1.apiId }))],
  ['GetModelTemplate', (c, f) => c.send(new GetModelTemplateCommand({ restApiId: f.v1.apiId, modelName: 'Error' }))],
  ['UpdateModel', (c, f) => c.send(new UpdateModelCommand({ restApiId: f.v1.apiId, modelName: 'Error', ...replace('/description', 'loot') }))],
  ['DeleteModel', (c, f) => c.send(new DeleteModelCommand({ restApiId: f.v1.apiId, modelName: 'Error' }))],
];

/** The owner's part ids named under the intruder's own REST API: parts are scoped to their API. */
const underOwnApi: Array<[string, Call, Refusal]> = [
  ['GetResource', (c, f) => c.send(new GetResourceCommand({ restApiId: f.v1.ownApiId, resourceId: f.v1.resourceId })), notFound('Resource')],
  ['DeleteResource', (c, f) => c.send(new DeleteResourceCommand({ restApiId: f.v1.ownApiId, resourceId: f.v1.resourceId })), notFound('Resource')],
  ['CreateResource', (c, f) => c.send(new CreateResourceCommand({ restApiId: f.v1.ownApiId, parentId: f.v1.resourceId, pathPart: 'loot' })), notFound('Resource')],
  ['GetMethod', (c, f) => c.send(new GetMethodCommand({ restApiId: f.v1.ownApiId, resourceId: f.v1.resourceId, httpMethod: 'GET' })), notFound('Resource')],
  ['GetDeployment', (c, f) => c.send(new GetDeploymentCommand({ restApiId: f.v1.ownApiId, deploymentId: f.v1.deploymentId })), notFound('Deployment')],
  ['CreateStage', (c, f) => c.send(new CreateStageCommand({ restApiId: f.v1.ownApiId, stageName: 'loot', deploymentId: f.v1.deploymentId })), notFound('Deployment')],
  ['GetAuthorizer', (c, f) => c.send(new GetAuthorizerCommand({ restApiId: f.v1.ownApiId, authorizerId: f.v1.authorizerId })), notFound('Authorizer')],
  ['GetRequestValidator', (c, f) => c.send(new GetRequestValidatorCommand({ restApiId: f.v1.ownApiId, requestValidatorId: f.v1.validatorId })), notFound('Request Validator')],
];

const apiArn = (f: V1Fixture) => `arn:aws:apigateway:us-east-1::/restapis/${f.v1.apiId}`;
/** Every ARN form of the owner's taggable resources. */
const NO_RESOURCE = notFound('resource');
const ARNS: Array<[string, (f: V1Fixture) => string, Refusal]> = [
  ['by REST API ARN', apiArn, NO_API],
  ['by stage ARN', (f) => `${apiArn(f)}/stages/prod`, NO_API],
  ['by API key ARN', (f) => `arn:aws:apigateway:us-east-1::/apikeys/${f.v1.keyId}`, NO_RESOURCE],
  ['by usage plan ARN', (f) => `arn:aws:apigateway:us-east-1::/usageplans/${f.v1.planId}`, NO_RESOURCE],
];
const TAG_CALLS: Array<[string, (c: APIGatewayClient, arn: string) => Promise<unknown>]> = [
  ['GetTags', (c, arn) => c.send(new GetTagsCommand({ resourceArn: arn }))],
  ['TagResource', (c, arn) => c.send(new TagResourceCommand({ resourceArn: arn, tags: { owned: 'yes' } }))],
  ['UntagResource', (c, arn) => c.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }))],
];

/** API keys and usage plans by id. */
const byKeyOrPlan: Array<[string, string, Call, Refusal]> = [
  ['GetApiKey', 'by API key id', (c, f) => c.send(new GetApiKeyCommand({ apiKey: f.v1.keyId, includeValue: true })), NO_KEY],
  ['UpdateApiKey', 'by API key id', (c, f) => c.send(new UpdateApiKeyCommand({ apiKey: f.v1.keyId, ...replace('/enabled', 'false') })), NO_KEY],
  ['DeleteApiKey', 'by API key id', (c, f) => c.send(new DeleteApiKeyCommand({ apiKey: f.v1.keyId })), NO_KEY],
  ['GetUsagePlan', 'by usage plan id', (c, f) => c.send(new GetUsagePlanCommand({ usagePlanId: f.v1.planId })), NO_PLAN],
  ['UpdateUsagePlan', 'by usage plan id', (c, f) => c.send(new UpdateUsagePlanCommand({ usagePlanId: f.v1.planId, ...replace('/name', 'loot') })), NO_PLAN],
  ['DeleteUsagePlan', 'by usage plan id', (c, f) => c.send(new DeleteUsagePlanCommand({ usagePlanId: f.v1.planId })), NO_PLAN],
  ['GetUsage', 'by usage plan id', (c, f) => c.send(new GetUsageCommand({ usagePlanId: f.v1.planId, startDate: '2026-01-01', endDate: '2026-01-02' })), NO_PLAN],
  ['UpdateUsage', 'by usage plan id and API key id', (c, f) => c.send(new UpdateUsageCommand({ usagePlanId: f.v1.planId, keyId: f.v1.keyId, ...replace('/remaining', '100') })), NO_PLAN],
  ['GetUsagePlanKeys', 'by usage plan id', (c, f) => c.send(new GetUsagePlanKeysCommand({ usagePlanId: f.v1.planId })), NO_PLAN],
  ['GetUsagePlanKey', 'by usage plan id and API key id', (c, f) => c.send(new GetUsagePlanKeyCommand({ usagePlanId: f.v1.planId, keyId: f.v1.keyId })), NO_PLAN],
  ['DeleteUsagePlanKey', 'by usage plan id and API key id', (c, f) => c.send(new DeleteUsagePlanKeyCommand({ usagePlanId: f.v1.planId, keyId: f.v1.keyId })), NO_PLAN],
  ['CreateUsagePlanKey', "the intruder's key into the owner's plan", (c, f) => c.send(new CreateUsagePlanKeyCommand({ usagePlanId: f.v1.planId, keyId: f.v1.ownKeyId, keyType: 'API_KEY' })), NO_PLAN],
  ['CreateUsagePlanKey', "the owner's key into the intruder's own plan", (c, f) => c.send(new CreateUsagePlanKeyCommand({ usagePlanId: f.v1.ownPlanId, keyId: f.v1.keyId, keyType: 'API_KEY' })), NO_KEY],
  ['GetUsagePlanKey', "the owner's key under the intruder's own plan", (c, f) => c.send(new GetUsagePlanKeyCommand({ usagePlanId: f.v1.ownPlanId, keyId: f.v1.keyId })), notFound('Usage Plan Key')],
  ['UpdateUsage', "the owner's key under the intruder's own plan", (c, f) => c.send(new UpdateUsageCommand({ usagePlanId: f.v1.ownPlanId, keyId: f.v1.keyId, ...replace('/remaining', '100') })), NO_KEY],
  [
    'CreateUsagePlan',
    "naming the owner's API stage",
    (c, f) => c.send(new CreateUsagePlanCommand({ name: 'loot', apiStages: [{ apiId: f.v1.apiId, stage: 'prod' }] })),
    { name: 'BadRequestException', message: /^Invalid API Stage \{api: \w+, stage: prod\} specified for usageplan \w+$/ },
  ],
  [
    'UpdateUsagePlan',
    "adding the owner's API stage to the intruder's own plan",
    (c, f) => c.send(new UpdateUsagePlanCommand({ usagePlanId: f.v1.ownPlanId, patchOperations: [{ op: 'add', path: '/apiStages', value: `${f.v1.apiId}:prod` }] })),
    { name: 'BadRequestException', message: /^Invalid API Stage \{api: \w+, stage: prod\} specified for usageplan \w+$/ },
  ],
  ['CreateRestApi', "cloning the owner's API", (c, f) => c.send(new CreateRestApiCommand({ name: 'loot', cloneFrom: f.v1.apiId })), NO_API],
];

const items = (out: unknown): string[] => ((out as { items?: Array<{ id?: string }> }).items ?? []).map((i) => i.id ?? '');
/** A list answer holds the intruder's own item and nothing of the owner's (rows that ran before may have added the intruder's). */
const ownOnly = (out: unknown, own: string, owners: string): void => {
  const ids = items(out);
  assert.ok(ids.includes(own), `the intruder's own ${own} is listed: ${ids.join(', ')}`);
  assert.ok(!ids.includes(owners), `the owner's ${owners} is not listed: ${ids.join(', ')}`);
};

export const V1_ROWS: Row<V1Fixture>[] = [
  ...byApiId.map(([op, call]): Row<V1Fixture> => ({ op, form: 'by REST API id', call: (f) => call(f.intruder1, f), refusal: NO_API })),
  ...underOwnApi.map(([op, call, refusal]): Row<V1Fixture> => ({ op, form: "by the owner's part id under the intruder's own REST API", call: (f) => call(f.intruder1, f), refusal })),
  ...TAG_CALLS.flatMap(([op, call]) => ARNS.map(([form, arn, refusal]): Row<V1Fixture> => ({ op, form, call: (f) => call(f.intruder1, arn(f)), refusal }))),
  ...byKeyOrPlan.map(([op, form, call, refusal]): Row<V1Fixture> => ({ op, form, call: (f) => call(f.intruder1, f), refusal })),
  // A stage key naming another account's stage would bind the intruder's key to the owner's API.
  {
    op: 'CreateApiKey',
    form: "with a stage key naming the owner's API stage",
    call: (f) => f.intruder1.send(new CreateApiKeyCommand({ name: 'loot', enabled: true, stageKeys: [{ restApiId: f.v1.apiId, stageName: 'prod' }] })),
    refusal: { name: 'BadRequestException', message: /^Invalid stage identifier specified$/ },
  },
  {
    op: 'UpdateApiKey',
    form: "the intruder's own key, adding a stage key naming the owner's API stage",
    call: (f) => f.intruder1.send(new UpdateApiKeyCommand({ apiKey: f.v1.ownKeyId, patchOperations: [{ op: 'add', path: '/stages', value: `${f.v1.apiId}/prod` }] })),
    refusal: { name: 'BadRequestException', message: /^Invalid stage identifier specified$/ },
  },
  { op: 'GetRestApis', form: "lists the caller's own REST APIs", call: (f) => f.intruder1.send(new GetRestApisCommand({})), shows: (out, f) => ownOnly(out, f.v1.ownApiId, f.v1.apiId) },
  { op: 'GetApiKeys', form: "lists the caller's own API keys", call: (f) => f.intruder1.send(new GetApiKeysCommand({ includeValues: true })), shows: (out, f) => ownOnly(out, f.v1.ownKeyId, f.v1.keyId) },
  { op: 'GetUsagePlans', form: "lists the caller's own usage plans", call: (f) => f.intruder1.send(new GetUsagePlansCommand({})), shows: (out, f) => ownOnly(out, f.v1.ownPlanId, f.v1.planId) },
  {
    op: 'GetUsagePlans',
    form: "filtered by the owner's API key id",
    call: (f) => f.intruder1.send(new GetUsagePlansCommand({ keyId: f.v1.keyId })),
    shows: (out) => assert.deepEqual(items(out), []),
  },
];
