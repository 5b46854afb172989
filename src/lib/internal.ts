/**
 * In-process calls between services: a service registers the few functions other services
 * may call (SQS: send a message to a queue by ARN), and callers look them up by name. This
 * keeps services apart (nobody reads another service's tables or imports its engine) while
 * avoiding HTTP and signatures inside one process.
 */

import type { Tx } from '../store/store.js';

/** A message as an in-process consumer (an event source mapping) receives it. */
export interface ReceivedSqsMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  /** Every system attribute the message has (ApproximateReceiveCount, SentTimestamp, SenderId, MessageGroupId, ...). */
  attributes: Record<string, string>;
  messageAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: Buffer }>;
  md5OfMessageAttributes?: string;
}

/** What a call answers, directly or (read from the store) as a promise: callers await it. */
type MaybePromise<T> = T | Promise<T>;

/** One record of a DynamoDB stream, as the Streams API's GetRecords gives it, with its position. */
export interface StreamLogRecord {
  sequence: number;
  /** Epoch ms the change committed. */
  createdAt: number;
  record: Record<string, unknown>;
}

/** Messages a service (SNS) sends to one queue for a resource of its own (a topic). */
export interface ServiceSend {
  queueArn: string;
  /** The service principal, e.g. sns.amazonaws.com. */
  from: string;
  /** aws:SourceArn and aws:SourceAccount for the queue's policy. */
  sourceArn: string;
  sourceAccount: string;
  messages: Array<{
    body: string;
    messageAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: Buffer }>;
    groupId?: string;
    dedupId?: string;
  }>;
}

/** Each message's id, or why SQS refused it. */
export type ServiceSendResult = { messageId: string } | { error: Error };

/** What a synchronous invocation by another service gave: the function's answer, or why it did not run. */
export type LambdaInvokeResult =
  | { kind: 'ok'; payload: Buffer; functionError?: 'Unhandled' | 'Handled'; errorType?: string }
  | { kind: 'missing' | 'denied' | 'throttled' | 'failed'; message: string };

