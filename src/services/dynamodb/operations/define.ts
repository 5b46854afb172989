/**
 * Operation declarations for DynamoDB, built with defineOperation. The top level of each input
 * is declared in the order DynamoDB checks it, with its constraints, so one pass reports every
 * violation together ("3 validation errors detected: ...") before any table is looked up, and
 * a member of the wrong JSON type is Coral's SerializationException. Nested members
 * (AttributeValues, key schemas, index definitions) are checked by the engine, which words
 * their errors as DynamoDB does.
 */
import { defineOperation } from '../../../protocols/define-operation.js';
import { boolean, document, integer, list, map, string, structure, type Member, type Shape, type ShapeType } from '../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../service.js';
import { attributeMapReadError, attributeValueReadError } from '../engine/values.js';

/**
 * An AttributeValue, read as Coral reads it in the validation pass (a wrong JSON type anywhere
 * inside is a SerializationException before any missing member is reported); its other checks
 * are the engine's. AV_FIELD: one that is a structure's member (Expected's Value).
 */
const AV = document({ read: (v) => attributeValueReadError(v) });
const AV_FIELD = document({ read: (v) => attributeValueReadError(v, true) });
const ATTRS = map(string(), AV, { javaName: 'AttributeValue' });
/**
 * A map of attribute values as a structure's member (an item, a key): read whole, with the
 * wording ATTRS gets, in one pass the engine's check then reuses. A list's elements stay ATTRS:
 * there a null element is worded as a map's.
 */
const ATTRS_MEMBER = document({ read: attributeMapReadError });
const NAMES = map(string(), string(), { javaName: 'java.lang.String' });

const kinds = {
  string: string(),
  integer: integer(),
  boolean: boolean(),
  doc: document(),
  strings: list(string()),
  names: NAMES,
  /** A list of structures or values the engine checks (KeySchema, TransactItems, Tags). */
  list: list(document()),
  /** A structure the engine checks (ProvisionedThroughput, StreamSpecification). */
  struct: structure({}),
  /** An attribute map: an item, a key, ExpressionAttributeValues. */
  attrs: ATTRS_MEMBER,
};
type Kinds = typeof kinds;
type Kind = `${keyof Kinds}${'' | '!'}`;
type Base<K> = K extends `${infer B extends keyof Kinds}!` ? B : K extends keyof Kinds ? K : never;
type Members = Record<string, Kind | Member>;
type TypeOf<K> = K extends Member ? ShapeType<K['shape']> : ShapeType<Kinds[Base<K>]>;
type IsRequired<K> = K extends `${string}!` ? true : K extends { required: true } ? true : false;

/** The handler's input for `{ TableName: 'string!', Limit: 'integer' }`: `{ TableName: string; Limit?: number }`. */
export type DeclaredInput<M extends Members> = { [K in keyof M as IsRequired<M[K]> extends true ? K : never]: TypeOf<M[K]> } & {
  [K in keyof M as IsRequired<M[K]> extends true ? never : K]?: TypeOf<M[K]>;
};

/** `{ TableName: TABLE_NAME, Item: 'attrs!', Limit: 'integer' }`: a trailing `!` marks a required member. */
export function op<const M extends Members>(members: M, handler: (input: DeclaredInput<M>, ctx: RequestContext) => unknown): Operation {
  const spec: Record<string, Member> = {};
  for (const [name, kind] of Object.entries(members)) {
    if (typeof kind !== 'string') {
      spec[name] = kind;
      continue;
    }
    const required = kind.endsWith('!');
    spec[name] = { shape: kinds[kind.replace('!', '') as keyof Kinds], ...(required ? { required: true } : {}) };
  }
  // The members are built from `members`, so the decoded input is DeclaredInput<M>.
  // Awaited, not returned: returning a promise from an async function costs two more microtask turns.
  return defineOperation({ input: structure(spec), handler: async (input, ctx) => await handler(input as DeclaredInput<M>, ctx) });
}

