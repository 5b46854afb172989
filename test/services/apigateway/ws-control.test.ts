import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiCommand,
  CreateAuthorizerCommand,
  CreateIntegrationCommand,
  CreateIntegrationResponseCommand,
  CreateRouteCommand,
  CreateRouteResponseCommand,
  CreateStageCommand,
  DeleteIntegrationResponseCommand,
  DeleteRouteResponseCommand,
  GetApiCommand,
  GetIntegrationCommand,
  GetIntegrationResponseCommand,
  GetIntegrationResponsesCommand,
  GetRouteCommand,
  GetRouteResponseCommand,
  GetRouteResponsesCommand,
  GetStageCommand,
  UpdateApiCommand,
  UpdateIntegrationResponseCommand,
  UpdateRouteCommand,
  UpdateRouteResponseCommand,
} from '@aws-sdk/client-apigatewayv2';
import { fnArn, startV2, type V2Nimbus } from './v2-helpers.js';

const rejects = (p: Promise<unknown>, name: string, message?: RegExp) =>
  assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name);
    if (message) assert.match(e.message, message);
    return true;
  });

describe('API Gateway v2: WebSocket APIs (control plane)', () => {
  let n: V2Nimbus;
  let apiId: string;
  before(async () => {
    n = await startV2();
    apiId = (await n.apigw.send(new CreateApiCommand({ Name: 'chat', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId!;
  });
  after(() => n.t.stop());

  it('creates a WebSocket API with its route selection expression and a ws:// endpoint', async () => {
    const api = await n.apigw.send(new GetApiCommand({ ApiId: apiId }));
    assert.equal(api.ProtocolType, 'WEBSOCKET');
    assert.equal(api.RouteSelectionExpression, '$request.body.action');
    assert.equal(api.ApiKeySelectionExpression, '$request.header.x-api-key');
    assert.match(api.ApiEndpoint!, new RegExp(`^ws://${apiId}\\.execute-api\\.localhost:\\d+$`));
    await rejects(n.apigw.send(new CreateApiCommand({ Name: 'x', ProtocolType: 'WEBSOCKET' })), 'BadRequestException', /RouteSelectionExpression is required/);
    await rejects(n.apigw.send(new CreateApiCommand({ Name: 'x', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '${request.method} ${request.path}' })), 'BadRequestException');
    await rejects(n.apigw.send(new CreateApiCommand({ Name: 'x', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action', Target: fnArn('f') })), 'BadRequestException', /Quick create/);
    const updated = await n.apigw.send(new UpdateApiCommand({ ApiId: apiId, RouteSelectionExpression: '$request.body.message.type' }));
    assert.equal(updated.RouteSelectionExpression, '$request.body.message.type');
    await n.apigw.send(new UpdateApiCommand({ ApiId: apiId, RouteSelectionExpression: '$request.body.action' }));
  });

  it('takes $connect, $disconnect, $default and custom route keys; authorization only on $connect', async () => {
    const integ = await n.apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn('chat') }));
    assert.equal(integ.PayloadFormatVersion, '1.0');
    for (const key of ['$connect', '$disconnect', '$default', 'sendmessage', 'Some Key!']) {
      const r = await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: key, Target: `integrations/${integ.IntegrationId}` }));
      assert.equal(r.RouteKey, key);
    }
    await rejects(n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: '$other' })), 'BadRequestException', /\$connect, \$disconnect and \$default/);
    await rejects(n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'sendmessage' })), 'ConflictException');
    await rejects(n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'secure', AuthorizationType: 'AWS_IAM' })), 'BadRequestException', /\$connect route only/);
    const connect = await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'other' }));
    await rejects(n.apigw.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: connect.RouteId!, RouteResponseSelectionExpression: '$request.body.x' })), 'BadRequestException');
    const two = await n.apigw.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: connect.RouteId!, RouteResponseSelectionExpression: '$default' }));
    assert.equal(two.RouteResponseSelectionExpression, '$default');
  });

  it('keeps route responses: create, get, list, update, delete', async () => {
    const route = await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'echo', RouteResponseSelectionExpression: '$default' }));
    await rejects(n.apigw.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId: route.RouteId!, RouteResponseKey: '$other' })), 'BadRequestException', /only \$default/);
    const rr = await n.apigw.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId: route.RouteId!, RouteResponseKey: '$default', ModelSelectionExpression: 'default' }));
    assert.equal(rr.RouteResponseKey, '$default');
    assert.ok(rr.RouteResponseId);
    const got = await n.apigw.send(new GetRouteResponseCommand({ ApiId: apiId, RouteId: route.RouteId!, RouteResponseId: rr.RouteResponseId! }));
    assert.equal(got.ModelSelectionExpression, 'default');
    const list = await n.apigw.send(new GetRouteResponsesCommand({ ApiId: apiId, RouteId: route.RouteId! }));
    assert.deepEqual(list.Items?.map((i) => i.RouteResponseId), [rr.RouteResponseId]);
    const up = await n.apigw.send(new UpdateRouteResponseCommand({ ApiId: apiId, RouteId: route.RouteId!, RouteResponseId: rr.RouteResponseId!, ResponseParameters: { 'route.response.header.x': { Required: true } } }));
    assert.deepEqual(up.ResponseParameters, { 'route.response.header.x': { Required: true } });
    assert.equal((await n.apigw.send(new GetRouteCommand({ ApiId: apiId, RouteId: route.RouteId! }))).RouteResponseSelectionExpression, '$default');
    await n.apigw.send(new DeleteRouteResponseCommand({ ApiId: apiId, RouteId: route.RouteId!, RouteResponseId: rr.RouteResponseId! }));
    await rejects(n.apigw.send(new GetRouteResponseCommand({ ApiId: apiId, RouteId: route.RouteId!, RouteResponseId: rr.RouteResponseId! })), 'NotFoundException');
  });

  it('keeps integrations of every WebSocket type, and their integration responses', async () => {
    const sqs = await n.apigw.send(
      new CreateIntegrationCommand({
        ApiId: apiId,
        IntegrationType: 'AWS',
        IntegrationMethod: 'POST',
        IntegrationUri: 'arn:aws:apigateway:us-east-1:sqs:path/000000000000/inbox',
        CredentialsArn: 'arn:aws:iam::000000000000:role/apigw',
        RequestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
        RequestTemplates: { $default: 'Action=SendMessage&MessageBody=$util.urlEncode($input.body)' },
        TemplateSelectionExpression: '\\$default',
        PassthroughBehavior: 'NEVER',
      }),
    );
    const got = await n.apigw.send(new GetIntegrationCommand({ ApiId: apiId, IntegrationId: sqs.IntegrationId! }));
    assert.equal(got.IntegrationType, 'AWS');
    assert.deepEqual(got.RequestTemplates, { $default: 'Action=SendMessage&MessageBody=$util.urlEncode($input.body)' });
    assert.equal(got.TemplateSelectionExpression, '\\$default');
    assert.equal(got.PassthroughBehavior, 'NEVER');
    const mock = await n.apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'MOCK', RequestTemplates: { $default: '{"statusCode": 200}' }, TemplateSelectionExpression: '\\$default' }));
    const http = await n.apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationUri: 'http://127.0.0.1:1/x', IntegrationMethod: 'POST' }));
    assert.equal(http.IntegrationMethod, 'POST');
    await rejects(n.apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP', IntegrationUri: 'not a url' })), 'BadRequestException');
    await rejects(n.apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn('f'), PayloadFormatVersion: '2.0' })), 'BadRequestException');

    const ir = await n.apigw.send(new CreateIntegrationResponseCommand({ ApiId: apiId, IntegrationId: mock.IntegrationId!, IntegrationResponseKey: '$default', ResponseTemplates: { $default: '{"ok":true}' }, TemplateSelectionExpression: '\\$default' }));
    assert.equal(ir.IntegrationResponseKey, '$default');
    await rejects(n.apigw.send(new CreateIntegrationResponseCommand({ ApiId: apiId, IntegrationId: mock.IntegrationId!, IntegrationResponseKey: '$default' })), 'ConflictException');
    await rejects(n.apigw.send(new CreateIntegrationResponseCommand({ ApiId: apiId, IntegrationId: mock.IntegrationId!, IntegrationResponseKey: '200' })), 'BadRequestException');
    const err = await n.apigw.send(new CreateIntegrationResponseCommand({ ApiId: apiId, IntegrationId: mock.IntegrationId!, IntegrationResponseKey: '/4\\d\\d/' }));
    const one = await n.apigw.send(new GetIntegrationResponseCommand({ ApiId: apiId, IntegrationId: mock.IntegrationId!, IntegrationResponseId: ir.IntegrationResponseId! }));
    assert.deepEqual(one.ResponseTemplates, { $default: '{"ok":true}' });
    const list = await n.apigw.send(new GetIntegrationResponsesCommand({ ApiId: apiId, IntegrationId: mock.IntegrationId! }));
    assert.equal(list.Items?.length, 2);
    const up = await n.apigw.send(new UpdateIntegrationResponseCommand({ ApiId: apiId, IntegrationId: mock.IntegrationId!, IntegrationResponseId: err.IntegrationResponseId!, IntegrationResponseKey: '/5\\d\\d/' }));
    assert.equal(up.IntegrationResponseKey, '/5\\d\\d/');
    await n.apigw.send(new DeleteIntegrationResponseCommand({ ApiId: apiId, IntegrationId: mock.IntegrationId!, IntegrationResponseId: err.IntegrationResponseId! }));
    assert.equal((await n.apigw.send(new GetIntegrationResponsesCommand({ ApiId: apiId, IntegrationId: mock.IntegrationId! }))).Items?.length, 1);
  });

  it('takes REQUEST authorizers with identity from headers and query strings, on $connect', async () => {
    const a = await n.apigw.send(
      new CreateAuthorizerCommand({ ApiId: apiId, Name: 'auth', AuthorizerType: 'REQUEST', AuthorizerUri: fnArn('auth'), IdentitySource: ['route.request.header.Auth', 'route.request.querystring.token'] }),
    );
    assert.deepEqual(a.IdentitySource, ['route.request.header.Auth', 'route.request.querystring.token']);
    await rejects(n.apigw.send(new CreateAuthorizerCommand({ ApiId: apiId, Name: 'jwt', AuthorizerType: 'JWT', JwtConfiguration: { Issuer: 'https://x', Audience: ['a'] }, IdentitySource: ['route.request.header.Auth'] })), 'BadRequestException');
    await rejects(n.apigw.send(new CreateAuthorizerCommand({ ApiId: apiId, Name: 'bad', AuthorizerType: 'REQUEST', AuthorizerUri: fnArn('auth'), IdentitySource: ['$request.header.Auth'] })), 'BadRequestException', /Invalid identity source/);
    const api = (await n.apigw.send(new CreateApiCommand({ Name: 'secured', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId!;
    const b = await n.apigw.send(new CreateAuthorizerCommand({ ApiId: api, Name: 'auth', AuthorizerType: 'REQUEST', AuthorizerUri: fnArn('auth'), IdentitySource: ['route.request.querystring.token'] }));
    const r = await n.apigw.send(new CreateRouteCommand({ ApiId: api, RouteKey: '$connect', AuthorizationType: 'CUSTOM', AuthorizerId: b.AuthorizerId }));
    assert.equal(r.AuthorizationType, 'CUSTOM');
    const iam = await n.apigw.send(new CreateApiCommand({ Name: 'iam', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }));
    assert.equal((await n.apigw.send(new CreateRouteCommand({ ApiId: iam.ApiId!, RouteKey: '$connect', AuthorizationType: 'AWS_IAM' }))).AuthorizationType, 'AWS_IAM');
  });

  it('keeps stages with throttling and access log settings', async () => {
    const s = await n.apigw.send(
      new CreateStageCommand({
        ApiId: apiId,
        StageName: 'prod',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingBurstLimit: 5, ThrottlingRateLimit: 10 },
        RouteSettings: { sendmessage: { ThrottlingBurstLimit: 1, ThrottlingRateLimit: 1 } },
        AccessLogSettings: { DestinationArn: 'arn:aws:logs:us-east-1:000000000000:log-group:ws', Format: '$context.connectionId $context.eventType' },
      }),
    );
    assert.equal(s.DefaultRouteSettings?.ThrottlingBurstLimit, 5);
    const got = await n.apigw.send(new GetStageCommand({ ApiId: apiId, StageName: 'prod' }));
    assert.equal(got.RouteSettings?.sendmessage?.ThrottlingRateLimit, 1);
    assert.ok(got.DeploymentId, 'an auto-deploy stage is deployed');
  });

  it('refuses WebSocket parts on HTTP APIs', async () => {
    const http = (await n.apigw.send(new CreateApiCommand({ Name: 'h', ProtocolType: 'HTTP' }))).ApiId!;
    const route = await n.apigw.send(new CreateRouteCommand({ ApiId: http, RouteKey: 'GET /x' }));
    await rejects(n.apigw.send(new CreateRouteResponseCommand({ ApiId: http, RouteId: route.RouteId!, RouteResponseKey: '$default' })), 'BadRequestException', /only for WebSocket APIs/);
    await rejects(n.apigw.send(new CreateIntegrationCommand({ ApiId: http, IntegrationType: 'MOCK' })), 'BadRequestException');
    await rejects(n.apigw.send(new CreateRouteCommand({ ApiId: http, RouteKey: '$connect' })), 'BadRequestException');
  });
});
