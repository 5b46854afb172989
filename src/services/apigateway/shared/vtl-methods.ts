/**
 * Method calls in mapping templates. API Gateway runs Velocity on Java, so templates call Java
 * methods: `$s.length()`, `$s.contains('x')`, `$s.replaceAll(regex, r)`, `$list.isEmpty()`,
 * `$map.containsKey(k)`. velocityjs would call the JavaScript method of the same name (or
 * none); this handler gives strings, lists and maps their Java meaning, and refuses the rest
 * (a JavaScript-only method such as `repeat` renders nothing), so a template can neither
 * reach JavaScript internals nor build unbounded values. Every call is a step of the render's
 * budget.
 */
import type { Budget } from './vtl-limits.js';
import { TemplateError } from './vtl-errors.js';

/** Marks Nimbus's own template objects ($input, $util): their methods are called as they are. */
export const TEMPLATE_API = Symbol('nimbus.vtl.api');

interface Call {
  property: string;
  context: unknown;
  params: unknown[];
}

/** velocityjs's own handlers (size, get, put, keySet, ...) that already mean what Java means. */
const LIST_BUILTINS = new Set(['size', 'get', 'add', 'remove', 'subList']);
const MAP_BUILTINS = new Set(['size', 'get', 'put', 'set', 'keySet', 'entrySet', 'remove']);
/** Java map methods handled here (before velocityjs's bean-style `isX` would take `isEmpty`). */
const MAP_METHODS = new Set(['containsKey', 'containsValue', 'isEmpty', 'values', 'toString']);

export function methodHandler(budget: Budget) {
  return {
    uid: 'nimbus: java methods',
    match: ({ property, context }: Call): boolean => {
      budget.step();
      if (typeof context === 'string') return true;
      if (Array.isArray(context)) return !LIST_BUILTINS.has(property);
      if (context !== null && typeof context === 'object' && !(TEMPLATE_API in context)) {
        return MAP_METHODS.has(property) || !(MAP_BUILTINS.has(property) || /^(get|is|set)[A-Z]/.test(property));
      }
      // Numbers and booleans (toString, toFixed) and Nimbus's own objects: called as they are.
      return false;
    },
    resolve: ({ property, context, params }: Call): unknown => {
      if (typeof context === 'string') return budget.checkValue(stringMethod(context, property, params, budget));
      if (Array.isArray(context)) return listMethod(context, property, params);
      return mapMethod(context as Record<string, unknown>, property, params);
    },
  };
}

function str(v: unknown): string {
  return v === undefined || v === null ? 'null' : String(v);
}

function int(v: unknown, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new TemplateError(`${what}: not an integer: ${str(v)}`);
  return n;
}

function stringMethod(s: string, name: string, args: unknown[], budget: Budget): unknown {
  const a0 = args[0];
  switch (name) {
    case 'length':
      return s.length;
    case 'isEmpty':
      return s.length === 0;
    case 'toString':
    case 'trim':
      return name === 'trim' ? s.trim() : s;
    case 'toLowerCase':
      return s.toLowerCase();
    case 'toUpperCase':
      return s.toUpperCase();
    case 'equals':
      return typeof a0 === 'string' && a0 === s;
    case 'equalsIgnoreCase':
      return typeof a0 === 'string' && a0.toLowerCase() === s.toLowerCase();
    case 'contains':
      return s.includes(str(a0));
    case 'startsWith':
      return s.startsWith(str(a0), args[1] === undefined ? 0 : int(args[1], 'startsWith'));
    case 'endsWith':
      return s.endsWith(str(a0));
    case 'indexOf':
      return s.indexOf(str(a0), args[1] === undefined ? 0 : int(args[1], 'indexOf'));
    case 'lastIndexOf':
      return args[1] === undefined ? s.lastIndexOf(str(a0)) : s.lastIndexOf(str(a0), int(args[1], 'lastIndexOf'));
    case 'charAt': {
      const i = int(a0, 'charAt');
      if (i < 0 || i >= s.length) throw new TemplateError(`String index out of range: ${i}`);
      return s[i];
    }
    case 'substring': {
      const begin = int(a0, 'substring');
      const end = args[1] === undefined ? s.length : int(args[1], 'substring');
      if (begin < 0 || end > s.length || begin > end) throw new TemplateError(`String index out of range: begin ${begin}, end ${end}, length ${s.length}`);
      return s.substring(begin, end);
    }
    case 'concat':
      return s + str(a0);
    case 'replace': {
      // Java's replace(CharSequence, CharSequence) replaces every occurrence, literally.
      const from = str(a0);
      const to = str(args[1]);
      if (from === '' && s.length * (to.length + 1) > budget.limits.maxOutputChars) throw new TemplateError('replace would build a string too large', 'limit');
      return s.replaceAll(from, () => to);
    }
    case 'replaceAll':
    case 'replaceFirst':
      return regexInput(s).replace(javaRegExp(str(a0), name === 'replaceAll' ? 'g' : ''), javaReplacement(str(args[1])));
    case 'matches':
      return javaRegExp(`^(?:${str(a0)})$`, '', str(a0)).test(regexInput(s));
    case 'split':
      return javaSplit(s, str(a0), args[1] === undefined ? 0 : int(args[1], 'split'));
    default:
      return undefined;
  }
}

function listMethod(list: unknown[], name: string, args: unknown[]): unknown {
  switch (name) {
    case 'isEmpty':
      return list.length === 0;
    case 'contains':
      return list.includes(args[0]);
    case 'indexOf':
      return list.indexOf(args[0]);
    case 'lastIndexOf':
      return list.lastIndexOf(args[0]);
    case 'set': {
      const i = int(args[0], 'set');
      if (i < 0 || i >= list.length) throw new TemplateError(`Index ${i} out of bounds for length ${list.length}`);
      const old = list[i];
      list[i] = args[1];
      return old;
    }
    case 'clear':
      list.length = 0;
      return undefined;
    case 'toString':
      return String(list);
    default:
      return undefined;
  }
}

