/**
 * Query and Scan: range and hash-ordered reads over a table or one of its indexes, a page of
 * at most 1 MB read (or Limit items evaluated) at a time, then the filter and the projection.
 */
import { ValidationException } from '../errors.js';
import type { RangeRead, StoredRow } from '../repo.js';
import { capacityMode, Consumption, rangeReadUnits, readUnits } from './capacity.js';
import {
  conditionFromFilter,
  conditionPaths,
  evaluateCondition,
  keyConditionFor,
  keyTermsFromLegacy,
  parseCondition,
  keyTermsOf,
  parseKeyConditionAst,
  project,
  projectionFromAttributesToGet,
  type ConditionAst,
  type KeyCondition,
} from './expressions/index.js';
import type { DynamoEngine } from './index.js';
import { projection } from './item-ops.js';
import { tableKeyOrder } from './item-store.js';
import { PAGE_BYTES, storedItemSize } from './page-size.js';
import { segmentRange } from './scan-order.js';
import { checkKey, checkKeyPathsScalar, encodeKey, encodePart, escapeZeros, keyOf, tupleElement } from './keys.js';
import { checkExpressionMembers, expressionContext, QUERY, SCAN } from './request-expressions.js';
import { hashDefs, keyDefs, rangeDefs, type IndexMeta, type KeyDef, type KeySchema, type TableMeta } from './table-meta.js';
import type { TableScope } from './tables.js';
import type { Item } from './types.js';
import { encodeKeyValue, itemSize, validateItem } from './values.js';

type Input = Record<string, unknown>;

const CHUNK = 256;

interface Source {
  meta: TableMeta;
  index?: IndexMeta;
  key: KeySchema;
  /** Index rows must be completed from the table (an LSI read asking for unprojected attributes). */
  fetchFromTable: boolean;
}

type Select = 'ALL_ATTRIBUTES' | 'ALL_PROJECTED_ATTRIBUTES' | 'SPECIFIC_ATTRIBUTES' | 'COUNT';

function selectOf(input: Input): Select | undefined {
  const v = input.Select;
  if (v === undefined) return undefined;
  if (v === 'ALL_ATTRIBUTES' || v === 'ALL_PROJECTED_ATTRIBUTES' || v === 'SPECIFIC_ATTRIBUTES' || v === 'COUNT') return v;
  throw new ValidationException(
    `1 validation error detected: Value '${String(v)}' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]`,
  );
}

function checkSelect(input: Input, select: Select | undefined): void {
  const projected = input.ProjectionExpression !== undefined || input.AttributesToGet !== undefined;
  const member = input.ProjectionExpression !== undefined ? 'ProjectionExpression' : 'AttributesToGet';
  if (select === 'ALL_PROJECTED_ATTRIBUTES' && input.IndexName === undefined) {
    throw new ValidationException('ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName');
  }
  if (projected && select !== undefined && select !== 'SPECIFIC_ATTRIBUTES') {
    throw new ValidationException(select === 'COUNT' ? `Cannot specify the ${member} when choosing to get only the Count` : `Cannot specify the ${member} when choosing to get ${select}`);
  }
  if (select === 'SPECIFIC_ATTRIBUTES' && !projected) {
    throw new ValidationException('Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES');
  }
}

function checkLimit(input: Input): number | undefined {
  const limit = input.Limit as number | undefined;
  if (limit !== undefined && limit < 1) {
    throw new ValidationException(`1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`);
  }
  return limit;
}

function sourceOf(meta: TableMeta, input: Input, select: Select | undefined): Source {
  const name = input.IndexName as string | undefined;
  if (name === undefined) return { meta, key: meta.key, fetchFromTable: false };
  const index = meta.indexes.find((ix) => ix.name === name);
  if (!index) throw new ValidationException(`The table does not have the specified index: ${name}`);
  if (index.kind === 'GSI' && input.ConsistentRead === true) throw new ValidationException('Consistent reads are not supported on global secondary indexes');
  if (index.status === 'CREATING') throw new ValidationException(`Cannot read from backfilling global secondary index: ${name}`);
  const partial = index.projection.type !== 'ALL';
  // An LSI shares its table's partitions: DynamoDB fetches what the index does not project.
  const fetchFromTable = partial && index.kind === 'LSI' && (select === 'ALL_ATTRIBUTES' || input.ProjectionExpression !== undefined || input.AttributesToGet !== undefined);
  return { meta, index, key: index.key, fetchFromTable };
}

