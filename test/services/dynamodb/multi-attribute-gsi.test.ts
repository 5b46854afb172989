/**
 * Global secondary indexes with multi-attribute keys (DynamoDB, November 2025): up to four
 * HASH and four RANGE attributes. CreateTable/UpdateTable checks, DescribeTable, writes and
 * backfill keeping the index, Query over the components in order (the orders, accepted and
 * refused conditions of the "GSI with a multi-attribute key" cases recorded against AWS),
 * pagination carrying every key attribute, Scan and PartiQL on the index, backups, streams.
 * One Nimbus for the file; the chunked backfill runs on the engine with a small chunk.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateBackupCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeBackupCommand,
  DescribeTableCommand,
  ExecuteStatementCommand,
  ImportTableCommand,
  PutItemCommand,
  QueryCommand,
  RestoreTableFromBackupCommand,
  ScanCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeValue,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, type DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { encodePart } from '../../../src/services/dynamodb/engine/keys.js';
import { putItem } from '../../../src/services/dynamodb/engine/item-ops.js';
import { query } from '../../../src/services/dynamodb/engine/read-ops.js';
import { createTable, updateTable } from '../../../src/services/dynamodb/engine/table-ops.js';
import type { AttributeValue as StoredValue } from '../../../src/services/dynamodb/engine/types.js';
import { compareScalars } from '../../../src/services/dynamodb/engine/values.js';
import { dynamoClient, importDone, rejectsWith, streamsClient } from '../../helpers/dynamodb.js';
import { dynamoRaw } from '../../helpers/dynamodb-raw.js';
import { startTestNimbus, type TestNimbus } from '../../helpers/nimbus.js';
import { s3Client } from '../../helpers/s3.js';
import { openEngine, SCOPE } from './engine-harness.js';

type Item = Record<string, AttributeValue>;
const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number | string): AttributeValue => ({ N: String(n) });
const defs = (names: string[], type: 'S' | 'N' = 'S') => names.map((AttributeName) => ({ AttributeName, AttributeType: type }));
const key = (hash: string[], range: string[] = []) => [
  ...hash.map((AttributeName) => ({ AttributeName, KeyType: 'HASH' as const })),
  ...range.map((AttributeName) => ({ AttributeName, KeyType: 'RANGE' as const })),
];
const INVALID = 'One or more parameter values were invalid: ';

let t: TestNimbus;
let ddb: DynamoDBClient;
let streams: DynamoDBStreamsClient;
before(async () => {
  t = await startTestNimbus();
  ddb = dynamoClient(t.endpoint);
  streams = streamsClient(t.endpoint);
});
after(async () => {
  ddb.destroy();
  streams.destroy();
  await t.stop();
});

let tables = 0;
/** A pay-per-request table keyed `pk` with one GSI `gsi` of the key given; its name. */
async function tableWithGsi(keySchema: ReturnType<typeof key>, attributes: CreateTableCommandInput['AttributeDefinitions'], extra: Partial<CreateTableCommandInput> = {}) {
  const TableName = `multi${++tables}`;
  await ddb.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: key(['pk']),
      AttributeDefinitions: [...defs(['pk']), ...attributes!],
      GlobalSecondaryIndexes: [{ IndexName: 'gsi', KeySchema: keySchema, Projection: { ProjectionType: 'ALL' } }],
      ...extra,
    }),
  );
  return TableName;
}

const put = (TableName: string, Item: Item) => ddb.send(new PutItemCommand({ TableName, Item }));