function mapMethod(map: Record<string, unknown>, name: string, args: unknown[]): unknown {
  switch (name) {
    case 'containsKey':
      return Object.hasOwn(map, str(args[0]));
    case 'containsValue':
      return Object.values(map).includes(args[0]);
    case 'isEmpty':
      return Object.keys(map).length === 0;
    case 'values':
      return Object.values(map);
    case 'toString':
      return String(map);
    default:
      return undefined;
  }
}

const MAX_PATTERN = 1000;
/** Regular expressions are evaluated on inputs no longer than this (a bad pattern's cost grows with the input). */
const MAX_REGEX_INPUT = 100_000;
const regexCache = new Map<string, RegExp>();

/**
 * A Java regular expression as a JavaScript one, refused when it could backtrack without end:
 * a quantified group that itself holds a quantifier (`(a+)+`, `(a*)*`) or a backreference.
 * Approximate: an alternation of overlapping choices under a quantifier (`(a|a)*`) is not caught.
 */
export function javaRegExp(pattern: string, flags: string, shown = pattern): RegExp {
  const key = `${flags}/${pattern}`;
  const hit = regexCache.get(key);
  if (hit) {
    hit.lastIndex = 0;
    return hit;
  }
  if (pattern.length > MAX_PATTERN) throw new TemplateError(`Regular expression too long: ${shown.slice(0, 64)}...`);
  let source = pattern;
  let f = flags;
  // Java's inline case-insensitive flag at the start; JavaScript takes it as a flag.
  if (source.startsWith('(?i)')) {
    source = source.slice(4);
    f += 'i';
  } else if (source.startsWith('^(?:(?i)')) {
    source = `^(?:${source.slice(8)}`;
    f += 'i';
  }
  if (!backtrackSafe(source)) throw new TemplateError(`Regular expression refused (nested quantifiers or backreferences): ${shown}`);
  let re: RegExp;
  try {
    re = new RegExp(source, f);
  } catch (err) {
    throw new TemplateError(`Invalid regular expression ${shown}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (regexCache.size >= 256) regexCache.clear();
  regexCache.set(key, re);
  return re;
}

/** Whether no quantified group holds a quantifier, and there is no backreference. */
function backtrackSafe(p: string): boolean {
  // For each open group: whether it holds a quantifier so far.
  const groups: boolean[] = [];
  let lastGroupHadQuantifier = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      const next = p[i + 1] ?? '';
      if (/[1-9k]/.test(next)) return false;
      i++;
      lastGroupHadQuantifier = false;
      continue;
    }
    if (c === '[') {
      // Skip a character class (a `]` first in it is literal).
      i++;
      if (p[i] === '^') i++;
      if (p[i] === ']') i++;
      while (i < p.length && p[i] !== ']') {
        if (p[i] === '\\') i++;
        i++;
      }
      lastGroupHadQuantifier = false;
      continue;
    }
    if (c === '(') {
      groups.push(false);
      continue;
    }
    if (c === ')') {
      lastGroupHadQuantifier = groups.pop() ?? false;
      // The group's quantifier state carries to its parent.
      if (lastGroupHadQuantifier && groups.length > 0) groups[groups.length - 1] = true;
      const q = p[i + 1];
      if (lastGroupHadQuantifier && (q === '*' || q === '+' || q === '{')) return false;
      continue;
    }
    if (c === '*' || c === '+' || c === '{') {
      if (groups.length > 0) groups[groups.length - 1] = true;
    }
    lastGroupHadQuantifier = false;
  }
  return true;
}

function regexInput(s: string): string {
  if (s.length > MAX_REGEX_INPUT) throw new TemplateError(`Regular expressions take at most ${MAX_REGEX_INPUT} characters of input`, 'limit');
  return s;
}

/** Java's replacement syntax (`$1`, `\$` for a dollar) as a JavaScript replacement function's result. */
function javaReplacement(replacement: string): (match: string, ...rest: unknown[]) => string {
  return (match, ...rest) => {
    const groups = rest.slice(0, rest.findIndex((r) => typeof r === 'number'));
    let out = '';
    for (let i = 0; i < replacement.length; i++) {
      const c = replacement[i]!;
      if (c === '\\' && i + 1 < replacement.length) out += replacement[++i];
      else if (c === '$' && /\d/.test(replacement[i + 1] ?? '')) {
        const n = Number(replacement[++i]);
        out += n === 0 ? match : str(groups[n - 1] ?? '');
      } else out += c;
    }
    return out;
  };
}

/** Java's String.split: a regular expression; with limit 0 trailing empty strings are dropped. */
function javaSplit(s: string, pattern: string, limit: number): string[] {
  regexInput(s);
  const re = javaRegExp(pattern, 'g');
  const out: string[] = [];
  let last = 0;
  for (const m of s.matchAll(re)) {
    if (limit > 0 && out.length === limit - 1) break;
    // A zero-width match at the very start yields no leading empty string (Java 8+).
    if (m[0] === '' && (m.index === 0 || m.index === s.length)) continue;
    out.push(s.slice(last, m.index));
    last = m.index + m[0].length;
  }
  out.push(s.slice(last));
  if (limit === 0) while (out.length > 1 && out[out.length - 1] === '') out.pop();
  if (limit === 0 && out.length === 1 && out[0] === '' && s === '') return [''];
  return out;
}