/** Select ALL_ATTRIBUTES on a global secondary index that does not project them all. */
function checkSelectOnIndex(src: Source, select: Select | undefined): void {
  if (select === 'ALL_ATTRIBUTES' && src.index?.kind === 'GSI' && src.index.projection.type !== 'ALL') {
    throw new ValidationException(
      `One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index ${src.index.name} because its projection type is not ALL`,
    );
  }
}

const INVALID_START = 'The provided starting key is invalid';
const NOT_SCHEMA = 'The provided key element does not match the schema';

/**
 * ExclusiveStartKey against the keys, in DynamoDB's steps (each caller interleaves them with its
 * other checks): its attributes must be exactly the table's and the index's keys...
 */
function checkStartKeyCount(src: Source, key: Item, query: boolean): void {
  const names = new Set([...keyDefs(src.meta.key), ...(src.index ? keyDefs(src.index.key) : [])].map((d) => d.name));
  if (Object.keys(key).length !== names.size) {
    throw new ValidationException(query || src.index ? INVALID_START : `${INVALID_START}: ${NOT_SCHEMA}`);
  }
}

/** ...the attributes of the key read by must be there, with their types... */
function checkStartKeyPieces(key: Item, defs: readonly KeyDef[]): void {
  for (const d of defs) {
    const v = key[d.name];
    if (!v) throw new ValidationException(INVALID_START);
    if (!(d.type in v)) throw new ValidationException(NOT_SCHEMA);
  }
}

/** ...and the table's (and index's) key parts are checked as keys. */
function checkStartKeyParts(src: Source, key: Item): void {
  try {
    checkKey(src.meta.key, keyOf(src.meta.key, key));
    if (src.index) checkKey(src.index.key, keyOf(src.index.key, key));
  } catch (e) {
    if (e instanceof ValidationException) throw new ValidationException(`${INVALID_START}: ${e.message}`);
    throw e;
  }
}

/**
 * The position ExclusiveStartKey names: [pk, sk] for a table, [pk, sk, tableKeyHash, tablePk,
 * tableSk] for an index; plus the hash for scans.
 */
function startPosition(src: Source, key: Item | undefined): { after: [Buffer, ...Array<Buffer | number>]; hash: number } | undefined {
  if (key === undefined) return undefined;
  if (!src.index) {
    const k = encodeKey(src.meta.key, key);
    return { after: [k.pk, k.sk], hash: k.hash };
  }
  const t = encodeKey(src.meta.key, key);
  const i = encodeKey(src.index.key, key);
  return { after: [i.pk, i.sk, tableKeyOrder(src.meta, key), t.pk, t.sk], hash: i.hash };
}

/** The LastEvaluatedKey for a row: the table key, plus the index key for index reads. */
function lastKey(src: Source, item: Item): Item {
  const key = keyOf(src.meta.key, item);
  if (src.index) Object.assign(key, keyOf(src.index.key, item));
  return key;
}

interface PageResult {
  Items?: Item[];
  Count: number;
  ScannedCount: number;
  LastEvaluatedKey?: Item;
  ConsumedCapacity?: Record<string, unknown>;
}

/** Evaluates rows from `next` until Limit items or 1 MB were read, then filters and projects them. */
async function readPage(
  engine: DynamoEngine,
  src: Source,
  input: Input,
  next: (after: StoredRow | undefined, limit: number) => Promise<StoredRow[]>,
  filter: ConditionAst | undefined,
  paths: ReturnType<typeof projection>,
  count: boolean,
): Promise<PageResult> {
  const limit = checkLimit(input);
  const items: Item[] = [];
  let scanned = 0;
  let bytes = 0;
  // The page's size as DynamoDB stores its items: it ends at the item that reaches 1 MB.
  let pageBytes = 0;
  const sortKey = src.meta.key.range?.name;
  // Bytes read from the table to complete index rows (an LSI read of unprojected attributes).
  let fetchedBytes = 0;
  let last: StoredRow | undefined;
  let lastItem: Item | undefined;
  let more = true;
  let stopped = false;
  while (more && !stopped) {
    const want = limit === undefined ? CHUNK : Math.min(CHUNK, limit - scanned);
    const rows = await next(last, want);
    more = rows.length === want;
    for (const row of rows) {
      let item = JSON.parse(row.item) as Item;
      const size = itemSize(item);
      pageBytes += storedItemSize(item, sortKey);
      if (src.fetchFromTable && row.tpk) {
        const whole = await engine.items.get(src.meta, { pk: row.tpk, sk: row.tsk!, hash: 0 });
        if (whole) {
          item = whole;
          fetchedBytes += itemSize(whole);
        }
      }
      scanned++;
      bytes += size;
      last = row;
      lastItem = item;
      if (!filter || evaluateCondition(filter, item)) items.push(paths ? project(item, paths) : item);
      if ((limit !== undefined && scanned >= limit) || pageBytes >= PAGE_BYTES) {
        stopped = true;
        break;
      }
    }
  }
  // What was read where: the table or the index the rows came from, and the table again for
  // index rows completed from it. A read that found nothing still costs one read's minimum.
  const consistent = input.ConsistentRead === true;
  const used = new Consumption(src.meta, 'read');
  const units = readUnits(bytes, consistent);
  if (src.index) {
    used.addIndex(src.index.name, src.index.kind === 'GSI', units);
    used.table = rangeReadUnits(fetchedBytes, consistent);
  } else used.table = units;
  return {
    ...(count ? {} : { Items: items }),
    Count: items.length,
    ScannedCount: scanned,
    LastEvaluatedKey: stopped && lastItem ? lastKey(src, lastItem) : undefined,
    ConsumedCapacity: used.report(capacityMode(input.ReturnConsumedCapacity)),
  };
}

