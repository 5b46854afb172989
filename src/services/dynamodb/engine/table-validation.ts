/**
 * CreateTable and UpdateTable input checks, worded and ordered as DynamoDB words and orders them.
 * Pure functions: they read the request (and, for UpdateTable, the table as it stands) and
 * answer a plan or throw; nothing is stored here.
 *
 * DynamoDB checks a request in layers, and the first failing layer answers:
 *  1. deserialization: a member of the wrong JSON type is a SerializationException;
 *  2. a missing table name, reported on its own (a malformed one joins layer 3 in CreateTable);
 *  3. the model's constraints (not null, lengths, patterns, enums, minimums), all reported at
 *     once as "N validation error(s) detected: Value ... at '<path>' failed to satisfy
 *     constraint: ...; ..." (at most 10), paths in the model's camelCase with `.N.member` for
 *     list elements (`keySchema.1.member.keyType`);
 *  4. the service's own rules, one bare message each, most prefixed "One or more parameter values
 *     were invalid: ", in a fixed order; LimitExceededExceptions (quotas) come last.
 * Sources: dynalite's validations (messages captured from DynamoDB over the years), live captures
 * published by the DynamoDB conformance suites and the 2026 "ack-api-quirks" lab (newer wording
 * wins where they differ: UpdateTable's "At least one of ..." list, 'Attribute Name is
 * duplicated', the index-not-found text, the stream and single-change rules).
 */
import { LimitExceededException, ResourceNotFoundException, ValidationException } from '../errors.js';
import { keyDefs, keySchemaOf } from './table-meta.js';
import type { IndexMeta, KeyDef, KeySchema, StreamViewType, TableMeta, Throughput } from './table-meta.js';
import type { ScalarKeyType } from './types.js';

export type IndexPlan = Omit<IndexMeta, 'id' | 'createdAt' | 'status'>;
type BillingMode = TableMeta['billingMode'];
type TableClass = TableMeta['tableClass'];

export interface CreateTablePlan {
  name: string;
  key: KeySchema;
  /** AttributeDefinitions in request order. */
  attributes: KeyDef[];
  billingMode: BillingMode;
  throughput?: Throughput;
  /** LSIs then GSIs, each in request order. */
  indexes: IndexPlan[];
  stream?: { viewType: StreamViewType };
  tableClass: TableClass;
  deletionProtection: boolean;
  tags: Record<string, string>;
}

export interface UpdateTablePlan {
  billingMode?: BillingMode;
  throughput?: Throughput;
  createIndexes: IndexPlan[];
  deleteIndexes: string[];
  updateIndexes: Array<{ name: string; throughput: Throughput }>;
  stream?: { enabled: boolean; viewType?: StreamViewType };
  /** The table's AttributeDefinitions after the update: exactly the attributes some key still uses. */
  attributes: KeyDef[];
  tableClass?: TableClass;
  deletionProtection?: boolean;
}

/** Per-table/per-index capacity quota (DynamoDB's adjustable default: 40000 units). */
export interface CapacityLimits {
  /** Needed for the quota's message; CreateTable skips the quota check without it. */
  region?: string;
  maxCapacity?: number;
}
import {
  INVALID,
  MAX_UNITS,
  ONLINE_INDEX_LIMIT,
  BILLING_MODES,
  SSE_TYPES,
  PPR,
  invalid,
  absent,
  str,
  bool,
  list,
  struct,
  items,
  RawThroughput,
  RawIndex,
  RawStream,
  Def,
  IndexIn,
  readKey,
  readAttr,
  readThroughput,
  readIndex,
  readStream,
  Violations,
  checkKeySchema,
  checkAttributeDefinitions,
  checkThroughput,
  checkIndex,
  checkStreamModel,
  javaList,
  javaSetOrder,
  firstDuplicate,
  notDefined,
  checkKeyShape,
  checkGsiKeyShape,
  checkProjection,
  checkProjectedTotal,
  checkUnitBounds,
  checkCapacityQuota,
  checkTableClass,
  units,
  sameUnits,
  willNotChange,
  validateTableName,
  validateTags,
} from './table-checks.js';

export { validateTableName, validateTags, validationErrors } from './table-checks.js';

// CreateTable ----------------------------------------------------------------------------------

/**
 * CreateTable's input, checked in DynamoDB's order; the plan it answers is the table to create.
 * With limits.region, provisioned capacity above limits.maxCapacity (default 40000) per table or
 * per index is the account quota's LimitExceededException.
 */
