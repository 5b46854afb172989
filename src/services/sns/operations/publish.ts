/**
 * Publish and PublishBatch. A batch takes up to ten entries with distinct ids; each entry
 * succeeds or fails on its own, the successful ones committed together in one write.
 */
import { AwsError } from '../../../protocols/errors.js';
import { defineOperation } from '../../../protocols/define-operation.js';
import type { Operation, RequestContext } from '../../service.js';
import type { SnsEngine } from '../engine/index.js';
import { MAX_MESSAGE_BYTES, preparePublish, type PreparedPublish, type PublishInput } from '../engine/prepare-publish.js';
import type { Topic } from '../engine/topics.js';
import { BatchEntryIdsNotDistinct, BatchRequestTooLong, EmptyBatchRequest, invalidParameter, InvalidBatchEntryId, TooManyEntriesInBatchRequest } from '../errors.js';
import { batchErrorList, list, messageAttributeMap, required, string, structure } from './shapes.js';

const MAX_ENTRIES = 10;
const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

const messageFields = {
  Message: required(string()),
  Subject: string(),
  MessageStructure: string(),
  MessageAttributes: messageAttributeMap,
  MessageDeduplicationId: string(),
  MessageGroupId: string(),
};

export function publishOperations(sns: SnsEngine): Record<string, Operation> {
  const { topics, publisher } = sns;

  /** The topic a Publish names by TopicArn or TargetArn (SMS and mobile push are not there yet). */
  const target = (input: { TopicArn?: string; TargetArn?: string; PhoneNumber?: string }, ctx: RequestContext): Topic => {
    if (input.PhoneNumber !== undefined) throw invalidParameter('PhoneNumber Reason: Nimbus does not send SMS messages');
    const arn = input.TopicArn ?? input.TargetArn;
    if (arn === undefined) throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
    return topics.resolve(arn, ctx, 'Publish', input.TopicArn !== undefined ? 'TopicArn' : 'TargetArn');
  };

  return {
    Publish: defineOperation({
      input: structure({ TopicArn: string(), TargetArn: string(), PhoneNumber: string(), ...messageFields }),
      output: structure({ MessageId: string(), SequenceNumber: string() }),
      async handler(input, ctx) {
        const topic = target(input, ctx);
        const [result] = await publisher.publish(topic, [preparePublish(topic, input)]);
        return result;
      },
    }),

    PublishBatch: defineOperation({
      input: structure({
        TopicArn: required(string()),
        PublishBatchRequestEntries: required(list(structure({ Id: required(string()), ...messageFields }))),
      }),
      output: structure({
        Successful: list(structure({ Id: string(), MessageId: string(), SequenceNumber: string() })),
        Failed: batchErrorList,
      }),
      async handler(input, ctx) {
        const entries = input.PublishBatchRequestEntries;
        if (entries.length === 0) throw new EmptyBatchRequest("The batch request doesn't contain any entries");
        if (entries.length > MAX_ENTRIES) throw new TooManyEntriesInBatchRequest('The batch request contains more entries than permissible.');
        const ids = new Set<string>();
        for (const e of entries) {
          if (!ENTRY_ID.test(e.Id)) {
            throw new InvalidBatchEntryId('A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
          }
          if (ids.has(e.Id)) throw new BatchEntryIdsNotDistinct('Two or more batch entries in the request have the same Id.');
          ids.add(e.Id);
        }
        const topic = topics.resolve(input.TopicArn, ctx, 'Publish');
        const Failed: { Id: string; Code: string; Message: string; SenderFault: boolean }[] = [];
        const ok: { id: string; p: PreparedPublish }[] = [];
        let total = 0;
        for (const e of entries) {
          try {
            const p = preparePublish(topic, e);
            total += p.size;
            ok.push({ id: e.Id, p });
          } catch (err) {
            if (!(err instanceof AwsError)) throw err;
            Failed.push({ Id: e.Id, Code: err.queryCode, Message: err.message, SenderFault: err.fault === 'Sender' });
          }
        }
        if (total > MAX_MESSAGE_BYTES) throw new BatchRequestTooLong('The length of all the messages put together is more than the limit.');
        const results = ok.length ? await publisher.publish(topic, ok.map((o) => o.p)) : [];
        return { Successful: results.map((r, i) => ({ Id: ok[i]!.id, ...r })), Failed };
      },
    }),
  };
}
