/**
 * Imports run in the background, as DynamoDB runs them: ImportTable creates the table
 * (CREATING), stores the import IN_PROGRESS and answers; this runner then reads every object
 * under the key prefix through S3's in-process calls (as the importing account, with S3's
 * checks), writes its items a chunk per commit, and in one last write makes the table ACTIVE
 * and the import COMPLETED. A line that is not an item of the table's key schema is counted in
 * ErrorCount and skipped, as DynamoDB does; an import S3 refuses (no such bucket, access
 * denied) is FAILED and leaves no table. An import a restart interrupted runs again from the
 * start (its items are put again, the same items).
 */
import { gunzipSync } from 'node:zlib';
import type { InternalApi } from '../../../lib/internal.js';
import { AwsError } from '../../../protocols/errors.js';
import { ValidationException } from '../errors.js';
import type { ImportRow } from '../repo.js';
import { BackgroundJobs } from './background-jobs.js';
import type { DynamoEngine } from './index.js';
import { checkItemKeys, encodeKey } from './keys.js';
import { deleteTable } from './table-ops.js';
import type { TableMeta } from './table-meta.js';
import type { Item } from './types.js';
import { itemSize, validateItem } from './values.js';

const MAX_OBJECTS = 50_000;
const CHUNK = 128;

export class ImportJobs {
  private readonly jobs: BackgroundJobs;

  constructor(
    private readonly engine: DynamoEngine,
    private readonly internal: InternalApi,
  ) {
    this.jobs = new BackgroundJobs(engine.log, 'import');
  }

  /** Runs a stored IN_PROGRESS import in the background. */
  start(row: ImportRow): void {
    this.jobs.run(row.arn, () => this.run(row));
  }

  /** Runs again the imports a restart interrupted. */
  async resume(): Promise<void> {
    for (const row of await this.engine.repo.importsInProgress()) this.start(row);
  }

  /** Resolves once no import is running (for tests). */
  idle(): Promise<void> {
    return this.jobs.idle();
  }

  /** Lets running imports stop at their next step, unsaved (they run again after a restart). */
  stop(): Promise<void> {
    return this.jobs.stop();
  }

  private async run(row: ImportRow): Promise<void> {
    const d = JSON.parse(row.description) as Record<string, unknown>;
    const source = d.S3BucketSource as { S3Bucket: string; S3KeyPrefix?: string };
    const counts = { ProcessedItemCount: 0, ImportedItemCount: 0, ErrorCount: 0, ProcessedSizeBytes: 0 };
    const meta = [...this.engine.tables.all()].find((t) => t.importing === row.arn);
    let failure: AwsError | undefined;
    try {
      if (!meta) throw new ValidationException(`Table not found: ${row.tableArn}`);
      await this.fill(row.account, meta, source, d.InputCompressionType === 'GZIP', counts);
    } catch (e) {
      if (!(e instanceof AwsError)) throw e;
      failure = e;
    }
    this.jobs.check();
    // A failed import leaves no table behind.
    if (failure && meta) await deleteTable(this.engine, { accountId: row.account, region: row.region }, { TableName: meta.name });
    Object.assign(d, counts, { ImportStatus: failure ? 'FAILED' : 'COMPLETED', EndTime: this.engine.clock.now() / 1000 });
    if (failure) Object.assign(d, { FailureCode: failure.code, FailureMessage: failure.message });
    await this.engine.write(async (tx) => {
      const live = meta && this.engine.tables.current(meta.id);
      if (live?.importing === row.arn) {
        const { importing: _done, ...active } = live;
        await this.engine.tables.put(tx, active);
      }
      await this.engine.repo.saveImport(tx, { ...row, description: JSON.stringify(d) });
    });
  }

  /** Reads every object under the prefix and puts its items, a chunk per commit. */
  private async fill(
    account: string,
    meta: TableMeta,
    source: { S3Bucket: string; S3KeyPrefix?: string },
    gzipped: boolean,
    counts: { ProcessedItemCount: number; ImportedItemCount: number; ErrorCount: number; ProcessedSizeBytes: number },
  ): Promise<void> {
    const list = this.internal.get('s3.listKeys');
    const read = this.internal.get('s3.readObject');
    if (!list || !read) throw new ValidationException('S3 is not running in this Nimbus: nothing to import from');
    const bucket = source.S3Bucket;
    for (const key of await list({ accountId: account, bucket, prefix: source.S3KeyPrefix ?? '', max: MAX_OBJECTS })) {
      this.jobs.check();
      const body = await read({ accountId: account, bucket, key });
      if (!body) continue;
      counts.ProcessedSizeBytes += body.length;
      let text: string;
      try {
        text = (gzipped ? gunzipSync(body) : body).toString('utf8');
      } catch {
        counts.ErrorCount++;
        continue;
      }
      let chunk: Item[] = [];
      const flush = async () => {
        const items = chunk;
        chunk = [];
        await this.engine.write(async (tx) => {
          const live = this.engine.live(meta);
          for (const item of items) await this.engine.items.apply(tx, live, encodeKey(live.key, item), undefined, item, 'user', itemSize(item));
        });
        await this.jobs.between();
      };
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        counts.ProcessedItemCount++;
        try {
          const item = validateItem((JSON.parse(line) as { Item?: unknown }).Item);
          checkItemKeys(meta, item);
          chunk.push(item);
          counts.ImportedItemCount++;
        } catch {
          counts.ErrorCount++;
          continue;
        }
        if (chunk.length >= CHUNK) await flush();
      }
      if (chunk.length) await flush();
    }
  }
}
