/**
 * The write side of DynamoDB Streams: every change to a table with an enabled stream is
 * appended, inside the same transaction as the change, to that stream's durable log with a
 * sequence number that grows in commit order. After a commit the bus is told which streams
 * moved (`dynamodb:stream`), so consumers (event source mappings) wake without polling.
 */
import type { Clock } from '../../../lib/clock.js';
import type { EventBus } from '../../../lib/event-bus.js';
import type { Ids } from '../../../lib/ids.js';
import type { Tx } from '../../../store/store.js';
import type { DynamoRepo } from '../repo.js';
import { keyOf } from './keys.js';
import type { TableMeta } from './table-meta.js';
import type { Item } from './types.js';
import { itemSize, valuesEqual } from './values.js';

/** Topic on the event bus; the event is a {@link StreamAdvanced}. */
export const STREAM_TOPIC = 'dynamodb:stream';

export interface StreamAdvanced {
  streamArn: string;
  tableArn: string;
  /** Highest sequence number now durable in the stream. */
  sequence: number;
}

export type ChangeCause = 'user' | 'ttl';

/** Stream records are kept this long, as in DynamoDB. */
export const STREAM_RETENTION_MS = 24 * 3600_000;

export class StreamLog {
  private readonly touched = new Map<string, StreamAdvanced>();

  constructor(
    private readonly repo: DynamoRepo,
    private readonly clock: Clock,
    private readonly ids: Ids,
    private readonly bus: EventBus,
  ) {}

  /** Appends the record of one change (old → next); unchanged items write nothing, as in DynamoDB. */
  async record(tx: Tx, meta: TableMeta, old: Item | undefined, next: Item | undefined, cause: ChangeCause): Promise<void> {
    const stream = meta.stream;
    if (!stream || (!old && !next)) return;
    if (old && next && valuesEqual({ M: old }, { M: next })) return;
    const eventName = !old ? 'INSERT' : !next ? 'REMOVE' : 'MODIFY';
    const seq = await this.repo.nextSequence(tx);
    const now = this.clock.now();
    const keys = keyOf(meta.key, (next ?? old)!);
    const dynamodb: Record<string, unknown> = {
      ApproximateCreationDateTime: Math.floor(now / 1000),
      Keys: keys,
    };
    const view = stream.viewType;
    if (next && (view === 'NEW_IMAGE' || view === 'NEW_AND_OLD_IMAGES')) dynamodb.NewImage = next;
    if (old && (view === 'OLD_IMAGE' || view === 'NEW_AND_OLD_IMAGES')) dynamodb.OldImage = old;
    dynamodb.SequenceNumber = formatSequence(seq);
    dynamodb.SizeBytes = itemSize(keys) + (dynamodb.NewImage ? itemSize(next!) : 0) + (dynamodb.OldImage ? itemSize(old!) : 0);
    dynamodb.StreamViewType = view;
    const record: Record<string, unknown> = {
      eventID: this.ids.uuid().replace(/-/g, ''),
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: meta.region,
      dynamodb,
    };
    if (cause === 'ttl') record.userIdentity = { PrincipalId: 'dynamodb.amazonaws.com', Type: 'Service' };
    await this.repo.appendRecord(tx, stream.id, { seq, createdAt: now, record: JSON.stringify(record) });
    this.touched.set(stream.arn, { streamArn: stream.arn, tableArn: meta.arn, sequence: seq });
  }

  /** After a commit: tells the bus which streams advanced. */
  announce(): void {
    if (this.touched.size === 0) return;
    const events = [...this.touched.values()];
    this.touched.clear();
    for (const e of events) this.bus.emit(STREAM_TOPIC, e);
  }
}

/** DynamoDB's sequence numbers are decimal strings; fixed width keeps them comparable as text. */
export function formatSequence(seq: number): string {
  return String(seq).padStart(21, '0');
}

export function parseSequence(s: string): number | undefined {
  if (!/^\d{1,40}$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}
