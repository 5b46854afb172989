/**
 * PartiQL expressions, by recursive descent with PartiQL's precedence: OR < AND < NOT <
 * comparison / IS / IN / BETWEEN / LIKE < + - || < * / % < unary minus < primary. Primaries are
 * literals ('s', 1.5, TRUE, NULL, MISSING, [..], <<..>>, {'k': v}), `?` parameters (numbered
 * in order of appearance), paths (a.b[1], "a"['b']), function calls and parenthesized
 * expressions. A token that cannot start a term is refused with AWS's detail for its kind:
 * "Unexpected term" (end, punctuation), "Unexpected keyword", "Unexpected operator" (also IS,
 * IN, LIKE, AND, OR, BETWEEN), and an infix operator with nothing after it with "Missing
 * right-hand side expression of infix operator" (all pinned against AWS by a 2026 suite).
 */
import type { Expr, PathExpr } from './ast.js';
import { invalid, malformed, MSG } from './errors.js';
import { FUNCTION_KEYWORDS, KEYWORDS, type Token } from './lexer.js';

/** Keywords that are operators: where a term should start they are "Unexpected operator". */
const WORD_OPERATORS = new Set(['AND', 'OR', 'IS', 'IN', 'LIKE', 'BETWEEN']);
const COMPARISONS = new Set(['=', '<>', '<', '<=', '>', '>=']);
const INT32_MAX = 2147483647;

/** IS type names, as PartiQL's SqlDataType names them. */
const TYPE_NAMES: Record<string, string> = {
  MISSING: 'MISSING', NULL: 'NULL', BOOL: 'BOOLEAN', BOOLEAN: 'BOOLEAN', STRING: 'STRING', NUMERIC: 'NUMERIC', BLOB: 'BLOB',
  STRUCT: 'STRUCT', TUPLE: 'TUPLE', LIST: 'LIST', SEXP: 'SEXP', BAG: 'BAG', CLOB: 'CLOB', SYMBOL: 'SYMBOL', DATE: 'DATE',
  TIME: 'TIME', TIMESTAMP: 'TIMESTAMP', ANY: 'ANY', INT: 'INTEGER', INTEGER: 'INTEGER', INT4: 'INTEGER4', INT8: 'INTEGER8',
  SMALLINT: 'SMALLINT', FLOAT: 'FLOAT', REAL: 'REAL', DECIMAL: 'DECIMAL', DEC: 'DECIMAL', VARCHAR: 'CHARACTER_VARYING',
};

/**
 * How deeply expressions may nest (parentheses, lists, structs, calls, NOT and unary chains):
 * deeper statements are refused rather than overflow the parser's stack. Nimbus's own bound
 * and wording; DynamoDB's are unconfirmed.
 */
export const MAX_EXPRESSION_DEPTH = 200;

export class ExpressionParser {
  params = 0;
  protected pos = 0;
  private depth = 0;
  /** Inside a SELECT list, where `a.*` is refused in words of its own. */
  protected projecting = false;

  constructor(private readonly toks: Token[]) {}

  protected peek(n = 0): Token { return this.toks[Math.min(this.pos + n, this.toks.length - 1)]!; }
  protected next(): Token { const t = this.peek(); if (t.kind !== 'eof') this.pos++; return t; }
  protected isWord(kw: string, n = 0): boolean { const t = this.peek(n); return t.kind === 'word' && t.upper === kw; }
  protected isPunct(p: string, n = 0): boolean { const t = this.peek(n); return t.kind === 'punct' && t.text === p; }
  protected isOp(op: string): boolean { const t = this.peek(); return t.kind === 'op' && t.text === op; }
  protected acceptWord(kw: string): boolean { if (!this.isWord(kw)) return false; this.next(); return true; }
  protected acceptPunct(p: string): boolean { if (!this.isPunct(p)) return false; this.next(); return true; }

  protected expectWord(kw: string): void {
    if (!this.acceptWord(kw)) throw malformed(`Expected ${kw}`);
  }

  protected expectPunct(p: string): void {
    if (!this.acceptPunct(p)) throw malformed(`Expected ${p}`);
  }

  /** The error for a token that cannot start a term. */
  protected termError(t: Token): never {
    if (t.kind === 'word') throw malformed(WORD_OPERATORS.has(t.upper) ? MSG.unexpectedOperator : MSG.unexpectedKeyword);
    if (t.kind === 'op') throw malformed(MSG.unexpectedOperator);
    throw malformed(MSG.unexpectedTerm);
  }

