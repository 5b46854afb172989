/**
 * SNS's storage interface: topics, subscriptions, the messages a Publish committed with their
 * pending deliveries (the fan-out outbox), and FIFO deduplication entries. No SQL in sight.
 * Every method answers a Promise. A method that writes takes the write's transaction first (it
 * runs inside Store.write: one group commit); a read takes it last when it runs inside a
 * write, so a networked backend reads that write's own changes.
 */
import type { Tx } from '../../store/store.js';

export interface TopicRecord {
  arn: string;
  account: string;
  region: string;
  name: string;
  /** The settable attributes as given (DisplayName, Policy, FifoTopic, ...), strings as AWS returns them. */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdAt: number;
}

export interface SubscriptionRecord {
  arn: string;
  topicArn: string;
  /** The subscriber's account. */
  owner: string;
  protocol: string;
  endpoint: string;
  /** RawMessageDelivery, FilterPolicy, FilterPolicyScope, RedrivePolicy, ... as set. */
  attributes: Record<string, string>;
  createdAt: number;
  /** HTTP/HTTPS: waiting for the endpoint to confirm (ConfirmSubscription or its SubscribeURL). */
  pending?: boolean;
  /** The confirmation token (HTTP/HTTPS), the credential of ConfirmSubscription and the SubscribeURL. */
  token?: string;
  /** The credential of the subscription's UnsubscribeURL. */
  unsubscribeToken?: string;
}

/** A published message as its deliveries need it. */
export interface StoredMessage {
  messageId: string;
  topicArn: string;
  /** The message (the `default` one under MessageStructure=json). */
  message: string;
  /** MessageStructure=json: the message per protocol (`sqs`, `lambda`, ...), `default` included. */
  perProtocol?: Record<string, string>;
  subject?: string;
  attributes: SnsMessageAttributes;
  /** Epoch ms of the Publish. */
  timestamp: number;
  groupId?: string;
  dedupId?: string;
  sequenceNumber?: string;
  /** Absent for a Notification; a SubscriptionConfirmation carries its subscription's token. */
  type?: 'SubscriptionConfirmation';
  token?: string;
  /** The topic's SignatureVersion when the message was published ('1' when absent). */
  signatureVersion?: '1' | '2';
}

export interface SnsMessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Buffer;
}
export type SnsMessageAttributes = Record<string, SnsMessageAttributeValue>;

/** One pending delivery of a message to one subscription's endpoint, snapshotted at publish. */
export interface DeliveryRecord {
  id: number;
  messageRow: number;
  subscriptionArn: string;
  protocol: string;
  endpoint: string;
  raw: boolean;
  /** The subscription's dead-letter queue (its RedrivePolicy) when it had one. */
  dlqArn: string | null;
  attempts: number;
  /** Epoch ms before which the delivery is not tried again. */
  nextAt: number;
}

export type NewDelivery = Omit<DeliveryRecord, 'id' | 'messageRow' | 'attempts' | 'nextAt'>;

export interface DedupEntry {
  messageId: string;
  sequenceNumber: string;
  expiresAt: number;
}

/** A failed delivery attempt to record: the delivery is tried again at `nextAt`. */
export interface DeliveryRetry {
  id: number;
  attempts: number;
  nextAt: number;
}

export interface SnsRepo {
  /** Every topic (the engine keeps them in memory). */
  loadTopics(tx?: Tx): Promise<TopicRecord[]>;
  /** Topics of an account and region in ARN order, after `afterArn`. */
  listTopics(account: string, region: string, afterArn: string, limit: number, tx?: Tx): Promise<TopicRecord[]>;
  /** Inserts a topic, or updates its attributes and tags. */
  putTopic(tx: Tx, t: TopicRecord): Promise<void>;
  /** Removes the topic, its subscriptions (and what was still to deliver to them) and its deduplication entries. */
  deleteTopic(tx: Tx, arn: string): Promise<void>;
  /** Allocates the topic's next FIFO sequence number, durably in the calling write. */
  nextTopicSeq(tx: Tx, arn: string): Promise<number>;

  /** Every subscription (the engine keeps them in memory). */
  loadSubscriptions(tx?: Tx): Promise<SubscriptionRecord[]>;
  /** Subscriptions of an account and region (by topic ARN) in ARN order, after `afterArn`. */
  listSubscriptions(account: string, region: string, afterArn: string, limit: number, tx?: Tx): Promise<SubscriptionRecord[]>;
  /** A topic's subscriptions in ARN order, after `afterArn`. */
  listSubscriptionsOfTopic(topicArn: string, afterArn: string, limit: number, tx?: Tx): Promise<SubscriptionRecord[]>;
  /** Inserts a subscription, or updates its attributes, pending state and tokens. */
  putSubscription(tx: Tx, s: SubscriptionRecord): Promise<void>;
  /** Removes the subscription and what was still to deliver to it. */
  deleteSubscription(tx: Tx, arn: string): Promise<void>;
  /** Removes subscriptions still pending confirmation that were created before `before`; answers their ARNs. */
  expirePending(tx: Tx, before: number): Promise<string[]>;

  /** Stores a message with its deliveries (due at `now`); nothing when there are none. */
  insertMessage(tx: Tx, m: StoredMessage, deliveries: NewDelivery[], now: number): Promise<void>;
  /** Whether a subscription has pending deliveries. */
  hasPendingDeliveries(subscriptionArn: string, tx?: Tx): Promise<boolean>;
  /** The subscriptions (by ARN) that have pending deliveries. */
  subscriptionsWithPending(tx?: Tx): Promise<string[]>;
  /**
   * A subscription's pending deliveries (due or not) in publish order, a page after
   * `afterId`, each with its message (decoded when asked: undefined if the message row is gone).
   */
  deliveriesOf(subscriptionArn: string, afterId: number, limit: number, tx?: Tx): Promise<Array<{ delivery: DeliveryRecord; message: () => StoredMessage | undefined }>>;
  /**
   * Records what a lane's attempts came to in one call: `finished` deliveries are removed
   * (delivered, dead-lettered or dropped), each message once no delivery needs it; `retries`
   * are tried again at their time.
   */
  settleDeliveries(tx: Tx, finished: number[], retries: DeliveryRetry[]): Promise<void>;

  getDedup(topicArn: string, dedupId: string, tx?: Tx): Promise<DedupEntry | undefined>;
  putDedup(tx: Tx, topicArn: string, dedupId: string, e: DedupEntry): Promise<void>;
  /** Drops deduplication entries that expired at or before `now`. */
  sweepDedup(tx: Tx, now: number): Promise<void>;
}
