/**
 * REST API resource policies: who may call `execute-api:Invoke` on which methods, as AWS
 * evaluates them ("Control access to a REST API with API Gateway resource policies"). Users
 * write resources as `execute-api:/{stage}/{METHOD}/{path}` (with `*` and `?` wildcards) and API
 * Gateway stands the API's own ARN (`arn:aws:execute-api:{region}:{account}:{apiId}`) in for
 * `execute-api:`; full ARNs are taken as written. Conditions see `aws:SourceIp` (IpAddress,
 * NotIpAddress, ...) and `aws:PrincipalAccount`; others Nimbus does not have (VPC endpoints)
 * are missing keys, which fail an Allow and hold for the negated operators, as IAM does.
 *
 * The caller combines the decision with the API's authorization type as AWS's tables say
 * (an explicit deny always wins; `none` is an implicit deny unless IAM authentication allows).
 */
import { conditionsHold } from '../../../lib/policy-conditions.js';
import { parsePolicy, policyDecision, wildcard } from '../../../lib/policy.js';

export interface ExecuteApiRequest {
  /** The caller's account when the request was signed (AWS_IAM); absent for anonymous callers. */
  principalAccount?: string;
  sourceIp: string;
  /** The method ARN: `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`. */
  resourceArn: string;
}

export function executeApiDecision(policyJson: string | undefined, req: ExecuteApiRequest): 'allow' | 'deny' | 'none' {
  if (!policyJson) return 'none';
  const slash = req.resourceArn.indexOf('/');
  const apiArn = slash < 0 ? req.resourceArn : req.resourceArn.slice(0, slash);
  const policy = expanded(policyJson, apiArn);
  if (!policy) return 'none';
  const keys: Record<string, string | undefined> = { 'aws:SourceIp': req.sourceIp, 'aws:PrincipalAccount': req.principalAccount };
  return policyDecision(
    policy.forResource(req.resourceArn),
    { principalAccount: req.principalAccount ?? '*', action: 'execute-api:Invoke', resource: req.resourceArn },
    (condition, unknown) => conditionsHold(condition, keys, unknown),
  );
}

interface ExpandedPolicy {
  /** The policy's JSON for one method ARN (the same text for every ARN unless it uses NotResource). */
  forResource(resourceArn: string): string;
}

/** Expanded policies by API ARN and text: a policy is evaluated on every request to its API. */
const expandedCache = new Map<string, ExpandedPolicy | undefined>();

/** The policy with `execute-api:/...` resources written out against the API's ARN. */
function expanded(policyJson: string, apiArn: string): ExpandedPolicy | undefined {
  const cacheKey = `${apiArn}\n${policyJson}`;
  if (expandedCache.has(cacheKey)) return expandedCache.get(cacheKey);
  const doc = parsePolicy(policyJson);
  let out: ExpandedPolicy | undefined;
  if (doc) {
    const statements = doc.Statement.map((st) => {
      if (!st || typeof st !== 'object') return st;
      const copy: Record<string, unknown> = { ...st };
      for (const member of ['Resource', 'NotResource'] as const) {
        const v = copy[member];
        if (typeof v === 'string') copy[member] = expandResource(v, apiArn);
        else if (Array.isArray(v)) copy[member] = v.map((r) => (typeof r === 'string' ? expandResource(r, apiArn) : r));
      }
      return copy;
    });
    const withNot = statements.filter((st): st is Record<string, unknown> => !!st && typeof st === 'object' && (st as Record<string, unknown>).NotResource !== undefined);
    if (withNot.length === 0) {
      const text = JSON.stringify({ ...doc, Statement: statements });
      out = { forResource: () => text };
    } else {
      out = notResourceVariants(doc, statements as unknown[]);
    }
  }
  if (expandedCache.size >= 256) expandedCache.clear();
  expandedCache.set(cacheKey, out);
  return out;
}

function expandResource(resource: string, apiArn: string): string {
  return resource.startsWith('execute-api:') ? apiArn + resource.slice('execute-api:'.length) : resource;
}

/**
 * The shared evaluator knows Resource, not NotResource (rare in API policies). For a given
 * method ARN a NotResource statement either applies to it (none of its patterns matches: it is
 * then a statement over `*`) or is no statement at all; the policy's text is built per pattern
 * of which statements apply, and remembered (a policy has few NotResource statements).
 */
function notResourceVariants(doc: Record<string, unknown>, statements: unknown[]): ExpandedPolicy {
  const variants = new Map<string, string>();
  return {
    forResource(resourceArn) {
      const applies = statements.map((st) => {
        const not = st && typeof st === 'object' ? (st as Record<string, unknown>).NotResource : undefined;
        if (not === undefined) return true;
        const list = Array.isArray(not) ? not : [not];
        return !list.some((p) => typeof p === 'string' && wildcard(p, resourceArn, false));
      });
      const mask = applies.map((a) => (a ? '1' : '0')).join('');
      let text = variants.get(mask);
      if (text === undefined) {
        const kept = statements.flatMap((st, i) => {
          if (!applies[i]) return [];
          if (!st || typeof st !== 'object' || (st as Record<string, unknown>).NotResource === undefined) return [st];
          const { NotResource: _not, ...rest } = st as Record<string, unknown>;
          return [{ ...rest, Resource: '*' }];
        });
        text = JSON.stringify({ ...doc, Statement: kept });
        if (variants.size < 64) variants.set(mask, text);
      }
      return text;
    },
  };
}