  expr(): Expr {
    let left = this.and();
    while (this.acceptWord('OR')) left = { kind: 'binary', op: 'or', left, right: this.rhs(() => this.and()) };
    return left;
  }

  /** The right operand of an infix operator: nothing at all is its own syntax error. */
  protected rhs(parse: () => Expr): Expr {
    const t = this.peek();
    if (t.kind === 'eof' || (t.kind === 'punct' && t.text === ';')) throw malformed(MSG.missingRightHandSide);
    return parse();
  }

  protected and(): Expr {
    let left = this.not();
    while (this.acceptWord('AND')) left = { kind: 'binary', op: 'and', left, right: this.rhs(() => this.not()) };
    return left;
  }

  protected not(): Expr {
    if (this.acceptWord('NOT')) return { kind: 'not', operand: this.nested(() => this.not()) };
    return this.predicate();
  }

  /** Parses one level deeper, refusing statements nested past MAX_EXPRESSION_DEPTH. */
  protected nested<T>(parse: () => T): T {
    if (++this.depth > MAX_EXPRESSION_DEPTH) throw malformed(MSG.nestedTooDeeply);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  protected predicate(): Expr {
    const left = this.additive();
    const t = this.peek();
    if (t.kind === 'op' && COMPARISONS.has(t.text)) {
      this.next();
      return { kind: 'binary', op: t.text, left, right: this.rhs(() => this.additive()) };
    }
    if (this.acceptWord('IS')) {
      const negated = this.acceptWord('NOT');
      return { kind: 'is', operand: left, type: this.typeName(), negated };
    }
    const negated = this.isWord('NOT') && ['BETWEEN', 'IN', 'LIKE'].some((k) => this.isWord(k, 1));
    if (negated) this.next();
    if (this.acceptWord('BETWEEN')) {
      const low = this.rhs(() => this.additive());
      this.expectWord('AND');
      return { kind: 'between', operand: left, low, high: this.rhs(() => this.additive()), negated };
    }
    if (this.acceptWord('IN')) return { kind: 'in', operand: left, list: this.rhs(() => this.inList()), negated };
    if (this.acceptWord('LIKE')) {
      const like: Expr = { kind: 'binary', op: 'like', left, right: this.rhs(() => this.additive()) };
      return negated ? { kind: 'not', operand: like } : like;
    }
    return left;
  }

  /** IN's right side: `[..]`, `<<..>>`, or `(a, b)`, which PartiQL reads as a list too. */
  protected inList(): Expr {
    if (!this.isPunct('(')) return this.additive();
    this.next();
    const items: Expr[] = [];
    if (!this.isPunct(')')) {
      do items.push(this.expr());
      while (this.acceptPunct(','));
    }
    this.expectPunct(')');
    return { kind: 'list', items };
  }

  protected typeName(): string {
    const t = this.peek();
    if (t.kind !== 'word') throw malformed(MSG.expectedTypeName);
    this.next();
    let name: string | undefined = TYPE_NAMES[t.upper];
    if (t.upper === 'DOUBLE') {
      this.expectWord('PRECISION');
      name = 'DOUBLE_PRECISION';
    } else if (t.upper === 'CHARACTER' || t.upper === 'CHAR') {
      name = this.acceptWord('VARYING') ? 'CHARACTER_VARYING' : 'CHARACTER';
    }
    if (!name) throw malformed(MSG.expectedTypeName);
    if (this.acceptPunct('(')) {
      while (!this.isPunct(')') && this.peek().kind !== 'eof') this.next();
      this.expectPunct(')');
    }
    return name;
  }

  protected additive(): Expr {
    let left = this.multiplicative();
    for (let t = this.peek(); t.kind === 'op' && ['+', '-', '||'].includes(t.text); t = this.peek()) {
      this.next();
      left = { kind: 'binary', op: t.text, left, right: this.rhs(() => this.multiplicative()) };
    }
    return left;
  }

  protected multiplicative(): Expr {
    let left = this.unary();
    for (let t = this.peek(); t.kind === 'op' && ['*', '/', '%'].includes(t.text); t = this.peek()) {
      this.next();
      left = { kind: 'binary', op: t.text, left, right: this.rhs(() => this.unary()) };
    }
    return left;
  }

  protected unary(): Expr {
    return this.nested(() => this.unaryTerm());
  }

  private unaryTerm(): Expr {
    if (this.isOp('-')) {
      this.next();
      const t = this.peek();
      if (t.kind === 'number') {
        this.next();
        return { kind: 'number', text: `-${t.text}` };
      }
      return { kind: 'negate', operand: this.rhs(() => this.unary()) };
    }
    if (this.isOp('+')) {
      this.next();
      return this.rhs(() => this.unary());
    }
    return this.primary();
  }

  protected primary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'string':
        this.next();
        return { kind: 'string', value: t.text };
      case 'number':
        this.next();
        return { kind: 'number', text: t.text };
      case 'param':
        this.next();
        return { kind: 'param', index: this.params++ };
      case 'quoted':
        this.next();
        return this.path(t.text);
      case 'word':
        return this.word(t);
      case 'punct':
        if (t.text === '(') {
          this.next();
          const e = this.expr();
          this.expectPunct(')');
          return e;
        }
        if (t.text === '[') return { kind: 'list', items: this.items(']') };
        if (t.text === '{') return this.struct();
        return this.termError(t);
      case 'op':
        if (t.text === '<<') return { kind: 'bag', items: this.items('>>') };
        return this.termError(t);
      default:
        return this.termError(t);
    }
  }

  protected word(t: Token): Expr {
    if (t.upper === 'TRUE' || t.upper === 'FALSE') {
      this.next();
      return { kind: 'bool', value: t.upper === 'TRUE' };
    }
    if (t.upper === 'NULL' || t.upper === 'MISSING') {
      this.next();
      return { kind: t.upper === 'NULL' ? 'null' : 'missing' };
    }
    if (this.isPunct('(', 1) && (!KEYWORDS.has(t.upper) || FUNCTION_KEYWORDS.has(t.upper))) {
      this.next();
      this.next();
      const args: Expr[] = [];
      if (!this.isPunct(')')) {
        do args.push(this.expr());
        while (this.acceptPunct(','));
      }
      this.expectPunct(')');
      return { kind: 'call', name: t.text.toLowerCase(), args };
    }
    if (KEYWORDS.has(t.upper)) return this.termError(t);
    this.next();
    return this.path(t.text);
  }

  /** A list or bag body, after its opening token, up to `close`. */
  protected items(close: string): Expr[] {
    this.next();
    const items: Expr[] = [];
    const closing = () => this.peek().text === close && this.peek().kind !== 'string' && this.peek().kind !== 'quoted';
    if (!closing()) {
      do items.push(this.expr());
      while (this.acceptPunct(','));
    }
    if (!closing()) throw malformed(`Expected ${close}`);
    this.next();
    return items;
  }

  protected struct(): Expr {
    this.next();
    const fields: Array<{ key: Expr; value: Expr }> = [];
    if (!this.isPunct('}')) {
      do {
        const key = this.additive();
        this.expectPunct(':');
        fields.push({ key, value: this.expr() });
      } while (this.acceptPunct(','));
    }
    this.expectPunct('}');
    return { kind: 'struct', fields };
  }

  /** A path from its first name: `.name`, `."name"`, `[index]` and `['name']` steps. */
  protected path(first: string): PathExpr {
    if (first === '') throw invalid(MSG.emptyPathComponent);
    const path: PathExpr = { kind: 'path', steps: [{ kind: 'name', name: first }] };
    for (;;) {
      if (this.acceptPunct('.')) {
        const t = this.next();
        if (t.kind === 'word' || t.kind === 'quoted') {
          if (t.text === '') throw invalid(MSG.emptyPathComponent);
          path.steps.push({ kind: 'name', name: t.text });
        } else if (t.kind === 'op' && t.text === '*') {
          throw invalid(this.projecting && !this.isPunct('.') && !this.isPunct('[') ? MSG.hierarchy : MSG.unpivot);
        } else throw malformed(MSG.expectedIdentifier);
      } else if (this.acceptPunct('[')) {
        if (this.isOp('*')) throw invalid(MSG.wildcard);
        const inner = this.expr();
        this.expectPunct(']');
        if (inner.kind === 'number' && /^-?\d+$/.test(inner.text)) {
          const n = Number(inner.text);
          if (n < 0 || n > INT32_MAX) throw invalid(`List index is not within the allowable range; index: [${BigInt(inner.text)}]`);
          path.steps.push({ kind: 'index', index: n });
        } else if (inner.kind === 'string') {
          if (inner.value === '') throw invalid(MSG.emptyPathComponent);
          path.steps.push({ kind: 'name', name: inner.value });
        } else throw invalid(MSG.unexpectedPathComponent);
      } else return path;
    }
  }
}