function rowPosition(src: Source, row: StoredRow): Array<Buffer | number> {
  return src.index ? [row.sk, row.th!, row.tpk!, row.tsk!] : [row.sk];
}

/**
 * ExclusiveStartKey's values, checked before the expressions. DynamoDB prefixes most of their
 * errors with "The provided starting key is invalid: ", but not those about numbers, number
 * sets and duplicates in sets (as dynalite's suite, written against DynamoDB, captured them).
 */
function startKeyValues(v: unknown): Item | undefined {
  if (v === undefined) return undefined;
  try {
    return validateItem(v);
  } catch (e) {
    if (e instanceof ValidationException && !/contains duplicates|number set|numeric value|significant digits|number with magnitude/.test(e.message)) {
      throw new ValidationException(`The provided starting key is invalid: ${e.message}`);
    }
    throw e;
  }
}

/** A Query's or Scan's legacy filter (QueryFilter, ScanFilter), checked whole before the expressions. */
function legacyFilter(filter: unknown, conditionalOperator: unknown): ConditionAst | undefined {
  return filter === undefined ? undefined : conditionFromFilter(filter as Record<string, unknown>, conditionalOperator as string | undefined);
}

export async function query(engine: DynamoEngine, scope: TableScope, input: Input): Promise<PageResult> {
  // Checked in DynamoDB's order, all before the table is looked up but the key condition's fit
  // to the key schema.
  checkExpressionMembers(input, QUERY);
  const select = selectOf(input);
  checkSelect(input, select);
  const queryFilter = legacyFilter(input.QueryFilter, input.ConditionalOperator);
  if (Array.isArray(input.AttributesToGet)) projectionFromAttributesToGet(input.AttributesToGet as string[]);
  const startKey = startKeyValues(input.ExclusiveStartKey);
  if (input.KeyConditions === undefined && input.KeyConditionExpression === undefined) {
    throw new ValidationException('Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.');
  }
  const ctx = expressionContext(input, QUERY);
  const keyAst = typeof input.KeyConditionExpression === 'string' ? parseKeyConditionAst(input.KeyConditionExpression, ctx) : undefined;
  const filter = typeof input.FilterExpression === 'string' ? parseCondition(input.FilterExpression, ctx, 'FilterExpression') : queryFilter;
  const paths = projection(input, ctx);
  ctx.assertAllUsed();
  const terms = keyAst ? keyTermsOf(keyAst) : keyTermsFromLegacy(input.KeyConditions as Record<string, unknown>);
  // Then against the table, in DynamoDB's order: the index, the starting key, the key
  // condition, the starting key against the condition, key paths, the filter, Select.
  const meta = engine.tables.require(scope, input.TableName as string);
  const src = sourceOf(meta, input, select);
  // The starting key's partition attributes, the key condition, then its sort attributes.
  if (startKey) {
    checkStartKeyCount(src, startKey, true);
    checkStartKeyPieces(startKey, hashDefs(src.key));
  }
  const cond: KeyCondition = keyConditionFor(terms, src.key);
  if (startKey) {
    checkStartKeyPieces(startKey, rangeDefs(src.key));
    checkStartKeyParts(src, startKey);
  }
  const forward = input.ScanIndexForward !== false;
  const start = startPosition(src, startKey);
  const range: RangeRead = {
    source: src.index ? src.index.id : meta.id,
    index: !!src.index,
    pk: encodePart([cond.partition, ...(cond.morePartition ?? [])].map((p) => p.value)),
    forward,
    limit: 0,
  };
  if (rangeDefs(src.key).length > 1) applyMultiAttributeSortCondition(range, cond);
  else if (cond.sort) applySortCondition(range, cond.sort);
  const initial = start ? start.after.slice(1) : undefined;
  if (start) {
    // A starting key outside the key condition: DynamoDB words it by whether the condition names the sort key.
    const bounded = !!(range.lower || range.upper);
    if (bounded && !withinBounds(initial![0] as Buffer, range)) throw new ValidationException('The provided starting key does not match the range key predicate');
    if (!start.after[0]!.equals(range.pk)) {
      throw new ValidationException(
        bounded ? 'The query can return at most one row and cannot be restarted' : 'The provided starting key is outside query boundaries based on provided conditions',
      );
    }
  }
  if (paths) checkKeyPathsScalar(meta, paths);
  if (filter) checkFilterAvoidsKeys(filter, src.key, input.QueryFilter !== undefined ? 'QueryFilter' : 'Filter Expression');
  checkSelectOnIndex(src, select);
  if (filter) checkKeyPathsScalar(meta, conditionPaths(filter));
  return readPage(
    engine,
    src,
    input,
    (after, limit) => engine.repo.readRange({ ...range, after: after ? rowPosition(src, after) : initial, limit }),
    filter,
    paths,
    select === 'COUNT',
  );
}

