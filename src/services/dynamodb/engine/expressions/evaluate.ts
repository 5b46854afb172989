/**
 * Evaluating a condition on an item. A condition over values of different types, or over an
 * attribute the item lacks, is false, never an error (requests with wrongly typed constants are
 * refused when parsed): `a < :v` is false when a is a list or missing; `a = b` is false and
 * `a <> b` true when either is missing; BETWEEN and IN are false on a missing attribute (Scylla's
 * Alternator tests, checked against DynamoDB).
 */
import type { ConditionAst, Operand } from './ast.js';
import { getPath } from './paths.js';
import { typeOf, type AttributeValue, type Item } from '../types.js';
import { compareScalars, valuesEqual } from '../values.js';

/** True when `item` satisfies the condition; an absent item has no attributes. */
export function evaluateCondition(ast: ConditionAst, item: Item | undefined): boolean {
  switch (ast.kind) {
    case 'and':
      return ast.operands.every((c) => evaluateCondition(c, item));
    case 'or':
      return ast.operands.some((c) => evaluateCondition(c, item));
    case 'not':
      return !evaluateCondition(ast.operand, item);
    case 'compare': {
      const a = operandValue(ast.left, item);
      const b = operandValue(ast.right, item);
      if (ast.op === '=') return a !== undefined && b !== undefined && valuesEqual(a, b);
      if (ast.op === '<>') return a === undefined || b === undefined || !valuesEqual(a, b);
      const order = a && b ? compareScalars(a, b) : undefined;
      if (order === undefined) return false;
      switch (ast.op) {
        case '<':
          return order < 0;
        case '<=':
          return order <= 0;
        case '>':
          return order > 0;
        default:
          return order >= 0;
      }
    }
    case 'between': {
      const v = operandValue(ast.operand, item);
      const low = operandValue(ast.low, item);
      const high = operandValue(ast.high, item);
      if (!v || !low || !high) return false;
      const fromLow = compareScalars(v, low);
      const toHigh = compareScalars(v, high);
      return fromLow !== undefined && toHigh !== undefined && fromLow >= 0 && toHigh <= 0;
    }
    case 'in': {
      const v = operandValue(ast.operand, item);
      if (!v) return false;
      return ast.list.some((o) => {
        const w = operandValue(o, item);
        return w !== undefined && valuesEqual(v, w);
      });
    }
    case 'attribute_exists':
      return getPath(item, ast.path) !== undefined;
    case 'attribute_not_exists':
      return getPath(item, ast.path) === undefined;
    case 'attribute_type': {
      const v = operandValue(ast.operand, item);
      const t = operandValue(ast.type, item);
      return v !== undefined && t !== undefined && 'S' in t && typeOf(v) === t.S;
    }
    case 'begins_with': {
      const v = operandValue(ast.operand, item);
      const p = operandValue(ast.prefix, item);
      if (!v || !p) return false;
      if ('S' in v && 'S' in p) return v.S.startsWith(p.S);
      if ('B' in v && 'B' in p) {
        const bytes = bin(v.B);
        const prefix = bin(p.B);
        return prefix.length <= bytes.length && bytes.subarray(0, prefix.length).equals(prefix);
      }
      return false;
    }
    case 'contains': {
      const v = operandValue(ast.operand, item);
      const e = operandValue(ast.element, item);
      return v !== undefined && e !== undefined && contains(v, e);
    }
  }
}

/**
 * contains(): a substring of a string, a byte sequence within a binary, an element of a set of
 * the element's type, or an element (of any type) of a list.
 */
function contains(v: AttributeValue, e: AttributeValue): boolean {
  if ('S' in v) return 'S' in e && v.S.includes(e.S);
  if ('B' in v) return 'B' in e && bin(v.B).includes(bin(e.B));
  if ('SS' in v) return 'S' in e && v.SS.includes(e.S);
  if ('NS' in v) return 'N' in e && v.NS.some((n) => valuesEqual({ N: n }, e));
  if ('BS' in v) return 'B' in e && v.BS.some((b) => valuesEqual({ B: b }, e));
  if ('L' in v) return v.L.some((x) => valuesEqual(x, e));
  return false;
}

/** An operand's value on this item; undefined when it reads an attribute the item lacks. */
export function operandValue(o: Operand, item: Item | undefined): AttributeValue | undefined {
  switch (o.kind) {
    case 'value':
      return o.value;
    case 'path':
      return getPath(item, o.path);
    case 'size': {
      const v = operandValue(o.operand, item);
      const n = v === undefined ? undefined : sizeOf(v);
      return n === undefined ? undefined : { N: String(n) };
    }
  }
}

/**
 * size(): a string's length in UTF-16 code units (DynamoDB counts "é𝄞" as 3, as ExtendDB found
 * against AWS), a binary's bytes, a set's or list's elements, a map's keys. Numbers, booleans
 * and nulls have no size, so a comparison of it is false.
 */
export function sizeOf(v: AttributeValue): number | undefined {
  if ('S' in v) return v.S.length;
  if ('B' in v) return bin(v.B).length;
  if ('SS' in v) return v.SS.length;
  if ('NS' in v) return v.NS.length;
  if ('BS' in v) return v.BS.length;
  if ('L' in v) return v.L.length;
  if ('M' in v) return Object.keys(v.M).length;
  return undefined;
}

function bin(b: string): Buffer {
  return Buffer.from(b, 'base64');
}
