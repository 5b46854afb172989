// Evaluating conditions on items, and projecting items, with DynamoDB's semantics (the cases
// follow Scylla's Alternator tests, which were checked against DynamoDB).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ExpressionContext,
  evaluateCondition,
  parseCondition,
  parseProjection,
  project,
} from '../../../src/services/dynamodb/engine/expressions/index.js';
import type { AttributeValue, Item } from '../../../src/services/dynamodb/engine/types.js';

type Values = Record<string, AttributeValue>;

function holds(expr: string, item: Item | undefined, values: Values = {}, names?: Record<string, string>): boolean {
  return evaluateCondition(parseCondition(expr, new ExpressionContext({ values, names }), 'ConditionExpression'), item);
}

const b64 = (bytes: number[] | string) => Buffer.from(bytes as never).toString('base64');

const SAMPLES: Record<string, AttributeValue> = {
  N: { N: '1' },
  S: { S: 'hello' },
  BOOL: { BOOL: true },
  B: { B: b64('xyz') },
  NULL: { NULL: true },
  L: { L: [{ S: 'hello' }, { N: '42' }] },
  M: { M: { hello: { S: 'world' } } },
  SS: { SS: ['hello', 'world'] },
  NS: { NS: ['1', '2', '3'] },
  BS: { BS: [b64('xyz'), b64('hi')] },
};

describe('comparisons', () => {
  test('= holds between equal values of every type, and only the same type', () => {
    for (const [t1, v1] of Object.entries(SAMPLES)) {
      for (const [t2, v2] of Object.entries(SAMPLES)) {
        assert.equal(holds('a = :v', { a: v1 }, { ':v': v2 }), t1 === t2, `${t1} = ${t2}`);
        assert.equal(holds('a <> :v', { a: v1 }, { ':v': v2 }), t1 !== t2, `${t1} <> ${t2}`);
      }
      assert.equal(holds('a = b', { a: v1, b: v1 }), true);
    }
  });

  test('sets are equal whatever their order; numbers by value; nested values deeply', () => {
    assert.equal(holds('a = :v', { a: { SS: ['dog', 'cat'] } }, { ':v': { SS: ['cat', 'dog'] } }), true);
    assert.equal(holds('a = :v', { a: { NS: ['1', '2'] } }, { ':v': { NS: ['2', '1'] } }), true);
    assert.equal(holds('a = :v', { a: { N: '10' } }, { ':v': { N: '1E1' } }), true);
    assert.equal(holds('a = :v', { a: { M: { x: { L: [{ N: '1' }] } } } }, { ':v': { M: { x: { L: [{ N: '1' }] } } } }), true);
    assert.equal(holds('a = :v', { a: { L: [{ N: '1' }, { N: '2' }] } }, { ':v': { L: [{ N: '2' }, { N: '1' }] } }), false);
  });

  test('a missing attribute equals nothing, and differs from everything, even another missing one', () => {
    assert.equal(holds('q = :v', { a: { N: '1' } }, { ':v': { N: '1' } }), false);
    assert.equal(holds('q = z', {}), false);
    assert.equal(holds('q <> :v', {}, { ':v': { N: '1' } }), true);
    assert.equal(holds('q <> z', undefined), true);
    for (const op of ['<', '<=', '>', '>=']) {
      assert.equal(holds(`q ${op} z`, {}), false);
      assert.equal(holds(`q ${op} :v`, {}, { ':v': { S: '17' } }), false);
      assert.equal(holds(`:v ${op} q`, {}, { ':v': { S: '17' } }), false);
    }
  });

  test('ordering: numbers by value, strings by UTF-8 bytes, binaries unsigned; other types never', () => {
    const item: Item = { n: { N: '10' }, s: { S: 'cat' }, b: { B: b64('cat') }, l: { L: [{ N: '1' }] }, u: { B: b64([127]) } };
    assert.equal(holds('n > :v', item, { ':v': { N: '9' } }), true);
    assert.equal(holds('n < :v', item, { ':v': { N: '9.5' } }), false);
    assert.equal(holds('n <= :v', item, { ':v': { N: '10.0' } }), true);
    assert.equal(holds('n >= :v', item, { ':v': { N: '-1E10' } }), true);
    assert.equal(holds('s < :v', item, { ':v': { S: 'dog' } }), true);
    assert.equal(holds('s > :v', item, { ':v': { S: 'aardvark' } }), true);
    assert.equal(holds('s <= :v', item, { ':v': { S: 'cat' } }), true);
    assert.equal(holds('b < :v', item, { ':v': { B: b64('dog') } }), true);
    assert.equal(holds('u < :v', item, { ':v': { B: b64([128]) } }), true);
    // UTF-16 would put U+10000 (a surrogate pair) before U+FFFF; UTF-8 puts it after.
    assert.equal(holds('s < :v', { s: { S: '\uffff' } }, { ':v': { S: '\u{10000}' } }), true);
    // Different types, or a list from the item: false, not an error.
    assert.equal(holds('n < :v', item, { ':v': { S: '17' } }), false);
    assert.equal(holds('l < :v', item, { ':v': { N: '1' } }), false);
    assert.equal(holds(':v < l', item, { ':v': { N: '1' } }), false);
    assert.equal(holds('n > s', item), false);
  });

  test('BETWEEN is inclusive; false on a missing attribute or mixed types', () => {
    const item: Item = { a: { N: '1' }, b: { S: 'cat' }, two: { N: '2' }, x: { L: [] } };
    const v = { ':lo': { N: '0' }, ':hi': { N: '2' }, ':one': { N: '1' } };
    assert.equal(holds('a BETWEEN :lo AND :hi', item, v), true);
    assert.equal(holds('a between :one and :one', item, v), true);
    assert.equal(holds('a BETWEEN two AND :hi', item, v), false);
    assert.equal(holds('b BETWEEN :s1 AND :s2', item, { ':s1': { S: 'aardvark' }, ':s2': { S: 'dog' } }), true);
    assert.equal(holds('b BETWEEN :s1 AND :s2', item, { ':s1': { S: 'dog' }, ':s2': { S: 'zebra' } }), false);
    assert.equal(holds('q BETWEEN :lo AND :hi', item, v), false);
    assert.equal(holds('a BETWEEN :s1 AND :s2', item, { ':s1': { S: '0' }, ':s2': { S: '2' } }), false);
    assert.equal(holds('a BETWEEN x AND two', item), false);
    // Bounds from the item in the wrong order: simply false.
    assert.equal(holds('a BETWEEN two AND :lo', item, v), false);
  });

  test('IN compares for equality with values of any type', () => {
    const item: Item = { a: { N: '74' }, m: SAMPLES.M!, s: { S: 'dog' } };
    assert.equal(holds('a IN (:x, :y)', item, { ':x': { S: 'dog' }, ':y': { N: '74' } }), true);
    assert.equal(holds('a IN (:x)', item, { ':x': { N: '174' } }), false);
    assert.equal(holds('m IN (:x)', item, { ':x': SAMPLES.M! }), true);
    assert.equal(holds('q IN (:x)', item, { ':x': { N: '74' } }), false);
    assert.equal(holds('s IN (a, s)', item), true);
  });
});

