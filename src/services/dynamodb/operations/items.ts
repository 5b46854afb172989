/** Item reads and writes, batches and transactions. */
import { batchGetItem, batchWriteItem } from '../engine/batch-ops.js';
import type { DynamoEngine } from '../engine/index.js';
import { deleteItem, getItemOperation, putItem, updateItem } from '../engine/item-ops.js';
import { query, scan } from '../engine/read-ops.js';
import { transactGetItems, transactWriteItems } from '../engine/transact-ops.js';
import type { Operation } from '../../service.js';
import { EXPRESSION_MEMBERS, op } from './define.js';

const WRITE_COMMON = {
  TableName: 'string!',
  ConditionExpression: 'string',
  Expected: 'doc',
  ConditionalOperator: 'string',
  ReturnValues: 'string',
  ReturnConsumedCapacity: 'string',
  ReturnItemCollectionMetrics: 'string',
  ReturnValuesOnConditionCheckFailure: 'string',
  ...EXPRESSION_MEMBERS,
} as const;

const READ_COMMON = {
  TableName: 'string!',
  IndexName: 'string',
  Select: 'string',
  AttributesToGet: 'strings',
  Limit: 'integer',
  ConsistentRead: 'boolean',
  ConditionalOperator: 'string',
  ExclusiveStartKey: 'doc',
  ReturnConsumedCapacity: 'string',
  ProjectionExpression: 'string',
  FilterExpression: 'string',
  ...EXPRESSION_MEMBERS,
} as const;

export function itemOperations(engine: DynamoEngine): Record<string, Operation> {
  return {
    PutItem: op({ ...WRITE_COMMON, Item: 'doc!' }, (input, ctx) => putItem(engine, ctx, input)),
    DeleteItem: op({ ...WRITE_COMMON, Key: 'doc!' }, (input, ctx) => deleteItem(engine, ctx, input)),
    UpdateItem: op(
      { ...WRITE_COMMON, Key: 'doc!', AttributeUpdates: 'doc', UpdateExpression: 'string' },
      (input, ctx) => updateItem(engine, ctx, input),
    ),
    GetItem: op(
      {
        TableName: 'string!',
        Key: 'doc!',
        AttributesToGet: 'strings',
        ConsistentRead: 'boolean',
        ReturnConsumedCapacity: 'string',
        ProjectionExpression: 'string',
        ExpressionAttributeNames: 'names',
      },
      (input, ctx) => getItemOperation(engine, ctx, input),
    ),
    Query: op(
      { ...READ_COMMON, KeyConditions: 'doc', QueryFilter: 'doc', ScanIndexForward: 'boolean', KeyConditionExpression: 'string' },
      (input, ctx) => query(engine, ctx, input),
    ),
    Scan: op({ ...READ_COMMON, ScanFilter: 'doc', TotalSegments: 'integer', Segment: 'integer' }, (input, ctx) => scan(engine, ctx, input)),
    BatchGetItem: op({ RequestItems: 'doc!', ReturnConsumedCapacity: 'string' }, (input, ctx) => batchGetItem(engine, ctx, input)),
    BatchWriteItem: op(
      { RequestItems: 'doc!', ReturnConsumedCapacity: 'string', ReturnItemCollectionMetrics: 'string' },
      (input, ctx) => batchWriteItem(engine, ctx, input),
    ),
    TransactWriteItems: op(
      { TransactItems: 'doc!', ReturnConsumedCapacity: 'string', ReturnItemCollectionMetrics: 'string', ClientRequestToken: 'string' },
      (input, ctx) => transactWriteItems(engine, ctx, input),
    ),
    TransactGetItems: op({ TransactItems: 'doc!', ReturnConsumedCapacity: 'string' }, (input, ctx) => transactGetItems(engine, ctx, input)),
  };
}
