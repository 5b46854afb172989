/**
 * ExecuteStatement: parse, translate, run the translated request through the engine, shape the
 * answer as PartiQL's (`Items`, with `NextToken` and `LastEvaluatedKey` when a read stopped
 * early). Also the pieces BatchExecuteStatement and ExecuteTransaction share.
 */
import { ConditionalCheckFailedException, ValidationException } from '../../errors.js';
import { capacityMode } from '../capacity.js';
import { getPath, type Path } from '../expressions/index.js';
import type { DynamoEngine } from '../index.js';
import { deleteItem, getItem, putItem, returnOnConditionFailure, updateItem } from '../item-ops.js';
import { query, scan } from '../read-ops.js';
import type { TableScope } from '../tables.js';
import type { AttributeValue, Item } from '../types.js';
import { compareScalars } from '../values.js';
import type { OrderItem, ParsedStatement } from './ast.js';
import { DUPLICATE_ITEM, DuplicateItemException, invalid, MSG } from './errors.js';
import { parseStatement } from './parser.js';
import { decodeToken, encodeToken, MAX_TOKEN_LENGTH, requestDigest } from './token.js';
import { projectedName, translateRead, translateWrite, type ReadPlan, type WritePlan } from './translate.js';
import { Binder, checkParameters } from './values.js';

type Input = Record<string, unknown>;
type Capacity = Record<string, unknown> | undefined;

const MAX_STATEMENT_BYTES = 8192;

