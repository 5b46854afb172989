/** CreateTable, DeleteTable, DescribeTable, ListTables, UpdateTable, TTL and tags. */
import type { Tx } from '../../../store/store.js';
import { RawJson } from '../../../protocols/json.js';
import { AccessDeniedException, ResourceInUseException, ResourceNotFoundException, ValidationException } from '../errors.js';
import type { DynamoEngine } from './index.js';
import { describeTable } from './table-description.js';
import type { IndexMeta, StreamViewType, TableMeta } from './table-meta.js';
import { checkUpdateTableRequest, validateCreateTable, validateTableName, validateUpdateTable } from './table-validation.js';
import { crossAccountRefusal, TABLE_ARN as NAMED_TABLE_ARN, type TableScope } from './tables.js';

type Input = Record<string, unknown>;

/** Account-wide limits DynamoDB reports in DescribeLimits and enforces. */
export const MAX_TABLES_PER_REGION = 2500;

export async function describe(engine: DynamoEngine, meta: TableMeta, status: 'CREATING' | 'ACTIVE' | 'DELETING' | 'UPDATING' = engine.tables.creating(meta) ? 'CREATING' : 'ACTIVE') {
  const table = await engine.repo.stats(meta.id, false);
  const indexStats = new Map<number, { itemCount: number; sizeBytes: number }>();
  for (const ix of meta.indexes) {
    const s = await engine.repo.stats(ix.id, true);
    indexStats.set(ix.id, { itemCount: s.count, sizeBytes: s.size });
  }
  return describeTable(meta, { itemCount: table.count, sizeBytes: table.size, indexStats }, status, engine.clock.now());
}

async function newStream(tx: Tx, engine: DynamoEngine, meta: TableMeta, viewType: StreamViewType): Promise<void> {
  const id = await engine.repo.nextId(tx, 'stream');
  const label = new Date(engine.clock.now()).toISOString().replace('Z', '');
  const arn = `${meta.arn}/stream/${label}`;
  meta.stream = { id, label, viewType, arn };
  await engine.repo.insertStream(tx, {
    id,
    tableId: meta.id,
    account: meta.account,
    region: meta.region,
    tableName: meta.name,
    arn,
    label,
    viewType,
    keySchema: JSON.stringify(meta.key),
    createdAt: engine.clock.now(),
    disabledAt: null,
  });
}

/** `within` runs inside the write that creates the table (ImportTable records its import there). */
export async function createTable(engine: DynamoEngine, scope: TableScope, input: Input, within?: (tx: Tx, meta: TableMeta) => Promise<void>) {
  // TableName may be the new table's ARN: another account's is refused as every operation refuses it.
  const arn = typeof input.TableName === 'string' ? NAMED_TABLE_ARN.exec(input.TableName) : null;
  if (arn) {
    if (arn[2] !== scope.accountId) throw crossAccountRefusal(scope, input.TableName as string);
    if (arn[1] === scope.region) input = { ...input, TableName: arn[3] };
  }
  const plan = validateCreateTable(input, { region: scope.region });
  if (engine.tables.find(scope, plan.name)) throw new ResourceInUseException(`Table already exists: ${plan.name}`);
  const meta = await engine.write(async (tx) => {
    if (engine.tables.find(scope, plan.name)) throw new ResourceInUseException(`Table already exists: ${plan.name}`);
    if (engine.tables.names(scope).length >= MAX_TABLES_PER_REGION) {
      throw new ValidationException(`Subscriber limit exceeded: Only ${MAX_TABLES_PER_REGION} tables can be created per region`);
    }
    const id = await engine.repo.nextId(tx, 'table');
    const now = engine.clock.now();
    const arn = `arn:aws:dynamodb:${scope.region}:${scope.accountId}:table/${plan.name}`;
    const meta: TableMeta = {
      id,
      account: scope.accountId,
      region: scope.region,
      name: plan.name,
      arn,
      tableId: engine.ids.uuid(),
      createdAt: now,
      key: plan.key,
      attributes: plan.attributes,
      billingMode: plan.billingMode,
      throughput: plan.throughput,
      indexes: [],
      tableClass: plan.tableClass,
      deletionProtection: plan.deletionProtection,
      tags: plan.tags,
      ...(engine.tableStatusMs > 0 ? { activeAt: now + engine.tableStatusMs } : {}),
    };
    for (const ix of plan.indexes) meta.indexes.push({ ...ix, id: await engine.repo.nextId(tx, 'index'), createdAt: now, status: 'ACTIVE' });
    if (plan.stream) await newStream(tx, engine, meta, plan.stream.viewType);
    await within?.(tx, meta);
    await engine.tables.put(tx, meta);
    return meta;
  });
  // DynamoDB answers CREATING; the table is ACTIVE by the next DescribeTable, or once the table status delay has passed.
  return { TableDescription: await describe(engine, meta, 'CREATING') };
}

