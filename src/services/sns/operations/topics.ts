/**
 * Topic lifecycle, attributes, permissions and tags: CreateTopic ... ListTagsForResource,
 * AddPermission/RemovePermission and the data-protection policy.
 */
import { defineOperation } from '../../../protocols/define-operation.js';
import type { Operation, RequestContext } from '../../service.js';
import type { SnsEngine } from '../engine/index.js';
import type { Topic } from '../engine/topics.js';
import { invalidParameter, NotFound, ResourceNotFound } from '../errors.js';
import { attributeMap, list, mapToTags, required, string, structure, tagList, tagsToMap } from './shapes.js';

export function topicOperations({ topics }: SnsEngine): Record<string, Operation> {
  /** The topic a tagging call names; SNS answers ResourceNotFound there. */
  const resource = (arn: string, ctx: RequestContext, action: string): Topic => {
    try {
      return topics.resolve(arn, ctx, action, 'ResourceArn');
    } catch (e) {
      if (e instanceof NotFound) throw new ResourceNotFound('Resource does not exist');
      throw e;
    }
  };
  return {
    CreateTopic: defineOperation({
      input: structure({ Name: required(string()), Attributes: attributeMap, Tags: tagList, DataProtectionPolicy: string() }),
      output: structure({ TopicArn: string() }),
      async handler(input, ctx) {
        const t = await topics.create(ctx, input.Name, input.Attributes ?? {}, tagsToMap(input.Tags), input.DataProtectionPolicy);
        return { TopicArn: t.arn };
      },
    }),

    DeleteTopic: defineOperation({
      input: structure({ TopicArn: required(string()) }),
      async handler(input, ctx) {
        let t: Topic;
        try {
          t = topics.resolve(input.TopicArn, ctx, 'DeleteTopic');
        } catch (e) {
          // Deleting a topic that is already gone succeeds, as in AWS.
          if (e instanceof NotFound) return;
          throw e;
        }
        await topics.delete(t);
      },
    }),

    ListTopics: defineOperation({
      input: structure({ NextToken: string() }),
      output: structure({ Topics: list(structure({ TopicArn: string() })), NextToken: string() }),
      async handler(input, ctx) {
        const { arns, next } = await topics.list(ctx, input.NextToken);
        return { Topics: arns.map((TopicArn) => ({ TopicArn })), NextToken: next };
      },
    }),

    GetTopicAttributes: defineOperation({
      input: structure({ TopicArn: required(string()) }),
      output: structure({ Attributes: attributeMap }),
      handler(input, ctx) {
        return { Attributes: topics.attributes(topics.resolve(input.TopicArn, ctx, 'GetTopicAttributes')) };
      },
    }),

    SetTopicAttributes: defineOperation({
      input: structure({ TopicArn: required(string()), AttributeName: required(string()), AttributeValue: string() }),
      async handler(input, ctx) {
        await topics.setAttribute(topics.resolve(input.TopicArn, ctx, 'SetTopicAttributes'), input.AttributeName, input.AttributeValue);
      },
    }),

    AddPermission: defineOperation({
      input: structure({ TopicArn: required(string()), Label: required(string()), AWSAccountId: required(list(string())), ActionName: required(list(string())) }),
      async handler(input, ctx) {
        await topics.addPermission(topics.resolve(input.TopicArn, ctx, 'AddPermission'), input.Label, input.AWSAccountId, input.ActionName);
      },
    }),

    RemovePermission: defineOperation({
      input: structure({ TopicArn: required(string()), Label: required(string()) }),
      async handler(input, ctx) {
        await topics.removePermission(topics.resolve(input.TopicArn, ctx, 'RemovePermission'), input.Label);
      },
    }),

    GetDataProtectionPolicy: defineOperation({
      input: structure({ ResourceArn: required(string()) }),
      output: structure({ DataProtectionPolicy: string() }),
      handler(input, ctx) {
        const t = topics.resolve(input.ResourceArn, ctx, 'GetDataProtectionPolicy', 'ResourceArn');
        return { DataProtectionPolicy: topics.dataProtectionPolicy(t) };
      },
    }),

    PutDataProtectionPolicy: defineOperation({
      input: structure({ ResourceArn: required(string()), DataProtectionPolicy: required(string()) }),
      async handler(input, ctx) {
        await topics.putDataProtectionPolicy(topics.resolve(input.ResourceArn, ctx, 'PutDataProtectionPolicy', 'ResourceArn'), input.DataProtectionPolicy);
      },
    }),

    TagResource: defineOperation({
      input: structure({ ResourceArn: required(string()), Tags: required(tagList) }),
      output: structure({}),
      async handler(input, ctx) {
        if (input.Tags.length === 0) throw invalidParameter('Tags');
        await topics.tag(resource(input.ResourceArn, ctx, 'TagResource'), tagsToMap(input.Tags));
        return {};
      },
    }),

    UntagResource: defineOperation({
      input: structure({ ResourceArn: required(string()), TagKeys: required(list(string())) }),
      output: structure({}),
      async handler(input, ctx) {
        await topics.untag(resource(input.ResourceArn, ctx, 'UntagResource'), input.TagKeys);
        return {};
      },
    }),

    ListTagsForResource: defineOperation({
      input: structure({ ResourceArn: required(string()) }),
      output: structure({ Tags: tagList }),
      handler(input, ctx) {
        return { Tags: mapToTags(resource(input.ResourceArn, ctx, 'ListTagsForResource').tags) };
      },
    }),
  };
}
