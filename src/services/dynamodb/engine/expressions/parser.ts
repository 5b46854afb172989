/**
 * What the expression grammars share: the token stream and DynamoDB's syntax-error message,
 * document paths, the ranking of semantic errors, the path overlap rules, and the (small)
 * ProjectionExpression grammar.
 *
 * Parsing happens in two steps, as DynamoDB's own answers show it does: a grammar pass that
 * fails fast with `Syntax error; token: "x", near: "..."`, then checks over the whole tree. The
 * checks collect at most one message per category, and the category ranked first is reported,
 * so an expression with several faults gets the message DynamoDB picks (rankings from dynalite,
 * whose tests were recorded against DynamoDB).
 */
import { ValidationException } from '../../errors.js';
import type { Path } from './ast.js';
import type { ExpressionContext } from './context.js';
import { tokenize, type Token } from './lexer.js';
import { isReserved } from './reserved-words.js';

export type ExpressionKind =
  | 'ConditionExpression'
  | 'FilterExpression'
  | 'KeyConditionExpression'
  | 'ProjectionExpression'
  | 'UpdateExpression';

/** DynamoDB limits every expression string to 4 KB
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-expression-parameters). */
export const MAX_EXPRESSION_BYTES = 4096;
/** ... and to 300 operators or functions (same page). */
export const MAX_OPERATORS = 300;

export function invalid(which: ExpressionKind, message: string): Error {
  return new ValidationException(`Invalid ${which}: ${message}`);
}

/**
 * The tokens of an expression, after the checks DynamoDB makes on the raw string: an empty
 * expression ("The expression can not be empty;") and the size limit.
 */
export function tokensOf(which: ExpressionKind, source: string): Token[] {
  if (source === '') throw invalid(which, 'The expression can not be empty;');
  const size = Buffer.byteLength(source, 'utf8');
  if (size > MAX_EXPRESSION_BYTES) {
    throw invalid(which, `Expression size has exceeded the maximum allowed size; expression size: ${size}`);
  }
  return tokenize(source);
}

/**
 * DynamoDB's syntax error: the offending token (`<EOF>` at the end), and the source from the
 * token before it to the token after it, as written. Observed on AWS: `INVALID SYNTAX HERE` ->
 * `token: "INVALID", near: "INVALID SYNTAX"`; `!!!` -> `token: "!", near: "!!"`; `foo` as a
 * condition -> `token: "<EOF>", near: "foo"`; `attribute_not_exists(` -> `token: "<EOF>", near: "("`.
 */
export function syntaxError(which: ExpressionKind, source: string, tokens: Token[], index: number): Error {
  const tok = tokens[index]!;
  const prev = index > 0 ? tokens[index - 1]! : undefined;
  const next = tok.type === 'eof' ? undefined : tokens[index + 1];
  const from = prev ? prev.start : tok.start;
  const to = next && next.type !== 'eof' ? next.end : tok.type === 'eof' ? source.length : tok.end;
  const shown = tok.type === 'eof' ? '<EOF>' : tok.text;
  return invalid(which, `Syntax error; token: "${shown}", near: "${source.slice(from, to)}"`);
}

export class TokenStream {
  pos = 0;

  constructor(
    readonly which: ExpressionKind,
    readonly source: string,
    readonly tokens: Token[],
    /** Names that are keywords of this grammar, so never attribute or function names. */
    private readonly keywords: ReadonlySet<string>,
  ) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (t.type !== 'eof') this.pos++;
    return t;
  }

  isPunct(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.type === 'punct' && t.text === text;
  }

  /** Whether the token is the keyword `word` (keywords are case-insensitive). */
  isKeyword(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.type === 'name' && t.text.toUpperCase() === word;
  }

  /** A literal name that is not one of the grammar's keywords. */
  isIdentifier(offset = 0): boolean {
    const t = this.peek(offset);
    return t.type === 'name' && !this.keywords.has(t.text.toUpperCase());
  }

  expectPunct(text: string): Token {
    if (!this.isPunct(text)) this.fail();
    return this.next();
  }

  fail(at = this.pos): never {
    throw syntaxError(this.which, this.source, this.tokens, Math.min(at, this.tokens.length - 1));
  }

  /** Parsing must have consumed everything. */
  expectEnd(): void {
    if (this.peek().type !== 'eof') this.fail();
  }
}

/** A path as written: literal names, #refs and indexes, not yet resolved. */
export type RawStep = { kind: 'name' | 'ref'; text: string } | { kind: 'index'; index: number };
export type RawPath = RawStep[];

/** `name` or `#ref`, then any number of `.name`, `.#ref` and `[digits]`. */
export function parseRawPath(ts: TokenStream): RawPath {
  return parsePathTail(ts, [nameStep(ts)]);
}

