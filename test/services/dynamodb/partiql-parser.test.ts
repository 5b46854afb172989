import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExpressionBuilder, toCondition } from '../../../src/services/dynamodb/engine/partiql/expressions.js';
import { parseStatement } from '../../../src/services/dynamodb/engine/partiql/parser.js';
import { Binder } from '../../../src/services/dynamodb/engine/partiql/values.js';
import type { AttributeValue } from '../../../src/services/dynamodb/engine/types.js';

const WF = "Statement wasn't well formed, can't be processed: ";

function refuses(statement: string, message: string): void {
  assert.throws(
    () => parseStatement(statement),
    (e: Error) => {
      assert.equal(e.name, 'ValidationException');
      assert.equal(e.message, message, statement);
      return true;
    },
  );
}

/** A WHERE rendered as the engine will see it, with its names and values. */
function where(condition: string, params: AttributeValue[] = []) {
  const { statement } = parseStatement(`SELECT * FROM "Tab" WHERE ${condition}`);
  assert.equal(statement.kind, 'select');
  const xb = new ExpressionBuilder();
  const text = xb.condition(toCondition(statement.where!, new Binder(params)));
  return { text, ...xb.members() };
}

function refusesWhere(condition: string, message: string): void {
  assert.throws(() => where(condition), (e: Error) => (assert.equal(e.message, message, condition), true));
}

