/** Topic lifecycle, attributes and tags: CreateTopic ... ListTagsForResource. */
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
    CreateTopic: {
      input: structure({ Name: required(string()), Attributes: attributeMap, Tags: tagList, DataProtectionPolicy: string() }),
      output: structure({ TopicArn: string() }),
      async handler(input: { Name: string; Attributes?: Record<string, string>; Tags?: { Key: string; Value: string }[] }, ctx: RequestContext) {
        const t = await topics.create(ctx, input.Name, input.Attributes ?? {}, tagsToMap(input.Tags));
        return { TopicArn: t.arn };
      },
    },

    DeleteTopic: {
      input: structure({ TopicArn: required(string()) }),
      async handler(input: { TopicArn: string }, ctx: RequestContext) {
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
    },

    ListTopics: {
      input: structure({ NextToken: string() }),
      output: structure({ Topics: list(structure({ TopicArn: string() })), NextToken: string() }),
      handler(input: { NextToken?: string }, ctx: RequestContext) {
        const { arns, next } = topics.list(ctx, input.NextToken);
        return { Topics: arns.map((TopicArn) => ({ TopicArn })), NextToken: next };
      },
    },

    GetTopicAttributes: {
      input: structure({ TopicArn: required(string()) }),
      output: structure({ Attributes: attributeMap }),
      handler(input: { TopicArn: string }, ctx: RequestContext) {
        return { Attributes: topics.attributes(topics.resolve(input.TopicArn, ctx, 'GetTopicAttributes')) };
      },
    },

    SetTopicAttributes: {
      input: structure({ TopicArn: required(string()), AttributeName: required(string()), AttributeValue: string() }),
      async handler(input: { TopicArn: string; AttributeName: string; AttributeValue?: string }, ctx: RequestContext) {
        await topics.setAttribute(topics.resolve(input.TopicArn, ctx, 'SetTopicAttributes'), input.AttributeName, input.AttributeValue);
      },
    },

    TagResource: {
      input: structure({ ResourceArn: required(string()), Tags: required(tagList) }),
      output: structure({}),
      async handler(input: { ResourceArn: string; Tags: { Key: string; Value: string }[] }, ctx: RequestContext) {
        if (input.Tags.length === 0) throw invalidParameter('Tags');
        await topics.tag(resource(input.ResourceArn, ctx, 'TagResource'), tagsToMap(input.Tags));
        return {};
      },
    },

    UntagResource: {
      input: structure({ ResourceArn: required(string()), TagKeys: required(list(string())) }),
      output: structure({}),
      async handler(input: { ResourceArn: string; TagKeys: string[] }, ctx: RequestContext) {
        await topics.untag(resource(input.ResourceArn, ctx, 'UntagResource'), input.TagKeys);
        return {};
      },
    },

    ListTagsForResource: {
      input: structure({ ResourceArn: required(string()) }),
      output: structure({ Tags: tagList }),
      handler(input: { ResourceArn: string }, ctx: RequestContext) {
        return { Tags: mapToTags(resource(input.ResourceArn, ctx, 'ListTagsForResource').tags) };
      },
    },
  };
}
