/**
 * JWT authorizers of HTTP APIs, as AWS documents them ("Control access to HTTP APIs with JWT
 * authorizers"): decode the token, find the key named by its `kid` in the issuer's JWKS (found
 * through `{issuer}/.well-known/openid-configuration`), check the signature, then the claims:
 * `iss` equal to the issuer, `aud` (or `client_id` when there is no `aud`) among the audience,
 * `exp` after now, `nbf` and `iat` before now; `scope` or `scp` gives the scopes.
 *
 * Keys are fetched once per issuer and kept for two hours (AWS: "API Gateway can cache the
 * public key for two hours"); a token naming a kid the cached set lacks refetches the set, at
 * most once a minute, so a key rotation is picked up without a flood of fetches. Tokens are
 * remembered by their text (bounded LRU): one whose signature checked out keeps its claims until
 * it expires, so a client repeating its token costs a map look-up and the claim comparisons (run
 * on every request against that request's configuration and time), not a signature check; one
 * that can never verify (bad signature, malformed) keeps its reason for a few minutes.
 *
 * AWS says only RSA algorithms are supported; Nimbus also takes ECDSA (ES*) keys since local
 * identity providers often sign with them. HMAC and `none` are refused: a gateway has no shared
 * secret with the issuer.
 */
import { compactVerify, type JWK, errors as joseErrors, importJWK } from 'jose';
import type { Clock } from '../../../lib/clock.js';
import type { Logger } from '../../../lib/log.js';

/** A token the authorizer refuses; `reason` is what Nimbus tells the client (the `error_description` of `WWW-Authenticate`). */
export class JwtRejected extends Error {
  constructor(
    readonly reason: string,
    /** The token can never verify, whatever the time or the issuer's keys (cached as such). */
    readonly permanent = false,
  ) {
    super(reason);
    this.name = 'JwtRejected';
  }
}

export interface JwtConfig {
  issuer: string;
  /** The audiences one of which the token must name; null accepts any (a Cognito user pool authorizer takes every app client). */
  audience: string[] | null;
  /** Where the issuer's keys are, when known without discovery (a Cognito pool's `/.well-known/jwks.json`). */
  jwksUri?: string;
}

export interface VerifiedJwt {
  claims: Record<string, unknown>;
  scopes: string[];
}

export interface JwtVerifierOptions {
  clock: Clock;
  log: Logger;
  fetch?: typeof fetch;
  /** How long a fetched key set is used before it is fetched again (ms; default two hours, as AWS). */
  keysTtlMs?: number;
  /** The least time between two fetches of one issuer's keys for unknown kids (ms; default a minute). */
  refetchIntervalMs?: number;
  /** How many verified tokens are remembered (default 10,000). */
  tokenCacheSize?: number;
}

const ALGORITHMS = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512']);
/** Discovery documents and key sets larger than this are refused (a JWKS is a few KB). */
const MAX_DOCUMENT_BYTES = 1 << 20;
const FETCH_TIMEOUT_MS = 5000;
/** After a failed fetch, the next request may try again this much later (ms). */
const FAILED_FETCH_BACKOFF_MS = 1000;
/** Tokens without `exp` are remembered this long at most (ms). */
const NO_EXP_CACHE_MS = 5 * 60_000;
/** Tokens that can never verify (and expired ones) are remembered this long (ms). */
const REJECTION_CACHE_MS = 5 * 60_000;
const MAX_TOKEN_LENGTH = 16 * 1024;
const MAX_CACHED_TOKEN_LENGTH = 4096;

type VerifyKey = Awaited<ReturnType<typeof importJWK>>;

interface IssuerKeys {
  /** The key set's JWKs by kid. */
  jwks: Map<string, JWK>;
  /** Imported keys by `kid alg`. */
  imported: Map<string, VerifyKey>;
  fetchedAt: number;
  /** When the last fetch (good or bad) started; a fetch for an unknown kid waits for the interval. */
  lastAttempt: number;
  /** No fetch before this (after a failure). */
  notBefore: number;
  pending?: Promise<void>;
}

