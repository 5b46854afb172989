/**
 * Signed URLs and signed cookies, verified as CloudFront verifies them ("Serve private content
 * with signed URLs and signed cookies"):
 *
 *   - canned policy: `Expires`, `Signature`, `Key-Pair-Id` (cookies: `CloudFront-Expires`,
 *     `CloudFront-Signature`, `CloudFront-Key-Pair-Id`); the signed text is the policy
 *     `{"Statement":[{"Resource":"<URL>","Condition":{"DateLessThan":{"AWS:EpochTime":<Expires>}}}]}`
 *     with the request's URL (without the signing parameters);
 *   - custom policy: `Policy`, `Signature`, `Key-Pair-Id` (cookies: `CloudFront-Policy`, ...);
 *     the policy's Resource may hold `*` and `?` wildcards, `DateLessThan` is required,
 *     `DateGreaterThan` and `IpAddress` (`AWS:SourceIp`, a CIDR block) are optional;
 *   - Policy and Signature in CloudFront's URL-safe base64 (`+`→`-`, `=`→`_`, `/`→`~`), the
 *     signature RSA-SHA1 over the policy's bytes, by a public key of a key group the cache
 *     behavior trusts.
 *
 * A request failing any of this is answered 403 with CloudFront's code and message.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { inCidr } from '../../../lib/policy-conditions.js';

export interface SignedRequestFacts {
  /** The raw query string (without '?'). */
  query: string;
  /** The Cookie header. */
  cookie: string | undefined;
  /**
   * The URLs the request may have been signed for, without the signing parameters: the URL as
   * requested and the distribution's own domain names, each with http and https.
   */
  urls: readonly string[];
  sourceIp: string | undefined;
  /** Seconds since the epoch. */
  now: number;
  /** The public key of a Key-Pair-Id the behavior trusts; undefined for one it does not. */
  keyFor(keyPairId: string): KeyObject | string | undefined;
}

export interface SignedDenial {
  code: 'MissingKey' | 'InvalidKey' | 'MalformedPolicy' | 'AccessDenied';
  message: string;
}

const SIGNING_PARAMS = new Set(['Expires', 'Signature', 'Key-Pair-Id', 'Policy']);

/** The query string without CloudFront's signing parameters (order kept). */
export function stripSigningParams(query: string): string {
  if (!query) return '';
  return query
    .split('&')
    .filter((p) => p && !SIGNING_PARAMS.has(decodeOr(p.split('=', 1)[0]!)))
    .join('&');
}

function decodeOr(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** CloudFront's URL-safe base64 back to bytes. */
export function cloudFrontBase64Decode(s: string): Buffer {
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
}

export function cloudFrontBase64Encode(b: Buffer): string {
  return b.toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
}

function queryParams(query: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of query.split('&')) {
    if (!p) continue;
    const eq = p.indexOf('=');
    const k = decodeOr(eq < 0 ? p : p.slice(0, eq));
    if (SIGNING_PARAMS.has(k) && !out.has(k)) out.set(k, eq < 0 ? '' : decodeOr(p.slice(eq + 1)));
  }
  return out;
}

function cookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const k = part.slice(0, eq).trim();
    if (k.startsWith('CloudFront-') && !out.has(k)) out.set(k, part.slice(eq + 1).trim());
  }
  return out;
}

/** The canned policy text CloudFront signs for a URL and an expiry. */
export function cannedPolicy(url: string, expires: number): string {
  return `{"Statement":[{"Resource":${JSON.stringify(url)},"Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`;
}

/** A policy Resource with `*` (any run) and `?` (one character) wildcards, matched whole. */
export function resourceMatches(pattern: string, url: string): boolean {
  if (pattern.length > 2048) return false;
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return re.test(url);
}

const deny = (code: SignedDenial['code'], message: string): SignedDenial => ({ code, message });
const ACCESS_DENIED = deny('AccessDenied', 'Access denied');

