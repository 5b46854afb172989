import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateDeploymentCommand, GetAuthorizersCommand, GetExportCommand, GetMethodCommand, GetModelCommand, GetModelsCommand, GetResourcesCommand, ImportRestApiCommand, PutRestApiCommand } from '@aws-sdk/client-api-gateway';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { invoke, lambdaUri, startV1, type V1Nimbus } from './v1-helpers.js';

const DEFINITION = {
  openapi: '3.0.1',
  info: { title: 'imported', description: 'from OpenAPI', version: '1.0' },
  paths: {
    '/health': {
      get: {
        'x-amazon-apigateway-request-validator': 'params',
        parameters: [{ name: 'probe', in: 'query', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'ok', headers: { 'X-Mock': { schema: { type: 'string' } } } } },
        'x-amazon-apigateway-integration': {
          type: 'mock',
          requestTemplates: { 'application/json': '{"statusCode": 200}' },
          responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '{"healthy": true}' }, responseParameters: { 'method.response.header.X-Mock': "'1'" } } },
        },
      },
    },
    '/pets/{petId}': {
      parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }],
      'x-amazon-apigateway-any-method': {
        security: [{ tokenAuth: [] }, { api_key: [] }],
        responses: {},
        'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: lambdaUri('pets') },
      },
    },
  },
  components: {
    securitySchemes: {
      api_key: { type: 'apiKey', name: 'x-api-key', in: 'header' },
      tokenAuth: {
        type: 'apiKey',
        name: 'Authorization',
        in: 'header',
        'x-amazon-apigateway-authtype': 'custom',
        'x-amazon-apigateway-authorizer': { type: 'token', authorizerUri: lambdaUri('auth'), authorizerResultTtlInSeconds: 60 },
      },
    },
  },
  'x-amazon-apigateway-binary-media-types': ['image/png'],
  'x-amazon-apigateway-request-validators': { params: { validateRequestBody: false, validateRequestParameters: true } },
};

