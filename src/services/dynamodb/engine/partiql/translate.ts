/**
 * Statements as ordinary DynamoDB requests, so conditions, capacity, streams and indexes all come
 * from the engine's one implementation of each operation:
 *
 * - INSERT is a PutItem conditioned on attribute_not_exists(<hash key>).
 * - UPDATE is an UpdateItem of the key the WHERE pins, conditioned on attribute_exists(<hash
 *   key>) AND the rest of the WHERE, so a missing item fails the condition as on DynamoDB.
 * - DELETE is a DeleteItem conditioned on the rest of the WHERE only: deleting a missing item
 *   succeeds (the developer guide's ql-reference.delete, and DynamoDB Local's translator).
 * - EXISTS(SELECT ...) is a transaction's ConditionCheck on an item that must exist.
 * - SELECT is a GetItem when the WHERE is exactly the table's full key; a Query per partition
 *   when it pins the partition key with = or IN (or an OR of those), the first sort-key
 *   condition becoming the key condition and the rest a filter; a Scan otherwise.
 *
 * Key extraction follows DynamoDB's: only the top-level AND of the WHERE is searched, a key
 * attribute compared with = to a value is a key term, everything else stays a condition.
 */
import { compareScalars, valuesEqual } from '../values.js';
import type { DynamoEngine } from '../index.js';
import type { Path } from '../expressions/index.js';
import { isMultiAttribute, keyDefs, type KeySchema, type TableMeta } from '../table-meta.js';
import type { TableScope } from '../tables.js';
import { typeOf, type AttributeValue, type Item } from '../types.js';
import type { OrderItem, Returning, SelectStatement, Statement } from './ast.js';
import { invalid, MSG } from './errors.js';
import { ExpressionBuilder, pathOf, toCondition, type Comparator, type Cond, type Operand } from './expressions.js';
import type { Binder } from './values.js';

export interface TranslateContext {
  engine: DynamoEngine;
  scope: TableScope;
  binder: Binder;
  /** Where the statement runs: batches and transactions read single items only. */
  use: 'statement' | 'batch' | 'transaction';
  consistentRead?: boolean;
  returnValuesOnConditionCheckFailure?: unknown;
}

export interface ReadPlan {
  kind: 'get' | 'query' | 'scan';
  table: TableMeta;
  /** One GetItem or Scan input, or one Query input per partition in reading order. */
  inputs: Record<string, unknown>[];
  /** The projected paths; each becomes a top-level attribute of the result (undefined for `*`). */
  paths?: Path[];
  /** A Scan read for an ORDER BY: each page is sorted on these key attributes before projection. */
  order?: OrderItem[];
}

export interface WritePlan {
  kind: 'put' | 'update' | 'delete' | 'check';
  table: TableMeta;
  /** The request, without ReturnConsumedCapacity (the caller adds it where it applies). */
  input: Record<string, unknown>;
  key: Item;
  returning?: Returning;
}

const FLIP: Record<Comparator, Comparator> = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const RETURNING_TEXT: Record<Returning, string> = {
  ALL_OLD: 'ALL OLD *',
  ALL_NEW: 'ALL NEW *',
  UPDATED_OLD: 'MODIFIED OLD *',
  UPDATED_NEW: 'MODIFIED NEW *',
};

// WHERE analysis ---------------------------------------------------------------------------

function conjuncts(c: Cond): Cond[] {
  return c.kind === 'and' ? [...conjuncts(c.left), ...conjuncts(c.right)] : [c];
}

function disjuncts(c: Cond): Cond[] {
  return c.kind === 'or' ? [...disjuncts(c.left), ...disjuncts(c.right)] : [c];
}

function join(cs: Cond[]): Cond | undefined {
  return cs.reduce<Cond | undefined>((acc, c) => (acc ? { kind: 'and', left: acc, right: c } : c), undefined);
}

const isKeyPath = (o: Operand, name: string | undefined) => o.kind === 'path' && o.path.length === 1 && o.path[0] === name;

/** `key = value` (either way round): the key's name and value. */
function keyEquality(c: Cond, names: string[]): { name: string; value: AttributeValue } | undefined {
  if (c.kind !== 'compare' || c.op !== '=') return undefined;
  for (const [p, v] of [[c.left, c.right], [c.right, c.left]] as const) {
    if (p.kind === 'path' && p.path.length === 1 && names.includes(p.path[0] as string) && v.kind === 'value') return { name: p.path[0] as string, value: v.value };
  }
  return undefined;
}

function keyNames(schema: KeySchema): string[] {
  return keyDefs(schema).map((d) => d.name);
}

interface KeySplit {
  key: Item;
  rest?: Cond;
  complete: boolean;
  /** A key attribute equated to two different values. */
  conflict?: string;
}

