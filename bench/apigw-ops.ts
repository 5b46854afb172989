/**
 * The API Gateway benchmark's setup and request shapes: a SigV4-signed REST client for the
 * apigatewayv2 control plane (restJson1, signing name `apigateway`, camelCase members as the
 * SDK sends them), the HTTP API it builds (a Lambda route, an HTTP_PROXY route, a JWT-protected
 * route), a local identity provider (discovery document and key set on node:http in this
 * process, tokens minted with jose), and the GET requests the load generator sends by Host
 * header, as a client of `{apiId}.execute-api.localhost` does.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { HttpError, LocalTarget } from './load.js';
import { SigV4Signer } from './sigv4-sign.js';

const sha256hex = (b: string) => createHash('sha256').update(b).digest('hex');

/** SigV4 for REST JSON requests of any signing name: host and x-amz-date signed, the body's hash in the canonical request. */
class RestSigner extends SigV4Signer {
  constructor(private readonly o: { accessKeyId: string; secretAccessKey: string; region: string; service: string; host: string }) {
    super(o);
  }

  sign(method: string, path: string, payloadHash: string): Record<string, string> {
    const amzDate = this.date();
    const canonical = `${method}\n${path}\n\nhost:${this.o.host}\nx-amz-date:${amzDate}\n\nhost;x-amz-date\n${payloadHash}`;
    return { host: this.o.host, 'x-amz-date': amzDate, authorization: this.authorization(canonical, 'host;x-amz-date') };
  }
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(target: LocalTarget, method: string, path: string, headers: Record<string, string>, body = ''): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(target.options(method, path, headers), (res) => {
      res.setEncoding('utf8');
      let text = '';
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Signed calls to the apigatewayv2 control plane of one Nimbus. */
export class ApigwV2Client {
  private readonly target: LocalTarget;
  private readonly signer: RestSigner;

  constructor(endpoint: string) {
    this.target = new LocalTarget(endpoint, 1);
    this.signer = new RestSigner({ accessKeyId: 'test', secretAccessKey: 'test', region: 'us-east-1', service: 'apigateway', host: this.target.hostHeader });
  }

  async ok<T = Record<string, unknown>>(operation: string, method: string, path: string, body?: object): Promise<T> {
    const text = body === undefined ? '' : JSON.stringify(body);
    const headers = this.signer.sign(method, path, sha256hex(text));
    if (text) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
    const r = await send(this.target, method, path, headers, text);
    if (r.status < 200 || r.status > 299) throw new HttpError(operation, r.status, r.body);
    return (r.body ? JSON.parse(r.body) : {}) as T;
  }

  close(): void {
    this.target.close();
  }
}

export interface BenchApi {
  apiId: string;
  /** The Host header that reaches the API: `{apiId}.execute-api.localhost:<port>`. */
  host: string;
}

/**
 * An HTTP API with `GET /hello` → the function (payload 2.0), `GET /proxy` → HTTP_PROXY to the
 * backend, `GET /secure` → the function behind a JWT authorizer, and an auto-deployed
 * `$default` stage.
 */
export async function createBenchApi(client: ApigwV2Client, endpoint: string, o: { functionArn: string; backend: string; issuer: string; audience: string }): Promise<BenchApi> {
  const api = await client.ok<{ apiId: string }>('CreateApi', 'POST', '/v2/apis', { name: 'bench-http-api', protocolType: 'HTTP' });
  const base = `/v2/apis/${api.apiId}`;
  const lambda = await client.ok<{ integrationId: string }>('CreateIntegration', 'POST', `${base}/integrations`, {
    integrationType: 'AWS_PROXY',
    integrationUri: o.functionArn,
    payloadFormatVersion: '2.0',
  });
  const proxy = await client.ok<{ integrationId: string }>('CreateIntegration', 'POST', `${base}/integrations`, {
    integrationType: 'HTTP_PROXY',
    integrationMethod: 'GET',
    integrationUri: `${o.backend}/hello`,
    payloadFormatVersion: '1.0',
  });
  const jwt = await client.ok<{ authorizerId: string }>('CreateAuthorizer', 'POST', `${base}/authorizers`, {
    name: 'bench-jwt',
    authorizerType: 'JWT',
    identitySource: ['$request.header.Authorization'],
    jwtConfiguration: { issuer: o.issuer, audience: [o.audience] },
  });
  await client.ok('CreateRoute', 'POST', `${base}/routes`, { routeKey: 'GET /hello', target: `integrations/${lambda.integrationId}` });
  await client.ok('CreateRoute', 'POST', `${base}/routes`, { routeKey: 'GET /proxy', target: `integrations/${proxy.integrationId}` });
  await client.ok('CreateRoute', 'POST', `${base}/routes`, {
    routeKey: 'GET /secure',
    target: `integrations/${lambda.integrationId}`,
    authorizationType: 'JWT',
    authorizerId: jwt.authorizerId,
  });
  await client.ok('CreateStage', 'POST', `${base}/stages`, { stageName: '$default', autoDeploy: true });
  return { apiId: api.apiId, host: `${api.apiId}.execute-api.localhost:${new URL(endpoint).port}` };
}

/** An HTTP API with only `GET /proxy` → HTTP_PROXY to `backend`/hello, auto-deployed on `$default` (ab.ts and --profile). */
export async function createProxyApi(endpoint: string, backend: string): Promise<BenchApi> {
  const client = new ApigwV2Client(endpoint);
  try {
    const api = await client.ok<{ apiId: string }>('CreateApi', 'POST', '/v2/apis', { name: 'bench-proxy-api', protocolType: 'HTTP' });
    const base = `/v2/apis/${api.apiId}`;
    const proxy = await client.ok<{ integrationId: string }>('CreateIntegration', 'POST', `${base}/integrations`, {
      integrationType: 'HTTP_PROXY',
      integrationMethod: 'GET',
      integrationUri: `${backend}/hello`,
      payloadFormatVersion: '1.0',
    });
    await client.ok('CreateRoute', 'POST', `${base}/routes`, { routeKey: 'GET /proxy', target: `integrations/${proxy.integrationId}` });
    await client.ok('CreateStage', 'POST', `${base}/stages`, { stageName: '$default', autoDeploy: true });
    return { apiId: api.apiId, host: `${api.apiId}.execute-api.localhost:${new URL(endpoint).port}` };
  } finally {
    client.close();
  }
}

/** A local OpenID provider: `/.well-known/openid-configuration` and `/keys` on node:http in this process. */
export class LocalIdp {
  private server?: Server;
  private privateKey?: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  issuer = '';
  keyFetches = 0;

  async start(): Promise<void> {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    this.privateKey = privateKey;
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'bench-key', alg: 'RS256', use: 'sig' };
    this.server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer: this.issuer, jwks_uri: `${this.issuer}/keys` }));
      else if (req.url === '/keys') {
        this.keyFetches++;
        res.end(JSON.stringify({ keys: [jwk] }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A new access token for `audience` (its own jti: RS256 signatures are deterministic), valid for an hour, with scopes. */
  mint(audience: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: this.issuer, aud: audience, sub: 'bench-user', scope: 'read write', iat: now, exp: now + 3600, jti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid: 'bench-key' })
      .sign(this.privateKey!);
  }

  stop(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** A GET by Host header that must answer 200 with `expect` (when given); one op of the load generator. */
export function getOp(endpoint: string, concurrency: number, o: { host?: string; path: string; headers?: Record<string, string>; expect?: string }): { op: () => Promise<number>; close: () => void } {
  const target = new LocalTarget(endpoint, concurrency);
  const headers = { host: o.host ?? target.hostHeader, ...o.headers };
  const op = async () => {
    const r = await send(target, 'GET', o.path, headers);
    if (r.status !== 200) throw new HttpError(`GET ${o.path}`, r.status, r.body);
    if (o.expect !== undefined && r.body !== o.expect) throw new HttpError(`GET ${o.path}(unexpected answer)`, r.status, r.body);
    return 1;
  };
  return { op, close: () => target.close() };
}
