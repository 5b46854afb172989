/**
 * The building blocks of the CreateTable/UpdateTable checks (table-validation.ts): readers of
 * the raw JSON request members, the "N validation errors detected" collector, and the rules
 * shared by both operations, each worded as DynamoDB words it.
 */
import { SerializationException } from '../../../protocols/errors.js';
import { coralWrongType } from '../../../protocols/json.js';
import { boolean, document, integer, list as listShape, string, structure } from '../../../protocols/shapes.js';
import { ConstraintList, validationSummary } from '../../../protocols/validate.js';
import { LimitExceededException, ValidationException } from '../errors.js';
import type { Projection, ProjectionType, TableMeta, Throughput } from './table-meta.js';

type TableClass = TableMeta['tableClass'];

export const INVALID = 'One or more parameter values were invalid: ';
export const NAME_PATTERN = '[a-zA-Z0-9_.-]+';
export const NAME_RE = /^[a-zA-Z0-9_.-]+$/;
export const MAX_UNITS = 1_000_000_000_000;
export const REFER = 'Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.';
export const ONLINE_INDEX_LIMIT = 'Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table';
// Enum sets in the order DynamoDB lists them in its messages (not always the model's order).
export const BILLING_MODES = ['PROVISIONED', 'PAY_PER_REQUEST'];
export const KEY_TYPES = ['HASH', 'RANGE'];
export const ATTRIBUTE_TYPES = ['B', 'N', 'S'];
export const PROJECTION_TYPES = ['ALL', 'INCLUDE', 'KEYS_ONLY'];
export const STREAM_VIEW_TYPES = ['OLD_IMAGE', 'KEYS_ONLY', 'NEW_AND_OLD_IMAGES', 'NEW_IMAGE'];
export const SSE_TYPES = ['AES256', 'KMS'];
export const PPR = 'PAY_PER_REQUEST';

export const invalid = (detail: string) => new ValidationException(INVALID + detail);

// Layer 1: reading the JSON (wrong type = SerializationException, worded as Coral words it).

export type Obj = Record<string, unknown>;
export const absent = (v: unknown): v is null | undefined => v === null || v === undefined;

const AS = {
  String: string(),
  Long: integer({ javaName: 'Long' }),
  Boolean: boolean(),
  list: listShape(document()),
  structure: structure({}),
} as const;

/** `javaName`: a structure's model class, as Coral names it for a list given in its place (`KeySchemaElement`). */
export function wrongType(v: unknown, target: keyof typeof AS, inList = false, javaName?: string): never {
  const shape = target === 'structure' && javaName ? structure({}, { javaName }) : AS[target];
  throw new SerializationException(coralWrongType(shape, v, inList));
}
export const str = (v: unknown): string | undefined => (absent(v) ? undefined : typeof v === 'string' ? v : wrongType(v, 'String'));
// Jackson truncates a fractional number read as a Long.
export const long = (v: unknown): number | undefined =>
  absent(v) ? undefined : typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : wrongType(v, 'Long');
export const bool = (v: unknown): boolean | undefined => (absent(v) ? undefined : typeof v === 'boolean' ? v : wrongType(v, 'Boolean'));
export const list = (v: unknown): unknown[] | undefined => (absent(v) ? undefined : Array.isArray(v) ? v : wrongType(v, 'list'));
export const struct = (v: unknown, javaName: string, inList = false): Obj | undefined =>
  absent(v) ? undefined : typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : wrongType(v, 'structure', inList, javaName);
export const items = <T>(v: unknown, javaName: string, read: (o: Obj) => T): T[] | undefined => list(v)?.map((e) => read(struct(e, javaName, true) ?? {}));

// The request as read: any member may still be missing (layer 3 reports that).
export type RawKey = { name?: string; type?: string };
export type RawThroughput = { read?: number; write?: number };
export type RawProjection = { type?: string; nonKey?: string[] };
export type RawIndex = { name?: string; key?: RawKey[]; projection?: RawProjection; throughput?: RawThroughput };
export type RawStream = { enabled?: boolean; viewType?: string };
// The shapes once layer 3 has passed: every required member is there.
export type Def = Required<RawKey>;
export type IndexIn = { name: string; key: Def[]; projection: RawProjection; throughput?: Throughput };

export const readKey = (o: Obj): RawKey => ({ name: str(o.AttributeName), type: str(o.KeyType) });
export const readAttr = (o: Obj): RawKey => ({ name: str(o.AttributeName), type: str(o.AttributeType) });
export function readThroughput(v: unknown): RawThroughput | undefined {
  const o = struct(v, 'ProvisionedThroughput');
  return o && { read: long(o.ReadCapacityUnits), write: long(o.WriteCapacityUnits) };
}
export function readProjection(v: unknown): RawProjection | undefined {
  const o = struct(v, 'Projection');
  const nonKey = list(o?.NonKeyAttributes)
    ?.map(str)
    .filter((s): s is string => s !== undefined);
  return o && { type: str(o.ProjectionType), ...(nonKey ? { nonKey } : {}) };
}
export const readIndex = (o: Obj): RawIndex => ({
  name: str(o.IndexName),
  key: items(o.KeySchema, 'KeySchemaElement', readKey),
  projection: readProjection(o.Projection),
  throughput: readThroughput(o.ProvisionedThroughput),
});
export function readStream(v: unknown): RawStream | undefined {
  const o = struct(v, 'StreamSpecification');
  return o && { enabled: bool(o.StreamEnabled), viewType: str(o.StreamViewType) };
}

