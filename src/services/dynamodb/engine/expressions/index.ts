/**
 * DynamoDB's expression languages: each expression is parsed once into an AST (resolving its
 * #names and :values through the request's ExpressionContext, refusing what DynamoDB refuses,
 * with DynamoDB's messages), then evaluated or applied as often as needed. The legacy
 * parameters become the same ASTs.
 *
 * A request builds one ExpressionContext, parses each of its expressions, then calls
 * `ctx.assertAllUsed()` before touching any data.
 */
import type { ConditionAst, KeyCondition, KeySchema, Path, UpdateAst } from './ast.js';
import { parseConditionExpression } from './condition-parser.js';
import type { ExpressionContext } from './context.js';
import { parseKeyConditionExpression } from './key-condition.js';
import { parseProjectionExpression } from './parser.js';
import { parseUpdateExpression } from './update-parser.js';

export type {
  Comparator,
  ConditionAst,
  KeyCondition,
  KeySchema,
  Operand,
  Path,
  PathElement,
  ScalarType,
  SortOperator,
  UpdateAction,
  UpdateAst,
  UpdateValue,
} from './ast.js';
export { ExpressionContext, type ExpressionInput } from './context.js';
export { evaluateCondition } from './evaluate.js';
export { applyUpdate, updatedTopLevelNames, type ApplyOptions, type UpdateResult } from './update.js';
export { getPath, project } from './paths.js';
export { conditionPaths, updatePaths } from './paths-read.js';
export {
  conditionFromExpected,
  conditionFromFilter,
  keyConditionFromLegacy,
  keyTermsFromLegacy,
  projectionFromAttributesToGet,
  updateFromAttributeUpdates,
} from './legacy.js';
/**
 * Two-step key conditions, for a Query that must refuse a malformed key condition before it
 * looks its table up (as DynamoDB does): parseKeyConditionTerms / keyTermsFromLegacy first,
 * keyConditionFor once the key schema is known.
 */
export { keyConditionFor, keyTermsOf, parseKeyConditionAst, parseKeyConditionTerms, type KeyComparison, type KeyTerms } from './key-condition.js';
export { isReserved } from './reserved-words.js';

/** A ConditionExpression or FilterExpression; `which` names it in error messages. */
export function parseCondition(expr: string, ctx: ExpressionContext, which: 'ConditionExpression' | 'FilterExpression'): ConditionAst {
  return parseConditionExpression(expr, ctx, which);
}

/** A ProjectionExpression: the document paths to return. */
export function parseProjection(expr: string, ctx: ExpressionContext): Path[] {
  return parseProjectionExpression(expr, ctx);
}

/** An UpdateExpression. */
export function parseUpdate(expr: string, ctx: ExpressionContext): UpdateAst {
  return parseUpdateExpression(expr, ctx);
}

/**
 * A KeyConditionExpression, checked against the key of the table or index queried: equality on
 * the partition key, at most one condition on the sort key, values of the keys' types.
 */
export function parseKeyCondition(expr: string, ctx: ExpressionContext, keySchema: KeySchema): KeyCondition {
  return parseKeyConditionExpression(expr, ctx, keySchema);
}
