// The expression parsers on their own: what they accept, and DynamoDB's exact message for what
// they refuse. Cases marked (AWS) reproduce messages recorded against DynamoDB by dynalite's
// tests, the dynamodb-conformance suite or Scylla's Alternator tests.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ExpressionContext,
  isReserved,
  parseCondition,
  parseProjection,
  parseUpdate,
  type ConditionAst,
} from '../../../src/services/dynamodb/engine/expressions/index.js';
import { RESERVED_WORD_COUNT } from '../../../src/services/dynamodb/engine/expressions/reserved-words.js';
import { tokenize } from '../../../src/services/dynamodb/engine/expressions/lexer.js';
import type { AttributeValue } from '../../../src/services/dynamodb/engine/types.js';
import { throwsValidation as refuses } from '../../helpers/aws-errors.js';

type Values = Record<string, AttributeValue>;

function ctx(values?: Values, names?: Record<string, string>): ExpressionContext {
  return new ExpressionContext({ values, names });
}


const filter = (expr: string, values?: Values, names?: Record<string, string>): ConditionAst =>
  parseCondition(expr, ctx(values, names), 'FilterExpression');
const condition = (expr: string, values?: Values, names?: Record<string, string>): ConditionAst =>
  parseCondition(expr, ctx(values, names), 'ConditionExpression');

const V = { ':v': { S: 'x' }, ':n': { N: '1' }, ':m': { N: '5' }, ':l': { L: [] }, ':t': { S: 'SS' } } satisfies Values;

describe('lexer', () => {
  test('cuts names, placeholders, numbers and punctuation as DynamoDB does', () => {
    const kinds = tokenize('a_1 #x :y_ 12 <> <= >= ( ) [ ] , . = + - _ ! ü').map((t) => `${t.type}:${t.text}`);
    assert.deepEqual(kinds, [
      'name:a_1', 'nameRef:#x', 'valueRef::y_', 'number:12', 'punct:<>', 'punct:<=', 'punct:>=', 'punct:(', 'punct:)',
      'punct:[', 'punct:]', 'punct:,', 'punct:.', 'punct:=', 'punct:+', 'punct:-', 'unknown:_', 'unknown:!', 'unknown:ü', 'eof:',
    ]);
    // A bare sigil is not a placeholder; 1a is a number then a name.
    assert.deepEqual(tokenize('# : 1a').map((t) => t.type), ['unknown', 'unknown', 'number', 'name', 'eof']);
  });
});

describe('reserved words', () => {
  test('the list is AWS\'s 573 words, case-insensitive', () => {
    assert.equal(RESERVED_WORD_COUNT, 573);
    for (const w of ['name', 'STATUS', 'Data', 'count', 'size', 'views', 'abOrT', 'zone']) assert.equal(isReserved(w), true, w);
    for (const w of ['a', 'pk', 'title', 'price']) assert.equal(isReserved(w), false, w);
  });
});

