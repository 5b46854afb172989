/**
 * Sending a record to an SQS queue as Lambda does: the on-success and on-failure destinations
 * and the dead-letter queue of asynchronous invokes, and the on-failure destination of stream
 * event source mappings, as the Lambda service principal (the message's SenderId).
 */
import type { InternalApi } from '../../../lib/internal.js';

/** Whether a destination names an SQS queue (else it names a function, or something Nimbus cannot send to). */
export const isQueueArn = (arn: string): boolean => arn.startsWith('arn:aws:sqs:');

/**
 * The way to send a record's body to a queue, or undefined when this Nimbus runs no SQS (each
 * caller decides whether that is worth a warning). A refused send rejects, for the caller to
 * log in its own terms.
 */
export function queueSender(internal: InternalApi): ((queueArn: string, body: string) => Promise<void>) | undefined {
  const send = internal.get('sqs.sendMessage');
  if (!send) return undefined;
  return async (queueArn, body) => {
    await send({ queueArn, body, from: 'lambda.amazonaws.com' });
  };
}
