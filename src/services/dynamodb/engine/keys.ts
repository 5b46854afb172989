/**
 * Primary and index keys: checking them as DynamoDB does and turning them into the
 * order-preserving bytes the repo sorts by.
 */
import { ValidationException } from '../errors.js';
import { hashDefs, keyDefs as allKeyDefs, rangeDefs, type IndexMeta, type KeyDef, type KeySchema, type TableMeta } from './table-meta.js';
import { typeOf, type AttributeValue, type Item } from './types.js';
import { encodeKeyValue } from './values.js';

const EMPTY = Buffer.alloc(0);
const INVALID = 'One or more parameter values were invalid: ';

export interface EncodedKey {
  pk: Buffer;
  sk: Buffer;
  /** 32-bit hash of the partition key: scan order and Scan segments. */
  hash: number;
}

/** FNV-1a over the partition key bytes. */
export function partitionHash(pk: Buffer): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < pk.length; i++) {
    h ^= pk[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function encodeKey(schema: KeySchema, item: Item): EncodedKey {
  // Every item write encodes its table key: single attributes skip building the lists.
  const pk = schema.moreHash ? encodePart(hashDefs(schema).map((d) => item[d.name]!)) : encodeKeyValue(item[schema.hash.name]!);
  const sk = schema.moreRange
    ? encodePart(rangeDefs(schema).map((d) => item[d.name]!))
    : schema.range
      ? encodeKeyValue(item[schema.range.name]!)
      : EMPTY;
  return { pk, sk, hash: partitionHash(pk) };
}

/**
 * The bytes of a key's partition or sort part. One attribute is its order-preserving encoding
 * as it is (so single-attribute keys are stored as they always were); several (a
 * multi-attribute GSI key) are each made a tuple element, so the bytes sort as the attributes
 * compare one after another, in key-schema order.
 */
export function encodePart(values: AttributeValue[]): Buffer {
  if (values.length === 0) return EMPTY;
  if (values.length === 1) return encodeKeyValue(values[0]!);
  return Buffer.concat(values.map(tupleElement));
}

/**
 * One attribute of a multi-attribute key part: its encoding with every 0x00 byte written 0x00
 * 0xFF, then the terminator 0x00 0x01. No element's bytes are a proper prefix of another's
 * (shorter values end in 0x00 0x01, below anything a longer one continues with), so
 * concatenations compare element by element.
 */
export function tupleElement(v: AttributeValue): Buffer {
  return Buffer.concat([escapeZeros(encodeKeyValue(v)), TERMINATOR]);
}

const TERMINATOR = Buffer.from([0x00, 0x01]);

/** A value's encoding as it appears inside a tuple element, without the terminator (a begins_with prefix). */
export function escapeZeros(b: Buffer): Buffer {
  if (!b.includes(0)) return b;
  const out: number[] = [];
  for (const byte of b) byte === 0 ? out.push(0, 0xff) : out.push(byte);
  return Buffer.from(out);
}

/** The key attributes of an item, in key-schema order. */
export function keyOf(schema: KeySchema, item: Item): Item {
  const key: Item = {};
  for (const d of allKeyDefs(schema)) key[d.name] = item[d.name]!;
  return key;
}

function keyBytes(v: AttributeValue): number {
  if ('S' in v) return Buffer.byteLength(v.S, 'utf8');
  if ('B' in v) return Buffer.byteLength(v.B, 'base64');
  return 0; // numbers are always small enough
}

function checkKeyPiece(def: KeyDef, v: AttributeValue, isHash: boolean, emptyPrefix: string): void {
  if (('S' in v && v.S === '') || ('B' in v && v.B === '')) {
    throw new ValidationException(
      `${emptyPrefix}The AttributeValue for a key attribute cannot contain an empty ${'S' in v ? 'string' : 'binary'} value. Key: ${def.name}`,
    );
  }
  const size = keyBytes(v);
  if (isHash && size > 2048) throw new ValidationException(`${INVALID}Size of hashkey has exceeded the maximum size limit of2048 bytes`);
  if (!isHash && size > 1024) throw new ValidationException(`${INVALID}Aggregated size of all range keys has exceeded the size limit of 1024 bytes`);
}

/** A `Key` parameter (GetItem, DeleteItem, UpdateItem, ...): exactly the key attributes, of the right types. */
export function checkKey(schema: KeySchema, key: Item): void {
  const count = Object.keys(key).length;
  if (count !== keyDefs(schema).length) throw new ValidationException('The provided key element does not match the schema');
  for (const [def, isHash] of keyDefs(schema)) {
    const v = key[def.name];
    if (!v || typeOf(v) !== def.type) throw new ValidationException('The provided key element does not match the schema');
    checkKeyPiece(def, v, isHash, INVALID);
  }
}

/**
 * A whole item (PutItem, BatchWriteItem put, ...): key attributes present and typed, index keys
 * typed. `batch`: BatchWriteItem words a missing or mistyped key as a key that does not match.
 */
export function checkItemKeys(meta: TableMeta, item: Item, opts: { batch?: boolean } = {}): void {
  for (const [def, isHash] of keyDefs(meta.key)) {
    const v = item[def.name];
    if (opts.batch && (!v || typeOf(v) !== def.type)) throw new ValidationException('The provided key element does not match the schema');
    if (!v) throw new ValidationException(`${INVALID}Missing the key ${def.name} in the item`);
    const type = typeOf(v);
    if (type !== def.type) throw new ValidationException(`${INVALID}Type mismatch for key ${def.name} expected: ${def.type} actual: ${type}`);
    checkKeyPiece(def, v, isHash, 'One or more parameter values are not valid. ');
  }
  checkIndexKeys(meta, item);
}

/** Attributes that are index keys must have the index's key type when present (sparse otherwise). */
export function checkIndexKeys(meta: TableMeta, item: Item): void {
  for (const ix of meta.indexes) {
    for (const [def, isHash] of keyDefs(ix.key)) {
      const v = item[def.name];
      if (!v) continue;
      const type = typeOf(v);
      if (type !== def.type) {
        throw new ValidationException(`${INVALID}Type mismatch for Index Key ${def.name} Expected: ${def.type} Actual: ${type} IndexName: ${ix.name}`);
      }
      if (('S' in v && v.S === '') || ('B' in v && v.B === '')) {
        throw new ValidationException(
          `One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty ${'S' in v ? 'string' : 'binary'} value. IndexName: ${ix.name}, IndexKey: ${def.name}`,
        );
      }
      // An index key is held to the table's key sizes (2048 bytes partition, 1024 sort).
      if (isHash && keyBytes(v) > MAX_HASH_BYTES) throw new ValidationException(`${INVALID}Size of hashkey has exceeded the maximum size limit of2048 bytes`);
      if (!isHash && keyBytes(v) > MAX_RANGE_BYTES) throw new ValidationException(`${INVALID}Aggregated size of all range keys has exceeded the size limit of 1024 bytes`);
    }
  }
}

const MAX_HASH_BYTES = 2048;
const MAX_RANGE_BYTES = 1024;

/**
 * The index key of an item, or undefined when the item is not in the (sparse) index: an item
 * lacking any of the key's attributes (or holding one of another type) is not in it.
 */
export function indexKey(ix: IndexMeta, item: Item): EncodedKey | undefined {
  for (const [def, isHash] of keyDefs(ix.key)) {
    const v = item[def.name];
    if (!v || typeOf(v) !== def.type) return undefined;
    // Never indexed (a backfill meets them in items written before the index): an empty key
    // value, or one past DynamoDB's key sizes.
    if (isEmpty(v) || keyBytes(v) > (isHash ? MAX_HASH_BYTES : MAX_RANGE_BYTES)) return undefined;
  }
  return encodeKey(ix.key, item);
}

const isEmpty = (v: AttributeValue) => ('S' in v && v.S === '') || ('B' in v && v.B === '');

/**
 * Every key attribute, each with whether it belongs to the partition key. Built once per key
 * schema (a table's or index's metadata object), not on every item checked.
 */
function keyDefs(schema: KeySchema): ReadonlyArray<readonly [KeyDef, boolean]> {
  let defs = keyDefsOf.get(schema);
  if (!defs) {
    defs = [...hashDefs(schema).map((d) => [d, true] as const), ...rangeDefs(schema).map((d) => [d, false] as const)];
    keyDefsOf.set(schema, defs);
  }
  return defs;
}
const keyDefsOf = new WeakMap<KeySchema, ReadonlyArray<readonly [KeyDef, boolean]>>();

/** A string naming one item of one table: to find two actions on the same item in a request. */
export function itemId(tableId: number, key: EncodedKey): string {
  return `${tableId}/${key.pk.toString('base64')}/${key.sk.toString('base64')}`;
}