function splitKey(cond: Cond | undefined, schema: KeySchema): KeySplit {
  const names = keyNames(schema);
  const key: Item = {};
  const rest: Cond[] = [];
  let conflict: string | undefined;
  for (const c of cond ? conjuncts(cond) : []) {
    const eq = keyEquality(c, names);
    if (!eq) rest.push(c);
    else if (key[eq.name] && !valuesEqual(key[eq.name]!, eq.value)) conflict ??= eq.name;
    else key[eq.name] = eq.value;
  }
  return { key, rest: join(rest), complete: names.every((n) => key[n]), conflict };
}

/** Key values must be scalars of the schema's types. */
function checkKeyTypes(schema: KeySchema, key: Item): void {
  for (const def of [schema.hash, schema.range]) {
    if (!def || !key[def.name]) continue;
    const type = typeOf(key[def.name]!);
    if (!['S', 'N', 'B'].includes(type)) throw invalid(`Key value must be of type S, N, or B. Key name: ${def.name}, Key type: ${type}`);
    if (type !== def.type) throw invalid(`Key attribute's data type should match its data type in table's schema: Key ${def.name}`);
  }
}

function references(c: Cond, names: Array<string | undefined>): boolean {
  const hit = (o: Operand) => o.kind !== 'value' && names.includes(o.path[0] as string);
  switch (c.kind) {
    case 'and':
    case 'or':
      return references(c.left, names) || references(c.right, names);
    case 'not':
      return references(c.operand, names);
    case 'compare':
      return hit(c.left) || hit(c.right);
    case 'between':
      return [c.operand, c.low, c.high].some(hit);
    case 'in':
      return [c.operand, ...c.list].some(hit);
    case 'function':
      return c.args.some(hit);
  }
}

/** A condition a Query can use on the sort key, with the key on the left. */
function sortCondition(c: Cond, range: string): Cond | undefined {
  if (c.kind === 'compare' && c.op !== '<>') {
    if (isKeyPath(c.left, range) && c.right.kind === 'value') return c;
    if (isKeyPath(c.right, range) && c.left.kind === 'value') return { kind: 'compare', op: FLIP[c.op], left: c.right, right: c.left };
  }
  if (c.kind === 'between' && isKeyPath(c.operand, range) && c.low.kind === 'value' && c.high.kind === 'value') return c;
  if (c.kind === 'function' && c.name === 'begins_with' && isKeyPath(c.args[0]!, range) && c.args[1]!.kind === 'value') return c;
  return undefined;
}

/** DynamoDB's "non-optional hash key condition": one on every path through the WHERE's ANDs and ORs. */
function hashRequired(c: Cond, hash: string): boolean {
  if (c.kind === 'and') return hashRequired(c.left, hash) || hashRequired(c.right, hash);
  if (c.kind === 'or') return hashRequired(c.left, hash) && hashRequired(c.right, hash);
  if (c.kind === 'not') return false;
  const operands = operandsOf(c);
  return operands.some((o) => isKeyPath(o, hash)) && operands.some((o) => o.kind === 'value');
}

interface Partitions {
  values: AttributeValue[];
  sort?: Cond;
  rest?: Cond;
}

/** The partitions a WHERE pins with = or IN (or an OR of those); undefined means a Scan. */
function partitions(cond: Cond | undefined, schema: KeySchema): Partitions | undefined {
  // A multi-attribute index key is read by a Scan of the index with the WHERE as its filter:
  // the same items, without planning a Query over several key attributes.
  if (!cond || isMultiAttribute(schema)) return undefined;
  const hash = schema.hash.name;
  const hashValues = (c: Cond): AttributeValue[] | undefined => {
    const eq = keyEquality(c, [hash]);
    if (eq) return [eq.value];
    if (c.kind === 'in' && isKeyPath(c.operand, hash) && c.list.every((o) => o.kind === 'value')) return c.list.map((o) => (o as { value: AttributeValue }).value);
    return undefined;
  };
  const dedupe = (vs: AttributeValue[]) => vs.filter((v, i) => vs.findIndex((w) => valuesEqual(v, w)) === i);
  if (cond.kind === 'or') {
    const values: AttributeValue[] = [];
    for (const branch of disjuncts(cond)) {
      const vs = hashValues(branch);
      if (!vs) return undefined;
      values.push(...vs);
    }
    return { values: dedupe(values) };
  }
  const cs = conjuncts(cond);
  const pinned = cs.filter((c) => hashValues(c));
  if (pinned.length !== 1) return undefined;
  let sort: Cond | undefined;
  const rest: Cond[] = [];
  for (const c of cs) {
    if (c === pinned[0]) continue;
    const s = !sort && schema.range ? sortCondition(c, schema.range.name) : undefined;
    if (s) sort = s;
    else rest.push(c);
  }
  const filter = join(rest);
  // A Query may not filter on its own key attributes: such a WHERE is read by a Scan.
  if (filter && references(filter, [hash, schema.range?.name])) return undefined;
  return { values: dedupe(hashValues(pinned[0]!)!), sort, rest: filter };
}

