import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiKeyCommand,
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  FlushStageAuthorizersCacheCommand,
  PutGatewayResponseCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  UpdateRestApiCommand,
  UpdateUsagePlanCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { createFunction } from '../../helpers/lambda.js';
import { ACCOUNT, TEST_CREDENTIALS } from '../../helpers/nimbus.js';
import { allowApiGateway, invoke, lambdaUri, proxyApi, startV1, type V1Nimbus } from './v1-helpers.js';

const ECHO = `exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) });`;

/** A TOKEN authorizer: the token names the verdict; `calls` counts how often it ran (the cache skips it). */
const TOKEN_AUTHORIZER = `let calls = 0;
exports.handler = async (event) => {
  calls++;
  const token = event.authorizationToken;
  if (token === 'bad') throw new Error('Unauthorized');
  if (token === 'boom') throw new Error('crashed');
  const effect = token === 'deny' ? 'Deny' : 'Allow';
  return {
    principalId: 'user-' + token,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: event.methodArn }] },
    context: { user: 'alice', calls, arn: event.methodArn, type: event.type },
  };
};`;

const REQUEST_AUTHORIZER = `exports.handler = async (event) => ({
  principalId: event.headers['x-user'],
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: event.queryStringParameters.tenant === 'acme' ? 'Allow' : 'Deny', Resource: event.methodArn.split('/').slice(0, 2).join('/') + '/*' }] },
  context: { tenant: event.queryStringParameters.tenant, type: event.type, resource: event.resource },
});`;