// Layer 3: the model's constraints, collected and reported together.

/** "N validation error(s) detected: ...; ..." over at most the first 10 violations, as DynamoDB caps them. */
export function validationErrors(errors: readonly string[]): string {
  return validationSummary(errors.slice(0, 10));
}

/** The shared collector (protocols/validate.ts) with DynamoDB's composite rules; throws a ValidationException of at most 10. */
export class Violations extends ConstraintList {
  atLeast(path: string, v: number | undefined, min: number): void {
    this.range(path, v, min);
  }
  /** Table and index names: 3..255 characters of [a-zA-Z0-9_.-] (length reported first, as DynamoDB does). */
  name(path: string, v: string | undefined): void {
    if (!this.present(path, v)) return;
    this.length(path, v, 3, 255).pattern(path, v, { text: NAME_PATTERN, re: NAME_RE });
  }
  override throwIfAny(make: (message: string) => Error = (m) => new ValidationException(m), opts: { max?: number } = { max: 10 }): void {
    super.throwIfAny(make, opts);
  }
}

/**
 * KeySchema: 1..2 elements; a too-long list is echoed as Java prints the SDK's KeySchemaElements.
 * A global secondary index's may be longer (multi-attribute keys): checkGsiKeyShape bounds it.
 */
export function checkKeySchema(v: Violations, path: string, keys: RawKey[] | undefined, gsi = false): void {
  if (!v.present(path, keys)) return;
  if (keys.length === 0) v.add(path, '[]', 'Member must have length greater than or equal to 1');
  if (keys.length > 2 && !gsi) {
    const shown = keys.map((k) => `KeySchemaElement(attributeName=${k.name ?? 'null'}, keyType=${k.type ?? 'null'})`);
    v.add(path, `[${shown.join(', ')}]`, 'Member must have length less than or equal to 2');
  }
  keys.forEach((k, i) => {
    const m = `${path}.${i + 1}.member`;
    if (v.present(`${m}.attributeName`, k.name)) v.length(`${m}.attributeName`, k.name, 1, 255);
    if (v.present(`${m}.keyType`, k.type)) v.oneOf(`${m}.keyType`, k.type, KEY_TYPES);
  });
}

