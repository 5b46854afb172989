/** Log groups: CreateLogGroup, DeleteLogGroup, DescribeLogGroups, PutRetentionPolicy, DeleteRetentionPolicy. */
import { defineOperation } from '../../../protocols/define-operation.js';
import { boolean, integer, list, required, string, structure } from '../../../protocols/shapes.js';
import type { Operation } from '../../service.js';
import { InvalidParameterException } from '../errors.js';
import type { LogsEngine } from '../engine/index.js';
import type { LogGroup } from '../engine/registry.js';
import { pageOf } from '../engine/tokens.js';
import { GROUP_NAME_PATTERN, RETENTION_DAYS } from '../engine/validate.js';
import { limit, LOG_GROUP_CLASSES, logGroupName, nextToken, tagMap } from './shapes.js';

const logGroupClass = string({ enum: LOG_GROUP_CLASSES });

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
    CreateLogGroup: defineOperation({
      input: structure({ logGroupName: required(logGroupName), kmsKeyId: string({ max: 256 }), tags: tagMap, logGroupClass }),
      async handler(input, ctx) {
        if (input.logGroupName.toLowerCase().startsWith('aws/')) throw new InvalidParameterException('Log groups starting with AWS/ are reserved for AWS.');
        await registry.createGroup(ctx, input.logGroupName, input);
      },
    }),

    DeleteLogGroup: defineOperation({
      input: structure({ logGroupName: required(logGroupName) }),
      async handler(input, ctx) {
        await registry.deleteGroup(registry.group(ctx, input.logGroupName));
      },
    }),

    DescribeLogGroups: defineOperation({
      input: structure({
        accountIdentifiers: list(string()),
        logGroupNamePrefix: logGroupName,
        logGroupNamePattern: string({ max: 512, pattern: GROUP_NAME_PATTERN }),
        nextToken,
        limit: limit(50),
        includeLinkedAccounts: boolean(),
        logGroupClass,
        logGroupIdentifiers: list(string()),
      }),
      handler(input, ctx) {
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
    }),

    PutRetentionPolicy: defineOperation({
      input: structure({ logGroupName: required(logGroupName), retentionInDays: required(integer({ enum: RETENTION_DAYS })) }),
      async handler(input, ctx) {
        await registry.setRetention(registry.group(ctx, input.logGroupName), input.retentionInDays);
      },
    }),

    DeleteRetentionPolicy: defineOperation({
      input: structure({ logGroupName: required(logGroupName) }),
      async handler(input, ctx) {
        await registry.setRetention(registry.group(ctx, input.logGroupName), null);
      },
    }),
  };
}
