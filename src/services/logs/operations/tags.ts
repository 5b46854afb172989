/**
 * Tags of log groups: TagResource, UntagResource, ListTagsForResource (by ARN), and the older
 * TagLogGroup, UntagLogGroup, ListTagsLogGroup (by name).
 */
import { parseArn } from '../../../lib/arn.js';
import { defineOperation } from '../../../protocols/define-operation.js';
import { required, structure } from '../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../service.js';
import { ResourceNotFoundException } from '../errors.js';
import type { LogsEngine } from '../engine/index.js';
import type { LogGroup, Registry } from '../engine/registry.js';
import { logGroupName, resourceArn, tagKeys, tagMap } from './shapes.js';

/** The caller's log group an ARN names (`...:log-group:<name>`, with or without `:*`). */
function groupByArn(registry: Registry, arn: string, ctx: RequestContext): LogGroup {
  const a = parseArn(arn);
  if (!a || a.service !== 'logs' || !a.resource.startsWith('log-group:')) throw new ResourceNotFoundException('The specified resource does not exist.');
  return registry.ownByArn(ctx, arn);
}

export function tagOperations({ registry }: LogsEngine): Record<string, Operation> {
  return {
    TagResource: defineOperation({
      input: structure({ resourceArn: required(resourceArn), tags: required(tagMap) }),
      async handler(input, ctx) {
        await registry.tag(groupByArn(registry, input.resourceArn, ctx), input.tags);
      },
    }),

    UntagResource: defineOperation({
      input: structure({ resourceArn: required(resourceArn), tagKeys: required(tagKeys) }),
      async handler(input, ctx) {
        await registry.untag(groupByArn(registry, input.resourceArn, ctx), input.tagKeys);
      },
    }),

    ListTagsForResource: defineOperation({
      input: structure({ resourceArn: required(resourceArn) }),
      handler(input, ctx) {
        return { tags: { ...groupByArn(registry, input.resourceArn, ctx).tags } };
      },
    }),

    TagLogGroup: defineOperation({
      input: structure({ logGroupName: required(logGroupName), tags: required(tagMap) }),
      async handler(input, ctx) {
        await registry.tag(registry.group(ctx, input.logGroupName), input.tags);
      },
    }),

    UntagLogGroup: defineOperation({
      input: structure({ logGroupName: required(logGroupName), tags: required(tagKeys) }),
      async handler(input, ctx) {
        await registry.untag(registry.group(ctx, input.logGroupName), input.tags);
      },
    }),

    ListTagsLogGroup: defineOperation({
      input: structure({ logGroupName: required(logGroupName) }),
      handler(input, ctx) {
        return { tags: { ...registry.group(ctx, input.logGroupName).tags } };
      },
    }),
  };
}