export function checkAttributeDefinitions(v: Violations, defs: RawKey[] | undefined, required: boolean): void {
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

export function checkThroughput(v: Violations, path: string, t: RawThroughput | undefined): void {
  if (!t) return;
  for (const [member, value] of [['writeCapacityUnits', t.write], ['readCapacityUnits', t.read]] as const) {
    if (v.present(`${path}.${member}`, value)) v.atLeast(`${path}.${member}`, value, 1);
  }
}

export function checkIndex(v: Violations, path: string, ix: RawIndex, gsi = false): void {
  v.name(`${path}.indexName`, ix.name);
  checkKeySchema(v, `${path}.keySchema`, ix.key, gsi);
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

export function checkStreamModel(v: Violations, s: RawStream | undefined): void {
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

export const javaList = (names: readonly string[]) => `[${names.join(', ')}]`;

/**
 * The iteration order of a java.util.HashSet<String> of these names, which is how DynamoDB lists
 * key sets in its messages ("keys used: [a, sk, pk]"): by bucket of String.hashCode, spread as
 * HashMap spreads it, over the smallest power-of-two table (>= 16) that holds them at load 0.75.
 */
export function javaSetOrder(names: Iterable<string>): string[] {
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

export function firstDuplicate(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) return n;
    seen.add(n);
  }
  return undefined;
}

export const notDefined = (keys: string[], defs: string[]) =>
  invalid(`Some index key attributes are not defined in AttributeDefinitions. Keys: ${javaList(javaSetOrder(keys))}, AttributeDefinitions: ${javaList(defs)}`);

/** The structural rules of any key schema, in DynamoDB's order. */
export function checkKeyShape(keys: Def[]): void {
  if (keys.length === 2 && keys[0]!.name === keys[1]!.name) {
    throw new ValidationException('Both the Hash Key and the Range Key element in the KeySchema have the same name');
  }
  if (keys[0]!.type !== 'HASH') throw new ValidationException('Invalid KeySchema: The first KeySchemaElement is not a HASH key type');
  if (keys.length === 2 && keys[1]!.type !== 'RANGE') {
    throw new ValidationException('Invalid KeySchema: The second KeySchemaElement is not a RANGE key type');
  }
}

/** Most HASH and most RANGE attributes in a global secondary index's key (multi-attribute keys). */
export const MAX_GSI_KEY_PARTS = 4;

/**
 * A global secondary index's key: up to four HASH then up to four RANGE attributes, no name
 * twice. Messages as DynamoDB words them (captured live by the ack-api-quirks lab); a two-element
 * key keeps the single-attribute rules' messages.
 */
export function checkGsiKeyShape(keys: Def[]): void {
  if (keys.length <= 2 && !(keys.length === 2 && keys[0]!.type === 'HASH' && keys[1]!.type === 'HASH' && keys[0]!.name !== keys[1]!.name)) {
    return checkKeyShape(keys);
  }
  if (firstDuplicate(keys.map((k) => k.name)) !== undefined) throw new ValidationException('The KeySchema contains multiple key attributes with the same name');
  if (keys[0]!.type !== 'HASH') throw new ValidationException('Invalid KeySchema: The first KeySchemaElement is not a HASH key type');
  const firstRange = keys.findIndex((k) => k.type === 'RANGE');
  if (firstRange >= 0 && keys.slice(firstRange).some((k) => k.type === 'HASH')) throw invalid('All HASH key attributes must precede RANGE key attributes in the KeySchema');
  for (const type of KEY_TYPES) {
    if (keys.filter((k) => k.type === type).length > MAX_GSI_KEY_PARTS) throw invalid(`The KeySchema exceeds the maximum allowed number of ${type} key attributes`);
  }
}

/** Projection: ProjectionType has no default; NonKeyAttributes exactly with INCLUDE, without repeats. */
export function checkProjection(p: RawProjection): Projection {
  if (p.type === undefined) throw invalid('Unknown ProjectionType: null');
  if (p.type !== 'INCLUDE' && p.nonKey) throw invalid(`ProjectionType is ${p.type}, but NonKeyAttributes is specified`);
  if (p.type === 'INCLUDE' && !p.nonKey) throw invalid('ProjectionType is INCLUDE, but NonKeyAttributes is not specified');
  const dup = firstDuplicate(p.nonKey ?? []);
  if (dup !== undefined) throw invalid(`Duplicate element in NonKeyAttributes: ${dup}`);
  return p.type === 'INCLUDE' ? { type: 'INCLUDE', nonKeyAttributes: [...p.nonKey!] } : { type: p.type as ProjectionType };
}

/** At most 100 NonKeyAttributes summed over all the table's indexes (a name in two indexes counts twice). */
export function checkProjectedTotal(lists: Array<readonly string[] | undefined>): void {
  const n = lists.reduce((sum, l) => sum + (l?.length ?? 0), 0);
  if (n > 100) throw invalid(`Number of projected attributes in all indexes exceeds limit of 100, number of projected attributes: ${n}`);
}

export function checkUnitBounds(t: RawThroughput | undefined): void {
  if (t?.read !== undefined && t.read > MAX_UNITS) throw new ValidationException(`Given value ${t.read} for ReadCapacityUnits is out of bounds`);
  if (t?.write !== undefined && t.write > MAX_UNITS) throw new ValidationException(`Given value ${t.write} for WriteCapacityUnits is out of bounds`);
}

/** The account's per-table and per-index capacity quota; the per-index text also says "Per table maximum". */
export function checkCapacityQuota(t: Throughput | undefined, region: string, max: number, index?: string): void {
  for (const [unit, value] of [['ReadCapacityUnits', t?.read], ['WriteCapacityUnits', t?.write]] as const) {
    if (value === undefined || value <= max) continue;
    const what = index === undefined ? `${unit}, ${value}, is above the per table` : `${unit} for index ${index}, ${value}, is above the per index`;
    throw new LimitExceededException(`The requested ${what} maximum for the account in ${region}. Per table maximum: ${max}. ${REFER}`);
  }
}

export function checkTableClass(c: string | undefined): TableClass | undefined {
  if (c !== undefined && c !== 'STANDARD' && c !== 'STANDARD_INFREQUENT_ACCESS') {
    throw new ValidationException('Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].');
  }
  return c;
}

export const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

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

export const units = (t: RawThroughput): Throughput => ({ read: t.read!, write: t.write! });
export const sameUnits = (t: RawThroughput, cur: Throughput | undefined) => cur !== undefined && t.read === cur.read && t.write === cur.write;
export const willNotChange = (what: string, of: string, t: RawThroughput, cur: Throughput) =>
  new ValidationException(
    `The provisioned throughput for ${what} will not change. The requested value equals the current value. ` +
      `Current ReadCapacityUnits provisioned for ${of}: ${cur.read}. Requested ReadCapacityUnits: ${t.read}. ` +
      `Current WriteCapacityUnits provisioned for ${of}: ${cur.write}. Requested WriteCapacityUnits: ${t.write}. ${REFER}`,
  );

