/** Table-level operations, TTL, tags and account information. */
import type { DynamoEngine } from '../engine/index.js';
import {
  createTable,
  deleteTable,
  describeTableOp,
  describeTimeToLive,
  listTables,
  listTagsOfResource,
  tagResource,
  untagResource,
  updateTable,
  updateTimeToLive,
} from '../engine/table-ops.js';
import type { Operation } from '../../service.js';
import { integer } from '../../../protocols/shapes.js';
import { INDEX_NAME, op, struct, TAGS } from './define.js';

export function tableOperations(engine: DynamoEngine): Record<string, Operation> {
  return {
    // CreateTable and UpdateTable check their input in DynamoDB's layers themselves
    // (table-validation.ts): nested members read first, then the table name alone, then the
    // constraints; a member declared required here would be reported ahead of all that.
    CreateTable: op(
      {
        TableName: 'string',
        AttributeDefinitions: 'list',
        KeySchema: 'list',
        LocalSecondaryIndexes: 'list',
        GlobalSecondaryIndexes: 'list',
        BillingMode: 'string',
        ProvisionedThroughput: struct('ProvisionedThroughput'),
        StreamSpecification: struct('StreamSpecification'),
        SSESpecification: struct('SSESpecification'),
        Tags: 'list',
        TableClass: 'string',
        DeletionProtectionEnabled: 'boolean',
      },
      (input, ctx) => createTable(engine, ctx, input),
    ),
    DeleteTable: op({ TableName: 'string!' }, (input, ctx) => deleteTable(engine, ctx, input)),
    DescribeTable: op({ TableName: 'string!' }, (input, ctx) => describeTableOp(engine, ctx, input)),
    ListTables: op({ ExclusiveStartTableName: INDEX_NAME, Limit: { shape: integer({ min: 1, max: 100 }) } }, (input, ctx) => listTables(engine, ctx, input)),
    UpdateTable: op(
      {
        TableName: 'string',
        AttributeDefinitions: 'list',
        BillingMode: 'string',
        ProvisionedThroughput: struct('ProvisionedThroughput'),
        GlobalSecondaryIndexUpdates: 'list',
        StreamSpecification: struct('StreamSpecification'),
        SSESpecification: struct('SSESpecification'),
        ReplicaUpdates: 'list',
        TableClass: 'string',
        DeletionProtectionEnabled: 'boolean',
      },
      (input, ctx) => updateTable(engine, ctx, input),
    ),
    UpdateTimeToLive: op({ TableName: 'string!', TimeToLiveSpecification: struct('TimeToLiveSpecification') }, (input, ctx) => updateTimeToLive(engine, ctx, input)),
    DescribeTimeToLive: op({ TableName: 'string!' }, (input, ctx) => describeTimeToLive(engine, ctx, input)),
    TagResource: op({ ResourceArn: 'string', Tags: TAGS }, (input, ctx) => tagResource(engine, ctx, input)),
    UntagResource: op({ ResourceArn: 'string', TagKeys: 'strings' }, (input, ctx) => untagResource(engine, ctx, input)),
    ListTagsOfResource: op({ ResourceArn: 'string', NextToken: 'string' }, (input, ctx) => listTagsOfResource(engine, ctx, input)),
    DescribeEndpoints: op({}, (_input, ctx) => ({
      Endpoints: [{ Address: new URL(ctx.endpoint).host, CachePeriodInMinutes: 1440 }],
    })),
    DescribeLimits: op({}, () => ({
      AccountMaxReadCapacityUnits: 80000,
      AccountMaxWriteCapacityUnits: 80000,
      TableMaxReadCapacityUnits: 40000,
      TableMaxWriteCapacityUnits: 40000,
    })),
  };
}
