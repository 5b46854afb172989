/**
 * CloudWatch Logs' errors, named as AWS names them (the JSON `__type` is
 * `com.amazonaws.cloudwatchlogs#<code>`), with AWS's wording for the common ones.
 */
import { awsErrorClass } from '../../protocols/errors.js';

export const InvalidParameterException = awsErrorClass('InvalidParameterException');
export const ResourceNotFoundException = awsErrorClass('ResourceNotFoundException');
export const ResourceAlreadyExistsException = awsErrorClass('ResourceAlreadyExistsException');
export const InvalidOperationException = awsErrorClass('InvalidOperationException');
export const LimitExceededException = awsErrorClass('LimitExceededException');
export const TooManyTagsException = awsErrorClass('TooManyTagsException');

export const groupNotFound = () => new ResourceNotFoundException('The specified log group does not exist.');
export const streamNotFound = () => new ResourceNotFoundException('The specified log stream does not exist.');
export const groupExists = () => new ResourceAlreadyExistsException('The specified log group already exists');
export const streamExists = () => new ResourceAlreadyExistsException('The specified log stream already exists');
export const badToken = () => new InvalidParameterException('The specified nextToken is invalid.');
