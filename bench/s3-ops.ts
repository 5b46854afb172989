/**
 * The S3 request shapes the benchmark measures, as load-generator operations: a SigV4 signer
 * for path-style REST requests (what the SDK sends for a plain PUT or GET over http), a raw
 * keep-alive client, and PutObject/GetObject operations on pre-made bodies.
 *
 * Signing as the SDK does over http: x-amz-content-sha256 is the hex SHA-256 of the body (for
 * a GET, of the empty body), and host, x-amz-content-sha256 and x-amz-date are signed. Each
 * body's hash is computed once, when the body is made, so a request costs one SHA-256 of the
 * canonical request and one HMAC: the generator stays light.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpError, LocalTarget } from './load.js';
import { SigV4Signer } from './sigv4-sign.js';

export const KiB = 1024;
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SIGNED_HEADERS = 'host;x-amz-content-sha256;x-amz-date';

export const sha256hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');
export const md5hex = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** SigV4 for S3 REST requests (host, x-amz-content-sha256 and x-amz-date signed). */
export class S3Signer extends SigV4Signer {
  constructor(private readonly o: { accessKeyId: string; secretAccessKey: string; region: string; host: string }) {
    super({ ...o, service: 's3' });
  }

  /** Headers for `method path` (path as sent, no query) whose body hashes to `payloadHash`. */
  sign(method: string, path: string, payloadHash: string): Record<string, string> {
    const amzDate = this.date();
    const canonical = `${method}\n${path}\n\nhost:${this.o.host}\nx-amz-content-sha256:${payloadHash}\nx-amz-date:${amzDate}\n\n` + `${SIGNED_HEADERS}\n${payloadHash}`;
    return {
      host: this.o.host,
      'x-amz-content-sha256': payloadHash,
      'x-amz-date': amzDate,
      authorization: this.authorization(canonical, SIGNED_HEADERS),
    };
  }
}

export interface S3Reply {
  status: number;
  etag: string | undefined;
  /** Bytes of the answer's body (counted, not kept, on a 200 GET). */
  bytes: number;
  contentLength: number;
  /** The body as text, kept only for answers that are not a 200 GET (errors, XML). */
  text: string;
  /** For a GET consumed with `digest`: the MD5 of the bytes received. */
  md5?: string;
}

/** A body ready to send: its bytes and their SHA-256 (hex), computed once. */
export interface Body {
  bytes: Buffer;
  sha256: string;
  md5: string;
}

export function makeBodies(size: number, count: number): Body[] {
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(size);
    return { bytes, sha256: sha256hex(bytes), md5: md5hex(bytes) };
  });
}

/** Signed path-style S3 requests to one endpoint over a keep-alive Agent. */
export class S3Raw {
  private readonly target: LocalTarget;
  private readonly signer: S3Signer;

  constructor(endpoint: string, concurrency: number) {
    this.target = new LocalTarget(endpoint, concurrency);
    this.signer = new S3Signer({ accessKeyId: 'test', secretAccessKey: 'test', region: 'us-east-1', host: this.target.hostHeader });
  }