export function validateCreateTable(input: Record<string, unknown>, limits: CapacityLimits = {}): CreateTablePlan {
  const rawDefs = items(input.AttributeDefinitions, 'AttributeDefinition', readAttr);
  const rawKey = items(input.KeySchema, 'KeySchemaElement', readKey);
  const rawLsis = items(input.LocalSecondaryIndexes, 'LocalSecondaryIndex', readIndex);
  const rawGsis = items(input.GlobalSecondaryIndexes, 'GlobalSecondaryIndex', readIndex);
  const billing = str(input.BillingMode);
  const throughput = readThroughput(input.ProvisionedThroughput);
  const stream = readStream(input.StreamSpecification);
  const sseType = str(struct(input.SSESpecification, 'SSESpecification')?.SSEType);
  const tableClass = str(input.TableClass);
  const rawTags = items(input.Tags, 'Tag', (o) => ({ key: str(o.Key), value: str(o.Value) }));
  const deletionProtection = bool(input.DeletionProtectionEnabled) ?? false;
  // A missing name is answered alone; a malformed one joins the other constraints, in the model's order.
  if (absent(input.TableName)) validateTableName(input.TableName);
  const name = str(input.TableName)!;

  const v = new Violations();
  checkAttributeDefinitions(v, rawDefs, true);
  v.name('tableName', name);
  checkKeySchema(v, 'keySchema', rawKey);
  rawLsis?.forEach((ix, i) => checkIndex(v, `localSecondaryIndexes.${i + 1}.member`, ix));
  rawGsis?.forEach((ix, i) => checkIndex(v, `globalSecondaryIndexes.${i + 1}.member`, ix, true));
  v.oneOf('billingMode', billing, BILLING_MODES);
  checkThroughput(v, 'provisionedThroughput', throughput);
  checkStreamModel(v, stream);
  v.oneOf('sSESpecification.sSEType', sseType, SSE_TYPES);
  v.throwIfAny();
  const defs = rawDefs as Def[];
  const key = rawKey as Def[];
  const lsis = rawLsis as IndexIn[] | undefined;
  const gsis = rawGsis as IndexIn[] | undefined;

  const cls = checkTableClass(tableClass) ?? 'STANDARD';
  const mode: BillingMode = billing === PPR ? PPR : 'PROVISIONED';
  if (mode === PPR && throughput) throw invalid('Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST');
  if (mode === 'PROVISIONED' && !throughput) throw invalid('ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED');
  checkUnitBounds(throughput);

  const defNames = defs.map((d) => d.name);
  const dup = firstDuplicate(defNames);
  if (dup !== undefined) throw new ValidationException(`Attribute Name is duplicated: ${dup}`);
  // The table's key against the definitions (dynalite's order, confirmed by the conformance suites).
  const keyNames = key.map((k) => k.name);
  if (keyNames.length > defNames.length) throw new ValidationException('Invalid KeySchema: Some index key attribute have no definition');
  if (keyNames.some((k) => !defNames.includes(k))) throw notDefined(keyNames, defNames);
  checkKeyShape(key);

  if (lsis?.length === 0) throw invalid('List of LocalSecondaryIndexes is empty');
  if (gsis?.length === 0) throw invalid('List of GlobalSecondaryIndexes is empty');
  if (lsis && key.length < 2) throw invalid('Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex');
  // AttributeDefinitions must name exactly the key attributes; checked before the per-index rules.
  const indexes = [...(lsis ?? []), ...(gsis ?? [])];
  if (indexes.length === 0) {
    if (defNames.length !== keyNames.length) {
      throw invalid('Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions');
    }
  } else {
    const used = [...keyNames, ...indexes.flatMap((ix) => ix.key.map((k) => k.name))];
    if (defNames.length > new Set(used).size) {
      throw invalid(`Some AttributeDefinitions are not used. AttributeDefinitions: ${javaList(defNames)}, keys used: ${javaList(javaSetOrder(used))}`);
    }
    for (const ix of indexes) {
      const names = ix.key.map((k) => k.name);
      if (names.some((n) => !defNames.includes(n))) throw notDefined(names, defNames);
    }
  }

  const types = new Map(defs.map((d) => [d.name, d.type as ScalarKeyType]));
  const schema = (ks: Def[]): KeySchema => keySchemaOf(ks.map((k) => ({ name: k.name, type: types.get(k.name)!, keyType: k.type })));
  const names = new Set<string>();
  const claim = (n: string) => {
    if (names.has(n)) throw invalid(`Duplicate index name: ${n}`);
    names.add(n);
  };
  const planned: IndexPlan[] = [];
  for (const ix of lsis ?? []) {
    checkKeyShape(ix.key);
    if (ix.key.length !== 2) throw invalid(`Index KeySchema does not have a range key for index: ${ix.name}`);
    const [hash, tableHash] = [ix.key[0]!.name, key[0]!.name];
    if (hash !== tableHash) {
      throw invalid(`Index KeySchema does not have the same leading hash key as table KeySchema for index: ${ix.name}. index hash key: ${hash}, table hash key: ${tableHash}`);
    }
    const projection = checkProjection(ix.projection);
    claim(ix.name);
    planned.push({ name: ix.name, kind: 'LSI', key: schema(ix.key), projection });
  }
  if ((lsis?.length ?? 0) > 5) throw invalid('Number of LocalSecondaryIndexes exceeds per-table limit of 5');
  for (const ix of gsis ?? []) {
    checkGsiKeyShape(ix.key);
    const projection = checkProjection(ix.projection);
    if (mode === PPR && ix.throughput) throw invalid(`ProvisionedThroughput should not be specified for index: ${ix.name} when BillingMode is PAY_PER_REQUEST`);
    if (mode === 'PROVISIONED' && !ix.throughput) throw invalid(`ProvisionedThroughput is not specified for index: ${ix.name}`);
    claim(ix.name);
    planned.push({ name: ix.name, kind: 'GSI', key: schema(ix.key), projection, ...(ix.throughput ? { throughput: units(ix.throughput) } : {}) });
  }
  if ((gsis?.length ?? 0) > 20) throw invalid('GlobalSecondaryIndex count exceeds the per-table limit of 20');
  checkProjectedTotal(planned.map((ix) => ix.projection.nonKeyAttributes));

  if (stream?.enabled && stream.viewType === undefined) throw invalid('Table is being created with a stream enabled, UpdateViewType is required');
  if (stream && !stream.enabled && stream.viewType !== undefined) {
    throw invalid('Table is being created with a stream disabled, UpdateViewType should not be specified');
  }
  const tags = validateTags(rawTags ?? []);
  if (limits.region !== undefined) {
    const max = limits.maxCapacity ?? 40_000;
    checkCapacityQuota(throughput && units(throughput), limits.region, max);
    for (const ix of planned) checkCapacityQuota(ix.throughput, limits.region, max, ix.name);
  }

  return {
    name,
    key: schema(key),
    attributes: defs.map((d) => ({ name: d.name, type: d.type as ScalarKeyType })),
    billingMode: mode,
    ...(throughput ? { throughput: units(throughput) } : {}),
    indexes: planned,
    ...(stream?.enabled ? { stream: { viewType: stream.viewType as StreamViewType } } : {}),
    tableClass: cls,
    deletionProtection,
    tags,
  };
}

