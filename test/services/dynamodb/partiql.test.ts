import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BatchExecuteStatementCommand,
  ExecuteStatementCommand,
  ExecuteTransactionCommand,
  GetItemCommand,
  DynamoDBClient,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { createTable, rejectsWith, withDynamo } from '../../helpers/dynamodb.js';
import { TEST_CREDENTIALS } from '../../helpers/nimbus.js';

const WF = "Statement wasn't well formed, can't be processed: ";

const run = (ddb: DynamoDBClient, Statement: string, Parameters?: AttributeValue[], extra: Record<string, unknown> = {}) =>
  ddb.send(new ExecuteStatementCommand({ Statement, Parameters, ...extra }));

/** A statement ExecuteStatement refuses with a ValidationException worded `message`. */
const fails = (ddb: DynamoDBClient, Statement: string, message: string) => rejectsWith(run(ddb, Statement), 'ValidationException', message);

/** The values of one attribute across the items of a result. */
const col = (items: Record<string, AttributeValue>[] | undefined, name: string) => (items ?? []).map((i) => Object.values(i[name] ?? {})[0]);

async function seed(ddb: DynamoDBClient, table: string, rows: Array<[string, string, number]>) {
  for (const [pk, sk, v] of rows) await run(ddb, `INSERT INTO "${table}" VALUE {'pk': ?, 'sk': ?, 'v': ?}`, [{ S: pk }, { S: sk }, { N: String(v) }]);
}

