/**
 * The tokens of DynamoDB's expression languages.
 *
 * DynamoDB's lexer is strict and small, and its syntax errors quote its tokens, so ours must cut
 * the input where it does:
 * - a literal name is a letter then letters, digits or `_` (`_a` and `1a` are not names: DynamoDB
 *   answers `SET _123 = :v` with `Syntax error; token: "_", near: "SET _123"`);
 * - `#ref` and `:ref` placeholders are the sigil then at least one letter, digit or `_`;
 * - a number is decimal digits (only list indexes use them);
 * - punctuation is `( ) [ ] , . = <> < <= > >= + -`;
 * - anything else is a one-character token no rule accepts, so the parser reports it where it
 *   stands (`!!!` gives `token: "!", near: "!!"`).
 * Keywords (AND, SET, ...) are ordinary names here; each grammar decides which it reserves.
 */

export type TokenType = 'name' | 'nameRef' | 'valueRef' | 'number' | 'punct' | 'unknown' | 'eof';

export interface Token {
  type: TokenType;
  /** The token as written. Empty for `eof`. */
  text: string;
  /** Offsets in the source, end exclusive; `eof` sits at the end of the source. */
  start: number;
  end: number;
}

const WORD_CHAR = /[A-Za-z0-9_]/;
const LETTER = /[A-Za-z]/;
const DIGIT = /[0-9]/;
const SPACE = /[ \t\r\n]/;
const TWO_CHAR = new Set(['<>', '<=', '>=']);
const ONE_CHAR = new Set(['(', ')', '[', ']', ',', '.', '=', '<', '>', '+', '-']);

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = source.length;
  const wordEnd = (from: number): number => {
    let j = from;
    while (j < n && WORD_CHAR.test(source[j]!)) j++;
    return j;
  };
  while (i < n) {
    const c = source[i]!;
    if (SPACE.test(c)) {
      i++;
      continue;
    }
    const start = i;
    let type: TokenType;
    if (LETTER.test(c)) {
      type = 'name';
      i = wordEnd(i + 1);
    } else if ((c === '#' || c === ':') && i + 1 < n && WORD_CHAR.test(source[i + 1]!)) {
      type = c === '#' ? 'nameRef' : 'valueRef';
      i = wordEnd(i + 1);
    } else if (DIGIT.test(c)) {
      type = 'number';
      while (i < n && DIGIT.test(source[i]!)) i++;
    } else if (TWO_CHAR.has(source.slice(i, i + 2))) {
      type = 'punct';
      i += 2;
    } else if (ONE_CHAR.has(c)) {
      type = 'punct';
      i++;
    } else {
      type = 'unknown';
      // One code point, so a quoted astral character is not cut in half.
      i += (source.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
    }
    tokens.push({ type, text: source.slice(start, i), start, end: i });
  }
  tokens.push({ type: 'eof', text: '', start: n, end: n });
  return tokens;
}