describe('multi-attribute GSI keys: CreateTable, UpdateTable, DescribeTable', () => {
  test('four HASH and four RANGE attributes are accepted and described in the order given', async () => {
    const name = await tableWithGsi(key(['h1', 'h2', 'h3', 'h4'], ['r1', 'r2', 'r3', 'r4']), [...defs(['h1', 'h2', 'h3', 'h4', 'r1', 'r2']), ...defs(['r3', 'r4'], 'N')]);
    const gsi = (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table!.GlobalSecondaryIndexes![0]!;
    assert.deepEqual(gsi.KeySchema, key(['h1', 'h2', 'h3', 'h4'], ['r1', 'r2', 'r3', 'r4']));
    assert.equal(gsi.IndexStatus, 'ACTIVE');
    // Two HASH attributes and nothing else is a key too.
    const two = await tableWithGsi(key(['a', 'b']), defs(['a', 'b']));
    const described = (await ddb.send(new DescribeTableCommand({ TableName: two }))).Table!;
    assert.deepEqual(described.GlobalSecondaryIndexes![0]!.KeySchema, key(['a', 'b']));
    assert.deepEqual(described.AttributeDefinitions!.map((d) => d.AttributeName).sort(), ['a', 'b', 'pk']);
  });

  test('bad key schemas are refused with DynamoDB\'s messages', async () => {
    const refused = (keySchema: ReturnType<typeof key>, attributes: string[], message: string) =>
      rejectsWith(tableWithGsi(keySchema, defs(attributes)), 'ValidationException', message);
    await refused(key(['a', 'b', 'c', 'd', 'e']), ['a', 'b', 'c', 'd', 'e'], `${INVALID}The KeySchema exceeds the maximum allowed number of HASH key attributes`);
    await refused(key(['h'], ['a', 'b', 'c', 'd', 'e']), ['h', 'a', 'b', 'c', 'd', 'e'], `${INVALID}The KeySchema exceeds the maximum allowed number of RANGE key attributes`);
    await refused([...key(['a'], ['b']), ...key(['c'])], ['a', 'b', 'c'], `${INVALID}All HASH key attributes must precede RANGE key attributes in the KeySchema`);
    await refused(key(['a', 'b'], ['a']), ['a', 'b'], 'The KeySchema contains multiple key attributes with the same name');
    await refused([...key([], ['a']), ...key(['b'])], ['a', 'b'], 'Invalid KeySchema: The first KeySchemaElement is not a HASH key type');
    await refused(key(['a', 'b'], ['c']), ['a', 'b'], `${INVALID}Some index key attributes are not defined in AttributeDefinitions. Keys: [a, b, c], AttributeDefinitions: [pk, a, b]`);
    // The table's own key and a local secondary index keep their two attributes.
    await rejectsWith(
      ddb.send(new CreateTableCommand({ TableName: 'tooLong', BillingMode: 'PAY_PER_REQUEST', KeySchema: key(['a', 'b'], ['c']), AttributeDefinitions: defs(['a', 'b', 'c']) })),
      'ValidationException',
      "1 validation error detected: Value '[KeySchemaElement(attributeName=a, keyType=HASH), KeySchemaElement(attributeName=b, keyType=HASH), KeySchemaElement(attributeName=c, keyType=RANGE)]' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2",
    );
    await rejectsWith(
      ddb.send(
        new CreateTableCommand({
          TableName: 'lsiTooLong',
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: key(['a'], ['b']),
          AttributeDefinitions: defs(['a', 'b', 'c']),
          LocalSecondaryIndexes: [{ IndexName: 'lsi', KeySchema: key(['a'], ['b', 'c']), Projection: { ProjectionType: 'ALL' } }],
        }),
      ),
      'ValidationException',
      "1 validation error detected: Value '[KeySchemaElement(attributeName=a, keyType=HASH), KeySchemaElement(attributeName=b, keyType=RANGE), KeySchemaElement(attributeName=c, keyType=RANGE)]' at 'localSecondaryIndexes.1.member.keySchema' failed to satisfy constraint: Member must have length less than or equal to 2",
    );
  });

  test('UpdateTable creates a multi-attribute GSI, filled from the items already there; its checks are the same', async () => {
    const name = `multi${++tables}`;
    await ddb.send(new CreateTableCommand({ TableName: name, BillingMode: 'PAY_PER_REQUEST', KeySchema: key(['pk']), AttributeDefinitions: defs(['pk']) }));
    for (let i = 0; i < 6; i++) await put(name, { pk: S(`p${i}`), t: S(i % 2 ? 'odd' : 'even'), r: S('eu'), n: N(10 - i) });
    await put(name, { pk: S('noRegion'), t: S('odd'), n: N(1) });
    const create = (KeySchema: ReturnType<typeof key>) =>
      ddb.send(
        new UpdateTableCommand({
          TableName: name,
          AttributeDefinitions: [...defs(['t', 'r']), ...defs(['n'], 'N')],
          GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'byTypeRegion', KeySchema, Projection: { ProjectionType: 'KEYS_ONLY' } } }],
        }),
      );
    await rejectsWith(create(key(['t', 'r'], ['n', 'n'])), 'ValidationException', 'The KeySchema contains multiple key attributes with the same name');
    await create(key(['t', 'r'], ['n']));
    const table = (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table!;
    assert.deepEqual(table.GlobalSecondaryIndexes![0]!.KeySchema, key(['t', 'r'], ['n']));
    assert.deepEqual(table.AttributeDefinitions!.map((d) => d.AttributeName).sort(), ['n', 'pk', 'r', 't']);
    const odd = await ddb.send(
      new QueryCommand({ TableName: name, IndexName: 'byTypeRegion', KeyConditionExpression: 't = :t AND r = :r', ExpressionAttributeValues: { ':t': S('odd'), ':r': S('eu') } }),
    );
    // KEYS_ONLY keeps the table key and every index key attribute; the item without r is not indexed.
    assert.deepEqual(odd.Items, [
      { pk: S('p5'), t: S('odd'), r: S('eu'), n: N(5) },
      { pk: S('p3'), t: S('odd'), r: S('eu'), n: N(7) },
      { pk: S('p1'), t: S('odd'), r: S('eu'), n: N(9) },
    ]);
  });

  test('a chunked backfill of a multi-attribute GSI indexes exactly the items with every key attribute', async () => {
    const { engine, close } = await openEngine({ rewriteChunk: 3 });
    try {
      await createTable(engine, SCOPE, { TableName: 'Tbl', BillingMode: 'PAY_PER_REQUEST', KeySchema: key(['pk']), AttributeDefinitions: defs(['pk']) });
      for (let i = 0; i < 40; i++) {
        const item: Item = { pk: S(`k${i}`), a: S(`a${i % 2}`), b: N(i % 3) };
        if (i % 5 !== 0) item.c = S(`c${i}`);
        await putItem(engine, SCOPE, { TableName: 'Tbl', Item: item });
      }
      await updateTable(engine, SCOPE, {
        TableName: 'Tbl',
        AttributeDefinitions: [...defs(['a', 'c']), ...defs(['b'], 'N')],
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'byAB', KeySchema: key(['a', 'b'], ['c']), Projection: { ProjectionType: 'ALL' } } }],
      });
      assert.equal([...engine.tables.all()][0]!.indexes[0]!.status, 'CREATING', 'filled in several chunks');
      await engine.jobs.idle();
      const found: string[] = [];
      for (const a of ['a0', 'a1']) {
        for (const b of [0, 1, 2]) {
          const page = await query(engine, SCOPE, { TableName: 'Tbl', IndexName: 'byAB', KeyConditionExpression: 'a = :a AND b = :b', ExpressionAttributeValues: { ':a': S(a), ':b': N(b) } });
          found.push(...(page.Items ?? []).map((i) => (i.pk as { S: string }).S));
        }
      }
      const expected = Array.from({ length: 40 }, (_, i) => i)
        .filter((i) => i % 5 !== 0)
        .map((i) => `k${i}`);
      assert.deepEqual(found.sort(), expected.sort());
    } finally {
      await close();
    }
  });
});

