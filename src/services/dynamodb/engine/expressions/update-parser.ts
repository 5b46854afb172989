/**
 * UpdateExpression.
 *
 *   update   := section+
 *   section  := "SET" set ("," set)* | "REMOVE" path ("," path)*
 *             | "ADD" path :value ("," path :value)* | "DELETE" path :value ("," path :value)*
 *   set      := path "=" value | path "=" "(" value ")"
 *   value    := operand (("+" | "-") operand)?
 *   operand  := "(" term ")" | term
 *   term     := name "(" operand ("," operand)* ")" | :value | path
 *
 * SET, REMOVE, ADD and DELETE are keywords here, in any case; each section may appear once.
 * Only one `+` or `-` per value, and never inside a function's operands (DynamoDB answers
 * `SET a = :a + :b + :c` and `if_not_exists(a, :a + :b)` with syntax errors, per Scylla's
 * Alternator tests, which were checked against DynamoDB).
 */
import type { Path, UpdateAction, UpdateAst, UpdateValue } from './ast.js';
import type { ExpressionContext } from './context.js';
import {
  MAX_OPERATORS,
  Problems,
  TokenStream,
  UNDEFINED_VALUE_MESSAGE,
  checkOverlaps,
  parseRawPath,
  resolvePath,
  tokensOf,
  type RawPath,
} from './parser.js';
import { typeOf, type AttributeValue } from '../types.js';

type Section = 'SET' | 'REMOVE' | 'ADD' | 'DELETE';
const SECTIONS: ReadonlySet<string> = new Set<Section>(['SET', 'REMOVE', 'ADD', 'DELETE']);

type RValue =
  | { t: 'path'; path: RawPath }
  | { t: 'value'; ref: string }
  | { t: 'call'; name: string; args: RValue[] }
  | { t: 'arith'; op: '+' | '-'; left: RValue; right: RValue };

type RAction =
  | { section: 'SET'; path: RawPath; value: RValue }
  | { section: 'REMOVE'; path: RawPath }
  | { section: 'ADD' | 'DELETE'; path: RawPath; ref: string };

class UpdateGrammar {
  constructor(private readonly ts: TokenStream) {}

  parse(): { sections: Section[]; actions: RAction[] } {
    const sections: Section[] = [];
    const actions: RAction[] = [];
    do {
      const t = this.ts.peek();
      const section = t.type === 'name' ? t.text.toUpperCase() : '';
      if (!SECTIONS.has(section)) this.ts.fail();
      this.ts.next();
      sections.push(section as Section);
      actions.push(this.action(section as Section));
      while (this.ts.isPunct(',')) {
        this.ts.next();
        actions.push(this.action(section as Section));
      }
    } while (this.ts.peek().type !== 'eof');
    return { sections, actions };
  }

  private action(section: Section): RAction {
    const path = parseRawPath(this.ts);
    if (section === 'REMOVE') return { section, path };
    if (section === 'SET') {
      this.ts.expectPunct('=');
      return { section, path, value: this.setValue() };
    }
    const t = this.ts.peek();
    if (t.type !== 'valueRef') this.ts.fail();
    this.ts.next();
    return { section, path, ref: t.text };
  }

  private setValue(): RValue {
    if (!this.ts.isPunct('(')) return this.arithmetic(this.operand());
    this.ts.next();
    const first = this.operand();
    if (this.isArith()) {
      const value = this.arithmetic(first);
      this.ts.expectPunct(')');
      return value;
    }
    this.ts.expectPunct(')');
    return this.arithmetic(first);
  }

  private isArith(): boolean {
    return this.ts.isPunct('+') || this.ts.isPunct('-');
  }

  private arithmetic(left: RValue): RValue {
    if (!this.isArith()) return left;
    const op = this.ts.next().text as '+' | '-';
    return { t: 'arith', op, left, right: this.operand() };
  }

  private operand(): RValue {
    if (!this.ts.isPunct('(')) return this.term();
    this.ts.next();
    const inner = this.term();
    this.ts.expectPunct(')');
    return inner;
  }

  private term(): RValue {
    const ts = this.ts;
    const t = ts.peek();
    if (t.type === 'valueRef') return (ts.next(), { t: 'value', ref: t.text });
    if (ts.isIdentifier() && ts.isPunct('(', 1)) {
      ts.next();
      ts.next();
      const args = [this.operand()];
      while (ts.isPunct(',')) {
        ts.next();
        args.push(this.operand());
      }
      ts.expectPunct(')');
      return { t: 'call', name: t.text, args };
    }
    if (t.type === 'nameRef' || ts.isIdentifier()) return { t: 'path', path: parseRawPath(ts) };
    return ts.fail();
  }
}

/** Functions of update expressions; the condition functions are known but refused here. */
const UPDATE_FUNCTIONS: Record<string, number> = { if_not_exists: 2, list_append: 2 };
const CONDITION_ONLY = new Set(['attribute_exists', 'attribute_not_exists', 'attribute_type', 'begins_with', 'contains', 'size']);

/** ADD and DELETE operand types as DynamoDB names them in "operator: ADD, operand type: STRING". */
const TYPE_WORDS: Record<string, string> = { S: 'STRING', N: 'NUMBER', B: 'BINARY', NULL: 'NULL', BOOL: 'BOOLEAN', L: 'LIST', M: 'MAP' };