describe('API Gateway v1: ImportRestApi, PutRestApi and GetExport (OpenAPI 3 and Swagger 2)', () => {
  let n: V1Nimbus;
  before(async () => (n = await startV1()));
  after(() => n.t.stop());

  it('imports a definition with API Gateway extensions, serves it once deployed, and exports it back', async () => {
    const api = await n.apigw.send(new ImportRestApiCommand({ body: Buffer.from(JSON.stringify(DEFINITION)), parameters: { endpointConfigurationTypes: 'REGIONAL' } }));
    assert.equal(api.name, 'imported');
    assert.equal(api.description, 'from OpenAPI');
    assert.equal(api.version, '1.0');
    assert.deepEqual(api.binaryMediaTypes, ['image/png']);
    assert.deepEqual(api.endpointConfiguration?.types, ['REGIONAL']);
    const resources = await n.apigw.send(new GetResourcesCommand({ restApiId: api.id }));
    assert.deepEqual(resources.items?.map((r) => r.path).sort(), ['/', '/health', '/pets', '/pets/{petId}']);
    const authorizers = await n.apigw.send(new GetAuthorizersCommand({ restApiId: api.id }));
    assert.deepEqual(
      authorizers.items?.map((a) => [a.name, a.type, a.identitySource, a.authorizerResultTtlInSeconds]),
      [['tokenAuth', 'TOKEN', 'method.request.header.Authorization', 60]],
    );
    const petsId = resources.items!.find((r) => r.path === '/pets/{petId}')!.id;
    const any = await n.apigw.send(new GetMethodCommand({ restApiId: api.id, resourceId: petsId, httpMethod: 'ANY' }));
    assert.equal(any.authorizationType, 'CUSTOM');
    assert.equal(any.authorizerId, authorizers.items![0]!.id);
    assert.equal(any.apiKeyRequired, true);
    assert.deepEqual(any.requestParameters, { 'method.request.path.petId': true });
    assert.equal(any.methodIntegration?.type, 'AWS_PROXY');

    await n.apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'v1' }));
    const unvalidated = await invoke(n.t, api.id!, '/v1/health');
    assert.equal(unvalidated.status, 400);
    assert.deepEqual(unvalidated.json(), { message: 'Missing required request parameters: [probe]' });
    const health = await invoke(n.t, api.id!, '/v1/health?probe=1');
    assert.equal(health.status, 200);
    assert.deepEqual(health.json(), { healthy: true });
    assert.equal(health.headers.get('x-mock'), '1');

    const exported = await n.apigw.send(new GetExportCommand({ restApiId: api.id, stageName: 'v1', exportType: 'oas30', parameters: { extensions: 'integrations' }, accepts: 'application/json' }));
    assert.match(exported.contentType!, /application\/json/);
    const doc = JSON.parse(Buffer.from(exported.body!).toString('utf8'));
    assert.equal(doc.openapi, '3.0.1');
    assert.equal(doc.info.title, 'imported');
    assert.equal(doc.servers[0].variables.basePath.default, 'v1');
    assert.deepEqual(Object.keys(doc.paths).sort(), ['/health', '/pets/{petId}']);
    assert.equal(doc.paths['/pets/{petId}']['x-amazon-apigateway-any-method']['x-amazon-apigateway-integration'].type, 'aws_proxy');
    assert.deepEqual(doc.paths['/pets/{petId}']['x-amazon-apigateway-any-method'].security, [{ tokenAuth: [] }, { api_key: [] }]);
    assert.equal(doc.components.securitySchemes.tokenAuth['x-amazon-apigateway-authorizer'].type, 'token');
    assert.deepEqual(doc['x-amazon-apigateway-binary-media-types'], ['image/png']);
    assert.deepEqual(doc['x-amazon-apigateway-request-validators'], { params: { validateRequestBody: false, validateRequestParameters: true } });
    assert.equal(doc.paths['/health'].get['x-amazon-apigateway-request-validator'], 'params');

    // Without extensions the export is plain OpenAPI; Swagger 2.0 names the stage as its base path.
    const plain = JSON.parse(Buffer.from((await n.apigw.send(new GetExportCommand({ restApiId: api.id, stageName: 'v1', exportType: 'oas30' }))).body!).toString('utf8'));
    assert.equal(plain.paths['/health'].get['x-amazon-apigateway-integration'], undefined);
    const swagger = JSON.parse(Buffer.from((await n.apigw.send(new GetExportCommand({ restApiId: api.id, stageName: 'v1', exportType: 'swagger', parameters: { extensions: 'apigateway' } }))).body!).toString('utf8'));
    assert.equal(swagger.swagger, '2.0');
    assert.equal(swagger.basePath, '/v1');
    assert.ok(swagger.securityDefinitions.tokenAuth);

    // The export imports again as the same API.
    const again = await n.apigw.send(new ImportRestApiCommand({ body: Buffer.from(JSON.stringify(doc)) }));
    assert.deepEqual((await n.apigw.send(new GetResourcesCommand({ restApiId: again.id }))).items?.map((r) => r.path).sort(), ['/', '/health', '/pets', '/pets/{petId}']);
  });

  it('overwrites or merges an existing API with PutRestApi', async () => {
    const api = await n.apigw.send(new ImportRestApiCommand({ body: Buffer.from(JSON.stringify(DEFINITION)) }));
    const extra = { openapi: '3.0.1', info: { title: 'more' }, paths: { '/extra': { get: { responses: {}, 'x-amazon-apigateway-integration': { type: 'mock' } } } } };
    const merged = await n.apigw.send(new PutRestApiCommand({ restApiId: api.id, mode: 'merge', body: Buffer.from(JSON.stringify(extra)) }));
    assert.equal(merged.name, 'imported');
    assert.deepEqual((await n.apigw.send(new GetResourcesCommand({ restApiId: api.id }))).items?.map((r) => r.path).sort(), ['/', '/extra', '/health', '/pets', '/pets/{petId}']);
    const over = await n.apigw.send(new PutRestApiCommand({ restApiId: api.id, mode: 'overwrite', body: Buffer.from(JSON.stringify(extra)) }));
    assert.equal(over.name, 'more');
    assert.equal(over.rootResourceId, api.rootResourceId);
    assert.deepEqual((await n.apigw.send(new GetResourcesCommand({ restApiId: api.id }))).items?.map((r) => r.path).sort(), ['/', '/extra']);
  });

  it('imports schemas as models (OpenAPI 3 and Swagger 2) that methods validate against, and exports them back', async () => {
    const pet = { type: 'object', required: ['name'], properties: { name: { type: 'string' }, owner: { $ref: '#/components/schemas/Owner' } } };
    const oas3 = {
      openapi: '3.0.1',
      info: { title: 'pets-models', version: '1' },
      'x-amazon-apigateway-request-validators': { body: { validateRequestBody: true, validateRequestParameters: false } },
      paths: {
        '/pets': {
          post: {
            'x-amazon-apigateway-request-validator': 'body',
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } }, required: true },
            responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Empty' } } } } },
            'x-amazon-apigateway-integration': { type: 'mock', requestTemplates: { 'application/json': '{"statusCode": 200}' }, responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '{"saved": true}' } } } },
          },
        },
      },
      components: { schemas: { Pet: pet, Owner: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } }, Unused: { type: 'string' } } },
    };
    const api = await n.apigw.send(new ImportRestApiCommand({ body: Buffer.from(JSON.stringify(oas3)) }));
    const restApiId = api.id!;
    const names = (await n.apigw.send(new GetModelsCommand({ restApiId }))).items!.map((m) => m.name);
    assert.deepEqual(names, ['Empty', 'Error', 'Owner', 'Pet', 'Unused']);
    const stored = JSON.parse((await n.apigw.send(new GetModelCommand({ restApiId, modelName: 'Pet' }))).schema!);
    assert.equal(stored.properties.owner.$ref, `https://apigateway.amazonaws.com/restapis/${restApiId}/models/Owner`);
    const resourceId = (await n.apigw.send(new GetResourcesCommand({ restApiId }))).items!.find((r) => r.path === '/pets')!.id!;
    const method = await n.apigw.send(new GetMethodCommand({ restApiId, resourceId, httpMethod: 'POST' }));
    assert.deepEqual(method.requestModels, { 'application/json': 'Pet' });
    assert.deepEqual(method.methodResponses?.['200']?.responseModels, { 'application/json': 'Empty' });

    await n.apigw.send(new CreateDeploymentCommand({ restApiId, stageName: 'v1' }));
    const post = (body: unknown) => invoke(n.t, restApiId, '/v1/pets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await post({ name: 'Rex', owner: { id: 7 } })).status, 200);
    const refused = await post({ name: 'Rex', owner: {} });
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.json(), { message: 'Invalid request body' });

    const exported = JSON.parse(Buffer.from((await n.apigw.send(new GetExportCommand({ restApiId, stageName: 'v1', exportType: 'oas30' }))).body!).toString());
    assert.deepEqual(exported.paths['/pets'].post.requestBody, { content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } }, required: true });
    assert.deepEqual(exported.paths['/pets'].post.responses['200'].content, { 'application/json': { schema: { $ref: '#/components/schemas/Empty' } } });
    assert.deepEqual(Object.keys(exported.components.schemas), ['Empty', 'Owner', 'Pet']);
    assert.deepEqual(exported.components.schemas.Pet, pet);
    const swagger = JSON.parse(Buffer.from((await n.apigw.send(new GetExportCommand({ restApiId, stageName: 'v1', exportType: 'swagger' }))).body!).toString());
    assert.deepEqual(swagger.paths['/pets'].post.parameters, [{ in: 'body', name: 'Pet', required: true, schema: { $ref: '#/definitions/Pet' } }]);
    assert.deepEqual(swagger.paths['/pets'].post.consumes, ['application/json']);
    assert.equal(swagger.definitions.Pet.properties.owner.$ref, '#/definitions/Owner');

    // Swagger 2 in: a body parameter by `consumes`, responses' schema by `produces`; and the export read back in.
    const again = await n.apigw.send(new ImportRestApiCommand({ body: Buffer.from(JSON.stringify({ ...swagger, info: { title: 'again', version: '1' } })) }));
    const againResource = (await n.apigw.send(new GetResourcesCommand({ restApiId: again.id }))).items!.find((r) => r.path === '/pets')!.id!;
    assert.deepEqual((await n.apigw.send(new GetMethodCommand({ restApiId: again.id, resourceId: againResource, httpMethod: 'POST' }))).requestModels, { 'application/json': 'Pet' });

    // A method naming a model the definition lacks is refused.
    const broken = { ...oas3, components: { schemas: { Owner: oas3.components.schemas.Owner } } };
    await assert.rejects(n.apigw.send(new ImportRestApiCommand({ body: Buffer.from(JSON.stringify(broken)) })), { name: 'BadRequestException', message: "Invalid OpenAPI input: POST /pets names model 'Pet', which the definition does not define" });
  });

  it('refuses definitions it cannot read and exports of unknown stages or types', async () => {
    await assert.rejects(n.apigw.send(new ImportRestApiCommand({ body: Buffer.from('openapi: 3.0.1') })), { name: 'BadRequestException' });
    await assert.rejects(n.apigw.send(new ImportRestApiCommand({ body: Buffer.from(JSON.stringify({ openapi: '3.0.1', paths: {} })) })), { name: 'BadRequestException' });
    await assert.rejects(n.apigw.send(new ImportRestApiCommand({ body: Buffer.from(JSON.stringify({ swagger: '1.2', info: { title: 'x' } })) })), { name: 'BadRequestException' });
    const api = await n.apigw.send(new ImportRestApiCommand({ body: Buffer.from(JSON.stringify(DEFINITION)) }));
    await assert.rejects(n.apigw.send(new GetExportCommand({ restApiId: api.id, stageName: 'nope', exportType: 'oas30' })), { name: 'NotFoundException', message: 'Invalid Stage identifier specified' });
    await n.apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 's' }));
    await assert.rejects(n.apigw.send(new GetExportCommand({ restApiId: api.id, stageName: 's', exportType: 'raml' })), { name: 'BadRequestException' });
  });

  it('imports a YAML definition and exports YAML when asked with Accept: application/yaml', async () => {
    const api = await n.apigw.send(new ImportRestApiCommand({ body: Buffer.from(stringifyYaml(DEFINITION)) }));
    assert.equal(api.name, 'imported');
    assert.deepEqual(api.binaryMediaTypes, ['image/png']);
    assert.deepEqual((await n.apigw.send(new GetResourcesCommand({ restApiId: api.id }))).items?.map((r) => r.path).sort(), ['/', '/health', '/pets', '/pets/{petId}']);
    await n.apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'y' }));
    const exported = await n.apigw.send(new GetExportCommand({ restApiId: api.id, stageName: 'y', exportType: 'oas30', accepts: 'application/yaml', parameters: { extensions: 'integrations' } }));
    assert.equal(exported.contentType, 'application/yaml');
    const text = Buffer.from(exported.body!).toString('utf8');
    assert.ok(!text.trimStart().startsWith('{'), 'YAML, not JSON');
    const doc = parseYaml(text);
    assert.equal(doc.info.title, 'imported');
    assert.equal(doc.paths['/health'].get['x-amazon-apigateway-integration'].type, 'mock');
  });

  it('refuses definitions nested without bound and YAML alias bombs with BadRequestException', async () => {
    const deep = '{"items":'.repeat(5000) + '{}' + '}'.repeat(5000);
    const nested = JSON.stringify({ ...DEFINITION, components: { schemas: { Deep: 'DEEP' } } }).replace('"DEEP"', deep);
    await assert.rejects(n.apigw.send(new ImportRestApiCommand({ body: Buffer.from(nested) })), (e: Error) => e.name === 'BadRequestException' && /nests deeper/.test(e.message));
    const yamlDeep = 'openapi: 3.0.1\ninfo: {title: t}\npaths: ' + '['.repeat(3000) + ']'.repeat(3000) + '\n';
    await assert.rejects(n.apigw.send(new ImportRestApiCommand({ body: Buffer.from(yamlDeep) })), { name: 'BadRequestException' });
    const laughs = ['openapi: 3.0.1', 'info: {title: lol}', 'a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill('*' + String.fromCharCode(96 + i)).join(',')}]`);
    await assert.rejects(n.apigw.send(new ImportRestApiCommand({ body: Buffer.from(laughs.join('\n')) })), { name: 'BadRequestException' });
  });
});
