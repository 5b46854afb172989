import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJsonInput } from '../../../src/protocols/json.js';
import { document, map, string, structure, type StructureShape } from '../../../src/protocols/shapes.js';
import {
  attributeMapReadError,
  attributeValueReadError,
  attributeValueSize,
  compareScalars,
  decodeKeyValue,
  encodeKeyValue,
  itemSize,
  validateAttributeValue,
  validateItem,
  valuesEqual,
} from '../../../src/services/dynamodb/engine/values.js';
import type { AttributeValue } from '../../../src/services/dynamodb/engine/types.js';
import { throwsAws as refuses } from '../../helpers/aws-errors.js';

const INVALID = 'One or more parameter values were invalid: ';
const EMPTY = 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes';
const MULTIPLE = 'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes';

const invalid = (v: unknown, message: string, style?: 'legacy' | 'current') =>
  refuses(() => validateAttributeValue(v, style ? { style } : {}), 'ValidationException', message);
const unserializable = (v: unknown, message: string) => refuses(() => validateAttributeValue(v), 'SerializationException', message);

describe('validateAttributeValue accepts', () => {
  test('every type, returning numbers normalized and sets in the client order', () => {
    const cases: [unknown, AttributeValue][] = [
      [{ S: 'x' }, { S: 'x' }],
      [{ S: '' }, { S: '' }],
      [{ N: '1.50' }, { N: '1.5' }],
      [{ N: '-0' }, { N: '0' }],
      [{ B: 'AAEC' }, { B: 'AAEC' }],
      [{ B: '' }, { B: '' }],
      [{ BOOL: false }, { BOOL: false }],
      [{ NULL: true }, { NULL: true }],
      [{ SS: ['b', 'a', ''] }, { SS: ['b', 'a', ''] }],
      [{ NS: ['10', '1e0', '-2.50'] }, { NS: ['10', '1', '-2.5'] }],
      [{ BS: ['/w==', 'AA=='] }, { BS: ['/w==', 'AA=='] }],
      [{ L: [] }, { L: [] }],
      [{ M: {} }, { M: {} }],
      [
        { M: { a: { L: [{ N: '1e2' }, { M: { b: { NS: ['0.10'] } } }] } } },
        { M: { a: { L: [{ N: '100' }, { M: { b: { NS: ['0.1'] } } }] } } },
      ],
    ];
    for (const [input, want] of cases) assert.deepEqual(validateAttributeValue(input), want, JSON.stringify(input));
  });

  test('ignores null and unknown members, and reads booleans from strings as DynamoDB does', () => {
    assert.deepEqual(validateAttributeValue({ S: 'a', N: null, X: 1 }), { S: 'a' });
    assert.deepEqual(validateAttributeValue({ BOOL: 'yes' }), { BOOL: true });
    assert.deepEqual(validateAttributeValue({ BOOL: 'False' }), { BOOL: false });
    assert.deepEqual(validateAttributeValue({ NULL: '1' }), { NULL: true });
  });

  test('validateItem checks every attribute and normalizes nested numbers', () => {
    assert.deepEqual(validateItem({ pk: { S: 'k' }, n: { N: '007' }, m: { M: { x: { NS: ['1e1'] } } } }), {
      pk: { S: 'k' },
      n: { N: '7' },
      m: { M: { x: { NS: ['10'] } } },
    });
  });
});

