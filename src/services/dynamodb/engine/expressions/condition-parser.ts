/**
 * The condition grammar, shared by ConditionExpression, FilterExpression and
 * KeyConditionExpression (DynamoDB parses all three with one parser: a key condition with OR is
 * answered "Invalid operator used in KeyConditionExpression: OR", not a syntax error).
 *
 *   condition  := or
 *   or         := and ("OR" and)*
 *   and        := not ("AND" not)*
 *   not        := "NOT" not | comparison
 *   comparison := primary (comparator primary | "BETWEEN" primary "AND" primary
 *                 | "IN" "(" primary ("," primary)* ")")?
 *   primary    := "(" or ")" | :value | path | name "(" primary ("," primary)* ")"
 *
 * A parenthesised group may hold a condition or a single operand (`(a) = :v` is fine), so the
 * grammar accepts both and checks, where the group is used, that it holds the right one; a wrong
 * one is a syntax error at the token after it, which is where DynamoDB reports it.
 */
import type { ConditionAst, Comparator, Operand, Path } from './ast.js';
import type { ExpressionContext } from './context.js';
import {
  MAX_OPERATORS,
  Problems,
  TokenStream,
  UNDEFINED_VALUE_MESSAGE,
  invalid,
  parsePathTail,
  parseRawPath,
  pathToString,
  resolvePath,
  tokensOf,
  type ExpressionKind,
  type RawPath,
} from './parser.js';
import { typeOf, type AttributeValue } from '../types.js';
import { compareScalars } from '../values.js';

type RNode = (
  | { t: 'and' | 'or'; items: RNode[] }
  | { t: 'not'; operand: RNode }
  | { t: 'cmp'; op: Comparator; left: RNode; right: RNode }
  | { t: 'between'; operand: RNode; low: RNode; high: RNode }
  | { t: 'in'; operand: RNode; list: RNode[] }
  | { t: 'parens'; inner: RNode }
  /** `redundant`: the head was written in doubled parentheses, `((a.b)).c`. */
  | { t: 'path'; path: RawPath; redundant?: boolean }
  | { t: 'value'; ref: string }
  | { t: 'call'; name: string; args: RNode[] }
) & { end: number };

const KEYWORDS: ReadonlySet<string> = new Set(['AND', 'OR', 'NOT', 'BETWEEN', 'IN']);
const COMPARATORS: ReadonlySet<string> = new Set(['=', '<>', '<', '<=', '>', '>=']);
/** Parens nested deeper than this cannot be anything but redundant. */
const MAX_NESTING = 400;

/** The path inside nested parentheses, and how deeply it is wrapped. */
function groupedPath(n: RNode, depth = 0): { path: RawPath; depth: number; redundant: boolean } | undefined {
  if (n.t === 'parens') return groupedPath(n.inner, depth + 1);
  return n.t === 'path' ? { path: n.path, depth, redundant: n.redundant === true } : undefined;
}

function isCondition(n: RNode): boolean {
  return n.t === 'parens' ? isCondition(n.inner) : n.t !== 'path' && n.t !== 'value';
}

function isOperand(n: RNode): boolean {
  return n.t === 'parens' ? isOperand(n.inner) : n.t === 'path' || n.t === 'value' || n.t === 'call';
}

class ConditionGrammar {
  private depth = 0;

  constructor(private readonly ts: TokenStream) {}

  parse(): RNode {
    const root = this.or();
    this.condition(root);
    this.ts.expectEnd();
    return root;
  }

  private condition(n: RNode): void {
    if (!isCondition(n)) this.ts.fail(n.end);
  }

  private operand(n: RNode): RNode {
    if (!isOperand(n)) this.ts.fail(n.end);
    return n;
  }

  private chain(kind: 'OR' | 'AND', item: () => RNode): RNode {
    const items = [item()];
    while (this.ts.isKeyword(kind)) {
      this.condition(items[items.length - 1]!);
      this.ts.next();
      items.push(item());
    }
    if (items.length === 1) return items[0]!;
    this.condition(items[items.length - 1]!);
    return { t: kind === 'OR' ? 'or' : 'and', items, end: this.ts.pos };
  }

  private or(): RNode {
    return this.chain('OR', () => this.and());
  }

  private and(): RNode {
    return this.chain('AND', () => this.not());
  }

  private not(): RNode {
    if (!this.ts.isKeyword('NOT')) return this.comparison();
    this.ts.next();
    if (++this.depth > MAX_NESTING) throw invalid(this.ts.which, `The expression contains too many operators; operator count: ${this.depth}`);
    const operand = this.not();
    this.depth--;
    this.condition(operand);
    return { t: 'not', operand, end: this.ts.pos };
  }

  private comparison(): RNode {
    const first = this.primary();
    const ts = this.ts;
    const t = ts.peek();
    if (t.type === 'punct' && COMPARATORS.has(t.text)) {
      this.operand(first);
      ts.next();
      const right = this.operand(this.primary());
      return { t: 'cmp', op: t.text as Comparator, left: first, right, end: ts.pos };
    }
    if (ts.isKeyword('BETWEEN')) {
      this.operand(first);
      ts.next();
      const low = this.operand(this.primary());
      if (!ts.isKeyword('AND')) ts.fail();
      ts.next();
      const high = this.operand(this.primary());
      return { t: 'between', operand: first, low, high, end: ts.pos };
    }
    if (ts.isKeyword('IN')) {
      this.operand(first);
      ts.next();
      return { t: 'in', operand: first, list: this.list(), end: ts.pos };
    }
    return first;
  }

  /** `( primary (, primary)* )` */
  private list(): RNode[] {
    this.ts.expectPunct('(');
    const items = [this.operand(this.primary())];
    while (this.ts.isPunct(',')) {
      this.ts.next();
      items.push(this.operand(this.primary()));
    }
    this.ts.expectPunct(')');
    return items;
  }

  private primary(): RNode {
    const ts = this.ts;
    const t = ts.peek();
    if (ts.isPunct('(')) {
      ts.next();
      if (++this.depth > MAX_NESTING) throw invalid(ts.which, 'The expression has redundant parentheses;');
      const inner = this.or();
      this.depth--;
      ts.expectPunct(')');
      const group: RNode = { t: 'parens', inner, end: ts.pos };
      // A parenthesised path may go on: `(a.b).c`, `(a)[0]` (dynalite's grammar, from DynamoDB).
      const head = groupedPath(group);
      if (head && (ts.isPunct('.') || ts.isPunct('['))) {
        return { t: 'path', path: parsePathTail(ts, head.path), redundant: head.depth > 1 || head.redundant, end: ts.pos };
      }
      return group;
    }
    if (t.type === 'valueRef') {
      ts.next();
      return { t: 'value', ref: t.text, end: ts.pos };
    }
    if (t.type === 'name' && ts.isIdentifier() && ts.isPunct('(', 1)) {
      ts.next();
      return { t: 'call', name: t.text, args: this.list(), end: ts.pos };
    }
    if (t.type === 'nameRef' || ts.isIdentifier()) return { t: 'path', path: parseRawPath(ts), end: ts.pos };
    return ts.fail();
  }
}

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

  constructor(
    private readonly ctx: ExpressionContext,
    private readonly which: ExpressionKind,
  ) {}

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
    this.operators++;
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
  const checker = new ConditionChecker(ctx, which);
  const ast = checker.condition(root);
  if (checker.operators > MAX_OPERATORS) {
    checker.problems.add('operators', `The expression contains too many operators; operator count: ${checker.operators}`);
  }
  checker.problems.report(which, RANKING);
  return ast;
}
