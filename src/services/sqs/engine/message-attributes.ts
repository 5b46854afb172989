/**
 * Message attributes: validation with SQS's messages, their size, and the MD5 digest SQS
 * computes over them (the SDK checks MD5OfMessageAttributes against its own computation).
 */
import { createHash } from 'node:crypto';
import { InvalidParameterValue } from '../errors.js';

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Buffer;
  StringListValues?: string[];
  BinaryListValues?: Buffer[];
}
export type MessageAttributeMap = Record<string, MessageAttributeValue>;

const MAX_ATTRIBUTES = 10;
/** Letters and digits (any script, as AWS accepts), `_`, `-` and `.`; up to 256 characters. */
const NAME = /^[\p{L}\p{N}_.-]{1,256}$/u;
/**
 * Linear: no two parts can match the same digits (the old `\d+\.?\d*` could split a run of
 * digits n ways, so a long non-number took quadratic time, seconds for 100 KB).
 */
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Validates user (or, with system=true, system) message attributes and normalises them to
 * the fields that carry a value. Throws InvalidParameterValue as SQS does.
 */
export function validateMessageAttributes(attrs: MessageAttributeMap | undefined, system = false): MessageAttributeMap | null {
  if (!attrs) return null;
  const names = Object.keys(attrs);
  if (names.length === 0) return null;
  const kind = system ? 'system' : 'user';
  if (!system && names.length > MAX_ATTRIBUTES) {
    throw new InvalidParameterValue(`Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`);
  }
  const out = emptyAttributeMap();
  for (const name of names) {
    const v = attrs[name]!;
    if (system) {
      if (name !== 'AWSTraceHeader') {
        throw new InvalidParameterValue(`Message system attribute name '${name}' is invalid.`);
      }
    } else if (!NAME.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..') || /^(aws\.|amazon\.)/i.test(name)) {
      throw new InvalidParameterValue(`Message (${kind}) attribute name '${name}' is invalid.`);
    }
    const dataType = v?.DataType;
    if (!dataType) {
      throw new InvalidParameterValue(`The message (${kind}) attribute '${name}' must contain a non-empty attribute type.`);
    }
    const base = dataType.split('.', 1)[0]!;
    if (!['String', 'Number', 'Binary'].includes(base) || dataType.length > 256) {
      throw new InvalidParameterValue(
        `The type of message (${kind}) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    }
    if (v.StringListValues?.length || v.BinaryListValues?.length) {
      throw new InvalidParameterValue(`Message (${kind}) attribute list values are not supported.`);
    }
    if (base === 'Binary') {
      if (v.BinaryValue === undefined || v.BinaryValue.length === 0) throw emptyValue(kind, name, base);
      out[name] = { DataType: dataType, BinaryValue: v.BinaryValue };
    } else {
      if (v.StringValue === undefined || v.StringValue === '') throw emptyValue(kind, name, base);
      if (base === 'Number' && !NUMBER.test(v.StringValue.trim())) {
        throw new InvalidParameterValue(`Can't cast the value of message (${kind}) attribute '${name}' to a number.`);
      }
      if (!validChars(v.StringValue)) {
        throw new InvalidParameterValue(`Message (${kind}) attribute '${name}' value contains invalid characters.`);
      }
      out[name] = { DataType: dataType, StringValue: v.StringValue };
    }
  }
  return out;
}

/**
 * An empty attribute map without a prototype: `__proto__` is a legal attribute name, which
 * assignment to a plain object would swallow (setting its prototype instead).
 */
export function emptyAttributeMap(): MessageAttributeMap {
  return Object.create(null) as MessageAttributeMap;
}

function emptyValue(kind: string, name: string, base: string) {
  return new InvalidParameterValue(`Message (${kind}) attribute '${name}' must contain a non-empty value of type '${base}'.`);
}

/** Bytes counted against MaximumMessageSize: name, type and value of each attribute. */
export function attributesSize(attrs: MessageAttributeMap | null): number {
  if (!attrs) return 0;
  let size = 0;
  for (const [name, v] of Object.entries(attrs)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(v.DataType);
    size += v.BinaryValue ? v.BinaryValue.length : Buffer.byteLength(v.StringValue ?? '');
  }
  return size;
}

/**
 * MD5 over the attributes sorted by name: for each, length-prefixed (4-byte big-endian) name,
 * data type, then a transport byte (1 string, 2 binary) and the length-prefixed value.
 */
export function md5OfAttributes(attrs: MessageAttributeMap | null): string | null {
  if (!attrs) return null;
  const hash = createHash('md5');
  const lengthPrefixed = (b: Buffer) => {
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32BE(b.length, 0);
    hash.update(len);
    hash.update(b);
  };
  for (const name of Object.keys(attrs).sort()) {
    const v = attrs[name]!;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(v.DataType, 'utf8'));
    if (v.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      lengthPrefixed(v.BinaryValue);
    } else {
      hash.update(Buffer.from([1]));
      lengthPrefixed(Buffer.from(v.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}

/** The last digest made: a message fanned out to many queues (SNS raw delivery) is hashed once. */
let lastText: string | undefined;
let lastDigest = '';

export function md5Hex(s: string): string {
  if (s !== lastText) {
    lastDigest = createHash('md5').update(s, 'utf8').digest('hex');
    lastText = s;
  }
  return lastDigest;
}

/** Any character SQS refuses; with the u flag a lone surrogate (not encodable as UTF-8) is one. */
const INVALID_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * SQS accepts #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
 * Lone surrogates are refused too. (A regular expression: three times the speed of a loop
 * over char codes on the bodies SNS delivers.)
 */
export function validChars(s: string): boolean {
  return !INVALID_CHAR.test(s);
}
