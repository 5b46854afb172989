// Applying UpdateExpressions to items: every action, nested paths, list index edge cases, and
// DynamoDB's runtime errors (cases from Scylla's Alternator tests and dynalite's, both checked
// against DynamoDB).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ExpressionContext,
  applyUpdate,
  parseUpdate,
  project,
  updatedTopLevelNames,
  type UpdateResult,
} from '../../../src/services/dynamodb/engine/expressions/index.js';
import type { AttributeValue, Item } from '../../../src/services/dynamodb/engine/types.js';
import { throwsValidation as refuses } from '../../helpers/aws-errors.js';

type Values = Record<string, AttributeValue>;

const n = (x: number | string): AttributeValue => ({ N: String(x) });
const s = (x: string): AttributeValue => ({ S: x });
const l = (...xs: AttributeValue[]): AttributeValue => ({ L: xs });
const m = (o: Item): AttributeValue => ({ M: o });

function update(item: Item, expr: string, values: Values = {}, names?: Record<string, string>, itemExists = true): UpdateResult {
  return applyUpdate(parseUpdate(expr, new ExpressionContext({ values, names })), item, { itemExists });
}
const after = (item: Item, expr: string, values?: Values, names?: Record<string, string>): Item => update(item, expr, values, names).item;


const PATH_INVALID = 'The document path provided in the update expression is invalid for update';
const MISSING = 'The provided expression refers to an attribute that does not exist in the item';
const INCORRECT = 'An operand in the update expression has an incorrect data type';

