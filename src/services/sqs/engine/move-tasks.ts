/**
 * Message move tasks (dead-letter queue redrive): move a DLQ's messages back to their source
 * queues, or to a chosen destination, at a bounded rate, driven by the clock.
 */
import type { Clock, Timer } from '../../../lib/clock.js';
import type { Ids } from '../../../lib/ids.js';
import type { Logger } from '../../../lib/log.js';
import type { Store, Tx } from '../../../store/store.js';
import type { RequestContext } from '../../service.js';
import { InvalidParameterValue, ResourceNotFoundException, UnsupportedOperation } from '../errors.js';
import type { MoveTaskRecord, SqsRepo } from '../repo.js';
import type { LongPolls } from './long-poll.js';
import type { Queue, QueueRegistry } from './queues.js';

const DEFAULT_RATE = 500;
const TICK_MS = 1000;
const NO_SOURCE = "The resource that you specified for the SourceArn parameter doesn't exist.";

export class MoveTasks {
  private timers = new Map<string, Timer>();
  /** Highest sequence present in the source when each task started: later arrivals stay. */
  private limits = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly repo: SqsRepo,
    private readonly store: Store,
    private readonly queues: QueueRegistry,
    private readonly polls: LongPolls,
    private readonly clock: Clock,
    private readonly ids: Ids,
    private readonly log: Logger,
  ) {}

  /** Resumes tasks that were running when Nimbus stopped. */
  async resume(): Promise<void> {
    for (const t of await this.repo.activeMoveTasks()) this.schedule(t, this.clock.now());
  }

  /**
   * The source queue of a task operation: only its owner may start, list or cancel its move
   * tasks (they read and delete its messages). Another account's queue, like one in another
   * region, is answered as AWS answers a source it cannot find: ResourceNotFoundException,
   * which does not tell whether the queue exists.
   */
  private ownSource(sourceArn: string, ctx: RequestContext): Queue {
    const source = this.queues.byArn(sourceArn);
    if (!source || source.account !== ctx.accountId || source.region !== ctx.region) throw new ResourceNotFoundException(NO_SOURCE);
    return source;
  }

  async start(ctx: RequestContext, sourceArn: string, destinationArn: string | undefined, rate: number | undefined): Promise<string> {
    const source = this.ownSource(sourceArn, ctx);
    if (!this.isDeadLetterQueue(source)) {
      throw new InvalidParameterValue('Source queue must be configured as a Dead Letter Queue.');
    }
    if (destinationArn !== undefined) {
      const destination = this.queues.byArn(destinationArn);
      if (!destination) throw new ResourceNotFoundException('The resource that you specified for the DestinationArn parameter doesn\'t exist.');
      // Moving messages sends them: the caller needs SendMessage on the destination.
      this.queues.authorize(destination, ctx, 'SendMessage', destinationArn);
    }
    if (rate !== undefined && (rate < 1 || rate > 500)) {
      throw new InvalidParameterValue(`Value ${rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.`);
    }
    const task = await this.store.write(async (tx) => {
      if (!this.queues.byId(source.id)) throw new ResourceNotFoundException(NO_SOURCE);
      if ((await this.repo.moveTasks(source.id, tx)).some((t) => t.status === 'RUNNING' || t.status === 'CANCELLING')) {
        throw new InvalidParameterValue('There is already a task running. Only one active task is allowed for a source queue arn at a given time.');
      }
      const t: MoveTaskRecord = {
        handle: Buffer.from(JSON.stringify({ taskId: this.ids.uuid(), sourceArn })).toString('base64'),
        sourceQueueId: source.id,
        sourceArn,
        destinationArn: destinationArn ?? null,
        maxPerSecond: rate ?? null,
        status: 'RUNNING',
        moved: 0,
        toMove: await this.repo.countMessages(source.id, tx),
        failureReason: null,
        startedAt: this.clock.now(),
      };
      await this.repo.insertMoveTask(tx, t);
      // Messages that reach the source after the task started stay there.
      this.limits.set(t.handle, await this.repo.currentSeq(tx));
      return t;
    });
    this.schedule(task, this.clock.now());
    return task.handle;
  }

  async cancel(ctx: RequestContext, handle: string): Promise<number> {
    const sourceArn = decodeHandle(handle)?.sourceArn;
    if (sourceArn === undefined) throw new InvalidParameterValue('Value for parameter TaskHandle is invalid.');
    this.ownSource(sourceArn, ctx);
    // Read and written in one commit, so a tick in flight cannot be undone by a stale copy.
    const moved = await this.store.write(async (tx) => {
      const task = await this.find(handle, tx);
      if (!task) throw new ResourceNotFoundException('Task does not exist.');
      if (task.status !== 'RUNNING') throw new UnsupportedOperation('Only active tasks can be cancelled.');
      task.status = 'CANCELLED';
      await this.repo.updateMoveTask(tx, task);
      return task.moved;
    });
    this.timers.get(handle)?.cancel();
    this.timers.delete(handle);
    this.limits.delete(handle);
    return moved;
  }

  async list(ctx: RequestContext, sourceArn: string, max: number): Promise<MoveTaskRecord[]> {
    return (await this.repo.moveTasks(this.ownSource(sourceArn, ctx).id)).slice(0, max);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  private isDeadLetterQueue(q: Queue): boolean {
    return this.queues.deadLetterSources(q).length > 0;
  }

  private async find(handle: string, tx: Tx): Promise<MoveTaskRecord | undefined> {
    const sourceArn = decodeHandle(handle)?.sourceArn;
    const source = sourceArn ? this.queues.byArn(sourceArn) : undefined;
    return source ? (await this.repo.moveTasks(source.id, tx)).find((t) => t.handle === handle) : undefined;
  }

  private schedule(task: MoveTaskRecord, at: number): void {
    // A tick in flight when Nimbus stops must not arm another.
    if (this.stopped) return;
    this.timers.set(
      task.handle,
      this.clock.at(at, () => {
        this.tick(task.handle).catch((e) => this.log.error('message move task failed', { error: String(e) }));
      }),
    );
  }

  /** Moves one tick's worth of messages; reschedules itself until the source is drained. */
  private async tick(handle: string): Promise<void> {
    this.timers.delete(handle);
    if (this.stopped) return;
    const woken = new Set<number>();
    const task = await this.store.write(async (tx) => {
      const t = await this.find(handle, tx);
      if (!t || t.status !== 'RUNNING') return undefined;
      const source = this.queues.byId(t.sourceQueueId);
      if (!source) {
        t.status = 'FAILED';
        t.failureReason = 'AWS.SimpleQueueService.NonExistentQueue';
        await this.repo.updateMoveTask(tx, t);
        return t;
      }
      let limit = this.limits.get(handle);
      if (limit === undefined) {
        limit = await this.repo.currentSeq(tx);
        this.limits.set(handle, limit);
      }
      const batch = (await this.repo.oldestMessages(source.id, 0, t.maxPerSecond ?? DEFAULT_RATE, tx)).filter((m) => m.seq <= limit!);
      for (const m of batch) {
        const target = this.queues.byArn(t.destinationArn ?? m.systemAttributes?.DeadLetterQueueSourceArn ?? '');
        if (!target) {
          t.status = 'FAILED';
          t.failureReason = 'AWS.SimpleQueueService.NonExistentQueue';
          break;
        }
        // The task sends on behalf of the source's owner (who started it): only to queues the
        // owner may send to, also when the target is a message's original source queue.
        if (!this.queues.allows(target, source.account, 'SendMessage')) {
          t.status = 'FAILED';
          t.failureReason = 'AccessDenied';
          break;
        }
        const system = { ...(m.systemAttributes ?? {}) };
        delete system.DeadLetterQueueSourceArn;
        // "All redriven messages are considered new messages with a new messageID and
        // enqueueTime" (AWS): retention starts over too.
        const now = this.clock.now();
        await this.repo.moveMessage(tx, m.seq, {
          toQueueId: target.id,
          newSeq: await this.repo.nextSeq(tx),
          visibleAt: now,
          systemAttributes: Object.keys(system).length ? system : null,
          resetReceives: true,
          sentAt: now,
          messageId: this.ids.uuid(),
        });
        woken.add(target.id);
        t.moved++;
      }
      if (t.status === 'RUNNING' && batch.length < (t.maxPerSecond ?? DEFAULT_RATE)) t.status = 'COMPLETED';
      await this.repo.updateMoveTask(tx, t);
      return t;
    });
    for (const id of woken) this.polls.wake(id);
    if (task?.status === 'RUNNING') this.schedule(task, this.clock.now() + TICK_MS);
    else this.limits.delete(handle);
  }
}

/** A task handle is base64 JSON {taskId, sourceArn}, as AWS's are; undefined when it is not. */
function decodeHandle(handle: string): { taskId: string; sourceArn: string } | undefined {
  try {
    const h = JSON.parse(Buffer.from(handle, 'base64').toString('utf8'));
    return typeof h?.taskId === 'string' && typeof h?.sourceArn === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}