const member = <S extends Shape>(shape: S) => ({ shape }) as const;
const requiredMember = <S extends Shape>(shape: S) => ({ shape, required: true }) as const;
const NAME = { min: 3, max: 255, pattern: '[a-zA-Z0-9_.-]+' } as const;

/** A table name as item operations check it (`Member must not be null`, length, pattern); a table ARN is the engine's to check. */
export const TABLE_NAME = requiredMember(string({ ...NAME, exempt: /^arn:/ }));
export const INDEX_NAME = member(string(NAME));
export const RETURN_CONSUMED_CAPACITY = member(string({ enum: ['INDEXES', 'TOTAL', 'NONE'] }));
export const RETURN_ITEM_COLLECTION_METRICS = member(string({ enum: ['SIZE', 'NONE'] }));
export const RETURN_VALUES = member(string({ enum: ['ALL_NEW', 'UPDATED_OLD', 'ALL_OLD', 'NONE', 'UPDATED_NEW'] }));
export const RETURN_VALUES_ON_CONDITION_CHECK_FAILURE = member(string({ enum: ['ALL_OLD', 'NONE'] }));
export const CONDITIONAL_OPERATOR = member(string({ enum: ['OR', 'AND'] }));
export const SELECT = member(string({ enum: ['SPECIFIC_ATTRIBUTES', 'COUNT', 'ALL_ATTRIBUTES', 'ALL_PROJECTED_ATTRIBUTES'] }));
export const ATTRIBUTES_TO_GET = member(list(string(), { min: 1, max: 255 }));
export const LIMIT = member(integer({ min: 1 }));
/** A structure the engine checks, by its model name (`ProvisionedThroughput`). */
export const struct = (javaName: string) => member(structure({}, { javaName }));
// The nested members of the legacy parameters and batches, typed only (no constraints): Coral
// reads them whole before any check, and the engine words every other problem itself.
const opt = <S extends Shape>(shape: S) => ({ shape }) as const;
/** Expected: the legacy conditions of a write. */
export const EXPECTED = member(
  map(string(), structure({ Value: opt(AV_FIELD), Exists: opt(boolean()), ComparisonOperator: opt(string()), AttributeValueList: opt(list(AV)) }, { javaName: 'ExpectedAttributeValue' }), {
    javaName: 'ExpectedAttributeValue',
  }),
);
/** KeyConditions, QueryFilter, ScanFilter. */
export const CONDITIONS = member(map(string(), structure({ AttributeValueList: opt(list(AV)), ComparisonOperator: opt(string()) }, { javaName: 'Condition' }), { javaName: 'Condition' }));
/** UpdateItem's legacy AttributeUpdates. */
export const ATTRIBUTE_UPDATES = member(
  map(string(), structure({ Value: opt(AV_FIELD), Action: opt(string()) }, { javaName: 'AttributeValueUpdate' }), { javaName: 'AttributeValueUpdate' }),
);
/** BatchGetItem's RequestItems. */
export const KEYS_AND_ATTRIBUTES = member(
  map(
    string(),
    structure(
      {
        Keys: opt(list(ATTRS)),
        AttributesToGet: opt(list(string())),
        ConsistentRead: opt(boolean()),
        ProjectionExpression: opt(string()),
        ExpressionAttributeNames: opt(NAMES),
      },
      { javaName: 'KeysAndAttributes' },
    ),
    { javaName: 'KeysAndAttributes' },
  ),
);
/** BatchWriteItem's RequestItems. */
export const WRITE_REQUESTS = member(
  map(
    string(),
    list(
      structure(
        {
          PutRequest: opt(structure({ Item: opt(ATTRS_MEMBER) }, { javaName: 'PutRequest' })),
          DeleteRequest: opt(structure({ Key: opt(ATTRS_MEMBER) }, { javaName: 'DeleteRequest' })),
        },
        { javaName: 'WriteRequest' },
      ),
    ),
    { javaName: 'java.util.List<com.amazonaws.dynamodb.v20120810.WriteRequest>' },
  ),
);

/** Members every expression-using operation may carry. */
export const EXPRESSION_MEMBERS = { ExpressionAttributeValues: 'attrs', ExpressionAttributeNames: 'names' } as const;
