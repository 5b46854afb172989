/**
 * Tokens of the expression parts of filter patterns: JSON conditions
 * (`$.latency > 100 && $.level = "error"`) and space-delimited field conditions
 * (`status = 4* || status = 500`).
 */
import { InvalidParameterException } from '../../errors.js';

export type Token =
  | { kind: 'punct'; text: '(' | ')' | ',' | '&&' | '||' }
  | { kind: 'op'; text: Op }
  | { kind: 'selector'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'regex'; text: string }
  | { kind: 'word'; text: string };

export type Op = '=' | '!=' | '<' | '>' | '<=' | '>=';

export const invalidPattern = (detail?: string) => new InvalidParameterException(detail ? `Invalid filter pattern: ${detail}` : 'Invalid filter pattern');

/** Characters that end a bare word. */
const STOP = new Set([' ', '\t', '\n', '\r', '(', ')', ',', '=', '!', '<', '>', '&', '|', '"']);

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ kind: 'punct', text: c });
      i++;
    } else if (src.startsWith('&&', i) || src.startsWith('||', i)) {
      out.push({ kind: 'punct', text: src.slice(i, i + 2) as '&&' | '||' });
      i += 2;
    } else if (c === '!' || c === '<' || c === '>' || c === '=') {
      const two = src.slice(i, i + 2);
      if (two === '!=' || two === '<=' || two === '>=') {
        out.push({ kind: 'op', text: two });
        i += 2;
      } else if (c === '!') {
        throw invalidPattern();
      } else {
        out.push({ kind: 'op', text: c as Op });
        i++;
      }
    } else if (c === '"') {
      const { text, end } = readQuoted(src, i);
      out.push({ kind: 'string', text });
      i = end;
    } else if (c === '%') {
      const end = src.indexOf('%', i + 1);
      if (end < 0) throw invalidPattern();
      out.push({ kind: 'regex', text: src.slice(i + 1, end) });
      i = end + 1;
    } else if (c === '$') {
      const m = /^\$(?:\.[^\s.[\]()=!<>&|,"]+|\[(?:\d+|\*)\]|\.\*)*/.exec(src.slice(i))!;
      out.push({ kind: 'selector', text: m[0] });
      i += m[0].length;
    } else {
      let j = i;
      while (j < src.length && !STOP.has(src[j]!)) j++;
      out.push({ kind: 'word', text: src.slice(i, j) });
      i = j;
    }
  }
  return out;
}

/** A double-quoted string from `start` (its opening quote); backslash escapes the next character. */
export function readQuoted(src: string, start: number): { text: string; end: number } {
  let text = '';
  for (let i = start + 1; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\' && i + 1 < src.length) text += src[++i];
    else if (c === '"') return { text, end: i + 1 };
    else text += c;
  }
  throw invalidPattern();
}

/** A cursor over tokens for the recursive-descent parsers. */
export class Tokens {
  private i = 0;
  constructor(private readonly list: Token[]) {}

  peek(): Token | undefined {
    return this.list[this.i];
  }

  next(): Token {
    const t = this.list[this.i++];
    if (!t) throw invalidPattern();
    return t;
  }

  /** Consumes the next token when it is this punctuation. */
  eat(text: string): boolean {
    const t = this.list[this.i];
    if (t && (t.kind === 'punct' || t.kind === 'op') && t.text === text) {
      this.i++;
      return true;
    }
    return false;
  }

  /** Consumes the next token when it is this (case-insensitive) keyword. */
  keyword(word: string): boolean {
    const t = this.list[this.i];
    if (t && t.kind === 'word' && t.text.toUpperCase() === word) {
      this.i++;
      return true;
    }
    return false;
  }

  done(): boolean {
    return this.i >= this.list.length;
  }
}

/** A boolean combination of leaves: `a && b || (c && d)`; && binds tighter than ||. */
export type Expr<L> = { kind: 'and' | 'or'; parts: Expr<L>[] } | { kind: 'leaf'; leaf: L };

export function parseExpr<L>(t: Tokens, leaf: (t: Tokens) => L): Expr<L> {
  const ors: Expr<L>[] = [parseAnd(t, leaf)];
  while (t.eat('||')) ors.push(parseAnd(t, leaf));
  return ors.length === 1 ? ors[0]! : { kind: 'or', parts: ors };
}

function parseAnd<L>(t: Tokens, leaf: (t: Tokens) => L): Expr<L> {
  const ands: Expr<L>[] = [parseUnary(t, leaf)];
  while (t.eat('&&')) ands.push(parseUnary(t, leaf));
  return ands.length === 1 ? ands[0]! : { kind: 'and', parts: ands };
}

function parseUnary<L>(t: Tokens, leaf: (t: Tokens) => L): Expr<L> {
  if (t.eat('(')) {
    const e = parseExpr(t, leaf);
    if (!t.eat(')')) throw invalidPattern();
    return e;
  }
  return { kind: 'leaf', leaf: leaf(t) };
}

export function evaluate<L>(e: Expr<L>, test: (leaf: L) => boolean): boolean {
  if (e.kind === 'leaf') return test(e.leaf);
  if (e.kind === 'and') return e.parts.every((p) => evaluate(p, test));
  return e.parts.some((p) => evaluate(p, test));
}
