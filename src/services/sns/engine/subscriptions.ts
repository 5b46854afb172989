/**
 * Subscriptions: Subscribe (to the protocols that have a sink in sinks.ts: SQS queues,
 * Lambda functions and HTTP/HTTPS endpoints), ConfirmSubscription, Unsubscribe,
 * listing, and the subscription attributes that shape delivery (RawMessageDelivery,
 * FilterPolicy and its scope, RedrivePolicy). SQS and Lambda subscriptions are confirmed at
 * once, as in AWS for endpoints of the topic's own account; an HTTP/HTTPS subscription stays
 * pending until its endpoint confirms it with the token of the SubscriptionConfirmation that
 * is queued (in the same write) in the delivery outbox. Unconfirmed ones expire after 3 days.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { parseArn } from '../../../lib/arn.js';
import type { Clock } from '../../../lib/clock.js';
import type { EventPattern } from '../../../lib/event-pattern.js';
import type { Ids } from '../../../lib/ids.js';
import type { Store, Tx } from '../../../store/store.js';
import type { RequestContext } from '../../service.js';
import { AuthorizationError, invalidParameter, NotFound } from '../errors.js';
import type { SnsRepo, SubscriptionRecord } from '../repo.js';
import { compileFilterPolicy, type FilterPolicyScope } from './filter-policy.js';
import { checkDeliveryPolicy, DEFAULT_DELIVERY_POLICY } from './retry-policy.js';
import { accountOf, SINKS } from './sinks.js';
import { decodeToken, encodeToken, PAGE, type Topic } from './topics.js';

/** Every protocol SNS knows; those Nimbus delivers to have a sink (sinks.ts). */
const PROTOCOLS = new Set(['http', 'https', 'email', 'email-json', 'sms', 'sqs', 'application', 'lambda', 'firehose']);
/** How long an unconfirmed subscription lives. */
export const PENDING_TTL_MS = 3 * 86_400_000;

/** An unguessable token: the credential of the SubscribeURL and the UnsubscribeURL. */
const newToken = () => randomBytes(64).toString('hex');

