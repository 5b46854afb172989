/**
 * S3 event notifications to SQS queues, SNS topics and Lambda functions
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html): a bucket's
 * configuration names destinations, event types (s3:ObjectCreated:*, s3:ObjectRemoved:Delete,
 * ...) and key prefix/suffix filters. A matching change writes its event, in S3's event JSON,
 * to an outbox in the same commit; a drainer then hands it to SQS's or SNS's internal API (or
 * invokes the function asynchronously) and deletes it. Delivery is at least once and survives
 * restarts. Queues and topics must let S3 send to them (their policy, or being the bucket
 * owner's own when they have none); a refused event is dropped with a warning, as S3 does.
 */
import type { Clock } from '../../../lib/clock.js';
import type { InternalApi } from '../../../lib/internal.js';
import type { Logger } from '../../../lib/log.js';
import type { Store, Tx } from '../../../store/store.js';
import { InvalidArgument, MalformedXML, s3Error } from '../errors.js';
import type { OutboxEntry, S3NotificationRepo } from '../repo-notifications.js';
import type { Caller } from './buckets.js';

export interface FilterRule {
  Name: string;
  Value: string;
}

export interface TargetConfig {
  Id?: string;
  Events: string[];
  Filter?: { Key?: { FilterRules?: FilterRule[] } };
}

export interface NotificationConfig {
  QueueConfigurations?: Array<TargetConfig & { QueueArn: string }>;
  TopicConfigurations?: Array<TargetConfig & { TopicArn: string }>;
  LambdaFunctionConfigurations?: Array<TargetConfig & { LambdaFunctionArn: string }>;
  EventBridgeConfiguration?: Record<string, never>;
}

/** What happened to an object, for its event. */
export interface ObjectEvent {
  /** `ObjectCreated:Put`, `ObjectRemoved:DeleteMarkerCreated`, ... */
  name: string;
  bucket: string;
  key: string;
  size?: number;
  etag?: string;
  versionId?: string;
}

const EVENTS = new Set([
  's3:ObjectCreated:*',
  's3:ObjectCreated:Put',
  's3:ObjectCreated:Post',
  's3:ObjectCreated:Copy',
  's3:ObjectCreated:CompleteMultipartUpload',
  's3:ObjectRemoved:*',
  's3:ObjectRemoved:Delete',
  's3:ObjectRemoved:DeleteMarkerCreated',
  's3:ObjectTagging:*',
  's3:ObjectTagging:Put',
  's3:ObjectTagging:Delete',
  's3:LifecycleExpiration:*',
  's3:LifecycleExpiration:Delete',
  's3:LifecycleExpiration:DeleteMarkerCreated',
]);

export class Notifications {
  private draining = false;
  private again = false;
  private sequencer = 0;

  constructor(
    private readonly repo: S3NotificationRepo,
    private readonly internal: InternalApi,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** A bucket's owner, the account its events are published for (aws:SourceAccount). */
    private readonly ownerOf: (bucket: string) => string | undefined,
  ) {}

  async get(bucket: string): Promise<NotificationConfig> {
    const text = await this.repo.config(bucket);
    return text ? (JSON.parse(text) as NotificationConfig) : {};
  }