// UpdateTable ----------------------------------------------------------------------------------

type RawGsiUpdate = { update?: { name?: string; throughput?: RawThroughput }; create?: RawIndex; delete?: { name?: string } };
interface UpdateRequest {
  defs?: Def[];
  billing?: BillingMode;
  throughput?: RawThroughput;
  updates: Array<{ update?: { name: string; throughput?: RawThroughput }; create?: IndexIn; delete?: { name: string } }>;
  stream?: RawStream;
  tableClass?: TableClass;
  deletionProtection?: boolean;
}

/** The members that make an UpdateTable do something, as the "At least one of" message lists them. */
const CHANGES = [
  'ProvisionedThroughput', 'BillingMode', 'UpdateStreamEnabled', 'GlobalSecondaryIndexUpdates', 'SSESpecification', 'ReplicaUpdates',
  'MultiAccountReplicaReady', 'ReplicaTransitRoleArn', 'MultiRegionConsistency', 'DeletionProtectionEnabled', 'OnDemandThroughput',
  'WarmThroughput', 'TableClass',
] as const;
/** Changes that must each be the only one in a request, in the precedence of DynamoDB's messages. */
const EXCLUSIVE = [
  ['SSESpecification', `${INVALID}Server-Side Encryption modification must be the only operation in the request`],
  ['TableClass', `${INVALID}TableClass modification must be the only operation in the request`],
  ['DeletionProtectionEnabled', `${INVALID}DeletionProtection modification must be the only operation in the request`],
  ['WarmThroughput', `${INVALID}WarmThroughput must be the only operation in the request`],
] as const;

