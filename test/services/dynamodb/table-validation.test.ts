import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkUpdateTableRequest,
  validateCreateTable,
  validateTableName,
  validateTags,
  validateUpdateTable,
} from '../../../src/services/dynamodb/engine/table-validation.js';
import { describeTable } from '../../../src/services/dynamodb/engine/table-description.js';
import type { TableMeta } from '../../../src/services/dynamodb/engine/table-meta.js';
import { throwsAws as refuses } from '../../helpers/aws-errors.js';

type Input = Record<string, unknown>;
const INVALID = 'One or more parameter values were invalid: ';
const AT_LEAST_ONE =
  'At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, ' +
  'MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required';
const ONLINE = 'Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table';
const REFER = 'Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.';


const S = (name: string) => ({ AttributeName: name, AttributeType: 'S' });
const HASH = (name: string) => ({ AttributeName: name, KeyType: 'HASH' });
const RANGE = (name: string) => ({ AttributeName: name, KeyType: 'RANGE' });
const PT = (r: number, w = r) => ({ ReadCapacityUnits: r, WriteCapacityUnits: w });
const ALL = { ProjectionType: 'ALL' };
/** A valid PAY_PER_REQUEST hash table, with overrides. */
const ppr = (over: Input = {}): Input => ({ TableName: 'abc', AttributeDefinitions: [S('a')], KeySchema: [HASH('a')], BillingMode: 'PAY_PER_REQUEST', ...over });
/** A valid PROVISIONED hash+range table, with overrides. */
const prov = (over: Input = {}): Input => ({ TableName: 'abc', AttributeDefinitions: [S('a'), S('b')], KeySchema: [HASH('a'), RANGE('b')], ProvisionedThroughput: PT(1), ...over });
const lsi = (name: string, keys: unknown[], projection: unknown = ALL) => ({ IndexName: name, KeySchema: keys, Projection: projection });
const gsi = (name: string, keys: unknown[], extra: Input = {}) => ({ IndexName: name, KeySchema: keys, Projection: ALL, ...extra });

