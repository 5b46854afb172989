/**
 * Term patterns for unstructured messages: `ERROR "connection reset" -healthcheck ?WARN ?FATAL`.
 * Plain terms and "quoted phrases" must all occur; -terms must not; when there are ?terms,
 * at least one must occur. A term may be a %regular expression%. Matching is case-sensitive
 * and finds terms anywhere in the message.
 */
import { invalidPattern, readQuoted } from './lexer.js';
import { compileRegex } from './values.js';

type Term = (message: string) => boolean;

/** Characters an unquoted term may not hold (AWS asks for quotes around them). */
const BAD_BARE = /["{}[\]()\u0000-\u001f\u007f\u2018-\u201f]/;

export function compileTermPattern(pattern: string): (message: string) => boolean {
  const required: Term[] = [];
  const excluded: Term[] = [];
  const optional: Term[] = [];
  let regexes = 0;
  let i = 0;
  const src = pattern;
  while (i < src.length) {
    if (/\s/.test(src[i]!)) {
      i++;
      continue;
    }
    let bucket = required;
    if ((src[i] === '-' || src[i] === '?') && i + 1 < src.length && !/\s/.test(src[i + 1]!)) {
      bucket = src[i] === '-' ? excluded : optional;
      i++;
    }
    let term: Term;
    if (src[i] === '"') {
      const { text, end } = readQuoted(src, i);
      if (end < src.length && !/\s/.test(src[end]!)) throw invalidPattern();
      term = (m) => m.includes(text);
      i = end;
    } else if (src[i] === '%') {
      const end = src.indexOf('%', i + 1);
      if (end < 0) throw invalidPattern();
      if (++regexes > 2) throw invalidPattern();
      const re = compileRegex(src.slice(i + 1, end));
      term = (m) => re.test(m);
      i = end + 1;
    } else {
      let j = i;
      while (j < src.length && !/\s/.test(src[j]!)) j++;
      const text = src.slice(i, j);
      if (BAD_BARE.test(text)) throw invalidPattern(`Invalid character(s) in term '${text}'`);
      term = (m) => m.includes(text);
      i = j;
    }
    bucket.push(term);
  }
  return (message) =>
    required.every((t) => t(message)) && !excluded.some((t) => t(message)) && (optional.length === 0 || optional.some((t) => t(message)));
}
