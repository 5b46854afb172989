// Key conditions (KeyConditionExpression and KeyConditions) and the legacy parameters (Expected,
// QueryFilter/ScanFilter, AttributesToGet, AttributeUpdates) converted to the expression ASTs.
// Messages from dynalite's tests (recorded against DynamoDB), the dynamodb-conformance suite and
// Scylla's Alternator tests.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ExpressionContext,
  applyUpdate,
  conditionFromExpected,
  conditionFromFilter,
  evaluateCondition,
  keyConditionFor,
  keyConditionFromLegacy,
  keyTermsFromLegacy,
  parseKeyCondition,
  parseKeyConditionTerms,
  projectionFromAttributesToGet,
  updateFromAttributeUpdates,
  type KeySchema,
} from '../../../src/services/dynamodb/engine/expressions/index.js';
import type { AttributeValue, Item } from '../../../src/services/dynamodb/engine/types.js';
import { throwsValidation as refuses } from '../../helpers/aws-errors.js';

type Values = Record<string, AttributeValue>;


const COMPOSITE: KeySchema = { hash: { name: 'p', type: 'S' }, range: { name: 'c', type: 'N' } };
const HASH_ONLY: KeySchema = { hash: { name: 'p', type: 'S' } };
const V: Values = { ':p': { S: 'x' }, ':n': { N: '1' }, ':m': { N: '5' }, ':s': { S: 'a' } };

function key(expr: string, schema = COMPOSITE, values: Values = V, names?: Record<string, string>) {
  return parseKeyCondition(expr, new ExpressionContext({ values, names }), schema);
}

