/**
 * The SQS message flow on standard queues, through the real AWS SDK v3 client: send, receive,
 * delete, digests, attributes, delays, visibility, retention, limits and their errors.
 * Time moves only through the ManualClock.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  type MessageAttributeValue,
  type QueueAttributeName,
  type ReceiveMessageCommandInput,
} from '@aws-sdk/client-sqs';
import { ACCOUNT, TEST_CREDENTIALS } from '../../helpers/nimbus.js';
import { counts, createQueue, md5, receive, rejectsWith, withNimbus } from '../../helpers/sqs.js';

// ---- helpers ---------------------------------------------------------------------------

/**
 * MD5OfMessageAttributes as AWS documents it ("Calculating the MD5 message digest for message
 * attributes"): attributes sorted by name; for each, the 4-byte big-endian length and UTF-8
 * bytes of the name, then of the data type, one transport byte (1 = String/Number, 2 =
 * Binary), then the length and bytes of the value. Written here independently of Nimbus.
 */
function awsMd5OfAttributes(attrs: Record<string, MessageAttributeValue>): string {
  const parts: Buffer[] = [];
  const field = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  for (const name of Object.keys(attrs).sort()) {
    const a = attrs[name]!;
    field(Buffer.from(name, 'utf8'));
    field(Buffer.from(a.DataType!, 'utf8'));
    if (a.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      field(Buffer.from(a.BinaryValue));
    } else {
      parts.push(Buffer.from([1]));
      field(Buffer.from(a.StringValue!, 'utf8'));
    }
  }
  return md5(Buffer.concat(parts));
}

const INVALID_CHARS =
  'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF';

// ---- tests -----------------------------------------------------------------------------

