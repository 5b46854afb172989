/**
 * Where a Query or Scan page ends: DynamoDB reads until the items it has read reach 1 MB as
 * it stores them, the item that reaches the limit included, and answers with that item's key as
 * LastEvaluatedKey (even when nothing follows it). Stored sizes are not the item sizes that
 * capacity is charged by (values.ts itemSize): attribute names are stored as one byte, values
 * carry a length prefix, and the sort key (without one) is kept once per 3 KB block of the item
 * with 18 bytes of overhead. The model below is the one dynalite fitted to DynamoDB's answers; its tests
 * (written against DynamoDB) pin the boundary to the item for tables with string and number
 * sort keys and without a sort key, with small and large attributes.
 */
import { numberByteSize } from './numbers.js';
import type { AttributeValue, Item } from './types.js';
import { attributeValueSize } from './values.js';

export const PAGE_BYTES = 1024 * 1024;

const utf8Length = (s: string) => Buffer.byteLength(s, 'utf8');
const binaryLength = (b: string) => Buffer.byteLength(b, 'base64');

/** A value as stored: its bytes and its length prefix. */
function storedValueSize(v: AttributeValue): number {
  if ('S' in v) {
    const n = utf8Length(v.S);
    return n + (n < 128 ? 1 : n < 16384 ? 2 : 3);
  }
  if ('N' in v) return numberByteSize(v.N) + 1;
  if ('B' in v) return binaryLength(v.B) + 1;
  if ('BOOL' in v) return 1;
  if ('NULL' in v) return 0;
  if ('SS' in v) return v.SS.reduce((n, s) => n + utf8Length(s), 0) + v.SS.length + 1;
  if ('NS' in v) return v.NS.reduce((n, s) => n + numberByteSize(s), 0) + v.NS.length + 1;
  if ('BS' in v) return v.BS.reduce((n, s) => n + binaryLength(s), 0) + v.BS.length + 1;
  if ('L' in v) return v.L.reduce((n, e) => n + 1 + storedValueSize(e), 3);
  const entries = Object.values(v.M);
  return 3 + entries.length + entries.reduce((n, e) => n + 1 + storedValueSize(e), 0);
}

/** The bytes an item counts toward a page's 1 MB; `sortKey` is the table's sort key attribute. */
export function storedItemSize(item: Item, sortKey: string | undefined): number {
  let size = 0;
  let sortKeySize = 0;
  for (const name in item) {
    if (name === sortKey) sortKeySize = attributeValueSize(item[name]!);
    else size += storedValueSize(item[name]!) + 1;
  }
  return 2 + size + (1 + Math.floor((1 + size) / 3072)) * (18 + sortKeySize);
}
