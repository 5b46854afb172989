/**
 * A small evaluator for AWS resource policies (the JSON documents of SQS queue policies, S3
 * bucket and SNS topic policies): explicit Deny wins, then any Allow, else denied.
 * Conditions are evaluated by the caller-supplied function; without one, a statement with a
 * Condition does not match.
 */
export interface PolicyRequest {
  /** The calling account (12 digits) or `*` for anonymous. */
  principalAccount: string;
  /**
   * Set when an AWS service calls on its own behalf (e.g. `sns.amazonaws.com` delivering to a
   * queue): then `{"Service": ...}` principals naming it match, and of `{"AWS": ...}` ones only
   * `*` does (a service is no account's principal).
   */
  principalService?: string;
  /** e.g. `sqs:SendMessage`; compared case-insensitively as IAM does. */
  action: string;
  resource: string;
}

/** Whether a statement's Condition block holds for the request; `unknown` says what an operator it cannot evaluate does. */
export type ConditionTest = (condition: unknown, unknown: 'fail' | 'hold') => boolean;

export interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Condition?: unknown;
}

/** A policy document, its other members (Version, Id) kept, Statement always a fresh list. */
export interface PolicyDocument {
  [member: string]: unknown;
  Statement: Statement[];
}

export function parsePolicy(json: string | undefined): PolicyDocument | undefined {
  if (!json) return undefined;
  try {
    const doc = JSON.parse(json);
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
    const st = doc.Statement;
    return { ...doc, Statement: Array.isArray(st) ? [...st] : st ? [st] : [] };
  } catch {
    return undefined;
  }
}

export function policyAllows(policyJson: string | undefined, req: PolicyRequest, condition?: ConditionTest): boolean {
  return policyDecision(policyJson, req, condition) === 'allow';
}

/**
 * What a policy says about a request: an explicit `deny` (which wins over everything, even
 * the resource owner's own access), an `allow`, or nothing (`none`).
 */
export function policyDecision(policyJson: string | undefined, req: PolicyRequest, condition?: ConditionTest): 'allow' | 'deny' | 'none' {
  const policy = parsedForReading(policyJson);
  if (!policy) return 'none';
  let allowed = false;
  for (const st of policy.Statement) {
    if (!matchesStatement(st, req)) continue;
    // Conditions Nimbus cannot evaluate keep an Allow from granting and a Deny from being evaded.
    if (st.Condition !== undefined && !(condition?.(st.Condition, st.Effect === 'Deny' ? 'hold' : 'fail') ?? st.Effect === 'Deny')) continue;
    if (st.Effect === 'Deny') return 'deny';
    if (st.Effect === 'Allow') allowed = true;
  }
  return allowed ? 'allow' : 'none';
}

/** Parsed policies by text, for evaluation only (never handed out: callers of parsePolicy may change theirs). */
const parsed = new Map<string, PolicyDocument | undefined>();

/** parsePolicy, remembered: a queue's or topic's policy is evaluated on every request it guards. */
function parsedForReading(json: string | undefined): PolicyDocument | undefined {
  if (!json) return undefined;
  if (parsed.has(json)) return parsed.get(json);
  const doc = parsePolicy(json);
  if (parsed.size >= 256) parsed.clear();
  parsed.set(json, doc);
  return doc;
}

/** Whether any Allow statement grants anyone (`*`) access without a condition: a public policy. */
export function policyIsPublic(policyJson: string | undefined): boolean {
  const policy = parsePolicy(policyJson);
  if (!policy) return false;
  return policy.Statement.some((st) => st.Effect === 'Allow' && st.Condition === undefined && isWildcardPrincipal(st.Principal));
}

function isWildcardPrincipal(p: unknown): boolean {
  if (p === '*') return true;
  const aws = p && typeof p === 'object' ? (p as { AWS?: unknown }).AWS : undefined;
  return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
}

function matchesStatement(st: Statement, req: PolicyRequest): boolean {
  // A stored policy may hold anything JSON can: a statement that is no object matches nothing.
  if (!st || typeof st !== 'object') return false;
  if (!principalMatches(st.Principal, req)) return false;
  if (st.Action !== undefined && !asList(st.Action).some((a) => wildcard(a, req.action, true))) return false;
  if (st.NotAction !== undefined && asList(st.NotAction).some((a) => wildcard(a, req.action, true))) return false;
  if (st.Resource !== undefined && !asList(st.Resource).some((r) => wildcard(r, req.resource, false))) return false;
  return true;
}

function principalMatches(principal: unknown, req: PolicyRequest): boolean {
  if (principal === '*') return true;
  if (!principal || typeof principal !== 'object') return false;
  const { AWS: aws, Service: service } = principal as { AWS?: unknown; Service?: unknown };
  if (req.principalService !== undefined) {
    const name = req.principalService.toLowerCase();
    if (service !== undefined && asList(service as string | string[]).some((s) => s.toLowerCase() === name)) return true;
    return aws !== undefined && asList(aws as string | string[]).includes('*');
  }
  if (aws === undefined) return false;
  const account = req.principalAccount;
  return asList(aws as string | string[]).some((p) => {
    if (p === '*') return true;
    if (p === account) return true;
    const m = /^arn:aws:iam::(\d{12}):/.exec(String(p));
    return m !== null && m[1] === account;
  });
}

function asList(v: string | string[]): string[] {
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

/**
 * IAM wildcards: `*` any run, `?` one character. Matched greedily with backtracking to the last
 * `*` only, which is linear in practice (no regular expression: a pattern of many stars must
 * not cost exponential time).
 */
export function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === v[vi])) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = vi;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}