describe('KeyConditionExpression', () => {
  test('the partition key, and one condition on the sort key, in either order and either side', () => {
    assert.deepEqual(key('p = :p', HASH_ONLY), { partition: { name: 'p', value: { S: 'x' } } });
    assert.deepEqual(key(' p  =   :p '), { partition: { name: 'p', value: { S: 'x' } } });
    assert.deepEqual(key('c = :n AND p = :p'), { partition: { name: 'p', value: { S: 'x' } }, sort: { name: 'c', op: '=', values: [{ N: '1' }] } });
    for (const [op, flipped] of [['<', '>'], ['<=', '>='], ['>', '<'], ['>=', '<='], ['=', '=']]) {
      assert.deepEqual(key(`p = :p AND c ${op} :n`).sort, { name: 'c', op, values: [{ N: '1' }] });
      assert.deepEqual(key(`:p = p AND :n ${op} c`).sort, { name: 'c', op: flipped, values: [{ N: '1' }] });
    }
    assert.deepEqual(key('p=:p AnD c BeTwEeN :n aNd :m').sort, { name: 'c', op: 'BETWEEN', values: [{ N: '1' }, { N: '5' }] });
    const strings: KeySchema = { hash: { name: 'p', type: 'S' }, range: { name: 's', type: 'S' } };
    assert.deepEqual(key('p = :p AND begins_with(s, :s)', strings).sort, { name: 's', op: 'BEGINS_WITH', values: [{ S: 'a' }] });
    assert.deepEqual(key('#a = :p AND #b = :n', COMPOSITE, V, { '#a': 'p', '#b': 'c' }).sort?.name, 'c');
    assert.deepEqual(key('((c=:n) AND (p=:p))').sort?.op, '=');
    assert.deepEqual(key('(p = :p AND (c = :n))').sort?.op, '=');
  });

  test('what a key condition cannot say (AWS)', () => {
    const op = 'Invalid operator used in KeyConditionExpression: ';
    for (const [e, o] of [
      ['a > b and size(b) > c or a > c', 'OR'],
      ['a in (b, size(c), d)', 'IN'],
      ['attribute_exists(a)', 'attribute_exists'],
      ['attribute_not_exists(a)', 'attribute_not_exists'],
      ['contains(a.d, b)', 'contains'],
      ['not a > b', 'NOT'],
      ['a <> b', '<>'],
      ['c=:n OR p=:p', 'OR'],
      ['NOT c=:n AND p=:p', 'NOT'],
      ['p=:p AND c IN (:n)', 'IN'],
    ]) {
      refuses(() => key(e!), op + o);
    }
    refuses(() => key('attribute_type(a, :t)', COMPOSITE, { ':t': { S: 'S' } }), `${op}attribute_type`);
    for (const [e, o] of [[':s between size(b) and size(a) and b > :s', 'BETWEEN'], ['begins_with(:s, b) and a > :s', 'begins_with']]) {
      refuses(() => key(e!), `Invalid condition in KeyConditionExpression: ${o} operator must have the key attribute as its first operand`);
    }
    for (const e of ['size(b) > a AND a.b > b AND b > c', 'a > size(b.d)', 'a between size(b) and size(a)']) {
      refuses(() => key(e), 'KeyConditionExpressions cannot contain nested operations');
    }
    for (const e of ['b > a.b', 'b between c[1] and d', 'a between b and size(a)', 'begins_with(a, b)', 'p=c']) {
      refuses(() => key(e), 'Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition');
    }
    for (const e of ['b.d > a AND c.d > e.f', 'a.d > c', 'b[0] > a', 'p=:p AND a.b<:n']) {
      refuses(() => key(e), 'KeyConditionExpressions cannot have conditions on nested attributes');
    }
    for (const e of [':s > :n AND a < :s', ':n > b AND :n < :s', ':p=:n']) {
      refuses(() => key(e), 'Invalid condition in KeyConditionExpression: No key attribute specified');
    }
    for (const e of ['b > :n AND b < :n and c = :n and d = :n', '(a > :n and b > :n) and (b > :n and c > :n)', 'p=:p AND p=:p', 'p=:p AND c>=:n AND c<=:m']) {
      refuses(() => key(e), 'KeyConditionExpressions must only contain one condition per key');
    }
  });

  test('parse errors come first, prefixed like every expression error (AWS)', () => {
    refuses(() => key(''), 'Invalid KeyConditionExpression: The expression can not be empty;');
    for (const e of ['things are not gonna be ok', 'a > 4', '(size(a))[0] > a', 'p', 'p=:p AND c!=:n']) {
      refuses(() => key(e), /^Invalid KeyConditionExpression: Syntax error; /);
    }
    refuses(() => key('p=:q'), 'Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :q');
    refuses(() => key('((c=:n) AND ((p=:p)))'), 'Invalid KeyConditionExpression: The expression has redundant parentheses;');
    refuses(
      () => key('a between :b and :a', COMPOSITE, { ':a': { S: 'a' }, ':b': { N: '1' } }),
      'Invalid KeyConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}',
    );
    refuses(() => key('p=:p AND begins_with(c, :n)'), 'Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N');
    refuses(() => key('p=:p AND dog(c, :n)'), 'Invalid KeyConditionExpression: Invalid function name; function: dog');
    refuses(() => key('p=:p AND BEGINS_WITH(c, :n)'), 'Invalid KeyConditionExpression: Invalid function name; function: BEGINS_WITH');
  });

  test('checked against the key schema (AWS)', () => {
    refuses(() => key('c = :n'), 'Query condition missed key schema element: p');
    refuses(() => key('attr1 = :p'), 'Query condition missed key schema element: p');
    refuses(() => key('p = :p AND a < :n'), 'Query condition missed key schema element: c');
    refuses(() => key('p = :p AND c < :n AND a < :n'), 'Conditions can be of length 1 or 2 only');
    refuses(() => key('p < :p'), 'Query key condition not supported');
    refuses(() => key('p = :p AND c = :n', HASH_ONLY), 'Query key condition not supported');
    const mismatch = 'One or more parameter values were invalid: Condition parameter type does not match schema type';
    refuses(() => key('p = :n'), mismatch);
    refuses(() => key('p = :p AND c = :s'), mismatch);
    refuses(() => key('p = :p AND begins_with(c, :s)'), mismatch);
  });

  test('in two steps: the key-free checks, then the schema', () => {
    const terms = parseKeyConditionTerms('p = :p AND c > :n', new ExpressionContext({ values: V }));
    assert.deepEqual([...terms.keys()], ['p', 'c']);
    assert.deepEqual(keyConditionFor(terms, COMPOSITE).sort, { name: 'c', op: '>', values: [{ N: '1' }] });
    refuses(() => keyConditionFor(terms, HASH_ONLY), 'Query key condition not supported');
    // Three to eight conditions may fit a multi-attribute index key: refused once the key is known.
    const three = parseKeyConditionTerms('p = :p AND c > :n AND x = :n', new ExpressionContext({ values: V }));
    refuses(() => keyConditionFor(three, COMPOSITE), 'Conditions can be of length 1 or 2 only');
    const nine = Array.from({ length: 9 }, (_, i) => `a${i} = :n`).join(' AND ');
    refuses(() => parseKeyConditionTerms(nine, new ExpressionContext({ values: V })), 'Conditions can be of length 1 or 2 only');
  });
});

