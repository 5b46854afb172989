/**
 * One POST to an HTTP/HTTPS subscriber, as SNS makes it: the x-amz-sns-* headers, the body as
 * text, 15 s to answer. A 2xx answer delivers; anything else (another status, a refused
 * connection, the timeout) fails the attempt.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { OutboundGuard } from '../../../lib/outbound.js';

const TIMEOUT_MS = 15_000;

/** An HTTP/HTTPS endpoint that did not answer 2xx. */
export class EndpointError extends Error {}

export interface SnsPost {
  url: string;
  type: 'Notification' | 'SubscriptionConfirmation';
  messageId: string;
  topicArn: string;
  /** Notifications only. */
  subscriptionArn?: string;
  raw: boolean;
  contentType: string;
  body: string;
}

/**
 * Resolves on a 2xx answer; `signal` ends the request (a stop). The endpoint's addresses must
 * pass `outbound` (no link-local or metadata addresses unless allowed): a refusal fails the
 * attempt like a refused connection.
 */
export function postToEndpoint(p: SnsPost, outbound: OutboundGuard, signal?: AbortSignal): Promise<void> {
  const headers: Record<string, string | number> = {
    'x-amz-sns-message-type': p.type,
    'x-amz-sns-message-id': p.messageId,
    'x-amz-sns-topic-arn': p.topicArn,
    ...(p.subscriptionArn ? { 'x-amz-sns-subscription-arn': p.subscriptionArn } : {}),
    ...(p.raw ? { 'x-amz-sns-rawdelivery': 'true' } : {}),
    'content-type': p.contentType,
    'content-length': Buffer.byteLength(p.body),
    'user-agent': 'Amazon Simple Notification Service Agent',
  };
  const url = new URL(p.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<void>((resolve, reject) => {
    const req = send(url, { method: 'POST', headers, timeout: TIMEOUT_MS, signal, ...outbound.requestOptions(url) }, (res) => {
      res.resume();
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new EndpointError(`the endpoint answered ${status}`));
      });
    });
    req.on('timeout', () => req.destroy(new EndpointError(`no answer in ${TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(p.body);
  });
}