/** A Query's filter may not test the key it queries by: that belongs in the key condition. */
function checkFilterAvoidsKeys(filter: ConditionAst, key: KeySchema, member: string): void {
  const names = new Set(conditionPaths(filter).map((p) => p[0]));
  for (const k of keyDefs(key).map((d) => d.name)) {
    if (names.has(k)) throw new ValidationException(`${member} can only contain non-primary key attributes: Primary key attribute: ${k}`);
  }
}

function withinBounds(sk: Buffer, range: RangeRead): boolean {
  if (range.lower) {
    const c = Buffer.compare(sk, range.lower.value);
    if (c < 0 || (c === 0 && !range.lower.inclusive)) return false;
  }
  if (range.upper) {
    const c = Buffer.compare(sk, range.upper.value);
    if (c > 0 || (c === 0 && !range.upper.inclusive)) return false;
  }
  return true;
}

function applySortCondition(range: RangeRead, sort: NonNullable<KeyCondition['sort']>): void {
  const a = encodeKeyValue(sort.values[0]!);
  switch (sort.op) {
    case '=':
      range.lower = { value: a, inclusive: true };
      range.upper = { value: a, inclusive: true };
      break;
    case '<':
      range.upper = { value: a, inclusive: false };
      break;
    case '<=':
      range.upper = { value: a, inclusive: true };
      break;
    case '>':
      range.lower = { value: a, inclusive: false };
      break;
    case '>=':
      range.lower = { value: a, inclusive: true };
      break;
    case 'BETWEEN':
      range.lower = { value: a, inclusive: true };
      range.upper = { value: encodeKeyValue(sort.values[1]!), inclusive: true };
      break;
    case 'BEGINS_WITH': {
      range.lower = { value: a, inclusive: true };
      const upper = prefixEnd(a);
      if (upper) range.upper = { value: upper, inclusive: false };
      break;
    }
  }
}

/**
 * The bounds of a multi-attribute sort key's condition: the equalities on its leading
 * attributes make a prefix of tuple elements (keys.ts), and the last attribute's condition
 * bounds what follows it. `x > v` starts after every key whose element is v (past the prefix
 * P+v); `x <= v` ends there.
 */
