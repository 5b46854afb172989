/**
 * JSON filter patterns: `{ $.level = "error" && ($.latency > 100 || $.retry IS TRUE) }`.
 * Selectors walk properties (`$.a.b`) and array indexes (`$.list[0]`, `$.list[*]` for any
 * element); conditions compare with =, !=, <, >, <=, >=, or test IS TRUE / IS FALSE /
 * IS NULL / NOT EXISTS. A message that is not a JSON document matches no JSON pattern.
 */
import { evaluate, invalidPattern, parseExpr, tokenize, Tokens, type Expr, type Op } from './lexer.js';
import { checkOperator, literalOf, satisfies, type Literal } from './values.js';

type Step = { kind: 'prop'; name: string } | { kind: 'index'; index: number } | { kind: 'any' };

type Condition =
  | { kind: 'compare'; path: Step[]; op: Op; lit: Literal }
  | { kind: 'is'; path: Step[]; value: true | false | null }
  | { kind: 'notExists'; path: Step[] };

export function compileJsonPattern(pattern: string): (message: string) => boolean {
  const body = pattern.trim();
  if (!body.endsWith('}')) throw invalidPattern("If a filter pattern starts with '{' it must end with '}'");
  const tokens = new Tokens(tokenize(body.slice(1, -1)));
  if (tokens.done()) throw invalidPattern();
  const expr: Expr<Condition> = parseExpr(tokens, parseCondition);
  if (!tokens.done()) throw invalidPattern();
  return (message) => {
    const doc = parseDocument(message);
    return doc !== undefined && evaluate(expr, (c) => test(c, doc.value));
  };
}

function parseDocument(message: string): { value: unknown } | undefined {
  const s = message.trimStart();
  if (s[0] !== '{' && s[0] !== '[') return undefined;
  try {
    return { value: JSON.parse(message) };
  } catch {
    return undefined;
  }
}

function parseCondition(t: Tokens): Condition {
  const sel = t.next();
  if (sel.kind !== 'selector') throw invalidPattern();
  const path = parseSelector(sel.text);
  if (t.keyword('IS')) {
    const w = t.next();
    const word = w.kind === 'word' ? w.text.toUpperCase() : '';
    if (word === 'TRUE') return { kind: 'is', path, value: true };
    if (word === 'FALSE') return { kind: 'is', path, value: false };
    if (word === 'NULL') return { kind: 'is', path, value: null };
    throw invalidPattern();
  }
  if (t.keyword('NOT')) {
    if (!t.keyword('EXISTS')) throw invalidPattern();
    return { kind: 'notExists', path };
  }
  const op = t.next();
  if (op.kind !== 'op') throw invalidPattern();
  const lit = literalOf(t.next());
  checkOperator(op.text, lit);
  return { kind: 'compare', path, op: op.text, lit };
}

function parseSelector(text: string): Step[] {
  const steps: Step[] = [];
  const re = /\.([^.[\]]+)|\[(\d+|\*)\]/g;
  let at = 1;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index !== at) throw invalidPattern();
    at = re.lastIndex;
    if (m[1] !== undefined) steps.push(m[1] === '*' ? { kind: 'any' } : { kind: 'prop', name: m[1] });
    else steps.push(m[2] === '*' ? { kind: 'any' } : { kind: 'index', index: Number(m[2]) });
  }
  if (at !== text.length || steps.length === 0) throw invalidPattern();
  return steps;
}

/** Every value the path reaches (several when it goes through `*`). */
function resolve(value: unknown, path: Step[], from = 0): unknown[] {
  if (from === path.length) return [value];
  const step = path[from]!;
  if (value === null || typeof value !== 'object') return [];
  if (step.kind === 'any') {
    const children = Array.isArray(value) ? value : Object.values(value);
    return children.flatMap((c) => resolve(c, path, from + 1));
  }
  if (step.kind === 'index') return Array.isArray(value) && step.index < value.length ? resolve(value[step.index], path, from + 1) : [];
  if (Array.isArray(value) || !Object.hasOwn(value, step.name)) return [];
  return resolve((value as Record<string, unknown>)[step.name], path, from + 1);
}

function test(c: Condition, doc: unknown): boolean {
  const values = resolve(doc, c.path);
  if (c.kind === 'notExists') return values.length === 0;
  if (c.kind === 'is') return values.some((v) => v === c.value);
  return values.some((v) => satisfies(v, c.op, c.lit));
}
