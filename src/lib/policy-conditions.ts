/**
 * The Condition block of resource policies, for the keys a request carries (aws:SourceIp,
 * aws:SecureTransport, s3:prefix, sns:Protocol, ...): `{ "<Operator>": { "<key>": value |
 * [values] } }`, every operator and key must hold (AND), any of a key's values may match
 * (OR). A key the request lacks fails the test, except for the negated operators (StringNot*,
 * ArnNot*, NotIpAddress), `...IfExists`, and `Null`, which tests exactly that. An operator
 * Nimbus does not know fails (the safe side for an Allow), or holds when the caller asks for
 * that (`unknown: 'hold'`, the safe side for a Deny).
 *
 * A key may have several values (s3:RequestObjectTagKeys): `ForAllValues:` holds when every
 * one of them matches (and when there are none), `ForAnyValue:` (and an unqualified
 * operator) when one does.
 */
import { isIP } from 'node:net';
import { wildcard } from './policy.js';

export type ConditionKeys = Record<string, string | readonly string[] | undefined>;


export function conditionsHold(block: unknown, keys: ConditionKeys, unknown: 'fail' | 'hold' = 'fail'): boolean {
  if (!block || typeof block !== 'object') return unknown === 'hold';
  for (const [qualifiedOp, tests] of Object.entries(block as Record<string, unknown>)) {
    const set = /^(ForAllValues|ForAnyValue):/.exec(qualifiedOp)?.[1];
    const rawOp = set ? qualifiedOp.slice(set.length + 1) : qualifiedOp;
    const ifExists = rawOp.endsWith('IfExists');
    const op = ifExists ? rawOp.slice(0, -'IfExists'.length) : rawOp;
    if (!tests || typeof tests !== 'object' || !(op === 'Null' || Object.hasOwn(OPERATORS, op))) {
      if (unknown === 'hold') continue;
      return false;
    }
    for (const [key, expected] of Object.entries(tests as Record<string, unknown>)) {
      const found = lookup(keys, key);
      const values = (Array.isArray(expected) ? expected : [expected]).map(String);
      if (typeof found !== 'string' && found !== undefined) {
        // A key of several values.
        if (op === 'Null') {
          if (!values.some((v) => v.toLowerCase() === String(found.length === 0))) return false;
          continue;
        }
        const test = OPERATORS[op]!;
        if (set === 'ForAllValues' ? !found.every((a) => test(a, values)) : !found.some((a) => test(a, values))) return false;
        continue;
      }
      const actual = found;
      if (set === 'ForAllValues' && actual === undefined) continue;
      if (op === 'Null') {
        // `"Null": {"key": "true"}` holds when the request lacks the key, "false" when it has it.
        if (!values.some((v) => v.toLowerCase() === String(actual === undefined))) return false;
        continue;
      }
      if (actual === undefined) {
        if (ifExists || op.startsWith('StringNot') || op.startsWith('ArnNot') || op === 'NotIpAddress') continue;
        return false;
      }
      if (!OPERATORS[op]!(actual, values)) return false;
    }
  }
  return true;
}

/** Condition keys are case-insensitive. */
function lookup(keys: ConditionKeys, key: string): string | readonly string[] | undefined {
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(keys)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

type Operator = (actual: string, values: string[]) => boolean;

/** Any of the values matches. */
const any = (match: (value: string, actual: string) => boolean): Operator => (actual, values) => values.some((v) => match(v, actual));
/** None of the values matches (the negated operators). */
const none = (match: (value: string, actual: string) => boolean): Operator => (actual, values) => !values.some((v) => match(v, actual));

const equalsIgnoringCase = (v: string, actual: string) => v.toLowerCase() === actual.toLowerCase();
const like = (v: string, actual: string) => wildcard(v, actual, false);

/** The operators Nimbus evaluates (each also with `IfExists`; `Null` is handled before these). */
const OPERATORS: Record<string, Operator> = {
  StringEquals: any((v, a) => v === a),
  StringNotEquals: none((v, a) => v === a),
  StringEqualsIgnoreCase: any(equalsIgnoringCase),
  StringNotEqualsIgnoreCase: none(equalsIgnoringCase),
  StringLike: any(like),
  StringNotLike: none(like),
  // ArnEquals takes wildcards too: IAM treats both alike.
  ArnEquals: any(arnMatches),
  ArnLike: any(arnMatches),
  ArnNotEquals: none(arnMatches),
  ArnNotLike: none(arnMatches),
  Bool: any(equalsIgnoringCase),
  IpAddress: any((v, a) => inCidr(a, v)),
  NotIpAddress: none((v, a) => inCidr(a, v)),
  NumericEquals: any((v, a) => Number(v) === Number(a)),
  NumericLessThan: any((v, a) => Number(a) < Number(v)),
  NumericLessThanEquals: any((v, a) => Number(a) <= Number(v)),
  NumericGreaterThan: any((v, a) => Number(a) > Number(v)),
  NumericGreaterThanEquals: any((v, a) => Number(a) >= Number(v)),
};

/**
 * An ARN pattern against an ARN, as IAM compares them: each of the six colon-separated parts
 * (the last one keeps any further colons) on its own, with `*` and `?` wildcards, so a `*`
 * never spans a colon of the first five. A pattern with no colon at all (`*`) is compared as a
 * whole; one with too few parts matches nothing.
 */
function arnMatches(pattern: string, arn: string): boolean {
  if (!pattern.includes(':')) return wildcard(pattern, arn, false);
  const p = arnParts(pattern);
  const a = arnParts(arn);
  if (!p || !a) return false;
  return p.every((part, i) => wildcard(part, a[i]!, false));
}

function arnParts(s: string): string[] | undefined {
  const parts = s.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** Whether an IPv4/IPv6 address lies in a CIDR block (or equals a bare address). */
export function inCidr(address: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/', 2) as [string, string?];
  const family = isIP(address);
  if (family === 0 || isIP(net) !== family) return false;
  const a = toBytes(address, family);
  const n = toBytes(net, family);
  const bits = bitsText === undefined ? a.length * 8 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > a.length * 8) return false;
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if ((a[byte]! & mask) !== (n[byte]! & mask)) return false;
  }
  return true;
}

function toBytes(ip: string, family: number): number[] {
  if (family === 4) return ip.split('.').map(Number);
  const [head, tail] = ip.split('::', 2) as [string, string?];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => {
    const v = parseInt(g, 16) || 0;
    return [v >> 8, v & 0xff];
  });
}