describe('PartiQL parser', () => {
  test('SELECT: projection paths, index source, WHERE and ORDER BY', () => {
    const { statement, parameters } = parseStatement(
      `select a, "b c".d[2], e['f'] FROM "Music"."ByYear" WHERE Artist = ? AND year >= 2000 ORDER BY year DESC, Artist;`,
    );
    assert.equal(parameters, 1);
    assert.deepEqual(statement, {
      kind: 'select',
      projection: [
        { kind: 'path', steps: [{ kind: 'name', name: 'a' }] },
        { kind: 'path', steps: [{ kind: 'name', name: 'b c' }, { kind: 'name', name: 'd' }, { kind: 'index', index: 2 }] },
        { kind: 'path', steps: [{ kind: 'name', name: 'e' }, { kind: 'name', name: 'f' }] },
      ],
      source: { table: 'Music', index: 'ByYear' },
      where: {
        kind: 'binary',
        op: 'and',
        left: { kind: 'binary', op: '=', left: { kind: 'path', steps: [{ kind: 'name', name: 'Artist' }] }, right: { kind: 'param', index: 0 } },
        right: { kind: 'binary', op: '>=', left: { kind: 'path', steps: [{ kind: 'name', name: 'year' }] }, right: { kind: 'number', text: '2000' } },
      },
      orderBy: [
        { name: 'year', descending: true },
        { name: 'Artist', descending: false },
      ],
    });
    assert.equal(parseStatement('SELECT * FROM Music').statement.kind, 'select');
  });

  test('INSERT, UPDATE, DELETE and EXISTS', () => {
    const insert = parseStatement(`INSERT INTO "Music" VALUE {'Artist': ?, 'n': -1.5e3, 's': <<'a', 'b'>>, 'l': [TRUE, NULL], 'm': {'it''s': 'x'}}`);
    assert.equal(insert.parameters, 1);
    assert.equal(insert.statement.kind, 'insert');

    const update = parseStatement(`UPDATE Music SET a = 1 SET b.c[0] = b.c[0] + ?, d = list_append(d, [1]) REMOVE e, f WHERE pk = ? RETURNING MODIFIED NEW *`);
    assert.equal(update.parameters, 2);
    assert.ok(update.statement.kind === 'update');
    assert.deepEqual(
      update.statement.clauses.map((c) => c.kind),
      ['set', 'set', 'set', 'remove', 'remove'],
    );
    assert.equal(update.statement.returning, 'UPDATED_NEW');

    const del = parseStatement(`DELETE FROM "Music" WHERE "Artist" = 'Acme' -- a comment\n AND /* block */ SongTitle = 'x' RETURNING ALL OLD *`);
    assert.ok(del.statement.kind === 'delete');
    assert.equal(del.statement.returning, 'ALL_OLD');

    const exists = parseStatement(`EXISTS(SELECT * FROM Music WHERE Artist = 'a' AND Awards IS MISSING)`);
    assert.ok(exists.statement.kind === 'exists');
    assert.equal(exists.statement.select.source.table, 'Music');
  });

  test('syntax errors carry the details AWS gives', () => {
    refuses(`SELECT * FROM "Tab" WHERE pk = 1 foo`, `${WF}Unexpected token after expression`);
    refuses(`SELECT * FROM "Tab" WHERE pk = 1 e5`, `${WF}Unexpected token after expression`);
    refuses(`SELECT * FROM "Tab" WHERE pk = 1)`, `${WF}Unexpected token after expression`);
    refuses(`DELETE FROM "Tab" WHERE pk = 1 ORDER BY pk`, `${WF}Unexpected token after expression`);
    refuses(`SELECT * FROM "Tab" ORDER BY pk WHERE pk = 1`, `${WF}Unexpected token after expression`);
    refuses(`INSERT INTO "Tab" t VALUE {'pk': 'x'}`, `${WF}Unexpected token after expression`);
    refuses(`INSERT INTO "Tab" VALUE {'pk': 'a'}, {'pk': 'b'}`, `${WF}Unexpected token after expression`);
    refuses(`SELECT * FROM "Tab"; SELECT * FROM "Tab"`, `${WF}Unexpected token after expression`);
    for (const s of [`SELECT * FROM "Tab" WHERE`, `SELECT * FROM "Tab" WHERE;`, `SELECT * FROM "Tab" WHERE NOT`, `SELECT * FROM "Tab" WHERE (`, 'SELECT * FROM', '   ']) {
      refuses(s, `${WF}Unexpected term`);
    }
    refuses(`SELECT * FROM "Tab" WHERE pk = 'a' AND`, `${WF}Missing right-hand side expression of infix operator`);
    refuses(`SELECT * FROM "Tab" WHERE pk = 'a' OR`, `${WF}Missing right-hand side expression of infix operator`);
    refuses(`SELECT * FROM "Tab" WHERE ORDER BY pk`, `${WF}Unexpected keyword`);
    refuses(`SELECT * FROM "Tab" WHERE pad = 'none'`, `${WF}Unexpected keyword`);
    refuses(`SELECT * FROM "Tab" WHERE IS NULL`, `${WF}Unexpected operator`);
    refuses(`SELECT * FROM "Tab" WHERE pk = LIKE`, `${WF}Unexpected operator`);
    refuses(`SELECT * FROM "Tab" WHERE pk = 'a' AND x IS FOO`, `${WF}Expected type name`);
    for (const s of ['DELETE FROM', 'DELETE FROM;', `DELETE FROM WHERE pk = 'a'`]) refuses(s, `${WF}Expected identifier for simple path`);
    refuses(`SLECT * FROM "Tab"`, `${WF}Expected data manipulation`);
    refuses(`SELECT * FROM "Tab" WHERE pk = 1 # note`, WF);
    refuses(`SELECT * FROM "Tab" WHERE pk = 1 /* note`, WF);
    refuses(`SELECT * FROM "Tab" WHERE pk = 'open`, WF);
    refuses(`SELECT * FROM "Tab" WHERE pk = 1e2147483648`, WF);
    refuses(`SELECT * FROM "Tab" WHERE pk = 1.5e-2147483647`, WF);
  });

  test('refusals of the DynamoDB dialect', () => {
    refuses(`SELECT * FROM "Tab" t WHERE pk = 'x'`, 'Aliasing is not supported');
    refuses(`SELECT * FROM "Tab" AS t WHERE pk = 'x'`, 'Aliasing is not supported');
    refuses(`UPDATE "Tab" t SET a = 3 WHERE pk = 'x'`, 'Aliasing is not supported');
    refuses(`DELETE FROM "Tab" t WHERE pk = 'x'`, 'Aliasing is not supported');
    refuses(`SELECT a AS b FROM "Tab"`, 'Aliasing is not supported');
    refuses(`SELECT *, a FROM "Tab"`, "Other attributes should not be present in the projection when '*' is used.");
    refuses(`SELECT a.* FROM "Tab"`, "Changing item's hierarchy while reading isn't supported");
    refuses(`SELECT a[*].b FROM "Tab"`, 'Wildcard path component like a[*].b are not supported');
    refuses(`SELECT VALUE a FROM "Tab"`, "Select projection doesn't support value or pivot keywords");
    refuses(`SELECT DISTINCT a FROM "Tab"`, 'Unsupported token in expression: DISTINCT');
    refuses(`SELECT * FROM "Tab", "Other"`, 'Only select from a single table or index is supported.');
    refuses(`SELECT * FROM "Tab"."Ix"."More"`, 'A path may contain at most 2 components in the FROM clause');
    refuses(`SELECT * FROM "T!"`, "Table name should be within the length [3, 255] and only contain 'a-z', 'A-Z', '0-9', '-', '_', '.'.");
    refuses(`SELECT * FROM "Tab" WHERE pk = 'a' GROUP BY pk`, 'Unsupported clause: GROUP BY');
    refuses(`SELECT * FROM "Tab" LIMIT 1`, 'Unsupported clause: LIMIT');
    refuses(`SELECT * FROM "Tab" WHERE pk = 'a' ORDER BY a.b`, 'Argument to ORDER BY must be of type VariableReference. Type: PATH');
    refuses(`SELECT a[-1] FROM "Tab"`, 'List index is not within the allowable range; index: [-1]');
    refuses(`INSERT INTO "Tab" VALUE {'pk': 'a'} RETURNING ALL OLD *`, 'RETURNING is not supported in INSERT');
    refuses(`UPDATE "Tab" SET a = 1 WHERE pk = 'a' RETURNING ALL NEW a`, "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause");
    refuses(`UPDATE "Tab" SET a = 1 WHERE pk = 'a' RETURNING ALL NEW *, ALL OLD *`, 'Invalid syntax with multiple returning elements in RETURNING clause');
    refuses(`SELECT "" FROM "Tab"`, 'Path component cannot be an empty string');
  });

  test('literals become AttributeValues, numbers exactly', () => {
    const b = new Binder([{ B: 'AAE=' }]);
    const { statement } = parseStatement(
      `INSERT INTO "Tab" VALUE {'s': 'it''s', 'n': 00012.500, 'neg': -1E2, 'big': 12345678901234567890123456789012345678, 't': TRUE, 'z': NULL, 'l': [1, 'x'], 'm': {'k': [?]}, 'ss': <<'b', 'a'>>, 'ns': <<1, 2.50>>}`,
    );
    assert.ok(statement.kind === 'insert');
    assert.deepEqual(b.struct(statement.value), {
      s: { S: "it's" },
      n: { N: '12.5' },
      neg: { N: '-100' },
      big: { N: '12345678901234567890123456789012345678' },
      t: { BOOL: true },
      z: { NULL: true },
      l: { L: [{ N: '1' }, { S: 'x' }] },
      m: { M: { k: { L: [{ B: 'AAE=' }] } } },
      ss: { SS: ['b', 'a'] },
      ns: { NS: ['1', '2.5'] },
    });
  });

  test('literals DynamoDB refuses', () => {
    const item = (s: string) => {
      const { statement } = parseStatement(`INSERT INTO "Tab" VALUE ${s}`);
      assert.ok(statement.kind === 'insert');
      return new Binder([]).struct(statement.value);
    };
    const over = 'Number overflow. Attempting to store a number with magnitude larger than supported range';
    assert.throws(() => item(`{'pk': 1e126}`), { message: `${over} under root.pk` });
    assert.throws(() => item(`{'pk': 1, 'm': {'x': 1e126}}`), { message: `${over} under root.m.x` });
    assert.throws(() => item(`{'pk': 1, 'l': [1, 1e126]}`), { message: `${over} under root.l[1]` });
    assert.throws(() => item(`{'pk': 1e-131}`), {
      message: 'Number underflow. Attempting to store a number with magnitude smaller than supported range under root.pk',
    });
    assert.throws(() => item(`{'pk': 123456789012345678901234567890123456789}`), {
      message: 'Attempting to store more than 38 significant digits in a Number under root.pk',
    });
    assert.throws(() => item(`{'pk': -0.0}`), { message: 'Negative zero decimal is not supported under key root.pk' });
    assert.throws(() => item(`{'a': 1, 'a': 2}`), { message: 'Duplicate keys in tuple. Key: a under root' });
    assert.throws(() => item(`{a: 1}`), { message: 'Tuple keys must be of type String. Actual type: VariableReference under root' });
    assert.throws(() => item(`{1: 1}`), { message: 'Tuple keys must be of type String. Actual type: INT under root' });
    assert.throws(() => item(`{'s': <<>>}`), { message: 'Empty bags are not supported' });
    assert.throws(() => item(`{'s': <<1, 'a'>>}`), { message: 'Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags' });
    assert.throws(() => item(`{'s': <<TRUE>>}`), { message: 'Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags' });
    assert.throws(() => item(`{'s': MISSING}`), { message: 'MISSING must be compared using IS operator' });
    assert.throws(() => item(`[1]`), {
      message: 'Unsupported format in item expression. Please use struct format {...} to express item values for insert statement.',
    });
  });

  test('WHERE clauses become condition expressions with placeholders only', () => {
    assert.deepEqual(where(`a = 1 AND (b.c[2] <> 'x' OR NOT c BETWEEN ? AND 9)`, [{ N: '3' }]), {
      text: '(#n0 = :v0) AND ((#n1.#n2[2] <> :v1) OR (NOT (#n2 BETWEEN :v2 AND :v3)))',
      ExpressionAttributeNames: { '#n0': 'a', '#n1': 'b', '#n2': 'c' },
      ExpressionAttributeValues: { ':v0': { N: '1' }, ':v1': { S: 'x' }, ':v2': { N: '3' }, ':v3': { N: '9' } },
    });
    assert.equal(where(`"select" IN ['a', 'b']`).text, '#n0 IN (:v0, :v1)');
    assert.equal(where(`a NOT IN (1, 2)`).text, 'NOT (#n0 IN (:v0, :v1))');
    assert.equal(where(`begins_with(a, 'x') AND contains(b, 1) AND attribute_type(c, 'N')`).text, '((begins_with(#n0, :v0)) AND (contains(#n1, :v1))) AND (attribute_type(#n2, :v2))');
    assert.equal(where(`size(a) > 3`).text, 'size(#n0) > :v0');
    assert.equal(where(`a IS MISSING AND b IS NOT MISSING`).text, '(attribute_not_exists(#n0)) AND (attribute_exists(#n1))');
    assert.deepEqual(where(`a IS NULL`), { text: '#n0 = :v0', ExpressionAttributeNames: { '#n0': 'a' }, ExpressionAttributeValues: { ':v0': { NULL: true } } });
    assert.deepEqual(where(`a IS NOT STRING`).ExpressionAttributeValues, { ':v0': { S: 'S' } });
    assert.equal(where(`a IS NOT STRING`).text, 'NOT (attribute_type(#n0, :v0))');
    // A name that is an expression reserved word, and one holding a dot, stay names.
    assert.deepEqual(where(`"name" = 1 AND "a.b" = 2`).ExpressionAttributeNames, { '#n0': 'name', '#n1': 'a.b' });

    refusesWhere(`a`, 'WHERE clause must contain an expression that resolves to a boolean');
    refusesWhere(`a = 1 AND b`, 'The arguments to AND/OR must be Expressions');
    refusesWhere(`NOT a`, 'The argument to NOT must be a Type or Expression');
    refusesWhere(`a + 1 = 2`, 'Unsupported operator in Condition Expression. Operator: +');
    refusesWhere(`a LIKE 'x%'`, 'Unsupported operator in Condition Expression. Operator: like');
    refusesWhere(`a = MISSING`, 'MISSING must be compared using IS operator');
    refusesWhere(`a IN 1`, 'IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member');
    refusesWhere(`a IN []`, 'IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member');
    refusesWhere(`a IS INT`, 'Unsupported data type for IS operator: INTEGER. Supported data types are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]');
    refusesWhere(`frobnicate(a)`, 'Unrecognized function: frobnicate');
    refusesWhere(`begins_with(a)`, 'Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1');
    refusesWhere(`a IN [${Array.from({ length: 101 }, (_, i) => i).join(', ')}]`, 'The IN operator is provided with too many operands; number of operands: 102');
  });

  test('SET and REMOVE become an UpdateExpression', () => {
    const update = (s: string, params: AttributeValue[] = []) => {
      const { statement } = parseStatement(`UPDATE "Tab" ${s} WHERE pk = 'a'`);
      assert.ok(statement.kind === 'update');
      const xb = new ExpressionBuilder();
      return { text: xb.update(statement.clauses, new Binder(params)), ...xb.members() };
    };
    assert.equal(
      update(`SET a = 1, b = b + 2 REMOVE c SET d = list_append(d, [?]), e = set_add(e, <<'x'>>), f = set_delete(f, <<1>>), g = if_not_exists(g, 0)`, [{ S: 'p' }]).text,
      'SET #n0 = :v0, #n1 = #n1 + :v1, #n3 = list_append(#n3, :v2), #n6 = if_not_exists(#n6, :v5) REMOVE #n2 ADD #n4 :v3 DELETE #n5 :v4',
    );
    assert.throws(() => update(`SET e = set_add(x, <<'x'>>)`), { message: 'The first argument to SET_ADD must equal the assignment value' });
    assert.throws(() => update(`SET e = set_add(e, 'x')`), { message: 'The second argument to SET_ADD must be a value with type SET' });
    assert.throws(() => update(`SET e = set_delete(e)`), { message: 'SET_DELETE must have exactly two arguments' });
    assert.throws(() => update(`SET e = a IS NULL`), { message: 'IS operator is not supported in update expressions' });
    assert.throws(() => update(`SET e = a * 2`), { message: 'Unsupported operator in Update Expression. Operator: *' });
    assert.throws(() => update(`SET e = upper(a)`), { message: 'Unrecognized function: upper' });
  });
});
