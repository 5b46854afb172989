/**
 * When a failed delivery is tried again (https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html).
 * A retry policy has four phases: retries without delay, retries `minDelayTarget` apart, a
 * backoff from the minimum to the maximum delay, and retries `maxDelayTarget` apart, for
 * `numRetries` retries in all. AWS-managed endpoints (SQS, Lambda) follow SNS's fixed policy;
 * HTTP/HTTPS follow the DeliveryPolicy of the subscription, else of the topic, else 3 retries
 * 20 s apart. AWS draws the backoff curves in a graph without formulas: Nimbus uses
 * min→max along a line (linear), a parabola (arithmetic), a geometric progression
 * (geometric) and 2^x (exponential), without jitter, so tests can move the clock exactly.
 */
import { invalidParameter } from '../errors.js';

export type BackoffFunction = 'linear' | 'arithmetic' | 'geometric' | 'exponential';

export interface RetryPolicy {
  numRetries: number;
  numNoDelayRetries: number;
  numMinDelayRetries: number;
  numMaxDelayRetries: number;
  /** Seconds. */
  minDelayTarget: number;
  maxDelayTarget: number;
  backoffFunction: BackoffFunction;
}

/** SNS's policy for AWS-managed endpoints: 3 at once, 2 after 1 s, 10 backing off to 20 s, then every 20 s: 100,015 attempts. */
export const MANAGED_POLICY: RetryPolicy = {
  numRetries: 100_014,
  numNoDelayRetries: 3,
  numMinDelayRetries: 2,
  numMaxDelayRetries: 99_999,
  minDelayTarget: 1,
  maxDelayTarget: 20,
  backoffFunction: 'geometric',
};

/** SNS's default for HTTP/HTTPS: 3 retries, 20 s apart. */
export const HTTP_DEFAULT_POLICY: RetryPolicy = {
  numRetries: 3,
  numNoDelayRetries: 0,
  numMinDelayRetries: 0,
  numMaxDelayRetries: 0,
  minDelayTarget: 20,
  maxDelayTarget: 20,
  backoffFunction: 'linear',
};

/** What an HTTP/HTTPS subscription's deliveries follow. */
export interface HttpDeliveryPolicy {
  retry: RetryPolicy;
  contentType: string;
  /** throttlePolicy.maxReceivesPerSecond: at most this many POSTs a second to the endpoint. */
  maxPerSecond?: number;
}

const DEFAULT_CONTENT_TYPE = 'text/plain; charset=UTF-8';

/** A topic's EffectiveDeliveryPolicy until one is set: SNS's HTTP defaults, as AWS shows them. */
export const DEFAULT_DELIVERY_POLICY = JSON.stringify({
  http: {
    defaultHealthyRetryPolicy: {
      minDelayTarget: HTTP_DEFAULT_POLICY.minDelayTarget,
      maxDelayTarget: HTTP_DEFAULT_POLICY.maxDelayTarget,
      numRetries: HTTP_DEFAULT_POLICY.numRetries,
      numMaxDelayRetries: HTTP_DEFAULT_POLICY.numMaxDelayRetries,
      numNoDelayRetries: HTTP_DEFAULT_POLICY.numNoDelayRetries,
      numMinDelayRetries: HTTP_DEFAULT_POLICY.numMinDelayRetries,
      backoffFunction: HTTP_DEFAULT_POLICY.backoffFunction,
    },
    disableSubscriptionOverrides: false,
    defaultRequestPolicy: { headerContentType: DEFAULT_CONTENT_TYPE },
  },
});

/** The wait (ms) before retry number `retry` (1 for the first), or undefined once the policy is spent. */
export function retryDelayMs(p: RetryPolicy, retry: number): number | undefined {
  if (retry > p.numRetries) return undefined;
  if (retry <= p.numNoDelayRetries) return 0;
  let i = retry - p.numNoDelayRetries;
  if (i <= p.numMinDelayRetries) return p.minDelayTarget * 1000;
  i -= p.numMinDelayRetries;
  const backoff = p.numRetries - p.numNoDelayRetries - p.numMinDelayRetries - p.numMaxDelayRetries;
  if (i > backoff) return p.maxDelayTarget * 1000;
  const f = i / backoff;
  const lo = p.minDelayTarget;
  const hi = p.maxDelayTarget;
  let seconds: number;
  switch (p.backoffFunction) {
    case 'arithmetic':
      seconds = lo + (hi - lo) * f * f;
      break;
    case 'geometric':
      seconds = lo * Math.pow(hi / lo, f);
      break;
    case 'exponential':
      seconds = lo + (hi - lo) * ((Math.pow(2, 10 * f) - 1) / 1023);
      break;
    default:
      seconds = lo + (hi - lo) * f;
  }
  return Math.round(seconds * 1000);
}

