/**
 * Queue attributes: defaults, validation with AWS's codes and messages, and the parsed form
 * the hot path uses.
 */
import { parseArn } from '../../../lib/arn.js';
import { InvalidAttributeName, InvalidAttributeValue, InvalidParameterValue } from '../errors.js';
import type { QueueAttributes } from '../repo.js';

/** Attributes a client may set (and the ones CreateQueue compares for idempotency). */
const SETTABLE = new Set([
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'Policy',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'VisibilityTimeout',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

/** FIFO-only attributes, and what AWS says when a standard queue is given one. */
const FIFO_ONLY: Record<string, string> = {
  FifoQueue: 'Unknown Attribute FifoQueue.',
  ContentBasedDeduplication: 'Unknown Attribute ContentBasedDeduplication.',
  DeduplicationScope: 'You can specify the DeduplicationScope only when FifoQueue is set to true.',
  FifoThroughputLimit: 'You can specify the FifoThroughputLimit only when FifoQueue is set to true.',
};

/** Booleans AWS accepts in any case ("True") and returns in lower case. */
const BOOLEANS = new Set(['SqsManagedSseEnabled', 'FifoQueue', 'ContentBasedDeduplication']);

const DEFAULT_KMS_REUSE_SECONDS = '300';

/** Read-only attributes GetQueueAttributes knows. */
export const COMPUTED = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
] as const;

export const ALL_ATTRIBUTE_NAMES = new Set<string>([...SETTABLE, ...COMPUTED]);

const RANGES: Record<string, [number, number]> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1048576],
  MessageRetentionPeriod: [60, 1209600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43200],
  KmsDataKeyReusePeriodSeconds: [60, 86400],
};

const ENUMS: Record<string, string[]> = {
  DeduplicationScope: ['messageGroup', 'queue'],
  FifoThroughputLimit: ['perQueue', 'perMessageGroupId'],
};

export function defaultAttributes(fifo: boolean): QueueAttributes {
  const a: QueueAttributes = {
    DelaySeconds: '0',
    MaximumMessageSize: '1048576',
    MessageRetentionPeriod: '345600',
    ReceiveMessageWaitTimeSeconds: '0',
    VisibilityTimeout: '30',
    SqsManagedSseEnabled: 'true',
  };
  if (fifo) {
    a.FifoQueue = 'true';
    a.ContentBasedDeduplication = 'false';
    a.DeduplicationScope = 'queue';
    a.FifoThroughputLimit = 'perQueue';
  }
  return a;
}

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/** Looks up whether a queue ARN exists and whether it is FIFO, for RedrivePolicy checks. */
export type QueueLookup = (arn: string) => { fifo: boolean; redriveAllowPolicy?: string } | undefined;

/**
 * Validates attributes given to CreateQueue (creating=true) or SetQueueAttributes and returns
 * them normalised ('' still meaning "remove"). Unknown or read-only names, and FIFO-only ones
 * for a standard queue: InvalidAttributeName; bad values: InvalidAttributeValue /
 * InvalidParameterValue with AWS's messages. FifoQueue=true may be repeated on a FIFO queue;
 * anything else would change the queue's type.
 */
export function validateAttributes(
  given: Record<string, string>,
  opts: { fifo: boolean; creating: boolean; sourceArn: string; lookup: QueueLookup },
): QueueAttributes {
  const out: QueueAttributes = {};
  for (const [name, raw] of Object.entries(given)) {
    let value = String(raw);
    if (!SETTABLE.has(name)) throw new InvalidAttributeName(`Unknown Attribute ${name}.`);
    const fifoOnly = FIFO_ONLY[name];
    if (fifoOnly && !opts.fifo) throw new InvalidAttributeName(fifoOnly);
    if (BOOLEANS.has(name)) {
      value = value.toLowerCase();
      if (value !== 'true' && value !== 'false') throw new InvalidAttributeValue(`Invalid value for the parameter ${name}.`);
    }
    if (name === 'FifoQueue' && value !== 'true') {
      throw new InvalidAttributeValue('Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.');
    }
    const range = RANGES[name];
    if (range) {
      if (!/^\d+$/.test(value) || Number(value) < range[0] || Number(value) > range[1]) {
        throw new InvalidAttributeValue(`Invalid value for the parameter ${name}.`);
      }
      out[name] = String(Number(value));
      continue;
    }
    const allowed = ENUMS[name];
    if (allowed && !allowed.includes(value)) throw new InvalidAttributeValue(`Invalid value for the parameter ${name}.`);
    if (name === 'RedrivePolicy') out[name] = value === '' ? '' : validateRedrivePolicy(value, opts);
    else if (name === 'RedriveAllowPolicy') out[name] = value === '' ? '' : validateRedriveAllowPolicy(value);
    else if (name === 'Policy') out[name] = value === '' ? '' : validatePolicy(value);
    else out[name] = value;
  }
  if (out.KmsMasterKeyId && out.SqsManagedSseEnabled === 'true') {
    throw new InvalidAttributeName('You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.');
  }
  if (out.FifoThroughputLimit === 'perMessageGroupId' && out.DeduplicationScope === 'queue') {
    throw new InvalidAttributeValue(
      'The queue attribute FifoThroughputLimit can be set to perMessageGroupId only when the queue attribute DeduplicationScope is set to messageGroup.',
    );
  }
  return out;
}

/**
 * A queue's attributes after `changes` (validated, '' meaning "remove") are applied to
 * `current`: one kind of server-side encryption at a time (a KMS key turns SQS-managed SSE off
 * and brings the default data key reuse period; turning SQS-managed SSE on drops the key), and
 * the reuse period shown only while a KMS key is set or when it differs from the default.
 */
