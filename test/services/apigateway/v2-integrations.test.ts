import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { invoke, startV2, type V2Nimbus } from './v2-helpers.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('API Gateway v2: HTTP_PROXY and SQS integrations', () => {
  let n: V2Nimbus;
  let backend: Server;
  let backendUrl: string;
  const seen: Seen[] = [];
  before(async () => {
    n = await startV2();
    backend = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        if (req.url?.startsWith('/hang')) return; // never answers: the integration's timeout decides
        res.writeHead(req.url?.includes('/teapot') ? 418 : 200, { 'content-type': 'text/plain', 'x-backend': 'yes' });
        res.end(`backend saw ${req.method} ${req.url}`);
      });
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  });
  after(async () => {
    backend.closeAllConnections();
    backend.close();
    await n.t.stop();
  });

  async function httpApi(uri: string, routeKey: string, extra: Record<string, unknown> = {}): Promise<string> {
    const apiId = (await n.apigw.send(new CreateApiCommand({ Name: 'proxy', ProtocolType: 'HTTP' }))).ApiId!;
    const integrationId = (await n.apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationUri: uri, IntegrationMethod: 'ANY', ...extra }))).IntegrationId!;
    await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: routeKey, Target: `integrations/${integrationId}` }));
    await n.apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
    return apiId;
  }

  it('forwards method, greedy path, query, headers and body, and answers the backend response', async () => {
    const apiId = await httpApi(`${backendUrl}/base/{proxy}`, 'ANY /svc/{proxy+}', { RequestParameters: { 'append:header.x-added': '$request.header.x-in', 'overwrite:querystring.extra': '$context.routeKey', 'remove:header.x-drop': "''" } });
    const res = await invoke(n.t, apiId, '/svc/a/b?q=1&q=2', { method: 'PUT', headers: { 'content-type': 'application/json', 'x-in': 'val', 'x-drop': 'gone' }, body: '{"k":"v"}' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-backend'), 'yes');
    assert.ok(res.headers.get('apigw-requestid'));
    const last = seen.at(-1)!;
    assert.equal(last.method, 'PUT');
    assert.equal(last.url, '/base/a/b?q=1&q=2&extra=ANY+%2Fsvc%2F%7Bproxy%2B%7D');
    assert.equal(last.body, '{"k":"v"}');
    assert.equal(last.headers['x-added'], 'val');
    assert.equal(last.headers['x-drop'], undefined);
    assert.equal(last.headers['content-type'], 'application/json');
    assert.equal(last.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(await res.text(), 'backend saw PUT /base/a/b?q=1&q=2&extra=ANY+%2Fsvc%2F%7Bproxy%2B%7D');
    const teapot = await invoke(n.t, apiId, '/svc/teapot');
    assert.equal(teapot.status, 418);

    // Bodies up to API Gateway's 10 MB quota go through (the server's own default is 8 MiB); above it, 413.
    const nine = Buffer.alloc(9 * 1024 * 1024, 'a');
    const big = await invoke(n.t, apiId, '/svc/big', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: nine });
    assert.equal(big.status, 200);
    assert.equal(seen.at(-1)!.body.length, nine.length);
    const over = await invoke(n.t, apiId, '/svc/big', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: Buffer.alloc(10 * 1024 * 1024 + 1, 'a') });
    assert.equal(over.status, 413);
    assert.deepEqual(await over.json(), { message: 'Request Entity Too Large' });
  });

  it('answers 504 when the backend does not answer in time and 500 when it cannot be reached', async () => {
    const slow = await httpApi(`${backendUrl}/hang`, 'GET /h', { TimeoutInMillis: 500 });
    const pending = invoke(n.t, slow, '/h');
    let done = false;
    void pending.finally(() => (done = true));
    while (!done) {
      await new Promise((r) => setTimeout(r, 20));
      n.t.clock.advance(100);
    }
    const res = await pending;
    assert.equal(res.status, 504);
    assert.deepEqual(await res.json(), { message: 'Gateway Timeout' });

    const closed = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const gone = await httpApi(`http://127.0.0.1:${closed}/x`, 'GET /x');
    const r = await invoke(n.t, gone, '/x');
    assert.equal(r.status, 500);
    assert.deepEqual(await r.json(), { message: 'Internal Server Error' });
    // A user's URL never reaches a cloud metadata endpoint: the outbound guard refuses it.
    const metadata = await httpApi('http://169.254.169.254/latest/meta-data/', 'GET /m');
    const m = await invoke(n.t, metadata, '/m');
    assert.equal(m.status, 500);
  });

  it('sends a message to SQS from a SQS-SendMessage route, with mapped parameters', async () => {
    const queueUrl = (await n.t.sqs.send(new CreateQueueCommand({ QueueName: 'from-api' }))).QueueUrl!;
    const apiId = (await n.apigw.send(new CreateApiCommand({ Name: 'sqs', ProtocolType: 'HTTP' }))).ApiId!;
    const integrationId = (
      await n.apigw.send(
        new CreateIntegrationCommand({
          ApiId: apiId,
          IntegrationType: 'AWS_PROXY',
          IntegrationSubtype: 'SQS-SendMessage',
          CredentialsArn: 'arn:aws:iam::000000000000:role/apigw-sqs',
          RequestParameters: { QueueUrl: queueUrl, MessageBody: '$request.body.message', MessageAttributes: '{"source":{"DataType":"String","StringValue":"${request.header.x-source}"}}' },
        }),
      )
    ).IntegrationId!;
    await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'POST /send', Target: `integrations/${integrationId}` }));
    await n.apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
    const res = await invoke(n.t, apiId, '/send', { method: 'POST', headers: { 'content-type': 'application/json', 'x-source': 'web' }, body: JSON.stringify({ message: 'hello queue' }) });
    assert.equal(res.status, 200);
    const answer = await res.json();
    const result = answer.SendMessageResponse.SendMessageResult;
    assert.match(result.MessageId, /^[0-9a-f-]{36}$/);
    assert.equal(result.MD5OfMessageBody, createHash('md5').update('hello queue').digest('hex'));
    const got = await n.t.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: ['All'] }));
    assert.equal(got.Messages?.length, 1);
    assert.equal(got.Messages![0]!.Body, 'hello queue');
    assert.equal(got.Messages![0]!.MessageId, result.MessageId);
    assert.equal(got.Messages![0]!.MD5OfBody, result.MD5OfMessageBody);
    assert.equal(got.Messages![0]!.MessageAttributes?.source?.StringValue, 'web');

    // A queue of another account is refused by SQS: API Gateway's 500.
    const foreign = (await n.apigw.send(new CreateApiCommand({ Name: 'sqs2', ProtocolType: 'HTTP' }))).ApiId!;
    const fi = (
      await n.apigw.send(
        new CreateIntegrationCommand({ ApiId: foreign, IntegrationType: 'AWS_PROXY', IntegrationSubtype: 'SQS-SendMessage', CredentialsArn: 'arn:aws:iam::000000000000:role/r', RequestParameters: { QueueUrl: 'http://localhost/111111111111/nope', MessageBody: 'x' } }),
      )
    ).IntegrationId!;
    await n.apigw.send(new CreateRouteCommand({ ApiId: foreign, RouteKey: 'POST /send', Target: `integrations/${fi}` }));
    await n.apigw.send(new CreateStageCommand({ ApiId: foreign, StageName: '$default', AutoDeploy: true }));
    const refused = await invoke(n.t, foreign, '/send', { method: 'POST' });
    assert.equal(refused.status, 500);
  });

  it('receives and deletes messages through SQS-ReceiveMessage and SQS-DeleteMessage routes', async () => {
    const queueUrl = (await n.t.sqs.send(new CreateQueueCommand({ QueueName: 'work' }))).QueueUrl!;
    await n.t.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'job-1' }));
    const apiId = (await n.apigw.send(new CreateApiCommand({ Name: 'sqs-rw', ProtocolType: 'HTTP' }))).ApiId!;
    const role = 'arn:aws:iam::000000000000:role/apigw-sqs';
    const receive = (await n.apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationSubtype: 'SQS-ReceiveMessage', CredentialsArn: role, RequestParameters: { QueueUrl: queueUrl, MaxNumberOfMessages: '$request.querystring.max' } }))).IntegrationId!;
    const del = (await n.apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationSubtype: 'SQS-DeleteMessage', CredentialsArn: role, RequestParameters: { QueueUrl: queueUrl, ReceiptHandle: '$request.header.x-receipt' } }))).IntegrationId!;
    await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /jobs', Target: `integrations/${receive}` }));
    await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'DELETE /jobs', Target: `integrations/${del}` }));
    await n.apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
    const got = await (await invoke(n.t, apiId, '/jobs?max=5')).json();
    const messages = got.ReceiveMessageResponse.ReceiveMessageResult.messages;
    assert.equal(messages.length, 1);
    assert.equal(messages[0].Body, 'job-1');
    const deleted = await invoke(n.t, apiId, '/jobs', { method: 'DELETE', headers: { 'x-receipt': messages[0].ReceiptHandle } });
    assert.equal(deleted.status, 200);
    assert.ok((await deleted.json()).DeleteMessageResponse.ResponseMetadata.RequestId);
    n.t.clock.advance(60_000);
    assert.equal((await n.t.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }))).Messages, undefined, 'deleted, not just hidden');
  });

  it('purges a queue through an SQS-PurgeQueue route, once per 60 s as SQS allows', async () => {
    const queueUrl = (await n.t.sqs.send(new CreateQueueCommand({ QueueName: 'purged' }))).QueueUrl!;
    for (const b of ['a', 'b', 'c']) await n.t.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: b }));
    const apiId = (await n.apigw.send(new CreateApiCommand({ Name: 'sqs-purge', ProtocolType: 'HTTP' }))).ApiId!;
    const purge = (await n.apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationSubtype: 'SQS-PurgeQueue', CredentialsArn: 'arn:aws:iam::000000000000:role/apigw-sqs', RequestParameters: { QueueUrl: queueUrl } }))).IntegrationId!;
    await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'POST /purge', Target: `integrations/${purge}` }));
    await n.apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
    const res = await invoke(n.t, apiId, '/purge', { method: 'POST' });
    assert.equal(res.status, 200);
    assert.ok((await res.json()).PurgeQueueResponse.ResponseMetadata.RequestId);
    assert.equal((await n.t.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }))).Messages, undefined, 'the queue is empty');
    const again = await invoke(n.t, apiId, '/purge', { method: 'POST' });
    assert.equal(again.status, 500, 'a second purge within 60 s is refused by SQS (PurgeQueueInProgress)');
    await assert.rejects(
      n.apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationSubtype: 'SQS-PurgeQueue', CredentialsArn: 'arn:aws:iam::000000000000:role/apigw-sqs', RequestParameters: { QueueUrl: queueUrl, MessageBody: 'x' } })),
      (e: Error) => e.name === 'BadRequestException',
    );
  });
});
