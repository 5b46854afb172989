/**
 * DynamoDB numbers, exactly, never through JavaScript floats.
 *
 * A DynamoDB Number is a decimal with at most 38 significant digits and a magnitude between
 * 1E-130 and 9.9999999999999999999999999999999999999E+125, or zero
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html).
 * The wire form is whatever Java's BigDecimal parses (`+3`, `.5`, `1.`, `-17.4E37`, `1e+5`,
 * `0e1000`); DynamoDB stores and returns it in plain notation with leading and trailing zeros
 * dropped (`1.50` -> `1.5`, `1E2` -> `100`, `-0` -> `0`).
 *
 * Internally a number is a sign, a BigInt coefficient without trailing zeros and the power of
 * ten of its last digit: value = ±coef × 10^exp.
 */
import { ValidationException } from '../errors.js';

/** DynamoDB's messages for refused numbers (verified against dynalite's tests, which run
 * against AWS, DynamoDB Local's sources, and a 2026 capture of AWS in several regions). */
export const NUMBER_ERRORS = {
  notNumeric: 'The parameter cannot be converted to a numeric value',
  tooPrecise: 'Attempting to store more than 38 significant digits in a Number',
  overflow: 'Number overflow. Attempting to store a number with magnitude larger than supported range',
  underflow: 'Number underflow. Attempting to store a number with magnitude smaller than supported range',
} as const;

/**
 * AWS answers some malformed values in two wordings depending on the operation. `legacy` is the
 * long-standing one (and what BatchWriteItem, TransactWriteItems and Scan still use): an empty
 * string is refused without the `: <value>` suffix. `current` (PutItem, UpdateItem, DeleteItem,
 * GetItem, BatchGetItem, Query in 2026 captures) always appends `: <value>`, even when empty.
 */
export type MessageStyle = 'legacy' | 'current';

export const MAX_DIGITS = 38;
const MAX_SCI_EXP = 125;
const MIN_SCI_EXP = -130;

interface Dec {
  neg: boolean;
  /** Significant digits as an integer; 0n for zero. Never ends in a 0 digit unless zero. */
  coef: bigint;
  /** Power of ten of the last significant digit (0 for zero). */
  exp: number;
}

const ZERO: Dec = { neg: false, coef: 0n, exp: 0 };
const NUMBER_SYNTAX = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function refuse(message: string): never {
  throw new ValidationException(message);
}

/** Parses and range-checks a wire number; throws DynamoDB's ValidationException. */
function parse(s: string, style: MessageStyle = 'legacy'): Dec {
  const m = NUMBER_SYNTAX.exec(s);
  const intText = m?.[2] ?? '';
  const fracText = m?.[3] ?? '';
  if (!m || intText.length + fracText.length === 0) {
    refuse(style === 'legacy' && s === '' ? NUMBER_ERRORS.notNumeric : `${NUMBER_ERRORS.notNumeric}: ${s}`);
  }
  const all = intText + fracText;
  const first = all.search(/[1-9]/);
  if (first < 0) return ZERO; // every spelling of zero, whatever its exponent or sign
  let last = all.length - 1;
  while (all.charCodeAt(last) === 48) last--;
  const digits = all.slice(first, last + 1);
  // Exponents may be absurd ("1e99999999999"): do the exponent arithmetic in BigInt.
  const lastExp = BigInt(m[4] ?? '0') - BigInt(fracText.length) + BigInt(all.length - 1 - last);
  const sciExp = lastExp + BigInt(digits.length - 1);
  // DynamoDB Local checks precision before magnitude; so does Nimbus.
  if (digits.length > MAX_DIGITS) refuse(NUMBER_ERRORS.tooPrecise);
  if (sciExp > BigInt(MAX_SCI_EXP)) refuse(NUMBER_ERRORS.overflow);
  if (sciExp < BigInt(MIN_SCI_EXP)) refuse(NUMBER_ERRORS.underflow);
  return { neg: m[1] === '-', coef: BigInt(digits), exp: Number(lastExp) };
}