/** A Statement member: present, not empty, at most 8 KB (coral's wording, with `member` its path). */
export function checkStatementText(v: unknown, member: string): string {
  if (typeof v !== 'string') throw invalid(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  if (v.length === 0) throw invalid(`1 validation error detected: Value '' at '${member}' failed to satisfy constraint: Member must have length greater than or equal to 1`);
  if (Buffer.byteLength(v, 'utf8') > MAX_STATEMENT_BYTES) {
    throw invalid(`1 validation error detected: Value '${v}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_STATEMENT_BYTES}`);
  }
  return v;
}

/** Parses a statement and checks it has no more `?` than the request gives parameters. */
export function parseWith(statement: string, params: AttributeValue[]): ParsedStatement {
  const parsed = parseStatement(statement);
  if (parsed.parameters > params.length) throw invalid(MSG.parameterCount);
  return parsed;
}

/** A projected item as PartiQL returns it: each projected path as a top-level attribute. */
export function unnest(item: Item, paths: Path[] | undefined): Item {
  if (!paths) return item;
  const out: Item = {};
  for (const p of paths) {
    const v = getPath(item, p);
    if (v !== undefined) out[projectedName(p)] = v;
  }
  return out;
}

/** Sums two ConsumedCapacity members of one table (units, per-table and per-index units). */
export function addCapacity(a: Capacity, b: Capacity): Capacity {
  if (!a) return b;
  if (!b) return a;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (typeof v === 'number') out[k] = (typeof out[k] === 'number' ? (out[k] as number) : 0) + v;
    else if (v && typeof v === 'object') out[k] = addCapacity(out[k] as Capacity, v as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
}

/** Runs a translated INSERT, UPDATE or DELETE; an INSERT whose key exists is a DuplicateItemException. */
export async function runWrite(engine: DynamoEngine, scope: TableScope, plan: WritePlan, returnCapacity: unknown) {
  const input = { ...plan.input, ...(returnCapacity === undefined ? {} : { ReturnConsumedCapacity: returnCapacity }) };
  if (plan.kind === 'put') {
    try {
      const res = await putItem(engine, scope, input);
      return { Items: [] as Item[], ConsumedCapacity: res.ConsumedCapacity };
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) throw new DuplicateItemException(DUPLICATE_ITEM);
      throw e;
    }
  }
  const res = plan.kind === 'update' ? await updateItem(engine, scope, input) : await deleteItem(engine, scope, input);
  return { Items: res.Attributes ? [res.Attributes] : [], ConsumedCapacity: res.ConsumedCapacity };
}

/** A page sorted on ORDER BY's key attributes (items lacking one sort last). */
function sortPage(items: Item[], order: OrderItem[]): Item[] {
  return [...items].sort((a, b) => {
    for (const o of order) {
      const x = a[o.name];
      const y = b[o.name];
      const c = x && y ? (compareScalars(x, y) ?? 0) : x ? -1 : y ? 1 : 0;
      if (c) return o.descending ? -c : c;
    }
    return 0;
  });
}

interface Page {
  limit?: number;
  token?: string;
  digest: string;
  returnCapacity: unknown;
}

/**
 * Runs a translated SELECT for one page. A multi-partition read queries the partitions in turn,
 * each with what is left of Limit, and stops at the first that ends early (Limit reached or its
 * 1 MB page full); the token then names that partition and where it stopped.
 */
export async function runRead(engine: DynamoEngine, scope: TableScope, plan: ReadPlan, page: Page) {
  const capacity = page.returnCapacity === undefined ? {} : { ReturnConsumedCapacity: page.returnCapacity };
  const now = engine.clock.now();
  const start = page.token === undefined ? { partition: 0 } : decodeToken(page.token, page.digest, now, plan.inputs.length);
  if (plan.kind === 'get') {
    const res = await getItem(engine, scope, { ...plan.inputs[0]!, ...capacity });
    return { Items: res.Item ? [unnest(res.Item, plan.paths)] : [], ConsumedCapacity: res.ConsumedCapacity };
  }
  const items: Item[] = [];
  let consumed: Capacity;
  let remaining = page.limit;
  for (let p = start.partition; p < plan.inputs.length; p++) {
    const exclusiveStart = p === start.partition && start.key ? { ExclusiveStartKey: start.key } : {};
    const input = { ...plan.inputs[p]!, ...capacity, ...exclusiveStart, ...(remaining === undefined ? {} : { Limit: remaining }) };
    const res = await (plan.kind === 'scan' ? scan(engine, scope, input) : query(engine, scope, input));
    const found = plan.order ? sortPage(res.Items ?? [], plan.order) : (res.Items ?? []);
    for (const item of found) items.push(unnest(item, plan.paths));
    consumed = addCapacity(consumed, res.ConsumedCapacity);
    if (remaining !== undefined) remaining -= res.ScannedCount;
    if (res.LastEvaluatedKey) {
      const NextToken = encodeToken(page.digest, now, { partition: p, key: res.LastEvaluatedKey });
      return { Items: items, NextToken, LastEvaluatedKey: res.LastEvaluatedKey, ConsumedCapacity: consumed };
    }
    if (remaining !== undefined && remaining <= 0 && p + 1 < plan.inputs.length) {
      const NextToken = encodeToken(page.digest, now, { partition: p + 1 });
      return { Items: items, NextToken, ConsumedCapacity: consumed };
    }
  }
  return { Items: items, ConsumedCapacity: consumed };
}

function checkLimit(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const limit = v as number;
  if (limit < 1) {
    throw new ValidationException(`1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`);
  }
  return limit;
}

export async function executeStatement(engine: DynamoEngine, scope: TableScope, input: Input) {
  const statement = checkStatementText(input.Statement, 'statement');
  const params = checkParameters(input.Parameters);
  const limit = checkLimit(input.Limit);
  const token = input.NextToken as string | undefined;
  if (token !== undefined && (token.length < 1 || token.length > MAX_TOKEN_LENGTH)) {
    const bound = token.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_TOKEN_LENGTH}`;
    throw invalid(`1 validation error detected: Value '${token}' at 'nextToken' failed to satisfy constraint: Member must have length ${bound}`);
  }
  capacityMode(input.ReturnConsumedCapacity);
  returnOnConditionFailure(input.ReturnValuesOnConditionCheckFailure);
  const { statement: s } = parseWith(statement, params);
  if (s.kind === 'exists') throw invalid(MSG.existsOutsideTransaction);
  const ctx = {
    engine,
    scope,
    binder: new Binder(params),
    use: 'statement' as const,
    consistentRead: input.ConsistentRead as boolean | undefined,
    returnValuesOnConditionCheckFailure: input.ReturnValuesOnConditionCheckFailure,
  };
  if (s.kind === 'select') {
    const plan = translateRead(ctx, s);
    return runRead(engine, scope, plan, { limit, token, digest: requestDigest(statement, params), returnCapacity: input.ReturnConsumedCapacity });
  }
  return runWrite(engine, scope, translateWrite(ctx, s), input.ReturnConsumedCapacity);
}
