/**
 * AWS's WebSocket chat tutorial, its handlers as the tutorial writes them: `$connect` stores the
 * connection id in a DynamoDB table, `sendmessage` broadcasts with PostToConnection through a
 * client built as `https://${domainName}/${stage}` from its event, `$disconnect` removes the id,
 * `$default` answers with the caller's GetConnection info. Driven by several `ws` clients.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { CreateTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { dynamoClient } from '../../helpers/dynamodb.js';
import { createFunction } from '../../helpers/lambda.js';
import { permit, startV2, type V2Nimbus } from './v2-helpers.js';
import { connect, managementClient, wsApi, type Client } from './ws-helpers.js';

const CONNECT = `const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const ddb = new DynamoDBClient({});
exports.handler = async function (event) {
  try {
    await ddb.send(new PutItemCommand({ TableName: process.env.TABLE_NAME, Item: { connectionId: { S: event.requestContext.connectionId } } }));
  } catch (err) {
    return { statusCode: 500 };
  }
  return { statusCode: 200 };
};`;

const DISCONNECT = `const { DynamoDBClient, DeleteItemCommand } = require('@aws-sdk/client-dynamodb');
const ddb = new DynamoDBClient({});
exports.handler = async function (event) {
  try {
    await ddb.send(new DeleteItemCommand({ TableName: process.env.TABLE_NAME, Key: { connectionId: { S: event.requestContext.connectionId } } }));
  } catch (err) {
    return { statusCode: 500 };
  }
  return { statusCode: 200 };
};`;

const SEND = `const { DynamoDBClient, ScanCommand } = require('@aws-sdk/client-dynamodb');
const { ApiGatewayManagementApiClient, PostToConnectionCommand } = require('@aws-sdk/client-apigatewaymanagementapi');
const ddb = new DynamoDBClient({});
exports.handler = async function (event) {
  let connections;
  try {
    connections = await ddb.send(new ScanCommand({ TableName: process.env.TABLE_NAME }));
  } catch (err) {
    return { statusCode: 500 };
  }
  const callbackAPI = new ApiGatewayManagementApiClient({
    apiVersion: '2018-11-29',
    endpoint: 'https://' + event.requestContext.domainName + '/' + event.requestContext.stage,
  });
  const message = JSON.parse(event.body).message;
  const sendMessages = connections.Items.map(async ({ connectionId }) => {
    if (connectionId.S !== event.requestContext.connectionId) {
      try {
        await callbackAPI.send(new PostToConnectionCommand({ ConnectionId: connectionId.S, Data: message }));
      } catch (e) {
        console.log(e);
      }
    }
  });
  try {
    await Promise.all(sendMessages);
  } catch (e) {
    console.log(e);
    return { statusCode: 500 };
  }
  return { statusCode: 200 };
};`;

const DEFAULT = `const { ApiGatewayManagementApiClient, PostToConnectionCommand, GetConnectionCommand } = require('@aws-sdk/client-apigatewaymanagementapi');
exports.handler = async function (event) {
  const connectionId = event.requestContext.connectionId;
  const callbackAPI = new ApiGatewayManagementApiClient({ apiVersion: '2018-11-29', endpoint: 'https://' + event.requestContext.domainName + '/' + event.requestContext.stage });
  let connectionInfo;
  try {
    connectionInfo = await callbackAPI.send(new GetConnectionCommand({ ConnectionId: event.requestContext.connectionId }));
  } catch (e) {
    console.log(e);
  }
  connectionInfo.connectionID = connectionId;
  await callbackAPI.send(new PostToConnectionCommand({ ConnectionId: event.requestContext.connectionId, Data: 'Use the sendmessage route to send a message. Your info:' + JSON.stringify(connectionInfo) }));
  return { statusCode: 200 };
};`;

describe('API Gateway WebSocket APIs: the AWS chat tutorial', () => {
  let n: V2Nimbus;
  let apiId: string;
  const ddb = () => dynamoClient(n.t.endpoint);
  before(async () => {
    n = await startV2({ tlsPort: 0 });
    await ddb().send(new CreateTableCommand({ TableName: 'chat', KeySchema: [{ AttributeName: 'connectionId', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'connectionId', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
    const Environment = { Variables: { TABLE_NAME: 'chat' } };
    await Promise.all([
      createFunction(n.lambda, 'connect', { 'index.js': CONNECT }, { Environment }),
      createFunction(n.lambda, 'disconnect', { 'index.js': DISCONNECT }, { Environment }),
      createFunction(n.lambda, 'send', { 'index.js': SEND }, { Environment, Timeout: 10 }),
      createFunction(n.lambda, 'default', { 'index.js': DEFAULT }, { Timeout: 10 }),
    ]);
    apiId = await wsApi(n.apigw, { $connect: 'connect', $disconnect: 'disconnect', sendmessage: 'send', $default: 'default' }, { stage: 'production' });
    for (const fn of ['connect', 'disconnect', 'send', 'default']) await permit(n.lambda, fn, apiId, `chat-${fn}`);
  });
  after(() => n.t.stop());

  const ids = async () => ((await ddb().send(new ScanCommand({ TableName: 'chat' }))).Items ?? []).map((i) => i.connectionId!.S!).sort();
  const until = async <T>(what: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
    for (let i = 0; ; i++) {
      const v = await what();
      if (ok(v) || i > 100) return v;
      await new Promise((r) => setTimeout(r, 30));
    }
  };

  it('stores connections, broadcasts to the others from a function, and forgets those that leave', async () => {
    const clients: Client[] = [];
    for (let i = 0; i < 3; i++) clients.push(await connect(n.t, apiId, 'production'));
    const [alice, bob, carol] = clients as [Client, Client, Client];
    assert.equal((await ids()).length, 3, 'every $connect stored its connection id');

    alice.ws.send(JSON.stringify({ action: 'sendmessage', message: 'hello everyone' }));
    assert.equal(await bob.next(10_000), 'hello everyone');
    assert.equal(await carol.next(10_000), 'hello everyone');

    // $default: the function reads its own connection through GetConnection and answers.
    carol.ws.send('what do I do?');
    const info = String(await carol.next(10_000));
    assert.match(info, /^Use the sendmessage route to send a message\. Your info:/);
    const parsed = JSON.parse(info.slice(info.indexOf(':') + 1));
    assert.equal(parsed.Identity.SourceIp, '127.0.0.1');
    assert.ok(parsed.ConnectedAt);

    const before = await ids();
    bob.ws.close();
    await bob.closed;
    const after = await until(ids, (v) => v.length === 2);
    assert.equal(after.length, 2, '$disconnect removed the connection id');
    const bobId = before.find((id) => !after.includes(id))!;

    carol.ws.send(JSON.stringify({ action: 'sendmessage', message: 'bob left' }));
    assert.equal(await alice.next(10_000), 'bob left');
    assert.equal(alice.frames.length, 1, 'alice never got her own message');
    assert.equal(bob.frames.length, 1);

    // Posting to the connection that left: GoneException (410), as AWS answers.
    const mgmt = managementClient(n.t, apiId, 'production');
    await assert.rejects(mgmt.send(new PostToConnectionCommand({ ConnectionId: bobId, Data: 'are you there?' })), { name: 'GoneException' });
    const aliceInfo = await mgmt.send(new GetConnectionCommand({ ConnectionId: after[0]! }));
    assert.ok(aliceInfo.ConnectedAt);
    alice.ws.close();
    carol.ws.close();
  });
});