/**
 * UpdateTable's checks that need no table: deserialization, the model's constraints, "At least
 * one of ... is required" and the rules on how changes combine. DynamoDB runs them before
 * looking the table up, so a bad request on a missing table is a ValidationException; call this
 * before the lookup (validateUpdateTable runs it again). The table name is checked between
 * reading the members and their constraints, as DynamoDB layers them.
 */
export function checkUpdateTableRequest(input: Record<string, unknown>): void {
  readUpdate(input, () => validateTableName(input.TableName, 'tableName', { allowArn: true }));
}

/** `afterRead`: the table name's check, between reading the members and their constraints. */
function readUpdate(input: Record<string, unknown>, afterRead?: () => void): UpdateRequest {
  const rawDefs = items(input.AttributeDefinitions, 'AttributeDefinition', readAttr);
  const billing = str(input.BillingMode);
  const throughput = readThroughput(input.ProvisionedThroughput);
  const rawUpdates = items(input.GlobalSecondaryIndexUpdates, 'GlobalSecondaryIndexUpdate', (o): RawGsiUpdate => {
    const [u, c, d] = [struct(o.Update, 'UpdateGlobalSecondaryIndexAction'), struct(o.Create, 'CreateGlobalSecondaryIndexAction'), struct(o.Delete, 'DeleteGlobalSecondaryIndexAction')];
    return {
      ...(u ? { update: { name: str(u.IndexName), throughput: readThroughput(u.ProvisionedThroughput) } } : {}),
      ...(c ? { create: readIndex(c) } : {}),
      ...(d ? { delete: { name: str(d.IndexName) } } : {}),
    };
  });
  const stream = readStream(input.StreamSpecification);
  const sseType = str(struct(input.SSESpecification, 'SSESpecification')?.SSEType);
  const tableClass = str(input.TableClass);
  const deletionProtection = bool(input.DeletionProtectionEnabled);
  afterRead?.();

  const v = new Violations();
  checkAttributeDefinitions(v, rawDefs, false);
  v.oneOf('billingMode', billing, BILLING_MODES);
  checkThroughput(v, 'provisionedThroughput', throughput);
  rawUpdates?.forEach((u, i) => {
    const m = `globalSecondaryIndexUpdates.${i + 1}.member`;
    if (u.update) v.name(`${m}.update.indexName`, u.update.name);
    if (u.update) checkThroughput(v, `${m}.update.provisionedThroughput`, u.update.throughput);
    if (u.create) checkIndex(v, `${m}.create`, u.create, true);
    if (u.delete) v.name(`${m}.delete.indexName`, u.delete.name);
  });
  checkStreamModel(v, stream);
  v.oneOf('sSESpecification.sSEType', sseType, SSE_TYPES);
  v.throwIfAny();
  checkTableClass(tableClass);

  const has = (m: (typeof CHANGES)[number]): boolean => {
    if (m === 'UpdateStreamEnabled') return stream !== undefined;
    if (m === 'MultiRegionConsistency') return false; // alone it changes nothing (and drops out of the list)
    const value = input[m];
    return Array.isArray(value) ? value.length > 0 : !absent(value);
  };
  if (!CHANGES.some(has)) {
    const listed = CHANGES.filter((m) => m !== 'MultiRegionConsistency' || absent(input.MultiRegionConsistency));
    throw new ValidationException(`At least one of ${listed.slice(0, -1).join(', ')} or ${listed.at(-1)} is required`);
  }
  const updates = (rawUpdates ?? []) as UpdateRequest['updates'];
  if (rawUpdates?.length === 0) throw invalid('List of GlobalSecondaryIndexUpdates is empty');
  const seen = new Set<string>();
  for (const u of updates) {
    const actions = [u.update, u.create, u.delete].filter((a) => a !== undefined);
    if (actions.length === 0) {
      throw invalid('One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null');
    }
    if (actions.length > 1) throw invalid('Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object');
    const { name } = actions[0]!;
    if (seen.has(name)) throw invalid(`Only one global secondary index update per index is allowed simultaneously. Index: ${name}`);
    seen.add(name);
  }
  // UpdateTable does one thing at a time: these must come alone, and only a few changes combine.
  const count = CHANGES.filter(has).length;
  for (const [member, message] of EXCLUSIVE) if (has(member) && count > 1) throw new ValidationException(message);
  if (has('OnDemandThroughput') && CHANGES.some((m) => m !== 'OnDemandThroughput' && m !== 'BillingMode' && has(m))) {
    throw invalid('OnDemandThroughput can only be combined with BillingMode in an UpdateTable request');
  }
  const iops = throughput !== undefined || billing === 'PROVISIONED';
  const online = updates.filter((u) => u.create || u.delete).length;
  if (stream && iops) throw invalid('You cannot modify stream status while updating table IOPS');
  if (online > 0 && iops) throw invalid('You cannot create or delete index while updating table IOPS');
  if (online > 0 && stream) throw invalid('You cannot create or delete index while changing stream status');
  if (stream?.enabled && stream.viewType === undefined) throw invalid('If stream is being enabled then UpdateViewType is required');
  if (stream && !stream.enabled && stream.viewType !== undefined) throw invalid('If stream is being disabled, then UpdateViewType must not be specified');
  if (billing === 'PROVISIONED' && !throughput) throw invalid('ProvisionedThroughput must be specified when BillingMode is PROVISIONED');
  if (billing === PPR && throughput) throw invalid('Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST');
  checkUnitBounds(throughput);
  for (const u of updates) {
    const t = u.update?.throughput;
    if (t && (t.read! > MAX_UNITS || t.write! > MAX_UNITS)) {
      throw new ValidationException('This operation cannot be performed with given input values. Please contact DynamoDB service team for more info: Action Blocked: IndexUpdate');
    }
  }
  if (online > 1) throw new LimitExceededException(ONLINE_INDEX_LIMIT);
  return {
    ...(rawDefs ? { defs: rawDefs as Def[] } : {}),
    ...(billing ? { billing: billing as BillingMode } : {}),
    ...(throughput ? { throughput } : {}),
    updates,
    ...(stream ? { stream } : {}),
    ...(tableClass ? { tableClass: tableClass as TableClass } : {}),
    ...(deletionProtection !== undefined ? { deletionProtection } : {}),
  };
}