describe('multi-attribute GSI keys: Query', () => {
  // One HASH and four RANGE attributes, the items of the case recorded against AWS.
  let name: string;
  const rows: Array<Record<string, string | undefined>> = [
    { pk: 'p1', a: 'T', b: 'live', c: 'b', d: 'r1' },
    { pk: 'p2', a: 'T', b: 'live', c: 'a', d: 'r2' },
    { pk: 'p3', a: 'T', b: 'live', c: 'a', d: 'r1' },
    { pk: 'p4', a: 'T', b: 'draft', c: 'c', d: 'r1' },
    { pk: 'p5', a: 'F', b: 'live', c: 'a', d: 'r0' },
    { pk: 'p6', a: 'T', b: 'live', c: undefined, d: 'r1' }, // no c: not in the index
  ];
  const values: Item = { ':h': S('o1'), ':a': S('T'), ':b': S('live'), ':c': S('a'), ':d': S('r'), ':x': S('r1'), ':y': S('r1') };
  before(async () => {
    name = await tableWithGsi(key(['h'], ['a', 'b', 'c', 'd']), defs(['h', 'a', 'b', 'c', 'd']));
    for (const row of rows) {
      const item: Item = { h: S('o1') };
      for (const [k, v] of Object.entries(row)) if (v !== undefined) item[k] = S(v);
      await put(name, item);
    }
  });
  async function q(KeyConditionExpression: string, extra: Partial<QueryCommandInput> = {}) {
    const used = Object.fromEntries(Object.entries(values).filter(([k]) => KeyConditionExpression.includes(k)));
    const res = await ddb.send(new QueryCommand({ TableName: name, IndexName: 'gsi', KeyConditionExpression, ExpressionAttributeValues: used, ...extra }));
    return { pks: (res.Items ?? []).map((i) => i.pk!.S), last: res.LastEvaluatedKey };
  }

  test('items sort by the RANGE attributes in key-schema order; an item missing one is not indexed', async () => {
    assert.deepEqual((await q('h = :h')).pks, ['p5', 'p4', 'p3', 'p2', 'p1']);
    assert.deepEqual((await q('h = :h AND a = :a')).pks, ['p4', 'p3', 'p2', 'p1']);
    assert.deepEqual((await q('h = :h AND a = :a', { ScanIndexForward: false })).pks, ['p1', 'p2', 'p3', 'p4']);
    assert.deepEqual((await q('h = :h AND a = :a AND b = :b')).pks, ['p3', 'p2', 'p1']);
    assert.deepEqual((await q('h = :h AND a = :a AND b = :b AND c = :c')).pks, ['p3', 'p2']);
    assert.deepEqual((await q('b = :b AND h = :h AND a = :a')).pks, ['p3', 'p2', 'p1'], 'clauses in any order');
  });

  test('a range condition on the last attribute named: <, >, BETWEEN, begins_with', async () => {
    assert.deepEqual((await q('h = :h AND a = :a AND b = :b AND c > :c')).pks, ['p1']);
    assert.deepEqual((await q('h = :h AND a = :a AND b < :b')).pks, ['p4']);
    assert.deepEqual((await q('h = :h AND a = :a AND b = :b AND c = :c AND begins_with(d, :d)')).pks, ['p3', 'p2']);
    assert.deepEqual((await q('h = :h AND a = :a AND b = :b AND c = :c AND d BETWEEN :x AND :y')).pks, ['p3']);
    assert.deepEqual((await q('h = :h AND a <= :a')).pks, ['p5', 'p4', 'p3', 'p2', 'p1']);
    assert.deepEqual((await q('h = :h AND a < :a')).pks, ['p5']);
    assert.deepEqual((await q('h = :h AND a >= :a')).pks, ['p4', 'p3', 'p2', 'p1']);
    assert.deepEqual((await q('h = :h AND a = :a AND b >= :b', { ScanIndexForward: false })).pks, ['p1', 'p2', 'p3']);
  });

  test('a gap, or a range condition before the last attribute named, is refused', async () => {
    const gap = (missing: string, present: string) =>
      `RANGE key attributes ${missing} must have equality conditions specified in the query because a condition is present on key attribute ${present}`;
    await rejectsWith(q('h = :h AND a = :a AND c = :c'), 'ValidationException', gap('b', 'c'));
    await rejectsWith(q('h = :h AND a = :a AND b > :b AND c = :c'), 'ValidationException', gap('b', 'c'));
    await rejectsWith(q('h = :h AND b = :b'), 'ValidationException', gap('a', 'b'));
    await rejectsWith(q('a = :a'), 'ValidationException', 'Query condition missed key schema element: h');
    await rejectsWith(q('h = :h AND a = :h AND pk = :a'), 'ValidationException', 'Query key condition not supported');
  });

  test('on the wire: the KeySchema as DescribeTable sends it, and a refused gap as a 400 ValidationException', async () => {
    const described = await dynamoRaw(t.endpoint, 'DescribeTable', { TableName: name });
    const gsi = (described.json.Table as { GlobalSecondaryIndexes: Array<{ KeySchema: unknown }> }).GlobalSecondaryIndexes[0]!;
    assert.deepEqual(gsi.KeySchema, key(['h'], ['a', 'b', 'c', 'd']));
    const refused = await dynamoRaw(t.endpoint, 'Query', {
      TableName: name,
      IndexName: 'gsi',
      KeyConditionExpression: 'h = :h AND d = :d',
      ExpressionAttributeValues: { ':h': { S: 'o1' }, ':d': { S: 'r1' } },
    });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.__type, 'com.amazon.coral.validate#ValidationException');
    assert.equal(refused.json.message, 'RANGE key attributes a must have equality conditions specified in the query because a condition is present on key attribute d');
  });

  test('pages carry the table key and every index key attribute, and resume where they stopped, both ways', async () => {
    const first = await q('h = :h AND a = :a', { Limit: 2 });
    assert.deepEqual(first.pks, ['p4', 'p3']);
    assert.deepEqual(Object.keys(first.last ?? {}).sort(), ['a', 'b', 'c', 'd', 'h', 'pk']);
    for (const forward of [true, false]) {
      const seen: string[] = [];
      let start: Item | undefined;
      do {
        const page = await q('h = :h', { Limit: 2, ScanIndexForward: forward, ...(start ? { ExclusiveStartKey: start } : {}) });
        seen.push(...(page.pks as string[]));
        start = page.last;
      } while (start);
      assert.deepEqual(seen, forward ? ['p5', 'p4', 'p3', 'p2', 'p1'] : ['p1', 'p2', 'p3', 'p4', 'p5']);
    }
    // A starting key the key condition excludes is refused.
    await rejectsWith(
      q('h = :h AND a = :a', { ExclusiveStartKey: { pk: S('p5'), h: S('o1'), a: S('F'), b: S('live'), c: S('a'), d: S('r0') } }),
      'ValidationException',
      'The provided starting key does not match the range key predicate',
    );
    await rejectsWith(q('h = :h', { ExclusiveStartKey: { pk: S('p5'), h: S('o1'), a: S('F') } }), 'ValidationException', 'The provided starting key is invalid');
  });

  test('Scan and PartiQL read the index; Select COUNT counts it', async () => {
    const scanned: string[] = [];
    let start: Item | undefined;
    do {
      const page = await ddb.send(new ScanCommand({ TableName: name, IndexName: 'gsi', Limit: 2, ...(start ? { ExclusiveStartKey: start } : {}) }));
      scanned.push(...page.Items!.map((i) => i.pk!.S!));
      if (page.LastEvaluatedKey) assert.deepEqual(Object.keys(page.LastEvaluatedKey).sort(), ['a', 'b', 'c', 'd', 'h', 'pk']);
      start = page.LastEvaluatedKey;
    } while (start);
    assert.deepEqual(scanned.sort(), ['p1', 'p2', 'p3', 'p4', 'p5']);
    const counted = await ddb.send(new QueryCommand({ TableName: name, IndexName: 'gsi', KeyConditionExpression: 'h = :h', ExpressionAttributeValues: { ':h': S('o1') }, Select: 'COUNT' }));
    assert.equal(counted.Count, 5);
    const partiql = await ddb.send(new ExecuteStatementCommand({ Statement: `SELECT pk FROM "${name}"."gsi" WHERE h = ? AND a = ? AND b = ?`, Parameters: [S('o1'), S('T'), S('live')] }));
    assert.deepEqual(partiql.Items!.map((i) => i.pk!.S).sort(), ['p1', 'p2', 'p3']);
  });
});

