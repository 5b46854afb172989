/**
 * The DynamoDB engine: tables, items, reads, batches, transactions, streams and TTL over one
 * repo. Operation groups live in their own modules as functions of this engine; this class
 * holds what they share.
 */
import type { Clock, Timer } from '../../../lib/clock.js';
import type { EventBus } from '../../../lib/event-bus.js';
import type { Ids } from '../../../lib/ids.js';
import type { Logger } from '../../../lib/log.js';
import type { Store, Tx } from '../../../store/store.js';
import { ResourceNotFoundException } from '../errors.js';
import type { DynamoRepo } from '../repo.js';
import { ItemStore } from './item-store.js';
import { RecoveryLog } from './recovery-log.js';
import { STREAM_RETENTION_MS, StreamLog } from './stream-log.js';
import type { TableMeta } from './table-meta.js';
import { TableJobs } from './table-jobs.js';
import { Tables } from './tables.js';
import { TtlSweeper } from './ttl.js';

/** How often stream records and point-in-time recovery logs are trimmed. */
const TRIM_EVERY_MS = 3600_000;

export interface EngineDeps {
  /** How often the TTL sweeper looks for expired items. */
  ttlIntervalMs?: number;
  /** Items per write of a whole-table rewrite (GSI backfill, TTL attribute change); default 128. */
  rewriteChunk?: number;
  /** How long a new table stays CREATING, on the clock (default 0: ACTIVE at once, as DynamoDB Local has it). */
  tableStatusMs?: number;
  repo: DynamoRepo;
  store: Store;
  clock: Clock;
  ids: Ids;
  bus: EventBus;
  log: Logger;
}

export class DynamoEngine {
  readonly repo: DynamoRepo;
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly log: Logger;
  readonly tables: Tables;
  readonly streams: StreamLog;
  readonly items: ItemStore;
  readonly ttl: TtlSweeper;
  readonly jobs: TableJobs;
  readonly recovery: RecoveryLog;
  readonly tableStatusMs: number;
  private purging = false;
  private stopped = false;

  constructor(deps: EngineDeps) {
    this.repo = deps.repo;
    this.store = deps.store;
    this.clock = deps.clock;
    this.ids = deps.ids;
    this.log = deps.log;
    this.tables = new Tables(deps.repo, deps.clock);
    this.tableStatusMs = deps.tableStatusMs ?? 0;
    this.streams = new StreamLog(deps.repo, deps.clock, deps.ids, deps.bus);
    this.items = new ItemStore(deps.repo, this.streams, deps.clock);
    this.ttl = new TtlSweeper(this, deps.ttlIntervalMs ?? 1000);
    this.jobs = new TableJobs(this, deps.rewriteChunk ?? 128);
    this.recovery = new RecoveryLog(this, deps.rewriteChunk ?? 128);
  }

  /** Starts the background work (once the table registry is loaded): TTL, purges, trims, and rewrites a restart interrupted. */
  start(): void {
    this.ttl.wake();
    this.schedulePurge();
    this.trimStreams();
    this.recoveryTimer = this.clock.at(this.clock.now() + TRIM_EVERY_MS, () => this.trimRecoveryLogs());
    this.jobs.kick();
  }

  /** Stops the background work; resolves once a rewrite chunk in flight is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.ttl.stop();
    this.trimTimer?.cancel();
    this.recoveryTimer?.cancel();
    await this.jobs.stop();
    await this.trimming;
  }

  /**
   * Removes the items and index rows of deleted tables and indexes in small commits, so a
   * large DeleteTable never blocks other requests for long.
   */
  schedulePurge(): void {
    if (this.purging || this.stopped) return;
    this.purging = true;
    const step = async () => {
      try {
        while (!this.stopped && (await this.store.write((tx) => this.repo.purgeStep(tx, 500))) > 0) {
          await new Promise((r) => setImmediate(r));
        }
      } catch (e) {
        this.log.error('purge of deleted tables failed', { error: e instanceof Error ? e.stack : String(e) });
      } finally {
        this.purging = false;
      }
    };
    void step();
  }

  private trimTimer: Timer | undefined;
  private recoveryTimer: Timer | undefined;
  private trimming: Promise<void> = Promise.resolve();

  /** Drops stream records older than 24 hours, once an hour. */
  private trimStreams(): void {
    if (this.stopped) return;
    void this.store.write((tx) => this.repo.trimStreams(tx, this.clock.now() - STREAM_RETENTION_MS)).catch((e) => this.log.error('stream trim failed', { error: String(e) }));
    this.trimTimer = this.clock.at(this.clock.now() + TRIM_EVERY_MS, () => this.trimStreams());
  }

  /**
   * Keeps point-in-time recovery logs to their window, once an hour (the first an hour after
   * start, so exports a restart interrupted have resumed and hold their tables' logs).
   */
  trimRecoveryLogs(): Promise<void> {
    if (this.stopped) return this.trimming;
    this.trimming = this.trimming
      .then(() => this.recovery.trim(() => this.stopped))
      .catch((e) => this.log.error('point-in-time recovery log trim failed', { error: e instanceof Error ? e.stack : String(e) }));
    this.recoveryTimer?.cancel();
    this.recoveryTimer = this.clock.at(this.clock.now() + TRIM_EVERY_MS, () => void this.trimRecoveryLogs());
    return this.trimming;
  }

  /**
   * Runs fn in the next group commit and answers once it is durable; then tells stream
   * consumers what advanced. fn runs atomically: nothing else touches the store meanwhile.
   */
  async write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    try {
      return await this.store.write(fn);
    } finally {
      this.streams.announce();
    }
  }

  /**
   * Inside a write: the table as it is now. A table deleted between the request's lookup and
   * its turn in the commit is gone, as DynamoDB would say.
   */
  live(meta: TableMeta): TableMeta {
    const current = this.tables.current(meta.id);
    if (!current) throw new ResourceNotFoundException('Requested resource not found');
    return current;
  }
}