describe('validateAttributeValue refuses', () => {
  test('no type or more than one', () => {
    for (const v of [{}, { a: '' }, { S: null }]) invalid(v, EMPTY);
    invalid({ M: { a: {} } }, EMPTY);
    invalid({ L: [{}] }, EMPTY);
    invalid({ L: [{ a: {} }] }, EMPTY);
    invalid({ L: [null] }, EMPTY);
    invalid({ S: 'a', N: '1' }, MULTIPLE);
    invalid({ S: 'a', BOOL: true }, MULTIPLE);
    invalid({ M: {}, L: [] }, MULTIPLE);
  });

  test('a bad member before the count: {S, N: bad} reports the number', () => {
    invalid({ S: 'a', N: 'b' }, 'The parameter cannot be converted to a numeric value: b');
    invalid({ S: '', N: '' }, 'The parameter cannot be converted to a numeric value');
    invalid({ S: '', N: '' }, 'The parameter cannot be converted to a numeric value: ', 'current');
    invalid({ S: 'a', SS: [] }, `${INVALID}An string set  may not be empty`);
  });

  test('NULL that is not true', () => {
    invalid({ NULL: false }, `${INVALID}Null attribute value types must have the value of true`);
    invalid({ NULL: 'no' }, `${INVALID}Null attribute value types must have the value of true`);
  });

  test('empty sets, in AWS wording (double space included)', () => {
    invalid({ SS: [] }, `${INVALID}An string set  may not be empty`);
    invalid({ NS: [] }, `${INVALID}An number set  may not be empty`);
    invalid({ BS: [] }, `${INVALID}Binary sets should not be empty`);
    invalid({ M: { x: { L: [{ SS: [] }] } } }, `${INVALID}An string set  may not be empty`);
  });

  test('duplicates, legacy wording (the default)', () => {
    invalid({ SS: ['a', 'a'] }, `${INVALID}Input collection [a, a] contains duplicates.`);
    invalid({ SS: ['b', 'a', 'b'] }, `${INVALID}Input collection [b, a, b] contains duplicates.`);
    invalid({ BS: ['Yg==', 'Yg=='] }, `${INVALID}Input collection [Yg==, Yg==]of type BS contains duplicates.`);
    invalid({ BS: ['/w==', 'AA==', 'AA=='] }, `${INVALID}Input collection [/w==, AA==, AA==]of type BS contains duplicates.`);
    invalid({ NS: ['1', '1'] }, 'Input collection contains duplicates');
    invalid({ NS: ['2', '1', '2.0'] }, 'Input collection contains duplicates'); // numerically equal
  });

  test('duplicates, current wording: quoted, byte order up to the repeat, then as sent', () => {
    invalid({ SS: ['b', 'a', 'b'] }, `${INVALID}Input collection ["a", "b", "b"] contains duplicates.`, 'current');
    invalid({ SS: ['a', 'a'] }, `${INVALID}Input collection ["a", "a"] contains duplicates.`, 'current');
    invalid({ SS: ['c', 'b', 'c', 'a'] }, `${INVALID}Input collection ["b", "c", "c", "a"] contains duplicates.`, 'current');
    invalid({ BS: ['/w==', 'AA==', 'AA=='] }, `${INVALID}Input collection ["AA==","/w==","AA=="]of type BS contains duplicates.`, 'current');
    invalid({ NS: ['2', '1', '2'] }, `${INVALID}Input collection contains duplicates.`, 'current');
  });

  test('invalid numbers anywhere, with numbers.ts messages', () => {
    invalid({ N: '1e126' }, 'Number overflow. Attempting to store a number with magnitude larger than supported range');
    invalid({ N: '-1e-131' }, 'Number underflow. Attempting to store a number with magnitude smaller than supported range');
    invalid({ N: '123456789012345678901234567890123456789' }, 'Attempting to store more than 38 significant digits in a Number');
    invalid({ NS: ['1', ''] }, 'The parameter cannot be converted to a numeric value');
    invalid({ NS: ['1', 'b'] }, 'The parameter cannot be converted to a numeric value: b');
    invalid({ M: { a: { L: [{ N: 'abc' }] } } }, 'The parameter cannot be converted to a numeric value: abc', 'current');
  });

  test('null set members', () => {
    invalid({ SS: ['a', null] }, `${INVALID}An string set may not have a null string as a member`);
    invalid({ NS: ['1', null] }, 'The parameter cannot be converted to a numeric value');
    invalid({ BS: ['AA==', null] }, 'The supplied Item contains a null AttributeValue');
  });

  test('members of the wrong JSON type, as SerializationException', () => {
    unserializable({ N: 5 }, 'NUMBER_VALUE cannot be converted to String');
    unserializable({ N: 1.5 }, 'DECIMAL_VALUE cannot be converted to String');
    unserializable({ S: true }, 'TRUE_VALUE cannot be converted to String');
    unserializable({ S: ['a'] }, 'Unrecognized collection type class java.lang.String');
    unserializable({ S: { a: 1 } }, 'Start of structure or map found where not expected');
    unserializable({ SS: [1] }, 'NUMBER_VALUE cannot be converted to String');
    unserializable({ SS: 'a' }, 'Unexpected field type');
    unserializable({ L: {} }, 'Start of structure or map found where not expected');
    unserializable({ M: [] }, 'Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>');
    unserializable({ M: 'x' }, 'Unexpected field type');
    unserializable({ BOOL: 1 }, 'NUMBER_VALUE cannot be converted to Boolean');
    unserializable({ BOOL: 'maybe' }, 'Unexpected token received from parser');
    unserializable({ B: 5 }, 'only base-64-encoded strings are convertible to bytes');
    unserializable({ B: 'abc' }, 'Base64 encoded length is expected a multiple of 4 bytes but found: 3');
    unserializable({ B: 'ab!=' }, 'Invalid last non-pad Base64 character dectected');
    unserializable('x', 'Unexpected value type in payload');
    unserializable([], 'Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue');
    unserializable({ L: [5] }, 'Unexpected value type in payload');
  });

  test('the JSON pass runs over the whole value first', () => {
    // The empty set comes first in the value, but the wrong JSON type anywhere wins.
    refuses(() => validateItem({ a: { SS: [] }, b: { N: 5 } }), 'SerializationException', 'NUMBER_VALUE cannot be converted to String');
    refuses(() => validateItem([]), 'SerializationException', 'Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>');
  });
});

