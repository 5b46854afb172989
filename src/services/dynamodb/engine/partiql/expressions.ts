/**
 * From PartiQL expressions to DynamoDB expressions. A WHERE becomes a condition tree (`Cond`),
 * refusing what DynamoDB's PartiQL refuses with its messages; conditions, projections and SET /
 * REMOVE clauses are then written out as ordinary ConditionExpression / FilterExpression /
 * UpdateExpression text in which every name is a `#n<i>` and every value a `:v<i>` placeholder,
 * so no text of the statement is ever spliced into an expression and reserved words never
 * matter. The engine then parses and evaluates them like any other request's.
 */
import type { Path } from '../expressions/index.js';
import { typeOf, type AttributeValue } from '../types.js';
import { describe, type Expr, type PathExpr, type UpdateClause } from './ast.js';
import { invalid, MSG } from './errors.js';
import type { Binder } from './values.js';

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type Operand = { kind: 'path'; path: Path } | { kind: 'value'; value: AttributeValue } | { kind: 'size'; path: Path };

export type FunctionName = 'attribute_exists' | 'attribute_not_exists' | 'begins_with' | 'contains' | 'attribute_type';

export type Cond =
  | { kind: 'and' | 'or'; left: Cond; right: Cond }
  | { kind: 'not'; operand: Cond }
  | { kind: 'compare'; op: Comparator; left: Operand; right: Operand }
  | { kind: 'between'; operand: Operand; low: Operand; high: Operand }
  | { kind: 'in'; operand: Operand; list: Operand[] }
  | { kind: 'function'; name: FunctionName; args: Operand[] };

const COMPARATORS = new Set(['=', '<>', '<', '<=', '>', '>=']);
const ARITY: Record<FunctionName, number> = { attribute_exists: 1, attribute_not_exists: 1, begins_with: 2, contains: 2, attribute_type: 2 };
/** IS <type> as attribute_type's type names. */
const IS_TYPES: Record<string, string> = { STRING: 'S', NUMERIC: 'N', BLOB: 'B', BOOLEAN: 'BOOL', STRUCT: 'M', TUPLE: 'M', LIST: 'L' };
const LITERALS = new Set(['string', 'number', 'bool', 'null', 'param', 'list', 'struct', 'bag']);

export function pathOf(p: PathExpr): Path {
  return p.steps.map((s) => (s.kind === 'name' ? s.name : s.index));
}

const conditionOperator = (op: string) => invalid(`Unsupported operator in Condition Expression. Operator: ${op}`);
const updateOperator = (op: string) => invalid(`Unsupported operator in Update Expression. Operator: ${op}`);

/** A WHERE (or one of its parts) as a condition; `context` words the refusal of a non-condition. */
export function toCondition(e: Expr, b: Binder, context: 'where' | 'andor' | 'not' = 'where'): Cond {
  switch (e.kind) {
    case 'binary':
      if (e.op === 'and' || e.op === 'or') return { kind: e.op, left: toCondition(e.left, b, 'andor'), right: toCondition(e.right, b, 'andor') };
      if (COMPARATORS.has(e.op)) return { kind: 'compare', op: e.op as Comparator, left: toOperand(e.left, b), right: toOperand(e.right, b) };
      throw conditionOperator(e.op);
    case 'not':
      return { kind: 'not', operand: toCondition(e.operand, b, 'not') };
    case 'between': {
      const c: Cond = { kind: 'between', operand: toOperand(e.operand, b), low: toOperand(e.low, b), high: toOperand(e.high, b) };
      return e.negated ? { kind: 'not', operand: c } : c;
    }
    case 'in': {
      if (e.operand.kind !== 'path' || (e.list.kind !== 'list' && e.list.kind !== 'bag') || !e.list.items.length) throw invalid(MSG.inOperator);
      if (e.list.items.length > 100) throw invalid(`The IN operator is provided with too many operands; number of operands: ${e.list.items.length + 1}`);
      const c: Cond = { kind: 'in', operand: toOperand(e.operand, b), list: e.list.items.map((i) => toOperand(i, b)) };
      return e.negated ? { kind: 'not', operand: c } : c;
    }
    case 'is':
      return isCondition(e, b);
    case 'call':
      return functionCondition(e, b, context);
    default:
      throw invalid(context === 'where' ? MSG.whereBoolean : context === 'andor' ? MSG.andOrOperand : MSG.notOperand);
  }
}

