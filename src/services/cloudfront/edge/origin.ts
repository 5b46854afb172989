/**
 * Requests to a distribution's origins. Origin domain names written as AWS writes them reach
 * Nimbus's own services over loopback, so templates written for AWS work unchanged:
 *
 *   `<bucket>.s3.amazonaws.com`, `<bucket>.s3.<region>.amazonaws.com`,
 *   `<bucket>.s3-<region>.amazonaws.com`            → the bucket's REST endpoint
 *   `<bucket>.s3-website-<region>.amazonaws.com`,
 *   `<bucket>.s3-website.<region>.amazonaws.com`    → the bucket's website endpoint
 *   `<apiId>.execute-api.<region>.amazonaws.com`    → the API's invoke URL
 *   any `*.localhost` name                          → Nimbus itself, that host
 *
 * Any other domain is a real HTTP(S) origin, reached through the outbound guard
 * (src/lib/outbound.ts), on the origin's ports and protocol policy, with its timeouts.
 *
 * With origin access control, a request to an S3 origin is signed with SigV4 as the service
 * principal `cloudfront.amazonaws.com` (a key Nimbus mints for itself), naming the
 * distribution's ARN and account in signed headers; S3's bucket policy evaluation then sees
 * `Principal: {"Service": "cloudfront.amazonaws.com"}` with `AWS:SourceArn` and
 * `AWS:SourceAccount`.
 */
import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { OutboundGuard } from '../../../lib/outbound.js';
import type { Credentials } from '../../../protocols/sigv4.js';
import type { UpstreamReply } from './http-cache.js';

export interface OriginTarget {
  domainName: string;
  /** '' or a path starting with '/' (no trailing '/'). */
  originPath: string;
  /** Which scheme a custom origin is asked on; Nimbus's own origins are always reached over loopback HTTP. */
  protocol: 'http' | 'https';
  httpPort: number;
  httpsPort: number;
  /** Added to every origin request (the origin's CustomHeaders). */
  customHeaders: Record<string, string>;
  /** ms */
  connectTimeoutMs: number;
  readTimeoutMs: number;
  /** Sign as cloudfront.amazonaws.com for the distribution (origin access control). */
  signAs?: { sourceArn: string; sourceAccount: string; region: string };
}

export interface OriginRequest {
  method: string;
  /** The viewer's path, as received (percent-encoded). */
  path: string;
  /** The forwarded query string ('' for none). */
  query: string;
  /** Lower-cased headers to forward (the policies' choice, conditional headers included). */
  headers: Record<string, string>;
  body?: Buffer;
}

export interface OriginDeps {
  outbound: OutboundGuard;
  /** Nimbus's own `http://host:port`. */
  endpoint(): string;
  serviceCredentials?(principalService: string): Credentials;
  /** The clock's now, for SigV4 dates. */
  now(): number;
  /** The largest origin answer read into memory, bytes. */
  maxBodyBytes: number;
  /** A 200 answer to a GET announcing more bytes than this is handed on as a stream, not read (no maxBodyBytes then). */
  streamAbove?: number;
}

/** The origin did not answer (connection refused or timed out, or too large an answer). */
export class OriginUnreachable extends Error {
  constructor(
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
  }
}

