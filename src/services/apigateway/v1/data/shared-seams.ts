/**
 * SEAM: the shared API Gateway data-plane modules (`../../shared/*.ts`: vtl, throttle,
 * authorizer-cache, resource-policy) are being written by another engineer and are not merged
 * into this branch yet. Everything the v1 data plane takes from them goes through here, typed
 * as their agreed contracts; once they are merged, each entry becomes a plain import and the
 * fallbacks below go away. Until then:
 * - templates with Velocity syntax answer 500 (logged), static templates work;
 * - a Lambda authorizer's policy cannot be evaluated: 500 AUTHORIZER_CONFIGURATION_ERROR (logged);
 * - no throttling by token buckets (quotas, kept in the repo's counters, do work);
 * - no resource policies (a policy on the API is not enforced; logged once).
 */
import type { Clock } from '../../../../lib/clock.js';
import type { TemplateVars } from './templates.js';

export interface ThrottleLimit {
  rateLimit: number;
  burstLimit: number;
}
export interface TokenBucketsLike {
  take(key: string, limit: ThrottleLimit): boolean;
}
export interface AuthorizerCacheLike<T> {
  get(key: string): T | undefined;
  set(key: string, value: T, ttlSeconds: number): void;
}

export interface SharedModules {
  renderTemplate?: (template: string, vars: TemplateVars) => string;
  policyAllows?: (policyDocument: unknown, methodArn: string) => boolean;
  tokenBuckets?: (clock: Clock) => TokenBucketsLike;
  authorizerCache?: <T>(clock: Clock) => AuthorizerCacheLike<T>;
  executeApiDecision?: (policyJson: string, request: { principalAccount?: string; sourceIp: string; resourceArn: string }) => 'allow' | 'deny' | 'none';
}

export const shared: SharedModules = {};
