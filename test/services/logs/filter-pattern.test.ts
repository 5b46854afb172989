/**
 * The filter-pattern compiler on its own: term patterns, JSON patterns and space-delimited
 * patterns, each checked against messages that must and must not match, and the patterns
 * AWS refuses.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileFilterPattern } from '../../../src/services/logs/engine/filter/index.js';
import { splitFields } from '../../../src/services/logs/engine/filter/delimited.js';
import { throwsAws } from '../../helpers/aws-errors.js';

/** Asserts which of `messages` the pattern matches: exactly those in `matching`. */
function check(pattern: string, matching: string[], notMatching: string[]): void {
  const f = compileFilterPattern(pattern);
  assert.ok(f, `pattern ${pattern} compiles to a filter`);
  for (const m of matching) assert.equal(f(m), true, `${pattern} should match ${m}`);
  for (const m of notMatching) assert.equal(f(m), false, `${pattern} should not match ${m}`);
}

const invalid = (pattern: string, message: string | RegExp = 'Invalid filter pattern') =>
  throwsAws(() => compileFilterPattern(pattern), 'InvalidParameterException', message);

describe('term patterns', () => {
  test('an empty pattern filters nothing', () => {
    assert.equal(compileFilterPattern(''), undefined);
    assert.equal(compileFilterPattern('   '), undefined);
    assert.equal(compileFilterPattern(undefined), undefined);
  });

  test('plain terms must all occur, case-sensitively, anywhere in the message', () => {
    check('ERROR', ['[ERROR] disk full', 'x ERRORS'], ['error: lowercase', 'WARN only']);
    check('ERROR disk', ['ERROR: disk full', 'disk ERROR'], ['ERROR: memory', 'disk only']);
  });

  test('"quoted phrases" match exactly, spaces and punctuation included', () => {
    check('"connection reset"', ['peer: connection reset by peer'], ['connection was reset', 'connection  reset']);
    check('"a \\"b\\""', ['x a "b" y'], ['a b']);
    check('ERROR "user=42"', ['ERROR for user=42 now'], ['ERROR for user=43']);
  });

  test('-terms exclude events', () => {
    check('ERROR -healthcheck', ['ERROR real problem'], ['ERROR healthcheck failed', 'INFO ok']);
    check('-DEBUG', ['INFO hello', 'WARN x'], ['DEBUG noise']);
    check('-"GET /health"', ['GET /users'], ['GET /health 200']);
  });

  test('?terms: at least one must occur', () => {
    check('?ERROR ?WARN', ['ERROR a', 'WARN b', 'ERROR and WARN'], ['INFO c']);
    check('?"disk full" ?OOM', ['the disk full', 'OOM killer'], ['disk is full']);
    check('api ?ERROR ?WARN -retry', ['api ERROR', 'api WARN'], ['api INFO', 'web ERROR', 'api ERROR retry']);
  });

  test('%regular expressions%', () => {
    check('%ERR[0-9]{3}%', ['code ERR404 seen'], ['ERR40', 'err404']);
    check('%^start%', ['start here'], ['not start']);
    check('-%debug|trace%', ['info'], ['some debug line', 'trace']);
  });

  test('patterns AWS refuses', () => {
    invalid('\u201cquoted\u201d', "Invalid filter pattern: Invalid character(s) in term '\u201cquoted\u201d'");
    invalid('"unterminated');
    invalid('%(group)%');
    invalid('%a% %b% %c%');
  });
});