describe('valuesEqual', () => {
  const eq = (a: AttributeValue, b: AttributeValue, want: boolean) => {
    assert.equal(valuesEqual(a, b), want, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    assert.equal(valuesEqual(b, a), want);
  };
  test('scalars', () => {
    eq({ S: 'a' }, { S: 'a' }, true);
    eq({ S: 'a' }, { S: 'b' }, false);
    eq({ N: '1.5' }, { N: '1.50' }, true);
    eq({ N: '100' }, { N: '1e2' }, true);
    eq({ N: '1' }, { S: '1' }, false);
    eq({ B: 'AAE=' }, { B: 'AAE=' }, true);
    eq({ B: 'AAE=' }, { B: 'AAI=' }, false);
    eq({ BOOL: true }, { BOOL: true }, true);
    eq({ BOOL: true }, { BOOL: false }, false);
    eq({ NULL: true }, { NULL: true }, true);
  });
  test('sets are unordered', () => {
    eq({ SS: ['a', 'b'] }, { SS: ['b', 'a'] }, true);
    eq({ SS: ['a', 'b'] }, { SS: ['a', 'c'] }, false);
    eq({ SS: ['a'] }, { SS: ['a', 'b'] }, false);
    eq({ NS: ['1', '2.5'] }, { NS: ['2.50', '1'] }, true);
    eq({ BS: ['AA==', '/w=='] }, { BS: ['/w==', 'AA=='] }, true);
    eq({ SS: ['1'] }, { NS: ['1'] }, false);
  });
  test('maps and lists are deep; lists are ordered', () => {
    eq({ M: { a: { N: '1' }, b: { L: [{ S: 'x' }] } } }, { M: { b: { L: [{ S: 'x' }] }, a: { N: '1.0' } } }, true);
    eq({ M: { a: { N: '1' } } }, { M: { a: { N: '2' } } }, false);
    eq({ M: { a: { N: '1' } } }, { M: { b: { N: '1' } } }, false);
    eq({ M: { a: { N: '1' } } }, { M: { a: { N: '1' }, b: { NULL: true } } }, false);
    eq({ L: [{ N: '1' }, { N: '2' }] }, { L: [{ N: '2' }, { N: '1' }] }, false);
    eq({ L: [{ SS: ['a', 'b'] }] }, { L: [{ SS: ['b', 'a'] }] }, true);
    eq({ L: [] }, { M: {} }, false);
  });
});

describe('compareScalars and key encoding', () => {
  test('strings order by UTF-8 bytes, not UTF-16 code units', () => {
    const astral = '\u{1F600}'; // UTF-16 D83D DE00, UTF-8 F0 9F 98 80
    const privateUse = '\uE000'; // UTF-8 EE 80 80
    assert.ok(astral < privateUse, 'JavaScript orders the astral character first');
    assert.equal(compareScalars({ S: astral }, { S: privateUse }), 1);
    assert.equal(compareScalars({ S: privateUse }, { S: astral }), -1);
    assert.equal(compareScalars({ S: '\uFFFF' }, { S: '\u{10000}' }), -1);
    assert.equal(compareScalars({ S: 'a' }, { S: 'ab' }), -1);
    assert.equal(compareScalars({ S: 'B' }, { S: 'a' }), -1);
    assert.equal(compareScalars({ S: 'x' }, { S: 'x' }), 0);
  });

  test('numbers numerically, binaries as unsigned bytes, other types not at all', () => {
    assert.equal(compareScalars({ N: '10' }, { N: '9' }), 1);
    assert.equal(compareScalars({ N: '-10' }, { N: '9' }), -1);
    assert.equal(compareScalars({ N: '1.0' }, { N: '1' }), 0);
    assert.equal(compareScalars({ B: '/w==' }, { B: 'AA==' }), 1); // 0xFF > 0x00
    assert.equal(compareScalars({ B: 'AA==' }, { B: 'AAA=' }), -1);
    assert.equal(compareScalars({ S: '1' }, { N: '1' }), undefined);
    assert.equal(compareScalars({ BOOL: true }, { BOOL: false }), undefined);
    assert.equal(compareScalars({ SS: ['a'] }, { SS: ['a'] }), undefined);
  });

  test('encodeKeyValue preserves compareScalars order and decodes back', () => {
    let state = 99;
    const rand = (n: number) => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state % n;
    };
    const pool = ['a', 'é', '\uE000', '\uFFFD', '\u{1F600}', '\u{10FFFF}', 'Z', '0', ' ', '\u00FF'];
    const strings: AttributeValue[] = [];
    const binaries: AttributeValue[] = [];
    const numbers: AttributeValue[] = [];
    for (let i = 0; i < 400; i++) {
      let s = '';
      for (let j = rand(5); j > 0; j--) s += pool[rand(pool.length)];
      strings.push({ S: s });
      binaries.push({ B: Buffer.from(Array.from({ length: rand(4) }, () => rand(256))).toString('base64') });
      numbers.push(validateAttributeValue({ N: `${rand(2) ? '-' : ''}${rand(1000)}.${rand(100)}e${rand(60) - 30}` }));
    }
    for (const [type, list] of [['S', strings], ['B', binaries], ['N', numbers]] as const) {
      for (let k = 0; k < 3000; k++) {
        const a = list[rand(list.length)]!;
        const b = list[rand(list.length)]!;
        assert.equal(Math.sign(Buffer.compare(encodeKeyValue(a), encodeKeyValue(b))), compareScalars(a, b));
      }
      for (const v of list) assert.deepEqual(decodeKeyValue(type, encodeKeyValue(v)), v);
    }
    assert.throws(() => encodeKeyValue({ BOOL: true }));
  });
});

