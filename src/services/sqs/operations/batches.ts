/**
 * SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibilityBatch: up to ten entries with
 * distinct ids; each entry succeeds or fails on its own, the whole batch in one commit.
 */
import { AwsError } from '../../../protocols/errors.js';
import { defineOperation } from '../../../protocols/define-operation.js';
import type { Operation } from '../../service.js';
import {
  BatchEntryIdsNotDistinct,
  BatchRequestTooLong,
  EmptyBatchRequest,
  InvalidBatchEntryId,
  InvalidParameterValue,
  TooManyEntriesInBatchRequest,
} from '../errors.js';
import type { SqsEngine } from '../engine/index.js';
import type { ReceiptRef } from '../engine/receipts.js';
import { attributesSize } from '../engine/message-attributes.js';
import { prepareSend, type PreparedSend, type SendInput } from '../engine/prepare-send.js';
import { failedList, integer, list, named, queueUrl, required, sendFields, sendResultFields, string, structure } from './shapes.js';

const MAX_ENTRIES = 10;
/** AWS's limit on the bodies and attributes of one batch (1 MiB since 2025, as MaximumMessageSize). */
const MAX_BATCH_BYTES = 1048576;
const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

interface Failed {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

function checkEntries(entries: { Id: string }[], entryName: string): void {
  if (entries.length === 0) throw new EmptyBatchRequest(`There should be at least one ${entryName} in the request.`);
  if (entries.length > MAX_ENTRIES) {
    throw new TooManyEntriesInBatchRequest(`Maximum number of entries per request are ${MAX_ENTRIES}. You have sent ${entries.length}.`);
  }
  const seen = new Set<string>();
  for (const e of entries) {
    if (!ENTRY_ID.test(e.Id)) {
      throw new InvalidBatchEntryId('A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
    }
    if (seen.has(e.Id)) throw new BatchEntryIdsNotDistinct(`Id ${e.Id} repeated.`);
    seen.add(e.Id);
  }
}

function failure(id: string, e: unknown): Failed {
  if (!(e instanceof AwsError)) throw e;
  return { Id: id, SenderFault: e.fault === 'Sender', Code: e.queryCode, Message: e.message };
}

/** Splits entries by their outcome: failures go to Failed, the rest are returned as Successful. */
function settle(entries: { id: string }[], errors: (Error | undefined)[], Failed: Failed[]): { Id: string }[] {
  const Successful: { Id: string }[] = [];
  errors.forEach((err, i) => {
    if (err) Failed.push(failure(entries[i]!.id, err));
    else Successful.push({ Id: entries[i]!.id });
  });
  return Successful;
}

type Fields = Parameters<typeof structure>[0];
const idEntry = <F extends Fields>(fields: F) => structure({ Id: required(string()), ...fields });
const resultList = <F extends Fields>(memberName: string, fields: F) => list(structure({ Id: string(), ...fields }), { memberName, flattened: true });

export function batchOperations(sqs: SqsEngine): Record<string, Operation> {
  const { queues, messages } = sqs;
  return {
    SendMessageBatch: defineOperation({
      input: structure({
        QueueUrl: queueUrl,
        Entries: required(list(idEntry(sendFields), { memberName: 'SendMessageBatchRequestEntry', flattened: true })),
      }),
      output: structure({
        Successful: named(resultList('SendMessageBatchResultEntry', sendResultFields), 'SendMessageBatchResultEntry'),
        Failed: named(failedList, 'BatchResultErrorEntry'),
      }),
      async handler(input, ctx) {
        const q = queues.resolve(input.QueueUrl, ctx, 'SendMessage');
        checkEntries(input.Entries, 'SendMessageBatchRequestEntry');
        let total = 0;
        for (const e of input.Entries) total += Buffer.byteLength(e.MessageBody ?? '') + attributesSize(e.MessageAttributes ?? null);
        if (total > MAX_BATCH_BYTES) {
          throw new BatchRequestTooLong(`Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`);
        }
        // On a FIFO queue an entry without a group, or without a deduplication id where content
        // does not stand for one, fails the whole request (as AWS answers), not just the entry.
        if (q.fifo) {
          for (const e of input.Entries) {
            if (e.MessageGroupId === undefined) throw new InvalidParameterValue('The request must contain the parameter MessageGroupId.');
            if (e.MessageDeduplicationId === undefined && !q.contentBasedDedup) {
              throw new InvalidParameterValue('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
            }
          }
        }
        const Failed: Failed[] = [];
        const ok: { id: string; prepared: PreparedSend }[] = [];
        for (const e of input.Entries) {
          try {
            ok.push({ id: e.Id, prepared: prepareSend(q, e, { inBatch: true, traceHeader: ctx.traceHeader }) });
          } catch (err) {
            Failed.push(failure(e.Id, err));
          }
        }
        const results = ok.length ? await messages.send(q, ok.map((o) => o.prepared), ctx.accountId) : [];
        return { Successful: results.map((r, i) => ({ Id: ok[i]!.id, ...r })), Failed };
      },
    }),

    DeleteMessageBatch: defineOperation({
      input: structure({
        QueueUrl: queueUrl,
        Entries: required(
          list(idEntry({ ReceiptHandle: required(string()) }), { memberName: 'DeleteMessageBatchRequestEntry', flattened: true }),
        ),
      }),
      output: structure({
        Successful: named(resultList('DeleteMessageBatchResultEntry', {}), 'DeleteMessageBatchResultEntry'),
        Failed: named(failedList, 'BatchResultErrorEntry'),
      }),
      async handler(input, ctx) {
        const q = queues.resolve(input.QueueUrl, ctx, 'DeleteMessage');
        checkEntries(input.Entries, 'DeleteMessageBatchRequestEntry');
        const Failed: Failed[] = [];
        const ok: { id: string; handle: ReceiptRef; raw: string }[] = [];
        for (const e of input.Entries) {
          try {
            ok.push({ id: e.Id, handle: messages.receipt(q, e.ReceiptHandle), raw: e.ReceiptHandle });
          } catch (err) {
            Failed.push(failure(e.Id, err));
          }
        }
        const errors = ok.length ? await messages.delete(q, ok) : [];
        return { Successful: settle(ok, errors, Failed), Failed };
      },
    }),

    ChangeMessageVisibilityBatch: defineOperation({
      input: structure({
        QueueUrl: queueUrl,
        Entries: required(
          list(idEntry({ ReceiptHandle: required(string()), VisibilityTimeout: integer() }), {
            memberName: 'ChangeMessageVisibilityBatchRequestEntry',
            flattened: true,
          }),
        ),
      }),
      output: structure({
        Successful: named(resultList('ChangeMessageVisibilityBatchResultEntry', {}), 'ChangeMessageVisibilityBatchResultEntry'),
        Failed: named(failedList, 'BatchResultErrorEntry'),
      }),
      async handler(input, ctx) {
        const q = queues.resolve(input.QueueUrl, ctx, 'ChangeMessageVisibility');
        checkEntries(input.Entries, 'ChangeMessageVisibilityBatchRequestEntry');
        const Failed: Failed[] = [];
        const ok: { id: string; handle: ReceiptRef; raw: string; timeout: number }[] = [];
        for (const e of input.Entries) {
          try {
            const timeout = e.VisibilityTimeout ?? 0;
            messages.checkVisibility(timeout);
            ok.push({ id: e.Id, handle: messages.receipt(q, e.ReceiptHandle), raw: e.ReceiptHandle, timeout });
          } catch (err) {
            Failed.push(failure(e.Id, err));
          }
        }
        const errors = ok.length ? await messages.changeVisibility(q, ok) : [];
        return { Successful: settle(ok, errors, Failed), Failed };
      },
    }),
  };
}
