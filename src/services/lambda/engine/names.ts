/**
 * How Lambda names functions: a bare name, `name:qualifier`, a partial ARN
 * (`123456789012:function:name`) or a full ARN, with a qualifier that is `$LATEST`, a version
 * number or an alias name.
 */
import { InvalidParameterValueException, ResourceNotFoundException } from '../errors.js';
import { AwsError } from '../../../protocols/errors.js';

export interface FunctionRef {
  accountId: string;
  region: string;
  name: string;
  qualifier?: string;
}

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const QUALIFIER = /^(\$LATEST|[a-zA-Z0-9$_-]{1,128})$/;
const ARN = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9_-]{1,64})(?::([a-zA-Z0-9$_-]{1,128}))?$/;
const PARTIAL = /^(\d{12}):function:([a-zA-Z0-9_-]{1,64})(?::([a-zA-Z0-9$_-]{1,128}))?$/;
const NAME_QUALIFIED = /^([a-zA-Z0-9_-]{1,64})(?::([a-zA-Z0-9$_-]{1,128}))?$/;

/**
 * Parses a FunctionName parameter in the caller's account and region. A qualifier in the
 * name and a Qualifier parameter must agree.
 */
export function parseFunctionName(raw: string, ctx: { accountId: string; region: string }, qualifier?: string): FunctionRef {
  let ref: FunctionRef | undefined;
  let m = ARN.exec(raw);
  if (m) ref = { region: m[1]!, accountId: m[2]!, name: m[3]!, qualifier: m[4] };
  else if ((m = PARTIAL.exec(raw))) ref = { region: ctx.region, accountId: m[1]!, name: m[2]!, qualifier: m[3] };
  else if ((m = NAME_QUALIFIED.exec(raw))) ref = { region: ctx.region, accountId: ctx.accountId, name: m[1]!, qualifier: m[2] };
  if (!ref) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${raw}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
    );
  }
  if (qualifier !== undefined) {
    if (!QUALIFIER.test(qualifier)) {
      throw new AwsError('ValidationException', `1 validation error detected: Value '${qualifier}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)`);
    }
    if (ref.qualifier !== undefined && ref.qualifier !== qualifier) {
      throw new InvalidParameterValueException('The derived qualifier from the function name does not match the specified qualifier.');
    }
    ref.qualifier = qualifier;
  }
  if (ref.accountId !== ctx.accountId) throw new AwsError('AccessDeniedException', `User is not authorized to access function ${raw}`, { status: 403 });
  return ref;
}

/** The name a new function may take. */
export function checkNewName(name: string): void {
  if (!NAME.test(name)) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
    );
  }
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
