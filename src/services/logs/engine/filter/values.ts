/**
 * The right-hand side of a filter condition (a number, a string that may hold `*`
 * wildcards, or a %regular expression%) and how a value compares with it. Numbers compare
 * numerically with every operator; strings and regular expressions only with = and !=.
 */
import { invalidPattern, type Op, type Token } from './lexer.js';
import { LinearRegex } from './regex.js';

export type Literal = { kind: 'number'; value: number } | { kind: 'string'; value: string; glob: RegExp | undefined } | { kind: 'regex'; re: LinearRegex };

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

export function isNumeric(s: string): boolean {
  return NUMBER.test(s);
}

/** The literal a token stands for; bare words that look like numbers are numbers. */
export function literalOf(t: Token): Literal {
  if (t.kind === 'regex') return { kind: 'regex', re: compileRegex(t.text) };
  if (t.kind === 'word' && isNumeric(t.text)) return { kind: 'number', value: Number(t.text) };
  if (t.kind === 'word' || t.kind === 'string') return { kind: 'string', value: t.text, glob: t.text.includes('*') ? globOf(t.text) : undefined };
  throw invalidPattern();
}

/**
 * A %regular expression% of the pattern language: AWS's subset without groups, unanchored
 * unless it uses ^ or $, matched in linear time (see regex.ts).
 */
export function compileRegex(src: string): LinearRegex {
  return LinearRegex.compile(src);
}

function globOf(s: string): RegExp {
  const body = s
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

/** Only numbers may be ordered; an ordering operator with a string is no valid pattern. */
export function checkOperator(op: Op, lit: Literal): void {
  if (lit.kind !== 'number' && op !== '=' && op !== '!=') throw invalidPattern();
}

/**
 * Whether `value` satisfies `op lit`. `value` is a JSON value (JSON patterns) or a field's
 * text (space-delimited patterns, where numeric text counts as a number). A missing value
 * (undefined) satisfies nothing, not even !=.
 */
export function satisfies(value: unknown, op: Op, lit: Literal): boolean {
  if (value === undefined) return false;
  if (lit.kind === 'number') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && isNumeric(value.trim()) ? Number(value) : undefined;
    if (n === undefined) return op === '!=';
    switch (op) {
      case '=':
        return n === lit.value;
      case '!=':
        return n !== lit.value;
      case '<':
        return n < lit.value;
      case '>':
        return n > lit.value;
      case '<=':
        return n <= lit.value;
      case '>=':
        return n >= lit.value;
    }
  }
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  if (text === undefined) return op === '!=' && value !== null;
  const equal = lit.kind === 'regex' ? lit.re.test(text) : lit.glob ? lit.glob.test(text) : text === lit.value;
  return op === '=' ? equal : !equal;
}
