/**
 * Exports run in the background, as DynamoDB runs them: ExportTableToPointInTime stores the
 * export IN_PROGRESS and answers; this runner then reads the table as it was at the export
 * time (the point-in-time base snapshot with the logged changes up to then), writes it to the
 * bucket in DynamoDB JSON, and stores the export COMPLETED (or FAILED with S3's error):
 *
 *   <prefix>/AWSDynamoDB/<exportId>/manifest-summary.json
 *   <prefix>/AWSDynamoDB/<exportId>/manifest-files.json
 *   <prefix>/AWSDynamoDB/<exportId>/data/<file>.json.gz   one `{"Item":{...}}` per line
 *
 * The export never runs inside a store write: it reads a page at a time between other
 * requests and compresses off the event loop, so writes go on meanwhile. Its table's recovery
 * log is pinned while it reads (the trim would otherwise fold it under the reader). An export a
 * restart interrupted is run again from the start.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { InternalApi } from '../../../lib/internal.js';
import { AwsError } from '../../../protocols/errors.js';
import { ValidationException } from '../errors.js';
import type { ExportRow, ItemCursor } from '../repo.js';
import { BackgroundJobs } from './background-jobs.js';
import type { DynamoEngine } from './index.js';
import type { TableMeta } from './table-meta.js';

const gzipAsync = promisify(gzip);
const PAGE = 1000;

/** The answer's shape while an export runs and once it is done. */
export type ExportDescription = Record<string, unknown>;

export class ExportJobs {
  private readonly jobs: BackgroundJobs;

  constructor(
    private readonly engine: DynamoEngine,
    private readonly internal: InternalApi,
  ) {
    this.jobs = new BackgroundJobs(engine.log, 'export');
  }

  /** Runs a stored IN_PROGRESS export in the background. */
  start(row: ExportRow): void {
    const meta = [...this.engine.tables.all()].find((t) => t.arn === row.tableArn);
    // Pinned now, before the request is answered, so no trim can fold what it will read.
    const release = meta ? this.engine.recovery.pin(meta.id) : () => {};
    this.jobs.run(row.arn, () => this.run(row, meta), release);
  }

  /** Runs again the exports a restart interrupted. */
  async resume(): Promise<void> {
    for (const row of await this.engine.repo.exportsInProgress()) this.start(row);
  }

  /** Resolves once no export is running (for tests). */
  idle(): Promise<void> {
    return this.jobs.idle();
  }

  /** Lets running exports stop at their next step, unsaved (they run again after a restart). */
  stop(): Promise<void> {
    return this.jobs.stop();
  }

  private check(): void {
    this.jobs.check();
  }

  private async run(row: ExportRow, meta: TableMeta | undefined): Promise<void> {
    const description = JSON.parse(row.description) as ExportDescription;
    const now = () => this.engine.clock.now() / 1000;
    try {
      if (!meta?.pitr) throw new ValidationException(`Table not found: ${row.tableArn}`);
      const items = await this.itemsAt(meta, Number(description.ExportTime) * 1000);
      this.check();
      const write = this.internal.get('s3.writeObject');
      if (!write) throw new ValidationException('S3 is not running in this Nimbus: nothing to export to');
      const bucket = String(description.S3Bucket);
      const prefix = typeof description.S3Prefix === 'string' ? `${description.S3Prefix.replace(/\/+$/, '')}/` : '';
      const base = `${prefix}AWSDynamoDB/${row.arn.slice(row.arn.lastIndexOf('/') + 1)}`;
      const put = (key: string, body: Buffer, contentType: string) => write({ accountId: row.account, bucket, key, body, contentType });
      const data = await gzipAsync(items.map((i) => `{"Item":${i}}\n`).join(''));
      this.check();
      const dataKey = `${base}/data/${randomBytes(8).toString('hex')}.json.gz`;
      const { etag } = await put(dataKey, data, 'application/x-gzip');
      const md5 = createHash('md5').update(data).digest('base64');
      const filesKey = `${base}/manifest-files.json`;
      const file = { itemCount: items.length, md5Checksum: md5, etag: etag.replace(/"/g, ''), dataFileS3Key: dataKey };
      await put(filesKey, Buffer.from(`${JSON.stringify(file)}\n`), 'application/json');
      const billed = items.reduce((n, i) => n + i.length, 0);
      const end = now();
      const summary = {
        version: '2020-06-30',
        exportArn: row.arn,
        startTime: new Date(Number(description.StartTime) * 1000).toISOString(),
        endTime: new Date(end * 1000).toISOString(),
        tableArn: description.TableArn,
        tableId: description.TableId,
        exportTime: new Date(Number(description.ExportTime) * 1000).toISOString(),
        s3Bucket: bucket,
        s3Prefix: description.S3Prefix ?? null,
        s3SseAlgorithm: description.S3SseAlgorithm,
        s3SseKmsKeyId: null,
        manifestFilesS3Key: filesKey,
        billedSizeBytes: billed,
        itemCount: items.length,
        outputFormat: 'DYNAMODB_JSON',
        exportType: 'FULL_EXPORT',
      };
      await put(`${base}/manifest-summary.json`, Buffer.from(JSON.stringify(summary)), 'application/json');
      Object.assign(description, { ExportStatus: 'COMPLETED', EndTime: end, ExportManifest: `${base}/manifest-summary.json`, BilledSizeBytes: billed, ItemCount: items.length });
    } catch (e) {
      if (!(e instanceof AwsError)) throw e;
      // DynamoDB reports S3's refusal (a missing bucket, one the account may not write) as the export's failure.
      Object.assign(description, { ExportStatus: 'FAILED', EndTime: now(), FailureCode: e.code, FailureMessage: e.message, BilledSizeBytes: 0, ItemCount: 0 });
    }
    this.check();
    await this.engine.write((tx) => this.engine.repo.saveExport(tx, { ...row, description: JSON.stringify(description) }));
  }

  /** The table's items (stored JSON text) as they were at `at`: the base snapshot with the logged changes up to then. */
  private async itemsAt(meta: TableMeta, at: number): Promise<string[]> {
    const byKey = new Map<string, string>();
    const keyOf = (pk: Buffer, sk: Buffer) => `${pk.toString('base64')}/${sk.toString('base64')}`;
    let after: ItemCursor | undefined;
    for (;;) {
      const rows = await this.engine.repo.readItems(meta.pitr!.baseId, after, PAGE);
      for (const r of rows) byKey.set(keyOf(r.pk, r.sk), r.item);
      if (rows.length < PAGE) break;
      after = [rows[rows.length - 1]!.pk, rows[rows.length - 1]!.sk];
      await this.between();
    }
    let seq = 0;
    for (;;) {
      const changes = await this.engine.repo.readChanges(meta.id, seq, at, PAGE);
      for (const c of changes) {
        if (c.item === null) byKey.delete(keyOf(c.pk, c.sk));
        else byKey.set(keyOf(c.pk, c.sk), c.item);
        seq = c.seq;
      }
      if (changes.length < PAGE) break;
      await this.between();
    }
    return [...byKey.values()];
  }

  private between(): Promise<void> {
    return this.jobs.between();
  }
}