/** Compares a presented token with the stored one in constant time. */
export function tokenMatches(stored: string | undefined, given: string | undefined): boolean {
  if (!stored || !given) return false;
  const a = Buffer.from(stored);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The message a SubscriptionConfirmation carries. */
export const confirmationText = (topicArn: string) =>
  `You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`;
const SETTABLE = new Set(['DeliveryPolicy', 'FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery', 'RedrivePolicy', 'SubscriptionRoleArn', 'ReplayPolicy']);

/** What delivery needs to know about a subscription, derived from its attributes. */
export interface SubscriptionView extends SubscriptionRecord {
  raw: boolean;
  scope: FilterPolicyScope;
  dlqArn: string | null;
  /** The account of the topic (the aws:SourceAccount of its deliveries). */
  topicOwner: string;
}

export class Subscriptions {
  /** Compiled filter policies by subscription ARN, with the text and scope they were compiled from. */
  private readonly policies = new Map<string, { text: string; scope: FilterPolicyScope; pattern: EventPattern }>();

  /** Views by record: records are shared and never changed (a change makes a new one). */
  private readonly views = new WeakMap<SubscriptionRecord, SubscriptionView>();

  /**
   * Every subscription by ARN, and each topic's in ARN order (every Publish reads them; a
   * topic's array is replaced, never changed, so a publish can tell it changed). Empty until
   * loaded: the plugin registers `reload` with the store's caches, which loads them once and
   * again whenever the stored subscriptions may differ (write fns below update them as their
   * last step, after every repo call).
   */
  private byArn = new Map<string, SubscriptionRecord>();
  private byTopic = new Map<string, readonly SubscriptionRecord[]>();

  constructor(
    private readonly repo: SnsRepo,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: Ids,
    /** Whether a topic exists. */
    private readonly topicExists: (topicArn: string) => boolean,
    /** Called after a commit that queued a SubscriptionConfirmation for the subscription. */
    private readonly confirmationQueued: (subscriptionArn: string) => void,
  ) {}

  /** Rebuilds the registry from the store. */
  async reload(): Promise<void> {
    const records = await this.repo.loadSubscriptions();
    const byArn = new Map<string, SubscriptionRecord>();
    const byTopic = new Map<string, SubscriptionRecord[]>();
    for (const r of records) {
      Object.freeze(r);
      byArn.set(r.arn, r);
      let list = byTopic.get(r.topicArn);
      if (!list) byTopic.set(r.topicArn, (list = []));
      list.push(r);
    }
    for (const list of byTopic.values()) Object.freeze(list.sort((a, b) => cmp(a.arn, b.arn)));
    this.byArn = byArn;
    this.byTopic = byTopic;
  }

  /** The subscription an ARN names, if it exists (shared and read-only). */
  get(arn: string): SubscriptionRecord | undefined {
    return this.byArn.get(arn);
  }

  /** A topic's subscriptions in ARN order (shared and read-only). */
  ofTopic(topicArn: string): readonly SubscriptionRecord[] {
    return this.byTopic.get(topicArn) ?? NONE;
  }

  /** Writes a subscription and, once written, makes it the registry's. */
  private async put(tx: Tx, s: SubscriptionRecord): Promise<void> {
    const frozen = Object.freeze(s);
    await this.repo.putSubscription(tx, frozen);
    this.byArn.set(frozen.arn, frozen);
    const list = this.ofTopic(frozen.topicArn).filter((x) => x.arn !== frozen.arn);
    list.push(frozen);
    this.byTopic.set(frozen.topicArn, Object.freeze(list.sort((a, b) => cmp(a.arn, b.arn))));
  }

  /** Drops subscriptions from the registry (deleted in the running write). */
  private forget(arns: string[]): void {
    const topics = new Set<string>();
    for (const arn of arns) {
      const s = this.byArn.get(arn);
      if (!s) continue;
      this.byArn.delete(arn);
      this.policies.delete(arn);
      topics.add(s.topicArn);
    }
    for (const topicArn of topics) {
      const list = this.ofTopic(topicArn).filter((x) => this.byArn.has(x.arn));
      if (list.length) this.byTopic.set(topicArn, Object.freeze(list));
      else this.byTopic.delete(topicArn);
    }
  }

  /** A topic was deleted (in the running write), and its subscriptions with it. */
  topicDeleted(topicArn: string): void {
    this.forget(this.ofTopic(topicArn).map((s) => s.arn));
  }

  async subscribe(topic: Topic, ctx: RequestContext, protocol: string, endpoint: string | undefined, given: Record<string, string>): Promise<SubscriptionRecord> {
    if (!PROTOCOLS.has(protocol)) throw invalidParameter(`Amazon SNS does not support this protocol string: ${protocol}`);
    const sink = SINKS[protocol];
    if (!sink) throw invalidParameter(`Protocol Reason: Nimbus does not deliver to ${protocol} subscriptions yet (${Object.keys(SINKS).join(', ')} are supported)`);
    sink.checkEndpoint(endpoint, topic);
    const confirms = sink.confirms;
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(given)) attributes[k] = checkAttribute(protocol, k, v);
    checkCombination(attributes);
    const s = await this.store.write(async (tx) => {
      const existing = this.ofTopic(topic.arn).find((s) => s.protocol === protocol && s.endpoint === endpoint);
      if (existing) {
        if (Object.entries(attributes).some(([k, v]) => (existing.attributes[k] ?? '') !== v)) {
          throw invalidParameter('Attributes Reason: Subscription already exists with different attributes');
        }
        // A subscription still pending is sent its confirmation again, as SNS does.
        if (existing.pending) await this.queueConfirmation(tx, existing, topic);
        return existing;
      }
      const s: SubscriptionRecord = {
        arn: `${topic.arn}:${this.ids.uuid()}`,
        topicArn: topic.arn,
        owner: ctx.accountId,
        protocol,
        endpoint: endpoint!,
        attributes: confirms ? { ...attributes, ConfirmationWasAuthenticated: 'false' } : attributes,
        createdAt: this.clock.now(),
        unsubscribeToken: newToken(),
        ...(confirms ? { pending: true, token: newToken() } : {}),
      };
      if (s.pending) await this.queueConfirmation(tx, s, topic);
      await this.put(tx, s);
      return s;
    });
    if (s.pending) this.confirmationQueued(s.arn);
    return s;
  }

  /** Puts a SubscriptionConfirmation for a pending subscription in the outbox (inside a write). */
  private async queueConfirmation(tx: Tx, s: SubscriptionRecord, topic: Topic): Promise<void> {
    const now = this.clock.now();
    await this.repo.insertMessage(
      tx,
      {
        type: 'SubscriptionConfirmation',
        token: s.token!,
        messageId: this.ids.uuid(),
        topicArn: s.topicArn,
        message: confirmationText(s.topicArn),
        attributes: {},
        timestamp: now,
        ...(topic.attributes.SignatureVersion === '2' ? { signatureVersion: '2' as const } : {}),
      },
      [{ subscriptionArn: s.arn, protocol: s.protocol, endpoint: s.endpoint, raw: false, dlqArn: null }],
      now,
    );
  }

  /**
   * ConfirmSubscription (and the SubscribeURL): the token is the credential. Confirming again
   * with the same token answers the same subscription.
   */
  async confirm(topicArn: string, token: string, how: { signed: boolean; authenticateOnUnsubscribe: boolean }): Promise<SubscriptionRecord> {
    return this.store.write(async (tx) => {
      if (!this.topicExists(topicArn)) throw new NotFound('Topic does not exist');
      const s = this.ofTopic(topicArn).find((x) => tokenMatches(x.token, token));
      if (!s) throw invalidParameter('Token');
      if (!s.pending) return s;
      const confirmed: SubscriptionRecord = {
        ...s,
        pending: false,
        attributes: {
          ...s.attributes,
          ConfirmationWasAuthenticated: how.signed ? 'true' : 'false',
          ...(how.authenticateOnUnsubscribe ? { [AUTHENTICATE_ON_UNSUBSCRIBE]: 'true' } : {}),
        },
      };
      await this.put(tx, confirmed);
      return confirmed;
    });
  }

  /**
   * The UnsubscribeURL: its token is the credential. A subscription confirmed with
   * AuthenticateOnUnsubscribe can only be removed by a signed Unsubscribe.
   */
  async unsubscribeByToken(arn: string, token: string | undefined): Promise<SubscriptionRecord> {
    const s = this.get(arn);
    if (!s || !tokenMatches(s.unsubscribeToken, token)) throw new NotFound('Subscription does not exist');
    if (s.attributes[AUTHENTICATE_ON_UNSUBSCRIBE] === 'true') {
      throw new AuthorizationError('This subscription requires an authenticated Unsubscribe request');
    }
    await this.unsubscribe(s);
    return s;
  }

  /** Drops subscriptions left unconfirmed past their three days. */
  async expire(): Promise<void> {
    const before = this.clock.now() - PENDING_TTL_MS;
    await this.store.write(async (tx) => this.forget(await this.repo.expirePending(tx, before)));
  }

  /** The subscription an ARN names, for its owner or its topic's owner. */
  resolve(arn: string, ctx: RequestContext): SubscriptionRecord {
    const a = parseArn(arn);
    if (!a || a.service !== 'sns' || a.resource.split(':').length !== 2) throw invalidParameter('SubscriptionArn');
    const s = this.get(arn);
    // Another account's ARN is refused whether or not it names a subscription, so the refusal
    // tells nothing of what exists there.
    if (!s && a.account !== ctx.accountId) throw new AuthorizationError(`User: arn:aws:iam::${ctx.accountId}:root is not authorized to access this subscription`);
    if (!s) throw new NotFound('Subscription does not exist');
    if (s.owner !== ctx.accountId && a.account !== ctx.accountId) {
      throw new AuthorizationError(`User: arn:aws:iam::${ctx.accountId}:root is not authorized to access this subscription`);
    }
    return s;
  }

  async unsubscribe(s: SubscriptionRecord): Promise<void> {
    await this.store.write(async (tx) => {
      await this.repo.deleteSubscription(tx, s.arn);
      this.forget([s.arn]);
    });
  }

  async list(ctx: RequestContext, nextToken: string | undefined): Promise<{ subscriptions: SubscriptionRecord[]; next?: string }> {
    return page(await this.repo.listSubscriptions(ctx.accountId, ctx.region, decodeToken(nextToken), PAGE + 1));
  }

  async listByTopic(topic: Topic, nextToken: string | undefined): Promise<{ subscriptions: SubscriptionRecord[]; next?: string }> {
    return page(await this.repo.listSubscriptionsOfTopic(topic.arn, decodeToken(nextToken), PAGE + 1));
  }

  /** Every attribute GetSubscriptionAttributes shows. */
  attributes(s: SubscriptionRecord, topic: Topic | undefined): Record<string, string> {
    const a = s.attributes;
    return {
      ConfirmationWasAuthenticated: 'true',
      PendingConfirmation: s.pending ? 'true' : 'false',
      Owner: s.owner,
      RawMessageDelivery: 'false',
      TopicArn: s.topicArn,
      Endpoint: s.endpoint,
      Protocol: s.protocol,
      SubscriptionPrincipal: `arn:aws:iam::${s.owner}:root`,
      SubscriptionArn: s.arn,
      EffectiveDeliveryPolicy: a.DeliveryPolicy ?? topic?.attributes.DeliveryPolicy ?? DEFAULT_DELIVERY_POLICY,
      ...shown(a),
      ...(a.FilterPolicy ? { FilterPolicyScope: a.FilterPolicyScope ?? 'MessageAttributes' } : {}),
    };
  }

  async setAttribute(s: SubscriptionRecord, name: string, value: string | undefined): Promise<void> {
    if (!SETTABLE.has(name)) throw invalidParameter('AttributeName');
    const checked = checkAttribute(s.protocol, name, value ?? '', true);
    await this.store.write(async (tx) => {
      const current = this.get(s.arn);
      if (!current) throw new NotFound('Subscription does not exist');
      const attributes = { ...current.attributes };
      if (checked === '') delete attributes[name];
      else attributes[name] = checked;
      checkCombination(attributes);
      await this.put(tx, { ...current, attributes });
    });
  }

  /** A subscription with what delivery needs, derived. */
  view(s: SubscriptionRecord): SubscriptionView {
    let v = this.views.get(s);
    if (!v) {
      const redrive = s.attributes.RedrivePolicy ? (JSON.parse(s.attributes.RedrivePolicy) as { deadLetterTargetArn: string }) : undefined;
      v = { ...s, raw: s.attributes.RawMessageDelivery === 'true', scope: scopeOf(s.attributes), dlqArn: redrive?.deadLetterTargetArn ?? null, topicOwner: accountOf(s.topicArn) };
      this.views.set(s, v);
    }
    return v;
  }

  /** The subscription's compiled filter policy, if it has one (compiled once per policy text). */
  filterPolicy(s: SubscriptionRecord): EventPattern | undefined {
    const text = s.attributes.FilterPolicy;
    if (!text) return undefined;
    const scope = scopeOf(s.attributes);
    const cached = this.policies.get(s.arn);
    if (cached && cached.text === text && cached.scope === scope) return cached.pattern;
    const pattern = compileFilterPolicy(text, scope);
    this.policies.set(s.arn, { text, scope, pattern });
    return pattern;
  }
}

