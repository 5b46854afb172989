/**
 * TransactWriteItems and TransactGetItems. A write transaction runs as one atomic step of
 * the store (nothing else runs between its reads and writes, and it commits as one): every
 * condition is checked first; if any fails nothing changes and the answer carries one
 * CancellationReason per action. ClientRequestToken makes a transaction idempotent for ten
 * minutes.
 */
import { createHash } from 'node:crypto';
import { AwsError } from '../../../protocols/errors.js';
import { IdempotentParameterMismatchException, TransactionCanceledException, ValidationException, type CancellationReason } from '../errors.js';
import { capacityMode, Consumption, readUnits } from './capacity.js';
import { evaluateCondition, parseCondition, project, type ConditionAst, type UpdateAst } from './expressions/index.js';
import type { DynamoEngine } from './index.js';
import {
  checkItemSize,
  checkKeyNotUpdated,
  keyMember,
  onlyRemoves,
  parseItemUpdate,
  projection,
  returnOnConditionFailure,
  updatedItem,
  writeCondition,
} from './item-ops.js';
import { checkItemKeys, encodeKey, itemId, type EncodedKey } from './keys.js';
import { CONDITION_ONLY, expressionContext, GET, PUT_DELETE, UPDATE } from './request-expressions.js';
import type { TableMeta } from './table-meta.js';
import type { TableScope } from './tables.js';
import type { Item } from './types.js';
import { itemSize, validateItem } from './values.js';

type Input = Record<string, unknown>;

export const MAX_TRANSACT_ITEMS = 100;
const MAX_TRANSACT_BYTES = 4 * 1024 * 1024;
const TOKEN_TTL_MS = 10 * 60_000;

interface WriteAction {
  kind: 'Put' | 'Update' | 'Delete' | 'ConditionCheck';
  meta: TableMeta;
  key: EncodedKey;
  keyItem: Item;
  item?: Item;
  update?: UpdateAst;
  condition?: ConditionAst;
  returnOld: boolean;
  /** A key that does not fit the table's schema: the whole transaction is cancelled with this reason. */
  invalid?: string;
}

/** Runs a key check; a key of the wrong type is reported as the action's cancellation reason, not as the request's error. */
function keyProblem(check: () => void): string | undefined {
  try {
    check();
    return undefined;
  } catch (e) {
    if (e instanceof ValidationException && /Type mismatch for key|does not match the schema/.test(e.message)) return e.message;
    throw e;
  }
}

