import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiKeyCommand,
  CreateRequestValidatorCommand,
  FlushStageAuthorizersCacheCommand,
  GetExportCommand,
  GetRequestValidatorsCommand,
  PutRestApiCommand,
  UpdateUsageCommand,
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteAuthorizerCommand,
  DeleteDeploymentCommand,
  DeleteIntegrationCommand,
  DeleteMethodCommand,
  DeleteResourceCommand,
  DeleteRestApiCommand,
  DeleteStageCommand,
  DeleteUsagePlanCommand,
  GetApiKeyCommand,
  GetApiKeysCommand,
  GetAuthorizerCommand,
  GetDeploymentCommand,
  GetGatewayResponseCommand,
  GetIntegrationCommand,
  GetMethodCommand,
  GetResourceCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  GetStageCommand,
  GetTagsCommand,
  GetUsageCommand,
  GetUsagePlanCommand,
  GetUsagePlansCommand,
  PutGatewayResponseCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  TagResourceCommand,
  UpdateApiKeyCommand,
  UpdateRestApiCommand,
  UpdateStageCommand,
  UpdateUsagePlanCommand,
  type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@smithy/core/checksum';
import { ACCOUNT, TEST_CREDENTIALS } from '../../helpers/nimbus.js';
import { apigwClient, invoke, lambdaUri, startV1, type V1Nimbus } from './v1-helpers.js';

const OTHER = { accessKeyId: 'intruder', secretAccessKey: 'intruder-secret' };
const OTHER_ACCOUNT = '222222222222';

