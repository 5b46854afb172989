/** Lambda's errors, with the codes and statuses its API documents. */
import { AwsError, awsErrorClass } from '../../protocols/errors.js';
import type { Violation } from '../../protocols/shapes.js';

export const ResourceNotFoundException = awsErrorClass('ResourceNotFoundException', { status: 404 });
export const ResourceConflictException = awsErrorClass('ResourceConflictException', { status: 409 });
export const ResourceInUseException = awsErrorClass('ResourceInUseException', { status: 400 });
export const InvalidParameterValueException = awsErrorClass('InvalidParameterValueException', { status: 400 });
export const InvalidRequestContentException = awsErrorClass('InvalidRequestContentException', { status: 400 });
export const PreconditionFailedException = awsErrorClass('PreconditionFailedException', { status: 412 });
export const RequestTooLargeException = awsErrorClass('RequestTooLargeException', { status: 413 });
export const ServiceException = awsErrorClass('ServiceException', { status: 500 });

/** Invoke refused for concurrency, with Lambda's reason. */
export class TooManyRequestsException extends AwsError {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super('TooManyRequestsException', message, { status: 429 });
  }

  override jsonDetails() {
    return { Reason: this.reason };
  }
}

/** Missing required members, in the words Lambda's validation uses. */
export function lambdaValidationError(violations: Violation[]): AwsError {
  const parts = violations.map((v) => (v.kind === 'missing' ? `Value null at '${lowerFirst(v.path)}' failed to satisfy constraint: Member must not be null` : `Invalid value at '${v.path}'`));
  return new AwsError('ValidationException', `${parts.length} validation error${parts.length === 1 ? '' : 's'} detected: ${parts.join('; ')}`, { status: 400 });
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

export const functionNotFound = (arn: string) => new ResourceNotFoundException(`Function not found: ${arn}`);
