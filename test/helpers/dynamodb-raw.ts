/**
 * Raw, signed DynamoDB requests through fetch, for tests where the wire is the point: `__type`,
 * status codes, headers, bytes no SDK would send.
 */
import { request } from 'node:http';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { TEST_CREDENTIALS } from './nimbus.js';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body bytes as sent (still compressed when the answer is). */
  bytes: Buffer;
  text: string;
  json: Record<string, unknown> & { __type?: string; message?: string; Message?: string };
}

export interface RawOptions {
  headers?: Record<string, string>;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** DynamoDB_20120810 unless told (DynamoDBStreams_20120810). */
  prefix?: string;
  unsigned?: boolean;
}

/** POSTs `body` (a value to JSON-encode, or bytes as they are) as `prefix.target`. */
export async function dynamoRaw(endpoint: string, target: string, body: unknown, opts: RawOptions = {}): Promise<RawAnswer> {
  const url = new URL(endpoint);
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': `${opts.prefix ?? 'DynamoDB_20120810'}.${target}`,
    ...opts.headers,
  };
  const signed = opts.unsigned
    ? headers
    : (
        await new SignatureV4({ service: 'dynamodb', region: 'us-east-1', sha256: Sha256, credentials: opts.credentials ?? TEST_CREDENTIALS }).sign({
          method: 'POST',
          protocol: 'http:',
          hostname: url.hostname,
          port: Number(url.port),
          path: '/',
          query: {},
          headers,
          body: bytes,
        })
      ).headers;
  // node:http, not fetch: the body as sent, never decompressed on the way.
  const { status, headers: gotHeaders, got } = await new Promise<{ status: number; headers: RawAnswer['headers']; got: Buffer }>((resolve, reject) => {
    const req = request(endpoint, { method: 'POST', headers: { ...signed, 'content-length': String(bytes.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, got: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(bytes);
  });
  const text = got.toString('utf8');
  let json = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    // compressed or not JSON: the test reads `bytes`
  }
  return { status, headers: gotHeaders, bytes: got, text, json };
}
