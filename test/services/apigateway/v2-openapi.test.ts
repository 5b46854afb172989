import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { after, before, describe, it } from 'node:test';
import { CreateStageCommand, ExportApiCommand, GetApiCommand, GetAuthorizersCommand, GetIntegrationsCommand, GetRoutesCommand, ImportApiCommand, ReimportApiCommand } from '@aws-sdk/client-apigatewayv2';
import { createFunction } from '../../helpers/lambda.js';
import { fnArn, invoke, permit, startV2, type V2Nimbus } from './v2-helpers.js';

const definition = (title: string, paths: Record<string, unknown>) =>
  JSON.stringify({
    openapi: '3.0.1',
    info: { title, version: '2024-01-01' },
    paths,
    components: {
      securitySchemes: {
        jwt: { type: 'oauth2', flows: {}, 'x-amazon-apigateway-authorizer': { type: 'jwt', identitySource: '$request.header.Authorization', jwtConfiguration: { issuer: 'https://issuer.example', audience: ['app'] } } },
      },
    },
    'x-amazon-apigateway-cors': { allowOrigins: ['https://app.example'], allowMethods: ['GET'] },
  });

const lambda = { type: 'aws_proxy', uri: fnArn('hello'), payloadFormatVersion: '2.0' };

describe('API Gateway v2: OpenAPI import and export', () => {
  let n: V2Nimbus;
  before(async () => {
    n = await startV2();
    await createFunction(n.lambda, 'hello', { 'index.js': `exports.handler = async (event) => ({ routeKey: event.routeKey });` });
  });
  after(() => n.t.stop());

  it('imports routes, integrations, JWT authorizers and CORS; the API serves them; export gives them back', async () => {
    const api = await n.apigw.send(
      new ImportApiCommand({
        Body: definition('imported', {
          '/items/{id}': { get: { operationId: 'getItem', 'x-amazon-apigateway-integration': lambda }, delete: { security: [{ jwt: ['admin'] }], 'x-amazon-apigateway-integration': lambda } },
          $default: { 'x-amazon-apigateway-any-method': { 'x-amazon-apigateway-integration': lambda } },
        }),
      }),
    );
    assert.equal(api.Name, 'imported');
    assert.equal(api.Version, '2024-01-01');
    assert.deepEqual(api.CorsConfiguration, { AllowOrigins: ['https://app.example'], AllowMethods: ['GET'] });
    const routes = (await n.apigw.send(new GetRoutesCommand({ ApiId: api.ApiId }))).Items!;
    assert.deepEqual(routes.map((r) => r.RouteKey).sort(), ['$default', 'DELETE /items/{id}', 'GET /items/{id}']);
    const del = routes.find((r) => r.RouteKey === 'DELETE /items/{id}')!;
    assert.equal(del.AuthorizationType, 'JWT');
    assert.deepEqual(del.AuthorizationScopes, ['admin']);
    const authorizers = (await n.apigw.send(new GetAuthorizersCommand({ ApiId: api.ApiId }))).Items!;
    assert.equal(authorizers.length, 1);
    assert.equal(del.AuthorizerId, authorizers[0]!.AuthorizerId);
    assert.equal(authorizers[0]!.JwtConfiguration?.Issuer, 'https://issuer.example');
    // One integration for the three identical extensions.
    assert.equal((await n.apigw.send(new GetIntegrationsCommand({ ApiId: api.ApiId }))).Items?.length, 1);

    await permit(n.lambda, 'hello', api.ApiId!);
    await n.apigw.send(new CreateStageCommand({ ApiId: api.ApiId, StageName: '$default', AutoDeploy: true }));
    assert.deepEqual(await (await invoke(n.t, api.ApiId!, '/items/1')).json(), { routeKey: 'GET /items/{id}' });
    assert.deepEqual(await (await invoke(n.t, api.ApiId!, '/elsewhere')).json(), { routeKey: '$default' });

    const exported = await n.apigw.send(new ExportApiCommand({ ApiId: api.ApiId, Specification: 'OAS30', OutputType: 'JSON' }));
    const spec = JSON.parse(Buffer.from(exported.body!).toString('utf8'));
    assert.equal(spec.openapi, '3.0.1');
    assert.equal(spec.info.title, 'imported');
    assert.deepEqual(Object.keys(spec.paths).sort(), ['$default', '/items/{id}']);
    assert.equal(spec.paths['/items/{id}'].get.operationId, 'getItem');
    assert.deepEqual(spec.paths['/items/{id}'].get['x-amazon-apigateway-integration'], { ...lambda, connectionType: 'INTERNET', timeoutInMillis: 30000 });
    assert.deepEqual(spec.paths['/items/{id}'].delete.security, [{ jwt: ['admin'] }]);
    assert.equal(spec.components.securitySchemes.jwt['x-amazon-apigateway-authorizer'].jwtConfiguration.issuer, 'https://issuer.example');
    assert.deepEqual(spec['x-amazon-apigateway-cors'], { allowOrigins: ['https://app.example'], allowMethods: ['GET'] });
    // As AWS exports an HTTP API: the server with its basePath variable, path parameters on the path item.
    assert.deepEqual(spec.servers, [{ url: `http://${api.ApiId}.execute-api.localhost:${new URL(n.t.endpoint).port}/{basePath}`, variables: { basePath: { default: '' } } }]);
    assert.deepEqual(spec.paths['/items/{id}'].parameters, [{ name: 'id', in: 'path', description: 'Generated path parameter for id', required: true, schema: { type: 'string' } }]);
    assert.equal(spec.paths['/items/{id}'].get.parameters, undefined);
    const bare = parseYaml(Buffer.from((await n.apigw.send(new ExportApiCommand({ ApiId: api.ApiId, Specification: 'OAS30', OutputType: 'YAML', IncludeExtensions: false }))).body!).toString('utf8'));
    // A YAML export with its extensions imports again as it stands.
    const yamlText = Buffer.from((await n.apigw.send(new ExportApiCommand({ ApiId: api.ApiId, Specification: 'OAS30', OutputType: 'YAML' }))).body!).toString('utf8');
    assert.ok(yamlText.startsWith('openapi:'), 'a YAML document');
    const again = await n.apigw.send(new ImportApiCommand({ Body: yamlText }));
    assert.equal(again.Name, 'imported');
    assert.deepEqual((await n.apigw.send(new GetRoutesCommand({ ApiId: again.ApiId }))).Items!.map((r) => r.RouteKey).sort(), (await n.apigw.send(new GetRoutesCommand({ ApiId: api.ApiId }))).Items!.map((r) => r.RouteKey).sort());
    assert.equal(bare.paths['/items/{id}'].get['x-amazon-apigateway-integration'], undefined);

    // A reimport replaces the parts and keeps the API and its stage.
    await n.apigw.send(new ReimportApiCommand({ ApiId: api.ApiId, Body: definition('reimported', { '/only': { post: { 'x-amazon-apigateway-integration': lambda } } }) }));
    assert.equal((await n.apigw.send(new GetApiCommand({ ApiId: api.ApiId }))).Name, 'reimported');
    assert.deepEqual((await n.apigw.send(new GetRoutesCommand({ ApiId: api.ApiId }))).Items!.map((r) => r.RouteKey), ['POST /only']);
    assert.deepEqual(await (await invoke(n.t, api.ApiId!, '/only', { method: 'POST' })).json(), { routeKey: 'POST /only' });
    assert.equal((await invoke(n.t, api.ApiId!, '/items/1')).status, 404);
  });

  it('exports integrations no route targets as components (unusedIntegration_{id}) and imports them, and routes naming one by $ref', async () => {
    const lambda = { type: 'aws_proxy', httpMethod: 'POST', uri: fnArn('hello'), payloadFormatVersion: '2.0' };
    const spare = { type: 'http_proxy', httpMethod: 'GET', uri: 'https://example.com/spare', payloadFormatVersion: '1.0' };
    const body = JSON.stringify({
      openapi: '3.0.1',
      info: { title: 'components', version: '1' },
      paths: { '/a': { get: { 'x-amazon-apigateway-integration': { $ref: '#/components/x-amazon-apigateway-integrations/shared' } } } },
      components: { 'x-amazon-apigateway-integrations': { shared: lambda, spare } },
    });
    const api = await n.apigw.send(new ImportApiCommand({ Body: body }));
    const integrations = (await n.apigw.send(new GetIntegrationsCommand({ ApiId: api.ApiId }))).Items!;
    assert.deepEqual(integrations.map((i) => i.IntegrationType).sort(), ['AWS_PROXY', 'HTTP_PROXY']);
    const route = (await n.apigw.send(new GetRoutesCommand({ ApiId: api.ApiId }))).Items![0]!;
    assert.equal(route.Target, `integrations/${integrations.find((i) => i.IntegrationType === 'AWS_PROXY')!.IntegrationId}`);
    const spec = JSON.parse(Buffer.from((await n.apigw.send(new ExportApiCommand({ ApiId: api.ApiId, Specification: 'OAS30', OutputType: 'JSON' }))).body!).toString('utf8'));
    const unused = integrations.find((i) => i.IntegrationType === 'HTTP_PROXY')!.IntegrationId;
    assert.deepEqual(Object.keys(spec.components['x-amazon-apigateway-integrations']), [`unusedIntegration_${unused}`]);
    await assert.rejects(
      n.apigw.send(new ImportApiCommand({ Body: body.replace('integrations/shared', 'integrations/none') })),
      { name: 'BadRequestException', message: 'Invalid integration reference #/components/x-amazon-apigateway-integrations/none: no such integration in components.x-amazon-apigateway-integrations' },
    );
  });

  it('refuses definitions it cannot read or that break the rules', async () => {
    const bad = [
      'openapi: 3.0.1',
      JSON.stringify({ swagger: '2.0', info: { title: 'x' }, paths: {} }),
      JSON.stringify({ openapi: '3.0.1', info: {}, paths: {} }),
      definition('x', { '/a': { get: { 'x-amazon-apigateway-integration': { type: 'mock' } } } }),
      definition('x', { '/a': { get: { 'x-amazon-apigateway-integration': { ...lambda, timeoutInMillis: 40000 } } } }),
      definition('x', { '/a/{p+}/b': { get: {} } }),
      definition('x', { '/a': { get: { security: [{ nope: [] }] } } }),
    ];
    for (const body of bad) await assert.rejects(n.apigw.send(new ImportApiCommand({ Body: body })), { name: 'BadRequestException' }, body);
  });
});
