/**
 * What a qualifier names in a function: `$LATEST` (also when there is no qualifier), a
 * published version, or an alias and the version it points at. Reads of a version, the
 * asynchronous invoke configurations and function URLs all ask here, so "does this qualifier
 * exist" has one answer and one not-found error.
 */
import { functionNotFound } from '../errors.js';
import type { AliasRecord, FunctionRecord, VersionRecord } from '../model.js';
import { own } from '../../../lib/own.js';
import { functionArn } from './names.js';

export type QualifierTarget =
  | { kind: 'latest'; qualifier: '$LATEST'; version: VersionRecord }
  | { kind: 'version'; qualifier: string; version: VersionRecord }
  /** `version` is undefined only when the alias points at a version that is gone. */
  | { kind: 'alias'; qualifier: string; alias: AliasRecord; version: VersionRecord | undefined };

/** The version or alias a qualifier names; Lambda's ResourceNotFoundException when the function has none. */
export function resolveQualifier(fn: FunctionRecord, qualifier: string | undefined): QualifierTarget {
  const q = qualifier ?? '$LATEST';
  if (q === '$LATEST') return { kind: 'latest', qualifier: q, version: fn.latest };
  const version = own(fn.versions, q);
  if (version) return { kind: 'version', qualifier: q, version };
  const alias = own(fn.aliases, q);
  if (alias) return { kind: 'alias', qualifier: q, alias, version: alias.FunctionVersion === '$LATEST' ? fn.latest : own(fn.versions, alias.FunctionVersion) };
  throw functionNotFound(functionArn(fn, q));
}
