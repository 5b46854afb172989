/** Queue lifecycle and attributes: CreateQueue ... ListDeadLetterSourceQueues. */
import { defineOperation } from '../../../protocols/define-operation.js';
import type { Operation } from '../../service.js';
import { InvalidAttributeName, InvalidParameterValue, QueueDoesNotExist } from '../errors.js';
import type { SqsEngine } from '../engine/index.js';
import { ALL_ATTRIBUTE_NAMES } from '../engine/queue-attributes.js';
import { attributeMap, integer, list, named, queueUrl, required, string, structure, tagMap } from './shapes.js';

const queueUrlList = list(string(), { memberName: 'QueueUrl', flattened: true });

/** ListQueues / ListDeadLetterSourceQueues pagination: the token is the last name returned. */
function paginate<T extends { name: string }>(items: T[], maxResults: number | undefined, nextToken: string | undefined, fallbackLimit: number) {
  if (maxResults !== undefined && (maxResults < 1 || maxResults > 1000)) {
    throw new InvalidParameterValue(`Value ${maxResults} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.`);
  }
  let start = 0;
  if (nextToken !== undefined) {
    let after: string;
    try {
      after = JSON.parse(Buffer.from(nextToken, 'base64').toString('utf8')).after;
      if (typeof after !== 'string') throw new Error('bad token');
    } catch {
      throw new InvalidParameterValue('Invalid NextToken value.');
    }
    start = items.findIndex((q) => q.name > after);
    if (start < 0) start = items.length;
  }
  const limit = maxResults ?? fallbackLimit;
  const page = items.slice(start, start + limit);
  const more = maxResults !== undefined && start + limit < items.length;
  return { page, next: more ? Buffer.from(JSON.stringify({ after: page[page.length - 1]!.name })).toString('base64') : undefined };
}

export function queueOperations(sqs: SqsEngine): Record<string, Operation> {
  const { queues, messages } = sqs;
  return {
    CreateQueue: defineOperation({
      input: structure({
        QueueName: required(string()),
        Attributes: named(attributeMap, 'Attribute'),
        tags: named(tagMap, 'Tag'),
      }),
      output: structure({ QueueUrl: string() }),
      async handler(input, ctx) {
        const q = await queues.create(ctx, input.QueueName, input.Attributes ?? {}, input.tags ?? {});
        return { QueueUrl: queues.url(q, ctx.endpoint) };
      },
    }),

    DeleteQueue: defineOperation({
      input: structure({ QueueUrl: queueUrl }),
      async handler(input, ctx) {
        const q = queues.resolve(input.QueueUrl, ctx, 'DeleteQueue');
        await queues.delete(q);
        sqs.polls.wake(q.id);
      },
    }),

    GetQueueUrl: defineOperation({
      input: structure({ QueueName: required(string()), QueueOwnerAWSAccountId: string() }),
      output: structure({ QueueUrl: string() }),
      handler(input, ctx) {
        const owner = input.QueueOwnerAWSAccountId ?? ctx.accountId;
        const q = queues.find(owner, ctx.region, input.QueueName);
        // A queue the caller may not get is answered as a missing one (AWS: "The specified queue
        // does not exist or you do not have access to it."), so no name of another account's
        // queues can be told from a missing one.
        if (!q || !queues.allows(q, ctx.accountId, 'GetQueueUrl')) throw new QueueDoesNotExist('The specified queue does not exist.');
        return { QueueUrl: queues.url(q, ctx.endpoint) };
      },
    }),

    ListQueues: defineOperation({
      input: structure({ QueueNamePrefix: string(), NextToken: string(), MaxResults: integer() }),
      output: structure({ QueueUrls: named(queueUrlList, 'QueueUrl'), NextToken: string() }),
      handler(input, ctx) {
        const { page, next } = paginate(queues.list(ctx, input.QueueNamePrefix), input.MaxResults, input.NextToken, 1000);
        return { QueueUrls: page.length ? page.map((q) => queues.url(q, ctx.endpoint)) : undefined, NextToken: next };
      },
    }),

    GetQueueAttributes: defineOperation({
      input: structure({
        QueueUrl: queueUrl,
        AttributeNames: list(string(), { memberName: 'AttributeName', flattened: true }),
      }),
      output: structure({ Attributes: named(attributeMap, 'Attribute') }),
      async handler(input, ctx) {
        const q = queues.resolve(input.QueueUrl, ctx, 'GetQueueAttributes');
        const names = input.AttributeNames ?? [];
        for (const n of names) {
          if (n !== 'All' && !ALL_ATTRIBUTE_NAMES.has(n)) throw new InvalidAttributeName(`Unknown Attribute ${n}.`);
        }
        const attributes = await sqs.attributes(q, names);
        return Object.keys(attributes).length ? { Attributes: attributes } : {};
      },
    }),

    SetQueueAttributes: defineOperation({
      input: structure({ QueueUrl: queueUrl, Attributes: required(attributeMap, 'Attribute') }),
      async handler(input, ctx) {
        const q = queues.resolve(input.QueueUrl, ctx, 'SetQueueAttributes');
        await queues.setAttributes(q, input.Attributes);
      },
    }),

    PurgeQueue: defineOperation({
      input: structure({ QueueUrl: queueUrl }),
      async handler(input, ctx) {
        await messages.purge(queues.resolve(input.QueueUrl, ctx, 'PurgeQueue'));
      },
    }),

    ListDeadLetterSourceQueues: defineOperation({
      input: structure({ QueueUrl: queueUrl, NextToken: string(), MaxResults: integer() }),
      output: structure({ queueUrls: named(queueUrlList, 'QueueUrl'), NextToken: string() }),
      handler(input, ctx) {
        const q = queues.resolve(input.QueueUrl, ctx, 'ListDeadLetterSourceQueues');
        const { page, next } = paginate(queues.deadLetterSources(q), input.MaxResults, input.NextToken, 1000);
        return { queueUrls: page.map((s) => queues.url(s, ctx.endpoint)), NextToken: next };
      },
    }),
  };
}
