/**
 * The queue registry: queue metadata (few, small, read on every request) cached in memory
 * and written through the store. Creating, deleting, attributes, tags and permissions.
 */
import { formatArn, parseArn } from '../../../lib/arn.js';
import type { Clock } from '../../../lib/clock.js';
import { conditionsHold } from '../../../lib/policy-conditions.js';
import { parsePolicy, policyAllows, policyDecision, type PolicyDocument } from '../../../lib/policy.js';
import type { Store } from '../../../store/store.js';
import type { RequestContext } from '../../service.js';
import {
  AccessDenied,
  InvalidParameterValue,
  QueueDeletedRecently,
  QueueDoesNotExist,
  QueueNameExists,
} from '../errors.js';
import type { QueueRecord, SqsRepo } from '../repo.js';
import { applyAttributes, defaultAttributes, parseRedrivePolicy, validateAttributes, type RedrivePolicy } from './queue-attributes.js';

export interface Queue extends QueueRecord {
  arn: string;
  fifo: boolean;
  delaySeconds: number;
  maxMessageSize: number;
  retentionSeconds: number;
  waitSeconds: number;
  visibilityTimeout: number;
  contentBasedDedup: boolean;
  dedupByGroup: boolean;
  redrive: RedrivePolicy | undefined;
}

const NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;
const DELETE_COOLDOWN_MS = 60_000;
const MAX_TAGS = 50;
/** Actions only the queue's owner may call: cross-account permissions don't apply to them. */
const OWNER_ONLY = new Set(['DeleteQueue', 'SetQueueAttributes', 'AddPermission', 'RemovePermission', 'TagQueue', 'UntagQueue', 'ListQueueTags']);

function withDerived(r: QueueRecord): Queue {
  const a = r.attributes;
  const fifo = a.FifoQueue === 'true';
  return {
    ...r,
    arn: formatArn({ service: 'sqs', region: r.region, account: r.account, resource: r.name }),
    fifo,
    delaySeconds: Number(a.DelaySeconds ?? 0),
    maxMessageSize: Number(a.MaximumMessageSize ?? 1048576),
    retentionSeconds: Number(a.MessageRetentionPeriod ?? 345600),
    waitSeconds: Number(a.ReceiveMessageWaitTimeSeconds ?? 0),
    visibilityTimeout: Number(a.VisibilityTimeout ?? 30),
    contentBasedDedup: a.ContentBasedDeduplication === 'true',
    dedupByGroup: a.DeduplicationScope === 'messageGroup',
    redrive: parseRedrivePolicy(a.RedrivePolicy),
  };
}

const key = (account: string, region: string, name: string) => `${account}\u0000${region}\u0000${name}`;

export class QueueRegistry {
  private byName = new Map<string, Queue>();
  private ids = new Map<number, Queue>();
  private recentlyDeleted = new Map<string, number>();

