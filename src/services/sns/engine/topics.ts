/**
 * Topics: creating (standard and FIFO, idempotent), deleting, listing, attributes, tags, the
 * data-protection policy, and who may act on a topic: its Policy (Conditions included) decides,
 * an explicit Deny refusing even the owner, who otherwise needs no Allow.
 */
import { formatArn, parseArn } from '../../../lib/arn.js';
import type { Clock } from '../../../lib/clock.js';
import { conditionsHold, type ConditionKeys } from '../../../lib/policy-conditions.js';
import { parsePolicy, policyDecision, type PolicyDocument } from '../../../lib/policy.js';
import type { Store, Tx } from '../../../store/store.js';
import type { RequestContext } from '../../service.js';
import { AuthorizationError, invalidParameter, NotFound, TagLimitExceeded } from '../errors.js';
import type { SnsRepo, SubscriptionRecord, TopicRecord } from '../repo.js';
import { checkDeliveryPolicy, DEFAULT_DELIVERY_POLICY } from './retry-policy.js';

export interface Topic extends TopicRecord {
  fifo: boolean;
  contentBasedDedup: boolean;
}

const NAME = /^[A-Za-z0-9_-]{1,256}$/;
const FIFO_NAME = /^[A-Za-z0-9_-]{1,251}\.fifo$/;
const MAX_TAGS = 50;
export const PAGE = 100;

const FEEDBACK = ['Application', 'HTTP', 'Lambda', 'SQS', 'Firehose'].flatMap((p) => [`${p}SuccessFeedbackRoleArn`, `${p}SuccessFeedbackSampleRate`, `${p}FailureFeedbackRoleArn`]);
/** Attributes SetTopicAttributes takes (CreateTopic also FifoTopic). */
const SETTABLE = new Set([
  'DeliveryPolicy',
  'DisplayName',
  'Policy',
  'TracingConfig',
  'KmsMasterKeyId',
  'SignatureVersion',
  'ContentBasedDeduplication',
  'ArchivePolicy',
  'FifoThroughputScope',
  ...FEEDBACK,
]);
const FIFO_ONLY = new Set(['ContentBasedDeduplication', 'ArchivePolicy', 'FifoThroughputScope']);
/**
 * Where a topic's data-protection policy is kept among its attributes. GetTopicAttributes does
 * not show it (AWS answers it only from GetDataProtectionPolicy), so attributes() leaves it out.
 */
export const DATA_PROTECTION_KEY = 'DataProtectionPolicy';
/** The actions AddPermission may grant (SNS answers others as out of its scope). */
const GRANTABLE = new Set(['GetTopicAttributes', 'SetTopicAttributes', 'AddPermission', 'RemovePermission', 'DeleteTopic', 'Subscribe', 'ListSubscriptionsByTopic', 'Publish', 'Receive']);

/** The policy a topic has until one is set: only its owner's account may use it. */
export function defaultPolicy(t: TopicRecord): string {
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:AddPermission', 'SNS:RemovePermission', 'SNS:DeleteTopic', 'SNS:Subscribe', 'SNS:ListSubscriptionsByTopic', 'SNS:Publish'],
        Resource: t.arn,
        Condition: { StringEquals: { 'AWS:SourceOwner': t.account } },
      },
    ],
  });
}

/** Topics with their derived fields, by record: records are shared and never changed (a change makes a new one). */
const derived = new WeakMap<TopicRecord, Topic>();
function withDerived(r: TopicRecord): Topic {
  let t = derived.get(r);
  if (!t) derived.set(r, (t = { ...r, fifo: r.attributes.FifoTopic === 'true', contentBasedDedup: r.attributes.ContentBasedDeduplication === 'true' }));
  return t;
}

/** Page tokens: the last ARN of the page, base64. */
export const encodeToken = (arn: string) => Buffer.from(arn, 'utf8').toString('base64');
export function decodeToken(token: string | undefined): string {
  if (token === undefined || token === '') return '';
  const arn = Buffer.from(token, 'base64').toString('utf8');
  if (!arn.startsWith('arn:')) throw invalidParameter('NextToken');
  return arn;
}