/** Plain decimal notation of a normalized Dec. */
function format(d: Dec): string {
  if (d.coef === 0n) return '0';
  const digits = d.coef.toString();
  let body: string;
  if (d.exp >= 0) body = digits + '0'.repeat(d.exp);
  else if (-d.exp < digits.length) body = `${digits.slice(0, digits.length + d.exp)}.${digits.slice(digits.length + d.exp)}`;
  else body = `0.${'0'.repeat(-d.exp - digits.length)}${digits}`;
  return d.neg ? `-${body}` : body;
}

/** Exponent (power of ten) of the leading digit; only meaningful for non-zero values. */
function sciExpOf(d: Dec): number {
  return d.exp + d.coef.toString().length - 1;
}

/**
 * `0`, or an integer of at most 15 digits without a leading zero or `+` (`7`, `-420`): already
 * in DynamoDB's form and in range. Most numbers in items are such; they skip parse's BigInt
 * arithmetic.
 */
const PLAIN_INTEGER = /^(?:0|-?[1-9]\d{0,14})$/;

/**
 * Validates a number as it arrives on the wire and returns the form DynamoDB stores and
 * returns: plain notation, no exponent, no leading or trailing zeros, `-0` as `0`.
 * Refused: anything Java's BigDecimal cannot parse (`NaN`, `Infinity`, `0x10`, `1e`, ` 1`,
 * `1.2.3`, ``), more than 38 significant digits, magnitudes outside 1E-130..<1E126.
 */
export function normalizeNumber(s: string, style: MessageStyle = 'legacy'): string {
  return PLAIN_INTEGER.test(s) ? s : format(parse(s, style));
}

/** Numeric comparison of two numbers (normalized or not): negative, 0 or positive. */
export function compareNumbers(a: string, b: string): number {
  return compareDec(parse(a), parse(b));
}

function compareDec(a: Dec, b: Dec): number {
  const sa = a.coef === 0n ? 0 : a.neg ? -1 : 1;
  const sb = b.coef === 0n ? 0 : b.neg ? -1 : 1;
  if (sa !== sb || sa === 0) return sa - sb;
  const ea = sciExpOf(a);
  const eb = sciExpOf(b);
  let mag: number;
  if (ea !== eb) mag = ea < eb ? -1 : 1;
  else {
    // Same leading exponent: the digit strings compare as decimal fractions (no trailing zeros,
    // so a proper prefix is the smaller one, as plain string comparison says).
    const da = a.coef.toString();
    const db = b.coef.toString();
    mag = da === db ? 0 : da < db ? -1 : 1;
  }
  return mag === 0 ? 0 : sa * mag; // never -0
}

/** Exact sum; the result is normalized and checked as DynamoDB checks arithmetic results. */
export function addNumbers(a: string, b: string): string {
  return format(arith(parse(a), parse(b), false));
}

/** Exact difference a - b; checked like addNumbers. */
export function subtractNumbers(a: string, b: string): string {
  return format(arith(parse(a), parse(b), true));
}

function arith(a: Dec, b: Dec, negateB: boolean): Dec {
  const e = Math.min(a.exp, b.exp);
  const va = (a.neg ? -a.coef : a.coef) * 10n ** BigInt(a.exp - e);
  const vb = (b.neg !== negateB ? -b.coef : b.coef) * 10n ** BigInt(b.exp - e);
  let sum = va + vb;
  if (sum === 0n) return ZERO;
  const neg = sum < 0n;
  if (neg) sum = -sum;
  let exp = e;
  while (sum % 10n === 0n) {
    sum /= 10n;
    exp++;
  }
  const d: Dec = { neg, coef: sum, exp };
  const sci = sciExpOf(d);
  // DynamoDB refuses an UpdateExpression/ADD result it cannot store exactly; for a result
  // needing more than 38 digits (1E50 - 1) it answers with the *overflow* message (observed
  // against AWS by ScyllaDB's test_update_expression_plus_imprecise), not the precision one.
  if (sci > MAX_SCI_EXP || d.coef.toString().length > MAX_DIGITS) refuse(NUMBER_ERRORS.overflow);
  if (sci < MIN_SCI_EXP) refuse(NUMBER_ERRORS.underflow);
  return d;
}

