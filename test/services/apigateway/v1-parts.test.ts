import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateAuthorizerCommand,
  CreateRequestValidatorCommand,
  DeleteRequestValidatorCommand,
  GetRequestValidatorCommand,
  GetRequestValidatorsCommand,
  PutIntegrationResponseCommand,
  PutMethodResponseCommand,
  UpdateRequestValidatorCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  CreateDeploymentCommand,
  DeleteAuthorizerCommand,
  DeleteGatewayResponseCommand,
  GetAuthorizerCommand,
  GetAuthorizersCommand,
  GetGatewayResponseCommand,
  GetGatewayResponsesCommand,
  GetTagsCommand,
  PutGatewayResponseCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAuthorizerCommand,
  UpdateGatewayResponseCommand,
} from '@aws-sdk/client-api-gateway';
import { awsCli, cliSkip, removeCliHome } from '../../helpers/aws-cli.js';
import { invoke, lambdaUri, startV1, type V1Nimbus } from './v1-helpers.js';

describe('API Gateway v1 control plane: authorizers, gateway responses, tags, and the AWS CLI', () => {
  let n: V1Nimbus;
  before(async () => (n = await startV1()));
  after(async () => {
    removeCliHome();
    await n.t.stop();
  });

  it('creates, patches and deletes TOKEN and REQUEST authorizers, refusing one still used by a method', async () => {
    const api = await n.apigw.send(new CreateRestApiCommand({ name: 'auth' }));
    const token = await n.apigw.send(
      new CreateAuthorizerCommand({ restApiId: api.id, name: 'tok', type: 'TOKEN', authorizerUri: lambdaUri('a'), identitySource: 'method.request.header.Authorization', identityValidationExpression: '^Bearer .+$' }),
    );
    assert.match(token.id!, /^[a-z0-9]{6}$/);
    assert.equal(token.authorizerResultTtlInSeconds, 300);
    assert.equal(token.identityValidationExpression, '^Bearer .+$');
    await assert.rejects(n.apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'x', type: 'TOKEN', authorizerUri: lambdaUri('a'), identitySource: 'method.request.querystring.t' })), {
      name: 'BadRequestException',
    });
    await assert.rejects(n.apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'x', type: 'TOKEN', identitySource: 'method.request.header.A' })), { name: 'BadRequestException' });
    await assert.rejects(
      n.apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'x', type: 'REQUEST', authorizerUri: lambdaUri('a'), identitySource: 'method.request.header.A', authorizerResultTtlInSeconds: 3601 })),
      { name: 'BadRequestException' },
    );
    const req = await n.apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'req', type: 'REQUEST', authorizerUri: lambdaUri('a'), identitySource: 'method.request.header.A, method.request.querystring.b', authorizerResultTtlInSeconds: 0 }));
    assert.equal(req.authorizerResultTtlInSeconds, 0);
    assert.deepEqual(
      (await n.apigw.send(new GetAuthorizersCommand({ restApiId: api.id }))).items?.map((a) => a.name).sort(),
      ['req', 'tok'],
    );
    const patched = await n.apigw.send(
      new UpdateAuthorizerCommand({
        restApiId: api.id,
        authorizerId: token.id,
        patchOperations: [
          { op: 'replace', path: '/authorizerResultTtlInSeconds', value: '60' },
          { op: 'replace', path: '/name', value: 'token2' },
        ],
      }),
    );
    assert.equal(patched.authorizerResultTtlInSeconds, 60);
    assert.equal(patched.name, 'token2');

    await n.apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'GET', authorizationType: 'CUSTOM', authorizerId: token.id }));
    await assert.rejects(n.apigw.send(new DeleteAuthorizerCommand({ restApiId: api.id, authorizerId: token.id })), {
      name: 'ConflictException',
      message: "Cannot delete authorizer 'token2', is referenced in method: 'GET:/'",
    });
    await n.apigw.send(new DeleteAuthorizerCommand({ restApiId: api.id, authorizerId: req.id }));
    await assert.rejects(n.apigw.send(new GetAuthorizerCommand({ restApiId: api.id, authorizerId: req.id })), { name: 'NotFoundException', message: 'Invalid Authorizer identifier specified' });
  });

  it('answers default gateway responses, and customises, patches and resets them', async () => {
    const api = await n.apigw.send(new CreateRestApiCommand({ name: 'responses' }));
    const def = await n.apigw.send(new GetGatewayResponseCommand({ restApiId: api.id, responseType: 'MISSING_AUTHENTICATION_TOKEN' }));
    assert.equal(def.defaultResponse, true);
    assert.equal(def.statusCode, '403');
    assert.deepEqual(def.responseTemplates, { 'application/json': '{"message":$context.error.messageString}' });
    const all = await n.apigw.send(new GetGatewayResponsesCommand({ restApiId: api.id }));
    assert.ok(all.items!.length >= 20);
    assert.ok(all.items!.some((r) => r.responseType === 'QUOTA_EXCEEDED' && r.statusCode === '429'));
    await assert.rejects(n.apigw.send(new PutGatewayResponseCommand({ restApiId: api.id, responseType: 'NOPE' as never })), { name: 'BadRequestException' });

    const put = await n.apigw.send(new PutGatewayResponseCommand({ restApiId: api.id, responseType: 'DEFAULT_4XX', statusCode: '400', responseParameters: { 'gatewayresponse.header.X-A': "'a'" } }));
    assert.equal(put.defaultResponse, false);
    const up = await n.apigw.send(
      new UpdateGatewayResponseCommand({ restApiId: api.id, responseType: 'DEFAULT_4XX', patchOperations: [{ op: 'add', path: '/responseTemplates/application~1json', value: '{"m":$context.error.messageString}' }] }),
    );
    assert.deepEqual(up.responseTemplates, { 'application/json': '{"m":$context.error.messageString}' });
    await n.apigw.send(new DeleteGatewayResponseCommand({ restApiId: api.id, responseType: 'DEFAULT_4XX' }));
    assert.equal((await n.apigw.send(new GetGatewayResponseCommand({ restApiId: api.id, responseType: 'DEFAULT_4XX' }))).defaultResponse, true);
  });

  it('tags REST APIs and stages by ARN', async () => {
    const api = await n.apigw.send(new CreateRestApiCommand({ name: 'tagged', tags: { a: '1' } }));
    await n.apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'GET', authorizationType: 'NONE' }));
    await n.apigw.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'GET', type: 'MOCK' }));
    const d = await n.apigw.send(new CreateDeploymentCommand({ restApiId: api.id }));
    await n.apigw.send(new CreateStageCommand({ restApiId: api.id, stageName: 's', deploymentId: d.id, tags: { s: 'x' } }));
    const arn = `arn:aws:apigateway:us-east-1::/restapis/${api.id}`;
    await n.apigw.send(new TagResourceCommand({ resourceArn: arn, tags: { b: '2' } }));
    assert.deepEqual((await n.apigw.send(new GetTagsCommand({ resourceArn: arn }))).tags, { a: '1', b: '2' });
    await n.apigw.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a'] }));
    assert.deepEqual((await n.apigw.send(new GetTagsCommand({ resourceArn: arn }))).tags, { b: '2' });
    assert.deepEqual((await n.apigw.send(new GetTagsCommand({ resourceArn: `${arn}/stages/s` }))).tags, { s: 'x' });
    await assert.rejects(n.apigw.send(new GetTagsCommand({ resourceArn: 'arn:aws:sqs:us-east-1:000000000000:q' })), { name: 'BadRequestException' });
    await assert.rejects(n.apigw.send(new GetTagsCommand({ resourceArn: `arn:aws:apigateway:us-east-1::/restapis/zzzzzzzzzz` })), { name: 'NotFoundException' });
  });

  it('works with the AWS CLI (create-rest-api, get-resources, create-resource)', { skip: cliSkip }, async () => {
    const created = await awsCli(n.t.endpoint, 'apigateway', ['create-rest-api', '--name', 'from-cli']);
    assert.equal(created.code, 0, created.stderr);
    const api = JSON.parse(created.stdout) as { id: string; name: string };
    assert.equal(api.name, 'from-cli');
    // Debian's CLI predates rootResourceId in the model: the root is found by listing.
    const before = await awsCli(n.t.endpoint, 'apigateway', ['get-resources', '--rest-api-id', api.id]);
    const rootId = (JSON.parse(before.stdout) as { items: Array<{ id: string; path: string }> }).items.find((i) => i.path === '/')!.id;
    const res = await awsCli(n.t.endpoint, 'apigateway', ['create-resource', '--rest-api-id', api.id, '--parent-id', rootId, '--path-part', '{id}']);
    assert.equal(res.code, 0, res.stderr);
    const list = await awsCli(n.t.endpoint, 'apigateway', ['get-resources', '--rest-api-id', api.id]);
    assert.deepEqual((JSON.parse(list.stdout) as { items: Array<{ path: string }> }).items.map((i) => i.path).sort(), ['/', '/{id}']);
    const missing = await awsCli(n.t.endpoint, 'apigateway', ['get-rest-api', '--rest-api-id', 'zzzzzzzzzz']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NotFoundException.*Invalid REST API identifier specified/);
  });

  it('checks required request parameters with a request validator (400 before the integration runs)', async () => {
    const api = await n.apigw.send(new CreateRestApiCommand({ name: 'validated' }));
    const v = await n.apigw.send(new CreateRequestValidatorCommand({ restApiId: api.id, name: 'params', validateRequestParameters: true }));
    assert.equal(v.validateRequestBody, false);
    await assert.rejects(n.apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'GET', authorizationType: 'NONE', requestValidatorId: 'nope00' })), {
      name: 'BadRequestException',
    });
    const base = { restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'GET' };
    await n.apigw.send(
      new PutMethodCommand({ ...base, authorizationType: 'NONE', requestValidatorId: v.id, requestParameters: { 'method.request.querystring.q': true, 'method.request.header.X-Id': true, 'method.request.querystring.opt': false } }),
    );
    await n.apigw.send(new PutIntegrationCommand({ ...base, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await n.apigw.send(new PutMethodResponseCommand({ ...base, statusCode: '200' }));
    await n.apigw.send(new PutIntegrationResponseCommand({ ...base, statusCode: '200', responseTemplates: { 'application/json': '{"q": "$input.params(\'q\')"}' } }));
    await n.apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'v' }));
    const bad = await invoke(n.t, api.id!, '/v/');
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json(), { message: 'Missing required request parameters: [q, X-Id]' });
    const ok = await invoke(n.t, api.id!, '/v/?q=1', { headers: { 'x-id': '7' } });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json(), { q: '1' });
    await n.apigw.send(new UpdateRequestValidatorCommand({ restApiId: api.id, requestValidatorId: v.id, patchOperations: [{ op: 'replace', path: '/validateRequestParameters', value: 'false' }] }));
    assert.equal((await n.apigw.send(new GetRequestValidatorsCommand({ restApiId: api.id }))).items?.[0]?.validateRequestParameters, false);
    await n.apigw.send(new DeleteRequestValidatorCommand({ restApiId: api.id, requestValidatorId: v.id }));
    await assert.rejects(n.apigw.send(new GetRequestValidatorCommand({ restApiId: api.id, requestValidatorId: v.id })), { name: 'NotFoundException' });
  });

  it('refuses a resource below a greedy {proxy+}', async () => {
    const api = await n.apigw.send(new CreateRestApiCommand({ name: 'greedy' }));
    const proxy = await n.apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: '{proxy+}' }));
    await assert.rejects(n.apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: proxy.id, pathPart: 'x' })), { name: 'BadRequestException' });
  });
});