/** What topics need of the subscriptions engine. */
export interface TopicSubscriptions {
  /** The topic's subscriptions, in ARN order. */
  ofTopic(topicArn: string): readonly SubscriptionRecord[];
  /** Called inside the write that deleted a topic (its subscriptions went with it). */
  topicDeleted(topicArn: string): void;
}

export class Topics {
  /**
   * Every topic by ARN (every request reads one). Empty until loaded: the plugin registers
   * `reload` with the store's caches, which loads it once and again whenever the stored topics
   * may differ (write fns below update it as their last step, after every repo call).
   */
  private byArnMap = new Map<string, Topic>();

  constructor(
    private readonly repo: SnsRepo,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly subscriptions: TopicSubscriptions,
  ) {}

  /** Rebuilds the registry from the store. */
  async reload(): Promise<void> {
    const records = await this.repo.loadTopics();
    const next = new Map<string, Topic>();
    for (const r of records) next.set(r.arn, withDerived(Object.freeze(r)));
    this.byArnMap = next;
  }

  private getTopic(arn: string): TopicRecord | undefined {
    return this.byArnMap.get(arn);
  }

  /** Writes a topic record and, once written, makes it the registry's. */
  private async put(tx: Tx, t: TopicRecord): Promise<void> {
    const frozen = Object.freeze(t);
    await this.repo.putTopic(tx, frozen);
    this.byArnMap.set(frozen.arn, withDerived(frozen));
  }

  /**
   * The topic an ARN names, checked for the caller; SNS's errors otherwise. `keys` are the
   * action's own condition keys (Subscribe's SNS:Protocol and SNS:Endpoint).
   */
  resolve(arn: string, ctx: RequestContext, action: string, param = 'TopicArn', keys: ConditionKeys = {}): Topic {
    const a = parseArn(arn);
    if (!a || a.service !== 'sns' || !a.resource || a.resource.includes(':')) throw invalidParameter(param);
    const t = this.byArnMap.get(arn);
    if (!t) {
      // Another account's ARN is refused whether or not a topic has it (AWS decides access
      // first): a NotFound there would tell which topic names another account has.
      if (a.account !== ctx.accountId) throw notAuthorized(ctx, action, arn, `because no resource-based policy allows the SNS:${action} action`);
      throw new NotFound('Topic does not exist');
    }
    this.authorize(t, ctx, action, keys);
    return t;
  }

  authorize(t: Topic, ctx: RequestContext, action: string, extra: ConditionKeys = {}): void {
    // The default policy has no Deny: its owner needs no evaluation (Publish's hot path).
    if (t.attributes.Policy === undefined && t.account === ctx.accountId) return;
    // A direct API call has the caller's account as its source owner: so the default policy's
    // `StringEquals AWS:SourceOwner <owner>` lets in no other account, as in AWS. (aws:SourceAccount
    // is only in requests a service makes for a resource: see allowsService.)
    const keys: ConditionKeys = {
      'AWS:SourceOwner': ctx.accountId,
      'aws:PrincipalAccount': ctx.accountId,
      'aws:SourceIp': ctx.sourceIp,
      ...extra,
    };
    const request = { principalAccount: ctx.accountId, action: `SNS:${action}`, resource: t.arn };
    const decision = policyDecision(t.attributes.Policy ?? defaultPolicy(t), request, (c, unknown) => conditionsHold(c, keys, unknown));
    const denied = (why: string) => notAuthorized(ctx, action, t.arn, why);
    if (decision === 'deny') throw denied('with an explicit deny in a resource-based policy');
    if (decision === 'allow' || t.account === ctx.accountId) return;
    throw denied(`because no resource-based policy allows the SNS:${action} action`);
  }