export function applyAttributes(current: QueueAttributes, changes: QueueAttributes): QueueAttributes {
  const next: QueueAttributes = { ...current, ...changes };
  if (changes.SqsManagedSseEnabled === 'true' && !changes.KmsMasterKeyId) {
    delete next.KmsMasterKeyId;
    if (!changes.KmsDataKeyReusePeriodSeconds) delete next.KmsDataKeyReusePeriodSeconds;
  }
  if (next.KmsMasterKeyId) {
    next.SqsManagedSseEnabled = 'false';
    next.KmsDataKeyReusePeriodSeconds ||= DEFAULT_KMS_REUSE_SECONDS;
  } else if (next.KmsDataKeyReusePeriodSeconds === DEFAULT_KMS_REUSE_SECONDS) {
    delete next.KmsDataKeyReusePeriodSeconds;
  }
  for (const [k, v] of Object.entries(next)) if (v === '') delete next[k];
  return next;
}

function invalidRedrive(value: string, reason: string): never {
  throw new InvalidParameterValue(`Value ${value} for parameter RedrivePolicy is invalid. Reason: ${reason}`);
}

function validateRedrivePolicy(value: string, opts: { fifo: boolean; sourceArn: string; lookup: QueueLookup }): string {
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(value);
  } catch {
    return invalidRedrive(value, 'Redrive policy is not a valid JSON map.');
  }
  if (!p || typeof p !== 'object' || Array.isArray(p)) return invalidRedrive(value, 'Redrive policy is not a valid JSON map.');
  const target = p.deadLetterTargetArn;
  const max = Number(p.maxReceiveCount);
  if (typeof target !== 'string' || p.maxReceiveCount === undefined) {
    return invalidRedrive(value, 'Redrive policy does not contain mandatory attribute: deadLetterTargetArn, maxReceiveCount.');
  }
  if (!Number.isInteger(max) || max < 1 || max > 1000) {
    return invalidRedrive(value, `Invalid value for maxReceiveCount: ${String(p.maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`);
  }
  const arn = parseArn(target);
  if (!arn || arn.service !== 'sqs') return invalidRedrive(value, 'Invalid value for deadLetterTargetArn.');
  // A dead-letter queue lives in the source queue's own account and region (AWS), so another
  // account's queue is as good as missing.
  const source = parseArn(opts.sourceArn);
  const sameHome = source !== undefined && arn.account === source.account && arn.region === source.region;
  const dlq = sameHome ? opts.lookup(target) : undefined;
  if (!dlq) return invalidRedrive(value, 'Dead letter target does not exist.');
  if (dlq.fifo !== opts.fifo) return invalidRedrive(value, 'Dead-letter queue must be same type of queue as the source.');
  if (target === opts.sourceArn) return invalidRedrive(value, 'Dead-letter queue cannot be the same queue as the source.');
  if (dlq.redriveAllowPolicy && !redriveAllowed(dlq.redriveAllowPolicy, opts.sourceArn)) {
    return invalidRedrive(value, "Queue is not allowed by the dead-letter queue's redrive allow policy.");
  }
  return JSON.stringify({ deadLetterTargetArn: target, maxReceiveCount: max });
}

function validateRedriveAllowPolicy(value: string): string {
  const bad = (reason: string): never => {
    throw new InvalidParameterValue(`Value ${value} for parameter RedriveAllowPolicy is invalid. Reason: ${reason}`);
  };
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(value);
  } catch {
    return bad('Redrive allow policy is not a valid JSON map.');
  }
  if (!p || typeof p !== 'object' || Array.isArray(p)) return bad('Redrive allow policy is not a valid JSON map.');
  const perm = p.redrivePermission;
  if (perm !== 'allowAll' && perm !== 'denyAll' && perm !== 'byQueue') {
    return bad('Invalid value for redrivePermission. Valid values are allowAll, denyAll, byQueue.');
  }
  const sources = p.sourceQueueArns;
  if (perm === 'byQueue') {
    if (!Array.isArray(sources) || sources.length === 0 || sources.length > 10) {
      return bad('Invalid value for sourceQueueArns. It must be a list of 1 to 10 queue ARNs when redrivePermission is byQueue.');
    }
  } else if (sources !== undefined) {
    return bad('sourceQueueArns is only allowed when redrivePermission is byQueue.');
  }
  return JSON.stringify(perm === 'byQueue' ? { redrivePermission: perm, sourceQueueArns: sources } : { redrivePermission: perm });
}

function validatePolicy(value: string): string {
  try {
    const p = JSON.parse(value);
    if (p && typeof p === 'object' && !Array.isArray(p)) return value;
  } catch {
    // fall through
  }
  throw new InvalidAttributeValue('Invalid value for the parameter Policy.');
}

/** Whether a dead-letter queue's RedriveAllowPolicy lets sourceArn use it. */
export function redriveAllowed(redriveAllowPolicy: string, sourceArn: string): boolean {
  try {
    const p = JSON.parse(redriveAllowPolicy);
    if (p.redrivePermission === 'denyAll') return false;
    if (p.redrivePermission === 'byQueue') return Array.isArray(p.sourceQueueArns) && p.sourceQueueArns.includes(sourceArn);
    return true;
  } catch {
    return true;
  }
}

export function parseRedrivePolicy(value: string | undefined): RedrivePolicy | undefined {
  if (!value) return undefined;
  try {
    const p = JSON.parse(value);
    return { deadLetterTargetArn: String(p.deadLetterTargetArn), maxReceiveCount: Number(p.maxReceiveCount) };
  } catch {
    return undefined;
  }
}
