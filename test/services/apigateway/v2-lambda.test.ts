import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand, UpdateIntegrationCommand } from '@aws-sdk/client-apigatewayv2';
import { createFunction } from '../../helpers/lambda.js';
import { ACCOUNT } from '../../helpers/nimbus.js';
import { fnArn, invoke, permit, startV2, type V2Nimbus } from './v2-helpers.js';

/** A function that answers with the event it got, or with what the request's `answer` header says. */
const ECHO = `exports.handler = async (event) => {
  const h = event.headers || {};
  const mode = h['x-mode'] || (event.multiValueHeaders && event.multiValueHeaders['x-mode'] && event.multiValueHeaders['x-mode'][0]);
  if (mode === 'string') return 'plain text';
  if (mode === 'object') return { hello: 'world' };
  if (mode === 'malformed') return { statusCode: 'abc', body: 1 };
  if (mode === 'object-body') return { statusCode: 200, body: { not: 'a string' } };
  if (mode === 'throw') throw new Error('boom');
  if (mode === 'explicit') return { statusCode: 201, headers: { 'X-Custom': 'yes', 'Content-Type': 'text/plain' }, cookies: ['a=1', 'b=2; Path=/'], body: 'created' };
  if (mode === 'binary') return { statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, isBase64Encoded: true, body: Buffer.from([0, 1, 2, 255]).toString('base64') };
  if (mode === 'trace') return { trace: process.env._X_AMZN_TRACE_ID || null };
  if (mode === 'v1') return { statusCode: 202, multiValueHeaders: { 'x-multi': ['a', 'b'] }, body: 'v1 body' };
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) };
};`;

