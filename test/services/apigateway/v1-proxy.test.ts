import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, PutIntegrationCommand, PutMethodCommand, UpdateStageCommand } from '@aws-sdk/client-api-gateway';
import { createFunction } from '../../helpers/lambda.js';
import { ACCOUNT } from '../../helpers/nimbus.js';
import { allowApiGateway, invoke, lambdaUri, proxyApi, startV1, type V1Nimbus } from './v1-helpers.js';

/** Answers with the event it got, in a proxy response that also sets single and multi-value headers. */
const ECHO = `exports.handler = async (event) => ({
  statusCode: 201,
  headers: { 'Content-Type': 'application/json', 'X-Single': 'one' },
  multiValueHeaders: { 'X-Multi': ['a', 'b'] },
  body: JSON.stringify(event),
});`;

describe('API Gateway v1 data plane: Lambda proxy integration', () => {
  let n: V1Nimbus;
  before(async () => {
    n = await startV1();
    await createFunction(n.lambda, 'echo', { 'index.js': ECHO });
    await createFunction(n.lambda, 'malformed', { 'index.js': `exports.handler = async (e) => e.path === '/throws' ? (() => { throw new Error('boom'); })() : ({ statusCode: 200, body: { not: 'a string' } });` });
    await createFunction(n.lambda, 'binary', { 'index.js': `exports.handler = async (e) => ({ statusCode: 200, headers: { 'content-type': 'image/png' }, body: Buffer.from([1, 2, 3]).toString('base64'), isBase64Encoded: true });` });
  });
  after(() => n.t.stop());

  it('hands the function the REST proxy event as AWS documents it, field by field', async () => {
    const { apiId, proxyId, rootId } = await proxyApi(n.apigw, 'echo');
    await allowApiGateway(n.lambda, 'echo', apiId, '*/*/*');
    await n.apigw.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/variables/color', value: 'blue' }] }));
    const res = await invoke(n.t, apiId, '/prod/pets/42/toys?x=1&x=2&y=3', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-custom': 'c', 'user-agent': 'test-agent' },
      body: 'hello',
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('x-single'), 'one');
    assert.equal(res.headers.get('x-multi'), 'a, b');
    assert.ok(res.headers.get('x-amzn-requestid'));
    const e = res.json() as Record<string, any>;
    assert.equal(e.resource, '/{proxy+}');
    assert.equal(e.path, '/pets/42/toys');
    assert.equal(e.httpMethod, 'POST');
    assert.equal(e.headers['x-custom'], 'c');
    assert.equal(e.headers['content-type'], 'text/plain');
    assert.deepEqual(e.multiValueHeaders['x-custom'], ['c']);
    // Repeated query keys: the last value in queryStringParameters, every value in the multi-value map.
    assert.deepEqual(e.queryStringParameters, { x: '2', y: '3' });
    assert.deepEqual(e.multiValueQueryStringParameters, { x: ['1', '2'], y: ['3'] });
    assert.deepEqual(e.pathParameters, { proxy: 'pets/42/toys' });
    assert.deepEqual(e.stageVariables, { color: 'blue' });
    assert.equal(e.body, 'hello');
    assert.equal(e.isBase64Encoded, false);
    const c = e.requestContext;
    assert.equal(c.accountId, ACCOUNT);
    assert.equal(c.apiId, apiId);
    assert.equal(c.resourceId, proxyId);
    assert.equal(c.resourcePath, '/{proxy+}');
    assert.equal(c.stage, 'prod');
    assert.equal(c.httpMethod, 'POST');
    assert.equal(c.path, '/prod/pets/42/toys');
    assert.equal(c.protocol, 'HTTP/1.1');
    assert.equal(c.requestTimeEpoch, n.t.clock.now());
    assert.match(c.requestTime, /^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
    assert.equal(c.requestId, res.headers.get('x-amzn-requestid'));
    assert.equal(c.domainName, `${apiId}.execute-api.localhost`);
    assert.equal(c.identity.userAgent, 'test-agent');
    assert.match(c.identity.sourceIp, /^(127\.0\.0\.1|::1)$/);
    assert.equal(c.identity.apiKey, undefined);
    assert.equal(c.identity.cognitoIdentityId, null);

    const root = (await invoke(n.t, apiId, '/prod/')).json() as Record<string, any>;
    assert.equal(root.resource, '/');
    assert.equal(root.path, '/');
    assert.equal(root.pathParameters, null);
    assert.equal(root.queryStringParameters, null);
    assert.equal(root.body, null);
    assert.equal(root.requestContext.resourceId, rootId);
  });

  it('prefers a literal resource over {param}, and serves a method before ANY', async () => {
    const api = await n.apigw.send(new CreateRestApiCommand({ name: 'specific' }));
    const apiId = api.id!;
    const pets = await n.apigw.send(new CreateResourceCommand({ restApiId: apiId, parentId: api.rootResourceId, pathPart: 'pets' }));
    const mine = await n.apigw.send(new CreateResourceCommand({ restApiId: apiId, parentId: pets.id, pathPart: 'mine' }));
    const byId = await n.apigw.send(new CreateResourceCommand({ restApiId: apiId, parentId: pets.id, pathPart: '{petId}' }));
    for (const [resourceId, method] of [
      [mine.id!, 'GET'],
      [byId.id!, 'ANY'],
      [byId.id!, 'DELETE'],
    ] as const) {
      await n.apigw.send(new PutMethodCommand({ restApiId: apiId, resourceId, httpMethod: method, authorizationType: 'NONE' }));
      await n.apigw.send(new PutIntegrationCommand({ restApiId: apiId, resourceId, httpMethod: method, type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('echo') }));
    }
    await n.apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'v1' }));
    await allowApiGateway(n.lambda, 'echo', apiId, '*');

    const literal = (await invoke(n.t, apiId, '/v1/pets/mine')).json() as Record<string, any>;
    assert.equal(literal.resource, '/pets/mine');
    assert.equal(literal.pathParameters, null);
    const param = (await invoke(n.t, apiId, '/v1/pets/rex%20jr', { method: 'PUT' })).json() as Record<string, any>;
    assert.equal(param.resource, '/pets/{petId}');
    assert.deepEqual(param.pathParameters, { petId: 'rex jr' });
    assert.equal(param.requestContext.httpMethod, 'PUT');
    // POST on /pets/mine: only GET is there, so no method serves it.
    const none = await invoke(n.t, apiId, '/v1/pets/mine', { method: 'POST' });
    assert.equal(none.status, 403);
    assert.deepEqual(none.json(), { message: 'Missing Authentication Token' });
    assert.equal(none.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
    const deeper = await invoke(n.t, apiId, '/v1/pets/1/2');
    assert.equal(deeper.status, 403);
    assert.deepEqual(deeper.json(), { message: 'Missing Authentication Token' });
    const noStage = await invoke(n.t, apiId, '/nostage/pets/mine');
    assert.equal(noStage.status, 403);
  });

  it('base64-encodes binary media types both ways', async () => {
    const { apiId } = await proxyApi(n.apigw, 'echo', 'prod', { binaryMediaTypes: ['application/octet-stream'] });
    await allowApiGateway(n.lambda, 'echo', apiId);
    const e = (await invoke(n.t, apiId, '/prod/upload', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array([0, 255, 7]) })).json() as Record<string, any>;
    assert.equal(e.isBase64Encoded, true);
    assert.equal(e.body, Buffer.from([0, 255, 7]).toString('base64'));

    const bin = await proxyApi(n.apigw, 'binary');
    await allowApiGateway(n.lambda, 'binary', bin.apiId);
    const res = await fetch(`${n.t.endpoint}/_nimbus/execute-api/${bin.apiId}/prod/img`);
    assert.equal(res.status, 200);
    assert.deepEqual([...new Uint8Array(await res.arrayBuffer())], [1, 2, 3]);
  });

  it('answers 502 for a malformed proxy answer or a failed function, and 500 without invoke permission', async () => {
    const { apiId } = await proxyApi(n.apigw, 'malformed');
    const denied = await invoke(n.t, apiId, '/prod/x');
    assert.equal(denied.status, 500);
    assert.equal(denied.body, '{"message": "Internal server error"}');

    await allowApiGateway(n.lambda, 'malformed', apiId, 'prod/*');
    const malformed = await invoke(n.t, apiId, '/prod/x');
    assert.equal(malformed.status, 502);
    assert.equal(malformed.body, '{"message": "Internal server error"}');
    const thrown = await invoke(n.t, apiId, '/prod/throws');
    assert.equal(thrown.status, 502);
    assert.deepEqual(thrown.json(), { message: 'Internal server error' });

    // A permission for another stage does not cover this one.
    const other = await proxyApi(n.apigw, 'malformed', 'beta');
    await allowApiGateway(n.lambda, 'malformed', other.apiId, 'prod/*');
    assert.equal((await invoke(n.t, other.apiId, '/beta/x')).status, 500);
  });

  it('puts stage variables into the integration URI (function:${stageVariables.fn})', async () => {
    const api = await n.apigw.send(new CreateRestApiCommand({ name: 'staged' }));
    const base = { restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'GET' };
    await n.apigw.send(new PutMethodCommand({ ...base, authorizationType: 'NONE' }));
    await n.apigw.send(new PutIntegrationCommand({ ...base, type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('${stageVariables.fn}') }));
    await n.apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'blue', variables: { fn: 'echo' } }));
    await n.apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'green', variables: { fn: 'malformed' } }));
    await allowApiGateway(n.lambda, 'echo', api.id!);
    await allowApiGateway(n.lambda, 'malformed', api.id!);
    const blue = await invoke(n.t, api.id!, '/blue/');
    assert.equal(blue.status, 201);
    assert.deepEqual((blue.json() as { stageVariables: unknown }).stageVariables, { fn: 'echo' });
    assert.equal((await invoke(n.t, api.id!, '/green/')).status, 502);
  });

  it('answers Not Found for an unknown API id', async () => {
    const res = await invoke(n.t, 'zzzzzzzzzz', '/prod/x');
    assert.equal(res.status, 404);
    assert.deepEqual(res.json(), { message: 'Not Found' });
  });
});