  /**
   * Whether a service (e.g. s3.amazonaws.com) acting for `sourceArn` of `sourceAccount` may
   * publish: the topic's policy allows it (aws:SourceArn, aws:SourceAccount tested), or the
   * topic has no policy and is `sourceAccount`'s own.
   */
  allowsService(t: Topic, service: string, sourceArn: string, sourceAccount: string): boolean {
    if (t.attributes.Policy === undefined) return t.account === sourceAccount;
    const keys: ConditionKeys = { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceAccount, 'AWS:SourceOwner': sourceAccount };
    const request = { principalAccount: '', principalService: service, action: 'SNS:Publish', resource: t.arn };
    return policyDecision(t.attributes.Policy, request, (c, unknown) => conditionsHold(c, keys, unknown)) === 'allow';
  }

  byArn(arn: string): Topic | undefined {
    return this.byArnMap.get(arn);
  }

  async create(ctx: RequestContext, name: string, given: Record<string, string>, tags: Record<string, string>, dataProtectionPolicy?: string): Promise<Topic> {
    const fifoRequested = given.FifoTopic !== undefined && given.FifoTopic.toLowerCase() === 'true';
    if (fifoRequested) {
      if (!FIFO_NAME.test(name)) {
        throw invalidParameter(
          'Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.',
        );
      }
    } else if (!NAME.test(name)) throw invalidParameter('Topic Name');
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(given)) {
      if (k === 'FifoTopic') {
        if (!/^(true|false)$/i.test(v)) throw invalidParameter(`Attributes Reason: FifoTopic must be true or false`);
        if (fifoRequested) attributes.FifoTopic = 'true';
        continue;
      }
      attributes[k] = checkAttribute(k, v, fifoRequested);
    }
    if (fifoRequested) attributes.ContentBasedDeduplication ??= 'false';
    // Kept only on a new topic: CreateTopic of an existing one does not change it.
    if (dataProtectionPolicy !== undefined && checkDataProtectionPolicy(dataProtectionPolicy) !== '') attributes[DATA_PROTECTION_KEY] = dataProtectionPolicy;
    checkTags(tags, {});
    const arn = formatArn({ service: 'sns', region: ctx.region, account: ctx.accountId, resource: name });
    const record = await this.store.write(async (tx) => {
      const existing = this.getTopic(arn);
      if (existing) {
        // Only what this request gives is compared: a later SetTopicAttributes does not break idempotency.
        for (const [k, v] of Object.entries(attributes)) {
          if (!(k in given)) continue;
          const current = k === 'Policy' ? (existing.attributes.Policy ?? defaultPolicy(existing)) : existing.attributes[k];
          if (current !== v) throw invalidParameter('Attributes Reason: Topic already exists with different attributes');
        }
        if (Object.entries(tags).some(([k, v]) => existing.tags[k] !== v)) throw invalidParameter('Tags Reason: Topic already exists with different tags');
        return existing;
      }
      const t: TopicRecord = { arn, account: ctx.accountId, region: ctx.region, name, attributes, tags, createdAt: this.clock.now() };
      await this.put(tx, t);
      return t;
    });
    return withDerived(record);
  }

  async delete(t: Topic): Promise<void> {
    await this.store.write(async (tx) => {
      await this.repo.deleteTopic(tx, t.arn);
      this.byArnMap.delete(t.arn);
      this.subscriptions.topicDeleted(t.arn);
    });
  }

  /** One page of the caller's topics in its region. */
  async list(ctx: RequestContext, nextToken: string | undefined): Promise<{ arns: string[]; next?: string }> {
    const rows = await this.repo.listTopics(ctx.accountId, ctx.region, decodeToken(nextToken), PAGE + 1);
    const page = rows.slice(0, PAGE);
    return { arns: page.map((t) => t.arn), next: rows.length > PAGE ? encodeToken(page[page.length - 1]!.arn) : undefined };
  }

  /** Every attribute GetTopicAttributes shows. */
  attributes(t: Topic): Record<string, string> {
    const subs = this.subscriptions.ofTopic(t.arn);
    const { FifoTopic, ContentBasedDeduplication, [DATA_PROTECTION_KEY]: _dataProtection, ...rest } = t.attributes;
    return {
      Policy: defaultPolicy(t),
      Owner: t.account,
      SubscriptionsPending: String(subs.filter((s) => s.pending).length),
      TopicArn: t.arn,
      EffectiveDeliveryPolicy: t.attributes.DeliveryPolicy ?? DEFAULT_DELIVERY_POLICY,
      SubscriptionsConfirmed: String(subs.filter((s) => !s.pending).length),
      DisplayName: '',
      SubscriptionsDeleted: '0',
      ...rest,
      ...(t.fifo ? { FifoTopic: FifoTopic!, ContentBasedDeduplication: ContentBasedDeduplication ?? 'false' } : {}),
    };
  }

  async setAttribute(t: Topic, name: string, value: string | undefined): Promise<void> {
    if (name === 'FifoTopic' || !SETTABLE.has(name)) throw invalidParameter('AttributeName');
    const checked = checkAttribute(name, value ?? '', t.fifo);
    await this.store.write(async (tx) => {
      const current = this.getTopic(t.arn);
      if (!current) throw new NotFound('Topic does not exist');
      const attributes = { ...current.attributes };
      if (checked === '' && name !== 'DisplayName') delete attributes[name];
      else attributes[name] = checked;
      await this.put(tx, { ...current, attributes });
    });
  }

  /**
   * AddPermission: a statement `Label` granting `accounts` the `actions`, appended to the
   * topic's policy (the default one until a policy is set), as AWS words it: one principal or
   * action as a string, several as a list.
   */
  async addPermission(t: Topic, label: string, accounts: string[], actions: string[]): Promise<void> {
    await this.updatePolicy(t, (policy) => {
      if (policy.Statement.some((s) => s.Sid === label)) throw invalidParameter('Statement already exists');
      if (actions.length === 0 || actions.some((a) => !GRANTABLE.has(a))) throw invalidParameter('Policy statement action out of service scope!');
      if (accounts.length === 0) throw invalidParameter('AWSAccountId');
      const principals = accounts.map((id) => (/^\d{12}$/.test(id) ? `arn:aws:iam::${id}:root` : id));
      const granted = actions.map((a) => `SNS:${a}`);
      const one = <T>(list: T[]) => (list.length === 1 ? list[0]! : list);
      policy.Statement.push({ Sid: label, Effect: 'Allow', Principal: { AWS: one(principals) }, Action: one(granted), Resource: t.arn });
      return true;
    });
  }

  /** RemovePermission: drops the statement `Label`; an unknown label changes nothing (AWS documents no error for it; moto and LocalStack answer none). */
  async removePermission(t: Topic, label: string): Promise<void> {
    await this.updatePolicy(t, (policy) => {
      const kept = policy.Statement.filter((s) => s.Sid !== label);
      if (kept.length === policy.Statement.length) return false;
      policy.Statement = kept;
      return true;
    });
  }

  /**
   * Applies a change to the topic's policy document (the default one when none is set) in one
   * write; a change that answers false leaves the topic as it was.
   */
  private async updatePolicy(t: Topic, change: (policy: PolicyDocument) => boolean): Promise<void> {
    await this.store.write(async (tx) => {
      const current = this.getTopic(t.arn);
      if (!current) throw new NotFound('Topic does not exist');
      const policy = currentPolicy(current);
      if (!change(policy)) return;
      await this.put(tx, { ...current, attributes: { ...current.attributes, Policy: JSON.stringify(policy) } });
    });
  }

  dataProtectionPolicy(t: Topic): string | undefined {
    return t.attributes[DATA_PROTECTION_KEY];
  }

  /** PutDataProtectionPolicy: a JSON object, stored as given; an empty one removes it (as Terraform does). */
  async putDataProtectionPolicy(t: Topic, value: string): Promise<void> {
    const checked = checkDataProtectionPolicy(value);
    await this.store.write(async (tx) => {
      const current = this.getTopic(t.arn);
      if (!current) throw new NotFound('Topic does not exist');
      const attributes = { ...current.attributes };
      if (checked === '') delete attributes[DATA_PROTECTION_KEY];
      else attributes[DATA_PROTECTION_KEY] = checked;
      await this.put(tx, { ...current, attributes });
    });
  }

  async tag(t: Topic, tags: Record<string, string>): Promise<void> {
    await this.store.write(async (tx) => {
      const current = this.getTopic(t.arn);
      if (!current) throw new NotFound('Topic does not exist');
      checkTags(tags, current.tags);
      await this.put(tx, { ...current, tags: { ...current.tags, ...tags } });
    });
  }

  async untag(t: Topic, keys: string[]): Promise<void> {
    await this.store.write(async (tx) => {
      const current = this.getTopic(t.arn);
      if (!current) throw new NotFound('Topic does not exist');
      const tags = { ...current.tags };
      for (const k of keys) delete tags[k];
      await this.put(tx, { ...current, tags });
    });
  }
}

