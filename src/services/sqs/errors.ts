/**
 * SQS's errors, named as AWS names them. `code` is the JSON protocol's error name; the
 * query code (also sent in x-amzn-query-error) and HTTP status are AWS's.
 */
import { awsErrorClass } from '../../protocols/errors.js';

// SQS's JSON protocol names these three differently from its query protocol (AWS sends
// `__type: InvalidParameterValueException` with `x-amzn-query-error: InvalidParameterValue;Sender`);
// SDKs, batch result entries and query clients see the query code.
export const InvalidParameterValue = awsErrorClass('InvalidParameterValueException', { queryCode: 'InvalidParameterValue' });
export const MissingParameter = awsErrorClass('MissingRequiredParameterException', { queryCode: 'MissingParameter' });
export const AccessDenied = awsErrorClass('AccessDeniedException', { status: 403, queryCode: 'AccessDenied' });

export const QueueDoesNotExist = awsErrorClass('QueueDoesNotExist', {
  queryCode: 'AWS.SimpleQueueService.NonExistentQueue',
  queryMessage: 'The specified queue does not exist for this wsdl version.',
});
export const QueueNameExists = awsErrorClass('QueueNameExists', { queryCode: 'QueueAlreadyExists' });
export const QueueDeletedRecently = awsErrorClass('QueueDeletedRecently', { queryCode: 'AWS.SimpleQueueService.QueueDeletedRecently' });
export const InvalidAttributeName = awsErrorClass('InvalidAttributeName');
export const InvalidAttributeValue = awsErrorClass('InvalidAttributeValue');
export const InvalidMessageContents = awsErrorClass('InvalidMessageContents');
export const ReceiptHandleIsInvalid = awsErrorClass('ReceiptHandleIsInvalid', { status: 404 });
export const EmptyBatchRequest = awsErrorClass('EmptyBatchRequest', { queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest' });
export const TooManyEntriesInBatchRequest = awsErrorClass('TooManyEntriesInBatchRequest', {
  queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
});
export const BatchEntryIdsNotDistinct = awsErrorClass('BatchEntryIdsNotDistinct', { queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct' });
export const InvalidBatchEntryId = awsErrorClass('InvalidBatchEntryId', { queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId' });
export const BatchRequestTooLong = awsErrorClass('BatchRequestTooLong', { queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong' });
export const PurgeQueueInProgress = awsErrorClass('PurgeQueueInProgress', { status: 403, queryCode: 'AWS.SimpleQueueService.PurgeQueueInProgress' });
export const UnsupportedOperation = awsErrorClass('UnsupportedOperation', { queryCode: 'AWS.SimpleQueueService.UnsupportedOperation' });
export const ResourceNotFoundException = awsErrorClass('ResourceNotFoundException', { status: 404 });
