/**
 * EventBridge-style event patterns, as Lambda event filtering (FilterCriteria) uses them and
 * SNS filter policies will: a pattern is a JSON object whose keys follow the event's fields;
 * a key holds either a nested pattern (an object) or a list of rules, one of which the
 * event's value there must match. Keys are ANDed, the rules of one list ORed, and `$or` takes
 * whole alternative patterns.
 *
 * Rules: exact strings, numbers, booleans and null; `{"prefix"}` and `{"suffix"}` (also with
 * `{"equals-ignore-case"}` inside); `{"equals-ignore-case"}`; `{"anything-but"}` with a value,
 * a list of values or a prefix / suffix / equals-ignore-case / wildcard rule; `{"numeric"}`
 * comparisons (`["=", 5]`, `[">", 0, "<=", 5]`); `{"exists": true|false}`; `{"wildcard"}`.
 *
 * Matching follows EventBridge: rules apply to leaf values only, an array in the event
 * matches when any of its elements does, a field that is absent matches only
 * `{"exists": false}`, and numbers match numbers, never their spelling as strings.
 */

type Scalar = string | number | boolean | null;

type Rule =
  | { t: 'exact'; v: Scalar }
  | { t: 'prefix' | 'suffix' | 'ignore-case'; v: string; ci: boolean }
  /** The literal runs between the `*`s of a wildcard. */
  | { t: 'wildcard'; parts: string[] }
  | { t: 'anything-but'; values: Scalar[] }
  /** anything-but with a prefix, suffix, equals-ignore-case or wildcard: a string none of them matches. */
  | { t: 'none-of'; rules: Rule[] }
  | { t: 'numeric'; conds: Array<[string, number]> }
  | { t: 'exists'; v: boolean };

type Field = { kind: 'rules'; rules: Rule[] } | { kind: 'node'; node: PatternNode };

interface PatternNode {
  fields: Array<[string, Field]>;
  /** `$or` lists: each needs one of its alternatives to match. */
  or: PatternNode[][];
}

/** A compiled pattern, ready to match many events. */
export interface EventPattern {
  readonly root: PatternNode;
}

/** A pattern that is not valid; the message says why (callers answer in their service's words). */
export class EventPatternError extends Error {}

const fail = (msg: string): never => {
  throw new EventPatternError(msg);
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and compiles a pattern given as JSON text. */
export function parseEventPattern(text: string): EventPattern {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('pattern is not valid JSON');
  }
  return compileEventPattern(value);
}

/** Compiles a pattern given as a parsed JSON value; throws EventPatternError when it is not one. */
export function compileEventPattern(value: unknown): EventPattern {
  if (!isObject(value)) fail('pattern must be a JSON object');
  return { root: compileNode(value as Record<string, unknown>, '', 0) };
}

/**
 * Patterns nest at most this deep (objects and `$or`s): a deeper one is refused rather than
 * overflow the compiler's stack (and the matcher's, which follows the pattern). Nimbus's own
 * bound, far beyond any real event's shape.
 */
export const MAX_PATTERN_DEPTH = 100;

function compileNode(obj: Record<string, unknown>, path: string, depth: number): PatternNode {
  if (depth >= MAX_PATTERN_DEPTH) fail(`${path || 'pattern'}: nested more than ${MAX_PATTERN_DEPTH} levels`);
  const node: PatternNode = { fields: [], or: [] };
  for (const [key, v] of Object.entries(obj)) {
    const at = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(v) || v.length < 2 || !v.every(isObject)) fail(`${at}: $or takes a list of at least two patterns`);
      node.or.push((v as Record<string, unknown>[]).map((alt) => compileNode(alt, path, depth + 1)));
    } else if (Array.isArray(v)) {
      if (v.length === 0) fail(`${at}: empty lists match nothing`);
      node.fields.push([key, { kind: 'rules', rules: v.map((r) => compileRule(r, at)) }]);
    } else if (isObject(v)) {
      node.fields.push([key, { kind: 'node', node: compileNode(v, at, depth + 1) }]);
    } else {
      fail(`${at}: a pattern's values must be lists of rules or nested patterns`);
    }
  }
  return node;
}

