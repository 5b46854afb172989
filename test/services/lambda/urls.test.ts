import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  CreateAliasCommand,
  CreateFunctionUrlConfigCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  ListFunctionUrlConfigsCommand,
  PublishVersionCommand,
  UpdateFunctionUrlConfigCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import type { TestNimbus } from '../../helpers/nimbus.js';
import { createFunction, startLambdaNimbus } from '../../helpers/lambda.js';

/** A request to a function URL: the host names the URL, the connection goes to Nimbus. */
function call(url: string, port: number, opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string } = {}) {
  const host = new URL(url).host;
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

describe('Lambda function URLs', () => {
  let t: TestNimbus;
  let lambda: LambdaClient;
  before(async () => ({ t, lambda } = await startLambdaNimbus()));
  after(() => t.stop());

  it('invokes the function with the payload format 2.0 event and maps its answer to HTTP', async () => {
    await createFunction(lambda, 'web', {
      'index.js': `exports.handler = async (event) => event.rawPath === '/raw' ? { seen: event } : {
        statusCode: 201, headers: { 'X-Custom': 'yes', 'Content-Type': 'text/plain' }, body: event.requestContext.http.method + ' ' + event.rawPath + '?' + event.rawQueryString + ' ' + event.body,
      };`,
    });
    const config = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'web', AuthType: 'NONE', Cors: { AllowOrigins: ['https://app.example'], AllowMethods: ['POST'], AllowHeaders: ['content-type'] } }));
    assert.match(config.FunctionUrl!, /^http:\/\/[a-z0-9]{32}\.lambda-url\.us-east-1\.localhost:\d+\/$/);
    assert.equal((await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'web' }))).FunctionUrl, config.FunctionUrl);
    assert.equal((await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'web' }))).FunctionUrlConfigs?.length, 1);
    await assert.rejects(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'web', AuthType: 'NONE' })), { name: 'ResourceConflictException' });

    const res = await call(config.FunctionUrl!, t.nimbus.port, { method: 'POST', path: '/a/b?x=1&y=2', body: 'hello', headers: { 'content-type': 'text/plain', origin: 'https://app.example' } });
    assert.equal(res.status, 201);
    assert.equal(res.headers['x-custom'], 'yes');
    assert.equal(res.headers['access-control-allow-origin'], 'https://app.example');
    assert.equal(res.body, 'POST /a/b?x=1&y=2 hello');

    const raw = await call(config.FunctionUrl!, t.nimbus.port, { path: '/raw?q=v&constructor=c&__proto__=p', headers: { cookie: 'a=1; b=2' } });
    assert.equal(raw.status, 200);
    assert.match(String(raw.headers['content-type']), /application\/json/);
    const event = JSON.parse(raw.body).seen;
    assert.equal(event.version, '2.0');
    assert.equal(event.routeKey, '$default');
    // Names objects inherit are parameters like any other.
    assert.equal(JSON.stringify(event.queryStringParameters), '{"q":"v","constructor":"c","__proto__":"p"}');
    assert.deepEqual(event.cookies, ['a=1', 'b=2']);
    assert.equal(event.requestContext.accountId, 'anonymous');
    assert.equal(event.requestContext.http.method, 'GET');
    assert.equal(event.isBase64Encoded, false);

    const preflight = await call(config.FunctionUrl!, t.nimbus.port, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers['access-control-allow-methods'], 'POST');

    await lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: 'web' }));
    assert.equal((await call(config.FunctionUrl!, t.nimbus.port)).status, 404);
  });

  it('keeps URL configurations of aliases named like inherited members apart from every object', async () => {
    await createFunction(lambda, 'proto', { 'index.js': 'exports.handler = async () => "ok";' });
    const { Version } = await lambda.send(new PublishVersionCommand({ FunctionName: 'proto' }));
    await lambda.send(new CreateAliasCommand({ FunctionName: 'proto', Name: '__proto__', FunctionVersion: Version }));
    await assert.rejects(lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'proto', Qualifier: '__proto__' })), { name: 'ResourceNotFoundException' });
    await assert.rejects(lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'proto', Qualifier: '__proto__', AuthType: 'NONE' })), { name: 'ResourceNotFoundException' });
    assert.equal(({} as Record<string, unknown>).AuthType, undefined, 'nothing was written to Object.prototype');
    const created = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'proto', Qualifier: '__proto__', AuthType: 'NONE' }));
    await lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'proto', Qualifier: '__proto__', AuthType: 'AWS_IAM' }));
    const got = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'proto', Qualifier: '__proto__' }));
    assert.equal(got.FunctionUrl, created.FunctionUrl);
    assert.equal(got.AuthType, 'AWS_IAM');
    assert.equal(({} as Record<string, unknown>).AuthType, undefined);
  });

  it('refuses unsigned calls to an AWS_IAM URL, and answers 502 when the function fails', async () => {
    await createFunction(lambda, 'private', { 'index.js': 'exports.handler = async () => { throw new Error("no"); };' });
    const config = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'private', AuthType: 'AWS_IAM' }));
    assert.equal((await call(config.FunctionUrl!, t.nimbus.port)).status, 403);
    await createFunction(lambda, 'failing', { 'index.js': 'exports.handler = async () => { throw new Error("no"); };' });
    const open = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'failing', AuthType: 'NONE' }));
    assert.equal((await call(open.FunctionUrl!, t.nimbus.port)).status, 502);
  });
});
