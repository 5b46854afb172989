/**
 * A Query's key condition. KeyConditionExpression goes through the condition parser (DynamoDB
 * uses one parser for both, as its errors show), then is reduced to one comparison per key
 * attribute, the same shape the legacy KeyConditions parameter has; both are then checked
 * against the key schema. Messages and their order follow dynalite, whose tests were recorded
 * against DynamoDB; the ones quoted by the dynamodb-conformance suite and Scylla's tests agree.
 */
import { ValidationException } from '../../errors.js';
import type { ConditionAst, KeyCondition, KeySchema, Operand, SortOperator } from './ast.js';
import { parseConditionExpression } from './condition-parser.js';
import type { ExpressionContext } from './context.js';
import { hashDefs, isMultiAttribute, keyDefs, rangeDefs, type KeyDef } from '../table-meta.js';
import { typeOf, type AttributeValue } from '../types.js';

/** A legacy ComparisonOperator with its values: what both forms reduce to. */
export interface KeyComparison {
  op: string;
  values: AttributeValue[];
}

const FLIPPED: Record<string, string> = { EQ: 'EQ', LT: 'GT', LE: 'GE', GT: 'LT', GE: 'LE' };
const OPERATORS: Record<string, string> = { '=': 'EQ', '<': 'LT', '<=': 'LE', '>': 'GT', '>=': 'GE' };
const SORT_OPERATORS: Record<string, SortOperator> = {
  EQ: '=',
  LT: '<',
  LE: '<=',
  GT: '>',
  GE: '>=',
  BETWEEN: 'BETWEEN',
  BEGINS_WITH: 'BEGINS_WITH',
};
const NOT_INDEXABLE = new Set(['NULL', 'NOT_NULL', 'NE', 'CONTAINS', 'NOT_CONTAINS', 'IN']);

function refuse(message: string): never {
  throw new ValidationException(message);
}

/**
 * The comparisons of a key condition, by attribute name. DynamoDB checks everything up to this
 * point before it looks the table up (dynalite's tests: a bad key condition on a missing table
 * is a ValidationException, a good one ResourceNotFoundException); the schema checks come after.
 */
export type KeyTerms = Map<string, KeyComparison>;

export function parseKeyConditionTerms(source: string, ctx: ExpressionContext): KeyTerms {
  return keyTermsOf(parseKeyConditionAst(source, ctx));
}

/** KeyConditionExpression's syntax alone: DynamoDB parses a Query's every expression before it judges the key condition (keyTermsOf). */
export function parseKeyConditionAst(source: string, ctx: ExpressionContext): ConditionAst {
  return parseConditionExpression(source, ctx, 'KeyConditionExpression');
}

/** A parsed KeyConditionExpression as key terms, refusing what a key condition cannot say. */
export function keyTermsOf(ast: ConditionAst): KeyTerms {
  const terms: KeyTerms = new Map();
  collect(ast, terms);
  return checkTermCount(terms);
}

export function parseKeyConditionExpression(source: string, ctx: ExpressionContext, schema: KeySchema): KeyCondition {
  return keyConditionFor(parseKeyConditionTerms(source, ctx), schema);
}

/**
 * Before the schema is known: a Query names at least one key attribute and at most eight (a
 * multi-attribute index key's four partition and four sort attributes). Once the schema is
 * known, a single-attribute key allows two (keyConditionFor).
 */
export function checkTermCount(terms: KeyTerms): KeyTerms {
  if (terms.size < 1 || terms.size > MAX_KEY_TERMS) refuse(TERM_COUNT);
  return terms;
}

const MAX_KEY_TERMS = 8;
const TERM_COUNT = 'Conditions can be of length 1 or 2 only';

/** Reduces the condition to `attribute -> comparison`, refusing what a key condition cannot say. */
function collect(ast: ConditionAst, out: Map<string, KeyComparison>): void {
  const operator = (name: string): never => refuse(`Invalid operator used in KeyConditionExpression: ${name}`);
  switch (ast.kind) {
    case 'and':
      for (const c of ast.operands) collect(c, out);
      return;
    case 'or':
      return operator('OR');
    case 'not':
      return operator('NOT');
    case 'in':
      return operator('IN');
    case 'attribute_exists':
    case 'attribute_not_exists':
    case 'attribute_type':
    case 'contains':
      return operator(ast.kind);
    case 'compare':
      if (ast.op === '<>') return operator('<>');
      return comparison(OPERATORS[ast.op]!, [ast.left, ast.right], out);
    case 'between':
      if (ast.operand.kind !== 'path') refuse('Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand');
      return comparison('BETWEEN', [ast.operand, ast.low, ast.high], out);
    case 'begins_with':
      if (ast.operand.kind !== 'path') refuse('Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand');
      return comparison('BEGINS_WITH', [ast.operand, ast.prefix], out);
  }
}

