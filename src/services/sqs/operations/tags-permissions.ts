/** Tags and the legacy permission API (AddPermission / RemovePermission edit the Policy). */
import { defineOperation } from '../../../protocols/define-operation.js';
import type { Operation } from '../../service.js';
import type { SqsEngine } from '../engine/index.js';
import { list, named, queueUrl, required, string, structure, tagMap } from './shapes.js';

export function tagAndPermissionOperations({ queues }: SqsEngine): Record<string, Operation> {
  return {
    TagQueue: defineOperation({
      input: structure({ QueueUrl: queueUrl, Tags: required(tagMap, 'Tag') }),
      async handler(input, ctx) {
        await queues.tag(queues.resolve(input.QueueUrl, ctx, 'TagQueue'), input.Tags);
      },
    }),
    UntagQueue: defineOperation({
      input: structure({ QueueUrl: queueUrl, TagKeys: required(list(string(), { memberName: 'TagKey', flattened: true })) }),
      async handler(input, ctx) {
        await queues.untag(queues.resolve(input.QueueUrl, ctx, 'UntagQueue'), input.TagKeys);
      },
    }),
    ListQueueTags: defineOperation({
      input: structure({ QueueUrl: queueUrl }),
      output: structure({ Tags: named(tagMap, 'Tag') }),
      handler(input, ctx) {
        const q = queues.resolve(input.QueueUrl, ctx, 'ListQueueTags');
        return Object.keys(q.tags).length ? { Tags: q.tags } : {};
      },
    }),
    AddPermission: defineOperation({
      input: structure({
        QueueUrl: queueUrl,
        Label: required(string()),
        AWSAccountIds: required(list(string(), { memberName: 'AWSAccountId', flattened: true })),
        Actions: required(list(string(), { memberName: 'ActionName', flattened: true })),
      }),
      async handler(input, ctx) {
        const q = queues.resolve(input.QueueUrl, ctx, 'AddPermission');
        await queues.addPermission(q, input.Label, input.AWSAccountIds, input.Actions);
      },
    }),
    RemovePermission: defineOperation({
      input: structure({ QueueUrl: queueUrl, Label: required(string()) }),
      async handler(input, ctx) {
        await queues.removePermission(queues.resolve(input.QueueUrl, ctx, 'RemovePermission'), input.Label);
      },
    }),
  };
}
