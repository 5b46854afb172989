/**
 * Operation declarations for DynamoDB, built with defineOperation. Only the top level of each
 * input is declared: nested members (AttributeValues, key schemas, index definitions) are
 * checked by the engine, which words their errors as DynamoDB does.
 */
import { defineOperation } from '../../../protocols/define-operation.js';
import { boolean, document, integer, list, map, string, structure, type Member, type ShapeType } from '../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../service.js';

const kinds = {
  string: string(),
  integer: integer(),
  boolean: boolean(),
  doc: document(),
  strings: list(string()),
  names: map(string(), string()),
};
type Kinds = typeof kinds;
type Kind = `${keyof Kinds}${'' | '!'}`;
type Base<K> = K extends `${infer B extends keyof Kinds}!` ? B : K extends keyof Kinds ? K : never;
type Members = Record<string, Kind>;

/** The handler's input for `{ TableName: 'string!', Limit: 'integer' }`: `{ TableName: string; Limit?: number }`. */
export type DeclaredInput<M extends Members> = { [K in keyof M as M[K] extends `${string}!` ? K : never]: ShapeType<Kinds[Base<M[K]>]> } & {
  [K in keyof M as M[K] extends `${string}!` ? never : K]?: ShapeType<Kinds[Base<M[K]>]>;
};

/** `{ TableName: 'string!', Item: 'doc!', Limit: 'integer' }`: a trailing `!` marks a required member. */
export function op<const M extends Members>(members: M, handler: (input: DeclaredInput<M>, ctx: RequestContext) => unknown): Operation {
  const spec: Record<string, Member> = {};
  for (const [name, kind] of Object.entries(members)) {
    const required = kind.endsWith('!');
    spec[name] = { shape: kinds[kind.replace('!', '') as keyof Kinds], ...(required ? { required: true } : {}) };
  }
  // The members are built from `members`, so the decoded input is DeclaredInput<M>.
  return defineOperation({ input: structure(spec), handler: async (input, ctx) => handler(input as DeclaredInput<M>, ctx) });
}

/** Members every expression-using operation may carry. */
export const EXPRESSION_MEMBERS = { ExpressionAttributeNames: 'names', ExpressionAttributeValues: 'doc' } as const;
