/** Lambda's errors, with the codes and statuses its API documents. */
import { AwsError, awsErrorClass } from '../../protocols/errors.js';
import type { Violation } from '../../protocols/shapes.js';
import { describeViolation, fromViolations, validationSummary } from '../../protocols/validate.js';

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

/**
 * Missing required members and broken constraints, in the words Lambda's validation uses
 * ("Value null at 'role' failed to satisfy constraint: Member must not be null"); a member of
 * the wrong type (a query or header integer that is none) is only "Invalid value at 'Member'".
 */
export function lambdaValidationError(violations: Violation[]): AwsError {
  const parts = fromViolations(violations).map((c, i) => {
    const v = violations[i]!;
    return v.kind === 'type' ? `Invalid value at '${v.path}'` : describeViolation(c);
  });
  return new AwsError('ValidationException', validationSummary(parts), { status: 400 });
}

export const functionNotFound = (arn: string) => new ResourceNotFoundException(`Function not found: ${arn}`);