/**
 * A token seen before: its signature was good (the claims, to check against each request's
 * configuration and the clock) or it can never be good (a bad signature, a malformed token, a
 * refused algorithm: the reason, so a client retrying it costs no signature check).
 */
type CachedToken =
  | { claims: Record<string, unknown>; result: VerifiedJwt; audiences: string[]; rejected?: undefined; until: number }
  | { rejected: string; until: number };

export class JwtVerifier {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly fetchFn: typeof fetch;
  private readonly keysTtlMs: number;
  private readonly refetchIntervalMs: number;
  private readonly tokenCacheSize: number;
  private readonly issuers = new Map<string, IssuerKeys>();
  /** Tokens by text, oldest use first (a Map keeps insertion order: a hit re-inserts). */
  private readonly tokens = new Map<string, CachedToken>();

  constructor(opts: JwtVerifierOptions) {
    this.clock = opts.clock;
    this.log = opts.log;
    this.fetchFn = opts.fetch ?? fetch;
    this.keysTtlMs = opts.keysTtlMs ?? 2 * 3600_000;
    this.refetchIntervalMs = opts.refetchIntervalMs ?? 60_000;
    this.tokenCacheSize = opts.tokenCacheSize ?? 10_000;
  }

  async verify(token: string, config: JwtConfig): Promise<VerifiedJwt> {
    // The identity source may hold the token alone or prefixed with "Bearer " (AWS documents both).
    let text = token.trim();
    if (/^bearer /i.test(text)) text = text.slice(7).trim();
    const now = this.clock.now();
    let entry = this.tokens.get(text);
    if (entry !== undefined) {
      this.tokens.delete(text);
      if (now >= entry.until) entry = undefined;
    }
    if (entry === undefined) {
      try {
        entry = await this.verifySignature(text, config, now);
      } catch (err) {
        // A token that can never verify is remembered with its reason; one naming a key the
        // issuer may publish later (a rotation) is not.
        if (err instanceof JwtRejected && err.permanent) this.remember(text, { rejected: err.reason, until: now + REJECTION_CACHE_MS });
        throw err;
      }
    }
    this.remember(text, entry);
    if (entry.rejected !== undefined) throw new JwtRejected(entry.rejected);
    checkClaims(entry.claims, entry.audiences, config, now);
    return entry.result;
  }

  /** How many tokens are remembered, good and bad (for tests and metrics). */
  cachedTokens(): number {
    return this.tokens.size;
  }

  /** Forgets every key set and token (the issuers changed their keys out of band). */
  clear(): void {
    this.issuers.clear();
    this.tokens.clear();
  }

  /** The token's claims once its signature checks out against the issuer's key; the claims' values are checked per request. */
  private async verifySignature(text: string, config: JwtConfig, now: number): Promise<CachedToken> {
    const header = decodeHeader(text);
    const key = await this.keyFor(config, header.kid, header.alg);
    let payload: Uint8Array;
    try {
      ({ payload } = await compactVerify(text, key, { algorithms: [header.alg] }));
    } catch (err) {
      throw rejectionOf(err);
    }
    let claims: unknown;
    try {
      claims = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      throw new JwtRejected('the token payload is not valid JSON', true);
    }
    if (!claims || typeof claims !== 'object' || Array.isArray(claims)) throw new JwtRejected('the token payload is not a JSON object', true);
    const c = claims as Record<string, unknown>;
    for (const name of ['exp', 'nbf', 'iat'] as const) {
      if (c[name] !== undefined && (typeof c[name] !== 'number' || !Number.isFinite(c[name]))) throw new JwtRejected(`the token has an invalid ${name} claim`, true);
    }
    // Remembered until it expires (a token without exp for a while only: its key may be withdrawn).
    const exp = expOf(c);
    return { claims: c, result: { claims: c, scopes: scopesOf(c) }, audiences: audiencesOf(c), until: exp !== undefined ? Math.max(exp, now + 1) + REJECTION_CACHE_MS : now + NO_EXP_CACHE_MS };
  }

