/** The PartiQL operations: ExecuteStatement, BatchExecuteStatement, ExecuteTransaction. */
import type { DynamoEngine } from '../engine/index.js';
import { batchExecuteStatement, executeStatement, executeTransaction } from '../engine/partiql/index.js';
import type { Operation } from '../../service.js';
import { op } from './define.js';

export function partiqlOperations(engine: DynamoEngine): Record<string, Operation> {
  return {
    ExecuteStatement: op(
      {
        Statement: 'string!',
        Parameters: 'doc',
        ConsistentRead: 'boolean',
        NextToken: 'string',
        ReturnConsumedCapacity: 'string',
        Limit: 'integer',
        ReturnValuesOnConditionCheckFailure: 'string',
      },
      (input, ctx) => executeStatement(engine, ctx, input),
    ),
    BatchExecuteStatement: op({ Statements: 'doc!', ReturnConsumedCapacity: 'string' }, (input, ctx) => batchExecuteStatement(engine, ctx, input)),
    ExecuteTransaction: op(
      { TransactStatements: 'doc!', ClientRequestToken: 'string', ReturnConsumedCapacity: 'string' },
      (input, ctx) => executeTransaction(engine, ctx, input),
    ),
  };
}
