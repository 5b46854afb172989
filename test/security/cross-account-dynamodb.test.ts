/**
 * The cross-account matrix for DynamoDB and DynamoDB Streams (see cross-account-helpers.ts):
 * every operation naming the owner's table by ARN (for a table that exists and one that does
 * not: the refusal must not tell them apart), by name (a name is the caller's own table), and
 * the owner's stream by stream ARN and shard iterator. DynamoDB answers AccessDeniedException:
 * "User: <caller> is not authorized to perform: dynamodb:<Op> on resource: <arn> because no
 * resource-based policy allows the dynamodb:<Op> action".
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BatchExecuteStatementCommand,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateBackupCommand,
  CreateTableCommand,
  DeleteBackupCommand,
  DescribeBackupCommand,
  DescribeContinuousBackupsCommand,
  DescribeExportCommand,
  DescribeImportCommand,
  ImportTableCommand,
  ListImportsCommand,
  ExportTableToPointInTimeCommand,
  ListExportsCommand,
  ListBackupsCommand,
  RestoreTableFromBackupCommand,
  RestoreTableToPointInTimeCommand,
  UpdateContinuousBackupsCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ExecuteStatementCommand,
  ExecuteTransactionCommand,
  GetItemCommand,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TagResourceCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UntagResourceCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, ListStreamsCommand, type DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { dynamoClient, importDone, streamsClient } from '../helpers/dynamodb.js';
import { TEST_CREDENTIALS } from '../helpers/nimbus.js';
import type { TestNimbus } from '../helpers/nimbus.js';
import { ACCOUNT, INTRUDER, INTRUDER_ACCOUNT, re, refused, runMatrix, startMatrixNimbus, type Refusal, type Row } from './cross-account-helpers.js';

interface F {
  t: TestNimbus;
  owner: DynamoDBClient;
  intruder: DynamoDBClient;
  ownerStreams: DynamoDBStreamsClient;
  intruderStreams: DynamoDBStreamsClient;
  streamArn: string;
  shardId: string;
  iterator: string;
  backupArn: string;
}

const TABLE = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/secrets`;
const MISSING = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/no-such-table`;
const key = { pk: { S: 'k' } };

const denied = (op: string, resource: string): Refusal => ({
  name: 'AccessDeniedException',
  message: new RegExp(
    `^User: arn:aws:iam::${INTRUDER_ACCOUNT}:root is not authorized to perform: dynamodb:${op} on resource: ${re(resource)} because no resource-based policy allows the dynamodb:${op} action$`,
  ),
});
const INVALID_NAME = /Table name should be within the length \[3, 255\] and only contain 'a-z', 'A-Z', '0-9', '-', '_', '\.'\.$/;
// Streams take resource-based policies of their own (developerguide/rbac-attach-resource-policy-streams.html), so
// another account's stream is refused as another account's table is.
const notFound: Refusal = { name: 'ResourceNotFoundException', message: /^Requested resource not found/ };

/** The table operations: each is called by the owner's table ARN, a missing ARN of the owner's account, and by name. */
const tableCalls: Array<[string, (c: DynamoDBClient, table: string) => Promise<unknown>]> = [
  ['GetItem', (c, T) => c.send(new GetItemCommand({ TableName: T, Key: key }))],
  ['PutItem', (c, T) => c.send(new PutItemCommand({ TableName: T, Item: { ...key, v: { S: 'intruder' } } }))],
  ['UpdateItem', (c, T) => c.send(new UpdateItemCommand({ TableName: T, Key: key, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { S: 'x' } } }))],
  ['DeleteItem', (c, T) => c.send(new DeleteItemCommand({ TableName: T, Key: key }))],
  ['Query', (c, T) => c.send(new QueryCommand({ TableName: T, KeyConditionExpression: 'pk = :k', ExpressionAttributeValues: { ':k': { S: 'k' } } }))],
  ['Scan', (c, T) => c.send(new ScanCommand({ TableName: T }))],
  ['BatchGetItem', (c, T) => c.send(new BatchGetItemCommand({ RequestItems: { [T]: { Keys: [key] } } }))],
  ['BatchWriteItem', (c, T) => c.send(new BatchWriteItemCommand({ RequestItems: { [T]: [{ DeleteRequest: { Key: key } }] } }))],
  ['TransactGetItems', (c, T) => c.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: T, Key: key } }] }))],
  ['TransactWriteItems', (c, T) => c.send(new TransactWriteItemsCommand({ TransactItems: [{ Delete: { TableName: T, Key: key } }] }))],
  ['DescribeTable', (c, T) => c.send(new DescribeTableCommand({ TableName: T }))],
  ['UpdateTable', (c, T) => c.send(new UpdateTableCommand({ TableName: T, BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }))],
  ['DescribeTimeToLive', (c, T) => c.send(new DescribeTimeToLiveCommand({ TableName: T }))],
  ['UpdateTimeToLive', (c, T) => c.send(new UpdateTimeToLiveCommand({ TableName: T, TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' } }))],
  ['CreateBackup', (c, T) => c.send(new CreateBackupCommand({ TableName: T, BackupName: 'stolen' }))],
  ['DescribeContinuousBackups', (c, T) => c.send(new DescribeContinuousBackupsCommand({ TableName: T }))],
  ['UpdateContinuousBackups', (c, T) => c.send(new UpdateContinuousBackupsCommand({ TableName: T, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false } }))],
  ['RestoreTableToPointInTime', (c, T) => c.send(new RestoreTableToPointInTimeCommand({ SourceTableArn: T.startsWith('arn:') ? T : undefined, SourceTableName: T.startsWith('arn:') ? undefined : T, TargetTableName: 'copied', UseLatestRestorableTime: true }))],
  ['DeleteTable', (c, T) => c.send(new DeleteTableCommand({ TableName: T }))],
];

/** The backup operations named by a backup ARN: the owner's own backup, and one of the owner's account that does not exist. */
const MISSING_BACKUP = `${TABLE}/backup/01700000000000-00000000`;
const backupCalls: Array<[string, (c: DynamoDBClient, arn: string) => Promise<unknown>]> = [
  ['DescribeBackup', (c, A) => c.send(new DescribeBackupCommand({ BackupArn: A }))],
  ['RestoreTableFromBackup', (c, A) => c.send(new RestoreTableFromBackupCommand({ BackupArn: A, TargetTableName: 'copied' }))],
  ['DeleteBackup', (c, A) => c.send(new DeleteBackupCommand({ BackupArn: A }))],
];
/** A missing table by name is TableNotFoundException for the backup operations. */
const tableNotFound = new Set(['CreateBackup', 'DescribeContinuousBackups', 'UpdateContinuousBackups', 'RestoreTableToPointInTime']);

/** Operations that take only an ARN (ResourceArn): by the owner's table ARN and a missing one. */
const arnCalls: Array<[string, (c: DynamoDBClient, arn: string) => Promise<unknown>]> = [
  ['ExportTableToPointInTime', (c, A) => c.send(new ExportTableToPointInTimeCommand({ TableArn: A, S3Bucket: 'intruder-bucket' }))],
  ['TagResource', (c, A) => c.send(new TagResourceCommand({ ResourceArn: A, Tags: [{ Key: 'owned', Value: 'yes' }] }))],
  ['UntagResource', (c, A) => c.send(new UntagResourceCommand({ ResourceArn: A, TagKeys: ['team'] }))],
  ['ListTagsOfResource', (c, A) => c.send(new ListTagsOfResourceCommand({ ResourceArn: A }))],
];

const rows: Row<F>[] = [
  ...tableCalls.flatMap(([op, call]): Row<F>[] => [
    { op, form: 'by table ARN', call: (f) => call(f.intruder, TABLE), refusal: denied(op, TABLE) },
    { op, form: "by a missing table's ARN", call: (f) => call(f.intruder, MISSING), refusal: denied(op, MISSING) },
    // A name is the caller's own table: the intruder has none of that name.
    { op, form: 'by name', call: (f) => call(f.intruder, 'secrets'), refusal: tableNotFound.has(op) ? { name: 'TableNotFoundException', message: /^Table not found: secrets$/ } : notFound },
  ]),
  ...backupCalls.flatMap(([op, call]): Row<F>[] => [
    { op, form: 'by backup ARN', call: (f) => call(f.intruder, f.backupArn), refusal: (f) => denied(op, f.backupArn) },
    { op, form: "by a missing backup's ARN", call: (f) => call(f.intruder, MISSING_BACKUP), refusal: denied(op, MISSING_BACKUP) },
  ]),
  {
    op: 'DescribeExport',
    form: "by the owner's export ARN",
    call: (f) => f.intruder.send(new DescribeExportCommand({ ExportArn: `${TABLE}/export/0000000000000-00000000` })),
    refusal: denied('DescribeExport', `${TABLE}/export/0000000000000-00000000`),
  },
  {
    op: 'DescribeImport',
    form: "by the owner's import ARN",
    call: (f) => f.intruder.send(new DescribeImportCommand({ ImportArn: `${TABLE}/import/0000000000000-00000000` })),
    refusal: denied('DescribeImport', `${TABLE}/import/0000000000000-00000000`),
  },
  {
    op: 'ListImports',
    form: "lists the caller's own imports",
    call: (f) => f.intruder.send(new ListImportsCommand({})),
    shows: (out) => assert.deepEqual((out as { ImportSummaryList?: unknown[] }).ImportSummaryList, []),
  },
  {
    // The data is read as the caller: the owner's bucket refuses another account (S3's wall).
    op: 'ImportTable',
    form: "from the owner's bucket",
    // The import runs in the background: what it shows is its description once done.
    call: async (f) => {
      const started = await f.intruder.send(
        new ImportTableCommand({
          S3BucketSource: { S3Bucket: 'owner-data' },
          InputFormat: 'DYNAMODB_JSON',
          TableCreationParameters: { TableName: 'stolen', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' },
        }),
      );
      return { ImportTableDescription: await importDone(f.intruder, started.ImportTableDescription!.ImportArn!) };
    },
    shows: (out) => {
      const d = (out as { ImportTableDescription?: { ImportStatus?: string; FailureCode?: string; ImportedItemCount?: number } }).ImportTableDescription;
      assert.deepEqual([d?.ImportStatus, d?.FailureCode, d?.ImportedItemCount], ['FAILED', 'AccessDenied', 0]);
    },
  },
  {
    op: 'ListExports',
    form: "by the owner's table ARN (lists the caller's own exports)",
    call: (f) => f.intruder.send(new ListExportsCommand({ TableArn: TABLE })),
    shows: (out) => assert.deepEqual((out as { ExportSummaries?: unknown[] }).ExportSummaries, []),
  },
  {
    op: 'ListBackups',
    form: "lists the caller's own backups",
    call: (f) => f.intruder.send(new ListBackupsCommand({})),
    shows: (out) => assert.deepEqual((out as { BackupSummaries?: unknown[] }).BackupSummaries, []),
  },
  ...arnCalls.flatMap(([op, call]): Row<F>[] => [
    { op, form: 'by table ARN', call: (f) => call(f.intruder, TABLE), refusal: denied(op, TABLE) },
    { op, form: "by a missing table's ARN", call: (f) => call(f.intruder, MISSING), refusal: denied(op, MISSING) },
  ]),
  // Creating "the owner's table" by its ARN creates nothing in the owner's account.
  {
    op: 'CreateTable',
    form: "by the owner's table ARN",
    call: (f) =>
      f.intruder.send(
        new CreateTableCommand({ TableName: MISSING, BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }),
      ),
    // CreateTable takes a table ARN in TableName (the model's TableArn); another account's is refused like every other operation here.
    refusal: { name: 'AccessDeniedException' },
  },
  { op: 'ListTables', form: "lists the caller's own tables", call: (f) => f.intruder.send(new ListTablesCommand({})), shows: (out) => assert.deepEqual((out as { TableNames?: string[] }).TableNames, []) },
  // PartiQL names a table in double quotes. Unconfirmed whether AWS's PartiQL takes a table ARN
  // there; Nimbus refuses one as an invalid table name, so another account's table cannot be named.
  { op: 'ExecuteStatement', form: 'by table ARN', call: (f) => f.intruder.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${TABLE}"` })), refusal: { name: 'ValidationException', message: INVALID_NAME } },
  { op: 'ExecuteStatement', form: 'by name', call: (f) => f.intruder.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "secrets"` })), refusal: { name: 'ResourceNotFoundException' } },
  {
    op: 'ExecuteTransaction',
    form: 'by table ARN',
    call: (f) => f.intruder.send(new ExecuteTransactionCommand({ TransactStatements: [{ Statement: `DELETE FROM "${TABLE}" WHERE pk = 'k'` }] })),
    refusal: { name: 'ValidationException', message: INVALID_NAME },
  },
  {
    op: 'BatchExecuteStatement',
    form: 'by table ARN',
    call: (f) => f.intruder.send(new BatchExecuteStatementCommand({ Statements: [{ Statement: `DELETE FROM "${TABLE}" WHERE pk = 'k'` }, { Statement: `SELECT * FROM "${TABLE}" WHERE pk = 'k'` }] })),
    // A batch answers each statement's error in its place.
    shows: (out) => {
      const codes = (out as { Responses?: Array<{ Error?: { Code?: string }; Item?: unknown }> }).Responses?.map((r) => [r.Error?.Code, r.Item]);
      assert.deepEqual(codes, [
        ['ValidationError', undefined],
        ['ValidationError', undefined],
      ]);
    },
  },
  // Streams: by the owner's stream ARN, and with an iterator the owner was given.
  { op: 'DescribeStream', service: 'dynamodbstreams', form: 'by stream ARN', call: (f) => f.intruderStreams.send(new DescribeStreamCommand({ StreamArn: f.streamArn })), refusal: (f) => denied('DescribeStream', f.streamArn) },
  {
    op: 'GetShardIterator',
    service: 'dynamodbstreams',
    form: 'by stream ARN',
    call: (f) => f.intruderStreams.send(new GetShardIteratorCommand({ StreamArn: f.streamArn, ShardId: f.shardId, ShardIteratorType: 'TRIM_HORIZON' })),
    refusal: (f) => denied('GetShardIterator', f.streamArn),
  },
  { op: 'GetRecords', service: 'dynamodbstreams', form: "with the owner's shard iterator", call: (f) => f.intruderStreams.send(new GetRecordsCommand({ ShardIterator: f.iterator })), refusal: (f) => denied('GetRecords', f.streamArn) },
  {
    op: 'ListStreams',
    service: 'dynamodbstreams',
    form: "by the owner's table name (lists the caller's own streams)",
    call: (f) => f.intruderStreams.send(new ListStreamsCommand({ TableName: 'secrets' })),
    shows: (out) => assert.deepEqual((out as { Streams?: unknown[] }).Streams, []),
  },
];

runMatrix<F>({
  service: 'dynamodb',
  async setup() {
    const t = await startMatrixNimbus();
    const owner = dynamoClient(t.endpoint);
    const ownerStreams = streamsClient(t.endpoint);
    await owner.send(
      new CreateTableCommand({
        TableName: 'secrets',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
        Tags: [{ Key: 'team', Value: 'owner' }],
      }),
    );
    await owner.send(new PutItemCommand({ TableName: 'secrets', Item: { ...key, v: { S: 'owner' } } }));
    const stream = (await ownerStreams.send(new DescribeStreamCommand({ StreamArn: (await owner.send(new DescribeTableCommand({ TableName: 'secrets' }))).Table!.LatestStreamArn! }))).StreamDescription!;
    const shardId = stream.Shards![0]!.ShardId!;
    const iterator = (await ownerStreams.send(new GetShardIteratorCommand({ StreamArn: stream.StreamArn!, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator!;
    const backupArn = (await owner.send(new CreateBackupCommand({ TableName: 'secrets', BackupName: 'mine' }))).BackupDetails!.BackupArn!;
    const s3 = new S3Client({ endpoint: t.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, forcePathStyle: true, maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: 'owner-data' }));
    await s3.send(new PutObjectCommand({ Bucket: 'owner-data', Key: 'items.json', Body: '{"Item":{"pk":{"S":"secret"}}}\n' }));
    s3.destroy();
    await owner.send(new UpdateContinuousBackupsCommand({ TableName: 'secrets', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    return {
      t,
      owner,
      intruder: dynamoClient(t.endpoint, { credentials: INTRUDER }),
      ownerStreams,
      intruderStreams: streamsClient(t.endpoint, { credentials: INTRUDER }),
      streamArn: stream.StreamArn!,
      shardId,
      iterator,
      backupArn,
    };
  },
  async teardown(f) {
    for (const c of [f.owner, f.intruder, f.ownerStreams, f.intruderStreams]) c.destroy();
    await f.t.stop();
  },
  rows,
  async snapshot(f) {
    const table = (await f.owner.send(new DescribeTableCommand({ TableName: TABLE }))).Table!;
    const records = await f.ownerStreams.send(new GetRecordsCommand({ ShardIterator: f.iterator }));
    return {
      tables: (await f.owner.send(new ListTablesCommand({}))).TableNames,
      status: table.TableStatus,
      billing: table.BillingModeSummary?.BillingMode,
      items: (await f.owner.send(new ScanCommand({ TableName: TABLE, ConsistentRead: true }))).Items,
      tags: (await f.owner.send(new ListTagsOfResourceCommand({ ResourceArn: TABLE }))).Tags,
      ttl: (await f.owner.send(new DescribeTimeToLiveCommand({ TableName: TABLE }))).TimeToLiveDescription,
      records: records.Records?.map((r) => [r.eventName, r.dynamodb?.SequenceNumber]),
      intruderTables: (await f.intruder.send(new ListTablesCommand({}))).TableNames,
      backups: (await f.owner.send(new ListBackupsCommand({}))).BackupSummaries?.map((b) => b.BackupArn),
      pitr: (await f.owner.send(new DescribeContinuousBackupsCommand({ TableName: TABLE }))).ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus,
    };
  },
  more(fixture) {
    test("a table ARN of the caller's own account in another region is not found", async () => {
      const f = fixture();
      await refused(f.owner.send(new GetItemCommand({ TableName: TABLE.replace('us-east-1', 'eu-west-1'), Key: key })), notFound, 'other region');
    });
  },
});
