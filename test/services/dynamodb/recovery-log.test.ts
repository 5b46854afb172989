/**
 * The point-in-time recovery change log is kept to the recovery window on the injected clock:
 * changes older than the window are folded into the base snapshot and dropped, and a restore
 * to any second still in the window gives the table as it was then. A table whose log a reader
 * holds (an export, a point-in-time restore) is left for the next trim.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { restoreTableToPointInTime, updateContinuousBackups } from '../../../src/services/dynamodb/engine/backup-ops.js';
import { deleteItem, getItem, putItem } from '../../../src/services/dynamodb/engine/item-ops.js';
import { DAY_MS } from '../../../src/services/dynamodb/engine/recovery-log.js';
import { createTable } from '../../../src/services/dynamodb/engine/table-ops.js';
import { openEngine, SCOPE } from './engine-harness.js';

const HOUR_MS = 3_600_000;

test('changes older than the recovery window are folded into the base; restores within the window stay exact', async () => {
  // Three changes per fold write, so the trim takes several writes.
  const { engine, clock, close } = await openEngine({ rewriteChunk: 3 });
  try {
    await createTable(engine, SCOPE, {
      TableName: 'Log',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
    const meta = () => engine.tables.find(SCOPE, 'Log')!;
    const put = (pk: string, v: string) => putItem(engine, SCOPE, { TableName: 'Log', Item: { pk: { S: pk }, v: { S: v } } });
    const changes = async () => (await engine.repo.readChanges(meta().id, 0, Number.MAX_SAFE_INTEGER, 1000)).length;

    await put('kept', 'before recovery');
    await updateContinuousBackups(engine, SCOPE, { TableName: 'Log', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 1 } });
    // Day 0: ten changes (eight puts, two deletes), all older than the window by day 2.
    for (let i = 0; i < 8; i++) await put(`old-${i}`, 'day 0');
    await put('kept', 'day 0');
    await deleteItem(engine, SCOPE, { TableName: 'Log', Key: { pk: { S: 'old-0' } } });
    await deleteItem(engine, SCOPE, { TableName: 'Log', Key: { pk: { S: 'old-1' } } });
    assert.equal(await changes(), 11);

    clock.advance(DAY_MS + HOUR_MS);
    // Day 1: changes still inside the window once the trim runs.
    await put('old-2', 'day 1');
    const noted = clock.now();
    clock.advance(1000);
    await put('kept', 'day 1, later');
    await engine.trimRecoveryLogs();
    // The window starts a day ago: the day-0 changes are older, the day-1 ones are not.
    assert.equal(await changes(), 2, 'only the changes inside the window are left in the log');

    // A restore to a second inside the window: the folded base plus the remaining changes.
    await restoreTableToPointInTime(engine, SCOPE, { SourceTableName: 'Log', TargetTableName: 'Back', RestoreDateTime: noted / 1000 });
    await engine.jobs.idle();
    const value = async (table: string, pk: string) => JSON.stringify((await getItem(engine, SCOPE, { TableName: table, Key: { pk: { S: pk } } })).Item?.v);
    const back = async (pk: string) => value('Back', pk);
    const S = (s: string) => JSON.stringify({ S: s });
    assert.equal(await back('kept'), S('day 0'));
    assert.equal(await back('old-0'), undefined, 'a delete folded into the base stays deleted');
    assert.equal(await back('old-2'), S('day 1'));
    assert.equal(await back('old-7'), S('day 0'));

    // A reader holding the log (an export) keeps the trim off the table until it lets go.
    clock.advance(DAY_MS);
    const release = engine.recovery.pin(meta().id);
    await engine.trimRecoveryLogs();
    assert.equal(await changes(), 2);
    release();
    // The hourly trim on the injected clock picks it up.
    clock.advance(HOUR_MS);
    await engine.trimRecoveryLogs();
    assert.equal(await changes(), 0);
    const latest = await restoreTableToPointInTime(engine, SCOPE, { SourceTableName: 'Log', TargetTableName: 'Latest', UseLatestRestorableTime: true });
    assert.equal(latest.TableDescription.TableStatus, 'CREATING');
    await engine.jobs.idle();
    assert.equal(await value('Latest', 'kept'), S('day 1, later'));
  } finally {
    await close();
  }
});
