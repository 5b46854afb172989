/**
 * The cross-account matrix for API Gateway (see cross-account-helpers.ts): one plugin, two
 * control planes. The v2 rows (HTTP APIs) are in cross-account-apigateway-v2-rows.ts, the v1
 * rows (REST APIs, API keys, usage plans) in cross-account-apigateway-v1-rows.ts; this file
 * creates the owner's APIs (and the intruder's own, for the rows naming the owner's part ids
 * under them) and reads the owner's state before and after; the data-plane tests (IAM, JWT,
 * Lambda authorizers, API keys, another account's API invoking the owner's function) are in
 * cross-account-apigateway-data-plane.ts.
 */
import * as v1 from '@aws-sdk/client-api-gateway';
import * as v2 from '@aws-sdk/client-apigatewayv2';
import { AddPermissionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { createFunction } from '../helpers/lambda.js';
import type { TestNimbus } from '../helpers/nimbus.js';
import { dataPlaneTests, INTRUDER_KEY_VALUE, OWNER_FN, OWNER_FN_ARN, OWNER_FN_CODE } from './cross-account-apigateway-data-plane.js';
import { V1_ROWS, type V1Fixture } from './cross-account-apigateway-v1-rows.js';
import { API_ARN, STAGE_ARN, V2_ROWS, type V2Fixture } from './cross-account-apigateway-v2-rows.js';
import { INTRUDER, INTRUDER_ACCOUNT, OWNER, runMatrix, startMatrixNimbus, type Row } from './cross-account-helpers.js';

interface F extends V1Fixture, V2Fixture {
  t: TestNimbus;
  owner1: v1.APIGatewayClient;
  owner2: v2.ApiGatewayV2Client;
}

type Creds = { accessKeyId: string; secretAccessKey: string };
const REGION = 'us-east-1';
const client1 = (t: TestNimbus, credentials: Creds) => new v1.APIGatewayClient({ endpoint: t.endpoint, region: REGION, credentials, maxAttempts: 1 });
const client2 = (t: TestNimbus, credentials: Creds) => new v2.ApiGatewayV2Client({ endpoint: t.endpoint, region: REGION, credentials, maxAttempts: 1 });
const TEAM = { team: 'owner' };

/** A MOCK method answering 200 (v1), so the data plane can be tried without a backend. */
async function mockMethod(c: v1.APIGatewayClient, restApiId: string, parentId: string, pathPart: string, method: Partial<v1.PutMethodRequest>): Promise<string> {
  const resourceId = (await c.send(new v1.CreateResourceCommand({ restApiId, parentId, pathPart }))).id!;
  const key = { restApiId, resourceId, httpMethod: 'GET' };
  await c.send(new v1.PutMethodCommand({ ...key, authorizationType: 'NONE', ...method }));
  await c.send(new v1.PutIntegrationCommand({ ...key, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
  await c.send(new v1.PutMethodResponseCommand({ ...key, statusCode: '200' }));
  await c.send(new v1.PutIntegrationResponseCommand({ ...key, statusCode: '200', responseTemplates: { 'application/json': '{"owner": "secret"}' } }));
  return resourceId;
}

async function setupV1(owner: v1.APIGatewayClient, intruder: v1.APIGatewayClient): Promise<V1Fixture['v1']> {
  const api = await owner.send(new v1.CreateRestApiCommand({ name: 'owned', tags: TEAM }));
  const apiId = api.id!;
  const rootId = api.rootResourceId!;
  const resourceId = await mockMethod(owner, apiId, rootId, 'iam', { authorizationType: 'AWS_IAM' });
  await mockMethod(owner, apiId, rootId, 'open', {});
  await mockMethod(owner, apiId, rootId, 'keyed', { apiKeyRequired: true });
  const deploymentId = (await owner.send(new v1.CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod', variables: { fn: 'owner' } }))).id!;
  await owner.send(new v1.TagResourceCommand({ resourceArn: `arn:aws:apigateway:${REGION}::/restapis/${apiId}/stages/prod`, tags: TEAM }));
  const authorizerId = (
    await owner.send(
      new v1.CreateAuthorizerCommand({
        restApiId: apiId,
        name: 'owner-auth',
        type: 'TOKEN',
        authorizerUri: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${REGION}:000000000000:function:auth/invocations`,
        identitySource: 'method.request.header.Authorization',
      }),
    )
  ).id!;
  const validatorId = (await owner.send(new v1.CreateRequestValidatorCommand({ restApiId: apiId, name: 'owner-validator', validateRequestParameters: true }))).id!;
  await owner.send(new v1.PutGatewayResponseCommand({ restApiId: apiId, responseType: 'DEFAULT_5XX', statusCode: '503' }));
  const keyId = (await owner.send(new v1.CreateApiKeyCommand({ name: 'owner-key', enabled: true, tags: TEAM }))).id!;
  const planId = (await owner.send(new v1.CreateUsagePlanCommand({ name: 'owner-plan', apiStages: [{ apiId, stage: 'prod' }], tags: TEAM }))).id!;
  await owner.send(new v1.CreateUsagePlanKeyCommand({ usagePlanId: planId, keyId, keyType: 'API_KEY' }));
  const own = await intruder.send(new v1.CreateRestApiCommand({ name: 'theirs' }));
  const ownKeyId = (await intruder.send(new v1.CreateApiKeyCommand({ name: 'their-key', enabled: true, value: INTRUDER_KEY_VALUE }))).id!;
  const ownPlanId = (await intruder.send(new v1.CreateUsagePlanCommand({ name: 'their-plan' }))).id!;
  await intruder.send(new v1.CreateUsagePlanKeyCommand({ usagePlanId: ownPlanId, keyId: ownKeyId, keyType: 'API_KEY' }));
  return { apiId, rootId, resourceId, deploymentId, authorizerId, validatorId, keyId, planId, ownApiId: own.id!, ownRootId: own.rootResourceId!, ownKeyId, ownPlanId };
}

async function setupV2(owner: v2.ApiGatewayV2Client, intruder: v2.ApiGatewayV2Client, lambda: LambdaClient): Promise<V2Fixture['v2']> {
  const apiId = (await owner.send(new v2.CreateApiCommand({ Name: 'owned', ProtocolType: 'HTTP', Tags: TEAM, CorsConfiguration: { AllowOrigins: ['https://owner.example'] } }))).ApiId!;
  // The owner's function serves the owner's API only (its permission names the API).
  await createFunction(lambda, OWNER_FN, { 'index.js': OWNER_FN_CODE });
  await lambda.send(
    new AddPermissionCommand({ FunctionName: OWNER_FN, StatementId: 'owner-api', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com', SourceArn: `arn:aws:execute-api:${REGION}:000000000000:${apiId}/*` }),
  );
  const integration = { IntegrationType: 'AWS_PROXY' as const, IntegrationUri: OWNER_FN_ARN, PayloadFormatVersion: '2.0' };
  const integrationId = (await owner.send(new v2.CreateIntegrationCommand({ ApiId: apiId, ...integration }))).IntegrationId!;
  const authorizerId = (
    await owner.send(
      new v2.CreateAuthorizerCommand({ ApiId: apiId, Name: 'owner-jwt', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: 'https://issuer.example', Audience: ['owner'] } }),
    )
  ).AuthorizerId!;
  const target = `integrations/${integrationId}`;
  const routeId = (await owner.send(new v2.CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /iam', AuthorizationType: 'AWS_IAM', Target: target }))).RouteId!;
  await owner.send(new v2.CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /jwt', AuthorizationType: 'JWT', AuthorizerId: authorizerId, Target: target }));
  const lambdaAuthorizer = (
    await owner.send(
      new v2.CreateAuthorizerCommand({ ApiId: apiId, Name: 'owner-lambda', AuthorizerType: 'REQUEST', AuthorizerUri: OWNER_FN_ARN, AuthorizerPayloadFormatVersion: '2.0', EnableSimpleResponses: true, IdentitySource: ['$request.header.x-token'] }),
    )
  ).AuthorizerId!;
  await owner.send(new v2.CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /custom', AuthorizationType: 'CUSTOM', AuthorizerId: lambdaAuthorizer, Target: target }));
  await owner.send(new v2.CreateStageCommand({ ApiId: apiId, StageName: 'prod', Tags: TEAM, StageVariables: { fn: 'owner' } }));
  const deploymentId = (await owner.send(new v2.CreateDeploymentCommand({ ApiId: apiId, StageName: 'prod' }))).DeploymentId!;
  const ownApiId = (await intruder.send(new v2.CreateApiCommand({ Name: 'theirs', ProtocolType: 'HTTP' }))).ApiId!;
  const ownIntegration = (await intruder.send(new v2.CreateIntegrationCommand({ ApiId: ownApiId, ...integration, IntegrationUri: `arn:aws:lambda:${REGION}:222222222222:function:theirs` }))).IntegrationId!;
  const ownRouteId = (await intruder.send(new v2.CreateRouteCommand({ ApiId: ownApiId, RouteKey: 'GET /x', Target: `integrations/${ownIntegration}` }))).RouteId!;
  return { apiId, routeId, integrationId, authorizerId, deploymentId, ownApiId, ownRouteId };
}

/** The SDK's answer without its $metadata (request ids differ between reads). */
const body = <T extends object>(out: T): Omit<T, '$metadata'> => {
  const { $metadata: _m, ...rest } = out as T & { $metadata?: unknown };
  return rest;
};

async function snapshotV1(f: F): Promise<unknown> {
  const c = f.owner1;
  const restApiId = f.v1.apiId;
  const arn = (p: string) => `arn:aws:apigateway:${REGION}::/${p}`;
  return {
    apis: body(await c.send(new v1.GetRestApisCommand({}))),
    resources: body(await c.send(new v1.GetResourcesCommand({ restApiId, embed: ['methods'] }))),
    method: body(await c.send(new v1.GetMethodCommand({ restApiId, resourceId: f.v1.resourceId, httpMethod: 'GET' }))),
    stages: body(await c.send(new v1.GetStagesCommand({ restApiId }))),
    deployments: body(await c.send(new v1.GetDeploymentsCommand({ restApiId }))),
    authorizers: body(await c.send(new v1.GetAuthorizersCommand({ restApiId }))),
    validators: body(await c.send(new v1.GetRequestValidatorsCommand({ restApiId }))),
    gatewayResponses: body(await c.send(new v1.GetGatewayResponsesCommand({ restApiId }))),
    keys: body(await c.send(new v1.GetApiKeysCommand({ includeValues: true }))),
    plans: body(await c.send(new v1.GetUsagePlansCommand({}))),
    planKeys: body(await c.send(new v1.GetUsagePlanKeysCommand({ usagePlanId: f.v1.planId }))),
    tags: await Promise.all(
      [arn(`restapis/${restApiId}`), arn(`restapis/${restApiId}/stages/prod`), arn(`apikeys/${f.v1.keyId}`), arn(`usageplans/${f.v1.planId}`)].map(async (resourceArn) => body(await c.send(new v1.GetTagsCommand({ resourceArn })))),
    ),
  };
}

async function snapshotV2(f: F): Promise<unknown> {
  const c = f.owner2;
  const ApiId = f.v2.apiId;
  return {
    apis: body(await c.send(new v2.GetApisCommand({}))),
    routes: body(await c.send(new v2.GetRoutesCommand({ ApiId }))),
    integrations: body(await c.send(new v2.GetIntegrationsCommand({ ApiId }))),
    stages: body(await c.send(new v2.GetStagesCommand({ ApiId }))),
    deployments: body(await c.send(new v2.GetDeploymentsCommand({ ApiId }))),
    authorizers: body(await c.send(new v2.GetAuthorizersCommand({ ApiId }))),
    tags: [body(await c.send(new v2.GetTagsCommand({ ResourceArn: API_ARN(ApiId) }))), body(await c.send(new v2.GetTagsCommand({ ResourceArn: STAGE_ARN(ApiId) })))],
    export: new TextDecoder().decode((await c.send(new v2.ExportApiCommand({ ApiId, Specification: 'OAS30', OutputType: 'JSON' }))).body),
  };
}

/** API ids are one namespace across both planes: the owner's REST API id named to v2, and its HTTP API id named to v1. */
const crossPlane: Row<F>[] = [
  ...(['GetApi', 'DeleteApi'] as const).map((op): Row<F> => ({
    op,
    service: 'apigatewayv2',
    form: "by the owner's REST API id",
    call: (f) => f.intruder2.send(op === 'GetApi' ? new v2.GetApiCommand({ ApiId: f.v1.apiId }) : new v2.DeleteApiCommand({ ApiId: f.v1.apiId })),
    refusal: (f) => ({ name: 'NotFoundException', message: new RegExp(`^Invalid API identifier specified ${INTRUDER_ACCOUNT}:${f.v1.apiId}$`) }),
  })),
  ...(['GetRestApi', 'DeleteRestApi'] as const).map((op): Row<F> => ({
    op,
    form: "by the owner's HTTP API id",
    call: (f) => f.intruder1.send(op === 'GetRestApi' ? new v1.GetRestApiCommand({ restApiId: f.v2.apiId }) : new v1.DeleteRestApiCommand({ restApiId: f.v2.apiId })),
    refusal: { name: 'NotFoundException', message: /^Invalid REST API identifier specified$/ },
  })),
];

runMatrix<F>({
  service: 'apigateway',
  async setup() {
    const t = await startMatrixNimbus();
    const owner1 = client1(t, OWNER);
    const intruder1 = client1(t, INTRUDER);
    const owner2 = client2(t, OWNER);
    const intruder2 = client2(t, INTRUDER);
    const lambda = new LambdaClient({ endpoint: t.endpoint, region: REGION, credentials: OWNER, maxAttempts: 1 });
    try {
      return { t, owner1, intruder1, owner2, intruder2, v1: await setupV1(owner1, intruder1), v2: await setupV2(owner2, intruder2, lambda) };
    } finally {
      lambda.destroy();
    }
  },
  async teardown(f) {
    for (const c of [f.owner1, f.intruder1, f.owner2, f.intruder2]) c.destroy();
    await f.t.stop();
  },
  rows: [...(V2_ROWS as Row<F>[]), ...(V1_ROWS as Row<F>[]), ...crossPlane],
  async snapshot(f) {
    return { v1: await snapshotV1(f), v2: await snapshotV2(f) };
  },
  more(fixture) {
    dataPlaneTests(fixture);
  },
});
