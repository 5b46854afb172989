/**
 * CreateTable and UpdateTable input checks, worded and ordered as DynamoDB words and orders them.
 * Pure functions: they read the request (and, for UpdateTable, the table as it stands) and
 * answer a plan or throw; nothing is stored here.
 *
 * DynamoDB checks a request in layers, and the first failing layer answers:
 *  1. deserialization: a member of the wrong JSON type is a SerializationException;
 *  2. the table name, reported on its own;
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
import { SerializationException } from '../../../protocols/errors.js';
import { LimitExceededException, ResourceNotFoundException, ValidationException } from '../errors.js';
import type { IndexMeta, KeyDef, KeySchema, Projection, ProjectionType, StreamViewType, TableMeta, Throughput } from './table-meta.js';
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

const INVALID = 'One or more parameter values were invalid: ';
const NAME_PATTERN = '[a-zA-Z0-9_.-]+';
const NAME_RE = /^[a-zA-Z0-9_.-]+$/;
const MAX_UNITS = 1_000_000_000_000;
const REFER = 'Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.';
const ONLINE_INDEX_LIMIT = 'Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table';
// Enum sets in the order DynamoDB lists them in its messages (not always the model's order).
const BILLING_MODES = ['PROVISIONED', 'PAY_PER_REQUEST'];
const KEY_TYPES = ['HASH', 'RANGE'];
const ATTRIBUTE_TYPES = ['B', 'N', 'S'];
const PROJECTION_TYPES = ['ALL', 'INCLUDE', 'KEYS_ONLY'];
const STREAM_VIEW_TYPES = ['OLD_IMAGE', 'KEYS_ONLY', 'NEW_AND_OLD_IMAGES', 'NEW_IMAGE'];
const SSE_TYPES = ['AES256', 'KMS'];
const PPR = 'PAY_PER_REQUEST';

const invalid = (detail: string) => new ValidationException(INVALID + detail);

// Layer 1: reading the JSON (wrong type = SerializationException, worded as the JSON codec words it).

type Obj = Record<string, unknown>;
const absent = (v: unknown): v is null | undefined => v === null || v === undefined;

function wrongType(v: unknown, target: string): never {
  if (Array.isArray(v)) throw new SerializationException('Start of list found where not expected');
  if (typeof v === 'object') throw new SerializationException('Start of structure or map found where not expected.');
  if (target === 'list') throw new SerializationException('Expected list or null');
  if (target === 'structure') throw new SerializationException('Expected null');
  const token = typeof v === 'string' ? 'STRING_VALUE' : typeof v === 'number' ? 'NUMBER_VALUE' : v ? 'TRUE_VALUE' : 'FALSE_VALUE';
  throw new SerializationException(`${token} can not be converted to ${target}`);
}
const str = (v: unknown): string | undefined => (absent(v) ? undefined : typeof v === 'string' ? v : wrongType(v, 'a String'));
// Jackson truncates a fractional number read as a Long.
const long = (v: unknown): number | undefined =>
  absent(v) ? undefined : typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : wrongType(v, 'a Long');
const bool = (v: unknown): boolean | undefined => (absent(v) ? undefined : typeof v === 'boolean' ? v : wrongType(v, 'a Boolean'));
const list = (v: unknown): unknown[] | undefined => (absent(v) ? undefined : Array.isArray(v) ? v : wrongType(v, 'list'));
const struct = (v: unknown): Obj | undefined =>
  absent(v) ? undefined : typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : wrongType(v, 'structure');
const items = <T>(v: unknown, read: (o: Obj) => T): T[] | undefined => list(v)?.map((e) => read(struct(e) ?? {}));

// The request as read: any member may still be missing (layer 3 reports that).
type RawKey = { name?: string; type?: string };
type RawThroughput = { read?: number; write?: number };
type RawProjection = { type?: string; nonKey?: string[] };
type RawIndex = { name?: string; key?: RawKey[]; projection?: RawProjection; throughput?: RawThroughput };
type RawStream = { enabled?: boolean; viewType?: string };
// The shapes once layer 3 has passed: every required member is there.
type Def = Required<RawKey>;
type IndexIn = { name: string; key: Def[]; projection: RawProjection; throughput?: Throughput };

const readKey = (o: Obj): RawKey => ({ name: str(o.AttributeName), type: str(o.KeyType) });
const readAttr = (o: Obj): RawKey => ({ name: str(o.AttributeName), type: str(o.AttributeType) });
function readThroughput(v: unknown): RawThroughput | undefined {
  const o = struct(v);
  return o && { read: long(o.ReadCapacityUnits), write: long(o.WriteCapacityUnits) };
}
function readProjection(v: unknown): RawProjection | undefined {
  const o = struct(v);
  const nonKey = list(o?.NonKeyAttributes)
    ?.map(str)
    .filter((s): s is string => s !== undefined);
  return o && { type: str(o.ProjectionType), ...(nonKey ? { nonKey } : {}) };
}
const readIndex = (o: Obj): RawIndex => ({
  name: str(o.IndexName),
  key: items(o.KeySchema, readKey),
  projection: readProjection(o.Projection),
  throughput: readThroughput(o.ProvisionedThroughput),
});
function readStream(v: unknown): RawStream | undefined {
  const o = struct(v);
  return o && { enabled: bool(o.StreamEnabled), viewType: str(o.StreamViewType) };
}

// Layer 3: the model's constraints, collected and reported together.

/** "N validation error(s) detected: ...; ..." over at most the first 10 violations, as DynamoDB caps them. */
export function validationErrors(errors: readonly string[]): string {
  const shown = errors.slice(0, 10);
  return `${shown.length} validation error${shown.length === 1 ? '' : 's'} detected: ${shown.join('; ')}`;
}