function compileRule(r: unknown, at: string): Rule {
  if (r === null || typeof r === 'string' || typeof r === 'boolean') return { t: 'exact', v: r };
  if (typeof r === 'number') return Number.isFinite(r) ? { t: 'exact', v: r } : fail(`${at}: numbers must be finite`);
  if (!isObject(r)) return fail(`${at}: a rule is a value or an object with one operator`);
  const keys = Object.keys(r);
  if (keys.length !== 1) fail(`${at}: a rule object takes exactly one operator`);
  const op = keys[0]!;
  const arg = r[op];
  switch (op) {
    case 'prefix':
    case 'suffix':
      return textRule(op, arg, at);
    case 'equals-ignore-case':
      return typeof arg === 'string' ? { t: 'ignore-case', v: arg.toLowerCase(), ci: true } : fail(`${at}: equals-ignore-case takes a string`);
    case 'wildcard':
      return typeof arg === 'string' ? { t: 'wildcard', parts: wildcardParts(arg, at) } : fail(`${at}: wildcard takes a string`);
    case 'exists':
      return typeof arg === 'boolean' ? { t: 'exists', v: arg } : fail(`${at}: exists takes true or false`);
    case 'numeric':
      return { t: 'numeric', conds: numeric(arg, at) };
    case 'anything-but':
      return anythingBut(arg, at);
    default:
      return fail(`${at}: unsupported operator ${op}`);
  }
}

function textRule(op: 'prefix' | 'suffix', arg: unknown, at: string): Rule {
  if (typeof arg === 'string') return { t: op, v: arg, ci: false };
  if (isObject(arg) && Object.keys(arg).length === 1 && typeof arg['equals-ignore-case'] === 'string') {
    return { t: op, v: (arg['equals-ignore-case'] as string).toLowerCase(), ci: true };
  }
  return fail(`${at}: ${op} takes a string or {"equals-ignore-case": string}`);
}

function anythingBut(arg: unknown, at: string): Rule {
  const scalar = (v: unknown) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
  if (scalar(arg)) return { t: 'anything-but', values: [arg as Scalar] };
  if (Array.isArray(arg)) {
    if (arg.length === 0 || !arg.every(scalar)) fail(`${at}: anything-but takes a non-empty list of strings or numbers`);
    return { t: 'anything-but', values: arg as Scalar[] };
  }
  if (isObject(arg) && Object.keys(arg).length === 1) {
    const [op] = Object.keys(arg);
    if (op === 'prefix' || op === 'suffix' || op === 'equals-ignore-case' || op === 'wildcard') {
      const inner = arg[op];
      // equals-ignore-case and wildcard may also take a list here: anything but any of them.
      const list = Array.isArray(inner) && (op === 'equals-ignore-case' || op === 'wildcard') ? inner : [inner];
      if (list.length === 0) fail(`${at}: anything-but ${op} takes a non-empty list`);
      return { t: 'none-of', rules: list.map((x) => compileRule({ [op]: x }, at)) };
    }
  }
  return fail(`${at}: anything-but takes a value, a list of values or a prefix, suffix, equals-ignore-case or wildcard rule`);
}

function numeric(arg: unknown, at: string): Array<[string, number]> {
  const bad = () => fail(`${at}: numeric takes ["=", n], [op, n] or [">"|">=", n, "<"|"<=", m]`);
  if (!Array.isArray(arg) || (arg.length !== 2 && arg.length !== 4)) return bad();
  const conds: Array<[string, number]> = [];
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i];
    const n = arg[i + 1];
    if (typeof op !== 'string' || !['=', '<', '<=', '>', '>='].includes(op) || typeof n !== 'number' || !Number.isFinite(n)) return bad();
    conds.push([op, n]);
  }
  if (conds.length === 2) {
    const [[lo, a], [hi, b]] = conds as [[string, number], [string, number]];
    if (!(lo === '>' || lo === '>=') || !(hi === '<' || hi === '<=') || a >= b) return bad();
  }
  return conds;
}

