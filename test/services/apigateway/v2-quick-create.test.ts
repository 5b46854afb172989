import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateApiCommand, GetApiCommand, GetDeploymentsCommand, GetIntegrationsCommand, GetRoutesCommand, GetStagesCommand, UpdateApiCommand } from '@aws-sdk/client-apigatewayv2';
import { createFunction } from '../../helpers/lambda.js';
import { fnArn, invoke, invokeByHost, permit, startV2, type V2Nimbus } from './v2-helpers.js';

describe('API Gateway v2: quick create', () => {
  let n: V2Nimbus;
  before(async () => {
    n = await startV2();
    await createFunction(n.lambda, 'hello', { 'index.js': `exports.handler = async (event) => ({ path: event.rawPath, method: event.requestContext.http.method, routeKey: event.routeKey, stage: event.requestContext.stage });` });
  });
  after(() => n.t.stop());

  it('makes the managed route, integration and $default stage, and the invoke URL answers', async () => {
    const api = await n.apigw.send(new CreateApiCommand({ Name: 'quick', ProtocolType: 'HTTP', Target: fnArn('hello') }));
    assert.match(api.ApiId!, /^[a-z0-9]{10}$/);
    assert.equal(api.ApiEndpoint, `http://${api.ApiId}.execute-api.localhost:${n.t.nimbus.port}`);
    assert.equal(api.RouteSelectionExpression, '${request.method} ${request.path}');
    assert.equal(api.ApiKeySelectionExpression, '$request.header.x-api-key');
    assert.ok(api.CreatedDate instanceof Date);

    const routes = await n.apigw.send(new GetRoutesCommand({ ApiId: api.ApiId }));
    assert.equal(routes.Items?.length, 1);
    assert.equal(routes.Items![0]!.RouteKey, '$default');
    assert.equal(routes.Items![0]!.ApiGatewayManaged, true);
    const integrations = await n.apigw.send(new GetIntegrationsCommand({ ApiId: api.ApiId }));
    assert.equal(integrations.Items![0]!.IntegrationType, 'AWS_PROXY');
    assert.equal(integrations.Items![0]!.PayloadFormatVersion, '2.0');
    assert.equal(integrations.Items![0]!.IntegrationUri, fnArn('hello'));
    assert.equal(routes.Items![0]!.Target, `integrations/${integrations.Items![0]!.IntegrationId}`);
    const stages = await n.apigw.send(new GetStagesCommand({ ApiId: api.ApiId }));
    assert.equal(stages.Items![0]!.StageName, '$default');
    assert.equal(stages.Items![0]!.AutoDeploy, true);
    assert.match(stages.Items![0]!.DeploymentId!, /^[a-z0-9]{6}$/);
    const deployments = await n.apigw.send(new GetDeploymentsCommand({ ApiId: api.ApiId }));
    assert.deepEqual(deployments.Items!.map((d) => [d.DeploymentId, d.AutoDeployed]), [[stages.Items![0]!.DeploymentId, true]]);

    // Without the invoke permission the function is not called: 500, as AWS answers.
    const denied = await invoke(n.t, api.ApiId!, '/anything');
    assert.equal(denied.status, 500);
    assert.deepEqual(await denied.json(), { message: 'Internal Server Error' });
    assert.ok(denied.headers.get('apigw-requestid'));

    await permit(n.lambda, 'hello', api.ApiId!);
    const res = await invoke(n.t, api.ApiId!, '/some/path');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /application\/json/);
    assert.ok(res.headers.get('apigw-requestid'));
    assert.deepEqual(await res.json(), { path: '/some/path', method: 'GET', routeKey: '$default', stage: '$default' });

    const byHost = await invokeByHost(n.t.nimbus.port, `${api.ApiId}.execute-api.localhost:${n.t.nimbus.port}`, { method: 'POST', path: '/x' });
    assert.equal(byHost.status, 200);
    assert.deepEqual(JSON.parse(byHost.body), { path: '/x', method: 'POST', routeKey: '$default', stage: '$default' });
    assert.equal((await n.apigw.send(new GetApiCommand({ ApiId: api.ApiId }))).Name, 'quick');
  });

  it('quick create with a route key serves only that route', async () => {
    const api = await n.apigw.send(new CreateApiCommand({ Name: 'quick-get', ProtocolType: 'HTTP', Target: fnArn('hello'), RouteKey: 'GET /items/{id}' }));
    await permit(n.lambda, 'hello', api.ApiId!);
    const ok = await invoke(n.t, api.ApiId!, '/items/7');
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).routeKey, 'GET /items/{id}');
    const miss = await invoke(n.t, api.ApiId!, '/other');
    assert.equal(miss.status, 404);
    assert.deepEqual(await miss.json(), { message: 'Not Found' });
    assert.equal((await invoke(n.t, api.ApiId!, '/items/7', { method: 'POST' })).status, 404);
    // UpdateApi moves the managed route to another key.
    await n.apigw.send(new UpdateApiCommand({ ApiId: api.ApiId, RouteKey: 'POST /orders' }));
    assert.equal((await (await invoke(n.t, api.ApiId!, '/orders', { method: 'POST' })).json()).routeKey, 'POST /orders');
    assert.equal((await invoke(n.t, api.ApiId!, '/items/7')).status, 404);
  });

  it('answers 404 for an API that does not exist', async () => {
    const res = await invoke(n.t, 'abcdefghij', '/');
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { message: 'Not Found' });
  });
});