function transactItems(input: Input): Record<string, Record<string, unknown>>[] {
  const list = input.TransactItems as unknown[] | undefined;
  if (!Array.isArray(list)) {
    throw new ValidationException(`1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null`);
  }
  if (list.length < 1 || list.length > MAX_TRANSACT_ITEMS) {
    throw new ValidationException(
      `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length ${list.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_TRANSACT_ITEMS}`}`,
    );
  }
  return list as Record<string, Record<string, unknown>>[];
}

function planWrite(engine: DynamoEngine, scope: TableScope, entry: Record<string, Record<string, unknown>>): WriteAction {
  const kinds = (['Put', 'Update', 'Delete', 'ConditionCheck'] as const).filter((k) => entry[k] !== undefined && entry[k] !== null);
  if (kinds.length !== 1) {
    throw new ValidationException('TransactItems can only contain one of Check, Put, Update or Delete');
  }
  const kind = kinds[0]!;
  const spec = entry[kind]!;
  const returnOld = returnOnConditionFailure(spec.ReturnValuesOnConditionCheckFailure);
  if (kind === 'Put') {
    const ctx = expressionContext(spec, PUT_DELETE);
    const condition = writeCondition(spec, ctx);
    ctx.assertAllUsed();
    const meta = engine.tables.require(scope, spec.TableName as string);
    const item = validateItem(spec.Item);
    const invalid = keyProblem(() => checkItemKeys(meta, item));
    checkItemSize(item);
    const key = invalid ? { pk: Buffer.alloc(0), sk: Buffer.alloc(0), hash: 0 } : encodeKey(meta.key, item);
    return { kind, meta, key, keyItem: item, item, condition, returnOld, ...(invalid ? { invalid } : {}) };
  }
  const members = kind === 'Update' ? UPDATE : kind === 'Delete' ? PUT_DELETE : CONDITION_ONLY;
  const ctx = expressionContext(spec, members);
  const update = kind === 'Update' ? parseItemUpdate(spec, ctx) : undefined;
  if (kind === 'Update' && !update) throw new ValidationException(`1 validation error detected: Value null at 'transactItems.1.member.update.updateExpression' failed to satisfy constraint: Member must not be null`);
  const condition = kind === 'ConditionCheck' ? parseCondition(String(spec.ConditionExpression ?? ''), ctx, 'ConditionExpression') : writeCondition(spec, ctx);
  ctx.assertAllUsed();
  const meta = engine.tables.require(scope, spec.TableName as string);
  const keyItem = validateItem(spec.Key);
  const invalid = keyProblem(() => keyMember(meta, keyItem));
  checkKeyNotUpdated(meta, update);
  const key = invalid ? { pk: Buffer.alloc(0), sk: Buffer.alloc(0), hash: 0 } : encodeKey(meta.key, keyItem);
  return { kind, meta, key, keyItem, update, condition, returnOld, ...(invalid ? { invalid } : {}) };
}

/** A stable digest of the request, to tell a retry from a different request with the same token. */
function digest(input: Input): string {
  const { ClientRequestToken: _t, ReturnConsumedCapacity: _c, ReturnItemCollectionMetrics: _m, ...rest } = input;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

export async function transactWriteItems(engine: DynamoEngine, scope: TableScope, input: Input) {
  const entries = transactItems(input);
  const mode = capacityMode(input.ReturnConsumedCapacity);
  const token = input.ClientRequestToken as string | undefined;
  if (token !== undefined && (token.length < 1 || token.length > 36)) {
    throw new ValidationException(`1 validation error detected: Value '${token}' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36`);
  }
  const actions = entries.map((e) => planWrite(engine, scope, e));
  if (actions.some((a) => a.invalid)) {
    throw new TransactionCanceledException(actions.map((a) => (a.invalid ? { Code: 'ValidationError', Message: a.invalid } : { Code: 'None' })));
  }
  const seen = new Set<string>();
  let bytes = 0;
  for (const a of actions) {
    const s = itemId(a.meta.id, a.key);
    if (seen.has(s)) throw new ValidationException('Transaction request cannot include multiple operations on one item');
    seen.add(s);
    bytes += itemSize(a.item ?? a.keyItem);
  }
  if (bytes > MAX_TRANSACT_BYTES) throw new ValidationException('Transaction size has exceeded the maximum allowed size');
  const tokenKey = token === undefined ? undefined : `${scope.accountId}/${scope.region}/${token}`;
  const hash = digest(input);

  const answer = (usage: Map<number, Consumption>) => ({
    ConsumedCapacity: mode === 'NONE' ? undefined : [...usage.values()].map((u) => u.report(mode, true)),
  });

  return engine.write(async (tx) => {
    const now = engine.clock.now();
    if (tokenKey) {
      const prior = await engine.repo.idempotentResult(tokenKey, now, tx);
      if (prior) {
        if (prior.hash !== hash) {
          throw new IdempotentParameterMismatchException('Request with the same client request token has already been made with different parameters');
        }
        return answer(usageOf(actions));
      }
    }
    const lives = actions.map((a) => engine.live(a.meta));
    const olds: Array<Item | undefined> = [];
    for (let i = 0; i < actions.length; i++) olds.push(await engine.items.get(lives[i]!, actions[i]!.key, tx));
    const nexts: Array<Item | undefined> = [];
    const reasons: CancellationReason[] = [];
    let failed = false;
    actions.forEach((a, i) => {
      const old = olds[i];
      if (a.condition && !evaluateCondition(a.condition, old)) {
        failed = true;
        reasons.push({ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', ...(a.returnOld && old ? { Item: old } : {}) });
        return;
      }
      try {
        if (a.kind === 'Put') nexts[i] = a.item;
        else if (a.kind === 'Update') nexts[i] = onlyRemoves(old, a.update) ? undefined : updatedItem(lives[i]!, a.keyItem, old, a.update).item;
        else if (a.kind === 'Delete') nexts[i] = undefined;
        reasons.push({ Code: 'None' });
      } catch (e) {
        if (!(e instanceof AwsError)) throw e;
        failed = true;
        reasons.push({ Code: 'ValidationError', Message: e.message });
      }
    });
    if (failed) throw new TransactionCanceledException(reasons);
    const usage = new Map<number, Consumption>();
    for (let i = 0; i < actions.length; i++) {
      const a = actions[i]!;
      const live = lives[i]!;
      let used = usage.get(live.id);
      if (!used) usage.set(live.id, (used = new Consumption(live, 'write')));
      if (a.kind === 'ConditionCheck') {
        used.table += readUnits(olds[i] ? itemSize(olds[i]!) : 0, true) * 2;
        continue;
      }
      await engine.items.apply(tx, live, a.key, olds[i], nexts[i]);
      used.addWrite(olds[i], nexts[i], 2);
    }
    if (tokenKey) await engine.repo.saveIdempotentResult(tx, tokenKey, hash, '{}', now + TOKEN_TTL_MS);
    return answer(usage);
  });
}

/** Capacity for a repeated idempotent request: what the original would cost, without reading. */
function usageOf(actions: WriteAction[]): Map<number, Consumption> {
  const usage = new Map<number, Consumption>();
  for (const a of actions) {
    let used = usage.get(a.meta.id);
    if (!used) usage.set(a.meta.id, (used = new Consumption(a.meta, 'write')));
    used.table += 2;
  }
  return usage;
}

export async function transactGetItems(engine: DynamoEngine, scope: TableScope, input: Input) {
  const entries = transactItems(input);
  const mode = capacityMode(input.ReturnConsumedCapacity);
  const plans = entries.map((entry) => {
    const spec = entry.Get;
    if (!spec || Object.keys(entry).length !== 1) throw new ValidationException('TransactItems can only contain one of Get');
    const ctx = expressionContext(spec, GET);
    const paths = projection(spec, ctx);
    ctx.assertAllUsed();
    const meta = engine.tables.require(scope, spec.TableName as string);
    const keyItem = keyMember(meta, spec.Key);
    return { meta, key: encodeKey(meta.key, keyItem), paths };
  });
  const seen = new Set<string>();
  for (const p of plans) {
    const s = itemId(p.meta.id, p.key);
    if (seen.has(s)) throw new ValidationException('Transaction request cannot include multiple operations on one item');
    seen.add(s);
  }
  const usage = new Map<number, Consumption>();
  const items: Array<Item | undefined> = [];
  for (const p of plans) items.push(await engine.items.get(p.meta, p.key));
  const responses = plans.map((p, i) => {
    const item = items[i];
    let used = usage.get(p.meta.id);
    if (!used) usage.set(p.meta.id, (used = new Consumption(p.meta, 'read')));
    used.table += readUnits(item ? itemSize(item) : 0, true) * 2;
    return item ? { Item: p.paths ? project(item, p.paths) : item } : {};
  });
  return { Responses: responses, ConsumedCapacity: mode === 'NONE' ? undefined : [...usage.values()].map((u) => u.report(mode, true)) };
}