class Violations {
  readonly errors: string[] = [];
  add(path: string, value: string | null, rule: string): void {
    this.errors.push(`Value ${value === null ? 'null' : `'${value}'`} at '${path}' failed to satisfy constraint: ${rule}`);
  }
  present<T>(path: string, v: T | undefined): v is T {
    if (v === undefined) this.add(path, null, 'Member must not be null');
    return v !== undefined;
  }
  oneOf(path: string, v: string | undefined, set: readonly string[]): void {
    if (v !== undefined && !set.includes(v)) this.add(path, v, `Member must satisfy enum value set: [${set.join(', ')}]`);
  }
  length(path: string, v: string, min: number, max: number): void {
    if (v.length < min) this.add(path, v, `Member must have length greater than or equal to ${min}`);
    if (v.length > max) this.add(path, v, `Member must have length less than or equal to ${max}`);
  }
  atLeast(path: string, v: number | undefined, min: number): void {
    if (v !== undefined && v < min) this.add(path, String(v), `Member must have value greater than or equal to ${min}`);
  }
  /** Table and index names: 3..255 characters of [a-zA-Z0-9_.-] (length reported first, as DynamoDB does). */
  name(path: string, v: string | undefined): void {
    if (!this.present(path, v)) return;
    this.length(path, v, 3, 255);
    if (!NAME_RE.test(v)) this.add(path, v, `Member must satisfy regular expression pattern: ${NAME_PATTERN}`);
  }
  throwIfAny(): void {
    if (this.errors.length > 0) throw new ValidationException(validationErrors(this.errors));
  }
}

/** KeySchema: 1..2 elements; a too-long list is echoed as Java prints the SDK's KeySchemaElements. */
function checkKeySchema(v: Violations, path: string, keys: RawKey[] | undefined): void {
  if (!v.present(path, keys)) return;
  if (keys.length === 0) v.add(path, '[]', 'Member must have length greater than or equal to 1');
  if (keys.length > 2) {
    const shown = keys.map((k) => `KeySchemaElement(attributeName=${k.name ?? 'null'}, keyType=${k.type ?? 'null'})`);
    v.add(path, `[${shown.join(', ')}]`, 'Member must have length less than or equal to 2');
  }
  keys.forEach((k, i) => {
    const m = `${path}.${i + 1}.member`;
    if (v.present(`${m}.attributeName`, k.name)) v.length(`${m}.attributeName`, k.name, 1, 255);
    if (v.present(`${m}.keyType`, k.type)) v.oneOf(`${m}.keyType`, k.type, KEY_TYPES);
  });
}

function checkAttributeDefinitions(v: Violations, defs: RawKey[] | undefined, required: boolean): void {
  if (defs === undefined) {
    if (required) v.present('attributeDefinitions', defs);
    return;
  }
  defs.forEach((d, i) => {
    const m = `attributeDefinitions.${i + 1}.member`;
    if (v.present(`${m}.attributeType`, d.type)) v.oneOf(`${m}.attributeType`, d.type, ATTRIBUTE_TYPES);
    if (v.present(`${m}.attributeName`, d.name)) v.length(`${m}.attributeName`, d.name, 1, 255);
  });
}

