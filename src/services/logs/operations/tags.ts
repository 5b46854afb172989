/**
 * Tags of log groups: TagResource, UntagResource, ListTagsForResource (by ARN), and the older
 * TagLogGroup, UntagLogGroup, ListTagsLogGroup (by name).
 */
import { parseArn } from '../../../lib/arn.js';
import { list, map, required, string, structure } from '../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../service.js';
import { ResourceNotFoundException } from '../errors.js';
import type { LogsEngine } from '../engine/index.js';
import type { LogGroup, Registry } from '../engine/registry.js';
import { Checks, GROUP_NAME, RESOURCE_ARN, TAG_KEY } from '../engine/validate.js';

const tagMap = map(string(), string());

/** The caller's log group an ARN names (`...:log-group:<name>`, with or without `:*`). */
function groupByArn(registry: Registry, arn: string, ctx: RequestContext): LogGroup {
  const a = parseArn(arn);
  if (!a || a.service !== 'logs' || !a.resource.startsWith('log-group:')) throw new ResourceNotFoundException('The specified resource does not exist.');
  return registry.ownByArn(ctx, arn);
}

function checkKeys(checks: Checks, path: string, keys: string[]): Checks {
  checks.count(path, keys, 1, 50);
  keys.forEach((k, i) => checks.name(`${path}.${i + 1}.member`, k, TAG_KEY, 128));
  return checks;
}

export function tagOperations({ registry }: LogsEngine): Record<string, Operation> {
  return {
    TagResource: {
      input: structure({ resourceArn: required(string()), tags: required(tagMap) }),
      async handler(input: { resourceArn: string; tags: Record<string, string> }, ctx: RequestContext) {
        new Checks().name('resourceArn', input.resourceArn, RESOURCE_ARN, 1011).tags('tags', input.tags).done();
        await registry.tag(groupByArn(registry, input.resourceArn, ctx), input.tags);
      },
    },

    UntagResource: {
      input: structure({ resourceArn: required(string()), tagKeys: required(list(string())) }),
      async handler(input: { resourceArn: string; tagKeys: string[] }, ctx: RequestContext) {
        checkKeys(new Checks().name('resourceArn', input.resourceArn, RESOURCE_ARN, 1011), 'tagKeys', input.tagKeys).done();
        await registry.untag(groupByArn(registry, input.resourceArn, ctx), input.tagKeys);
      },
    },

    ListTagsForResource: {
      input: structure({ resourceArn: required(string()) }),
      handler(input: { resourceArn: string }, ctx: RequestContext) {
        new Checks().name('resourceArn', input.resourceArn, RESOURCE_ARN, 1011).done();
        return { tags: { ...groupByArn(registry, input.resourceArn, ctx).tags } };
      },
    },

    TagLogGroup: {
      input: structure({ logGroupName: required(string()), tags: required(tagMap) }),
      async handler(input: { logGroupName: string; tags: Record<string, string> }, ctx: RequestContext) {
        new Checks().name('logGroupName', input.logGroupName, GROUP_NAME).tags('tags', input.tags).done();
        await registry.tag(registry.group(ctx, input.logGroupName), input.tags);
      },
    },

    UntagLogGroup: {
      input: structure({ logGroupName: required(string()), tags: required(list(string())) }),
      async handler(input: { logGroupName: string; tags: string[] }, ctx: RequestContext) {
        checkKeys(new Checks().name('logGroupName', input.logGroupName, GROUP_NAME), 'tags', input.tags).done();
        await registry.untag(registry.group(ctx, input.logGroupName), input.tags);
      },
    },

    ListTagsLogGroup: {
      input: structure({ logGroupName: required(string()) }),
      handler(input: { logGroupName: string }, ctx: RequestContext) {
        new Checks().name('logGroupName', input.logGroupName, GROUP_NAME).done();
        return { tags: { ...registry.group(ctx, input.logGroupName).tags } };
      },
    },
  };
}
