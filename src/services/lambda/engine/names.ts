/**
 * How Lambda names functions: a bare name, `name:qualifier`, a partial ARN
 * (`123456789012:function:name`) or a full ARN, with a qualifier that is `$LATEST`, a version
 * number or an alias name.
 */
import { InvalidParameterValueException, ResourceNotFoundException } from '../errors.js';
import { AwsError } from '../../../protocols/errors.js';
import { ConstraintList, pattern, rules, type Pattern } from '../../../protocols/validate.js';

export interface FunctionRef {
  accountId: string;
  region: string;
  name: string;
  qualifier?: string;
}

// The model's patterns, as the messages quote them (operations/shapes.ts declares them on the
// members; a value they let through that names no function Nimbus can parse is refused here).
export const FUNCTION_NAME_PATTERN = pattern('(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?');
/** The operations that read a function (GetFunction, Invoke, GetPolicy ...) also take dots in the name. */
export const NAMESPACED_FUNCTION_NAME_PATTERN = pattern('(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?');
export const QUALIFIER_PATTERN = pattern('(|[a-zA-Z0-9$_-]+)');

/** A `ValidationException` for a value that breaks the pattern (its text is what the message shows). */
const patternError = (at: string, value: string, p: Pattern) => new AwsError('ValidationException', new ConstraintList().add(at, value, rules.pattern(p.text)).message());

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const QUALIFIER = /^(\$LATEST|[a-zA-Z0-9$_-]{1,128})$/;
const ARN = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9_-]{1,64})(?::([a-zA-Z0-9$_-]{1,128}))?$/;
const PARTIAL = /^(\d{12}):function:([a-zA-Z0-9_-]{1,64})(?::([a-zA-Z0-9$_-]{1,128}))?$/;
const NAME_QUALIFIED = /^([a-zA-Z0-9_-]{1,64})(?::([a-zA-Z0-9$_-]{1,128}))?$/;

/**
 * Parses a FunctionName parameter in the caller's account and region. A qualifier in the
 * name and a Qualifier parameter must agree. Another account's function is refused here
 * unless `otherAccounts` is set: only Invoke reads the function's resource policy first.
 */
export function parseFunctionName(raw: string, ctx: { accountId: string; region: string }, qualifier?: string, opts: { otherAccounts?: boolean } = {}): FunctionRef {
  let ref: FunctionRef | undefined;
  let m = ARN.exec(raw);
  if (m) ref = { region: m[1]!, accountId: m[2]!, name: m[3]!, qualifier: m[4] };
  else if ((m = PARTIAL.exec(raw))) ref = { region: ctx.region, accountId: m[1]!, name: m[2]!, qualifier: m[3] };
  else if ((m = NAME_QUALIFIED.exec(raw))) ref = { region: ctx.region, accountId: ctx.accountId, name: m[1]!, qualifier: m[2] };
  if (!ref) throw patternError('functionName', raw, NAMESPACED_FUNCTION_NAME_PATTERN);
  if (qualifier !== undefined) {
    if (!QUALIFIER.test(qualifier)) throw patternError('qualifier', qualifier, QUALIFIER_PATTERN);
    if (ref.qualifier !== undefined && ref.qualifier !== qualifier) {
      throw new InvalidParameterValueException('The derived qualifier from the function name does not match the specified qualifier.');
    }
    ref.qualifier = qualifier;
  }
  if (ref.accountId !== ctx.accountId && !opts.otherAccounts) throw notAuthorized(raw);
  return ref;
}

/** Another account's function, named by a caller it does not grant (or that does not exist: the same answer). */
export const notAuthorized = (raw: string) => new AwsError('AccessDeniedException', `User is not authorized to access function ${raw}`, { status: 403 });

/** The name a new function may take. */
export function checkNewName(name: string): void {
  if (!NAME.test(name)) throw patternError('functionName', name, FUNCTION_NAME_PATTERN);
}

export function functionArn(ref: Pick<FunctionRef, 'accountId' | 'region' | 'name'>, qualifier?: string): string {
  return `arn:aws:lambda:${ref.region}:${ref.accountId}:function:${ref.name}${qualifier ? `:${qualifier}` : ''}`;
}

/** Parses a function ARN (destinations, event source mappings); undefined when it is none. */
export function parseFunctionArn(arn: string): FunctionRef | undefined {
  const m = ARN.exec(arn);
  return m ? { region: m[1]!, accountId: m[2]!, name: m[3]!, qualifier: m[4] } : undefined;
}

export const noSuchQualifier = (ref: FunctionRef) => new ResourceNotFoundException(`Function not found: ${functionArn(ref, ref.qualifier)}`);
