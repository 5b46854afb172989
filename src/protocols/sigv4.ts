/**
 * AWS Signature Version 4 verification, header form (Authorization: AWS4-HMAC-SHA256 ...) and
 * presigned-query form (X-Amz-Algorithm=...&X-Amz-Credential=...&X-Amz-Signature=...).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 *
 * Every failure is a 403 AwsError; malformed input of any kind never throws anything else.
 * Chunk signatures of STREAMING-* payloads are not checked here (only the seed signature).
 *
 * What a signature must cover, beyond the canonical request itself:
 * - `host` is always among the signed headers (both forms), as AWS requires;
 * - `x-amz-target`, when the request carries it, is signed: it chooses the operation;
 * - outside S3, a non-empty body is signed (its SHA-256 is the payload hash): an UNSIGNED-PAYLOAD
 *   or STREAMING-* signature with a body is refused, so an unsigned body never reaches a handler.
 *   The identity says whether the body is covered (`payloadSigned`), for callers that read it.
 * The caller checks the scope's service against the service the request is routed to
 * ({@link requireSigningService}).
 */
import { verifySigV2 } from './sigv2.js';
import * as crypto from 'node:crypto';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../lib/clock.js';
import { AwsError } from './errors.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  /**
   * A key Nimbus mints for itself to act as an AWS service principal (CloudFront's origin access
   * control signs its S3 requests as `cloudfront.amazonaws.com`); such a key has no account and
   * never leaves the process.
   */
  principalService?: string;
  /** The signing names (credential-scope services) this key may sign for; any when absent. */
  signingNames?: readonly string[];
}

export interface SigV4Request {
  method: string;
  /** raw request path as received, without the query string, still percent-encoded as sent */
  path: string;
  /** raw query string without the leading '?', '' when none */
  query: string;
  /** node's IncomingHttpHeaders (lower-case names) */
  headers: Record<string, string | string[] | undefined>;
  /** the full request body (already read); used for the payload hash when x-amz-content-sha256 is absent */
  body: Buffer;
  /**
   * The body was not read (an S3 upload streamed to the blob store): the declared
   * x-amz-content-sha256 is taken as signed, and the caller must check a hex hash against the
   * bytes as they stream (identity.payloadHash).
   */
  streamed?: boolean;
}

/** What verifying the chunk signatures of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body needs. */
export interface StreamingSignature {
  signingKey: Buffer;
  /** X-Amz-Date of the request. */
  date: string;
  /** `date/region/service/aws4_request` */
  scope: string;
  /** The request's own signature, which the first chunk's signature chains from. */
  seedSignature: string;
}

