/**
 * Item reads and writes, batches and transactions. Members are declared in the order DynamoDB
 * checks them, so several violations are reported in its order.
 */
import { batchGetItem, batchWriteItem } from '../engine/batch-ops.js';
import type { DynamoEngine } from '../engine/index.js';
import { deleteItem, getItemOperation, putItem, updateItem } from '../engine/item-ops.js';
import { query, scan } from '../engine/read-ops.js';
import { transactGetItems, transactWriteItems } from '../engine/transact-ops.js';
import type { Operation } from '../../service.js';
import {
  ATTRIBUTE_UPDATES,
  ATTRIBUTES_TO_GET,
  CONDITIONAL_OPERATOR,
  CONDITIONS,
  EXPECTED,
  EXPRESSION_MEMBERS,
  INDEX_NAME,
  KEYS_AND_ATTRIBUTES,
  LIMIT,
  op,
  RETURN_CONSUMED_CAPACITY,
  RETURN_ITEM_COLLECTION_METRICS,
  RETURN_VALUES,
  RETURN_VALUES_ON_CONDITION_CHECK_FAILURE,
  SELECT,
  TABLE_NAME,
  WRITE_REQUESTS,
} from './define.js';
import { integer } from '../../../protocols/shapes.js';

export function itemOperations(engine: DynamoEngine): Record<string, Operation> {
  return {
    PutItem: op(
      {
        ReturnConsumedCapacity: RETURN_CONSUMED_CAPACITY,
        TableName: TABLE_NAME,
        Item: 'attrs!',
        ConditionalOperator: CONDITIONAL_OPERATOR,
        Expected: EXPECTED,
        ReturnValues: RETURN_VALUES,
        ReturnItemCollectionMetrics: RETURN_ITEM_COLLECTION_METRICS,
        ReturnValuesOnConditionCheckFailure: RETURN_VALUES_ON_CONDITION_CHECK_FAILURE,
        ConditionExpression: 'string',
        ...EXPRESSION_MEMBERS,
      },
      (input, ctx) => putItem(engine, ctx, input),
    ),
    DeleteItem: op(
      {
        ReturnConsumedCapacity: RETURN_CONSUMED_CAPACITY,
        TableName: TABLE_NAME,
        ReturnValues: RETURN_VALUES,
        ReturnItemCollectionMetrics: RETURN_ITEM_COLLECTION_METRICS,
        Key: 'attrs!',
        ConditionalOperator: CONDITIONAL_OPERATOR,
        Expected: EXPECTED,
        ReturnValuesOnConditionCheckFailure: RETURN_VALUES_ON_CONDITION_CHECK_FAILURE,
        ConditionExpression: 'string',
        ...EXPRESSION_MEMBERS,
      },
      (input, ctx) => deleteItem(engine, ctx, input),
    ),
    UpdateItem: op(
      {
        ReturnConsumedCapacity: RETURN_CONSUMED_CAPACITY,
        TableName: TABLE_NAME,
        ReturnItemCollectionMetrics: RETURN_ITEM_COLLECTION_METRICS,
        ReturnValues: RETURN_VALUES,
        Key: 'attrs!',
        ConditionalOperator: CONDITIONAL_OPERATOR,
        Expected: EXPECTED,
        AttributeUpdates: ATTRIBUTE_UPDATES,
        ReturnValuesOnConditionCheckFailure: RETURN_VALUES_ON_CONDITION_CHECK_FAILURE,
        ConditionExpression: 'string',
        UpdateExpression: 'string',
        ...EXPRESSION_MEMBERS,
      },
      (input, ctx) => updateItem(engine, ctx, input),
    ),
    GetItem: op(
      {
        ReturnConsumedCapacity: RETURN_CONSUMED_CAPACITY,
        AttributesToGet: ATTRIBUTES_TO_GET,
        TableName: TABLE_NAME,
        Key: 'attrs!',
        ConsistentRead: 'boolean',
        ProjectionExpression: 'string',
        ExpressionAttributeNames: 'names',
      },
      (input, ctx) => getItemOperation(engine, ctx, input),
    ),
    Query: op(
      {
        Select: SELECT,
        IndexName: INDEX_NAME,
        ReturnConsumedCapacity: RETURN_CONSUMED_CAPACITY,
        QueryFilter: CONDITIONS,
        TableName: TABLE_NAME,
        ConditionalOperator: CONDITIONAL_OPERATOR,
        AttributesToGet: ATTRIBUTES_TO_GET,
        Limit: LIMIT,
        KeyConditions: CONDITIONS,
        ExclusiveStartKey: 'attrs',
        ConsistentRead: 'boolean',
        ScanIndexForward: 'boolean',
        KeyConditionExpression: 'string',
        FilterExpression: 'string',
        ProjectionExpression: 'string',
        ...EXPRESSION_MEMBERS,
      },
      (input, ctx) => query(engine, ctx, input),
    ),
    Scan: op(
      {
        Select: SELECT,
        IndexName: INDEX_NAME,
        TotalSegments: { shape: integer({ min: 1, max: 1000000 }) },
        ReturnConsumedCapacity: RETURN_CONSUMED_CAPACITY,
        TableName: TABLE_NAME,
        ConditionalOperator: CONDITIONAL_OPERATOR,
        ScanFilter: CONDITIONS,
        Segment: { shape: integer({ min: 0 }) },
        Limit: LIMIT,
        AttributesToGet: ATTRIBUTES_TO_GET,
        ExclusiveStartKey: 'attrs',
        ConsistentRead: 'boolean',
        FilterExpression: 'string',
        ProjectionExpression: 'string',
        ...EXPRESSION_MEMBERS,
      },
      (input, ctx) => scan(engine, ctx, input),
    ),
    BatchGetItem: op(
      { ReturnConsumedCapacity: RETURN_CONSUMED_CAPACITY, RequestItems: KEYS_AND_ATTRIBUTES },
      (input, ctx) => batchGetItem(engine, ctx, input),
    ),
    BatchWriteItem: op(
      {
        ReturnConsumedCapacity: RETURN_CONSUMED_CAPACITY,
        ReturnItemCollectionMetrics: RETURN_ITEM_COLLECTION_METRICS,
        RequestItems: WRITE_REQUESTS,
      },
      (input, ctx) => batchWriteItem(engine, ctx, input),
    ),
    TransactWriteItems: op(
      {
        TransactItems: 'list',
        ReturnConsumedCapacity: RETURN_CONSUMED_CAPACITY,
        ReturnItemCollectionMetrics: RETURN_ITEM_COLLECTION_METRICS,
        ClientRequestToken: 'string',
      },
      (input, ctx) => transactWriteItems(engine, ctx, input),
    ),
    TransactGetItems: op({ TransactItems: 'list', ReturnConsumedCapacity: RETURN_CONSUMED_CAPACITY }, (input, ctx) => transactGetItems(engine, ctx, input)),
  };
}
