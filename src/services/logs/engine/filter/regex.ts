/**
 * CloudWatch Logs' %regular expression% subset, matched in linear time. The subset has no
 * groups, so every quantifier applies to one atom (a character, an escape such as \d, a class
 * [a-z] or `.`), and a pattern is a `|`-separated list of such sequences with optional `^`/`$`.
 * That compiles to a small state machine simulated over the text (Thompson's construction):
 * time is the text's length times the pattern's, whatever the pattern, so no filter can stall
 * the process the way a backtracking engine can (`%a*a*a*a*b%` on a long line).
 */
import { invalidPattern } from './lexer.js';

type Atom = (code: number) => boolean;

/** One position of the expanded pattern: an atom that must match once, may match once, or may repeat. */
interface Piece {
  atom: Atom;
  kind: 'one' | 'optional' | 'star';
}

interface Branch {
  anchoredStart: boolean;
  anchoredEnd: boolean;
  pieces: Piece[];
}

/** Beyond this many expanded positions a pattern is refused (`x{1000}` expands to 1000). */
const MAX_PIECES = 2000;

export class LinearRegex {
  private constructor(private readonly branches: Branch[]) {}

  static compile(src: string): LinearRegex {
    if (src === '') throw invalidPattern();
    return new LinearRegex(splitAlternatives(src).map(parseBranch));
  }

  /** Whether the pattern matches anywhere in `text` (or where its anchors say). */
  test(text: string): boolean {
    return this.branches.some((b) => matches(b, text));
  }
}

function splitAlternatives(src: string): string[] {
  const out: string[] = [];
  let start = 0;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '|' && !inClass) {
      out.push(src.slice(start, i));
      start = i + 1;
    }
  }
  out.push(src.slice(start));
  if (out.some((b) => b === '')) throw invalidPattern();
  return out;
}

function parseBranch(src: string): Branch {
  let i = 0;
  const anchoredStart = src[0] === '^';
  if (anchoredStart) i++;
  let end = src.length;
  const anchoredEnd = end > i && src[end - 1] === '$' && !escapedAt(src, end - 1);
  if (anchoredEnd) end--;
  const pieces: Piece[] = [];
  while (i < end) {
    let atom: Atom;
    [atom, i] = parseAtom(src, i, end);
    let min = 1;
    let max = 1;
    const q = src[i];
    if (i < end && (q === '*' || q === '+' || q === '?')) {
      min = q === '+' ? 1 : 0;
      max = q === '?' ? 1 : Infinity;
      i++;
    } else if (i < end && q === '{') {
      const close = src.indexOf('}', i);
      const m = close > 0 ? /^\{(\d+)(,(\d*))?\}$/.exec(src.slice(i, close + 1)) : null;
      if (!m) throw invalidPattern();
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (max < min) throw invalidPattern();
      i = close + 1;
    }
    if (i < end && '*+?{'.includes(src[i]!)) throw invalidPattern(); // a quantifier with nothing to quantify
    for (let n = 0; n < min; n++) pieces.push({ atom, kind: 'one' });
    if (max === Infinity) pieces.push({ atom, kind: 'star' });
    else for (let n = min; n < max; n++) pieces.push({ atom, kind: 'optional' });
    if (pieces.length > MAX_PIECES) throw invalidPattern();
  }
  return { anchoredStart, anchoredEnd, pieces };
}

function escapedAt(src: string, at: number): boolean {
  let slashes = 0;
  for (let j = at - 1; j >= 0 && src[j] === '\\'; j--) slashes++;
  return slashes % 2 === 1;
}

const code = (s: string) => s.charCodeAt(0);
const isDigit: Atom = (c) => c >= 48 && c <= 57;
const isWord: Atom = (c) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isSpace: Atom = (c) => c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x3000;