/** The `.name` and `[digits]` steps after a path's head. */
export function parsePathTail(ts: TokenStream, head: RawPath): RawPath {
  const steps = [...head];
  for (;;) {
    if (ts.isPunct('.')) {
      ts.next();
      steps.push(nameStep(ts));
    } else if (ts.isPunct('[')) {
      ts.next();
      const t = ts.peek();
      if (t.type !== 'number') ts.fail();
      ts.next();
      ts.expectPunct(']');
      steps.push({ kind: 'index', index: Number(t.text) });
    } else {
      return steps;
    }
  }
}

function nameStep(ts: TokenStream): RawStep {
  const t = ts.peek();
  if (t.type === 'nameRef') return (ts.next(), { kind: 'ref', text: t.text });
  if (!ts.isIdentifier()) ts.fail();
  ts.next();
  return { kind: 'name', text: t.text };
}

/** At most one message per category; `report` throws the best-ranked one. */
export class Problems {
  private readonly found = new Map<string, string>();

  add(category: string, message: string): void {
    if (!this.found.has(category)) this.found.set(category, message);
  }

  has(category: string): boolean {
    return this.found.has(category);
  }

  first(order: readonly string[]): string | undefined {
    for (const c of order) {
      const m = this.found.get(c);
      if (m !== undefined) return m;
    }
    return undefined;
  }

  report(which: ExpressionKind, order: readonly string[]): void {
    const m = this.first(order);
    if (m !== undefined) throw invalid(which, m);
  }
}

export const RESERVED_MESSAGE = 'Attribute name is a reserved keyword; reserved keyword: ';
export const UNDEFINED_NAME_MESSAGE = 'An expression attribute name used in the document path is not defined; attribute name: ';
export const UNDEFINED_VALUE_MESSAGE = 'An expression attribute value used in expression is not defined; attribute value: ';

/**
 * Resolves a written path: literal names must not be reserved words, #refs must be defined.
 * Undefined when a #ref is not (the problem is recorded under `nameCategory`).
 */
export function resolvePath(raw: RawPath, ctx: ExpressionContext, problems: Problems, nameCategory: string): Path | undefined {
  const path: Path = [];
  let ok = true;
  for (const step of raw) {
    if (step.kind === 'index') {
      path.push(step.index);
    } else if (step.kind === 'name') {
      if (isReserved(step.text)) problems.add('reserved', RESERVED_MESSAGE + step.text);
      path.push(step.text);
    } else {
      const name = ctx.resolveName(step.text);
      if (name === undefined) {
        problems.add(nameCategory, UNDEFINED_NAME_MESSAGE + step.text);
        ok = false;
      } else {
        path.push(name);
      }
    }
  }
  return ok ? path : undefined;
}

/** `[a, b, [0]]`: how DynamoDB prints a path in its messages. */
export function pathToString(path: Path): string {
  return `[${path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join(', ')}]`;
}

/**
 * DynamoDB refuses two paths of one expression when one is the other or inside it ("overlap":
 * `a` and `a.b`, or `a` twice) or when they index the same value both as a map and as a list
 * ("conflict": `a.b` and `a[1]`), whatever the item holds. Messages verified against Scylla's
 * Alternator tests, which quote DynamoDB: "Two document paths overlap with each other; must
 * remove or rewrite one of these paths; path one: [a], path two: [a, b]".
 */
export function checkOverlaps(paths: Path[], problems: Problems): void {
  const seen: Path[] = [];
  for (const path of paths) {
    for (const earlier of seen) {
      let i = 0;
      const n = Math.min(earlier.length, path.length);
      for (; i < n; i++) {
        if (typeof earlier[i] !== typeof path[i]) {
          problems.add(
            'pathConflict',
            `Two document paths conflict with each other; must remove or rewrite one of these paths; path one: ${pathToString(earlier)}, path two: ${pathToString(path)}`,
          );
          break;
        }
        if (earlier[i] !== path[i]) break;
      }
      if (i === n) {
        problems.add(
          'pathOverlap',
          `Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${pathToString(earlier)}, path two: ${pathToString(path)}`,
        );
        return;
      }
    }
    seen.push(path);
  }
}

const NO_KEYWORDS: ReadonlySet<string> = new Set();

/** ProjectionExpression: `path (, path)*`. */
export function parseProjectionExpression(source: string, ctx: ExpressionContext): Path[] {
  const which = 'ProjectionExpression';
  const ts = new TokenStream(which, source, tokensOf(which, source), NO_KEYWORDS);
  const raws: RawPath[] = [parseRawPath(ts)];
  while (ts.isPunct(',')) {
    ts.next();
    raws.push(parseRawPath(ts));
  }
  ts.expectEnd();
  const problems = new Problems();
  const paths: Path[] = [];
  for (const raw of raws) {
    const p = resolvePath(raw, ctx, problems, 'name');
    if (p) paths.push(p);
  }
  if (paths.length === raws.length) checkOverlaps(paths, problems);
  problems.report(which, ['reserved', 'name', 'pathOverlap', 'pathConflict']);
  return paths;
}
