/**
 * CloudWatch Logs' model constraints: the patterns its members declare (used by the operation
 * declarations, operations/shapes.ts), and `Checks` for the few that the engine checks itself
 * (PutLogEvents' events, which Logs shows as `'[...]'`; the paging members of its reads),
 * reported through the shared formatter (protocols/validate.ts) in one InvalidParameterException.
 */
import { ConstraintList, type Pattern } from '../../../protocols/validate.js';
import { InvalidParameterException } from '../errors.js';

export const GROUP_NAME: Pattern = { re: /^[.\-_/#A-Za-z0-9]+$/, text: '[\\.\\-_/#A-Za-z0-9]+' };
export const GROUP_NAME_PATTERN: Pattern = { re: /^[.\-_/#A-Za-z0-9]*$/, text: '[\\.\\-_/#A-Za-z0-9]*' };
export const STREAM_NAME: Pattern = { re: /^[^:*]*$/, text: '[^:*]*' };
export const GROUP_IDENTIFIER: Pattern = { re: /^[\w#+=/:,.@-]*$/, text: '[\\w#+=/:,.@-]*' };
export const RESOURCE_ARN: Pattern = { re: /^[\w+=/:,.@\-*]*$/, text: '[\\w+=/:,.@\\-\\*]*' };
export const TAG_KEY: Pattern = { re: /^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$/u, text: '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$' };
export const TAG_VALUE: Pattern = { re: /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u, text: '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$' };

/** The retention periods AWS accepts, in days. */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** The shared collector, with Logs' rendering of event lists; `done()` throws what it found. */
export class Checks extends ConstraintList {
  /** A list's number of members within bounds; Logs shows a long list as `'[...]'`. */
  count(path: string, value: unknown[] | undefined, min: number, max: number): this {
    return this.length(path, value, min, max, value && shown(value));
  }

  done(): void {
    this.throwIfAny((message) => new InvalidParameterException(message));
  }
}

function shown(value: unknown[]): string {
  return `'[${value.length > 3 ? '...' : value.map((v) => (typeof v === 'object' ? '...' : String(v))).join(', ')}]'`;
}