/** IS [NOT] MISSING | NULL | <type>: attribute_not_exists, `= NULL` and attribute_type. */
function isCondition(e: Extract<Expr, { kind: 'is' }>, b: Binder): Cond {
  if (!['path', 'param', 'string', 'number', 'bool', 'null'].includes(e.operand.kind)) throw invalid(MSG.isOperand);
  const subject = toOperand(e.operand, b);
  let c: Cond;
  if (e.type === 'MISSING') {
    if (subject.kind !== 'path') throw invalid(MSG.isOperand);
    return { kind: 'function', name: e.negated ? 'attribute_exists' : 'attribute_not_exists', args: [subject] };
  } else if (e.type === 'NULL') {
    c = { kind: 'compare', op: '=', left: subject, right: { kind: 'value', value: { NULL: true } } };
  } else if (IS_TYPES[e.type]) {
    c = { kind: 'function', name: 'attribute_type', args: [subject, { kind: 'value', value: { S: IS_TYPES[e.type]! } }] };
  } else {
    throw invalid(
      `Unsupported data type for IS operator: ${e.type}. Supported data types are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]`,
    );
  }
  return e.negated ? { kind: 'not', operand: c } : c;
}

function functionCondition(e: Extract<Expr, { kind: 'call' }>, b: Binder, context: 'where' | 'andor' | 'not'): Cond {
  if (e.name === 'size') throw invalid(context === 'where' ? MSG.whereBoolean : context === 'andor' ? MSG.andOrOperand : MSG.notOperand);
  if (!Object.hasOwn(ARITY, e.name)) throw invalid(`Unrecognized function: ${e.name}`);
  const name = e.name as FunctionName;
  if (e.args.length !== ARITY[name]) {
    throw invalid(`Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${e.args.length}`);
  }
  return { kind: 'function', name, args: e.args.map((a) => toOperand(a, b)) };
}

/** A comparison operand: a path, a value, or size(path). */
export function toOperand(e: Expr, b: Binder): Operand {
  if (e.kind === 'path') return { kind: 'path', path: pathOf(e) };
  if (LITERALS.has(e.kind)) return { kind: 'value', value: b.value(e) };
  if (e.kind === 'missing') throw invalid(MSG.missingLiteral);
  if (e.kind === 'call' && e.name === 'size') {
    if (e.args.length !== 1 || e.args[0]!.kind !== 'path') {
      throw invalid(`Incorrect number of operands for operator or function; operator or function: size, number of operands: ${e.args.length}`);
    }
    return { kind: 'size', path: pathOf(e.args[0] as PathExpr) };
  }
  if (e.kind === 'call') throw invalid(`Unrecognized function: ${e.name}`);
  if (e.kind === 'negate') throw conditionOperator('-');
  throw conditionOperator(describe(e));
}

/** Builds expression text with placeholders, collecting ExpressionAttributeNames and Values. */
export class ExpressionBuilder {
  private readonly nameIds = new Map<string, string>();
  private readonly names: Record<string, string> = {};
  private readonly values: Record<string, AttributeValue> = {};
  private valueCount = 0;

  name(n: string): string {
    let id = this.nameIds.get(n);
    if (!id) {
      id = `#n${this.nameIds.size}`;
      this.nameIds.set(n, id);
      this.names[id] = n;
    }
    return id;
  }

  value(v: AttributeValue): string {
    const id = `:v${this.valueCount++}`;
    this.values[id] = v;
    return id;
  }

