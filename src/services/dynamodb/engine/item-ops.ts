/** PutItem, GetItem, UpdateItem, DeleteItem. */
import { RawJson } from '../../../protocols/json.js';
import { ConditionalCheckFailedException, ValidationException } from '../errors.js';
import { capacityMode, readCapacity, writeCapacity } from './capacity.js';
import {
  applyUpdate,
  conditionFromExpected,
  evaluateCondition,
  parseCondition,
  parseProjection,
  parseUpdate,
  project,
  projectionFromAttributesToGet,
  updatedTopLevelNames,
  updateFromAttributeUpdates,
  updatePaths,
  type ConditionAst,
  type Path,
  type UpdateAction,
  type UpdateAst,
  type UpdateResult,
} from './expressions/index.js';
import type { DynamoEngine } from './index.js';
import { checkIndexKeys, checkItemKeys, checkKey, checkKeyPathsScalar, encodeKey } from './keys.js';
import { checkExpressionMembers, expressionContext, GET, PUT_DELETE, UPDATE } from './request-expressions.js';
import type { TableScope } from './tables.js';
import { keyDefs, type TableMeta } from './table-meta.js';
import { typeOf, type Item } from './types.js';
import { itemSize, validateItem } from './values.js';

export const MAX_ITEM_SIZE = 400 * 1024;

type Input = Record<string, unknown>;

const RETURN_VALUES = ['ALL_NEW', 'UPDATED_OLD', 'ALL_OLD', 'NONE', 'UPDATED_NEW'];

export function returnValues(v: unknown, allowed: 'put' | 'update'): string {
  if (v === undefined) return 'NONE';
  if (!RETURN_VALUES.includes(v as string)) {
    throw new ValidationException(
      `1 validation error detected: Value '${String(v)}' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [${RETURN_VALUES.join(', ')}]`,
    );
  }
  if (allowed === 'put' && v !== 'NONE' && v !== 'ALL_OLD') throw new ValidationException('ReturnValues can only be ALL_OLD or NONE');
  return v as string;
}

export function returnOnConditionFailure(v: unknown): boolean {
  if (v === undefined || v === 'NONE') return false;
  if (v === 'ALL_OLD') return true;
  throw new ValidationException(
    `1 validation error detected: Value '${String(v)}' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]`,
  );
}

/** The condition of a write, from ConditionExpression or the legacy Expected. */
export function writeCondition(input: Input, ctx: ReturnType<typeof expressionContext>): ConditionAst | undefined {
  if (typeof input.ConditionExpression === 'string') return parseCondition(input.ConditionExpression, ctx, 'ConditionExpression');
  if (input.Expected !== undefined) return conditionFromExpected(input.Expected as Record<string, unknown>, input.ConditionalOperator as string | undefined);
  return undefined;
}

export function checkItemSize(item: Item, message = 'Item size has exceeded the maximum allowed size'): void {
  if (itemSize(item) > MAX_ITEM_SIZE) throw new ValidationException(message);
}

/** Fails the write as DynamoDB does, with the old item when the caller asked for it. */
export function failCondition(old: Item | undefined, returnOld: boolean): never {
  throw new ConditionalCheckFailedException('The conditional request failed', returnOld && old ? old : undefined);
}

export function projection(input: Input, ctx: ReturnType<typeof expressionContext>): Path[] | undefined {
  if (typeof input.ProjectionExpression === 'string') return parseProjection(input.ProjectionExpression, ctx);
  if (Array.isArray(input.AttributesToGet)) return projectionFromAttributesToGet(input.AttributesToGet as string[]);
  return undefined;
}

/**
 * ItemCollectionMetrics (ReturnItemCollectionMetrics=SIZE), reported for tables with local
 * secondary indexes: the partition key of the item collection written and DynamoDB's estimate
 * of its size as a range in GB.
 */
