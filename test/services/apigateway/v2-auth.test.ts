import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateApiCommand, CreateAuthorizerCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { type JWK, SignJWT, exportJWK, generateKeyPair } from 'jose';
import { createFunction } from '../../helpers/lambda.js';
import { ACCOUNT, TEST_CREDENTIALS } from '../../helpers/nimbus.js';
import { fnArn, invoke, permit, startV2, type V2Nimbus } from './v2-helpers.js';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** Answers with what the authorizer told API Gateway. */
const SHOW = `exports.handler = async (event) => ({ authorizer: event.requestContext.authorizer || null, routeKey: event.routeKey });`;
/** A simple-response authorizer that counts its invocations. */
const SIMPLE = `let calls = 0;
exports.handler = async (event) => { calls++; return { isAuthorized: event.headers['x-token'] === 'good', context: { user: 'u1', calls } }; };`;
/** An IAM-policy authorizer (payload 1.0). */
const POLICY = `exports.handler = async (event) => event.headers['x-token'] === 'broken' ? { principalId: 'p1' } : ({ principalId: 'p1', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: event.headers['x-token'] === 'good' ? 'Allow' : 'Deny', Resource: event.methodArn }] }, context: { tier: 'gold' } });`;

describe('API Gateway v2: JWT and Lambda authorizers, throttling, access logs', () => {
  let n: V2Nimbus;
  let idp: Server;
  let issuer: string;
  let key: PrivateKey;
  before(async () => {
    n = await startV2();
    const pair = await generateKeyPair('RS256', { extractable: true });
    key = pair.privateKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    idp = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys.json` }));
      else res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r));
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    await createFunction(n.lambda, 'show', { 'index.js': SHOW });
    await createFunction(n.lambda, 'simple-auth', { 'index.js': SIMPLE });
    await createFunction(n.lambda, 'policy-auth', { 'index.js': POLICY });
  });
  after(async () => {
    idp.closeAllConnections();
    idp.close();
    await n.t.stop();
  });

  async function api(stage: Record<string, unknown> = {}): Promise<{ apiId: string; integrationId: string }> {
    const apiId = (await n.apigw.send(new CreateApiCommand({ Name: 'auth', ProtocolType: 'HTTP' }))).ApiId!;
    for (const fn of ['show', 'simple-auth', 'policy-auth']) await permit(n.lambda, fn, apiId, `s-${fn}-${apiId}`);
    const integrationId = (await n.apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn('show'), PayloadFormatVersion: '2.0' }))).IntegrationId!;
    await n.apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true, ...stage }));
    return { apiId, integrationId };
  }

  const token = (claims: Record<string, unknown>, expSeconds = 300) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setIssuedAt(Math.floor(n.t.clock.now() / 1000))
      .setExpirationTime(Math.floor(n.t.clock.now() / 1000) + expSeconds)
      .sign(key);

  it('JWT routes: 401 without or with a bad token, 403 without the scope, claims and scopes in the event', async () => {
    const { apiId, integrationId } = await api();
    const jwt = await n.apigw.send(new CreateAuthorizerCommand({ ApiId: apiId, Name: 'jwt', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: issuer, Audience: ['my-app'] } }));
    await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /me', Target: `integrations/${integrationId}`, AuthorizationType: 'JWT', AuthorizerId: jwt.AuthorizerId, AuthorizationScopes: ['read'] }));
    const none = await invoke(n.t, apiId, '/me');
    assert.equal(none.status, 401);
    assert.deepEqual(await none.json(), { message: 'Unauthorized' });
    const wrongAud = await invoke(n.t, apiId, '/me', { headers: { authorization: `Bearer ${await token({ aud: 'other', scope: 'read' })}` } });
    assert.equal(wrongAud.status, 401);
    const noScope = await invoke(n.t, apiId, '/me', { headers: { authorization: `Bearer ${await token({ aud: 'my-app', scope: 'write' })}` } });
    assert.equal(noScope.status, 403);
    assert.deepEqual(await noScope.json(), { message: 'Forbidden' });
    const ok = await invoke(n.t, apiId, '/me', { headers: { authorization: `Bearer ${await token({ aud: 'my-app', scope: 'read write', sub: 'user-1', groups: ['admin', 'user'] })}` } });
    assert.equal(ok.status, 200);
    const body = await ok.json();
    assert.equal(body.authorizer.jwt.claims.sub, 'user-1');
    assert.equal(body.authorizer.jwt.claims.iss, issuer);
    assert.deepEqual(body.authorizer.jwt.scopes, ['read', 'write']);
    // Claim values reach the function as strings, arrays as "[a b]".
    assert.equal(body.authorizer.jwt.claims.groups, '[admin user]');
    assert.equal(body.authorizer.jwt.claims.exp, String(Math.floor(n.t.clock.now() / 1000) + 300));
    const expired = await token({ aud: 'my-app', scope: 'read' }, 60);
    n.t.clock.advance(120_000);
    assert.equal((await invoke(n.t, apiId, '/me', { headers: { authorization: `Bearer ${expired}` } })).status, 401);
  });

  it('Lambda authorizers: simple responses with context, cached by identity for the TTL; IAM policies', async () => {
    const { apiId, integrationId } = await api();
    const simple = await n.apigw.send(
      new CreateAuthorizerCommand({ ApiId: apiId, Name: 'simple', AuthorizerType: 'REQUEST', AuthorizerUri: fnArn('simple-auth'), AuthorizerPayloadFormatVersion: '2.0', EnableSimpleResponses: true, IdentitySource: ['$request.header.x-token'], AuthorizerResultTtlInSeconds: 60 }),
    );
    await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /simple', Target: `integrations/${integrationId}`, AuthorizationType: 'CUSTOM', AuthorizerId: simple.AuthorizerId }));
    assert.equal((await invoke(n.t, apiId, '/simple')).status, 401, 'identity source missing');
    const denied = await invoke(n.t, apiId, '/simple', { headers: { 'x-token': 'bad' } });
    assert.equal(denied.status, 403);
    assert.deepEqual(await denied.json(), { message: 'Forbidden' });
    const first = await (await invoke(n.t, apiId, '/simple', { headers: { 'x-token': 'good' } })).json();
    assert.deepEqual(first.authorizer, { lambda: { user: 'u1', calls: 2 } });
    const cached = await (await invoke(n.t, apiId, '/simple', { headers: { 'x-token': 'good' } })).json();
    assert.equal(cached.authorizer.lambda.calls, 2, 'answered from the cache');
    n.t.clock.advance(61_000);
    const fresh = await (await invoke(n.t, apiId, '/simple', { headers: { 'x-token': 'good' } })).json();
    assert.equal(fresh.authorizer.lambda.calls, 3);

    const policy = await n.apigw.send(new CreateAuthorizerCommand({ ApiId: apiId, Name: 'policy', AuthorizerType: 'REQUEST', AuthorizerUri: fnArn('policy-auth'), AuthorizerPayloadFormatVersion: '1.0', IdentitySource: ['$request.header.x-token'] }));
    await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /policy', Target: `integrations/${integrationId}`, AuthorizationType: 'CUSTOM', AuthorizerId: policy.AuthorizerId }));
    assert.equal((await invoke(n.t, apiId, '/policy', { headers: { 'x-token': 'bad' } })).status, 403);
    const allowed = await (await invoke(n.t, apiId, '/policy', { headers: { 'x-token': 'good' } })).json();
    assert.deepEqual(allowed.authorizer, { lambda: { tier: 'gold', principalId: 'p1' } });
    // An answer without a policy is the authorizer's fault: API Gateway's 500.
    const broken = await invoke(n.t, apiId, '/policy', { headers: { 'x-token': 'broken' } });
    assert.equal(broken.status, 500);
    assert.deepEqual(await broken.json(), { message: 'Internal Server Error' });
  });

  it('throttles by the stage route settings on the clock (429)', async () => {
    const { apiId, integrationId } = await api({ DefaultRouteSettings: { ThrottlingBurstLimit: 2, ThrottlingRateLimit: 1 } });
    await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /t', Target: `integrations/${integrationId}` }));
    assert.equal((await invoke(n.t, apiId, '/t')).status, 200);
    assert.equal((await invoke(n.t, apiId, '/t')).status, 200);
    const limited = await invoke(n.t, apiId, '/t');
    assert.equal(limited.status, 429);
    assert.deepEqual(await limited.json(), { message: 'Too Many Requests' });
    n.t.clock.advance(1000);
    assert.equal((await invoke(n.t, apiId, '/t')).status, 200);
    assert.equal((await invoke(n.t, apiId, '/t')).status, 429);
  });

  it('writes access log lines to the stage destination', async () => {
    const destinationArn = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:http-access`;
    const { apiId, integrationId } = await api({ AccessLogSettings: { DestinationArn: destinationArn, Format: '$context.requestId $context.httpMethod $context.routeKey $context.status $context.stage $context.integrationStatus $context.error.message' } });
    await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /logged', Target: `integrations/${integrationId}` }));
    const res = await invoke(n.t, apiId, '/logged');
    const requestId = res.headers.get('apigw-requestid');
    const missing = await invoke(n.t, apiId, '/nothing-here');
    const missingId = missing.headers.get('apigw-requestid');
    const logs = new CloudWatchLogsClient({ endpoint: n.t.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    let lines: string[] = [];
    for (let i = 0; i < 100 && lines.length < 2; i++) {
      try {
        lines = ((await logs.send(new GetLogEventsCommand({ logGroupName: 'http-access', logStreamName: `${apiId}_$default` }))).events ?? []).map((e) => e.message!);
      } catch {
        // the group appears with the first line
      }
      if (lines.length < 2) await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(lines, [`${requestId} GET GET /logged 200 $default 200 -`, `${missingId} GET - 404 $default - Not Found`]);
    logs.destroy();
  });
});
