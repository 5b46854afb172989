import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
  DeleteApiCommand,
  DeleteRouteCommand,
  DeleteStageCommand,
  GetApiCommand,
  GetApisCommand,
  GetAuthorizersCommand,
  GetDeploymentsCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetStageCommand,
  GetTagsCommand,
  TagResourceCommand,
  UpdateApiCommand,
  UpdateIntegrationCommand,
  UpdateRouteCommand,
} from '@aws-sdk/client-apigatewayv2';
import { ACCOUNT, TEST_CREDENTIALS } from '../../helpers/nimbus.js';
import { apigwClient, fnArn, startV2, type V2Nimbus } from './v2-helpers.js';

const OTHER = { accessKeyId: 'other', secretAccessKey: 'other' };
const OTHER_ACCOUNT = '111111111111';

describe('API Gateway v2: accounts are walls', () => {
  let n: V2Nimbus;
  let other: ApiGatewayV2Client;
  let apiId: string;
  let routeId: string;
  let integrationId: string;
  before(async () => {
    n = await startV2({ credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }, { ...OTHER, accountId: OTHER_ACCOUNT }] });
    other = apigwClient(n.t.endpoint, OTHER);
    apiId = (await n.apigw.send(new CreateApiCommand({ Name: 'mine', ProtocolType: 'HTTP' }))).ApiId!;
    integrationId = (await n.apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn('f'), PayloadFormatVersion: '2.0' }))).IntegrationId!;
    routeId = (await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /a', Target: `integrations/${integrationId}` }))).RouteId!;
    await n.apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: 'prod' }));
  });
  after(async () => {
    other.destroy();
    await n.t.stop();
  });

  it('another account cannot read, change or delete the API or its parts by id: NotFoundException naming its own account', async () => {
    const missing = { name: 'NotFoundException', message: `Invalid API identifier specified ${OTHER_ACCOUNT}:${apiId}` };
    const attempts = [
      new GetApiCommand({ ApiId: apiId }),
      new UpdateApiCommand({ ApiId: apiId, Name: 'stolen' }),
      new DeleteApiCommand({ ApiId: apiId }),
      new GetRoutesCommand({ ApiId: apiId }),
      new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /b' }),
      new UpdateRouteCommand({ ApiId: apiId, RouteId: routeId, RouteKey: 'GET /c' }),
      new DeleteRouteCommand({ ApiId: apiId, RouteId: routeId }),
      new GetIntegrationsCommand({ ApiId: apiId }),
      new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationUri: 'http://example.com', IntegrationMethod: 'GET' }),
      new UpdateIntegrationCommand({ ApiId: apiId, IntegrationId: integrationId, IntegrationUri: fnArn('g') }),
      new GetStageCommand({ ApiId: apiId, StageName: 'prod' }),
      new CreateStageCommand({ ApiId: apiId, StageName: 'x' }),
      new DeleteStageCommand({ ApiId: apiId, StageName: 'prod' }),
      new CreateDeploymentCommand({ ApiId: apiId, StageName: 'prod' }),
      new GetDeploymentsCommand({ ApiId: apiId }),
      new GetAuthorizersCommand({ ApiId: apiId }),
      new CreateAuthorizerCommand({ ApiId: apiId, Name: 'a', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: 'https://i.example', Audience: ['a'] } }),
      new GetTagsCommand({ ResourceArn: `arn:aws:apigateway:us-east-1::/apis/${apiId}` }),
      new TagResourceCommand({ ResourceArn: `arn:aws:apigateway:us-east-1::/apis/${apiId}`, Tags: { x: 'y' } }),
    ];
    for (const command of attempts) await assert.rejects(other.send(command as never), missing, command.constructor.name);
    // Nothing changed for the owner.
    const api = await n.apigw.send(new GetApiCommand({ ApiId: apiId }));
    assert.equal(api.Name, 'mine');
    assert.deepEqual(api.Tags, {});
    assert.equal((await n.apigw.send(new GetRoutesCommand({ ApiId: apiId }))).Items?.[0]?.RouteKey, 'GET /a');
  });

  it('lists show only the caller account’s APIs; another region is another wall', async () => {
    const theirs = (await other.send(new CreateApiCommand({ Name: 'theirs', ProtocolType: 'HTTP' }))).ApiId!;
    const mine = (await n.apigw.send(new GetApisCommand({}))).Items!.map((a) => a.ApiId);
    const seen = (await other.send(new GetApisCommand({}))).Items!.map((a) => a.ApiId);
    assert.ok(mine.includes(apiId) && !mine.includes(theirs));
    assert.deepEqual(seen, [theirs]);
    const inWest = new ApiGatewayV2Client({ endpoint: n.t.endpoint, region: 'us-west-2', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    assert.deepEqual((await inWest.send(new GetApisCommand({}))).Items, []);
    await assert.rejects(inWest.send(new GetApiCommand({ ApiId: apiId })), { name: 'NotFoundException' });
    inWest.destroy();
  });
});