describe('sizes', () => {
  test('each type', () => {
    const cases: [AttributeValue, number][] = [
      [{ S: '' }, 0],
      [{ S: 'abc' }, 3],
      [{ S: 'é' }, 2],
      [{ S: '\u{1F600}' }, 4],
      [{ N: '0' }, 1],
      [{ N: '1' }, 2],
      [{ N: '3.14159' }, 5],
      [{ N: '-42' }, 3],
      [{ B: '' }, 0],
      [{ B: 'AAEC' }, 3],
      [{ B: 'AA==' }, 1],
      [{ BOOL: false }, 1],
      [{ NULL: true }, 1],
      [{ SS: ['ab', 'é'] }, 4],
      [{ NS: ['1', '123'] }, 5],
      [{ BS: ['AA==', 'AAE='] }, 3],
      [{ L: [] }, 3],
      [{ M: {} }, 3],
      [{ L: [{ S: 'ab' }, { N: '1' }] }, 3 + (1 + 2) + (1 + 2)],
      [{ M: { ab: { S: 'xyz' }, c: { NULL: true } } }, 3 + (2 + 1 + 3) + (1 + 1 + 1)],
      [{ M: { a: { L: [{ M: {} }] } } }, 3 + (1 + 1 + (3 + 1 + 3))],
    ];
    for (const [v, size] of cases) assert.equal(attributeValueSize(v), size, JSON.stringify(v));
  });

  test('an item adds each attribute name in UTF-8', () => {
    assert.equal(itemSize({}), 0);
    assert.equal(itemSize({ pk: { S: 'key' }, 'ñ': { N: '12' }, l: { L: [{ BOOL: true }] } }), 2 + 3 + 2 + 2 + 1 + (3 + 1 + 1));
    const big = { pk: { S: 'k' }, data: { S: 'x'.repeat(409_593) } };
    assert.equal(itemSize(big), 409_600);
  });
});

