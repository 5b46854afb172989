/**
 * SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibilityBatch: up to ten entries with
 * distinct ids; each entry succeeds or fails on its own, the whole batch in one commit.
 */
import { AwsError } from '../../../protocols/errors.js';
import type { Operation, RequestContext } from '../../service.js';
import { BatchEntryIdsNotDistinct, BatchRequestTooLong, EmptyBatchRequest, InvalidBatchEntryId, TooManyEntriesInBatchRequest } from '../errors.js';
import type { SqsEngine } from '../engine/index.js';
import type { SendInput } from '../engine/messages.js';
import { failedList, integer, list, named, queueUrl, required, sendFields, sendResultFields, string, structure } from './shapes.js';

const MAX_ENTRIES = 10;
const MAX_BATCH_BYTES = 262144;
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

const idEntry = (fields: Parameters<typeof structure>[0]) => structure({ Id: required(string()), ...fields });
const resultList = (memberName: string, fields: Parameters<typeof structure>[0] = {}) =>
  list(structure({ Id: string(), ...fields }), { memberName, flattened: true });

export function batchOperations(sqs: SqsEngine): Record<string, Operation> {
  const { queues, messages } = sqs;
  return {
    SendMessageBatch: {
      input: structure({
        QueueUrl: queueUrl,
        Entries: required(list(idEntry(sendFields), { memberName: 'SendMessageBatchRequestEntry', flattened: true })),
      }),
      output: structure({
        Successful: named(resultList('SendMessageBatchResultEntry', sendResultFields), 'SendMessageBatchResultEntry'),
        Failed: named(failedList, 'BatchResultErrorEntry'),
      }),
      async handler(input: { QueueUrl: string; Entries: (SendInput & { Id: string })[] }, ctx: RequestContext) {
        const q = queues.resolve(input.QueueUrl, ctx, 'SendMessage');
        checkEntries(input.Entries, 'SendMessageBatchRequestEntry');
        let total = 0;
        for (const e of input.Entries) total += Buffer.byteLength(e.MessageBody ?? '');
        if (total > MAX_BATCH_BYTES) {
          throw new BatchRequestTooLong(`Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`);
        }
        const Failed: Failed[] = [];
        const ok: { id: string; prepared: ReturnType<typeof messages.prepare> }[] = [];
        for (const e of input.Entries) {
          try {
            ok.push({ id: e.Id, prepared: messages.prepare(q, e) });
          } catch (err) {
            Failed.push(failure(e.Id, err));
          }
        }
        const results = ok.length ? await messages.send(q, ok.map((o) => o.prepared), ctx.accountId) : [];
        return { Successful: results.map((r, i) => ({ Id: ok[i]!.id, ...r })), Failed };
      },
    },

    DeleteMessageBatch: {
      input: structure({
        QueueUrl: queueUrl,
        Entries: required(
          list(idEntry({ ReceiptHandle: required(string()) }), { memberName: 'DeleteMessageBatchRequestEntry', flattened: true }),
        ),
      }),
      output: structure({
        Successful: named(resultList('DeleteMessageBatchResultEntry'), 'DeleteMessageBatchResultEntry'),
        Failed: named(failedList, 'BatchResultErrorEntry'),
      }),
      async handler(input: { QueueUrl: string; Entries: { Id: string; ReceiptHandle: string }[] }, ctx: RequestContext) {
        const q = queues.resolve(input.QueueUrl, ctx, 'DeleteMessage');
        checkEntries(input.Entries, 'DeleteMessageBatchRequestEntry');
        const Failed: Failed[] = [];
        const ok: { id: string; handle: { seq: number; nonce: string } }[] = [];
        for (const e of input.Entries) {
          try {
            ok.push({ id: e.Id, handle: messages.receipt(q, e.ReceiptHandle) });
          } catch (err) {
            Failed.push(failure(e.Id, err));
          }
        }
        if (ok.length) await messages.delete(q, ok.map((o) => o.handle));
        return { Successful: ok.map((o) => ({ Id: o.id })), Failed };
      },
    },

    ChangeMessageVisibilityBatch: {
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
        Successful: named(resultList('ChangeMessageVisibilityBatchResultEntry'), 'ChangeMessageVisibilityBatchResultEntry'),
        Failed: named(failedList, 'BatchResultErrorEntry'),
      }),
      async handler(input: { QueueUrl: string; Entries: { Id: string; ReceiptHandle: string; VisibilityTimeout?: number }[] }, ctx: RequestContext) {
        const q = queues.resolve(input.QueueUrl, ctx, 'ChangeMessageVisibility');
        checkEntries(input.Entries, 'ChangeMessageVisibilityBatchRequestEntry');
        const Failed: Failed[] = [];
        const ok: { id: string; handle: { seq: number; nonce: string }; raw: string; timeout: number }[] = [];
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
        const Successful: { Id: string }[] = [];
        errors.forEach((err, i) => {
          if (err) Failed.push(failure(ok[i]!.id, err));
          else Successful.push({ Id: ok[i]!.id });
        });
        return { Successful, Failed };
      },
    },
  };
}