describe('SET', () => {
  test('sets and replaces top-level attributes, merging with the item', () => {
    assert.deepEqual(after({ p: s('k'), a: s('hi') }, 'SET b = :v, a = :w', { ':v': s('hello'), ':w': n(4) }), { p: s('k'), a: n(4), b: s('hello') });
    assert.deepEqual(after({}, 'SET x = :v, y = :v', { ':v': n(4) }), { x: n(4), y: n(4) });
    assert.deepEqual(after({}, 'SET #a = :v', { ':v': n(3) }, { '#a': 'a.b' }), { 'a.b': n(3) });
  });

  test('copies attributes, reading the item as it was before the update', () => {
    const item: Item = { a: s('hello') };
    assert.deepEqual(after(item, 'SET b = a'), { a: s('hello'), b: s('hello') });
    assert.deepEqual(after(item, 'SET #one = #two', {}, { '#one': 'c', '#two': 'a' }), { a: s('hello'), c: s('hello') });
    assert.deepEqual(after(item, 'SET a = a'), item);
    assert.deepEqual(after(item, 'REMOVE a SET b = a'), { b: s('hello') });
    assert.deepEqual(after({ b: s('x') }, 'SET c = b REMOVE b'), { c: s('x') });
    refuses(() => after(item, 'SET c = z'), MISSING);
    refuses(() => after(item, 'SET x = :v, y = x', { ':v': n(4) }), MISSING);
    refuses(() => after({}, 'SET z = z'), MISSING);
    assert.deepEqual(after({ a: m({ b: n(3), c: m({ x: n(7) }) }) }, 'SET z = a.c.x').z, n(7));
  });

  test('+ and - on numbers, exactly, with values and attributes in any order', () => {
    assert.deepEqual(after({}, 'SET b = :a + :b', { ':a': n(4), ':b': n(3) }).b, n(7));
    assert.deepEqual(after({ a: n(2) }, 'SET a = a + :v', { ':v': n(3) }).a, n(5));
    assert.deepEqual(after({ a: n(2) }, 'SET a = :v - a', { ':v': n(7) }).a, n(5));
    assert.deepEqual(after({ a: n('0.1') }, 'SET a = a + :v', { ':v': n('0.2') }).a, n('0.3'));
    assert.deepEqual(after({ m: m({ counter: n(10) }) }, 'SET #m.#c = #m.#c + :inc', { ':inc': n(5) }, { '#m': 'm', '#c': 'counter' }).m, m({ counter: n(15) }));
    assert.deepEqual(after({}, 'SET b = if_not_exists(b, :one) + :two', { ':one': n(2), ':two': n(3) }).b, n(5));
    refuses(() => after({ a: s('x') }, 'SET a = a + :v', { ':v': n(1) }), INCORRECT);
    refuses(() => after({ a: n(1), b: l() }, 'SET a = b - a'), INCORRECT);
    refuses(() => after({}, 'SET a = q + :v', { ':v': n(1) }), MISSING);
    refuses(() => after({ a: n('9.9999999999999999999999999999999999999E+125') }, 'SET a = a + a'), /^Number overflow/);
  });

  test('if_not_exists', () => {
    const v = { ':v': n(2) };
    assert.deepEqual(after({}, 'SET a = if_not_exists(a, :v)', v), { a: n(2) });
    assert.deepEqual(after({ a: n(1) }, 'SET a = if_not_exists(a, :v)', v), { a: n(1) });
    assert.deepEqual(after({ a: n(1) }, 'SET b = if_not_exists(a, :v)', v), { a: n(1), b: n(1) });
    assert.deepEqual(after({}, 'SET a = if_not_exists(b, if_not_exists(c, :v))', v), { a: n(2) });
    assert.deepEqual(after({ x: m({ y: n(9) }) }, 'SET z = if_not_exists(x.y, :v)', v).z, n(9));
  });

  test('list_append', () => {
    const v = { ':v': l(n(4), s('hello')), ':w': l(s('hi')) };
    assert.deepEqual(after({}, 'SET a = list_append(:v, :w)', v).a, l(n(4), s('hello'), s('hi')));
    assert.deepEqual(after({ a: l(s('x')) }, 'SET a = list_append(a, :w)', v).a, l(s('x'), s('hi')));
    assert.deepEqual(after({ a: l(s('x')) }, 'SET a = list_append(:w, a)', v).a, l(s('hi'), s('x')));
    assert.deepEqual(after({}, 'SET a = list_append(if_not_exists(a, :e), :w)', { ...v, ':e': l() }).a, l(s('hi')));
    refuses(() => after({}, 'SET a = list_append(b, :w)', v), MISSING);
    for (const b of [n(7), s('hello'), { B: 'aGk=' }, { NS: ['1'] }, m({})]) {
      refuses(() => after({ b }, 'SET a = list_append(b, :w)', v), INCORRECT);
      refuses(() => after({ b }, 'SET a = list_append(:w, b)', v), INCORRECT);
    }
  });

  test('nested map paths', () => {
    const item: Item = { a: m({ b: n(3), c: n(4) }), d: n(5) };
    assert.deepEqual(after(item, 'SET a.c = :v', { ':v': n(7) }), { a: m({ b: n(3), c: n(7) }), d: n(5) });
    assert.deepEqual(after(item, 'SET a.e = :v', { ':v': n(7) }).a, m({ b: n(3), c: n(4), e: n(7) }));
    assert.deepEqual(after({ a: m({ c: m({ one: n(1) }) }) }, 'SET a.c = :v', { ':v': n(7) }).a, m({ c: n(7) }));
    const deep: Item = { a: m({ b: n(3), c: l(s('hi'), m({ x: m({ y: l(n(3), n(5), n(7)) }) })) }) };
    assert.deepEqual(after(deep, 'SET a.c[1].#name.y[1] = :v', { ':v': n(9) }, { '#name': 'x' }).a, m({ b: n(3), c: l(s('hi'), m({ x: m({ y: l(n(3), n(9), n(7)) }) })) }));
    assert.deepEqual(
      after({ a: m({ x: n(3), y: n(4), c: m({ y: n(3) }) }), b: m({ x: n(1), y: n(2) }) }, 'SET a.b = :v1, a.c.d = :v2, b.x = :v3 REMOVE a.x, b.y', {
        ':v1': n(10),
        ':v2': s('dog'),
        ':v3': n(17),
      }),
      { a: m({ y: n(4), b: n(10), c: m({ y: n(3), d: s('dog') }) }), b: m({ x: n(17) }) },
    );
  });

  test('list elements: replace in place, append past the end in index order', () => {
    const item: Item = { a: l(s('one'), s('two'), s('three')) };
    assert.deepEqual(after(item, 'SET a[1] = :v', { ':v': s('hello') }).a, l(s('one'), s('hello'), s('three')));
    assert.deepEqual(after(item, 'SET a[7] = :v', { ':v': s('hello') }).a, l(s('one'), s('two'), s('three'), s('hello')));
    assert.deepEqual(
      after(item, 'SET a[84] = :v1, a[37] = :v2, a[17] = :v3, a[50] = :v4', { ':v1': s('a1'), ':v2': s('a2'), ':v3': s('a3'), ':v4': s('a4') }).a,
      l(s('one'), s('two'), s('three'), s('a3'), s('a2'), s('a4'), s('a1')),
    );
    assert.deepEqual(after({ a: l() }, 'SET a[0] = :v', { ':v': s('first') }).a, l(s('first')));
  });

  test('a path below a missing or wrongly typed value is refused', () => {
    const item: Item = { a: s('hello'), b: l(s('hi')), c: m({ 1: s('a') }), d: l(s('a'), s('b')) };
    const v = { ':v': n(7) };
    for (const e of ['SET a.c = :v', 'SET b.c = :v', 'SET c.c.c = :v', 'SET q.c = :v', 'SET a[0] = :v', 'SET q[0] = :v', 'SET c[1] = :v', 'SET #1.#1 = :v']) {
      refuses(() => after(item, e, v, e.includes('#1') ? { '#1': 'd' } : undefined), PATH_INVALID);
    }
    refuses(() => after({}, 'SET #a.#b.#c = :v', v, { '#a': 'missing', '#b': 'nested', '#c': 'deep' }), PATH_INVALID);
    refuses(() => update({}, 'SET b[1] = :v', v, undefined, false), PATH_INVALID);
  });
});

