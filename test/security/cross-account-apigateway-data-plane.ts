/**
 * The data-plane tests of the API Gateway matrix (run by cross-account-apigateway.test.ts on its
 * Nimbus, after the rows), each path-style and virtual-hosted: an invoke URL is public by id,
 * but an AWS_IAM method or route signed by another account is refused (403), a JWT or Lambda
 * authorizer decides for the others (401/403), another account's API key is refused (403); and
 * the other way round, another account's API cannot invoke the owner's function (as integration
 * or as authorizer) without the owner's permission for that API: API Gateway's 500; with it, it can.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v1 from '@aws-sdk/client-api-gateway';
import * as v2 from '@aws-sdk/client-apigatewayv2';
import { AddPermissionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { TestNimbus } from '../helpers/nimbus.js';
import { httpOutcome, INTRUDER, OWNER, rawRequest, refused, signedRequest, type HttpCall } from './cross-account-helpers.js';

/** What these tests need of the matrix's fixture. */
export interface DataPlaneFixture {
  t: TestNimbus;
  owner1: v1.APIGatewayClient;
  intruder1: v1.APIGatewayClient;
  intruder2: v2.ApiGatewayV2Client;
  v1: { apiId: string; keyId: string };
  v2: { apiId: string };
}

/** The owner's function: a Lambda proxy answering its secret, and a REQUEST authorizer allowing only the owner's token. */
export const OWNER_FN = 'owner-fn';
export const OWNER_FN_ARN = `arn:aws:lambda:us-east-1:000000000000:function:${OWNER_FN}`;
export const OWNER_FN_CODE = `exports.handler = async (e) => {
  if (e.type === 'REQUEST') return { isAuthorized: (e.headers || {})['x-token'] === 'owner-token' };
  return { statusCode: 200, body: 'owner-secret' };
};`;
/** The intruder's own API key value, sent to the owner's key-required method. */
export const INTRUDER_KEY_VALUE = 'intruder-key-value-0123456789';

const invokeCall = (f: DataPlaneFixture, apiId: string, path: string, virtual: boolean, headers: Record<string, string> = {}): HttpCall =>
  virtual ? { method: 'GET', path, host: `${apiId}.execute-api.localhost:${new URL(f.t.endpoint).port}`, headers } : { method: 'GET', path: `/_nimbus/execute-api/${apiId}${path}`, headers };

const FORBIDDEN = { name: 'HTTP 403', message: /^\{"message":"Forbidden"\}$/ };
const UNAUTHORIZED = { name: 'HTTP 401', message: /^\{"message":"Unauthorized"\}$/ };
const INTERNAL = { name: 'HTTP 500', message: /^\{"message":"Internal Server Error"\}$/ };
/** REST APIs word their 500 otherwise (AWS's default gateway response body). */
const INTERNAL_V1 = { name: 'HTTP 500', message: /^\{"message": "Internal server error"\}$/ };

/** The intruder's own HTTP API whose routes use the owner's function: as integration (`GET /steal`, also through a role) and as authorizer (`GET /authz`). */
async function deputyHttpApi(c: v2.ApiGatewayV2Client): Promise<string> {
  const ApiId = (await c.send(new v2.CreateApiCommand({ Name: 'deputy', ProtocolType: 'HTTP' }))).ApiId!;
  const proxy = { ApiId, IntegrationType: 'AWS_PROXY' as const, IntegrationUri: OWNER_FN_ARN, PayloadFormatVersion: '2.0' };
  const direct = (await c.send(new v2.CreateIntegrationCommand(proxy))).IntegrationId!;
  const viaRole = (await c.send(new v2.CreateIntegrationCommand({ ...proxy, CredentialsArn: 'arn:aws:iam::222222222222:role/deputy' }))).IntegrationId!;
  const authorizer = (
    await c.send(
      new v2.CreateAuthorizerCommand({ ApiId, Name: 'borrowed', AuthorizerType: 'REQUEST', AuthorizerUri: OWNER_FN_ARN, AuthorizerPayloadFormatVersion: '2.0', EnableSimpleResponses: true, IdentitySource: ['$request.header.x-token'] }),
    )
  ).AuthorizerId!;
  await c.send(new v2.CreateRouteCommand({ ApiId, RouteKey: 'GET /steal', Target: `integrations/${direct}` }));
  await c.send(new v2.CreateRouteCommand({ ApiId, RouteKey: 'GET /role', Target: `integrations/${viaRole}` }));
  await c.send(new v2.CreateRouteCommand({ ApiId, RouteKey: 'GET /authz', Target: `integrations/${viaRole}`, AuthorizationType: 'CUSTOM', AuthorizerId: authorizer }));
  await c.send(new v2.CreateStageCommand({ ApiId, StageName: '$default', AutoDeploy: true }));
  return ApiId;
}

