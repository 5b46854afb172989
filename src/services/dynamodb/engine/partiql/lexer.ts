/**
 * The PartiQL lexer: words (keywords and bare identifiers), "quoted identifiers", 'strings',
 * numbers, `?` parameters, operators and punctuation, skipping `--` and `/* *\/` comments.
 *
 * Whatever it cannot read (an unterminated string or comment, a `#`, a backtick Ion literal, a
 * number whose exponent does not fit a 32-bit integer) is refused the way AWS refuses it: the
 * "wasn't well formed" envelope with nothing after the colon (pinned against AWS by a 2026
 * conformance suite: `1e2147483648`, `# note`, an open `/*`).
 */
import { malformed } from './errors.js';

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'param' | 'op' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The text: a word as written, an identifier or string unescaped, a number as written. */
  text: string;
  /** Upper-cased word, for keyword tests. */
  upper: string;
  pos: number;
}

/** PartiQL's reserved words (SQL-92's plus PartiQL's own, as partiql-lang-kotlin lists them): a bare
 * identifier may not be one of them, which is why `WHERE pad = 1` is a syntax error on DynamoDB. */
export const KEYWORDS: ReadonlySet<string> = new Set(
  (
    'absolute action add all allocate alter and any are as asc assertion at authorization avg begin between bit bit_length ' +
    'by cascade cascaded case cast catalog char character character_length char_length check close coalesce collate ' +
    'collation column commit connect connection constraint constraints continue convert corresponding count create cross ' +
    'current current_date current_time current_timestamp current_user cursor date deallocate dec decimal declare default ' +
    'deferrable deferred delete desc describe descriptor diagnostics disconnect distinct domain double drop else end ' +
    'end-exec escape except exception exec execute exists external extract date_add date_diff false fetch first float for ' +
    'foreign found from full get global go goto grant group having identity immediate in indicator initially inner input ' +
    'insensitive insert int integer intersect interval into is isolation join key language last left level like local ' +
    'lower match max min module names national natural nchar next no not null nullif numeric octet_length of on only open ' +
    'option or order outer output overlaps pad partial position precision prepare preserve primary prior privileges ' +
    'procedure public read real references relative restrict revoke right rollback rows schema scroll section select ' +
    'session session_user set size smallint some space sql sqlcode sqlerror sqlstate substring sum system_user table ' +
    'temporary then time timestamp to transaction translate translation trim true union unique unknown update upper usage ' +
    'user using value values varchar varying view when whenever where with work write zone ' +
    'missing pivot unpivot limit tuple remove index conflict do nothing returning modified new old let bool boolean ' +
    'string symbol clob blob struct list sexp bag'
  )
    .toUpperCase()
    .split(' '),
);

/** Keywords that may still name a function when a `(` follows. */
export const FUNCTION_KEYWORDS: ReadonlySet<string> = new Set(['EXISTS', 'SIZE', 'COUNT', 'AVG', 'MAX', 'MIN', 'SUM', 'UPPER', 'LOWER']);

/** Longest first, so `<=` wins over `<` and `<<` over `<`. */
const OPERATORS = ['<<', '>>', '<=', '>=', '<>', '!=', '||', '=', '<', '>', '+', '-', '*', '/', '%'];
const PUNCT = '()[]{},.:;';
const INT32_MAX = 2147483647;

function token(kind: TokenKind, text: string, pos: number): Token {
  return { kind, text, upper: kind === 'word' ? text.toUpperCase() : text, pos };
}

/** Reads a quoted run ending at `quote`, where a doubled quote stands for itself. */
function quoted(src: string, start: number, quote: string): { text: string; end: number } {
  let text = '';
  let i = start + 1;
  for (;;) {
    if (i >= src.length) throw malformed('');
    const c = src[i]!;
    if (c === quote) {
      if (src[i + 1] === quote) {
        text += quote;
        i += 2;
        continue;
      }
      return { text, end: i + 1 };
    }
    text += c;
    i++;
  }
}

const NUMBER = /^(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?/;

/** A numeric literal; refuses exponents (and resulting scales) beyond a 32-bit integer, as Ion does. */
function number(src: string, start: number): { text: string; end: number } {
  const m = NUMBER.exec(src.slice(start))!;
  if (m[2] !== undefined) {
    const exp = Number(m[2]);
    const fraction = m[1]!.includes('.') ? m[1]!.length - m[1]!.indexOf('.') - 1 : 0;
    if (Math.abs(exp) > INT32_MAX || Math.abs(fraction - exp) > INT32_MAX) throw malformed('');
  }
  return { text: m[0], end: start + m[0].length };
}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (src.startsWith('--', i)) {
      const nl = src.slice(i).search(/[\r\n]/);
      i = nl < 0 ? src.length : i + nl;
    } else if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw malformed('');
      i = end + 2;
    } else if (c === "'" || c === '"') {
      const q = quoted(src, i, c);
      out.push(token(c === "'" ? 'string' : 'quoted', q.text, i));
      i = q.end;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const n = number(src, i);
      out.push(token('number', n.text, i));
      i = n.end;
    } else if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(src.slice(i))!;
      out.push(token('word', m[0], i));
      i += m[0].length;
    } else if (c === '?') {
      out.push(token('param', '?', i));
      i++;
    } else {
      const op = OPERATORS.find((o) => src.startsWith(o, i));
      if (op) {
        out.push(token('op', op === '!=' ? '<>' : op, i));
        i += op.length;
      } else if (PUNCT.includes(c)) {
        out.push(token('punct', c, i));
        i++;
      } else {
        throw malformed('');
      }
    }
  }
  out.push(token('eof', '', src.length));
  return out;
}