describe('multi-attribute GSI keys: partition attributes, types and writes', () => {
  let name: string;
  before(async () => {
    // Partition (tenant, area: N), sort (yr: N, seq: S).
    name = await tableWithGsi(key(['tenant', 'area'], ['yr', 'seq']), [...defs(['tenant', 'seq']), ...defs(['area', 'yr'], 'N')]);
    const rows: Array<[string, string, number, number, string]> = [
      ['a', 'acme', 1, 2024, 'x'],
      ['b', 'acme', 1, 9, 'y'],
      ['c', 'acme', 1, 2024, 'w'],
      ['d', 'acme', 2, 2024, 'x'],
      ['e', 'other', 1, 2024, 'x'],
      ['f', 'acme', 1, -3.5, 'z'],
    ];
    for (const [pk, tenant, area, yr, seq] of rows) await put(name, { pk: S(pk), tenant: S(tenant), area: N(area), yr: N(yr), seq: S(seq) });
  });
  const q = (KeyConditionExpression: string, values: Item, extra: Partial<QueryCommandInput> = {}) =>
    ddb
      .send(new QueryCommand({ TableName: name, IndexName: 'gsi', KeyConditionExpression, ExpressionAttributeValues: values, ...extra }))
      .then((r) => r.Items!.map((i) => i.pk!.S));

  test('every partition attribute must be given with equality; numbers sort numerically inside the key', async () => {
    assert.deepEqual(await q('tenant = :t AND #r = :r', { ':t': S('acme'), ':r': N(1) }, { ExpressionAttributeNames: { '#r': 'area' } }), ['f', 'b', 'c', 'a']);
    assert.deepEqual(await q('tenant = :t AND area = :r AND #y = :y AND seq > :s', { ':t': S('acme'), ':r': N('1.0'), ':y': N(2024), ':s': S('w') }, { ExpressionAttributeNames: { '#y': 'yr' } }), ['a']);
    assert.deepEqual(await q('tenant = :t AND area = :r AND #y BETWEEN :lo AND :hi', { ':t': S('acme'), ':r': N(1), ':lo': N(-4), ':hi': N(10) }, { ExpressionAttributeNames: { '#y': 'yr' } }), ['f', 'b']);
    await rejectsWith(q('tenant = :t', { ':t': S('acme') }), 'ValidationException', 'Query condition missed key schema element: area');
    await rejectsWith(q('tenant = :t AND area > :r', { ':t': S('acme'), ':r': N(1) }), 'ValidationException', 'Query key condition not supported');
    await rejectsWith(q('tenant = :t AND area = :r', { ':t': S('acme'), ':r': S('1') }), 'ValidationException', `${INVALID}Condition parameter type does not match schema type`);
    await rejectsWith(
      q('tenant = :t AND area = :r', { ':t': S('acme'), ':r': N(1) }, { FilterExpression: 'seq = :t' }),
      'ValidationException',
      'Filter Expression can only contain non-primary key attributes: Primary key attribute: seq',
    );
    // The legacy KeyConditions say the same.
    const legacy = await ddb.send(
      new QueryCommand({
        TableName: name,
        IndexName: 'gsi',
        KeyConditions: {
          tenant: { ComparisonOperator: 'EQ', AttributeValueList: [S('acme')] },
          area: { ComparisonOperator: 'EQ', AttributeValueList: [N(2)] },
          yr: { ComparisonOperator: 'GE', AttributeValueList: [N(0)] },
        },
      }),
    );
    assert.deepEqual(legacy.Items!.map((i) => i.pk!.S), ['d']);
  });

  test('writes keep the index: a changed key attribute moves the item, a removed one drops it; a key of the wrong type is refused', async () => {
    const acme1 = () => q('tenant = :t AND area = :r', { ':t': S('acme'), ':r': N(1) });
    await ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: S('f') }, UpdateExpression: 'SET #y = :y', ExpressionAttributeNames: { '#y': 'yr' }, ExpressionAttributeValues: { ':y': N(3000) } }));
    assert.deepEqual(await acme1(), ['b', 'c', 'a', 'f']);
    await ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: S('b') }, UpdateExpression: 'REMOVE seq' }));
    assert.deepEqual(await acme1(), ['c', 'a', 'f']);
    await ddb.send(new UpdateItemCommand({ TableName: name, Key: { pk: S('d') }, UpdateExpression: 'SET area = :r', ExpressionAttributeValues: { ':r': N(1) } }));
    // a and d have equal index keys: they come in the order of their table keys' hash, as in DynamoDB.
    assert.deepEqual(await acme1(), ['c', 'd', 'a', 'f']);
    await ddb.send(new DeleteItemCommand({ TableName: name, Key: { pk: S('a') } }));
    assert.deepEqual(await acme1(), ['c', 'd', 'f']);
    await rejectsWith(
      put(name, { pk: S('g'), tenant: S('acme'), area: S('one') }),
      'ValidationException',
      `${INVALID}Type mismatch for Index Key area Expected: N Actual: S IndexName: gsi`,
    );
  });
});

