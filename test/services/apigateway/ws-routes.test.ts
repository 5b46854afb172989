import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeleteConnectionCommand, GetConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { CreateApiCommand, CreateAuthorizerCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { AddPermissionCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createFunction } from '../../helpers/lambda.js';
import { fnArn, permit, REGION, startV2, type V2Nimbus } from './v2-helpers.js';
import { connect, connectByHost, managementClient, wsApi } from './ws-helpers.js';

/** Answers every event with the event itself (a two-way route sends it back); `$connect` refuses `?refuse=1` with 400. */
const ECHO = `exports.handler = async (event) => {
  const q = event.queryStringParameters || {};
  if (event.requestContext.eventType === 'CONNECT' && q.refuse) return { statusCode: 400 };
  if (event.requestContext.eventType === 'CONNECT' && q.fail) throw new Error('boom');
  if (event.body && event.body.includes('"throw"')) throw new Error('boom');
  return { statusCode: 200, body: JSON.stringify(event) };
};`;

/** Records every event it gets in the queue ws-events. */
const RECORD = `const { SQSClient, GetQueueUrlCommand, SendMessageCommand } = require('@aws-sdk/client-sqs');
const sqs = new SQSClient({});
exports.handler = async (event) => {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'ws-events' }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(event) }));
  return { statusCode: 200 };
};`;

/** Allows `?token=let-me-in` and passes a context on; denies anything else. */
const AUTHORIZER = `exports.handler = async (event) => {
  const ok = event.queryStringParameters && event.queryStringParameters.token === 'let-me-in';
  return { principalId: 'user-1', context: { tenant: 'acme', seen: event.type + ' ' + event.methodArn }, policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: ok ? 'Allow' : 'Deny', Resource: event.methodArn }] } };
};`;

/**
 * AWS's example of a `$connect` that requires a subprotocol (websocket-connect-route-subprotocol):
 * it chooses `myprotocol` when offered and refuses otherwise; `?pick=x` chooses x whatever was offered.
 */
const SUBPROTOCOL = `exports.handler = async (event) => {
  const headers = {};
  for (const k in event.headers || {}) headers[k.toLowerCase()] = event.headers[k];
  const q = event.queryStringParameters || {};
  if (q.pick) return { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': q.pick } };
  const offered = (headers['sec-websocket-protocol'] || '').split(',').map((p) => p.trim());
  if (offered.indexOf('myprotocol') >= 0) return { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'myprotocol' } };
  return { statusCode: 400 };
};`;

describe('API Gateway WebSocket APIs: routes, events, $connect and @connections', () => {
  let n: V2Nimbus;
  let apiId: string;
  before(async () => {
    n = await startV2();
    await createFunction(n.lambda, 'echo', { 'index.js': ECHO });
    await createFunction(n.lambda, 'auth', { 'index.js': AUTHORIZER });
    await createFunction(n.lambda, 'subprotocol', { 'index.js': SUBPROTOCOL });
    apiId = await wsApi(n.apigw, { $connect: 'echo', $disconnect: 'echo', $default: 'echo', echo: 'echo', oneway: 'echo' }, { twoWay: ['$default', 'echo'] });
    await permit(n.lambda, 'echo', apiId);
  });
  after(() => n.t.stop());

  it('routes by $request.body.action, sends the events AWS documents, and replies through the route response', async () => {
    const before = n.t.clock.now();
    const c = await connect(n.t, apiId, 'prod', { query: 'a=1&a=2', headers: { 'user-agent': 'tester/1.0' } });
    c.ws.send(JSON.stringify({ action: 'echo', text: 'hi' }));
    const e = JSON.parse(String(await c.next()));
    assert.deepEqual(Object.keys(e).sort(), ['body', 'isBase64Encoded', 'requestContext']);
    assert.equal(e.body, '{"action":"echo","text":"hi"}');
    assert.equal(e.isBase64Encoded, false);
    const rc = e.requestContext;
    assert.deepEqual(Object.keys(rc), ['routeKey', 'messageId', 'eventType', 'extendedRequestId', 'requestTime', 'messageDirection', 'stage', 'connectedAt', 'requestTimeEpoch', 'identity', 'requestId', 'domainName', 'connectionId', 'apiId']);
    assert.equal(rc.routeKey, 'echo');
    assert.equal(rc.eventType, 'MESSAGE');
    assert.equal(rc.messageDirection, 'IN');
    assert.equal(rc.stage, 'prod');
    assert.equal(rc.apiId, apiId);
    assert.match(rc.connectionId, /^[A-Za-z0-9_-]{15}=$/);
    assert.match(rc.messageId, /^[A-Za-z0-9_-]{15}=$/);
    assert.ok(rc.connectedAt >= before && rc.connectedAt <= n.t.clock.now());
    assert.match(rc.requestTime, /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    assert.deepEqual(rc.identity, { userAgent: 'tester/1.0', sourceIp: '127.0.0.1' });

    // Not JSON, or an action no route has: the $default route.
    c.ws.send('plain text');
    assert.equal(JSON.parse(String(await c.next())).requestContext.routeKey, '$default');
    c.ws.send(JSON.stringify({ action: 'nope' }));
    assert.equal(JSON.parse(String(await c.next())).requestContext.routeKey, '$default');
    // A binary frame reaches the function base64-encoded.
    c.ws.send(Buffer.from([0, 1, 2, 255]));
    const bin = JSON.parse(String(await c.next()));
    assert.equal(bin.isBase64Encoded, true);
    assert.equal(bin.body, Buffer.from([0, 1, 2, 255]).toString('base64'));
    // A one-way route sends nothing back; a failing function gets AWS's error frame.
    c.ws.send(JSON.stringify({ action: 'oneway' }));
    c.ws.send(JSON.stringify({ action: 'echo', throw: 'throw' }));
    const err = JSON.parse(String(await c.next()));
    assert.deepEqual(Object.keys(err).sort(), ['connectionId', 'message', 'requestId']);
    assert.equal(err.message, 'Internal server error');
    assert.equal(err.connectionId, rc.connectionId);
    c.ws.close(1000, 'bye');
    await c.closed;
  });

  it('sends $connect the upgrade headers and query string, and $disconnect the close code and reason', async () => {
    const queueUrl = (await n.t.sqs.send(new CreateQueueCommand({ QueueName: 'ws-events' }))).QueueUrl!;
    await createFunction(n.lambda, 'record', { 'index.js': RECORD });
    const api = await wsApi(n.apigw, { $connect: 'record', $disconnect: 'record' });
    await permit(n.lambda, 'record', api);
    const c = await connectByHost(n.t, api, 'prod', 'a=1&a=2&b=x');
    c.ws.close(4000, 'client done');
    await c.closed;
    const events: Record<string, { requestContext: Record<string, unknown> } & Record<string, unknown>> = {};
    for (let i = 0; i < 40 && Object.keys(events).length < 2; i++) {
      const r = await n.t.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      for (const m of r.Messages ?? []) {
        const e = JSON.parse(m.Body!);
        events[e.requestContext.eventType] = e;
      }
      if (Object.keys(events).length < 2) await new Promise((r) => setTimeout(r, 50));
    }
    const connectEvent = events.CONNECT!;
    assert.deepEqual(Object.keys(connectEvent).sort(), ['headers', 'isBase64Encoded', 'multiValueHeaders', 'multiValueQueryStringParameters', 'queryStringParameters', 'requestContext']);
    assert.deepEqual(connectEvent.queryStringParameters, { a: '2', b: 'x' });
    assert.deepEqual(connectEvent.multiValueQueryStringParameters, { a: ['1', '2'], b: ['x'] });
    assert.equal((connectEvent.headers as Record<string, string>)['sec-websocket-version'], '13');
    assert.equal(connectEvent.requestContext.eventType, 'CONNECT');
    assert.equal(connectEvent.requestContext.routeKey, '$connect');
    assert.equal(connectEvent.requestContext.domainName, `${api}.execute-api.localhost`);
    assert.equal('messageId' in connectEvent.requestContext, false);
    const d = events.DISCONNECT!;
    const rc = d.requestContext;
    assert.deepEqual(Object.keys(rc), ['routeKey', 'disconnectStatusCode', 'eventType', 'extendedRequestId', 'requestTime', 'messageDirection', 'disconnectReason', 'stage', 'connectedAt', 'requestTimeEpoch', 'identity', 'requestId', 'domainName', 'connectionId', 'apiId']);
    assert.equal(rc.routeKey, '$disconnect');
    assert.equal(rc.disconnectStatusCode, 4000);
    assert.equal(rc.disconnectReason, 'client done');
    assert.equal(rc.connectionId, connectEvent.requestContext.connectionId);
    assert.equal(rc.connectedAt, connectEvent.requestContext.connectedAt);
  });

  it('answers the upgrade with the $connect function status, or AWS 502 when it fails', async () => {
    await assert.rejects(connect(n.t, apiId, 'prod', { query: 'refuse=1' }), { status: 400 });
    await assert.rejects(connect(n.t, apiId, 'prod', { query: 'fail=1' }), { status: 502 });
    await assert.rejects(connect(n.t, apiId, 'nostage'), { status: 403 });
    await assert.rejects(connect(n.t, 'abcdefghij', 'prod'), { status: 404 });
  });

  it("lets the $connect function choose one of the client's subprotocols (Sec-WebSocket-Protocol), and names none otherwise", async () => {
    const api = await wsApi(n.apigw, { $connect: 'subprotocol', $default: 'echo' }, { twoWay: ['$default'] });
    await permit(n.lambda, 'subprotocol', api);
    await permit(n.lambda, 'echo', api);
    // AWS's example: refused without myprotocol, chosen among several.
    await assert.rejects(connect(n.t, api, 'prod', { protocols: ['chat1'] }), { status: 400 });
    await assert.rejects(connect(n.t, api, 'prod'), { status: 400 });
    const c = await connect(n.t, api, 'prod', { protocols: ['chat1', 'myprotocol'] });
    assert.equal(c.ws.protocol, 'myprotocol');
    c.ws.send('hello');
    assert.match(String(await c.next()), /"routeKey":"\$default"/);
    c.ws.close();
    // A choice the client did not offer is not passed on (RFC 6455): the handshake names none, which the client refuses.
    await assert.rejects(connect(n.t, api, 'prod', { query: 'pick=other', protocols: ['chat1'] }), /Server sent no subprotocol/);
    // A $connect that answers no header (the echo function): no subprotocol, as on AWS, where ws's default would take the first offered.
    await assert.rejects(connect(n.t, apiId, 'prod', { protocols: ['chat1'] }), /Server sent no subprotocol/);
    const plain = await connect(n.t, apiId, 'prod');
    assert.equal(plain.ws.protocol, '');
    plain.ws.close();
  });

  it('refuses a $connect its Lambda authorizer denies (403) or that lacks the identity source (401), and passes the context on', async () => {
    const api = (await n.apigw.send(new CreateApiCommand({ Name: 'secured', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId!;
    const auth = await n.apigw.send(new CreateAuthorizerCommand({ ApiId: api, Name: 'auth', AuthorizerType: 'REQUEST', AuthorizerUri: fnArn('auth'), IdentitySource: ['route.request.querystring.token'] }));
    const integ = await n.apigw.send(new CreateIntegrationCommand({ ApiId: api, IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn('echo') }));
    await n.apigw.send(new CreateRouteCommand({ ApiId: api, RouteKey: '$connect', AuthorizationType: 'CUSTOM', AuthorizerId: auth.AuthorizerId, Target: `integrations/${integ.IntegrationId}` }));
    const r = await n.apigw.send(new CreateRouteCommand({ ApiId: api, RouteKey: '$default', Target: `integrations/${integ.IntegrationId}`, RouteResponseSelectionExpression: '$default' }));
    const { CreateRouteResponseCommand } = await import('@aws-sdk/client-apigatewayv2');
    await n.apigw.send(new CreateRouteResponseCommand({ ApiId: api, RouteId: r.RouteId!, RouteResponseKey: '$default' }));
    await n.apigw.send(new CreateStageCommand({ ApiId: api, StageName: 'live', AutoDeploy: true }));
    await permit(n.lambda, 'echo', api, 'secured-echo');
    await n.lambda.send(new AddPermissionCommand({ FunctionName: 'auth', StatementId: 'a', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com', SourceArn: `arn:aws:execute-api:${REGION}:000000000000:${api}/authorizers/${auth.AuthorizerId}` }));

    await assert.rejects(connect(n.t, api, 'live'), { status: 401 });
    await assert.rejects(connect(n.t, api, 'live', { query: 'token=wrong' }), { status: 403 });
    const c = await connect(n.t, api, 'live', { query: 'token=let-me-in' });
    c.ws.send('hello');
    const e = JSON.parse(String(await c.next()));
    assert.deepEqual(e.requestContext.authorizer, { tenant: 'acme', seen: `REQUEST arn:aws:execute-api:${REGION}:000000000000:${api}/live/$connect`, principalId: 'user-1' });
    c.ws.close();
  });

  it('@connections: PostToConnection, GetConnection, DeleteConnection, and GoneException once the client left', async () => {
    const c = await connect(n.t, apiId, 'prod', { headers: { 'user-agent': 'ua/2' } });
    c.ws.send(JSON.stringify({ action: 'echo' }));
    const id: string = JSON.parse(String(await c.next())).requestContext.connectionId;
    const mgmt = managementClient(n.t, apiId, 'prod');
    await mgmt.send(new PostToConnectionCommand({ ConnectionId: id, Data: 'pushed from the server' }));
    assert.equal(await c.next(), 'pushed from the server');
    await mgmt.send(new PostToConnectionCommand({ ConnectionId: id, Data: new Uint8Array([0xff, 0xfe]) }));
    assert.deepEqual(await c.next(), Buffer.from([0xff, 0xfe]));
    n.t.clock.advance(5000);
    const info = await mgmt.send(new GetConnectionCommand({ ConnectionId: id }));
    assert.ok(info.ConnectedAt instanceof Date);
    assert.deepEqual(info.Identity, { SourceIp: '127.0.0.1', UserAgent: 'ua/2' });
    assert.ok(info.LastActiveAt!.getTime() >= info.ConnectedAt!.getTime());
    await assert.rejects(mgmt.send(new PostToConnectionCommand({ ConnectionId: id, Data: 'x'.repeat(128 * 1024 + 1) })), (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, 'PayloadTooLargeException');
      assert.equal(e.$metadata?.httpStatusCode, 413);
      return true;
    });
    await mgmt.send(new DeleteConnectionCommand({ ConnectionId: id }));
    assert.deepEqual(await c.closed, { code: 1001, reason: 'Going away' });
    for (const cmd of [new PostToConnectionCommand({ ConnectionId: id, Data: 'late' }), new GetConnectionCommand({ ConnectionId: id }), new DeleteConnectionCommand({ ConnectionId: id })]) {
      await assert.rejects(mgmt.send(cmd as never), (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(e.name, 'GoneException');
        assert.equal(e.$metadata?.httpStatusCode, 410);
        return true;
      });
    }
  });
});
