/**
 * HTTP APIs wired into the rest of Nimbus, as users deploy them: a Python handler behind a quick
 * created API, and an order taken by an SQS-SendMessage route, carried by the queue's event
 * source mapping to a function that stores it in a DynamoDB table.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { createFunction } from '../../helpers/lambda.js';
import { TEST_CREDENTIALS } from '../../helpers/nimbus.js';
import { fnArn, invoke, permit, startV2, type V2Nimbus } from './v2-helpers.js';

const hasPython = (() => {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const PYTHON_HANDLER = `import json

def handler(event, context):
    ctx = event["requestContext"]
    return {
        "statusCode": 201,
        "headers": {"content-type": "application/json", "x-runtime": "python"},
        "cookies": ["seen=1; Path=/"],
        "body": json.dumps({"method": ctx["http"]["method"], "path": event["rawPath"], "route": event["routeKey"], "q": event.get("queryStringParameters")}),
    }
`;

const STORE_ORDERS = `
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, PutCommand } = require('@aws-sdk/lib-dynamodb');
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
exports.handler = async (event) => {
  for (const record of event.Records) {
    const order = JSON.parse(record.body);
    await db.send(new PutCommand({ TableName: 'orders', Item: { id: order.id, item: order.item, source: record.eventSource } }));
  }
};
`;

describe('API Gateway v2 in front of the rest of Nimbus', () => {
  let n: V2Nimbus;
  before(async () => {
    n = await startV2({ clock: 'system' });
  });
  after(() => n.t.stop());

  it('serves a Python handler behind a quick-created API', { skip: hasPython ? false : 'python3 is not installed' }, async () => {
    await createFunction(n.lambda, 'py-hello', { 'app.py': PYTHON_HANDLER }, { Runtime: 'python3.12', Handler: 'app.handler' });
    const { ApiId } = await n.apigw.send(new CreateApiCommand({ Name: 'py', ProtocolType: 'HTTP', Target: fnArn('py-hello') }));
    await permit(n.lambda, 'py-hello', ApiId!);
    const res = await invoke(n.t, ApiId!, '/greet/me?name=ada', { method: 'POST' });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('x-runtime'), 'python');
    assert.equal(res.headers.get('set-cookie'), 'seen=1; Path=/');
    assert.deepEqual(await res.json(), { method: 'POST', path: '/greet/me', route: '$default', q: { name: 'ada' } });
  });

  it('takes an order through an SQS-SendMessage route; the queue\'s mapping runs a function that stores it', async () => {
    const db = new DynamoDBClient({ endpoint: n.t.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
    try {
      await db.send(new CreateTableCommand({ TableName: 'orders', BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }] }));
      const { QueueUrl } = await n.t.sqs.send(new CreateQueueCommand({ QueueName: 'orders' }));
      const queueArn = (await n.t.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
      await createFunction(n.lambda, 'store-orders', { 'index.js': STORE_ORDERS }, { Timeout: 10 });
      await n.lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'store-orders', EventSourceArn: queueArn, BatchSize: 10 }));

      const { ApiId } = await n.apigw.send(new CreateApiCommand({ Name: 'shop', ProtocolType: 'HTTP' }));
      const { IntegrationId } = await n.apigw.send(
        new CreateIntegrationCommand({
          ApiId,
          IntegrationType: 'AWS_PROXY',
          IntegrationSubtype: 'SQS-SendMessage',
          CredentialsArn: 'arn:aws:iam::000000000000:role/apigw-sqs',
          PayloadFormatVersion: '1.0',
          RequestParameters: { QueueUrl: QueueUrl!, MessageBody: '$request.body' },
        }),
      );
      await n.apigw.send(new CreateRouteCommand({ ApiId, RouteKey: 'POST /orders', Target: `integrations/${IntegrationId}` }));
      await n.apigw.send(new CreateStageCommand({ ApiId, StageName: '$default', AutoDeploy: true }));

      const res = await invoke(n.t, ApiId!, '/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'o-1', item: 'tea' }) });
      assert.equal(res.status, 200, await res.clone().text());

      // The mapping's reader is woken by the send; the function's write lands shortly after (real time, bounded).
      let stored: Record<string, { S?: string }> | undefined;
      for (let i = 0; i < 200 && !stored; i++) {
        stored = (await db.send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'o-1' } } }))).Item;
        if (!stored) await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual(stored, { id: { S: 'o-1' }, item: { S: 'tea' }, source: { S: 'aws:sqs' } });
    } finally {
      db.destroy();
    }
  });
});
