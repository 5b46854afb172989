/**
 * Input constraints of the CloudWatch Logs model, checked the way AWS reports them: every
 * broken constraint of a request in one InvalidParameterException,
 * "2 validation errors detected: Value 'a:b' at 'logStreamName' failed to satisfy constraint:
 * Member must satisfy regular expression pattern: [^:*]*; ...".
 */
import { InvalidParameterException } from '../errors.js';

export const GROUP_NAME = { re: /^[.\-_/#A-Za-z0-9]+$/, text: '[\\.\\-_/#A-Za-z0-9]+' };
export const GROUP_NAME_PATTERN = { re: /^[.\-_/#A-Za-z0-9]*$/, text: '[\\.\\-_/#A-Za-z0-9]*' };
export const STREAM_NAME = { re: /^[^:*]*$/, text: '[^:*]*' };
export const GROUP_IDENTIFIER = { re: /^[\w#+=/:,.@-]*$/, text: '[\\w#+=/:,.@-]*' };
export const RESOURCE_ARN = { re: /^[\w+=/:,.@\-*]*$/, text: '[\\w+=/:,.@\\-\\*]*' };
export const TAG_KEY = { re: /^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$/u, text: '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$' };
export const TAG_VALUE = { re: /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u, text: '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$' };

/** The retention periods AWS accepts, in days. */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Collects broken constraints; `done()` throws them as one InvalidParameterException. */
export class Checks {
  private readonly errors: string[] = [];

  private fail(path: string, value: unknown, constraint: string): void {
    this.errors.push(`Value ${shown(value)} at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  /** A string's length (in UTF-16 units, as AWS's Java model counts) within bounds. */
  length(path: string, value: string | undefined, min: number, max: number): this {
    if (value === undefined) return this;
    if (value.length < min) this.fail(path, value, `Member must have length greater than or equal to ${min}`);
    else if (value.length > max) this.fail(path, value, `Member must have length less than or equal to ${max}`);
    return this;
  }

  pattern(path: string, value: string | undefined, p: { re: RegExp; text: string }): this {
    if (value !== undefined && value.length > 0 && !p.re.test(value)) this.fail(path, value, `Member must satisfy regular expression pattern: ${p.text}`);
    return this;
  }

  /** A name: length bounds, then its pattern. */
  name(path: string, value: string | undefined, p: { re: RegExp; text: string }, max = 512): this {
    const before = this.errors.length;
    this.length(path, value, 1, max);
    if (this.errors.length === before) this.pattern(path, value, p);
    return this;
  }

  range(path: string, value: number | undefined, min: number, max?: number): this {
    if (value === undefined) return this;
    if (value < min) this.fail(path, value, `Member must have value greater than or equal to ${min}`);
    else if (max !== undefined && value > max) this.fail(path, value, `Member must have value less than or equal to ${max}`);
    return this;
  }

  /** A list's number of members within bounds. */
  count(path: string, value: unknown[] | undefined, min: number, max: number): this {
    if (value === undefined) return this;
    if (value.length < min) this.fail(path, value, `Member must have length greater than or equal to ${min}`);
    else if (value.length > max) this.fail(path, value, `Member must have length less than or equal to ${max}`);
    return this;
  }

  oneOf<T>(path: string, value: T | undefined, allowed: readonly T[]): this {
    if (value !== undefined && !allowed.includes(value)) this.fail(path, value, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
    return this;
  }

  /** Tag keys and values of a tag map. */
  tags(path: string, tags: Record<string, string> | undefined): this {
    if (!tags) return this;
    const keys = Object.keys(tags);
    if (keys.length < 1) this.fail(path, '{}', 'Member must have length greater than or equal to 1');
    if (keys.length > 50) this.fail(path, '{...}', 'Member must have length less than or equal to 50');
    for (const k of keys) {
      this.name(`${path}.${k}.member.key`, k, TAG_KEY, 128);
      this.length(`${path}.${k}.member.value`, tags[k], 0, 256).pattern(`${path}.${k}.member.value`, tags[k], TAG_VALUE);
    }
    return this;
  }

  done(): void {
    const n = this.errors.length;
    if (n === 0) return;
    throw new InvalidParameterException(`${n} validation error${n > 1 ? 's' : ''} detected: ${this.errors.join('; ')}`);
  }
}

function shown(value: unknown): string {
  if (Array.isArray(value)) return `'[${value.length > 3 ? '...' : value.map((v) => (typeof v === 'object' ? '...' : String(v))).join(', ')}]'`;
  return `'${String(value)}'`;
}

/** AWS's path for a violation: list members are `name.1.member.field`. */
export function violationPath(path: string): string {
  return path.replace(/\.(\d+)(?=\.|$)/g, '.$1.member');
}
