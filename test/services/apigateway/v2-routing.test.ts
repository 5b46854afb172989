import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiCommand,
  CreateDeploymentCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
  GetDeploymentsCommand,
  GetRoutesCommand,
  GetStageCommand,
  UpdateApiCommand,
  UpdateRouteCommand,
} from '@aws-sdk/client-apigatewayv2';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { createFunction } from '../../helpers/lambda.js';
import { fnArn, invoke, permit, startV2, type V2Nimbus } from './v2-helpers.js';

/** Answers with the route key and path parameters it was invoked for. */
const WHO = `exports.handler = async (event) => ({ routeKey: event.routeKey, params: event.pathParameters || {}, stage: event.requestContext.stage });`;

describe('API Gateway v2: stages, route selection, CORS and mappings', () => {
  let n: V2Nimbus;
  before(async () => {
    n = await startV2();
    await createFunction(n.lambda, 'who', { 'index.js': WHO });
  });
  after(() => n.t.stop());

  async function api(routes: string[], opts: { cors?: Record<string, unknown> } = {}): Promise<{ apiId: string; integrationId: string }> {
    const apiId = (await n.apigw.send(new CreateApiCommand({ Name: 'routing', ProtocolType: 'HTTP', ...(opts.cors ? { CorsConfiguration: opts.cors } : {}) }))).ApiId!;
    await permit(n.lambda, 'who', apiId);
    const integrationId = (await n.apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn('who'), PayloadFormatVersion: '2.0' }))).IntegrationId!;
    for (const key of routes) await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: key, Target: `integrations/${integrationId}` }));
    return { apiId, integrationId };
  }

  it('picks the most specific route: literal over {param} over {proxy+}, a method over ANY, then $default', async () => {
    const { apiId } = await api(['GET /pets/dog/1', 'GET /pets/dog/{id}', 'GET /pets/{proxy+}', 'ANY /pets/dog/{id}', 'ANY /{proxy+}', '$default', 'GET /', 'POST /pets']);
    await n.apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
    const route = async (method: string, path: string) => (await (await invoke(n.t, apiId, path, { method })).json()) as { routeKey: string; params: Record<string, string> };
    assert.deepEqual(await route('GET', '/pets/dog/1'), { routeKey: 'GET /pets/dog/1', params: {}, stage: '$default' });
    assert.deepEqual((await route('GET', '/pets/dog/2')).routeKey, 'GET /pets/dog/{id}');
    assert.deepEqual((await route('GET', '/pets/dog/2')).params, { id: '2' });
    assert.equal((await route('PUT', '/pets/dog/2')).routeKey, 'ANY /pets/dog/{id}');
    assert.deepEqual(await route('GET', '/pets/cat/9/toys'), { routeKey: 'GET /pets/{proxy+}', params: { proxy: 'cat/9/toys' }, stage: '$default' });
    assert.equal((await route('DELETE', '/pets/cat')).routeKey, 'ANY /{proxy+}');
    assert.equal((await route('POST', '/pets')).routeKey, 'POST /pets');
    assert.equal((await route('GET', '/')).routeKey, 'GET /');
    assert.equal((await route('DELETE', '/')).routeKey, '$default');
    assert.equal((await route('GET', '/pets')).routeKey, 'ANY /{proxy+}');
  });

  it('chooses the stage by the first path segment; a stage without a deployment serves nothing until deployed', async () => {
    const { apiId, integrationId } = await api(['GET /items']);
    await n.apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: 'prod' }));
    await n.apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: 'dev', AutoDeploy: true }));
    assert.equal((await invoke(n.t, apiId, '/prod/items')).status, 404);
    assert.equal((await (await invoke(n.t, apiId, '/dev/items')).json()).stage, 'dev');
    assert.equal((await invoke(n.t, apiId, '/items')).status, 404, 'no $default stage');
    await n.apigw.send(new CreateDeploymentCommand({ ApiId: apiId, StageName: 'prod' }));
    assert.equal((await invoke(n.t, apiId, '/prod/items')).status, 200);
    // A new route reaches the auto-deploy stage at once, the deployed stage only with a new deployment.
    await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /new', Target: `integrations/${integrationId}` }));
    assert.equal((await invoke(n.t, apiId, '/dev/new')).status, 200);
    assert.equal((await invoke(n.t, apiId, '/prod/new')).status, 404);
    await n.apigw.send(new CreateDeploymentCommand({ ApiId: apiId, StageName: 'prod' }));
    assert.equal((await invoke(n.t, apiId, '/prod/new')).status, 200);
    // The auto-deploy stage got an auto deployment per change; only the one it serves is kept.
    const dev = await n.apigw.send(new GetStageCommand({ ApiId: apiId, StageName: 'dev' }));
    const deployments = (await n.apigw.send(new GetDeploymentsCommand({ ApiId: apiId }))).Items!;
    assert.deepEqual(deployments.filter((d) => d.AutoDeployed).map((d) => d.DeploymentId), [dev.DeploymentId]);
    assert.equal(deployments.filter((d) => !d.AutoDeployed).length, 2);
    assert.equal((await invoke(n.t, apiId, '/nostage/items')).status, 404);
  });

  it('answers CORS preflights from the configuration without invoking, and adds CORS headers', async () => {
    const { apiId } = await api(['GET /data'], { cors: { AllowOrigins: ['https://app.example'], AllowMethods: ['GET', 'POST'], AllowHeaders: ['content-type', 'x-custom'], ExposeHeaders: ['x-out'], MaxAge: 300, AllowCredentials: true } });
    await n.apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
    const pre = await invoke(n.t, apiId, '/data', { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.equal(pre.headers.get('access-control-allow-methods'), 'GET,POST');
    assert.equal(pre.headers.get('access-control-allow-headers'), 'content-type,x-custom');
    assert.equal(pre.headers.get('access-control-max-age'), '300');
    assert.equal(pre.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(await pre.text(), '');
    const other = await invoke(n.t, apiId, '/data', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    const get = await invoke(n.t, apiId, '/data', { headers: { origin: 'https://app.example' } });
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.equal(get.headers.get('access-control-expose-headers'), 'x-out');
  });

  it('applies response parameter mappings and refuses a switched-off default endpoint', async () => {
    const apiId = (await n.apigw.send(new CreateApiCommand({ Name: 'map', ProtocolType: 'HTTP' }))).ApiId!;
    await permit(n.lambda, 'who', apiId);
    const integrationId = (
      await n.apigw.send(
        new CreateIntegrationCommand({
          ApiId: apiId,
          IntegrationType: 'AWS_PROXY',
          IntegrationUri: fnArn('who'),
          PayloadFormatVersion: '2.0',
          ResponseParameters: { '200': { 'overwrite:statuscode': '202', 'append:header.x-route': '$context.routeKey', 'overwrite:header.x-stage-var': '$stageVariables.v', 'overwrite:header.x-req': '$request.header.x-in' } },
        }),
      )
    ).IntegrationId!;
    await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /m', Target: `integrations/${integrationId}` }));
    await n.apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true, StageVariables: { v: 'sv' } }));
    const res = await invoke(n.t, apiId, '/m', { headers: { 'x-in': 'hello' } });
    assert.equal(res.status, 202);
    assert.equal(res.headers.get('x-route'), 'GET /m');
    assert.equal(res.headers.get('x-stage-var'), 'sv');
    assert.equal(res.headers.get('x-req'), 'hello');
    await n.apigw.send(new UpdateApiCommand({ ApiId: apiId, DisableExecuteApiEndpoint: true }));
    const off = await invoke(n.t, apiId, '/m');
    assert.equal(off.status, 403);
    assert.deepEqual(await off.json(), { message: 'Forbidden' });
  });

  it('authorizes AWS_IAM routes by SigV4 for execute-api from the API owner', async () => {
    const { apiId } = await api(['GET /private']);
    await n.apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
    const routes = await n.apigw.send(new GetRoutesCommand({ ApiId: apiId }));
    await n.apigw.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: routes.Items![0]!.RouteId, AuthorizationType: 'AWS_IAM' }));
    const unsigned = await invoke(n.t, apiId, '/private');
    assert.equal(unsigned.status, 403);
    assert.deepEqual(await unsigned.json(), { message: 'Forbidden' });
    const url = new URL(`${n.t.endpoint}/_nimbus/execute-api/${apiId}/private`);
    const signer = new SignatureV4({ service: 'execute-api', region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, sha256: Sha256 });
    const signed = await signer.sign({ method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, headers: { host: url.host } });
    const ok = await fetch(url, { headers: signed.headers as Record<string, string> });
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).routeKey, 'GET /private');
  });
});
