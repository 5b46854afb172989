/**
 * Per-function settings beside code and configuration: reserved concurrency, asynchronous
 * invoke configurations (retries, event age, destinations), tags and resource-policy
 * statements (AddPermission).
 */
import { own, setOwn } from '../../../lib/own.js';
import { parseArn } from '../../../lib/arn.js';
import type { Clock } from '../../../lib/clock.js';
import { AwsError } from '../../../protocols/errors.js';
import { InvalidParameterValueException, ResourceConflictException, ResourceNotFoundException } from '../errors.js';
import type { EventInvokeConfig, FunctionRecord } from '../model.js';
import { functionArn, parseFunctionArn, type FunctionRef } from './names.js';
import { resolveQualifier } from './qualifiers.js';
import type { Registry } from './registry.js';

/** The account's concurrency, and what must stay unreserved (Lambda keeps 100 for unreserved functions). */
export const ACCOUNT_CONCURRENCY = 1000;
const UNRESERVED_MINIMUM = 100;

export class Settings {
  constructor(
    private readonly registry: Registry,
    private readonly clock: Clock,
  ) {}

  async putConcurrency(ref: FunctionRef, reserved: number): Promise<number> {
    const fn = this.registry.get(ref);
    const others = this.reservedTotal(fn.accountId, fn.region) - (fn.reservedConcurrency ?? 0);
    if (others + reserved > ACCOUNT_CONCURRENCY - UNRESERVED_MINIMUM) {
      throw new InvalidParameterValueException(`Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${UNRESERVED_MINIMUM}].`);
    }
    await this.registry.update(ref, (f) => ({ doc: { ...f, reservedConcurrency: reserved }, result: undefined }));
    return reserved;
  }

  async deleteConcurrency(ref: FunctionRef): Promise<void> {
    this.registry.get(ref);
    await this.registry.update(ref, (f) => {
      delete f.reservedConcurrency;
      return { doc: f, result: undefined };
    });
  }

  reservedTotal(accountId: string, region: string): number {
    return this.registry.list(accountId, region).reduce((n, f) => n + (f.reservedConcurrency ?? 0), 0);
  }

  /** Put replaces the whole configuration; update merges into the existing one. */
  async putEventInvokeConfig(ref: FunctionRef, input: Omit<EventInvokeConfig, 'LastModified'>, merge: boolean): Promise<Record<string, unknown>> {
    const fn = this.registry.get(ref);
    const { qualifier } = resolveQualifier(fn, ref.qualifier);
    checkEventInvokeConfig(input, fn.accountId);
    return this.registry.update(ref, (f) => {
      const current = own(f.eventInvokeConfigs, qualifier);
      if (merge && !current) throw new ResourceNotFoundException(`The function ${functionArn(ref, qualifier)} doesn't have an EventInvokeConfig`);
      const next: EventInvokeConfig = { ...(merge ? current : {}), ...stripUndefined(input), LastModified: this.clock.now() / 1000 };
      setOwn(f.eventInvokeConfigs, qualifier, next);
      return { doc: f, result: describeEventInvokeConfig(f, qualifier, next) };
    });
  }

  getEventInvokeConfig(ref: FunctionRef): Record<string, unknown> {
    const fn = this.registry.get(ref);
    const { qualifier } = resolveQualifier(fn, ref.qualifier);
    const c = own(fn.eventInvokeConfigs, qualifier);
    if (!c) throw new ResourceNotFoundException(`The function ${functionArn(ref, qualifier)} doesn't have an EventInvokeConfig`);
    return describeEventInvokeConfig(fn, qualifier, c);
  }

  async deleteEventInvokeConfig(ref: FunctionRef): Promise<void> {
    this.getEventInvokeConfig(ref);
    const qualifier = ref.qualifier ?? '$LATEST';
    await this.registry.update(ref, (f) => {
      delete f.eventInvokeConfigs[qualifier];
      return { doc: f, result: undefined };
    });
  }

  listEventInvokeConfigs(ref: FunctionRef): Record<string, unknown>[] {
    const fn = this.registry.get(ref);
    return Object.entries(fn.eventInvokeConfigs).map(([q, c]) => describeEventInvokeConfig(fn, q, c));
  }

