import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateDeploymentCommand,
  CreateModelCommand,
  CreateRequestValidatorCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  DeleteModelCommand,
  GetModelCommand,
  GetModelsCommand,
  PutGatewayResponseCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateMethodCommand,
  UpdateModelCommand,
  GetModelTemplateCommand,
} from '@aws-sdk/client-api-gateway';
import { invoke, startV1, type V1Nimbus } from './v1-helpers.js';

const PET = JSON.stringify({
  $schema: 'http://json-schema.org/draft-04/schema#',
  title: 'Pet',
  type: 'object',
  required: ['type', 'price'],
  properties: { type: { type: 'string', enum: ['dog', 'cat'] }, price: { type: 'number', minimum: 25, maximum: 500 }, owner: { $ref: '' } },
});

describe('API Gateway v1: models and request validation', () => {
  let n: V1Nimbus;
  before(async () => (n = await startV1()));
  after(() => n.t.stop());

  it('keeps models: the default Empty and Error, create, conflict, a refused schema, update, methods naming only models the API has, templates, and no deleting a model in use', async () => {
    const api = await n.apigw.send(new CreateRestApiCommand({ name: 'models' }));
    const defaults = await n.apigw.send(new GetModelsCommand({ restApiId: api.id }));
    assert.deepEqual(defaults.items?.map((m) => m.name), ['Empty', 'Error']);
    assert.equal(JSON.parse(defaults.items![0]!.schema!).type, 'object');

    const created = await n.apigw.send(new CreateModelCommand({ restApiId: api.id, name: 'Person', contentType: 'application/json', schema: '{"type":"object","required":["name"]}' }));
    assert.match(created.id!, /^[a-z0-9]+$/);
    assert.equal((await n.apigw.send(new GetModelCommand({ restApiId: api.id, modelName: 'Person' }))).contentType, 'application/json');
    await assert.rejects(n.apigw.send(new CreateModelCommand({ restApiId: api.id, name: 'Person', contentType: 'application/json', schema: '{}' })), { name: 'ConflictException', message: 'Model name already exists for this REST API' });
    await assert.rejects(n.apigw.send(new CreateModelCommand({ restApiId: api.id, name: 'Bad', contentType: 'application/json', schema: 'not json' })), {
      name: 'BadRequestException',
      message: 'Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]',
    });
    await assert.rejects(n.apigw.send(new CreateModelCommand({ restApiId: api.id, name: 'Far', contentType: 'application/json', schema: '{"$ref":"http://example.com/x"}' })), {
      name: 'BadRequestException',
      message: 'Invalid model specified: Validation Result: warnings : [], errors : [Model reference must be in canonical form]',
    });
    await assert.rejects(n.apigw.send(new GetModelCommand({ restApiId: api.id, modelName: 'Nope' })), { name: 'NotFoundException', message: 'Invalid model name specified' });

    const updated = await n.apigw.send(new UpdateModelCommand({ restApiId: api.id, modelName: 'Person', patchOperations: [{ op: 'replace', path: '/description', value: 'a person' }] }));
    assert.equal(updated.description, 'a person');
    await assert.rejects(n.apigw.send(new UpdateModelCommand({ restApiId: api.id, modelName: 'Person', patchOperations: [{ op: 'replace', path: '/schema', value: '[' }] })), { name: 'BadRequestException' });

    await assert.rejects(n.apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'POST', authorizationType: 'NONE', requestModels: { 'application/json': 'Nobody' } })), {
      name: 'BadRequestException',
      message: 'Invalid model identifier specified: Nobody',
    });
    await n.apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'POST', authorizationType: 'NONE', requestModels: { 'application/json': 'Person' } }));
    await assert.rejects(
      n.apigw.send(new UpdateMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'POST', patchOperations: [{ op: 'add', path: '/requestModels/text~1plain', value: 'Nobody' }] })),
      { name: 'BadRequestException', message: 'Invalid model identifier specified: Nobody' },
    );
    const method = await n.apigw.send(new UpdateMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'POST', patchOperations: [{ op: 'add', path: '/requestModels/text~1plain', value: 'Empty' }] }));
    assert.deepEqual(method.requestModels, { 'application/json': 'Person', 'text/plain': 'Empty' });
    const template = await n.apigw.send(new GetModelTemplateCommand({ restApiId: api.id, modelName: 'Error' }));
    assert.equal(template.value, ["#set($inputRoot = $input.path('$'))", '{', '  "message" : "$inputRoot.message"', '}'].join('\n'));
    await assert.rejects(n.apigw.send(new DeleteModelCommand({ restApiId: api.id, modelName: 'Person' })), { name: 'ConflictException', message: "Cannot delete model 'Person', is referenced in method request: //POST" });
    await n.apigw.send(new DeleteModelCommand({ restApiId: api.id, modelName: 'Error' }));
    assert.deepEqual((await n.apigw.send(new GetModelsCommand({ restApiId: api.id }))).items?.map((m) => m.name), ['Empty', 'Person']);
  });

  it('refuses a body its model refuses (400 Invalid request body, the gateway response with $context.error.validationErrorString) and passes one it accepts', async () => {
    const api = await n.apigw.send(new CreateRestApiCommand({ name: 'pets' }));
    const restApiId = api.id!;
    await n.apigw.send(new CreateModelCommand({ restApiId, name: 'Person', contentType: 'application/json', schema: '{"type":"object","required":["name"]}' }));
    await n.apigw.send(new CreateModelCommand({ restApiId, name: 'Pet', contentType: 'application/json', schema: PET.replace('"$ref":""', `"$ref":"https://apigateway.amazonaws.com/restapis/${restApiId}/models/Person"`) }));
    const body = await n.apigw.send(new CreateRequestValidatorCommand({ restApiId, name: 'body', validateRequestBody: true }));
    const resourceId = (await n.apigw.send(new CreateResourceCommand({ restApiId, parentId: api.rootResourceId, pathPart: 'pets' }))).id!;
    await n.apigw.send(new PutMethodCommand({ restApiId, resourceId, httpMethod: 'POST', authorizationType: 'NONE', requestValidatorId: body.id, requestModels: { 'application/json': 'Pet' } }));
    await n.apigw.send(new PutIntegrationCommand({ restApiId, resourceId, httpMethod: 'POST', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await n.apigw.send(new PutMethodResponseCommand({ restApiId, resourceId, httpMethod: 'POST', statusCode: '200' }));
    await n.apigw.send(new PutIntegrationResponseCommand({ restApiId, resourceId, httpMethod: 'POST', statusCode: '200', responseTemplates: { 'application/json': '{"saved": true}' } }));
    await n.apigw.send(new CreateDeploymentCommand({ restApiId, stageName: 'test' }));

    const post = (b: string, contentType = 'application/json') => invoke(n.t, restApiId, '/test/pets', { method: 'POST', headers: { 'content-type': contentType }, body: b });
    const ok = await post('{"type":"dog","price":30,"owner":{"name":"Ann"}}');
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json(), { saved: true });

    const bad = await post('{"type":"bird","price":30}');
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json(), { message: 'Invalid request body' });
    assert.equal(bad.headers.get('x-amzn-errortype'), 'BadRequestException');
    assert.equal((await post('{"type":"dog"}')).status, 400);
    assert.equal((await post('{"type":"dog","price":30,"owner":{}}')).status, 400, 'the other model, named by its URL, is checked too');
    assert.equal((await post('{not json')).status, 400);
    assert.equal((await post('')).status, 400, 'an empty body is checked as {}');

    // The API's own answer for a refused body, with the validator's reasons.
    await n.apigw.send(
      new PutGatewayResponseCommand({ restApiId, responseType: 'BAD_REQUEST_BODY', statusCode: '422', responseTemplates: { 'application/json': '{"error": "$context.error.validationErrorString"}' } }),
    );
    await n.apigw.send(new CreateDeploymentCommand({ restApiId, stageName: 'test' }));
    const custom = await post('{"type":"bird","price":1}');
    assert.equal(custom.status, 422);
    // The string goes into the template as it is (quotes and all), as on AWS.
    assert.equal(custom.body, '{"error": "[instance value ("bird") not found in enum (possible values: ["dog","cat"]), numeric instance is lower than the required minimum (minimum: 25, found: 1)]"}');
  });

  it('checks parameters and body together, and only what the validator asks for', async () => {
    const api = await n.apigw.send(new CreateRestApiCommand({ name: 'both' }));
    const restApiId = api.id!;
    await n.apigw.send(new CreateModelCommand({ restApiId, name: 'Thing', contentType: 'application/json', schema: '{"type":"object","required":["id"]}' }));
    const paramsOnly = await n.apigw.send(new CreateRequestValidatorCommand({ restApiId, name: 'params', validateRequestParameters: true }));
    await n.apigw.send(
      new PutMethodCommand({ restApiId, resourceId: api.rootResourceId, httpMethod: 'PUT', authorizationType: 'NONE', requestValidatorId: paramsOnly.id, requestModels: { $default: 'Thing' }, requestParameters: { 'method.request.querystring.v': true } }),
    );
    await n.apigw.send(new PutIntegrationCommand({ restApiId, resourceId: api.rootResourceId, httpMethod: 'PUT', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await n.apigw.send(new PutMethodResponseCommand({ restApiId, resourceId: api.rootResourceId, httpMethod: 'PUT', statusCode: '200' }));
    await n.apigw.send(new PutIntegrationResponseCommand({ restApiId, resourceId: api.rootResourceId, httpMethod: 'PUT', statusCode: '200', responseTemplates: { 'application/json': '{}' } }));
    await n.apigw.send(new CreateDeploymentCommand({ restApiId, stageName: 's' }));
    const missing = await invoke(n.t, restApiId, '/s/', { method: 'PUT', body: '{}' });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.json(), { message: 'Missing required request parameters: [v]' });
    // The body is not this validator's business.
    assert.equal((await invoke(n.t, restApiId, '/s/?v=1', { method: 'PUT', body: '{}' })).status, 200);
  });
});