export interface SigV4Identity {
  accessKeyId: string;
  accountId: string;
  /** The service principal a Nimbus-minted key acts as (see Credentials.principalService). */
  principalService?: string;
  region: string;
  /** the credential scope's service (signing name); see {@link requireSigningService} */
  service: string;
  /**
   * Whether the signature covers the request body (the signed payload hash is the body's
   * SHA-256). False for UNSIGNED-PAYLOAD and STREAMING-* (S3 only when the body is not empty):
   * such a body must never be read as operation parameters.
   */
  payloadSigned: boolean;
  /** The payload hash the signature covers: a body hash, UNSIGNED-PAYLOAD or STREAMING-*. */
  payloadHash: string;
  /** For signed streaming bodies: what the chunk decoder needs to verify each chunk. */
  streaming?: StreamingSignature;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const TERMINATOR = 'aws4_request';
const UNSIGNED = 'UNSIGNED-PAYLOAD';
const SKEW_MS = 15 * 60 * 1000;
const MAX_EXPIRES = 604_800;
const KEY_CACHE_MAX = 256;
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const deny = (code: string, queryCode: string, message: string) =>
  new AwsError(code, message, { status: 403, queryCode, fault: 'Sender' });
const incomplete = (message: string) => deny('IncompleteSignatureException', 'IncompleteSignature', message);
const invalidSignature = (message = MISMATCH) => deny('InvalidSignatureException', 'SignatureDoesNotMatch', message);
const HOST_NOT_SIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.";
const TARGET_NOT_SIGNED = "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.";
const badDate = (got: string) =>
  incomplete(`Date must be in ISO-8601 'basic format'. Got '${got}'. See http://en.wikipedia.org/wiki/ISO_8601`);

/** Epoch ms as ISO 8601 basic format, YYYYMMDD'T'HHMMSS'Z'. */
export function amzDate(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? 'Invalid Date' : d.toISOString().replace(/[-:]|\.\d{3}/g, '');
}

/** Requests of the same second carry the same X-Amz-Date: remember the last one parsed. */
let lastAmzDate: { text: string; ms: number | undefined } | undefined;

function parseAmzDate(s: string): number | undefined {
  if (lastAmzDate?.text === s) return lastAmzDate.ms;
  const ms = parseAmzDateUncached(s);
  lastAmzDate = { text: s, ms };
  return ms;
}

function parseAmzDateUncached(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return amzDate(ms) === s ? ms : undefined; // rejects 20130230T..., 25:00:00, ...
}

// ---- encoding -------------------------------------------------------------------------------

/** RFC 3986 encoding per byte: unreserved A-Za-z0-9-_.~ kept, everything else %XX (upper hex). */
const ENCODED = Array.from({ length: 256 }, (_, b) => {
  const c = String.fromCharCode(b);
  return /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
});
function uriEncode(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += ENCODED[b];
  return out;
}

/** Lenient percent-decoding to bytes: valid %XX become bytes, anything else is kept literally. */
function percentDecode(s: string): Buffer {
  if (!s.includes('%')) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of s.matchAll(/%[0-9A-Fa-f]{2}/g)) {
    parts.push(Buffer.from(s.slice(last, m.index), 'utf8'), Buffer.from([parseInt(m[0].slice(1), 16)]));
    last = m.index! + 3;
  }
  parts.push(Buffer.from(s.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

interface QueryParam { name: string; value: string; encName: string; encValue: string }

function parseQuery(query: string): QueryParam[] {
  const out: QueryParam[] = [];
  if (query === '') return out;
  for (const piece of query.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = percentDecode(eq < 0 ? piece : piece.slice(0, eq));
    const value = percentDecode(eq < 0 ? '' : piece.slice(eq + 1));
    out.push({ name: name.toString(), value: value.toString(), encName: uriEncode(name), encValue: uriEncode(value) });
  }
  return out;
}

const param = (params: QueryParam[], name: string) => params.find((p) => p.name === name)?.value;

function canonicalQuery(params: QueryParam[], presigned: boolean): string {
  return params
    .filter((p) => !(presigned && p.name === 'X-Amz-Signature'))
    .map((p) => [p.encName, p.encValue] as const)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([n, v]) => `${n}=${v}`)
    .join('&');
}

/**
 * S3 signs the path as sent (single-encoded). Other services sign it normalized (empty, '.' and
 * '..' segments removed) and encoded once more, exactly like @smithy/signature-v4 uriEscapePath.
 */
function canonicalUri(path: string, service: string): string {
  if (service === 's3') return path || '/';
  const segments: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(uriEncode(Buffer.from(seg, 'utf8')));
  }
  const lead = path.startsWith('/') || segments.length === 0 ? '/' : '';
  const trail = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return lead + segments.join('/') + trail;
}

type Headers = SigV4Request['headers'];

/** Raw header value (arrays joined with ','), undefined when absent; tolerant of junk values. */
function header(headers: Headers, name: string): string | undefined {
  if (!Object.hasOwn(headers, name)) return undefined;
  const v: unknown = headers[name];
  if (v === undefined || v === null) return undefined;
  return Array.isArray(v) ? v.map((x) => canonicalValue(String(x))).join(',') : String(v);
}
/** Runs of blanks folded to one space, and the ends trimmed; most values have nothing to fold. */
const NEEDS_FOLDING = /[\t\r\n]|  |^ | $/;
const canonicalValue = (v: string) => (NEEDS_FOLDING.test(v) ? v.replace(/[ \t\r\n]+/g, ' ').replace(/^ | $/g, '') : v);

/** One-shot crypto.hash (Node >= 20.12) skips the Hash object: a third of the cost on small inputs. */
const oneShot = (crypto as { hash?: (alg: string, data: string | Uint8Array, enc: 'hex') => string }).hash;
const sha256hex = oneShot
  ? (data: string | Uint8Array) => oneShot('sha256', data, 'hex')
  : (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

// ---- parsing --------------------------------------------------------------------------------

interface AuthHeader { algorithm: string; credential?: string; signedHeaders?: string; signature?: string }

/** Routing and verification parse the same header back to back: remember the last one. */
let lastAuthorization: { value: string; parsed: Readonly<AuthHeader> } | undefined;

function parseAuthorization(value: string): Readonly<AuthHeader> {
  if (lastAuthorization?.value === value) return lastAuthorization.parsed;
  const parsed = parseAuthorizationUncached(value);
  lastAuthorization = { value, parsed };
  return parsed;
}

function parseAuthorizationUncached(value: string): AuthHeader {
  const m = /^\s*(\S*)\s*([^]*)$/.exec(value);
  const out: AuthHeader = { algorithm: m?.[1] ?? '' };
  for (const kv of (m?.[2] ?? '').split(',')) {
    const eq = kv.indexOf('=');
    const key = kv.slice(0, Math.max(eq, 0)).trim();
    const val = kv.slice(eq + 1).trim();
    if (eq < 0 || val === '') continue;
    if (key === 'Credential') out.credential = val;
    else if (key === 'SignedHeaders') out.signedHeaders = val;
    else if (key === 'Signature') out.signature = val;
  }
  return out;
}

const isPresigned = (params: QueryParam[]) =>
  params.some((p) => p.name === 'X-Amz-Credential' || p.name === 'X-Amz-Signature' || p.name === 'X-Amz-Algorithm');

interface Scope { accessKeyId: string; date: string; region: string; service: string; terminator: string }

function splitScope(credential: string): Scope | undefined {
  const [accessKeyId, date, region, service, terminator, ...rest] = credential.split('/');
  if (terminator === undefined || rest.length > 0) return undefined;
  return { accessKeyId: accessKeyId!, date: date!, region: region!, service: service!, terminator };
}

const PRESIGN_PARAM = /(?:^|&)x-amz-(?:credential|signature|algorithm)=/i;

/**
 * A request that attempts no signature at all: no Authorization header, no presigned query.
 * (A malformed attempt is not unsigned: it is refused as AWS refuses it.)
 */
export function isUnsigned(req: Pick<SigV4Request, 'headers' | 'query'>): boolean {
  return req.headers?.authorization === undefined && !PRESIGN_PARAM.test(String(req.query ?? ''));
}

/**
 * Cheap parse used for routing, no crypto: the credential scope from the Authorization header or
 * the X-Amz-Credential query parameter; undefined if neither present/parsable.
 */
export function signingScope(
  req: Pick<SigV4Request, 'headers' | 'query'>,
): { accessKeyId: string; region: string; service: string } | undefined {
  try {
    const auth = header(req.headers ?? {}, 'authorization');
    const credential =
      auth !== undefined
        ? parseAuthorization(auth).credential
        : param(parseQuery(String(req.query ?? '')), 'X-Amz-Credential');
    const scope = credential === undefined ? undefined : splitScope(credential);
    if (!scope || !scope.accessKeyId || !scope.region || !scope.service) return undefined;
    return { accessKeyId: scope.accessKeyId, region: scope.region, service: scope.service };
  } catch {
    return undefined;
  }
}

/** What the request claims, before any key lookup or crypto. */
interface Claim {
  presigned: boolean;
  scope: Scope;
  signedHeaders: string;
  /** `signedHeaders` split at `;` */
  signedHeaderNames: string[];
  signature: string;
  /** request time in ISO basic format, as used in the string to sign */
  date: string;
  time: number;
  /** presigned only */
  expires: number;
  params: QueryParam[];
}

function parseClaim(req: SigV4Request): Claim {
  const headers: Headers = req.headers ?? {};
  const params = parseQuery(typeof req.query === 'string' ? req.query : '');
  const auth = header(headers, 'authorization');
  let credential: string, signedHeaders: string, signature: string, date: string, time: number | undefined;
  let expires = 0;
  if (auth !== undefined) {
    const a = parseAuthorization(auth);
    const xAmzDate = header(headers, 'x-amz-date');
    const httpDate = header(headers, 'date');
    if (a.credential === undefined || a.signature === undefined || a.signedHeaders === undefined || (xAmzDate === undefined && httpDate === undefined)) {
      const missing: string[] = [];
      const parts = { Credential: a.credential, Signature: a.signature, SignedHeaders: a.signedHeaders };
      for (const [name, value] of Object.entries(parts)) {
        if (value === undefined) missing.push(`Authorization header requires '${name}' parameter.`);
      }
      if (xAmzDate === undefined && httpDate === undefined)
        missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
      throw incomplete(`${missing.join(' ')} Authorization=${auth}`);
    }
    if (a.algorithm !== ALGORITHM) throw incomplete(`Unsupported AWS 'algorithm': '${a.algorithm}'`);
    [credential, signedHeaders, signature] = [a.credential!, a.signedHeaders!, a.signature!];
    if (xAmzDate !== undefined) {
      date = xAmzDate.trim();
      time = parseAmzDate(date);
      if (time === undefined) throw badDate(xAmzDate);
    } else {
      const ms = Date.parse(httpDate!);
      if (Number.isNaN(ms)) throw badDate(httpDate!);
      time = Math.floor(ms / 1000) * 1000;
      date = amzDate(time);
    }
  } else if (isPresigned(params)) {
    const names = ['Algorithm', 'Credential', 'SignedHeaders', 'Signature', 'Date', 'Expires'];
    const [algorithm, cred, sh, sig, d, exp] = names.map((n) => param(params, `X-Amz-${n}`));
    if (!algorithm || !cred || !sh || !sig || !d || !exp)
      throw incomplete(
        'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, ' +
          'X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
      );
    if (algorithm !== ALGORITHM) throw incomplete(`X-Amz-Algorithm only supports "${ALGORITHM}"`);
    [credential, signedHeaders, signature, date] = [cred, sh, sig, d];
    time = parseAmzDate(date);
    if (time === undefined) throw badDate(date);
    expires = /^\d{1,6}$/.test(exp) ? Number(exp) : NaN;
    // 0 is well formed and already expired (S3 answers such a URL "Request has expired").
    if (!(expires >= 0 && expires <= MAX_EXPIRES))
      throw incomplete(`X-Amz-Expires must be a number of seconds from 0 to ${MAX_EXPIRES} (a week). Got '${exp}'.`);
  } else {
    throw deny('MissingAuthenticationTokenException', 'MissingAuthenticationToken', 'Missing Authentication Token');
  }

  const scope = splitScope(credential);
  if (!scope || !scope.accessKeyId || !/^\d{8}$/.test(scope.date) || !scope.region || !scope.service)
    throw incomplete(`Credential should be of the form 'AKID/YYYYMMDD/region/service/${TERMINATOR}': '${credential}'.`);
  if (scope.terminator !== TERMINATOR)
    throw incomplete(`Credential should be scoped with a valid terminator: 'aws4_request', not '${scope.terminator}'.`);
  if (scope.date !== date.slice(0, 8))
    throw invalidSignature(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: ` +
        `'${scope.date}' != '${date.slice(0, 8)}', from '${date}'.`,
    );
  const signedHeaderNames = signedHeaders.split(';');
  if (!signedHeaderNames.includes('host')) throw incomplete(HOST_NOT_SIGNED);
  return { presigned: auth === undefined, scope, signedHeaders, signedHeaderNames, signature, date, time, expires, params };
}

/**
 * After routing: the credential scope must name the service the request is routed to, else
 * 403 InvalidSignatureException (query code SignatureDoesNotMatch), worded as AWS words it.
 */
export function requireSigningService(identity: Pick<SigV4Identity, 'service'>, signingName: string): void {
  if (identity.service !== signingName)
    throw invalidSignature(`Credential should be scoped to correct service: '${signingName}'. `);
}

// ---- verification ---------------------------------------------------------------------------

/** Any non-AwsError escaping parsing/crypto on malformed input becomes a 403, never a 500. */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof AwsError) throw e;
    throw invalidSignature();
  }
}

export class SigV4Verifier {
  /** derived signing keys by secret/date/region/service; FIFO-bounded */
  private readonly keys = new Map<string, Buffer>();

  constructor(
    private readonly lookup: (accessKeyId: string) => Credentials | undefined,
    private readonly clock: Clock,
  ) {}

  /** S3's Signature Version 2 (sigv2.ts), with these keys and this clock; `bucket`: the virtual-hosted bucket. */
  verifyV2(req: Pick<SigV4Request, 'method' | 'path' | 'query' | 'headers'>, bucket: string | undefined): SigV4Identity {
    return verifySigV2(req, this.lookup, this.clock, bucket);
  }

  /** Whether a request names a configured access key (not yet whether its signature holds). */
  namesKnownKey(req: Pick<SigV4Request, 'headers' | 'query'>): boolean {
    const scope = signingScope(req);
    return scope !== undefined && this.lookup(scope.accessKeyId) !== undefined;
  }

  /**
   * Verifies header-form (Authorization: AWS4-HMAC-SHA256 ...) or presigned-query-form
   * (X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=...&X-Amz-Signature=...) requests.
   * Throws AwsError (status 403) on failure; returns the identity on success.
   */
  verify(req: SigV4Request): SigV4Identity {
    const claim = guarded(() => parseClaim(req));
    const creds = this.lookup(claim.scope.accessKeyId);
    const invalidKey = 'The security token included in the request is invalid.';
    if (!creds) throw deny('UnrecognizedClientException', 'InvalidClientTokenId', invalidKey);
    const { payloadHash, signingKey, scopeString } = guarded(() => this.check(req, claim, creds));
    const { region, service } = claim.scope;
    if (creds.signingNames && !creds.signingNames.includes(service)) throw deny('UnrecognizedClientException', 'InvalidClientTokenId', invalidKey);
    // A literal payload hash (UNSIGNED-PAYLOAD, STREAMING-*) leaves the body unsigned; a hex one
    // is always the body's own hash (see payloadHashes).
    const payloadSigned = /^[0-9a-fA-F]{64}$/.test(payloadHash);
    const raw: unknown = req.body;
    const bodyLength = raw instanceof Uint8Array ? raw.length : 0;
    // Outside S3 the body carries the operation's parameters: an unsigned one is refused
    // outright, as AWS (which always hashes the body itself there) would refuse it.
    if (!payloadSigned && bodyLength > 0 && service !== 's3') throw invalidSignature();
    const streaming = payloadHash.startsWith('STREAMING-AWS4-HMAC-SHA256-')
      ? { signingKey, date: claim.date, scope: scopeString, seedSignature: claim.signature }
      : undefined;
    const identity: SigV4Identity = { accessKeyId: creds.accessKeyId, accountId: creds.accountId, region, service, payloadSigned, payloadHash };
    if (creds.principalService) identity.principalService = creds.principalService;
    if (streaming) identity.streaming = streaming;
    return identity;
  }

  /** Checks the signature; returns the payload hash the signature was computed over. */
  private check(req: SigV4Request, claim: Claim, creds: Credentials): { payloadHash: string; signingKey: Buffer; scopeString: string } {
    this.checkTime(claim);
    const { scope } = claim;
    const headers: Headers = req.headers ?? {};
    const signed = claim.signedHeaderNames;
    if (header(headers, 'x-amz-target') !== undefined && !signed.includes('x-amz-target'))
      throw invalidSignature(TARGET_NOT_SIGNED);
    let canonicalHeaders = '';
    for (let i = 0; i < signed.length; i++) {
      const h = signed[i]!;
      canonicalHeaders += `${i ? '\n' : ''}${h}:${canonicalValue(header(headers, h) ?? '')}`;
    }
    const path = canonicalUri(typeof req.path === 'string' ? req.path : '/', scope.service);
    const query = canonicalQuery(claim.params, claim.presigned);
    const heads = [`${String(req.method)}\n${path}\n${query}\n${canonicalHeaders}\n\n${claim.signedHeaders}`];
    // Node reads header bytes as Latin-1; a client that sent UTF-8 (non-ASCII user metadata)
    // signed the characters those bytes encode in UTF-8, so that reading is tried too.
    if (/[\x80-\xff]/.test(canonicalHeaders)) {
      const asUtf8 = canonicalHeaders
        .split('\n')
        .map((line) => (/[\x80-\xff]/.test(line) ? Buffer.from(line, 'latin1').toString('utf8') : line))
        .join('\n');
      if (asUtf8 !== canonicalHeaders) heads.push(`${String(req.method)}\n${path}\n${query}\n${asUtf8}\n\n${claim.signedHeaders}`);
    }
    const scopeString = `${scope.date}/${scope.region}/${scope.service}/${scope.terminator}`;
    const key = this.signingKey(creds.secretAccessKey, scope);
    const provided = Buffer.from(claim.signature, 'utf8');
    for (const head of heads) {
      for (const payloadHash of payloadHashes(req, claim)) {
        const stringToSign = `${ALGORITHM}\n${claim.date}\n${scopeString}\n${sha256hex(`${head}\n${payloadHash}`)}`;
        // (A hex digest compared as text is cheaper than a Buffer digest: node allocates those slowly.)
        const expected = Buffer.from(createHmac('sha256', key).update(stringToSign).digest('hex'), 'utf8');
        if (expected.length === provided.length && timingSafeEqual(expected, provided)) return { payloadHash, signingKey: key, scopeString };
      }
    }
    throw invalidSignature();
  }

  /**
   * Header form: the request time must be within 15 minutes of now. Presigned form: refused once
   * now is past X-Amz-Date + X-Amz-Expires, or if X-Amz-Date is more than 15 minutes ahead.
   * An expired presigned URL is reported as InvalidSignatureException/SignatureDoesNotMatch
   * ("Signature expired: <expiry> is now earlier than <now>"), like the header form, rather than
   * S3's AccessDenied "Request has expired": one 403 code family for all signature-time failures.
   */
  private checkTime(claim: Claim): void {
    const now = this.clock.now();
    if (claim.time > now + SKEW_MS)
      throw invalidSignature(
        `Signature not yet current: ${claim.date} is still later than ${amzDate(now + SKEW_MS)} ` +
          `(${amzDate(now)} + 15 min.)`,
      );
    if (claim.presigned) {
      const expiry = claim.time + claim.expires * 1000;
      if (now > expiry || claim.expires === 0) {
        throw invalidSignature(`Signature expired: ${amzDate(expiry)} is now earlier than ${amzDate(now)}`);
      }
    } else if (claim.time < now - SKEW_MS) {
      throw invalidSignature(
        `Signature expired: ${claim.date} is now earlier than ${amzDate(now - SKEW_MS)} (${amzDate(now)} - 15 min.)`,
      );
    }
  }

  /** The key of the last request: a client signs request after request with the same one. */
  private lastKey: { secret: string; date: string; region: string; service: string; key: Buffer } | undefined;

  private signingKey(secret: string, scope: Scope): Buffer {
    const last = this.lastKey;
    if (last && last.secret === secret && last.date === scope.date && last.region === scope.region && last.service === scope.service) return last.key;
    const key = this.cachedSigningKey(secret, scope);
    this.lastKey = { secret, date: scope.date, region: scope.region, service: scope.service, key };
    return key;
  }

  private cachedSigningKey(secret: string, scope: Scope): Buffer {
    const id = `${secret}\0${scope.date}\0${scope.region}\0${scope.service}`;
    let key = this.keys.get(id);
    if (key === undefined) {
      key = Buffer.from(`AWS4${secret}`, 'utf8');
      for (const part of [scope.date, scope.region, scope.service, TERMINATOR]) {
        key = createHmac('sha256', key).update(part).digest();
      }
      if (this.keys.size >= KEY_CACHE_MAX) this.keys.delete(this.keys.keys().next().value!);
      this.keys.set(id, key);
    }
    return key;
  }
}

/**
 * Payload hashes to try, best first. A declared x-amz-content-sha256 (header, or query parameter
 * in presigned form) is used verbatim when it is a literal (UNSIGNED-PAYLOAD, STREAMING-*); a
 * declared hex hash must match the body, else the body's real hash is signed (so a tampered body
 * fails). Undeclared: header form hashes the body; presigned S3 uses UNSIGNED-PAYLOAD; other
 * presigned requests accept either the body hash (smithy/JS, Go SDKs) or UNSIGNED-PAYLOAD (botocore).
 */
function payloadHashes(req: SigV4Request, claim: Claim): string[] {
  const raw: unknown = req.body;
  const body = raw instanceof Uint8Array ? raw : Buffer.alloc(0);
  let declared = header(req.headers ?? {}, 'x-amz-content-sha256');
  if (declared === undefined && claim.presigned)
    declared = claim.params.find((p) => p.name.toLowerCase() === 'x-amz-content-sha256')?.value;
  if (req.streamed) return [declared?.trim() ?? UNSIGNED];
  if (declared !== undefined) {
    declared = declared.trim();
    if (!/^[0-9a-fA-F]{64}$/.test(declared)) return [declared];
    const actual = sha256hex(body);
    return [actual === declared.toLowerCase() ? declared : actual];
  }
  if (!claim.presigned) return [sha256hex(body)];
  return claim.scope.service === 's3' ? [UNSIGNED] : [sha256hex(body), UNSIGNED];
}