  /** The function an ARN names for tagging (tags belong to the function, not to a version). */
  taggable(arn: string, callerAccount: string): FunctionRef {
    const ref = parseFunctionArn(arn);
    // The declared pattern also lets through code signing configurations and event source
    // mappings, which Nimbus does not tag.
    if (!ref) throw new InvalidParameterValueException(`Nimbus tags functions only; ${arn} is not a function ARN.`);
    if (ref.accountId !== callerAccount) throw new AwsError('AccessDeniedException', `User is not authorized to access resource ${arn}`, { status: 403 });
    if (ref.qualifier) throw new InvalidParameterValueException('Tags are not supported on a qualified function ARN.');
    this.registry.get(ref);
    return ref;
  }

  async tag(ref: FunctionRef, tags: Record<string, string>): Promise<void> {
    await this.registry.update(ref, (f) => {
      const merged = { ...f.tags, ...tags };
      if (Object.keys(merged).length > 50) throw new InvalidParameterValueException('Number of tags exceeds resource tag limit.');
      return { doc: { ...f, tags: merged }, result: undefined };
    });
  }

  async untag(ref: FunctionRef, keys: string[]): Promise<void> {
    await this.registry.update(ref, (f) => {
      for (const k of keys) delete f.tags[k];
      return { doc: f, result: undefined };
    });
  }

  async addPermission(ref: FunctionRef, input: { StatementId: string; Action: string; Principal: string; SourceArn?: string; SourceAccount?: string }): Promise<Record<string, unknown>> {
    const fn = this.registry.get(ref);
    const statement: Record<string, unknown> = {
      Sid: input.StatementId,
      Effect: 'Allow',
      Principal: input.Principal.includes('.') ? { Service: input.Principal } : { AWS: input.Principal === '*' ? '*' : `arn:aws:iam::${input.Principal}:root` },
      Action: input.Action,
      Resource: functionArn(fn, ref.qualifier),
      ...(input.SourceArn ? { Condition: { ArnLike: { 'AWS:SourceArn': input.SourceArn } } } : {}),
    };
    return this.registry.update(ref, (f) => {
      if (own(f.policy, input.StatementId)) throw new ResourceConflictException(`The statement id (${input.StatementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`);
      setOwn(f.policy, input.StatementId, statement);
      return { doc: f, result: statement };
    });
  }

  async removePermission(ref: FunctionRef, sid: string): Promise<void> {
    const fn = this.registry.get(ref);
    if (!own(fn.policy, sid)) throw new ResourceNotFoundException(`Statement ${sid} is not found in resource policy.`);
    await this.registry.update(ref, (f) => {
      delete f.policy[sid];
      return { doc: f, result: undefined };
    });
  }

  policy(ref: FunctionRef): { Policy: string; RevisionId: string } {
    const fn = this.registry.get(ref);
    const statements = Object.values(fn.policy);
    if (statements.length === 0) throw new ResourceNotFoundException('The resource you requested does not exist.');
    return { Policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements }), RevisionId: fn.latest.config.RevisionId };
  }
}

function checkEventInvokeConfig(c: Omit<EventInvokeConfig, 'LastModified'>, accountId: string): void {
  // Retries and event age are held to the model's ranges by the declared shapes (operations/settings.ts).
  for (const d of [c.DestinationConfig?.OnSuccess?.Destination, c.DestinationConfig?.OnFailure?.Destination]) {
    if (!d) continue;
    if (!/^arn:aws[a-zA-Z-]*:(sqs|lambda):/.test(d)) throw new InvalidParameterValueException(`The destination ARN ${d} is invalid or not supported: Nimbus sends to SQS queues and Lambda functions.`);
    checkSameAccount(d, accountId);
  }
}

function describeEventInvokeConfig(fn: FunctionRecord, qualifier: string, c: EventInvokeConfig): Record<string, unknown> {
  return {
    FunctionArn: functionArn(fn, qualifier),
    LastModified: c.LastModified,
    ...(c.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: c.MaximumRetryAttempts } : {}),
    ...(c.MaximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: c.MaximumEventAgeInSeconds } : {}),
    DestinationConfig: { OnSuccess: c.DestinationConfig?.OnSuccess ?? {}, OnFailure: c.DestinationConfig?.OnFailure ?? {} },
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Destinations must be the function's own account's: Nimbus evaluates no resource policies across accounts. */
export function checkSameAccount(arn: string, accountId: string): void {
  if (parseArn(arn)?.account !== accountId) {
    throw new InvalidParameterValueException(`The destination ${arn} is in another account; Nimbus delivers only within the function's account (${accountId}).`);
  }
}
