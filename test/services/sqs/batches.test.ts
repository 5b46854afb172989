/**
 * SendMessageBatch, DeleteMessageBatch and ChangeMessageVisibilityBatch through the real SDK:
 * per-entry results (Successful / Failed with Code, SenderFault, Message) and the errors that
 * fail a whole batch.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type DeleteMessageBatchRequestEntry,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import { counts, createQueue, md5, receiveUpTo10, rejectsWith, withNimbus } from '../../helpers/sqs.js';

// ---- helpers ---------------------------------------------------------------------------

const byId = <T extends { Id?: string }>(list: T[] | undefined) => Object.fromEntries((list ?? []).map((e) => [e.Id!, e]));
const BAD_ID = 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.';
const BATCH_LIMIT = 1048576;

// ---- tests -----------------------------------------------------------------------------

describe('SQS batches', () => {
  it('sends ten messages in one batch, each with its own digests', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'send-batch');
      const entries: SendMessageBatchRequestEntry[] = Array.from({ length: 10 }, (_, i) => ({
        Id: `entry-${i}`,
        MessageBody: `body ${i}`,
        ...(i % 2 ? { MessageAttributes: { n: { DataType: 'Number', StringValue: String(i) } } } : {}),
      }));
      const out = await t.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
      assert.deepEqual(out.Failed ?? [], []);
      assert.equal(out.Successful!.length, 10);
      const ok = byId(out.Successful);
      const ids = new Set<string>();
      for (let i = 0; i < 10; i++) {
        const r = ok[`entry-${i}`]!;
        assert.equal(r.MD5OfMessageBody, md5(`body ${i}`));
        assert.equal(r.MD5OfMessageAttributes === undefined, i % 2 === 0);
        assert.equal(r.SequenceNumber, undefined);
        ids.add(r.MessageId!);
      }
      assert.equal(ids.size, 10);

      const got = await receiveUpTo10(t, url, { MessageAttributeNames: ['All'] });
      assert.equal(got.length, 10);
      for (const m of got) {
        const i = Number(m.Body!.slice(5));
        assert.equal(m.MessageId, ok[`entry-${i}`]!.MessageId);
        assert.equal(m.MD5OfMessageAttributes, ok[`entry-${i}`]!.MD5OfMessageAttributes);
        if (i % 2) assert.equal(m.MessageAttributes!.n!.StringValue, String(i));
      }
    }));

  it('reports entries that fail in Failed and sends the others', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'partial', { MaximumMessageSize: '1024' });
      const out = await t.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: 'fits', MessageBody: 'a'.repeat(1024) },
            { Id: 'too-long', MessageBody: 'a'.repeat(1025) },
            { Id: 'bad-chars', MessageBody: 'nul\u0000' },
            { Id: 'bad-delay', MessageBody: 'x', DelaySeconds: 901 },
            { Id: 'bad-attr', MessageBody: 'x', MessageAttributes: { e: { DataType: 'String', StringValue: '' } } },
            { Id: 'delayed', MessageBody: 'later', DelaySeconds: 5 },
          ],
        }),
      );
      assert.deepEqual(out.Successful!.map((s) => s.Id).sort(), ['delayed', 'fits']);
      assert.deepEqual(byId(out.Failed), {
        'too-long': {
          Id: 'too-long',
          SenderFault: true,
          Code: 'InvalidParameterValue',
          Message: 'One or more parameters cannot be validated. Reason: Message must be shorter than 1024 bytes.',
        },
        'bad-chars': {
          Id: 'bad-chars',
          SenderFault: true,
          Code: 'InvalidMessageContents',
          Message:
            'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
        },
        'bad-delay': {
          Id: 'bad-delay',
          SenderFault: true,
          Code: 'InvalidParameterValue',
          Message: 'Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.',
        },
        'bad-attr': {
          Id: 'bad-attr',
          SenderFault: true,
          Code: 'InvalidParameterValue',
          Message: "Message (user) attribute 'e' must contain a non-empty value of type 'String'.",
        },
      });
      assert.deepEqual((await receiveUpTo10(t, url)).map((m) => m.Body), ['a'.repeat(1024)]);
      t.clock.advance(5_000);
      assert.deepEqual((await receiveUpTo10(t, url)).map((m) => m.Body), ['later']);
    }));

  it('refuses a whole batch that is empty, too big, or has bad or repeated ids', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'whole-batch');
      const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' }));
      await rejectsWith(
        t.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: eleven })),
        'TooManyEntriesInBatchRequest',
        'Maximum number of entries per request are 10. You have sent 11.',
      );
      await rejectsWith(
        t.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })),
        'EmptyBatchRequest',
        'There should be at least one SendMessageBatchRequestEntry in the request.',
      );
      await rejectsWith(
        t.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: [
              { Id: 'same', MessageBody: 'a' },
              { Id: 'other', MessageBody: 'b' },
              { Id: 'same', MessageBody: 'c' },
            ],
          }),
        ),
        'BatchEntryIdsNotDistinct',
        'Id same repeated.',
      );
      for (const id of ['', 'invalid:id', 'with space', 'x'.repeat(81)]) {
        await rejectsWith(
          t.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: id, MessageBody: 'x' }] })),
          'InvalidBatchEntryId',
          BAD_ID,
        );
      }
      // 80 characters of letters, digits, - and _ are fine.
      const longId = `${'aZ09-_'.repeat(13)}ab`;
      assert.equal(longId.length, 80);
      const ok = await t.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: longId, MessageBody: 'x' }] }));
      assert.equal(ok.Successful![0]!.Id, longId);
      // Nothing of the refused batches was sent.
      assert.deepEqual(await counts(t, url, ['visible', 'inFlight']), { visible: 1, inFlight: 0 });
    }));

  it('refuses a batch whose bodies and attributes exceed the batch limit', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'too-long');
      const attrs = { k: { DataType: 'String', StringValue: 'x' } }; // 8 bytes
      await rejectsWith(
        t.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: [
              { Id: '1', MessageBody: 'a'.repeat(BATCH_LIMIT - 8), MessageAttributes: attrs },
              { Id: '2', MessageBody: 'a' },
            ],
          }),
        ),
        'BatchRequestTooLong',
        `Batch requests cannot be longer than ${BATCH_LIMIT} bytes. You have sent ${BATCH_LIMIT + 1} bytes.`,
      );
      // Spread over entries, and exactly at the limit, is fine.
      const quarter = BATCH_LIMIT / 4;
      const out = await t.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: [0, 1, 2, 3].map((i) => ({ Id: `q${i}`, MessageBody: 'b'.repeat(quarter) })),
        }),
      );
      assert.equal(out.Successful!.length, 4);
      await rejectsWith(
        t.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            // Bytes, not characters: each body is `quarter` bytes of two-byte characters.
            Entries: [0, 1, 2, 3].map((i) => ({ Id: `q${i}`, MessageBody: 'é'.repeat(quarter / 2) })).concat([{ Id: 'extra', MessageBody: 'c' }]),
          }),
        ),
        'BatchRequestTooLong',
        `Batch requests cannot be longer than ${BATCH_LIMIT} bytes. You have sent ${BATCH_LIMIT + 1} bytes.`,
      );
      assert.deepEqual(await counts(t, url, ['visible', 'inFlight']), { visible: 4, inFlight: 0 });
    }));

  it('deletes a batch, reporting invalid receipt handles per entry', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'delete-batch', { VisibilityTimeout: '10' });
      for (let i = 0; i < 4; i++) await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }));
      const got = await receiveUpTo10(t, url);
      assert.equal(got.length, 4);
      const [a, b, c, d] = got;

      // d is received again: its first handle no longer deletes it, but does not fail either.
      t.clock.advance(10_000);
      const again = await receiveUpTo10(t, url);
      assert.equal(again.length, 4);
      const dAgain = again.find((m) => m.MessageId === d!.MessageId)!;
      const out = await t.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: 'a', ReceiptHandle: again.find((m) => m.MessageId === a!.MessageId)!.ReceiptHandle },
            { Id: 'b', ReceiptHandle: again.find((m) => m.MessageId === b!.MessageId)!.ReceiptHandle },
            { Id: 'garbage', ReceiptHandle: 'garbage' },
            { Id: 'stale', ReceiptHandle: d!.ReceiptHandle },
          ],
        }),
      );
      assert.deepEqual(out.Successful!.map((s) => s.Id).sort(), ['a', 'b', 'stale']);
      assert.deepEqual(out.Failed, [
        { Id: 'garbage', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'The input receipt handle "garbage" is not a valid receipt handle.' },
      ]);
      assert.deepEqual(await counts(t, url, ['visible', 'inFlight']), { visible: 0, inFlight: 2 });
      t.clock.advance(10_000);
      assert.deepEqual((await receiveUpTo10(t, url)).map((m) => m.Body).sort(), [c!.Body, dAgain.Body].sort());
    }));

  it('changes visibility in a batch, reporting failures per entry', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'cmv-batch', { VisibilityTimeout: '10' });
      for (let i = 0; i < 3; i++) await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }));
      const [a, b, c] = await receiveUpTo10(t, url);
      const out = await t.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: 'extend', ReceiptHandle: a!.ReceiptHandle, VisibilityTimeout: 60 },
            { Id: 'release', ReceiptHandle: b!.ReceiptHandle, VisibilityTimeout: 0 },
            { Id: 'too-long', ReceiptHandle: c!.ReceiptHandle, VisibilityTimeout: 43201 },
            { Id: 'garbage', ReceiptHandle: 'garbage', VisibilityTimeout: 5 },
          ],
        }),
      );
      assert.deepEqual(out.Successful!.map((s) => s.Id).sort(), ['extend', 'release']);
      assert.deepEqual(byId(out.Failed), {
        'too-long': {
          Id: 'too-long',
          SenderFault: true,
          Code: 'InvalidParameterValue',
          Message: 'Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.',
        },
        garbage: { Id: 'garbage', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'The input receipt handle "garbage" is not a valid receipt handle.' },
      });
      // b is visible at once; c keeps the queue's 10 s; a is hidden for 60 s.
      const [b2] = await receiveUpTo10(t, url);
      assert.equal(b2!.MessageId, b!.MessageId);
      await t.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'b', ReceiptHandle: b2!.ReceiptHandle }] }));
      t.clock.advance(10_000);
      assert.deepEqual((await receiveUpTo10(t, url)).map((m) => m.MessageId), [c!.MessageId]);
      t.clock.advance(50_000);
      const later = await receiveUpTo10(t, url);
      assert.ok(later.some((m) => m.MessageId === a!.MessageId));

      // A handle from an earlier receive fails its entry.
      const stale = await t.sqs.send(
        new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: [{ Id: 'stale', ReceiptHandle: a!.ReceiptHandle, VisibilityTimeout: 5 }] }),
      );
      assert.deepEqual(stale.Successful ?? [], []);
      assert.deepEqual(stale.Failed, [
        {
          Id: 'stale',
          SenderFault: true,
          Code: 'InvalidParameterValue',
          Message: `Value ${a!.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
        },
      ]);
    }));

  it('refuses whole delete and visibility batches that are empty, too big, or have bad or repeated ids', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'whole-other');
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
      const [m] = await receiveUpTo10(t, url);
      const h = m!.ReceiptHandle!;
      const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, ReceiptHandle: h }));
      const twice = [
        { Id: 'x', ReceiptHandle: h },
        { Id: 'x', ReceiptHandle: h },
      ];
      // Each kind of batch refuses the same whole batches; visibility entries carry VisibilityTimeout 1.
      const kinds: [entryName: string, sendBatch: (entries: DeleteMessageBatchRequestEntry[]) => Promise<unknown>][] = [
        ['DeleteMessageBatchRequestEntry', (Entries) => t.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries }))],
        [
          'ChangeMessageVisibilityBatchRequestEntry',
          (Entries) =>
            t.sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: Entries.map((e) => ({ ...e, VisibilityTimeout: 1 })) })),
        ],
      ];
      for (const [entryName, sendBatch] of kinds) {
        await rejectsWith(sendBatch(eleven), 'TooManyEntriesInBatchRequest', 'Maximum number of entries per request are 10. You have sent 11.');
        await rejectsWith(sendBatch([]), 'EmptyBatchRequest', `There should be at least one ${entryName} in the request.`);
        await rejectsWith(sendBatch(twice), 'BatchEntryIdsNotDistinct', 'Id x repeated.');
        for (const id of ['', 'invalid:id', 'testLongId'.repeat(9)]) {
          await rejectsWith(sendBatch([{ Id: id, ReceiptHandle: h }]), 'InvalidBatchEntryId', BAD_ID);
        }
      }
      // The message is untouched by all of it.
      assert.deepEqual(await counts(t, url, ['visible', 'inFlight']), { visible: 0, inFlight: 1 });
    }));

  it('sends FIFO batches in order, and refuses a whole FIFO batch with an entry lacking group or deduplication id', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'batch.fifo', { FifoQueue: 'true' });
      const out = await t.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `b${i}`, MessageGroupId: 'g', MessageDeduplicationId: `d${i}` })),
        }),
      );
      const seqs = out.Successful!.map((s) => BigInt(s.SequenceNumber!));
      for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!, 'sequence numbers increase');
      assert.deepEqual((await receiveUpTo10(t, url)).map((m) => m.Body), Array.from({ length: 10 }, (_, i) => `b${i}`));

      // One entry without what a FIFO queue needs refuses the whole batch.
      const ok = { Id: 'ok', MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'ok' };
      const refused: [SendMessageBatchRequestEntry, string][] = [
        [{ Id: 'no-group', MessageBody: 'x', MessageDeduplicationId: 'no-group' }, 'The request must contain the parameter MessageGroupId.'],
        [
          { Id: 'no-dedup', MessageBody: 'x', MessageGroupId: 'g' },
          'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
        ],
      ];
      for (const [bad, message] of refused) {
        await rejectsWith(t.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [ok, bad] })), 'InvalidParameterValue', message);
      }
      assert.deepEqual(await counts(t, url, ['visible', 'inFlight']), { visible: 0, inFlight: 10 });
    }));
});