describe('functions', () => {
  test('attribute_exists and attribute_not_exists, nested and on a missing item', () => {
    const item: Item = { b: { M: { x: { N: '1' }, y: { L: [{ N: '-1' }, { N: '2' }] } } } };
    assert.equal(holds('attribute_exists(b.x)', item), true);
    assert.equal(holds('attribute_exists(b.y[1])', item), true);
    assert.equal(holds('attribute_exists(b.y[2])', item), false);
    assert.equal(holds('attribute_exists(b.x.z)', item), false);
    assert.equal(holds('attribute_exists(b[0])', item), false);
    assert.equal(holds('attribute_not_exists(q)', item), true);
    assert.equal(holds('attribute_not_exists(pk)', undefined), true);
    assert.equal(holds('attribute_exists(pk)', undefined), false);
    // Attribute names that are Object.prototype members are ordinary names.
    assert.equal(holds('attribute_exists(#c)', {}, {}, { '#c': 'constructor' }), false);
    assert.equal(holds('attribute_exists(#c)', { constructor: { N: '1' } }, {}, { '#c': 'constructor' }), true);
  });

  test('attribute_type knows every type', () => {
    const types = Object.keys(SAMPLES);
    types.forEach((t, i) => {
      const item = { a: SAMPLES[t]! };
      assert.equal(holds('attribute_type(a, :t)', item, { ':t': { S: t } }), true, t);
      assert.equal(holds('attribute_type(a, :t)', item, { ':t': { S: types[(i + 1) % types.length]! } }), false, t);
    });
    assert.equal(holds('attribute_type(:v, :t)', {}, { ':v': { N: '0' }, ':t': { S: 'N' } }), true);
    assert.equal(holds('attribute_type(q, :t)', {}, { ':t': { S: 'N' } }), false);
  });

  test('begins_with on strings and binaries; false on other types', () => {
    const item: Item = { a: { S: 'hello' }, b: { B: b64('hi there') }, c: { N: '5' } };
    assert.equal(holds('begins_with(a, :p)', item, { ':p': { S: 'hell' } }), true);
    assert.equal(holds('begins_with(a, :p)', item, { ':p': { S: 'dog' } }), false);
    assert.equal(holds('begins_with(b, :p)', item, { ':p': { B: b64('hi') } }), true);
    assert.equal(holds('begins_with(b, :p)', item, { ':p': { B: b64('hi there!') } }), false);
    assert.equal(holds('begins_with(c, :p)', item, { ':p': { S: 'dog' } }), false);
    assert.equal(holds('begins_with(a, :p)', item, { ':p': { B: b64('hell') } }), false);
    assert.equal(holds('begins_with(:s, a)', item, { ':s': { S: 'hellohi' } }), true);
    assert.equal(holds('begins_with(q, :p)', item, { ':p': { S: '' } }), false);
  });

  test('contains: substrings, byte sequences, set and list members', () => {
    const item: Item = {
      a: { S: 'hello' },
      b: { NS: ['2', '4', '7'] },
      c: { L: [{ N: '2' }, { N: '4' }] },
      d: { B: b64('hi there') },
      e: { L: [{ S: 'hi' }, { NS: ['1', '2'] }, { L: [{ N: '3' }, { N: '4' }] }] },
      f: { SS: ['x', 'y'] },
      g: { BS: [b64('ab')] },
    };
    assert.equal(holds('contains(a, :v)', item, { ':v': { S: 'ell' } }), true);
    assert.equal(holds('contains(a, :v)', item, { ':v': { S: 'dog' } }), false);
    assert.equal(holds('contains(b, :v)', item, { ':v': { N: '4' } }), true);
    assert.equal(holds('contains(b, :v)', item, { ':v': { N: '4.0' } }), true);
    assert.equal(holds('contains(b, :v)', item, { ':v': { S: '4' } }), false);
    assert.equal(holds('contains(c, :v)', item, { ':v': { N: '4' } }), true);
    assert.equal(holds('contains(d, :v)', item, { ':v': { B: b64('here') } }), true);
    assert.equal(holds('contains(d, :v)', item, { ':v': { B: b64('dog') } }), false);
    assert.equal(holds('contains(d, :v)', item, { ':v': { NS: ['1', '2'] } }), false);
    assert.equal(holds('contains(e, :v)', item, { ':v': { NS: ['2', '1'] } }), true);
    assert.equal(holds('contains(e, :v)', item, { ':v': { L: [{ N: '3' }, { N: '4' }] } }), true);
    assert.equal(holds('contains(f, :v)', item, { ':v': { S: 'y' } }), true);
    assert.equal(holds('contains(g, :v)', item, { ':v': { B: b64('ab') } }), true);
    assert.equal(holds('contains(q, :v)', item, { ':v': { S: 'x' } }), false);
    assert.equal(holds('NOT contains(f, :v)', item, { ':v': { S: 'z' } }), true);
  });

  test('size of strings (UTF-16 units), binaries, sets, lists and maps; nothing else has one', () => {
    const item: Item = {
      a: { S: 'hello' },
      u: { S: 'é𝄞' },
      b: { NS: ['2', '4', '7'] },
      c: { L: [{ N: '2' }, { S: 'dog' }, { N: '7' }] },
      d: { B: b64('hi there') },
      e: { M: { x: { N: '2' }, y: { M: { m: { N: '3' } } } } },
      f: { N: '5' },
      g: { BOOL: true },
      h: { NULL: true },
    };
    const size = (path: string, n: string) => holds(`size(${path}) = :n`, item, { ':n': { N: n } });
    assert.equal(size('a', '5'), true);
    assert.equal(size('u', '3'), true);
    assert.equal(size('b', '3'), true);
    assert.equal(size('c', '3'), true);
    assert.equal(size('d', '8'), true);
    assert.equal(size('e', '2'), true);
    assert.equal(size('e.y', '1'), true);
    for (const p of ['f', 'g', 'h', 'q']) assert.equal(size(p, '1'), false);
    assert.equal(holds('size(a) = :n', item, { ':n': { S: 'dog' } }), false);
    assert.equal(holds('size(a) = f', item), true);
    assert.equal(holds('size(a) > :n', item, { ':n': { N: '2' } }), true);
    assert.equal(holds('size(:v) < :n', item, { ':v': { S: 'ab' }, ':n': { N: '3' } }), true);
  });
});

