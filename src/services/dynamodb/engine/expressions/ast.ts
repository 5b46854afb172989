/**
 * The parsed forms of DynamoDB's expressions. Parsing resolves every #name and :value, so an AST
 * no longer depends on the request's ExpressionAttributeNames/Values and can be evaluated many
 * times (a FilterExpression over every scanned item). The legacy parameters (Expected,
 * QueryFilter, AttributeUpdates, ...) are converted into these same trees.
 */
import type { AttributeValue } from '../types.js';

/** One step of a document path: a map key (string) or a list index (number). */
export type PathElement = string | number;

/**
 * A document path: a top-level attribute name, then `.name` (string) and `[index]` (number)
 * steps. `a.b[2].c` is `['a', 'b', 2, 'c']`; `#n` placeholders are already replaced by the names
 * they stand for, so a name may contain dots (`#a` for "a.b" is the single step "a.b").
 */
export type Path = PathElement[];

/** A value in a condition: read from the item, given by the request, or the size() of one. */
export type Operand =
  | { kind: 'path'; path: Path }
  | { kind: 'value'; value: AttributeValue }
  | { kind: 'size'; operand: Operand };

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

/** A ConditionExpression / FilterExpression (and the legacy Expected / QueryFilter / ScanFilter). */
export type ConditionAst =
  /** An empty `and` is true: what an empty Expected map means. */
  | { kind: 'and' | 'or'; operands: ConditionAst[] }
  | { kind: 'not'; operand: ConditionAst }
  | { kind: 'compare'; op: Comparator; left: Operand; right: Operand }
  | { kind: 'between'; operand: Operand; low: Operand; high: Operand }
  | { kind: 'in'; operand: Operand; list: Operand[] }
  | { kind: 'attribute_exists' | 'attribute_not_exists'; path: Path }
  /** `type` is a request value holding a type name such as "SS". */
  | { kind: 'attribute_type'; operand: Operand; type: Operand }
  | { kind: 'begins_with'; operand: Operand; prefix: Operand }
  | { kind: 'contains'; operand: Operand; element: Operand };

/** The right-hand side of a SET action. */
export type UpdateValue =
  | { kind: 'path'; path: Path }
  | { kind: 'value'; value: AttributeValue }
  | { kind: 'if_not_exists'; path: Path; fallback: UpdateValue }
  | { kind: 'list_append'; left: UpdateValue; right: UpdateValue }
  | { kind: 'plus' | 'minus'; left: UpdateValue; right: UpdateValue };

export type UpdateAction =
  | { kind: 'set'; path: Path; value: UpdateValue }
  | { kind: 'remove'; path: Path }
  /** A number to add, or a set to merge (a list too, for the legacy AttributeUpdates only). */
  | { kind: 'add'; path: Path; value: AttributeValue }
  /** A set whose elements leave the attribute's set. */
  | { kind: 'delete'; path: Path; value: AttributeValue };

export interface UpdateAst {
  /** In the order written; the paths never overlap (the parser refuses that). */
  actions: UpdateAction[];
  /** From AttributeUpdates: type clashes are worded "Type mismatch for attribute to update". */
  legacy?: boolean;
}

export type ScalarType = 'S' | 'N' | 'B';

/** The key of the table or index a Query reads. */
export type { KeySchema } from '../table-meta.js';

export type SortOperator = '=' | '<' | '<=' | '>' | '>=' | 'BETWEEN' | 'BEGINS_WITH';

/**
 * A Query's key condition: the partition's value, and at most one condition on the sort key.
 * On a multi-attribute key, the further partition attributes' values and the equalities on the
 * leading sort attributes, in key-schema order; `sort` is then the condition on the last sort
 * attribute the query names.
 */
export interface KeyCondition {
  partition: { name: string; value: AttributeValue };
  morePartition?: Array<{ name: string; value: AttributeValue }>;
  sortPrefix?: Array<{ name: string; value: AttributeValue }>;
  sort?: { name: string; op: SortOperator; values: AttributeValue[] };
}