describe('KeyConditions', () => {
  const eq = (v: AttributeValue) => ({ ComparisonOperator: 'EQ', AttributeValueList: [v] });
  test('converted and checked like expressions', () => {
    assert.deepEqual(keyConditionFromLegacy({ p: eq({ S: 'x' }), c: { ComparisonOperator: 'BETWEEN', AttributeValueList: [{ N: '1' }, { N: '3' }] } }, COMPOSITE), {
      partition: { name: 'p', value: { S: 'x' } },
      sort: { name: 'c', op: 'BETWEEN', values: [{ N: '1' }, { N: '3' }] },
    });
    assert.deepEqual(keyConditionFromLegacy({ p: eq({ S: 'x' }), c: { ComparisonOperator: 'LE', AttributeValueList: [{ N: '1' }] } }, COMPOSITE).sort?.op, '<=');
    assert.deepEqual(keyConditionFromLegacy({ p: eq({ S: 'x' }), c: { ComparisonOperator: 'BEGINS_WITH', AttributeValueList: [{ S: 'a' }] } }, { ...COMPOSITE, range: { name: 'c', type: 'S' } }).sort?.op, 'BEGINS_WITH');
  });

  test('refusals', () => {
    for (const op of ['NE', 'CONTAINS', 'NOT_CONTAINS', 'IN']) {
      refuses(
        () => keyConditionFromLegacy({ p: eq({ S: 'x' }), c: { ComparisonOperator: op, AttributeValueList: [{ N: '1' }] } }, COMPOSITE),
        'Attempted conditional constraint is not an indexable operation',
      );
    }
    refuses(() => keyConditionFromLegacy({ p: eq({ S: 'x' }), c: { ComparisonOperator: 'NULL' } }, COMPOSITE), 'Attempted conditional constraint is not an indexable operation');
    refuses(() => keyConditionFromLegacy({ c: eq({ N: '1' }) }, COMPOSITE), 'Query condition missed key schema element: p');
    refuses(() => keyConditionFromLegacy({ p: { ComparisonOperator: 'GT', AttributeValueList: [{ S: 'x' }] } }, COMPOSITE), 'Query key condition not supported');
    refuses(() => keyConditionFromLegacy({ p: eq({ N: '1' }) }, COMPOSITE), 'One or more parameter values were invalid: Condition parameter type does not match schema type');
    refuses(() => keyTermsFromLegacy({}), 'Conditions can be of length 1 or 2 only');
    refuses(() => keyTermsFromLegacy({ p: { ComparisonOperator: 'EQ', AttributeValueList: [] } }), 'One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator');
  });
});

