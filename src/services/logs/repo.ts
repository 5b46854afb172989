/**
 * CloudWatch Logs' storage interface: what the engine needs from a backend, with no SQL in
 * sight. Every method answers a Promise. A method that writes takes the write's transaction
 * (`Tx`, from Store.write) first; a read takes it last when it runs inside a write, so a
 * networked backend reads that write's own changes.
 */
import type { Tx } from '../../store/store.js';

export interface GroupRecord {
  id: number;
  account: string;
  region: string;
  name: string;
  createdAt: number;
  /** Days events are kept; null: never expire. */
  retentionDays: number | null;
  tags: Record<string, string>;
  kmsKeyId: string | null;
  logGroupClass: string;
}

export interface StreamRecord {
  id: number;
  groupId: number;
  name: string;
  createdAt: number;
  firstEventTimestamp: number | null;
  lastEventTimestamp: number | null;
  lastIngestionTime: number | null;
  /** UTF-8 bytes of the messages stored (and not yet swept by retention). */
  storedBytes: number;
  /** Accepted PutLogEvents calls (the legacy sequence token counts them). */
  uploads: number;
}

export interface EventRecord {
  /** Storage sequence: increases with every event stored, so it orders events of one timestamp. */
  seq: number;
  streamId: number;
  timestamp: number;
  ingestionTime: number;
  message: string;
}

/** A place between events: events are ordered by (timestamp, seq). */
export interface Position {
  timestamp: number;
  seq: number;
}

/** Which events of a range: timestamps in [from, to), strictly after or before a position. */
export interface EventRange {
  from: number;
  to: number;
  after?: Position;
  before?: Position;
}

export interface NewEvent {
  timestamp: number;
  message: string;
  bytes: number;
}

/** Events for one stream of one group, in order. */
export interface StreamAppend {
  groupId: number;
  streamId: number;
  events: NewEvent[];
}

export interface LogsRepo {
  loadGroups(tx?: Tx): Promise<GroupRecord[]>;
  loadStreams(tx?: Tx): Promise<StreamRecord[]>;
  /** Inserts a group under a new id (never one a group had before). */
  insertGroup(tx: Tx, g: Omit<GroupRecord, 'id'>): Promise<number>;
  /** Writes the group's retention and tags. */
  updateGroup(tx: Tx, g: GroupRecord): Promise<void>;
  /** Removes the group, its streams and their events. */
  deleteGroup(tx: Tx, id: number): Promise<void>;

  insertStream(tx: Tx, s: Omit<StreamRecord, 'id'>): Promise<number>;
  /** Writes the event statistics of each stream given (one call for all streams a write touched). */
  updateStreams(tx: Tx, streams: Iterable<StreamRecord>): Promise<void>;
  /** Removes the stream and its events. */
  deleteStream(tx: Tx, id: number): Promise<void>;

  /** Appends events to streams, in the order given (one call for a whole round of appends). */
  insertEvents(tx: Tx, ingestionTime: number, appends: StreamAppend[]): Promise<void>;
  /** A stream's events in the range, ascending (or descending from the end) by position. */
  streamEvents(streamId: number, range: EventRange, descending: boolean, limit: number, tx?: Tx): Promise<EventRecord[]>;
  /** A group's events (all streams) in the range, ascending by position. */
  groupEvents(groupId: number, range: EventRange, limit: number, tx?: Tx): Promise<EventRecord[]>;
  /** Deletes the group's events older than `before`, answering the bytes freed per stream. */
  deleteExpired(tx: Tx, groupId: number, before: number): Promise<Map<number, number>>;
}
