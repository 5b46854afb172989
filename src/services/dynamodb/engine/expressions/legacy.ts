/**
 * The legacy parameters (Expected, QueryFilter/ScanFilter, KeyConditions, AttributesToGet,
 * AttributeUpdates) turned into the ASTs the expressions produce, so one evaluator serves both.
 * Their checks and messages follow dynalite's tests, recorded against DynamoDB, and Scylla's
 * Alternator tests (also checked against DynamoDB) for the semantics: NE holds on a missing
 * attribute but NOT_CONTAINS does not; AttributeUpdates ADD also appends to lists.
 */
import { ValidationException } from '../../errors.js';
import type { ConditionAst, KeyCondition, KeySchema, Operand, Path, UpdateAction, UpdateAst } from './ast.js';
import { checkTermCount, keyConditionFor, type KeyComparison, type KeyTerms } from './key-condition.js';
import { typeOf, type AttributeValue } from '../types.js';
import { compareScalars, validateAttributeValue } from '../values.js';

const INVALID = 'One or more parameter values were invalid: ';

function refuse(message: string): never {
  throw new ValidationException(message);
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** How many values each ComparisonOperator takes. */
const COUNTS: Record<string, [number, number]> = {
  EQ: [1, 1],
  NE: [1, 1],
  LE: [1, 1],
  LT: [1, 1],
  GE: [1, 1],
  GT: [1, 1],
  NULL: [0, 0],
  NOT_NULL: [0, 0],
  CONTAINS: [1, 1],
  NOT_CONTAINS: [1, 1],
  BEGINS_WITH: [1, 1],
  IN: [1, Infinity],
  BETWEEN: [2, 2],
};

/** Value types each operator refuses (EQ and NE take any type). */
const SCALARS_ONLY = ['BOOL', 'NULL', 'SS', 'NS', 'BS', 'M', 'L'];
const REFUSED_TYPES: Record<string, string[]> = {
  LE: SCALARS_ONLY,
  LT: SCALARS_ONLY,
  GE: SCALARS_ONLY,
  GT: SCALARS_ONLY,
  IN: SCALARS_ONLY,
  BETWEEN: SCALARS_ONLY,
  CONTAINS: ['SS', 'NS', 'BS', 'M', 'L'],
  NOT_CONTAINS: ['SS', 'NS', 'BS', 'M', 'L'],
  BEGINS_WITH: ['N', ...SCALARS_ONLY],
};

function operatorOf(v: unknown): string {
  if (typeof v === 'string' && Object.hasOwn(COUNTS, v)) return v;
  return refuse(
    `1 validation error detected: Value '${String(v)}' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]`,
  );
}

function valuesOf(list: unknown): AttributeValue[] {
  return Array.isArray(list) ? list.map((v) => validateAttributeValue(v)) : [];
}

/** The checks every legacy comparison gets: value count, one type, types the operator takes, bounds. */
function checkComparison(op: string, values: AttributeValue[]): void {
  const [min, max] = COUNTS[op]!;
  if (values.length < min || values.length > max) refuse(`${INVALID}Invalid number of argument(s) for the ${op} ComparisonOperator`);
  if (values.some((v) => typeOf(v) !== typeOf(values[0]!))) refuse(`${INVALID}AttributeValues inside AttributeValueList must be of same type`);
  for (const v of values) {
    if (REFUSED_TYPES[op]?.includes(typeOf(v))) refuse(`${INVALID}ComparisonOperator ${op} is not valid for ${typeOf(v)} AttributeValue type`);
  }
  if (op === 'BETWEEN' && (compareScalars(values[0]!, values[1]!) ?? 0) > 0) {
    refuse('The BETWEEN condition was provided a range where the lower bound is greater than the upper bound');
  }
}

/** One legacy comparison on a top-level attribute, as a condition. */
function comparisonAst(name: string, op: string, values: AttributeValue[]): ConditionAst {
  const attr: Operand = { kind: 'path', path: [name] };
  const v = (i: number): Operand => ({ kind: 'value', value: values[i]! });
  const compare = (c: '=' | '<>' | '<' | '<=' | '>' | '>='): ConditionAst => ({ kind: 'compare', op: c, left: attr, right: v(0) });
  switch (op) {
    case 'EQ':
      return compare('=');
    case 'NE':
      return compare('<>');
    case 'LT':
      return compare('<');
    case 'LE':
      return compare('<=');
    case 'GT':
      return compare('>');
    case 'GE':
      return compare('>=');
    case 'NULL':
      return { kind: 'attribute_not_exists', path: [name] };
    case 'NOT_NULL':
      return { kind: 'attribute_exists', path: [name] };
    case 'CONTAINS':
      return { kind: 'contains', operand: attr, element: v(0) };
    case 'NOT_CONTAINS':
      // False, like CONTAINS, when the attribute is missing.
      return {
        kind: 'and',
        operands: [
          { kind: 'attribute_exists', path: [name] },
          { kind: 'not', operand: { kind: 'contains', operand: attr, element: v(0) } },
        ],
      };
    case 'BEGINS_WITH':
      return { kind: 'begins_with', operand: attr, prefix: v(0) };
    case 'IN':
      return { kind: 'in', operand: attr, list: values.map((_, i) => v(i)) };
    default:
      return { kind: 'between', operand: attr, low: v(0), high: v(1) };
  }
}

function combine(conditions: ConditionAst[], conditionalOperator: string | undefined): ConditionAst {
  return { kind: conditionalOperator === 'OR' ? 'or' : 'and', operands: conditions };
}

/** QueryFilter / ScanFilter: `{attr: {ComparisonOperator, AttributeValueList}}`. */
export function conditionFromFilter(filter: Record<string, unknown>, conditionalOperator: string | undefined): ConditionAst {
  const conditions: ConditionAst[] = [];
  for (const [name, raw] of Object.entries(filter)) {
    const c = record(raw);
    const values = valuesOf(c.AttributeValueList);
    const op = operatorOf(c.ComparisonOperator);
    checkComparison(op, values);
    conditions.push(comparisonAst(name, op, values));
  }
  if (!conditions.length) return { kind: 'and', operands: [] };
  return combine(conditions, conditionalOperator);
}

/**
 * Expected: per attribute either `{ComparisonOperator, AttributeValueList | Value}`, or
 * `{Value}` / `{Exists: true, Value}` (equality) / `{Exists: false}` (absence). An empty map
 * is a condition that always holds.
 */
export function conditionFromExpected(expected: Record<string, unknown>, conditionalOperator: string | undefined): ConditionAst {
  const conditions: ConditionAst[] = [];
  for (const [name, raw] of Object.entries(expected)) {
    const c = record(raw);
    const has = (k: string) => c[k] !== undefined && c[k] !== null;
    if (has('AttributeValueList') && has('Value')) {
      refuse(`${INVALID}Value and AttributeValueList cannot be used together for Attribute: ${name}`);
    }
    if (has('ComparisonOperator')) {
      const op = operatorOf(c.ComparisonOperator);
      if (has('Exists')) refuse(`${INVALID}Exists and ComparisonOperator cannot be used together for Attribute: ${name}`);
      if (op !== 'NULL' && op !== 'NOT_NULL' && !has('AttributeValueList') && !has('Value')) {
        refuse(`${INVALID}Value or AttributeValueList must be used with ComparisonOperator: ${op} for Attribute: ${name}`);
      }
      const values = has('Value') ? [validateAttributeValue(c.Value)] : valuesOf(c.AttributeValueList);
      checkComparison(op, values);
      conditions.push(comparisonAst(name, op, values));
    } else if (has('AttributeValueList')) {
      refuse(`${INVALID}AttributeValueList can only be used with a ComparisonOperator for Attribute: ${name}`);
    } else {
      const exists = !has('Exists') || c.Exists === true;
      if (exists && !has('Value')) refuse(`${INVALID}Value must be provided when Exists is ${has('Exists') ? String(c.Exists) : 'null'} for Attribute: ${name}`);
      if (!exists && has('Value')) refuse(`${INVALID}Value cannot be used when Exists is false for Attribute: ${name}`);
      conditions.push(exists ? comparisonAst(name, 'EQ', [validateAttributeValue(c.Value)]) : { kind: 'attribute_not_exists', path: [name] });
    }
  }
  if (!conditions.length) return { kind: 'and', operands: [] };
  return combine(conditions, conditionalOperator);
}

/** KeyConditions, checked as far as possible without the table (see KeyTerms). */
export function keyTermsFromLegacy(keyConditions: Record<string, unknown>): KeyTerms {
  const terms: KeyTerms = new Map<string, KeyComparison>();
  for (const [name, raw] of Object.entries(keyConditions)) {
    const c = record(raw);
    const values = valuesOf(c.AttributeValueList);
    const op = operatorOf(c.ComparisonOperator);
    checkComparison(op, values);
    terms.set(name, { op, values });
  }
  return checkTermCount(terms);
}

/** KeyConditions: the legacy key condition, checked like KeyConditionExpression's. */
export function keyConditionFromLegacy(keyConditions: Record<string, unknown>, keySchema: KeySchema): KeyCondition {
  return keyConditionFor(keyTermsFromLegacy(keyConditions), keySchema);
}

/** AttributesToGet: top-level names, each once. */
export function projectionFromAttributesToGet(names: string[]): Path[] {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) refuse(`${INVALID}Duplicate value in attribute name: ${n}`);
    seen.add(n);
  }
  return names.map((n) => [n]);
}