describe('validateCreateTable refuses', () => {
  const cases: Array<[string, Input, string, string]> = [
    ['no TableName', { AttributeDefinitions: [S('a')] }, 'ValidationException', "The parameter 'TableName' is required but was not present in the request"],
    ['a 2-character name', ppr({ TableName: 'ab' }), 'ValidationException', "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"],
    ['an empty name', ppr({ TableName: '' }), 'ValidationException',
      "2 validation errors detected: Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
        "Value '' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"],
    // Observed against DynamoDB by dynalite's suite ("should return ValidationException for null attributes").
    ['a bad name, with the other constraints in the model\'s order', { TableName: 'abc;' }, 'ValidationException',
      "3 validation errors detected: Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null; " +
        "Value 'abc;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
        "Value null at 'keySchema' failed to satisfy constraint: Member must not be null"],
    ['a 256-character name', ppr({ TableName: 'a'.repeat(256) }), 'ValidationException',
      `1 validation error detected: Value '${'a'.repeat(256)}' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255`],
    ['missing definitions and key', { TableName: 'abc' }, 'ValidationException',
      "2 validation errors detected: Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'keySchema' failed to satisfy constraint: Member must not be null"],
    ['an unknown KeyType', ppr({ KeySchema: [{ AttributeName: 'a', KeyType: 'INVALID' }] }), 'ValidationException',
      "1 validation error detected: Value 'INVALID' at 'keySchema.1.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]"],
    ['an unknown AttributeType', ppr({ AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'SS' }] }), 'ValidationException',
      "1 validation error detected: Value 'SS' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]"],
    ['an empty AttributeDefinition', ppr({ AttributeDefinitions: [{}] }), 'ValidationException',
      "2 validation errors detected: Value null at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'attributeDefinitions.1.member.attributeName' failed to satisfy constraint: Member must not be null"],
    ['three key elements', ppr({ AttributeDefinitions: [S('pk'), S('sk'), S('x')], KeySchema: [HASH('pk'), RANGE('sk'), RANGE('x')] }), 'ValidationException',
      "1 validation error detected: Value '[KeySchemaElement(attributeName=pk, keyType=HASH), KeySchemaElement(attributeName=sk, keyType=RANGE), " +
        "KeySchemaElement(attributeName=x, keyType=RANGE)]' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2"],
    ['several constraint failures', { TableName: 'abc', AttributeDefinitions: [], KeySchema: [], BillingMode: 'A', ProvisionedThroughput: PT(-1) }, 'ValidationException',
      "4 validation errors detected: Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value 'A' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]; " +
        "Value '-1' at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
        "Value '-1' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    ['an empty ProvisionedThroughput', ppr({ ProvisionedThroughput: {} }), 'ValidationException',
      "2 validation errors detected: Value null at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must not be null"],
    ['an empty GSI name', ppr({ AttributeDefinitions: [S('a')], GlobalSecondaryIndexes: [gsi('', [HASH('a')])] }), 'ValidationException',
      "2 validation errors detected: Value '' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
        "Value '' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"],
    ['an empty LSI', prov({ LocalSecondaryIndexes: [{}] }), 'ValidationException',
      "3 validation errors detected: Value null at 'localSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'localSecondaryIndexes.1.member.keySchema' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'localSecondaryIndexes.1.member.projection' failed to satisfy constraint: Member must not be null"],
    ['an unknown ProjectionType and empty NonKeyAttributes', prov({ LocalSecondaryIndexes: [lsi('abc', [HASH('a'), RANGE('b')], { ProjectionType: 'abc', NonKeyAttributes: [] })] }), 'ValidationException',
      "2 validation errors detected: Value 'abc' at 'localSecondaryIndexes.1.member.projection.projectionType' failed to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]; " +
        "Value '[]' at 'localSecondaryIndexes.1.member.projection.nonKeyAttributes' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    ['an empty StreamViewType', ppr({ StreamSpecification: { StreamEnabled: true, StreamViewType: '' } }), 'ValidationException',
      "1 validation error detected: Value '' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: [OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE]"],
    ['an empty StreamSpecification', ppr({ StreamSpecification: {} }), 'ValidationException',
      "1 validation error detected: Value null at 'streamSpecification.streamEnabled' failed to satisfy constraint: Member must not be null"],
    ['a key element of the wrong JSON type', ppr({ KeySchema: [{ AttributeName: 5, KeyType: 'HASH' }] }), 'SerializationException', 'NUMBER_VALUE cannot be converted to String'],
    ['capacity of the wrong JSON type', prov({ ProvisionedThroughput: { ReadCapacityUnits: '1', WriteCapacityUnits: 1 } }), 'SerializationException', 'STRING_VALUE cannot be converted to Long'],
    ['an unknown table class', ppr({ TableClass: 'COLD' }), 'ValidationException',
      'Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].'],
    ['throughput on PAY_PER_REQUEST', ppr({ ProvisionedThroughput: PT(1) }), 'ValidationException',
      `${INVALID}Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST`],
    ['PROVISIONED (by default) without throughput', prov({ ProvisionedThroughput: undefined }), 'ValidationException',
      `${INVALID}ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED`],
    ['too much read capacity', prov({ ProvisionedThroughput: PT(1000000000001) }), 'ValidationException', 'Given value 1000000000001 for ReadCapacityUnits is out of bounds'],
    ['too much write capacity', prov({ ProvisionedThroughput: PT(1, 1000000000001) }), 'ValidationException', 'Given value 1000000000001 for WriteCapacityUnits is out of bounds'],
    ['a duplicated definition', ppr({ AttributeDefinitions: [S('a'), { AttributeName: 'a', AttributeType: 'N' }] }), 'ValidationException', 'Attribute Name is duplicated: a'],
    ['one attribute as hash and range', ppr({ KeySchema: [HASH('a'), RANGE('a')] }), 'ValidationException', 'Invalid KeySchema: Some index key attribute have no definition'],
    ['an undefined key attribute', ppr({ AttributeDefinitions: [S('b')] }), 'ValidationException',
      `${INVALID}Some index key attributes are not defined in AttributeDefinitions. Keys: [a], AttributeDefinitions: [b]`],
    ['hash and range of the same name', prov({ KeySchema: [HASH('a'), HASH('a')] }), 'ValidationException', 'Both the Hash Key and the Range Key element in the KeySchema have the same name'],
    ['a RANGE first', prov({ KeySchema: [RANGE('a'), HASH('b')] }), 'ValidationException', 'Invalid KeySchema: The first KeySchemaElement is not a HASH key type'],
    ['two HASH elements', prov({ KeySchema: [HASH('a'), HASH('b')] }), 'ValidationException', 'Invalid KeySchema: The second KeySchemaElement is not a RANGE key type'],
    ['an unused definition, no index', ppr({ AttributeDefinitions: [S('a'), S('b')] }), 'ValidationException',
      `${INVALID}Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions`],
    ['an unused definition, with an index', ppr({ AttributeDefinitions: ['sk', 'a', 'b', 'pk', 'c'].map(S), KeySchema: [HASH('pk'), RANGE('sk')], GlobalSecondaryIndexes: [gsi('g-a', [HASH('a'), RANGE('sk')])] }),
      'ValidationException', `${INVALID}Some AttributeDefinitions are not used. AttributeDefinitions: [sk, a, b, pk, c], keys used: [a, sk, pk]`],
    ['an undefined index key', ppr({ AttributeDefinitions: [S('sk'), S('pk')], KeySchema: [HASH('pk'), RANGE('sk')], GlobalSecondaryIndexes: [gsi('g-q', [HASH('q')])] }),
      'ValidationException', `${INVALID}Some index key attributes are not defined in AttributeDefinitions. Keys: [q], AttributeDefinitions: [sk, pk]`],
    ['an empty LSI list', prov({ LocalSecondaryIndexes: [] }), 'ValidationException', `${INVALID}List of LocalSecondaryIndexes is empty`],
    ['an empty GSI list', ppr({ GlobalSecondaryIndexes: [] }), 'ValidationException', `${INVALID}List of GlobalSecondaryIndexes is empty`],
    ['an LSI on a hash-only table', ppr({ AttributeDefinitions: [S('a'), S('l')], LocalSecondaryIndexes: [lsi('lsi1', [HASH('a'), RANGE('l')])] }), 'ValidationException',
      `${INVALID}Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex`],
    ['an LSI without range', prov({ LocalSecondaryIndexes: [lsi('abc', [HASH('a')])] }), 'ValidationException', `${INVALID}Index KeySchema does not have a range key for index: abc`],
    ['an LSI on another hash', prov({ LocalSecondaryIndexes: [lsi('abc', [HASH('b'), RANGE('a')])] }), 'ValidationException',
      `${INVALID}Index KeySchema does not have the same leading hash key as table KeySchema for index: abc. index hash key: b, table hash key: a`],
    ['an empty Projection', prov({ LocalSecondaryIndexes: [lsi('abc', [HASH('a'), RANGE('b')], {})] }), 'ValidationException', `${INVALID}Unknown ProjectionType: null`],
    ['NonKeyAttributes with ALL', prov({ LocalSecondaryIndexes: [lsi('abc', [HASH('a'), RANGE('b')], { ProjectionType: 'ALL', NonKeyAttributes: ['x'] })] }), 'ValidationException',
      `${INVALID}ProjectionType is ALL, but NonKeyAttributes is specified`],
    ['INCLUDE without NonKeyAttributes', ppr({ GlobalSecondaryIndexes: [gsi('gs1', [HASH('a')], { Projection: { ProjectionType: 'INCLUDE' } })] }), 'ValidationException',
      `${INVALID}ProjectionType is INCLUDE, but NonKeyAttributes is not specified`],
    ['a repeated NonKeyAttribute', ppr({ GlobalSecondaryIndexes: [gsi('gs1', [HASH('a')], { Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['x', 'x'] } })] }), 'ValidationException',
      `${INVALID}Duplicate element in NonKeyAttributes: x`],
    ['21 NonKeyAttributes on one index', ppr({ GlobalSecondaryIndexes: [gsi('gs1', [HASH('a')], { Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...'abcdefghijklmnopqrstu'] } })] }),
      'ValidationException', `1 validation error detected: Value '[${[...'abcdefghijklmnopqrstu'].join(', ')}]' at 'globalSecondaryIndexes.1.member.projection.nonKeyAttributes' failed to satisfy constraint: Member must have length less than or equal to 20`],
    ['101 projected attributes in all', ppr({ GlobalSecondaryIndexes: [1, 2, 3, 4, 5, 6].map((i) => gsi(`gs${i}`, [HASH('a')], { Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: Array.from({ length: i === 6 ? 1 : 20 }, (_, j) => `x${j}`) } })) }),
      'ValidationException', `${INVALID}Number of projected attributes in all indexes exceeds limit of 100, number of projected attributes: 101`],
    ['a duplicate index name', prov({ GlobalSecondaryIndexes: [gsi('sameIndex', [HASH('a')], { ProvisionedThroughput: PT(1) }), gsi('sameIndex', [HASH('b')], { ProvisionedThroughput: PT(1) })] }),
      'ValidationException', `${INVALID}Duplicate index name: sameIndex`],
    ['an LSI and a GSI of one name', prov({ LocalSecondaryIndexes: [lsi('abc', [HASH('a'), RANGE('b')])], GlobalSecondaryIndexes: [gsi('abc', [HASH('b')], { ProvisionedThroughput: PT(1) })] }),
      'ValidationException', `${INVALID}Duplicate index name: abc`],
    ['six LSIs', prov({ LocalSecondaryIndexes: [1, 2, 3, 4, 5, 6].map((i) => lsi(`lsi${i}`, [HASH('a'), RANGE('b')])) }), 'ValidationException',
      `${INVALID}Number of LocalSecondaryIndexes exceeds per-table limit of 5`],
    ['21 GSIs', ppr({ GlobalSecondaryIndexes: Array.from({ length: 21 }, (_, i) => gsi(`gsi${i}`, [HASH('a')])) }), 'ValidationException',
      `${INVALID}GlobalSecondaryIndex count exceeds the per-table limit of 20`],
    ['GSI throughput on PAY_PER_REQUEST', ppr({ GlobalSecondaryIndexes: [gsi('abd', [HASH('a')], { ProvisionedThroughput: PT(1) })] }), 'ValidationException',
      `${INVALID}ProvisionedThroughput should not be specified for index: abd when BillingMode is PAY_PER_REQUEST`],
    ['a PROVISIONED GSI without throughput', prov({ GlobalSecondaryIndexes: [gsi('g-a', [HASH('b')])] }), 'ValidationException', `${INVALID}ProvisionedThroughput is not specified for index: g-a`],
    ['an enabled stream without view type', ppr({ StreamSpecification: { StreamEnabled: true } }), 'ValidationException',
      `${INVALID}Table is being created with a stream enabled, UpdateViewType is required`],
    ['a disabled stream with a view type', ppr({ StreamSpecification: { StreamEnabled: false, StreamViewType: 'NEW_AND_OLD_IMAGES' } }), 'ValidationException',
      `${INVALID}Table is being created with a stream disabled, UpdateViewType should not be specified`],
    ['an aws: tag', ppr({ Tags: [{ Key: 'aws:foo', Value: 'x' }] }), 'ValidationException', 'Tag Key cannot be prefixed with aws:, Key: aws:foo'],
    ['an empty tag', ppr({ Tags: [{}] }), 'ValidationException', 'The Tag Key provided is invalid, Key: null'],
    ['a tag without value', ppr({ Tags: [{ Key: 'k' }] }), 'ValidationException', 'The Tag Value provided is invalid, Value: null'],
    ['a 129-character tag key', ppr({ Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] }), 'ValidationException', `The Tag Key provided is invalid, Key: ${'k'.repeat(129)}`],
    ['a tag value with a comma', ppr({ Tags: [{ Key: 'k', Value: 'a,b' }] }), 'ValidationException', 'The Tag Value provided is invalid, Value: a,b'],
    ['a repeated tag key', ppr({ Tags: [{ Key: 'dup', Value: '1' }, { Key: 'dup', Value: '2' }] }), 'ValidationException', 'Duplicate Tag Keys provided as input: Duplicate Tag Key found dup'],
    ['51 tags', ppr({ Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }), 'ValidationException', 'Number of Tags exceed the current limit for the provided ResourceArn'],
  ];
  for (const [what, input, code, message] of cases) test(what, () => refuses(() => validateCreateTable(input), code, message));

  test('capacity above the account quota, when the region is known', () => {
    refuses(() => validateCreateTable(prov({ ProvisionedThroughput: PT(40001, 1) }), { region: 'us-west-2' }), 'LimitExceededException',
      `The requested ReadCapacityUnits, 40001, is above the per table maximum for the account in us-west-2. Per table maximum: 40000. ${REFER}`);
    refuses(() => validateCreateTable(prov({ GlobalSecondaryIndexes: [gsi('gsi1', [HASH('b')], { ProvisionedThroughput: PT(40001) })] }), { region: 'us-west-2' }),
      'LimitExceededException', `The requested ReadCapacityUnits for index gsi1, 40001, is above the per index maximum for the account in us-west-2. Per table maximum: 40000. ${REFER}`);
    assert.equal(validateCreateTable(prov({ ProvisionedThroughput: PT(40001, 1) })).throughput?.read, 40001);
  });
});

