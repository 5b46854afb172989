/**
 * Publish and PublishBatch input: each message is checked (size, subject, structure,
 * attributes, the FIFO parameters) with SNS's errors before publisher.ts commits it.
 */
import { createHash } from 'node:crypto';
import { InvalidParameterValue, invalidParameter } from '../errors.js';
import type { SnsMessageAttributes, StoredMessage } from '../repo.js';
import type { Topic } from './topics.js';

/** 256 KiB: the message and its attributes (names, types and values) together. */
export const MAX_MESSAGE_BYTES = 262144;
const MAX_ATTRIBUTES = 10;
const FIFO_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export interface PublishInput {
  Message?: string;
  Subject?: string;
  MessageStructure?: string;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: Buffer }>;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

/** A message checked and ready to commit (its id, time and sequence come at commit). */
export type PreparedPublish = Omit<StoredMessage, 'messageId' | 'topicArn' | 'timestamp' | 'sequenceNumber'> & { size: number };

export interface PublishResult {
  MessageId: string;
  SequenceNumber?: string;
}

/** Checks one message for a topic; throws SNS's error for the first problem. */
export function preparePublish(topic: Topic, input: PublishInput): PreparedPublish {
  const text = input.Message;
  if (text === undefined || text === '') throw invalidParameter('Empty message');
  let message = text;
  let perProtocol: Record<string, string> | undefined;
  if (input.MessageStructure !== undefined) {
    if (input.MessageStructure !== 'json') throw invalidParameter('MessageStructure');
    perProtocol = parseStructure(text);
    message = perProtocol.default!;
  }
  if (input.Subject !== undefined && (input.Subject === '' || input.Subject.length > 100 || !/^[\x20-\x7e]*$/.test(input.Subject))) {
    throw invalidParameter('Subject');
  }
  const attributes = checkAttributes(input.MessageAttributes ?? {});
  const size = Buffer.byteLength(text) + attributesSize(attributes);
  if (size > MAX_MESSAGE_BYTES) throw invalidParameter('Message too long');
  const out: PreparedPublish = { message, attributes, size };
  if (perProtocol) out.perProtocol = perProtocol;
  if (input.Subject !== undefined) out.subject = input.Subject;
  if (input.MessageGroupId !== undefined) {
    if (!FIFO_ID.test(input.MessageGroupId)) {
      throw invalidParameter('MessageGroupId Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.');
    }
    out.groupId = input.MessageGroupId;
  }
  if (topic.fifo) {
    if (out.groupId === undefined) throw invalidParameter('The MessageGroupId parameter is required for FIFO topics');
    if (input.MessageDeduplicationId !== undefined) {
      if (!FIFO_ID.test(input.MessageDeduplicationId)) {
        throw invalidParameter('MessageDeduplicationId Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.');
      }
      out.dedupId = input.MessageDeduplicationId;
    } else if (topic.contentBasedDedup) {
      out.dedupId = createHash('sha256').update(text, 'utf8').digest('hex');
    } else {
      throw invalidParameter('The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    }
  } else if (input.MessageDeduplicationId !== undefined) {
    throw invalidParameter('MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type');
  }
  return out;
}

/** MessageStructure=json: an object of strings with a `default` one. */
function parseStructure(text: string): Record<string, string> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalidParameter('Message Structure - JSON message body failed to parse');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalidParameter('Message Structure - JSON message body failed to parse');
  const entries = doc as Record<string, unknown>;
  if (typeof entries.default !== 'string') throw invalidParameter('Message Structure - No default entry in JSON message body');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entries)) if (typeof v === 'string') out[k] = v;
  return out;
}

function checkAttributes(given: NonNullable<PublishInput['MessageAttributes']>): SnsMessageAttributes {
  const names = Object.keys(given);
  if (names.length > MAX_ATTRIBUTES) throw invalidParameter(`MessageAttributes Reason: Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`);
  const out: SnsMessageAttributes = {};
  for (const name of names) {
    const v = given[name]!;
    if (!ATTRIBUTE_NAME.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..') || /^(aws\.|amazon\.)/i.test(name)) {
      throw new InvalidParameterValue(`The message attribute name '${name}' is invalid.`);
    }
    const type = v.DataType ?? '';
    const base = type.split('.', 1)[0]!;
    if (!['String', 'Number', 'Binary'].includes(base)) {
      throw new InvalidParameterValue(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    }
    if (base === 'Binary') {
      if (!v.BinaryValue?.length) throw new InvalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
      out[name] = { DataType: type, BinaryValue: v.BinaryValue };
      continue;
    }
    const s = v.StringValue;
    if (s === undefined || s === '') throw new InvalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
    if (base === 'Number' && (!NUMBER.test(s) || Math.abs(Number(s)) > 1e9)) throw new InvalidParameterValue(`Could not cast message attribute '${name}' value to number.`);
    if (type === 'String.Array') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(s);
      } catch {
        parsed = undefined;
      }
      if (!Array.isArray(parsed) || parsed.some((x) => typeof x === 'object' && x !== null)) {
        throw new InvalidParameterValue(`Invalid parameter: MessageAttributes Reason: The message attribute '${name}' with type 'String.Array' is not a valid JSON array of strings, numbers, booleans or nulls.`);
      }
    }
    out[name] = { DataType: type, StringValue: s };
  }
  return out;
}

function attributesSize(attributes: SnsMessageAttributes): number {
  let n = 0;
  for (const [name, a] of Object.entries(attributes)) n += Buffer.byteLength(name) + Buffer.byteLength(a.DataType) + (a.BinaryValue ? a.BinaryValue.length : Buffer.byteLength(a.StringValue ?? ''));
  return n;
}
