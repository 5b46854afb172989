/**
 * POST policies (browser-based uploads, SigV4): the base64 JSON document with `expiration`
 * and `conditions`, its signature (HMAC-SHA256 of the base64 text with the SigV4 signing key),
 * and S3's rules for the form fields it covers.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Credentials } from '../../../protocols/sigv4.js';
import { AccessDenied, InvalidArgument, s3Error } from '../errors.js';

export type PolicyCondition =
  | { kind: 'eq' | 'starts-with'; field: string; value: string }
  | { kind: 'content-length-range'; min: number; max: number };

export interface PostPolicy {
  expiration: number;
  conditions: PolicyCondition[];
}

/** Fields no condition needs to cover (S3: the signature, the file, the policy, x-ignore-*). */
export function ignoredField(name: string): boolean {
  return name === 'x-amz-signature' || name === 'signature' || name === 'awsaccesskeyid' || name === 'file' || name === 'policy' || name.startsWith('x-ignore-');
}

const invalidPolicy = (why: string) => s3Error('InvalidPolicyDocument', 400, `Invalid Policy: ${why}`);
const policyFailed = (why: string) => new AccessDenied(`Invalid according to Policy: ${why}`);

/** The policy document from its base64 form field. */
export function decodePolicy(base64: string): PostPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalidPolicy('Invalid JSON.');
  const { expiration, conditions } = doc as { expiration?: unknown; conditions?: unknown };
  if (typeof expiration !== 'string') throw invalidPolicy('Policy missing expiration.');
  const at = Date.parse(expiration);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(expiration) || Number.isNaN(at)) throw invalidPolicy('Invalid \'expiration\' value: \'' + expiration + '\'');
  if (!Array.isArray(conditions)) throw invalidPolicy('Policy missing conditions.');
  return { expiration: at, conditions: conditions.map(parseCondition) };
}

function parseCondition(c: unknown): PolicyCondition {
  if (Array.isArray(c)) {
    const [op, a, b] = c as unknown[];
    const kind = typeof op === 'string' ? op.toLowerCase() : '';
    if (kind === 'content-length-range' && c.length === 3) {
      const min = Number(a);
      const max = Number(b);
      if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0) throw invalidPolicy(`Invalid content-length-range: ${JSON.stringify(c)}`);
      return { kind, min, max };
    }
    if ((kind === 'eq' || kind === 'starts-with') && c.length === 3 && typeof a === 'string' && a.startsWith('$') && typeof b === 'string') {
      return { kind, field: a.slice(1).toLowerCase(), value: b };
    }
    throw invalidPolicy(`Invalid Condition: ${JSON.stringify(c)}`);
  }
  if (typeof c === 'object' && c !== null) {
    const entries = Object.entries(c);
    if (entries.length === 1 && typeof entries[0]![1] === 'string') return { kind: 'eq', field: entries[0]![0].toLowerCase(), value: entries[0]![1] };
  }
  throw invalidPolicy(`Invalid Condition: ${JSON.stringify(c)}`);
}

/** How S3 names a condition in "Policy Condition failed: [...]". */
function describe(c: PolicyCondition): string {
  if (c.kind === 'content-length-range') return `["content-length-range", ${c.min}, ${c.max}]`;
  return `["${c.kind}", "$${c.field}", ${JSON.stringify(c.value)}]`;
}

/**
 * Checks the expiration and every condition against the form fields (lower-case names; the
 * bucket is the one addressed). Returns the allowed body size range, if the policy sets one.
 */
