/**
 * Primary and index keys: checking them as DynamoDB does and turning them into the
 * order-preserving bytes the repo sorts by.
 */
import { ValidationException } from '../errors.js';
import type { IndexMeta, KeyDef, KeySchema, TableMeta } from './table-meta.js';
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
  const pk = encodeKeyValue(item[schema.hash.name]!);
  const sk = schema.range ? encodeKeyValue(item[schema.range.name]!) : EMPTY;
  return { pk, sk, hash: partitionHash(pk) };
}

/** The key attributes of an item, in key-schema order. */
export function keyOf(schema: KeySchema, item: Item): Item {
  const key: Item = { [schema.hash.name]: item[schema.hash.name]! };
  if (schema.range) key[schema.range.name] = item[schema.range.name]!;
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
  if (count !== (schema.range ? 2 : 1)) throw new ValidationException('The provided key element does not match the schema');
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

/** The index key of an item, or undefined when the item is not in the (sparse) index. */
export function indexKey(ix: IndexMeta, item: Item): EncodedKey | undefined {
  const h = item[ix.key.hash.name];
  if (!h || typeOf(h) !== ix.key.hash.type) return undefined;
  const r = ix.key.range ? item[ix.key.range.name] : undefined;
  if (ix.key.range && (!r || typeOf(r) !== ix.key.range.type)) return undefined;
  // Never indexed (a backfill meets them in items written before the index): an empty key
  // value, or one past DynamoDB's key sizes.
  if (isEmpty(h) || keyBytes(h) > MAX_HASH_BYTES || (r && (isEmpty(r) || keyBytes(r) > MAX_RANGE_BYTES))) return undefined;
  const pk = encodeKeyValue(h);
  return { pk, sk: r ? encodeKeyValue(r) : EMPTY, hash: partitionHash(pk) };
}

const isEmpty = (v: AttributeValue) => ('S' in v && v.S === '') || ('B' in v && v.B === '');

function keyDefs(schema: KeySchema): Array<[KeyDef, boolean]> {
  return schema.range ? [[schema.hash, true], [schema.range, false]] : [[schema.hash, true]];
}

/** A string naming one item of one table: to find two actions on the same item in a request. */
export function itemId(tableId: number, key: EncodedKey): string {
  return `${tableId}/${key.pk.toString('base64')}/${key.sk.toString('base64')}`;
}