  path(p: Path): string {
    return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? this.name(s) : `.${this.name(s)}`)).join('');
  }

  operand(o: Operand): string {
    if (o.kind === 'path') return this.path(o.path);
    if (o.kind === 'size') return `size(${this.path(o.path)})`;
    return this.value(o.value);
  }

  condition(c: Cond): string {
    switch (c.kind) {
      case 'and':
      case 'or':
        return `(${this.condition(c.left)}) ${c.kind.toUpperCase()} (${this.condition(c.right)})`;
      case 'not':
        return `NOT (${this.condition(c.operand)})`;
      case 'compare':
        return `${this.operand(c.left)} ${c.op} ${this.operand(c.right)}`;
      case 'between':
        return `${this.operand(c.operand)} BETWEEN ${this.operand(c.low)} AND ${this.operand(c.high)}`;
      case 'in':
        return `${this.operand(c.operand)} IN (${c.list.map((o) => this.operand(o)).join(', ')})`;
      case 'function':
        return `${c.name}(${c.args.map((o) => this.operand(o)).join(', ')})`;
    }
  }

  /** A ProjectionExpression of the top-level attributes the paths start from. */
  projection(paths: Path[]): string {
    return [...new Set(paths.map((p) => p[0] as string))].map((n) => this.name(n)).join(', ');
  }

  /** SET / REMOVE clauses as an UpdateExpression; set_add and set_delete become ADD and DELETE. */
  update(clauses: UpdateClause[], b: Binder): string {
    const sections: Record<'SET' | 'REMOVE' | 'ADD' | 'DELETE', string[]> = { SET: [], REMOVE: [], ADD: [], DELETE: [] };
    for (const c of clauses) {
      const target = this.path(pathOf(c.path));
      if (c.kind === 'remove') sections.REMOVE.push(target);
      else if (c.value.kind === 'call' && (c.value.name === 'set_add' || c.value.name === 'set_delete')) {
        const section = c.value.name === 'set_add' ? 'ADD' : 'DELETE';
        sections[section].push(`${target} ${this.setOperand(section, c.path, c.value.args, b)}`);
      } else sections.SET.push(`${target} = ${this.updateValue(c.value, b)}`);
    }
    return Object.entries(sections)
      .filter(([, actions]) => actions.length)
      .map(([section, actions]) => `${section} ${actions.join(', ')}`)
      .join(' ');
  }

  /** set_add(path, <<..>>) / set_delete(...): the path must be the target, the value a set. */
  private setOperand(section: 'ADD' | 'DELETE', target: PathExpr, args: Expr[], b: Binder): string {
    if (args.length !== 2) throw invalid(`SET_${section} must have exactly two arguments`);
    const [first, second] = args as [Expr, Expr];
    if (first.kind !== 'path' || JSON.stringify(pathOf(first)) !== JSON.stringify(pathOf(target))) {
      throw invalid(`The first argument to SET_${section} must equal the assignment value`);
    }
    const set = LITERALS.has(second.kind) ? b.value(second) : undefined;
    if (!set || !['SS', 'NS', 'BS'].includes(typeOf(set))) throw invalid(`The second argument to SET_${section} must be a value with type SET`);
    return this.value(set);
  }

  private updateValue(e: Expr, b: Binder): string {
    if (LITERALS.has(e.kind)) return this.value(b.value(e));
    switch (e.kind) {
      case 'path':
        return this.path(pathOf(e));
      case 'binary':
        if (e.op !== '+' && e.op !== '-') throw updateOperator(e.op);
        return `${this.updateValue(e.left, b)} ${e.op} ${this.updateValue(e.right, b)}`;
      case 'call':
        if (e.name !== 'list_append' && e.name !== 'if_not_exists') throw invalid(`Unrecognized function: ${e.name}`);
        return `${e.name}(${e.args.map((a) => this.updateValue(a, b)).join(', ')})`;
      case 'is':
        throw invalid(MSG.isInUpdate);
      case 'missing':
        throw invalid(MSG.missingLiteral);
      case 'negate':
        throw updateOperator('-');
      default:
        throw updateOperator(describe(e));
    }
  }

  /** The ExpressionAttributeNames / ExpressionAttributeValues members, when not empty. */
  members(): { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, AttributeValue> } {
    const out: { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, AttributeValue> } = {};
    if (this.nameIds.size) out.ExpressionAttributeNames = this.names;
    if (this.valueCount) out.ExpressionAttributeValues = this.values;
    return out;
  }
}