/** dynalite's ranking of UpdateExpression faults, from its DynamoDB-recorded tests. */
const RANKING = [
  'operators',
  'reserved',
  'unknownFunction',
  'misusedFunction',
  'section',
  'attrName',
  'attrVal',
  'pathOverlap',
  'pathConflict',
  'operand',
  'function',
];

const PLACEHOLDER: UpdateValue = { kind: 'value', value: { NULL: true } };

class UpdateChecker {
  readonly problems = new Problems();
  operators = 0;

  constructor(private readonly ctx: ExpressionContext) {}

  path(raw: RawPath): Path | undefined {
    return resolvePath(raw, this.ctx, this.problems, 'attrName');
  }

  resolveValue(ref: string): AttributeValue | undefined {
    const v = this.ctx.resolveValue(ref);
    if (v === undefined) this.problems.add('attrVal', UNDEFINED_VALUE_MESSAGE + ref);
    return v;
  }

  value(n: RValue): UpdateValue {
    switch (n.t) {
      case 'path': {
        const path = this.path(n.path);
        return path ? { kind: 'path', path } : PLACEHOLDER;
      }
      case 'value': {
        const value = this.resolveValue(n.ref);
        return value ? { kind: 'value', value } : PLACEHOLDER;
      }
      case 'arith': {
        this.operators++;
        const left = this.value(n.left);
        const right = this.value(n.right);
        this.operandTypes(n.op, [left, right], 'N');
        return { kind: n.op === '+' ? 'plus' : 'minus', left, right };
      }
      case 'call':
        return this.call(n);
    }
  }

  private call(n: RValue & { t: 'call' }): UpdateValue {
    this.operators++;
    const args = n.args.map((a) => this.value(a));
    const name = n.name;
    if (CONDITION_ONLY.has(name)) {
      this.problems.add('misusedFunction', misused(name));
      return PLACEHOLDER;
    }
    const arity = Object.hasOwn(UPDATE_FUNCTIONS, name) ? UPDATE_FUNCTIONS[name] : undefined;
    if (arity === undefined) {
      this.problems.add('unknownFunction', `Invalid function name; function: ${name}`);
      return PLACEHOLDER;
    }
    if (args.length !== arity) {
      this.problems.add('function', `Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`);
      return PLACEHOLDER;
    }
    const [first, second] = args as [UpdateValue, UpdateValue];
    if (name === 'if_not_exists') {
      if (first.kind !== 'path') {
        this.problems.add('function', `Operator or function requires a document path; operator or function: ${name}`);
        return PLACEHOLDER;
      }
      return { kind: 'if_not_exists', path: first.path, fallback: second };
    }
    // DynamoDB refuses list_append(list_append(...), ...) as a misuse (Scylla's Alternator tests).
    for (const a of n.args) if (a.t === 'call' && a.name === 'list_append') this.problems.add('misusedFunction', misused('list_append'));
    this.operandTypes(name, args, 'L');
    return { kind: 'list_append', left: first, right: second };
  }

  /** Request values given to `+`, `-` or list_append must have the type they need. */
  private operandTypes(operator: string, args: UpdateValue[], wanted: 'N' | 'L'): void {
    for (const a of args) {
      if (a.kind === 'value' && a !== PLACEHOLDER && typeOf(a.value) !== wanted) {
        this.problems.add('function', `Incorrect operand type for operator or function; operator or function: ${operator}, operand type: ${typeOf(a.value)}`);
        return;
      }
    }
  }

  /** ADD takes a number or a set, DELETE a set. */
  operatorValue(section: 'ADD' | 'DELETE', value: AttributeValue): void {
    const type = typeOf(value);
    const word = TYPE_WORDS[type];
    if (word !== undefined && !(section === 'ADD' && type === 'N')) {
      this.problems.add('operand', `Incorrect operand type for operator or function; operator: ${section}, operand type: ${word}`);
    }
  }
}

function misused(name: string): string {
  return `The function is not allowed to be used this way in an expression; function: ${name}`;
}

export function parseUpdateExpression(source: string, ctx: ExpressionContext): UpdateAst {
  const which = 'UpdateExpression';
  const ts = new TokenStream(which, source, tokensOf(which, source), SECTIONS);
  const { sections, actions: raws } = new UpdateGrammar(ts).parse();
  const checker = new UpdateChecker(ctx);
  const problems = checker.problems;
  const seen = new Set<Section>();
  for (const s of sections) {
    if (seen.has(s)) problems.add('section', `The "${s}" section can only be used once in an update expression;`);
    seen.add(s);
  }
  const actions: UpdateAction[] = [];
  const paths: Path[] = [];
  let allResolved = true;
  for (const raw of raws) {
    const path = checker.path(raw.path);
    if (path) paths.push(path);
    else allResolved = false;
    const target = path ?? [];
    if (raw.section === 'SET') {
      actions.push({ kind: 'set', path: target, value: checker.value(raw.value) });
    } else if (raw.section === 'REMOVE') {
      actions.push({ kind: 'remove', path: target });
    } else {
      const value = checker.resolveValue(raw.ref);
      if (value) checker.operatorValue(raw.section, value);
      actions.push({ kind: raw.section === 'ADD' ? 'add' : 'delete', path: target, value: value ?? { NULL: true } });
    }
  }
  if (allResolved) checkOverlaps(paths, problems);
  if (checker.operators > MAX_OPERATORS) {
    problems.add('operators', `The expression contains too many operators; operator count: ${checker.operators}`);
  }
  problems.report(which, RANKING);
  return { actions };
}
