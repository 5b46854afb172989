/**
 * One environment's log stream: lines from the process's stdout and stderr and the platform's
 * own lines (START, END, REPORT, ...), batched into LogSink calls.
 *
 * Framing: every `\n` ends an event. A `\r` inside a line stands for a newline within one
 * event (the Node bootstrap writes multi-line console messages that way, as Lambda's Node
 * runtime does), so it becomes `\n` here. Lines longer than CloudWatch's event limit are cut.
 *
 * Batching: events are handed to the sink on a short unref'd timer (and by flush(), when the
 * environment ends), so one sink call, one log commit, carries many invocations' lines.
 *
 * Tail: between startTail() and takeTail() every event is also kept, bounded, so the
 * invocation's last 4 KB (LogType=Tail) is at hand without reading the stream back.
 */
import type { Logger } from '../lib/log.js';
import type { LogSink } from './types.js';

/** CloudWatch Logs' largest event (bytes); a longer line is split. */
export const MAX_EVENT_CHARS = 256 * 1024 - 26;
/** How much of an invocation's log the result carries. */
export const TAIL_BYTES = 4096;
const FLUSH_MS = 100;

export interface LogStreamOptions {
  sink: LogSink;
  now: () => number;
  log: Logger;
  accountId: string;
  region: string;
  group: string;
  stream: string;
}

export class LogStream {
  private events: Array<{ timestamp: number; message: string }> = [];
  private timer: NodeJS.Timeout | undefined;
  private tail: string[] | undefined;
  private tailChars = 0;

  constructor(private readonly o: LogStreamOptions) {}

  /** Appends one event (no trailing newline). */
  write(message: string): void {
    this.events.push({ timestamp: this.o.now(), message });
    if (this.tail) {
      this.tail.push(message);
      this.tailChars += message.length + 1;
      // Keep what could still be in the last TAIL_BYTES (a char is at least one byte).
      while (this.tail.length > 1 && this.tailChars - this.tail[0].length - 1 >= TAIL_BYTES) {
        this.tailChars -= this.tail.shift()!.length + 1;
      }
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Starts keeping events for an invocation's tail. */
  startTail(): void {
    this.tail = [];
    this.tailChars = 0;
  }

  /** The last TAIL_BYTES of the events since startTail(), one per line; stops keeping. */
  takeTail(): string {
    const lines = this.tail ?? [];
    this.tail = undefined;
    const text = lines.join('\n') + (lines.length ? '\n' : '');
    if (text.length <= TAIL_BYTES / 3 || Buffer.byteLength(text) <= TAIL_BYTES) return text;
    const buf = Buffer.from(text, 'utf8');
    let start = buf.length - TAIL_BYTES;
    // Never start inside a UTF-8 sequence.
    while (start < buf.length && (buf[start] & 0xc0) === 0x80) start++;
    return buf.subarray(start).toString('utf8');
  }

  /** Hands buffered events to the sink now. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.events.length === 0) return;
    const events = this.events;
    this.events = [];
    try {
      this.o.sink({ accountId: this.o.accountId, region: this.o.region, group: this.o.group, stream: this.o.stream, events });
    } catch (e) {
      this.o.log.error('log sink failed', { group: this.o.group, stream: this.o.stream, error: e instanceof Error ? e.stack : String(e) });
    }
  }
}

/** Splits a text stream into events (see the framing above). */
export class LineSplitter {
  private partial = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    let text = this.partial + chunk;
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) >= 0) {
      this.emit(text.slice(start, nl));
      start = nl + 1;
    }
    text = text.slice(start);
    while (text.length > MAX_EVENT_CHARS) {
      this.emit(text.slice(0, MAX_EVENT_CHARS));
      text = text.slice(MAX_EVENT_CHARS);
    }
    this.partial = text;
  }

  /** Emits an unterminated last line, if any. */
  end(): void {
    if (this.partial) this.emit(this.partial);
    this.partial = '';
  }

  private emit(line: string): void {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.length > MAX_EVENT_CHARS) {
      for (let i = 0; i < line.length; i += MAX_EVENT_CHARS) this.onLine(line.slice(i, i + MAX_EVENT_CHARS).replace(/\r/g, '\n'));
    } else {
      this.onLine(line.includes('\r') ? line.replace(/\r/g, '\n') : line);
    }
  }
}

/** Lambda's stream name: `YYYY/MM/DD/[<version>]<32 hex>`, dated by the injected clock. */
export function streamName(now: number, version: string, id: string): string {
  const d = new Date(now);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/[${version}]${id}`;
}