describe('logic', () => {
  const item: Item = { a: { N: '1' }, b: { N: '2' }, c: { N: '3' } };
  test('AND, OR, NOT with precedence and parentheses', () => {
    assert.equal(holds('a < b AND b < c', item), true);
    assert.equal(holds('a < b aNd c < b', item), false);
    assert.equal(holds('b < a OR b < c', item), true);
    assert.equal(holds('b < a OR c < b', item), false);
    assert.equal(holds('NOT b < a', item), true);
    assert.equal(holds('NOT NOT NOT NOT a < b', item), true);
    assert.equal(holds('a < b OR c < b AND b < c', item), true);
    assert.equal(holds('NOT a < b AND c < b', item), false);
    assert.equal(holds('(a < b OR b < a) AND (b < c AND (a < b OR b < c))', item), true);
    assert.equal(holds('b BETWEEN a AND c AND a < b', item), true);
    assert.equal(holds('NOT (a < b AND c < b)', item), true);
  });

  test('nested paths and #names', () => {
    const doc: Item = { and: { M: { or: { N: '2' } } }, b: { M: { x: { N: '1' }, y: { L: [{ N: '-1' }, { N: '2' }, { N: '0' }] } } } };
    assert.equal(holds('#n1.#n2 = :two', doc, { ':two': { N: '2' } }, { '#n1': 'and', '#n2': 'or' }), true);
    assert.equal(holds('b.x < b.y[1]', doc), true);
    assert.equal(holds('b.x < b.y[0]', doc), false);
    assert.equal(holds('b.z < b.y[100]', doc), false);
  });
});

