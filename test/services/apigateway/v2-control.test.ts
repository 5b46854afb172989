import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiCommand,
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
  DeleteApiCommand,
  DeleteAuthorizerCommand,
  DeleteCorsConfigurationCommand,
  DeleteIntegrationCommand,
  DeleteRouteCommand,
  DeleteStageCommand,
  GetApiCommand,
  GetApisCommand,
  GetAuthorizerCommand,
  GetDeploymentsCommand,
  GetIntegrationCommand,
  GetRouteCommand,
  GetRoutesCommand,
  GetStageCommand,
  GetTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateApiCommand,
  UpdateIntegrationCommand,
  UpdateRouteCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { ACCOUNT } from '../../helpers/nimbus.js';
import { fnArn, startV2, type V2Nimbus } from './v2-helpers.js';

describe('API Gateway v2: control plane', () => {
  let n: V2Nimbus;
  before(async () => (n = await startV2()));
  after(() => n.t.stop());

  const newApi = async (name = 'api') => (await n.apigw.send(new CreateApiCommand({ Name: name, ProtocolType: 'HTTP' }))).ApiId!;

  it('creates, reads, lists, updates and deletes APIs', async () => {
    const created = await n.apigw.send(
      new CreateApiCommand({ Name: 'orders', ProtocolType: 'HTTP', Description: 'd', Version: 'v1', Tags: { team: 'a' }, CorsConfiguration: { AllowOrigins: ['https://app.example'], AllowMethods: ['GET'], MaxAge: 60 } }),
    );
    const got = await n.apigw.send(new GetApiCommand({ ApiId: created.ApiId }));
    assert.equal(got.Name, 'orders');
    assert.equal(got.ProtocolType, 'HTTP');
    assert.equal(got.Description, 'd');
    assert.equal(got.Version, 'v1');
    assert.equal(got.DisableExecuteApiEndpoint, false);
    assert.deepEqual(got.Tags, { team: 'a' });
    assert.deepEqual(got.CorsConfiguration, { AllowOrigins: ['https://app.example'], AllowMethods: ['GET'], MaxAge: 60 });

    const updated = await n.apigw.send(new UpdateApiCommand({ ApiId: created.ApiId, Name: 'orders2', DisableExecuteApiEndpoint: true }));
    assert.equal(updated.Name, 'orders2');
    assert.equal(updated.DisableExecuteApiEndpoint, true);
    assert.equal(updated.Description, 'd');
    await n.apigw.send(new DeleteCorsConfigurationCommand({ ApiId: created.ApiId }));
    assert.equal((await n.apigw.send(new GetApiCommand({ ApiId: created.ApiId }))).CorsConfiguration, undefined);

    const second = await newApi('second');
    const first = await n.apigw.send(new GetApisCommand({ MaxResults: '1' }));
    assert.equal(first.Items?.length, 1);
    assert.ok(first.NextToken);
    const rest = await n.apigw.send(new GetApisCommand({ NextToken: first.NextToken }));
    const ids = [...first.Items!, ...rest.Items!].map((a) => a.ApiId);
    assert.ok(ids.includes(created.ApiId) && ids.includes(second));

    await n.apigw.send(new DeleteApiCommand({ ApiId: created.ApiId }));
    await assert.rejects(n.apigw.send(new GetApiCommand({ ApiId: created.ApiId })), { name: 'NotFoundException', message: `Invalid API identifier specified ${ACCOUNT}:${created.ApiId}` });
    await assert.rejects(n.apigw.send(new DeleteApiCommand({ ApiId: created.ApiId })), { name: 'NotFoundException' });
  });

  it('refuses invalid APIs with BadRequestException', async () => {
    await assert.rejects(n.apigw.send(new CreateApiCommand({ Name: undefined as never, ProtocolType: 'HTTP' })), { name: 'BadRequestException' });
    await assert.rejects(n.apigw.send(new CreateApiCommand({ Name: 'x', ProtocolType: 'MQTT' as never })), { name: 'BadRequestException' });
    await assert.rejects(n.apigw.send(new CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET' })), { name: 'BadRequestException' });
    await assert.rejects(n.apigw.send(new CreateApiCommand({ Name: 'x', ProtocolType: 'HTTP', RouteKey: 'GET /' })), { name: 'BadRequestException' });
    await assert.rejects(n.apigw.send(new CreateApiCommand({ Name: 'x', ProtocolType: 'HTTP', Target: 'not-a-target' })), { name: 'BadRequestException' });
    await assert.rejects(n.apigw.send(new CreateApiCommand({ Name: 'x'.repeat(129), ProtocolType: 'HTTP' })), { name: 'BadRequestException' });
  });

  it('validates route keys, refuses duplicates and checks targets and authorizers', async () => {
    const apiId = await newApi();
    const integration = await n.apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn('f'), PayloadFormatVersion: '2.0' }));
    const route = await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /items/{id}', Target: `integrations/${integration.IntegrationId}` }));
    assert.equal(route.AuthorizationType, 'NONE');
    assert.equal(route.ApiKeyRequired, false);
    assert.deepEqual((await n.apigw.send(new GetRouteCommand({ ApiId: apiId, RouteId: route.RouteId }))).RouteKey, 'GET /items/{id}');

    for (const key of ['GET', 'FETCH /x', 'GET items', 'GET /{proxy+}/more', 'GET /a b', 'get /x']) {
      await assert.rejects(n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: key })), { name: 'BadRequestException' }, key);
    }
    for (const key of ['$default', 'ANY /{proxy+}', 'POST /', 'DELETE /items/{id}/parts/{part}']) await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: key }));
    await assert.rejects(n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /items/{id}' })), { name: 'ConflictException' });
    await assert.rejects(n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'PUT /x', Target: 'integrations/nope123' })), { name: 'BadRequestException' });
    await assert.rejects(n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'PUT /y', AuthorizationType: 'JWT' })), { name: 'BadRequestException' });

    const updated = await n.apigw.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: route.RouteId, RouteKey: 'GET /things/{id}', AuthorizationType: 'AWS_IAM' }));
    assert.equal(updated.RouteKey, 'GET /things/{id}');
    assert.equal(updated.AuthorizationType, 'AWS_IAM');
    await assert.rejects(n.apigw.send(new DeleteIntegrationCommand({ ApiId: apiId, IntegrationId: integration.IntegrationId })), { name: 'ConflictException' });
    await n.apigw.send(new DeleteRouteCommand({ ApiId: apiId, RouteId: route.RouteId }));
    await assert.rejects(n.apigw.send(new GetRouteCommand({ ApiId: apiId, RouteId: route.RouteId })), { name: 'NotFoundException' });
    await n.apigw.send(new DeleteIntegrationCommand({ ApiId: apiId, IntegrationId: integration.IntegrationId }));
  });

  it('checks integrations: types, URIs, payload versions, timeouts, subtypes and mappings', async () => {
    const apiId = await newApi();
    const lambda = await n.apigw.send(
      new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn('f')}/invocations`, PayloadFormatVersion: '1.0', TimeoutInMillis: 5000 }),
    );
    assert.equal(lambda.TimeoutInMillis, 5000);
    assert.equal(lambda.ConnectionType, 'INTERNET');
    const http = await n.apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationUri: 'http://example.com/{proxy}', IntegrationMethod: 'ANY', RequestParameters: { 'append:header.x-a': '$request.header.b', 'overwrite:path': '/p' } }));
    assert.equal(http.PayloadFormatVersion, '1.0');
    assert.equal(http.TimeoutInMillis, 30000);
    const sqs = await n.apigw.send(
      new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationSubtype: 'SQS-SendMessage', CredentialsArn: 'arn:aws:iam::000000000000:role/r', RequestParameters: { QueueUrl: '$request.header.q', MessageBody: '$request.body' } }),
    );
    assert.equal((await n.apigw.send(new GetIntegrationCommand({ ApiId: apiId, IntegrationId: sqs.IntegrationId }))).IntegrationSubtype, 'SQS-SendMessage');

    const bad = [
      { IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn('f'), PayloadFormatVersion: '2.0', TimeoutInMillis: 49 },
      { IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn('f'), PayloadFormatVersion: '2.0', TimeoutInMillis: 30001 },
      { IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn('f') },
      { IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn('f'), PayloadFormatVersion: '3.0' },
      { IntegrationType: 'AWS_PROXY', IntegrationUri: 'http://x', PayloadFormatVersion: '2.0' },
      { IntegrationType: 'HTTP_PROXY', IntegrationUri: 'http://example.com' },
      { IntegrationType: 'HTTP_PROXY', IntegrationUri: 'ftp://example.com', IntegrationMethod: 'GET' },
      { IntegrationType: 'HTTP_PROXY', IntegrationUri: 'http://example.com', IntegrationMethod: 'GET', RequestParameters: { 'rewrite:header.a': 'x' } },
      { IntegrationType: 'MOCK' },
      { IntegrationType: 'AWS_PROXY', IntegrationSubtype: 'SQS-SendMessage', CredentialsArn: 'arn:aws:iam::000000000000:role/r', RequestParameters: { QueueUrl: 'u' } },
      { IntegrationType: 'AWS_PROXY', IntegrationSubtype: 'SQS-Nope', CredentialsArn: 'arn:aws:iam::000000000000:role/r', RequestParameters: { QueueUrl: 'u' } },
    ] as const;
    for (const b of bad) await assert.rejects(n.apigw.send(new CreateIntegrationCommand({ ApiId: apiId, ...b } as never)), { name: 'BadRequestException' }, JSON.stringify(b));

    const changed = await n.apigw.send(new UpdateIntegrationCommand({ ApiId: apiId, IntegrationId: lambda.IntegrationId, PayloadFormatVersion: '2.0', ResponseParameters: { '200': { 'overwrite:statuscode': '201', 'append:header.x-b': 'v' } } }));
    assert.equal(changed.PayloadFormatVersion, '2.0');
    assert.equal(changed.TimeoutInMillis, 5000);
    assert.deepEqual(changed.ResponseParameters, { '200': { 'overwrite:statuscode': '201', 'append:header.x-b': 'v' } });
    await assert.rejects(n.apigw.send(new GetIntegrationCommand({ ApiId: apiId, IntegrationId: 'zzzzzzz' })), { name: 'NotFoundException' });
  });

  it('manages stages and deployments', async () => {
    const apiId = await newApi();
    await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /a' }));
    const stage = await n.apigw.send(
      new CreateStageCommand({ ApiId: apiId, StageName: 'prod', StageVariables: { color: 'blue' }, DefaultRouteSettings: { ThrottlingRateLimit: 2.5, ThrottlingBurstLimit: 3 }, RouteSettings: { 'GET /a': { ThrottlingBurstLimit: 1 } }, Tags: { s: '1' } }),
    );
    assert.equal(stage.StageName, 'prod');
    assert.equal(stage.AutoDeploy, false);
    assert.deepEqual(stage.StageVariables, { color: 'blue' });
    assert.equal(stage.DefaultRouteSettings?.ThrottlingRateLimit, 2.5);
    assert.equal(stage.RouteSettings?.['GET /a']?.ThrottlingBurstLimit, 1);
    assert.ok(stage.CreatedDate instanceof Date);
    await assert.rejects(n.apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: 'prod' })), { name: 'ConflictException' });
    await assert.rejects(n.apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: 'bad name' })), { name: 'BadRequestException' });
    await assert.rejects(n.apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: 'x', RouteSettings: { 'GET /nope': { ThrottlingBurstLimit: 1 } } })), { name: 'NotFoundException' });
    await assert.rejects(n.apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: 'y', AccessLogSettings: { DestinationArn: 'arn:aws:s3:::bucket', Format: '$context.requestId' } })), { name: 'BadRequestException' });

    const deployment = await n.apigw.send(new CreateDeploymentCommand({ ApiId: apiId, StageName: 'prod', Description: 'first' }));
    assert.equal(deployment.DeploymentStatus, 'DEPLOYED');
    assert.equal(deployment.AutoDeployed, false);
    assert.equal((await n.apigw.send(new GetStageCommand({ ApiId: apiId, StageName: 'prod' }))).DeploymentId, deployment.DeploymentId);
    assert.equal((await n.apigw.send(new GetDeploymentsCommand({ ApiId: apiId }))).Items?.length, 1);
    const updated = await n.apigw.send(new UpdateStageCommand({ ApiId: apiId, StageName: 'prod', Description: 'main', AccessLogSettings: { DestinationArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:access`, Format: '$context.requestId' } }));
    assert.equal(updated.Description, 'main');
    assert.equal(updated.AccessLogSettings?.Format, '$context.requestId');
    await n.apigw.send(new DeleteStageCommand({ ApiId: apiId, StageName: 'prod' }));
    await assert.rejects(n.apigw.send(new GetStageCommand({ ApiId: apiId, StageName: 'prod' })), { name: 'NotFoundException' });
  });

  it('manages JWT and REQUEST authorizers', async () => {
    const apiId = await newApi();
    const jwt = await n.apigw.send(new CreateAuthorizerCommand({ ApiId: apiId, Name: 'jwt', AuthorizerType: 'JWT', IdentitySource: undefined as never, JwtConfiguration: { Issuer: 'https://issuer.example', Audience: ['aud'] } }));
    assert.deepEqual(jwt.IdentitySource, ['$request.header.Authorization']);
    const lambda = await n.apigw.send(
      new CreateAuthorizerCommand({ ApiId: apiId, Name: 'fn', AuthorizerType: 'REQUEST', AuthorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn('auth')}/invocations`, AuthorizerPayloadFormatVersion: '2.0', EnableSimpleResponses: true, IdentitySource: ['$request.header.x-token'], AuthorizerResultTtlInSeconds: 60 }),
    );
    assert.equal((await n.apigw.send(new GetAuthorizerCommand({ ApiId: apiId, AuthorizerId: lambda.AuthorizerId }))).EnableSimpleResponses, true);
    await assert.rejects(n.apigw.send(new CreateAuthorizerCommand({ ApiId: apiId, Name: 'j2', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] })), { name: 'BadRequestException' });
    await assert.rejects(n.apigw.send(new CreateAuthorizerCommand({ ApiId: apiId, Name: 'r2', AuthorizerType: 'REQUEST', AuthorizerUri: fnArn('auth'), AuthorizerPayloadFormatVersion: '1.0', EnableSimpleResponses: true, IdentitySource: ['$request.header.a'] })), { name: 'BadRequestException' });
    await assert.rejects(n.apigw.send(new CreateAuthorizerCommand({ ApiId: apiId, Name: 'r3', AuthorizerType: 'REQUEST', AuthorizerUri: fnArn('auth'), AuthorizerPayloadFormatVersion: '2.0', IdentitySource: ['header.a'] })), { name: 'BadRequestException' });

    const route = await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /me', AuthorizationType: 'JWT', AuthorizerId: jwt.AuthorizerId, AuthorizationScopes: ['read'] }));
    assert.deepEqual(route.AuthorizationScopes, ['read']);
    await assert.rejects(n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /you', AuthorizationType: 'CUSTOM', AuthorizerId: jwt.AuthorizerId })), { name: 'BadRequestException' });
    await assert.rejects(n.apigw.send(new DeleteAuthorizerCommand({ ApiId: apiId, AuthorizerId: jwt.AuthorizerId })), { name: 'ConflictException' });
    await n.apigw.send(new DeleteAuthorizerCommand({ ApiId: apiId, AuthorizerId: lambda.AuthorizerId }));
    await assert.rejects(n.apigw.send(new GetAuthorizerCommand({ ApiId: apiId, AuthorizerId: lambda.AuthorizerId })), { name: 'NotFoundException' });
  });

  it('tags APIs and stages by ARN', async () => {
    const apiId = await newApi();
    await n.apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: 'dev' }));
    const arn = `arn:aws:apigateway:us-east-1::/apis/${apiId}`;
    await n.apigw.send(new TagResourceCommand({ ResourceArn: arn, Tags: { a: '1', b: '2' } }));
    await n.apigw.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['a'] }));
    assert.deepEqual((await n.apigw.send(new GetTagsCommand({ ResourceArn: arn }))).Tags, { b: '2' });
    assert.deepEqual((await n.apigw.send(new GetApiCommand({ ApiId: apiId }))).Tags, { b: '2' });
    await n.apigw.send(new TagResourceCommand({ ResourceArn: `${arn}/stages/dev`, Tags: { s: 'x' } }));
    assert.deepEqual((await n.apigw.send(new GetStageCommand({ ApiId: apiId, StageName: 'dev' }))).Tags, { s: 'x' });
    await assert.rejects(n.apigw.send(new GetTagsCommand({ ResourceArn: 'arn:aws:apigateway:us-east-1::/apis/zzzzzzzzzz' })), { name: 'NotFoundException' });
    await assert.rejects(n.apigw.send(new GetTagsCommand({ ResourceArn: 'not-an-arn' })), { name: 'BadRequestException' });
  });

  it('holds an API to 300 routes', async () => {
    const apiId = await newApi('many');
    for (let i = 0; i < 300; i++) await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: `GET /r${i}` }));
    await assert.rejects(n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /one-too-many' })), { name: 'BadRequestException' });
    assert.equal((await n.apigw.send(new GetRoutesCommand({ ApiId: apiId }))).Items?.length, 300);
  });
});