describe('multi-attribute GSI keys: backups and streams', () => {
  test('a restored table keeps the index and its rows; stream records carry the table key only', async () => {
    const name = await tableWithGsi(key(['g1', 'g2'], ['s1', 's2']), defs(['g1', 'g2', 's1', 's2']), {
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
    });
    for (const [pk, s2] of [['x', '2'], ['y', '1'], ['z', '3']]) await put(name, { pk: S(pk!), g1: S('a'), g2: S('b'), s1: S('s'), s2: S(s2!) });
    const arn = (await ddb.send(new CreateBackupCommand({ TableName: name, BackupName: 'backup1' }))).BackupDetails!.BackupArn!;
    const backup = (await ddb.send(new DescribeBackupCommand({ BackupArn: arn }))).BackupDescription!;
    assert.deepEqual(backup.SourceTableFeatureDetails!.GlobalSecondaryIndexes![0]!.KeySchema, key(['g1', 'g2'], ['s1', 's2']));
    await ddb.send(new RestoreTableFromBackupCommand({ TargetTableName: `${name}copy`, BackupArn: arn }));
    for (let i = 0; ; i++) {
      const table = (await ddb.send(new DescribeTableCommand({ TableName: `${name}copy` }))).Table!;
      if (table.TableStatus === 'ACTIVE') {
        assert.deepEqual(table.GlobalSecondaryIndexes![0]!.KeySchema, key(['g1', 'g2'], ['s1', 's2']));
        break;
      }
      assert.ok(i < 500, 'the restore finishes');
      await new Promise((r) => setTimeout(r, 10));
    }
    const page = await ddb.send(
      new QueryCommand({
        TableName: `${name}copy`,
        IndexName: 'gsi',
        KeyConditionExpression: 'g1 = :a AND g2 = :b AND s1 = :s',
        ExpressionAttributeValues: { ':a': S('a'), ':b': S('b'), ':s': S('s') },
        ScanIndexForward: false,
      }),
    );
    assert.deepEqual(page.Items!.map((i) => i.pk!.S), ['z', 'x', 'y']);

    const streamArn = (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table!.LatestStreamArn!;
    const stream = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription!;
    assert.deepEqual(stream.KeySchema, key(['pk']));
    const iterator = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: stream.Shards![0]!.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
    const records = await streams.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator! }));
    assert.deepEqual(records.Records!.map((r) => r.dynamodb!.Keys), [{ pk: S('x') }, { pk: S('y') }, { pk: S('z') }]);
  });
});

