/**
 * CloudWatch Logs storage in SQLite. All SQL of the service lives here.
 *
 * Events are indexed by (stream, timestamp, seq) for GetLogEvents and by (group, timestamp,
 * seq) for FilterLogEvents, so a time range or a token's position is a range scan of the
 * index, never a scan of the table. Ids and sequences come from AUTOINCREMENT: never reused,
 * so a token or an append that raced a delete cannot land in a later group or stream.
 */
import { liveTx, type Db, type Migration, type SqliteConnection } from '../../store/sqlite.js';
import { statementCache, type Prepare } from '../../store/statements.js';
import type { Tx } from '../../store/store.js';
import type { EventRange, EventRecord, GroupRecord, LogsRepo, StreamAppend, StreamRecord } from './repo.js';

const LOGS_MIGRATIONS: Migration[] = [
  `CREATE TABLE logs_groups (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     account TEXT NOT NULL,
     region TEXT NOT NULL,
     name TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     retention_days INTEGER,
     tags TEXT NOT NULL,
     kms_key_id TEXT,
     log_group_class TEXT NOT NULL,
     UNIQUE (account, region, name)
   );
   CREATE TABLE logs_streams (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     group_id INTEGER NOT NULL,
     name TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     first_event_ts INTEGER,
     last_event_ts INTEGER,
     last_ingestion INTEGER,
     stored_bytes INTEGER NOT NULL,
     uploads INTEGER NOT NULL,
     UNIQUE (group_id, name)
   );
   CREATE TABLE logs_events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     group_id INTEGER NOT NULL,
     stream_id INTEGER NOT NULL,
     timestamp INTEGER NOT NULL,
     ingestion_time INTEGER NOT NULL,
     bytes INTEGER NOT NULL,
     message TEXT NOT NULL
   );
   CREATE INDEX logs_events_stream ON logs_events (stream_id, timestamp, seq);
   CREATE INDEX logs_events_group ON logs_events (group_id, timestamp, seq);`,
];

interface GroupRow {
  id: number;
  account: string;
  region: string;
  name: string;
  created_at: number;
  retention_days: number | null;
  tags: string;
  kms_key_id: string | null;
  log_group_class: string;
}

interface StreamRow {
  id: number;
  group_id: number;
  name: string;
  created_at: number;
  first_event_ts: number | null;
  last_event_ts: number | null;
  last_ingestion: number | null;
  stored_bytes: number;
  uploads: number;
}

/** The factory `Store.repo` calls on SQLite: applies the service's migrations, then builds the repo. */
export function sqliteLogsRepo(conn: SqliteConnection): LogsRepo {
  conn.migrate('logs', LOGS_MIGRATIONS);
  return new SqliteLogsRepo(conn.db);
}

const EVENT_COLUMNS = 'seq, stream_id AS streamId, timestamp, ingestion_time AS ingestionTime, message';

class SqliteLogsRepo implements LogsRepo {
  private readonly sql: Prepare;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  async loadGroups(_tx?: Tx): Promise<GroupRecord[]> {
    return (this.sql('SELECT * FROM logs_groups').all() as GroupRow[]).map((r) => ({
      id: r.id,
      account: r.account,
      region: r.region,
      name: r.name,
      createdAt: r.created_at,
      retentionDays: r.retention_days,
      tags: JSON.parse(r.tags) as Record<string, string>,
      kmsKeyId: r.kms_key_id,
      logGroupClass: r.log_group_class,
    }));
  }

  async loadStreams(_tx?: Tx): Promise<StreamRecord[]> {
    return (this.sql('SELECT * FROM logs_streams').all() as StreamRow[]).map((r) => ({
      id: r.id,
      groupId: r.group_id,
      name: r.name,
      createdAt: r.created_at,
      firstEventTimestamp: r.first_event_ts,
      lastEventTimestamp: r.last_event_ts,
      lastIngestionTime: r.last_ingestion,
      storedBytes: r.stored_bytes,
      uploads: r.uploads,
    }));
  }

