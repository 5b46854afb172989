/**
 * The in-process `logs.append` call: what the Lambda runtime uses for every line a function
 * writes to stdout or stderr, so it is cheap and never fails its caller.
 *
 * Calls gather in a queue; the first one of a round asks the store for one write, which takes
 * every call queued by the time it runs and stores them in call order, creating missing
 * groups and streams as Lambda's log agent does. So a burst of lines costs one savepoint in
 * one group commit, not a write per line, and lines of one stream keep the order of calls.
 * Each call's promise resolves once its round is durable. Malformed parts (a name AWS would
 * refuse, an empty message) are dropped with a warning; nothing is thrown or rejected.
 */
import type { Logger } from '../../../lib/log.js';
import type { Store, Tx } from '../../../store/store.js';
import type { NewEvent } from '../repo.js';
import { EVENT_OVERHEAD, MAX_EVENT_BYTES, utf8Bytes, type EventEngine } from './events.js';
import type { LogStream, Registry } from './registry.js';
import { GROUP_NAME, STREAM_NAME } from './validate.js';

export interface AppendArgs {
  accountId: string;
  region: string;
  group: string;
  stream: string;
  events: Array<{ timestamp: number; message: string }>;
}

interface Pending {
  args: AppendArgs;
  resolve: () => void;
}

export class Appender {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly store: Store,
    private readonly registry: Registry,
    private readonly events: EventEngine,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {}

  append(args: AppendArgs): Promise<void> {
    return new Promise<void>((resolve) => {
      this.queue.push({ args, resolve });
      if (!this.scheduled) this.schedule();
    });
  }

  private schedule(): void {
    this.scheduled = true;
    let taken: Pending[] | undefined;
    this.store
      .write((tx) => {
        taken = this.queue;
        this.queue = [];
        this.scheduled = false;
        return this.apply(tx, taken);
      })
      .catch(async (e) => {
        this.log.error('logs.append: events were not stored', { error: String(e) });
        // Memory may hold groups or streams whose rows were rolled back with the write.
        if (taken) await this.registry.load().catch((err) => this.log.error('logs registry reload failed', { error: String(err) }));
      })
      .finally(() => {
        if (taken === undefined) {
          // The write never ran (the store is closed or failed): give up on what is queued.
          taken = this.queue;
          this.queue = [];
          this.scheduled = false;
        }
        for (const p of taken) p.resolve();
      });
  }

  /** Inside the write: stores every queued call, in order. */
  private async apply(tx: Tx, calls: Pending[]): Promise<void> {
    const appends: { stream: LogStream; events: NewEvent[] }[] = [];
    for (const { args } of calls) {
      const events = this.wellFormed(args);
      if (!events) continue;
      const caller = { accountId: args.accountId, region: args.region };
      const group = this.registry.find(args.accountId, args.region, args.group) ?? (await this.registry.createGroupNow(tx, caller, args.group));
      const stream = group.streams.get(args.stream) ?? (await this.registry.createStreamNow(tx, group, args.stream));
      if (events.length > 0) appends.push({ stream, events });
    }
    // The round's events in one call, in call order; each stream's statistics once, however many calls it had.
    await this.events.appendMany(tx, this.now(), appends);
  }

  /** The call's storable events, or undefined (with a warning) when its names are unusable. */
  private wellFormed(a: AppendArgs): NewEvent[] | undefined {
    const nameOk = (s: unknown, p: { re: RegExp }) => typeof s === 'string' && s.length >= 1 && s.length <= 512 && p.re.test(s);
    if (typeof a.accountId !== 'string' || typeof a.region !== 'string' || !nameOk(a.group, GROUP_NAME) || !nameOk(a.stream, STREAM_NAME)) {
      this.log.warn('logs.append: invalid log group or stream name; events dropped', { group: a.group, stream: a.stream });
      return undefined;
    }
    const out: NewEvent[] = [];
    for (const e of Array.isArray(a.events) ? a.events : []) {
      if (!e || typeof e.message !== 'string' || e.message === '' || !Number.isSafeInteger(e.timestamp) || e.timestamp < 0) continue;
      let message = e.message;
      let bytes = utf8Bytes(message);
      if (bytes + EVENT_OVERHEAD > MAX_EVENT_BYTES) {
        // As Lambda does with an over-long line: keep what fits.
        message = truncateUtf8(message, MAX_EVENT_BYTES - EVENT_OVERHEAD);
        bytes = utf8Bytes(message);
      }
      out.push({ timestamp: e.timestamp, message, bytes });
    }
    return out;
  }
}

/** The longest prefix of s that is at most `max` bytes of UTF-8, never splitting a character. */
function truncateUtf8(s: string, max: number): string {
  const buf = Buffer.from(s, 'utf8');
  let end = max;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}