function checkThroughput(v: Violations, path: string, t: RawThroughput | undefined): void {
  if (!t) return;
  for (const [member, value] of [['writeCapacityUnits', t.write], ['readCapacityUnits', t.read]] as const) {
    if (v.present(`${path}.${member}`, value)) v.atLeast(`${path}.${member}`, value, 1);
  }
}

function checkIndex(v: Violations, path: string, ix: RawIndex): void {
  v.name(`${path}.indexName`, ix.name);
  checkKeySchema(v, `${path}.keySchema`, ix.key);
  const p = ix.projection;
  if (v.present(`${path}.projection`, p)) {
    v.oneOf(`${path}.projection.projectionType`, p.type, PROJECTION_TYPES);
    if (p.nonKey?.length === 0) v.add(`${path}.projection.nonKeyAttributes`, '[]', 'Member must have length greater than or equal to 1');
    if (p.nonKey && p.nonKey.length > 20) {
      v.add(`${path}.projection.nonKeyAttributes`, `[${p.nonKey.join(', ')}]`, 'Member must have length less than or equal to 20');
    }
  }
  checkThroughput(v, `${path}.provisionedThroughput`, ix.throughput);
}

function checkStreamModel(v: Violations, s: RawStream | undefined): void {
  if (!s) return;
  v.present('streamSpecification.streamEnabled', s.enabled);
  v.oneOf('streamSpecification.streamViewType', s.viewType, STREAM_VIEW_TYPES);
}

/**
 * TableName (or, with member 'indexName', an IndexName) as every operation checks it: absent is
 * "The parameter 'TableName' is required ..."; otherwise 3..255 characters of [a-zA-Z0-9_.-],
 * reported alone as "1 validation error detected: Value 'x' at 'tableName' failed to satisfy
 * constraint: Member must ...". With allowArn, a name starting 'arn:' (DescribeTable, UpdateTable,
 * DeleteTable and the item operations take the table's ARN) need only be 1..1024 characters.
 */
export function validateTableName(name: unknown, member = 'tableName', opts: { allowArn?: boolean } = {}): string {
  if (absent(name)) {
    throw new ValidationException(`The parameter '${member.charAt(0).toUpperCase()}${member.slice(1)}' is required but was not present in the request`);
  }
  const s = str(name)!;
  const v = new Violations();
  if (opts.allowArn && s.startsWith('arn:')) v.length(member, s, 1, 1024);
  else v.name(member, s);
  v.throwIfAny();
  return s;
}

// Layer 4: the service's rules.

const javaList = (names: readonly string[]) => `[${names.join(', ')}]`;

/**
 * The iteration order of a java.util.HashSet<String> of these names, which is how DynamoDB lists
 * key sets in its messages ("keys used: [a, sk, pk]"): by bucket of String.hashCode, spread as
 * HashMap spreads it, over the smallest power-of-two table (>= 16) that holds them at load 0.75.
 */
function javaSetOrder(names: Iterable<string>): string[] {
  const unique = [...new Set(names)];
  let capacity = 16;
  while (unique.length > capacity * 0.75) capacity *= 2;
  const bucket = (s: string) => {
    let h = 0;
    for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return unique
    .map((name, i) => ({ name, b: bucket(name), i }))
    .sort((x, y) => x.b - y.b || x.i - y.i)
    .map((e) => e.name);
}

function firstDuplicate(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) return n;
    seen.add(n);
  }
  return undefined;
}

const notDefined = (keys: string[], defs: string[]) =>
  invalid(`Some index key attributes are not defined in AttributeDefinitions. Keys: ${javaList(javaSetOrder(keys))}, AttributeDefinitions: ${javaList(defs)}`);

/** The structural rules of any key schema, in DynamoDB's order. */
function checkKeyShape(keys: Def[]): void {
  if (keys.length === 2 && keys[0]!.name === keys[1]!.name) {
    throw new ValidationException('Both the Hash Key and the Range Key element in the KeySchema have the same name');
  }
  if (keys[0]!.type !== 'HASH') throw new ValidationException('Invalid KeySchema: The first KeySchemaElement is not a HASH key type');
  if (keys.length === 2 && keys[1]!.type !== 'RANGE') {
    throw new ValidationException('Invalid KeySchema: The second KeySchemaElement is not a RANGE key type');
  }
}

