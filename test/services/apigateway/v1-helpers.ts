/** Helpers for the REST API (v1) tests: a Nimbus with API Gateway and Lambda clients, invoke URLs, and a proxy API in a few calls. */
import { APIGatewayClient, CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, PutIntegrationCommand, PutMethodCommand } from '@aws-sdk/client-api-gateway';
import { AddPermissionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { lambdaClient } from '../../helpers/lambda.js';
import { ACCOUNT, startTestNimbus, TEST_CREDENTIALS, type TestNimbus, type TestNimbusOptions } from '../../helpers/nimbus.js';

export interface V1Nimbus {
  t: TestNimbus;
  apigw: APIGatewayClient;
  lambda: LambdaClient;
}

export function apigwClient(endpoint: string, credentials = TEST_CREDENTIALS, region = 'us-east-1'): APIGatewayClient {
  return new APIGatewayClient({ endpoint, region, credentials, maxAttempts: 1 });
}

export async function startV1(opts: TestNimbusOptions = {}): Promise<V1Nimbus> {
  const t = await startTestNimbus(opts);
  return { t, apigw: apigwClient(t.endpoint), lambda: lambdaClient(t.endpoint) };
}

/** A request to a REST API's invoke URL in its path-style form. */
export async function invoke(t: TestNimbus, apiId: string, path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: string; json: () => unknown }> {
  const res = await fetch(`${t.endpoint}/_nimbus/execute-api/${apiId}${path}`, init);
  const body = await res.text();
  return { status: res.status, headers: res.headers, body, json: () => JSON.parse(body) };
}

export const functionArn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
export const lambdaUri = (name: string) => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${functionArn(name)}/invocations`;

/** Lets API Gateway invoke a function for any method of one API (or anything under `source`). */
export async function allowApiGateway(lambda: LambdaClient, fn: string, apiId: string, source = '*'): Promise<void> {
  await lambda.send(
    new AddPermissionCommand({
      FunctionName: fn,
      StatementId: `apigw-${apiId}-${source.replace(/[^a-zA-Z0-9]/g, '')}`.slice(0, 100),
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      SourceArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:${apiId}/${source}`,
    }),
  );
}

/** An API with `ANY /{proxy+}` and `GET /` integrated with a function by AWS_PROXY, deployed to `stage`. */
export async function proxyApi(apigw: APIGatewayClient, fn: string, stage = 'prod', extra: { binaryMediaTypes?: string[] } = {}): Promise<{ apiId: string; rootId: string; proxyId: string }> {
  const api = await apigw.send(new CreateRestApiCommand({ name: `proxy-${fn}`, ...extra }));
  const apiId = api.id!;
  const rootId = api.rootResourceId!;
  const proxy = await apigw.send(new CreateResourceCommand({ restApiId: apiId, parentId: rootId, pathPart: '{proxy+}' }));
  for (const [resourceId, method] of [
    [proxy.id!, 'ANY'],
    [rootId, 'GET'],
  ] as const) {
    await apigw.send(new PutMethodCommand({ restApiId: apiId, resourceId, httpMethod: method, authorizationType: 'NONE' }));
    await apigw.send(new PutIntegrationCommand({ restApiId: apiId, resourceId, httpMethod: method, type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri(fn) }));
  }
  await apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: stage }));
  return { apiId, rootId, proxyId: proxy.id! };
}