/** Checks one topic attribute's value; answers it as stored. */
function checkAttribute(name: string, value: string, fifo: boolean): string {
  if (!SETTABLE.has(name)) throw invalidParameter(`Attributes Reason: Unknown attribute ${name}`);
  if (FIFO_ONLY.has(name) && !fifo) throw invalidParameter(`Attributes Reason: ${name} is only supported for FIFO topics`);
  switch (name) {
    case 'ContentBasedDeduplication':
      if (!/^(true|false)$/i.test(value)) throw invalidParameter('ContentBasedDeduplication Reason: Invalid value. Must be true or false');
      return value.toLowerCase();
    case 'SignatureVersion':
      if (value !== '1' && value !== '2') throw invalidParameter('SignatureVersion');
      return value;
    case 'DisplayName':
      if (value.length > 100) throw invalidParameter('DisplayName');
      return value;
    case 'FifoThroughputScope':
      if (value !== 'Topic' && value !== 'MessageGroup') throw invalidParameter('FifoThroughputScope');
      return value;
    case 'Policy':
    case 'DeliveryPolicy':
    case 'ArchivePolicy':
      if (value === '') return value;
      try {
        const doc = JSON.parse(value);
        if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not an object');
      } catch {
        throw invalidParameter(`${name}: failed to parse JSON`);
      }
      if (name === 'DeliveryPolicy') checkDeliveryPolicy(value, 'topic');
      if (name === 'Policy' && parsePolicy(value)!.Statement.some((st) => !st || typeof st !== 'object' || Array.isArray(st))) {
        throw invalidParameter('Policy Error: every statement must be an object');
      }
      return value;
    default:
      return value;
  }
}

