import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  addNumbers,
  compareNumbers,
  decodeNumberKey,
  encodeNumberKey,
  normalizeNumber,
  numberByteSize,
  subtractNumbers,
  NUMBER_ERRORS,
} from '../../../src/services/dynamodb/engine/numbers.js';
import { throwsValidation as refuses } from '../../helpers/aws-errors.js';

const NOT_NUMERIC = 'The parameter cannot be converted to a numeric value';
const TOO_PRECISE = 'Attempting to store more than 38 significant digits in a Number';
const OVERFLOW = 'Number overflow. Attempting to store a number with magnitude larger than supported range';
const UNDERFLOW = 'Number underflow. Attempting to store a number with magnitude smaller than supported range';


const D38 = '12345678901234567890123456789012345678';
const MAX = '9.9999999999999999999999999999999999999E+125';

describe('normalizeNumber', () => {
  test('returns the canonical plain form', () => {
    const table: [string, string][] = [
      ['1', '1'],
      ['-1.5', '-1.5'],
      ['1e5', '100000'],
      ['1E-3', '0.001'],
      ['.5', '0.5'],
      ['-.5', '-0.5'],
      ['+1', '1'],
      ['+3', '3'],
      ['1.', '1'],
      ['1.50', '1.5'],
      ['1.0', '1'],
      ['3.1400', '3.14'],
      ['1e2', '100'],
      ['1E2', '100'],
      ['1.5E2', '150'],
      ['1e+5', '100000'],
      ['0.0001e-2', '0.000001'],
      ['-0', '0'],
      ['0', '0'],
      ['0.000', '0'],
      ['-0.0e-5', '0'],
      ['0e1000', '0'],
      ['00042', '42'],
      ['0001.23', '1.23'],
      ['0042.1200', '42.12'],
      ['-17e5', '-1700000'],
      ['-7.1234', '-7.1234'],
      ['-17.4E37', `-174${'0'.repeat(36)}`],
      ['123.456e-1', '12.3456'],
      ['0.00000000000000000000000000000000000001', '0.00000000000000000000000000000000000001'],
      ['1E125', `1${'0'.repeat(125)}`],
      ['1E-130', `0.${'0'.repeat(129)}1`],
    ];
    for (const [input, want] of table) assert.equal(normalizeNumber(input), want, input);
  });

  test('plain integers come back as sent; anything else near them is still normalized', () => {
    for (const n of ['0', '7', '-7', '120', '-120', '123456789012345']) assert.equal(normalizeNumber(n), n);
    assert.equal(normalizeNumber('-0'), '0');
    assert.equal(normalizeNumber('+7'), '7');
    assert.equal(normalizeNumber('007'), '7');
    assert.equal(normalizeNumber('1234567890123456'), '1234567890123456');
    assert.equal(normalizeNumber('12345678901234567890123456789012345678'), '12345678901234567890123456789012345678');
    assert.throws(() => normalizeNumber('123456789012345678901234567890123456789'), /more than 38 significant digits/);
  });

  test('refuses what BigDecimal cannot parse, quoting the value', () => {
    for (const s of ['abc', 'dog', '-dog', 'NaN', '-NaN', 'Infinity', '-Infinity', ' 1', '1 ', '1e', '1e+', 'e5', '.', '-', '+', '1.2.3', '0x10', '1,5', '--1', '1e5.5']) {
      refuses(() => normalizeNumber(s), `${NOT_NUMERIC}: ${s}`);
      refuses(() => normalizeNumber(s, 'current'), `${NOT_NUMERIC}: ${s}`);
    }
  });

  test('an empty string: no suffix in the legacy wording, ": " in the current one', () => {
    refuses(() => normalizeNumber(''), NOT_NUMERIC);
    refuses(() => normalizeNumber('', 'legacy'), NOT_NUMERIC);
    refuses(() => normalizeNumber('', 'current'), `${NOT_NUMERIC}: `);
  });

  test('exports the messages verbatim', () => {
    assert.deepEqual(NUMBER_ERRORS, { notNumeric: NOT_NUMERIC, tooPrecise: TOO_PRECISE, overflow: OVERFLOW, underflow: UNDERFLOW });
  });

  test('38 significant digits are accepted, 39 refused; zeros outside them do not count', () => {
    assert.equal(normalizeNumber(D38), D38);
    assert.equal(normalizeNumber(`-${D38}`), `-${D38}`);
    assert.equal(normalizeNumber('3.1415926535897932384626433832795028841'), '3.1415926535897932384626433832795028841');
    assert.equal(normalizeNumber('314159265358979323846.26433832795028841'), '314159265358979323846.26433832795028841');
    assert.equal(normalizeNumber(`${D38}e30`), `${D38}${'0'.repeat(30)}`);
    assert.equal(normalizeNumber(`000${D38}000`), `${D38}000`);
    assert.equal(normalizeNumber(`0.000${D38}`), `0.000${D38}`);
    assert.equal(normalizeNumber('99999999999999999999999999999999999999'), '99999999999999999999999999999999999999');
    for (const s of [
      '123456789012345678901234567890123456789',
      '-1.23456789012345678901234567890123456789',
      '3.14159265358979323846264338327950288419',
      '314159265358979323846264338327950288419e30',
      '1234567890123456789012345678901234567890',
      `${D38}1`,
      `0.${D38}9`,
    ]) {
      refuses(() => normalizeNumber(s), TOO_PRECISE);
    }
  });

  test('magnitude range boundaries', () => {
    assert.equal(normalizeNumber(MAX), `99999999999999999999999999999999999999${'0'.repeat(88)}`);
    assert.equal(normalizeNumber(`-${MAX}`), `-99999999999999999999999999999999999999${'0'.repeat(88)}`);
    assert.equal(normalizeNumber('9.99999999e125').length, 126);
    assert.equal(normalizeNumber('-1e-130'), `-0.${'0'.repeat(129)}1`);
    for (const s of ['1e126', '-1e126', '1E+126', '11e125', '10e125', '1e2147483647', '1e2147483648', '1e99999999999', '-1e99999999999', `1${'0'.repeat(126)}`]) {
      refuses(() => normalizeNumber(s), OVERFLOW);
    }
    for (const s of ['1e-131', '-1e-131', '0.9e-130', '1e-2147483648', '1e-99999999999', `0.${'0'.repeat(130)}1`]) {
      refuses(() => normalizeNumber(s), UNDERFLOW);
    }
  });

  test('precision is checked before magnitude (DynamoDB Local order)', () => {
    refuses(() => normalizeNumber(`${D38}9e200`), TOO_PRECISE);
    refuses(() => normalizeNumber(`${D38}9e-200`), TOO_PRECISE);
  });
});

