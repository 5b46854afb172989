/**
 * DynamoDB's errors, named as AWS names them (the JSON `__type` is
 * `com.amazonaws.dynamodb.v20120810#<code>`).
 */
import { AwsError, awsErrorClass } from '../../protocols/errors.js';

export const ValidationException = awsErrorClass('ValidationException');
export const AccessDeniedException = awsErrorClass('AccessDeniedException');
export const ResourceNotFoundException = awsErrorClass('ResourceNotFoundException');
export const ResourceInUseException = awsErrorClass('ResourceInUseException');
export const LimitExceededException = awsErrorClass('LimitExceededException');
export const TransactionConflictException = awsErrorClass('TransactionConflictException');
export const IdempotentParameterMismatchException = awsErrorClass('IdempotentParameterMismatchException');
export const ItemCollectionSizeLimitExceededException = awsErrorClass('ItemCollectionSizeLimitExceededException');
export const InternalServerError = awsErrorClass('InternalServerError', { status: 500 });
// Backups and point-in-time recovery
export const BackupNotFoundException = awsErrorClass('BackupNotFoundException');
export const BackupInUseException = awsErrorClass('BackupInUseException');
export const TableAlreadyExistsException = awsErrorClass('TableAlreadyExistsException');
export const TableNotFoundException = awsErrorClass('TableNotFoundException');
export const TableInUseException = awsErrorClass('TableInUseException');
export const PointInTimeRecoveryUnavailableException = awsErrorClass('PointInTimeRecoveryUnavailableException');
export const InvalidRestoreTimeException = awsErrorClass('InvalidRestoreTimeException');
export const ImportNotFoundException = awsErrorClass('ImportNotFoundException');
export const ExportNotFoundException = awsErrorClass('ExportNotFoundException');
export const InvalidExportTimeException = awsErrorClass('InvalidExportTimeException');
// Streams
export const ExpiredIteratorException = awsErrorClass('ExpiredIteratorException');
export const TrimmedDataAccessException = awsErrorClass('TrimmedDataAccessException');

/** A failed ConditionExpression; carries the item when ReturnValuesOnConditionCheckFailure asks for it. */
export class ConditionalCheckFailedException extends AwsError {
  constructor(
    message = 'The conditional request failed',
    readonly item?: Record<string, unknown>,
  ) {
    super('ConditionalCheckFailedException', message);
  }

  override jsonDetails() {
    return this.item ? { Item: this.item } : undefined;
  }
}

export interface CancellationReason {
  Code: string;
  Message?: string;
  Item?: Record<string, unknown>;
}

/** A TransactWriteItems/TransactGetItems that changed nothing; one reason per action. */
export class TransactionCanceledException extends AwsError {
  constructor(readonly reasons: CancellationReason[]) {
    super(
      'TransactionCanceledException',
      `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
    );
  }

  override jsonDetails() {
    return { CancellationReasons: this.reasons };
  }
}
