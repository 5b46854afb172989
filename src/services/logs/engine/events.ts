/**
 * Log events: PutLogEvents' batch rules (chronological order, sizes, 24-hour span, events
 * too old, expired or too new set aside in rejectedLogEventsInfo), GetLogEvents' paging
 * forward and backward from either end of a stream, and FilterLogEvents over a group's
 * streams with a filter pattern. Time is the injected clock's; events past their group's
 * retention are never returned, and a sweep deletes them (and their bytes) later.
 */
import type { Clock } from '../../../lib/clock.js';
import type { Store, Tx } from '../../../store/store.js';
import { InvalidParameterException } from '../errors.js';
import type { EventRecord, LogsRepo, NewEvent, Position, StreamRecord } from '../repo.js';
import { compileFilterPattern } from './filter/index.js';
import type { LogGroup, LogStream, Registry } from './registry.js';
import { eventId, eventToken, filterToken, parseEventToken, parseFilterToken, START } from './tokens.js';
import { Checks } from './validate.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const MAX_EVENT_BYTES = 262_144;
export const EVENT_OVERHEAD = 26;
const MAX_BATCH_BYTES = 1_048_576;
const MAX_RESPONSE_BYTES = 1_048_576;
const FAR_FUTURE = Number.MAX_SAFE_INTEGER;
/** FilterLogEvents reads events in chunks and examines at most this many per call. */
const CHUNK = 1000;
const SCAN_LIMIT = 20_000;

export interface InputEvent {
  timestamp: number;
  message: string;
}

export interface RejectedInfo {
  tooNewLogEventStartIndex?: number;
  tooOldLogEventEndIndex?: number;
  expiredLogEventEndIndex?: number;
}

export interface GetInput {
  startTime?: number;
  endTime?: number;
  nextToken?: string;
  limit?: number;
  startFromHead?: boolean;
}

export interface FilterInput {
  logStreamNames?: string[];
  logStreamNamePrefix?: string;
  startTime?: number;
  endTime?: number;
  filterPattern?: string;
  nextToken?: string;
  limit?: number;
}

export interface FilteredEvent {
  logStreamName: string;
  timestamp: number;
  message: string;
  ingestionTime: number;
  eventId: string;
}

const position = (e: EventRecord): Position => ({ timestamp: e.timestamp, seq: e.seq });

/** A stream's statistics once one more upload of these events is stored. */
function statsAfter(stream: StreamRecord, events: NewEvent[], now: number) {
  let { firstEventTimestamp: first, lastEventTimestamp: last, storedBytes } = stream;
  for (const e of events) {
    first = first === null ? e.timestamp : Math.min(first, e.timestamp);
    last = last === null ? e.timestamp : Math.max(last, e.timestamp);
    storedBytes += e.bytes;
  }
  return {
    uploads: stream.uploads + 1,
    firstEventTimestamp: first,
    lastEventTimestamp: last,
    lastIngestionTime: events.length > 0 ? now : stream.lastIngestionTime,
    storedBytes,
  };
}

export const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

export class EventEngine {
  constructor(
    private readonly repo: LogsRepo,
    private readonly store: Store,
    private readonly registry: Registry,
    private readonly clock: Clock,
  ) {}

