/**
 * SNS's storage interface: topics, subscriptions, the messages a Publish committed with their
 * pending deliveries (the fan-out outbox), and FIFO deduplication entries. No SQL in sight;
 * every mutating method is called from inside Store.write (one group commit).
 */

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

export interface SnsRepo {
  /** The topic (shared and read-only: callers must not change it). */
  getTopic(arn: string): TopicRecord | undefined;
  /** Topics of an account and region in ARN order, after `afterArn`. */
  listTopics(account: string, region: string, afterArn: string, limit: number): TopicRecord[];
  putTopic(t: TopicRecord): void;
  /** Removes the topic, its subscriptions (and what was still to deliver to them) and its deduplication entries. */
  deleteTopic(arn: string): void;
  /** Allocates the topic's next FIFO sequence number, durably in the calling write. */
  nextTopicSeq(arn: string): number;

  getSubscription(arn: string): SubscriptionRecord | undefined;
  /** A topic's subscriptions in ARN order (shared and read-only: callers must not change them). */
  subscriptionsOfTopic(topicArn: string): readonly SubscriptionRecord[];
  /** Subscriptions of an account and region (by topic ARN) in ARN order, after `afterArn`. */
  listSubscriptions(account: string, region: string, afterArn: string, limit: number): SubscriptionRecord[];
  /** A topic's subscriptions in ARN order, after `afterArn`. */
  listSubscriptionsOfTopic(topicArn: string, afterArn: string, limit: number): SubscriptionRecord[];
  putSubscription(s: SubscriptionRecord): void;
  /** Removes the subscription and what was still to deliver to it. */
  deleteSubscription(arn: string): void;
  /** Removes subscriptions still pending confirmation that were created before `before`. */
  expirePending(before: number): void;

  /** Stores a message with its deliveries (due at `now`); nothing when there are none. */
  insertMessage(m: StoredMessage, deliveries: NewDelivery[], now: number): void;
  /** Whether a subscription has pending deliveries. */
  hasPendingDeliveries(subscriptionArn: string): boolean;
  /** The subscriptions (by ARN) that have pending deliveries. */
  subscriptionsWithPending(): string[];
  /**
   * A subscription's pending deliveries (due or not) in publish order, a page after
   * `afterId`, each with its message (read when asked: undefined if the message row is gone).
   */
  deliveriesOf(subscriptionArn: string, afterId: number, limit: number): Array<{ delivery: DeliveryRecord; message: () => StoredMessage | undefined }>;
  /** Removes deliveries that are done (delivered, dead-lettered or dropped), and each message once no delivery needs it. */
  finishDeliveries(ids: number[]): void;
  /** Records a failed attempt: the delivery is tried again at `nextAt`. */
  retryDelivery(id: number, attempts: number, nextAt: number): void;

  getDedup(topicArn: string, dedupId: string): DedupEntry | undefined;
  putDedup(topicArn: string, dedupId: string, e: DedupEntry): void;
  sweepDedup(now: number): void;
}