/** One comparison: exactly one top-level attribute among its operands, the rest values. */
function comparison(op: string, operands: Operand[], out: Map<string, KeyComparison>): void {
  let name: string | undefined;
  let at = 0;
  const values: AttributeValue[] = [];
  operands.forEach((o, i) => {
    if (o.kind === 'path') {
      if (name !== undefined) refuse('Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition');
      if (o.path.length > 1) refuse('KeyConditionExpressions cannot have conditions on nested attributes');
      name = o.path[0] as string;
      at = i;
    } else if (o.kind === 'size') {
      refuse('KeyConditionExpressions cannot contain nested operations');
    } else {
      values.push(o.value);
    }
  });
  if (name === undefined) refuse('Invalid condition in KeyConditionExpression: No key attribute specified');
  if (out.has(name)) refuse('KeyConditionExpressions must only contain one condition per key');
  // `:v < sk` is `sk > :v`.
  out.set(name, { op: at === 0 ? op : FLIPPED[op]!, values });
}

/**
 * The conditions against the key schema: the partition key compared with EQ, at most one
 * condition on the sort key, nothing else, each value of its key's type.
 */
export function keyConditionFor(conditions: KeyTerms, schema: KeySchema): KeyCondition {
  checkTermCount(conditions);
  if (isMultiAttribute(schema)) return multiAttributeCondition(conditions, schema);
  const n = conditions.size;
  if (n > 2) refuse(TERM_COUNT);
  const keys = schema.range ? [schema.hash, schema.range] : [schema.hash];
  keys.forEach((key, i) => {
    const isHash = i === 0;
    if (isHash && !schema.range && n > 1) refuse('Query key condition not supported');
    const cond = conditions.get(key.name);
    if (!cond) {
      if (isHash || n > 1) refuse(`Query condition missed key schema element: ${key.name}`);
      return;
    }
    if (NOT_INDEXABLE.has(cond.op)) refuse('Attempted conditional constraint is not an indexable operation');
    if (cond.values.some((v) => typeOf(v) !== key.type)) {
      refuse('One or more parameter values were invalid: Condition parameter type does not match schema type');
    }
    if (isHash && cond.op !== 'EQ') refuse('Query key condition not supported');
  });
  const partition = conditions.get(schema.hash.name)!;
  const result: KeyCondition = { partition: { name: schema.hash.name, value: partition.values[0]! } };
  const sort = schema.range && conditions.get(schema.range.name);
  if (sort && schema.range) result.sort = { name: schema.range.name, op: SORT_OPERATORS[sort.op]!, values: sort.values };
  return result;
}

/** The checks every key attribute's condition gets: an indexable operator, values of the key's type. */
function checkTerm(key: KeyDef, cond: KeyComparison): void {
  if (NOT_INDEXABLE.has(cond.op)) refuse('Attempted conditional constraint is not an indexable operation');
  if (cond.values.some((v) => typeOf(v) !== key.type)) refuse('One or more parameter values were invalid: Condition parameter type does not match schema type');
}

/**
 * A multi-attribute (GSI) key: every partition attribute compared with EQ; sort attributes
 * named left to right without a gap, each with EQ but the last named, which may carry any sort
 * condition. The gap message and its wording are DynamoDB's, recorded against AWS; the rest
 * reuses the single-attribute messages.
 */
function multiAttributeCondition(conditions: KeyTerms, schema: KeySchema): KeyCondition {
  const equal = (key: KeyDef) => ({ name: key.name, value: conditions.get(key.name)!.values[0]! });
  for (const key of hashDefs(schema)) {
    const cond = conditions.get(key.name);
    if (!cond) refuse(`Query condition missed key schema element: ${key.name}`);
    checkTerm(key, cond);
    if (cond.op !== 'EQ') refuse('Query key condition not supported');
  }
  const names = new Set(keyDefs(schema).map((k) => k.name));
  if ([...conditions.keys()].some((n) => !names.has(n))) refuse('Query key condition not supported');
  const sorts = rangeDefs(schema);
  sorts.forEach((key) => conditions.has(key.name) && checkTerm(key, conditions.get(key.name)!));
  // The first sort attribute named after one without an equality is refused, naming that one.
  const named = sorts.map((key) => conditions.has(key.name));
  const last = named.lastIndexOf(true);
  for (let later = 1; later <= last; later++) {
    if (!named[later]) continue;
    const gap = sorts.slice(0, later).find((key) => conditions.get(key.name)?.op !== 'EQ');
    if (gap) {
      refuse(`RANGE key attributes ${gap.name} must have equality conditions specified in the query because a condition is present on key attribute ${sorts[later]!.name}`);
    }
  }
  const [first, ...more] = hashDefs(schema).map(equal);
  const result: KeyCondition = { partition: first!, ...(more.length ? { morePartition: more } : {}) };
  if (last < 0) return result;
  const prefix = sorts.slice(0, last).map(equal);
  const cond = conditions.get(sorts[last]!.name)!;
  return { ...result, ...(prefix.length ? { sortPrefix: prefix } : {}), sort: { name: sorts[last]!.name, op: SORT_OPERATORS[cond.op]!, values: cond.values } };
}