describe('condition grammar', () => {
  test('comparators, BETWEEN, IN and functions build the AST', () => {
    assert.deepEqual(condition('a.b[2].c >= :n', V), {
      kind: 'compare', op: '>=', left: { kind: 'path', path: ['a', 'b', 2, 'c'] }, right: { kind: 'value', value: { N: '1' } },
    });
    assert.deepEqual(condition('#k BETWEEN :n AND :m', V, { '#k': 'a.b' }), {
      kind: 'between', operand: { kind: 'path', path: ['a.b'] }, low: { kind: 'value', value: { N: '1' } }, high: { kind: 'value', value: { N: '5' } },
    });
    assert.deepEqual(condition('a IN (:n, b)', V), {
      kind: 'in', operand: { kind: 'path', path: ['a'] }, list: [{ kind: 'value', value: { N: '1' } }, { kind: 'path', path: ['b'] }],
    });
    assert.deepEqual(condition('size(a) < :n', V), {
      kind: 'compare', op: '<', left: { kind: 'size', operand: { kind: 'path', path: ['a'] } }, right: { kind: 'value', value: { N: '1' } },
    });
    assert.deepEqual(condition('attribute_exists (a)'), { kind: 'attribute_exists', path: ['a'] });
    assert.deepEqual(condition('attribute_not_exists(a[0])'), { kind: 'attribute_not_exists', path: ['a', 0] });
    assert.equal(condition('attribute_type(a, :t)', V).kind, 'attribute_type');
    assert.equal(condition('begins_with(a, :v)', V).kind, 'begins_with');
    assert.equal(condition('contains(a, :n)', V).kind, 'contains');
    for (const op of ['=', '<>', '<', '<=', '>', '>=']) assert.equal((condition(`a ${op} :n`, V) as { op: string }).op, op);
  });

  test('NOT binds tighter than AND, AND tighter than OR; keywords in any case; parentheses group', () => {
    const leaf = (name: string) => ({ kind: 'compare', op: '=', left: { kind: 'path', path: [name] }, right: { kind: 'value', value: { N: '1' } } });
    assert.deepEqual(condition('a = :n or NOT b = :n AnD c = :n', V), {
      kind: 'or', operands: [leaf('a'), { kind: 'and', operands: [{ kind: 'not', operand: leaf('b') }, leaf('c')] }],
    });
    assert.deepEqual(condition('(a = :n OR b = :n) AND c = :n', V), {
      kind: 'and', operands: [{ kind: 'or', operands: [leaf('a'), leaf('b')] }, leaf('c')],
    });
    assert.deepEqual(condition('NOT NOT a = :n', V), { kind: 'not', operand: { kind: 'not', operand: leaf('a') } });
    // BETWEEN's AND is its own; the next AND joins conditions (AWS: Scylla).
    assert.equal(condition('b BETWEEN a AND c AND a < b').kind, 'and');
    // An operand may be parenthesised, and a parenthesised path may go on.
    assert.deepEqual(condition('(a) = :n', V), leaf('a'));
    assert.deepEqual((condition('(a.b).c = :n', V) as { left: unknown }).left, { kind: 'path', path: ['a', 'b', 'c'] });
    // One wrap around a whole expression, or each condition, is fine (AWS: conformance suite).
    condition('(attribute_exists(pk)) AND (#s = :v)', V, { '#s': 'status' });
    condition('(attribute_exists(pk) AND (#s = :v))', V, { '#s': 'status' });
    condition('((a = :n) OR (b = :n))', V);
  });

  test('syntax errors quote the token and its neighbours (AWS)', () => {
    refuses(() => condition('foo'), 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "foo"');
    refuses(() => condition('attribute_not_exists('), 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "("');
    refuses(() => filter('contains (themes, :theme', { ':theme': { S: 'x' } }), 'Invalid FilterExpression: Syntax error; token: "<EOF>", near: ":theme"');
    refuses(() => filter('!!! INVALID !!!'), 'Invalid FilterExpression: Syntax error; token: "!", near: "!!"');
    refuses(() => filter('a IN ()'), 'Invalid FilterExpression: Syntax error; token: ")", near: "()"');
    refuses(() => filter('begins_with(LSI_SK_1, G_M#)'), 'Invalid FilterExpression: Syntax error; token: "#", near: "G_M#)"');
    refuses(() => filter('[object Object] = :v', V), 'Invalid FilterExpression: Syntax error; token: "[", near: "[object"');
    refuses(() => filter('a AND b = :n', V), 'Invalid FilterExpression: Syntax error; token: "AND", near: "a AND b"');
    refuses(() => filter('a = :n AND', V), 'Invalid FilterExpression: Syntax error; token: "<EOF>", near: "AND"');
    refuses(() => filter('(a = :n) = :n', V), 'Invalid FilterExpression: Syntax error; token: "=", near: ") = :n"');
  });

  test('every malformed expression dynalite recorded is a syntax error (AWS)', () => {
    for (const e of [
      'things are not gonna be ok', 'a > 4', 'attribute_exists(Pictures-RearView)', 'attribute_exists("Pictures.RearView")',
      'attribute_exists(Pictures..RearView)', 'attribute_exists(Pi#ctures.RearView)', 'attribute_exists(asdf[a])', 'a in b, c',
      'a > between', 'a in b', 'a in (b,c,)', '(a)between(b.(c.d))and(c)', '(a)between(b.c.d)and((c)', '#$.b > a',
      'a > :things.stuff', 'b[:a] > a', 'b[#_] > a', 'ü > a', '(a)between(b.c[4.5].#d)and(:a)', 'size(a).b > a',
      '(size(a)).b > a', 'size(a)[0] > a', '(size(a))[0] > a', ':v', 'a', '_a = :v', 'a != :v', 'a = :v OR',
    ]) {
      refuses(() => filter(e, V), /^Invalid FilterExpression: Syntax error; token: /);
    }
  });

  test('empty and oversized expressions', () => {
    refuses(() => condition(''), 'Invalid ConditionExpression: The expression can not be empty;');
    refuses(() => filter(''), 'Invalid FilterExpression: The expression can not be empty;');
    const big = `a = :n${' OR a = :n'.repeat(410)}`;
    refuses(() => filter(big, V), `Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: ${big.length}`);
  });

  test('redundant parentheses (AWS)', () => {
    for (const e of [
      'a=a and a > ((views))', '(a)between(((b.c)).d)and(c)', 'a > whatever((:things), ((a)))', 'a=a AND ((a=a AND a=a)) AND a=a',
      'a=a OR ((a=a OR a=a)) OR a=a', 'a=a AND ((a=a AND (a=a AND a=a)))', 'a=a OR ((a=a OR (a=a OR a=a)))', '((#a = :v))',
    ]) {
      refuses(() => filter(e, V, { '#a': 'a' }), 'Invalid FilterExpression: The expression has redundant parentheses;');
    }
    refuses(() => filter('('.repeat(600) + 'a = :n' + ')'.repeat(600), V), 'Invalid FilterExpression: The expression has redundant parentheses;');
  });

  test('unknown and misused functions (AWS)', () => {
    refuses(() => filter('a=a and whatever((:things)) > a'), 'Invalid FilterExpression: Invalid function name; function: whatever');
    refuses(() => filter('attRIbute_exIsts((views), #a)'), 'Invalid FilterExpression: Invalid function name; function: attRIbute_exIsts');
    const misused = 'Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: ';
    for (const [e, f] of [
      ['a=a and attribute_exists((views), (#a)) > b', 'attribute_exists'],
      ['attribute_not_exists(things) > b', 'attribute_not_exists'],
      ['attribute_type(things, :a) > b', 'attribute_type'],
      ['begins_with(things, a) > b', 'begins_with'],
      ['contains(:things, c) > b', 'contains'],
      ['size(contains(a, b)) > a', 'contains'],
      ['size(things)', 'size'],
      ['(size(things))', 'size'],
      ['a between b and attribute_exists(things)', 'attribute_exists'],
      ['a in (b, attribute_exists(things))', 'attribute_exists'],
      // Known update functions are misused here, not unknown (AWS: Scylla).
      ['if_not_exists(a, a) = :v', 'if_not_exists'],
      ['list_append(a, a) = :v', 'list_append'],
    ] as const) {
      refuses(() => filter(e), misused + f);
    }
  });

  test('reserved words, then undefined names and values (AWS)', () => {
    refuses(() => filter('attribute_exists(views, #a)'), 'Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: views');
    refuses(() => filter(':a < abOrT'), 'Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: abOrT');
    refuses(() => condition('a.name = :v', V), 'Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name');
    const name = 'Invalid FilterExpression: An expression attribute name used in the document path is not defined; attribute name: ';
    for (const [e, n] of [
      ['attribute_exists(#Pictures.RearView, :a) and a=a', '#Pictures'],
      ['begins_with(Pictures.#RearView)', '#RearView'],
      ['(#P between :lo and :hi) and (#PC in (:cat1, :cat2))', '#P'],
      ['#4g > a', '#4g'],
      ['#_ > a', '#_'],
      ['(a)between(b.c[45].#d)and(:a)', '#d'],
      ['#missing = :v', '#missing'],
    ] as const) {
      refuses(() => filter(e, e === '#missing = :v' ? V : undefined), name + n);
    }
    const value = 'Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: ';
    for (const [e, v] of [['begins_with(:hello, #a, #b)', ':hello'], [':a < :b', ':a'], [':_ > a', ':_']] as const) {
      refuses(() => filter(e), value + v);
    }
  });

  test('operand counts and types of functions (AWS)', () => {
    const count = 'Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: ';
    for (const [e, f, n] of [
      ['attribute_exists(things, a) and a=a', 'attribute_exists', 2],
      ['attribute_not_exists(things, b)', 'attribute_not_exists', 2],
      ['attribute_type(things)', 'attribute_type', 1],
      ['begins_with(things)', 'begins_with', 1],
      ['begins_with(things, size(a), b)', 'begins_with', 3],
      ['contains(things)', 'contains', 1],
      ['size(things, a) > b', 'size', 2],
    ] as const) {
      refuses(() => filter(e), `${count}${f}, number of operands: ${n}`);
    }
    const type = 'Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: ';
    const cases: [string, string, AttributeValue][] = [
      ['attribute_type(a, size(a)) and a=a and a=:a', 'attribute_type', { N: '1' }],
      ['attribute_type(a, :a)', 'attribute_type', { B: 'YQ==' }],
      ['attribute_type(a, :a)', 'attribute_type', { L: [] }],
      ['begins_with(a, size(a)) and a=:a', 'begins_with', { N: '1' }],
      ['begins_with(a, :a)', 'begins_with', { BOOL: true }],
      ['begins_with(:a, a)', 'begins_with', { NS: ['1'] }],
      ['size(size(a)) > :a', 'size', { N: '1' }],
      ['attribute_not_exists(size(:a))', 'size', { N: '1' }],
      ['size(:a) > a', 'size', { NULL: true }],
      // Ordering a request value that is not a scalar (AWS: Scylla).
      ['a < :a', '<', { L: [] }],
      ['a BETWEEN :a AND :a', 'BETWEEN', { M: {} }],
    ];
    for (const [e, f, v] of cases) refuses(() => filter(e, { ':a': v }), `${type}${f}, operand type: ${Object.keys(v)[0]}`);
    refuses(() => filter('attribute_type(a, b)'), `${type}attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}`);
    refuses(
      () => filter('attribute_type(a, :a)', { ':a': { S: '1' } }),
      'Invalid FilterExpression: Invalid attribute type name found; type: 1, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}',
    );
    for (const [e, f] of [['attribute_exists(:a) and a=a', 'attribute_exists'], ['attribute_not_exists(size(:a))', 'attribute_not_exists']]) {
      refuses(() => filter(e!, { ':a': { S: '1' } }), `Invalid FilterExpression: Operator or function requires a document path; operator or function: ${f}`);
    }
  });

  test('operands must differ (AWS)', () => {
    for (const [e, op, p] of [
      ['a = a AND #a = b AND :views > a', '=', '[a]'],
      ['#a <> a', '<>', '[a]'],
      ['a > #a', '>', '[a]'],
      ['((a=a) OR (a=a))', '=', '[a]'],
      ['contains(ab.bc[1].a, ab.bc[1].#a)', 'contains', '[ab, bc, [1], a]'],
      ['attribute_type(ab.bc[1].#a, ab.bc[1].a)', 'attribute_type', '[ab, bc, [1], a]'],
      ['begins_with(ab.bc[1].a, ab.bc[1].#a)', 'begins_with', '[ab, bc, [1], a]'],
    ] as const) {
      refuses(
        () => filter(e, undefined, { '#a': 'a' }),
        `Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: ${op}, first operand: ${p}`,
      );
    }
    filter(':a > :a', { ':a': { N: '1' } });
  });

  test('BETWEEN bounds given by the request (AWS)', () => {
    refuses(
      () => filter('a between :b and :a', { ':a': { S: 'a' }, ':b': { N: '1' } }),
      'Invalid FilterExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}',
    );
    refuses(
      () => filter('a between :b and :a', { ':a': { S: 'a' }, ':b': { S: 'b' } }),
      'Invalid FilterExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}',
    );
    filter('a between :n and :n', V);
  });

  test('IN takes at most 100 operands; an expression at most 300 operators', () => {
    const values: Values = {};
    for (let i = 0; i < 100; i++) values[`:v${i}`] = { N: String(i) };
    const list = (n: number) => Object.keys(values).slice(0, n).join(',');
    filter(`a IN (${list(99)})`, values);
    refuses(() => filter(`a IN (${list(100)})`, values), 'Invalid FilterExpression: The IN operator is provided with too many operands; number of operands: 101');
    // 150 comparisons, 149 ORs and a NOT: 300 operators.
    filter(`NOT (${Array(150).fill('a = :n').join(' OR ')})`, V);
    const many = Array(151).fill('a = :n').join(' OR ');
    refuses(() => filter(many, V), 'Invalid FilterExpression: The expression contains too many operators; operator count: 301');
    // A function call is one operator, like a comparison.
    filter(`NOT (${Array(150).fill('attribute_exists(a)').join(' OR ')})`);
    refuses(() => filter(Array(151).fill('attribute_exists(a)').join(' OR ')), /operator count: 301$/);
    const sets = (count: number) => `SET ${Array.from({ length: count }, (_, i) => `a${i}=:n+:n`).join(',')}`;
    parseUpdate(sets(300), ctx(V));
    refuses(() => parseUpdate(sets(301), ctx(V)), 'Invalid UpdateExpression: The expression contains too many operators; operator count: 301');
  });

  test('which fault is reported when there are several (AWS ranking)', () => {
    // Redundant parentheses beat an unknown function, which beats a misuse, which beats a reserved word...
    refuses(() => filter('whatever(a) > ((b))'), 'Invalid FilterExpression: The expression has redundant parentheses;');
    refuses(() => filter('whatever(a) > size(b) AND size(c)'), 'Invalid FilterExpression: Invalid function name; function: whatever');
    refuses(() => filter('name = :x AND size(c)'), 'Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: size');
    refuses(() => filter('name = :x'), 'Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: name');
    // ... and then the first faulty elementary condition's own first fault.
    refuses(() => filter('a = a AND b = :x'), 'Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]');
    refuses(() => filter('b = :x AND a = a'), 'Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :x');
  });
});

describe('projection grammar', () => {
  test('paths separated by commas', () => {
    assert.deepEqual(parseProjection(' a , b.c[2] ,#n.d', ctx(undefined, { '#n': 'name' })), [['a'], ['b', 'c', 2], ['name', 'd']]);
  });

  test('refusals (AWS)', () => {
    const p = (e: string, names?: Record<string, string>) => parseProjection(e, ctx(undefined, names));
    refuses(() => p(''), 'Invalid ProjectionExpression: The expression can not be empty;');
    refuses(() => p('!!!'), 'Invalid ProjectionExpression: Syntax error; token: "!", near: "!!"');
    refuses(() => p('!!! INVALID !!!'), 'Invalid ProjectionExpression: Syntax error; token: "!", near: "!!"');
    for (const e of ['a,', ',a', 'a,,b', 'a b', '(a)', 'a[b]']) refuses(() => p(e), /^Invalid ProjectionExpression: Syntax error; /);
    refuses(() => p('pk, status'), 'Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: status');
    refuses(() => p('#undef'), 'Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #undef');
    const overlap = 'Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; ';
    refuses(() => p('a, a'), `${overlap}path one: [a], path two: [a]`);
    refuses(() => p('a, a.b'), `${overlap}path one: [a], path two: [a, b]`);
    refuses(() => p('a.b[0],a.b[0]'), `${overlap}path one: [a, b, [0]], path two: [a, b, [0]]`);
    refuses(() => p('a.b.d.e, a.b'), `${overlap}path one: [a, b, d, e], path two: [a, b]`);
    refuses(
      () => p('a.b, a[1]'),
      'Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]',
    );
    for (const e of ['a, b', 'a.b, a.c', 'a.b.d, a.b.e', 'a[1], a[2]', 'a.b, a.c[2]']) p(e);
  });
});

describe('update grammar', () => {
  const u = (e: string, values?: Values, names?: Record<string, string>) => parseUpdate(e, ctx(values, names));

  test('the four sections, in any order and case, build actions in order', () => {
    assert.deepEqual(u('remove x[1], y  set a = :n, b = if_not_exists(b, :n) + :m ADD c :n delete d :s', { ...V, ':s': { SS: ['a'] } }), {
      actions: [
        { kind: 'remove', path: ['x', 1] },
        { kind: 'remove', path: ['y'] },
        { kind: 'set', path: ['a'], value: { kind: 'value', value: { N: '1' } } },
        {
          kind: 'set',
          path: ['b'],
          value: {
            kind: 'plus',
            left: { kind: 'if_not_exists', path: ['b'], fallback: { kind: 'value', value: { N: '1' } } },
            right: { kind: 'value', value: { N: '5' } },
          },
        },
        { kind: 'add', path: ['c'], value: { N: '1' } },
        { kind: 'delete', path: ['d'], value: { SS: ['a'] } },
      ],
    });
    assert.deepEqual(u('SET a = list_append(:l, a), b = (c - :n), c = (d) + :n', V).actions.map((a) => (a as { value: { kind: string } }).value.kind), [
      'list_append', 'minus', 'plus',
    ]);
    u('SET #Alpha_Numeric_123 = :v, #123 = :v, a.b = :_', { ...V, ':_': { N: '1' } }, { '#Alpha_Numeric_123': 'x', '#123': '3can include any character!.#=' });
  });

  test('syntax errors (AWS)', () => {
    refuses(() => u('INVALID SYNTAX HERE', V), 'Invalid UpdateExpression: Syntax error; token: "INVALID", near: "INVALID SYNTAX"');
    refuses(() => u('SET _123 = :v', V), 'Invalid UpdateExpression: Syntax error; token: "_", near: "SET _123"');
    refuses(() => u('SET a = :v,', V), 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ","');
    for (const e of [
      'whatever', 'set a', 'add a', 'delete a', 'set a=set', 'remove a = b', 'add a = b', 'delete a = b', 'delete a b',
      'delete a if_not_exist(b)', 'add abort b', 'add a if_not_exist(b)', 'remove a b', 'set a b', 'set :a = b', 'add :a b',
      'delete :a b', 'remove :a', 'set a = b / c', 'set a = b * c', 'set a[1] = "eight"', 'set a[1] = 1',
      'SET a = if_not_exist(a, 100)', 'SET if_not_exist(a, b) = a', 'set (a = (b + c))', 'set a = (b.c).d + e',
      'set a = (b.c)[0] + e', 'set a = b + c + d', 'SET c = if_not_exists(c, :v+:v)', 'SET a[:x] = :v', 'SET a[#x] = :v',
      'SET a = _f(b)', 'SET # = :v', 'SET a = :', 'SET 123 = :v', 'SET hi-there = :v', 'SET',
    ]) {
      refuses(() => u(e, V), /^Invalid UpdateExpression: Syntax error; token: /);
    }
    refuses(() => u(''), 'Invalid UpdateExpression: The expression can not be empty;');
  });

  test('sections once, reserved words, unknown and misused functions (AWS)', () => {
    const names = { '#a': 'a', '#b': 'b' };
    const values = { ':a': { S: 'a' }, ':b': { S: 'a' } };
    for (const [e, s] of [
      ['set a = #c set c = :d', 'SET'],
      ['remove #d set a = b remove e', 'REMOVE'],
      ['add #d :e set a = b add e :f', 'ADD'],
      ['delete #d :e set a = b delete #e :f', 'DELETE'],
    ] as const) {
      refuses(() => u(e, values, names), `Invalid UpdateExpression: The "${s}" section can only be used once in an update expression;`);
    }
    refuses(() => u(' set #c = :c set abOrt = true ', values, names), 'Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: abOrt');
    refuses(() => u(' remove Absolute '), 'Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: Absolute');
    refuses(() => u('set #c = if_not_exist(:c) set c = d', values, names), 'Invalid UpdateExpression: Invalid function name; function: if_not_exist');
    refuses(() => u('SET a = LIST_APPEND(:l, :l)', V), 'Invalid UpdateExpression: Invalid function name; function: LIST_APPEND');
    refuses(() => u('SET a = size(b)'), 'Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: size');
    refuses(
      () => u('SET a = list_append(list_append(:l, :l), :l)', V),
      'Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: list_append',
    );
  });

  test('undefined names and values (AWS)', () => {
    const names = { '#a': 'a', '#b': 'b' };
    const values = { ':a': { S: 'a' }, ':b': { S: 'a' } };
    refuses(() => u('SET #c = if_not_exists(:c)', values, names), 'Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #c');
    refuses(() => u('SET #a = if_not_exists(:c)', values, names), 'Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :c');
    refuses(() => u('SET attr1 = :v'), 'Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :v');
  });

  test('overlapping and conflicting paths (AWS)', () => {
    const names = { '#b': 'b', '#c': 'c', '#d': '[3]' };
    const overlap = 'Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; ';
    refuses(() => u('set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)', undefined, names), `${overlap}path one: [c, [1], a], path two: [c]`);
    refuses(() => u('set #c[3].#d = a, #c[3] = a', undefined, names), `${overlap}path one: [c, [3], [3]], path two: [c, [3]]`);
    refuses(() => u('SET a = :v REMOVE a', V), `${overlap}path one: [a], path two: [a]`);
    refuses(() => u('SET #b = :v, b = :v', V, names), `${overlap}path one: [b], path two: [b]`);
    for (const e of ['SET a = :v, a.b = :v', 'SET a[1][1] = :v, a[1] = :v', 'SET a.b = :v, a.b.c.d.e = :v']) refuses(() => u(e, V), /overlap/);
    const conflict = 'Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; ';
    refuses(() => u('set #c[3].#d = a, #c.#d[3] = if_not_exists(a)', undefined, names), `${conflict}path one: [c, [3], [3]], path two: [c, [3], [3]]`);
    refuses(() => u('remove a.#c set a[1] = #d', undefined, names), `${conflict}path one: [a, c], path two: [a, [1]]`);
    u('SET a.b = :v, a.c = :v, b.x = :v REMOVE a.x, b.y', V);
  });

  test('operand types (AWS)', () => {
    const op = 'Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ';
    const cases: [string, AttributeValue, string][] = [
      ['set b = list_append(:a, a), c = if_not_exists(a) add a.b :a', { S: 'a' }, 'ADD, operand type: STRING'],
      ['delete a.b :a', { S: 'a' }, 'DELETE, operand type: STRING'],
      ['add a.b :a', { NULL: true }, 'ADD, operand type: NULL'],
      ['delete a.b :a', { BOOL: false }, 'DELETE, operand type: BOOLEAN'],
      ['add a.b :a', { B: 'YQ==' }, 'ADD, operand type: BINARY'],
      ['delete a.b :a', { M: {} }, 'DELETE, operand type: MAP'],
      ['add a.b :a', { L: [] }, 'ADD, operand type: LIST'],
      ['delete a.b :a', { N: '1' }, 'DELETE, operand type: NUMBER'],
    ];
    for (const [e, v, msg] of cases) refuses(() => u(e, { ':a': v, ':b': { S: 'a' } }), op + msg);
    u('ADD a :n, b :s DELETE c :s', { ...V, ':s': { NS: ['1'] } });

    refuses(() => u('set a = if_not_exists(c)'), 'Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1');
    refuses(() => u('set a = list_append(c)'), 'Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1');
    for (const e of ['set a = if_not_exists(:a, c)', 'set a = if_not_exists(if_not_exists(a, b), c)']) {
      refuses(() => u(e, { ':a': { S: 'a' } }), /^Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists$/);
    }
    const fn = 'Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: ';
    const values: Values = {
      ':a': { S: 'a' }, ':b': { N: '1' }, ':c': { B: 'YQ==' }, ':d': { BOOL: false }, ':e': { NULL: true },
      ':f': { SS: ['a'] }, ':g': { NS: ['1'] }, ':h': { BS: ['YQ=='] }, ':i': { M: {} }, ':j': { L: [] },
    };
    for (const [e, f, t] of [
      ['set a = list_append(:a, a)', 'list_append', 'S'],
      ['set a = list_append(a, :b)', 'list_append', 'N'],
      ['set a = list_append(:i, a)', 'list_append', 'M'],
      ['set a = a + :a', '+', 'S'],
      ['set a = :a + :c', '+', 'S'],
      ['set a = :c + a', '+', 'B'],
      ['set a = a + :j', '+', 'L'],
      ['set a = a - :d', '-', 'BOOL'],
      ['set a = a - :h', '-', 'BS'],
    ] as const) {
      refuses(() => u(e, values), `${fn}${f}, operand type: ${t}`);
    }
  });
});

describe('ExpressionContext', () => {
  test('refuses unused names, then unused values, listing them in the order given (AWS)', () => {
    const c = ctx({ ':v': { S: 'x' }, ':unused': { S: 'y' } }, { '#a': 'a', '#unused': 'b', '#other': 'c' });
    parseCondition('#a = :v', c, 'ConditionExpression');
    refuses(() => c.assertAllUsed(), 'Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused, #other}');
    const d = ctx({ ':v': { S: 'x' }, ':unused': { S: 'y' } });
    parseUpdate('SET attr1 = :v', d);
    refuses(() => d.assertAllUsed(), 'Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}');
  });

  test('a name or value used by any expression of the request counts, even unevaluated', () => {
    const c = ctx({ ':p': { S: 'p' }, ':v': { N: '1' }, ':w': { N: '2' } }, { '#pk': 'pk', '#a': 'a', '#b': 'b' });
    parseCondition('#a = :v OR #b = :w', c, 'FilterExpression');
    parseProjection('#pk', c);
    parseUpdate('SET x = :p', c);
    c.assertAllUsed();
  });

  test('placeholders are looked up as own keys only', () => {
    refuses(() => parseCondition('#constructor = :toString', ctx({}, {}), 'ConditionExpression'), /attribute name: #constructor$/);
  });
});
