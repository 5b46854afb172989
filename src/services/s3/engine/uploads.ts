/**
 * Receiving an object body: whatever encoding the client chose (a plain body whose SHA-256
 * the signature covers, UNSIGNED-PAYLOAD, or aws-chunked with chunk signatures and trailing
 * checksums), streamed into the blob store and checked on the way. The blob is removed again
 * if any check fails, so a refused upload leaves nothing behind.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { createChunkedDecoder, parseTrailerHeader, type AwsChunkedDecoder, type ChunkedMode } from '../../../protocols/aws-chunked.js';
import { createChecksum, fromBase64Strict, toBase64 } from '../../../protocols/checksums.js';
import { AwsError } from '../../../protocols/errors.js';
import type { BlobInfo, BlobStore } from '../../../store/blobs.js';
import { BlobSizeMismatchError, BlobTooLargeError } from '../../../store/blobs.js';
import type { RequestContext } from '../../service.js';
import { BadDigest, ContentMd5Mismatch, EntityTooLarge, IncompleteBody, InvalidDigest, MissingContentLength, Sha256Mismatch } from '../errors.js';
import { declaredChecksum } from './checksums.js';
import type { BodyCrypto } from './crypto.js';

/** S3's limit for a single PUT. */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;

const CHUNKED_MODES: Record<string, ChunkedMode> = {
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD': 'signed',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER': 'signed-trailer',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER': 'unsigned-trailer',
};

export interface UploadHeaders {
  contentLength?: number;
  decodedContentLength?: number;
  contentMd5?: string;
  trailer?: string;
  /** The request's Transfer-Encoding: a plain `chunked` body may come without a Content-Length. */
  transferEncoding?: string;
  /** x-amz-checksum-<alg> headers sent up front. */
  checksums: Record<string, string>;
}

/** Bodies up to this size are kept in the object's row, not in a blob file. */
export const INLINE_MAX_BYTES = 64 * 1024;

export interface ReceivedBody {
  /** For an inline body, a BlobInfo with id '' (size and digests as for a blob). Size and digests are the plaintext's. */
  blob: BlobInfo;
  /** The body itself when it is small enough to keep inline (sealed, with `crypto`). */
  inline?: Buffer;
  /** Verified checksums to keep with the object, by header name. */
  checksums: Record<string, string>;
}

export async function receiveBody(
  blobs: BlobStore,
  body: Readable,
  headers: UploadHeaders,
  payload: RequestContext['payload'],
  maxBytes = MAX_PUT_BYTES,
  inlineMax = INLINE_MAX_BYTES,
  /** Seals the body at rest (every new body); without it the body is stored as it came. */
  crypto?: BodyCrypto,
): Promise<ReceivedBody> {
  const hash = payload?.hash ?? 'UNSIGNED-PAYLOAD';
  const mode = CHUNKED_MODES[hash];
  let md5: Buffer | undefined;
  if (headers.contentMd5 !== undefined) {
    md5 = fromBase64Strict(headers.contentMd5, 16);
    if (!md5) throw InvalidDigest();
  }
  const expected = declaredChecksum(headers.checksums);
  const hashers: Record<string, () => { update(b: Buffer): void; digest(): Buffer }> = {};
  if (expected) hashers.checksum = () => createChecksum(expected.alg);
  const sha256 = /^[0-9a-f]{64}$/i.test(hash) ? hash.toLowerCase() : undefined;
  if (sha256) hashers.sha256 = () => createHash('sha256');

  let source: Readable = body;
  let decoder: AwsChunkedDecoder | undefined;
  let size: number | undefined;
  if (mode) {
    size = headers.decodedContentLength;
    if (size === undefined) throw MissingContentLength();
    decoder = createChunkedDecoder({
      mode,
      decodedLength: size,
      expectedTrailers: parseTrailerHeader(headers.trailer),
      verifyChecksum: true,
      ...(payload?.streaming
        ? { signingKey: payload.streaming.signingKey, amzDate: payload.streaming.date, scope: payload.streaming.scope, seedSignature: payload.streaming.seedSignature }
        : {}),
    });
    source = decoder;
    pipeline(body, decoder, () => undefined); // errors surface on the decoder, which the blob write reads
  } else {
    size = headers.contentLength;
    // HTTP's own chunked encoding (a stream whose length the client did not know) is read to its
    // end under the size limit; anything else must say how long it is.
    if (size === undefined && !isChunked(headers.transferEncoding)) throw MissingContentLength();
  }
  if (size !== undefined && size > maxBytes) throw EntityTooLarge(size, maxBytes);

  let blob: BlobInfo;
  let inline: Buffer | undefined;
  try {
    if (size !== undefined && size <= inlineMax) {
      inline = await readSmall(source, size);
      const digests: Record<string, Buffer> = {};
      for (const [name, make] of Object.entries(hashers)) {
        const h = make();
        h.update(inline);
        digests[name] = h.digest();
      }
      blob = { id: '', size, md5: createHash('md5').update(inline).digest(), digests };
      if (crypto) inline = crypto.sealBuffer(inline);
    } else if (crypto) {
      blob = await crypto.writeSealed(blobs, source, { expectedSize: size, maxBytes, hashers });
    } else {
      blob = await blobs.write(source, { expectedSize: size, maxBytes, hashers });
    }
  } catch (e) {
    if (e instanceof AwsError) throw e;
    if (e instanceof BlobTooLargeError) throw EntityTooLarge(size ?? maxBytes + 1, maxBytes);
    if (e instanceof BlobSizeMismatchError) throw IncompleteBody();
    throw e;
  }
  try {
    if (sha256 && blob.digests.sha256!.toString('hex') !== sha256) throw Sha256Mismatch();
    if (md5 && !md5.equals(blob.md5)) throw ContentMd5Mismatch();
    const checksums: Record<string, string> = {};
    if (expected) {
      const actual = blob.digests.checksum!;
      if (!actual.equals(expected.value)) throw BadDigest(expected.alg);
      checksums[expected.header] = toBase64(actual);
    }
    // Trailing checksums were verified by the decoder against the decoded bytes.
    if (decoder) for (const [name, value] of Object.entries(decoder.trailers())) if (name.startsWith('x-amz-checksum-')) checksums[name] = value;
    return { blob, checksums, ...(inline ? { inline } : {}) };
  } catch (e) {
    if (!inline) await blobs.remove(blob.id);
    throw e;
  }
}

function isChunked(transferEncoding: string | undefined): boolean {
  return transferEncoding !== undefined && /(^|,)\s*chunked\s*$/i.test(transferEncoding);
}

/** A body of a known small size, read whole; a different length is IncompleteBody. */
async function readSmall(source: Readable, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let got = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    got += chunk.length;
    if (got > size) throw IncompleteBody();
    chunks.push(chunk);
  }
  if (got !== size) throw IncompleteBody();
  return Buffer.concat(chunks, size);
}