/**
 * Bytes DynamoDB charges for a number in an item's size: its centesimal (base-100) encoding, as
 * DynamoDB Local's encodeBigDecimal builds it. One exponent byte, one byte per base-100 digit
 * (digit pairs aligned on even powers of ten, so `1.5` is 01|50 and costs 3 where `15` costs 2),
 * plus a terminator byte for negatives shorter than 20 base-100 digits. Zero costs 1.
 * Agrees with all 23 numbers measured against AWS to the byte by the nubo-db
 * dynamodb-conformance suite (src/item-size.ts, 2026-08-18).
 */
export function numberByteSize(n: string): number {
  if (PLAIN_INTEGER.test(n)) {
    if (n === '0') return 1;
    const neg = n.charCodeAt(0) === 45; // '-'
    let end = n.length;
    while (n.charCodeAt(end - 1) === 48) end--; // trailing zeros are not significant digits
    const first = neg ? 1 : 0;
    return centesimalSize(neg, end - first, n.length - first - 1);
  }
  const d = parse(n);
  if (d.coef === 0n) return 1;
  return centesimalSize(d.neg, d.coef.toString().length, sciExpOf(d));
}

/** numberByteSize of a non-zero number of `digits` significant digits, the first at 10^sci. */
function centesimalSize(neg: boolean, digits: number, sci: number): number {
  const leadingAlone = ((sci % 2) + 2) % 2 === 0; // the first digit fills the low half of its pair
  const pairs = Math.ceil((digits + (leadingAlone ? 1 : 0)) / 2);
  return 1 + pairs + (neg && pairs < 20 ? 1 : 0);
}

// Order-preserving key encoding --------------------------------------------------------------
//
//   zero      02
//   positive  03 | exponent (2 bytes, big-endian, biased by 0x8000) | digit+1 ...
//   negative  01 | bitwise NOT of the positive encoding's bytes after the sign | FF
//
// The exponent is that of the leading digit, so among positives a larger exponent is a larger
// number, and at equal exponents the digit bytes compare as the decimal fraction does (no
// trailing zeros: a proper prefix is smaller). Negatives invert all of that; the FF terminator
// is above every inverted digit byte (F5..FE), so a negative whose digits are a prefix of
// another's (-1.5 vs -1.52) sorts after it, as it must.

const SIGN_NEG = 0x01;
const SIGN_ZERO = 0x02;
const SIGN_POS = 0x03;
const EXP_BIAS = 0x8000;

/** memcmp-ordered bytes for a number: Buffer.compare agrees with compareNumbers. */
export function encodeNumberKey(normalized: string): Buffer {
  const d = parse(normalized);
  if (d.coef === 0n) return Buffer.from([SIGN_ZERO]);
  const digits = d.coef.toString();
  const out = Buffer.alloc(3 + digits.length + (d.neg ? 1 : 0));
  out[0] = d.neg ? SIGN_NEG : SIGN_POS;
  out.writeUInt16BE(sciExpOf(d) + EXP_BIAS, 1);
  for (let i = 0; i < digits.length; i++) out[3 + i] = digits.charCodeAt(i) - 47; // digit + 1
  if (d.neg) {
    for (let i = 1; i < out.length - 1; i++) out[i] = ~out[i]! & 0xff;
    out[out.length - 1] = 0xff;
  }
  return out;
}

/** Inverse of encodeNumberKey; returns the normalized string. */
export function decodeNumberKey(buf: Buffer): string {
  const sign = buf[0];
  if (sign === SIGN_ZERO && buf.length === 1) return '0';
  const neg = sign === SIGN_NEG;
  if ((!neg && sign !== SIGN_POS) || buf.length < (neg ? 5 : 4) || (neg && buf[buf.length - 1] !== 0xff)) {
    throw new Error('not an encoded DynamoDB number key');
  }
  const body = Buffer.from(buf.subarray(1, neg ? buf.length - 1 : buf.length));
  if (neg) for (let i = 0; i < body.length; i++) body[i] = ~body[i]! & 0xff;
  const sci = body.readUInt16BE(0) - EXP_BIAS;
  let digits = '';
  for (let i = 2; i < body.length; i++) {
    const v = body[i]! - 1;
    if (v < 0 || v > 9) throw new Error('not an encoded DynamoDB number key');
    digits += String.fromCharCode(48 + v);
  }
  return format({ neg, coef: BigInt(digits), exp: sci - digits.length + 1 });
}