  private remember(text: string, entry: CachedToken): void {
    // Typical tokens are about 1 KB; larger ones are checked every time rather than held.
    if (text.length > MAX_CACHED_TOKEN_LENGTH) return;
    if (this.tokens.size >= this.tokenCacheSize) {
      const oldest = this.tokens.keys().next();
      if (!oldest.done) this.tokens.delete(oldest.value);
    }
    this.tokens.set(text, entry);
  }

  /** The key of `kid` for `alg`, fetching (or refetching) the issuer's key set as needed. */
  private async keyFor(config: JwtConfig, kid: string, alg: string): Promise<VerifyKey> {
    const issuer = config.issuer;
    let keys = this.issuers.get(issuer);
    if (!keys) {
      keys = { jwks: new Map(), imported: new Map(), fetchedAt: -Infinity, lastAttempt: -Infinity, notBefore: -Infinity };
      this.issuers.set(issuer, keys);
    }
    const now = this.clock.now();
    const stale = now - keys.fetchedAt >= this.keysTtlMs;
    const unknown = !keys.jwks.has(kid);
    if ((stale || (unknown && now - keys.lastAttempt >= this.refetchIntervalMs)) && now >= keys.notBefore) {
      await this.refresh(config, keys);
    }
    const jwk = keys.jwks.get(kid);
    if (!jwk) throw new JwtRejected(keys.fetchedAt === -Infinity ? 'unable to fetch the issuer\'s signing keys' : `no signing key matches kid ${kid}`);
    if (jwk.alg !== undefined && jwk.alg !== alg) throw new JwtRejected(`signing method ${alg} is invalid`);
    const id = `${kid} ${alg}`;
    let key = keys.imported.get(id);
    if (!key) {
      try {
        key = await importJWK(jwk, alg);
      } catch {
        throw new JwtRejected(`signing method ${alg} is invalid`);
      }
      keys.imported.set(id, key);
    }
    return key;
  }

  /** Fetches an issuer's key set once for every request waiting on it; on failure the old set stays. */
  private refresh(config: JwtConfig, keys: IssuerKeys): Promise<void> {
    const issuer = config.issuer;
    if (keys.pending) return keys.pending;
    keys.lastAttempt = this.clock.now();
    keys.pending = this.fetchKeys(config)
      .then((jwks) => {
        keys.jwks = jwks;
        keys.imported = new Map();
        keys.fetchedAt = this.clock.now();
      })
      .catch((err: unknown) => {
        keys.notBefore = this.clock.now() + FAILED_FETCH_BACKOFF_MS;
        this.log.warn('jwt authorizer: cannot fetch the issuer\'s keys', { issuer, error: err instanceof Error ? err.message : String(err) });
      })
      .finally(() => {
        keys.pending = undefined;
      });
    return keys.pending;
  }