  async put(stream: LogStream, events: InputEvent[]): Promise<{ nextSequenceToken: string; rejectedLogEventsInfo?: RejectedInfo }> {
    const checks = new Checks().count('logEvents', events, 1, 10_000);
    events.forEach((e, i) => {
      checks.length(`logEvents.${i + 1}.member.message`, e.message, 1, Infinity).range(`logEvents.${i + 1}.member.timestamp`, e.timestamp, 0);
    });
    checks.done();
    const batch: NewEvent[] = [];
    let total = 0;
    for (const e of events) {
      const bytes = utf8Bytes(e.message);
      if (bytes + EVENT_OVERHEAD > MAX_EVENT_BYTES) {
        throw new InvalidParameterException(`Log event too large: ${bytes + EVENT_OVERHEAD} bytes exceeds limit of ${MAX_EVENT_BYTES}`);
      }
      total += bytes + EVENT_OVERHEAD;
      batch.push({ timestamp: e.timestamp, message: e.message, bytes });
    }
    if (total > MAX_BATCH_BYTES) throw new InvalidParameterException(`Upload too large: ${total} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
    for (let i = 1; i < batch.length; i++) {
      if (batch[i]!.timestamp < batch[i - 1]!.timestamp) {
        throw new InvalidParameterException('Log events in a single PutLogEvents request must be in chronological order.');
      }
    }

    const now = this.clock.now();
    const count = (pred: (e: NewEvent) => boolean) => batch.filter(pred).length;
    const tooOld = count((e) => e.timestamp < now - 14 * DAY);
    const expired = count((e) => e.timestamp < this.registry.cutoff(stream.group, now));
    const firstTooNew = batch.findIndex((e) => e.timestamp > now + 2 * HOUR);
    const end = firstTooNew < 0 ? batch.length : firstTooNew;
    const accepted = batch.slice(Math.min(Math.max(tooOld, expired), end), end);
    if (accepted.length > 1 && accepted[accepted.length - 1]!.timestamp - accepted[0]!.timestamp > DAY) {
      throw new InvalidParameterException('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
    }
    const rejected: RejectedInfo = {};
    if (firstTooNew >= 0) rejected.tooNewLogEventStartIndex = firstTooNew;
    if (tooOld > 0) rejected.tooOldLogEventEndIndex = tooOld;
    if (expired > tooOld) rejected.expiredLogEventEndIndex = expired;

    const uploads = await this.store.write((tx) => {
      this.registry.assertLive(stream);
      return this.appendNow(tx, stream, accepted, now);
    });
    return {
      nextSequenceToken: String(uploads).padStart(56, '0'),
      ...(Object.keys(rejected).length ? { rejectedLogEventsInfo: rejected } : {}),
    };
  }

  /** Inside a write: stores the events and the stream's statistics; answers the stream's upload count. */
  async appendNow(tx: Tx, stream: LogStream, events: NewEvent[], now: number): Promise<number> {
    const next = statsAfter(stream, events, now);
    if (events.length > 0) await this.repo.insertEvents(tx, now, [{ groupId: stream.group.id, streamId: stream.id, events }]);
    await this.repo.updateStreams(tx, [{ ...stream, ...next }]);
    Object.assign(stream, next);
    return next.uploads;
  }

  /**
   * Inside a write: stores the events of several appends (one upload each, in the order given)
   * in one call, then the statistics of every stream they touched in another. Memory changes
   * before the statistics are written: a caller whose write fails reloads the registry.
   */
  async appendMany(tx: Tx, now: number, appends: { stream: LogStream; events: NewEvent[] }[]): Promise<void> {
    if (appends.length === 0) return;
    await this.repo.insertEvents(
      tx,
      now,
      appends.map((a) => ({ groupId: a.stream.group.id, streamId: a.stream.id, events: a.events })),
    );
    const touched = new Set<LogStream>();
    for (const a of appends) {
      Object.assign(a.stream, statsAfter(a.stream, a.events, now));
      touched.add(a.stream);
    }
    await this.repo.updateStreams(tx, touched);
  }

  async get(stream: LogStream, input: GetInput) {
    new Checks().range('limit', input.limit, 1, 10_000).range('startTime', input.startTime, 0).range('endTime', input.endTime, 0).length('nextToken', input.nextToken, 1, Infinity).done();
    const limit = input.limit ?? 10_000;
    const from = Math.max(input.startTime ?? 0, this.registry.cutoff(stream.group, this.clock.now()));
    const to = input.endTime ?? FAR_FUTURE;
    const token = input.nextToken === undefined ? undefined : parseEventToken(input.nextToken);
    const backward = token ? token.direction === 'b' : !input.startFromHead;
    const range = token
      ? token.direction === 'f'
        ? { from, to, after: token.position }
        : { from, to, before: token.position }
      : { from, to };
    const rows = from < to ? await this.repo.streamEvents(stream.id, range, backward, limit) : [];
    // As many as fit in 1 MB, counted from where the page starts (its newest end when backward).
    let bytes = 0;
    let kept = 0;
    for (const r of rows) {
      bytes += utf8Bytes(r.message) + EVENT_OVERHEAD;
      if (kept > 0 && bytes > MAX_RESPONSE_BYTES) break;
      kept++;
    }
    const page = rows.slice(0, kept);
    if (backward) page.reverse();
    const events = page.map((r) => ({ timestamp: r.timestamp, message: r.message, ingestionTime: r.ingestionTime }));
    if (page.length > 0) {
      return { events, nextForwardToken: eventToken('f', position(page[page.length - 1]!)), nextBackwardToken: eventToken('b', position(page[0]!)) };
    }
    // Nothing (new): the same place again, so a paginator knows it has reached the end.
    const at = token?.position ?? START;
    const forwardAt = token?.direction === 'b' ? { timestamp: at.timestamp, seq: Math.max(0, at.seq - 1) } : at;
    return { events, nextForwardToken: eventToken('f', forwardAt), nextBackwardToken: eventToken('b', at) };
  }

  async filter(group: LogGroup, input: FilterInput): Promise<{ events: FilteredEvent[]; searchedLogStreams: never[]; nextToken?: string }> {
    new Checks()
      .count('logStreamNames', input.logStreamNames, 1, 100)
      .length('logStreamNamePrefix', input.logStreamNamePrefix, 1, 512)
      .range('limit', input.limit, 1, 10_000)
      .range('startTime', input.startTime, 0)
      .range('endTime', input.endTime, 0)
      .length('filterPattern', input.filterPattern, 0, 1024)
      .length('nextToken', input.nextToken, 1, Infinity)
      .done();
    if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
      throw new InvalidParameterException('Cannot specify both logStreamNames and logStreamNamePrefix.');
    }
    const matches = compileFilterPattern(input.filterPattern);
    const limit = input.limit ?? 10_000;
    const names = new Map<number, string>();
    let selected: Set<number> | undefined;
    for (const s of group.streams.values()) names.set(s.id, s.name);
    if (input.logStreamNames !== undefined || input.logStreamNamePrefix !== undefined) {
      selected = new Set();
      const wanted = input.logStreamNames ? new Set(input.logStreamNames) : undefined;
      for (const s of group.streams.values()) {
        if (wanted ? wanted.has(s.name) : s.name.startsWith(input.logStreamNamePrefix!)) selected.add(s.id);
      }
    }
    const from = Math.max(input.startTime ?? 0, this.registry.cutoff(group, this.clock.now()));
    const to = input.endTime === undefined ? FAR_FUTURE : input.endTime + 1;
    let after = input.nextToken === undefined ? undefined : parseFilterToken(input.nextToken);
    const single = selected?.size === 1 ? [...selected][0]! : undefined;
    const events: FilteredEvent[] = [];
    let bytes = 0;
    let scanned = 0;
    let more = false;
    while (selected?.size !== 0 && from < to) {
      const range = { from, to, ...(after ? { after } : {}) };
      const rows = single !== undefined ? await this.repo.streamEvents(single, range, false, CHUNK) : await this.repo.groupEvents(group.id, range, CHUNK);
      let full = false;
      for (let i = 0; i < rows.length && !full; i++) {
        const r = rows[i]!;
        after = position(r);
        scanned++;
        if (selected && !selected.has(r.streamId)) continue;
        if (matches && !matches(r.message)) continue;
        events.push({ logStreamName: names.get(r.streamId) ?? '', timestamp: r.timestamp, message: r.message, ingestionTime: r.ingestionTime, eventId: eventId(after) });
        bytes += utf8Bytes(r.message) + EVENT_OVERHEAD;
        if (events.length >= limit || bytes >= MAX_RESPONSE_BYTES) {
          full = true;
          more = i < rows.length - 1 || rows.length === CHUNK;
        }
      }
      if (full) break;
      if (rows.length < CHUNK) break;
      if (scanned >= SCAN_LIMIT) {
        more = true;
        break;
      }
    }
    return { events, searchedLogStreams: [], ...(more && after ? { nextToken: filterToken(after) } : {}) };
  }

  /** Deletes events past their group's retention and takes their bytes off the streams. */
  async sweep(): Promise<void> {
    const now = this.clock.now();
    const groups = [...this.registry.all()].filter((g) => g.retentionDays !== null);
    if (groups.length === 0) return;
    await this.store.write(async (tx) => {
      for (const g of groups) {
        if (this.registry.find(g.account, g.region, g.name) !== g || g.retentionDays === null) continue;
        const freed = await this.repo.deleteExpired(tx, g.id, this.registry.cutoff(g, now));
        const changed: LogStream[] = [];
        for (const s of g.streams.values()) {
          const n = freed.get(s.id);
          if (n) changed.push({ ...s, storedBytes: Math.max(0, s.storedBytes - n) });
        }
        if (changed.length === 0) continue;
        await this.repo.updateStreams(tx, changed);
        for (const next of changed) g.streams.get(next.name)!.storedBytes = next.storedBytes;
      }
    });
  }
}