describe('compareNumbers', () => {
  test('orders numerically, not textually', () => {
    const cases: [string, string, number][] = [
      ['1', '2', -1],
      ['2', '10', -1],
      ['-2', '-10', 1],
      ['0', '-0', 0],
      ['1.5', '1.50', 0],
      ['1e2', '100', 0],
      ['-1', '0', -1],
      ['0', '1e-130', -1],
      ['-1e-130', '0', -1],
      ['1.5', '1.52', -1],
      ['-1.5', '-1.52', 1],
      ['99', '100', -1],
      ['0.001', '0.01', -1],
      [MAX, '1e125', 1],
      [`-${MAX}`, '-1e125', -1],
    ];
    for (const [a, b, want] of cases) {
      assert.equal(Math.sign(compareNumbers(a, b)), want, `${a} vs ${b}`);
      assert.equal(Math.sign(compareNumbers(b, a)), want === 0 ? 0 : -want, `${b} vs ${a}`);
    }
  });
});

describe('addNumbers / subtractNumbers', () => {
  test('exact decimal arithmetic with carries and borrows', () => {
    const adds: [string, string, string][] = [
      ['1', '1', '2'],
      ['999', '1', '1000'],
      ['0.1', '0.2', '0.3'],
      ['0.999', '0.001', '1'],
      ['-1.5', '1.5', '0'],
      ['-1', '0.25', '-0.75'],
      ['1', '10000000000000000000000', '10000000000000000000001'],
      ['99999999999999999999999999999999999999', '1', '100000000000000000000000000000000000000'],
      ['1e125', '1e125', `2${'0'.repeat(125)}`],
      ['1e-130', '1e-130', `0.${'0'.repeat(129)}2`],
      ['123.456', '-23.456', '100'],
      ['0', '-7', '-7'],
    ];
    for (const [a, b, want] of adds) {
      assert.equal(addNumbers(a, b), want, `${a} + ${b}`);
      assert.equal(addNumbers(b, a), want, `${b} + ${a}`);
    }
    const subs: [string, string, string][] = [
      ['10000000000000000000000', '1', '9999999999999999999999'],
      ['1', '1', '0'],
      ['1000', '0.001', '999.999'],
      ['0', '5', '-5'],
      ['-5', '-5', '0'],
      ['-1.1', '0.9', '-2'],
      ['100', '99.99', '0.01'],
    ];
    for (const [a, b, want] of subs) assert.equal(subtractNumbers(a, b), want, `${a} - ${b}`);
  });

  test('results out of range are refused', () => {
    refuses(() => addNumbers('9e125', '9e125'), OVERFLOW);
    refuses(() => subtractNumbers('9e125', '-9e125'), OVERFLOW);
    refuses(() => addNumbers(MAX, '1e125'), OVERFLOW);
    refuses(() => addNumbers(`-${MAX}`, '-1e88'), OVERFLOW);
    refuses(() => subtractNumbers('1.5e-130', '1.4e-130'), UNDERFLOW);
  });

  test('results needing more than 38 digits are refused with the overflow wording', () => {
    refuses(() => subtractNumbers('1e50', '1'), OVERFLOW);
    refuses(() => addNumbers('1e50', '1'), OVERFLOW);
    refuses(() => addNumbers(D38, '0.1'), OVERFLOW);
    refuses(() => addNumbers('1e-100', '1'), OVERFLOW);
    // exactly 38 digits is fine
    assert.equal(addNumbers('1e37', '1'), `1${'0'.repeat(36)}1`);
  });
});