/**
 * UpdateTable's input against the table as it stands; the plan is the change to make. The
 * caller checks the table's state (ResourceInUseException) and, before looking the table up,
 * its name (validateTableName) and checkUpdateTableRequest.
 */
export function validateUpdateTable(meta: TableMeta, input: Record<string, unknown>, limits: CapacityLimits = {}): UpdateTablePlan {
  const r = readUpdate(input);
  const target = r.billing ?? meta.billingMode;
  if (target === PPR && r.throughput) throw invalid('Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST');
  if (r.stream?.enabled && meta.stream) throw new ValidationException(`Table already has an enabled stream: TableName: ${meta.name}`);
  if (r.stream && !r.stream.enabled && !meta.stream) throw new ValidationException(`Table has no stream to disable: TableName: ${meta.name}`);
  if (r.throughput && meta.billingMode === 'PROVISIONED' && target === 'PROVISIONED' && sameUnits(r.throughput, meta.throughput)) {
    throw willNotChange('the table', 'the table', r.throughput, meta.throughput!);
  }

  const gsis = new Map(meta.indexes.filter((ix) => ix.kind === 'GSI').map((ix) => [ix.name, ix]));
  const lsis = new Set(meta.indexes.filter((ix) => ix.kind === 'LSI').map((ix) => ix.name));
  const building = meta.indexes.find((ix) => ix.status === 'CREATING');
  const notFound = (name: string) => new ResourceNotFoundException(`Requested resource not found: Index ${name} for table ${meta.name}`);
  if (r.billing === 'PROVISIONED' && meta.billingMode === PPR) {
    const covered = (n: string) => r.updates.some((u) => u.update?.name === n && u.update.throughput) || r.updates.some((u) => u.delete?.name === n);
    const missing = [...gsis.keys()].filter((n) => !covered(n));
    if (missing.length > 0) throw invalid(`ProvisionedThroughput must be specified for index: ${missing.join(',')}`);
  }

  const plan: UpdateTablePlan = { createIndexes: [], deleteIndexes: [], updateIndexes: [], attributes: [] };
  const newDefs: KeyDef[] = [];
  for (const { update, create, delete: del } of r.updates) {
    if (update) {
      if (lsis.has(update.name)) throw new ValidationException(`Cannot update an index that is not a GlobalSecondaryIndex: ${update.name}`);
      const ix = gsis.get(update.name);
      if (!ix) throw notFound(update.name);
      if (target === PPR) {
        throw invalid(`The only Updates for index: ${update.name} when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput`);
      }
      if (!update.throughput) throw invalid(`Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: ${update.name}`);
      if (meta.billingMode === 'PROVISIONED' && sameUnits(update.throughput, ix.throughput)) {
        throw willNotChange(`the index ${update.name}`, `index ${update.name}`, update.throughput, ix.throughput!);
      }
      plan.updateIndexes.push({ name: update.name, throughput: units(update.throughput) });
    }
    if (del) {
      if (lsis.has(del.name)) throw new ValidationException(`Cannot delete an index that is not a GlobalSecondaryIndex: ${del.name}`);
      if (!gsis.has(del.name)) throw notFound(del.name);
      if (building && building.name !== del.name) throw new LimitExceededException(ONLINE_INDEX_LIMIT);
      plan.deleteIndexes.push(del.name);
    }
    if (create) {
      if (gsis.has(create.name) || lsis.has(create.name)) throw new ValidationException('Attempting to create an index which already exists');
      // The new index's keys must be defined in this request; a redefinition of an existing
      // attribute is ignored (the table keeps its type), and unused entries are dropped.
      if (!r.defs) throw invalid(`AttributeDefinitions is not specified for index: ${create.name}`);
      const reqNames = r.defs.map((d) => d.name);
      const keyNames = create.key.map((k) => k.name);
      if (keyNames.some((n) => !reqNames.includes(n))) throw notDefined(keyNames, reqNames);
      checkGsiKeyShape(create.key);
      const projection = checkProjection(create.projection);
      if (target === 'PROVISIONED' && !create.throughput) throw invalid(`Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: ${create.name}`);
      if (target === PPR && create.throughput) {
        throw invalid(`Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: ${create.name} when BillingMode is PAY_PER_REQUEST`);
      }
      if (building) throw new LimitExceededException(ONLINE_INDEX_LIMIT);
      const def = (k: Def): KeyDef => {
        const known = meta.attributes.find((a) => a.name === k.name) ?? newDefs.find((a) => a.name === k.name);
        if (known) return known;
        const added = { name: k.name, type: r.defs!.find((d) => d.name === k.name)!.type as ScalarKeyType };
        newDefs.push(added);
        return added;
      };
      const key = keySchemaOf(create.key.map((k) => ({ ...def(k), keyType: k.type })));
      plan.createIndexes.push({ name: create.name, kind: 'GSI', key, projection, ...(create.throughput ? { throughput: units(create.throughput) } : {}) });
    }
  }

  const remaining = [...meta.indexes.filter((ix) => !plan.deleteIndexes.includes(ix.name)), ...plan.createIndexes];
  checkProjectedTotal(remaining.map((ix) => ix.projection.nonKeyAttributes));
  const max = limits.maxCapacity ?? 40_000;
  checkCapacityQuota(r.throughput && units(r.throughput), meta.region, max);
  for (const u of [...plan.updateIndexes, ...plan.createIndexes]) checkCapacityQuota(u.throughput, meta.region, max, u.name);
  if (plan.createIndexes.length > 0 && remaining.filter((ix) => ix.kind === 'GSI').length > 20) {
    throw new LimitExceededException('Subscriber limit exceeded: Number of global secondary indexes exceeds per-table limit of 20');
  }

  const used = new Set([meta.key, ...remaining.map((ix) => ix.key)].flatMap((k) => keyDefs(k).map((d) => d.name)));
  plan.attributes = [...meta.attributes, ...newDefs].filter((a) => used.has(a.name));
  if (r.billing) plan.billingMode = r.billing;
  if (r.throughput) plan.throughput = units(r.throughput);
  if (r.stream) plan.stream = r.stream.enabled ? { enabled: true, viewType: r.stream.viewType as StreamViewType } : { enabled: false };
  if (r.tableClass) plan.tableClass = r.tableClass;
  if (r.deletionProtection !== undefined) plan.deletionProtection = r.deletionProtection;
  return plan;
}
