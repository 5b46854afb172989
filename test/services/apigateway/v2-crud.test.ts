import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createFunction } from '../../helpers/lambda.js';
import { TEST_CREDENTIALS } from '../../helpers/nimbus.js';
import { fnArn, invoke, permit, startV2, type V2Nimbus } from './v2-helpers.js';

/** One function behind every route of a CRUD API, calling DynamoDB through the SDK as real code does. */
const CRUD = `
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, GetCommand, PutCommand, DeleteCommand, ScanCommand } = require('@aws-sdk/lib-dynamodb');
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const TableName = 'items';
const json = (statusCode, body) => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
exports.handler = async (event) => {
  const id = event.pathParameters && event.pathParameters.id;
  switch (event.routeKey) {
    case 'GET /items': return (await db.send(new ScanCommand({ TableName }))).Items.sort((a, b) => a.id.localeCompare(b.id));
    case 'GET /items/{id}': {
      const r = await db.send(new GetCommand({ TableName, Key: { id } }));
      return r.Item ? r.Item : json(404, { message: 'no item ' + id });
    }
    case 'POST /items': {
      const item = JSON.parse(event.body);
      await db.send(new PutCommand({ TableName, Item: item, ConditionExpression: 'attribute_not_exists(id)' }));
      return json(201, item);
    }
    case 'PUT /items/{id}': {
      const item = { ...JSON.parse(event.body), id };
      await db.send(new PutCommand({ TableName, Item: item }));
      return json(200, item);
    }
    case 'DELETE /items/{id}':
      await db.send(new DeleteCommand({ TableName, Key: { id } }));
      return { statusCode: 204 };
  }
  return json(400, { message: 'unexpected route ' + event.routeKey });
};`;

describe('API Gateway v2: a CRUD API over a DynamoDB table', () => {
  let n: V2Nimbus;
  let ddb: DynamoDBClient;
  let apiId: string;
  before(async () => {
    n = await startV2();
    ddb = new DynamoDBClient({ endpoint: n.t.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    await ddb.send(new CreateTableCommand({ TableName: 'items', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    await createFunction(n.lambda, 'crud', { 'index.js': CRUD }, { Timeout: 10 });
    apiId = (await n.apigw.send(new CreateApiCommand({ Name: 'items', ProtocolType: 'HTTP' }))).ApiId!;
    await permit(n.lambda, 'crud', apiId);
    const integrationId = (await n.apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn('crud'), PayloadFormatVersion: '2.0' }))).IntegrationId!;
    for (const key of ['GET /items', 'POST /items', 'GET /items/{id}', 'PUT /items/{id}', 'DELETE /items/{id}']) {
      await n.apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: key, Target: `integrations/${integrationId}` }));
    }
    await n.apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: 'v1', AutoDeploy: true }));
  });
  after(async () => {
    ddb.destroy();
    await n.t.stop();
  });

  const send = (method: string, path: string, body?: unknown) =>
    invoke(n.t, apiId, `/v1${path}`, { method, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });

  it('creates, reads, lists, updates and deletes items through the API', async () => {
    const created = await send('POST', '/items', { id: 'a1', name: 'apple', qty: 3 });
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), { id: 'a1', name: 'apple', qty: 3 });
    assert.equal((await send('POST', '/items', { id: 'b2', name: 'banana', qty: 5 })).status, 201);
    // The item is really in the table.
    assert.deepEqual((await ddb.send(new GetItemCommand({ TableName: 'items', Key: { id: { S: 'a1' } } }))).Item, { id: { S: 'a1' }, name: { S: 'apple' }, qty: { N: '3' } });

    const got = await send('GET', '/items/a1');
    assert.equal(got.status, 200);
    assert.deepEqual(await got.json(), { id: 'a1', name: 'apple', qty: 3 });
    assert.deepEqual(await (await send('GET', '/items')).json(), [
      { id: 'a1', name: 'apple', qty: 3 },
      { id: 'b2', name: 'banana', qty: 5 },
    ]);
    const put = await send('PUT', '/items/a1', { name: 'apple', qty: 4 });
    assert.deepEqual(await put.json(), { id: 'a1', name: 'apple', qty: 4 });
    assert.equal((await (await send('GET', '/items/a1')).json()).qty, 4);
    const del = await send('DELETE', '/items/a1');
    assert.equal(del.status, 204);
    const gone = await send('GET', '/items/a1');
    assert.equal(gone.status, 404);
    assert.deepEqual(await gone.json(), { message: 'no item a1' });
    // A duplicate create fails inside the function: an unhandled error is API Gateway's 502.
    assert.equal((await send('POST', '/items', { id: 'b2' })).status, 502);
    assert.equal((await send('PATCH', '/items/b2')).status, 404);
  });
});
