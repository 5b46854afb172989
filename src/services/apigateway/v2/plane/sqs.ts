/**
 * AWS_PROXY integrations with an SQS subtype (SQS-SendMessage, SQS-ReceiveMessage,
 * SQS-DeleteMessage, SQS-PurgeQueue): the integration's request parameters, evaluated against the request
 * (`$request.body.x`, `$request.header.x`, `$context.x`, ...), are the SQS action's parameters;
 * the action runs through SQS's in-process calls as apigateway.amazonaws.com for the route's
 * execute-api ARN, and its response is answered as JSON (`{"SendMessageResponse": {...}}`, SQS's
 * query response in JSON form; unconfirmed in detail).
 */
import { createHash } from 'node:crypto';
import type { ApiResponse } from '../../../../server/api.js';
import type { GatewayDeps } from '../../deps.js';
import type { Integration } from '../model.js';
import { internalError, message } from './answers.js';
import { evaluate } from './params.js';
import type { Incoming } from './request.js';
import { routeSourceArn } from './targets.js';

/** The parameters each subtype takes and requires (AWS's integration subtype reference). */
export const SUBTYPES: Record<string, { required: string[]; allowed: string[] }> = {
  'SQS-SendMessage': {
    required: ['QueueUrl', 'MessageBody'],
    allowed: ['QueueUrl', 'MessageBody', 'DelaySeconds', 'MessageAttributes', 'MessageDeduplicationId', 'MessageGroupId', 'MessageSystemAttributes', 'Region'],
  },
  'SQS-ReceiveMessage': {
    required: ['QueueUrl'],
    allowed: ['QueueUrl', 'AttributeNames', 'MaxNumberOfMessages', 'MessageAttributeNames', 'ReceiveRequestAttemptId', 'VisibilityTimeout', 'WaitTimeSeconds', 'Region'],
  },
  'SQS-DeleteMessage': { required: ['QueueUrl', 'ReceiptHandle'], allowed: ['QueueUrl', 'ReceiptHandle', 'Region'] },
  'SQS-PurgeQueue': { required: ['QueueUrl'], allowed: ['QueueUrl', 'Region'] },
};

type Attributes = Record<string, { DataType: string; StringValue?: string; BinaryValue?: Buffer }>;

/** The queue ARN a queue URL names (`.../{account}/{name}`), in the URL's region, the `Region` parameter's or the API's. */
function queueArnOf(url: string, region: string): string | undefined {
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/([^/]*))?\/(\d{12})\/([^/?#]+)\/?$/i.exec(url);
  if (!m) return undefined;
  const hostRegion = /(?:^|\.)sqs\.([a-z0-9-]+)\./.exec(m[1] ?? '')?.[1];
  return `arn:aws:sqs:${hostRegion ?? region}:${m[2]}:${m[3]}`;
}

function attributesOf(raw: string | undefined): Attributes | undefined {
  if (!raw) return undefined;
  const v: unknown = JSON.parse(raw);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('MessageAttributes must be a JSON object');
  const out: Attributes = {};
  for (const [k, a] of Object.entries(v as Record<string, { DataType?: string; StringValue?: string; BinaryValue?: string }>)) {
    out[k] = { DataType: String(a.DataType ?? 'String'), ...(a.StringValue !== undefined ? { StringValue: String(a.StringValue) } : {}), ...(a.BinaryValue !== undefined ? { BinaryValue: Buffer.from(String(a.BinaryValue), 'base64') } : {}) };
  }
  return out;
}

const json = (body: unknown): ApiResponse => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

export async function sqsIntegration(deps: GatewayDeps, inc: Incoming, integration: Integration): Promise<ApiResponse> {
  const p: Record<string, string> = {};
  for (const [k, v] of Object.entries(integration.requestParameters ?? {})) p[k] = evaluate(v, inc);
  const queueArn = queueArnOf(p.QueueUrl ?? '', p.Region || inc.api.region);
  if (!queueArn) return message(400, `Invalid QueueUrl: ${p.QueueUrl ?? ''}`);
  const sourceArn = routeSourceArn({ region: inc.api.region, accountId: inc.api.accountId, apiId: inc.api.id }, inc.stageName, inc.method, inc.routeKey);
  const metadata = { ResponseMetadata: { RequestId: inc.requestId } };
  // Receive, delete and purge have no queue policy check in process: only the API's own account's queues.
  if (integration.integrationSubtype !== 'SQS-SendMessage' && queueArn.split(':')[4] !== inc.api.accountId) return refused(deps, inc, queueArn, new Error('the queue belongs to another account'));
  try {
    switch (integration.integrationSubtype) {
      case 'SQS-SendMessage': {
        const send = deps.internal.get('sqs.sendMessages');
        if (!send) return internalError();
        const messageAttributes = attributesOf(p.MessageAttributes);
        const [result] = await send({
          queueArn,
          from: 'apigateway.amazonaws.com',
          sourceArn,
          sourceAccount: inc.api.accountId,
          messages: [{ body: p.MessageBody ?? '', ...(messageAttributes ? { messageAttributes } : {}), ...(p.MessageGroupId ? { groupId: p.MessageGroupId } : {}), ...(p.MessageDeduplicationId ? { dedupId: p.MessageDeduplicationId } : {}) }],
        });
        if (!result || 'error' in result) return refused(deps, inc, queueArn, result?.error);
        return json({ SendMessageResponse: { SendMessageResult: { MD5OfMessageAttributes: null, MD5OfMessageBody: md5(p.MessageBody ?? ''), MD5OfMessageSystemAttributes: null, MessageId: result.messageId, SequenceNumber: null }, ...metadata } });
      }
      case 'SQS-ReceiveMessage': {
        const receive = deps.internal.get('sqs.receiveMessages');
        if (!receive) return internalError();
        const max = Math.min(10, Math.max(1, Number(p.MaxNumberOfMessages) || 1));
        // WaitTimeSeconds is honoured on the clock up to SQS's 20 s; 0 answers at once.
        const waitMs = Math.min(20, Math.max(0, Number(p.WaitTimeSeconds) || 0)) * 1000;
        const messages = await receive({ queueArn, max, waitMs });
        const items = messages.map((m) => ({ Attributes: m.attributes, Body: m.body, MD5OfBody: m.md5OfBody, MD5OfMessageAttributes: m.md5OfMessageAttributes ?? null, MessageAttributes: m.messageAttributes ?? null, MessageId: m.messageId, ReceiptHandle: m.receiptHandle }));
        return json({ ReceiveMessageResponse: { ReceiveMessageResult: { messages: items.length ? items : null }, ...metadata } });
      }
      case 'SQS-DeleteMessage': {
        const del = deps.internal.get('sqs.deleteMessages');
        if (!del) return internalError();
        await del({ queueArn, receiptHandles: [p.ReceiptHandle ?? ''] });
        return json({ DeleteMessageResponse: metadata });
      }
      case 'SQS-PurgeQueue': {
        const purge = deps.internal.get('sqs.purgeQueue');
        if (!purge) return internalError();
        await purge({ queueArn });
        return json({ PurgeQueueResponse: metadata });
      }
      default:
        return internalError();
    }
  } catch (e) {
    return refused(deps, inc, queueArn, e as Error);
  }
}

/** SQS refused (no such queue, not allowed, a bad message): logged for the user, answered as API Gateway's 500. */
function refused(deps: GatewayDeps, inc: Incoming, queueArn: string, err: Error | undefined): ApiResponse {
  deps.log.warn('API Gateway: the SQS integration was refused', { apiId: inc.api.id, routeKey: inc.routeKey, queueArn, err: err?.message });
  return internalError();
}
