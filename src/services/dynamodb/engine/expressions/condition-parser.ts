/**
 * The checks a condition gets once it parses (functions, operand types, reserved words,
 * #names and :values), and its AST. Shared by ConditionExpression, FilterExpression and
 * KeyConditionExpression.
 */
import type { ConditionAst, Operand, Path } from './ast.js';
import { ConditionGrammar, KEYWORDS, type RNode } from './condition-grammar.js';
import type { ExpressionContext } from './context.js';
import {
  MAX_OPERATORS,
  Problems,
  TokenStream,
  UNDEFINED_VALUE_MESSAGE,
  pathToString,
  resolvePath,
  tokensOf,
  type ExpressionKind,
} from './parser.js';
import { typeOf, type AttributeValue } from '../types.js';
import { compareScalars } from '../values.js';

/** Functions of the condition grammar and how many operands each takes. */
const CONDITION_FUNCTIONS: Record<string, number> = {
  attribute_exists: 1,
  attribute_not_exists: 1,
  attribute_type: 2,
  begins_with: 2,
  contains: 2,
  size: 1,
};
/** Functions DynamoDB knows but allows only in update expressions ("not allowed to be used this way"). */
const UPDATE_ONLY_FUNCTIONS = new Set(['if_not_exists', 'list_append']);
const ATTRIBUTE_TYPES = ['S', 'N', 'B', 'NULL', 'SS', 'BOOL', 'L', 'BS', 'NS', 'M'];
const ORDERED = new Set(['S', 'N', 'B']);
const PLACEHOLDER: Operand = { kind: 'path', path: [] };
/** What a faulty condition becomes; never evaluated, since the faults are reported first. */
const TRUE: ConditionAst = { kind: 'and', operands: [] };
type SizeOperand = Extract<Operand, { kind: 'size' }>;

/**
 * The checks after parsing, in dynalite's ranking (from its DynamoDB-recorded tests): redundant
 * parentheses, unknown functions, misused functions, reserved words, then the first faulty
 * elementary condition's own fault (undefined name/value, operand count, distinct operands,
 * operand types).
 */
const RANKING = ['operators', 'parens', 'unknownFunction', 'misusedFunction', 'reserved', 'condition'];
const CONDITION_RANKING = ['attrNameVal', 'operand', 'distinct', 'function'];

class ConditionChecker {
  readonly problems = new Problems();
  operators = 0;

  constructor(private readonly ctx: ExpressionContext) {}

  condition(n: RNode): ConditionAst {
    switch (n.t) {
      case 'and':
      case 'or':
        this.operators += n.items.length - 1;
        return { kind: n.t, operands: n.items.map((i) => this.condition(i)) };
      case 'not':
        this.operators++;
        return { kind: 'not', operand: this.condition(n.operand) };
      case 'parens':
        this.redundant(n);
        return this.condition(n.inner);
      default:
        return this.leaf(n);
    }
  }

  /** An elementary condition; once it is checked, its first fault (if any) is the one reported. */
  private leaf(n: RNode): ConditionAst {
    // A comparison, BETWEEN or IN is one operator; a function call counts itself.
    if (n.t !== 'call') this.operators++;
    const result = this.leafAst(n);
    if (!this.problems.has('condition')) {
      const fault = this.problems.first(CONDITION_RANKING);
      if (fault !== undefined) this.problems.add('condition', fault);
    }
    return result;
  }

  private leafAst(n: RNode): ConditionAst {
    switch (n.t) {
      case 'cmp': {
        const left = this.operand(n.left);
        const right = this.operand(n.right);
        this.distinct(n.op, left, right);
        if (n.op !== '=' && n.op !== '<>') this.ordered(n.op, [left, right]);
        return { kind: 'compare', op: n.op, left, right };
      }
      case 'between': {
        const [operand, low, high] = [this.operand(n.operand), this.operand(n.low), this.operand(n.high)];
        this.ordered('BETWEEN', [operand, low, high]);
        if (low.kind === 'value' && high.kind === 'value') this.bounds(low.value, high.value);
        return { kind: 'between', operand, low, high };
      }
      case 'in': {
        const operand = this.operand(n.operand);
        const list = n.list.map((i) => this.operand(i));
        if (list.length + 1 > 100) {
          this.problems.add('operand', `The IN operator is provided with too many operands; number of operands: ${list.length + 1}`);
        }
        return { kind: 'in', operand, list };
      }
      case 'call': {
        const made = this.call(n);
        if (n.name === 'size') this.problems.add('misusedFunction', misused('size'));
        return made && made.kind !== 'size' ? made : TRUE;
      }
      default:
        throw new Error(`not a condition: ${n.t}`);
    }
  }

  private redundant(n: RNode & { t: 'parens' }): void {
    if (n.inner.t === 'parens') this.problems.add('parens', 'The expression has redundant parentheses;');
  }

  operand(n: RNode): Operand {
    switch (n.t) {
      case 'path':
        if (n.redundant) this.problems.add('parens', 'The expression has redundant parentheses;');
        return { kind: 'path', path: resolvePath(n.path, this.ctx, this.problems, 'attrNameVal') ?? [] };
      case 'value': {
        const value = this.ctx.resolveValue(n.ref);
        if (value === undefined) {
          this.problems.add('attrNameVal', UNDEFINED_VALUE_MESSAGE + n.ref);
          return PLACEHOLDER;
        }
        return { kind: 'value', value };
      }
      case 'parens':
        this.redundant(n);
        return this.operand(n.inner);
      case 'call': {
        const made = this.call(n);
        if (n.name === 'size') return made?.kind === 'size' ? made : PLACEHOLDER;
        // Any other known function yields a condition, not a value.
        if (Object.hasOwn(CONDITION_FUNCTIONS, n.name)) this.problems.add('misusedFunction', misused(n.name));
        return PLACEHOLDER;
      }
      default:
        throw new Error(`not an operand: ${n.t}`);
    }
  }

