/**
 * DynamoDB's data model as it travels on the wire and as Nimbus keeps it: an item is a map of
 * attribute names to AttributeValues, each an object with exactly one type key. Numbers are
 * decimal strings (never JavaScript floats); binaries are base64 strings, as in the JSON wire
 * format, so stored items can be sent back without conversion.
 */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { M: Item }
  | { L: AttributeValue[] }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] };

export type Item = Record<string, AttributeValue>;

/** The type keys of AttributeValue. */
export type AttributeType = 'S' | 'N' | 'B' | 'BOOL' | 'NULL' | 'M' | 'L' | 'SS' | 'NS' | 'BS';

/** Types a key attribute may have. */
export type ScalarKeyType = 'S' | 'N' | 'B';

export function typeOf(v: AttributeValue): AttributeType {
  for (const k in v) return k as AttributeType;
  throw new Error('AttributeValue without a type');
}