describe('SQS messages (standard queues)', () => {
  it('sends, receives and deletes a message, with AWS digests', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'round-trip');
      const sent = await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'hello' }));
      assert.equal(sent.MD5OfMessageBody, '5d41402abc4b2a76b9719d911017c592');
      assert.match(sent.MessageId!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(sent.MD5OfMessageAttributes, undefined);
      assert.equal(sent.SequenceNumber, undefined);

      const [m, ...rest] = await receive(t, url);
      assert.equal(rest.length, 0);
      assert.equal(m!.Body, 'hello');
      assert.equal(m!.MessageId, sent.MessageId);
      assert.equal(m!.MD5OfBody, '5d41402abc4b2a76b9719d911017c592');
      assert.equal(m!.Attributes, undefined, 'no system attributes unless asked for');
      assert.equal(m!.MessageAttributes, undefined);
      assert.ok(m!.ReceiptHandle);
      assert.deepEqual(await counts(t, url), { visible: 0, inFlight: 1, delayed: 0 });

      await t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle }));
      assert.deepEqual(await counts(t, url), { visible: 0, inFlight: 0, delayed: 0 });
      t.clock.advance(31_000);
      assert.deepEqual(await receive(t, url), []);
      // Deleting again with the same handle is harmless.
      await t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle }));
    }));

  it('keeps bodies byte-exact, including characters outside the BMP', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'unicode');
      const body = 'tab\there\nnewline\r\n — ünïcödé — 😀 𝄞 \uE000\uFFFD';
      const sent = await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
      assert.equal(sent.MD5OfMessageBody, md5(Buffer.from(body, 'utf8')));
      const [m] = await receive(t, url);
      assert.equal(m!.Body, body);
    }));

  it('receives up to MaxNumberOfMessages distinct messages', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'many');
      for (let i = 0; i < 15; i++) await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }));
      const first = await receive(t, url, { MaxNumberOfMessages: 10 });
      assert.equal(first.length, 10);
      const second = await receive(t, url, { MaxNumberOfMessages: 10 });
      assert.equal(second.length, 5);
      const bodies = new Set([...first, ...second].map((m) => m.Body));
      assert.equal(bodies.size, 15);
      assert.deepEqual(await receive(t, url, { MaxNumberOfMessages: 10 }), []);
    }));

  it('computes MD5OfMessageAttributes as AWS does, for every data type', () =>
    withNimbus(async (t) => {
      // Known digests (AWS's own answers for these attributes).
      assert.equal(awsMd5OfAttributes({ Foo: { DataType: 'String', StringValue: 'Bar' } }), 'ae7155c6026991b6d54b11589678bf9c');
      assert.equal(
        awsMd5OfAttributes({ attribName1: { DataType: 'String', StringValue: 'attribValue 1' } }),
        '19e27d4e946b072f3f58da80d94fd778',
      );
      const url = await createQueue(t, 'attr-digests');
      const cases: [Record<string, MessageAttributeValue>, string][] = [
        [{ Foo: { DataType: 'String', StringValue: 'Bar' } }, 'ae7155c6026991b6d54b11589678bf9c'],
        [{ attribName1: { DataType: 'String', StringValue: 'attribValue 1' } }, '19e27d4e946b072f3f58da80d94fd778'],
        [
          { customNumberTypeAttrib: { DataType: 'Number.float', StringValue: '4563442423554324324264524243.32543234' } },
          '9fe1b90bbd9965bdf77bac517c7d2495',
        ],
        [{ binaryAttribute: { DataType: 'Binary', BinaryValue: Buffer.from('Hello binary world!') } }, '31a92b15d92f8db860eda32aceb656c3'],
        [
          {
            attribName1: { DataType: 'String', StringValue: 'attribValue 1' },
            customNumberTypeAttrib: { DataType: 'Number.float', StringValue: '4563442423554324324264524243.32543234' },
            binaryAttribute: { DataType: 'Binary', BinaryValue: Buffer.from('Hello binary world!') },
          },
          'c932db14a896c663f83c260297d594ff',
        ],
        [
          {
            'Help.Me': { DataType: 'String', StringValue: 'Me' },
            Hello: { DataType: 'String', StringValue: 'There' },
            General: { DataType: 'String', StringValue: 'Kenobi' },
          },
          '4c360f3fdafd970e05fae2f149d997f5',
        ],
      ];
      for (const [attrs, expected] of cases) {
        assert.equal(awsMd5OfAttributes(attrs), expected);
        const sent = await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: attrs }));
        assert.equal(sent.MD5OfMessageAttributes, expected);
        const [m] = await receive(t, url, { MessageAttributeNames: ['All'] });
        assert.equal(m!.MD5OfMessageAttributes, expected);
        await t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle }));
      }
    }));

  it('round-trips String, Number, Binary and custom-typed attributes', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'attr-types');
      const attrs: Record<string, MessageAttributeValue> = {
        str: { DataType: 'String', StringValue: 'héllo wörld 😀' },
        num: { DataType: 'Number', StringValue: '-12.5e3' },
        int: { DataType: 'Number.int', StringValue: '42' },
        bin: { DataType: 'Binary', BinaryValue: Uint8Array.from([0, 1, 2, 253, 254, 255]) },
        png: { DataType: 'Binary.png', BinaryValue: Uint8Array.from([0x89, 0x50, 0x4e, 0x47]) },
        custom: { DataType: 'String.custom', StringValue: 'custom value' },
        'attr.1øßä': { DataType: 'String', StringValue: 'unicode name' },
      };
      const sent = await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'typed', MessageAttributes: attrs }));
      assert.equal(sent.MD5OfMessageAttributes, awsMd5OfAttributes(attrs));
      const [m] = await receive(t, url, { MessageAttributeNames: ['All'] });
      assert.equal(m!.MD5OfMessageAttributes, awsMd5OfAttributes(attrs));
      const got = m!.MessageAttributes!;
      assert.deepEqual(Object.keys(got).sort(), Object.keys(attrs).sort());
      for (const [name, a] of Object.entries(attrs)) {
        assert.equal(got[name]!.DataType, a.DataType, name);
        if (a.BinaryValue) {
          assert.equal(got[name]!.StringValue, undefined);
          assert.deepEqual(Buffer.from(got[name]!.BinaryValue!), Buffer.from(a.BinaryValue));
        } else {
          assert.equal(got[name]!.StringValue, a.StringValue, name);
          assert.equal(got[name]!.BinaryValue, undefined);
        }
      }
    }));

  it('filters message attributes by MessageAttributeNames (All, .*, *, prefix.*, exact names)', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'attr-filters', { VisibilityTimeout: '0' });
      const attrs: Record<string, MessageAttributeValue> = {
        'Help.Me': { DataType: 'String', StringValue: 'Me' },
        Hello: { DataType: 'String', StringValue: 'There' },
        General: { DataType: 'String', StringValue: 'Kenobi' },
      };
      const sent = await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'msg', MessageAttributes: attrs }));
      assert.equal(sent.MD5OfMessageAttributes, '4c360f3fdafd970e05fae2f149d997f5');

      const pick = async (names: string[] | undefined) => {
        const [m] = await receive(t, url, names ? { MessageAttributeNames: names } : {});
        return { names: Object.keys(m!.MessageAttributes ?? {}).sort(), md5: m!.MD5OfMessageAttributes };
      };
      // The digest covers only the attributes returned (AWS's values).
      assert.deepEqual(await pick(undefined), { names: [], md5: undefined });
      assert.deepEqual(await pick([]), { names: [], md5: undefined });
      assert.deepEqual(await pick(['All']), { names: ['General', 'Hello', 'Help.Me'], md5: '4c360f3fdafd970e05fae2f149d997f5' });
      assert.deepEqual(await pick(['.*']), { names: ['General', 'Hello', 'Help.Me'], md5: '4c360f3fdafd970e05fae2f149d997f5' });
      assert.deepEqual(await pick(['*']), { names: ['General', 'Hello', 'Help.Me'], md5: '4c360f3fdafd970e05fae2f149d997f5' });
      assert.deepEqual(await pick(['Foo', 'Help']), { names: [], md5: undefined });
      assert.deepEqual(await pick(['Hello', 'General']), { names: ['General', 'Hello'], md5: 'fca026605781cb4126a1e9044df24232' });
      assert.deepEqual(await pick(['Foo', 'Hello']), { names: ['Hello'], md5: 'a311262e065454b75da111d535b8dacd' });
      assert.deepEqual(await pick(['Hel.*']), { names: ['Hello', 'Help.Me'], md5: '83fee93c1bcd8b9a5a923ffacdc636c7' });
      assert.deepEqual(await pick(['Help.*']), { names: ['Help.Me'], md5: awsMd5OfAttributes({ 'Help.Me': attrs['Help.Me']! }) });
      // Exact names are case-sensitive.
      assert.deepEqual(await pick(['hello']), { names: [], md5: undefined });
    }));

  it('carries AWSTraceHeader as a message system attribute with MD5OfMessageSystemAttributes', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'trace');
      const trace = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
      const system = { AWSTraceHeader: { DataType: 'String', StringValue: trace } };
      const sent = await t.sqs.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: 'traced',
          MessageSystemAttributes: system,
          MessageAttributes: { MyAttribute: { DataType: 'String', StringValue: 'foobar' } },
        }),
      );
      assert.equal(sent.MD5OfMessageSystemAttributes, awsMd5OfAttributes(system));
      assert.equal(sent.MD5OfMessageAttributes, 'adb59cd4678ea5a855436b949cd07ab6');

      const [m] = await receive(t, url, { MessageSystemAttributeNames: ['AWSTraceHeader'], MessageAttributeNames: ['All'], VisibilityTimeout: 0 });
      assert.deepEqual(m!.Attributes, { AWSTraceHeader: trace });
      assert.equal(m!.MD5OfMessageAttributes, 'adb59cd4678ea5a855436b949cd07ab6');
      const [all] = await receive(t, url, { MessageSystemAttributeNames: ['All'] });
      assert.equal(all!.Attributes!.AWSTraceHeader, trace);

      // Only AWSTraceHeader may be sent as a system attribute, and only as a String.
      await rejectsWith(
        t.sqs.send(
          new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageSystemAttributes: { Other: { DataType: 'String', StringValue: 'v' } } as never }),
        ),
        'InvalidParameterValue',
      );
    }));

  it('takes AWSTraceHeader from the X-Amzn-Trace-Id request header unless the attribute is sent', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'trace-header');
      const header = 'Root=1-00000000-000000000000000000000001;Sampled=1';
      const traced = t.sqsClient();
      traced.middlewareStack.add(
        (next) => async (args) => {
          (args.request as { headers: Record<string, string> }).headers['x-amzn-trace-id'] = header;
          return next(args);
        },
        { step: 'build', name: 'traceHeader' },
      );
      await traced.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'from header' }));
      const own = 'Root=1-00000000-000000000000000000000002';
      await traced.send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: 'own', MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: own } } }),
      );
      traced.destroy();
      const got = await receive(t, url, { MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['AWSTraceHeader'] });
      assert.deepEqual(
        got.map((m) => [m.Body, m.Attributes?.AWSTraceHeader]).sort(),
        [
          ['from header', header],
          ['own', own],
        ],
      );
    }));

  it('returns SenderId, SentTimestamp, ApproximateReceiveCount and ApproximateFirstReceiveTimestamp', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'system-attrs', { VisibilityTimeout: '10' });
      const sentAt = t.clock.now();
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'msg' }));
      t.clock.advance(2_000);
      const firstAt = t.clock.now();
      // Each receive comes once the previous one's 10-second visibility has run out.
      const cases: { why: string; ask: Partial<ReceiveMessageCommandInput>; expected: Record<string, string> }[] = [
        {
          why: 'All',
          ask: { MessageSystemAttributeNames: ['All'] },
          expected: { SenderId: ACCOUNT, SentTimestamp: String(sentAt), ApproximateReceiveCount: '1', ApproximateFirstReceiveTimestamp: String(firstAt) },
        },
        {
          why: 'the legacy AttributeNames asks for the same attributes',
          ask: { AttributeNames: ['All'] },
          expected: { SenderId: ACCOUNT, SentTimestamp: String(sentAt), ApproximateReceiveCount: '2', ApproximateFirstReceiveTimestamp: String(firstAt) },
        },
        {
          why: 'one legacy name',
          ask: { AttributeNames: ['SentTimestamp' as QueueAttributeName] },
          expected: { SentTimestamp: String(sentAt) },
        },
        {
          why: 'names that do not apply (SequenceNumber on a standard queue) are left out',
          ask: { MessageSystemAttributeNames: ['SenderId', 'SequenceNumber', 'ApproximateReceiveCount'] },
          expected: { SenderId: ACCOUNT, ApproximateReceiveCount: '4' },
        },
        {
          why: 'both lists together: their union',
          ask: { MessageSystemAttributeNames: ['ApproximateFirstReceiveTimestamp'], AttributeNames: ['SenderId' as QueueAttributeName] },
          expected: { SenderId: ACCOUNT, ApproximateFirstReceiveTimestamp: String(firstAt) },
        },
      ];
      for (const { why, ask, expected } of cases) {
        const [m] = await receive(t, url, ask);
        assert.deepEqual(m!.Attributes, expected, why);
        t.clock.advance(10_000);
      }
    }));

  it('delays a message by its DelaySeconds, counted as delayed until the clock passes', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'delay-message');
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 10 }));
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'now' }));
      assert.deepEqual(await counts(t, url), { visible: 1, inFlight: 0, delayed: 1 });
      const [now] = await receive(t, url, { MaxNumberOfMessages: 10 });
      assert.equal(now!.Body, 'now');
      assert.deepEqual(await receive(t, url, { MaxNumberOfMessages: 10 }), []);

      t.clock.advance(9_999);
      assert.deepEqual(await receive(t, url), []);
      assert.deepEqual(await counts(t, url), { visible: 0, inFlight: 1, delayed: 1 });
      t.clock.advance(1);
      assert.deepEqual(await counts(t, url), { visible: 1, inFlight: 1, delayed: 0 });
      const [later] = await receive(t, url);
      assert.equal(later!.Body, 'later');

      await rejectsWith(
        t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', DelaySeconds: 901 })),
        'InvalidParameterValue',
        'Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.',
      );
      await rejectsWith(t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', DelaySeconds: -1 })), 'InvalidParameterValue');
    }));

  it("applies the queue's DelaySeconds unless the message sets its own", () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'delay-queue', { DelaySeconds: '5' });
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'queue-delay' }));
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'no-delay', DelaySeconds: 0 }));
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'long-delay', DelaySeconds: 20 }));
      assert.deepEqual(await counts(t, url), { visible: 1, inFlight: 0, delayed: 2 });
      assert.deepEqual(
        (await receive(t, url, { MaxNumberOfMessages: 10 })).map((m) => m.Body),
        ['no-delay'],
      );
      t.clock.advance(4_999);
      assert.deepEqual(await receive(t, url, { MaxNumberOfMessages: 10 }), []);
      t.clock.advance(1);
      assert.deepEqual(
        (await receive(t, url, { MaxNumberOfMessages: 10 })).map((m) => m.Body),
        ['queue-delay'],
      );
      t.clock.advance(15_000);
      assert.deepEqual(
        (await receive(t, url, { MaxNumberOfMessages: 10 })).map((m) => m.Body),
        ['long-delay'],
      );
    }));

  it('hides a received message for the visibility timeout, then delivers it again', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'visibility', { VisibilityTimeout: '30' });
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'v' }));
      const [first] = await receive(t, url, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
      assert.equal(first!.Attributes!.ApproximateReceiveCount, '1');
      assert.deepEqual(await receive(t, url), []);
      t.clock.advance(29_999);
      assert.deepEqual(await receive(t, url), []);
      t.clock.advance(1);
      const [second] = await receive(t, url, { MessageSystemAttributeNames: ['ApproximateReceiveCount'], VisibilityTimeout: 5 });
      assert.equal(second!.MessageId, first!.MessageId);
      assert.equal(second!.Attributes!.ApproximateReceiveCount, '2');
      assert.notEqual(second!.ReceiptHandle, first!.ReceiptHandle);
      // The per-receive VisibilityTimeout wins over the queue's.
      t.clock.advance(5_000);
      const [third] = await receive(t, url, { MessageSystemAttributeNames: ['ApproximateReceiveCount'], VisibilityTimeout: 0 });
      assert.equal(third!.Attributes!.ApproximateReceiveCount, '3');
      // VisibilityTimeout 0: visible again at once.
      const [fourth] = await receive(t, url, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
      assert.equal(fourth!.Attributes!.ApproximateReceiveCount, '4');
    }));

  it('ignores DeleteMessage with a receipt handle from an earlier receive', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'stale-handle', { VisibilityTimeout: '10' });
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'stale' }));
      const [first] = await receive(t, url);
      t.clock.advance(10_000);
      const [second] = await receive(t, url);
      assert.equal(second!.MessageId, first!.MessageId);

      // Succeeds, but the message stays.
      await t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first!.ReceiptHandle }));
      assert.deepEqual(await counts(t, url), { visible: 0, inFlight: 1, delayed: 0 });
      t.clock.advance(10_000);
      const [third] = await receive(t, url, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
      assert.equal(third!.MessageId, first!.MessageId);
      assert.equal(third!.Attributes!.ApproximateReceiveCount, '3');

      // ChangeMessageVisibility with a stale handle fails.
      await rejectsWith(
        t.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: second!.ReceiptHandle, VisibilityTimeout: 60 })),
        'InvalidParameterValue',
        `Value ${second!.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
      );

      // The latest handle deletes it.
      await t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: third!.ReceiptHandle }));
      assert.deepEqual(await counts(t, url), { visible: 0, inFlight: 0, delayed: 0 });
      t.clock.advance(10_000);
      assert.deepEqual(await receive(t, url), []);
    }));

  it('deletes with the latest handle even after its visibility timeout expired', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'late-delete', { VisibilityTimeout: '1' });
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'late' }));
      const [m] = await receive(t, url);
      t.clock.advance(2_000);
      await t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle }));
      assert.deepEqual(await receive(t, url), []);
      assert.deepEqual(await counts(t, url), { visible: 0, inFlight: 0, delayed: 0 });
    }));

  it('extends, shortens and ends visibility with ChangeMessageVisibility', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'change-visibility', { VisibilityTimeout: '10' });
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'cmv' }));

      // Extend: counted from now.
      const [a] = await receive(t, url);
      t.clock.advance(5_000);
      await t.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: a!.ReceiptHandle, VisibilityTimeout: 60 }));
      t.clock.advance(59_999);
      assert.deepEqual(await receive(t, url), []);
      t.clock.advance(1);
      const [b] = await receive(t, url);
      assert.equal(b!.MessageId, a!.MessageId);

      // Shorten.
      await t.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: b!.ReceiptHandle, VisibilityTimeout: 2 }));
      t.clock.advance(1_999);
      assert.deepEqual(await receive(t, url), []);
      t.clock.advance(1);
      const [c] = await receive(t, url);
      assert.equal(c!.MessageId, a!.MessageId);

      // 0: visible at once.
      await t.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: c!.ReceiptHandle, VisibilityTimeout: 0 }));
      const [d] = await receive(t, url, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
      assert.equal(d!.MessageId, a!.MessageId);
      assert.equal(d!.Attributes!.ApproximateReceiveCount, '4');

      // The latest handle may still change visibility after its timeout ran out (AWS answers 200).
      t.clock.advance(10_000);
      await t.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: d!.ReceiptHandle, VisibilityTimeout: 5 }));
      assert.deepEqual(await receive(t, url), []);

      await rejectsWith(
        t.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: d!.ReceiptHandle, VisibilityTimeout: 43201 })),
        'InvalidParameterValue',
        'Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.',
      );
    }));

  it('refuses visibility beyond 12 hours from the receive, and counts anew from the next receive', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'twelve-hours', { VisibilityTimeout: '60' });
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'long job' }));
      const [m] = await receive(t, url);
      // Hours pass on Nimbus's clock: sign with a client whose clock follows it.
      t.clock.advance(3_600_000);
      const later = new SQSClient({
        endpoint: t.endpoint,
        region: 'us-east-1',
        credentials: TEST_CREDENTIALS,
        systemClockOffset: t.clock.now() - Date.now(),
      });
      const change = (timeout: number) =>
        later.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle, VisibilityTimeout: timeout }));
      await rejectsWith(
        change(39_601),
        'InvalidParameterValue',
        'Value 39601 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]',
      );
      await change(39_600); // exactly 12 hours after the receive
      // A new receive starts a new 12 hours.
      await change(0);
      const [again] = await receive(later, url);
      await later.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: again!.ReceiptHandle, VisibilityTimeout: 43_200 }));
      later.destroy();
    }));

  it('drops messages once MessageRetentionPeriod has passed', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'retention', { MessageRetentionPeriod: '60' });
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'old' }));
      t.clock.advance(30_000);
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'young' }));
      t.clock.advance(29_999);
      assert.deepEqual(await counts(t, url), { visible: 2, inFlight: 0, delayed: 0 });
      t.clock.advance(1);
      assert.deepEqual(await counts(t, url), { visible: 1, inFlight: 0, delayed: 0 });
      const got = await receive(t, url, { MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
      assert.deepEqual(got.map((m) => m.Body), ['young']);
      t.clock.advance(30_000);
      assert.deepEqual(await receive(t, url, { MaxNumberOfMessages: 10 }), []);
      assert.deepEqual(await counts(t, url), { visible: 0, inFlight: 0, delayed: 0 });
    }));

  it('stops counting an expired message at once, not only when a sweep removes it', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'retention-count', { MessageRetentionPeriod: '60' });
      // Off the sweep's 30-second beat: sent at +10 s, expired at +70 s.
      t.clock.advance(10_000);
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'brief' }));
      t.clock.advance(59_999);
      assert.deepEqual(await counts(t, url), { visible: 1, inFlight: 0, delayed: 0 });
      t.clock.advance(1);
      assert.deepEqual(await counts(t, url), { visible: 0, inFlight: 0, delayed: 0 });
      assert.deepEqual(await receive(t, url), []);
    }));

  it('expires in-flight and delayed messages on retention too', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'retention-in-flight', { MessageRetentionPeriod: '60', VisibilityTimeout: '120' });
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'in-flight' }));
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'delayed', DelaySeconds: 90 }));
      assert.equal((await receive(t, url)).length, 1);
      assert.deepEqual(await counts(t, url), { visible: 0, inFlight: 1, delayed: 1 });
      t.clock.advance(60_000);
      assert.deepEqual(await counts(t, url), { visible: 0, inFlight: 0, delayed: 0 });
      t.clock.advance(120_000);
      assert.deepEqual(await receive(t, url, { MaxNumberOfMessages: 10 }), []);
    }));

  it('limits body plus attributes to MaximumMessageSize', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'size');
      const tooLong = (n: number) => `One or more parameters are invalid. Reason: Message must be shorter than ${n} bytes.`;
      // The default (AWS: 1 MiB since 2025, 256 KiB before): the body alone may fill it.
      const { Attributes } = await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['MaximumMessageSize'] }));
      const max = Number(Attributes!.MaximumMessageSize);
      assert.ok(max === 1048576 || max === 262144, `default MaximumMessageSize ${max}`);
      const full = await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a'.repeat(max) }));
      assert.equal(full.MD5OfMessageBody, md5('a'.repeat(max)));
      await rejectsWith(t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a'.repeat(max + 1) })), 'InvalidParameterValue', tooLong(max));

      await t.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { MaximumMessageSize: '262144' } }));
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a'.repeat(262144) }));
      await rejectsWith(t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a'.repeat(262145) })), 'InvalidParameterValue', tooLong(262144));
      // Bytes, not characters: 131073 two-byte characters are 262146 bytes.
      await rejectsWith(t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'é'.repeat(131073) })), 'InvalidParameterValue', tooLong(262144));
      // Attributes count: name + data type + value ("k" + "String" + "x" = 8 bytes).
      const attrs = { k: { DataType: 'String', StringValue: 'x' } };
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a'.repeat(262144 - 8), MessageAttributes: attrs }));
      await rejectsWith(
        t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a'.repeat(262144 - 8 + 1), MessageAttributes: attrs })),
        'InvalidParameterValue',
        tooLong(262144),
      );
      const binary = { b: { DataType: 'Binary', BinaryValue: new Uint8Array(100) } };
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a'.repeat(262144 - 107), MessageAttributes: binary }));
      await rejectsWith(
        t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a'.repeat(262144 - 106), MessageAttributes: binary })),
        'InvalidParameterValue',
        tooLong(262144),
      );

      await t.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { MaximumMessageSize: '1024' } }));
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a'.repeat(1024) }));
      await rejectsWith(
        t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a'.repeat(1024 - 8 + 1), MessageAttributes: attrs })),
        'InvalidParameterValue',
        tooLong(1024),
      );
      assert.deepEqual(await counts(t, url), { visible: 5, inFlight: 0, delayed: 0 });
    }));

  it('refuses characters outside the allowed set with InvalidMessageContents', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'chars');
      for (const bad of ['nul\u0000', 'bell\u0007', 'vt\u000b', 'x\uFFFE', 'x\uFFFF', `Invalid-${String.fromCharCode(19)}`, 'lone\uD800surrogate']) {
        await rejectsWith(t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: bad })), 'InvalidMessageContents', INVALID_CHARS);
      }
      assert.deepEqual(await counts(t, url), { visible: 0, inFlight: 0, delayed: 0 });
      await rejectsWith(
        t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '' })),
        'MissingParameter',
        'The request must contain the parameter MessageBody.',
      );
    }));

  it('validates message attributes', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'bad-attrs');
      const send = (MessageAttributes: Record<string, MessageAttributeValue>) =>
        t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes }));
      await rejectsWith(
        send({ ErrorDetails: { DataType: 'String', StringValue: '' } }),
        'InvalidParameterValue',
        "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'.",
      );
      for (const name of ['aWs.x', 'AMAZON.x', '.x', 'x.', 'a..b', 'Invalid-!-attr', 'Invalid-(-attr', 'L'.repeat(257)]) {
        await rejectsWith(send({ [name]: { DataType: 'String', StringValue: 'v' } }), 'InvalidParameterValue');
      }
      await rejectsWith(send({ a: { DataType: 'Invalid', StringValue: 'v' } }), 'InvalidParameterValue');
      await rejectsWith(send({ a: { DataType: 'Number', StringValue: 'twelve' } }), 'InvalidParameterValue');
      await rejectsWith(send({ a: { DataType: 'String', StringValue: `bad-${String.fromCharCode(8)}` } }), 'InvalidParameterValue');
      const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }]));
      await rejectsWith(send(eleven), 'InvalidParameterValue', 'Number of message attributes [11] exceeds the allowed maximum [10].');
      assert.deepEqual(await counts(t, url), { visible: 0, inFlight: 0, delayed: 0 });
    }));

  it('keeps an attribute named __proto__ (a legal name) like any other, with its digest', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'proto-attribute');
      // Built by JSON.parse: in an object literal, `__proto__:` would set the prototype instead.
      const attrs: Record<string, MessageAttributeValue> = JSON.parse(
        '{"__proto__": {"DataType": "String", "StringValue": "p"}, "plain": {"DataType": "Number", "StringValue": "1"}}',
      );
      assert.deepEqual(Object.keys(attrs), ['__proto__', 'plain']);
      const expected = awsMd5OfAttributes(attrs);
      const sent = await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: attrs }));
      assert.equal(sent.MD5OfMessageAttributes, expected);

      const [m] = await receive(t, url, { MessageAttributeNames: ['All'], VisibilityTimeout: 0 });
      assert.equal(m!.MD5OfMessageAttributes, expected);
      // (The SDK keeps the name but loses the value of a map entry named __proto__ as it
      // deserializes; the digest above is Nimbus's, over the value it stored.)
      assert.deepEqual(Object.keys(m!.MessageAttributes!).sort(), ['__proto__', 'plain']);
      assert.deepEqual({ ...m!.MessageAttributes!.plain }, { DataType: 'Number', StringValue: '1' });

      // Asked for by name alone.
      const [only] = await receive(t, url, { MessageAttributeNames: ['__proto__'] });
      assert.deepEqual(Object.keys(only!.MessageAttributes!), ['__proto__']);
      assert.equal(only!.MD5OfMessageAttributes, awsMd5OfAttributes(JSON.parse('{"__proto__": {"DataType": "String", "StringValue": "p"}}')));
    }));

  it('checks a Number attribute in linear time: a 200 KB non-number is refused at once', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'number-attribute');
      const send = (StringValue: string) =>
        t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue } } }));
      const notANumber = "Can't cast the value of message (user) attribute 'n' to a number.";
      for (const value of ['1'.repeat(200_000) + 'x', '1.' + '1'.repeat(200_000) + 'x', '1e' + '1'.repeat(200_000) + 'x']) {
        const started = performance.now();
        await rejectsWith(send(value), 'InvalidParameterValue', notANumber);
        const elapsed = performance.now() - started;
        // A backtracking pattern took tens of seconds here.
        assert.ok(elapsed < 500, `refused in ${elapsed.toFixed(0)} ms`);
      }
      for (const good of ['1'.repeat(200_000), '-1.5e+10', '+.5', '5.', '0']) await send(good);
      for (const bad of ['e5', '1e', '.', '+', '1.2.3', '--1', '0x10']) await rejectsWith(send(bad), 'InvalidParameterValue', notANumber);
    }));

  it('answers ReceiptHandleIsInvalid for a malformed receipt handle', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'bad-handle');
      const other = await createQueue(t, 'other-queue');
      await rejectsWith(
        t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'garbage' })),
        'ReceiptHandleIsInvalid',
        'The input receipt handle "garbage" is not a valid receipt handle.',
      );
      await rejectsWith(
        t.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: 'garbage', VisibilityTimeout: 10 })),
        'ReceiptHandleIsInvalid',
        'The input receipt handle "garbage" is not a valid receipt handle.',
      );
      // A handle of another queue is not valid here.
      await t.sqs.send(new SendMessageCommand({ QueueUrl: other, MessageBody: 'elsewhere' }));
      const [m] = await receive(t, other);
      await rejectsWith(t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle })), 'ReceiptHandleIsInvalid');
      assert.deepEqual(await counts(t, other), { visible: 0, inFlight: 1, delayed: 0 });
    }));

  it('validates MaxNumberOfMessages, WaitTimeSeconds and VisibilityTimeout of ReceiveMessage', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'receive-params');
      for (const n of [0, 11, -1]) {
        await rejectsWith(
          receive(t, url, { MaxNumberOfMessages: n }),
          'InvalidParameterValue',
          `Value ${n} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
        );
      }
      for (const n of [21, -1]) {
        await rejectsWith(
          receive(t, url, { WaitTimeSeconds: n }),
          'InvalidParameterValue',
          `Value ${n} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`,
        );
      }
      for (const n of [43201, -1]) {
        await rejectsWith(
          receive(t, url, { VisibilityTimeout: n }),
          'InvalidParameterValue',
          `Value ${n} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.`,
        );
      }
      // The bounds themselves are fine.
      assert.deepEqual(await receive(t, url, { MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 43200 }), []);
      assert.deepEqual(await receive(t, url, { MaxNumberOfMessages: 1, VisibilityTimeout: 0 }), []);
    }));

  it('accepts MessageGroupId on a standard queue (fair queues) and returns it', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'fair');
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'tenant work', MessageGroupId: 'tenant-7' }));
      const [m] = await receive(t, url, { MessageSystemAttributeNames: ['MessageGroupId', 'SequenceNumber'] });
      assert.equal(m!.Body, 'tenant work');
      assert.deepEqual(m!.Attributes, { MessageGroupId: 'tenant-7' }, 'no SequenceNumber outside FIFO queues');
    }));

  it('answers QueueDoesNotExist for an unknown queue', () =>
    withNimbus(async (t) => {
      const url = await createQueue(t, 'exists');
      const missing = url.replace(/exists$/, 'missing');
      await rejectsWith(t.sqs.send(new SendMessageCommand({ QueueUrl: missing, MessageBody: 'x' })), 'QueueDoesNotExist', 'The specified queue does not exist.');
      await rejectsWith(receive(t, missing), 'QueueDoesNotExist');
    }));
});