/** Splits a wildcard at its unescaped `*`s (in the pattern's text, `\*` is a literal star and `\\` a backslash). */
function wildcardParts(s: string, at: string): string[] {
  if (s.includes('**')) fail(`${at}: consecutive wildcard characters are not allowed`);
  const parts: string[] = [''];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && (s[i + 1] === '*' || s[i + 1] === '\\')) parts[parts.length - 1] += s[++i];
    else if (c === '*') parts.push('');
    else parts[parts.length - 1] += c;
  }
  return parts;
}

/** Glob matching without backtracking: the first and last runs anchor, the middle ones are found leftmost in order. */
function matchWildcard(parts: string[], v: string): boolean {
  if (parts.length === 1) return v === parts[0];
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (v.length < first.length + last.length || !v.startsWith(first) || !v.endsWith(last)) return false;
  let pos = first.length;
  const end = v.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const at = v.indexOf(parts[i]!, pos);
    if (at < 0 || at + parts[i]!.length > end) return false;
    pos = at + parts[i]!.length;
  }
  return true;
}

/** Whether the event (a parsed JSON value) matches the pattern. */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return matchNode(pattern.root, event);
}

/** Whether the event matches any of the patterns (Lambda's Filters are ORed). */
export function matchesAnyEventPattern(patterns: readonly EventPattern[], event: unknown): boolean {
  return patterns.some((p) => matchNode(p.root, event));
}

function matchNode(node: PatternNode, value: unknown): boolean {
  const obj = isObject(value) ? value : undefined;
  for (const [key, field] of node.fields) {
    const present = obj !== undefined && Object.prototype.hasOwnProperty.call(obj, key);
    const v = present ? obj![key] : undefined;
    if (field.kind === 'node') {
      const ok = Array.isArray(v) ? v.some((el) => matchNode(field.node, el)) : matchNode(field.node, v);
      if (!ok) return false;
    } else if (!matchRules(field.rules, present, v)) {
      return false;
    }
  }
  return node.or.every((alternatives) => alternatives.some((alt) => matchNode(alt, value)));
}

function matchRules(rules: Rule[], present: boolean, v: unknown): boolean {
  if (!present) return rules.some((r) => r.t === 'exists' && !r.v);
  if (Array.isArray(v)) return v.some((el) => !Array.isArray(el) && matchLeaf(rules, el));
  return matchLeaf(rules, v);
}

function matchLeaf(rules: Rule[], v: unknown): boolean {
  return rules.some((r) => matchRule(r, v));
}

function matchRule(r: Rule, v: unknown): boolean {
  switch (r.t) {
    case 'exists':
      // Exists looks at leaves: a nested object is not one.
      return r.v && !isObject(v);
    case 'exact':
      return v === r.v;
    case 'prefix':
      return typeof v === 'string' && (r.ci ? v.toLowerCase() : v).startsWith(r.v);
    case 'suffix':
      return typeof v === 'string' && (r.ci ? v.toLowerCase() : v).endsWith(r.v);
    case 'ignore-case':
      return typeof v === 'string' && v.toLowerCase() === r.v;
    case 'wildcard':
      return typeof v === 'string' && matchWildcard(r.parts, v);
    case 'numeric':
      return typeof v === 'number' && r.conds.every(([op, n]) => compare(v, op, n));
    case 'anything-but':
      return (typeof v === 'string' || typeof v === 'number') && !r.values.includes(v);
    case 'none-of':
      return typeof v === 'string' && !r.rules.some((x) => matchRule(x, v));
  }
}

function compare(v: number, op: string, n: number): boolean {
  switch (op) {
    case '=':
      return v === n;
    case '<':
      return v < n;
    case '<=':
      return v <= n;
    case '>':
      return v > n;
    default:
      return v >= n;
  }
}