describe('validateCreateTable accepts', () => {
  test('a hash table on demand', () => {
    assert.deepEqual(validateCreateTable(ppr()), {
      name: 'abc', key: { hash: { name: 'a', type: 'S' } }, attributes: [{ name: 'a', type: 'S' }], billingMode: 'PAY_PER_REQUEST',
      indexes: [], tableClass: 'STANDARD', deletionProtection: false, tags: {},
    });
  });

  test('a provisioned table with LSI, GSI, stream, class, protection and tags', () => {
    const plan = validateCreateTable({
      TableName: 'Music',
      AttributeDefinitions: [S('Artist'), S('Song'), { AttributeName: 'Year', AttributeType: 'N' }, S('Genre')],
      KeySchema: [HASH('Artist'), RANGE('Song')],
      ProvisionedThroughput: PT(5, 6),
      LocalSecondaryIndexes: [lsi('byYear', [HASH('Artist'), RANGE('Year')], { ProjectionType: 'INCLUDE', NonKeyAttributes: ['Album'] })],
      GlobalSecondaryIndexes: [gsi('byGenre', [HASH('Genre'), RANGE('Year')], { Projection: { ProjectionType: 'KEYS_ONLY' }, ProvisionedThroughput: PT(2, 3) })],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TableClass: 'STANDARD_INFREQUENT_ACCESS',
      DeletionProtectionEnabled: true,
      Tags: [{ Key: 'team', Value: 'café ops' }, { Key: 'empty', Value: '' }],
    });
    const N = (name: string) => ({ name, type: 'N' as const });
    const Str = (name: string) => ({ name, type: 'S' as const });
    assert.deepEqual(plan, {
      name: 'Music',
      key: { hash: Str('Artist'), range: Str('Song') },
      attributes: [Str('Artist'), Str('Song'), N('Year'), Str('Genre')],
      billingMode: 'PROVISIONED',
      throughput: { read: 5, write: 6 },
      indexes: [
        { name: 'byYear', kind: 'LSI', key: { hash: Str('Artist'), range: N('Year') }, projection: { type: 'INCLUDE', nonKeyAttributes: ['Album'] } },
        { name: 'byGenre', kind: 'GSI', key: { hash: Str('Genre'), range: N('Year') }, projection: { type: 'KEYS_ONLY' }, throughput: { read: 2, write: 3 } },
      ],
      stream: { viewType: 'NEW_AND_OLD_IMAGES' },
      tableClass: 'STANDARD_INFREQUENT_ACCESS',
      deletionProtection: true,
      tags: { team: 'café ops', empty: '' },
    });
  });

  test('a disabled stream without view type, and null members as absent', () => {
    const plan = validateCreateTable(ppr({ StreamSpecification: { StreamEnabled: false }, ProvisionedThroughput: null, Tags: null }));
    assert.equal(plan.stream, undefined);
    assert.equal(plan.throughput, undefined);
  });

  test('fractional capacity is truncated, as Jackson reads a Long', () => {
    assert.deepEqual(validateCreateTable(prov({ ProvisionedThroughput: PT(2.9, 1.2) })).throughput, { read: 2, write: 1 });
  });
});

