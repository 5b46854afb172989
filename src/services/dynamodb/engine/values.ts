/**
 * DynamoDB attribute values: checking them as they arrive, comparing them, encoding key values
 * as order-preserving bytes, and sizing items.
 *
 * A value is checked in two passes, as DynamoDB does: the whole value is first read as JSON
 * against the AttributeValue shape (a member of the wrong JSON type is a SerializationException,
 * worded as DynamoDB's Java deserializer words it), and only then validated (empty or
 * multi-typed values, empty sets, duplicates, NULL: false, numbers: ValidationException).
 * Numbers come back normalized; sets keep the client's element order.
 */
import { setOwn } from '../../../lib/own.js';
import { SerializationException } from '../../../protocols/errors.js';
import { isBase64 } from '../../../protocols/shapes.js';
import { ValidationException } from '../errors.js';
import {
  compareNumbers,
  decodeNumberKey,
  encodeNumberKey,
  normalizeNumber,
  numberByteSize,
  NUMBER_ERRORS,
  type MessageStyle,
} from './numbers.js';
import { typeOf, type AttributeValue, type Item } from './types.js';

export type { MessageStyle } from './numbers.js';

export interface ValueCheckOptions {
  /** Wording of malformed-number and duplicate-set errors; see MessageStyle. Default `legacy`. */
  style?: MessageStyle;
}

const INVALID = 'One or more parameter values were invalid: ';
export const VALUE_ERRORS = {
  empty: 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes',
  multiple: 'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes',
  nullFalse: `${INVALID}Null attribute value types must have the value of true`,
  // "An string set  may not be empty": AWS's own grammar and double space.
  emptySS: `${INVALID}An string set  may not be empty`,
  emptyNS: `${INVALID}An number set  may not be empty`,
  emptyBS: `${INVALID}Binary sets should not be empty`,
  nullInSS: `${INVALID}An string set may not have a null string as a member`,
  nullInBS: 'The supplied Item contains a null AttributeValue',
  tooDeep: 'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit',
} as const;

/**
 * DynamoDB's document nesting limit: 31 lists or maps inside one another are taken, 32 are not
 * (observed against DynamoDB). Checked while the value is first read, so a value nested
 * thousands of levels deep costs no more than 32 levels of recursion anywhere after.
 */
export const MAX_NESTING = 32;

// Pass 1: JSON shape (SerializationException) ------------------------------------------------

type Shaped = Record<string, unknown>;
const AV_CLASS = 'com.amazonaws.dynamodb.v20120810.AttributeValue';
const START_OF_MAP = 'Start of structure or map found where not expected';