describe('DynamoDB PartiQL', () => {
  test('INSERT, a duplicate INSERT, and SELECT by key', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Music');
      const inserted = await run(ddb, `INSERT INTO "Music" VALUE {'pk': 'Acme', 'sk': 'Rocks', 'n': 0012.50, 'tags': <<'a', 'b'>>, 'm': {'x': [1, TRUE, NULL]}}`);
      assert.deepEqual(inserted.Items, []);
      await rejectsWith(run(ddb, `INSERT INTO "Music" VALUE {'pk': 'Acme', 'sk': 'Rocks'}`), 'DuplicateItemException', 'Duplicate primary key exists in table');
      const got = await ddb.send(new GetItemCommand({ TableName: 'Music', Key: { pk: { S: 'Acme' }, sk: { S: 'Rocks' } } }));
      assert.deepEqual(got.Item?.n, { N: '12.5' });
      assert.deepEqual(got.Item?.m, { M: { x: { L: [{ N: '1' }, { BOOL: true }, { NULL: true }] } } });
      const byKey = await run(ddb, `select * from Music where pk = 'Acme' and sk = 'Rocks'`);
      assert.deepEqual(byKey.Items, [got.Item]);
      assert.equal(byKey.NextToken, undefined);
      assert.deepEqual((await run(ddb, `SELECT * FROM "Music" WHERE pk = 'Acme' AND sk = 'nope'`)).Items, []);
      const counted = await run(ddb, `SELECT * FROM "Music" WHERE pk = 'Acme'`, undefined, { ReturnConsumedCapacity: 'TOTAL', ConsistentRead: true });
      assert.deepEqual(counted.ConsumedCapacity, { TableName: 'Music', CapacityUnits: 1 });

      await fails(ddb, `INSERT INTO "Music" VALUE {'pk': 'x'}`, 'Key attribute should be present in the item: Key sk');
      await fails(ddb, `INSERT INTO "Music" VALUE {'pk': 1, 'sk': 'x'}`, "Key attribute's data type should match its data type in table's schema: Key pk");
      await rejectsWith(run(ddb, `INSERT INTO "Nowhere" VALUE {'pk': 'x'}`), 'ResourceNotFoundException', 'Requested resource not found');
      await fails(
        ddb,
        `INSERT INTO "Music" VALUE {'pk': 'x', 'sk': 'y', 'n': 1e126}`,
        'Number overflow. Attempting to store a number with magnitude larger than supported range under root.n',
      );
    }));

  test('parameters of every type', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Params', { range: 'B' });
      const values: Record<string, AttributeValue> = {
        s: { S: 'text' },
        n: { N: '-1.5' },
        b: { B: new Uint8Array([0, 1, 255]) },
        bool: { BOOL: false },
        nul: { NULL: true },
        m: { M: { inner: { SS: ['x'] } } },
        l: { L: [{ N: '1' }, { S: 'two' }] },
        ss: { SS: ['a', 'b'] },
        ns: { NS: ['1', '2'] },
        bs: { BS: [new Uint8Array([9])] },
      };
      const names = Object.keys(values);
      const key = [{ S: 'p' }, { B: new Uint8Array([7]) }];
      await run(ddb, `INSERT INTO "Params" VALUE {'pk': ?, 'sk': ?, ${names.map((n) => `'${n}': ?`).join(', ')}}`, [...key, ...names.map((n) => values[n]!)]);
      const { Items } = await run(ddb, `SELECT * FROM "Params" WHERE pk = ? AND sk = ?`, key);
      assert.equal(Items?.length, 1);
      for (const n of names) {
        const got: AttributeValue = Items![0]![n]!;
        const members = (v: AttributeValue) => [...(Object.values(v)[0] as string[])].sort();
        if ('SS' in got || 'NS' in got) assert.deepEqual(members(got), members(values[n]!), n);
        else assert.deepEqual(got, values[n], n);
      }
      const matched = await run(ddb, `SELECT pk FROM "Params" WHERE b = ? AND "bool" = ? AND nul = ? AND l = ?`, [values.b!, values.bool!, values.nul!, values.l!]);
      assert.deepEqual(matched.Items, [{ pk: { S: 'p' } }]);
      await rejectsWith(run(ddb, `SELECT * FROM "Params" WHERE pk = ? AND sk = ?`, [{ S: 'p' }]), 'ValidationException', "Number of parameters in request and statement don't match.");
      await rejectsWith(
        run(ddb, `SELECT * FROM "Params" WHERE pk = 'p'`, []),
        'ValidationException',
        "1 validation error detected: Value '[]' at 'parameters' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
    }));

  test('SELECT by partition: sort-key conditions, filters, IN, OR and ORDER BY', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Tab');
      await seed(ddb, 'Tab', [['a', '1', 1], ['a', '2', 2], ['a', '3', 3], ['a', '4', 4], ['a', '5', 5], ['b', '1', 6], ['c', '1', 7]]);
      const sks = async (where: string) => col((await run(ddb, `SELECT sk FROM "Tab" WHERE ${where}`)).Items, 'sk');
      assert.deepEqual(await sks(`pk = 'a'`), ['1', '2', '3', '4', '5']);
      assert.deepEqual(await sks(`pk = 'a' AND sk > '2'`), ['3', '4', '5']);
      assert.deepEqual(await sks(`'3' >= sk AND pk = 'a'`), ['1', '2', '3']);
      assert.deepEqual(await sks(`pk = 'a' AND sk BETWEEN '2' AND '4'`), ['2', '3', '4']);
      assert.deepEqual(await sks(`pk = 'a' AND begins_with(sk, '4')`), ['4']);
      assert.deepEqual(await sks(`pk = 'a' AND v >= 4`), ['4', '5']);
      assert.deepEqual(await sks(`pk = 'a' AND sk > '1' AND sk < '4'`), ['2', '3']);
      assert.deepEqual(await sks(`pk = 'a' ORDER BY sk DESC`), ['5', '4', '3', '2', '1']);
      // Two conditions on the sort key: a Scan (as on DynamoDB), its page sorted for the ORDER BY.
      assert.deepEqual(await sks(`pk = 'a' AND sk > '1' AND sk < '5' ORDER BY sk DESC`), ['4', '3', '2']);
      const pkv = async (s: string) => (await run(ddb, s)).Items?.map((i) => `${i.pk!.S}${i.sk!.S}`);
      assert.deepEqual(await pkv(`SELECT * FROM "Tab" WHERE pk IN ['c', 'b'] AND sk = '1'`), ['c1', 'b1']);
      assert.deepEqual(await pkv(`SELECT * FROM "Tab" WHERE pk IN ['c', 'b', 'a'] AND sk = '1' ORDER BY pk`), ['a1', 'b1', 'c1']);
      assert.deepEqual(await pkv(`SELECT * FROM "Tab" WHERE (pk = 'b' OR pk = 'c') ORDER BY pk DESC`), ['c1', 'b1']);
      await fails(ddb, `SELECT * FROM "Tab" ORDER BY sk`, 'Must have WHERE clause in the statement when using ORDER BY clause.');
      await fails(ddb, `SELECT * FROM "Tab" WHERE v > 1 ORDER BY sk`, 'Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.');
      await fails(
        ddb,
        `SELECT * FROM "Tab" WHERE pk IN ['a', 'b'] ORDER BY sk`,
        'Must have hash key in ORDER BY clause when more than one hash key condition specified in WHERE clause.',
      );
      await fails(ddb, `SELECT * FROM "Tab" WHERE pk = 'a' ORDER BY v`, 'Variable reference v in ORDER BY clause must be part of the primary key');
      await fails(ddb, `SELECT * FROM "Tab" WHERE pk = 1`, "Key attribute's data type should match its data type in table's schema: Key pk");
    }));

  test('full scans with filters, and projections of nested paths', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Docs', { range: false });
      await run(ddb, `INSERT INTO Docs VALUE {'pk': 'one', 'n': 1, 'm': {'x': 'mx', 'y': {'z': 5}}, 'l': ['l0', 'l1', 'l2'], 'tags': <<'red'>>}`);
      await run(ddb, `INSERT INTO Docs VALUE {'pk': 'two', 'n': 2, 'l': ['only'], 'tags': <<'red', 'blue'>>, 'flag': TRUE}`);
      await run(ddb, `INSERT INTO Docs VALUE {'pk': 'three', 'n': 3, 'text': 'hello'}`);
      const pks = async (where: string) => col((await run(ddb, `SELECT pk FROM Docs WHERE ${where}`)).Items, 'pk').sort();
      assert.deepEqual(await pks(`n > 1`), ['three', 'two']);
      assert.deepEqual(await pks(`n IN [1, 3]`), ['one', 'three']);
      assert.deepEqual(await pks(`contains(tags, 'blue')`), ['two']);
      assert.deepEqual(await pks(`tags IS MISSING`), ['three']);
      assert.deepEqual(await pks(`flag IS NOT MISSING AND flag = TRUE`), ['two']);
      assert.deepEqual(await pks(`m.y.z = 5 OR begins_with("text", 'hel')`), ['one', 'three']);
      assert.deepEqual(await pks(`size(l) = 1`), ['two']);
      assert.deepEqual(await pks(`attribute_type(n, 'N') AND NOT n = 2`), ['one', 'three']);
      assert.deepEqual(await pks(`text IS STRING`), ['three']);
      assert.equal((await run(ddb, `SELECT * FROM Docs`)).Items?.length, 3);
      const projected = await run(ddb, `SELECT m.x, m.y.z, l[2], n FROM Docs WHERE pk = 'one'`);
      assert.deepEqual(projected.Items, [{ x: { S: 'mx' }, z: { N: '5' }, 'l[2]': { S: 'l2' }, n: { N: '1' } }]);
      const scanned = await run(ddb, `SELECT l[0] FROM Docs WHERE n <= 2`);
      assert.deepEqual(col(scanned.Items, 'l[0]').sort(), ['l0', 'only']);
      await fails(ddb, `SELECT m.x, n.x FROM Docs`, 'Duplicate identifiers in select clause: x');
    }));

  test('SELECT through a global secondary index', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Idx', {
        extra: {
          AttributeDefinitions: [{ AttributeName: 'g', AttributeType: 'S' }],
          GlobalSecondaryIndexes: [{ IndexName: 'ByG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
        },
      });
      await seed(ddb, 'Idx', [['a', '1', 1], ['b', '1', 2]]);
      await run(ddb, `UPDATE Idx SET g = 'x' WHERE pk = 'a' AND sk = '1'`);
      await run(ddb, `UPDATE Idx SET g = 'y' WHERE pk = 'b' AND sk = '1'`);
      const byG = await run(ddb, `SELECT pk, g FROM "Idx"."ByG" WHERE g = 'y'`);
      assert.deepEqual(byG.Items, [{ pk: { S: 'b' }, g: { S: 'y' } }]);
      assert.equal((await run(ddb, `SELECT * FROM "Idx"."ByG"`)).Items?.length, 2);
      await rejectsWith(
        run(ddb, `SELECT * FROM "Idx"."ByG" WHERE g = 'y'`, undefined, { ConsistentRead: true }),
        'ValidationException',
        'Strongly consistent read is not supported on Global Secondary Indexes',
      );
      await fails(ddb, `SELECT * FROM "Idx"."Nope"`, 'The table does not have the specified index: Nope');
      await fails(ddb, `UPDATE "Idx"."ByG" SET v = 1 WHERE g = 'y'`, 'This operation is not supported on an index');
    }));

  test('UPDATE: SET, REMOVE, arithmetic, set functions, RETURNING, and a missing item', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Upd', { range: false });
      await run(ddb, `INSERT INTO Upd VALUE {'pk': 'k', 'n': 10, 'gone': 'x', 'l': [1], 's': <<'a'>>, 'm': {'in': 1}}`);
      const updated = await run(
        ddb,
        `UPDATE Upd SET n = n + 5 SET l = list_append(l, [2]), s = set_add(s, <<'b', 'c'>>), m.in = m.in - 1, m.new = ? REMOVE gone WHERE pk = 'k' RETURNING ALL NEW *`,
        [{ S: 'added' }],
      );
      assert.equal(updated.Items?.length, 1);
      const item = updated.Items![0]!;
      assert.deepEqual(item.n, { N: '15' });
      assert.deepEqual(item.l, { L: [{ N: '1' }, { N: '2' }] });
      assert.deepEqual(item.s?.SS?.sort(), ['a', 'b', 'c']);
      assert.deepEqual(item.m, { M: { in: { N: '0' }, new: { S: 'added' } } });
      assert.equal(item.gone, undefined);
      const old = await run(ddb, `UPDATE Upd SET s = set_delete(s, <<'a'>>) WHERE pk = 'k' RETURNING MODIFIED OLD *`);
      assert.deepEqual(old.Items?.[0]?.s?.SS?.sort(), ['a', 'b', 'c']);
      assert.deepEqual(Object.keys(old.Items![0]!), ['s']);
      assert.deepEqual((await run(ddb, `UPDATE Upd SET n = 1 WHERE pk = 'k' RETURNING MODIFIED NEW *`)).Items, [{ n: { N: '1' } }]);
      assert.deepEqual((await run(ddb, `UPDATE Upd SET n = 2 WHERE pk = 'k' AND n = 1`)).Items, []);
      assert.equal((await run(ddb, `UPDATE Upd SET n = 3 WHERE pk = 'k' RETURNING ALL OLD *`)).Items?.[0]?.n?.N, '2');

      await rejectsWith(run(ddb, `UPDATE Upd SET n = 1 WHERE pk = 'missing'`), 'ConditionalCheckFailedException', 'The conditional request failed');
      const missing = await run(ddb, `SELECT * FROM Upd WHERE pk = 'missing'`);
      assert.deepEqual(missing.Items, [], 'a failed UPDATE creates nothing');
      await assert.rejects(
        run(ddb, `UPDATE Upd SET n = 9 WHERE pk = 'k' AND n = 100`, undefined, { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
        (e: Error & { Item?: Record<string, AttributeValue> }) => (assert.equal(e.name, 'ConditionalCheckFailedException'), assert.deepEqual(e.Item?.n, { N: '3' }), true),
      );
      await fails(ddb, `UPDATE Upd SET n = 1 WHERE n = 3`, 'Where clause does not contain a mandatory equality on all key attributes');
      await fails(ddb, `UPDATE Upd SET n = 1`, 'Where clause does not contain a mandatory equality on all key attributes');
      await fails(ddb, `UPDATE Upd SET n = 1 WHERE pk = 'k' AND pk = 'j'`, 'Multiple conditions on same key pk. Only single item Update/Insert/Delete are supported');
      await fails(ddb, `UPDATE Upd SET pk = 'j' WHERE pk = 'k'`, 'One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key');
    }));

  test('DELETE', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Del');
      await seed(ddb, 'Del', [['a', '1', 1], ['a', '2', 2]]);
      const deleted = await run(ddb, `DELETE FROM "Del" WHERE pk = 'a' AND sk = '1' RETURNING ALL OLD *`);
      assert.deepEqual(deleted.Items, [{ pk: { S: 'a' }, sk: { S: '1' }, v: { N: '1' } }]);
      assert.deepEqual((await run(ddb, `DELETE FROM "Del" WHERE pk = 'a' AND sk = '1'`)).Items, [], 'deleting a missing item succeeds');
      await rejectsWith(run(ddb, `DELETE FROM "Del" WHERE pk = 'a' AND sk = '2' AND v = 5`), 'ConditionalCheckFailedException', 'The conditional request failed');
      await run(ddb, `DELETE FROM "Del" WHERE pk = 'a' AND sk = '2' AND v = 2`);
      assert.deepEqual((await run(ddb, `SELECT * FROM "Del"`)).Items, []);
      await fails(
        ddb,
        `DELETE FROM "Del" WHERE pk = 'a' AND sk = '2' RETURNING ALL NEW *`,
        'Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE statements.',
      );
      await fails(ddb, `DELETE FROM "Del" WHERE pk = 'a'`, 'Where clause does not contain a mandatory equality on all key attributes');
    }));

  test('NextToken pages with Limit', () =>
    withDynamo(async ({ ddb, t }) => {
      await createTable(ddb, 'Pages');
      await seed(ddb, 'Pages', [1, 2, 3, 4, 5, 6, 7].map((i) => ['a', String(i), i] as [string, string, number]));
      await seed(ddb, 'Pages', [['b', '1', 8], ['b', '2', 9]]);
      const pages = async (Statement: string, Limit: number) => {
        const out: string[][] = [];
        let NextToken: string | undefined;
        do {
          const res = await ddb.send(new ExecuteStatementCommand({ Statement, Limit, NextToken }));
          out.push((res.Items ?? []).map((i) => `${i.pk!.S}${i.sk!.S}`));
          if (res.NextToken) assert.ok(res.LastEvaluatedKey, 'LastEvaluatedKey comes with NextToken');
          NextToken = res.NextToken;
        } while (NextToken && out.length < 20);
        return out;
      };
      assert.deepEqual(await pages(`SELECT * FROM Pages WHERE pk = 'a'`, 3), [['a1', 'a2', 'a3'], ['a4', 'a5', 'a6'], ['a7']]);
      assert.deepEqual(await pages(`SELECT * FROM Pages WHERE pk = 'a' AND v > 2 ORDER BY sk DESC`, 4), [['a7', 'a6', 'a5', 'a4'], ['a3']]);
      assert.deepEqual(await pages(`SELECT * FROM Pages WHERE pk IN ['b', 'a'] AND sk < '3'`, 3), [['b1', 'b2', 'a1'], ['a2']]);
      assert.equal((await pages(`SELECT * FROM Pages`, 4)).flat().length, 9);

      const first = await run(ddb, `SELECT * FROM Pages WHERE pk = 'a'`, undefined, { Limit: 2 });
      await rejectsWith(run(ddb, `SELECT * FROM Pages WHERE pk = 'b'`, undefined, { NextToken: first.NextToken }), 'ValidationException', 'NextToken does not match request');
      await rejectsWith(run(ddb, `SELECT * FROM Pages WHERE pk = 'a'`, undefined, { NextToken: 'bm90IGEgdG9rZW4=' }), 'ValidationException', 'Invalid NextToken');
      await rejectsWith(
        run(ddb, `SELECT * FROM Pages`, undefined, { Limit: 0 }),
        'ValidationException',
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
      );
      t.clock.advance(3600_000);
      // The server's clock moved an hour ahead: sign as of its time.
      const later = new DynamoDBClient({
        endpoint: t.endpoint,
        region: 'us-east-1',
        credentials: TEST_CREDENTIALS,
        maxAttempts: 1,
        systemClockOffset: t.clock.now() - Date.now(),
      });
      await rejectsWith(
        later.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM Pages WHERE pk = 'a'`, NextToken: first.NextToken })),
        'ValidationException',
        'Given NextToken has already expired',
      );
      later.destroy();
    }));

  test('BatchExecuteStatement reports each statement on its own', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Batch', { range: false });
      await run(ddb, `INSERT INTO Batch VALUE {'pk': 'old', 'v': 1}`);
      await run(ddb, `INSERT INTO Batch VALUE {'pk': 'other', 'v': 1}`);
      const writes = await ddb.send(
        new BatchExecuteStatementCommand({
          ReturnConsumedCapacity: 'TOTAL',
          Statements: [
            { Statement: `INSERT INTO Batch VALUE {'pk': ?, 'v': 2}`, Parameters: [{ S: 'new' }] },
            { Statement: `INSERT INTO Batch VALUE {'pk': 'old'}` },
            { Statement: `UPDATE Batch SET v = 5 WHERE pk = 'missing'` },
            { Statement: `UPDATE Batch SET v = v + 1 WHERE pk = 'other' AND v = 9`, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' },
            { Statement: `DELETE FROM Batch WHERE pk = 'gone'` },
            { Statement: `INSERT INTO Batch VALUE {'pk': 'x'} garbage` },
          ],
        }),
      );
      assert.deepEqual(writes.Responses, [
        { TableName: 'Batch' },
        { TableName: 'Batch', Error: { Code: 'DuplicateItem', Message: 'Duplicate primary key exists in table' } },
        { TableName: 'Batch', Error: { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' } },
        { TableName: 'Batch', Error: { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: { pk: { S: 'other' }, v: { N: '1' } } } },
        { TableName: 'Batch' },
        { Error: { Code: 'ValidationError', Message: `${WF}Unexpected token after expression` } },
      ]);
      assert.equal(writes.ConsumedCapacity?.[0]?.TableName, 'Batch');

      const reads = await ddb.send(
        new BatchExecuteStatementCommand({
          Statements: [
            { Statement: `SELECT v FROM Batch WHERE pk = 'new'` },
            { Statement: `SELECT * FROM Batch WHERE pk = 'nothing'`, ConsistentRead: true },
            { Statement: `SELECT * FROM Batch WHERE v = 1` },
            { Statement: `SELECT * FROM Nope WHERE pk = 'a'` },
          ],
        }),
      );
      assert.deepEqual(reads.Responses, [
        { TableName: 'Batch', Item: { v: { N: '2' } } },
        { TableName: 'Batch' },
        { Error: { Code: 'ValidationError', Message: 'Only single item select is supported' } },
        { Error: { Code: 'ResourceNotFound', Message: 'Requested resource not found' } },
      ]);
      await rejectsWith(
        ddb.send(new BatchExecuteStatementCommand({ Statements: [{ Statement: `SELECT * FROM Batch WHERE pk = 'a'` }, { Statement: `DELETE FROM Batch WHERE pk = 'a'` }] })),
        'ValidationException',
        'Read and write requests together in the same batch is not supported.',
      );
      await rejectsWith(
        ddb.send(new BatchExecuteStatementCommand({ Statements: [{ Statement: `DELETE FROM Batch WHERE pk = 'a'` }, { Statement: `UPDATE Batch SET v = 1 WHERE pk = 'a'` }] })),
        'ValidationException',
        'Provided list of item keys contains duplicates',
      );
      await rejectsWith(
        ddb.send(new BatchExecuteStatementCommand({ Statements: Array.from({ length: 26 }, (_, i) => ({ Statement: `DELETE FROM Batch WHERE pk = '${i}'` })) })),
        'ValidationException',
        "1 validation error detected: Value at 'statements' failed to satisfy constraint: Member must have length less than or equal to 25",
      );
    }));

  test('ExecuteTransaction is all or nothing', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Acct', { range: false });
      await run(ddb, `INSERT INTO Acct VALUE {'pk': 'acct', 'balance': 100}`);
      await assert.rejects(
        ddb.send(
          new ExecuteTransactionCommand({
            TransactStatements: [
              { Statement: `INSERT INTO Acct VALUE {'pk': 'fresh'}` },
              { Statement: `UPDATE Acct SET balance = balance - 10 WHERE pk = 'nobody'` },
            ],
          }),
        ),
        (e: Error & { CancellationReasons?: unknown[] }) => {
          assert.equal(e.name, 'TransactionCanceledException');
          assert.equal(e.message, 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]');
          assert.deepEqual(e.CancellationReasons, [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }]);
          return true;
        },
      );
      assert.deepEqual((await run(ddb, `SELECT * FROM Acct WHERE pk = 'fresh'`)).Items, [], 'the INSERT was not kept');

      await assert.rejects(
        ddb.send(new ExecuteTransactionCommand({ TransactStatements: [{ Statement: `INSERT INTO Acct VALUE {'pk': 'acct'}` }] })),
        (e: Error & { CancellationReasons?: unknown[] }) => {
          assert.deepEqual(e.CancellationReasons, [{ Code: 'DuplicateItem', Message: 'Duplicate primary key exists in table' }]);
          return true;
        },
      );
      await ddb.send(
        new ExecuteTransactionCommand({
          TransactStatements: [
            { Statement: `EXISTS(SELECT * FROM Acct WHERE pk = 'acct' AND balance >= ?)`, Parameters: [{ N: '30' }] },
            { Statement: `INSERT INTO Acct VALUE {'pk': 'savings', 'balance': 30}` },
          ],
        }),
      );
      await rejectsWith(
        ddb.send(
          new ExecuteTransactionCommand({
            TransactStatements: [{ Statement: `EXISTS(SELECT * FROM Acct WHERE pk = 'acct' AND balance > 1000)` }, { Statement: `DELETE FROM Acct WHERE pk = 'savings'` }],
          }),
        ),
        'TransactionCanceledException',
        'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]',
      );
      const read = await ddb.send(
        new ExecuteTransactionCommand({
          TransactStatements: [{ Statement: `SELECT balance FROM Acct WHERE pk = 'savings'` }, { Statement: `SELECT * FROM Acct WHERE pk = ?`, Parameters: [{ S: 'absent' }] }],
        }),
      );
      assert.deepEqual(read.Responses, [{ Item: { balance: { N: '30' } } }, {}]);

      const tx = (...statements: string[]) => ddb.send(new ExecuteTransactionCommand({ TransactStatements: statements.map((Statement) => ({ Statement })) }));
      await rejectsWith(
        tx(`SELECT * FROM Acct WHERE pk = 'acct'`, `DELETE FROM Acct WHERE pk = 'savings'`),
        'ValidationException',
        'ExecuteTransaction API does not support both read and write operations in the same request.',
      );
      await rejectsWith(tx(`SELECT * FROM Acct WHERE`), 'ValidationException', `Validation failed in TransactStatements[0]: ${WF}Unexpected term`);
      await rejectsWith(
        tx(`DELETE FROM Acct WHERE pk = 'a'`, `UPDATE Acct SET b = 1 WHERE pk = 'b' RETURNING ALL NEW *`),
        'ValidationException',
        'Validation failed in TransactStatements[1]: RETURNING clause is not supported in ExecuteTransaction.',
      );
      await rejectsWith(
        tx(`SELECT * FROM Acct WHERE balance = 1`),
        'ValidationException',
        'Validation failed in TransactStatements[0]: Select statements within ExecuteTransaction must specify the primary key in the where clause.',
      );
      await rejectsWith(
        tx(`EXISTS(SELECT * FROM Acct WHERE pk = 'acct')`),
        'ValidationException',
        'Validation failed in TransactStatements[0]: EXISTS() must contain a single item read with additional condition',
      );
      await rejectsWith(
        tx(`DELETE FROM Acct WHERE pk = 'a'`, `DELETE FROM Acct WHERE pk = 'a'`),
        'ValidationException',
        'Transaction request cannot include multiple operations on one item',
      );
    }));

  test('malformed and unsupported statements over the wire', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Mal');
      await fails(ddb, `SELECT * FROM "Mal" WHERE pk = 'a' foo`, `${WF}Unexpected token after expression`);
      await fails(ddb, `SELECT * FROM "Mal" WHERE`, `${WF}Unexpected term`);
      await fails(ddb, `SELECT * FROM "Mal" WHERE pk = 'a' AND`, `${WF}Missing right-hand side expression of infix operator`);
      await rejectsWith(run(ddb, `SELECT * FROM "Mal" WHERE pk = 'a' # note`), 'ValidationException', WF);
      await fails(ddb, `SELECT * FROM "Mal" t WHERE pk = 'x'`, 'Aliasing is not supported');
      await fails(ddb, `EXISTS(SELECT * FROM "Mal" WHERE pk = 'a' AND sk = 'b' AND x = 1)`, 'EXISTS can only be used in ExecuteTransaction write requests.');
      await rejectsWith(
        run(ddb, ''),
        'ValidationException',
        "1 validation error detected: Value '' at 'statement' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
      await rejectsWith(run(ddb, `SELECT * FROM "Nope"`), 'ResourceNotFoundException', 'Requested resource not found');
      await fails(ddb, `SELECT * FROM "Mal" WHERE a + 1 = 2`, 'Unsupported operator in Condition Expression. Operator: +');
    }));
});