  async insertGroup(tx: Tx, g: Omit<GroupRecord, 'id'>): Promise<number> {
    liveTx(tx);
    const r = this.sql(
      `INSERT INTO logs_groups (account, region, name, created_at, retention_days, tags, kms_key_id, log_group_class)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(g.account, g.region, g.name, g.createdAt, g.retentionDays, JSON.stringify(g.tags), g.kmsKeyId, g.logGroupClass);
    return Number(r.lastInsertRowid);
  }

  async updateGroup(tx: Tx, g: GroupRecord): Promise<void> {
    liveTx(tx);
    this.sql('UPDATE logs_groups SET retention_days = ?, tags = ? WHERE id = ?').run(g.retentionDays, JSON.stringify(g.tags), g.id);
  }

  async deleteGroup(tx: Tx, id: number): Promise<void> {
    liveTx(tx);
    this.sql('DELETE FROM logs_events WHERE group_id = ?').run(id);
    this.sql('DELETE FROM logs_streams WHERE group_id = ?').run(id);
    this.sql('DELETE FROM logs_groups WHERE id = ?').run(id);
  }

  async insertStream(tx: Tx, s: Omit<StreamRecord, 'id'>): Promise<number> {
    liveTx(tx);
    const r = this.sql(
      `INSERT INTO logs_streams (group_id, name, created_at, first_event_ts, last_event_ts, last_ingestion, stored_bytes, uploads)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(s.groupId, s.name, s.createdAt, s.firstEventTimestamp, s.lastEventTimestamp, s.lastIngestionTime, s.storedBytes, s.uploads);
    return Number(r.lastInsertRowid);
  }

  async updateStreams(tx: Tx, streams: Iterable<StreamRecord>): Promise<void> {
    liveTx(tx);
    const update = this.sql('UPDATE logs_streams SET first_event_ts = ?, last_event_ts = ?, last_ingestion = ?, stored_bytes = ?, uploads = ? WHERE id = ?');
    for (const s of streams) update.run(s.firstEventTimestamp, s.lastEventTimestamp, s.lastIngestionTime, s.storedBytes, s.uploads, s.id);
  }

  async deleteStream(tx: Tx, id: number): Promise<void> {
    liveTx(tx);
    this.sql('DELETE FROM logs_events WHERE stream_id = ?').run(id);
    this.sql('DELETE FROM logs_streams WHERE id = ?').run(id);
  }

  async insertEvents(tx: Tx, ingestionTime: number, appends: StreamAppend[]): Promise<void> {
    liveTx(tx);
    const insert = this.sql('INSERT INTO logs_events (group_id, stream_id, timestamp, ingestion_time, bytes, message) VALUES (?, ?, ?, ?, ?, ?)');
    for (const a of appends) for (const e of a.events) insert.run(a.groupId, a.streamId, e.timestamp, ingestionTime, e.bytes, e.message);
  }

  async streamEvents(streamId: number, range: EventRange, descending: boolean, limit: number, _tx?: Tx): Promise<EventRecord[]> {
    return this.rangeQuery('stream_id', streamId, range, descending, limit);
  }

  async groupEvents(groupId: number, range: EventRange, limit: number, _tx?: Tx): Promise<EventRecord[]> {
    return this.rangeQuery('group_id', groupId, range, false, limit);
  }

  async deleteExpired(tx: Tx, groupId: number, before: number): Promise<Map<number, number>> {
    liveTx(tx);
    const freed = new Map<number, number>();
    const rows = this.sql(
      'SELECT stream_id AS streamId, SUM(bytes) AS bytes FROM logs_events WHERE group_id = ? AND timestamp < ? GROUP BY stream_id',
    ).all(groupId, before) as { streamId: number; bytes: number }[];
    if (rows.length === 0) return freed;
    this.sql('DELETE FROM logs_events WHERE group_id = ? AND timestamp < ?').run(groupId, before);
    for (const r of rows) freed.set(r.streamId, r.bytes);
    return freed;
  }

  /** One of a few fixed statements (prepared once each): a range scan of the owner's index. */
  private rangeQuery(owner: 'stream_id' | 'group_id', id: number, range: EventRange, descending: boolean, limit: number): EventRecord[] {
    const dir = descending ? 'DESC' : 'ASC';
    const params: number[] = [id, range.from, range.to];
    let where = `${owner} = ? AND timestamp >= ? AND timestamp < ?`;
    // A position outside the time range bounds nothing; left in, it would widen the index scan.
    if (range.after && range.after.timestamp < range.from) range = { ...range, after: undefined };
    if (range.before && range.before.timestamp >= range.to) range = { ...range, before: undefined };
    if (range.after) {
      where += ' AND (timestamp, seq) > (?, ?)';
      params.push(range.after.timestamp, range.after.seq);
    }
    if (range.before) {
      where += ' AND (timestamp, seq) < (?, ?)';
      params.push(range.before.timestamp, range.before.seq);
    }
    params.push(limit);
    const index = owner === 'stream_id' ? 'logs_events_stream' : 'logs_events_group';
    return this.sql(`SELECT ${EVENT_COLUMNS} FROM logs_events INDEXED BY ${index} WHERE ${where} ORDER BY timestamp ${dir}, seq ${dir} LIMIT ?`).all(
      ...params,
    ) as EventRecord[];
  }
}