function serialization(message: string): never {
  throw new SerializationException(message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

function token(v: number | boolean): string {
  if (typeof v === 'boolean') return v ? 'TRUE_VALUE' : 'FALSE_VALUE';
  return Number.isInteger(v) ? 'NUMBER_VALUE' : 'DECIMAL_VALUE';
}

function shapeString(v: unknown): string {
  if (typeof v === 'string') {
    // A lone surrogate (`"\ud800"` in the JSON) has no UTF-8 form: it would be stored as U+FFFD
    // and collide with a real U+FFFD key. DynamoDB's wording is unconfirmed (its
    // SerializationExceptions for bad encodings carry no message).
    if (!isWellFormed(v)) serialization('');
    return v;
  }
  if (typeof v === 'number' || typeof v === 'boolean') serialization(`${token(v)} cannot be converted to String`);
  if (Array.isArray(v)) serialization('Unrecognized collection type class java.lang.String');
  return serialization(START_OF_MAP);
}

/** DynamoDB's deserializer reads true/false/1/0/yes/no (any case) from a string as a Boolean. */
function shapeBoolean(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') serialization(`${token(v)} cannot be converted to Boolean`);
  if (typeof v === 'string') {
    const u = v.toUpperCase();
    if (u === 'TRUE' || u === '1' || u === 'YES') return true;
    if (u === 'FALSE' || u === '0' || u === 'NO') return false;
    serialization('Unexpected token received from parser');
  }
  if (Array.isArray(v)) serialization('Unrecognized collection type class java.lang.Boolean');
  return serialization(START_OF_MAP);
}

function shapeBlob(v: unknown): string {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (typeof v === 'number' || typeof v === 'boolean') serialization('only base-64-encoded strings are convertible to bytes');
  if (Array.isArray(v)) serialization('Unrecognized collection type class java.nio.ByteBuffer');
  if (typeof v !== 'string') serialization(START_OF_MAP);
  if (v.length % 4 !== 0) serialization(`Base64 encoded length is expected a multiple of 4 bytes but found: ${v.length}`);
  if (!isBase64(v)) serialization('Invalid last non-pad Base64 character dectected'); // sic
  return v;
}

function shapeList<T>(v: unknown, member: (m: unknown) => T): (T | null)[] {
  if (!Array.isArray(v)) serialization(isObject(v) ? START_OF_MAP : 'Unexpected field type');
  return v.map((m) => (m === null || m === undefined ? null : member(m)));
}

/** A map of attribute values (an item, or an M value `depth` lists and maps deep). */
function shapeMap(v: unknown, depth = 0): Record<string, Shaped | null> {
  if (Array.isArray(v)) serialization(`Unrecognized collection type java.util.Map<java.lang.String, ${AV_CLASS}>`);
  if (!isObject(v)) serialization('Unexpected field type');
  const out: Record<string, Shaped | null> = {};
  for (const [k, m] of Object.entries(v)) {
    if (!isWellFormed(k)) serialization('');
    setOwn(out, k, m === null || m === undefined ? null : shapeValue(m, depth));
  }
  return out;
}

/** `String.prototype.isWellFormed` (ES2024, in Node 20) where the compile target lacks its type. */
const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

/**
 * Reads one AttributeValue's JSON; unknown and null members are dropped, as DynamoDB does.
 * `depth` counts the lists and maps it is inside.
 */
function shapeValue(v: unknown, depth = 0): Shaped {
  if (Array.isArray(v)) serialization(`Unrecognized collection type class ${AV_CLASS}`);
  if (!isObject(v)) serialization('Unexpected value type in payload');
  const out: Shaped = {};
  for (const [type, m] of Object.entries(v)) {
    if (m === null || m === undefined) continue;
    switch (type) {
      case 'S':
      case 'N':
        out[type] = shapeString(m);
        break;
      case 'B':
        out[type] = shapeBlob(m);
        break;
      case 'BOOL':
      case 'NULL':
        out[type] = shapeBoolean(m);
        break;
      case 'SS':
      case 'NS':
        out[type] = shapeList(m, shapeString);
        break;
      case 'BS':
        out[type] = shapeList(m, shapeBlob);
        break;
      case 'L':
        if (depth + 1 >= MAX_NESTING) invalid(VALUE_ERRORS.tooDeep);
        out[type] = shapeList(m, (e) => shapeValue(e, depth + 1));
        break;
      case 'M':
        if (depth + 1 >= MAX_NESTING) invalid(VALUE_ERRORS.tooDeep);
        out[type] = shapeMap(m, depth + 1);
        break;
      default: // not a member of AttributeValue: ignored
    }
  }
  return out;
}

// Pass 2: DynamoDB's validation (ValidationException) ----------------------------------------

function invalid(message: string): never {
  throw new ValidationException(message);
}

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
const bytes = (b64: string): Buffer => Buffer.from(b64, 'base64');

/** Index of the first member equal (by `key`) to an earlier one, or -1. */
function firstRepeat<T>(members: T[], key: (m: T) => string): number {
  const seen = new Set<string>();
  for (let i = 0; i < members.length; i++) {
    const k = key(members[i]!);
    if (seen.has(k)) return i;
    seen.add(k);
  }
  return -1;
}

/** The `current` listing: members before the repeat in byte order, the repeat, the rest as sent. */
function currentListing(members: string[], at: number, toBytes: (m: string) => Buffer): string[] {
  const before = members.slice(0, at).sort((a, b) => Buffer.compare(toBytes(a), toBytes(b)));
  return [...before, ...members.slice(at)];
}

function checkSet(type: 'SS' | 'NS' | 'BS', raw: (string | null)[], style: MessageStyle): string[] {
  if (raw.length === 0) invalid(type === 'SS' ? VALUE_ERRORS.emptySS : type === 'NS' ? VALUE_ERRORS.emptyNS : VALUE_ERRORS.emptyBS);
  if (type === 'NS') {
    const nums = raw.map((n) => (n === null ? invalid(NUMBER_ERRORS.notNumeric) : normalizeNumber(n, style)));
    if (firstRepeat(nums, (n) => n) >= 0) {
      invalid(style === 'legacy' ? 'Input collection contains duplicates' : `${INVALID}Input collection contains duplicates.`);
    }
    return nums;
  }
  if (raw.includes(null)) invalid(type === 'SS' ? VALUE_ERRORS.nullInSS : VALUE_ERRORS.nullInBS);
  const members = raw as string[];
  const at = firstRepeat(members, type === 'SS' ? (s) => s : (b) => bytes(b).toString('base64'));
  if (at >= 0) {
    if (type === 'SS') {
      const list = style === 'legacy' ? members.join(', ') : currentListing(members, at, utf8).map((s) => JSON.stringify(s)).join(', ');
      invalid(`${INVALID}Input collection [${list}] contains duplicates.`);
    }
    const list = style === 'legacy' ? `[${members.join(', ')}]` : JSON.stringify(currentListing(members, at, bytes));
    invalid(`${INVALID}Input collection ${list}of type BS contains duplicates.`);
  }
  return [...members];
}

function checkValue(sh: Shaped | null, style: MessageStyle): AttributeValue {
  const types = sh ? Object.keys(sh) : [];
  if (!sh || types.length === 0) invalid(VALUE_ERRORS.empty);
  let result: AttributeValue | undefined;
  for (const type of types) {
    const m = sh[type];
    switch (type) {
      case 'S':
        result = { S: m as string };
        break;
      case 'B':
        result = { B: m as string };
        break;
      case 'N':
        result = { N: normalizeNumber(m as string, style) };
        break;
      case 'BOOL':
        result = { BOOL: m as boolean };
        break;
      case 'NULL':
        if (m !== true) invalid(VALUE_ERRORS.nullFalse);
        result = { NULL: true };
        break;
      case 'SS':
      case 'NS':
      case 'BS': {
        const members = checkSet(type, m as (string | null)[], style);
        result = type === 'SS' ? { SS: members } : type === 'NS' ? { NS: members } : { BS: members };
        break;
      }
      case 'L':
        result = { L: (m as (Shaped | null)[]).map((e) => checkValue(e, style)) };
        break;
      case 'M': {
        const out: Item = {};
        for (const [k, e] of Object.entries(m as Record<string, Shaped | null>)) setOwn(out, k, checkValue(e, style));
        result = { M: out };
        break;
      }
    }
  }
  // Every member is checked before the count, so {S: "a", N: "x"} reports the bad number.
  if (types.length > 1) invalid(VALUE_ERRORS.multiple);
  return result!;
}

/**
 * Pass 1 alone, for the codec's validation pass (define.ts): the SerializationException reading
 * this AttributeValue raises, if any. A value nested too deep is left to the engine's pass,
 * which words it for the member it is in. `field`: the value is a structure's member
 * (Expected's Value), where Coral words a non-object differently.
 */
export function attributeValueReadError(v: unknown, field = false): Error | undefined {
  if (field && !isObject(v) && !Array.isArray(v)) return new SerializationException('Unexpected field type');
  try {
    shapeValue(v);
    return undefined;
  } catch (e) {
    if (e instanceof SerializationException) return e;
    if (e instanceof ValidationException) return undefined;
    throw e;
  }
}

/**
 * The maps of attribute values the codec read clean (attributeMapReadError), with their pass-1
 * copies: validateItem takes the copy instead of reading the same JSON again. Weak: an entry
 * lives as long as the request's decoded input.
 */
const readByCodec = new WeakMap<object, Record<string, Shaped>>();
/**
 * Only maps of more attributes than this are kept: for a key of one or two attributes, reading
 * again costs less than a WeakMap entry (measured: GetItem's decode and key check 6 % cheaper
 * without it, PutItem's with a six-attribute item 20 % cheaper with it).
 */
const KEEP_ABOVE = 4;

/**
 * Pass 1 of a whole map of attribute values (an item, a key, ExpressionAttributeValues) for the
 * codec's validation pass (define.ts): the SerializationException reading it raises, if any,
 * worded as Coral words a map of AttributeValue and each value in it (a null value: no message).
 * One call per map, where a generic map check would build two member paths per attribute
 * and read each value once more in the engine. A value nested too deep is left to the engine's
 * pass, as attributeValueReadError leaves it.
 */
export function attributeMapReadError(v: unknown): Error | undefined {
  if (Array.isArray(v)) return new SerializationException(`Unrecognized collection type java.util.Map<java.lang.String, ${AV_CLASS}>`);
  if (!isObject(v)) return new SerializationException('Unexpected field type');
  const copy: Record<string, Shaped> = {};
  // Kept for validateItem only when pass 1 would give this copy without an error.
  let whole = true;
  const keys = Object.keys(v);
  for (const k of keys) {
    const m = v[k];
    if (m === null || m === undefined) return new SerializationException('');
    if (!isWellFormed(k)) whole = false;
    try {
      setOwn(copy, k, shapeValue(m));
    } catch (e) {
      if (e instanceof SerializationException) return e;
      if (!(e instanceof ValidationException)) throw e;
      whole = false;
    }
  }
  if (whole && keys.length > KEEP_ABOVE) readByCodec.set(v, copy);
  return undefined;
}

/** Checks a wire AttributeValue as DynamoDB does; returns it with every number normalized. */
export function validateAttributeValue(v: unknown, opts: ValueCheckOptions = {}): AttributeValue {
  return checkValue(shapeValue(v), opts.style ?? 'legacy');
}

/** Checks a wire item (map of attribute name to AttributeValue); numbers come back normalized. */
export function validateItem(item: unknown, opts: ValueCheckOptions = {}): Item {
  const shaped = (isObject(item) && readByCodec.get(item)) || shapeMap(item);
  const out: Item = {};
  for (const [name, v] of Object.entries(shaped)) setOwn(out, name, checkValue(v, opts.style ?? 'legacy'));
  return out;
}

// Comparison ----------------------------------------------------------------------------------

function sameSet(a: string[], b: string[], key: (m: string) => string): boolean {
  if (a.length !== b.length) return false;
  const keys = new Set(a.map(key));
  return b.every((m) => keys.has(key(m)));
}

/** Deep equality as DynamoDB compares: numbers numerically, sets unordered, binaries by bytes. */
export function valuesEqual(a: AttributeValue, b: AttributeValue): boolean {
  const t = typeOf(a);
  if (t !== typeOf(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  switch (t) {
    case 'S':
    case 'BOOL':
    case 'NULL':
      return x[t] === y[t];
    case 'N':
      return compareNumbers(x.N as string, y.N as string) === 0;
    case 'B':
      return bytes(x.B as string).equals(bytes(y.B as string));
    case 'SS':
      return sameSet(x.SS as string[], y.SS as string[], (s) => s);
    case 'NS':
      return sameSet(x.NS as string[], y.NS as string[], (n) => normalizeNumber(n));
    case 'BS':
      return sameSet(x.BS as string[], y.BS as string[], (s) => bytes(s).toString('base64'));
    case 'L': {
      const la = x.L as AttributeValue[];
      const lb = y.L as AttributeValue[];
      return la.length === lb.length && la.every((e, i) => valuesEqual(e, lb[i]!));
    }
    case 'M': {
      const ma = x.M as Item;
      const mb = y.M as Item;
      const ka = Object.keys(ma);
      return ka.length === Object.keys(mb).length && ka.every((k) => Object.hasOwn(mb, k) && valuesEqual(ma[k]!, mb[k]!));
    }
  }
}

/**
 * Order of two scalars of one type, as DynamoDB orders them: S by UTF-8 bytes (not JavaScript's
 * UTF-16 order, which differs for astral characters against U+E000..U+FFFF), N numerically, B by
 * unsigned bytes (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html,
 * ScanIndexForward). Undefined when the types differ or are not S, N or B.
 */
export function compareScalars(a: AttributeValue, b: AttributeValue): number | undefined {
  const t = typeOf(a);
  if (t !== typeOf(b)) return undefined;
  if ('S' in a && 'S' in b) return Buffer.compare(utf8(a.S), utf8(b.S));
  if ('N' in a && 'N' in b) return Math.sign(compareNumbers(a.N, b.N));
  if ('B' in a && 'B' in b) return Buffer.compare(bytes(a.B), bytes(b.B));
  return undefined;
}

// Key encoding --------------------------------------------------------------------------------

/** memcmp-ordered bytes of a key value: S as UTF-8, N via encodeNumberKey, B raw. */
export function encodeKeyValue(v: AttributeValue): Buffer {
  if ('S' in v) return utf8(v.S);
  if ('N' in v) return encodeNumberKey(v.N);
  if ('B' in v) return bytes(v.B);
  throw new Error(`a ${typeOf(v)} value cannot be a key`);
}

export function decodeKeyValue(type: 'S' | 'N' | 'B', buf: Buffer): AttributeValue {
  if (type === 'S') return { S: buf.toString('utf8') };
  if (type === 'N') return { N: decodeNumberKey(buf) };
  return { B: buf.toString('base64') };
}

// Sizes ---------------------------------------------------------------------------------------
//
// DynamoDB's item size (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
// the sum over attributes of the attribute name's UTF-8 length plus the value's size, where
//   S        UTF-8 bytes               B     raw (decoded) bytes
//   N        numberByteSize: 1 exponent byte + 1 per base-100 digit pair + 1 if negative
//            (the guide's "about 1 byte per two significant digits + 1"; exact rule and
//            evidence in numbers.ts)
//   BOOL     1                         NULL  1
//   SS/NS/BS the sum of the members' sizes
//   L        3 + for each element (1 + its size)
//   M        3 + for each entry (UTF-8 name length + 1 + its size)
// The 3-byte and 1-byte-per-element overheads are the guide's; the same figures are in DynamoDB
// Local's LocalDBUtils.getAttributeValueSizeBytes and in dynalite.

export function attributeValueSize(v: AttributeValue): number {
  if ('S' in v) return Buffer.byteLength(v.S, 'utf8');
  if ('N' in v) return numberByteSize(v.N);
  if ('B' in v) return Buffer.byteLength(v.B, 'base64');
  if ('BOOL' in v || 'NULL' in v) return 1;
  if ('SS' in v) return v.SS.reduce((n, s) => n + Buffer.byteLength(s, 'utf8'), 0);
  if ('NS' in v) return v.NS.reduce((n, s) => n + numberByteSize(s), 0);
  if ('BS' in v) return v.BS.reduce((n, s) => n + Buffer.byteLength(s, 'base64'), 0);
  if ('L' in v) return v.L.reduce((n, e) => n + 1 + attributeValueSize(e), 3);
  return 3 + Object.keys(v.M).length + itemSize(v.M);
}

export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, v] of Object.entries(item)) size += Buffer.byteLength(name, 'utf8') + attributeValueSize(v);
  return size;
}