/** Where an AWS-style origin domain lands in Nimbus: the Host to ask for over loopback; undefined for a real origin. */
export function ownHost(domainName: string): { host: string; s3: boolean } | undefined {
  const d = domainName.toLowerCase().replace(/\.$/, '');
  let m = /^(.+)\.s3(?:[.-]([a-z0-9-]+))?\.amazonaws\.com$/.exec(d);
  if (m && !m[1]!.endsWith('.s3')) return { host: `${m[1]}.s3.localhost`, s3: true };
  m = /^(.+)\.s3-website[.-]([a-z0-9-]+)\.amazonaws\.com$/.exec(d);
  if (m) return { host: `${m[1]}.s3-website.localhost`, s3: false };
  if (/^[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/.test(d)) return { host: d, s3: false };
  if (d.endsWith('.localhost')) return { host: d, s3: d.endsWith('.s3.localhost') };
  return undefined;
}

export async function fetchOrigin(deps: OriginDeps, target: OriginTarget, req: OriginRequest): Promise<UpstreamReply> {
  const own = ownHost(target.domainName);
  const path = `${target.originPath}${req.path}`;
  const headers: Record<string, string> = { ...req.headers, ...lowerKeys(target.customHeaders) };
  let url: URL;
  if (own) {
    const base = new URL(deps.endpoint());
    url = new URL(`${base.protocol}//${base.host}`);
    headers.host = own.host;
    if (own.s3 && target.signAs && deps.serviceCredentials) {
      headers['x-nimbus-source-arn'] = target.signAs.sourceArn;
      headers['x-nimbus-source-account'] = target.signAs.sourceAccount;
      signV4(req.method, path, req.query, headers, deps.serviceCredentials('cloudfront.amazonaws.com'), target.signAs.region, deps.now());
    }
  } else {
    const port = target.protocol === 'https' ? target.httpsPort : target.httpPort;
    url = new URL(`${target.protocol}://${target.domainName}:${port}`);
    headers.host = target.domainName;
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<UpstreamReply>((resolve, reject) => {
    let guardOpts: object = {};
    if (!own) {
      try {
        guardOpts = deps.outbound.requestOptions(url);
      } catch (e) {
        reject(new OriginUnreachable((e as Error).message));
        return;
      }
    }
    let r: ReturnType<typeof send>;
    try {
      r = send(
        { protocol: url.protocol, hostname: url.hostname, port: url.port, method: req.method, path: req.query ? `${path}?${req.query}` : path, headers, ...guardOpts, agent: false },
        (res: IncomingMessage) => {
          const length = Number(res.headers['content-length']);
          if (deps.streamAbove !== undefined && res.statusCode === 200 && req.method === 'GET' && Number.isSafeInteger(length) && length > deps.streamAbove) {
            clearTimeout(timer);
            // From here the read timeout is per read: an origin that stops sending ends the answer.
            res.setTimeout(target.readTimeoutMs, () => res.destroy(new OriginUnreachable('the origin stopped sending', true)));
            resolve({ status: 200, headers: headersOf(res), body: Buffer.alloc(0), stream: res });
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > deps.maxBodyBytes) res.destroy(new OriginUnreachable(`the origin answered more than ${deps.maxBodyBytes} bytes`));
            else chunks.push(c);
          });
          res.on('error', (e) => reject(e instanceof OriginUnreachable ? e : new OriginUnreachable(e.message)));
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 502, headers: headersOf(res), body: Buffer.concat(chunks) });
          });
        },
      );
    } catch (e) {
      // A header value the user configured that HTTP cannot carry, an unusable port, ...
      reject(new OriginUnreachable((e as Error).message));
      return;
    }
    const timer = setTimeout(() => r.destroy(new OriginUnreachable('the origin did not answer in time', true)), target.connectTimeoutMs + target.readTimeoutMs);
    r.on('error', (e) => {
      clearTimeout(timer);
      reject(e instanceof OriginUnreachable ? e : new OriginUnreachable(e.message));
    });
    r.end(req.body);
  });
}

/** An origin answer's headers, one string each (Set-Cookie lines joined by newlines, which no value holds). */
function headersOf(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? (k === 'set-cookie' ? v.join('\n') : v.join(', ')) : v;
  return out;
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (k: Buffer | string, s: string) => createHmac('sha256', k).update(s).digest();
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** Adds SigV4 headers (S3, unsigned payload) for a request to Nimbus's own S3; every header given is signed. */
export function signV4(method: string, path: string, query: string, headers: Record<string, string>, creds: Credentials, region: string, nowMs: number): void {
  const iso = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const date = iso.slice(0, 8);
  headers['x-amz-date'] = iso;
  headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  delete headers.authorization;
  const names = Object.keys(headers).map((k) => k.toLowerCase()).sort();
  const canonicalHeaders = names.map((n) => `${n}:${String(headers[n]).trim().replace(/\s+/g, ' ')}\n`).join('');
  const signed = names.join(';');
  const params = query
    ? query
        .split('&')
        .filter(Boolean)
        .map((p) => {
          const eq = p.indexOf('=');
          return [rfc3986(decode(eq < 0 ? p : p.slice(0, eq))), rfc3986(decode(eq < 0 ? '' : p.slice(eq + 1)))] as const;
        })
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
        .map(([k, v]) => `${k}=${v}`)
        .join('&')
    : '';
  const canonical = [method, path, params, canonicalHeaders, signed, 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = `${date}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', iso, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, date), region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}`;
}
