/**
 * Where the shared data-plane modules (src/services/apigateway/shared/) plug into the HTTP API
 * data plane: JWT verification, throttling buckets, the Lambda authorizer's result cache and IAM
 * policy check, access logs and trace headers. Each is optional: until a module is there, the
 * data plane says so in the log and refuses what needs it (a JWT route answers 401) or goes
 * without (no throttling, no access log line, no trace id).
 */

export interface JwtSeam {
  verify(token: string, config: { issuer: string; audience: string[] }): Promise<{ claims: Record<string, unknown>; scopes: string[] }>;
}

export interface Seams {
  jwt?: JwtSeam;
  /** TokenBuckets.take: whether a request may pass under `limit` for `key`. */
  take?(key: string, limit: { rateLimit: number; burstLimit: number }): boolean;
  /** The account-level default limit (ACCOUNT_DEFAULT_LIMIT). */
  accountLimit?: { rateLimit: number; burstLimit: number };
  /** A Lambda authorizer's cached results, by authorizer and identity. */
  authorizerCache?: { get(key: string): unknown; set(key: string, value: unknown, ttlSeconds: number): void };
  /** Whether the IAM policy a Lambda authorizer returned allows `execute-api:Invoke` on the method ARN. */
  policyAllows?(policyDocument: unknown, methodArn: string): boolean;
  /** Writes one access log line (formatAccessLog + AccessLogs.write). */
  accessLog?(destinationArn: string, format: string, context: Record<string, unknown>): void;
  /** The X-Amzn-Trace-Id to pass on (keeps an incoming Root, else makes one). */
  traceHeader?(incoming: string | undefined, nowMs: number): string;
}