describe('API Gateway v2: Lambda proxy integrations', () => {
  let n: V2Nimbus;
  let apiId: string;
  let v2: string;
  let v1: string;
  before(async () => {
    n = await startV2();
    await createFunction(n.lambda, 'echo', { 'index.js': ECHO });
    apiId = (await n.apigw.send(new CreateApiCommand({ Name: 'events', ProtocolType: 'HTTP' }))).ApiId!;
    await permit(n.lambda, 'echo', apiId);
    v2 = (await n.apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn('echo'), PayloadFormatVersion: '2.0' }))).IntegrationId!;
    v1 = (await n.apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn('echo'), PayloadFormatVersion: '1.0' }))).IntegrationId!;
    await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'POST /v2/{kind}/{proxy+}', Target: `integrations/${v2}` }));
    await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'ANY /v2', Target: `integrations/${v2}` }));
    await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /v1/{id}', Target: `integrations/${v1}` }));
    await n.apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: 'prod', AutoDeploy: true, StageVariables: { color: 'blue' } }));
  });
  after(() => n.t.stop());

  it('sends the payload format 2.0 event, field by field', async () => {
    const before = n.t.clock.now();
    const res = await invoke(n.t, apiId, '/prod/v2/books/a/b%20c?x=1&x=2&y=&q=v', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'c1=v1; c2=v2', 'user-agent': 'tester/1.0', 'x-dup': 'one' },
      body: '{"a":1}',
    });
    assert.equal(res.status, 200);
    const e = await res.json();
    assert.deepEqual(Object.keys(e).sort(), ['body', 'cookies', 'headers', 'isBase64Encoded', 'pathParameters', 'queryStringParameters', 'rawPath', 'rawQueryString', 'requestContext', 'routeKey', 'stageVariables', 'version']);
    assert.equal(e.version, '2.0');
    assert.equal(e.routeKey, 'POST /v2/{kind}/{proxy+}');
    assert.equal(e.rawPath, '/prod/v2/books/a/b%20c');
    assert.equal(e.rawQueryString, 'x=1&x=2&y=&q=v');
    assert.deepEqual(e.cookies, ['c1=v1', 'c2=v2']);
    assert.equal(e.headers['content-type'], 'application/json');
    assert.equal(e.headers['user-agent'], 'tester/1.0');
    assert.equal(e.headers['x-dup'], 'one');
    assert.equal(e.headers.cookie, undefined);
    assert.deepEqual(e.queryStringParameters, { x: '1,2', y: '', q: 'v' });
    assert.deepEqual(e.pathParameters, { kind: 'books', proxy: 'a/b c' });
    assert.deepEqual(e.stageVariables, { color: 'blue' });
    assert.equal(e.body, '{"a":1}');
    assert.equal(e.isBase64Encoded, false);
    const rc = e.requestContext;
    assert.deepEqual(Object.keys(rc).sort(), ['accountId', 'apiId', 'domainName', 'domainPrefix', 'http', 'requestId', 'routeKey', 'stage', 'time', 'timeEpoch']);
    assert.equal(rc.accountId, ACCOUNT);
    assert.equal(rc.apiId, apiId);
    assert.equal(rc.domainName, `${apiId}.execute-api.localhost`);
    assert.equal(rc.domainPrefix, apiId);
    assert.deepEqual(rc.http, { method: 'POST', path: '/prod/v2/books/a/b%20c', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'tester/1.0' });
    assert.equal(rc.requestId, res.headers.get('apigw-requestid'));
    assert.equal(rc.routeKey, 'POST /v2/{kind}/{proxy+}');
    assert.equal(rc.stage, 'prod');
    assert.equal(rc.timeEpoch, before);
    assert.match(rc.time, /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('base64-encodes binary bodies and leaves out what a request does not have', async () => {
    const res = await invoke(n.t, apiId, '/prod/v2', { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array([0, 1, 2, 255]) });
    const e = await res.json();
    assert.equal(e.isBase64Encoded, true);
    assert.equal(Buffer.from(e.body, 'base64').toString('hex'), '000102ff');
    assert.equal(e.routeKey, 'ANY /v2');
    assert.equal(e.queryStringParameters, undefined);
    assert.equal(e.pathParameters, undefined);
    assert.equal(e.cookies, undefined);
    const get = await (await invoke(n.t, apiId, '/prod/v2')).json();
    assert.equal(get.body, undefined);
    assert.equal(get.isBase64Encoded, false);
  });

  it('sends the payload format 1.0 event, field by field', async () => {
    const res = await invoke(n.t, apiId, '/prod/v1/42?p=1&p=2&s=x', { headers: { 'user-agent': 'ua', 'x-mode': 'echo' } });
    assert.equal(res.status, 200);
    const e = await res.json();
    assert.deepEqual(Object.keys(e).sort(), ['body', 'headers', 'httpMethod', 'isBase64Encoded', 'multiValueHeaders', 'multiValueQueryStringParameters', 'path', 'pathParameters', 'queryStringParameters', 'requestContext', 'resource', 'stageVariables', 'version']);
    assert.equal(e.version, '1.0');
    assert.equal(e.resource, '/v1/{id}');
    assert.equal(e.path, '/prod/v1/42');
    assert.equal(e.httpMethod, 'GET');
    assert.equal(e.headers['user-agent'], 'ua');
    assert.deepEqual(e.multiValueHeaders['user-agent'], ['ua']);
    assert.deepEqual(e.queryStringParameters, { p: '2', s: 'x' });
    assert.deepEqual(e.multiValueQueryStringParameters, { p: ['1', '2'], s: ['x'] });
    assert.deepEqual(e.pathParameters, { id: '42' });
    assert.deepEqual(e.stageVariables, { color: 'blue' });
    assert.equal(e.body, null);
    assert.equal(e.isBase64Encoded, false);
    const rc = e.requestContext;
    assert.equal(rc.accountId, ACCOUNT);
    assert.equal(rc.apiId, apiId);
    assert.deepEqual(rc.authorizer, { claims: null, scopes: null });
    assert.equal(rc.domainName, `${apiId}.execute-api.localhost`);
    assert.equal(rc.domainPrefix, apiId);
    assert.equal(rc.extendedRequestId, rc.requestId);
    assert.equal(rc.httpMethod, 'GET');
    assert.deepEqual(rc.identity, {
      accessKey: null, accountId: null, caller: null, cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null, cognitoIdentityPoolId: null, principalOrgId: null, sourceIp: '127.0.0.1', user: null, userAgent: 'ua', userArn: null,
    });
    assert.equal(rc.path, '/prod/v1/42');
    assert.equal(rc.protocol, 'HTTP/1.1');
    assert.equal(rc.requestTimeEpoch, n.t.clock.now());
    assert.match(rc.requestTime, /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    assert.equal(rc.resourceId, null);
    assert.equal(rc.resourcePath, '/v1/{id}');
    assert.equal(rc.stage, 'prod');
  });

  it('reads format 2.0 answers: inferred, explicit, cookies, base64', async () => {
    const call = (mode: string) => invoke(n.t, apiId, '/prod/v2', { headers: { 'x-mode': mode } });
    const s = await call('string');
    assert.equal(s.status, 200);
    assert.match(s.headers.get('content-type')!, /^application\/json/);
    assert.equal(await s.text(), 'plain text');
    const o = await call('object');
    assert.equal(o.status, 200);
    assert.deepEqual(await o.json(), { hello: 'world' });
    const x = await call('explicit');
    assert.equal(x.status, 201);
    assert.equal(x.headers.get('x-custom'), 'yes');
    assert.deepEqual(x.headers.getSetCookie(), ['a=1', 'b=2; Path=/']);
    assert.equal(await x.text(), 'created');
    const b = await call('binary');
    assert.equal(Buffer.from(await b.arrayBuffer()).toString('hex'), '000102ff');
  });

  it('reads format 1.0 answers (multiValueHeaders) and requires a statusCode', async () => {
    const r = await invoke(n.t, apiId, '/prod/v1/1', { headers: { 'x-mode': 'v1' } });
    assert.equal(r.status, 202);
    assert.equal(r.headers.get('x-multi'), 'a,b');
    assert.equal(await r.text(), 'v1 body');
    const s = await invoke(n.t, apiId, '/prod/v1/1', { headers: { 'x-mode': 'object' } });
    assert.equal(s.status, 502);
    assert.deepEqual(await s.json(), { message: 'Internal Server Error' });
  });

  it('answers 502 for a malformed answer or a function error', async () => {
    for (const mode of ['malformed', 'object-body', 'throw']) {
      const r = await invoke(n.t, apiId, '/prod/v2', { headers: { 'x-mode': mode } });
      assert.equal(r.status, 502, mode);
      assert.deepEqual(await r.json(), { message: 'Internal Server Error' });
      assert.ok(r.headers.get('apigw-requestid'));
    }
  });

  it('answers 500 when the function cannot be invoked (no permission for this API, or no function)', async () => {
    const other = (await n.apigw.send(new CreateApiCommand({ Name: 'other', ProtocolType: 'HTTP', Target: fnArn('echo') }))).ApiId!;
    const r = await invoke(n.t, other, '/x');
    assert.equal(r.status, 500);
    assert.deepEqual(await r.json(), { message: 'Internal Server Error' });
    await n.apigw.send(new UpdateIntegrationCommand({ ApiId: apiId, IntegrationId: v1, IntegrationUri: fnArn('missing') }));
    const m = await invoke(n.t, apiId, '/prod/v1/1');
    assert.equal(m.status, 500);
    await n.apigw.send(new UpdateIntegrationCommand({ ApiId: apiId, IntegrationId: v1, IntegrationUri: fnArn('echo') }));
  });

  it('passes the X-Amzn-Trace-Id on to the function, keeping an incoming Root', async () => {
    const root = '1-5759e988-bd862e3fe1be46a994272793';
    const traced = await (await invoke(n.t, apiId, '/prod/v2', { headers: { 'x-mode': 'trace', 'x-amzn-trace-id': `Root=${root};Sampled=1` } })).json();
    assert.match(traced.trace, new RegExp(`^Root=${root}`));
    const fresh = await (await invoke(n.t, apiId, '/prod/v2', { headers: { 'x-mode': 'trace' } })).json();
    assert.match(fresh.trace, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}/);
  });

  it('resolves ${stageVariables.x} in the function ARN per stage', async () => {
    await createFunction(n.lambda, 'blue', { 'index.js': `exports.handler = async () => 'blue';` });
    await createFunction(n.lambda, 'green', { 'index.js': `exports.handler = async () => 'green';` });
    const api = (await n.apigw.send(new CreateApiCommand({ Name: 'colors', ProtocolType: 'HTTP' }))).ApiId!;
    await permit(n.lambda, 'blue', api);
    await permit(n.lambda, 'green', api);
    const integration = (await n.apigw.send(new CreateIntegrationCommand({ ApiId: api, IntegrationType: 'AWS_PROXY', IntegrationUri: 'arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}', PayloadFormatVersion: '2.0' }))).IntegrationId!;
    await n.apigw.send(new CreateRouteCommand({ ApiId: api, RouteKey: 'GET /color', Target: `integrations/${integration}` }));
    await n.apigw.send(new CreateStageCommand({ ApiId: api, StageName: 'a', AutoDeploy: true, StageVariables: { fn: 'blue' } }));
    await n.apigw.send(new CreateStageCommand({ ApiId: api, StageName: 'b', AutoDeploy: true, StageVariables: { fn: 'green' } }));
    await n.apigw.send(new CreateStageCommand({ ApiId: api, StageName: 'c', AutoDeploy: true }));
    assert.equal(await (await invoke(n.t, api, '/a/color')).text(), 'blue');
    assert.equal(await (await invoke(n.t, api, '/b/color')).text(), 'green');
    assert.equal((await invoke(n.t, api, '/c/color')).status, 500);
  });

  it('enforces the integration timeout on the clock (503)', async () => {
    await createFunction(n.lambda, 'slow', { 'index.js': `exports.handler = async () => { await new Promise((r) => setTimeout(r, 1500)); return 'late'; };` }, { Timeout: 10 });
    const slowApi = (await n.apigw.send(new CreateApiCommand({ Name: 'slow', ProtocolType: 'HTTP', Target: fnArn('slow') }))).ApiId!;
    await permit(n.lambda, 'slow', slowApi);
    const integration = (await n.apigw.send(new CreateIntegrationCommand({ ApiId: slowApi, IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn('slow'), PayloadFormatVersion: '2.0', TimeoutInMillis: 1000 }))).IntegrationId!;
    await n.apigw.send(new CreateRouteCommand({ ApiId: slowApi, RouteKey: 'GET /slow', Target: `integrations/${integration}` }));
    const pending = invoke(n.t, slowApi, '/slow');
    let done = false;
    void pending.finally(() => (done = true));
    // Move the clock past the timeout while the function is still running (it needs 1.5 s of real time).
    while (!done) {
      await new Promise((r) => setTimeout(r, 20));
      n.t.clock.advance(200);
    }
    const res = await pending;
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { message: 'Service Unavailable' });
  });
});