/** Projection: ProjectionType has no default; NonKeyAttributes exactly with INCLUDE, without repeats. */
function checkProjection(p: RawProjection): Projection {
  if (p.type === undefined) throw invalid('Unknown ProjectionType: null');
  if (p.type !== 'INCLUDE' && p.nonKey) throw invalid(`ProjectionType is ${p.type}, but NonKeyAttributes is specified`);
  if (p.type === 'INCLUDE' && !p.nonKey) throw invalid('ProjectionType is INCLUDE, but NonKeyAttributes is not specified');
  const dup = firstDuplicate(p.nonKey ?? []);
  if (dup !== undefined) throw invalid(`Duplicate element in NonKeyAttributes: ${dup}`);
  return p.type === 'INCLUDE' ? { type: 'INCLUDE', nonKeyAttributes: [...p.nonKey!] } : { type: p.type as ProjectionType };
}

/** At most 100 NonKeyAttributes summed over all the table's indexes (a name in two indexes counts twice). */
function checkProjectedTotal(lists: Array<readonly string[] | undefined>): void {
  const n = lists.reduce((sum, l) => sum + (l?.length ?? 0), 0);
  if (n > 100) throw invalid(`Number of projected attributes in all indexes exceeds limit of 100, number of projected attributes: ${n}`);
}

function checkUnitBounds(t: RawThroughput | undefined): void {
  if (t?.read !== undefined && t.read > MAX_UNITS) throw new ValidationException(`Given value ${t.read} for ReadCapacityUnits is out of bounds`);
  if (t?.write !== undefined && t.write > MAX_UNITS) throw new ValidationException(`Given value ${t.write} for WriteCapacityUnits is out of bounds`);
}

/** The account's per-table and per-index capacity quota; the per-index text also says "Per table maximum". */
function checkCapacityQuota(t: Throughput | undefined, region: string, max: number, index?: string): void {
  for (const [unit, value] of [['ReadCapacityUnits', t?.read], ['WriteCapacityUnits', t?.write]] as const) {
    if (value === undefined || value <= max) continue;
    const what = index === undefined ? `${unit}, ${value}, is above the per table` : `${unit} for index ${index}, ${value}, is above the per index`;
    throw new LimitExceededException(`The requested ${what} maximum for the account in ${region}. Per table maximum: ${max}. ${REFER}`);
  }
}

function checkTableClass(c: string | undefined): TableClass | undefined {
  if (c !== undefined && c !== 'STANDARD' && c !== 'STANDARD_INFREQUENT_ACCESS') {
    throw new ValidationException('Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].');
  }
  return c;
}

const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Tags as CreateTable and TagResource check them: key 1..128, value 0..256, AWS's tag charset, 50 at most. */
export function validateTags(tags: Array<{ key?: string; value?: string }>): Record<string, string> {
  const out = new Map<string, string>();
  for (const { key, value } of tags) {
    if (key === undefined || key.length < 1 || key.length > 128 || !TAG_CHARS.test(key)) {
      throw new ValidationException(`The Tag Key provided is invalid, Key: ${key ?? 'null'}`);
    }
    if (value === undefined || value.length > 256 || !TAG_CHARS.test(value)) {
      throw new ValidationException(`The Tag Value provided is invalid, Value: ${value ?? 'null'}`);
    }
    if (key.startsWith('aws:')) throw new ValidationException(`Tag Key cannot be prefixed with aws:, Key: ${key}`);
    if (out.has(key)) throw new ValidationException(`Duplicate Tag Keys provided as input: Duplicate Tag Key found ${key}`);
    out.set(key, value);
  }
  if (out.size > 50) throw new ValidationException('Number of Tags exceed the current limit for the provided ResourceArn');
  return Object.fromEntries(out);
}

const units = (t: RawThroughput): Throughput => ({ read: t.read!, write: t.write! });
const sameUnits = (t: RawThroughput, cur: Throughput | undefined) => cur !== undefined && t.read === cur.read && t.write === cur.write;
const willNotChange = (what: string, of: string, t: RawThroughput, cur: Throughput) =>
  new ValidationException(
    `The provisioned throughput for ${what} will not change. The requested value equals the current value. ` +
      `Current ReadCapacityUnits provisioned for ${of}: ${cur.read}. Requested ReadCapacityUnits: ${t.read}. ` +
      `Current WriteCapacityUnits provisioned for ${of}: ${cur.write}. Requested WriteCapacityUnits: ${t.write}. ${REFER}`,
  );

// CreateTable ----------------------------------------------------------------------------------

