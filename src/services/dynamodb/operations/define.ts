/**
 * Operation declarations for DynamoDB. Only the top level of each input is declared: nested
 * members (AttributeValues, key schemas, index definitions) are checked by the engine, which
 * words their errors as DynamoDB does.
 */
import { boolean, document, integer, list, map, string, structure, type Member, type Shape } from '../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../service.js';

export type Handler = (input: Record<string, unknown>, ctx: RequestContext) => unknown;

const kinds = {
  string: string(),
  integer: integer(),
  boolean: boolean(),
  doc: document(),
  strings: list(string()),
  names: map(string(), string()),
} satisfies Record<string, Shape>;

/** `{ TableName: 'string!', Item: 'doc!', Limit: 'integer' }`: a trailing `!` marks a required member. */
export function op(members: Record<string, `${keyof typeof kinds}${'' | '!'}`>, handler: Handler): Operation {
  const spec: Record<string, Member> = {};
  for (const [name, kind] of Object.entries(members)) {
    const required = kind.endsWith('!');
    spec[name] = { shape: kinds[kind.replace('!', '') as keyof typeof kinds], ...(required ? { required: true } : {}) };
  }
  return { input: structure(spec), handler: async (input, ctx) => handler(input as Record<string, unknown>, ctx) };
}

/** Members every expression-using operation may carry. */
export const EXPRESSION_MEMBERS = { ExpressionAttributeNames: 'names', ExpressionAttributeValues: 'doc' } as const;
