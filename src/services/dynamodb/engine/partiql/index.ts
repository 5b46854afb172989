/**
 * DynamoDB's PartiQL API (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction). Each
 * statement is parsed here, translated into the ordinary request it stands for (PutItem,
 * UpdateItem, DeleteItem, GetItem, Query, Scan, TransactWriteItems, TransactGetItems) and run by
 * the engine's implementation of that request, so PartiQL never has semantics of its own.
 */
export { executeStatement } from './execute.js';
export { batchExecuteStatement, executeTransaction } from './multi.js';
export { parseStatement } from './parser.js';
export { DuplicateItemException } from './errors.js';
export type { Expr, ParsedStatement, Statement } from './ast.js';