  /**
   * Empty until loaded: the plugin registers `reload` with the store's caches, which loads it
   * once and again whenever the stored queues may differ from these maps (write fns below keep
   * them in step with the rows they write, and a batch rolled back as a whole undoes those rows).
   */
  constructor(
    private readonly repo: SqsRepo,
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Rebuilds the maps from the store. Queues kept are updated in place (handlers may hold them). */
  async reload(): Promise<void> {
    const records = await this.repo.loadQueues();
    const previous = this.ids;
    this.byName = new Map();
    this.ids = new Map();
    for (const r of records) {
      const fresh = withDerived(r);
      const kept = previous.get(fresh.id);
      this.remember(kept ? Object.assign(kept, fresh) : fresh);
    }
    // A rolled-back DeleteQueue leaves its queue in place: no cooldown for its name.
    for (const q of this.ids.values()) this.recentlyDeleted.delete(key(q.account, q.region, q.name));
  }

  private remember(q: Queue): void {
    this.byName.set(key(q.account, q.region, q.name), q);
    this.ids.set(q.id, q);
  }

  private forget(q: Queue): void {
    this.byName.delete(key(q.account, q.region, q.name));
    this.ids.delete(q.id);
  }

  byId(id: number): Queue | undefined {
    return this.ids.get(id);
  }

  byArn(arn: string): Queue | undefined {
    const a = parseArn(arn);
    if (!a || a.service !== 'sqs') return undefined;
    return this.byName.get(key(a.account, a.region, a.resource));
  }

  all(): Iterable<Queue> {
    return this.ids.values();
  }

  url(q: Queue, endpoint: string): string {
    return `${endpoint}/${q.account}/${q.name}`;
  }

  /**
   * Finds the queue a QueueUrl names (any host: the path's account and name count; a bare
   * queue name, which AWS also accepts, is the caller's) in the caller's region, and checks
   * that the caller may perform `action` on it.
   */
  resolve(queueUrl: string, ctx: RequestContext, action: string): Queue {
    const m = /^(?:[a-z][a-z0-9+.-]*:\/\/[^/]*)?\/(\d{12})\/([^/?#]+)\/?$/i.exec(queueUrl);
    const q = m
      ? this.byName.get(key(m[1]!, ctx.region, decodeURIComponentSafe(m[2]!)))
      : NAME.test(queueUrl) || FIFO_NAME.test(queueUrl)
        ? this.byName.get(key(ctx.accountId, ctx.region, queueUrl))
        : undefined;
    // A URL of another account is refused whether or not it names a queue (AWS decides access
    // first): QueueDoesNotExist there would tell which queue names another account has.
    if (!q && m && m[1] !== ctx.accountId) throw new AccessDenied(`Access to the resource ${queueUrl} is denied.`);
    if (!q) throw new QueueDoesNotExist('The specified queue does not exist.');
    this.authorize(q, ctx, action, queueUrl);
    return q;
  }

  authorize(q: Queue, ctx: RequestContext, action: string, shownAs: string): void {
    if (!this.allows(q, ctx.accountId, action)) throw new AccessDenied(`Access to the resource ${shownAs} is denied.`);
  }

  /** True when `account` may perform `action` on q: its owner, or granted by q's policy. */
  allows(q: Queue, account: string, action: string): boolean {
    if (q.account === account) return true;
    return !OWNER_ONLY.has(action) && policyAllows(q.attributes.Policy, { principalAccount: account, action: `sqs:${action}`, resource: q.arn });
  }

  /**
   * True when a service (e.g. sns.amazonaws.com) acting for `sourceArn` of `sourceAccount`
   * may send to q: q's policy allows it (aws:SourceArn and aws:SourceAccount conditions
   * tested), or q has no policy and is `sourceAccount`'s own. An explicit Deny always wins.
   */
  allowsService(q: Queue, service: string, sourceArn: string, sourceAccount: string): boolean {
    const policy = q.attributes.Policy;
    if (!policy) return q.account === sourceAccount;
    const keys = { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceAccount, 'aws:SourceOwner': sourceAccount };
    const decision = policyDecision(policy, { principalAccount: '', principalService: service, action: 'sqs:SendMessage', resource: q.arn }, (c, unknown) => conditionsHold(c, keys, unknown));
    return decision === 'allow';
  }

  /** Throws QueueDoesNotExist unless q still exists; for write fns, which run after q was resolved. */
  assertExists(q: Queue): void {
    if (!this.ids.has(q.id)) throw new QueueDoesNotExist('The specified queue does not exist.');
  }

  find(account: string, region: string, name: string): Queue | undefined {
    return this.byName.get(key(account, region, name));
  }

  async create(ctx: RequestContext, name: string, given: Record<string, string>, tags: Record<string, string>): Promise<Queue> {
    const fifoRequested = given.FifoQueue?.toLowerCase() === 'true';
    const fifoName = name.endsWith('.fifo');
    if (fifoRequested || fifoName) {
      if (!FIFO_NAME.test(name) || !fifoRequested) {
        throw new InvalidParameterValue(
          'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
        );
      }
    } else if (!NAME.test(name)) {
      throw new InvalidParameterValue('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
    }
    const arn = formatArn({ service: 'sqs', region: ctx.region, account: ctx.accountId, resource: name });
    const attrs = validateAttributes(given, { fifo: fifoRequested, creating: true, sourceArn: arn, lookup: (a) => this.lookup(a) });
    validateTags(tags);
    return this.store.write(async (tx) => {
      const existing = this.byName.get(key(ctx.accountId, ctx.region, name));
      if (existing) {
        for (const [attr, value] of Object.entries(attrs)) {
          if ((existing.attributes[attr] ?? '') !== value) {
            throw new QueueNameExists(`A queue already exists with the same name and a different value for attribute ${attr}`);
          }
        }
        return existing;
      }
      const deletedAt = this.recentlyDeleted.get(key(ctx.accountId, ctx.region, name));
      if (deletedAt !== undefined && this.clock.now() - deletedAt < DELETE_COOLDOWN_MS) {
        throw new QueueDeletedRecently('You must wait 60 seconds after deleting a queue before you can create another with the same name.');
      }
      const now = this.clock.now();
      const attributes = applyAttributes(defaultAttributes(fifoRequested), attrs);
      const record = { account: ctx.accountId, region: ctx.region, name, attributes, tags: { ...tags }, createdAt: now, modifiedAt: now };
      const id = await this.repo.insertQueue(tx, record);
      const q = withDerived({ id, ...record });
      this.remember(q);
      return q;
    });
  }

  async delete(q: Queue): Promise<void> {
    await this.store.write(async (tx) => {
      this.assertExists(q);
      await this.repo.deleteQueue(tx, q.id);
      this.forget(q);
      this.recentlyDeleted.set(key(q.account, q.region, q.name), this.clock.now());
    });
  }

  async setAttributes(q: Queue, given: Record<string, string>): Promise<void> {
    const attrs = validateAttributes(given, { fifo: q.fifo, creating: false, sourceArn: q.arn, lookup: (a) => this.lookup(a) });
    await this.update(q, (r) => {
      r.attributes = applyAttributes(r.attributes, attrs);
    });
  }

  async tag(q: Queue, tags: Record<string, string>): Promise<void> {
    validateTags(tags);
    await this.update(q, (r) => {
      const merged = { ...r.tags, ...tags };
      if (Object.keys(merged).length > MAX_TAGS) throw new InvalidParameterValue(`Too many tags added for queue ${q.name}.`);
      r.tags = merged;
    }, false);
  }

  async untag(q: Queue, keys: string[]): Promise<void> {
    await this.update(q, (r) => {
      const tags = { ...r.tags };
      for (const k of keys) delete tags[k];
      r.tags = tags;
    }, false);
  }

  async addPermission(q: Queue, label: string, accounts: string[], actions: string[]): Promise<void> {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(label)) {
      throw new InvalidParameterValue(`Value ${label} for parameter Label is invalid. Reason: Must contain only alphanumeric characters, hyphens and underscores, up to 80 characters.`);
    }
    if (accounts.length === 0) throw new InvalidParameterValue('Value [] for parameter AWSAccountIds is invalid. Reason: Must specify at least one account.');
    if (actions.length === 0) throw new InvalidParameterValue('Value [] for parameter Actions is invalid. Reason: Must specify at least one action.');
    const known = /^(\*|SendMessage|ReceiveMessage|DeleteMessage|ChangeMessageVisibility|GetQueueAttributes|GetQueueUrl|ListDeadLetterSourceQueues|PurgeQueue|ListQueueTags)$/;
    for (const a of actions) {
      if (!known.test(a)) throw new InvalidParameterValue(`Value SQS:${a} for parameter ActionName is invalid. Reason: Please refer to the appropriate WSDL for a list of valid actions.`);
    }
    for (const acct of accounts) {
      if (!/^\d{12}$/.test(acct)) throw new InvalidParameterValue(`Value ${acct} for parameter PrincipalId is invalid. Reason: Unable to verify.`);
    }
    await this.update(q, (r) => {
      const policy = currentPolicy(r.attributes.Policy, q.arn);
      if (policy.Statement.some((s) => s.Sid === label)) {
        throw new InvalidParameterValue(`Value ${label} for parameter Label is invalid. Reason: Already exists.`);
      }
      policy.Statement.push({
        Sid: label,
        Effect: 'Allow',
        Principal: { AWS: accounts.length === 1 ? `arn:aws:iam::${accounts[0]}:root` : accounts.map((a) => `arn:aws:iam::${a}:root`) },
        Action: actions.length === 1 ? `SQS:${actions[0]}` : actions.map((a) => `SQS:${a}`),
        Resource: q.arn,
      });
      r.attributes = { ...r.attributes, Policy: JSON.stringify(policy) };
    });
  }

  async removePermission(q: Queue, label: string): Promise<void> {
    await this.update(q, (r) => {
      const policy = currentPolicy(r.attributes.Policy, q.arn);
      const remaining = policy.Statement.filter((s) => s.Sid !== label);
      if (remaining.length === policy.Statement.length) {
        throw new InvalidParameterValue(`Value ${label} for parameter Label is invalid. Reason: can't find label.`);
      }
      const attributes = { ...r.attributes };
      if (remaining.length === 0) delete attributes.Policy;
      else attributes.Policy = JSON.stringify({ ...policy, Statement: remaining });
      r.attributes = attributes;
    });
  }

  /** Queues whose RedrivePolicy targets q, in name order. */
  deadLetterSources(q: Queue): Queue[] {
    return [...this.ids.values()].filter((s) => s.redrive?.deadLetterTargetArn === q.arn).sort((a, b) => cmp(a.name, b.name));
  }

  list(ctx: RequestContext, prefix: string | undefined): Queue[] {
    const out: Queue[] = [];
    for (const q of this.ids.values()) {
      if (q.account === ctx.accountId && q.region === ctx.region && (!prefix || q.name.startsWith(prefix))) out.push(q);
    }
    return out.sort((a, b) => cmp(a.name, b.name));
  }

  private lookup(arn: string): { fifo: boolean; redriveAllowPolicy?: string } | undefined {
    const q = this.byArn(arn);
    return q && { fifo: q.fifo, redriveAllowPolicy: q.attributes.RedriveAllowPolicy };
  }

  /** Applies change to a copy of the record, writes it, and swaps the cached queue. */
  private async update(q: Queue, change: (r: QueueRecord) => void, touchesAttributes = true): Promise<void> {
    await this.store.write(async (tx) => {
      const current = this.ids.get(q.id);
      if (!current) throw new QueueDoesNotExist('The specified queue does not exist.');
      const r: QueueRecord = {
        id: current.id,
        account: current.account,
        region: current.region,
        name: current.name,
        attributes: current.attributes,
        tags: current.tags,
        createdAt: current.createdAt,
        modifiedAt: touchesAttributes ? this.clock.now() : current.modifiedAt,
      };
      change(r);
      await this.repo.updateQueue(tx, r);
      const next = withDerived(r);
      Object.assign(current, next);
    });
  }
}

/** The queue's policy to edit, or SQS's empty default policy for it. */
function currentPolicy(json: string | undefined, arn: string): PolicyDocument {
  return parsePolicy(json) ?? { Version: '2008-10-17', Id: `${arn}/SQSDefaultPolicy`, Statement: [] };
}

function validateTags(tags: Record<string, string>): void {
  const keys = Object.keys(tags);
  if (keys.length > MAX_TAGS) throw new InvalidParameterValue('Too many tags added for queue.');
  for (const k of keys) {
    if (k.length === 0 || k.length > 128) throw new InvalidParameterValue(`Tag key must be between 1 and 128 characters: ${k}`);
    if ((tags[k] ?? '').length > 256) throw new InvalidParameterValue(`Tag value must be at most 256 characters: ${k}`);
  }
}

/** Names compare by UTF-16 code unit, which for SQS's ASCII names is byte order. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