describe('REMOVE', () => {
  test('attributes, nested keys and list elements, which close up', () => {
    assert.deepEqual(after({ a: s('hello'), b: s('hi') }, 'REMOVE a'), { b: s('hi') });
    assert.deepEqual(after({ m: m({ nested: s('gone'), keep: s('stay') }) }, 'REMOVE #m.#n', {}, { '#m': 'm', '#n': 'nested' }), { m: m({ keep: s('stay') }) });
    assert.deepEqual(after({ l: l(s('a'), s('b'), s('c'), s('d')) }, 'REMOVE l[1]').l, l(s('a'), s('c'), s('d')));
    assert.deepEqual(after({ l: l(s('x'), s('y')) }, 'REMOVE l[1]').l, l(s('x')));
    const nested: Item = { a: m({ b: n(3), c: l(s('hi'), m({ x: m({ y: l(n(3), n(5), n(7)) }), q: n(2) })) }) };
    assert.deepEqual(after(nested, 'REMOVE a.c[1].x.y[1], a.c[1].q').a, m({ b: n(3), c: l(s('hi'), m({ x: m({ y: l(n(3), n(7)) }) })) }));
  });

  test('several elements of one list are counted from the list as it was', () => {
    assert.deepEqual(after({ a: l(n(0), n(1), n(2), n(3)) }, 'REMOVE a[0], a[2]').a, l(n(1), n(3)));
    assert.deepEqual(after({ a: l(n(0), n(1), n(2), n(3)) }, 'REMOVE a[3], a[0], a[1]').a, l(n(2)));
    for (const e of ['REMOVE a[1] SET a[3] = :v', 'SET a[3] = :v REMOVE a[1]']) {
      assert.deepEqual(after({ a: l(n(2), n(3), n(4), n(5), n(6), n(7)) }, e, { ':v': n(17) }).a, l(n(2), n(4), n(17), n(6), n(7)));
    }
    assert.deepEqual(after({ a: l(n(1), n(2)) }, 'REMOVE a[0] SET a[5] = :v', { ':v': n(9) }).a, l(n(2), n(9)));
  });

  test('a missing leaf is ignored; empty maps and lists remain', () => {
    const item: Item = { a: m({ x: n(3) }), b: l(s('hi')) };
    assert.deepEqual(after(item, 'REMOVE a.y'), item);
    assert.deepEqual(after(item, 'REMOVE b[7]'), item);
    assert.deepEqual(after(item, 'REMOVE c'), item);
    assert.deepEqual(after({ a: m({ b: n(1) }) }, 'REMOVE a.b'), { a: m({}) });
    assert.deepEqual(after({ a: l(n(1)) }, 'REMOVE a[0]'), { a: l() });
  });

  test('a missing parent is refused, unless the item does not exist at all', () => {
    const item: Item = { a: s('hello'), b: l(s('hi')) };
    for (const e of ['REMOVE a.c', 'REMOVE b.c', 'REMOVE c.c', 'REMOVE a[0]', 'REMOVE q[0]']) refuses(() => after(item, e), PATH_INVALID);
    assert.deepEqual(update({ p: s('k') }, 'REMOVE x.y, w[0], z', {}, undefined, false).item, { p: s('k') });
  });
});

describe('ADD', () => {
  test('numbers: added, or set when absent', () => {
    assert.deepEqual(after({ a: n(3) }, 'ADD a :v', { ':v': n(4) }).a, n(7));
    assert.deepEqual(after({ a: n(3) }, 'ADD a :v', { ':v': n(-4) }).a, n(-1));
    assert.deepEqual(after({ a: s('hello') }, 'ADD b :v', { ':v': n(7) }), { a: s('hello'), b: n(7) });
    assert.deepEqual(after({ m: m({}) }, 'ADD m.c :v', { ':v': n(1) }).m, m({ c: n(1) }));
    refuses(() => after({ b: s('hi') }, 'ADD b :v', { ':v': n(1) }), INCORRECT);
    refuses(() => after({ b: { NS: ['1'] } }, 'ADD b :v', { ':v': n(1) }), INCORRECT);
  });

  test('sets: merged without duplicates, or set when absent', () => {
    assert.deepEqual(after({ a: { SS: ['dog', 'cat', 'mouse'] } }, 'ADD a :v', { ':v': { SS: ['pig'] } }).a, { SS: ['dog', 'cat', 'mouse', 'pig'] });
    assert.deepEqual(after({ a: { SS: ['beaver', 'lynx', 'coati'] } }, 'ADD a :v', { ':v': { SS: ['coati', 'beaver', 'badger'] } }).a, {
      SS: ['beaver', 'lynx', 'coati', 'badger'],
    });
    assert.deepEqual(after({ a: { NS: ['1', '2'] } }, 'ADD a :v', { ':v': { NS: ['2.0', '3'] } }).a, { NS: ['1', '2', '3'] });
    assert.deepEqual(after({ a: { BS: ['AQ=='] } }, 'ADD a :v', { ':v': { BS: ['AQ==', 'Ag=='] } }).a, { BS: ['AQ==', 'Ag=='] });
    assert.deepEqual(after({}, 'ADD b :v', { ':v': { SS: ['dog'] } }), { b: { SS: ['dog'] } });
    for (const existing of [l(n(1), n(2)), { NS: ['1'] }, s('x')]) {
      refuses(() => after({ a: existing }, 'ADD a :v', { ':v': { SS: ['x'] } }), INCORRECT);
    }
  });
});

