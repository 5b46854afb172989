/**
 * DynamoDB's wire as DynamoDB answers it (issue 15, first part): Coral's `__type` namespaces
 * and wording, wrong JSON types as SerializationException, the whole request validated before
 * any table is looked up, several violations in one message in DynamoDB's order, signature
 * failures as 400, `x-amz-crc32` and 52-character request ids, the 16 MB body limit, oversized
 * headers, and compressed requests and answers.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { crc32, deflateSync, gunzipSync, gzipSync } from 'node:zlib';
import { ListTablesCommand, PutItemCommand, TagResourceCommand } from '@aws-sdk/client-dynamodb';
import { createTable, dynamoClient } from '../../helpers/dynamodb.js';
import { dynamoRaw } from '../../helpers/dynamodb-raw.js';
import { ACCOUNT, startTestNimbus, type TestNimbus } from '../../helpers/nimbus.js';

const VALIDATION = 'com.amazon.coral.validate#ValidationException';
const SERIALIZATION = 'com.amazon.coral.service#SerializationException';
const NOT_FOUND = 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException';

describe('DynamoDB wire conformance', () => {
  let t: TestNimbus;
  before(async () => {
    t = await startTestNimbus();
    const ddb = dynamoClient(t.endpoint);
    await createTable(ddb, 'wire', { range: false });
    ddb.destroy();
  });
  after(() => t.stop());
  const call = (target: string, body: unknown, opts?: Parameters<typeof dynamoRaw>[3]) => dynamoRaw(t.endpoint, target, body, opts);

  it('names validation, serialization and service errors in their own namespaces, with x-amz-crc32 and a 52-character request id', async () => {
    const v = await call('Scan', { TableName: 'a;' });
    assert.equal(v.status, 400);
    assert.equal(v.json.__type, VALIDATION);
    assert.equal(typeof v.json.message, 'string');
    const s = await call('GetItem', '{bad');
    assert.deepEqual(s.json, { __type: SERIALIZATION });
    // DynamoDB's own figure for this exact body.
    assert.equal(s.headers['x-amz-crc32'], '3948637019');
    const n = await call('DescribeTable', { TableName: 'missing' });
    assert.equal(n.json.__type, NOT_FOUND);
    const u = await call('ListTable', {});
    assert.deepEqual(u.json, { __type: 'com.amazon.coral.service#UnknownOperationException' });
    const ok = await call('ListTables', {});
    assert.equal(ok.status, 200);
    for (const r of [v, s, n, u, ok]) {
      assert.match(String(r.headers['x-amzn-requestid']), /^[0-9A-Z]{52}$/);
      assert.equal(r.headers['x-amz-crc32'], String(crc32(r.bytes)));
    }
  });

  it('answers a member of the wrong JSON type with SerializationException in Coral\'s words (`Message`), before the table is looked up', async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['GetItem', { TableName: 5, Key: {} }, 'NUMBER_VALUE cannot be converted to String'],
      ['GetItem', { TableName: 5.5, Key: {} }, 'DECIMAL_VALUE cannot be converted to String'],
      ['GetItem', { TableName: true, Key: {} }, 'TRUE_VALUE cannot be converted to String'],
      ['GetItem', { TableName: ['a'], Key: {} }, 'Unrecognized collection type class java.lang.String'],
      ['GetItem', { TableName: { a: 1 }, Key: {} }, 'Start of structure or map found where not expected'],
      ['GetItem', { TableName: 'missing', Key: 'x' }, 'Unexpected field type'],
      ['GetItem', { TableName: 'missing', Key: [] }, 'Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>'],
      ['GetItem', { TableName: 'missing', Key: { a: { S: 5 } } }, 'NUMBER_VALUE cannot be converted to String'],
      ['PutItem', { TableName: 'missing', Item: { a: { S: 'x' } }, Expected: [] }, 'Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.ExpectedAttributeValue>'],
      ['Query', { TableName: 'missing', ExpressionAttributeNames: [] }, 'Unrecognized collection type java.util.Map<java.lang.String, java.lang.String>'],
      ['ListTables', { Limit: '5' }, 'STRING_VALUE cannot be converted to Integer'],
      ['ListTables', { Limit: [5] }, 'Unrecognized collection type class java.lang.Integer'],
      ['Scan', { TableName: 'missing', ConsistentRead: 5 }, 'NUMBER_VALUE cannot be converted to Boolean'],
      ['Scan', { TableName: 'missing', AttributesToGet: 'a' }, 'Unexpected field type'],
      ['CreateTable', { TableName: 'abc', KeySchema: {}, AttributeDefinitions: [] }, 'Start of structure or map found where not expected'],
      ['CreateTable', { TableName: 'abc', KeySchema: [], AttributeDefinitions: [], ProvisionedThroughput: [] }, 'Unrecognized collection type class com.amazonaws.dynamodb.v20120810.ProvisionedThroughput'],
      ['CreateTable', { TableName: 'abc', KeySchema: ['x'], AttributeDefinitions: [] }, 'Unexpected value type in payload'],
      ['CreateTable', { TableName: 'abc', KeySchema: [], AttributeDefinitions: [], ProvisionedThroughput: { ReadCapacityUnits: '1' } }, 'STRING_VALUE cannot be converted to Long'],
    ];
    for (const [target, body, message] of cases) {
      const r = await call(target, body);
      assert.equal(r.status, 400, `${target} ${JSON.stringify(body)}`);
      assert.deepEqual(r.json, { __type: SERIALIZATION, Message: message }, `${target} ${JSON.stringify(body)}`);
    }
  });

  it('reads nested members whole before any check: a wrong JSON type deep inside beats a missing member', async () => {
    // Wordings from dynalite's suite, captured from DynamoDB (Coral deserializes the whole request first).
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['PutItem', { Item: { a: '23' } }, 'Unexpected value type in payload'],
      ['PutItem', { Expected: { a: '23' } }, 'Unexpected value type in payload'],
      ['PutItem', { Expected: { a: { Exists: '23' } } }, 'Unexpected token received from parser'],
      ['PutItem', { Expected: { a: { Value: '23' } } }, 'Unexpected field type'],
      ['DeleteItem', { ExpressionAttributeValues: { ':a': true } }, 'Unexpected value type in payload'],
      ['UpdateItem', { AttributeUpdates: { a: { Action: true } } }, 'TRUE_VALUE cannot be converted to String'],
      ['Query', { KeyConditions: { a: { AttributeValueList: [{ S: 5 }] } } }, 'NUMBER_VALUE cannot be converted to String'],
      ['BatchGetItem', { RequestItems: { abc: { ConsistentRead: '23' } } }, 'Unexpected token received from parser'],
      ['BatchGetItem', { RequestItems: { abc: { Keys: [{ a: 23 }] } } }, 'Unexpected value type in payload'],
      ['BatchWriteItem', { RequestItems: { abc: [{ PutRequest: { Item: { a: { S: false } } } }] } }, 'FALSE_VALUE cannot be converted to String'],
      ['CreateTable', { KeySchema: [{ KeyType: 23 }] }, 'NUMBER_VALUE cannot be converted to String'],
      ['UpdateTable', { GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: true } }] }, 'TRUE_VALUE cannot be converted to String'],
    ];
    for (const [target, body, message] of cases) {
      const r = await call(target, body);
      assert.deepEqual(r.json, { __type: SERIALIZATION, Message: message }, `${target} ${JSON.stringify(body)}`);
    }
    // CreateTable and UpdateTable then report a missing table name on its own.
    for (const target of ['CreateTable', 'UpdateTable']) {
      const r = await call(target, { KeySchema: [] });
      assert.deepEqual(r.json, { __type: VALIDATION, message: "The parameter 'TableName' is required but was not present in the request" }, target);
    }
  });

  it('checks batch requests (table names, keys, items) before looking any table up', async () => {
    const mapKeys =
      "failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]";
    const short = await call('BatchWriteItem', { RequestItems: { a: [{ PutRequest: { Item: { a: { S: 'a' } } } }] } });
    assert.equal(short.json.__type, VALIDATION);
    assert.match(String(short.json.message), /^1 validation error detected: Value '\{a=.+\}' at 'requestItems' /);
    assert.ok(String(short.json.message).endsWith(mapKeys));
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['BatchWriteItem', { RequestItems: { missing: [{ PutRequest: { Item: { a: {} } } }] } }, 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes'],
      ['BatchWriteItem', { RequestItems: { missing: [{ PutRequest: { Item: { a: { S: 'x'.repeat(400 * 1024) } } } }] } }, 'Item size has exceeded the maximum allowed size'],
      ['BatchWriteItem', { RequestItems: { missing: [{ DeleteRequest: { Key: { a: { NULL: false } } } }] } }, 'One or more parameter values were invalid: Null attribute value types must have the value of true'],
      ['BatchGetItem', { RequestItems: { missing: { Keys: [{ a: { S: 'x', N: '1' } }] } } }, 'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes'],
      ['BatchGetItem', { RequestItems: { missing: { Keys: [] } } }, "1 validation error detected: Value '[]' at 'requestItems.missing.member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1"],
      // A put whose key does not fit the table is worded as a batch words it.
      ['BatchWriteItem', { RequestItems: { wire: [{ PutRequest: { Item: { pk: { N: '1' } } } }] } }, 'The provided key element does not match the schema'],
      ['BatchWriteItem', { RequestItems: { wire: [{ PutRequest: { Item: { other: { S: 'x' } } } }] } }, 'The provided key element does not match the schema'],
    ];
    for (const [target, body, message] of cases) {
      const r = await call(target, body);
      assert.deepEqual(r.json, { __type: VALIDATION, message }, `${target} ${JSON.stringify(body).slice(0, 200)}`);
    }
    const many = await call('BatchGetItem', { RequestItems: { missing: { Keys: Array.from({ length: 101 }, (_, i) => ({ a: { S: String(i) } })) } } });
    assert.match(String(many.json.message), /^1 validation error detected: Value '\[.+\]' at 'requestItems\.missing\.member\.keys' failed to satisfy constraint: Member must have length less than or equal to 100$/);
  });

  it('validates the whole request before looking the table up', async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['PutItem', { TableName: 'missing', Item: { a: { S: 'x', N: '1' } } }, 'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes'],
      ['GetItem', { TableName: 'missing', Key: { a: {} } }, 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes'],
      ['DeleteItem', { TableName: 'missing', Key: { a: { N: 'x' } } }, 'The parameter cannot be converted to a numeric value: x'],
      ['UpdateItem', { TableName: 'missing', Key: { a: { S: 'x' } }, UpdateExpression: 'SET' }, 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "SET"'],
      ['GetItem', { TableName: 'missing', Key: { a: { S: 'x' } }, ProjectionExpression: 'a,,' }, 'Invalid ProjectionExpression: Syntax error; token: ",", near: ",,"'],
    ];
    for (const [target, body, message] of cases) {
      const r = await call(target, body);
      assert.deepEqual(r.json, { __type: VALIDATION, message }, `${target} ${JSON.stringify(body)}`);
    }
  });

  it('reports several violations in one message, in DynamoDB\'s order', async () => {
    const r = await call('Scan', {
      TableName: 'abc;',
      ReturnConsumedCapacity: 'hi',
      AttributesToGet: [],
      IndexName: 'abc;',
      Segment: -1,
      TotalSegments: -1,
      Select: 'hi',
      Limit: -1,
      ConditionalOperator: 'AN',
    });
    assert.equal(r.json.__type, VALIDATION);
    assert.equal(
      r.json.message,
      '9 validation errors detected: ' +
        [
          "Value 'hi' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]",
          "Value 'abc;' at 'indexName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
          "Value '-1' at 'totalSegments' failed to satisfy constraint: Member must have value greater than or equal to 1",
          "Value 'hi' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]",
          "Value 'abc;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
          "Value 'AN' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [OR, AND]",
          "Value '-1' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0",
          "Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
          "Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ].join('; '),
    );
    const put = await call('PutItem', { TableName: 'ab', ReturnValues: 'x', ReturnConsumedCapacity: 'y' });
    assert.equal(
      put.json.message,
      "4 validation errors detected: Value 'y' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; " +
        "Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
        "Value null at 'item' failed to satisfy constraint: Member must not be null; " +
        "Value 'x' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]",
    );
  });

  it('answers signature failures with 400 in Coral\'s namespace', async () => {
    const missing = await call('ListTables', {}, { unsigned: true });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.json, { __type: 'com.amazon.coral.service#MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' });
    const stranger = await call('ListTables', {}, { credentials: { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' } });
    assert.equal(stranger.status, 400);
    assert.deepEqual(stranger.json, { __type: 'com.amazon.coral.service#UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
    const badSecret = await call('ListTables', {}, { credentials: { accessKeyId: 'test', secretAccessKey: 'wrong' } });
    assert.equal(badSecret.status, 400);
    assert.equal(badSecret.json.__type, 'com.amazon.coral.service#InvalidSignatureException');
    // The SDK's own answer decoding still names the error.
    const wrong = dynamoClient(t.endpoint, { credentials: { accessKeyId: 'test', secretAccessKey: 'wrong' } });
    await assert.rejects(wrong.send(new ListTablesCommand({})), { name: 'InvalidSignatureException' });
    wrong.destroy();
  });

  it('refuses a malformed ARN in tag operations as DynamoDB does, and answers TagResource with an empty body', async () => {
    const denied = await call('TagResource', { ResourceArn: 'abcd', Tags: [{ Key: 'a', Value: 'b' }] });
    assert.equal(denied.status, 400);
    assert.deepEqual(denied.json, {
      __type: 'com.amazon.coral.service#AccessDeniedException',
      Message: `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: dynamodb:TagResource on resource: abcd`,
    });
    assert.equal((await call('TagResource', {})).json.message, 'Invalid TableArn');
    assert.equal((await call('TagResource', { ResourceArn: 'a:b:c:d:e:f/g' })).json.message, "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
    assert.equal((await call('TagResource', { ResourceArn: 'a:b:c:d:e:f/g', Tags: [] })).json.message, 'Invalid TableArn: Invalid ResourceArn provided as input a:b:c:d:e:f/g');
    const arn = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/wire`;
    assert.equal((await call('TagResource', { ResourceArn: arn.replace('wire', 'nothere'), Tags: [] })).json.message, 'Atleast one Tag needs to be provided as Input.');
    const tagged = await call('TagResource', { ResourceArn: arn, Tags: [{ Key: 'team', Value: 'core' }] });
    assert.equal(tagged.status, 200);
    assert.equal(tagged.text, '');
    const ddb = dynamoClient(t.endpoint);
    await ddb.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'k', Value: 'v' }] }));
    await assert.rejects(ddb.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'k', Value: 'a<b' }] })), { name: 'ValidationException' });
    ddb.destroy();
  });

  it('refuses a body over 16 MB with 413 and an empty answer, and takes one of 16 MB', async () => {
    const over = await call('ListTables', Buffer.alloc(16 * 1024 * 1024 + 1, 0x20));
    assert.equal(over.status, 413);
    assert.equal(over.bytes.length, 0);
    const at = Buffer.alloc(16 * 1024 * 1024, 0x20);
    at.write('{}');
    const ok = await call('ListTables', at);
    assert.equal(ok.status, 200);
  });

  it('answers oversized headers with 400, not 431', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const url = new URL(t.endpoint);
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(`POST / HTTP/1.1\r\nHost: ${url.host}\r\nX-Padding: ${'p'.repeat(70 * 1024)}\r\nContent-Length: 2\r\n\r\n{}`);
      });
      let data = '';
      socket.on('data', (c) => (data += c));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    assert.match(reply, /^HTTP\/1\.1 400 /);
  });

  it('takes gzip and deflate request bodies and gzips answers for a client that accepts them, the CRC over the bytes sent', async () => {
    const item = { TableName: 'wire', Item: { pk: { S: 'zipped' }, blob: { S: 'x'.repeat(4000) } } };
    const put = await call('PutItem', gzipSync(JSON.stringify(item)), { headers: { 'content-encoding': 'gzip' } });
    assert.equal(put.status, 200, put.text);
    const get = await call('GetItem', deflateSync(JSON.stringify({ TableName: 'wire', Key: { pk: { S: 'zipped' } } })), {
      headers: { 'content-encoding': 'deflate', 'accept-encoding': 'gzip' },
    });
    assert.equal(get.status, 200);
    assert.equal(get.headers['content-encoding'], 'gzip');
    assert.equal(get.headers['x-amz-crc32'], String(crc32(get.bytes)));
    assert.deepEqual(JSON.parse(gunzipSync(get.bytes).toString()), { Item: item.Item });
    const plain = await call('GetItem', { TableName: 'wire', Key: { pk: { S: 'zipped' } } });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.deepEqual(plain.json, { Item: item.Item });
    const broken = await call('PutItem', Buffer.from('not gzip'), { headers: { 'content-encoding': 'gzip' } });
    assert.deepEqual(broken.json, { __type: SERIALIZATION });
    // A body that inflates past 16 MB is refused, not inflated.
    const bomb = await call('PutItem', gzipSync(Buffer.alloc(17 * 1024 * 1024, 0x20)), { headers: { 'content-encoding': 'gzip' } });
    assert.equal(bomb.status, 400);
    // The SDK reads the gzipped answers it is sent.
    const ddb = dynamoClient(t.endpoint);
    await ddb.send(new PutItemCommand({ TableName: 'wire', Item: { pk: { S: 'sdk' } } }));
    ddb.destroy();
  });
});
