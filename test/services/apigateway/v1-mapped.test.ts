import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  type PutIntegrationCommandInput,
} from '@aws-sdk/client-api-gateway';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createFunction } from '../../helpers/lambda.js';
import { ACCOUNT } from '../../helpers/nimbus.js';
import { allowApiGateway, invoke, lambdaUri, startV1, type V1Nimbus } from './v1-helpers.js';

describe('API Gateway v1 data plane: MOCK, AWS (Lambda, SQS), HTTP and HTTP_PROXY integrations', () => {
  let n: V1Nimbus;
  let backend: Server;
  let backendUrl: string;
  const hung: Array<{ end(): void }> = [];
  before(async () => {
    n = await startV1();
    await createFunction(n.lambda, 'pets', {
      'index.js': `exports.handler = async (event) => {
        if (event.id === '7') throw new Error('NotFound: pet 7');
        if (event.id === 'x') throw new Error('Something else');
        return { got: event };
      };`,
    });
    backend = createServer((req, res) => {
      // A backend that never answers, for the integration timeout.
      if (req.url?.includes('hang')) return void hung.push(res);
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        // A backend that compresses its answer, for content-encoding passing through (or not).
        if (req.url?.includes('gzip')) {
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
          return void res.end(gzipSync(JSON.stringify({ zipped: true, url: req.url })));
        }
        const status = req.url?.includes('missing') ? 404 : 200;
        res.writeHead(status, { 'content-type': 'application/json', 'x-backend': 'yes' });
        res.end(JSON.stringify({ method: req.method, url: req.url, body, custom: req.headers['x-custom'] ?? null }));
      });
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const r of hung) r.end();
    backend.close();
    await n.t.stop();
  });

  /** One API with one method on `/{part}` (or `/` when part is empty), the given integration and integration responses, deployed to `test`. */
  async function api(part: string, method: string, integration: Omit<PutIntegrationCommandInput, 'restApiId' | 'resourceId' | 'httpMethod'>, responses: Array<{ statusCode: string; selectionPattern?: string; responseTemplates?: Record<string, string>; responseParameters?: Record<string, string> }> = []) {
    const a = await n.apigw.send(new CreateRestApiCommand({ name: `mapped-${part}` }));
    const apiId = a.id!;
    let resourceId = a.rootResourceId!;
    for (const p of part.split('/').filter(Boolean)) resourceId = (await n.apigw.send(new CreateResourceCommand({ restApiId: apiId, parentId: resourceId, pathPart: p }))).id!;
    await n.apigw.send(new PutMethodCommand({ restApiId: apiId, resourceId, httpMethod: method, authorizationType: 'NONE' }));
    await n.apigw.send(new PutIntegrationCommand({ restApiId: apiId, resourceId, httpMethod: method, ...integration }));
    for (const r of responses) {
      await n.apigw.send(new PutMethodResponseCommand({ restApiId: apiId, resourceId, httpMethod: method, statusCode: r.statusCode }));
      await n.apigw.send(new PutIntegrationResponseCommand({ restApiId: apiId, resourceId, httpMethod: method, ...r }));
    }
    await n.apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'test' }));
    return apiId;
  }

  it('MOCK: the request template names the status, the integration response maps it with its template and headers', async () => {
    const apiId = await api('health', 'GET', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }, [
      { statusCode: '200', responseTemplates: { 'application/json': '{"status": "ok"}' }, responseParameters: { 'method.response.header.X-Mock': "'yes'" } },
    ]);
    const res = await invoke(n.t, apiId, '/test/health');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { status: 'ok' });
    assert.equal(res.headers.get('x-mock'), 'yes');
    assert.match(res.headers.get('content-type')!, /application\/json/);

    const notFound = await api('gone', 'GET', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 404}' } }, [
      { statusCode: '200' },
      { statusCode: '404', selectionPattern: '404', responseTemplates: { 'application/json': '{"message": "gone"}' } },
    ]);
    const gone = await invoke(n.t, notFound, '/test/gone');
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.json(), { message: 'gone' });

    // No integration response for the status and no default: a configuration error.
    const bare = await api('bare', 'GET', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } });
    const failed = await invoke(n.t, bare, '/test/bare');
    assert.equal(failed.status, 500);
    assert.deepEqual(failed.json(), { message: 'Internal server error' });
  });

  it('AWS Lambda (non-proxy): the body passes through, errors select a response by errorMessage, others fall to the default', async () => {
    const apiId = await api('pets', 'POST', { type: 'AWS', integrationHttpMethod: 'POST', uri: lambdaUri('pets') }, [
      { statusCode: '200' },
      { statusCode: '404', selectionPattern: 'NotFound:.*', responseTemplates: { 'application/json': '{"message": "no such pet"}' } },
    ]);
    await allowApiGateway(n.lambda, 'pets', apiId);
    const ok = await invoke(n.t, apiId, '/test/pets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id": "1"}' });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json(), { got: { id: '1' } });

    const missing = await invoke(n.t, apiId, '/test/pets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id": "7"}' });
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json(), { message: 'no such pet' });

    // An error no pattern matches is answered by the default response, with the error as its body.
    const other = await invoke(n.t, apiId, '/test/pets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id": "x"}' });
    assert.equal(other.status, 200);
    assert.equal((other.json() as { errorMessage: string }).errorMessage, 'Something else');
  });

  it('MOCK with Velocity: the response template reads the request through $input, $util and $context, and overrides the response', async () => {
    const apiId = await api(
      'greet/{name}',
      'GET',
      { type: 'MOCK', requestTemplates: { 'application/json': '#if($input.params(\'fail\') == "yes"){"statusCode": 500}#else{"statusCode": 200}#end' } },
      [
        {
          statusCode: '200',
          responseTemplates: {
            'application/json': '{"hello": "$input.params(\'name\')", "lang": "$input.params(\'lang\')", "agent": "$util.escapeJavaScript($input.params().header.get(\'x-agent\'))", "stage": "$context.stage", "id": "$context.requestId"}',
          },
        },
        { statusCode: '500', selectionPattern: '5\\d{2}', responseTemplates: { 'application/json': '#set($context.responseOverride.header.X-Failed = "true"){"failed": true}' } },
      ],
    );
    const res = await invoke(n.t, apiId, '/test/greet/ada?lang=en', { headers: { 'x-agent': 'say "hi"' } });
    assert.equal(res.status, 200);
    const body = res.json() as Record<string, string>;
    assert.deepEqual({ ...body, id: undefined }, { hello: 'ada', lang: 'en', agent: 'say "hi"', stage: 'test', id: undefined });
    assert.equal(body.id, res.headers.get('x-amzn-requestid'));
    const failed = await invoke(n.t, apiId, '/test/greet/ada?fail=yes');
    assert.equal(failed.status, 500);
    assert.equal(failed.headers.get('x-failed'), 'true');
    assert.deepEqual(failed.json(), { failed: true });
  });

  it('AWS Lambda (non-proxy) with request and response templates and an error selection pattern', async () => {
    const apiId = await api(
      'mapped/{id}',
      'POST',
      {
        type: 'AWS',
        integrationHttpMethod: 'POST',
        uri: lambdaUri('pets'),
        passthroughBehavior: 'WHEN_NO_TEMPLATES',
        requestTemplates: { 'application/json': '{"id": "$input.params(\'id\')", "name": $input.json(\'$.name\'), "source": "$context.httpMethod"}' },
      },
      [
        { statusCode: '200', responseTemplates: { 'application/json': '{"pet": $input.json(\'$.got\'), "named": "$input.path(\'$.got.name\')"}' } },
        { statusCode: '404', selectionPattern: 'NotFound:.*', responseTemplates: { 'application/json': '{"error": "$input.path(\'$.errorMessage\')"}' } },
      ],
    );
    await allowApiGateway(n.lambda, 'pets', apiId);
    const ok = await invoke(n.t, apiId, '/test/mapped/1', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": "rex"}' });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json(), { pet: { id: '1', name: 'rex', source: 'POST' }, named: 'rex' });
    const missing = await invoke(n.t, apiId, '/test/mapped/7', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": "ghost"}' });
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json(), { error: 'NotFound: pet 7' });
    // A content type with no template, when the integration has templates: 415 under WHEN_NO_TEMPLATES.
    assert.equal((await invoke(n.t, apiId, '/test/mapped/1', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status, 415);
  });

  it('AWS SQS with the usual mapping template (Action=SendMessage&MessageBody=$util.urlEncode($input.body))', async () => {
    await n.t.sqs.send(new CreateQueueCommand({ QueueName: 'templated' }));
    const apiId = await api(
      'send',
      'POST',
      {
        type: 'AWS',
        integrationHttpMethod: 'POST',
        uri: `arn:aws:apigateway:us-east-1:sqs:path/${ACCOUNT}/templated`,
        requestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
        requestTemplates: { 'application/json': 'Action=SendMessage&MessageBody=$util.urlEncode($input.body)' },
      },
      [{ statusCode: '200', responseTemplates: { 'application/json': '{"id": "$input.path(\'$.SendMessageResponse.SendMessageResult.MessageId\')"}' } }],
    );
    const res = await invoke(n.t, apiId, '/test/send', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"order": 1, "note": "a&b=c"}' });
    assert.equal(res.status, 200);
    const got = await n.t.sqs.send(new ReceiveMessageCommand({ QueueUrl: `${n.t.endpoint}/${ACCOUNT}/templated`, MaxNumberOfMessages: 1 }));
    assert.equal(got.Messages?.[0]?.Body, '{"order": 1, "note": "a&b=c"}');
    assert.deepEqual(res.json(), { id: got.Messages?.[0]?.MessageId });
  });

  it('passthrough behaviour NEVER refuses a content type without a template (415)', async () => {
    const apiId = await api('strict', 'POST', { type: 'MOCK', passthroughBehavior: 'NEVER', requestTemplates: { 'application/json': '{"statusCode": 200}' } }, [{ statusCode: '200' }]);
    assert.equal((await invoke(n.t, apiId, '/test/strict', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 200);
    const refused = await invoke(n.t, apiId, '/test/strict', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    assert.equal(refused.status, 415);
    assert.deepEqual(refused.json(), { message: 'Unsupported Media Type' });
  });

  it('AWS SQS: SendMessage on the queue the URI names, answered as SQS answers', async () => {
    await n.t.sqs.send(new CreateQueueCommand({ QueueName: 'inbox' }));
    const apiId = await api(
      'enqueue',
      'POST',
      { type: 'AWS', integrationHttpMethod: 'POST', uri: `arn:aws:apigateway:us-east-1:sqs:path/${ACCOUNT}/inbox`, requestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" } },
      [{ statusCode: '200' }],
    );
    const res = await invoke(n.t, apiId, '/test/enqueue', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=SendMessage&MessageBody=hello+queue' });
    assert.equal(res.status, 200);
    const answer = res.json() as { SendMessageResponse: { SendMessageResult: { MessageId: string; MD5OfMessageBody: string } } };
    const got = await n.t.sqs.send(new ReceiveMessageCommand({ QueueUrl: `${n.t.endpoint}/${ACCOUNT}/inbox`, MaxNumberOfMessages: 1 }));
    assert.equal(got.Messages?.[0]?.Body, 'hello queue');
    assert.equal(got.Messages?.[0]?.MessageId, answer.SendMessageResponse.SendMessageResult.MessageId);
    assert.equal(got.Messages?.[0]?.MD5OfBody, answer.SendMessageResponse.SendMessageResult.MD5OfMessageBody);
  });

  it('HTTP: path parameters and headers mapped into the request, the status selects the response', async () => {
    const a = await n.apigw.send(new CreateRestApiCommand({ name: 'http' }));
    const items = await n.apigw.send(new CreateResourceCommand({ restApiId: a.id, parentId: a.rootResourceId, pathPart: 'items' }));
    const item = await n.apigw.send(new CreateResourceCommand({ restApiId: a.id, parentId: items.id, pathPart: '{id}' }));
    await n.apigw.send(new PutMethodCommand({ restApiId: a.id, resourceId: item.id, httpMethod: 'GET', authorizationType: 'NONE', requestParameters: { 'method.request.path.id': true } }));
    await n.apigw.send(
      new PutIntegrationCommand({
        restApiId: a.id,
        resourceId: item.id,
        httpMethod: 'GET',
        type: 'HTTP',
        integrationHttpMethod: 'GET',
        uri: `${backendUrl}/backend/{itemId}`,
        requestParameters: { 'integration.request.path.itemId': 'method.request.path.id', 'integration.request.header.X-Custom': "'static'" },
      }),
    );
    for (const r of [
      { statusCode: '200', responseParameters: { 'method.response.header.X-From': 'integration.response.header.x-backend' } },
      { statusCode: '404', selectionPattern: '4\\d{2}', responseTemplates: { 'application/json': '{"message": "not here"}' } },
    ]) {
      await n.apigw.send(new PutMethodResponseCommand({ restApiId: a.id, resourceId: item.id, httpMethod: 'GET', statusCode: r.statusCode }));
      await n.apigw.send(new PutIntegrationResponseCommand({ restApiId: a.id, resourceId: item.id, httpMethod: 'GET', ...r }));
    }
    await n.apigw.send(new CreateDeploymentCommand({ restApiId: a.id, stageName: 'test' }));

    const ok = await invoke(n.t, a.id!, '/test/items/42');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('x-from'), 'yes');
    assert.deepEqual(ok.json(), { method: 'GET', url: '/backend/42', body: '', custom: 'static' });
    const missing = await invoke(n.t, a.id!, '/test/items/missing');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json(), { message: 'not here' });
  });

  it('answers 504 when the backend outlasts the integration timeout (on the clock)', async () => {
    const apiId = await api('slow', 'GET', { type: 'HTTP', integrationHttpMethod: 'GET', uri: `${backendUrl}/hang`, timeoutInMillis: 1000 }, [{ statusCode: '200' }]);
    const pending = invoke(n.t, apiId, '/test/slow');
    // Once the backend holds the request, time passes beyond the timeout.
    for (let i = 0; i < 200 && hung.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(hung.length, 1);
    n.t.clock.advance(1001);
    const res = await pending;
    assert.equal(res.status, 504);
    assert.deepEqual(res.json(), { message: 'Endpoint request timed out' });
  });

  it('HTTP_PROXY: the request goes through as it came, {proxy} filled in, the answer comes back as it is', async () => {
    const a = await n.apigw.send(new CreateRestApiCommand({ name: 'http-proxy' }));
    const proxy = await n.apigw.send(new CreateResourceCommand({ restApiId: a.id, parentId: a.rootResourceId, pathPart: '{proxy+}' }));
    await n.apigw.send(new PutMethodCommand({ restApiId: a.id, resourceId: proxy.id, httpMethod: 'ANY', authorizationType: 'NONE' }));
    await n.apigw.send(new PutIntegrationCommand({ restApiId: a.id, resourceId: proxy.id, httpMethod: 'ANY', type: 'HTTP_PROXY', integrationHttpMethod: 'ANY', uri: `${backendUrl}/up/{proxy}` }));
    await n.apigw.send(new CreateDeploymentCommand({ restApiId: a.id, stageName: 'test' }));
    const res = await invoke(n.t, a.id!, '/test/a/b?q=1', { method: 'PUT', headers: { 'x-custom': 'mine', 'content-type': 'text/plain' }, body: 'payload' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-backend'), 'yes');
    assert.deepEqual(res.json(), { method: 'PUT', url: '/up/a/b?q=1', body: 'payload', custom: 'mine' });
    assert.equal((await invoke(n.t, a.id!, '/test/missing')).status, 404);
    // A compressed answer keeps its content-encoding with its body (the client decompresses).
    const zipped = await fetch(`${n.t.endpoint}/_nimbus/execute-api/${a.id}/test/gzip`);
    assert.equal(zipped.headers.get('content-encoding'), 'gzip');
    assert.deepEqual(await zipped.json(), { zipped: true, url: '/up/gzip' });
  });

  it('HTTP (non-proxy): a compressed backend answer is decompressed before the response template reads it', async () => {
    const apiId = await api('gzip', 'GET', { type: 'HTTP', integrationHttpMethod: 'GET', uri: `${backendUrl}/gzip` }, [
      { statusCode: '200', responseTemplates: { 'application/json': '{"seen": $input.json(\'$.zipped\')}' } },
    ]);
    const res = await fetch(`${n.t.endpoint}/_nimbus/execute-api/${apiId}/test/gzip`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-encoding'), null);
    assert.deepEqual(await res.json(), { seen: true });
  });
});
