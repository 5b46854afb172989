import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type JWK, SignJWT, exportJWK, generateKeyPair } from 'jose';
import { ManualClock } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/lib/log.js';
import { JwtRejected, JwtVerifier } from '../../../src/services/apigateway/shared/jwt.js';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** A local identity provider: discovery document and key set over node:http, counting fetches. */
class LocalIdp {
  server!: Server;
  issuer = '';
  keys: JWK[] = [];
  jwksFetches = 0;
  discoveryFetches = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url === '/.well-known/openid-configuration') {
        this.discoveryFetches++;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ issuer: this.issuer, jwks_uri: `${this.issuer}/keys.json` }));
      } else if (req.url === '/keys.json') {
        this.jwksFetches++;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: this.keys }));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function keyPair(alg: string, kid: string): Promise<{ privateKey: PrivateKey; jwk: JWK }> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { privateKey, jwk };
}

const START = Date.UTC(2026, 0, 1);
const sec = (ms: number) => Math.floor(ms / 1000);

describe('JwtVerifier', () => {
  const idp = new LocalIdp();
  let rsa: { privateKey: PrivateKey; jwk: JWK };
  let ec: { privateKey: PrivateKey; jwk: JWK };
  let clock: ManualClock;
  let verifier: JwtVerifier;

  before(async () => {
    await idp.start();
    rsa = await keyPair('RS256', 'rsa-1');
    ec = await keyPair('ES256', 'ec-1');
  });
  after(() => idp.stop());

  beforeEach(() => {
    idp.keys = [rsa.jwk, ec.jwk];
    idp.jwksFetches = 0;
    idp.discoveryFetches = 0;
    clock = new ManualClock(START);
    verifier = new JwtVerifier({ clock, log: createLogger('silent') });
  });

  function mint(claims: Record<string, unknown>, opts: { key?: PrivateKey; alg?: string; kid?: string } = {}): Promise<string> {
    const now = sec(clock.now());
    return new SignJWT({ iss: idp.issuer, aud: 'my-api', iat: now, exp: now + 3600, ...claims })
      .setProtectedHeader({ alg: opts.alg ?? 'RS256', kid: opts.kid ?? 'rsa-1' })
      .sign(opts.key ?? rsa.privateKey);
  }

  const config = () => ({ issuer: idp.issuer, audience: ['my-api', 'other-api'] });

  async function rejects(token: string, reason: RegExp, cfg = config()): Promise<void> {
    await assert.rejects(verifier.verify(token, cfg), (err: unknown) => {
      assert.ok(err instanceof JwtRejected, String(err));
      assert.match(err.reason, reason);
      return true;
    });
  }

  test('a valid token gives its claims; keys are discovered once and a repeated token is not checked again', async () => {
    const token = await mint({ sub: 'user-1' });
    const out = await verifier.verify(token, config());
    assert.equal(out.claims.sub, 'user-1');
    assert.equal(out.claims.iss, idp.issuer);
    assert.deepEqual(out.scopes, []);
    assert.deepEqual(await verifier.verify(`Bearer ${token}`, config()), out);
    const second = await mint({ sub: 'user-2' });
    assert.equal((await verifier.verify(second, config())).claims.sub, 'user-2');
    assert.equal(idp.discoveryFetches, 1);
    assert.equal(idp.jwksFetches, 1);
  });

  test('ES256 tokens verify against EC keys', async () => {
    const token = await mint({ sub: 'ec-user' }, { key: ec.privateKey, alg: 'ES256', kid: 'ec-1' });
    assert.equal((await verifier.verify(token, config())).claims.sub, 'ec-user');
  });

  test('an expired token is refused, also when it was verified before it expired', async () => {
    await rejects(await mint({ exp: sec(clock.now()) - 10 }), /expired/);
    const token = await mint({ exp: sec(clock.now()) + 60 });
    await verifier.verify(token, config());
    clock.advance(61_000);
    await rejects(token, /expired/);
  });

  test('a token whose nbf is in the future is refused until then', async () => {
    const token = await mint({ nbf: sec(clock.now()) + 300 });
    await rejects(token, /not valid yet/);
    clock.advance(301_000);
    assert.ok((await verifier.verify(token, config())).claims.nbf);
  });

  test('a token issued in the future is refused', async () => {
    await rejects(await mint({ iat: sec(clock.now()) + 300 }), /issued in the future/);
  });

  test('the issuer must equal the configured one, on every use of a cached token', async () => {
    await rejects(await mint({ iss: 'http://elsewhere.example' }), /issuer/);
    const token = await mint({});
    await verifier.verify(token, config());
    await rejects(token, /issuer/, { issuer: `${idp.issuer}/other`, audience: ['my-api'] });
  });

  test('the audience must be among the configured ones; client_id stands in when there is no aud', async () => {
    await rejects(await mint({ aud: 'not-mine' }), /audience/);
    assert.ok(await verifier.verify(await mint({ aud: ['x', 'other-api'] }), config()));
    assert.ok(await verifier.verify(await mint({ aud: undefined, client_id: 'my-api', token_use: 'access' }), config()));
    await rejects(await mint({ aud: undefined, client_id: 'someone-else' }), /audience/);
    // With both, aud decides (AWS: "When both aud and client_id are present, API Gateway evaluates aud").
    await rejects(await mint({ aud: 'not-mine', client_id: 'my-api' }), /audience/);
    const token = await mint({});
    await verifier.verify(token, config());
    await rejects(token, /audience/, { issuer: idp.issuer, audience: ['another'] });
  });

  test('an unknown kid refetches the key set (a rotation), at most once a minute', async () => {
    await verifier.verify(await mint({}), config());
    assert.equal(idp.jwksFetches, 1);
    const rotated = await keyPair('RS256', 'rsa-2');
    const token = await mint({}, { key: rotated.privateKey, kid: 'rsa-2' });
    await rejects(token, /no signing key matches kid rsa-2/);
    // Within the minute, the same unknown kid does not fetch again even once the IdP has the key.
    idp.keys = [rsa.jwk, rotated.jwk];
    await rejects(token, /kid rsa-2/);
    assert.equal(idp.jwksFetches, 1);
    clock.advance(60_000);
    const fresh = await mint({}, { key: rotated.privateKey, kid: 'rsa-2' });
    assert.ok(await verifier.verify(fresh, config()));
    assert.equal(idp.jwksFetches, 2);
  });

  test('a key set is fetched again after two hours, and a removed key stops verifying', async () => {
    await verifier.verify(await mint({}), config());
    idp.keys = [ec.jwk];
    clock.advance(2 * 3600_000);
    await rejects(await mint({}), /no signing key matches kid rsa-1/);
    assert.equal(idp.jwksFetches, 2);
  });

  test('concurrent first requests share one fetch', async () => {
    const tokens = await Promise.all([1, 2, 3, 4].map((n) => mint({ n })));
    await Promise.all(tokens.map((t) => verifier.verify(t, config())));
    assert.equal(idp.jwksFetches, 1);
  });

  test('a bad signature is refused', async () => {
    const other = await keyPair('RS256', 'rsa-1');
    await rejects(await mint({}, { key: other.privateKey }), /signature/);
    const good = await mint({ sub: 'a' });
    const [h, , s] = good.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ iss: idp.issuer, aud: 'my-api', sub: 'admin' })).toString('base64url')}.${s}`;
    await rejects(forged, /signature/);
  });

  test('alg none, HMAC and a key of another algorithm are refused', async () => {
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const payload = enc({ iss: idp.issuer, aud: 'my-api', exp: sec(clock.now()) + 60 });
    await rejects(`${enc({ alg: 'none', kid: 'rsa-1' })}.${payload}.`, /signing method none is invalid/);
    await rejects(`${enc({ alg: 'none', kid: 'rsa-1' })}.${payload}.c2ln`, /signing method none is invalid/);
    await rejects(`${enc({ alg: 'HS256', kid: 'rsa-1' })}.${payload}.c2ln`, /signing method HS256 is invalid/);
    // An RS256 key named by an ES256 header: the key's own alg rules.
    await rejects(await mint({}, { key: ec.privateKey, alg: 'ES256', kid: 'rsa-1' }), /signing method ES256 is invalid/);
  });

  test('malformed tokens are refused', async () => {
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    for (const bad of ['', 'abc', 'a.b', 'a.b.c.d', '!!.??.xx', `${Buffer.from('not json').toString('base64url')}.e30.c2ln`, `${enc([1])}.e30.c2ln`]) {
      await rejects(bad, /./);
    }
    await rejects(`${enc({ alg: 'RS256' })}.e30.c2ln`, /no kid/);
    await rejects(`${enc({ alg: 'RS256', kid: 'rsa-1' })}.${Buffer.from('not json').toString('base64url')}.c2ln`, /./);
    await rejects('x'.repeat(20_000), /too long/);
  });

  test('an unreachable issuer refuses the token and logs why', async () => {
    const lines: string[] = [];
    const v = new JwtVerifier({ clock, log: createLogger('warn', (l) => lines.push(l)) });
    const token = await mint({});
    await assert.rejects(v.verify(token, { issuer: 'http://127.0.0.1:1', audience: ['my-api'] }), JwtRejected);
    assert.ok(lines.some((l) => l.includes('cannot fetch')));
  });

  test('scopes come from scope (space-separated) or scp (a list)', async () => {
    assert.deepEqual((await verifier.verify(await mint({ scope: 'read write  admin' }), config())).scopes, ['read', 'write', 'admin']);
    assert.deepEqual((await verifier.verify(await mint({ scp: ['read', 'email'] }), config())).scopes, ['read', 'email']);
    assert.deepEqual((await verifier.verify(await mint({ scp: 'a b' }), config())).scopes, ['a', 'b']);
  });

  test('the token cache is bounded', async () => {
    const small = new JwtVerifier({ clock, log: createLogger('silent'), tokenCacheSize: 2 });
    const tokens = await Promise.all([1, 2, 3].map((n) => mint({ n })));
    for (const t of tokens) await small.verify(t, config());
    assert.equal(small.cachedTokens(), 2);
    clock.advance(3601_000);
    await assert.rejects(small.verify(tokens[2]!, config()), /expired/);
    assert.equal(small.cachedTokens(), 1);
  });
});