describe('QueryFilter / ScanFilter', () => {
  const item: Item = {
    a: { N: '1' },
    s: { S: 'hello' },
    set: { NS: ['2', '4', '7'] },
    list: { L: [{ N: '2' }, { N: '4' }] },
    bin: { B: Buffer.from('hi there').toString('base64') },
  };
  const holds = (filter: Record<string, unknown>, op?: string, it: Item = item) => evaluateCondition(conditionFromFilter(filter, op), it);
  const c = (ComparisonOperator: string, ...AttributeValueList: AttributeValue[]) => ({ ComparisonOperator, AttributeValueList });

  test('every ComparisonOperator', () => {
    assert.equal(holds({ a: c('EQ', { N: '1' }) }), true);
    assert.equal(holds({ a: c('EQ', { S: '1' }) }), false);
    assert.equal(holds({ a: c('NE', { N: '2' }) }), true);
    assert.equal(holds({ q: c('NE', { N: '1' }) }), true);
    assert.equal(holds({ a: c('LT', { N: '2' }) }), true);
    assert.equal(holds({ a: c('LE', { N: '1' }) }), true);
    assert.equal(holds({ a: c('GT', { N: '1' }) }), false);
    assert.equal(holds({ a: c('GE', { N: '1' }) }), true);
    assert.equal(holds({ a: c('LE', { S: '1' }) }), false);
    assert.equal(holds({ a: c('NOT_NULL') }), true);
    assert.equal(holds({ q: c('NULL') }), true);
    assert.equal(holds({ s: c('CONTAINS', { S: 'ell' }) }), true);
    assert.equal(holds({ set: c('CONTAINS', { N: '4' }) }), true);
    assert.equal(holds({ list: c('CONTAINS', { N: '4' }) }), true);
    assert.equal(holds({ bin: c('CONTAINS', { B: Buffer.from('here').toString('base64') }) }), true);
    assert.equal(holds({ q: c('CONTAINS', { N: '1' }) }), false);
    assert.equal(holds({ s: c('NOT_CONTAINS', { S: 'dog' }) }), true);
    assert.equal(holds({ set: c('NOT_CONTAINS', { N: '4' }) }), false);
    // NOT_CONTAINS is false on a missing attribute, unlike NE (AWS: Scylla).
    assert.equal(holds({ q: c('NOT_CONTAINS', { N: '1' }) }), false);
    assert.equal(holds({ s: c('BEGINS_WITH', { S: 'hell' }) }), true);
    assert.equal(holds({ a: c('BEGINS_WITH', { S: '1' }) }), false);
    assert.equal(holds({ a: c('IN', { N: '3' }, { N: '1' }) }), true);
    assert.equal(holds({ set: c('IN', { N: '2' }) }), false);
    assert.equal(holds({ a: c('BETWEEN', { N: '0' }, { N: '1' }) }), true);
    assert.equal(holds({ q: c('BETWEEN', { N: '0' }, { N: '100' }) }), false);
  });

  test('AND by default, OR when asked; an empty filter holds', () => {
    const both = { a: c('EQ', { N: '1' }), s: c('EQ', { S: 'nope' }) };
    assert.equal(holds(both), false);
    assert.equal(holds(both, 'AND'), false);
    assert.equal(holds(both, 'OR'), true);
    assert.equal(holds({}), true);
  });

  test('refusals (AWS)', () => {
    const count = (op: string) => `One or more parameter values were invalid: Invalid number of argument(s) for the ${op} ComparisonOperator`;
    for (const [op, vals] of [
      ['EQ', []], ['NE', []], ['LE', []], ['CONTAINS', []], ['BEGINS_WITH', []], ['IN', []], ['BETWEEN', []],
      ['NULL', [{ S: 'a' }]], ['NOT_NULL', [{ S: 'a' }]], ['EQ', [{ S: 'a' }, { S: 'a' }]], ['NOT_CONTAINS', [{ S: 'a' }, { S: 'a' }]],
      ['BETWEEN', [{ S: 'a' }, { S: 'a' }, { S: 'a' }]],
    ] as [string, AttributeValue[]][]) {
      refuses(() => conditionFromFilter({ a: c(op, ...vals) }, undefined), count(op));
    }
    refuses(() => conditionFromFilter({ a: { ComparisonOperator: 'EQ' } }, undefined), count('EQ'));
    const type = (op: string, t: string) => `One or more parameter values were invalid: ComparisonOperator ${op} is not valid for ${t} AttributeValue type`;
    for (const op of ['LT', 'LE', 'GT', 'GE', 'IN']) {
      for (const v of [{ BOOL: true }, { NULL: true }, { SS: ['a'] }, { NS: ['1'] }, { M: {} }, { L: [] }] as AttributeValue[]) {
        refuses(() => conditionFromFilter({ a: c(op, v) }, undefined), type(op, Object.keys(v)[0]!));
      }
    }
    for (const v of [{ SS: ['a'] }, { M: {} }, { L: [] }] as AttributeValue[]) refuses(() => conditionFromFilter({ a: c('CONTAINS', v) }, undefined), type('CONTAINS', Object.keys(v)[0]!));
    conditionFromFilter({ a: c('CONTAINS', { BOOL: true }) }, undefined);
    conditionFromFilter({ a: c('EQ', { L: [] }) }, undefined);
    refuses(() => conditionFromFilter({ a: c('BETWEEN', { L: [] }, { L: [] }) }, undefined), type('BETWEEN', 'L'));
    refuses(() => conditionFromFilter({ a: c('BEGINS_WITH', { N: '1' }) }, undefined), type('BEGINS_WITH', 'N'));
    refuses(() => conditionFromFilter({ a: c('IN', { N: '3' }, { S: 'dog' }) }, undefined), 'One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type');
    refuses(() => conditionFromFilter({ a: c('BETWEEN', { N: '4' }, { N: '3' }) }, undefined), 'The BETWEEN condition was provided a range where the lower bound is greater than the upper bound');
    refuses(() => conditionFromFilter({ a: c('LIKE', { N: '4' }) }, undefined), /Member must satisfy enum value set/);
  });
});