/**
 * The policy an HTTP/HTTPS subscription follows: its own DeliveryPolicy unless the topic's
 * `disableSubscriptionOverrides` forbids it, else the topic's `http` defaults, else SNS's.
 * Both documents were checked when they were set.
 */
export function httpDeliveryPolicy(topicPolicy: string | undefined, subscriptionPolicy: string | undefined): HttpDeliveryPolicy {
  const topic = (parse(topicPolicy) as { http?: Record<string, unknown> } | undefined)?.http ?? {};
  const sub = topic.disableSubscriptionOverrides === true ? {} : ((parse(subscriptionPolicy) as Record<string, unknown> | undefined) ?? {});
  const retry = (sub.healthyRetryPolicy ?? topic.defaultHealthyRetryPolicy) as Partial<RetryPolicy> | undefined;
  const request = (sub.requestPolicy ?? topic.defaultRequestPolicy) as { headerContentType?: string } | undefined;
  const throttle = (sub.throttlePolicy ?? topic.defaultThrottlePolicy) as { maxReceivesPerSecond?: number } | undefined;
  return {
    retry: { ...HTTP_DEFAULT_POLICY, ...(retry ?? {}) },
    contentType: request?.headerContentType ?? DEFAULT_CONTENT_TYPE,
    ...(throttle?.maxReceivesPerSecond ? { maxPerSecond: throttle.maxReceivesPerSecond } : {}),
  };
}

function parse(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const BACKOFF = new Set(['linear', 'arithmetic', 'geometric', 'exponential']);

/**
 * Checks a DeliveryPolicy as set on a subscription (`healthyRetryPolicy`, ...) or a topic
 * (`{"http": {"defaultHealthyRetryPolicy", ...}}`), with SNS's limits: delays 1 to 3,600 s,
 * min ≤ max, at most 100 retries, and no more than 3,600 s of retrying in all.
 */
export function checkDeliveryPolicy(text: string, on: 'subscription' | 'topic'): void {
  const fail = (why: string): never => {
    throw invalidParameter(`DeliveryPolicy: ${why}`);
  };
  const doc = parse(text);
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) fail('failed to parse JSON');
  let policy = doc as Record<string, unknown>;
  let retryKey = 'healthyRetryPolicy';
  let requestKey = 'requestPolicy';
  if (on === 'topic') {
    const http = policy.http;
    if (http === undefined) return;
    if (!http || typeof http !== 'object') fail('http must be an object');
    policy = http as Record<string, unknown>;
    retryKey = 'defaultHealthyRetryPolicy';
    requestKey = 'defaultRequestPolicy';
  }
  const retry = policy[retryKey];
  if (retry !== undefined) {
    if (!retry || typeof retry !== 'object') fail(`${retryKey} must be an object`);
    const p = { ...HTTP_DEFAULT_POLICY, ...(retry as Partial<RetryPolicy>) };
    for (const k of ['numRetries', 'numNoDelayRetries', 'numMinDelayRetries', 'numMaxDelayRetries', 'minDelayTarget', 'maxDelayTarget'] as const) {
      if (!Number.isInteger(p[k]) || p[k] < 0) fail(`${k} must be a non-negative integer`);
    }
    if (p.minDelayTarget < 1 || p.maxDelayTarget > 3600) fail('delay targets must be between 1 and 3600 seconds');
    if (p.minDelayTarget > p.maxDelayTarget) fail('minDelayTarget must be less than or equal to maxDelayTarget');
    if (p.numRetries > 100) fail('numRetries must be less than or equal to 100');
    if (p.numNoDelayRetries + p.numMinDelayRetries + p.numMaxDelayRetries > p.numRetries) fail('the phases hold more retries than numRetries');
    if (!BACKOFF.has(String(p.backoffFunction))) fail('backoffFunction must be one of linear, arithmetic, geometric, exponential');
    let total = 0;
    for (let r = 1; r <= p.numRetries; r++) total += retryDelayMs(p, r)!;
    if (total > 3_600_000) fail('the total retry time must not exceed 3600 seconds');
  }
  const throttle = policy[on === 'topic' ? 'defaultThrottlePolicy' : 'throttlePolicy'] as { maxReceivesPerSecond?: unknown } | undefined;
  if (throttle !== undefined) {
    const rate = throttle?.maxReceivesPerSecond;
    if (rate !== undefined && (!Number.isInteger(rate) || (rate as number) < 1)) fail('maxReceivesPerSecond must be a positive integer');
  }
  const request = policy[requestKey] as { headerContentType?: unknown } | undefined;
  if (request !== undefined) {
    if (!request || typeof request !== 'object') fail(`${requestKey} must be an object`);
    if (request.headerContentType !== undefined && typeof request.headerContentType !== 'string') fail('headerContentType must be a string');
  }
}