/** The atom for an escape (`\d`, `\.`, ...) whose letter is at `at`. */
function escapeAtom(letter: string | undefined): Atom {
  if (letter === undefined) throw invalidPattern();
  switch (letter) {
    case 'd':
      return isDigit;
    case 'D':
      return (c) => !isDigit(c);
    case 'w':
      return isWord;
    case 'W':
      return (c) => !isWord(c);
    case 's':
      return isSpace;
    case 'S':
      return (c) => !isSpace(c);
    case 't':
      return (c) => c === 9;
    case 'n':
      return (c) => c === 10;
    case 'r':
      return (c) => c === 13;
    default: {
      if (/[A-Za-z0-9]/.test(letter)) throw invalidPattern(); // backreferences, \b, ... are not in the subset
      const want = code(letter);
      return (c) => c === want;
    }
  }
}

function parseAtom(src: string, i: number, end: number): [Atom, number] {
  const c = src[i]!;
  if (c === '\\') return [escapeAtom(i + 1 < end ? src[i + 1] : undefined), i + 2];
  if (c === '.') return [(x) => x !== 10 && x !== 13 && x !== 0x2028 && x !== 0x2029, i + 1];
  if (c === '[') return parseClass(src, i + 1, end);
  if ('*+?{}]()^$'.includes(c)) throw invalidPattern();
  const want = code(c);
  return [(x) => x === want, i + 1];
}

function parseClass(src: string, i: number, end: number): [Atom, number] {
  const negated = src[i] === '^';
  if (negated) i++;
  const parts: Atom[] = [];
  let first = true;
  while (i < end && (src[i] !== ']' || first)) {
    first = false;
    let lo: Atom | number;
    if (src[i] === '\\') {
      const letter = src[i + 1];
      const a = escapeAtom(letter);
      lo = letter !== undefined && /[dDwWsS]/.test(letter) ? a : letter === 't' ? 9 : letter === 'n' ? 10 : letter === 'r' ? 13 : code(letter!);
      i += 2;
    } else lo = code(src[i++]!);
    if (typeof lo === 'number' && src[i] === '-' && i + 1 < end && src[i + 1] !== ']') {
      const hiChar = src[i + 1] === '\\' ? src[i + 2] : src[i + 1];
      if (hiChar === undefined) throw invalidPattern();
      const hi = code(hiChar);
      i += src[i + 1] === '\\' ? 3 : 2;
      if (hi < lo) throw invalidPattern();
      const from = lo;
      parts.push((x) => x >= from && x <= hi);
    } else if (typeof lo === 'number') {
      const one = lo;
      parts.push((x) => x === one);
    } else parts.push(lo);
  }
  if (src[i] !== ']') throw invalidPattern();
  const inClass: Atom = (x) => parts.some((p) => p(x));
  return [negated ? (x) => !inClass(x) : inClass, i + 1];
}

/** Thompson simulation: the set of pattern positions reachable after each character. */
function matches(b: Branch, text: string): boolean {
  const n = b.pieces.length;
  let current = new Uint8Array(n + 1);
  let next = new Uint8Array(n + 1);
  const add = (set: Uint8Array, s: number) => {
    // Epsilon closure: optional and repeating pieces may be skipped.
    while (s <= n && !set[s]) {
      set[s] = 1;
      if (s === n || b.pieces[s]!.kind === 'one') return;
      s++;
    }
  };
  add(current, 0);
  for (let pos = 0; ; pos++) {
    if (current[n] && (!b.anchoredEnd || pos === text.length)) return true;
    if (pos === text.length) return false;
    const c = text.charCodeAt(pos);
    next.fill(0);
    let any = false;
    for (let s = 0; s < n; s++) {
      if (!current[s]) continue;
      const p = b.pieces[s]!;
      if (!p.atom(c)) continue;
      any = true;
      add(next, p.kind === 'star' ? s : s + 1);
    }
    // Unanchored: a match may also begin at the next character.
    if (!b.anchoredStart) add(next, 0);
    else if (!any) return false;
    [current, next] = [next, current];
  }
}
