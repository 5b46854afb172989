/**
 * Event source mappings: the API's create / get / update / delete / list over documents kept
 * in memory and in step with the store (one row per mapping, its stream positions included),
 * and the runner of each enabled mapping (mappings-sqs.ts, mappings-streams.ts). A change
 * answers with Lambda's transitional state (Creating, Updating, Enabling, Disabling,
 * Deleting) and takes effect at once: the mapping's runner is stopped (the batch in hand is
 * finished) and a new one starts with the new settings. Mappings restart with Nimbus.
 */
import type { ServiceEnv } from '../../service.js';
import type { Store } from '../../../store/store.js';
import { parseArn } from '../../../lib/arn.js';
import { functionNotFound, InvalidParameterValueException, ResourceConflictException, ResourceNotFoundException } from '../errors.js';
import type { LambdaRepo } from '../repo.js';
import type { Functions } from './functions.js';
import type { Invoker } from './invoker.js';
import type { MappingRunner, RunnerDeps } from './mappings-batch.js';
import { checkMapping, defaultBatchSize, describeMapping, sourceKind, type MappingDoc, type MappingInput, type TransitionState } from './mappings-config.js';
import { SqsPoller } from './mappings-sqs.js';
import { StreamReader } from './mappings-streams.js';
import { functionArn, parseFunctionArn, parseFunctionName, type FunctionRef } from './names.js';
import type { Registry } from './registry.js';

export interface MappingsDeps extends Pick<ServiceEnv, 'clock' | 'ids' | 'log' | 'internal' | 'bus'> {
  store: Store;
  repo: LambdaRepo;
  registry: Registry;
  functions: Functions;
  invoker: Invoker;
}

interface Scope {
  accountId: string;
  region: string;
}

const notFound = () => new ResourceNotFoundException('The resource you requested does not exist.');

export class EventSourceMappings {
  private docs = new Map<string, MappingDoc>();
  private readonly runners = new Map<string, MappingRunner>();
  /** Per mapping, the last restart in progress: the next one waits for it. */
  private readonly restarts = new Map<string, Promise<void>>();
  private readonly runnerDeps: RunnerDeps;
  private stopped = false;

  constructor(private readonly d: MappingsDeps) {
    this.runnerDeps = {
      clock: d.clock,
      ids: d.ids,
      log: d.log,
      internal: d.internal,
      invoker: d.invoker,
      resolve: (arn) => {
        const ref = parseFunctionArn(arn);
        if (!ref || !d.registry.find(ref)) throw functionNotFound(arn);
        return d.invoker.resolve(ref);
      },
      savePosition: (uuid, shardId, sequence, result) => this.savePosition(uuid, shardId, sequence, result),
    };
  }

  /** (Re)loads every mapping from the store (registered with the store's caches as `lambda.mappings`). */
  async reload(): Promise<void> {
    this.docs = new Map((await this.d.repo.allMappings<MappingDoc>()).map((m) => [m.UUID, m]));
  }

  /** Starts the runners of every enabled mapping (at startup). */
  start(): void {
    for (const uuid of this.docs.keys()) this.restart(uuid);
  }