describe('Expected', () => {
  const item: Item = { a: { N: '1' }, b: { N: '2' } };
  const holds = (expected: Record<string, unknown>, op?: string, it: Item | undefined = item) => evaluateCondition(conditionFromExpected(expected, op), it);

  test('Value, Exists and ComparisonOperator forms', () => {
    assert.equal(holds({ a: { Value: { N: '1' } } }), true);
    assert.equal(holds({ a: { Value: { N: '2' } } }), false);
    assert.equal(holds({ z: { Value: { N: '1' } } }), false);
    assert.equal(holds({ a: { Exists: true, Value: { N: '1' } } }), true);
    assert.equal(holds({ a: { Exists: false } }), false);
    assert.equal(holds({ z: { Exists: false } }), true);
    assert.equal(holds({ pk: { Exists: false } }, undefined, undefined), true);
    assert.equal(holds({ a: { ComparisonOperator: 'EQ', AttributeValueList: [{ N: '1' }] } }), true);
    assert.equal(holds({ a: { ComparisonOperator: 'GT', Value: { N: '0' } } }), true);
    assert.equal(holds({ a: { ComparisonOperator: 'NOT_NULL' } }), true);
    assert.equal(holds({ a: { ComparisonOperator: 'NE', AttributeValueList: [{ S: '1' }] } }), true);
    assert.equal(holds({ a: { ComparisonOperator: 'EQ', AttributeValueList: [{ NS: ['1'] }] } }), false);
  });

  test('several attributes: AND unless OR; an empty map holds', () => {
    const e = { a: { Exists: true, Value: { N: '74' } }, b: { ComparisonOperator: 'EQ', AttributeValueList: [{ N: '2' }] }, c: { Exists: false } };
    assert.equal(holds(e), false);
    assert.equal(holds(e, 'OR'), true);
    assert.equal(holds({}), true);
  });

  test('refusals (AWS)', () => {
    const invalid = 'One or more parameter values were invalid: ';
    refuses(() => conditionFromExpected({ a: { Value: { N: '1' }, AttributeValueList: [{ N: '1' }] } }, undefined), `${invalid}Value and AttributeValueList cannot be used together for Attribute: a`);
    refuses(() => conditionFromExpected({ a: { Exists: false, ComparisonOperator: 'EQ', AttributeValueList: [{ N: '3' }] } }, undefined), `${invalid}Exists and ComparisonOperator cannot be used together for Attribute: a`);
    refuses(() => conditionFromExpected({ a: { ComparisonOperator: 'EQ' } }, undefined), `${invalid}Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a`);
    refuses(() => conditionFromExpected({ a: { AttributeValueList: [{ N: '1' }] } }, undefined), `${invalid}AttributeValueList can only be used with a ComparisonOperator for Attribute: a`);
    refuses(() => conditionFromExpected({ a: {} }, undefined), `${invalid}Value must be provided when Exists is null for Attribute: a`);
    refuses(() => conditionFromExpected({ a: { Exists: true } }, undefined), `${invalid}Value must be provided when Exists is true for Attribute: a`);
    refuses(() => conditionFromExpected({ a: { Exists: false, Value: { N: '1' } } }, undefined), `${invalid}Value cannot be used when Exists is false for Attribute: a`);
    refuses(() => conditionFromExpected({ a: { ComparisonOperator: 'EQ', AttributeValueList: [{ N: '2' }, { N: '3' }] } }, undefined), `${invalid}Invalid number of argument(s) for the EQ ComparisonOperator`);
    refuses(() => conditionFromExpected({ a: { ComparisonOperator: 'CONTAINS', AttributeValueList: [{ L: [{ N: '1' }] }] } }, undefined), `${invalid}ComparisonOperator CONTAINS is not valid for L AttributeValue type`);
    refuses(() => conditionFromExpected({ a: { ComparisonOperator: 'BETWEEN', AttributeValueList: [{ S: 'dog' }, { S: 'aardvark' }] } }, undefined), 'The BETWEEN condition was provided a range where the lower bound is greater than the upper bound');
  });
});

