/**
 * The rules about which expression parameters a request may combine, checked before any
 * expression is parsed, with DynamoDB's messages. Builds the ExpressionContext that tracks
 * which #names and :values the request's expressions used.
 */
import { ValidationException } from '../errors.js';
import { ExpressionContext } from './expressions/index.js';
import type { AttributeValue } from './types.js';
import { validateAttributeValue } from './values.js';

/** The expression and legacy members of an operation's input, in DynamoDB's reporting order (as dynalite's suite, written against DynamoDB, captured it). */
export interface ExpressionMembers {
  expressions: string[];
  legacy: string[];
}

export const PUT_DELETE: ExpressionMembers = { expressions: ['ConditionExpression'], legacy: ['Expected', 'ConditionalOperator'] };
export const UPDATE: ExpressionMembers = {
  expressions: ['UpdateExpression', 'ConditionExpression'],
  legacy: ['AttributeUpdates', 'Expected', 'ConditionalOperator'],
};
export const GET: ExpressionMembers = { expressions: ['ProjectionExpression'], legacy: ['AttributesToGet'] };
export const QUERY: ExpressionMembers = {
  expressions: ['ProjectionExpression', 'FilterExpression', 'KeyConditionExpression'],
  legacy: ['AttributesToGet', 'QueryFilter', 'ConditionalOperator', 'KeyConditions'],
};
export const SCAN: ExpressionMembers = {
  expressions: ['ProjectionExpression', 'FilterExpression'],
  legacy: ['AttributesToGet', 'ScanFilter', 'ConditionalOperator'],
};
/** A transaction's ConditionCheck carries only a condition. */
export const CONDITION_ONLY: ExpressionMembers = { expressions: ['ConditionExpression'], legacy: [] };

const NAME_KEY = /^#[0-9a-zA-Z_]+$/;
const VALUE_KEY = /^:[0-9a-zA-Z_]+$/;

/**
 * Which expression parameters may come together: DynamoDB's first check of a request's
 * expressions, made before its item or key values are checked (the rest is expressionContext's).
 */
export function checkExpressionMembers(input: Record<string, unknown>, members: ExpressionMembers): void {
  const used = members.expressions.filter((m) => input[m] !== undefined);
  if (used.length) {
    // KeyConditions may come with a FilterExpression only when there is no KeyConditionExpression.
    const legacy = members.legacy.filter(
      (m) => input[m] !== undefined && !(m === 'KeyConditions' && input.KeyConditionExpression === undefined),
    );
    if (legacy.length) {
      throw new ValidationException(
        `Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {${legacy.join(', ')}} Expression parameters: {${used.join(', ')}}`,
      );
    }
  }
  if (input.ExpressionAttributeNames !== undefined && !used.length) throw new ValidationException('ExpressionAttributeNames can only be specified when using expressions');
  const valueExpressions = members.expressions.filter((m) => m !== 'ProjectionExpression');
  if (input.ExpressionAttributeValues !== undefined && valueExpressions.length && valueExpressions.every((m) => input[m] === undefined)) {
    throw new ValidationException(
      `ExpressionAttributeValues can only be specified when using expressions: ${valueExpressions.join(' and ')} ${valueExpressions.length > 1 ? 'are' : 'is'} null`,
    );
  }
}

/**
 * The request's expression attribute names and values, checked (after checkExpressionMembers,
 * which this makes again), for the expressions to be parsed with.
 */
export function expressionContext(input: Record<string, unknown>, members: ExpressionMembers): ExpressionContext {
  checkExpressionMembers(input, members);
  const names = input.ExpressionAttributeNames as Record<string, string> | undefined;
  const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
  if (names !== undefined) {
    const keys = Object.keys(names);
    if (!keys.length) throw new ValidationException('ExpressionAttributeNames must not be empty');
    for (const k of keys) if (!NAME_KEY.test(k)) throw new ValidationException(`ExpressionAttributeNames contains invalid key: Syntax error; key: "${k}"`);
  }
  let checked: Record<string, AttributeValue> | undefined;
  if (values !== undefined) {
    const keys = Object.keys(values);
    if (!keys.length) throw new ValidationException('ExpressionAttributeValues must not be empty');
    for (const k of keys) if (!VALUE_KEY.test(k)) throw new ValidationException(`ExpressionAttributeValues contains invalid key: Syntax error; key: "${k}"`);
    checked = {};
    for (const k of keys) {
      try {
        checked[k] = validateAttributeValue(values[k]);
      } catch (e) {
        if (e instanceof ValidationException) {
          throw new ValidationException(`ExpressionAttributeValues contains invalid value: ${e.message} for key ${k}`);
        }
        throw e;
      }
    }
  }
  return new ExpressionContext({ names, values: checked });
}