describe('projection', () => {
  const item: Item = {
    p: { S: 'k' },
    a: { M: { b: { L: [{ N: '2' }, { N: '4' }, { M: { x: { S: 'hi' }, y: { S: 'yo' } } }] }, c: { N: '5' } } },
    b: { S: 'hello' },
  };
  const get = (expr: string, names?: Record<string, string>) => project(item, parseProjection(expr, new ExpressionContext({ names })));

  test('top-level attributes, missing ones left out', () => {
    assert.deepEqual(get('b, p, nonexistent'), { b: { S: 'hello' }, p: { S: 'k' } });
    assert.deepEqual(get('x'), {});
  });

  test('nested paths keep only what they name, inside the maps and lists leading to it', () => {
    assert.deepEqual(get('a'), { a: item.a });
    assert.deepEqual(get('a.b'), { a: { M: { b: (item.a as { M: Item }).M.b! } } });
    assert.deepEqual(get('a.b[0]'), { a: { M: { b: { L: [{ N: '2' }] } } } });
    assert.deepEqual(get('a.b[2].y'), { a: { M: { b: { L: [{ M: { y: { S: 'yo' } } }] } } } });
    assert.deepEqual(get('a.b[0],a.b[1]'), { a: { M: { b: { L: [{ N: '2' }, { N: '4' }] } } } });
    // Elements close up, in their list order whatever the order asked.
    assert.deepEqual(get('a.b[2].x, a.b[0]'), { a: { M: { b: { L: [{ N: '2' }, { M: { x: { S: 'hi' } } }] } } } });
    assert.deepEqual(get('a.b[0],a.c'), { a: { M: { b: { L: [{ N: '2' }] }, c: { N: '5' } } } });
    assert.deepEqual(get('a.c,b'), { a: { M: { c: { N: '5' } } }, b: { S: 'hello' } });
    assert.deepEqual(get('a.x, a.b[0], x, a.b[3].x'), { a: { M: { b: { L: [{ N: '2' }] } } } });
    assert.deepEqual(get('#n.c', { '#n': 'a' }), { a: { M: { c: { N: '5' } } } });
  });

  test('paths that do not exist, or index the wrong kind of value, give nothing', () => {
    for (const e of ['a.b[3]', 'a.x', 'a.x.y', 'a.b[3].x', 'a.b.x', 'a[0]', 'a.b[0].x', 'a.b[0][0]', 'b.c', 'b[0]']) {
      assert.deepEqual(get(e), {}, e);
    }
  });

  test('a #name with a dot names one attribute; the result is a copy', () => {
    const dotted: Item = { 'a.b': { S: 'hi' }, a: { M: { b: { S: 'yo' }, c: { S: 'jo' } } } };
    assert.deepEqual(project(dotted, [['a.b']]), { 'a.b': { S: 'hi' } });
    assert.deepEqual(project(dotted, [['a', 'b']]), { a: { M: { b: { S: 'yo' } } } });
    const out = project(dotted, [['a']]);
    (out.a as { M: Item }).M.b = { S: 'changed' };
    assert.deepEqual((dotted.a as { M: Item }).M.b, { S: 'yo' });
  });
});
