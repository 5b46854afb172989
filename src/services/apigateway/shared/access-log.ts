/**
 * Access logging for API stages: a stage's `AccessLogSettings.Format` with `$context.*`
 * variables substituted (nested by dots: `$context.identity.sourceIp`,
 * `$context.authorizer.claims.sub`), `-` for a variable the request does not have, as AWS
 * writes them; the line goes to the CloudWatch Logs group named by
 * `AccessLogSettings.DestinationArn`.
 *
 * Values are written as they are, without escaping for the surrounding format (AWS does the
 * same as far as documented: a quote in a value can break a JSON format; unconfirmed).
 * Writing never holds up or fails the response: lines are queued and appended in batches, one
 * append at a time per stream (so they keep their order), and failures are logged.
 */
import { systemClock, type Clock } from '../../../lib/clock.js';
import type { InternalApi } from '../../../lib/internal.js';
import type { Logger } from '../../../lib/log.js';

/** The example formats the API Gateway console offers (and the AWS documentation lists). */
export const ACCESS_LOG_FORMATS = {
  CLF: '$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] "$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength $context.requestId $context.extendedRequestId',
  JSON: '{ "requestId":"$context.requestId", "extendedRequestId":"$context.extendedRequestId","ip": "$context.identity.sourceIp", "caller":"$context.identity.caller", "user":"$context.identity.user", "requestTime":"$context.requestTime", "httpMethod":"$context.httpMethod", "resourcePath":"$context.resourcePath", "status":"$context.status", "protocol":"$context.protocol", "responseLength":"$context.responseLength" }',
  XML: '<request id="$context.requestId"> <extendedRequestId>$context.extendedRequestId</extendedRequestId> <ip>$context.identity.sourceIp</ip> <caller>$context.identity.caller</caller> <user>$context.identity.user</user> <requestTime>$context.requestTime</requestTime> <httpMethod>$context.httpMethod</httpMethod> <resourcePath>$context.resourcePath</resourcePath> <status>$context.status</status> <protocol>$context.protocol</protocol> <responseLength>$context.responseLength</responseLength> </request>',
  CSV: '$context.identity.sourceIp,$context.identity.caller,$context.identity.user,$context.requestTime,$context.httpMethod,$context.resourcePath,$context.protocol,$context.status,$context.responseLength,$context.requestId,$context.extendedRequestId',
} as const;

/** A format, split once: literal text and variable paths (below `$context`) alternating. */
type Compiled = Array<string | string[]>;

const VARIABLE = /\$context((?:\.[A-Za-z0-9_]+)+)/g;
const compiled = new Map<string, Compiled>();

function compile(format: string): Compiled {
  let parts = compiled.get(format);
  if (parts) return parts;
  parts = [];
  let last = 0;
  for (const m of format.matchAll(VARIABLE)) {
    if (m.index > last) parts.push(format.slice(last, m.index));
    parts.push(m[1]!.slice(1).split('.'));
    last = m.index + m[0].length;
  }
  if (last < format.length) parts.push(format.slice(last));
  // Formats are per stage and few; the bound only stops a pathological caller growing the map.
  if (compiled.size >= 1000) compiled.clear();
  compiled.set(format, parts);
  return parts;
}

export function formatAccessLog(format: string, context: Record<string, unknown>): string {
  let out = '';
  for (const part of compile(format)) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    let v: unknown = context;
    for (const key of part) {
      if (v === null || typeof v !== 'object') {
        v = undefined;
        break;
      }
      v = Object.hasOwn(v, key) ? (v as Record<string, unknown>)[key] : undefined;
    }
    out += render(v);
  }
  return out;
}

function render(v: unknown): string {
  if (v === undefined || v === null || v === '') return '-';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  // An object where a leaf was expected (`$context.identity`): its JSON, bounded.
  try {
    const json = JSON.stringify(v) ?? '-';
    return json.length > 4096 ? `${json.slice(0, 4096)}...` : json;
  } catch {
    return '-';
  }
}

/** Where a stage's access log goes. */
export interface AccessLogTarget {
  destinationArn: string;
  /** The API and stage, for the stream name (one stream per API stage); without them one shared stream. */
  apiId?: string;
  stage?: string;
}

interface Destination {
  accountId: string;
  region: string;
  group: string;
}

