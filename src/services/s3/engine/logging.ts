/**
 * Server access logging (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html):
 * PutBucketLogging names a target bucket (the same owner's, in the same region) and a prefix;
 * every request to the logged bucket then becomes one line in S3's log format
 * (LogFormat.html), and the lines are delivered as objects `<prefix>YYYY-mm-DD-HH-MM-SS-<unique>`
 * in the target bucket, batched: one object per logged bucket every `intervalMs` of the injected
 * clock (S3 delivers within hours; best effort, as S3's). Delivery writes as the target's owner
 * and is not itself logged.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Clock, Timer } from '../../../lib/clock.js';
import type { Logger } from '../../../lib/log.js';
import type { Store } from '../../../store/store.js';
import { s3Error } from '../errors.js';
import type { S3LoggingRepo } from '../repo-logging.js';
import type { Buckets, Caller } from './buckets.js';
import type { Objects } from './objects.js';

export interface LoggingConfig {
  TargetBucket: string;
  TargetPrefix: string;
}

/** What one answered request contributes to a log line. */
export interface LogEntry {
  bucket: string;
  time: number;
  remoteIp?: string;
  /** The signed caller's account, undefined when anonymous. */
  requester?: string;
  requestId: string;
  operation: string;
  key?: string;
  requestUri: string;
  method: string;
  status: number;
  errorCode?: string;
  bytesSent?: number;
  objectSize?: number;
  totalMs: number;
  referer?: string;
  userAgent?: string;
  versionId?: string;
  signatureVersion?: 'SigV2' | 'SigV4';
  authType?: 'AuthHeader' | 'QueryString';
  host?: string;
}

const InvalidTargetBucketForLogging = (message: string, target: string) => s3Error('InvalidTargetBucketForLogging', 400, message, { TargetBucket: target });
const CrossLocationLoggingProhibitted = () => s3Error('CrossLocationLoggingProhibitted', 403, 'Cross S3 location logging not allowed. ');

/** Log lines kept per bucket before delivery, at most (older ones are dropped: delivery is best effort). */
const MAX_PENDING = 100_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export class BucketLogging {
  private configs = new Map<string, { createdAt: number; config: LoggingConfig }>();
  private readonly pending = new Map<string, string[]>();
  private timer: Timer | undefined;
  private readonly intervalMs: number;

  constructor(
    private readonly d: { repo: S3LoggingRepo; buckets: Buckets; objects: Objects; store: Store; clock: Clock; log: Logger; region: string; intervalMs?: number },
  ) {
    this.intervalMs = d.intervalMs ?? 60_000;
  }

  async reload(): Promise<void> {
    this.configs = new Map((await this.d.repo.all()).map((s) => [s.bucket, { createdAt: s.createdAt, config: s.config }]));
  }

  /** The bucket's configuration (GetBucketLogging), the caller's own bucket only. */
  get(caller: Caller, bucket: string): LoggingConfig | undefined {
    const b = this.d.buckets.owned(caller, bucket);
    return this.current(b.name, b.createdAt);
  }

  async put(caller: Caller, bucket: string, config: LoggingConfig | undefined): Promise<void> {
    const b = this.d.buckets.owned(caller, bucket);
    if (config) {
      const target = this.d.buckets.find(config.TargetBucket);
      if (!target) throw InvalidTargetBucketForLogging('The target bucket for logging does not exist', config.TargetBucket);
      if (target.account !== b.account) throw InvalidTargetBucketForLogging('The owner for the bucket to be logged and the target bucket must be the same.', config.TargetBucket);
      if (target.region !== b.region) throw CrossLocationLoggingProhibitted();
    }
    await this.d.store.write(async (tx) => {
      const owned = await this.d.buckets.ownedIn(tx, caller, bucket);
      if (config) await this.d.repo.put(tx, owned.name, owned.createdAt, config);
      else await this.d.repo.delete(tx, owned.name);
    });
    if (config) this.configs.set(b.name, { createdAt: b.createdAt, config });
    else this.configs.delete(b.name);
  }

  /** Whether requests to this bucket are logged (cheap: every S3 request asks). */
  logs(bucket: string): boolean {
    return this.configs.has(bucket);
  }

  /** Adds one request's line, to be delivered with the next batch. */
  record(e: LogEntry): void {
    const b = this.d.buckets.find(e.bucket);
    if (!b || !this.current(b.name, b.createdAt)) return;
    let lines = this.pending.get(b.name);
    if (!lines) this.pending.set(b.name, (lines = []));
    if (lines.length >= MAX_PENDING) lines.shift();
    lines.push(formatLine(b.account, e));
    this.arm();
  }

  /** Delivers every pending batch now (the timer's work; tests call it after moving the clock). */
  async flush(): Promise<void> {
    const batches = [...this.pending];
    this.pending.clear();
    for (const [bucket, lines] of batches) {
      const b = this.d.buckets.find(bucket);
      const config = b && this.current(b.name, b.createdAt);
      const target = config && this.d.buckets.find(config.TargetBucket);
      if (!b || !config || !target) continue;
      const body = Buffer.from(lines.join('\n') + '\n', 'utf8');
      const key = `${config.TargetPrefix}${logTime(this.d.clock.now())}-${randomBytes(8).toString('hex').toUpperCase()}`;
      try {
        await this.d.objects.put(
          { accountId: target.account, region: target.region },
          { bucket: target.name, key, body: Readable.from([body]), contentLength: body.length, checksums: {}, headers: { 'content-type': 'text/plain' }, metadata: {} },
          undefined,
        );
      } catch (e) {
        this.d.log.warn('could not deliver an S3 access log', { bucket, target: target.name, error: String(e) });
      }
    }
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    await this.flush().catch(() => undefined);
  }

  private current(bucket: string, createdAt: number): LoggingConfig | undefined {
    const c = this.configs.get(bucket);
    return c && c.createdAt === createdAt ? c.config : undefined;
  }

  private arm(): void {
    if (this.timer) return;
    this.timer = this.d.clock.at(this.d.clock.now() + this.intervalMs, () => {
      this.timer = undefined;
      void this.flush();
    });
  }
}