  /**
   * A function call, wherever it stands: its operands, then its name, operand count and operand
   * types. Returns the condition (or, for size, the operand) it makes; undefined when faulty.
   */
  private call(n: RNode & { t: 'call' }): ConditionAst | SizeOperand | undefined {
    this.operators++;
    const args = n.args.map((a) => this.operand(a));
    const name = n.name;
    if (UPDATE_ONLY_FUNCTIONS.has(name)) {
      this.problems.add('misusedFunction', misused(name));
      return undefined;
    }
    const arity = Object.hasOwn(CONDITION_FUNCTIONS, name) ? CONDITION_FUNCTIONS[name] : undefined;
    if (arity === undefined) {
      this.problems.add('unknownFunction', `Invalid function name; function: ${name}`);
      return undefined;
    }
    if (args.length !== arity) {
      this.problems.add('operand', `Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`);
      return undefined;
    }
    if (arity === 2) this.distinct(name, args[0]!, args[1]!);
    const wrongType = (type: string) =>
      this.problems.add('function', `Incorrect operand type for operator or function; operator or function: ${name}, operand type: ${type}`);
    switch (name) {
      case 'attribute_exists':
      case 'attribute_not_exists':
        if (args[0]!.kind !== 'path') {
          this.problems.add('function', `Operator or function requires a document path; operator or function: ${name}`);
          return undefined;
        }
        return { kind: name, path: args[0]!.path };
      case 'begins_with':
        for (const a of args) {
          const type = operandType(a);
          if (type && type !== 'S' && type !== 'B') wrongType(type);
        }
        return { kind: 'begins_with', operand: args[0]!, prefix: args[1]! };
      case 'contains':
        return { kind: 'contains', operand: args[0]!, element: args[1]! };
      case 'attribute_type': {
        const type = operandType(args[1]!);
        if (type !== 'S') wrongType(type ?? '{NS,SS,L,BS,N,M,B,BOOL,NULL,S}');
        else if (!ATTRIBUTE_TYPES.includes((args[1] as { value: { S: string } }).value.S)) {
          const given = (args[1] as { value: { S: string } }).value.S;
          this.problems.add('function', `Invalid attribute type name found; type: ${given}, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}`);
        }
        return { kind: 'attribute_type', operand: args[0]!, type: args[1]! };
      }
      default: {
        // size: a number, so not of a number, boolean or null.
        const type = operandType(args[0]!);
        if (type === 'N' || type === 'BOOL' || type === 'NULL') wrongType(type);
        return { kind: 'size', operand: args[0]! };
      }
    }
  }

  /** `contains(a, a)` and `a = a` are refused. */
  private distinct(operator: string, a: Operand, b: Operand): void {
    if (a.kind !== 'path' || b.kind !== 'path' || !a.path.length || !samePath(a.path, b.path)) return;
    this.problems.add(
      'distinct',
      `The first operand must be distinct from the remaining operands for this operator or function; operator: ${operator}, first operand: ${pathToString(a.path)}`,
    );
  }

  /** Ordering needs scalars: a request value of another type is refused (an item's is just unequal). */
  private ordered(operator: string, operands: Operand[]): void {
    for (const o of operands) {
      if (o.kind === 'value' && !ORDERED.has(typeOf(o.value))) {
        this.problems.add('function', `Incorrect operand type for operator or function; operator or function: ${operator}, operand type: ${typeOf(o.value)}`);
      }
    }
  }

  /** BETWEEN's bounds, when the request gives both, must be of one type and in order. */
  private bounds(low: AttributeValue, high: AttributeValue): void {
    const show = (v: AttributeValue) => `AttributeValue: {${typeOf(v)}:${String(Object.values(v)[0])}}`;
    const operands = `lower bound operand: ${show(low)}, upper bound operand: ${show(high)}`;
    if (typeOf(low) !== typeOf(high)) {
      this.problems.add('function', `The BETWEEN operator requires same data type for lower and upper bounds; ${operands}`);
    } else if ((compareScalars(low, high) ?? 0) > 0) {
      this.problems.add('function', `The BETWEEN operator requires upper bound to be greater than or equal to lower bound; ${operands}`);
    }
  }
}

function misused(name: string): string {
  return `The function is not allowed to be used this way in an expression; function: ${name}`;
}

function samePath(a: Path, b: Path): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

/** The type an operand is known to have before reading any item. */
function operandType(o: Operand): string | undefined {
  if (o.kind === 'value') return typeOf(o.value);
  if (o.kind === 'size') return 'N';
  return undefined;
}

/** Parses and checks a condition, resolving its #names and :values through `ctx`. */
export function parseConditionExpression(source: string, ctx: ExpressionContext, which: ExpressionKind): ConditionAst {
  const ts = new TokenStream(which, source, tokensOf(which, source), KEYWORDS);
  const root = new ConditionGrammar(ts).parse();
  const checker = new ConditionChecker(ctx);
  const ast = checker.condition(root);
  if (checker.operators > MAX_OPERATORS) {
    checker.problems.add('operators', `The expression contains too many operators; operator count: ${checker.operators}`);
  }
  checker.problems.report(which, RANKING);
  return ast;
}