describe('DELETE', () => {
  test('takes elements out of a set; an emptied set goes; a missing one is fine', () => {
    const item: Item = { a: { SS: ['dog', 'cat', 'mouse'] }, b: s('hi') };
    assert.deepEqual(after(item, 'DELETE a :v', { ':v': { SS: ['cat', 'mouse'] } }).a, { SS: ['dog'] });
    assert.deepEqual(after(item, 'DELETE a :v', { ':v': { SS: ['pig'] } }).a, item.a);
    assert.deepEqual(after(item, 'DELETE a :v', { ':v': { SS: ['dog', 'cat', 'mouse'] } }), { b: s('hi') });
    assert.deepEqual(after({ b: s('hi') }, 'DELETE a :v', { ':v': { SS: ['dog'] } }), { b: s('hi') });
    assert.deepEqual(after({ a: { NS: ['1', '2'] } }, 'DELETE a :v', { ':v': { NS: ['1.0'] } }).a, { NS: ['2'] });
    assert.deepEqual(after({ m: m({ s: { BS: ['AQ==', 'Ag=='] } }) }, 'DELETE m.s :v', { ':v': { BS: ['Ag=='] } }).m, m({ s: { BS: ['AQ=='] } }));
  });

  test('refuses a set of another type (AWS)', () => {
    const item: Item = { b: m({ a: { SS: ['1'] } }), c: n(1), d: { NS: ['1'] } };
    const cases: [string, AttributeValue][] = [
      ['DELETE d :a', { SS: ['1'] }],
      ['DELETE b :a', { NS: ['1'] }],
      ['DELETE b.a :a', { NS: ['1'] }],
      ['DELETE b.a :a', { BS: ['YQ=='] }],
      ['DELETE c :a', { NS: ['1'] }],
      ['ADD b :a', { NS: ['1'] }],
      ['ADD d :a', { N: '1' }],
    ];
    for (const [e, v] of cases) refuses(() => after(item, e, { ':a': v }), INCORRECT);
  });
});

describe('results', () => {
  test('the input item is untouched; touched and paths report what the update wrote', () => {
    const item: Item = { p: s('k'), m: m({ a: m({ b: s('old-b'), c: n(1) }), keep: s('mk') }), l: l(s('x'), s('y')), gone: n(1) };
    const copy = structuredClone(item);
    const result = update(item, 'SET m.a.b = :v, l[5] = :v, n = :v REMOVE gone', { ':v': s('new') });
    assert.deepEqual(item, copy);
    assert.deepEqual(result.touched, ['m', 'l', 'n', 'gone']);
    assert.deepEqual(result.paths, [['m', 'a', 'b'], ['l', 5], ['n'], ['gone']]);
    assert.deepEqual(result.newPaths, [['m', 'a', 'b'], ['l', 5], ['n']]);
    // UPDATED_OLD / UPDATED_NEW as DynamoDB gives them: the changed fragments only.
    assert.deepEqual(project(item, result.paths), { m: m({ a: m({ b: s('old-b') }) }), gone: n(1) });
    assert.deepEqual(project(result.item, result.newPaths), { m: m({ a: m({ b: s('new') }) }), n: s('new') });
    // Values copied from the item are copies.
    const copied = update(item, 'SET z = m').item;
    ((copied.z as { M: Item }).M.keep as { S: string }).S = 'changed';
    assert.deepEqual(item, copy);
  });

  test('updatedTopLevelNames lists each written attribute once', () => {
    const ast = parseUpdate('SET a.b = :v, c = :v REMOVE a.c ADD pk :n', new ExpressionContext({ values: { ':v': s('x'), ':n': n(1) } }));
    assert.deepEqual(updatedTopLevelNames(ast), ['a', 'c', 'pk']);
  });
});
