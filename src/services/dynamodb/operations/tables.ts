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
import { op } from './define.js';

export function tableOperations(engine: DynamoEngine): Record<string, Operation> {
  return {
    CreateTable: op(
      {
        TableName: 'string!',
        AttributeDefinitions: 'doc!',
        KeySchema: 'doc!',
        LocalSecondaryIndexes: 'doc',
        GlobalSecondaryIndexes: 'doc',
        BillingMode: 'string',
        ProvisionedThroughput: 'doc',
        StreamSpecification: 'doc',
        SSESpecification: 'doc',
        Tags: 'doc',
        TableClass: 'string',
        DeletionProtectionEnabled: 'boolean',
      },
      (input, ctx) => createTable(engine, ctx, input),
    ),
    DeleteTable: op({ TableName: 'string!' }, (input, ctx) => deleteTable(engine, ctx, input)),
    DescribeTable: op({ TableName: 'string!' }, (input, ctx) => describeTableOp(engine, ctx, input)),
    ListTables: op({ ExclusiveStartTableName: 'string', Limit: 'integer' }, (input, ctx) => listTables(engine, ctx, input)),
    UpdateTable: op(
      {
        TableName: 'string!',
        AttributeDefinitions: 'doc',
        BillingMode: 'string',
        ProvisionedThroughput: 'doc',
        GlobalSecondaryIndexUpdates: 'doc',
        StreamSpecification: 'doc',
        SSESpecification: 'doc',
        ReplicaUpdates: 'doc',
        TableClass: 'string',
        DeletionProtectionEnabled: 'boolean',
      },
      (input, ctx) => updateTable(engine, ctx, input),
    ),
    UpdateTimeToLive: op({ TableName: 'string!', TimeToLiveSpecification: 'doc!' }, (input, ctx) => updateTimeToLive(engine, ctx, input)),
    DescribeTimeToLive: op({ TableName: 'string!' }, (input, ctx) => describeTimeToLive(engine, ctx, input)),
    TagResource: op({ ResourceArn: 'string!', Tags: 'doc!' }, (input, ctx) => tagResource(engine, ctx, input)),
    UntagResource: op({ ResourceArn: 'string!', TagKeys: 'strings!' }, (input, ctx) => untagResource(engine, ctx, input)),
    ListTagsOfResource: op({ ResourceArn: 'string!', NextToken: 'string' }, (input, ctx) => listTagsOfResource(engine, ctx, input)),
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