describe('validateTableName', () => {
  test('answers the name', () => assert.equal(validateTableName('a.b_c-1'), 'a.b_c-1'));
  test('words IndexName as indexName', () => {
    refuses(() => validateTableName('x!', 'indexName'), 'ValidationException',
      "2 validation errors detected: Value 'x!' at 'indexName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
        "Value 'x!' at 'indexName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    refuses(() => validateTableName(undefined, 'indexName'), 'ValidationException', "The parameter 'IndexName' is required but was not present in the request");
  });
  test('takes an ARN only when told to', () => {
    const arn = 'arn:aws:dynamodb:us-east-1:123456789012:table/abc';
    assert.equal(validateTableName(arn, 'tableName', { allowArn: true }), arn);
    refuses(() => validateTableName(arn), 'ValidationException',
      `1 validation error detected: Value '${arn}' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+`);
  });
  test('validateTags answers the tag map', () => assert.deepEqual(validateTags([{ key: 'a', value: 'b' }]), { a: 'b' }));
});

// UpdateTable ------------------------------------------------------------------------------------

const ARN = 'arn:aws:dynamodb:us-west-2:123456789012:table/tbl';
function table(over: Partial<TableMeta> = {}): TableMeta {
  return {
    id: 1, account: '123456789012', region: 'us-west-2', name: 'tbl', arn: ARN, tableId: '6f3d6a2c-1111-4222-8333-944445555666',
    createdAt: 1_700_000_000_123,
    key: { hash: { name: 'pk', type: 'S' }, range: { name: 'sk', type: 'S' } },
    attributes: [{ name: 'pk', type: 'S' }, { name: 'sk', type: 'S' }, { name: 'gk', type: 'N' }, { name: 'lk', type: 'S' }],
    billingMode: 'PROVISIONED', throughput: { read: 5, write: 5 },
    indexes: [
      { id: 2, name: 'lsi1', kind: 'LSI', key: { hash: { name: 'pk', type: 'S' }, range: { name: 'lk', type: 'S' } }, projection: { type: 'KEYS_ONLY' }, createdAt: 1_700_000_000_123, status: 'ACTIVE' },
      { id: 3, name: 'gsi1', kind: 'GSI', key: { hash: { name: 'gk', type: 'N' } }, projection: { type: 'INCLUDE', nonKeyAttributes: ['zz', 'aa'] }, throughput: { read: 2, write: 2 }, createdAt: 1_700_000_000_123, status: 'ACTIVE' },
    ],
    tableClass: 'STANDARD', deletionProtection: false, tags: {},
    ...over,
  };
}
const onDemand = () => {
  const t = table({ billingMode: 'PAY_PER_REQUEST' });
  delete t.throughput;
  delete t.indexes[1]!.throughput;
  return t;
};
const withStream = () => table({ stream: { id: 9, label: '2024-01-01T00:00:00.000', viewType: 'KEYS_ONLY', arn: `${ARN}/stream/2024-01-01T00:00:00.000` } });
const create = (name: string, keys: unknown[], extra: Input = {}) => ({ Create: { IndexName: name, KeySchema: keys, Projection: ALL, ...extra } });

describe('validateUpdateTable refuses', () => {
  const cases: Array<[string, () => TableMeta, Input, string, string]> = [
    ['nothing to do', table, {}, 'ValidationException', AT_LEAST_ONE],
    ['only AttributeDefinitions', table, { AttributeDefinitions: [S('x')] }, 'ValidationException', AT_LEAST_ONE],
    ['an empty GSI update list alone', table, { GlobalSecondaryIndexUpdates: [] }, 'ValidationException', AT_LEAST_ONE],
    ['only MultiRegionConsistency', table, { MultiRegionConsistency: 'STRONG' }, 'ValidationException', AT_LEAST_ONE.replace(' MultiRegionConsistency,', '')],
    ['an empty GSI update list with a change', table, { GlobalSecondaryIndexUpdates: [], DeletionProtectionEnabled: true }, 'ValidationException', `${INVALID}List of GlobalSecondaryIndexUpdates is empty`],
    ['an empty GSI update', table, { GlobalSecondaryIndexUpdates: [{}] }, 'ValidationException',
      `${INVALID}One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null`],
    ['two actions in one update', table, { GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'gsi1', ProvisionedThroughput: PT(3) }, Delete: { IndexName: 'gsi1' } }] }, 'ValidationException',
      `${INVALID}Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object`],
    ['one index twice', table, { GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'abc' } }, { Delete: { IndexName: 'abc' } }] }, 'ValidationException',
      `${INVALID}Only one global secondary index update per index is allowed simultaneously. Index: abc`],
    ['an update without a name', table, { GlobalSecondaryIndexUpdates: [{ Update: {} }] }, 'ValidationException',
      "1 validation error detected: Value null at 'globalSecondaryIndexUpdates.1.member.update.indexName' failed to satisfy constraint: Member must not be null"],
    ['bad names and capacity', table, { GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'a', ProvisionedThroughput: { ReadCapacityUnits: 0 } } }] }, 'ValidationException',
      "3 validation errors detected: Value 'a' at 'globalSecondaryIndexUpdates.1.member.update.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
        "Value null at 'globalSecondaryIndexUpdates.1.member.update.provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must not be null; " +
        "Value '0' at 'globalSecondaryIndexUpdates.1.member.update.provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    ['an unknown table class', table, { TableClass: 'COLD' }, 'ValidationException',
      'Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].'],
    ['deletion protection with another change', table, { DeletionProtectionEnabled: true, ProvisionedThroughput: PT(6) }, 'ValidationException',
      `${INVALID}DeletionProtection modification must be the only operation in the request`],
    ['SSE with TableClass (SSE is named)', table, { SSESpecification: { Enabled: true }, TableClass: 'STANDARD_INFREQUENT_ACCESS' }, 'ValidationException',
      `${INVALID}Server-Side Encryption modification must be the only operation in the request`],
    ['TableClass with deletion protection (TableClass is named)', table, { TableClass: 'STANDARD', DeletionProtectionEnabled: true }, 'ValidationException',
      `${INVALID}TableClass modification must be the only operation in the request`],
    ['a stream change with throughput', table, { StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' }, ProvisionedThroughput: PT(6) }, 'ValidationException',
      `${INVALID}You cannot modify stream status while updating table IOPS`],
    ['an index created with throughput', table, { AttributeDefinitions: [S('x')], ProvisionedThroughput: PT(6), GlobalSecondaryIndexUpdates: [create('gsi2', [HASH('x')], { ProvisionedThroughput: PT(1) })] },
      'ValidationException', `${INVALID}You cannot create or delete index while updating table IOPS`],
    ['an index deleted with a stream change', table, { StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' }, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'gsi1' } }] },
      'ValidationException', `${INVALID}You cannot create or delete index while changing stream status`],
    ['a stream enabled without view type', table, { StreamSpecification: { StreamEnabled: true } }, 'ValidationException', `${INVALID}If stream is being enabled then UpdateViewType is required`],
    ['a stream disabled with a view type', withStream, { StreamSpecification: { StreamEnabled: false, StreamViewType: 'KEYS_ONLY' } }, 'ValidationException',
      `${INVALID}If stream is being disabled, then UpdateViewType must not be specified`],
    ['PROVISIONED without throughput', onDemand, { BillingMode: 'PROVISIONED' }, 'ValidationException', `${INVALID}ProvisionedThroughput must be specified when BillingMode is PROVISIONED`],
    ['PAY_PER_REQUEST with throughput', table, { BillingMode: 'PAY_PER_REQUEST', ProvisionedThroughput: PT(1) }, 'ValidationException',
      `${INVALID}Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST`],
    ['throughput on an on-demand table', onDemand, { ProvisionedThroughput: PT(1) }, 'ValidationException',
      `${INVALID}Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST`],
    ['too much capacity', table, { ProvisionedThroughput: PT(1000000000000, 1000000000001) }, 'ValidationException', 'Given value 1000000000001 for WriteCapacityUnits is out of bounds'],
    ['too much index capacity, even for a missing index', table, { GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'abc', ProvisionedThroughput: PT(1000000000001) } }] }, 'ValidationException',
      'This operation cannot be performed with given input values. Please contact DynamoDB service team for more info: Action Blocked: IndexUpdate'],
    ['two index creations', table, { AttributeDefinitions: [S('x')], GlobalSecondaryIndexUpdates: [create('gsi3', [HASH('x')]), create('gsi4', [HASH('x')])] }, 'LimitExceededException', ONLINE],
    ['two deletions of missing indexes', table, { GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'ind1' } }, { Delete: { IndexName: 'ind2' } }] }, 'LimitExceededException', ONLINE],
    ['enabling an enabled stream', withStream, { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } }, 'ValidationException', 'Table already has an enabled stream: TableName: tbl'],
    ['disabling no stream', table, { StreamSpecification: { StreamEnabled: false } }, 'ValidationException', 'Table has no stream to disable: TableName: tbl'],
    ['the same throughput', table, { BillingMode: 'PROVISIONED', ProvisionedThroughput: PT(5) }, 'ValidationException',
      'The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: 5. ' +
        `Requested ReadCapacityUnits: 5. Current WriteCapacityUnits provisioned for the table: 5. Requested WriteCapacityUnits: 5. ${REFER}`],
    ['the same index throughput', table, { GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'gsi1', ProvisionedThroughput: PT(2) } }] }, 'ValidationException',
      'The provisioned throughput for the index gsi1 will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for index gsi1: 2. ' +
        `Requested ReadCapacityUnits: 2. Current WriteCapacityUnits provisioned for index gsi1: 2. Requested WriteCapacityUnits: 2. ${REFER}`],
    ['an update of a missing index', table, { GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'ghost', ProvisionedThroughput: PT(3) } }] }, 'ResourceNotFoundException',
      'Requested resource not found: Index ghost for table tbl'],
    ['a deletion of a missing index', table, { GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'ghost' } }] }, 'ResourceNotFoundException', 'Requested resource not found: Index ghost for table tbl'],
    ['a deletion of an LSI', table, { GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'lsi1' } }] }, 'ValidationException', 'Cannot delete an index that is not a GlobalSecondaryIndex: lsi1'],
    ['an update of an LSI', table, { GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'lsi1', ProvisionedThroughput: PT(3) } }] }, 'ValidationException',
      'Cannot update an index that is not a GlobalSecondaryIndex: lsi1'],
    ['an index throughput update on demand', onDemand, { GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'gsi1', ProvisionedThroughput: PT(3) } }] }, 'ValidationException',
      `${INVALID}The only Updates for index: gsi1 when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput`],
    ['a switch to PROVISIONED leaving a GSI out', onDemand, { BillingMode: 'PROVISIONED', ProvisionedThroughput: PT(50) }, 'ValidationException',
      `${INVALID}ProvisionedThroughput must be specified for index: gsi1`],
    ['a creation under an existing name', table, { AttributeDefinitions: [S('y')], GlobalSecondaryIndexUpdates: [create('gsi1', [HASH('x')], { ProvisionedThroughput: PT(1) })] },
      'ValidationException', 'Attempting to create an index which already exists'],
    ['a creation without AttributeDefinitions', table, { GlobalSecondaryIndexUpdates: [create('gsi2', [HASH('x')], { ProvisionedThroughput: PT(1) })] }, 'ValidationException',
      `${INVALID}AttributeDefinitions is not specified for index: gsi2`],
    ['a creation on an undefined attribute', table, { AttributeDefinitions: [S('y')], GlobalSecondaryIndexUpdates: [create('gsi2', [HASH('x')], { ProvisionedThroughput: PT(1) })] },
      'ValidationException', `${INVALID}Some index key attributes are not defined in AttributeDefinitions. Keys: [x], AttributeDefinitions: [y]`],
    ['a PROVISIONED creation without throughput', table, { AttributeDefinitions: [S('x')], GlobalSecondaryIndexUpdates: [create('gsi2', [HASH('x')])] }, 'ValidationException',
      `${INVALID}Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: gsi2`],
    ['an on-demand creation with throughput', onDemand, { AttributeDefinitions: [S('x')], GlobalSecondaryIndexUpdates: [create('gsi2', [HASH('x')], { ProvisionedThroughput: PT(1) })] },
      'ValidationException', `${INVALID}Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: gsi2 when BillingMode is PAY_PER_REQUEST`],
    ['a creation while another index is built', () => { const t = onDemand(); t.indexes[1]!.status = 'CREATING'; return t; },
      { AttributeDefinitions: [S('x')], GlobalSecondaryIndexUpdates: [create('gsi2', [HASH('x')])] }, 'LimitExceededException', ONLINE],
    ['a 21st GSI', () => {
      const t = onDemand();
      for (let i = 0; i < 19; i++) t.indexes.push({ ...t.indexes[1]!, id: 10 + i, name: `more${i}` });
      return t;
    }, { AttributeDefinitions: [S('x')], GlobalSecondaryIndexUpdates: [create('gsi2', [HASH('x')])] }, 'LimitExceededException',
      'Subscriber limit exceeded: Number of global secondary indexes exceeds per-table limit of 20'],
    ['capacity above the account quota', table, { ProvisionedThroughput: PT(5, 40001) }, 'LimitExceededException',
      `The requested WriteCapacityUnits, 40001, is above the per table maximum for the account in us-west-2. Per table maximum: 40000. ${REFER}`],
  ];
  for (const [what, meta, input, code, message] of cases) test(what, () => refuses(() => validateUpdateTable(meta(), { TableName: 'tbl', ...input }), code, message));

  test('the table-free checks run without the table', () => {
    refuses(() => checkUpdateTableRequest({ TableName: 'missing' }), 'ValidationException', AT_LEAST_ONE);
    assert.doesNotThrow(() => checkUpdateTableRequest({ TableName: 'missing', ProvisionedThroughput: PT(1) }));
  });
});

