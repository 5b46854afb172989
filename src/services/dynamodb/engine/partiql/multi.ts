/**
 * BatchExecuteStatement and ExecuteTransaction.
 *
 * A batch (at most 25 statements, all reads or all writes) runs each statement on its own: one
 * that fails gets an `Error` {Code, Message[, Item]} in its slot of `Responses` and the others
 * still run, as DynamoDB answers (HTTP 200). Reads must name one item by its full key.
 *
 * A transaction (at most 100 statements, all reads or all writes, EXISTS counting as a write)
 * becomes one TransactGetItems or TransactWriteItems, so it is all-or-nothing exactly as those
 * are. A statement that cannot be translated fails the request, its message prefixed with
 * "Validation failed in TransactStatements[i]: " (pinned against AWS by a conformance suite).
 */
import { AwsError } from '../../../../protocols/errors.js';
import { ConditionalCheckFailedException, TransactionCanceledException, ValidationException, type CancellationReason } from '../../errors.js';
import { capacityMode } from '../capacity.js';
import type { DynamoEngine } from '../index.js';
import { getItem } from '../item-ops.js';
import { encodeKey, itemId } from '../keys.js';
import type { TableScope } from '../tables.js';
import { transactGetItems, transactWriteItems } from '../transact-ops.js';
import type { ParsedStatement } from './ast.js';
import { DUPLICATE_ITEM, invalid, MSG } from './errors.js';
import { addCapacity, checkStatementText, parseWith, runWrite, unnest } from './execute.js';
import { translateRead, translateWrite, type ReadPlan, type TranslateContext, type WritePlan } from './translate.js';
import { Binder, checkParameters } from './values.js';

type Input = Record<string, unknown>;

const MAX_BATCH = 25;
const MAX_TRANSACTION = 100;