export async function deleteTable(engine: DynamoEngine, scope: TableScope, input: Input) {
  validateTableName(input.TableName, 'tableName', { allowArn: true });
  const meta = engine.tables.requireNamed(scope, input.TableName as string);
  if (meta.activeAt !== undefined && engine.tables.creating(meta)) {
    throw new ResourceInUseException(`Attempt to change a resource which is still in use: Table is being created: ${meta.name}`);
  }
  if (meta.deletionProtection) {
    throw new ValidationException(`Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.`);
  }
  // DynamoDB's DeleteTable answer leaves out the key schema, attribute definitions, creation
  // time and indexes of the table going away.
  const { KeySchema: _k, AttributeDefinitions: _a, CreationDateTime: _c, LocalSecondaryIndexes: _l, ...description } = await describe(engine, meta, 'DELETING');
  await engine.write(async (tx) => {
    const live = engine.tables.current(meta.id);
    if (!live) throw new ResourceNotFoundException(`Requested resource not found: Table: ${meta.name} not found`);
    if (live.stream) await engine.repo.disableStream(tx, live.stream.id, engine.clock.now());
    await engine.tables.drop(tx, live);
  });
  engine.schedulePurge();
  return { TableDescription: description };
}

export async function describeTableOp(engine: DynamoEngine, scope: TableScope, input: Input) {
  validateTableName(input.TableName, 'tableName', { allowArn: true });
  return { Table: await describe(engine, engine.tables.requireNamed(scope, input.TableName as string)) };
}

export function listTables(engine: DynamoEngine, scope: TableScope, input: Input) {
  // Limit and ExclusiveStartTableName are checked as declared (operations/tables.ts).
  const limit = input.Limit as number | undefined;
  const start = input.ExclusiveStartTableName as string | undefined;
  let names = engine.tables.names(scope);
  if (start !== undefined) names = names.filter((n) => Buffer.compare(Buffer.from(n), Buffer.from(start)) > 0);
  const max = limit ?? 100;
  const page = names.slice(0, max);
  return { TableNames: page, LastEvaluatedTableName: names.length > max ? page[page.length - 1] : undefined };
}

export async function updateTable(engine: DynamoEngine, scope: TableScope, input: Input) {
  checkUpdateTableRequest(input);
  const found = engine.tables.requireNamed(scope, input.TableName as string);
  let dropped = false;
  const meta = await engine.write(async (tx) => {
    const live = engine.tables.current(found.id);
    if (!live) throw new ResourceNotFoundException(`Requested resource not found: Table: ${found.name} not found`);
    const plan = validateUpdateTable(live, input, { region: scope.region });
    const now = engine.clock.now();
    const next: TableMeta = structuredClone(live);
    next.attributes = plan.attributes;
    if (plan.billingMode) next.billingMode = plan.billingMode;
    if (plan.throughput) {
      const before = live.throughput;
      if (before && (plan.throughput.read < before.read || plan.throughput.write < before.write)) {
        next.lastDecreaseAt = now;
        next.decreasesToday = (live.decreasesToday ?? 0) + 1;
      }
      if (!before || plan.throughput.read > before.read || plan.throughput.write > before.write) next.lastIncreaseAt = now;
      next.throughput = plan.throughput;
    }
    if (next.billingMode === 'PAY_PER_REQUEST') delete next.throughput;
    if (plan.tableClass) next.tableClass = plan.tableClass;
    if (plan.deletionProtection !== undefined) next.deletionProtection = plan.deletionProtection;
    for (const u of plan.updateIndexes) {
      const ix = next.indexes.find((i) => i.name === u.name);
      if (ix) ix.throughput = u.throughput;
    }
    for (const name of plan.deleteIndexes) {
      const ix = next.indexes.find((i) => i.name === name);
      if (!ix) continue;
      await engine.repo.dropIndex(tx, ix.id);
      dropped = true;
      next.indexes = next.indexes.filter((i) => i !== ix);
    }
    const created: IndexMeta[] = [];
    for (const spec of plan.createIndexes) {
      const ix: IndexMeta = { ...spec, id: await engine.repo.nextId(tx, 'index'), createdAt: now, status: 'CREATING' };
      next.indexes.push(ix);
      created.push(ix);
    }
    if (plan.stream) {
      if (plan.stream.enabled && plan.stream.viewType) await newStream(tx, engine, next, plan.stream.viewType);
      else if (!plan.stream.enabled && next.stream) {
        await engine.repo.disableStream(tx, next.stream.id, now);
        delete next.stream;
      }
    }
    // A new GSI is filled from the table's items a chunk per write: the first chunk here (a
    // small table's index is ACTIVE at once), the rest in the background while it is CREATING.
    for (const ix of created) await engine.jobs.backfill(tx, next, ix, undefined);
    await engine.tables.put(tx, next);
    return next;
  });
  if (dropped) engine.schedulePurge();
  engine.jobs.kick();
  return { TableDescription: await describe(engine, meta, 'UPDATING') };
}

