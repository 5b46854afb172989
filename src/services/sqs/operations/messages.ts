/** SendMessage, ReceiveMessage, DeleteMessage, ChangeMessageVisibility. */
import { defineOperation } from '../../../protocols/define-operation.js';
import type { Operation } from '../../service.js';
import { InvalidParameterValue } from '../errors.js';
import type { SqsEngine } from '../engine/index.js';
import { FIFO_ID, prepareSend, type SendInput } from '../engine/prepare-send.js';
import { integer, list, message, named, queueUrl, required, sendFields, sendResultFields, string, structure } from './shapes.js';

interface ReceiveInput {
  QueueUrl: string;
  AttributeNames?: string[];
  MessageSystemAttributeNames?: string[];
  MessageAttributeNames?: string[];
  MaxNumberOfMessages?: number;
  VisibilityTimeout?: number;
  WaitTimeSeconds?: number;
  ReceiveRequestAttemptId?: string;
}

export function messageOperations(sqs: SqsEngine): Record<string, Operation> {
  const { queues, messages } = sqs;
  return {
    SendMessage: defineOperation({
      input: structure({ QueueUrl: queueUrl, ...sendFields }),
      output: structure(sendResultFields),
      async handler(input, ctx) {
        const q = queues.resolve(input.QueueUrl, ctx, 'SendMessage');
        const prepared = prepareSend(q, input, { traceHeader: ctx.traceHeader });
        const [result] = await messages.send(q, [prepared], ctx.accountId);
        return result;
      },
    }),

    ReceiveMessage: defineOperation({
      input: structure({
        QueueUrl: queueUrl,
        AttributeNames: list(string(), { memberName: 'AttributeName', flattened: true }),
        MessageSystemAttributeNames: list(string(), { memberName: 'MessageSystemAttributeName', flattened: true }),
        MessageAttributeNames: list(string(), { memberName: 'MessageAttributeName', flattened: true }),
        MaxNumberOfMessages: integer(),
        VisibilityTimeout: integer(),
        WaitTimeSeconds: integer(),
        ReceiveRequestAttemptId: string(),
      }),
      output: structure({ Messages: named(list(message, { memberName: 'Message', flattened: true }), 'Message') }),
      async handler(input, ctx) {
        const q = queues.resolve(input.QueueUrl, ctx, 'ReceiveMessage');
        const max = input.MaxNumberOfMessages ?? 1;
        if (max < 1 || max > 10) {
          throw new InvalidParameterValue(`Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`);
        }
        const wait = input.WaitTimeSeconds ?? q.waitSeconds;
        if (wait < 0 || wait > 20) {
          throw new InvalidParameterValue(`Value ${wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`);
        }
        const visibilityTimeout = input.VisibilityTimeout ?? q.visibilityTimeout;
        messages.checkVisibility(visibilityTimeout);
        const attemptId = input.ReceiveRequestAttemptId;
        if (attemptId !== undefined && !FIFO_ID.test(attemptId)) {
          throw new InvalidParameterValue(
            `Value ${attemptId} for parameter ReceiveRequestAttemptId is invalid. Reason: ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
          );
        }
        const received = await messages.receive(q, { max, visibilityTimeout, waitSeconds: wait, attemptId });
        if (received.length === 0) return {};
        const systemNames = [...(input.AttributeNames ?? []), ...(input.MessageSystemAttributeNames ?? [])];
        return { Messages: received.map((r) => sqs.present(q, r, systemNames, input.MessageAttributeNames ?? [])) };
      },
    }),

    DeleteMessage: defineOperation({
      input: structure({ QueueUrl: queueUrl, ReceiptHandle: required(string()) }),
      async handler(input, ctx) {
        const q = queues.resolve(input.QueueUrl, ctx, 'DeleteMessage');
        const [err] = await messages.delete(q, [{ handle: messages.receipt(q, input.ReceiptHandle), raw: input.ReceiptHandle }]);
        if (err) throw err;
      },
    }),

    ChangeMessageVisibility: defineOperation({
      input: structure({ QueueUrl: queueUrl, ReceiptHandle: required(string()), VisibilityTimeout: required(integer()) }),
      async handler(input, ctx) {
        const q = queues.resolve(input.QueueUrl, ctx, 'ChangeMessageVisibility');
        const handle = messages.receipt(q, input.ReceiptHandle);
        messages.checkVisibility(input.VisibilityTimeout);
        const [err] = await messages.changeVisibility(q, [{ handle, raw: input.ReceiptHandle, timeout: input.VisibilityTimeout }]);
        if (err) throw err;
      },
    }),
  };
}