  private async fetchKeys(config: JwtConfig): Promise<Map<string, JWK>> {
    const issuer = config.issuer;
    if (!/^https?:\/\//i.test(issuer)) throw new Error(`issuer ${issuer} is not an http(s) URL`);
    const jwksUri = config.jwksUri ?? (await this.getJson(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`)).jwks_uri;
    if (typeof jwksUri !== 'string' || !/^https?:\/\//i.test(jwksUri)) throw new Error('the discovery document has no http(s) jwks_uri');
    const set = await this.getJson(jwksUri);
    if (!Array.isArray(set.keys)) throw new Error('the key set has no keys array');
    const out = new Map<string, JWK>();
    for (const k of set.keys as unknown[]) {
      if (!k || typeof k !== 'object') continue;
      const jwk = k as JWK;
      // Keys meant for encryption never verify a signature; keys without a kid cannot be named by a token.
      if (typeof jwk.kid !== 'string' || jwk.use === 'enc') continue;
      out.set(jwk.kid, jwk);
    }
    return out;
  }

  private async getJson(url: string): Promise<Record<string, unknown>> {
    const res = await this.fetchFn(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
    const text = await res.text();
    if (text.length > MAX_DOCUMENT_BYTES) throw new Error(`GET ${url} answered more than ${MAX_DOCUMENT_BYTES} bytes`);
    const doc: unknown = JSON.parse(text);
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`GET ${url} answered no JSON object`);
    return doc as Record<string, unknown>;
  }
}

function decodeHeader(text: string): { kid: string; alg: string } {
  if (text.length === 0) throw new JwtRejected('the token is missing');
  if (text.length > MAX_TOKEN_LENGTH) throw new JwtRejected('the token is too long');
  const parts = text.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)) || parts[0] === '' || parts[1] === '') {
    throw new JwtRejected('token contains an invalid number of segments', true);
  }
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
  } catch {
    throw new JwtRejected('the token header is not valid JSON', true);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new JwtRejected('the token header is not valid JSON', true);
  const { alg, kid } = header as { alg?: unknown; kid?: unknown };
  if (typeof alg !== 'string' || !ALGORITHMS.has(alg)) throw new JwtRejected(`signing method ${String(alg)} is invalid`, true);
  if (typeof kid !== 'string' || kid === '') throw new JwtRejected('the token has no kid header', true);
  if (parts[2] === '') throw new JwtRejected('the token has no signature', true);
  return { kid, alg };
}

/** What a jose failure tells the client. Wordings are Nimbus's own (unconfirmed against AWS). */
function rejectionOf(err: unknown): JwtRejected {
  if (err instanceof JwtRejected) return err;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return new JwtRejected('the token signature is invalid', true);
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return new JwtRejected('signing method is invalid', true);
  return new JwtRejected('the token is malformed', true);
}

function expOf(claims: Record<string, unknown>): number | undefined {
  return typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
}

/** `aud` when the token has one (a string or a list); else `client_id` (Cognito access tokens). */
function audiencesOf(claims: Record<string, unknown>): string[] {
  const aud = claims.aud;
  if (aud !== undefined) return (Array.isArray(aud) ? aud : [aud]).filter((a): a is string => typeof a === 'string');
  return typeof claims.client_id === 'string' ? [claims.client_id] : [];
}

/**
 * The claims as AWS lists its checks: `iss` equal to the issuer, `aud` (or `client_id`) among the
 * audience, `exp` after now, `nbf` and `iat` not after now, on the injected clock. Run on every
 * request, cached token or not: the configuration and the time are the request's.
 */
function checkClaims(claims: Record<string, unknown>, audiences: string[], config: JwtConfig, now: number): void {
  if (claims.iss !== config.issuer) throw new JwtRejected('the token does not have a valid issuer');
  if (config.audience !== null && !audiences.some((a) => config.audience!.includes(a))) throw new JwtRejected('the token does not have a valid audience');
  // The expiry wording is the one AWS's WWW-Authenticate carries; the others are Nimbus's own.
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= now) throw new JwtRejected('the token has expired');
  if (typeof claims.nbf === 'number' && claims.nbf * 1000 > now) throw new JwtRejected('the token is not valid yet');
  if (typeof claims.iat === 'number' && claims.iat * 1000 > now) throw new JwtRejected('the token was issued in the future');
}

/** `scope` (space-separated, OAuth 2.0) or `scp` (a list, or a space-separated string). */
function scopesOf(claims: Record<string, unknown>): string[] {
  const raw = claims.scope ?? claims.scp;
  if (typeof raw === 'string') return raw.split(' ').filter((s) => s !== '');
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === 'string');
  return [];
}