const LOG_GROUP_ARN = /^arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:([^:*]+)(?::\*)?$/;

/** The log group an ARN names (`arn:aws:logs:{region}:{account}:log-group:{name}`, `:*` allowed). */
export function parseLogGroupArn(arn: string): Destination | undefined {
  const m = LOG_GROUP_ARN.exec(arn);
  return m ? { region: m[1]!, accountId: m[2]!, group: m[3]! } : undefined;
}

interface Queue {
  dest: Destination;
  stream: string;
  events: Array<{ timestamp: number; message: string }>;
  flushing?: Promise<void>;
  dropped: number;
}

/** Lines waiting per stream beyond this are dropped (oldest first) and the loss logged. */
const MAX_QUEUED = 10_000;
/** CloudWatch Logs takes at most 10,000 events per PutLogEvents; a batch stays well under. */
const BATCH = 1000;

export class AccessLogs {
  private readonly queues = new Map<string, Queue>();
  private readonly clock: Clock;
  /** Destinations already warned about (bad ARN): one warning each, not one per request. */
  private readonly warned = new Set<string>();

  constructor(
    private readonly internal: InternalApi,
    private readonly log: Logger,
    opts: { clock?: Clock } = {},
  ) {
    this.clock = opts.clock ?? systemClock;
  }

  /** Queues one line; `timestamp` (epoch ms) defaults to the clock's now. Never throws. */
  write(target: AccessLogTarget | string, line: string, timestamp?: number): void {
    const t = typeof target === 'string' ? { destinationArn: target } : target;
    const dest = parseLogGroupArn(t.destinationArn);
    if (!dest) {
      this.warnOnce(t.destinationArn, 'access log: the destination is no CloudWatch Logs group ARN', { destinationArn: t.destinationArn });
      return;
    }
    // Nimbus's own naming (AWS's stream names for access logs are opaque): one stream per API stage.
    const stream = t.apiId !== undefined && t.stage !== undefined ? `${t.apiId}_${t.stage}` : 'access-log';
    const key = `${t.destinationArn}\n${stream}`;
    let q = this.queues.get(key);
    if (!q) {
      q = { dest, stream, events: [], dropped: 0 };
      this.queues.set(key, q);
    }
    q.events.push({ timestamp: Math.floor(timestamp ?? this.clock.now()), message: line });
    if (q.events.length > MAX_QUEUED) {
      q.events.shift();
      q.dropped++;
    }
    if (!q.flushing) q.flushing = this.drain(key, q);
  }

  /** Resolves once every line queued so far is appended (or given up on): for tests and shutdown. */
  async flush(): Promise<void> {
    for (;;) {
      const pending = [...this.queues.values()].map((q) => q.flushing).filter((p): p is Promise<void> => p !== undefined);
      if (pending.length === 0) return;
      await Promise.all(pending);
    }
  }

  /** Appends a stream's queued lines in batches, one append at a time, until the queue is empty. */
  private async drain(key: string, q: Queue): Promise<void> {
    // Let the rest of this turn's requests queue their lines first: one append carries them all.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (q.events.length > 0) {
        if (q.dropped > 0) {
          this.log.warn('access log: lines dropped, CloudWatch Logs is behind', { group: q.dest.group, dropped: q.dropped });
          q.dropped = 0;
        }
        const batch = q.events.splice(0, BATCH);
        const append = this.internal.get('logs.append');
        if (!append) {
          this.warnOnce(key, 'access log: CloudWatch Logs is not running; lines dropped', { group: q.dest.group });
          q.events.length = 0;
          break;
        }
        try {
          await append({ ...q.dest, stream: q.stream, events: batch });
        } catch (err) {
          this.log.warn('access log: append failed; lines dropped', { group: q.dest.group, lines: batch.length, error: err instanceof Error ? err.message : String(err) });
        }
      }
    } finally {
      q.flushing = undefined;
      if (q.events.length === 0) this.queues.delete(key);
      else q.flushing = this.drain(key, q);
    }
  }

  private warnOnce(key: string, msg: string, fields: Record<string, unknown>): void {
    if (this.warned.has(key)) return;
    if (this.warned.size >= 1000) this.warned.clear();
    this.warned.add(key);
    this.log.warn(msg, fields);
  }
}