/** The name a projected path is returned under: its last name and any indexes after it. */
export function projectedName(p: Path): string {
  let i = p.length - 1;
  while (typeof p[i] === 'number') i--;
  return `${p[i]}${p.slice(i + 1).map((n) => `[${n}]`).join('')}`;
}

// Statements -------------------------------------------------------------------------------

export function translateRead(ctx: TranslateContext, s: SelectStatement): ReadPlan {
  const paths = s.projection?.map(pathOf);
  const seen = new Set<string>();
  for (const name of (paths ?? []).map(projectedName)) {
    if (seen.has(name)) throw invalid(`Duplicate identifiers in select clause: ${name}`);
    seen.add(name);
  }
  const cond = s.where ? toCondition(s.where, ctx.binder) : undefined;
  const xb = new ExpressionBuilder();
  const projection = paths ? { ProjectionExpression: xb.projection(paths) } : {};
  const consistent = ctx.consistentRead === undefined ? {} : { ConsistentRead: ctx.consistentRead };
  if (ctx.use !== 'statement') {
    const refusal = ctx.use === 'transaction' ? MSG.transactionSelectKey : MSG.batchSelect;
    if (s.source.index) throw invalid(ctx.use === 'transaction' ? MSG.transactionIndex : MSG.batchSelect);
    const meta = ctx.engine.tables.require(ctx.scope, s.source.table);
    const split = splitKey(cond, meta.key);
    if (!split.complete || split.conflict || split.rest) throw invalid(refusal);
    checkKeyTypes(meta.key, split.key);
    const input = { TableName: meta.name, Key: split.key, ...projection, ...xb.members(), ...consistent };
    return { kind: 'get', table: meta, inputs: [input], paths };
  }
  if (s.orderBy.length && !cond) throw invalid(MSG.orderByWhere);
  const meta = ctx.engine.tables.require(ctx.scope, s.source.table);
  const index = s.source.index === undefined ? undefined : meta.indexes.find((ix) => ix.name === s.source.index);
  if (s.source.index !== undefined && !index) throw invalid(`The table does not have the specified index: ${s.source.index}`);
  if (index?.kind === 'GSI' && ctx.consistentRead) throw invalid(MSG.consistentGsi);
  const schema = index ? index.key : meta.key;
  for (const o of s.orderBy) {
    if (!keyNames(schema).includes(o.name)) throw invalid(`Variable reference ${o.name} in ORDER BY clause must be part of the primary key`);
  }
  const base = { TableName: meta.name, ...(index ? { IndexName: index.name } : {}), ...consistent };
  if (s.orderBy.length && !hashRequired(cond!, schema.hash.name)) throw invalid(MSG.orderByHash);
  const parts = partitions(cond, schema);
  if (!parts) {
    // An ORDER BY whose WHERE a Query cannot serve sorts each scanned page, as DynamoDB Local
    // does; the key attributes are read even when not projected, to sort on.
    const order = s.orderBy.length ? s.orderBy : undefined;
    const keyRoots = order && paths ? { ProjectionExpression: xb.projection([...paths, ...keyNames(schema).map((n) => [n])]) } : projection;
    const filter = cond ? { FilterExpression: xb.condition(cond) } : {};
    return { kind: 'scan', table: meta, inputs: [{ ...base, ...filter, ...keyRoots, ...xb.members() }], paths, order };
  }
  const hashOrder = s.orderBy.find((o) => o.name === schema.hash.name);
  if (parts.values.length > 1 && s.orderBy.length && !hashOrder) throw invalid(MSG.orderByHashNeeded);
  if (parts.values.length > 50) throw invalid(MSG.tooManyReads);
  for (const v of parts.values) checkKeyTypes(schema, { [schema.hash.name]: v });
  const sortValues = parts.sort ? operandsOf(parts.sort).flatMap((o) => (o.kind === 'value' ? [o.value] : [])) : [];
  // begins_with's prefix is checked by the Query itself (a number prefix is its own error there).
  if (schema.range && parts.sort?.kind !== 'function') for (const v of sortValues) checkKeyTypes(schema, { [schema.range.name]: v });
  const values = [...parts.values];
  if (hashOrder) {
    values.sort((a, b) => compareScalars(a, b) ?? 0);
    if (hashOrder.descending) values.reverse();
  }
  const exactKey = !schema.range || (parts.sort?.kind === 'compare' && parts.sort.op === '=');
  if (!index && values.length === 1 && !parts.rest && exactKey) {
    const key: Item = { [schema.hash.name]: values[0]! };
    if (schema.range) key[schema.range.name] = sortValues[0]!;
    return { kind: 'get', table: meta, inputs: [{ TableName: meta.name, Key: key, ...projection, ...xb.members(), ...consistent }], paths };
  }
  const forward = !s.orderBy.find((o) => o.name === schema.range?.name)?.descending;
  const inputs = values.map((v) => {
    const qb = new ExpressionBuilder();
    const keyCondition = `${qb.name(schema.hash.name)} = ${qb.value(v)}${parts.sort ? ` AND ${qb.condition(parts.sort)}` : ''}`;
    const filter = parts.rest ? { FilterExpression: qb.condition(parts.rest) } : {};
    const proj = paths ? { ProjectionExpression: qb.projection(paths) } : {};
    return { ...base, KeyConditionExpression: keyCondition, ...filter, ...proj, ...qb.members(), ScanIndexForward: forward };
  });
  return { kind: 'query', table: meta, inputs, paths };
}

