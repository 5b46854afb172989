/**
 * WebSocket API models: CreateModel, GetModel, GetModels, UpdateModel, DeleteModel and
 * GetModelTemplate; routes' `requestModels` naming them; and messages validated against the model
 * the route's `modelSelectionExpression` picks (AWS's `Invalid request body` error frame, the
 * integration not run, the validator's findings in the access log).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiCommand,
  CreateIntegrationCommand,
  CreateIntegrationResponseCommand,
  CreateModelCommand,
  CreateRouteCommand,
  CreateRouteResponseCommand,
  CreateStageCommand,
  DeleteModelCommand,
  GetModelCommand,
  GetModelsCommand,
  GetModelTemplateCommand,
  UpdateModelCommand,
  UpdateRouteCommand,
  UpdateRouteResponseCommand,
} from '@aws-sdk/client-apigatewayv2';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { TEST_CREDENTIALS } from '../../helpers/nimbus.js';
import { startV2, type V2Nimbus } from './v2-helpers.js';
import { connect } from './ws-helpers.js';

const EMAIL = JSON.stringify({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', required: ['email'], properties: { email: { type: 'string', pattern: '^[a-z0-9.]+@[a-z0-9.]+$' } } });
const COUNT = JSON.stringify({ type: 'object', required: ['n'], properties: { n: { type: 'integer', minimum: 1 }, tags: { type: 'array', items: { type: 'string' } } } });

const rejects = (p: Promise<unknown>, name: string, message?: string | RegExp) =>
  assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });

describe('API Gateway WebSocket APIs: models and request validation', () => {
  let n: V2Nimbus;
  let apiId: string;
  before(async () => {
    n = await startV2();
    apiId = (await n.apigw.send(new CreateApiCommand({ Name: 'validated', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId!;
  });
  after(() => n.t.stop());

  it('keeps models: create, get, list, update, a refused schema, a taken name, and no models on HTTP APIs', async () => {
    const created = await n.apigw.send(new CreateModelCommand({ ApiId: apiId, Name: 'emailModel', ContentType: 'application/json', Schema: EMAIL, Description: 'an email' }));
    assert.match(created.ModelId!, /^[a-z0-9]{6}$/);
    assert.equal(created.Name, 'emailModel');
    assert.equal(created.Schema, EMAIL);
    const got = await n.apigw.send(new GetModelCommand({ ApiId: apiId, ModelId: created.ModelId }));
    assert.deepEqual([got.Name, got.ContentType, got.Description], ['emailModel', 'application/json', 'an email']);
    await rejects(n.apigw.send(new CreateModelCommand({ ApiId: apiId, Name: 'emailModel', Schema: '{}' })), 'ConflictException', 'Model with name emailModel already exists for this API');
    await rejects(n.apigw.send(new CreateModelCommand({ ApiId: apiId, Name: 'bad', Schema: 'not json' })), 'BadRequestException', 'Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]');
    await rejects(n.apigw.send(new CreateModelCommand({ ApiId: apiId, Name: 'far', Schema: '{"$ref":"http://example.com/x"}' })), 'BadRequestException', /Model reference must be in canonical form/);
    await rejects(n.apigw.send(new CreateModelCommand({ ApiId: apiId, Name: 'has-dash', Schema: '{}' })), 'BadRequestException', /alphanumeric/);
    await rejects(n.apigw.send(new GetModelCommand({ ApiId: apiId, ModelId: 'nope12' })), 'NotFoundException', /Invalid Model identifier specified \d{12}:nope12/);

    const count = await n.apigw.send(new CreateModelCommand({ ApiId: apiId, Name: 'countModel', Schema: COUNT }));
    const updated = await n.apigw.send(new UpdateModelCommand({ ApiId: apiId, ModelId: count.ModelId, Description: 'counts' }));
    assert.equal(updated.Description, 'counts');
    assert.equal(updated.Schema, COUNT);
    await rejects(n.apigw.send(new UpdateModelCommand({ ApiId: apiId, ModelId: count.ModelId, Schema: '[' })), 'BadRequestException');
    const names = (await n.apigw.send(new GetModelsCommand({ ApiId: apiId }))).Items!.map((m) => m.Name).sort();
    assert.deepEqual(names, ['countModel', 'emailModel']);

    const http = (await n.apigw.send(new CreateApiCommand({ Name: 'http', ProtocolType: 'HTTP' }))).ApiId!;
    await rejects(n.apigw.send(new CreateModelCommand({ ApiId: http, Name: 'm', Schema: '{}' })), 'BadRequestException', 'Models are supported only for WebSocket APIs');
  });

  it('gives a model its mapping template (GetModelTemplate)', async () => {
    const m = await n.apigw.send(new CreateModelCommand({ ApiId: apiId, Name: 'templated', Schema: JSON.stringify({ type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } } }) }));
    const { Value } = await n.apigw.send(new GetModelTemplateCommand({ ApiId: apiId, ModelId: m.ModelId }));
    assert.equal(
      Value,
      ["#set($inputRoot = $input.path('$'))", '{', '  "name" : "$inputRoot.name",', '  "age" : $inputRoot.age,', '  "tags" : [', '#foreach($elem in $inputRoot.tags)', '    "$elem"#if($foreach.hasNext),#end', '#end', '  ]', '}'].join('\n'),
    );
  });

  it('validates messages against the model the route selects; a failure is AWS\'s Invalid request body frame and the integration does not run', async () => {
    const api = (await n.apigw.send(new CreateApiCommand({ Name: 'mail', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId!;
    await n.apigw.send(new CreateModelCommand({ ApiId: api, Name: 'emailModel', ContentType: 'application/json', Schema: EMAIL }));
    await n.apigw.send(new CreateModelCommand({ ApiId: api, Name: 'countModel', ContentType: 'application/json', Schema: COUNT }));
    const mock = await n.apigw.send(new CreateIntegrationCommand({ ApiId: api, IntegrationType: 'MOCK', RequestTemplates: { $default: '{"statusCode": 200}' }, TemplateSelectionExpression: '\\$default' }));
    await n.apigw.send(new CreateIntegrationResponseCommand({ ApiId: api, IntegrationId: mock.IntegrationId!, IntegrationResponseKey: '$default', ResponseTemplates: { $default: '{"passed": "$context.routeKey"}' }, TemplateSelectionExpression: '\\$default' }));
    await rejects(
      n.apigw.send(new CreateRouteCommand({ ApiId: api, RouteKey: 'sendMessage', Target: `integrations/${mock.IntegrationId}`, RequestModels: { $default: 'noSuchModel' } })),
      'BadRequestException',
      'Invalid model identifier specified: noSuchModel',
    );
    // sendMessage: one model for every message ($default, no selection expression).
    const send = await n.apigw.send(new CreateRouteCommand({ ApiId: api, RouteKey: 'sendMessage', Target: `integrations/${mock.IntegrationId}`, RouteResponseSelectionExpression: '$default', RequestModels: { $default: 'emailModel' } }));
    await n.apigw.send(new CreateRouteResponseCommand({ ApiId: api, RouteId: send.RouteId!, RouteResponseKey: '$default' }));
    // count: the model chosen by $request.body.kind; no $default model, so an unknown kind fails.
    const count = await n.apigw.send(new CreateRouteCommand({ ApiId: api, RouteKey: 'count', Target: `integrations/${mock.IntegrationId}`, RouteResponseSelectionExpression: '$default', ModelSelectionExpression: '$request.body.kind', RequestModels: { number: 'countModel', mail: 'emailModel' } }));
    await n.apigw.send(new CreateRouteResponseCommand({ ApiId: api, RouteId: count.RouteId!, RouteResponseKey: '$default' }));
    await n.apigw.send(
      new CreateStageCommand({ ApiId: api, StageName: 'dev', AutoDeploy: true, AccessLogSettings: { DestinationArn: 'arn:aws:logs:us-east-1:000000000000:log-group:ws-validation', Format: '$context.routeKey $context.status $context.error.validationErrorString' } }),
    );

    const c = await connect(n.t, api, 'dev');
    const next = async () => JSON.parse(String(await c.next())) as Record<string, string>;
    c.ws.send(JSON.stringify({ action: 'sendMessage', email: 'me@example.com' }));
    assert.deepEqual(await next(), { passed: 'sendMessage' });
    c.ws.send(JSON.stringify({ action: 'sendMessage', email: 'not an email' }));
    const refused = await next();
    assert.equal(refused.message, 'Invalid request body');
    assert.ok(refused.connectionId && refused.requestId);
    c.ws.send(JSON.stringify({ action: 'sendMessage' }));
    assert.equal((await next()).message, 'Invalid request body');

    c.ws.send(JSON.stringify({ action: 'count', kind: 'number', n: 3 }));
    assert.deepEqual(await next(), { passed: 'count' });
    c.ws.send(JSON.stringify({ action: 'count', kind: 'number', n: 0 }));
    assert.equal((await next()).message, 'Invalid request body');
    c.ws.send(JSON.stringify({ action: 'count', kind: 'mail', email: 'a@b.c' }));
    assert.deepEqual(await next(), { passed: 'count' });
    c.ws.send(JSON.stringify({ action: 'count', kind: 'other', n: 3 }));
    assert.equal((await next()).message, 'Invalid request body');
    // With a $default model, an unknown kind falls back to it.
    await n.apigw.send(new UpdateRouteCommand({ ApiId: api, RouteId: count.RouteId!, RequestModels: { number: 'countModel', mail: 'emailModel', $default: 'countModel' } }));
    c.ws.send(JSON.stringify({ action: 'count', kind: 'other', n: 3 }));
    assert.deepEqual(await next(), { passed: 'count' });
    c.ws.close();
    await c.closed;

    const logs = new CloudWatchLogsClient({ endpoint: n.t.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    let lines: string[] = [];
    for (let i = 0; i < 100 && lines.filter((l) => l.startsWith('sendMessage 400')).length < 2; i++) {
      const streams = await logs.send(new GetLogEventsCommand({ logGroupName: 'ws-validation', logStreamName: `${api}_dev`, startFromHead: true })).catch(() => undefined);
      lines = (streams?.events ?? []).map((e) => e.message!);
      if (lines.filter((l) => l.startsWith('sendMessage 400')).length < 2) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(lines.includes('sendMessage 400 [ECMA 262 regex "^[a-z0-9.]+@[a-z0-9.]+$" does not match input string "not an email"]'), lines.join('\n'));
    assert.ok(lines.includes('sendMessage 400 [object has missing required properties (["email"])]'), lines.join('\n'));
    logs.destroy();
  });

  it('refuses deleting a model a route or its route response names, and route responses naming models the API lacks', async () => {
    const api = (await n.apigw.send(new CreateApiCommand({ Name: 'in-use', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId!;
    const m = await n.apigw.send(new CreateModelCommand({ ApiId: api, Name: 'used', Schema: '{"type":"object"}' }));
    const r = await n.apigw.send(new CreateRouteCommand({ ApiId: api, RouteKey: 'go', RequestModels: { $default: 'used' } }));
    await rejects(n.apigw.send(new DeleteModelCommand({ ApiId: api, ModelId: m.ModelId })), 'ConflictException', "Cannot delete model 'used', it is referenced by route go");
    await n.apigw.send(new UpdateRouteCommand({ ApiId: api, RouteId: r.RouteId!, RequestModels: {} }));
    // A route response's models too: only the API's, and in use while named.
    await rejects(n.apigw.send(new CreateRouteResponseCommand({ ApiId: api, RouteId: r.RouteId!, RouteResponseKey: '$default', ResponseModels: { $default: 'nope' } })), 'BadRequestException', 'Invalid model identifier specified: nope');
    const rr = await n.apigw.send(new CreateRouteResponseCommand({ ApiId: api, RouteId: r.RouteId!, RouteResponseKey: '$default', ResponseModels: { $default: 'used' } }));
    await rejects(n.apigw.send(new DeleteModelCommand({ ApiId: api, ModelId: m.ModelId })), 'ConflictException', "Cannot delete model 'used', it is referenced by route go");
    await n.apigw.send(new UpdateRouteResponseCommand({ ApiId: api, RouteId: r.RouteId!, RouteResponseId: rr.RouteResponseId!, ResponseModels: {} }));
    await n.apigw.send(new DeleteModelCommand({ ApiId: api, ModelId: m.ModelId }));
    assert.deepEqual((await n.apigw.send(new GetModelsCommand({ ApiId: api }))).Items, []);
  });
});