describe('API Gateway v1 data plane: authorizers, API keys with quotas, throttling, resource policies, access logs', () => {
  let n: V1Nimbus;
  before(async () => {
    n = await startV1();
    await createFunction(n.lambda, 'echo', { 'index.js': ECHO });
    await createFunction(n.lambda, 'token-auth', { 'index.js': TOKEN_AUTHORIZER });
    await createFunction(n.lambda, 'request-auth', { 'index.js': REQUEST_AUTHORIZER });
  });
  after(() => n.t.stop());

  /** `GET /secure` behind a Lambda authorizer (and optionally an API key), proxied to echo. */
  async function securedApi(authorizer: { type: 'TOKEN' | 'REQUEST'; fn: string; identitySource: string; ttl?: number }, apiKeyRequired = false) {
    const api = await n.apigw.send(new CreateRestApiCommand({ name: `secured-${authorizer.type}` }));
    const apiId = api.id!;
    const auth = await n.apigw.send(
      new CreateAuthorizerCommand({
        restApiId: apiId,
        name: 'auth',
        type: authorizer.type,
        authorizerUri: lambdaUri(authorizer.fn),
        identitySource: authorizer.identitySource,
        authorizerResultTtlInSeconds: authorizer.ttl ?? 300,
      }),
    );
    const secure = await n.apigw.send(new CreateResourceCommand({ restApiId: apiId, parentId: api.rootResourceId, pathPart: 'secure' }));
    await n.apigw.send(new PutMethodCommand({ restApiId: apiId, resourceId: secure.id, httpMethod: 'GET', authorizationType: 'CUSTOM', authorizerId: auth.id, apiKeyRequired }));
    await n.apigw.send(new PutIntegrationCommand({ restApiId: apiId, resourceId: secure.id, httpMethod: 'GET', type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('echo') }));
    await n.apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod' }));
    await allowApiGateway(n.lambda, 'echo', apiId);
    return { apiId, authorizerId: auth.id! };
  }

  it('TOKEN authorizer, API key and a usage plan whose quota runs out', async () => {
    const { apiId, authorizerId } = await securedApi({ type: 'TOKEN', fn: 'token-auth', identitySource: 'method.request.header.Authorization' }, true);
    // Without permission to invoke the authorizer: a configuration error.
    const unpermitted = await invoke(n.t, apiId, '/prod/secure', { headers: { authorization: 'allow' } });
    assert.equal(unpermitted.status, 500);
    assert.deepEqual(unpermitted.json(), { message: null });
    assert.equal(unpermitted.headers.get('x-amzn-errortype'), 'AuthorizerConfigurationException');
    await allowApiGateway(n.lambda, 'token-auth', apiId, `authorizers/${authorizerId}`);

    const missing = await invoke(n.t, apiId, '/prod/secure');
    assert.equal(missing.status, 401);
    assert.deepEqual(missing.json(), { message: 'Unauthorized' });
    assert.equal((await invoke(n.t, apiId, '/prod/secure', { headers: { authorization: 'bad' } })).status, 401);
    const denied = await invoke(n.t, apiId, '/prod/secure', { headers: { authorization: 'deny' } });
    assert.equal(denied.status, 403);
    assert.deepEqual(denied.json(), { message: 'User is not authorized to access this resource' });
    assert.equal((await invoke(n.t, apiId, '/prod/secure', { headers: { authorization: 'boom' } })).status, 500);
    // Authorized, but the method requires an API key.
    const noKey = await invoke(n.t, apiId, '/prod/secure', { headers: { authorization: 'allow' } });
    assert.equal(noKey.status, 403);
    assert.deepEqual(noKey.json(), { message: 'Forbidden' });

    const key = await n.apigw.send(new CreateApiKeyCommand({ name: 'k', enabled: true }));
    const plan = await n.apigw.send(new CreateUsagePlanCommand({ name: 'small', apiStages: [{ apiId, stage: 'prod' }], quota: { limit: 3, period: 'MONTH' } }));
    await n.apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }));
    const headers = { authorization: 'allow', 'x-api-key': key.value! };

    const first = await invoke(n.t, apiId, '/prod/secure', { headers });
    assert.equal(first.status, 200);
    const event = first.json() as Record<string, any>;
    assert.equal(event.requestContext.authorizer.principalId, 'user-allow');
    assert.equal(event.requestContext.authorizer.user, 'alice');
    assert.equal(event.requestContext.authorizer.type, 'TOKEN');
    assert.equal(event.requestContext.authorizer.arn, `arn:aws:execute-api:us-east-1:${ACCOUNT}:${apiId}/prod/GET/secure`);
    assert.equal(event.requestContext.identity.apiKey, key.value);
    assert.equal(event.requestContext.identity.apiKeyId, key.id);
    const calls = event.requestContext.authorizer.calls as number;

    // The answer is cached by token for the TTL: the authorizer does not run again until it ends.
    const second = (await invoke(n.t, apiId, '/prod/secure', { headers })).json() as Record<string, any>;
    assert.equal(second.requestContext.authorizer.calls, calls);
    n.t.clock.advance(301_000);
    const third = (await invoke(n.t, apiId, '/prod/secure', { headers })).json() as Record<string, any>;
    assert.equal(third.requestContext.authorizer.calls, calls + 1);

    // Flushing the stage's authorizer cache makes the next request ask the authorizer again.
    await n.apigw.send(new FlushStageAuthorizersCacheCommand({ restApiId: apiId, stageName: 'prod' }));
    await n.apigw.send(new UpdateUsagePlanCommand({ usagePlanId: plan.id, patchOperations: [{ op: 'replace', path: '/quota/limit', value: '4' }] }));
    const fourth = (await invoke(n.t, apiId, '/prod/secure', { headers })).json() as Record<string, any>;
    assert.equal(fourth.requestContext.authorizer.calls, calls + 2);

    const over = await invoke(n.t, apiId, '/prod/secure', { headers });
    assert.equal(over.status, 429);
    assert.deepEqual(over.json(), { message: 'Limit Exceeded' });

    // Gateway responses are customised per type and take effect with the next deployment.
    await n.apigw.send(
      new PutGatewayResponseCommand({
        restApiId: apiId,
        responseType: 'UNAUTHORIZED',
        statusCode: '401',
        responseParameters: { 'gatewayresponse.header.WWW-Authenticate': "'Bearer'" },
        responseTemplates: { 'application/json': '{"error": $context.error.messageString, "type": "$context.error.responseType"}' },
      }),
    );
    assert.equal((await invoke(n.t, apiId, '/prod/secure')).headers.get('www-authenticate'), null);
    await n.apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod' }));
    const custom = await invoke(n.t, apiId, '/prod/secure');
    assert.equal(custom.status, 401);
    assert.equal(custom.headers.get('www-authenticate'), 'Bearer');
    assert.deepEqual(custom.json(), { error: 'Unauthorized', type: 'UNAUTHORIZED' });
  });

  it('REQUEST authorizer: every identity source is required, the event carries the request', async () => {
    const { apiId, authorizerId } = await securedApi({ type: 'REQUEST', fn: 'request-auth', identitySource: 'method.request.header.X-User, method.request.querystring.tenant', ttl: 0 });
    await allowApiGateway(n.lambda, 'request-auth', apiId, `authorizers/${authorizerId}`);
    assert.equal((await invoke(n.t, apiId, '/prod/secure?tenant=acme')).status, 401);
    assert.equal((await invoke(n.t, apiId, '/prod/secure', { headers: { 'x-user': 'bob' } })).status, 401);
    assert.equal((await invoke(n.t, apiId, '/prod/secure?tenant=other', { headers: { 'x-user': 'bob' } })).status, 403);
    const ok = await invoke(n.t, apiId, '/prod/secure?tenant=acme', { headers: { 'x-user': 'bob' } });
    assert.equal(ok.status, 200);
    const a = (ok.json() as Record<string, any>).requestContext.authorizer;
    assert.deepEqual(a, { principalId: 'bob', tenant: 'acme', type: 'REQUEST', resource: '/secure' });
  });

  it('throttles by the stage method settings on the clock (429 Too Many Requests)', async () => {
    const { apiId } = await proxyApi(n.apigw, 'echo', 'prod');
    await allowApiGateway(n.lambda, 'echo', apiId);
    await n.apigw.send(
      new UpdateStageCommand({
        restApiId: apiId,
        stageName: 'prod',
        patchOperations: [
          { op: 'replace', path: '/*/*/throttling/rateLimit', value: '1' },
          { op: 'replace', path: '/*/*/throttling/burstLimit', value: '1' },
        ],
      }),
    );
    assert.equal((await invoke(n.t, apiId, '/prod/a')).status, 200);
    const throttled = await invoke(n.t, apiId, '/prod/a');
    assert.equal(throttled.status, 429);
    assert.deepEqual(throttled.json(), { message: 'Too Many Requests' });
    n.t.clock.advance(1000);
    assert.equal((await invoke(n.t, apiId, '/prod/a')).status, 200);
  });

  it('enforces the resource policy of the deployed API', async () => {
    const { apiId } = await proxyApi(n.apigw, 'echo', 'prod');
    await allowApiGateway(n.lambda, 'echo', apiId);
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
        { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/prod/GET/private/*' },
      ],
    };
    await n.apigw.send(new UpdateRestApiCommand({ restApiId: apiId, patchOperations: [{ op: 'replace', path: '/policy', value: JSON.stringify(policy) }] }));
    await n.apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod' }));
    assert.equal((await invoke(n.t, apiId, '/prod/public/x')).status, 200);
    const denied = await invoke(n.t, apiId, '/prod/private/x');
    assert.equal(denied.status, 403);
    assert.match((denied.json() as { message: string }).message, /^User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:\d{12}:[a-z0-9]{10}\/prod\/GET\/private\/x with an explicit deny$/);
  });

  it('writes the stage access log to CloudWatch Logs and answers with a trace id', async () => {
    const { apiId } = await proxyApi(n.apigw, 'echo', 'logged');
    await allowApiGateway(n.lambda, 'echo', apiId);
    await n.apigw.send(
      new UpdateStageCommand({
        restApiId: apiId,
        stageName: 'logged',
        patchOperations: [
          { op: 'replace', path: '/accessLogSettings/destinationArn', value: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:api-access` },
          { op: 'replace', path: '/accessLogSettings/format', value: '$context.requestId $context.httpMethod $context.resourcePath $context.status' },
        ],
      }),
    );
    const res = await invoke(n.t, apiId, '/logged/hello', { headers: { 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('x-amzn-trace-id')!, /^Root=1-5759e988-bd862e3fe1be46a994272793;/);
    const requestId = res.headers.get('x-amzn-requestid')!;
    const logs = new CloudWatchLogsClient({ endpoint: n.t.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    let messages: string[] = [];
    // The line is appended after the response, off its path: wait for it a bounded number of turns.
    for (let i = 0; i < 50 && messages.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const found = await logs.send(new FilterLogEventsCommand({ logGroupName: 'api-access' })).catch(() => undefined);
      messages = (found?.events ?? []).map((e) => e.message!);
    }
    logs.destroy();
    assert.deepEqual(messages, [`${requestId} GET /{proxy+} 200`]);
  });
});
