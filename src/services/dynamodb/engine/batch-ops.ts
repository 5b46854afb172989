/** BatchGetItem and BatchWriteItem. */
import { renderValue } from '../../../protocols/validate.js';
import { ValidationException } from '../errors.js';
import { capacityMode, Consumption, readUnits } from './capacity.js';
import { project } from './expressions/index.js';
import type { DynamoEngine } from './index.js';
import { checkedKey, checkItemSize, keyMember, projection } from './item-ops.js';
import { checkItemKeys, encodeKey, itemId, type EncodedKey } from './keys.js';
import { expressionContext, GET } from './request-expressions.js';
import type { TableMeta } from './table-meta.js';
import type { TableScope } from './tables.js';
import type { Item } from './types.js';
import { itemSize, validateItem } from './values.js';

type Input = Record<string, unknown>;

export const MAX_BATCH_GET_KEYS = 100;
export const MAX_BATCH_WRITES = 25;
/** BatchGetItem answers at most this much; the rest comes back as UnprocessedKeys. */
const MAX_BATCH_GET_BYTES = 16 * 1024 * 1024;

/** A key as sent, the same whatever the order of its attributes (numbers come normalized). */
const canonicalKey = (key: Item): string => JSON.stringify(Object.keys(key).sort().map((k) => [k, key[k]]));

/** RequestItems as declared (operations/define.ts): present, table names and per-table counts already checked. */
const requestItems = (input: Input) => input.RequestItems as Record<string, unknown>;

export async function batchGetItem(engine: DynamoEngine, scope: TableScope, input: Input) {
  const items = requestItems(input);
  const mode = capacityMode(input.ReturnConsumedCapacity);
  let total = 0;
  const specs: Array<{ name: string; spec: Record<string, unknown> }> = [];
  for (const [name, raw] of Object.entries(items)) {
    const spec = raw as Record<string, unknown> & { Keys: unknown[] };
    // The expressions, then the keys' values, then duplicate keys as sent (whatever the key
    // schema), all before any table is looked up.
    const ctx = expressionContext(spec, GET);
    projection(spec, ctx);
    ctx.assertAllUsed();
    const seen = new Set<string>();
    for (const k of spec.Keys) {
      const key = validateItem(k);
      const s = canonicalKey(key);
      if (seen.has(s)) throw new ValidationException('Provided list of item keys contains duplicates');
      seen.add(s);
      if (++total > MAX_BATCH_GET_KEYS) throw new ValidationException('Too many items requested for the BatchGetItem call');
    }
    specs.push({ name, spec });
  }
  const plans = specs.map(({ name, spec }) => ({ name, spec, meta: engine.tables.require(scope, name), keys: [] as Array<{ item: Item; key: EncodedKey }> }));
  for (const plan of plans) {
    const seen = new Set<string>();
    for (const k of plan.spec.Keys as unknown[]) {
      const item = keyMember(plan.meta, k);
      const key = encodeKey(plan.meta.key, item);
      const s = itemId(plan.meta.id, key);
      if (seen.has(s)) throw new ValidationException('Provided list of item keys contains duplicates');
      seen.add(s);
      plan.keys.push({ item, key });
    }
  }
  const responses: Record<string, Item[]> = {};
  const unprocessed: Record<string, unknown> = {};
  const consumed: Record<string, unknown>[] = [];
  let bytes = 0;
  for (const plan of plans) {
    const ctx = expressionContext(plan.spec, GET);
    const paths = projection(plan.spec, ctx);
    const consistent = plan.spec.ConsistentRead === true;
    const used = new Consumption(plan.meta, 'read');
    const found: Item[] = [];
    const left: Item[] = [];
    for (const { item: keyItem, key } of plan.keys) {
      if (bytes >= MAX_BATCH_GET_BYTES) {
        left.push(keyItem);
        continue;
      }
      const item = await engine.items.get(plan.meta, key);
      const size = item ? itemSize(item) : 0;
      used.table += readUnits(size, consistent);
      bytes += size;
      if (item) found.push(paths ? project(item, paths) : item);
    }
    responses[plan.name] = found;
    if (left.length) unprocessed[plan.name] = { ...plan.spec, Keys: left };
    const report = used.report(mode);
    if (report) consumed.push(report);
  }
  return { Responses: responses, UnprocessedKeys: unprocessed, ConsumedCapacity: mode === 'NONE' ? undefined : consumed };
}

interface WritePlan {
  meta: TableMeta;
  key: EncodedKey;
  item?: Item;
}

export async function batchWriteItem(engine: DynamoEngine, scope: TableScope, input: Input) {
  const items = requestItems(input);
  const mode = capacityMode(input.ReturnConsumedCapacity);
  let total = 0;
  for (const raw of Object.values(items)) total += (raw as unknown[]).length;
  if (total > MAX_BATCH_WRITES) {
    throw new ValidationException(
      `1 validation error detected: Value ${renderValue(items)} at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to ${MAX_BATCH_WRITES}, Member must have length greater than or equal to 1]`,
    );
  }
  // Every request's items and keys are checked before any table is looked up.
  const checked: Array<{ name: string; requests: Array<{ item: Item; put: boolean }> }> = [];
  for (const [name, raw] of Object.entries(items)) {
    const requests = raw as Array<Record<string, { Item?: unknown; Key?: unknown }>>;
    const table = { name, requests: [] as Array<{ item: Item; put: boolean }> };
    for (const req of requests) {
      const kinds = Object.keys(req ?? {}).filter((k) => req[k] !== undefined && req[k] !== null);
      if (kinds.length !== 1 || (kinds[0] !== 'PutRequest' && kinds[0] !== 'DeleteRequest')) {
        throw new ValidationException('Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes');
      }
      if (kinds[0] === 'PutRequest') {
        const item = validateItem(req.PutRequest!.Item);
        checkItemSize(item);
        table.requests.push({ item, put: true });
      } else {
        table.requests.push({ item: validateItem(req.DeleteRequest!.Key), put: false });
      }
    }
    checked.push(table);
  }
  const plans: WritePlan[] = [];
  const seen = new Set<string>();
  for (const { name, requests } of checked) {
    const meta = engine.tables.require(scope, name);
    for (const req of requests) {
      let plan: WritePlan;
      if (req.put) {
        checkItemKeys(meta, req.item, { batch: true });
        plan = { meta, key: encodeKey(meta.key, req.item), item: req.item };
      } else {
        const keyItem = checkedKey(meta, req.item);
        plan = { meta, key: encodeKey(meta.key, keyItem) };
      }
      const s = itemId(meta.id, plan.key);
      if (seen.has(s)) throw new ValidationException('Provided list of item keys contains duplicates');
      seen.add(s);
      plans.push(plan);
    }
  }
  return engine.write(async (tx) => {
    const usage = new Map<number, Consumption>();
    for (const p of plans) {
      const live = engine.live(p.meta);
      const old = await engine.items.get(live, p.key, tx);
      await engine.items.apply(tx, live, p.key, old, p.item);
      let used = usage.get(live.id);
      if (!used) usage.set(live.id, (used = new Consumption(live, 'write')));
      used.addWrite(old, p.item);
    }
    const consumed = [...usage.values()].map((u) => u.report(mode)).filter((r) => r !== undefined);
    return { UnprocessedItems: {}, ConsumedCapacity: mode === 'NONE' ? undefined : consumed };
  });
}