describe('numberByteSize', () => {
  test('matches the sizes measured against AWS (nubo-db dynamodb-conformance, 2026-08-18)', () => {
    const captured: [string, number][] = [
      ['0', 1], ['1', 2], ['12', 2], ['123', 3], ['1234', 3], [D38, 20], ['0042', 2], ['100', 2],
      ['1010', 3], ['0.0000001', 2], ['1E125', 2], ['1E-100', 2], ['1.5', 3], ['15', 2], ['1.2', 3],
      ['1.200', 3], ['1.234', 4], ['3.14159', 5], ['123456', 4], ['100.5', 4], ['0.15', 2], ['-42', 3], ['-0', 1],
    ];
    for (const [n, bytes] of captured) assert.equal(numberByteSize(n), bytes, n);
  });

  test('plain integers (the fast path) size as their general spelling does', () => {
    // `n.0` and `nE0` take parse's general path; plain integers of up to 15 digits do not.
    const ints = ['7', '-7', '10', '-10', '99', '100', '-100', '1000', '120000', '-120000', '123456789012345', '-100000000000000', '999999999999999', '1234567890123456'];
    for (const n of ints) {
      assert.equal(numberByteSize(n), numberByteSize(`${n}.0`), n);
      assert.equal(numberByteSize(n), numberByteSize(`${n}E0`), n);
    }
  });

  test('a negative of 20 base-100 digits has no terminator byte', () => {
    assert.equal(numberByteSize(`1${D38.slice(1)}0`), 21); // 38 digits, leading pair 01: 20 pairs
    assert.equal(numberByteSize(`-1${D38.slice(1)}0`), 21);
    assert.equal(numberByteSize(`-${D38}`), 21); // 19 pairs + terminator
  });
});

// A varied population: every sign, exponent extremes, long and short digit strings, and
// families sharing digit prefixes (1.5 / 1.52 / 15 / -1.5 ...), the cases memcmp gets wrong
// first.
function population(count: number, seed: number): string[] {
  let state = seed >>> 0;
  const rand = (n: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
  const out = ['0', '-0', '1', '-1', '1.5', '1.52', '15', '152', '-1.5', '-1.52', '-15', '1e-130', '-1e-130', MAX, `-${MAX}`, D38, `-${D38}`, '0.1', '0.01', '-0.1', '10', '100', '-10'];
  for (let i = 0; i < count; i++) {
    const len = rand(4) === 0 ? 38 : 1 + rand(rand(2) ? 6 : 38);
    let digits = String(1 + rand(9));
    for (let j = 1; j < len; j++) digits += String(rand(10));
    if (len > 1 && digits.endsWith('0')) digits = digits.slice(0, -1) + String(1 + rand(9));
    const sci = rand(3) === 0 ? rand(256) - 130 : rand(21) - 10;
    const sign = rand(2) ? '-' : '';
    const n = `${sign}${digits[0]}.${digits.slice(1)}e${sci}`;
    out.push(n);
    if (rand(5) === 0) out.push(`${sign}${digits[0]}.${digits.slice(1, 1 + rand(len))}e${sci}`); // a prefix sibling
  }
  return out.map((n) => normalizeNumber(n));
}

describe('encodeNumberKey', () => {
  const nums = population(3000, 20240601);

  test('Buffer.compare of encodings agrees with compareNumbers on random pairs', () => {
    const keys = nums.map((n) => encodeNumberKey(n));
    let state = 7;
    for (let k = 0; k < 40000; k++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      const i = state % nums.length;
      const j = (state >>> 11) % nums.length;
      assert.equal(Math.sign(Buffer.compare(keys[i]!, keys[j]!)), Math.sign(compareNumbers(nums[i]!, nums[j]!)), `${nums[i]} vs ${nums[j]}`);
    }
  });

  test('sorting by encoding sorts numerically', () => {
    const byNumber = [...nums].sort(compareNumbers);
    const byKey = [...nums].sort((a, b) => Buffer.compare(encodeNumberKey(a), encodeNumberKey(b)));
    assert.deepEqual(byKey, byNumber);
  });

  test('equal numbers encode identically, and decoding inverts encoding', () => {
    assert.deepEqual(encodeNumberKey('1.50'), encodeNumberKey('1.5'));
    assert.deepEqual(encodeNumberKey('1e2'), encodeNumberKey('100'));
    assert.deepEqual(encodeNumberKey('-0'), encodeNumberKey('0'));
    for (const n of nums) assert.equal(decodeNumberKey(encodeNumberKey(n)), n);
  });

  test('decodeNumberKey rejects bytes that are not an encoding', () => {
    assert.throws(() => decodeNumberKey(Buffer.from([0x07])));
    assert.throws(() => decodeNumberKey(Buffer.from([0x03, 0x80])));
    assert.throws(() => decodeNumberKey(Buffer.from([0x03, 0x80, 0x00, 0x0c])));
  });
});
