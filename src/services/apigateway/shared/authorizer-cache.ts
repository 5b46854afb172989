/**
 * Lambda authorizers' answers: the cache API Gateway keeps of them (by the authorizer and its
 * identity sources, for the authorizer's TTL; a TTL of 0 turns caching off), and the IAM policy
 * a REST API (or payload 1.0 HTTP API) authorizer returns, evaluated against the request's
 * method ARN (`arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`).
 */
import type { Clock } from '../../../lib/clock.js';
import { wildcard } from '../../../lib/policy.js';

interface Entry<T> {
  value: T;
  /** Epoch ms the entry stops answering. */
  until: number;
}

export class AuthorizerCache<T> {
  /** Entries oldest use first (a hit re-inserts), so the first key is the one to drop when full. */
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly clock: Clock,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string): T | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    this.entries.delete(key);
    if (this.clock.now() >= e.until) return undefined;
    this.entries.set(key, e);
    return e.value;
  }

  /** Remembers `value` for `ttlSeconds`; 0 (or less) caches nothing, as an authorizer's TTL of 0 says. */
  set(key: string, value: T, ttlSeconds: number): void {
    this.entries.delete(key);
    if (!(ttlSeconds > 0)) return;
    if (this.entries.size >= this.maxEntries) {
      const now = this.clock.now();
      for (const [k, e] of this.entries) if (now >= e.until) this.entries.delete(k);
      if (this.entries.size >= this.maxEntries) {
        const oldest = this.entries.keys().next();
        if (!oldest.done) this.entries.delete(oldest.value);
      }
    }
    this.entries.set(key, { value, until: this.clock.now() + ttlSeconds * 1000 });
  }

  /** Forgets every answer (an authorizer was changed or deleted). */
  clear(): void {
    this.entries.clear();
  }

  size(): number {
    return this.entries.size;
  }
}

/** Whether an authorizer's policy lets the request through: an Allow matching it and no Deny. */
export function policyAllows(policyDocument: unknown, methodArn: string): boolean {
  return authorizerPolicyDecision(policyDocument, methodArn) === 'allow';
}

/**
 * What an authorizer's policy says of a method ARN: `allow`, `deny` (an explicit Deny, or no
 * Allow matching), or `invalid` when the document is no policy at all (AWS answers that with a
 * 500 AuthorizerConfigurationException rather than a 403). Effect values are compared as IAM
 * writes them ("Allow", "Deny"); other casings are refused (unconfirmed against AWS).
 */
export function authorizerPolicyDecision(policyDocument: unknown, methodArn: string): 'allow' | 'deny' | 'invalid' {
  const doc = typeof policyDocument === 'string' ? parseJson(policyDocument) : policyDocument;
  if (!isObject(doc)) return 'invalid';
  const raw = doc.Statement;
  const statements = Array.isArray(raw) ? raw : isObject(raw) ? [raw] : undefined;
  if (statements === undefined) return 'invalid';
  let allowed = false;
  for (const st of statements) {
    if (!isObject(st)) return 'invalid';
    const effect = st.Effect;
    if (effect !== 'Allow' && effect !== 'Deny') return 'invalid';
    const actions = list(st.Action);
    const notActions = list(st.NotAction);
    const resources = list(st.Resource);
    const notResources = list(st.NotResource);
    if (actions === null || notActions === null || resources === null || notResources === null) return 'invalid';
    if (actions === undefined && notActions === undefined) return 'invalid';
    if (resources === undefined && notResources === undefined) return 'invalid';
    if (actions !== undefined && !actions.some((a) => wildcard(a, 'execute-api:Invoke', true))) continue;
    if (notActions !== undefined && notActions.some((a) => wildcard(a, 'execute-api:Invoke', true))) continue;
    if (resources !== undefined && !resources.some((r) => wildcard(r, methodArn, false))) continue;
    if (notResources !== undefined && notResources.some((r) => wildcard(r, methodArn, false))) continue;
    if (effect === 'Deny') return 'deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'deny';
}

/** A string or list of strings; undefined when absent, null when it is something else. */
function list(v: unknown): string[] | undefined | null {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