describe('multi-attribute GSI keys: TTL', () => {
  test('an item TTL deletes leaves the index too', async () => {
    const name = await tableWithGsi(key(['g1', 'g2'], ['s1']), defs(['g1', 'g2', 's1']));
    await ddb.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { Enabled: true, AttributeName: 'exp' } }));
    const now = Math.floor(t.clock.now() / 1000);
    await put(name, { pk: S('soon'), g1: S('a'), g2: S('b'), s1: S('1'), exp: N(now + 60) });
    await put(name, { pk: S('later'), g1: S('a'), g2: S('b'), s1: S('2'), exp: N(now + 3600) });
    const indexed = async () =>
      (
        await ddb.send(new QueryCommand({ TableName: name, IndexName: 'gsi', KeyConditionExpression: 'g1 = :a AND g2 = :b', ExpressionAttributeValues: { ':a': S('a'), ':b': S('b') } }))
      ).Items!.map((i) => i.pk!.S);
    assert.deepEqual(await indexed(), ['soon', 'later']);
    t.clock.advance(61_000);
    for (let i = 0; (await indexed()).length !== 1; i++) {
      assert.ok(i < 250, 'the sweep removed the expired item');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(await indexed(), ['later']);
  });
});

describe('multi-attribute GSI keys: ImportTable', () => {
  test('a table imported from S3 with a multi-attribute GSI indexes the imported items', async () => {
    const s3 = s3Client(t);
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'multi-import' }));
      const lines = [
        { pk: S('1'), g: S('a'), h: N(1), s: S('y') },
        { pk: S('2'), g: S('a'), h: N(1), s: S('x') },
        { pk: S('3'), g: S('a'), h: N(2), s: S('x') },
        { pk: S('4'), g: S('a') },
      ].map((Item) => JSON.stringify({ Item }));
      await s3.send(new PutObjectCommand({ Bucket: 'multi-import', Key: 'in/part.json', Body: lines.join('\n') }));
      const imported = await ddb.send(
        new ImportTableCommand({
          S3BucketSource: { S3Bucket: 'multi-import', S3KeyPrefix: 'in/' },
          InputFormat: 'DYNAMODB_JSON',
          TableCreationParameters: {
            TableName: 'multiImported',
            BillingMode: 'PAY_PER_REQUEST',
            KeySchema: key(['pk']),
            AttributeDefinitions: [...defs(['pk', 'g', 's']), ...defs(['h'], 'N')],
            GlobalSecondaryIndexes: [{ IndexName: 'gsi', KeySchema: key(['g', 'h'], ['s']), Projection: { ProjectionType: 'KEYS_ONLY' } }],
          },
        }),
      );
      assert.equal((await importDone(ddb, imported.ImportTableDescription!.ImportArn!)).ImportedItemCount, 4);
      const page = await ddb.send(
        new QueryCommand({ TableName: 'multiImported', IndexName: 'gsi', KeyConditionExpression: 'g = :g AND h = :h', ExpressionAttributeValues: { ':g': S('a'), ':h': N(1) } }),
      );
      assert.deepEqual(page.Items!.map((i) => i.pk!.S), ['2', '1']);
    } finally {
      s3.destroy();
    }
  });
});

