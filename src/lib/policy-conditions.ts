/**
 * The Condition block of resource policies, for the keys a request carries (aws:SourceIp,
 * aws:SecureTransport, s3:prefix, sns:Protocol, ...): `{ "<Operator>": { "<key>": value |
 * [values] } }`, every operator and key must hold (AND), any of a key's values may match
 * (OR). A key the request lacks fails the test, except for the negated operators (StringNot*,
 * ArnNot*, NotIpAddress), `...IfExists`, and `Null`, which tests exactly that. An operator
 * Nimbus does not know fails (the safe side for an Allow), or holds when the caller asks for
 * that (`unknown: 'hold'`, the safe side for a Deny).
 */
import { isIP } from 'node:net';
import { wildcard } from './policy.js';

export type ConditionKeys = Record<string, string | undefined>;

/** The operators Nimbus evaluates (each also with `IfExists`). */
const KNOWN = new Set(['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike', 'Bool', 'IpAddress', 'NotIpAddress', 'NumericEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals', 'Null']);

export function conditionsHold(block: unknown, keys: ConditionKeys, unknown: 'fail' | 'hold' = 'fail'): boolean {
  if (!block || typeof block !== 'object') return unknown === 'hold';
  for (const [rawOp, tests] of Object.entries(block as Record<string, unknown>)) {
    const ifExists = rawOp.endsWith('IfExists');
    const op = ifExists ? rawOp.slice(0, -'IfExists'.length) : rawOp;
    if (!tests || typeof tests !== 'object' || !KNOWN.has(op)) {
      if (unknown === 'hold') continue;
      return false;
    }
    for (const [key, expected] of Object.entries(tests as Record<string, unknown>)) {
      const actual = lookup(keys, key);
      const values = (Array.isArray(expected) ? expected : [expected]).map(String);
      if (op === 'Null') {
        // `"Null": {"key": "true"}` holds when the request lacks the key, "false" when it has it.
        if (!values.some((v) => v.toLowerCase() === String(actual === undefined))) return false;
        continue;
      }
      if (actual === undefined) {
        if (ifExists || op.startsWith('StringNot') || op.startsWith('ArnNot') || op === 'NotIpAddress') continue;
        return false;
      }
      if (!test(op, actual, values)) return false;
    }
  }
  return true;
}

/** Condition keys are case-insensitive. */
function lookup(keys: ConditionKeys, key: string): string | undefined {
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(keys)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function test(op: string, actual: string, values: string[]): boolean {
  switch (op) {
    case 'StringEquals':
      return values.includes(actual);
    case 'StringNotEquals':
      return !values.includes(actual);
    case 'StringEqualsIgnoreCase':
      return values.some((v) => v.toLowerCase() === actual.toLowerCase());
    case 'StringNotEqualsIgnoreCase':
      return !values.some((v) => v.toLowerCase() === actual.toLowerCase());
    case 'StringLike':
      return values.some((v) => wildcard(v, actual, false));
    case 'StringNotLike':
      return !values.some((v) => wildcard(v, actual, false));
    // ArnEquals takes wildcards too: IAM treats both alike.
    case 'ArnEquals':
    case 'ArnLike':
      return values.some((v) => arnMatches(v, actual));
    case 'ArnNotEquals':
    case 'ArnNotLike':
      return !values.some((v) => arnMatches(v, actual));
    case 'Bool':
      return values.some((v) => v.toLowerCase() === actual.toLowerCase());
    case 'IpAddress':
      return values.some((v) => inCidr(actual, v));
    case 'NotIpAddress':
      return !values.some((v) => inCidr(actual, v));
    case 'NumericEquals':
      return values.some((v) => Number(v) === Number(actual));
    case 'NumericLessThan':
      return values.some((v) => Number(actual) < Number(v));
    case 'NumericLessThanEquals':
      return values.some((v) => Number(actual) <= Number(v));
    case 'NumericGreaterThan':
      return values.some((v) => Number(actual) > Number(v));
    case 'NumericGreaterThanEquals':
      return values.some((v) => Number(actual) >= Number(v));
    default:
      return false;
  }
}

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