describe('JSON patterns', () => {
  const doc = (o: unknown) => JSON.stringify(o);

  test('string equality, quoted or bare, with * wildcards', () => {
    check('{ $.level = "error" }', [doc({ level: 'error' })], [doc({ level: 'ERROR' }), doc({ other: 'error' }), 'level = error']);
    check('{$.level=error}', [doc({ level: 'error', x: 1 })], [doc({ level: 'warn' })]);
    check('{ $.path = "/api/*" }', [doc({ path: '/api/users' })], [doc({ path: '/web/api/x' })]);
    check('{ $.errorCode = "*" }', [doc({ errorCode: 'Throttled' })], [doc({ other: 1 })]);
    check('{ $.level != "info" }', [doc({ level: 'error' })], [doc({ level: 'info' }), doc({ nolevel: 1 })]);
  });

  test('numeric comparisons', () => {
    check('{ $.latency > 100 }', [doc({ latency: 101 }), doc({ latency: 1e3 })], [doc({ latency: 100 }), doc({ latency: 'slow' }), doc({})]);
    check('{ $.latency >= 100 }', [doc({ latency: 100 })], [doc({ latency: 99.5 })]);
    check('{ $.code < 0 }', [doc({ code: -1 })], [doc({ code: 0 })]);
    check('{ $.code <= -1.5 }', [doc({ code: -2 })], [doc({ code: -1 })]);
    check('{ $.status = 200 }', [doc({ status: 200 })], [doc({ status: 201 })]);
    check('{ $.status != 200 }', [doc({ status: 500 })], [doc({ status: 200 }), doc({})]);
  });

  test('nested properties and array elements', () => {
    check('{ $.user.id = 7 }', [doc({ user: { id: 7 } })], [doc({ user: { id: 8 } }), doc({ user: 7 })]);
    check('{ $.items[1].sku = "B" }', [doc({ items: [{ sku: 'A' }, { sku: 'B' }] })], [doc({ items: [{ sku: 'B' }] })]);
    check('{ $.tags[*] = "hot" }', [doc({ tags: ['cold', 'hot'] })], [doc({ tags: ['cold'] })]);
  });

  test('&&, || and parentheses (&& binds tighter)', () => {
    check('{ $.level = "error" && $.latency > 100 }', [doc({ level: 'error', latency: 200 })], [doc({ level: 'error', latency: 5 }), doc({ level: 'info', latency: 200 })]);
    check('{ $.a = 1 || $.b = 2 && $.c = 3 }', [doc({ a: 1 }), doc({ b: 2, c: 3 })], [doc({ b: 2 }), doc({ c: 3 })]);
    check('{ ($.a = 1 || $.b = 2) && $.c = 3 }', [doc({ a: 1, c: 3 }), doc({ b: 2, c: 3 })], [doc({ a: 1 }), doc({ b: 2, c: 4 })]);
  });

  test('IS TRUE / IS FALSE / IS NULL / NOT EXISTS', () => {
    check('{ $.ok IS TRUE }', [doc({ ok: true })], [doc({ ok: 'true' }), doc({ ok: false }), doc({})]);
    check('{ $.ok IS FALSE }', [doc({ ok: false })], [doc({ ok: true }), doc({})]);
    check('{ $.v IS NULL }', [doc({ v: null })], [doc({}), doc({ v: 0 })]);
    check('{ $.v NOT EXISTS }', [doc({}), doc({ w: 1 })], [doc({ v: null }), doc({ v: 1 })]);
  });

  test('%regular expressions% on a property', () => {
    check('{ $.msg = %timeout|deadline% }', [JSON.stringify({ msg: 'read timeout' }), JSON.stringify({ msg: 'deadline hit' })], [JSON.stringify({ msg: 'ok' })]);
    invalid('{ $.msg = %time(out)?% }');
  });

  test('messages that are not JSON never match', () => {
    check('{ $.level = "error" }', [], ['level=error', '{"level": "error"', 'ERROR {"level":"error"}']);
  });

  test('patterns AWS refuses', () => {
    invalid('{ $.a = 1', "Invalid filter pattern: If a filter pattern starts with '{' it must end with '}'");
    invalid('{ }');
    invalid('{ level = 1 }');
    invalid('{ $.a > "x" }');
    invalid('{ $.a = 1 && }');
    invalid('{ ($.a = 1 }');
    invalid('{ $.a IS MAYBE }');
  });
});

describe('space-delimited patterns', () => {
  const apache = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534';

  test('messages split at spaces; "quoted" and [bracketed] text is one field', () => {
    assert.deepEqual(splitFields(apache), ['127.0.0.1', '-', 'frank', '10/Oct/2000:13:25:15 -0700', 'GET /apache_pb.gif HTTP/1.0', '200', '1534']);
    assert.deepEqual(splitFields('  a   b\tc '), ['a', 'b', 'c']);
  });

  test('named fields line up with message fields; conditions compare them', () => {
    check('[ip, user, username, timestamp, request, status_code, bytes]', [apache], ['too few fields']);
    check('[ip, user, username, timestamp, request, status_code = 200, bytes]', [apache], [apache.replace(' 200 ', ' 404 ')]);
    check('[ip, user, username, timestamp, request, status_code = 2*, bytes > 1000]', [apache], [apache.replace('1534', '999')]);
    check('[ip = 127.0.0.*, ...]', [apache], ['10.0.0.1 x']);
    check('[ip, user, username = "frank", ...]', [apache], [apache.replace('frank', 'bob')]);
  });

  test('... stands for any number of fields', () => {
    check('[..., status = 200, bytes]', [apache, 'x 200 5'], ['200', 'x 404 5']);
    check('[first, ..., last = 1534]', [apache], ['only 1534 x']);
    check('[a, ..., b, ..., c = 3]', ['1 2 3', '1 x y 2 z 3'], ['1 3']);
  });

  test('&& and || inside a field', () => {
    check('[..., status = 404 || status = 410, bytes]', ['a 404 1', 'a 410 1'], ['a 200 1']);
    check('[..., bytes > 100 && bytes < 2000]', [apache], ['a 5000']);
  });

  test('patterns AWS refuses', () => {
    invalid('[a, b', "Invalid filter pattern: If a filter pattern starts with '[' it must end with ']'");
    invalid('[a, b = ]');
    invalid('[a, b = 1 && c = 2]');
    invalid('[a, "b"]');
  });
});
