import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { TEST_CREDENTIALS, type TestNimbus } from '../../helpers/nimbus.js';
import { createFunction, decode, startLambdaNimbus } from '../../helpers/lambda.js';

describe('Lambda Invoke', () => {
  let t: TestNimbus;
  let lambda: LambdaClient;
  before(async () => ({ t, lambda } = await startLambdaNimbus()));
  after(() => t.stop());

  it('answers DryRun with 204 and RequestResponse with the result, the log tail and the executed version', async () => {
    await createFunction(lambda, 'talk', { 'index.js': 'exports.handler = async (e, ctx) => { console.log("hello", e.n); return { n: e.n * 2, name: ctx.functionName, left: ctx.getRemainingTimeInMillis() > 0 }; };' });
    const dry = await lambda.send(new InvokeCommand({ FunctionName: 'talk', InvocationType: 'DryRun' }));
    assert.equal(dry.StatusCode, 204);
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'talk', Payload: JSON.stringify({ n: 21 }), LogType: 'Tail' }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, undefined);
    assert.deepEqual(JSON.parse(decode(out.Payload)), { n: 42, name: 'talk', left: true });
    const tail = Buffer.from(out.LogResult!, 'base64').toString('utf8');
    assert.match(tail, /START RequestId: [0-9a-f-]+ Version: \$LATEST/);
    assert.match(tail, /\tINFO\thello 21/);
    assert.match(tail, /REPORT RequestId: .*Duration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB/);
  });

  it('reports a thrown error as an Unhandled function error', async () => {
    await createFunction(lambda, 'thrower', { 'index.mjs': 'export const handler = async () => { const e = new TypeError("bad input"); throw e; };' });
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'thrower' }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, 'Unhandled');
    const body = JSON.parse(decode(out.Payload));
    assert.equal(body.errorType, 'TypeError');
    assert.equal(body.errorMessage, 'bad input');
  });

  it('times out as Lambda does and starts a fresh environment after', async () => {
    await createFunction(
      lambda,
      'sleepy',
      { 'index.js': 'let calls = 0; exports.handler = async (e) => { calls++; if (e.sleep) await new Promise(r => setTimeout(r, 5000)); return calls; };' },
      { Timeout: 1 },
    );
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'sleepy', Payload: JSON.stringify({ sleep: true }) }));
    assert.equal(out.FunctionError, 'Unhandled');
    const body = JSON.parse(decode(out.Payload));
    assert.equal(body.errorType, 'Sandbox.Timedout');
    assert.match(body.errorMessage, /Task timed out after 1\.00 seconds/);
    const next = await lambda.send(new InvokeCommand({ FunctionName: 'sleepy', Payload: '{}' }));
    assert.equal(decode(next.Payload), '1', 'a fresh environment counts from one');
  });

  it('reports a crashed environment and recovers', async () => {
    await createFunction(lambda, 'crasher', { 'index.js': 'exports.handler = async (e) => { if (e.die) process.exit(3); return "alive"; };' });
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'crasher', Payload: JSON.stringify({ die: true }) }));
    assert.equal(out.FunctionError, 'Unhandled');
    const body = JSON.parse(decode(out.Payload));
    assert.equal(body.errorType, 'Runtime.ExitError');
    assert.match(body.errorMessage, /Runtime exited with error: exit status 3/);
    const next = await lambda.send(new InvokeCommand({ FunctionName: 'crasher' }));
    assert.equal(decode(next.Payload), '"alive"');
  });

  it('gives handlers Lambda variables and an SDK that reaches Nimbus without bundling it', async () => {
    const queueUrl = (await t.sqs.send(new CreateQueueCommand({ QueueName: 'from-lambda' }))).QueueUrl!;
    await createFunction(lambda, 'sender', {
      'index.mjs': `
        import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
        const sqs = new SQSClient({});
        export const handler = async (event) => {
          await sqs.send(new SendMessageCommand({ QueueUrl: event.queueUrl, MessageBody: JSON.stringify({ fn: process.env.AWS_LAMBDA_FUNCTION_NAME, region: process.env.AWS_REGION, handler: process.env._HANDLER, mem: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE }) }));
          return 'sent';
        };`,
    });
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'sender', Payload: JSON.stringify({ queueUrl }) }));
    assert.equal(out.FunctionError, undefined, decode(out.Payload));
    const got = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    assert.deepEqual(JSON.parse(got.Messages![0]!.Body!), { fn: 'sender', region: 'us-east-1', handler: 'index.handler', mem: '128' });
    const attrs = await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
    assert.ok(attrs.Attributes);
  });

  it('runs a custom runtime bootstrap unchanged', async () => {
    const bootstrap = `#!/usr/bin/env node
const http = require('http');
const api = process.env.AWS_LAMBDA_RUNTIME_API;
function req(method, path, body) {
  return new Promise((resolve, reject) => {
    const r = http.request('http://' + api + path, { method }, (res) => { let d = ''; res.on('data', c => d += c); res.on('end', () => resolve({ headers: res.headers, body: d })); });
    r.on('error', reject); if (body) r.write(body); r.end();
  });
}
(async () => { for (;;) {
  const next = await req('GET', '/2018-06-01/runtime/invocation/next');
  const id = next.headers['lambda-runtime-aws-request-id'];
  await req('POST', '/2018-06-01/runtime/invocation/' + id + '/response', JSON.stringify({ custom: JSON.parse(next.body), handler: process.env._HANDLER }));
} })();
`;
    await createFunction(lambda, 'custom', { bootstrap: { text: bootstrap, mode: 0o755 } }, { Runtime: 'provided.al2023', Handler: 'my.handler' });
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'custom', Payload: JSON.stringify({ x: 1 }) }));
    assert.equal(out.FunctionError, undefined, decode(out.Payload));
    assert.deepEqual(JSON.parse(decode(out.Payload)), { custom: { x: 1 }, handler: 'my.handler' });
  });

  it('sends environment output to CloudWatch Logs under /aws/lambda/<name>', async () => {
    await createFunction(lambda, 'logger', { 'index.js': 'exports.handler = async () => { console.error("to the log"); return 1; };' });
    await lambda.send(new InvokeCommand({ FunctionName: 'logger' }));
    const logs = new CloudWatchLogsClient({ endpoint: t.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
    let messages: string[] = [];
    for (let i = 0; i < 50 && !messages.some((m) => m.startsWith('REPORT')); i++) {
      await new Promise((r) => setTimeout(r, 50));
      const got = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/logger' })).catch(() => ({ events: [] }));
      messages = (got.events ?? []).map((e) => e.message ?? '');
    }
    assert.ok(messages.some((m) => /\tERROR\tto the log/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => m.startsWith('START RequestId:')));
    assert.ok(messages.some((m) => m.startsWith('END RequestId:')));
    assert.ok(messages.some((m) => m.startsWith('REPORT RequestId:') && m.includes('Init Duration')));
  });
});