function operandsOf(c: Cond): Operand[] {
  switch (c.kind) {
    case 'compare':
      return [c.left, c.right];
    case 'between':
      return [c.operand, c.low, c.high];
    case 'in':
      return [c.operand, ...c.list];
    case 'function':
      return c.args;
    default:
      return [];
  }
}

export function translateWrite(ctx: TranslateContext, s: Exclude<Statement, SelectStatement>): WritePlan {
  const onFailure = ctx.returnValuesOnConditionCheckFailure === undefined ? {} : { ReturnValuesOnConditionCheckFailure: ctx.returnValuesOnConditionCheckFailure };
  const xb = new ExpressionBuilder();
  if (s.kind === 'insert') {
    const item = ctx.binder.struct(s.value);
    const meta = ctx.engine.tables.require(ctx.scope, s.table);
    for (const def of [meta.key.hash, meta.key.range]) {
      if (!def) continue;
      if (!item[def.name]) throw invalid(`Key attribute should be present in the item: Key ${def.name}`);
      if (typeOf(item[def.name]!) !== def.type) throw invalid(`Key attribute's data type should match its data type in table's schema: Key ${def.name}`);
    }
    const condition = `attribute_not_exists(${xb.name(meta.key.hash.name)})`;
    const key: Item = Object.fromEntries(keyNames(meta.key).map((n) => [n, item[n]!]));
    return { kind: 'put', table: meta, key, input: { TableName: meta.name, Item: item, ConditionExpression: condition, ...xb.members(), ...onFailure } };
  }
  const select = s.kind === 'exists' ? s.select : undefined;
  const source = select ? select.source : s.kind === 'exists' ? undefined : s.source;
  if (source?.index) throw invalid(select ? MSG.existsIndex : MSG.onIndex);
  const where = select ? select.where : s.kind === 'exists' ? undefined : s.where;
  const cond = where ? toCondition(where, ctx.binder) : undefined;
  if (select && !cond) throw invalid(MSG.existsShape);
  const update = s.kind === 'update' ? xb.update(s.clauses, ctx.binder) : undefined;
  if (s.kind === 'delete' && s.returning && s.returning !== 'ALL_OLD') {
    throw invalid(`Invalid returning clause: RETURNING ${RETURNING_TEXT[s.returning]}. Only RETURNING ALL OLD * is allowed in DELETE statements.`);
  }
  const meta = ctx.engine.tables.require(ctx.scope, source!.table);
  const split = splitKey(cond, meta.key);
  if (select) {
    if (!split.complete || !split.rest) throw invalid(MSG.existsShape);
  } else {
    if (split.conflict) throw invalid(`Multiple conditions on same key ${split.conflict}. Only single item Update/Insert/Delete are supported`);
    if (!split.complete) throw invalid(MSG.incompleteKey);
  }
  checkKeyTypes(meta.key, split.key);
  // UPDATE and EXISTS need the item; DELETE of a missing item is a success.
  const mustExist = s.kind === 'delete' ? undefined : `attribute_exists(${xb.name(meta.key.hash.name)})`;
  const rest = split.rest ? xb.condition(split.rest) : undefined;
  const condition = mustExist && rest ? `${mustExist} AND (${rest})` : (mustExist ?? rest);
  const returning = s.kind === 'update' || s.kind === 'delete' ? s.returning : undefined;
  const input: Record<string, unknown> = {
    TableName: meta.name,
    Key: split.key,
    ...(update ? { UpdateExpression: update } : {}),
    ...(condition ? { ConditionExpression: condition } : {}),
    ...xb.members(),
    ...(returning ? { ReturnValues: returning } : {}),
    ...onFailure,
  };
  return { kind: s.kind === 'exists' ? 'check' : s.kind, table: meta, key: split.key, input, returning };
}