describe('AttributesToGet', () => {
  test('top-level names, each once', () => {
    assert.deepEqual(projectionFromAttributesToGet(['a', 'b.c']), [['a'], ['b.c']]);
    refuses(() => projectionFromAttributesToGet(['a', 'a']), 'One or more parameter values were invalid: Duplicate value in attribute name: a');
  });
});

describe('AttributeUpdates', () => {
  const apply = (updates: Record<string, unknown>, item: Item) => applyUpdate(updateFromAttributeUpdates(updates), item).item;

  test('PUT (the default), ADD to numbers, sets and lists, DELETE of attributes and set elements', () => {
    const item: Item = { pk: { S: 'k' }, val: { S: 'x' }, counter: { N: '10' }, tags: { SS: ['a', 'b', 'c'] }, list: { L: [{ N: '1' }] }, gone: { N: '1' } };
    assert.deepEqual(
      apply(
        {
          val: { Action: 'PUT', Value: { S: 'replaced' } },
          newAttr: { Value: { N: '42' } },
          counter: { Action: 'ADD', Value: { N: '5' } },
          fresh: { Action: 'ADD', Value: { N: '9' } },
          tags: { Action: 'DELETE', Value: { SS: ['b'] } },
          list: { Action: 'ADD', Value: { L: [{ N: '2' }] } },
          gone: { Action: 'DELETE' },
        },
        item,
      ),
      {
        pk: { S: 'k' },
        val: { S: 'replaced' },
        newAttr: { N: '42' },
        counter: { N: '15' },
        fresh: { N: '9' },
        tags: { SS: ['a', 'c'] },
        list: { L: [{ N: '1' }, { N: '2' }] },
      },
    );
    assert.deepEqual(apply({ tags: { Action: 'ADD', Value: { SS: ['c', 'd'] } } }, { tags: { SS: ['a', 'c'] } }), { tags: { SS: ['a', 'c', 'd'] } });
    assert.deepEqual(apply({ 'a.b': { Value: { S: 'dotted' } } }, {}), { 'a.b': { S: 'dotted' } });
    assert.deepEqual(apply({ x: { Action: 'DELETE', Value: { SS: ['a'] } } }, {}), {});
  });

  test('refusals (AWS)', () => {
    const invalid = 'One or more parameter values were invalid: ';
    refuses(() => updateFromAttributeUpdates({ a: { Action: 'PUT' } }), `${invalid}Only DELETE action is allowed when no attribute value is specified`);
    refuses(() => updateFromAttributeUpdates({ a: { Action: 'ADD' } }), `${invalid}Only DELETE action is allowed when no attribute value is specified`);
    refuses(() => updateFromAttributeUpdates({ a: { Action: 'DELETE', Value: { S: 'a' } } }), `${invalid}DELETE action with value is not supported for the type S`);
    refuses(() => updateFromAttributeUpdates({ a: { Action: 'ADD', Value: { B: 'YQ==' } } }), `${invalid}ADD action is not supported for the type B`);
    refuses(() => updateFromAttributeUpdates({ a: { Action: 'ADD', Value: { S: 'a' } } }), `${invalid}ADD action is not supported for the type S`);
    const item: Item = { b: { SS: ['1'] }, c: { N: '1' }, d: { NS: ['1'] } };
    for (const u of [
      { b: { Action: 'DELETE', Value: { NS: ['1'] } } },
      { b: { Action: 'DELETE', Value: { BS: ['YQ=='] } } },
      { c: { Action: 'DELETE', Value: { NS: ['1'] } } },
      { b: { Action: 'ADD', Value: { NS: ['1'] } } },
      { d: { Action: 'ADD', Value: { N: '1' } } },
    ]) {
      refuses(() => apply(u, item), 'Type mismatch for attribute to update');
    }
  });
});