describe('validateUpdateTable accepts', () => {
  const none = { createIndexes: [], deleteIndexes: [], updateIndexes: [] };
  const attrs = table().attributes;
  test('new throughput', () => {
    assert.deepEqual(validateUpdateTable(table(), { ProvisionedThroughput: PT(5, 6) }), { ...none, throughput: { read: 5, write: 6 }, attributes: attrs });
  });
  test('a GSI creation, keeping the known type of a redefined attribute and dropping unused definitions', () => {
    const plan = validateUpdateTable(table(), {
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'N' }, S('x'), S('unused')],
      GlobalSecondaryIndexUpdates: [create('gsi2', [HASH('x'), RANGE('pk')], { ProvisionedThroughput: PT(1, 2) }), { Update: { IndexName: 'gsi1', ProvisionedThroughput: PT(3) } }],
    });
    assert.deepEqual(plan, {
      ...none,
      createIndexes: [{ name: 'gsi2', kind: 'GSI', key: { hash: { name: 'x', type: 'S' }, range: { name: 'pk', type: 'S' } }, projection: { type: 'ALL' }, throughput: { read: 1, write: 2 } }],
      updateIndexes: [{ name: 'gsi1', throughput: { read: 3, write: 3 } }],
      attributes: [...attrs, { name: 'x', type: 'S' }],
    });
  });
  test('a GSI deletion, pruning the attribute only it used', () => {
    assert.deepEqual(validateUpdateTable(table(), { GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'gsi1' } }] }), {
      ...none, deleteIndexes: ['gsi1'], attributes: attrs.filter((a) => a.name !== 'gk'),
    });
  });
  test('a switch to PROVISIONED with every GSI', () => {
    const plan = validateUpdateTable(onDemand(), { BillingMode: 'PROVISIONED', ProvisionedThroughput: PT(50), GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'gsi1', ProvisionedThroughput: PT(50) } }] });
    assert.deepEqual(plan, { ...none, billingMode: 'PROVISIONED', throughput: { read: 50, write: 50 }, updateIndexes: [{ name: 'gsi1', throughput: { read: 50, write: 50 } }], attributes: attrs });
  });
  test('a switch to PAY_PER_REQUEST with a stream; re-sending PAY_PER_REQUEST; class; protection; disabling', () => {
    assert.deepEqual(validateUpdateTable(table(), { BillingMode: 'PAY_PER_REQUEST', StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } }), {
      ...none, billingMode: 'PAY_PER_REQUEST', stream: { enabled: true, viewType: 'NEW_IMAGE' }, attributes: attrs,
    });
    assert.deepEqual(validateUpdateTable(onDemand(), { BillingMode: 'PAY_PER_REQUEST' }), { ...none, billingMode: 'PAY_PER_REQUEST', attributes: attrs });
    assert.deepEqual(validateUpdateTable(table(), { TableClass: 'STANDARD_INFREQUENT_ACCESS' }), { ...none, tableClass: 'STANDARD_INFREQUENT_ACCESS', attributes: attrs });
    assert.deepEqual(validateUpdateTable(table(), { DeletionProtectionEnabled: false }), { ...none, deletionProtection: false, attributes: attrs });
    assert.deepEqual(validateUpdateTable(withStream(), { StreamSpecification: { StreamEnabled: false } }), { ...none, stream: { enabled: false }, attributes: attrs });
  });
  test('deleting the GSI being built', () => {
    const t = table();
    t.indexes[1]!.status = 'CREATING';
    assert.deepEqual(validateUpdateTable(t, { GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'gsi1' } }] }).deleteIndexes, ['gsi1']);
  });
});