export function collectionMetrics(meta: TableMeta, keyItem: Item, mode: unknown): Record<string, unknown> | undefined {
  if (mode !== undefined && mode !== 'SIZE' && mode !== 'NONE') {
    throw new ValidationException(
      `1 validation error detected: Value '${String(mode)}' at 'returnItemCollectionMetrics' failed to satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]`,
    );
  }
  if (mode !== 'SIZE' || !meta.indexes.some((ix) => ix.kind === 'LSI')) return undefined;
  return { ItemCollectionKey: { [meta.key.hash.name]: keyItem[meta.key.hash.name]! }, SizeEstimateRangeGB: [0, 1] };
}

/** A Key member, checked against the table's key schema. */
export function keyMember(meta: TableMeta, v: unknown): Item {
  return checkedKey(meta, validateItem(v));
}

/** An already validated key, checked against the table's key schema. */
export function checkedKey(meta: TableMeta, key: Item): Item {
  checkKey(meta.key, key);
  return key;
}

/**
 * A put's or delete's condition and options, checked after its item or key (and after the
 * expression parameters' combination, checkExpressionMembers): Expected or the expressions.
 */
function writeOptions(input: Input) {
  const ctx = expressionContext(input, PUT_DELETE);
  const condition = writeCondition(input, ctx);
  ctx.assertAllUsed();
  return {
    condition,
    returnOld: returnOnConditionFailure(input.ReturnValuesOnConditionCheckFailure),
    mode: capacityMode(input.ReturnConsumedCapacity),
  };
}

export async function putItem(engine: DynamoEngine, scope: TableScope, input: Input) {
  // The whole request is checked before the table is looked up, in DynamoDB's order.
  checkExpressionMembers(input, PUT_DELETE);
  const item = validateItem(input.Item);
  const rv = returnValues(input.ReturnValues, 'put');
  const size = itemSize(item);
  if (size > MAX_ITEM_SIZE) throw new ValidationException('Item size has exceeded the maximum allowed size');
  const { condition, returnOld, mode } = writeOptions(input);
  const meta = engine.tables.require(scope, input.TableName as string);
  checkItemKeys(meta, item);
  const key = encodeKey(meta.key, item);
  return engine.write(async (tx) => {
    const live = engine.live(meta);
    // The old item matters only to a condition, ReturnValues, indexes, the stream or the
    // capacity report; a plain put replaces it without reading it.
    const needOld = condition !== undefined || rv === 'ALL_OLD' || mode !== 'NONE' || live.indexes.length > 0 || live.stream !== undefined;
    const old = needOld ? await engine.items.get(live, key, tx) : undefined;
    if (condition && !evaluateCondition(condition, old)) failCondition(old, returnOld);
    await engine.items.apply(tx, live, key, old, item, 'user', size);
    const consumed = writeCapacity(live, mode, old, item);
    return { Attributes: rv === 'ALL_OLD' ? old : undefined, ConsumedCapacity: consumed, ItemCollectionMetrics: collectionMetrics(live, item, input.ReturnItemCollectionMetrics) };
  });
}

export async function deleteItem(engine: DynamoEngine, scope: TableScope, input: Input) {
  checkExpressionMembers(input, PUT_DELETE);
  const given = validateItem(input.Key);
  const { condition, returnOld, mode } = writeOptions(input);
  const rv = returnValues(input.ReturnValues, 'put');
  const meta = engine.tables.require(scope, input.TableName as string);
  const keyItem = checkedKey(meta, given);
  const key = encodeKey(meta.key, keyItem);
  return engine.write(async (tx) => {
    const live = engine.live(meta);
    const old = await engine.items.get(live, key, tx);
    if (condition && !evaluateCondition(condition, old)) failCondition(old, returnOld);
    await engine.items.apply(tx, live, key, old, undefined);
    return {
      Attributes: rv === 'ALL_OLD' ? old : undefined,
      ConsumedCapacity: writeCapacity(live, mode, old, undefined),
      ItemCollectionMetrics: collectionMetrics(live, keyItem, input.ReturnItemCollectionMetrics),
    };
  });
}