  /** Validates and stores a configuration, then sends each queue S3's test event. */
  async put(bucket: string, config: NotificationConfig, requestId: string, ownerAccount: string): Promise<void> {
    const unvalidated: Array<[string, string]> = [];
    const ids = new Set<string>();
    for (const c of [...(config.QueueConfigurations ?? []), ...(config.TopicConfigurations ?? []), ...(config.LambdaFunctionConfigurations ?? [])]) {
      if (!c.Events?.length) throw MalformedXML();
      for (const e of c.Events) if (!EVENTS.has(e)) throw InvalidArgument('The event is not supported for notifications', e, e);
      checkFilter(c.Filter?.Key?.FilterRules ?? []);
      if (c.Id !== undefined) {
        if (ids.has(c.Id)) throw InvalidArgument('Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type.');
        ids.add(c.Id);
      }
    }
    const checkQueue = this.internal.get('sqs.checkSender');
    const source = { from: 's3.amazonaws.com', sourceArn: `arn:aws:s3:::${bucket}`, sourceAccount: ownerAccount };
    for (const q of config.QueueConfigurations ?? []) {
      const verdict = checkQueue?.({ queueArn: q.QueueArn, ...source }) ?? 'missing';
      if (q.QueueArn.endsWith('.fifo')) unvalidated.push([q.QueueArn, 'FIFO SQS queues are not supported as event notification destinations']);
      else if (verdict === 'missing') unvalidated.push([q.QueueArn, 'The destination queue does not exist']);
      else if (verdict === 'denied') unvalidated.push([q.QueueArn, 'Permissions on the destination queue do not allow S3 to publish notifications from this bucket']);
    }
    const checkTopic = this.internal.get('sns.checkPublisher');
    for (const t of config.TopicConfigurations ?? []) {
      const verdict = checkTopic?.({ topicArn: t.TopicArn, ...source }) ?? 'missing';
      if (t.TopicArn.endsWith('.fifo')) unvalidated.push([t.TopicArn, 'FIFO SNS topics are not supported as event notification destinations']);
      else if (verdict === 'missing') unvalidated.push([t.TopicArn, 'The destination topic does not exist']);
      else if (verdict === 'denied') unvalidated.push([t.TopicArn, 'Permissions on the destination topic do not allow S3 to publish notifications from this bucket']);
    }
    const functionExists = this.internal.get('lambda.functionExists');
    for (const f of config.LambdaFunctionConfigurations ?? []) {
      if (!functionExists?.({ functionArn: f.LambdaFunctionArn, accountId: ownerAccount })) unvalidated.push([f.LambdaFunctionArn, 'The destination Lambda function does not exist']);
    }
    if (unvalidated.length) {
      const details: Record<string, string> = {};
      unvalidated.forEach(([arn, why], i) => {
        details[`ArgumentName${i + 1}`] = arn;
        details[`ArgumentValue${i + 1}`] = why;
      });
      throw s3Error('InvalidArgument', 400, 'Unable to validate the following destination configurations', details);
    }
    const withIds: NotificationConfig = {
      ...config,
      QueueConfigurations: config.QueueConfigurations?.map((q, i) => ({ ...q, Id: q.Id ?? `notification-${i + 1}` })),
      TopicConfigurations: config.TopicConfigurations?.map((t, i) => ({ ...t, Id: t.Id ?? `topic-notification-${i + 1}` })),
      LambdaFunctionConfigurations: config.LambdaFunctionConfigurations?.map((f, i) => ({ ...f, Id: f.Id ?? `lambda-notification-${i + 1}` })),
    };
    const now = this.clock.now();
    // S3 sends queues and topics (not functions) a test event when they are configured.
    const testEvent = JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: new Date(now).toISOString(), Bucket: bucket, RequestId: requestId, HostId: requestId });
    const tests = [...(withIds.QueueConfigurations ?? []).map((q) => q.QueueArn), ...(withIds.TopicConfigurations ?? []).map((t) => t.TopicArn)].map((queueArn) => ({
      queueArn,
      body: testEvent,
    }));
    await this.store.write(async (tx) => {
      await this.repo.setConfig(tx, bucket, JSON.stringify(withIds));
      if (tests.length) await this.repo.enqueue(tx, tests, now, { sourceArn: source.sourceArn, sourceAccount: ownerAccount });
    });
    this.kick();
  }

  /** Drops a deleted bucket's configuration; call inside the write that deletes it. */
  forget(tx: Tx, bucket: string): Promise<void> {
    return this.repo.setConfig(tx, bucket, undefined);
  }

  /**
   * Writes the events an object change causes to the outbox. Call inside the change's commit,
   * so the event exists exactly when the change does; then kick() after it.
   */
  async record(tx: Tx, caller: Caller & { requestId?: string }, e: ObjectEvent): Promise<void> {
    const config = await this.repo.config(e.bucket, tx);
    if (!config) return;
    // Sent for the bucket and its owner, fixed now: the bucket may be gone when it is delivered.
    const source = { sourceArn: `arn:aws:s3:::${e.bucket}`, sourceAccount: this.ownerOf(e.bucket) ?? '' };
    const now = this.clock.now();
    const parsed = JSON.parse(config) as NotificationConfig;
    // The outbox names each destination by ARN: a queue, or a function invoked asynchronously.
    const targets = [
      ...(parsed.QueueConfigurations ?? []).map((q) => ({ c: q, arn: q.QueueArn })),
      ...(parsed.TopicConfigurations ?? []).map((t) => ({ c: t, arn: t.TopicArn })),
      ...(parsed.LambdaFunctionConfigurations ?? []).map((f) => ({ c: f, arn: f.LambdaFunctionArn })),
    ];
    const events: Array<{ queueArn: string; body: string }> = [];
    for (const { c, arn } of targets) {
      if (!c.Events.some((pattern) => eventMatches(pattern, e.name)) || !keyMatches(c.Filter?.Key?.FilterRules ?? [], e.key)) continue;
      events.push({ queueArn: arn, body: JSON.stringify({ Records: [this.eventRecord(caller, e, c.Id ?? '', now)] }) });
    }
    if (events.length) await this.repo.enqueue(tx, events, now, source);
  }

  private eventRecord(caller: Caller & { requestId?: string }, e: ObjectEvent, configurationId: string, now: number) {
    const principal = caller.anonymous ? 'Anonymous' : `AWS:${caller.accountId}`;
    return {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: caller.region || 'us-east-1',
      eventTime: new Date(now).toISOString(),
      eventName: e.name,
      userIdentity: { principalId: principal },
      requestParameters: { sourceIPAddress: caller.sourceIp ?? '127.0.0.1' },
      responseElements: { 'x-amz-request-id': caller.requestId ?? '', 'x-amz-id-2': caller.requestId ?? '' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId,
        bucket: { name: e.bucket, ownerIdentity: { principalId: principal }, arn: `arn:aws:s3:::${e.bucket}` },
        object: {
          // S3 sends the key URL-encoded, with spaces as '+'.
          key: encodeURIComponent(e.key).replace(/%20/g, '+').replace(/%2F/g, '/'),
          ...(e.size !== undefined ? { size: e.size } : {}),
          ...(e.etag !== undefined ? { eTag: e.etag.replace(/"/g, '') } : {}),
          ...(e.versionId !== undefined ? { versionId: e.versionId } : {}),
          sequencer: (now * 1000 + (this.sequencer++ % 1000)).toString(16).toUpperCase().padStart(16, '0'),
        },
      },
    };
  }

  /**
   * The bucket an event is for (aws:SourceArn) and its owner (aws:SourceAccount), as written
   * with the event; an event written before they were kept is read for its bucket.
   */
  private sourceOf(entry: OutboxEntry): { sourceArn: string; sourceAccount: string } {
    if (entry.sourceArn !== null && entry.sourceAccount !== null) return { sourceArn: entry.sourceArn, sourceAccount: entry.sourceAccount };
    const doc = JSON.parse(entry.body) as { Bucket?: string; Records?: Array<{ s3: { bucket: { name: string } } }> };
    const bucket = doc.Records?.[0]?.s3.bucket.name ?? doc.Bucket ?? '';
    return { sourceArn: `arn:aws:s3:::${bucket}`, sourceAccount: this.ownerOf(bucket) ?? '' };
  }

  /** Delivers what the outbox holds; runs one drain at a time, again if kicked meanwhile. */
  kick(): void {
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = true;
    void this.drain().finally(() => {
      this.draining = false;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async drain(): Promise<void> {
    const send = this.internal.get('sqs.sendMessages');
    const invoke = this.internal.get('lambda.invokeAsync');
    const publish = this.internal.get('sns.publish');
    if (!send) return;
    for (;;) {
      const batch = await this.repo.pending(100);
      if (!batch.length) return;
      const done: number[] = [];
      for (const entry of batch) {
        try {
          const target = entry.queueArn;
          if (target.startsWith('arn:aws:lambda:')) {
            if (!invoke) throw new Error('the functions service is not running');
            await invoke({ functionArn: target, payload: entry.body, from: 's3.amazonaws.com' });
          } else if (target.startsWith('arn:aws:sns:')) {
            if (!publish) throw new Error('the topic service is not running');
            await publish({ topicArn: target, message: entry.body, subject: 'Amazon S3 Notification', from: 's3.amazonaws.com', ...this.sourceOf(entry) });
          } else {
            const [result] = await send({ queueArn: target, from: 's3.amazonaws.com', ...this.sourceOf(entry), messages: [{ body: entry.body }] });
            if (result && 'error' in result) throw result.error;
          }
        } catch (err) {
          // A queue or topic deleted since the configuration was stored, or whose policy no longer
          // lets S3 in: S3 drops the event too.
          this.log.warn('S3 event notification dropped', { queueArn: entry.queueArn, error: String(err) });
        }
        done.push(entry.seq);
      }
      await this.store.write((tx) => this.repo.done(tx, done));
    }
  }
}

function eventMatches(pattern: string, name: string): boolean {
  const p = pattern.replace(/^s3:/, '');
  return p.endsWith(':*') ? name.startsWith(p.slice(0, -1)) : p === name;
}

function checkFilter(rules: FilterRule[]): void {
  const names = rules.map((r) => r.Name?.toLowerCase());
  for (const n of names) if (n !== 'prefix' && n !== 'suffix') throw InvalidArgument('filter rule name must be either prefix or suffix', 'FilterRule.Name', String(n));
  if (new Set(names).size !== names.length) throw InvalidArgument('Cannot specify more than one prefix rule in a filter.', 'FilterRule.Name', 'prefix');
}

function keyMatches(rules: FilterRule[], key: string): boolean {
  return rules.every((r) => (r.Name.toLowerCase() === 'prefix' ? key.startsWith(r.Value) : key.endsWith(r.Value)));
}