export async function updateTimeToLive(engine: DynamoEngine, scope: TableScope, input: Input) {
  validateTableName(input.TableName, 'tableName', { allowArn: true });
  const spec = input.TimeToLiveSpecification as { Enabled?: unknown; AttributeName?: unknown } | undefined;
  if (!spec || typeof spec !== 'object') {
    throw new ValidationException(`1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null`);
  }
  const errors: string[] = [];
  if (typeof spec.AttributeName !== 'string') errors.push(`Value null at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must not be null`);
  else if (spec.AttributeName.length < 1 || spec.AttributeName.length > 255) {
    errors.push(`Value '${spec.AttributeName}' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length ${spec.AttributeName.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 255'}`);
  }
  if (typeof spec.Enabled !== 'boolean') errors.push(`Value null at 'timeToLiveSpecification.enabled' failed to satisfy constraint: Member must not be null`);
  if (errors.length) throw new ValidationException(`${errors.length} validation error${errors.length > 1 ? 's' : ''} detected: ${errors.join('; ')}`);
  const attribute = spec.AttributeName as string;
  const enabled = spec.Enabled as boolean;
  const found = engine.tables.require(scope, input.TableName as string);
  await engine.write(async (tx) => {
    const live = engine.live(found);
    if (enabled && live.ttlAttribute) throw new ValidationException('TimeToLive is already enabled');
    if (!enabled && !live.ttlAttribute) throw new ValidationException('TimeToLive is already disabled');
    if (!enabled && live.ttlAttribute !== attribute) throw new ValidationException('TimeToLive is active on a different AttributeName: current AttributeName is ' + live.ttlAttribute);
    const next = structuredClone(live);
    if (enabled) next.ttlAttribute = attribute;
    else delete next.ttlAttribute;
    // Every item's expiry is recomputed a chunk per write: the first here, the rest in the background.
    await engine.jobs.rewriteExpiry(tx, next, undefined);
    await engine.tables.put(tx, next);
  });
  engine.jobs.kick();
  engine.ttl.wake();
  return { TimeToLiveSpecification: { Enabled: enabled, AttributeName: attribute } };
}

export function describeTimeToLive(engine: DynamoEngine, scope: TableScope, input: Input) {
  validateTableName(input.TableName, 'tableName', { allowArn: true });
  const meta = engine.tables.requireNamed(scope, input.TableName as string);
  return {
    TimeToLiveDescription: meta.ttlAttribute ? { TimeToLiveStatus: 'ENABLED', AttributeName: meta.ttlAttribute } : { TimeToLiveStatus: 'DISABLED' },
  };
}

const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[a-zA-Z0-9_.-]{3,255}$/;

/**
 * A tag operation's ResourceArn, checked as DynamoDB checks it: absent is "Invalid TableArn";
 * one that is not `a:b:c:d:e:f/g`-shaped names no resource IAM could grant, so it is refused
 * as AccessDeniedException; then the operation's list member must be there.
 */
