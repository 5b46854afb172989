/**
 * Space-delimited filter patterns: `[ip, user, ..., status = 4* || status = 500, bytes > 1000]`.
 * The message splits into fields at spaces; text in double quotes or square brackets is one
 * field (without its quotes or brackets). Each named field lines up with one message field;
 * `...` stands for any number of fields. Without `...` the counts must be equal. A field's
 * conditions may combine comparisons of named fields with && and ||.
 */
import { evaluate, invalidPattern, parseExpr, tokenize, Tokens, type Expr, type Op } from './lexer.js';
import { checkOperator, literalOf, satisfies, type Literal } from './values.js';

interface Comparison {
  field: string;
  op: Op;
  lit: Literal;
}

type Spec = { kind: 'ellipsis' } | { kind: 'field'; name: string; condition?: Expr<Comparison> };

const NAME = /^[A-Za-z0-9_$@.-]+$/;

export function compileDelimitedPattern(pattern: string): (message: string) => boolean {
  const body = pattern.trim();
  if (!body.endsWith(']')) throw invalidPattern("If a filter pattern starts with '[' it must end with ']'");
  const specs = splitSpecs(body.slice(1, -1)).map(parseSpec);
  const names = new Set(specs.flatMap((s) => (s.kind === 'field' ? [s.name] : [])));
  for (const s of specs) {
    if (s.kind === 'field' && s.condition) {
      evaluate(s.condition, (c) => {
        if (!names.has(c.field)) throw invalidPattern();
        return true;
      });
    }
  }
  const fixed = specs.filter((s) => s.kind === 'field').length;
  const ellipses = specs.length - fixed;
  return (message) => {
    const fields = splitFields(message);
    if (ellipses === 0 ? fields.length !== fixed : fields.length < fixed) return false;
    return align(specs, 0, fields, 0, new Map());
  };
}

/** The pattern's comma-separated specs (commas inside quotes do not separate). */
function splitSpecs(src: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\' && quoted && i + 1 < src.length) {
      cur += c + src[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (quoted) throw invalidPattern();
  out.push(cur);
  return out.length === 1 && out[0]!.trim() === '' ? [] : out;
}

function parseSpec(src: string): Spec {
  const text = src.trim();
  if (text === '...') return { kind: 'ellipsis' };
  const tokens = tokenize(text);
  const first = tokens[0];
  if (!first || first.kind !== 'word' || !NAME.test(first.text)) throw invalidPattern();
  if (tokens.length === 1) return { kind: 'field', name: first.text };
  const t = new Tokens(tokens);
  const condition = parseExpr(t, parseComparison);
  if (!t.done()) throw invalidPattern();
  return { kind: 'field', name: first.text, condition };
}

function parseComparison(t: Tokens): Comparison {
  const field = t.next();
  if (field.kind !== 'word' || !NAME.test(field.text)) throw invalidPattern();
  const op = t.next();
  if (op.kind !== 'op') throw invalidPattern();
  const lit = literalOf(t.next());
  checkOperator(op.text, lit);
  return { field: field.text, op: op.text, lit };
}

/** A message's fields: runs of non-space text, or "quoted" / [bracketed] text as one field. */
export function splitFields(message: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = message.length;
  while (i < n) {
    while (i < n && /\s/.test(message[i]!)) i++;
    if (i >= n) break;
    const open = message[i]!;
    const close = open === '"' ? '"' : open === '[' ? ']' : undefined;
    if (close) {
      const end = message.indexOf(close, i + 1);
      if (end >= 0) {
        out.push(message.slice(i + 1, end));
        i = end + 1;
        continue;
      }
    }
    let j = i;
    while (j < n && !/\s/.test(message[j]!)) j++;
    out.push(message.slice(i, j));
    i = j;
  }
  return out;
}

/** Lines specs up with fields (trying each length for every `...`) and checks the conditions. */
function align(specs: Spec[], si: number, fields: string[], fi: number, bound: Map<string, string>): boolean {
  if (si === specs.length) return fi === fields.length && conditionsHold(specs, bound);
  const spec = specs[si]!;
  if (spec.kind === 'ellipsis') {
    const rest = specs.slice(si + 1).filter((s) => s.kind === 'field').length;
    for (let skip = fields.length - fi - rest; skip >= 0; skip--) {
      if (align(specs, si + 1, fields, fi + skip, bound)) return true;
    }
    return false;
  }
  if (fi >= fields.length) return false;
  const had = bound.get(spec.name);
  bound.set(spec.name, fields[fi]!);
  const ok = align(specs, si + 1, fields, fi + 1, bound);
  if (had === undefined) bound.delete(spec.name);
  else bound.set(spec.name, had);
  return ok;
}

function conditionsHold(specs: Spec[], bound: Map<string, string>): boolean {
  for (const s of specs) {
    if (s.kind === 'field' && s.condition && !evaluate(s.condition, (c) => satisfies(bound.get(c.field), c.op, c.lit))) return false;
  }
  return true;
}