function applyMultiAttributeSortCondition(range: RangeRead, cond: KeyCondition): void {
  const prefix = Buffer.concat((cond.sortPrefix ?? []).map((p) => tupleElement(p.value)));
  const from = (value: Buffer, inclusive = true) => (range.lower = { value, inclusive });
  const to = (value: Buffer | undefined, inclusive = false) => value && (range.upper = { value, inclusive });
  const below = (v: Buffer) => Buffer.concat([prefix, v]);
  const after = (v: Buffer) => prefixEnd(below(v));
  const whole = () => {
    if (prefix.length === 0) return;
    from(prefix);
    to(prefixEnd(prefix));
  };
  const sort = cond.sort;
  if (!sort) return whole();
  const [a, b] = sort.values.map(tupleElement) as [Buffer, Buffer | undefined];
  switch (sort.op) {
    case '=':
      from(below(a));
      to(after(a));
      break;
    case '<':
      whole();
      to(below(a));
      break;
    case '<=':
      whole();
      to(after(a));
      break;
    case '>':
      whole();
      from(after(a)!);
      break;
    case '>=':
      whole();
      from(below(a));
      break;
    case 'BETWEEN':
      from(below(a));
      to(after(b!));
      break;
    case 'BEGINS_WITH': {
      // The prefix's bytes as they appear inside an element, without its terminator.
      const start = below(escapeZeros(encodeKeyValue(sort.values[0]!)));
      from(start);
      to(prefixEnd(start));
      break;
    }
  }
}

/** The smallest byte string greater than every string starting with `prefix` (none for all-0xFF). */
function prefixEnd(prefix: Buffer): Buffer | undefined {
  const out = Buffer.from(prefix);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i]!++;
      return out.subarray(0, i + 1);
    }
  }
  return undefined;
}

export async function scan(engine: DynamoEngine, scope: TableScope, input: Input): Promise<PageResult> {
  // Checked in DynamoDB's order, all before the table is looked up.
  checkExpressionMembers(input, SCAN);
  const select = selectOf(input);
  checkSelect(input, select);
  if (Array.isArray(input.AttributesToGet)) projectionFromAttributesToGet(input.AttributesToGet as string[]);
  const scanFilter = legacyFilter(input.ScanFilter, input.ConditionalOperator);
  const startKey = startKeyValues(input.ExclusiveStartKey);
  const segment = input.Segment as number | undefined;
  const total = input.TotalSegments as number | undefined;
  if (segment !== undefined && total === undefined) {
    throw new ValidationException('The TotalSegments parameter is required but was not present in the request when Segment parameter is present');
  }
  if (total !== undefined) {
    if (total < 1 || total > 1_000_000) {
      throw new ValidationException(
        `1 validation error detected: Value '${total}' at 'totalSegments' failed to satisfy constraint: Member must have value ${total < 1 ? 'greater than or equal to 1' : 'less than or equal to 1000000'}`,
      );
    }
    if (segment === undefined) throw new ValidationException('The Segment parameter is required but was not present in the request when parameter TotalSegments is present');
    if (segment < 0) throw new ValidationException(`1 validation error detected: Value '${segment}' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0`);
    if (segment >= total) throw new ValidationException(`The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: ${segment} is not less than TotalSegments: ${total}`);
  }
  const ctx = expressionContext(input, SCAN);
  const filter = typeof input.FilterExpression === 'string' ? parseCondition(input.FilterExpression, ctx, 'FilterExpression') : scanFilter;
  const paths = projection(input, ctx);
  ctx.assertAllUsed();
  const meta = engine.tables.require(scope, input.TableName as string);
  const src = sourceOf(meta, input, select);
  if (startKey) {
    checkStartKeyCount(src, startKey, false);
    if (src.index) checkStartKeyPieces(startKey, keyDefs(src.index.key));
  }
  checkSelectOnIndex(src, select);
  if (startKey) checkStartKeyParts(src, startKey);
  const seg = segment ?? 0;
  const segs = total ?? 1;
  const { from: hashFrom, to: hashTo } = segmentRange(seg, segs);
  const start = startPosition(src, startKey);
  if (start && (start.hash < hashFrom || start.hash >= hashTo)) {
    throw new ValidationException(
      `The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: ${segs} Segment: ${seg}`,
    );
  }
  if (paths) checkKeyPathsScalar(meta, paths);
  if (filter) checkKeyPathsScalar(meta, conditionPaths(filter));
  const position = (row: StoredRow): [number, ...Array<Buffer | number>] => [row.hash, row.pk, row.sk, ...(src.index ? [row.th!, row.tpk!, row.tsk!] : [])];
  const initial: [number, ...Array<Buffer | number>] | undefined = start ? [start.hash, ...start.after] : undefined;
  return readPage(
    engine,
    src,
    input,
    (after, limit) =>
      engine.repo.scan({ source: src.index ? src.index.id : meta.id, index: !!src.index, hashFrom, hashTo, after: after ? position(after) : initial, limit }),
    filter,
    paths,
    select === 'COUNT',
  );
}

