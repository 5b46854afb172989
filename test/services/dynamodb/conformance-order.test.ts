/**
 * DynamoDB's validation order and wording (issue 15), as dynalite's suite (written against
 * DynamoDB) captured it: batch RequestItems checked with the rest of the request, the legacy
 * conditions' operators declared, each operation's checks in DynamoDB's sequence before the
 * table is looked up, then ExclusiveStartKey, key paths and index key types against the table.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createTable, dynamoClient } from '../../helpers/dynamodb.js';
import { dynamoRaw } from '../../helpers/dynamodb-raw.js';
import { startTestNimbus, type TestNimbus } from '../../helpers/nimbus.js';

const VALIDATION = 'com.amazon.coral.validate#ValidationException';
const SERIALIZATION = 'com.amazon.coral.service#SerializationException';
const INVALID = 'One or more parameter values were invalid: ';
const NAME_RULES = 'Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+';
const KEY_PATH = "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: ";

describe('DynamoDB validation order', () => {
  let t: TestNimbus;
  before(async () => {
    t = await startTestNimbus();
    const ddb = dynamoClient(t.endpoint);
    await createTable(ddb, 'hash', { range: false });
    // A range table with an LSI on `c` and a GSI on `d`, both strings.
    await createTable(ddb, 'ranged', {
      extra: {
        AttributeDefinitions: [
          { AttributeName: 'c', AttributeType: 'S' },
          { AttributeName: 'd', AttributeType: 'S' },
        ],
        LocalSecondaryIndexes: [{ IndexName: 'lsi', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'c', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
        GlobalSecondaryIndexes: [{ IndexName: 'gsi', KeySchema: [{ AttributeName: 'd', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
      },
    });
    await ddb.send(new PutItemCommand({ TableName: 'ranged', Item: { pk: { S: 'p' }, sk: { S: 's' }, c: { S: 'c' }, n: { N: '1' } } }));
    ddb.destroy();
  });
  after(() => t.stop());
  const call = (target: string, body: unknown) => dynamoRaw(t.endpoint, target, body);
  async function refuses(target: string, body: unknown, message: string, type = VALIDATION): Promise<void> {
    const r = await call(target, body);
    const key = type === SERIALIZATION ? 'Message' : 'message';
    assert.deepEqual(r.json, { __type: type, [key]: message }, `${target} ${JSON.stringify(body).slice(0, 300)}`);
  }

  it('reports RequestItems with the request\'s other constraints: map keys and values against the whole map, members by table', async () => {
    await refuses(
      'BatchWriteItem',
      { ReturnConsumedCapacity: 'hi' },
      "2 validation errors detected: Value 'hi' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; " +
        "Value null at 'requestItems' failed to satisfy constraint: Member must not be null",
    );
    await refuses(
      'BatchWriteItem',
      { RequestItems: { a: [] } },
      `2 validation errors detected: Value '{a=[]}' at 'requestItems' failed to satisfy constraint: Map keys must satisfy constraint: [${NAME_RULES}]; ` +
        "Value '{a=[]}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]",
    );
    const r = await call('BatchGetItem', { RequestItems: { a: {} } });
    assert.match(
      String(r.json.message),
      new RegExp(`^2 validation errors detected: Value '\\{a=KeysAndAttributes\\(.*\\)\\}' at 'requestItems' .*; Value null at 'requestItems\\.a\\.member\\.keys' failed to satisfy constraint: Member must not be null$`),
    );
    const puts = Array.from({ length: 26 }, (_, i) => ({ PutRequest: { Item: { pk: { S: String(i) } } } }));
    const many = await call('BatchWriteItem', { RequestItems: { hash: puts } });
    assert.match(String(many.json.message), /^1 validation error detected: Value '\{hash=\[.+\]\}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: \[Member must have length less than or equal to 25, /);
    // Duplicate keys as sent, whatever the (missing) table's schema.
    await refuses('BatchGetItem', { RequestItems: { missing: { Keys: [{ a: { S: 'x' }, b: { N: '1' } }, { b: { N: '1.0' }, a: { S: 'x' } }] } } }, 'Provided list of item keys contains duplicates');
  });

  it('words wrong JSON types inside nested collections and structures as Coral does', async () => {
    const cast =
      "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class are in module java.base of loader 'bootstrap')";
    await refuses('BatchGetItem', { RequestItems: { hash: { Keys: [5] } } }, cast, SERIALIZATION);
    await refuses('BatchWriteItem', { RequestItems: { hash: '23' } }, cast, SERIALIZATION);
    await refuses('CreateTable', { KeySchema: [[]] }, 'Unrecognized collection type class com.amazonaws.dynamodb.v20120810.KeySchemaElement', SERIALIZATION);
    await refuses('CreateTable', { GlobalSecondaryIndexes: [{ Projection: [] }] }, 'Unrecognized collection type class com.amazonaws.dynamodb.v20120810.Projection', SERIALIZATION);
    await refuses('UpdateTable', { GlobalSecondaryIndexUpdates: [{ Create: [] }] }, 'Unrecognized collection type class com.amazonaws.dynamodb.v20120810.CreateGlobalSecondaryIndexAction', SERIALIZATION);
    // The Tags' types before the (missing) ARN.
    await refuses('TagResource', { Tags: [{ Value: 5 }] }, 'NUMBER_VALUE cannot be converted to String', SERIALIZATION);
    // A padded base64 value whose last digit carries bits beyond its bytes.
    await refuses('PutItem', { Item: { a: { B: '+/+=' } } }, 'Invalid last non-pad Base64 character dectected', SERIALIZATION);
  });

  it('checks the legacy conditions\' operators with the other constraints, and a batch of them in order', async () => {
    await refuses(
      'Scan',
      { TableName: 'abc;', ScanFilter: { a: {}, b: { ComparisonOperator: '' } }, Limit: 0 },
      "4 validation errors detected: Value 'abc;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
        "Value null at 'scanFilter.a.member.comparisonOperator' failed to satisfy constraint: Member must not be null; " +
        "Value '' at 'scanFilter.b.member.comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]; " +
        "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    await refuses(
      'ListTables',
      { ExclusiveStartTableName: 'a;', Limit: 500 },
      "3 validation errors detected: Value 'a;' at 'exclusiveStartTableName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
        "Value 'a;' at 'exclusiveStartTableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
        "Value '500' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100",
    );
  });

  it('checks a Query\'s and a Scan\'s members in DynamoDB\'s sequence before the table', async () => {
    const mixed = {
      TableName: 'missing',
      AttributesToGet: ['a'],
      QueryFilter: { a: { ComparisonOperator: 'NULL' } },
      KeyConditions: { a: { ComparisonOperator: 'NULL' } },
      ProjectionExpression: 'a',
      FilterExpression: 'a = a',
      KeyConditionExpression: 'a = a',
    };
    await refuses(
      'Query',
      mixed,
      'Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet, QueryFilter, KeyConditions} Expression parameters: {ProjectionExpression, FilterExpression, KeyConditionExpression}',
    );
    await refuses('Query', { TableName: 'missing', ExpressionAttributeValues: { ':a': { S: 'a' } } }, 'ExpressionAttributeValues can only be specified when using expressions: FilterExpression and KeyConditionExpression are null');
    // The legacy filter's values, then AttributesToGet, then ExclusiveStartKey, then the key condition's presence.
    const base = { TableName: 'missing', AttributesToGet: ['a', 'a'], ExclusiveStartKey: { a: {} } };
    await refuses('Query', { ...base, QueryFilter: { a: { ComparisonOperator: 'EQ', AttributeValueList: [{ NULL: false }] } } }, `${INVALID}Null attribute value types must have the value of true`);
    await refuses('Query', base, `${INVALID}Duplicate value in attribute name: a`);
    await refuses('Query', { ...base, AttributesToGet: ['a'] }, 'The provided starting key is invalid: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
    // ... a prefix DynamoDB leaves off number errors.
    await refuses('Query', { TableName: 'missing', ExclusiveStartKey: { a: { NS: [] } } }, `${INVALID}An number set  may not be empty`);
    await refuses('Query', { TableName: 'missing', ExclusiveStartKey: { a: { S: 'a' } } }, 'Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.');
    // Every expression is parsed before the key condition is judged.
    await refuses(
      'Query',
      { TableName: 'missing', KeyConditionExpression: 'attribute_type(a, :a)', FilterExpression: '', ExpressionAttributeValues: { ':a': { S: 'N' } } },
      'Invalid FilterExpression: The expression can not be empty;',
    );
    // Scan: AttributesToGet, the filter, ExclusiveStartKey, then the segments.
    await refuses('Scan', { TableName: 'missing', Segment: 1, ScanFilter: { a: { ComparisonOperator: 'EQ', AttributeValueList: [{}] } } }, 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
    await refuses('Scan', { TableName: 'missing', Segment: 1, ExclusiveStartKey: { a: { SS: [] } } }, `The provided starting key is invalid: ${INVALID}An string set  may not be empty`);
  });

  it('checks a key\'s values before the expressions, and a put\'s size before its conditions and the table', async () => {
    await refuses('GetItem', { TableName: 'missing', Key: { a: {} }, ProjectionExpression: '', ExpressionAttributeNames: {} }, 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
    await refuses('UpdateItem', { TableName: 'missing', Key: { a: { NULL: false } }, UpdateExpression: '', ExpressionAttributeNames: {} }, `${INVALID}Null attribute value types must have the value of true`);
    await refuses('PutItem', { TableName: 'missing', Item: { a: {} }, Expected: { a: {} } }, 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
    await refuses('PutItem', { TableName: 'missing', Item: { a: { S: 'x'.repeat(400 * 1024) } }, Expected: { a: {} } }, 'Item size has exceeded the maximum allowed size');
  });

  it('checks ExclusiveStartKey against the keys in DynamoDB\'s sequence and words', async () => {
    const q = (extra: Record<string, unknown>) => ({ TableName: 'ranged', KeyConditionExpression: 'pk = :p AND sk > :s', ExpressionAttributeValues: { ':p': { S: 'p' }, ':s': { S: 'm' } }, ...extra });
    await refuses('Query', q({ ExclusiveStartKey: { pk: { S: 'p' } } }), 'The provided starting key is invalid');
    await refuses('Query', q({ ExclusiveStartKey: { pk: { S: 'p' }, sk: { N: '1' } } }), 'The provided key element does not match the schema');
    await refuses('Query', q({ ExclusiveStartKey: { pk: { S: 'p' }, sk: { S: 'a' } } }), 'The provided starting key does not match the range key predicate');
    await refuses('Query', q({ ExclusiveStartKey: { pk: { S: 'o' }, sk: { S: 'z' } } }), 'The query can return at most one row and cannot be restarted');
    await refuses(
      'Query',
      { TableName: 'ranged', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } }, ExclusiveStartKey: { pk: { S: 'o' }, sk: { S: 'z' } } },
      'The provided starting key is outside query boundaries based on provided conditions',
    );
    // The partition attribute is checked before the key condition, the rest after.
    await refuses('Query', { TableName: 'ranged', KeyConditions: { z: { ComparisonOperator: 'NULL' } }, ExclusiveStartKey: { pk: { S: 'p' }, sk: { N: '1' } } }, 'Query condition missed key schema element: pk');
    await refuses('Scan', { TableName: 'ranged', ExclusiveStartKey: { pk: { S: 'p' } } }, 'The provided starting key is invalid: The provided key element does not match the schema');
    await refuses('Scan', { TableName: 'ranged', IndexName: 'lsi', ExclusiveStartKey: { pk: { S: 'p' }, sk: { S: 's' }, x: { S: 'c' } } }, 'The provided starting key is invalid');
    // On an index, Select is judged after its own key and before the table's.
    await refuses(
      'Scan',
      { TableName: 'ranged', IndexName: 'gsi', Select: 'ALL_ATTRIBUTES', ExclusiveStartKey: { x: { S: 'p' }, y: { S: 's' }, d: { S: 'd' } } },
      `${INVALID}Select type ALL_ATTRIBUTES is not supported for global secondary index gsi because its projection type is not ALL`,
    );
  });

  it('refuses document paths into key attributes, the table\'s before the indexes\'', async () => {
    await refuses('GetItem', { TableName: 'ranged', Key: { pk: { S: 'p' }, sk: { S: 's' } }, ProjectionExpression: 'pk.a, d[0]' }, `${KEY_PATH}Key: pk`);
    await refuses('GetItem', { TableName: 'ranged', Key: { pk: { S: 'p' }, sk: { S: 's' } }, ProjectionExpression: 'd[0]' }, `${KEY_PATH}IndexKey: d`);
    await refuses('Scan', { TableName: 'ranged', FilterExpression: 'attribute_exists(sk.b)' }, `${KEY_PATH}Key: sk`);
    await refuses('UpdateItem', { TableName: 'ranged', Key: { pk: { S: 'p' }, sk: { S: 's' } }, UpdateExpression: 'SET c.a = :v', ExpressionAttributeValues: { ':v': { S: 'v' } } }, `${KEY_PATH}IndexKey: c`);
  });

  it('answers in the JSON media type it was sent', async () => {
    const plain = await dynamoRaw(t.endpoint, 'ListTables', {}, { headers: { 'content-type': 'application/json' } });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-type'], 'application/json');
    const refused = await dynamoRaw(t.endpoint, 'DescribeTable', {}, { headers: { 'content-type': 'application/json' } });
    assert.equal(refused.headers['content-type'], 'application/json');
    assert.equal((await call('ListTables', {})).headers['content-type'], 'application/x-amz-json-1.0');
  });

  it('refuses an update that gives an index key another type: from the expression first, then from the item', async () => {
    const key = { pk: { S: 'p' }, sk: { S: 's' } };
    await refuses(
      'UpdateItem',
      { TableName: 'ranged', Key: key, UpdateExpression: 'SET d.a = :v ADD c :n', ExpressionAttributeValues: { ':v': { S: 'v' }, ':n': { N: '1' } } },
      `${INVALID}Type mismatch for Index Key c Expected: S Actual: N IndexName: lsi`,
    );
    await refuses('UpdateItem', { TableName: 'ranged', Key: key, UpdateExpression: 'SET d = n' }, 'The update expression attempted to update the secondary index key to unsupported type');
  });
});