describe('cross-account: API Gateway v1 REST APIs, API keys and usage plans', () => {
  let n: V1Nimbus;
  let intruder: APIGatewayClient;
  let apiId: string;
  let rootId: string;
  let resourceId: string;
  let deploymentId: string;
  let authorizerId: string;
  let keyId: string;
  let planId: string;
  before(async () => {
    n = await startV1({ credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }, { ...OTHER, accountId: OTHER_ACCOUNT }] });
    intruder = apigwClient(n.t.endpoint, OTHER);
    const api = await n.apigw.send(new CreateRestApiCommand({ name: 'owned' }));
    apiId = api.id!;
    rootId = api.rootResourceId!;
    resourceId = (await n.apigw.send(new CreateResourceCommand({ restApiId: apiId, parentId: rootId, pathPart: 'iam' }))).id!;
    await n.apigw.send(new PutMethodCommand({ restApiId: apiId, resourceId, httpMethod: 'GET', authorizationType: 'AWS_IAM' }));
    await n.apigw.send(new PutIntegrationCommand({ restApiId: apiId, resourceId, httpMethod: 'GET', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await n.apigw.send(new PutMethodResponseCommand({ restApiId: apiId, resourceId, httpMethod: 'GET', statusCode: '200' }));
    await n.apigw.send(new PutIntegrationResponseCommand({ restApiId: apiId, resourceId, httpMethod: 'GET', statusCode: '200' }));
    deploymentId = (await n.apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod' }))).id!;
    authorizerId = (await n.apigw.send(new CreateAuthorizerCommand({ restApiId: apiId, name: 'a', type: 'TOKEN', authorizerUri: lambdaUri('auth'), identitySource: 'method.request.header.Authorization' }))).id!;
    keyId = (await n.apigw.send(new CreateApiKeyCommand({ name: 'owned-key', enabled: true }))).id!;
    planId = (await n.apigw.send(new CreateUsagePlanCommand({ name: 'owned-plan', apiStages: [{ apiId, stage: 'prod' }] }))).id!;
  });
  after(async () => {
    intruder.destroy();
    await n.t.stop();
  });

  it('answers every REST API operation on another account\'s API as for a missing one', async () => {
    const noApi = { name: 'NotFoundException', message: 'Invalid REST API identifier specified' };
    const calls = [
      new GetRestApiCommand({ restApiId: apiId }),
      new UpdateRestApiCommand({ restApiId: apiId, patchOperations: [{ op: 'replace', path: '/name', value: 'mine' }] }),
      new GetResourcesCommand({ restApiId: apiId }),
      new GetResourceCommand({ restApiId: apiId, resourceId }),
      new CreateResourceCommand({ restApiId: apiId, parentId: rootId, pathPart: 'x' }),
      new DeleteResourceCommand({ restApiId: apiId, resourceId }),
      new GetMethodCommand({ restApiId: apiId, resourceId, httpMethod: 'GET' }),
      new PutMethodCommand({ restApiId: apiId, resourceId, httpMethod: 'POST', authorizationType: 'NONE' }),
      new DeleteMethodCommand({ restApiId: apiId, resourceId, httpMethod: 'GET' }),
      new GetIntegrationCommand({ restApiId: apiId, resourceId, httpMethod: 'GET' }),
      new PutIntegrationCommand({ restApiId: apiId, resourceId, httpMethod: 'GET', type: 'MOCK' }),
      new DeleteIntegrationCommand({ restApiId: apiId, resourceId, httpMethod: 'GET' }),
      new CreateDeploymentCommand({ restApiId: apiId, stageName: 'evil' }),
      new GetDeploymentCommand({ restApiId: apiId, deploymentId }),
      new DeleteDeploymentCommand({ restApiId: apiId, deploymentId }),
      new CreateStageCommand({ restApiId: apiId, stageName: 'evil', deploymentId }),
      new GetStageCommand({ restApiId: apiId, stageName: 'prod' }),
      new UpdateStageCommand({ restApiId: apiId, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/description', value: 'x' }] }),
      new DeleteStageCommand({ restApiId: apiId, stageName: 'prod' }),
      new CreateAuthorizerCommand({ restApiId: apiId, name: 'b', type: 'TOKEN', authorizerUri: lambdaUri('auth'), identitySource: 'method.request.header.Authorization' }),
      new GetAuthorizerCommand({ restApiId: apiId, authorizerId }),
      new DeleteAuthorizerCommand({ restApiId: apiId, authorizerId }),
      new PutGatewayResponseCommand({ restApiId: apiId, responseType: 'DEFAULT_4XX' }),
      new GetGatewayResponseCommand({ restApiId: apiId, responseType: 'DEFAULT_4XX' }),
      new CreateRequestValidatorCommand({ restApiId: apiId, name: 'v' }),
      new GetRequestValidatorsCommand({ restApiId: apiId }),
      new FlushStageAuthorizersCacheCommand({ restApiId: apiId, stageName: 'prod' }),
      new PutRestApiCommand({ restApiId: apiId, mode: 'overwrite', body: Buffer.from(JSON.stringify({ openapi: '3.0.1', info: { title: 'stolen' }, paths: {} })) }),
      new GetExportCommand({ restApiId: apiId, stageName: 'prod', exportType: 'oas30' }),
      new DeleteRestApiCommand({ restApiId: apiId }),
    ];
    for (const c of calls) await assert.rejects(intruder.send(c as never), noApi, c.constructor.name);
    assert.equal((await intruder.send(new GetRestApisCommand({}))).items?.length ?? 0, 0);
    // Still there, unchanged, for its owner.
    assert.equal((await n.apigw.send(new GetRestApiCommand({ restApiId: apiId }))).name, 'owned');
    assert.equal((await n.apigw.send(new GetStageCommand({ restApiId: apiId, stageName: 'prod' }))).description, undefined);
  });

  it('keeps API keys, usage plans and tags behind the account wall', async () => {
    await assert.rejects(intruder.send(new GetApiKeyCommand({ apiKey: keyId })), { name: 'NotFoundException' });
    await assert.rejects(intruder.send(new UpdateApiKeyCommand({ apiKey: keyId, patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] })), { name: 'NotFoundException' });
    await assert.rejects(intruder.send(new DeleteApiKeyCommand({ apiKey: keyId })), { name: 'NotFoundException' });
    assert.equal((await intruder.send(new GetApiKeysCommand({}))).items?.length ?? 0, 0);
    await assert.rejects(intruder.send(new GetUsagePlanCommand({ usagePlanId: planId })), { name: 'NotFoundException', message: 'Invalid Usage Plan ID specified' });
    await assert.rejects(intruder.send(new UpdateUsagePlanCommand({ usagePlanId: planId, patchOperations: [{ op: 'replace', path: '/name', value: 'x' }] })), { name: 'NotFoundException' });
    await assert.rejects(intruder.send(new DeleteUsagePlanCommand({ usagePlanId: planId })), { name: 'NotFoundException' });
    await assert.rejects(intruder.send(new GetUsageCommand({ usagePlanId: planId, startDate: '2026-01-01', endDate: '2026-01-02' })), { name: 'NotFoundException' });
    await assert.rejects(intruder.send(new UpdateUsageCommand({ usagePlanId: planId, keyId, patchOperations: [{ op: 'replace', path: '/remaining', value: '100' }] })), { name: 'NotFoundException' });
    assert.equal((await intruder.send(new GetUsagePlansCommand({}))).items?.length ?? 0, 0);
    // The intruder's own plan cannot name the owner's API stage, nor take the owner's key.
    await assert.rejects(intruder.send(new CreateUsagePlanCommand({ name: 'steal', apiStages: [{ apiId, stage: 'prod' }] })), { name: 'BadRequestException' });
    const own = await intruder.send(new CreateUsagePlanCommand({ name: 'own' }));
    await assert.rejects(intruder.send(new CreateUsagePlanKeyCommand({ usagePlanId: own.id, keyId, keyType: 'API_KEY' })), { name: 'NotFoundException' });
    await assert.rejects(n.apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: own.id, keyId, keyType: 'API_KEY' })), { name: 'NotFoundException' });

    const arn = `arn:aws:apigateway:us-east-1::/restapis/${apiId}`;
    await assert.rejects(intruder.send(new TagResourceCommand({ resourceArn: arn, tags: { a: 'b' } })), { name: 'NotFoundException' });
    await assert.rejects(intruder.send(new GetTagsCommand({ resourceArn: arn })), { name: 'NotFoundException' });
    await assert.rejects(intruder.send(new GetTagsCommand({ resourceArn: `arn:aws:apigateway:us-east-1::/apikeys/${keyId}` })), { name: 'NotFoundException' });
    assert.deepEqual((await n.apigw.send(new GetTagsCommand({ resourceArn: arn }))).tags ?? {}, {});
  });

  it('serves an AWS_IAM method to its own account only (another account is refused, 403)', async () => {
    const url = new URL(`${n.t.endpoint}/_nimbus/execute-api/${apiId}/prod/iam`);
    const signed = async (creds: { accessKeyId: string; secretAccessKey: string }) => {
      const signer = new SignatureV4({ credentials: creds, region: 'us-east-1', service: 'execute-api', sha256: Sha256 });
      const req = await signer.sign({ method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, headers: { host: url.host } }, { signingDate: new Date(n.t.clock.now()) });
      return invoke(n.t, apiId, '/prod/iam', { headers: req.headers as Record<string, string> });
    };
    assert.equal((await invoke(n.t, apiId, '/prod/iam')).status, 403);
    assert.deepEqual((await invoke(n.t, apiId, '/prod/iam')).json(), { message: 'Missing Authentication Token' });
    const own = await signed(TEST_CREDENTIALS);
    assert.equal(own.status, 200);
    const other = await signed(OTHER);
    assert.equal(other.status, 403);
    assert.match((other.json() as { message: string }).message, /^User: arn:aws:iam::222222222222:root is not authorized to perform: execute-api:Invoke/);
  });
});
