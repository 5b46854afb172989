/**
 * CloudWatch Logs' storage interface: what the engine needs from a backend, with no SQL in
 * sight. Every mutating method is called from inside Store.write (one group commit).
 */

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

export interface LogsRepo {
  loadGroups(): GroupRecord[];
  loadStreams(): StreamRecord[];
  /** Inserts a group under a new id (never one a group had before). */
  insertGroup(g: Omit<GroupRecord, 'id'>): number;
  /** Writes the group's retention and tags. */
  updateGroup(g: GroupRecord): void;
  /** Removes the group, its streams and their events. */
  deleteGroup(id: number): void;

  insertStream(s: Omit<StreamRecord, 'id'>): number;
  /** Writes the stream's event statistics. */
  updateStream(s: StreamRecord): void;
  /** Removes the stream and its events. */
  deleteStream(id: number): void;

  /** Appends events to a stream, in the order given. */
  insertEvents(groupId: number, streamId: number, ingestionTime: number, events: NewEvent[]): void;
  /** A stream's events in the range, ascending (or descending from the end) by position. */
  streamEvents(streamId: number, range: EventRange, descending: boolean, limit: number): EventRecord[];
  /** A group's events (all streams) in the range, ascending by position. */
  groupEvents(groupId: number, range: EventRange, limit: number): EventRecord[];
  /** Deletes the group's events older than `before`, answering the bytes freed per stream. */
  deleteExpired(groupId: number, before: number): Map<number, number>;
}