/** GetItem for in-process callers (PartiQL): the item as an object. */
export async function getItem(engine: DynamoEngine, scope: TableScope, input: Input): Promise<{ Item?: Item; ConsumedCapacity?: Record<string, unknown> }> {
  const answer = await readItem(engine, scope, input, false);
  return answer instanceof RawJson ? {} : answer;
}

/** GetItem for the wire: when nothing is projected or reported, the stored item as stored. */
export async function getItemOperation(engine: DynamoEngine, scope: TableScope, input: Input) {
  return readItem(engine, scope, input, true);
}

async function readItem(engine: DynamoEngine, scope: TableScope, input: Input, raw: boolean) {
  checkExpressionMembers(input, GET);
  const given = validateItem(input.Key);
  const ctx = expressionContext(input, GET);
  const paths = projection(input, ctx);
  ctx.assertAllUsed();
  const mode = capacityMode(input.ReturnConsumedCapacity);
  const meta = engine.tables.require(scope, input.TableName as string);
  const keyItem = checkedKey(meta, given);
  if (paths) checkKeyPathsScalar(meta, paths);
  const key = encodeKey(meta.key, keyItem);
  if (raw && !paths && mode === 'NONE') {
    // A stored item is already in its wire form: splice it in without parsing it.
    const text = await engine.items.getText(meta, key);
    return new RawJson(text === undefined ? '{}' : `{"Item":${text}}`);
  }
  const item = await engine.items.get(meta, key);
  return { Item: item && paths ? project(item, paths) : item, ConsumedCapacity: readCapacity(meta, mode, item, input.ConsistentRead === true) };
}

/** The update of an UpdateItem, from UpdateExpression or the legacy AttributeUpdates. */
export function parseItemUpdate(input: Input, ctx: ReturnType<typeof expressionContext>): UpdateAst | undefined {
  if (typeof input.UpdateExpression === 'string') return parseUpdate(input.UpdateExpression, ctx);
  if (input.AttributeUpdates !== undefined) return updateFromAttributeUpdates(input.AttributeUpdates as Record<string, unknown>);
  return undefined;
}

/** The type an action writes to a top-level attribute, where the expression alone tells it. */
function writtenType(a: UpdateAction): string | undefined {
  if (a.path.length !== 1) return undefined;
  if (a.kind === 'add') return typeOf(a.value);
  if (a.kind !== 'set') return undefined;
  if (a.value.kind === 'value') return typeOf(a.value.value);
  if (a.value.kind === 'plus' || a.value.kind === 'minus') return 'N';
  if (a.value.kind === 'list_append') return 'L';
  return undefined;
}

/** An update that would give an index key attribute another type, refused before the item is read (by the first index keyed on it). */
export function checkIndexKeyTypes(meta: TableMeta, update: UpdateAst): void {
  for (const ix of meta.indexes) {
    for (const d of keyDefs(ix.key)) {
      for (const a of update.actions) {
        const t = a.path[0] === d.name ? writtenType(a) : undefined;
        if (t !== undefined && t !== d.type) {
          throw new ValidationException(`One or more parameter values were invalid: Type mismatch for Index Key ${d.name} Expected: ${d.type} Actual: ${t} IndexName: ${ix.name}`);
        }
      }
    }
  }
}

/** A SET of an index key attribute to a value of another type read from the item. */
function checkIndexKeysSet(meta: TableMeta, update: UpdateAst, item: Item): void {
  for (const a of update.actions) {
    if (a.kind !== 'set' || a.path.length !== 1) continue;
    const v = item[a.path[0] as string];
    const d = v && meta.indexes.flatMap((ix) => keyDefs(ix.key)).find((k) => k.name === a.path[0]);
    if (d && !(d.type in v)) throw new ValidationException('The update expression attempted to update the secondary index key to unsupported type');
  }
}