export interface InternalCalls {
  /**
   * Enqueues a message as the service principal of `from` (e.g. s3.amazonaws.com), with SQS's
   * checks; optionally with message attributes, and the group and deduplication ids a FIFO
   * queue needs (SNS FIFO topics pass them through).
   */
  'sqs.sendMessage': (args: {
    queueArn: string;
    body: string;
    from: string;
    messageAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: Buffer }>;
    groupId?: string;
    dedupId?: string;
  }) => Promise<{ messageId: string }>;
  /**
   * Enqueues messages to one queue in one commit as a service (`from`, e.g. sns.amazonaws.com)
   * acting for `sourceArn` (the topic) of `sourceAccount`. The queue's policy must allow
   * sqs:SendMessage to that service when the queue has one, and the queue must be
   * `sourceAccount`'s own when it has none (AccessDenied otherwise). A message SQS refuses
   * (too large, invalid characters) gets its error in its result slot and the others go on.
   */
  'sqs.sendMessages': (args: ServiceSend) => Promise<ServiceSendResult[]>;
  /**
   * Publishes a message to a standard topic as a service (`from`, e.g. s3.amazonaws.com)
   * acting for `sourceArn` (a bucket) of `sourceAccount`: the topic's policy must allow
   * SNS:Publish to it, or, without a policy, the topic must be `sourceAccount`'s own.
   * Resolves once the message and its deliveries are committed.
   */
  'sns.publish': (args: { topicArn: string; message: string; subject?: string; from: string; sourceArn: string; sourceAccount: string }) => Promise<{ messageId: string }>;
  /** Whether sns.publish with these arguments would be taken, for destination checks: the topic may be missing, or refuse the service. */
  'sns.checkPublisher': (args: { topicArn: string; from: string; sourceArn: string; sourceAccount: string }) => 'ok' | 'missing' | 'denied';
  /**
   * sqs.sendMessages for a caller already inside a store write, given that write's transaction:
   * the messages commit (or roll back) with the caller's own changes. Rejects with
   * QueueDoesNotExist or AccessDenied for the whole call; per-message refusals come back in
   * their slots.
   */
  'sqs.enqueueInWrite': (tx: Tx, args: ServiceSend) => Promise<ServiceSendResult[]>;
  /** Whether sqs.sendMessages from this service for this source would be taken, for destination checks. */
  'sqs.checkSender': (args: { queueArn: string; from: string; sourceArn: string; sourceAccount: string }) => 'ok' | 'missing' | 'denied';
  /** Whether a queue exists, for destination checks. */
  'sqs.queueExists': (args: { queueArn: string }) => boolean;
  /**
   * Receives up to `max` messages with the queue's visibility timeout, waiting up to `waitMs`
   * (on the clock) for the first; a send wakes the wait. An aborted signal ends the wait empty.
   * Throws QueueDoesNotExist for a queue that is gone.
   */
  'sqs.receiveMessages': (args: { queueArn: string; max: number; waitMs: number; signal?: AbortSignal }) => Promise<ReceivedSqsMessage[]>;
  /** Deletes received messages by receipt handle, in one commit; stale handles are ignored. */
  'sqs.deleteMessages': (args: { queueArn: string; receiptHandles: string[] }) => Promise<void>;
  /** Purges a queue as PurgeQueue does (one purge per queue per 60 s, else PurgeQueueInProgress). */
  'sqs.purgeQueue': (args: { queueArn: string }) => Promise<void>;
  /**
   * A DynamoDB stream's one shard and its positions (sequence numbers to read after): the
   * oldest record it still holds less one (TRIM_HORIZON) and its newest (LATEST); undefined
   * when there is no such stream.
   */
  /**
   * One DynamoDB operation (`PutItem`, `Query`, ...) for `accountId`, its input the JSON body the
   * wire would carry, decoded and validated as the wire's would be: the JSON answer, or the
   * error AWS would send (API Gateway's AWS integrations to DynamoDB).
   */
  'dynamodb.call': (args: { operation: string; body: Buffer; accountId: string; region: string; requestId: string }) => Promise<{ ok: string } | { error: { code: string; message: string; status: number } }>;
  'dynamodb.streamInfo': (args: { streamArn: string }) => MaybePromise<{ shardId: string; trimHorizon: number; latest: number; enabled: boolean } | undefined>;
  /**
   * Up to `limit` records of a stream after sequence number `after`, in order. `trimmed` says
   * records after `after` had already expired: reading resumed at the oldest one kept.
   */
  'dynamodb.readStream': (args: { streamArn: string; after: number; limit: number }) => MaybePromise<{ records: StreamLogRecord[]; trimmed: boolean } | undefined>;
  /**
   * An object's bytes, read as the given account would read them (its own bucket, or one whose
   * policy lets it); undefined when there is no such object. For modest sizes (function code).
   */
  's3.readObject': (args: { accountId: string; bucket: string; key: string; versionId?: string }) => Promise<Buffer | undefined>;
  /**
   * Writes an object as the account (DynamoDB's table exports), with S3's own checks (the
   * bucket must exist and let the account write): S3's AwsError otherwise. Answers its ETag.
   */
  's3.writeObject': (args: { accountId: string; bucket: string; key: string; body: Buffer; contentType?: string }) => Promise<{ etag: string }>;
  /** The keys under a prefix (at most `max`), as the account lists them, with S3's checks. */
  's3.listKeys': (args: { accountId: string; bucket: string; prefix: string; max: number }) => Promise<string[]>;
  /**
   * Appends events to a log stream, creating its group and stream when missing (as Lambda's
   * log agent does). Events of one stream keep the order of the calls.
   */
  'logs.append': (args: { accountId: string; region: string; group: string; stream: string; events: Array<{ timestamp: number; message: string }> }) => Promise<void>;
  /**
   * Invokes a function asynchronously (as S3 and SNS do): the event is stored durably before
   * this resolves. Throws when there is no such function.
   */
  'lambda.invokeAsync': (args: { functionArn: string; payload: string; from: string }) => Promise<void>;
  /**
   * Runs a function synchronously for a service (`from`, e.g. apigateway.amazonaws.com) acting
   * for `sourceArn` (an API's execute-api ARN) of `sourceAccount`. The function's resource policy
   * must allow lambda:InvokeFunction to that service for that source, as on AWS, unless
   * `viaRole` (the integration names a role to call with: Nimbus has no IAM roles to check, so
   * the function's own account is enough). Refusals come back as results, not throws, so the
   * caller can answer in its own terms (API Gateway's 500 for a missing permission).
   */
  'lambda.invoke': (args: {
    functionArn: string;
    payload: Buffer;
    from: string;
    sourceArn: string;
    sourceAccount: string;
    viaRole?: boolean;
    requestId: string;
    /** X-Ray trace header, which the function sees as _X_AMZN_TRACE_ID. */
    traceId?: string;
  }) => Promise<LambdaInvokeResult>;
  /**
   * Whether a function (and the version or alias its ARN names) exists in `accountId`, for
   * destination checks: a bucket may notify only its owner's functions.
   */
  'lambda.functionExists': (args: { functionArn: string; accountId: string }) => boolean;
}

export class InternalApi {
  private readonly fns = new Map<string, unknown>();

  register<K extends keyof InternalCalls>(name: K, fn: InternalCalls[K]): void {
    this.fns.set(name, fn);
  }

  /** The function, or undefined when the service that provides it is not running. */
  get<K extends keyof InternalCalls>(name: K): InternalCalls[K] | undefined {
    return this.fns.get(name) as InternalCalls[K] | undefined;
  }
}