/**
 * AttributeUpdates: `{attr: {Action: PUT | ADD | DELETE, Value}}` (PUT when Action is absent).
 * DELETE without a Value removes the attribute; with one it takes elements out of a set. ADD
 * adds to a number or set, or appends to a list.
 */
export function updateFromAttributeUpdates(updates: Record<string, unknown>): UpdateAst {
  const actions: UpdateAction[] = [];
  for (const [name, raw] of Object.entries(updates)) {
    const u = record(raw);
    const action = u.Action === undefined || u.Action === null ? 'PUT' : u.Action;
    if (action !== 'PUT' && action !== 'ADD' && action !== 'DELETE') {
      refuse(
        `1 validation error detected: Value '${String(action)}' at 'attributeUpdates.${name}.member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]`,
      );
    }
    const value = u.Value === undefined || u.Value === null ? undefined : validateAttributeValue(u.Value);
    const path: Path = [name];
    if (value === undefined) {
      if (action !== 'DELETE') refuse(`${INVALID}Only DELETE action is allowed when no attribute value is specified`);
      actions.push({ kind: 'remove', path });
      continue;
    }
    const type = typeOf(value);
    if (action === 'DELETE') {
      if (type !== 'SS' && type !== 'NS' && type !== 'BS') refuse(`${INVALID}DELETE action with value is not supported for the type ${type}`);
      actions.push({ kind: 'delete', path, value });
    } else if (action === 'ADD') {
      if (!['L', 'SS', 'NS', 'BS', 'N'].includes(type)) refuse(`${INVALID}ADD action is not supported for the type ${type}`);
      actions.push({ kind: 'add', path, value });
    } else {
      actions.push({ kind: 'set', path, value: { kind: 'value', value } });
    }
  }
  return { actions, legacy: true };
}
