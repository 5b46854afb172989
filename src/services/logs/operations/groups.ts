/** Log groups: CreateLogGroup, DeleteLogGroup, DescribeLogGroups, PutRetentionPolicy, DeleteRetentionPolicy. */
import { boolean, integer, list, map, required, string, structure } from '../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../service.js';
import { InvalidParameterException } from '../errors.js';
import type { LogsEngine } from '../engine/index.js';
import type { LogGroup } from '../engine/registry.js';
import { pageOf } from '../engine/tokens.js';
import { Checks, GROUP_NAME, GROUP_NAME_PATTERN, RETENTION_DAYS } from '../engine/validate.js';

const LOG_GROUP_CLASSES = ['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY'];

export function describeGroup(g: LogGroup, storedBytes: number) {
  return {
    logGroupName: g.name,
    creationTime: g.createdAt,
    ...(g.retentionDays !== null ? { retentionInDays: g.retentionDays } : {}),
    metricFilterCount: 0,
    arn: g.arn,
    storedBytes,
    ...(g.kmsKeyId !== null ? { kmsKeyId: g.kmsKeyId } : {}),
    logGroupClass: g.logGroupClass,
    logGroupArn: g.logGroupArn,
  };
}

export function groupOperations({ registry }: LogsEngine): Record<string, Operation> {
  return {
    CreateLogGroup: {
      input: structure({ logGroupName: required(string()), kmsKeyId: string(), tags: map(string(), string()), logGroupClass: string() }),
      async handler(input: { logGroupName: string; kmsKeyId?: string; tags?: Record<string, string>; logGroupClass?: string }, ctx: RequestContext) {
        new Checks()
          .name('logGroupName', input.logGroupName, GROUP_NAME)
          .length('kmsKeyId', input.kmsKeyId, 0, 256)
          .tags('tags', input.tags)
          .oneOf('logGroupClass', input.logGroupClass, LOG_GROUP_CLASSES)
          .done();
        if (input.logGroupName.toLowerCase().startsWith('aws/')) throw new InvalidParameterException('Log groups starting with AWS/ are reserved for AWS.');
        await registry.createGroup(ctx, input.logGroupName, input);
      },
    },

    DeleteLogGroup: {
      input: structure({ logGroupName: required(string()) }),
      async handler(input: { logGroupName: string }, ctx: RequestContext) {
        new Checks().name('logGroupName', input.logGroupName, GROUP_NAME).done();
        await registry.deleteGroup(registry.group(ctx, input.logGroupName));
      },
    },

    DescribeLogGroups: {
      input: structure({
        accountIdentifiers: list(string()),
        logGroupNamePrefix: string(),
        logGroupNamePattern: string(),
        nextToken: string(),
        limit: integer(),
        includeLinkedAccounts: boolean(),
        logGroupClass: string(),
        logGroupIdentifiers: list(string()),
      }),
      handler(
        input: { logGroupNamePrefix?: string; logGroupNamePattern?: string; nextToken?: string; limit?: number; logGroupClass?: string; logGroupIdentifiers?: string[] },
        ctx: RequestContext,
      ) {
        new Checks()
          .name('logGroupNamePrefix', input.logGroupNamePrefix, GROUP_NAME)
          .length('logGroupNamePattern', input.logGroupNamePattern, 0, 512)
          .pattern('logGroupNamePattern', input.logGroupNamePattern, GROUP_NAME_PATTERN)
          .range('limit', input.limit, 1, 50)
          .length('nextToken', input.nextToken, 1, Infinity)
          .oneOf('logGroupClass', input.logGroupClass, LOG_GROUP_CLASSES)
          .done();
        if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
          throw new InvalidParameterException('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
        }
        const prefix = input.logGroupNamePrefix;
        const pattern = input.logGroupNamePattern?.toLowerCase();
        const ids = input.logGroupIdentifiers && new Set(input.logGroupIdentifiers);
        const groups = registry
          .list(ctx)
          .filter(
            (g) =>
              (prefix === undefined || g.name.startsWith(prefix)) &&
              (pattern === undefined || g.name.toLowerCase().includes(pattern)) &&
              (input.logGroupClass === undefined || g.logGroupClass === input.logGroupClass) &&
              (ids === undefined || ids.has(g.name) || ids.has(g.logGroupArn) || ids.has(g.arn)),
          );
        const { page, nextToken } = pageOf(groups, (g) => [g.name], input.limit ?? 50, input.nextToken);
        return { logGroups: page.map((g) => describeGroup(g, registry.storedBytes(g))), ...(nextToken ? { nextToken } : {}) };
      },
    },

    PutRetentionPolicy: {
      input: structure({ logGroupName: required(string()), retentionInDays: required(integer()) }),
      async handler(input: { logGroupName: string; retentionInDays: number }, ctx: RequestContext) {
        new Checks().name('logGroupName', input.logGroupName, GROUP_NAME).oneOf('retentionInDays', input.retentionInDays, RETENTION_DAYS).done();
        await registry.setRetention(registry.group(ctx, input.logGroupName), input.retentionInDays);
      },
    },

    DeleteRetentionPolicy: {
      input: structure({ logGroupName: required(string()) }),
      async handler(input: { logGroupName: string }, ctx: RequestContext) {
        new Checks().name('logGroupName', input.logGroupName, GROUP_NAME).done();
        await registry.setRetention(registry.group(ctx, input.logGroupName), null);
      },
    },
  };
}
