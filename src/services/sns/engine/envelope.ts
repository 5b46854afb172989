/**
 * What subscribers receive, in SNS's shapes: the JSON envelope (SQS and HTTP without raw
 * delivery), the SubscriptionConfirmation, the Lambda event, and message attributes as each
 * sink carries them. Pure functions of the message, its signature and the links.
 */
import type { SnsMessageAttributes, StoredMessage } from '../repo.js';

/** Where Nimbus serves what HTTP subscribers are sent (besides SNS's own `/?Action=` links). */
export const LINKS_PREFIX = '/_nimbus/sns/';
export const CERT_PATH = `${LINKS_PREFIX}SimpleNotificationService.pem`;

/** The links messages carry, on Nimbus's own endpoint (known once it listens). */
export class Links {
  constructor(private readonly endpoint: () => string) {}

  cert(): string {
    return `${this.endpoint()}${CERT_PATH}`;
  }

  subscribe(m: StoredMessage): string {
    return `${this.endpoint()}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(m.topicArn)}&Token=${m.token}`;
  }

  /** The UnsubscribeURL; its token (when the subscription has one) is the credential. */
  unsubscribe(subscriptionArn: string, token: string | undefined): string {
    return `${this.endpoint()}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscriptionArn)}${token ? `&Token=${token}` : ''}`;
  }
}

/** The message a protocol gets: its own under MessageStructure=json, else the message. */
export function messageFor(m: StoredMessage, protocol: string): string {
  return m.perProtocol?.[protocol] ?? m.message;
}

/** What a delivery adds to its message: the signature and the links the envelope carries. */
export interface EnvelopeParts {
  signature: string;
  signingCertUrl: string;
  unsubscribeUrl: string;
}

export const isoTime = (ms: number) => new Date(ms).toISOString();

/** The SignatureVersion a message was signed with. */
export const signatureVersion = (m: StoredMessage) => m.signatureVersion ?? '1';

/** The SNS JSON envelope an SQS queue or HTTP endpoint (without raw delivery) receives. */
export function envelope(m: StoredMessage, protocol: string, parts: EnvelopeParts): string {
  return layout({
    Type: 'Notification',
    MessageId: m.messageId,
    SequenceNumber: m.sequenceNumber,
    TopicArn: m.topicArn,
    Subject: m.subject,
    Message: messageFor(m, protocol),
    Timestamp: isoTime(m.timestamp),
    SignatureVersion: signatureVersion(m),
    Signature: parts.signature,
    SigningCertURL: parts.signingCertUrl,
    UnsubscribeURL: parts.unsubscribeUrl,
    MessageAttributes: Object.keys(m.attributes).length ? envelopeAttributes(m.attributes) : undefined,
  });
}

/** The SubscriptionConfirmation an HTTP/HTTPS endpoint receives. */
export function confirmation(m: StoredMessage, subscribeUrl: string, signature: string, signingCertUrl: string): string {
  return layout({
    Type: 'SubscriptionConfirmation',
    MessageId: m.messageId,
    Token: m.token,
    TopicArn: m.topicArn,
    Message: m.message,
    SubscribeURL: subscribeUrl,
    Timestamp: isoTime(m.timestamp),
    SignatureVersion: signatureVersion(m),
    Signature: signature,
    SigningCertURL: signingCertUrl,
  });
}

/** The event a Lambda subscriber is invoked with. */
export function lambdaEvent(m: StoredMessage, subscriptionArn: string, parts: EnvelopeParts) {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: 'Notification',
          MessageId: m.messageId,
          TopicArn: m.topicArn,
          Subject: m.subject ?? null,
          Message: messageFor(m, 'lambda'),
          Timestamp: isoTime(m.timestamp),
          SignatureVersion: signatureVersion(m),
          Signature: parts.signature,
          SigningCertUrl: parts.signingCertUrl,
          UnsubscribeUrl: parts.unsubscribeUrl,
          MessageAttributes: envelopeAttributes(m.attributes),
        },
      },
    ],
  };
}

/** SNS's own JSON layout: one member a line (undefined members left out). */
function layout(fields: Record<string, unknown>): string {
  let out = '{';
  let first = true;
  for (const k in fields) {
    const v = fields[k];
    if (v === undefined) continue;
    out += `${first ? '\n' : ',\n'}  "${k}" : ${JSON.stringify(v)}`;
    first = false;
  }
  return `${out}\n}`;
}

/** Message attributes as the envelope and the Lambda event carry them: `{Type, Value}`, binary as base64. */
function envelopeAttributes(attributes: SnsMessageAttributes): Record<string, { Type: string; Value: string }> {
  const out: Record<string, { Type: string; Value: string }> = {};
  for (const [k, a] of Object.entries(attributes)) out[k] = { Type: a.DataType, Value: a.BinaryValue ? a.BinaryValue.toString('base64') : (a.StringValue ?? '') };
  return out;
}

/**
 * What a queue is sent for a message: the bare message with its attributes (raw delivery) or
 * the envelope; the group, and for a FIFO queue the deduplication id, of a FIFO topic's message.
 */
export function queueMessage(m: StoredMessage, raw: boolean, queueArn: string, parts: EnvelopeParts | undefined) {
  return {
    body: raw ? messageFor(m, 'sqs') : envelope(m, 'sqs', parts!),
    ...(raw && Object.keys(m.attributes).length ? { messageAttributes: sqsAttributes(m.attributes) } : {}),
    ...(m.groupId !== undefined ? { groupId: m.groupId } : {}),
    ...(queueArn.endsWith('.fifo') && m.dedupId !== undefined ? { dedupId: m.dedupId } : {}),
  };
}

/** Message attributes as SQS message attributes (raw delivery). */
function sqsAttributes(attributes: SnsMessageAttributes) {
  const out: Record<string, { DataType: string; StringValue?: string; BinaryValue?: Buffer }> = {};
  for (const [k, a] of Object.entries(attributes)) out[k] = a.BinaryValue ? { DataType: a.DataType, BinaryValue: a.BinaryValue } : { DataType: a.DataType, StringValue: a.StringValue ?? '' };
  return out;
}
