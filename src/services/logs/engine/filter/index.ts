/**
 * CloudWatch Logs filter patterns, compiled once per request into a predicate on messages:
 * `{ ... }` is a JSON pattern, `[ ... ]` a space-delimited pattern, anything else terms.
 * An empty pattern matches every event. A pattern that does not parse is an
 * InvalidParameterException ("Invalid filter pattern"), raised before any event is read.
 */
import { compileDelimitedPattern } from './delimited.js';
import { compileJsonPattern } from './json.js';
import { compileTermPattern } from './terms.js';

export type MessageFilter = (message: string) => boolean;

export function compileFilterPattern(pattern: string | undefined): MessageFilter | undefined {
  const p = (pattern ?? '').trim();
  if (p === '') return undefined;
  if (p.startsWith('{')) return compileJsonPattern(p);
  if (p.startsWith('[')) return compileDelimitedPattern(p);
  return compileTermPattern(p);
}