/** Undefined when the request is signed for this URL and now; else why not. */
export function verifySignedRequest(f: SignedRequestFacts): SignedDenial | undefined {
  const q = queryParams(f.query);
  const c = cookies(f.cookie);
  const fromUrl = q.has('Signature') || q.has('Key-Pair-Id') || q.has('Policy') || q.has('Expires');
  const keyPairId = fromUrl ? q.get('Key-Pair-Id') : c.get('CloudFront-Key-Pair-Id');
  const signature = fromUrl ? q.get('Signature') : c.get('CloudFront-Signature');
  const policyText = fromUrl ? q.get('Policy') : c.get('CloudFront-Policy');
  const expires = fromUrl ? q.get('Expires') : c.get('CloudFront-Expires');
  if (!keyPairId) return deny('MissingKey', 'Missing Key-Pair-Id query parameter or cookie value');
  const keyMaterial = f.keyFor(keyPairId);
  if (!keyMaterial) return deny('InvalidKey', 'Unknown Key');
  let key: KeyObject;
  try {
    key = typeof keyMaterial === 'string' ? createPublicKey(keyMaterial) : keyMaterial;
  } catch {
    return deny('InvalidKey', 'Unknown Key');
  }
  if (!signature) return ACCESS_DENIED;
  const sig = cloudFrontBase64Decode(signature);
  const signedBy = (text: string | Buffer) => {
    try {
      return verify('RSA-SHA1', Buffer.isBuffer(text) ? text : Buffer.from(text), key, sig);
    } catch {
      return false;
    }
  };

  if (policyText !== undefined) {
    if (policyText.length > 8192) return deny('MalformedPolicy', 'Malformed Policy');
    const bytes = cloudFrontBase64Decode(policyText);
    let policy: unknown;
    try {
      policy = JSON.parse(bytes.toString('utf8'));
    } catch {
      return deny('MalformedPolicy', 'Malformed Policy');
    }
    const st = (policy as { Statement?: unknown }).Statement;
    const s = Array.isArray(st) && st.length === 1 ? (st[0] as Record<string, unknown>) : undefined;
    const cond = s?.Condition as Record<string, Record<string, unknown> | undefined> | undefined;
    const lessThan = cond?.DateLessThan?.['AWS:EpochTime'];
    const greaterThan = cond?.DateGreaterThan?.['AWS:EpochTime'];
    const ip = cond?.IpAddress?.['AWS:SourceIp'];
    const resource = s?.Resource;
    if (!s || typeof lessThan !== 'number' || (greaterThan !== undefined && typeof greaterThan !== 'number') || (ip !== undefined && typeof ip !== 'string') || (resource !== undefined && typeof resource !== 'string')) {
      return deny('MalformedPolicy', 'Malformed Policy');
    }
    if (!signedBy(bytes)) return ACCESS_DENIED;
    if (f.now >= lessThan) return ACCESS_DENIED;
    if (greaterThan !== undefined && f.now <= greaterThan) return ACCESS_DENIED;
    if (ip !== undefined && !(f.sourceIp && cidrHolds(f.sourceIp, ip))) return ACCESS_DENIED;
    if (resource !== undefined && !f.urls.some((u) => resourceMatches(resource, u))) return ACCESS_DENIED;
    return undefined;
  }

  if (!expires || !/^\d{1,12}$/.test(expires)) return deny('MalformedPolicy', 'Malformed Policy');
  const exp = Number(expires);
  // A signed cookie's canned policy names the URL without a query string as well.
  const candidates = fromUrl ? f.urls : [...new Set(f.urls.flatMap((u) => [u, u.split('?')[0]!]))];
  if (!candidates.some((u) => signedBy(cannedPolicy(u, exp)))) return ACCESS_DENIED;
  if (f.now >= exp) return ACCESS_DENIED;
  return undefined;
}

function cidrHolds(ip: string, cidr: string): boolean {
  try {
    return inCidr(ip, cidr.includes('/') ? cidr : `${ip.includes(':') ? cidr + '/128' : cidr + '/32'}`);
  } catch {
    return false;
  }
}