describe('multi-attribute key bytes', () => {
  test('concatenated key elements sort as the tuples compare, element by element', () => {
    const sv = (v: string): StoredValue => ({ S: v });
    const nv = (v: number | string): StoredValue => ({ N: String(v) });
    // Strings compare by UTF-8 bytes; a string that is a prefix of another (or that holds 0x00
    // bytes) must still sort first, whatever follows it in the next element.
    const pool: StoredValue[][] = [
      [sv(''), sv('a'), sv('a\u0000'), sv('a\u0000\u0000'), sv('a\u0001'), sv('ab'), sv('b'), sv('\uffff')],
      [nv(-1.5), nv(0), nv(0.001), nv('1e3')],
      [{ B: '' }, { B: 'AA==' }, { B: 'AP8=' }, { B: '/w==' }],
    ];
    const [strings, numbers, binaries] = pool as [StoredValue[], StoredValue[], StoredValue[]];
    const shapes: StoredValue[][][] = [[], []];
    for (const x of strings) for (const y of numbers) for (const z of binaries) shapes[0]!.push([x, y, z]), shapes[1]!.push([z, x, y]);
    const tupleOrder = (a: StoredValue[], b: StoredValue[]) => a.map((x, i) => compareScalars(x, b[i]!)!).find((c) => c !== 0) ?? 0;
    for (const tuples of shapes) {
      const bytes = tuples.map((tuple) => encodePart(tuple));
      tuples.forEach((a, i) =>
        tuples.forEach((b, j) => {
          if (Math.sign(Buffer.compare(bytes[i]!, bytes[j]!)) !== Math.sign(tupleOrder(a, b))) assert.fail(`misordered: ${JSON.stringify([a, b])}`);
        }),
      );
    }
  });
});
