/**
 * API Gateway's errors (both control planes, v1 REST APIs and v2 HTTP/WebSocket APIs), with the
 * codes and statuses its API documents. The restJson1 codec writes `{"message": ...}` with the
 * code in `x-amzn-errortype`, which both SDK clients read.
 */
import { AwsError, awsErrorClass } from '../../protocols/errors.js';
import type { Violation } from '../../protocols/shapes.js';
import { fromViolations, validationMessage } from '../../protocols/validate.js';

export const NotFoundException = awsErrorClass('NotFoundException', { status: 404 });
export const ConflictException = awsErrorClass('ConflictException', { status: 409 });
export const BadRequestException = awsErrorClass('BadRequestException', { status: 400 });
export const UnauthorizedException = awsErrorClass('UnauthorizedException', { status: 401 });
export const AccessDeniedException = awsErrorClass('AccessDeniedException', { status: 403 });
export const TooManyRequestsException = awsErrorClass('TooManyRequestsException', { status: 429 });
export const LimitExceededException = awsErrorClass('LimitExceededException', { status: 429 });
export const ServiceUnavailableException = awsErrorClass('ServiceUnavailableException', { status: 503 });

/** Broken constraints of a control-plane request: API Gateway answers them as BadRequestException. */
export function apigatewayValidationError(violations: Violation[]): AwsError {
  return new BadRequestException(validationMessage(fromViolations(violations)));
}