/**
 * Kept among the attributes but not shown: the confirmation asked that only a signed
 * Unsubscribe may remove the subscription (ConfirmSubscription's AuthenticateOnUnsubscribe).
 */
const AUTHENTICATE_ON_UNSUBSCRIBE = 'nimbus:AuthenticateOnUnsubscribe';

function shown(a: Record<string, string>): Record<string, string> {
  if (!(AUTHENTICATE_ON_UNSUBSCRIBE in a)) return a;
  const { [AUTHENTICATE_ON_UNSUBSCRIBE]: _hidden, ...rest } = a;
  return rest;
}

const NONE: readonly SubscriptionRecord[] = Object.freeze([]);

/** ARNs compare by UTF-16 code unit, as SQLite's default collation orders them (byte order for ASCII). */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const scopeOf = (a: Record<string, string>): FilterPolicyScope => (a.FilterPolicyScope === 'MessageBody' ? 'MessageBody' : 'MessageAttributes');

function page(rows: SubscriptionRecord[]): { subscriptions: SubscriptionRecord[]; next?: string } {
  const subscriptions = rows.slice(0, PAGE);
  return { subscriptions, next: rows.length > PAGE ? encodeToken(subscriptions[subscriptions.length - 1]!.arn) : undefined };
}

/** Checks one subscription attribute; answers its value as stored ('' removes it on a set). */
function checkAttribute(protocol: string, name: string, value: string, setting = false): string {
  if (!SETTABLE.has(name)) throw invalidParameter(setting ? 'AttributeName' : `Attributes Reason: Unknown attribute ${name}`);
  switch (name) {
    case 'RawMessageDelivery':
      if (!/^(true|false)$/i.test(value)) throw invalidParameter('Attributes Reason: RawMessageDelivery: Invalid value [' + value + ']. Must be true or false.');
      if (SINKS[protocol]?.raw === false && value.toLowerCase() === 'true') throw invalidParameter(`Attributes Reason: Delivery protocol [${protocol}] does not support raw message delivery.`);
      return value.toLowerCase();
    case 'DeliveryPolicy':
      if (value !== '') checkDeliveryPolicy(value, 'subscription');
      return value;
    case 'FilterPolicyScope':
      if (value !== 'MessageAttributes' && value !== 'MessageBody') {
        throw invalidParameter(`Attributes Reason: FilterPolicyScope: Invalid value [${value}]. Please use either MessageBody or MessageAttributes`);
      }
      return value;
    case 'RedrivePolicy': {
      if (value === '') return value;
      let target: unknown;
      try {
        target = JSON.parse(value)?.deadLetterTargetArn;
      } catch {
        throw invalidParameter('RedrivePolicy: failed to parse JSON');
      }
      const a = typeof target === 'string' ? parseArn(target) : undefined;
      if (!a || a.service !== 'sqs') throw invalidParameter('RedrivePolicy: deadLetterTargetArn is invalid');
      return value;
    }
    default:
      return value;
  }
}

/** A filter policy must compile under the scope it will be used with. */
function checkCombination(attributes: Record<string, string>): void {
  if (attributes.FilterPolicy) compileFilterPolicy(attributes.FilterPolicy, scopeOf(attributes));
}
