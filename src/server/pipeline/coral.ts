/**
 * What DynamoDB's Coral front end does around every request and answer, for services that
 * declare `json.coral` (DynamoDB and DynamoDB Streams):
 * - request ids of 52 characters (`[0-9A-Z]`), as DynamoDB's `x-amzn-RequestId`;
 * - request bodies sent with `Content-Encoding: gzip` or `deflate` are inflated (after the
 *   signature over the bytes sent is verified, and never past the body limit);
 * - answers are gzipped for a client that sends `Accept-Encoding: gzip`;
 * - every answer carries `x-amz-crc32`, the CRC32 of the body bytes sent (compressed or not),
 *   which the SDKs check.
 */
import { constants, crc32, gunzipSync, gzipSync, inflateSync, inflateRawSync } from 'node:zlib';
import { pooledRandomBytes } from '../../lib/ids.js';
import { SerializationException } from '../../protocols/errors.js';
import type { ApiResponse } from '../api.js';
import type { Step } from './context.js';

/** DynamoDB's largest request body (16 MB); a larger one gets 413 with an empty body. */
export const CORAL_MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Answers smaller than this go out uncompressed even when gzip is accepted. */
const GZIP_MIN_BYTES = 1024;

/** 39 random bytes in base64, upper-cased, `+` and `/` as `0`: 52 characters of [0-9A-Z]. */
export function coralRequestId(): string {
  return pooledRandomBytes(39).toString('base64').toUpperCase().replace(/[+/]/g, '0');
}

/** Around routing's result: the request id, then the answer's compression and checksum. */
export const coralStep: Step = async (ctx, next) => {
  if (!ctx.route?.service.json?.coral) return next(ctx);
  ctx.req.requestId = coralRequestId();
  const res = await next(ctx);
  return finish(res, acceptsGzip(ctx.req.headers['accept-encoding']));
};

/** After the signature is verified, before decoding: a compressed body inflated, within the limit. */
export const coralInflateStep: Step = (ctx, next) => {
  if (!ctx.route?.service.json?.coral) return next(ctx);
  const encoding = String(ctx.req.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (!encoding || encoding === 'identity' || ctx.req.body.length === 0) return next(ctx);
  const opts = { maxOutputLength: CORAL_MAX_BODY_BYTES };
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') ctx.req.body = gunzipSync(ctx.req.body, opts);
    else if (encoding === 'deflate') ctx.req.body = inflateDeflate(ctx.req.body, opts);
    else throw new SerializationException(`Unsupported Content-Encoding: ${encoding}`);
  } catch (e) {
    if (e instanceof SerializationException) throw e;
    // Not the encoding it claims, or larger than DynamoDB takes once inflated.
    throw new SerializationException('');
  }
  return next(ctx);
};

/** `deflate` is zlib-wrapped by the HTTP spec; some clients send raw deflate, taken too. */
function inflateDeflate(body: Buffer, opts: { maxOutputLength: number }): Buffer {
  try {
    return inflateSync(body, opts);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw e;
    return inflateRawSync(body, opts);
  }
}

function acceptsGzip(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  for (const part of String(header).toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (name !== 'gzip' && name !== 'x-gzip') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

function finish(res: ApiResponse, gzip: boolean): ApiResponse {
  if (typeof res.body !== 'string' && !Buffer.isBuffer(res.body)) return res;
  let bytes = typeof res.body === 'string' ? Buffer.from(res.body) : res.body;
  if (gzip && bytes.length >= GZIP_MIN_BYTES) {
    bytes = gzipSync(bytes, { level: constants.Z_BEST_SPEED });
    res.headers['content-encoding'] = 'gzip';
    res.body = bytes;
  }
  res.headers['x-amz-crc32'] = String(crc32(bytes));
  return res;
}