export function checkPolicy(policy: PostPolicy, fields: Map<string, string>, bucket: string, now: number): { min: number; max: number } | undefined {
  if (now >= policy.expiration) throw policyFailed('Policy expired.');
  let range: { min: number; max: number } | undefined;
  const covered = new Set<string>();
  for (const c of policy.conditions) {
    if (c.kind === 'content-length-range') {
      range = { min: Math.max(range?.min ?? 0, c.min), max: Math.min(range?.max ?? Infinity, c.max) };
      continue;
    }
    covered.add(c.field);
    const actual = c.field === 'bucket' ? bucket : (fields.get(c.field) ?? '');
    const ok = c.kind === 'eq' ? actual === c.value : startsWith(c.field, actual, c.value);
    if (!ok) throw policyFailed(`Policy Condition failed: ${describe(c)}`);
  }
  const extra = [...fields.keys()].filter((name) => !ignoredField(name) && !covered.has(name));
  if (extra.length) throw policyFailed(`Extra input fields: ${extra.join(', ')}`);
  return range;
}

/** starts-with; for Content-Type, each of a comma-separated list must match. */
function startsWith(field: string, actual: string, prefix: string): boolean {
  if (field === 'content-type' && actual.includes(',')) return actual.split(',').every((v) => v.trim().startsWith(prefix));
  return actual.startsWith(prefix);
}

/** The SigV4 signing key: HMAC chain 'AWS4'+secret → date → region → service → 'aws4_request'. */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const h = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  return h(h(h(h(`AWS4${secret}`, date), region), service), 'aws4_request');
}

/**
 * The signer of a SigV4 POST form: checks x-amz-algorithm, x-amz-credential, x-amz-date and
 * x-amz-signature against the policy, and returns the credentials that signed it.
 */
export function verifyPostSignature(fields: Map<string, string>, lookup: ((akid: string) => Credentials | undefined) | undefined): Credentials {
  const need = (name: string) => {
    const v = fields.get(name);
    if (v === undefined) throw InvalidArgument(`Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, name, '');
    return v;
  };
  const policy = need('policy');
  const algorithm = need('x-amz-algorithm');
  const credential = need('x-amz-credential');
  const date = need('x-amz-date');
  const signature = need('x-amz-signature');
  if (algorithm !== 'AWS4-HMAC-SHA256') throw InvalidArgument(`Unsupported algorithm: ${algorithm}`, 'x-amz-algorithm', algorithm);
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[3] !== 's3' || parts[4] !== 'aws4_request' || !/^\d{8}$/.test(parts[1]!)) {
    throw InvalidArgument(`Invalid credential: ${credential}`, 'x-amz-credential', credential);
  }
  const [akid, day, region] = parts as [string, string, string];
  if (!/^\d{8}T\d{6}Z$/.test(date) || date.slice(0, 8) !== day) throw InvalidArgument(`Invalid date: ${date}`, 'x-amz-date', date);
  const creds = lookup?.(akid);
  if (!creds) throw s3Error('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: akid });
  const expected = createHmac('sha256', signingKey(creds.secretAccessKey, day, region, 's3')).update(policy).digest('hex');
  const given = Buffer.from(signature.toLowerCase());
  if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) {
    throw s3Error('SignatureDoesNotMatch', 403, 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
      AWSAccessKeyId: akid,
      StringToSign: policy,
      SignatureProvided: signature,
    });
  }
  return creds;
}

/**
 * The signer of a Signature Version 2 POST form: `AWSAccessKeyId`, `policy` and `signature`,
 * Base64(HMAC-SHA1(secret, policy as sent)); returns the credentials that signed it.
 */
export function verifyPostSignatureV2(fields: Map<string, string>, lookup: ((akid: string) => Credentials | undefined) | undefined): Credentials {
  const need = (name: string) => {
    const v = fields.get(name);
    if (v === undefined) throw InvalidArgument(`Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, name, '');
    return v;
  };
  const akid = need('awsaccesskeyid');
  const policy = need('policy');
  const signature = need('signature');
  const creds = lookup?.(akid);
  if (!creds) throw s3Error('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: akid });
  const expected = Buffer.from(createHmac('sha1', creds.secretAccessKey).update(policy).digest('base64'));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw s3Error('SignatureDoesNotMatch', 403, 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
      AWSAccessKeyId: akid,
      StringToSign: policy,
      SignatureProvided: signature,
    });
  }
  return creds;
}