/** Key attributes cannot be updated. */
export function checkKeyNotUpdated(meta: TableMeta, update: UpdateAst | undefined): void {
  if (!update) return;
  const keys = new Set([meta.key.hash.name, ...(meta.key.range ? [meta.key.range.name] : [])]);
  for (const name of updatedTopLevelNames(update)) {
    if (keys.has(name)) {
      throw new ValidationException(`One or more parameter values were invalid: Cannot update attribute ${name}. This attribute is part of the key`);
    }
  }
}

/** Applies an update to the current item (or to a new item made of the key), checking the result. */
/**
 * An update that only removes (REMOVE, DELETE from a set, legacy DELETE) does not create a
 * missing item, as in DynamoDB; any other update, even an empty one, creates it.
 */
export function onlyRemoves(old: Item | undefined, update: UpdateAst | undefined): boolean {
  return !old && !!update && update.actions.length > 0 && update.actions.every((a) => a.kind === 'remove' || a.kind === 'delete');
}

export function updatedItem(meta: TableMeta, keyItem: Item, old: Item | undefined, update: UpdateAst | undefined): UpdateResult {
  const base = old ?? { ...keyItem };
  const result = update ? applyUpdate(update, base, { itemExists: old !== undefined }) : { item: base, touched: [], paths: [], newPaths: [] };
  if (update && !update.legacy) checkIndexKeysSet(meta, update, result.item);
  checkIndexKeys(meta, result.item);
  checkItemSize(result.item, 'Item size to update has exceeded the maximum allowed size');
  return result;
}

export async function updateItem(engine: DynamoEngine, scope: TableScope, input: Input) {
  checkExpressionMembers(input, UPDATE);
  const given = validateItem(input.Key);
  const ctx = expressionContext(input, UPDATE);
  const update = parseItemUpdate(input, ctx);
  const condition = writeCondition(input, ctx);
  ctx.assertAllUsed();
  const rv = returnValues(input.ReturnValues, 'update');
  const returnOld = returnOnConditionFailure(input.ReturnValuesOnConditionCheckFailure);
  const mode = capacityMode(input.ReturnConsumedCapacity);
  const meta = engine.tables.require(scope, input.TableName as string);
  const keyItem = checkedKey(meta, given);
  checkKeyNotUpdated(meta, update);
  if (update) {
    checkIndexKeyTypes(meta, update);
    checkKeyPathsScalar(meta, updatePaths(update));
  }
  const key = encodeKey(meta.key, keyItem);
  return engine.write(async (tx) => {
    const live = engine.live(meta);
    const old = await engine.items.get(live, key, tx);
    if (condition && !evaluateCondition(condition, old)) failCondition(old, returnOld);
    if (onlyRemoves(old, update)) {
      return { ConsumedCapacity: writeCapacity(live, mode, undefined, keyItem) };
    }
    const result = updatedItem(live, keyItem, old, update);
    const item = result.item;
    await engine.items.apply(tx, live, key, old, item);
    return {
      Attributes: returnedAttributes(rv, old, result),
      ConsumedCapacity: writeCapacity(live, mode, old, item),
      ItemCollectionMetrics: collectionMetrics(live, keyItem, input.ReturnItemCollectionMetrics),
    };
  });
}

/**
 * UpdateItem's ReturnValues: whole items, or (UPDATED_*) only the document paths the update
 * wrote, as DynamoDB returns them: the nested fragment, not the whole top-level attribute.
 */
function returnedAttributes(rv: string, old: Item | undefined, result: UpdateResult): Item | undefined {
  let out: Item | undefined;
  if (rv === 'ALL_OLD') out = old;
  else if (rv === 'ALL_NEW') out = result.item;
  else if (rv === 'UPDATED_OLD') out = old && project(old, result.paths);
  else if (rv === 'UPDATED_NEW') out = project(result.item, result.newPaths);
  return out && Object.keys(out).length ? out : undefined;
}