/** The topic's policy as a document to change; a stored policy that does not parse starts over from the default. */
function currentPolicy(r: TopicRecord): PolicyDocument {
  return parsePolicy(r.attributes.Policy) ?? parsePolicy(defaultPolicy(r))!;
}

/** A data-protection policy must be a JSON object ('' clears it). */
export function checkDataProtectionPolicy(value: string): string {
  if (value === '') return value;
  try {
    const doc = JSON.parse(value);
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) return value;
  } catch {
    // answered below
  }
  throw invalidParameter('DataProtectionPolicy: failed to parse JSON');
}

function checkTags(tags: Record<string, string>, existing: Record<string, string>): void {
  for (const [k, v] of Object.entries(tags)) {
    if (k.length < 1 || k.length > 128 || k.toLowerCase().startsWith('aws:')) throw invalidParameter(`Tags Reason: Tag key ${k} is invalid`);
    if (v.length > 256) throw invalidParameter(`Tags Reason: Tag value for key ${k} is too long`);
  }
  if (Object.keys({ ...existing, ...tags }).length > MAX_TAGS) throw new TagLimitExceeded('Could not complete request: tag quota of per resource exceeded');
}

/** SNS's refusal of an action on a topic. */
function notAuthorized(ctx: RequestContext, action: string, arn: string, why: string) {
  return new AuthorizationError(`User: arn:aws:iam::${ctx.accountId}:root is not authorized to perform: SNS:${action} on resource: ${arn} ${why}`);
}
