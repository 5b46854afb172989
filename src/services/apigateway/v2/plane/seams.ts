/**
 * What the HTTP API data plane takes from the shared data-plane modules
 * (src/services/apigateway/shared/): JWT verification, throttling buckets, the Lambda
 * authorizer's result cache and IAM policy check, access logs and trace headers. The data plane
 * sees them through this narrow interface (built once in ../index.ts), so it names no class and
 * a test can hand it its own.
 */
import type { ThrottleLimit } from '../../shared/throttle.js';

export interface Seams {
  /** JwtVerifier.verify: the claims and scopes of a token the issuer signed for one of the audiences; throws JwtRejected. */
  verifyJwt(token: string, config: { issuer: string; audience: string[] }): Promise<{ claims: Record<string, unknown>; scopes: string[] }>;
  /** TokenBuckets.take: whether a request may pass under `limit` for `key`. */
  take(key: string, limit: ThrottleLimit): boolean;
  /** The account-level limit every API shares (ACCOUNT_DEFAULT_LIMIT). */
  accountLimit: ThrottleLimit;
  /** A Lambda authorizer's cached decisions, by API, authorizer and identity. */
  authorizerCache: { get(key: string): unknown; set(key: string, value: unknown, ttlSeconds: number): void };
  /** What the IAM policy a Lambda authorizer returned says of `execute-api:Invoke` on the method ARN. */
  policyDecision(policyDocument: unknown, methodArn: string): 'allow' | 'deny' | 'invalid';
  /** Queues one access log line for the stage, never blocking the answer. */
  accessLog(target: { destinationArn: string; apiId: string; stage: string }, format: string, context: Record<string, unknown>): void;
  /** The X-Amzn-Trace-Id to pass on (keeps an incoming Root, else makes one). */
  traceHeader(incoming: string | undefined, nowMs: number): string;
}