/** `2026-12-07-19-30-00`, the time part of a log object's key (UTC). */
function logTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}-${pad(d.getUTCHours())}-${pad(d.getUTCMinutes())}-${pad(d.getUTCSeconds())}`;
}

/** `[06/Feb/2019:00:00:38 +0000]` */
function bracketTime(ms: number): string {
  const d = new Date(ms);
  return `[${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000]`;
}

const field = (v: string | number | undefined) => (v === undefined || v === '' ? '-' : String(v));
const quoted = (v: string | undefined) => `"${v === undefined || v === '' ? '-' : v.replace(/["\\]/g, (c) => `\\${c}`)}"`;

/** One line of S3's server access log format, its fields in S3's order. */
export function formatLine(owner: string, e: LogEntry): string {
  return [
    owner,
    e.bucket,
    bracketTime(e.time),
    field(e.remoteIp),
    field(e.requester),
    e.requestId,
    e.operation,
    field(e.key === undefined ? undefined : encodeURIComponent(e.key).replace(/%2F/g, '/')),
    quoted(`${e.method} ${e.requestUri} HTTP/1.1`),
    e.status,
    field(e.errorCode),
    field(e.bytesSent),
    field(e.objectSize),
    e.totalMs,
    e.totalMs,
    quoted(e.referer),
    quoted(e.userAgent),
    field(e.versionId),
    e.requestId,
    field(e.signatureVersion),
    '-',
    field(e.authType),
    field(e.host),
    '-',
    '-',
    '-',
  ].join(' ');
}

/** S3's operation names in logs: REST.<METHOD>.<resource> (OBJECT, BUCKET, a subresource, PART, UPLOAD, ...). */
export function logOperation(method: string, key: string | undefined, query: URLSearchParams, subresources: readonly string[]): string {
  const sub = subresources.find((s) => query.has(s));
  let resource: string;
  if (query.has('uploadId')) resource = query.has('partNumber') ? 'PART' : 'UPLOAD';
  else if (sub === 'uploads') resource = 'UPLOADS';
  else if (sub) resource = (key !== undefined && sub !== 'delete' ? `OBJECT_${sub}` : sub).toUpperCase().replace(/-/g, '_');
  else resource = key !== undefined ? 'OBJECT' : 'BUCKET';
  return `REST.${method}.${resource}`;
}
