/**
 * AWS's standard validation message, written once for every service:
 *
 *   1 validation error detected: Value 'x' at 'queueName' failed to satisfy constraint:
 *   Member must have length less than or equal to 80
 *
 * and several as `N validation errors detected: ...; ...`. Values are rendered as AWS's Java
 * services print them (strings quoted, `null` for absent, lists `[a, b]`, maps `{k=v}`), member
 * paths as AWS writes them (camelCase first letter, `.N.member` for list items, `a.b` nested).
 * The declared constraints of shapes (shapes.ts) produce these violations at decode time;
 * services with checks the declarations cannot express collect them in a `ConstraintList`.
 */
import type { Shape, Violation } from './shapes.js';

/** The constraint texts, in AWS's words. */
export const rules = {
  notNull: 'Member must not be null',
  minLength: (n: number) => `Member must have length greater than or equal to ${n}`,
  maxLength: (n: number) => `Member must have length less than or equal to ${n}`,
  min: (n: number) => `Member must have value greater than or equal to ${n}`,
  max: (n: number) => `Member must have value less than or equal to ${n}`,
  pattern: (text: string) => `Member must satisfy regular expression pattern: ${text}`,
  enum: (values: readonly unknown[]) => `Member must satisfy enum value set: [${values.join(', ')}]`,
  /** A constraint on each item of a list: `Member must satisfy constraint: [Member must ...]`. */
  eachMember: (inner: readonly string[]) => `Member must satisfy constraint: [${inner.join(', ')}]`,
  /** A constraint on each value of a map: `Map value must satisfy constraint: [Member must ..., ...]`. */
  eachMapValue: (inner: readonly string[]) => `Map value must satisfy constraint: [${inner.join(', ')}]`,
} as const;

/** One broken constraint: where (AWS's path), the value, and the rule it breaks. */
export interface ConstraintViolation {
  at: string;
  value: unknown;
  rule: string;
  /** The value as the message shows it, when not rendered from `value` (`''` leaves it out: "Value at 'x'"). */
  shown?: string;
}

export const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** AWS's path from a member path of shape names (`Entries.1.Id` is `entries.1.member.id`). */
export function awsPath(path: string): string {
  return path
    .split('.')
    .map((seg) => (/^\d+$/.test(seg) ? `${seg}.member` : lowerFirst(seg)))
    .join('.');
}

const MAX_RENDER_DEPTH = 32;

/** A value as Java's toString prints it (unquoted): lists `[a, b]`, maps `{k=v}`, structures `Name(a=b)`. */
export function javaString(v: unknown, shape?: Shape, depth = 0): string {
  if (v === null || v === undefined) return 'null';
  // The value comes from the request: its nesting is the caller's, so the rendering stops deep down.
  if (depth > MAX_RENDER_DEPTH) return '...';
  if (Buffer.isBuffer(v)) return `java.nio.HeapByteBuffer[pos=0 lim=${v.length} cap=${v.length}]`;
  if (Array.isArray(v)) return `[${v.map((e) => javaString(e, shape?.kind === 'list' ? shape.member : undefined, depth + 1)).join(', ')}]`;
  if (typeof v === 'object') {
    const obj = v as Record<string, unknown>;
    if (shape?.kind === 'structure') {
      const fields = Object.entries(shape.members).map(([name, m]) => `${lowerFirst(name)}=${javaString(obj[name], m.shape, depth + 1)}`);
      return `${shape.javaName ?? ''}(${fields.join(', ')})`;
    }
    const valueShape = shape?.kind === 'map' ? shape.value : undefined;
    return `{${Object.entries(obj)
      .map(([k, e]) => `${k}=${javaString(e, valueShape, depth + 1)}`)
      .join(', ')}}`;
  }
  return String(v);
}

/** A value as the message shows it: `null`, or its Java text in single quotes. */
export function renderValue(v: unknown, shape?: Shape): string {
  return v === null || v === undefined ? 'null' : `'${javaString(v, shape)}'`;
}

/** `Value 'x' at 'path' failed to satisfy constraint: Member must ...` */
export function describeViolation(v: ConstraintViolation): string {
  const shown = v.shown ?? renderValue(v.value);
  return `Value ${shown === '' ? '' : `${shown} `}at '${v.at}' failed to satisfy constraint: ${v.rule}`;
}

