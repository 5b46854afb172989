/**
 * Helpers for the HTTP API tests: a test Nimbus with Lambda and API Gateway v2 clients, calls to
 * an API's invoke URL (path-style, or by Host header through node:http), and the invoke
 * permission a function needs for an API.
 */
import { request } from 'node:http';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { AddPermissionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { lambdaClient } from '../../helpers/lambda.js';
import { startTestNimbus, TEST_CREDENTIALS, type TestNimbus, type TestNimbusOptions } from '../../helpers/nimbus.js';

export const REGION = 'us-east-1';

export interface V2Nimbus {
  t: TestNimbus;
  lambda: LambdaClient;
  apigw: ApiGatewayV2Client;
}

export function apigwClient(endpoint: string, credentials = TEST_CREDENTIALS): ApiGatewayV2Client {
  return new ApiGatewayV2Client({ endpoint, region: REGION, credentials, maxAttempts: 1 });
}

export async function startV2(opts: TestNimbusOptions = {}): Promise<V2Nimbus> {
  const t = await startTestNimbus(opts);
  return { t, lambda: lambdaClient(t.endpoint), apigw: apigwClient(t.endpoint) };
}

/** A request to the API's invoke URL in its path-style form. */
export function invoke(t: TestNimbus, apiId: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${t.endpoint}/_nimbus/execute-api/${apiId}${path}`, init);
}

/** A request to `{apiId}.execute-api.localhost` by Host header (Node's fetch cannot resolve *.localhost). */
export function invokeByHost(port: number, host: string, opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers: { host, ...opts.headers } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Lets API Gateway invoke `fn` for any route of the API (`{apiId}/*`). */
export async function permit(lambda: LambdaClient, fn: string, apiId: string, statementId = `apigw-${apiId}`): Promise<void> {
  await lambda.send(
    new AddPermissionCommand({
      FunctionName: fn,
      StatementId: statementId,
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      SourceArn: `arn:aws:execute-api:${REGION}:000000000000:${apiId}/*`,
    }),
  );
}

export const fnArn = (name: string) => `arn:aws:lambda:${REGION}:000000000000:function:${name}`;