  /** PUT with a body in hand (its hash precomputed). */
  put(path: string, body: Buffer, sha256: string): Promise<S3Reply> {
    const headers = { ...this.signer.sign('PUT', path, sha256), 'content-length': String(body.length) };
    return new Promise((resolve, reject) => {
      const req = request(this.target.options('PUT', path, headers), (res) => collect(res, false, resolve, reject));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** PUT of `size` bytes streamed from `source` (never held whole), signed with `sha256`. */
  putStream(path: string, size: number, source: Iterable<Buffer> | AsyncIterable<Buffer>, sha256: string): Promise<S3Reply> {
    const headers = { ...this.signer.sign('PUT', path, sha256), 'content-length': String(size) };
    return new Promise((resolve, reject) => {
      const req = request(this.target.options('PUT', path, headers), (res) => collect(res, false, resolve, reject));
      pipeline(Readable.from(source, { objectMode: false, highWaterMark: 1 }), req).catch(reject);
    });
  }

  /** GET; a 200 body is counted as it streams in (and hashed if `digest`), never kept. */
  get(path: string, digest = false): Promise<S3Reply> {
    const headers = this.signer.sign('GET', path, EMPTY_SHA256);
    return new Promise((resolve, reject) => {
      const req = request(this.target.options('GET', path, headers), (res) => collect(res, true, resolve, reject, digest));
      req.on('error', reject);
      req.end();
    });
  }

  /** PUT /bucket; an existing bucket (ours) is fine. */
  async createBucket(bucket: string): Promise<void> {
    const path = `/${bucket}`;
    const headers = { ...this.signer.sign('PUT', path, EMPTY_SHA256), 'content-length': '0' };
    const r = await new Promise<S3Reply>((resolve, reject) => {
      const req = request(this.target.options('PUT', path, headers), (res) => collect(res, false, resolve, reject));
      req.on('error', reject);
      req.end();
    });
    if (r.status !== 200 && !/BucketAlreadyOwnedByYou/.test(r.text)) throw new HttpError('CreateBucket', r.status, r.text);
  }

  close(): void {
    this.target.close();
  }
}

function collect(res: IncomingMessage, streamOk: boolean, resolve: (r: S3Reply) => void, reject: (e: unknown) => void, digest = false): void {
  const status = res.statusCode ?? 0;
  const counting = streamOk && status === 200;
  const hash = counting && digest ? createHash('md5') : undefined;
  let bytes = 0;
  let text = '';
  res.on('data', (c: Buffer) => {
    bytes += c.length;
    if (hash) hash.update(c);
    else if (!counting) text += c.toString('utf8');
  });
  res.on('end', () =>
    resolve({
      status,
      etag: res.headers.etag,
      bytes,
      contentLength: Number(res.headers['content-length'] ?? NaN),
      text,
      md5: hash?.digest('hex'),
    }),
  );
  res.on('error', reject);
}

// ---- operations ---------------------------------------------------------------------------------

export const BUCKET = 'bench';
/** Keys each size's operations spread over (PUTs overwrite them; GETs read prefilled ones). */
export const KEYS = 64;

export const putPath = (label: string, n: number) => `/${BUCKET}/put-${label}/${n}`;
export const getPath = (label: string, n: number) => `/${BUCKET}/get-${label}/${n}`;

/** PutObject of one of `bodies` to one of KEYS keys, at random (overwrites). */
export function putObjectOp(client: S3Raw, label: string, bodies: Body[]): () => Promise<number> {
  return async () => {
    const b = bodies[Math.floor(Math.random() * bodies.length)]!;
    const r = await client.put(putPath(label, Math.floor(Math.random() * KEYS)), b.bytes, b.sha256);
    if (r.status !== 200) throw new HttpError('PutObject', r.status, r.text);
    return 1;
  };
}

/** GetObject of one of the KEYS prefilled keys, at random; the body is consumed and its size checked. */
export function getObjectOp(client: S3Raw, label: string, size: number): () => Promise<number> {
  return async () => {
    const r = await client.get(getPath(label, Math.floor(Math.random() * KEYS)));
    if (r.status !== 200) throw new HttpError('GetObject', r.status, r.text);
    if (r.bytes !== size) throw new HttpError(`GetObject(${r.bytes} bytes, not ${size})`, r.status, '');
    return 1;
  };
}

/**
 * Writes the KEYS objects GETs read (body i % bodies), then reads one back and checks its
 * bytes unless `check` is false (the bare server keeps only sizes).
 */
export async function prefillObjects(client: S3Raw, label: string, bodies: Body[], check: boolean): Promise<void> {
  for (let n = 0; n < KEYS; n += 8) {
    await Promise.all(
      Array.from({ length: Math.min(8, KEYS - n) }, async (_, k) => {
        const b = bodies[(n + k) % bodies.length]!;
        const r = await client.put(getPath(label, n + k), b.bytes, b.sha256);
        if (r.status !== 200) throw new HttpError('PutObject(prefill)', r.status, r.text);
      }),
    );
  }
  if (!check) return;
  const r = await client.get(getPath(label, 1), true);
  const want = bodies[1 % bodies.length]!;
  if (r.status !== 200 || r.md5 !== want.md5) throw new HttpError(`GetObject(read-back check: md5 ${r.md5}, want ${want.md5})`, r.status, r.text);
}

/**
 * A large body as a generator of 1 MiB chunks (one buffer, yielded again and again, so the
 * generator holds 1 MiB whatever the size), with its SHA-256 and MD5 computed once.
 */
export function largeBody(size: number): { chunks: () => Generator<Buffer>; sha256: string; md5: string } {
  const chunk = randomBytes(Math.min(size, MiB));
  const whole = Math.floor(size / chunk.length);
  const tail = size - whole * chunk.length;
  const chunks = function* (): Generator<Buffer> {
    for (let i = 0; i < whole; i++) yield chunk;
    if (tail) yield chunk.subarray(0, tail);
  };
  const sha = createHash('sha256');
  const md5 = createHash('md5');
  for (const c of chunks()) {
    sha.update(c);
    md5.update(c);
  }
  return { chunks, sha256: sha.digest('hex'), md5: md5.digest('hex') };
}
