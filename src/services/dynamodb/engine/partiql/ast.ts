/**
 * The parsed form of a PartiQL statement. The parser keeps expressions generic (PartiQL's own
 * grammar); what DynamoDB accepts of them is decided when they are translated, so the refusals
 * carry DynamoDB's wording ("The arguments to AND/OR must be Expressions", ...), not a parser's.
 */

/** One step of a document path: a map key or a list index. */
export type PathStep = { kind: 'name'; name: string } | { kind: 'index'; index: number };

export interface PathExpr {
  kind: 'path';
  /** The first step is always a name. */
  steps: PathStep[];
}

export type Expr =
  | { kind: 'string'; value: string }
  /** As written; normalized (and range-checked) when it becomes an AttributeValue. */
  | { kind: 'number'; text: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 'missing' }
  /** The `index`-th `?` of the statement, counting from 0. */
  | { kind: 'param'; index: number }
  | PathExpr
  | { kind: 'list' | 'bag'; items: Expr[] }
  | { kind: 'struct'; fields: Array<{ key: Expr; value: Expr }> }
  /** `name` lower-cased. */
  | { kind: 'call'; name: string; args: Expr[] }
  /** Comparisons, arithmetic and AND/OR; keyword operators lower-cased (`and`, `or`, `like`). */
  | { kind: 'binary'; op: string; left: Expr; right: Expr }
  | { kind: 'not'; operand: Expr }
  | { kind: 'negate'; operand: Expr }
  | { kind: 'between'; operand: Expr; low: Expr; high: Expr; negated: boolean }
  /** `list` is the right-hand side as written: a list, a bag, or anything else (refused later). */
  | { kind: 'in'; operand: Expr; list: Expr; negated: boolean }
  /** `type` as PartiQL names it: MISSING, NULL, STRING, NUMERIC, BOOLEAN, ... */
  | { kind: 'is'; operand: Expr; type: string; negated: boolean };

export interface Source {
  table: string;
  index?: string;
}

export type Returning = 'ALL_OLD' | 'ALL_NEW' | 'UPDATED_OLD' | 'UPDATED_NEW';

export type UpdateClause = { kind: 'set'; path: PathExpr; value: Expr } | { kind: 'remove'; path: PathExpr };

export interface OrderItem {
  name: string;
  descending: boolean;
}

export interface SelectStatement {
  kind: 'select';
  /** Undefined for `*`. */
  projection?: PathExpr[];
  source: Source;
  where?: Expr;
  orderBy: OrderItem[];
}

export type Statement =
  | SelectStatement
  | { kind: 'insert'; table: string; value: Expr }
  | { kind: 'update'; source: Source; clauses: UpdateClause[]; where?: Expr; returning?: Returning }
  | { kind: 'delete'; source: Source; where?: Expr; returning?: Returning }
  /** `EXISTS(SELECT ...)`: a condition check, in ExecuteTransaction only. */
  | { kind: 'exists'; select: SelectStatement };

export interface ParsedStatement {
  statement: Statement;
  /** How many `?` the statement holds. */
  parameters: number;
}

/** How an expression is named in messages that quote it ("Unsupported data type: PATH ..."). */
export function describe(e: Expr): string {
  switch (e.kind) {
    case 'string': return `"${e.value}"`;
    case 'number': return e.text;
    case 'bool': return String(e.value);
    case 'null': return 'null';
    case 'missing': return 'MISSING';
    case 'param': return 'PARAMETER';
    case 'path': return e.steps.length === 1 && e.steps[0]!.kind === 'name' ? e.steps[0]!.name : 'PATH';
    case 'list': case 'bag': return e.kind.toUpperCase();
    case 'struct': return 'STRUCT';
    case 'call': return e.name;
    case 'binary': return e.op;
    case 'not': return 'not';
    case 'negate': return '-';
    case 'between': return 'between';
    case 'in': return 'in';
    case 'is': return 'is';
  }
}