/**
 * `N validation error(s) detected: ...; ...`. With `max`, only the first `max` are counted and
 * shown (DynamoDB reports at most 10).
 */
export function validationMessage(violations: readonly ConstraintViolation[], opts: { max?: number } = {}): string {
  const shown = opts.max === undefined ? violations : violations.slice(0, opts.max);
  return validationSummary(shown.map(describeViolation));
}

/** `N validation error(s) detected: a; b` over already described violations (services that word some themselves). */
export function validationSummary(described: readonly string[]): string {
  const n = described.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${described.join('; ')}`;
}

/** A pattern as AWS's model writes it, and the JavaScript expression that tests it. */
export interface Pattern {
  text: string;
  re: RegExp;
}

/** A pattern from its model text: the whole value must match (Java's `matches`). */
export function pattern(text: string, re?: RegExp): Pattern {
  if (re) return { text, re };
  const body = text.replace(/^\^/, '').replace(/\$$/, '');
  try {
    return { text, re: new RegExp(`^(?:${body})$`, 'u') };
  } catch {
    return { text, re: new RegExp(`^(?:${body})$`) };
  }
}

/**
 * Violations collected in the order checks run, for the checks a service keeps beside its
 * declarations (ones that depend on other members, or that run after a lookup). Each method
 * adds at most the violations the matching declared constraint would.
 */
export class ConstraintList {
  readonly violations: ConstraintViolation[] = [];

  get size(): number {
    return this.violations.length;
  }

  add(at: string, value: unknown, rule: string, shown?: string): this {
    this.violations.push(shown === undefined ? { at, value, rule } : { at, value, rule, shown });
    return this;
  }

  /** Adds declared-shape violations (from `validate`), or any others. */
  addAll(vs: readonly ConstraintViolation[]): this {
    this.violations.push(...vs);
    return this;
  }

  /** `Member must not be null` when absent; true when present. */
  present<T>(at: string, v: T | null | undefined): v is T {
    if (v === undefined || v === null) this.add(at, null, rules.notNull);
    return v !== undefined && v !== null;
  }

  /** A string's (or list's) length: the lower bound, then the upper, each its own violation. */
  length(at: string, v: string | readonly unknown[] | undefined, min?: number, max?: number, shown?: string): this {
    if (v === undefined) return this;
    if (min !== undefined && v.length < min) this.add(at, v, rules.minLength(min), shown);
    if (max !== undefined && v.length > max) this.add(at, v, rules.maxLength(max), shown);
    return this;
  }

  range(at: string, v: number | undefined, min?: number, max?: number): this {
    if (v === undefined) return this;
    if (min !== undefined && v < min) this.add(at, v, rules.min(min));
    if (max !== undefined && v > max) this.add(at, v, rules.max(max));
    return this;
  }

  pattern(at: string, v: string | undefined, p: Pattern): this {
    if (v !== undefined && !p.re.test(v)) this.add(at, v, rules.pattern(p.text));
    return this;
  }

  oneOf<T>(at: string, v: T | undefined, allowed: readonly T[]): this {
    if (v !== undefined && !allowed.includes(v)) this.add(at, v, rules.enum(allowed));
    return this;
  }

  message(opts: { max?: number } = {}): string {
    return validationMessage(this.violations, opts);
  }

  /** Throws `make(message)` when any constraint is broken. */
  throwIfAny(make: (message: string) => Error, opts: { max?: number } = {}): void {
    if (this.violations.length > 0) throw make(this.message(opts));
  }
}

/** The codec's violations (missing members, declared constraints) as the formatter takes them. */
export function fromViolations(violations: readonly Violation[]): ConstraintViolation[] {
  return violations.map((v) => {
    switch (v.kind) {
      case 'missing':
        return { at: v.at ?? awsPath(v.path), value: null, rule: rules.notNull };
      case 'type':
        return { at: awsPath(v.path), value: v.value, rule: `Member must be of type ${v.expected}` };
      case 'constraint':
        return { at: v.at, value: v.value, rule: v.rule, ...(v.shown !== undefined ? { shown: v.shown } : {}) };
    }
  });
}
