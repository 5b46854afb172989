/**
 * AWS's WebSocket limits on the injected clock: 10 minutes idle (pings count as activity) and
 * 2 hours in all, both closed with 1001 Going away; 128 KB messages (1009 past it); `$connect`
 * within 29 s (504). Also a MOCK route answering through its integration response's template.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiCommand,
  CreateIntegrationCommand,
  CreateIntegrationResponseCommand,
  CreateRouteCommand,
  CreateRouteResponseCommand,
  CreateStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { CreateTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { dynamoClient } from '../../helpers/dynamodb.js';
import { TEST_CREDENTIALS } from '../../helpers/nimbus.js';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { createFunction } from '../../helpers/lambda.js';
import { permit, startV2, type V2Nimbus } from './v2-helpers.js';
import { connect, wsApi, type Client } from './ws-helpers.js';

const MINUTE = 60_000;

describe('API Gateway WebSocket APIs: limits, and MOCK, SQS and DynamoDB routes', () => {
  let n: V2Nimbus;
  let apiId: string;
  before(async () => {
    n = await startV2();
    apiId = (await n.apigw.send(new CreateApiCommand({ Name: 'mock', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId!;
    const mock = await n.apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'MOCK', RequestTemplates: { $default: '{"statusCode": 200}' }, TemplateSelectionExpression: '\\$default' }));
    await n.apigw.send(
      new CreateIntegrationResponseCommand({
        ApiId: apiId,
        IntegrationId: mock.IntegrationId!,
        IntegrationResponseKey: '$default',
        ResponseTemplates: { $default: '{"got": $input.json(\'$\'), "connectionId": "$context.connectionId", "routeKey": "$context.routeKey"}' },
        TemplateSelectionExpression: '\\$default',
      }),
    );
    const route = await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: '$default', Target: `integrations/${mock.IntegrationId}`, RouteResponseSelectionExpression: '$default' }));
    await n.apigw.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId: route.RouteId!, RouteResponseKey: '$default' }));
    await n.apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: 'dev', AutoDeploy: true }));
  });
  after(() => n.t.stop());

  it('sends a message to SQS through an AWS integration and its request template', async () => {
    const queueUrl = (await n.t.sqs.send(new CreateQueueCommand({ QueueName: 'ws-inbox' }))).QueueUrl!;
    const api = (await n.apigw.send(new CreateApiCommand({ Name: 'to-sqs', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId!;
    const sqs = await n.apigw.send(
      new CreateIntegrationCommand({
        ApiId: api,
        IntegrationType: 'AWS',
        IntegrationMethod: 'POST',
        IntegrationUri: 'arn:aws:apigateway:us-east-1:sqs:path/000000000000/ws-inbox',
        CredentialsArn: 'arn:aws:iam::000000000000:role/apigw-sqs',
        RequestTemplates: { $default: 'Action=SendMessage&MessageBody=$util.urlEncode("$context.connectionId said $input.path(\'$.text\')")' },
        TemplateSelectionExpression: '\\$default',
      }),
    );
    await n.apigw.send(new CreateRouteCommand({ ApiId: api, RouteKey: 'post', Target: `integrations/${sqs.IntegrationId}` }));
    await n.apigw.send(new CreateStageCommand({ ApiId: api, StageName: 'dev', AutoDeploy: true }));
    const c = await connect(n.t, api, 'dev');
    c.ws.send(JSON.stringify({ action: 'post', text: 'hello queue' }));
    let body: string | undefined;
    for (let i = 0; i < 50 && body === undefined; i++) {
      body = (await n.t.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }))).Messages?.[0]?.Body;
      if (body === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    assert.match(body ?? '', /^[A-Za-z0-9_-]{15}= said hello queue$/);
    c.ws.close();
  });

  const pong = (c: Client) =>
    new Promise<void>((resolve) => {
      c.ws.once('pong', () => resolve());
      c.ws.ping();
    });

  it('stores a message in DynamoDB through an AWS integration, answering through integration responses by status', async () => {
    const ddb = dynamoClient(n.t.endpoint);
    await ddb.send(new CreateTableCommand({ TableName: 'ws-messages', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
    const api = (await n.apigw.send(new CreateApiCommand({ Name: 'to-ddb', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId!;
    const put = await n.apigw.send(
      new CreateIntegrationCommand({
        ApiId: api,
        IntegrationType: 'AWS',
        IntegrationMethod: 'POST',
        IntegrationUri: 'arn:aws:apigateway:us-east-1:dynamodb:action/PutItem',
        CredentialsArn: 'arn:aws:iam::000000000000:role/apigw-ddb',
        RequestTemplates: { $default: '{"TableName": "$input.path(\'$.table\')", "Item": {"id": {"S": "$context.requestId"}, "from": {"S": "$context.connectionId"}, "text": {"S": "$input.path(\'$.text\')"}}}' },
        TemplateSelectionExpression: '\\$default',
      }),
    );
    for (const [key, template] of [['/2\\d\\d/', '{"stored": true}'], ['/4\\d\\d/', '{"stored": false, "why": "$input.path(\'$.__type\')"}']]) {
      await n.apigw.send(new CreateIntegrationResponseCommand({ ApiId: api, IntegrationId: put.IntegrationId!, IntegrationResponseKey: key!, ResponseTemplates: { $default: template! }, TemplateSelectionExpression: '\\$default' }));
    }
    const route = await n.apigw.send(new CreateRouteCommand({ ApiId: api, RouteKey: 'store', Target: `integrations/${put.IntegrationId}`, RouteResponseSelectionExpression: '$default' }));
    await n.apigw.send(new CreateRouteResponseCommand({ ApiId: api, RouteId: route.RouteId!, RouteResponseKey: '$default' }));
    await n.apigw.send(new CreateStageCommand({ ApiId: api, StageName: 'dev', AutoDeploy: true }));
    const c = await connect(n.t, api, 'dev');
    c.ws.send(JSON.stringify({ action: 'store', table: 'ws-messages', text: 'kept' }));
    assert.deepEqual(JSON.parse(String(await c.next())), { stored: true });
    const items = (await ddb.send(new ScanCommand({ TableName: 'ws-messages' }))).Items ?? [];
    assert.equal(items.length, 1);
    assert.equal(items[0]!.text!.S, 'kept');
    assert.match(items[0]!.from!.S!, /^[A-Za-z0-9_-]{15}=$/);
    c.ws.send(JSON.stringify({ action: 'store', table: 'no-such-table', text: 'lost' }));
    assert.deepEqual(JSON.parse(String(await c.next())), { stored: false, why: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException' });
    c.ws.close();
  });

  it('answers a MOCK route through its integration response template', async () => {
    const c = await connect(n.t, apiId, 'dev');
    c.ws.send(JSON.stringify({ action: 'anything', n: 1 }));
    const reply = JSON.parse(String(await c.next()));
    assert.deepEqual(reply.got, {});
    assert.equal(reply.routeKey, '$default');
    assert.match(reply.connectionId, /^[A-Za-z0-9_-]{15}=$/);
    c.ws.close();
  });

  it("writes access log lines for $connect, messages and $disconnect in the stage's format", async () => {
    const api = (await n.apigw.send(new CreateApiCommand({ Name: 'logged', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId!;
    const mock = await n.apigw.send(new CreateIntegrationCommand({ ApiId: api, IntegrationType: 'MOCK', RequestTemplates: { $default: '{"statusCode": 200}' } }));
    await n.apigw.send(new CreateRouteCommand({ ApiId: api, RouteKey: '$default', Target: `integrations/${mock.IntegrationId}` }));
    await n.apigw.send(
      new CreateStageCommand({ ApiId: api, StageName: 'dev', AutoDeploy: true, AccessLogSettings: { DestinationArn: 'arn:aws:logs:us-east-1:000000000000:log-group:ws-access', Format: '$context.eventType $context.routeKey $context.status $context.connectionId' } }),
    );
    const c = await connect(n.t, api, 'dev');
    c.ws.send('hello');
    c.ws.send('again');
    await new Promise((r) => setTimeout(r, 100));
    c.ws.close();
    await c.closed;
    const logs = new CloudWatchLogsClient({ endpoint: n.t.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    let lines: string[] = [];
    for (let i = 0; i < 100 && lines.length < 4; i++) {
      try {
        lines = ((await logs.send(new GetLogEventsCommand({ logGroupName: 'ws-access', logStreamName: `${api}_dev` }))).events ?? []).map((e) => e.message!);
      } catch {
        // the group appears with the first line
      }
      if (lines.length < 4) await new Promise((r) => setTimeout(r, 20));
    }
    logs.destroy();
    const id = lines[0]?.split(' ')[3];
    assert.match(id ?? '', /^[A-Za-z0-9_-]{15}=$/);
    assert.deepEqual(lines, [`CONNECT $connect 200 ${id}`, `MESSAGE $default 200 ${id}`, `MESSAGE $default 200 ${id}`, `DISCONNECT $disconnect 200 ${id}`]);
  });

  // First: the clock moves hours ahead below, past what SigV4 signatures made on real time allow.
  it('refuses a $connect whose function does not answer within 29 s with 504', async () => {
    await createFunction(n.lambda, 'slow', { 'index.js': 'exports.handler = () => new Promise((r) => setTimeout(() => r({ statusCode: 200 }), 60000));' }, { Timeout: 120 });
    const slow = await wsApi(n.apigw, { $connect: 'slow' });
    await permit(n.lambda, 'slow', slow);
    const attempt = connect(n.t, slow, 'prod');
    attempt.catch(() => undefined);
    // Wait until the invocation is under way, then move past 29 s.
    await new Promise((r) => setTimeout(r, 300));
    n.t.clock.advance(29_001);
    await assert.rejects(attempt, { status: 504 });
  });

  it('closes a connection idle for 10 minutes with 1001 Going away; frames and pings keep it open', async () => {
    const c = await connect(n.t, apiId, 'dev');
    n.t.clock.advance(9 * MINUTE);
    c.ws.send('still here');
    await c.next();
    n.t.clock.advance(9 * MINUTE);
    await pong(c);
    n.t.clock.advance(9 * MINUTE);
    assert.equal(c.ws.readyState, c.ws.OPEN, 'activity within every 10 minutes keeps it open');
    n.t.clock.advance(MINUTE + 1);
    assert.deepEqual(await c.closed, { code: 1001, reason: 'Going away' });
  });

  it('closes any connection after 2 hours, however active', async () => {
    const c = await connect(n.t, apiId, 'dev');
    for (let t = 0; t < 119; t += 7) {
      n.t.clock.advance(7 * MINUTE);
      await pong(c);
    }
    assert.equal(c.ws.readyState, c.ws.OPEN);
    n.t.clock.advance(2 * MINUTE);
    assert.deepEqual(await c.closed, { code: 1001, reason: 'Going away' });
  });

  it('takes 128 KB messages and closes with 1009 past that', async () => {
    const c = await connect(n.t, apiId, 'dev');
    c.ws.send('x'.repeat(128 * 1024));
    assert.equal(JSON.parse(String(await c.next())).routeKey, '$default');
    c.ws.send('x'.repeat(128 * 1024 + 1));
    assert.equal((await c.closed).code, 1009);
  });

});