/** The intruder's own REST API proxying `GET /steal` to the owner's function. */
async function deputyRestApi(c: v1.APIGatewayClient): Promise<string> {
  const api = await c.send(new v1.CreateRestApiCommand({ name: 'deputy' }));
  const resourceId = (await c.send(new v1.CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: 'steal' }))).id!;
  const key = { restApiId: api.id, resourceId, httpMethod: 'GET' };
  await c.send(new v1.PutMethodCommand({ ...key, authorizationType: 'NONE' }));
  await c.send(new v1.PutIntegrationCommand({ ...key, type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${OWNER_FN_ARN}/invocations` }));
  await c.send(new v1.CreateDeploymentCommand({ restApiId: api.id, stageName: 'prod' }));
  return api.id!;
}

export function dataPlaneTests(fixture: () => DataPlaneFixture): void {
  let deputies: Promise<{ http: string; rest: string; quick: string }> | undefined;
  const deputy = () =>
    (deputies ??= (async () => {
      const c = fixture().intruder2;
      // Quick create: the API, a $default route to the target and an auto-deployed $default stage in one call.
      const quick = (await c.send(new v2.CreateApiCommand({ Name: 'quick-deputy', ProtocolType: 'HTTP', Target: OWNER_FN_ARN }))).ApiId!;
      return { http: await deputyHttpApi(c), rest: await deputyRestApi(fixture().intruder1), quick };
    })());

  for (const [form, virtual] of [['path-style', false], ['virtual-hosted', true]] as const) {
    test(`data plane (v1, ${form}): the invoke URL of a method without authorization is public by id`, async () => {
      const f = fixture();
      const a = await rawRequest(f.t.endpoint, invokeCall(f, f.v1.apiId, '/prod/open', virtual));
      assert.equal(a.status, 200, a.body);
      assert.deepEqual(JSON.parse(a.body), { owner: 'secret' });
    });
    test(`data plane (v1, ${form}): an AWS_IAM method signed by another account is refused (403), the owner's signature is served`, async () => {
      const f = fixture();
      const call = invokeCall(f, f.v1.apiId, '/prod/iam', virtual);
      const want = { name: 'HTTP 403', message: /User: arn:aws:iam::222222222222:root is not authorized to perform: execute-api:Invoke/ };
      await refused(signedRequest(f.t.endpoint, 'execute-api', INTRUDER, call).then(httpOutcome), want, 'intruder-signed');
      assert.equal((await signedRequest(f.t.endpoint, 'execute-api', OWNER, call)).status, 200);
    });
    test(`data plane (v1, ${form}): a method requiring an API key refuses another account's key (403); the owner's key is served`, async () => {
      const f = fixture();
      await refused(rawRequest(f.t.endpoint, invokeCall(f, f.v1.apiId, '/prod/keyed', virtual, { 'x-api-key': INTRUDER_KEY_VALUE })).then(httpOutcome), FORBIDDEN, "the intruder's key");
      const value = (await f.owner1.send(new v1.GetApiKeyCommand({ apiKey: f.v1.keyId, includeValue: true }))).value!;
      assert.equal((await rawRequest(f.t.endpoint, invokeCall(f, f.v1.apiId, '/prod/keyed', virtual, { 'x-api-key': value }))).status, 200);
    });
    test(`data plane (v2, ${form}): an AWS_IAM route signed by another account is refused (403); the owner's signature is served`, async () => {
      const f = fixture();
      const call = invokeCall(f, f.v2.apiId, '/prod/iam', virtual);
      await refused(signedRequest(f.t.endpoint, 'execute-api', INTRUDER, call).then(httpOutcome), FORBIDDEN, 'intruder-signed');
      const own = await signedRequest(f.t.endpoint, 'execute-api', OWNER, call);
      assert.equal(own.status, 200, own.body);
      assert.equal(own.body, 'owner-secret');
    });
    test(`data plane (v2, ${form}): a JWT route refuses another account's SigV4 signature, no token and a token that is no JWT (401)`, async () => {
      const f = fixture();
      const call = invokeCall(f, f.v2.apiId, '/prod/jwt', virtual);
      await refused(signedRequest(f.t.endpoint, 'execute-api', INTRUDER, call).then(httpOutcome), UNAUTHORIZED, 'intruder-signed');
      await refused(rawRequest(f.t.endpoint, call).then(httpOutcome), UNAUTHORIZED, 'no token');
      await refused(rawRequest(f.t.endpoint, { ...call, headers: { authorization: 'Bearer not.a.jwt' } }).then(httpOutcome), UNAUTHORIZED, 'a token that is no JWT');
    });
    test(`data plane (v2, ${form}): a Lambda authorizer decides for another account: 401 without its identity, 403 with another token, the owner's token is served`, async () => {
      const f = fixture();
      const call = invokeCall(f, f.v2.apiId, '/prod/custom', virtual);
      await refused(signedRequest(f.t.endpoint, 'execute-api', INTRUDER, call).then(httpOutcome), UNAUTHORIZED, 'intruder-signed, no x-token');
      await refused(rawRequest(f.t.endpoint, { ...call, headers: { 'x-token': 'intruder-token' } }).then(httpOutcome), FORBIDDEN, "the intruder's token");
      const own = await rawRequest(f.t.endpoint, { ...call, headers: { 'x-token': 'owner-token' } });
      assert.equal(own.status, 200, own.body);
      assert.equal(own.body, 'owner-secret');
    });
    test(`data plane (${form}): another account's API cannot invoke the owner's function (integration, through a role, quick create, or authorizer): 500`, async () => {
      const f = fixture();
      const d = await deputy();
      for (const path of ['/steal', '/role']) await refused(rawRequest(f.t.endpoint, invokeCall(f, d.http, path, virtual)).then(httpOutcome), INTERNAL, `v2 ${path}`);
      await refused(rawRequest(f.t.endpoint, invokeCall(f, d.http, '/authz', virtual, { 'x-token': 'owner-token' })).then(httpOutcome), INTERNAL, 'v2 /authz');
      await refused(rawRequest(f.t.endpoint, invokeCall(f, d.quick, '/anything', virtual)).then(httpOutcome), INTERNAL, 'v2 quick create');
      await refused(rawRequest(f.t.endpoint, invokeCall(f, d.rest, '/prod/steal', virtual)).then(httpOutcome), INTERNAL_V1, 'v1 /prod/steal');
    });
  }
  // The control for the test above: the 500 was the owner's permission, nothing else.
  test("data plane: once the owner's function permits the other account's API, that API is served", async () => {
    const f = fixture();
    const d = await deputy();
    const lambda = new LambdaClient({ endpoint: f.t.endpoint, region: 'us-east-1', credentials: OWNER, maxAttempts: 1 });
    try {
      const grant = (api: string, id: string) =>
        lambda.send(new AddPermissionCommand({ FunctionName: OWNER_FN, StatementId: id, Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com', SourceArn: `arn:aws:execute-api:us-east-1:222222222222:${api}/*` }));
      await grant(d.http, 'deputy-http');
      await grant(d.rest, 'deputy-rest');
    } finally {
      lambda.destroy();
    }
    const http = await rawRequest(f.t.endpoint, invokeCall(f, d.http, '/steal', false));
    assert.deepEqual([http.status, http.body], [200, 'owner-secret']);
    const rest = await rawRequest(f.t.endpoint, invokeCall(f, d.rest, '/prod/steal', false));
    assert.deepEqual([rest.status, rest.body], [200, 'owner-secret']);
    // A role of the other account is not the service principal the grant names: still refused.
    await refused(rawRequest(f.t.endpoint, invokeCall(f, d.http, '/role', false)).then(httpOutcome), INTERNAL, 'v2 /role after the grant');
    await refused(rawRequest(f.t.endpoint, invokeCall(f, d.quick, '/anything', false)).then(httpOutcome), INTERNAL, 'v2 quick create, not granted');
  });
  // Last (it changes the owner's API): what a REST API's resource policy grants another account.
  test("data plane (v1): a resource policy allowing the other account's AWS_IAM calls to one method serves exactly those", async () => {
    const f = fixture();
    const arn = (m: string) => `arn:aws:execute-api:us-east-1:000000000000:${f.v1.apiId}/prod/${m}`;
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:root' }, Action: 'execute-api:Invoke', Resource: arn('GET/iam') },
        { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: arn('GET/open') },
      ],
    });
    await f.owner1.send(new v1.UpdateRestApiCommand({ restApiId: f.v1.apiId, patchOperations: [{ op: 'replace', path: '/policy', value: policy }] }));
    await f.owner1.send(new v1.CreateDeploymentCommand({ restApiId: f.v1.apiId, stageName: 'prod' }));
    const granted = await signedRequest(f.t.endpoint, 'execute-api', INTRUDER, invokeCall(f, f.v1.apiId, '/prod/iam', false));
    assert.equal(granted.status, 200, granted.body);
    // Not granted: another method (the key-required one has no allow for the intruder's key either).
    const want = { name: 'HTTP 403', message: /User: anonymous is not authorized to perform: execute-api:Invoke on resource: .*\/prod\/GET\/keyed/ };
    await refused(rawRequest(f.t.endpoint, invokeCall(f, f.v1.apiId, '/prod/keyed', false, { 'x-api-key': INTRUDER_KEY_VALUE })).then(httpOutcome), want, 'keyed, not in the policy');
    assert.equal((await rawRequest(f.t.endpoint, invokeCall(f, f.v1.apiId, '/prod/open', false))).status, 200);
  });
}