/**
 * CreateTable's input, checked in DynamoDB's order; the plan it answers is the table to create.
 * With limits.region, provisioned capacity above limits.maxCapacity (default 40000) per table or
 * per index is the account quota's LimitExceededException.
 */
export function validateCreateTable(input: Record<string, unknown>, limits: CapacityLimits = {}): CreateTablePlan {
  const rawDefs = items(input.AttributeDefinitions, readAttr);
  const rawKey = items(input.KeySchema, readKey);
  const rawLsis = items(input.LocalSecondaryIndexes, readIndex);
  const rawGsis = items(input.GlobalSecondaryIndexes, readIndex);
  const billing = str(input.BillingMode);
  const throughput = readThroughput(input.ProvisionedThroughput);
  const stream = readStream(input.StreamSpecification);
  const sseType = str(struct(input.SSESpecification)?.SSEType);
  const tableClass = str(input.TableClass);
  const rawTags = items(input.Tags, (o) => ({ key: str(o.Key), value: str(o.Value) }));
  const deletionProtection = bool(input.DeletionProtectionEnabled) ?? false;
  const name = validateTableName(input.TableName);

  const v = new Violations();
  checkAttributeDefinitions(v, rawDefs, true);
  checkKeySchema(v, 'keySchema', rawKey);
  rawLsis?.forEach((ix, i) => checkIndex(v, `localSecondaryIndexes.${i + 1}.member`, ix));
  rawGsis?.forEach((ix, i) => checkIndex(v, `globalSecondaryIndexes.${i + 1}.member`, ix));
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
  const schema = (ks: Def[]): KeySchema => {
    const def = (k: Def): KeyDef => ({ name: k.name, type: types.get(k.name)! });
    return ks.length === 2 ? { hash: def(ks[0]!), range: def(ks[1]!) } : { hash: def(ks[0]!) };
  };
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
    checkKeyShape(ix.key);
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
 * before the lookup (validateUpdateTable runs it again). TableName is validateTableName's.
 */
export function checkUpdateTableRequest(input: Record<string, unknown>): void {
  readUpdate(input);
}

function readUpdate(input: Record<string, unknown>): UpdateRequest {
  const rawDefs = items(input.AttributeDefinitions, readAttr);
  const billing = str(input.BillingMode);
  const throughput = readThroughput(input.ProvisionedThroughput);
  const rawUpdates = items(input.GlobalSecondaryIndexUpdates, (o): RawGsiUpdate => {
    const [u, c, d] = [struct(o.Update), struct(o.Create), struct(o.Delete)];
    return {
      ...(u ? { update: { name: str(u.IndexName), throughput: readThroughput(u.ProvisionedThroughput) } } : {}),
      ...(c ? { create: readIndex(c) } : {}),
      ...(d ? { delete: { name: str(d.IndexName) } } : {}),
    };
  });
  const stream = readStream(input.StreamSpecification);
  const sseType = str(struct(input.SSESpecification)?.SSEType);
  const tableClass = str(input.TableClass);
  const deletionProtection = bool(input.DeletionProtectionEnabled);

  const v = new Violations();
  checkAttributeDefinitions(v, rawDefs, false);
  v.oneOf('billingMode', billing, BILLING_MODES);
  checkThroughput(v, 'provisionedThroughput', throughput);
  rawUpdates?.forEach((u, i) => {
    const m = `globalSecondaryIndexUpdates.${i + 1}.member`;
    if (u.update) v.name(`${m}.update.indexName`, u.update.name);
    if (u.update) checkThroughput(v, `${m}.update.provisionedThroughput`, u.update.throughput);
    if (u.create) checkIndex(v, `${m}.create`, u.create);
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
      checkKeyShape(create.key);
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
      const key: KeySchema = { hash: def(create.key[0]!), ...(create.key[1] ? { range: def(create.key[1]) } : {}) };
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

  const used = new Set([meta.key, ...remaining.map((ix) => ix.key)].flatMap((k) => [k.hash.name, ...(k.range ? [k.range.name] : [])]));
  plan.attributes = [...meta.attributes, ...newDefs].filter((a) => used.has(a.name));
  if (r.billing) plan.billingMode = r.billing;
  if (r.throughput) plan.throughput = units(r.throughput);
  if (r.stream) plan.stream = r.stream.enabled ? { enabled: true, viewType: r.stream.viewType as StreamViewType } : { enabled: false };
  if (r.tableClass) plan.tableClass = r.tableClass;
  if (r.deletionProtection !== undefined) plan.deletionProtection = r.deletionProtection;
  return plan;
}
