/**
 * ImportTable runs in the background and an import a restart interrupted runs again: the
 * engine on a data directory, with S3's in-process calls answered by the test (so the import
 * can be caught between its steps).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InternalApi } from '../../../src/lib/internal.js';
import { describeImport, importTable } from '../../../src/services/dynamodb/engine/import-ops.js';
import { ImportJobs } from '../../../src/services/dynamodb/engine/import-jobs.js';
import { describe as describeTable } from '../../../src/services/dynamodb/engine/table-ops.js';
import { openEngine, SCOPE } from './engine-harness.js';

const LINES = ['{"Item":{"pk":{"S":"a"},"n":{"N":"1"}}}', '{"Item":{"pk":{"S":"b"}}}', '{"Item":{"nokey":{"S":"x"}}}'].join('\n');

/** S3's in-process calls over one object; listing waits for `gate` when one is given. */
function s3(gate?: Promise<void>): InternalApi {
  const internal = new InternalApi();
  internal.register('s3.listKeys', async () => {
    await gate;
    return ['in/part.json'];
  });
  internal.register('s3.readObject', async () => Buffer.from(LINES));
  return internal;
}

test('an import runs in the background, and one a restart interrupted runs again from its stored state', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-import-'));
  try {
    let release!: () => void;
    const first = await openEngine({ dataDir });
    const jobs = new ImportJobs(first.engine, s3(new Promise((r) => (release = r))));
    const started = (await importTable(first.engine, jobs, SCOPE, {
      S3BucketSource: { S3Bucket: 'data', S3KeyPrefix: 'in/' },
      InputFormat: 'DYNAMODB_JSON',
      TableCreationParameters: { TableName: 'imported', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] },
    })).ImportTableDescription as { ImportArn: string; ImportStatus: string };
    assert.equal(started.ImportStatus, 'IN_PROGRESS');
    const table = first.engine.tables.find(SCOPE, 'imported')!;
    assert.equal((await describeTable(first.engine, table)).TableStatus, 'CREATING');
    // Shut down while the import waits on S3: it stops at its next step, unsaved.
    const stopping = jobs.stop();
    release();
    await stopping;
    await first.close();

    const second = await openEngine({ dataDir });
    const stored = (await describeImport(second.engine, SCOPE, { ImportArn: started.ImportArn })).ImportTableDescription;
    assert.equal(stored.ImportStatus, 'IN_PROGRESS');
    const resumed = new ImportJobs(second.engine, s3());
    await resumed.resume();
    await resumed.idle();
    const done = (await describeImport(second.engine, SCOPE, { ImportArn: started.ImportArn })).ImportTableDescription;
    assert.deepEqual([done.ImportStatus, done.ProcessedItemCount, done.ImportedItemCount, done.ErrorCount], ['COMPLETED', 3, 2, 1]);
    assert.equal(typeof done.EndTime, 'number');
    const after = second.engine.tables.find(SCOPE, 'imported')!;
    assert.equal((await describeTable(second.engine, after)).TableStatus, 'ACTIVE');
    assert.equal((await second.engine.repo.stats(after.id, false)).count, 2);
    await second.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