/** The list member of a batch or transaction, within its length bounds. */
function statementList(v: unknown, member: string, max: number): Input[] {
  if (!Array.isArray(v)) throw invalid(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  if (v.length < 1 || v.length > max) {
    const bound = v.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${max}`;
    throw invalid(`1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length ${bound}`);
  }
  return v.map((e) => (e && typeof e === 'object' ? (e as Input) : {}));
}

/** BatchStatementError codes, from the exception a statement failed with. */
const ERROR_CODES: Record<string, string> = {
  ValidationException: 'ValidationError',
  ConditionalCheckFailedException: 'ConditionalCheckFailed',
  ResourceNotFoundException: 'ResourceNotFound',
  DuplicateItemException: 'DuplicateItem',
  TransactionConflictException: 'TransactionConflict',
  ItemCollectionSizeLimitExceededException: 'ItemCollectionSizeLimitExceeded',
  ProvisionedThroughputExceededException: 'ProvisionedThroughputExceeded',
  RequestLimitExceeded: 'RequestLimitExceeded',
  ThrottlingException: 'ThrottlingError',
  AccessDeniedException: 'AccessDenied',
};

function errorEntry(e: unknown, tableName?: string) {
  if (!(e instanceof AwsError)) throw e;
  const item = e instanceof ConditionalCheckFailedException ? e.item : undefined;
  const error = { Code: ERROR_CODES[e.code] ?? 'InternalServerError', Message: e.message, ...(item ? { Item: item } : {}) };
  return { ...(tableName ? { TableName: tableName } : {}), Error: error };
}

const isRead = (p: ParsedStatement) => p.statement.kind === 'select';

interface Parsed {
  request: Input;
  parsed?: ParsedStatement;
  binder?: Binder;
  error?: unknown;
}

export async function batchExecuteStatement(engine: DynamoEngine, scope: TableScope, input: Input) {
  const list = statementList(input.Statements, 'statements', MAX_BATCH);
  const mode = capacityMode(input.ReturnConsumedCapacity);
  const entries: Parsed[] = list.map((request, i) => {
    const text = checkStatementText(request.Statement, `statements.${i + 1}.member.statement`);
    try {
      const params = checkParameters(request.Parameters);
      const parsed = parseWith(text, params);
      if (parsed.statement.kind === 'exists') throw invalid(MSG.existsOutsideTransaction);
      return { request, parsed, binder: new Binder(params) };
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      return { request, error };
    }
  });
  const first = entries.find((e) => e.parsed);
  const reads = first ? isRead(first.parsed!) : false;
  if (entries.some((e) => e.parsed && isRead(e.parsed) !== reads)) throw invalid(MSG.batchMixed);
  const plans = entries.map((e) => {
    if (!e.parsed) return e;
    const ctx: TranslateContext = {
      engine,
      scope,
      binder: e.binder!,
      use: 'batch',
      consistentRead: reads ? e.request.ConsistentRead === true : undefined,
      returnValuesOnConditionCheckFailure: e.request.ReturnValuesOnConditionCheckFailure,
    };
    try {
      const s = e.parsed.statement;
      return { ...e, plan: s.kind === 'select' ? translateRead(ctx, s) : translateWrite(ctx, s as Exclude<typeof s, { kind: 'select' }>) };
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      return { ...e, error };
    }
  });
  const seen = new Set<string>();
  for (const p of plans) {
    if (!('plan' in p) || !p.plan) continue;
    const key = 'key' in p.plan ? p.plan.key : (p.plan.inputs[0]!.Key as WritePlan['key']);
    const k = encodeKey(p.plan.table.key, key);
    const id = itemId(p.plan.table.id, k);
    if (seen.has(id)) throw invalid(MSG.batchDuplicates);
    seen.add(id);
  }
  const usage = new Map<string, Record<string, unknown> | undefined>();
  const responses = [];
  for (const p of plans) {
    if (!('plan' in p) || !p.plan) {
      responses.push(errorEntry(p.error));
      continue;
    }
    const table = p.plan.table.name;
    try {
      const capacity = mode === 'NONE' ? undefined : input.ReturnConsumedCapacity;
      let item;
      let consumed;
      if ('inputs' in p.plan) {
        const res = await getItem(engine, scope, { ...p.plan.inputs[0]!, ...(capacity ? { ReturnConsumedCapacity: capacity } : {}) });
        item = res.Item ? unnest(res.Item, p.plan.paths) : undefined;
        consumed = res.ConsumedCapacity;
      } else {
        const res = await runWrite(engine, scope, p.plan, capacity);
        item = res.Items[0];
        consumed = res.ConsumedCapacity;
      }
      if (consumed) usage.set(table, addCapacity(usage.get(table), consumed));
      responses.push({ TableName: table, ...(item ? { Item: item } : {}) });
    } catch (e) {
      responses.push(errorEntry(e, table));
    }
  }
  return { Responses: responses, ConsumedCapacity: mode === 'NONE' ? undefined : [...usage.values()] };
}

export async function executeTransaction(engine: DynamoEngine, scope: TableScope, input: Input) {
  const list = statementList(input.TransactStatements, 'transactStatements', MAX_TRANSACTION);
  capacityMode(input.ReturnConsumedCapacity);
  const wrap = (i: number, e: unknown) => (e instanceof ValidationException ? invalid(`Validation failed in TransactStatements[${i}]: ${e.message}`) : e);
  let reads = false;
  const parsed = list.map((request, i) => {
    const text = checkStatementText(request.Statement, `transactStatements.${i + 1}.member.statement`);
    let p: ParsedStatement;
    let binder: Binder;
    try {
      const params = checkParameters(request.Parameters);
      p = parseWith(text, params);
      binder = new Binder(params);
    } catch (e) {
      throw wrap(i, e);
    }
    if (i === 0) reads = isRead(p);
    else if (isRead(p) !== reads) throw invalid(MSG.transactionMixed);
    return { request, parsed: p, binder };
  });
  const plans = parsed.map(({ request, parsed: p, binder }, i): ReadPlan | WritePlan => {
    const ctx: TranslateContext = { engine, scope, binder, use: 'transaction', returnValuesOnConditionCheckFailure: request.ReturnValuesOnConditionCheckFailure };
    try {
      const s = p.statement;
      if (s.kind === 'select') return translateRead(ctx, s);
      const plan = translateWrite(ctx, s);
      if (plan.returning) throw invalid(MSG.returningTransaction);
      return plan;
    } catch (e) {
      throw wrap(i, e);
    }
  });
  const capacity = input.ReturnConsumedCapacity === undefined ? {} : { ReturnConsumedCapacity: input.ReturnConsumedCapacity };
  if (reads) {
    const readPlans = plans as ReadPlan[];
    const res = await transactGetItems(engine, scope, { TransactItems: readPlans.map((p) => ({ Get: p.inputs[0] })), ...capacity });
    const responses = res.Responses.map((r, i) => ('Item' in r && r.Item ? { Item: unnest(r.Item, readPlans[i]!.paths) } : {}));
    return { Responses: responses, ConsumedCapacity: res.ConsumedCapacity };
  }
  const writePlans = plans as WritePlan[];
  const kinds = { put: 'Put', update: 'Update', delete: 'Delete', check: 'ConditionCheck' } as const;
  const TransactItems = writePlans.map((p) => ({ [kinds[p.kind]]: p.input }));
  const token = input.ClientRequestToken === undefined ? {} : { ClientRequestToken: input.ClientRequestToken };
  try {
    const res = await transactWriteItems(engine, scope, { TransactItems, ...token, ...capacity });
    return { ConsumedCapacity: res.ConsumedCapacity };
  } catch (e) {
    if (!(e instanceof TransactionCanceledException)) throw e;
    // An INSERT's key condition failing means the key exists: PartiQL's DuplicateItem.
    const reasons: CancellationReason[] = e.reasons.map((r, i) =>
      writePlans[i]!.kind === 'put' && r.Code === 'ConditionalCheckFailed' ? { Code: 'DuplicateItem', Message: DUPLICATE_ITEM } : r,
    );
    throw new TransactionCanceledException(reasons);
  }
}

