import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  DeleteDeploymentCommand,
  DeleteMethodCommand,
  DeleteResourceCommand,
  DeleteRestApiCommand,
  DeleteStageCommand,
  GetDeploymentsCommand,
  GetIntegrationCommand,
  GetIntegrationResponseCommand,
  GetMethodCommand,
  GetResourceCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  GetStageCommand,
  GetStagesCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateIntegrationCommand,
  UpdateMethodCommand,
  UpdateResourceCommand,
  UpdateRestApiCommand,
  UpdateStageCommand,
  type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import { invoke, lambdaUri, startV1, type V1Nimbus } from './v1-helpers.js';

describe('API Gateway v1 control plane: REST APIs, resources, methods, integrations', () => {
  let n: V1Nimbus;
  let apigw: APIGatewayClient;
  before(async () => ((n = await startV1()), (apigw = n.apigw)));
  after(() => n.t.stop());

  it('creates a REST API with its root resource, lists, patches and deletes it', async () => {
    const api = await apigw.send(new CreateRestApiCommand({ name: 'pets', description: 'd', binaryMediaTypes: ['image/png'], tags: { team: 'a' } }));
    assert.match(api.id!, /^[a-z0-9]{10}$/);
    assert.equal(api.name, 'pets');
    assert.equal(api.apiKeySource, 'HEADER');
    assert.deepEqual(api.endpointConfiguration?.types, ['EDGE']);
    assert.deepEqual(api.binaryMediaTypes, ['image/png']);
    assert.ok(api.createdDate instanceof Date && Math.abs(api.createdDate.getTime() - n.t.clock.now()) < 2000);
    const resources = await apigw.send(new GetResourcesCommand({ restApiId: api.id }));
    assert.deepEqual(
      resources.items?.map((r) => [r.id, r.path]),
      [[api.rootResourceId, '/']],
    );

    const updated = await apigw.send(
      new UpdateRestApiCommand({
        restApiId: api.id,
        patchOperations: [
          { op: 'replace', path: '/name', value: 'pets2' },
          { op: 'add', path: '/binaryMediaTypes/image~1jpeg', value: '' },
          { op: 'remove', path: '/binaryMediaTypes/image~1png' },
          { op: 'replace', path: '/apiKeySource', value: 'AUTHORIZER' },
          { op: 'replace', path: '/endpointConfiguration/types/EDGE', value: 'REGIONAL' },
        ],
      }),
    );
    assert.equal(updated.name, 'pets2');
    assert.deepEqual(updated.binaryMediaTypes, ['image/jpeg']);
    assert.equal(updated.apiKeySource, 'AUTHORIZER');
    assert.deepEqual(updated.endpointConfiguration?.types, ['REGIONAL']);
    await assert.rejects(apigw.send(new UpdateRestApiCommand({ restApiId: api.id, patchOperations: [{ op: 'replace', path: '/nope', value: 'x' }] })), (e: Error) => {
      assert.equal(e.name, 'BadRequestException');
      assert.match(e.message, /^Invalid patch path {2}'\/nope' specified for op 'replace'\. Must be one of: \[/);
      return true;
    });
    await assert.rejects(apigw.send(new UpdateRestApiCommand({ restApiId: api.id, patchOperations: [{ op: 'replace', path: '/minimumCompressionSize', value: 'abc' }] })), { name: 'BadRequestException' });

    const list = await apigw.send(new GetRestApisCommand({}));
    assert.ok(list.items?.some((a) => a.id === api.id && a.name === 'pets2'));
    await apigw.send(new DeleteRestApiCommand({ restApiId: api.id }));
    await assert.rejects(apigw.send(new GetRestApiCommand({ restApiId: api.id })), { name: 'NotFoundException', message: 'Invalid REST API identifier specified' });
    await assert.rejects(apigw.send(new DeleteRestApiCommand({ restApiId: api.id })), { name: 'NotFoundException' });
  });

  it('validates input with BadRequestException before looking anything up', async () => {
    await assert.rejects(apigw.send(new CreateRestApiCommand({ name: undefined as never })), { name: 'BadRequestException' });
    await assert.rejects(apigw.send(new CreateRestApiCommand({ name: 'x', apiKeySource: 'BODY' as never })), { name: 'BadRequestException' });
    await assert.rejects(apigw.send(new CreateRestApiCommand({ name: 'x', policy: '{not json' })), { name: 'BadRequestException' });
  });

  it('builds a resource tree with {param} and {proxy+}, and keeps paths in step when a part moves', async () => {
    const api = await apigw.send(new CreateRestApiCommand({ name: 'tree' }));
    const root = api.rootResourceId!;
    const pets = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: root, pathPart: 'pets' }));
    const pet = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: pets.id, pathPart: '{petId}' }));
    const proxy = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: pet.id, pathPart: '{proxy+}' }));
    assert.equal(pets.path, '/pets');
    assert.equal(pet.path, '/pets/{petId}');
    assert.equal(proxy.path, '/pets/{petId}/{proxy+}');
    assert.equal(pet.parentId, pets.id);

    await assert.rejects(apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: root, pathPart: 'pets' })), {
      name: 'ConflictException',
      message: 'Another resource with the same parent already has this name: pets',
    });
    await assert.rejects(apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: pets.id, pathPart: '{other}' })), { name: 'BadRequestException' });
    await assert.rejects(apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: root, pathPart: 'a b' })), {
      name: 'BadRequestException',
      message: "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.",
    });
    await assert.rejects(apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: 'nope00', pathPart: 'x' })), { name: 'NotFoundException', message: 'Invalid Resource identifier specified' });
    await assert.rejects(apigw.send(new CreateResourceCommand({ restApiId: 'abcdefghij', parentId: root, pathPart: 'x' })), { name: 'NotFoundException', message: 'Invalid REST API identifier specified' });

    const moved = await apigw.send(new UpdateResourceCommand({ restApiId: api.id, resourceId: pets.id, patchOperations: [{ op: 'replace', path: '/pathPart', value: 'animals' }] }));
    assert.equal(moved.path, '/animals');
    assert.equal((await apigw.send(new GetResourceCommand({ restApiId: api.id, resourceId: proxy.id }))).path, '/animals/{petId}/{proxy+}');

    await apigw.send(new DeleteResourceCommand({ restApiId: api.id, resourceId: pets.id }));
    const left = await apigw.send(new GetResourcesCommand({ restApiId: api.id }));
    assert.deepEqual(
      left.items?.map((r) => r.path),
      ['/'],
    );
  });

  it('puts methods and integrations with their responses, patches them, and embeds methods on request', async () => {
    const api = await apigw.send(new CreateRestApiCommand({ name: 'methods' }));
    const r = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: 'items' }));
    const m = await apigw.send(
      new PutMethodCommand({ restApiId: api.id, resourceId: r.id, httpMethod: 'GET', authorizationType: 'NONE', apiKeyRequired: true, requestParameters: { 'method.request.querystring.q': false } }),
    );
    assert.equal(m.httpMethod, 'GET');
    assert.equal(m.apiKeyRequired, true);
    assert.deepEqual(m.requestParameters, { 'method.request.querystring.q': false });
    await assert.rejects(apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: r.id, httpMethod: 'GET', authorizationType: 'NONE' })), {
      name: 'ConflictException',
      message: 'Method already exists for this resource',
    });
    await assert.rejects(apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: r.id, httpMethod: 'POST', authorizationType: 'CUSTOM', authorizerId: 'zzzzzz' })), { name: 'BadRequestException' });
    await assert.rejects(apigw.send(new GetMethodCommand({ restApiId: api.id, resourceId: r.id, httpMethod: 'POST' })), { name: 'NotFoundException', message: 'Invalid Method identifier specified' });
    await assert.rejects(apigw.send(new GetIntegrationCommand({ restApiId: api.id, resourceId: r.id, httpMethod: 'GET' })), { name: 'NotFoundException', message: 'Invalid Integration identifier specified' });

    await assert.rejects(
      apigw.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: r.id, httpMethod: 'GET', type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('f'), timeoutInMillis: 30000 })),
      { name: 'BadRequestException', message: 'Timeout should be between 50 ms and 29000 ms' },
    );
    await assert.rejects(apigw.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: r.id, httpMethod: 'GET', type: 'HTTP', integrationHttpMethod: 'GET', uri: 'not-a-url' })), {
      name: 'BadRequestException',
      message: 'Invalid HTTP endpoint specified for URI',
    });
    const i = await apigw.send(
      new PutIntegrationCommand({
        restApiId: api.id,
        resourceId: r.id,
        httpMethod: 'GET',
        type: 'AWS',
        integrationHttpMethod: 'POST',
        uri: lambdaUri('f'),
        requestTemplates: { 'application/json': '{"q": "$input.params(\'q\')"}' },
        passthroughBehavior: 'WHEN_NO_TEMPLATES',
      }),
    );
    assert.equal(i.type, 'AWS');
    assert.equal(i.httpMethod, 'POST');
    assert.equal(i.timeoutInMillis, 29000);
    assert.equal(i.passthroughBehavior, 'WHEN_NO_TEMPLATES');
    assert.deepEqual(i.cacheKeyParameters, []);

    await assert.rejects(apigw.send(new PutIntegrationResponseCommand({ restApiId: api.id, resourceId: r.id, httpMethod: 'GET', statusCode: '200' })), {
      name: 'NotFoundException',
      message: 'Invalid Response status code specified',
    });
    await apigw.send(new PutMethodResponseCommand({ restApiId: api.id, resourceId: r.id, httpMethod: 'GET', statusCode: '200', responseParameters: { 'method.response.header.X-A': false } }));
    const ir = await apigw.send(
      new PutIntegrationResponseCommand({ restApiId: api.id, resourceId: r.id, httpMethod: 'GET', statusCode: '200', selectionPattern: '', responseTemplates: { 'application/json': '$input.body' } }),
    );
    assert.equal(ir.statusCode, '200');
    const patched = await apigw.send(
      new UpdateIntegrationCommand({
        restApiId: api.id,
        resourceId: r.id,
        httpMethod: 'GET',
        patchOperations: [
          { op: 'replace', path: '/timeoutInMillis', value: '1000' },
          { op: 'add', path: '/requestTemplates/text~1plain', value: 'plain' },
          { op: 'remove', path: '/requestTemplates/application~1json' },
        ],
      }),
    );
    assert.equal(patched.timeoutInMillis, 1000);
    assert.deepEqual(patched.requestTemplates, { 'text/plain': 'plain' });
    assert.equal(patched.integrationResponses?.['200']?.responseTemplates?.['application/json'], '$input.body');
    await assert.rejects(apigw.send(new UpdateIntegrationCommand({ restApiId: api.id, resourceId: r.id, httpMethod: 'GET', patchOperations: [{ op: 'replace', path: '/timeoutInMillis', value: '10' }] })), {
      name: 'BadRequestException',
      message: 'Timeout should be between 50 ms and 29000 ms',
    });

    const um = await apigw.send(
      new UpdateMethodCommand({
        restApiId: api.id,
        resourceId: r.id,
        httpMethod: 'GET',
        patchOperations: [
          { op: 'replace', path: '/apiKeyRequired', value: 'false' },
          { op: 'add', path: '/requestParameters/method.request.header.X-B', value: 'true' },
        ],
      }),
    );
    assert.equal(um.apiKeyRequired, false);
    assert.deepEqual(um.requestParameters, { 'method.request.querystring.q': false, 'method.request.header.X-B': true });
    assert.equal(um.methodIntegration?.type, 'AWS');

    const plain = await apigw.send(new GetResourcesCommand({ restApiId: api.id }));
    assert.deepEqual(plain.items?.find((x) => x.id === r.id)?.resourceMethods, { GET: {} });
    const embedded = await apigw.send(new GetResourcesCommand({ restApiId: api.id, embed: ['methods'] }));
    assert.equal(embedded.items?.find((x) => x.id === r.id)?.resourceMethods?.GET?.methodIntegration?.uri, lambdaUri('f'));
    assert.equal((await apigw.send(new GetIntegrationResponseCommand({ restApiId: api.id, resourceId: r.id, httpMethod: 'GET', statusCode: '200' }))).selectionPattern, '');

    await apigw.send(new DeleteMethodCommand({ restApiId: api.id, resourceId: r.id, httpMethod: 'GET' }));
    await assert.rejects(apigw.send(new GetMethodCommand({ restApiId: api.id, resourceId: r.id, httpMethod: 'GET' })), { name: 'NotFoundException' });
  });

  it('deploys to stages, patches stage settings, and protects deployments in use', async () => {
    const api = await apigw.send(new CreateRestApiCommand({ name: 'stages' }));
    await assert.rejects(apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'prod' })), {
      name: 'BadRequestException',
      message: "The REST API doesn't contain any methods",
    });
    await apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'GET', authorizationType: 'NONE' }));
    await assert.rejects(apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'prod' })), { name: 'BadRequestException', message: 'No integration defined for method' });
    await apigw.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'GET', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    const d1 = await apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'prod', description: 'first', variables: { color: 'blue' } }));
    const stage = await apigw.send(new GetStageCommand({ restApiId: api.id, stageName: 'prod' }));
    assert.equal(stage.deploymentId, d1.id);
    assert.deepEqual(stage.variables, { color: 'blue' });
    assert.equal(stage.cacheClusterStatus, 'NOT_AVAILABLE');

    const d2 = await apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'prod' }));
    assert.equal((await apigw.send(new GetStageCommand({ restApiId: api.id, stageName: 'prod' }))).deploymentId, d2.id);
    assert.equal((await apigw.send(new GetDeploymentsCommand({ restApiId: api.id }))).items?.length, 2);
    await assert.rejects(apigw.send(new CreateStageCommand({ restApiId: api.id, stageName: 'prod', deploymentId: d1.id })), { name: 'ConflictException', message: 'Stage already exists' });
    await assert.rejects(apigw.send(new CreateStageCommand({ restApiId: api.id, stageName: 'dev', deploymentId: 'nope00' })), { name: 'NotFoundException', message: 'Invalid Deployment identifier specified' });
    await apigw.send(new CreateStageCommand({ restApiId: api.id, stageName: 'dev', deploymentId: d1.id, variables: { color: 'green' } }));
    assert.deepEqual((await apigw.send(new GetStagesCommand({ restApiId: api.id }))).item?.map((s) => s.stageName), ['dev', 'prod']);

    const patched = await apigw.send(
      new UpdateStageCommand({
        restApiId: api.id,
        stageName: 'dev',
        patchOperations: [
          { op: 'replace', path: '/*/*/throttling/rateLimit', value: '5' },
          { op: 'replace', path: '/*/*/throttling/burstLimit', value: '2' },
          { op: 'replace', path: '/~1/GET/logging/loglevel', value: 'INFO' },
          { op: 'replace', path: '/variables/size', value: 'xl' },
          { op: 'remove', path: '/variables/color' },
          { op: 'replace', path: '/accessLogSettings/destinationArn', value: 'arn:aws:logs:us-east-1:000000000000:log-group:access' },
          { op: 'replace', path: '/accessLogSettings/format', value: '$context.requestId' },
          { op: 'replace', path: '/deploymentId', value: d2.id! },
        ],
      }),
    );
    assert.equal(patched.methodSettings?.['*/*']?.throttlingRateLimit, 5);
    assert.equal(patched.methodSettings?.['*/*']?.throttlingBurstLimit, 2);
    assert.equal(patched.methodSettings?.['~1/GET']?.loggingLevel, 'INFO');
    assert.deepEqual(patched.variables, { size: 'xl' });
    assert.deepEqual(patched.accessLogSettings, { destinationArn: 'arn:aws:logs:us-east-1:000000000000:log-group:access', format: '$context.requestId' });
    assert.equal(patched.deploymentId, d2.id);
    await assert.rejects(apigw.send(new UpdateStageCommand({ restApiId: api.id, stageName: 'dev', patchOperations: [{ op: 'replace', path: '/deploymentId', value: 'nope00' }] })), {
      name: 'NotFoundException',
    });

    await assert.rejects(apigw.send(new DeleteDeploymentCommand({ restApiId: api.id, deploymentId: d2.id })), {
      name: 'BadRequestException',
      message: 'Active stages pointing to this deployment must be moved or deleted',
    });
    await apigw.send(new DeleteDeploymentCommand({ restApiId: api.id, deploymentId: d1.id }));
    await apigw.send(new DeleteStageCommand({ restApiId: api.id, stageName: 'dev' }));
    await assert.rejects(apigw.send(new GetStageCommand({ restApiId: api.id, stageName: 'dev' })), { name: 'NotFoundException', message: 'Invalid Stage identifier specified' });
  });
});

describe('API Gateway v1: REST APIs, keys and plans survive a restart', () => {
  it('serves a deployed API from the store after Nimbus restarts on the same data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-apigw-v1-'));
    try {
      const first = await startV1({ dataDir });
      const api = await first.apigw.send(new CreateRestApiCommand({ name: 'durable' }));
      const base = { restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'GET' };
      await first.apigw.send(new PutMethodCommand({ ...base, authorizationType: 'NONE' }));
      await first.apigw.send(new PutIntegrationCommand({ ...base, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
      await first.apigw.send(new PutMethodResponseCommand({ ...base, statusCode: '200' }));
      await first.apigw.send(new PutIntegrationResponseCommand({ ...base, statusCode: '200', responseTemplates: { 'application/json': '{"durable": true}' } }));
      await first.apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'prod' }));
      first.apigw.destroy();
      await first.t.stop();

      const second = await startV1({ dataDir });
      try {
        assert.equal((await second.apigw.send(new GetRestApiCommand({ restApiId: api.id }))).name, 'durable');
        const res = await invoke(second.t, api.id!, '/prod/');
        assert.equal(res.status, 200);
        assert.deepEqual(res.json(), { durable: true });
      } finally {
        await second.t.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
