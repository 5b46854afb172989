import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EventPatternError, matchesAnyEventPattern, matchesEventPattern, parseEventPattern } from '../../src/lib/event-pattern.js';

const matches = (pattern: unknown, event: unknown) => matchesEventPattern(parseEventPattern(JSON.stringify(pattern)), event);

describe('event patterns', () => {
  test('exact values: strings, numbers, booleans and null, in lists ORed', () => {
    assert.equal(matches({ a: ['x', 'y'] }, { a: 'y' }), true);
    assert.equal(matches({ a: ['x'] }, { a: 'X' }), false);
    assert.equal(matches({ n: [5] }, { n: 5 }), true);
    assert.equal(matches({ n: [5] }, { n: 5.0 }), true);
    assert.equal(matches({ n: [5] }, { n: '5' }), false, 'numbers never match their spelling');
    assert.equal(matches({ n: ['5'] }, { n: 5 }), false);
    assert.equal(matches({ b: [true] }, { b: true }), true);
    assert.equal(matches({ b: [true] }, { b: 'true' }), false);
    assert.equal(matches({ z: [null] }, { z: null }), true);
    assert.equal(matches({ z: [null] }, {}), false, 'null does not match an absent field');
    assert.equal(matches({ e: [''] }, { e: '' }), true);
  });

  test('keys are ANDed, nested objects follow the event, arrays match by any element', () => {
    const p = { detail: { state: ['running'], size: [{ numeric: ['>', 10] }] }, source: ['app'] };
    assert.equal(matches(p, { source: 'app', detail: { state: 'running', size: 11 } }), true);
    assert.equal(matches(p, { source: 'app', detail: { state: 'running', size: 10 } }), false);
    assert.equal(matches(p, { source: 'other', detail: { state: 'running', size: 11 } }), false);
    assert.equal(matches(p, { source: 'app' }), false);
    assert.equal(matches({ tags: ['b'] }, { tags: ['a', 'b'] }), true);
    assert.equal(matches({ tags: ['c'] }, { tags: ['a', 'b'] }), false);
    assert.equal(matches({ items: { id: [2] } }, { items: [{ id: 1 }, { id: 2 }] }), true);
    assert.equal(matches({ a: ['x'] }, { a: { nested: 'x' } }), false, 'rules look at leaves only');
  });

  test('prefix, suffix and equals-ignore-case', () => {
    assert.equal(matches({ k: [{ prefix: 'ab' }] }, { k: 'abc' }), true);
    assert.equal(matches({ k: [{ prefix: 'ab' }] }, { k: 'Abc' }), false);
    assert.equal(matches({ k: [{ prefix: { 'equals-ignore-case': 'AB' } }] }, { k: 'abc' }), true);
    assert.equal(matches({ k: [{ suffix: '.png' }] }, { k: 'a.png' }), true);
    assert.equal(matches({ k: [{ suffix: '.png' }] }, { k: 'a.jpg' }), false);
    assert.equal(matches({ k: [{ suffix: { 'equals-ignore-case': '.PNG' } }] }, { k: 'a.png' }), true);
    assert.equal(matches({ k: [{ 'equals-ignore-case': 'HeLLo' }] }, { k: 'hello' }), true);
    assert.equal(matches({ k: [{ prefix: '1' }] }, { k: 12 }), false, 'prefix applies to strings');
  });

  test('anything-but: values, lists and nested prefix / suffix / equals-ignore-case', () => {
    assert.equal(matches({ s: [{ 'anything-but': 'a' }] }, { s: 'b' }), true);
    assert.equal(matches({ s: [{ 'anything-but': 'a' }] }, { s: 'a' }), false);
    assert.equal(matches({ s: [{ 'anything-but': ['a', 'b'] }] }, { s: 'b' }), false);
    assert.equal(matches({ s: [{ 'anything-but': [1, 2] }] }, { s: 3 }), true);
    assert.equal(matches({ s: [{ 'anything-but': [1, 2] }] }, { s: 2 }), false);
    assert.equal(matches({ s: [{ 'anything-but': 'a' }] }, {}), false, 'anything-but needs the field');
    assert.equal(matches({ s: [{ 'anything-but': { prefix: 'tmp/' } }] }, { s: 'tmp/x' }), false);
    assert.equal(matches({ s: [{ 'anything-but': { prefix: 'tmp/' } }] }, { s: 'img/x' }), true);
    assert.equal(matches({ s: [{ 'anything-but': { suffix: '.tmp' } }] }, { s: 'a.tmp' }), false);
    assert.equal(matches({ s: [{ 'anything-but': { 'equals-ignore-case': ['A', 'B'] } }] }, { s: 'b' }), false);
    assert.equal(matches({ s: [{ 'anything-but': { 'equals-ignore-case': ['A', 'B'] } }] }, { s: 'c' }), true);
  });

  test('numeric comparisons and ranges', () => {
    const range = { n: [{ numeric: ['>', 0, '<=', 5] }] };
    assert.equal(matches(range, { n: 0 }), false);
    assert.equal(matches(range, { n: 0.5 }), true);
    assert.equal(matches(range, { n: 5 }), true);
    assert.equal(matches(range, { n: 5.01 }), false);
    assert.equal(matches(range, { n: '3' }), false);
    assert.equal(matches({ n: [{ numeric: ['=', 3.5] }] }, { n: 3.5 }), true);
    assert.equal(matches({ n: [{ numeric: ['<', 0] }] }, { n: -1 }), true);
    assert.equal(matches({ n: [{ numeric: ['>=', 10] }] }, { n: 10 }), true);
  });

  test('exists true and false', () => {
    assert.equal(matches({ k: [{ exists: true }] }, { k: 'v' }), true);
    assert.equal(matches({ k: [{ exists: true }] }, { k: null }), true);
    assert.equal(matches({ k: [{ exists: true }] }, {}), false);
    assert.equal(matches({ k: [{ exists: false }] }, {}), true);
    assert.equal(matches({ k: [{ exists: false }] }, { k: 1 }), false);
    assert.equal(matches({ k: [{ exists: true }] }, { k: { x: 1 } }), false, 'exists looks at leaves');
    assert.equal(matches({ a: { b: [{ exists: false }] } }, { c: 1 }), true, 'absent parents mean absent leaves');
    assert.equal(matches({ a: { b: [{ exists: false }] } }, { a: { b: 2 } }), false);
  });

  test('wildcards without backtracking blow-ups', () => {
    assert.equal(matches({ k: [{ wildcard: 'dir/*.png' }] }, { k: 'dir/a/b.png' }), true);
    assert.equal(matches({ k: [{ wildcard: 'dir/*.png' }] }, { k: 'dir/a.jpg' }), false);
    assert.equal(matches({ k: [{ wildcard: 'a*b*c' }] }, { k: 'abc' }), true);
    assert.equal(matches({ k: [{ wildcard: 'a*b*c' }] }, { k: 'acb' }), false);
    assert.equal(matches({ k: [{ wildcard: 'lit\\*' }] }, { k: 'lit*' }), true);
    assert.equal(matches({ k: [{ wildcard: 'lit\\*' }] }, { k: 'litx' }), false);
    const started = process.hrtime.bigint();
    assert.equal(matches({ k: [{ wildcard: '*a*a*a*a*a*a*b' }] }, { k: 'a'.repeat(100_000) }), false);
    assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 500);
  });

  test('$or takes alternative patterns; several patterns are ORed', () => {
    const p = { $or: [{ a: ['1'] }, { b: [{ numeric: ['>', 5] }] }], c: ['x'] };
    assert.equal(matches(p, { a: '1', c: 'x' }), true);
    assert.equal(matches(p, { b: 9, c: 'x' }), true);
    assert.equal(matches(p, { b: 1, c: 'x' }), false);
    assert.equal(matches(p, { a: '1' }), false);
    const filters = [parseEventPattern('{"eventName":["INSERT"]}'), parseEventPattern('{"eventName":["REMOVE"]}')];
    assert.equal(matchesAnyEventPattern(filters, { eventName: 'REMOVE' }), true);
    assert.equal(matchesAnyEventPattern(filters, { eventName: 'MODIFY' }), false);
  });

  test('DynamoDB stream records and SQS bodies as Lambda filters them', () => {
    const record = { eventName: 'INSERT', dynamodb: { Keys: { pk: { S: 'u#1' } }, NewImage: { pk: { S: 'u#1' }, age: { N: '42' }, kind: { S: 'user' } } } };
    assert.equal(matches({ eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: ['user'] } } } }, record), true);
    assert.equal(matches({ dynamodb: { NewImage: { kind: { S: [{ prefix: 'adm' }] } } } }, record), false);
    assert.equal(matches({ dynamodb: { Keys: { pk: { S: [{ prefix: 'u#' }] } } } }, record), true);
    assert.equal(matches({ body: { RequestCode: ['BBBB'] } }, { body: { RequestCode: 'BBBB' } }), true);
    assert.equal(matches({ body: { RequestCode: ['BBBB'] } }, { body: 'RequestCode BBBB' }), false, 'a JSON pattern drops a plain-string body');
    assert.equal(matches({ body: [{ prefix: 'Result: ' }] }, { body: 'Result: ok' }), true);
    assert.equal(matches({ body: [{ prefix: 'Result: ' }] }, { body: { Result: 'ok' } }), false, 'a plain-string pattern drops a JSON body');
  });

  test('refuses patterns that are not patterns', () => {
    const bad = [
      'not json',
      '[]',
      '"x"',
      '{"a": "x"}',
      '{"a": []}',
      '{"a": [{"prefix": 1}]}',
      '{"a": [{"prefix": "x", "suffix": "y"}]}',
      '{"a": [{"unknown": "x"}]}',
      '{"a": [{"numeric": [">", "x"]}]}',
      '{"a": [{"numeric": ["<", 5, ">", 1]}]}',
      '{"a": [{"numeric": [">", 5, "<", 1]}]}',
      '{"a": [{"numeric": ["!=", 1]}]}',
      '{"a": [{"exists": "yes"}]}',
      '{"a": [{"anything-but": []}]}',
      '{"a": [{"anything-but": {"numeric": [">", 1]}}]}',
      '{"a": [{"wildcard": "a**b"}]}',
      '{"$or": [{"a": ["x"]}]}',
      '{"a": [[1]]}',
    ];
    for (const text of bad) assert.throws(() => parseEventPattern(text), EventPatternError, text);
    assert.doesNotThrow(() => parseEventPattern('{}'));
  });

  test('a pattern nested past the bound is an EventPatternError, not a stack overflow; within it, it matches', () => {
    const deep = (n: number, inner: string) => '{"a":'.repeat(n) + inner + '}'.repeat(n);
    for (const n of [101, 100_000]) assert.throws(() => parseEventPattern(deep(n, '["x"]')), EventPatternError);
    assert.throws(() => parseEventPattern('{"$or":['.repeat(200) + '{"a":["x"]},{"b":["y"]}' + ']}'.repeat(200)), EventPatternError);
    const ok = parseEventPattern(deep(100, '["x"]'));
    const event = JSON.parse(deep(100, '"x"'));
    assert.equal(matchesEventPattern(ok, event), true);
  });
});