describe('attribute maps read whole by the codec', () => {
  // The generic check of a map of AttributeValues, which attributeMapReadError stands in for.
  const generic = structure({ Item: { shape: map(string(), document({ read: (v) => attributeValueReadError(v) }), { javaName: 'AttributeValue' }) } });
  const whole = structure({ Item: { shape: document({ read: attributeMapReadError }) } });
  const answer = (shape: StructureShape, body: string) => {
    try {
      decodeJsonInput(shape, Buffer.from(body), true);
      return 'ok';
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  };
  let deep = '{"S":"x"}';
  for (let i = 0; i < 40; i++) deep = `{"L":[${deep}]}`;

  test('answer exactly as the generic map check does', () => {
    const items = [
      '[]', '"x"', '5', 'true', '{}', '{"a":null}', '{"a":[]}', '{"a":"x"}', '{"a":{"S":5}}', '{"a":{"S":"x"},"b":null}',
      '{"a":{"S":"x"},"b":{"N":[1]}}', `{"a":${deep},"b":{"S":7}}`, `{"a":${deep}}`, '{"a":{"BOOL":"yes"},"b":{"SS":["x",null]}}',
      '{"a":{"B":"abc"}}', '{"a":{"M":{"b":{"L":[{"NULL":"x"}]}}}}', '{"\\ud800":{"S":"x"}}', '{"__proto__":{"S":"x"}}',
    ];
    for (const item of items) {
      const body = `{"Item":${item}}`;
      assert.equal(answer(whole, body), answer(generic, body), body);
    }
  });

  test('the engine check of a map the codec read gives what it gives unread', () => {
    const items = [
      '{"pk":{"S":"a"},"n":{"N":"1.50"},"b":{"BOOL":"TRUE"},"x":{"S":"y","foo":1,"N":null},"m":{"M":{"l":{"L":[{"NS":["2","1.0"]},{"NULL":true}]}}}}',
      '{"pk":{"S":"a"},"bad":{"NULL":false}}',
      `{"pk":{"S":"a"},"deep":${deep}}`,
      '{"\\ud800":{"S":"x"}}',
    ];
    const check = (v: unknown) => {
      try {
        return JSON.stringify(validateItem(v));
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
    };
    for (const text of items) {
      const read = JSON.parse(text) as Record<string, unknown>;
      assert.equal(attributeMapReadError(read), undefined, text);
      assert.equal(check(read), check(JSON.parse(text)), text);
    }
  });
});
