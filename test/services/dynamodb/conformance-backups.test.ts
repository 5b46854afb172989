/**
 * Backups, point-in-time recovery and exports (issue 15, features): on-demand backups restored with
 * their indexes; an export at a noted second read back from a Nimbus bucket; point-in-time restores to a noted second on the injected clock (write, note
 * the time, overwrite, restore, compare); a large restore filled in chunks while other writes
 * go on.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BatchWriteItemCommand,
  CreateBackupCommand,
  DeleteBackupCommand,
  DeleteItemCommand,
  DescribeBackupCommand,
  DescribeContinuousBackupsCommand,
  DescribeExportCommand,
  DescribeImportCommand,
  ImportTableCommand,
  ListImportsCommand,
  ExportTableToPointInTimeCommand,
  ListExportsCommand,
  DescribeTableCommand,
  ListBackupsCommand,
  PutItemCommand,
  QueryCommand,
  RestoreTableFromBackupCommand,
  RestoreTableToPointInTimeCommand,
  ScanCommand,
  UpdateContinuousBackupsCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { gunzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createTable, importDone, rejectsWith, withDynamo } from '../../helpers/dynamodb.js';
import { s3Client } from '../../helpers/s3.js';

async function untilActive(ddb: DynamoDBClient, name: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const t = (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table!;
    if (t.TableStatus === 'ACTIVE' && (t.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE')) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`${name} never became ACTIVE`);
}

const sorted = (items: Record<string, unknown>[] | undefined) => [...(items ?? [])].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('DynamoDB backups and point-in-time recovery', () => {
  it('backs a table up, lists, describes and restores it with its indexes, then deletes the backup', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'songs', {
        extra: {
          AttributeDefinitions: [{ AttributeName: 'genre', AttributeType: 'S' }],
          GlobalSecondaryIndexes: [{ IndexName: 'byGenre', KeySchema: [{ AttributeName: 'genre', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
        },
      });
      for (const [pk, genre] of [['a', 'rock'], ['b', 'jazz'], ['c', 'rock']]) {
        await ddb.send(new PutItemCommand({ TableName: 'songs', Item: { pk: { S: pk! }, sk: { S: '1' }, genre: { S: genre! } } }));
      }
      const created = await ddb.send(new CreateBackupCommand({ TableName: 'songs', BackupName: 'nightly' }));
      const arn = created.BackupDetails!.BackupArn!;
      assert.match(arn, /^arn:aws:dynamodb:us-east-1:\d{12}:table\/songs\/backup\/\d{14}-[0-9a-f]{8}$/);
      assert.equal(created.BackupDetails!.BackupStatus, 'AVAILABLE');
      // Later writes are not in the backup.
      await ddb.send(new PutItemCommand({ TableName: 'songs', Item: { pk: { S: 'd' }, sk: { S: '1' }, genre: { S: 'rock' } } }));
      await ddb.send(new DeleteItemCommand({ TableName: 'songs', Key: { pk: { S: 'a' }, sk: { S: '1' } } }));

      const described = (await ddb.send(new DescribeBackupCommand({ BackupArn: arn }))).BackupDescription!;
      assert.equal(described.SourceTableDetails!.ItemCount, 3);
      assert.equal(described.SourceTableDetails!.TableName, 'songs');
      assert.deepEqual(described.SourceTableFeatureDetails!.GlobalSecondaryIndexes!.map((g) => g.IndexName), ['byGenre']);
      const listed = await ddb.send(new ListBackupsCommand({ TableName: 'songs' }));
      assert.deepEqual(listed.BackupSummaries!.map((b) => [b.BackupName, b.BackupArn]), [['nightly', arn]]);

      const restored = await ddb.send(new RestoreTableFromBackupCommand({ TargetTableName: 'songs2', BackupArn: arn }));
      assert.equal(restored.TableDescription!.TableStatus, 'CREATING');
      assert.equal(restored.TableDescription!.RestoreSummary!.SourceBackupArn, arn);
      await untilActive(ddb, 'songs2');
      const table = (await ddb.send(new DescribeTableCommand({ TableName: 'songs2' }))).Table!;
      assert.equal(table.RestoreSummary!.RestoreInProgress, false);
      assert.equal(table.ItemCount, 3);
      const rock = await ddb.send(new QueryCommand({ TableName: 'songs2', IndexName: 'byGenre', KeyConditionExpression: 'genre = :g', ExpressionAttributeValues: { ':g': { S: 'rock' } } }));
      assert.deepEqual(rock.Items!.map((i) => i.pk!.S).sort(), ['a', 'c']);
      await rejectsWith(ddb.send(new RestoreTableFromBackupCommand({ TargetTableName: 'songs2', BackupArn: arn })), 'TableAlreadyExistsException', 'Table already exists: songs2');

      const deleted = await ddb.send(new DeleteBackupCommand({ BackupArn: arn }));
      assert.equal(deleted.BackupDescription!.BackupDetails!.BackupStatus, 'DELETED');
      await rejectsWith(ddb.send(new DescribeBackupCommand({ BackupArn: arn })), 'BackupNotFoundException');
      assert.deepEqual((await ddb.send(new ListBackupsCommand({}))).BackupSummaries, []);
      await rejectsWith(ddb.send(new CreateBackupCommand({ TableName: 'nope', BackupName: 'x1x' })), 'TableNotFoundException', 'Table not found: nope');
    }));

  it('restores a table to a noted second, and to the latest time, on the injected clock', () =>
    withDynamo(async ({ ddb, t }) => {
      await createTable(ddb, 'ledger', { range: false });
      await ddb.send(new PutItemCommand({ TableName: 'ledger', Item: { pk: { S: 'before' }, v: { N: '0' } } }));
      const off = await ddb.send(new DescribeContinuousBackupsCommand({ TableName: 'ledger' }));
      assert.equal(off.ContinuousBackupsDescription!.PointInTimeRecoveryDescription!.PointInTimeRecoveryStatus, 'DISABLED');
      await rejectsWith(
        ddb.send(new RestoreTableToPointInTimeCommand({ SourceTableName: 'ledger', TargetTableName: 'ledger2', UseLatestRestorableTime: true })),
        'PointInTimeRecoveryUnavailableException',
        "Point in time recovery is not enabled for table 'ledger'",
      );
      const on = await ddb.send(new UpdateContinuousBackupsCommand({ TableName: 'ledger', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 7 } }));
      assert.equal(on.ContinuousBackupsDescription!.PointInTimeRecoveryDescription!.PointInTimeRecoveryStatus, 'ENABLED');
      assert.equal(on.ContinuousBackupsDescription!.PointInTimeRecoveryDescription!.RecoveryPeriodInDays, 7);

      t.clock.advance(2000);
      await ddb.send(new PutItemCommand({ TableName: 'ledger', Item: { pk: { S: 'a' }, v: { N: '1' } } }));
      await ddb.send(new PutItemCommand({ TableName: 'ledger', Item: { pk: { S: 'b' }, v: { N: '1' } } }));
      const noted = t.clock.now();
      t.clock.advance(3000);
      await ddb.send(new PutItemCommand({ TableName: 'ledger', Item: { pk: { S: 'a' }, v: { N: '2' } } }));
      await ddb.send(new DeleteItemCommand({ TableName: 'ledger', Key: { pk: { S: 'b' } } }));
      await ddb.send(new DeleteItemCommand({ TableName: 'ledger', Key: { pk: { S: 'before' } } }));
      await ddb.send(new PutItemCommand({ TableName: 'ledger', Item: { pk: { S: 'c' }, v: { N: '2' } } }));
      t.clock.advance(1000);

      const atNoted = await ddb.send(new RestoreTableToPointInTimeCommand({ SourceTableName: 'ledger', TargetTableName: 'ledgerThen', RestoreDateTime: new Date(noted) }));
      assert.equal(atNoted.TableDescription!.RestoreSummary!.RestoreDateTime!.getTime(), noted);
      await untilActive(ddb, 'ledgerThen');
      assert.deepEqual(sorted((await ddb.send(new ScanCommand({ TableName: 'ledgerThen' }))).Items), sorted([
        { pk: { S: 'before' }, v: { N: '0' } },
        { pk: { S: 'a' }, v: { N: '1' } },
        { pk: { S: 'b' }, v: { N: '1' } },
      ]));
      await ddb.send(new RestoreTableToPointInTimeCommand({ SourceTableName: 'ledger', TargetTableName: 'ledgerNow', UseLatestRestorableTime: true }));
      await untilActive(ddb, 'ledgerNow');
      assert.deepEqual(
        sorted((await ddb.send(new ScanCommand({ TableName: 'ledgerNow' }))).Items),
        sorted((await ddb.send(new ScanCommand({ TableName: 'ledger' }))).Items),
      );
      const window = (await ddb.send(new DescribeContinuousBackupsCommand({ TableName: 'ledger' }))).ContinuousBackupsDescription!.PointInTimeRecoveryDescription!;
      await rejectsWith(
        ddb.send(new RestoreTableToPointInTimeCommand({ SourceTableName: 'ledger', TargetTableName: 'ledgerX', RestoreDateTime: new Date(window.EarliestRestorableDateTime!.getTime() - 1000) })),
        'InvalidRestoreTimeException',
      );
      await ddb.send(new UpdateContinuousBackupsCommand({ TableName: 'ledger', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false } }));
      const disabled = await ddb.send(new DescribeContinuousBackupsCommand({ TableName: 'ledger' }));
      assert.equal(disabled.ContinuousBackupsDescription!.PointInTimeRecoveryDescription!.PointInTimeRecoveryStatus, 'DISABLED');
    }));

  it('fills a large restore a chunk per write: a PutItem meanwhile is answered quickly', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'big', { range: false });
      await createTable(ddb, 'other', { range: false });
      const filler = 'x'.repeat(200);
      for (let b = 0; b < 80; b++) {
        await ddb.send(
          new BatchWriteItemCommand({ RequestItems: { big: Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { pk: { S: `k${b}-${i}` }, f: { S: filler } } } })) } }),
        );
      }
      const arn = (await ddb.send(new CreateBackupCommand({ TableName: 'big', BackupName: 'all' }))).BackupDetails!.BackupArn!;
      await ddb.send(new RestoreTableFromBackupCommand({ TargetTableName: 'bigCopy', BackupArn: arn }));
      let slowest = 0;
      let sawCreating = false;
      for (let i = 0; i < 10; i++) {
        const started = performance.now();
        await ddb.send(new PutItemCommand({ TableName: 'other', Item: { pk: { S: `p${i}` } } }));
        slowest = Math.max(slowest, performance.now() - started);
        if ((await ddb.send(new DescribeTableCommand({ TableName: 'bigCopy' }))).Table!.TableStatus === 'CREATING') sawCreating = true;
      }
      await untilActive(ddb, 'bigCopy');
      assert.ok(sawCreating, 'the restore was still going while the other writes were answered');
      assert.ok(slowest < 250, `a PutItem during the restore took ${slowest.toFixed(0)} ms`);
      assert.equal((await ddb.send(new ScanCommand({ TableName: 'bigCopy', Select: "COUNT" }))).Count, 2000);
    }));
});

describe('DynamoDB exports to and imports from S3', () => {
  it('exports the table as it was at a noted second to a Nimbus bucket in DynamoDB JSON, imports it back into a new table, and reports a missing bucket as a failed export', () =>
    withDynamo(async ({ ddb, t }) => {
      const s3 = s3Client(t);
      await s3.send(new CreateBucketCommand({ Bucket: 'exports' }));
      await createTable(ddb, 'orders', { range: false });
      const arn = (await ddb.send(new DescribeTableCommand({ TableName: 'orders' }))).Table!.TableArn!;
      await rejectsWith(
        ddb.send(new ExportTableToPointInTimeCommand({ TableArn: arn, S3Bucket: 'exports' })),
        'PointInTimeRecoveryUnavailableException',
        "Point in time recovery is not enabled for table 'orders'",
      );
      await ddb.send(new PutItemCommand({ TableName: 'orders', Item: { pk: { S: 'o1' }, total: { N: '10' } } }));
      await ddb.send(new UpdateContinuousBackupsCommand({ TableName: 'orders', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
      t.clock.advance(1000);
      await ddb.send(new PutItemCommand({ TableName: 'orders', Item: { pk: { S: 'o2' }, tags: { SS: ['a', 'b'] }, raw: { B: new Uint8Array([1, 2]) } } }));
      const noted = t.clock.now();
      t.clock.advance(2000);
      await ddb.send(new PutItemCommand({ TableName: 'orders', Item: { pk: { S: 'o1' }, total: { N: '99' } } }));
      await ddb.send(new PutItemCommand({ TableName: 'orders', Item: { pk: { S: 'o3' } } }));

      // The export is taken and runs in the background: IN_PROGRESS, then COMPLETED.
      const started = (await ddb.send(new ExportTableToPointInTimeCommand({ TableArn: arn, S3Bucket: 'exports', S3Prefix: 'nightly', ExportTime: new Date(noted) }))).ExportDescription!;
      assert.equal(started.ExportStatus, 'IN_PROGRESS');
      assert.equal(started.EndTime, undefined);
      assert.equal(started.ExportManifest, undefined);
      assert.deepEqual(started.ExportTime, new Date(noted));
      // Writes go on meanwhile; one made now is after the export time and stays out of it.
      await ddb.send(new PutItemCommand({ TableName: 'orders', Item: { pk: { S: 'during' } } }));
      const out = await exportDone(ddb, started.ExportArn!);
      assert.equal(out.ExportStatus, 'COMPLETED');
      assert.equal(out.ItemCount, 2);
      assert.ok(out.EndTime instanceof Date);
      assert.match(out.ExportArn!, /^arn:aws:dynamodb:us-east-1:\d{12}:table\/orders\/export\/[0-9a-f-]+$/);
      const read = async (Key: string) => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: 'exports', Key }))).Body!.transformToByteArray());
      const summary = JSON.parse((await read(out.ExportManifest!)).toString()) as { manifestFilesS3Key: string; itemCount: number; exportArn: string };
      assert.equal(summary.exportArn, out.ExportArn);
      assert.ok(out.ExportManifest!.startsWith('nightly/AWSDynamoDB/'));
      const files = (await read(summary.manifestFilesS3Key)).toString().trim().split('\n').map((l) => JSON.parse(l) as { dataFileS3Key: string; itemCount: number });
      assert.equal(files.length, 1);
      const lines = gunzipSync(await read(files[0]!.dataFileS3Key)).toString().trim().split('\n').map((l) => JSON.parse(l) as { Item: Record<string, unknown> });
      assert.deepEqual(sorted(lines.map((l) => l.Item)), sorted([
        { pk: { S: 'o1' }, total: { N: '10' } },
        { pk: { S: 'o2' }, tags: { SS: ['a', 'b'] }, raw: { B: 'AQI=' } },
      ]));

      assert.deepEqual((await ddb.send(new DescribeExportCommand({ ExportArn: out.ExportArn! }))).ExportDescription!.ItemCount, 2);
      const failed = await exportDone(ddb, (await ddb.send(new ExportTableToPointInTimeCommand({ TableArn: arn, S3Bucket: 'no-such-bucket' }))).ExportDescription!.ExportArn!);
      assert.equal(failed.ExportStatus, 'FAILED');
      assert.equal(failed.FailureCode, 'NoSuchBucket');
      // The round trip: the export's data imported into a new table holds the same items.
      const importing = (
        await ddb.send(
          new ImportTableCommand({
            S3BucketSource: { S3Bucket: 'exports', S3KeyPrefix: files[0]!.dataFileS3Key.replace(/[^/]+$/, '') },
            InputFormat: 'DYNAMODB_JSON',
            InputCompressionType: 'GZIP',
            TableCreationParameters: {
              TableName: 'ordersBack',
              AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
              KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
              BillingMode: 'PAY_PER_REQUEST',
            },
          }),
        )
      ).ImportTableDescription!;
      // The import runs in the background: IN_PROGRESS with its table CREATING, then COMPLETED with the table ACTIVE.
      assert.equal(importing.ImportStatus, 'IN_PROGRESS');
      assert.equal(importing.EndTime, undefined);
      assert.equal((await ddb.send(new DescribeTableCommand({ TableName: 'ordersBack' }))).Table!.TableStatus, 'CREATING');
      const imported = await importDone(ddb, importing.ImportArn!);
      assert.equal((await ddb.send(new DescribeTableCommand({ TableName: 'ordersBack' }))).Table!.TableStatus, 'ACTIVE');
      assert.equal(imported.ImportStatus, 'COMPLETED');
      assert.ok(imported.EndTime instanceof Date);
      assert.equal(imported.ImportedItemCount, 2);
      assert.equal(imported.ErrorCount, 0);
      assert.deepEqual(sorted((await ddb.send(new ScanCommand({ TableName: 'ordersBack' }))).Items), sorted(lines.map((l) => l.Item)).map((i) => ({ ...i, ...(i.raw ? { raw: { B: new Uint8Array([1, 2]) } } : {}) })));
      assert.equal((await ddb.send(new DescribeImportCommand({ ImportArn: imported.ImportArn! }))).ImportTableDescription!.ImportedItemCount, 2);
      assert.deepEqual((await ddb.send(new ListImportsCommand({}))).ImportSummaryList!.map((i) => i.ImportArn), [imported.ImportArn]);
      // Lines that are not items of the key schema are counted, not imported.
      await s3.send(new PutObjectCommand({ Bucket: 'exports', Key: 'mixed/part1.json', Body: '{"Item":{"pk":{"S":"ok"}}}\n{"Item":{"other":{"S":"x"}}}\nnot json\n' }));
      const mixed = await importDone(ddb, (
        await ddb.send(
          new ImportTableCommand({
            S3BucketSource: { S3Bucket: 'exports', S3KeyPrefix: 'mixed/' },
            InputFormat: 'DYNAMODB_JSON',
            TableCreationParameters: { TableName: 'mixedBack', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' },
          }),
        )
      ).ImportTableDescription!.ImportArn!);
      assert.deepEqual([mixed.ImportStatus, mixed.ProcessedItemCount, mixed.ImportedItemCount, mixed.ErrorCount], ['COMPLETED', 3, 1, 2]);
      const listed = await ddb.send(new ListExportsCommand({ TableArn: arn }));
      assert.deepEqual(listed.ExportSummaries!.map((e) => [e.ExportArn, e.ExportStatus]), [
        [out.ExportArn, 'COMPLETED'],
        [failed.ExportArn, 'FAILED'],
      ]);
      s3.destroy();
    }));
});

/** The export once it is no longer IN_PROGRESS (it runs in the background; a few ms here). */
async function exportDone(ddb: DynamoDBClient, ExportArn: string) {
  for (let i = 0; i < 500; i++) {
    const d = (await ddb.send(new DescribeExportCommand({ ExportArn }))).ExportDescription!;
    if (d.ExportStatus !== 'IN_PROGRESS') return d;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`export ${ExportArn} still IN_PROGRESS after 5 s`);
}
