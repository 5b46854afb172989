/**
 * Checking a message before it is sent: body, attributes, size, delay and the FIFO
 * parameters, with SQS's errors; and pricing it (its MD5 digests, its deduplication id).
 */
import { createHash } from 'node:crypto';
import { InvalidMessageContents, InvalidParameterValue, MissingParameter } from '../errors.js';
import {
  attributesSize,
  md5Hex,
  md5OfAttributes,
  validateMessageAttributes,
  validChars,
  type MessageAttributeMap,
} from './message-attributes.js';
import type { Queue } from './queues.js';

/** MessageGroupId, MessageDeduplicationId and ReceiveRequestAttemptId: alphanumerics and punctuation, 1 to 128. */
export const FIFO_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;

export interface SendInput {
  MessageBody?: string;
  DelaySeconds?: number;
  MessageAttributes?: MessageAttributeMap;
  MessageSystemAttributes?: MessageAttributeMap;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}

/** A send checked and priced before it reaches the store. */
export interface PreparedSend {
  body: string;
  md5Body: string;
  attributes: MessageAttributeMap | null;
  md5Attributes: string | null;
  systemAttributes: Record<string, string> | null;
  md5System: string | null;
  delaySeconds: number;
  groupId: string | null;
  dedupId: string | null;
}

/**
 * Validates one message for a queue; throws SQS's error for the first problem. An entry of
 * SendMessageBatch (inBatch) reports an oversized message in AWS's batch wording.
 */
export function prepareSend(q: Queue, input: SendInput, opts: { inBatch?: boolean; traceHeader?: string } = {}): PreparedSend {
  const inBatch = opts.inBatch ?? false;
  const body = input.MessageBody;
  if (body === undefined || body === '') throw new MissingParameter('The request must contain the parameter MessageBody.');
  if (!validChars(body)) {
    throw new InvalidMessageContents(
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  }
  const attributes = validateMessageAttributes(input.MessageAttributes);
  const system = validateMessageAttributes(input.MessageSystemAttributes, true);
  const size = Buffer.byteLength(body) + attributesSize(attributes);
  if (size > q.maxMessageSize) {
    const verdict = inBatch ? 'cannot be validated' : 'are invalid';
    throw new InvalidParameterValue(`One or more parameters ${verdict}. Reason: Message must be shorter than ${q.maxMessageSize} bytes.`);
  }
  let delaySeconds = q.delaySeconds;
  if (input.DelaySeconds !== undefined) {
    if (q.fifo) {
      throw new InvalidParameterValue(
        `Value ${input.DelaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
      );
    }
    if (input.DelaySeconds < 0 || input.DelaySeconds > 900) {
      throw new InvalidParameterValue(`Value ${input.DelaySeconds} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.`);
    }
    delaySeconds = input.DelaySeconds;
  }
  let groupId: string | null = null;
  let dedupId: string | null = null;
  if (input.MessageGroupId !== undefined) {
    if (!FIFO_ID.test(input.MessageGroupId)) {
      throw new InvalidParameterValue(
        `Value ${input.MessageGroupId} for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
      );
    }
    groupId = input.MessageGroupId;
  }
  if (q.fifo) {
    if (groupId === null) throw new MissingParameter('The request must contain the parameter MessageGroupId.');
    if (input.MessageDeduplicationId !== undefined) {
      if (!FIFO_ID.test(input.MessageDeduplicationId)) {
        throw new InvalidParameterValue(
          `Value ${input.MessageDeduplicationId} for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
        );
      }
      dedupId = input.MessageDeduplicationId;
    } else if (q.contentBasedDedup) {
      dedupId = createHash('sha256').update(body, 'utf8').digest('hex');
    } else {
      throw new InvalidParameterValue('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    }
  } else if (input.MessageDeduplicationId !== undefined) {
    throw new InvalidParameterValue(
      `Value ${input.MessageDeduplicationId} for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.`,
    );
  }
  // The AWSTraceHeader system attribute wins over the request's X-Amzn-Trace-Id header.
  const trace = system ? (system.AWSTraceHeader!.StringValue ?? '') : opts.traceHeader;
  const systemAttributes = trace !== undefined ? { AWSTraceHeader: trace } : null;
  return {
    body,
    md5Body: md5Hex(body),
    attributes,
    md5Attributes: md5OfAttributes(attributes),
    systemAttributes,
    md5System: md5OfAttributes(system),
    delaySeconds,
    groupId,
    dedupId,
  };
}