  /** Stops every runner; resolves once their batches in hand are finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.restarts.values()]);
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
    this.runners.clear();
  }

  async create(input: MappingInput, scope: Scope): Promise<Record<string, unknown>> {
    const kind = sourceKind(input.EventSourceArn);
    const source = input.EventSourceArn!;
    const base: MappingDoc = {
      UUID: this.d.ids.uuid(),
      accountId: scope.accountId,
      region: scope.region,
      kind,
      EventSourceArn: source,
      FunctionArn: '',
      enabled: true,
      BatchSize: defaultBatchSize(kind),
      MaximumBatchingWindowInSeconds: 0,
      FunctionResponseTypes: [],
      LastModified: this.d.clock.now(),
    };
    const doc = checkMapping(base, input, true);
    const ref = parseFunctionName(input.FunctionName ?? '', scope);
    doc.FunctionArn = this.functionArnOf(ref);
    // The execution role reads only its own account's sources (no resource policies here).
    if (parseArn(source)?.account !== scope.accountId) {
      throw new InvalidParameterValueException(
        kind === 'sqs'
          ? 'The provided execution role does not have permissions to call ReceiveMessage on SQS'
          : `Cannot access stream ${source}. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.`,
      );
    }
    if (kind === 'sqs') {
      if (!this.d.internal.get('sqs.queueExists')?.({ queueArn: source })) {
        throw new InvalidParameterValueException(
          'Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist or you do not have access to it.',
        );
      }
    } else {
      const stream = await this.d.internal.get('dynamodb.streamInfo')?.({ streamArn: source });
      if (!stream) throw new InvalidParameterValueException(`Stream not found: ${source}`);
      // The starting position is fixed now: LATEST means records after the mapping was made.
      doc.positions = { [stream.shardId]: doc.StartingPosition === 'TRIM_HORIZON' ? stream.trimHorizon : stream.latest };
      doc.LastProcessingResult = 'No records processed';
    }
    await this.d.store.write(async (tx) => {
      this.checkUnique(doc, ref);
      await this.d.repo.putMapping(tx, doc.UUID, doc);
      this.docs.set(doc.UUID, doc);
    });
    this.restart(doc.UUID);
    return describeMapping(doc, 'Creating');
  }

  get(uuid: string, scope: Scope): Record<string, unknown> {
    return describeMapping(this.find(uuid, scope));
  }

  async update(uuid: string, input: MappingInput, scope: Scope): Promise<Record<string, unknown>> {
    const current = this.find(uuid, scope);
    let next: MappingDoc = structuredClone(current);
    let ref: FunctionRef | undefined;
    if (input.FunctionName !== undefined) {
      ref = parseFunctionName(input.FunctionName, scope);
      next.FunctionArn = this.functionArnOf(ref);
    }
    next = checkMapping(next, input, false);
    next.LastModified = this.d.clock.now();
    const state: TransitionState = input.Enabled !== undefined && input.Enabled !== current.enabled ? (input.Enabled ? 'Enabling' : 'Disabling') : 'Updating';
    const saved = await this.d.store.write(async (tx) => {
      const latest = this.docs.get(uuid);
      if (!latest) throw notFound();
      if (ref) this.checkUnique(next, ref);
      // What the runner recorded meanwhile stays.
      const doc: MappingDoc = { ...next, positions: latest.positions, LastProcessingResult: latest.LastProcessingResult };
      await this.d.repo.putMapping(tx, uuid, doc);
      this.docs.set(uuid, doc);
      return doc;
    });
    this.restart(uuid);
    return describeMapping(saved, state);
  }

  async delete(uuid: string, scope: Scope): Promise<Record<string, unknown>> {
    const doc = this.find(uuid, scope);
    await this.d.store.write(async (tx) => {
      await this.d.repo.deleteMapping(tx, uuid);
      this.docs.delete(uuid);
    });
    this.restart(uuid);
    return describeMapping(doc, 'Deleting');
  }

  list(scope: Scope, filter: { EventSourceArn?: string; FunctionName?: string }): Record<string, unknown>[] {
    let docs = [...this.docs.values()].filter((m) => m.accountId === scope.accountId && m.region === scope.region);
    if (filter.EventSourceArn !== undefined) docs = docs.filter((m) => m.EventSourceArn === filter.EventSourceArn);
    if (filter.FunctionName !== undefined) {
      const ref = parseFunctionName(filter.FunctionName, scope);
      const arn = functionArn(ref, ref.qualifier);
      // An unqualified name lists the mappings of every version and alias of the function.
      docs = docs.filter((m) => m.FunctionArn === arn || (ref.qualifier === undefined && m.FunctionArn.startsWith(`${arn}:`)));
    }
    return docs.map((m) => describeMapping(m));
  }

  private find(uuid: string, scope: Scope): MappingDoc {
    const doc = this.docs.get(uuid);
    if (!doc || doc.accountId !== scope.accountId || doc.region !== scope.region) throw notFound();
    return doc;
  }

  /** The ARN a mapping keeps for the function named; Lambda's errors when it or its qualifier does not exist. */
  private functionArnOf(ref: FunctionRef): string {
    if (!this.d.registry.find(ref)) throw new InvalidParameterValueException('Function does not exist');
    this.d.functions.version(ref);
    return functionArn(ref, ref.qualifier);
  }

  /** One mapping per source and function (checked inside the write, so two racing creates cannot both pass). */
  private checkUnique(doc: MappingDoc, ref: FunctionRef): void {
    const existing = [...this.docs.values()].find((m) => m.UUID !== doc.UUID && m.EventSourceArn === doc.EventSourceArn && m.FunctionArn === doc.FunctionArn);
    if (!existing) return;
    throw new ResourceConflictException(
      doc.kind === 'sqs'
        ? `An event source mapping with SQS arn (" ${doc.EventSourceArn} ") and function (" ${ref.name} ") already exists. Please update or delete the existing mapping with UUID ${existing.UUID}`
        : `The event source arn (" ${doc.EventSourceArn} ") and function (" ${ref.name} ") provided mapping already exists. Please update or delete the existing mapping with UUID ${existing.UUID}`,
    );
  }

  private async savePosition(uuid: string, shardId: string, sequence: number, result: string): Promise<void> {
    await this.d.store.write(async (tx) => {
      const current = this.docs.get(uuid);
      if (!current) return;
      const doc: MappingDoc = { ...current, positions: { ...current.positions, [shardId]: sequence }, LastProcessingResult: result };
      await this.d.repo.putMapping(tx, uuid, doc);
      this.docs.set(uuid, doc);
    });
  }

  /**
   * Replaces the mapping's runner: the running one finishes its batch in hand and stops, then
   * (if the mapping still exists and is enabled) a new one starts from the stored document.
   * Restarts of one mapping run in order.
   */
  private restart(uuid: string): void {
    const before = this.restarts.get(uuid) ?? Promise.resolve();
    const next = before
      .then(async () => {
        const previous = this.runners.get(uuid);
        this.runners.delete(uuid);
        await previous?.stop();
        const doc = this.docs.get(uuid);
        if (this.stopped || !doc?.enabled) return;
        const copy = structuredClone(doc);
        this.runners.set(uuid, copy.kind === 'sqs' ? new SqsPoller(copy, this.runnerDeps) : new StreamReader(copy, this.runnerDeps, this.d.bus));
      })
      .catch((e) => this.d.log.error('event source mapping failed to restart', { uuid, error: e instanceof Error ? e.stack : String(e) }))
      .finally(() => {
        if (this.restarts.get(uuid) === next) this.restarts.delete(uuid);
      });
    this.restarts.set(uuid, next);
  }
}