function checkResourceArn(scope: TableScope & { accessKeyId?: string; operation?: string }, arn: unknown, list: unknown, listMember: string): string {
  if (arn === undefined) throw new ValidationException('Invalid TableArn');
  const text = String(arn);
  const parts = text.split(':');
  if (parts.length < 6 || !parts.slice(5).join(':').includes('/')) {
    throw new AccessDeniedException(
      `User: arn:aws:iam::${scope.accountId}:root is not authorized to perform: dynamodb:${scope.operation ?? 'TagResource'} on resource: ${text === '' ? '*' : text}`,
    );
  }
  if (listMember && list === undefined) {
    throw new ValidationException(`1 validation error detected: Value null at '${listMember}' failed to satisfy constraint: Member must not be null`);
  }
  if (!TABLE_ARN.test(text)) throw new ValidationException(`Invalid TableArn: Invalid ResourceArn provided as input ${text}`);
  return text;
}

/** The table a tag operation names; DynamoDB's TagResource and ListTagsOfResource name the ARN ("ResourcArn", sic), UntagResource does not. */
function tableByArn(engine: DynamoEngine, scope: TableScope, arn: string, nameIt = true): TableMeta {
  const meta = engine.tables.find(scope, arn);
  if (!meta || meta.account !== scope.accountId) throw new ResourceNotFoundException(nameIt ? `Requested resource not found: ResourcArn: ${arn} not found` : 'Requested resource not found');
  return meta;
}

/** DynamoDB answers TagResource and UntagResource with an empty body. */
const EMPTY_BODY = new RawJson('');

export async function tagResource(engine: DynamoEngine, scope: TableScope, input: Input) {
  const arn = checkResourceArn(scope, input.ResourceArn, input.Tags, 'tags');
  const tags = input.Tags as Array<{ Key?: unknown; Value?: unknown }>;
  if (!Array.isArray(tags) || tags.length === 0) throw new ValidationException('Atleast one Tag needs to be provided as Input.');
  for (const t of tags) {
    if (typeof t.Key !== 'string' || t.Key.length < 1 || t.Key.length > 128) throw new ValidationException('One or more parameter values were invalid: Tag key length must be between 1 and 128');
    if (typeof t.Value !== 'string' || t.Value.length > 256) throw new ValidationException('One or more parameter values were invalid: Tag value length must be between 0 and 256');
    if (!TAG_TEXT.test(t.Key) || !TAG_TEXT.test(t.Value)) {
      throw new ValidationException('One or more parameter values were invalid: Illegal characters in tag key or value. Allowed characters are letters, whitespace, and numbers representable in UTF-8 plus the following special characters: + - = . _ : /');
    }
    if (t.Key.startsWith('aws:')) throw new ValidationException("One or more parameter values were invalid: Tag keys starting with 'aws:' are reserved for system use");
  }
  const found = tableByArn(engine, scope, arn);
  await engine.write(async (tx) => {
    const next = structuredClone(engine.live(found));
    for (const t of tags) next.tags[t.Key as string] = t.Value as string;
    if (Object.keys(next.tags).length > 50) throw new ValidationException('One or more parameter values were invalid: Too many tags. The maximum number of tags per resource is 50');
    await engine.tables.put(tx, next);
  });
  return EMPTY_BODY;
}

/** The characters DynamoDB takes in tag keys and values: letters, digits, whitespace and `+ - = . _ : / @`. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export async function untagResource(engine: DynamoEngine, scope: TableScope, input: Input) {
  const arn = checkResourceArn(scope, input.ResourceArn, input.TagKeys, 'tagKeys');
  const keys = input.TagKeys as unknown[];
  if (!Array.isArray(keys) || keys.length === 0) throw new ValidationException('Atleast one Tag Key needs to be provided as Input.');
  const found = tableByArn(engine, scope, arn, false);
  await engine.write(async (tx) => {
    const next = structuredClone(engine.live(found));
    for (const k of keys) delete next.tags[k as string];
    await engine.tables.put(tx, next);
  });
  return EMPTY_BODY;
}

export function listTagsOfResource(engine: DynamoEngine, scope: TableScope, input: Input) {
  const meta = tableByArn(engine, scope, checkResourceArn(scope, input.ResourceArn, undefined, ''));
  return { Tags: Object.entries(meta.tags).map(([Key, Value]) => ({ Key, Value })) };
}
