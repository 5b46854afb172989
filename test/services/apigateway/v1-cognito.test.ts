import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
} from '@aws-sdk/client-api-gateway';
import { CreateApiCommand, CreateAuthorizerCommand as CreateV2AuthorizerCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { type JWK, SignJWT, exportJWK, generateKeyPair } from 'jose';
import { ACCOUNT } from '../../helpers/nimbus.js';
import { invoke, startV1, type V1Nimbus } from './v1-helpers.js';
import { apigwClient as v2Client } from './v2-helpers.js';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const POOL = 'us-east-1_Pool1';

describe('API Gateway: Cognito user pool authorizers (REST COGNITO_USER_POOLS, HTTP API JWT with a Cognito issuer)', () => {
  let n: V1Nimbus;
  // Stands in for Cognito (as a local emulator would): the pool's keys at {endpoint}/{poolId}/.well-known/jwks.json.
  let pool: Server;
  let endpoint: string;
  let key: PrivateKey;
  let stranger: PrivateKey;
  let apiId: string;

  before(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    key = pair.privateKey;
    stranger = (await generateKeyPair('RS256')).privateKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'pool-key', alg: 'RS256', use: 'sig' };
    pool = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === `/${POOL}/.well-known/jwks.json`) res.end(JSON.stringify({ keys: [jwk] }));
      else if (req.url === '/echo') res.end('{"echo":true}');
      else (res.statusCode = 404), res.end('{}');
    });
    await new Promise<void>((r) => pool.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(pool.address() as AddressInfo).port}`;
    n = await startV1({ cognitoEndpoint: endpoint });

    const api = await n.apigw.send(new CreateRestApiCommand({ name: 'cognito' }));
    apiId = api.id!;
    const authorizer = await n.apigw.send(
      new CreateAuthorizerCommand({ restApiId: apiId, name: 'pool', type: 'COGNITO_USER_POOLS', providerARNs: [`arn:aws:cognito-idp:us-east-1:${ACCOUNT}:userpool/${POOL}`], identitySource: 'method.request.header.Authorization' }),
    );
    for (const [part, scopes] of [
      ['me', undefined],
      ['admin', ['pets/admin']],
    ] as const) {
      const resourceId = (await n.apigw.send(new CreateResourceCommand({ restApiId: apiId, parentId: api.rootResourceId, pathPart: part }))).id!;
      await n.apigw.send(new PutMethodCommand({ restApiId: apiId, resourceId, httpMethod: 'GET', authorizationType: 'COGNITO_USER_POOLS', authorizerId: authorizer.id, ...(scopes ? { authorizationScopes: [...scopes] } : {}) }));
      await n.apigw.send(new PutIntegrationCommand({ restApiId: apiId, resourceId, httpMethod: 'GET', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
      await n.apigw.send(new PutMethodResponseCommand({ restApiId: apiId, resourceId, httpMethod: 'GET', statusCode: '200' }));
      await n.apigw.send(
        new PutIntegrationResponseCommand({
          restApiId: apiId,
          resourceId,
          httpMethod: 'GET',
          statusCode: '200',
          responseTemplates: { 'application/json': '{"sub": "$context.authorizer.claims.sub", "groups": "$context.authorizer.claims[\'cognito:groups\']", "exp": "$context.authorizer.claims.exp"}' },
        }),
      );
    }
    await n.apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod' }));
  });
  after(async () => {
    pool.close();
    await n.t.stop();
  });

  const token = (claims: Record<string, unknown>, signer = key, expSeconds = 300) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'pool-key' })
      .setIssuer(`${endpoint}/${POOL}`)
      .setIssuedAt(Math.floor(n.t.clock.now() / 1000))
      .setExpirationTime(Math.floor(n.t.clock.now() / 1000) + expSeconds)
      .sign(signer);
  const get = (path: string, authorization?: string) => invoke(n.t, apiId, path, authorization ? { headers: { authorization } } : {});

  it('takes an ID token of the pool and hands its claims on', async () => {
    const id = await token({ sub: 'user-1', token_use: 'id', aud: 'app-client', 'cognito:groups': ['admin', 'users'] });
    const ok = await get('/prod/me', id);
    assert.equal(ok.status, 200);
    const body = ok.json() as { sub: string; groups: string; exp: string };
    assert.equal(body.sub, 'user-1');
    assert.equal(body.groups, 'admin,users');
    assert.match(body.exp, /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d UTC \d{4}$/);
    assert.equal((await get('/prod/me', `Bearer ${id}`)).status, 200, 'a Bearer prefix is taken too');
  });

  it('answers 401 Unauthorized for no token, another signer, an expired token, or the wrong kind of token', async () => {
    const none = await get('/prod/me');
    assert.equal(none.status, 401);
    assert.deepEqual(none.json(), { message: 'Unauthorized' });
    assert.equal((await get('/prod/me', await token({ sub: 'x', token_use: 'id' }, stranger))).status, 401);
    assert.equal((await get('/prod/me', await token({ sub: 'x', token_use: 'access', scope: 'pets/admin' }))).status, 401, 'a method without scopes takes ID tokens');
    assert.equal((await get('/prod/admin', await token({ sub: 'x', token_use: 'id' }))).status, 401, 'a method with scopes takes access tokens');
    assert.equal((await get('/prod/admin', await token({ sub: 'x', token_use: 'access', scope: 'pets/read' }))).status, 401, 'without one of its scopes');
    assert.equal((await get('/prod/admin', await token({ sub: 'x', token_use: 'access', scope: 'openid pets/admin' }))).status, 200);
    const expiring = await token({ sub: 'x', token_use: 'id' }, key, 60);
    assert.equal((await get('/prod/me', expiring)).status, 200);
    n.t.clock.advance(120_000);
    assert.equal((await get('/prod/me', expiring)).status, 401);
  });

  it('an HTTP API JWT authorizer naming the pool by its AWS issuer URL verifies against the configured endpoint', async () => {
    const v2 = v2Client(n.t.endpoint);
    const api = await v2.send(new CreateApiCommand({ Name: 'cognito-jwt', ProtocolType: 'HTTP' }));
    const integration = await v2.send(new CreateIntegrationCommand({ ApiId: api.ApiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'GET', IntegrationUri: `${endpoint}/echo`, PayloadFormatVersion: '1.0' }));
    const jwt = await v2.send(
      new CreateV2AuthorizerCommand({ ApiId: api.ApiId, Name: 'pool', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`, Audience: ['app-client'] } }),
    );
    await v2.send(new CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'GET /echo', Target: `integrations/${integration.IntegrationId}`, AuthorizationType: 'JWT', AuthorizerId: jwt.AuthorizerId }));
    await v2.send(new CreateStageCommand({ ApiId: api.ApiId, StageName: '$default', AutoDeploy: true }));
    const call = (authorization?: string) => fetch(`${n.t.endpoint}/_nimbus/execute-api/${api.ApiId}/echo`, authorization ? { headers: { authorization } } : {});
    assert.equal((await call()).status, 401);
    const ok = await call(`Bearer ${await token({ sub: 'u', token_use: 'id', aud: 'app-client' })}`);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { echo: true });
    assert.equal((await call(`Bearer ${await token({ sub: 'u', token_use: 'id', aud: 'other-client' })}`)).status, 401);
  });
});
