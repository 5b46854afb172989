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
import type { Comparator } from './ast.js';
import { invalid, parsePathTail, parseRawPath, type RawPath, type TokenStream } from './parser.js';

/** The parse tree, before names and values are resolved; `end` is the token after the node. */
export type RNode = (
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

export const KEYWORDS: ReadonlySet<string> = new Set(['AND', 'OR', 'NOT', 'BETWEEN', 'IN']);
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

export class ConditionGrammar {
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