describe('describeTable', () => {
  const stats = { itemCount: 3, sizeBytes: 120, indexStats: new Map([[2, { itemCount: 2, sizeBytes: 80 }], [3, { itemCount: 1, sizeBytes: 30 }]]) };
  const keys = (h: string, r?: string) => [{ AttributeName: h, KeyType: 'HASH' }, ...(r ? [{ AttributeName: r, KeyType: 'RANGE' }] : [])];
  const now = 1_700_000_500_000;

  test('a provisioned table with an LSI, a GSI and a stream', () => {
    const meta = { ...withStream(), lastIncreaseAt: 1_700_000_100_500, lastDecreaseAt: 1_700_000_200_000, decreasesToday: 1, attributes: [...table().attributes].reverse() };
    assert.deepEqual(describeTable(meta, stats, 'ACTIVE', now), {
      AttributeDefinitions: [
        { AttributeName: 'gk', AttributeType: 'N' }, { AttributeName: 'lk', AttributeType: 'S' },
        { AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' },
      ],
      TableName: 'tbl',
      KeySchema: keys('pk', 'sk'),
      TableStatus: 'ACTIVE',
      CreationDateTime: 1_700_000_000.123,
      ProvisionedThroughput: { LastIncreaseDateTime: 1_700_000_100.5, LastDecreaseDateTime: 1_700_000_200, NumberOfDecreasesToday: 1, ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
      TableSizeBytes: 120,
      ItemCount: 3,
      TableArn: ARN,
      TableId: '6f3d6a2c-1111-4222-8333-944445555666',
      LocalSecondaryIndexes: [{ IndexName: 'lsi1', KeySchema: keys('pk', 'lk'), Projection: { ProjectionType: 'KEYS_ONLY' }, IndexSizeBytes: 80, ItemCount: 2, IndexArn: `${ARN}/index/lsi1` }],
      GlobalSecondaryIndexes: [{
        IndexName: 'gsi1', KeySchema: keys('gk'), Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['aa', 'zz'] }, IndexStatus: 'ACTIVE',
        ProvisionedThroughput: { NumberOfDecreasesToday: 0, ReadCapacityUnits: 2, WriteCapacityUnits: 2 }, IndexSizeBytes: 30, ItemCount: 1, IndexArn: `${ARN}/index/gsi1`,
        WarmThroughput: { ReadUnitsPerSecond: 2, WriteUnitsPerSecond: 2, Status: 'ACTIVE' },
      }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
      LatestStreamLabel: '2024-01-01T00:00:00.000',
      LatestStreamArn: `${ARN}/stream/2024-01-01T00:00:00.000`,
      DeletionProtectionEnabled: false,
      WarmThroughput: { ReadUnitsPerSecond: 5, WriteUnitsPerSecond: 5, Status: 'ACTIVE' },
    });
    // Yesterday's decreases no longer count.
    const later = describeTable(meta, stats, 'ACTIVE', now + 86_400_000) as { ProvisionedThroughput: { NumberOfDecreasesToday: number } };
    assert.equal(later.ProvisionedThroughput.NumberOfDecreasesToday, 0);
  });

  test('an on-demand table as CreateTable, UpdateTable and DeleteTable answer it', () => {
    const meta = { ...onDemand(), tableClass: 'STANDARD_INFREQUENT_ACCESS' as const, deletionProtection: true };
    const created = describeTable(meta, stats, 'CREATING', now);
    assert.deepEqual(created.BillingModeSummary, { BillingMode: 'PAY_PER_REQUEST' });
    assert.deepEqual(created.ProvisionedThroughput, { NumberOfDecreasesToday: 0, ReadCapacityUnits: 0, WriteCapacityUnits: 0 });
    const [g] = created.GlobalSecondaryIndexes as Array<Record<string, unknown>>;
    assert.equal(g!.IndexStatus, 'CREATING');
    assert.deepEqual(g!.ProvisionedThroughput, { NumberOfDecreasesToday: 0, ReadCapacityUnits: 0, WriteCapacityUnits: 0 });
    assert.equal('Backfilling' in g!, false);
    assert.equal('WarmThroughput' in created, false);
    assert.deepEqual(created.TableClassSummary, { TableClass: 'STANDARD_INFREQUENT_ACCESS' });
    assert.equal(created.DeletionProtectionEnabled, true);

    meta.indexes[1]!.status = 'CREATING';
    const updating = describeTable(meta, stats, 'UPDATING', now);
    assert.deepEqual(updating.BillingModeSummary, { BillingMode: 'PAY_PER_REQUEST', LastUpdateToPayPerRequestDateTime: 1_700_000_000.123 });
    const [u] = updating.GlobalSecondaryIndexes as Array<Record<string, unknown>>;
    assert.equal(u!.IndexStatus, 'CREATING');
    assert.equal(u!.Backfilling, true);
    assert.deepEqual(updating.WarmThroughput, { ReadUnitsPerSecond: 12000, WriteUnitsPerSecond: 4000, Status: 'ACTIVE' });

    const deleting = describeTable(meta, stats, 'DELETING', now);
    assert.equal(deleting.TableStatus, 'DELETING');
    assert.equal('GlobalSecondaryIndexes' in deleting, false);
    assert.equal((deleting.LocalSecondaryIndexes as unknown[]).length, 1);
  });

  test('no index lists and no stream members on a plain table', () => {
    const d = describeTable({ ...table(), indexes: [] }, { itemCount: 0, sizeBytes: 0, indexStats: new Map() }, 'ACTIVE', now);
    for (const member of ['LocalSecondaryIndexes', 'GlobalSecondaryIndexes', 'StreamSpecification', 'LatestStreamArn', 'LatestStreamLabel', 'BillingModeSummary', 'TableClassSummary']) {
      assert.equal(member in d, false, member);
    }
  });
});
