/**
 * SNS's errors, named as AWS names them. SNS speaks only the query protocol, so `code` is the
 * `<Code>` of the error response (the SDKs map `NotFound` to NotFoundException, ...).
 */
import { awsErrorClass } from '../../protocols/errors.js';

export const InvalidParameter = awsErrorClass('InvalidParameter');
export const InvalidParameterValue = awsErrorClass('ParameterValueInvalid');
export const NotFound = awsErrorClass('NotFound', { status: 404 });
export const ResourceNotFound = awsErrorClass('ResourceNotFound', { status: 404 });
export const AuthorizationError = awsErrorClass('AuthorizationError', { status: 403 });
export const TagLimitExceeded = awsErrorClass('TagLimitExceeded');
export const TopicLimitExceeded = awsErrorClass('TopicLimitExceeded', { status: 403 });
export const EmptyBatchRequest = awsErrorClass('EmptyBatchRequest');
export const TooManyEntriesInBatchRequest = awsErrorClass('TooManyEntriesInBatchRequest');
export const BatchEntryIdsNotDistinct = awsErrorClass('BatchEntryIdsNotDistinct');
export const InvalidBatchEntryId = awsErrorClass('InvalidBatchEntryId');
export const BatchRequestTooLong = awsErrorClass('BatchRequestTooLong');
export const ValidationError = awsErrorClass('ValidationError');

/** `Invalid parameter: <what>`, SNS's wording for almost every bad input. */
export const invalidParameter = (what: string) => new InvalidParameter(`Invalid parameter: ${what}`);
