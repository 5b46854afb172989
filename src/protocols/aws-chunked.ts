/**
 * Decoder for S3's `aws-chunked` request bodies, as a streaming Transform: encoded bytes in,
 * object bytes out, constant memory (one header line, bounded trailers; chunk data is passed
 * through as views of the input buffers, never gathered).
 *
 *   signed            STREAMING-AWS4-HMAC-SHA256-PAYLOAD
 *                     `hex(size);chunk-signature=<sig>\r\n<data>\r\n` ... `0;chunk-signature=<sig>\r\n\r\n`
 *   signed-trailer    STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
 *                     same chunks, then `0;chunk-signature=<sig>\r\n`, trailer lines
 *                     `name:value\r\n`, `x-amz-trailer-signature:<sig>\r\n`, `\r\n`
 *   unsigned-trailer  STREAMING-UNSIGNED-PAYLOAD-TRAILER (the SDKs' default for PutObject/UploadPart)
 *                     `hex(size)\r\n<data>\r\n` ... `0\r\n`, trailer lines, `\r\n`
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and sigv4-streaming-trailers.html
 *
 * Chunk signature = HMAC(signingKey, "AWS4-HMAC-SHA256-PAYLOAD\n" + date + "\n" + scope + "\n" +
 * previous + "\n" + sha256hex("") + "\n" + sha256hex(data)), chained from the seed (request)
 * signature; trailer signature = HMAC(signingKey, "AWS4-HMAC-SHA256-TRAILER\n" + date + "\n" +
 * scope + "\n" + previous + "\n" + sha256hex(trailers as "name:value\n", sorted)).
 *
 * Edge behaviour follows what real S3 answers (OpenStack Swift's s3api suite test/s3api/
 * test_input_errors.py, which runs against AWS): bad framing is IncompleteBody "The request body
 * terminated unexpectedly"; a present but wrong signature is 403 SignatureDoesNotMatch; a
 * decoded length that does not add up is IncompleteBody with NumberBytesExpected/Provided; a
 * chunk before the last under 8192 bytes is 403 InvalidChunkSizeError (unsigned ones too);
 * trailer lines end at a blank line or at EOF and anything after that blank line is ignored.
 *
 * Chunk data is pushed downstream before its signature (checked at the end of the chunk) and
 * the trailers are known: the consumer must treat the bytes as provisional and commit only on
 * 'end'. Any violation destroys the stream with an {@link AwsChunkedError} before 'end'.
 */
import { createHash, createHmac, timingSafeEqual, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AwsError } from './errors.js';
import { checksumAlgorithmOfHeader, createChecksum, fromBase64Strict, toBase64, digestLength, type Checksum, type ChecksumAlgorithm } from './checksums.js';

export type ChunkedMode = 'signed' | 'signed-trailer' | 'unsigned-trailer';

/** The x-amz-content-sha256 value of each mode. */
export const CONTENT_SHA256: Record<ChunkedMode, string> = {
  signed: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'signed-trailer': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'unsigned-trailer': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
};

export interface ChunkedDecoderOptions {
  mode: ChunkedMode;
  /** signed modes: HMAC chain of "AWS4"+secret over date, region, service, "aws4_request" */
  signingKey?: Buffer;
  /** signed modes: the request's X-Amz-Date (ISO basic), as in the seed's string to sign */
  amzDate?: string;
  /** signed modes: credential scope "YYYYMMDD/region/s3/aws4_request" */
  scope?: string;
  /** signed modes: the Authorization header's signature (hex) */
  seedSignature?: string;
  /** x-amz-decoded-content-length; unchecked when undefined */
  decodedLength?: number;
  /** trailer names announced by x-amz-trailer (see {@link parseTrailerHeader}) */
  expectedTrailers?: string[];
  /** longest chunk header or trailer line, CRLF included (default 4096) */
  maxChunkHeaderBytes?: number;
  /** S3 refuses chunks under 8192 bytes except the last (default 8192; 0 disables) */
  minChunkSize?: number;
  /** hash the decoded bytes and compare with the x-amz-checksum-* trailer, if one is expected */
  verifyChecksum?: boolean;
}

/** An AwsError carrying the extra elements S3 puts in its XML error (Chunk, BadChunkSize, ...). */
export class AwsChunkedError extends AwsError {
  constructor(
    code: string,
    message: string,
    status: number,
    readonly details: Readonly<Record<string, string>> = {},
  ) {
    super(code, message, { status });
  }

  /** S3 sends the details (Chunk, BadChunkSize, SignatureProvided, ...) as <Error> elements. */
  override xmlDetails(): Record<string, string> {
    return { ...this.details };
  }
}

const MAX_TRAILER_BYTES = 16 * 1024;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SIGNATURE_HEADER = 'x-amz-trailer-signature';

const incomplete = () => new AwsChunkedError('IncompleteBody', 'The request body terminated unexpectedly', 400);
const wrongLength = (expected: number, provided: number) =>
  new AwsChunkedError('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header', 400, {
    NumberBytesExpected: String(expected),
    NumberBytesProvided: String(provided),
  });
const malformedTrailer = () =>
  new AwsChunkedError(
    'MalformedTrailerError',
    'The request contained trailing data that was not well-formed or did not conform to our published schema.',
    400,
  );
const signatureMismatch = (provided: string, stringToSign?: string) =>
  new AwsChunkedError(
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    403,
    stringToSign === undefined ? { SignatureProvided: provided } : { SignatureProvided: provided, StringToSign: stringToSign },
  );
const invalidRequest = (message: string) => new AwsChunkedError('InvalidRequest', message, 400);

/**
 * Parses x-amz-trailer into the trailer names to expect, with S3's (observed) rules: trailing
 * commas are tolerated, any other empty item or unknown name is "not supported", and only one
 * checksum may be announced. Throws the 400 InvalidRequest S3 answers.
 */
export function parseTrailerHeader(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  const names = value.trim().replace(/,+$/, '').split(',').map((n) => n.trim().toLowerCase());
  if (names.some((n) => checksumAlgorithmOfHeader(n) === undefined))
    throw invalidRequest('The value specified in the x-amz-trailer header is not supported');
  if (new Set(names).size > 1)
    throw invalidRequest('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  return [names[0]!];
}

// decoder states
const HEADER = 0; // reading a chunk header line
const DATA = 1; // passing chunk data through
const DATA_END = 2; // expecting the CRLF after chunk data
const TRAILER = 3; // reading trailer lines after the zero-size chunk
const DONE = 4; // complete and verified; whatever follows is ignored (as S3 does)

export class AwsChunkedDecoder extends Transform {
  private readonly signed: boolean;
  private readonly expected: Set<string>;
  private readonly line: Buffer;
  private lineLength = 0;
  private state = HEADER;
  private remaining = 0;
  private crlf = 0;
  private chunkNumber = 0;
  private lastChunkSize = -1;
  private received = 0;
  private previousSignature: string;
  private chunkSignature = '';
  private chunkHash: Hash | undefined;
  private trailerBytes = 0;
  private readonly got = new Map<string, string>();
  private result: Record<string, string> | undefined;
  private readonly checksum: { alg: ChecksumAlgorithm; header: string; hasher: Checksum } | undefined;
  private checksumValue: string | undefined;

  constructor(private readonly opts: ChunkedDecoderOptions) {
    super();
    this.signed = opts.mode !== 'unsigned-trailer';
    if (this.signed && !(opts.signingKey && opts.amzDate && opts.scope && opts.seedSignature))
      throw new TypeError(`aws-chunked ${opts.mode}: signingKey, amzDate, scope and seedSignature are required`);
    const names = opts.mode === 'signed' ? [] : (opts.expectedTrailers ?? []).map((n) => n.trim().toLowerCase());
    this.expected = new Set(opts.mode === 'signed-trailer' ? [...names, SIGNATURE_HEADER] : names);
    this.line = Buffer.allocUnsafe(opts.maxChunkHeaderBytes ?? 4096);
    this.previousSignature = opts.seedSignature ?? '';
    const header = opts.verifyChecksum ? names.find((n) => checksumAlgorithmOfHeader(n)) : undefined;
    const alg = header && checksumAlgorithmOfHeader(header);
    this.checksum = header && alg ? { alg, header, hasher: createChecksum(alg) } : undefined;
  }

  /** The trailers received (lower-case names, trimmed values, without the trailer signature);
   * complete once the body is ('trailers' is emitted then), {} before. */
  trailers(): Record<string, string> {
    return { ...this.result };
  }

  /** The base64 checksum computed over the decoded bytes when verifyChecksum applied, once complete. */
  computedChecksum(): { algorithm: ChecksumAlgorithm; value: string } | undefined {
    return this.checksum && this.checksumValue !== undefined ? { algorithm: this.checksum.alg, value: this.checksumValue } : undefined;
  }

  /** Decoded bytes emitted so far. */
  get decodedBytes(): number {
    return this.received;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(chunk);
      callback();
    } catch (e) {
      callback(e as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      // EOF may end the trailer section at a line boundary (no final blank line): S3 accepts it.
      if (this.state === TRAILER && this.lineLength === 0) this.endTrailers();
      if (this.state !== DONE) throw incomplete();
      callback();
    } catch (e) {
      callback(e as Error);
    }
  }

  private consume(buf: Buffer): void {
    let i = 0;
    while (i < buf.length) {
      switch (this.state) {
        case HEADER:
        case TRAILER: {
          const nl = buf.indexOf(10, i);
          const end = nl < 0 ? buf.length : nl + 1;
          if (this.lineLength + end - i > this.line.length) throw incomplete();
          this.lineLength += buf.copy(this.line, this.lineLength, i, end);
          i = end;
          if (nl < 0) break;
          // A line must end in CRLF: S3 refuses bare LF with IncompleteBody.
          if (this.lineLength < 2 || this.line[this.lineLength - 2] !== 13) throw incomplete();
          const text = this.line.toString('latin1', 0, this.lineLength - 2);
          this.lineLength = 0;
          if (this.state === HEADER) this.onChunkHeader(text);
          else this.onTrailerLine(text);
          break;
        }
        case DATA: {
          const n = Math.min(this.remaining, buf.length - i);
          const piece = buf.subarray(i, i + n);
          this.chunkHash?.update(piece);
          this.checksum?.hasher.update(piece);
          this.received += n;
          this.remaining -= n;
          i += n;
          this.push(piece);
          if (this.remaining === 0) {
            this.verifyChunk();
            this.state = DATA_END;
          }
          break;
        }
        case DATA_END:
          if (buf[i++] !== (this.crlf === 0 ? 13 : 10)) throw incomplete();
          if (++this.crlf === 2) [this.crlf, this.state] = [0, HEADER];
          break;
        default: // DONE
          return;
      }
    }
  }

  /** `hex-size[;chunk-signature=sig]`; spaces around the parts are tolerated, as S3 does. */
  private onChunkHeader(text: string): void {
    this.chunkNumber++;
    const semi = text.indexOf(';');
    const sizeText = (semi < 0 ? text : text.slice(0, semi)).trim();
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) throw incomplete();
    const size = parseInt(sizeText, 16);
    if (!Number.isSafeInteger(size)) throw incomplete();
    if (this.signed) this.chunkSignature = parseChunkSignature(semi < 0 ? '' : text.slice(semi + 1));
    // Only now is the previous chunk known not to be the last one.
    const min = this.opts.minChunkSize ?? 8192;
    if (size !== 0 && this.lastChunkSize >= 0 && this.lastChunkSize < min)
      throw new AwsChunkedError('InvalidChunkSizeError', `Only the last chunk is allowed to have a size less than ${min} bytes`, 403, {
        Chunk: String(this.chunkNumber),
        BadChunkSize: String(this.lastChunkSize),
      });
    this.lastChunkSize = size;
    const { decodedLength } = this.opts;
    if (decodedLength !== undefined && size > decodedLength - this.received) throw wrongLength(decodedLength, this.received + size);
    if (size > 0) {
      this.remaining = size;
      this.chunkHash = this.signed ? createHash('sha256') : undefined;
      this.state = DATA;
      return;
    }
    // The zero-size chunk: the payload is over.
    this.chunkHash = undefined;
    this.verifyChunk();
    if (decodedLength !== undefined && this.received !== decodedLength) throw wrongLength(decodedLength, this.received);
    this.state = TRAILER;
  }

  private verifyChunk(): void {
    if (!this.signed) return;
    const dataHash = this.chunkHash ? this.chunkHash.digest('hex') : EMPTY_SHA256;
    this.check(`AWS4-HMAC-SHA256-PAYLOAD\n${this.opts.amzDate}\n${this.opts.scope}\n${this.previousSignature}\n${EMPTY_SHA256}\n${dataHash}`, this.chunkSignature);
  }

  /** Constant-time comparison; the verified signature becomes the next link of the chain. */
  private check(stringToSign: string, provided: string): void {
    const expected = createHmac('sha256', this.opts.signingKey!).update(stringToSign).digest('hex');
    const [a, b] = [Buffer.from(expected), Buffer.from(provided)];
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw signatureMismatch(provided, stringToSign);
    this.previousSignature = expected;
  }

  private onTrailerLine(text: string): void {
    if (text === '') return this.endTrailers();
    // Without announced trailers only the closing CRLF may follow the last chunk.
    if (this.expected.size === 0) throw incomplete();
    this.trailerBytes += text.length + 2;
    if (this.trailerBytes > MAX_TRAILER_BYTES) throw malformedTrailer();
    const colon = text.indexOf(':');
    const name = (colon < 0 ? text : text.slice(0, colon)).trim().toLowerCase();
    if (colon < 0 || !this.expected.has(name)) throw malformedTrailer();
    this.got.set(name, text.slice(colon + 1).trim()); // a repeated trailer: the last one counts
  }

  /** The trailer section is over (blank line or EOF): check it, then the checksum. */
  private endTrailers(): void {
    const { got, expected } = this;
    if (this.opts.mode === 'signed-trailer') {
      const provided = got.get(SIGNATURE_HEADER);
      if (provided === undefined) throw incomplete();
      if (got.size !== expected.size) throw malformedTrailer();
      const canonical = [...got].filter(([n]) => n !== SIGNATURE_HEADER).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const text = canonical.map(([n, v]) => `${n}:${v}\n`).join('') || '\n';
      const hash = createHash('sha256').update(text, 'latin1').digest('hex');
      this.check(`AWS4-HMAC-SHA256-TRAILER\n${this.opts.amzDate}\n${this.opts.scope}\n${this.previousSignature}\n${hash}`, provided);
      if (got.size === 1) throw incomplete(); // a signature over no trailer at all
    } else if (got.size !== expected.size) {
      throw malformedTrailer();
    }
    if (this.checksum) {
      const { alg, header, hasher } = this.checksum;
      const sent = fromBase64Strict(got.get(header) ?? '', digestLength(alg));
      if (!sent) throw invalidRequest(`Value for ${header} trailing header is invalid.`);
      const actual = hasher.digest();
      this.checksumValue = toBase64(actual);
      if (!actual.equals(sent))
        throw new AwsChunkedError('BadDigest', `The ${alg} you specified did not match the calculated checksum.`, 400);
    }
    got.delete(SIGNATURE_HEADER);
    this.result = Object.fromEntries(got);
    this.state = DONE;
    this.emit('trailers', this.trailers());
  }
}

/**
 * The signature of a chunk extension, as S3 reads it: no extension or an empty signature is
 * IncompleteBody, another extension first is a (403) mismatch, anything after it IncompleteBody.
 */
function parseChunkSignature(ext: string): string {
  if (ext.trim() === '') throw incomplete();
  const eq = ext.indexOf('=');
  if (eq < 0 || ext.slice(0, eq).trim() !== 'chunk-signature') throw signatureMismatch(ext.trim());
  const sig = ext.slice(eq + 1);
  if (sig.includes(';') || sig.trim() === '') throw incomplete();
  return sig.trim();
}

export function createChunkedDecoder(opts: ChunkedDecoderOptions): AwsChunkedDecoder {
  return new AwsChunkedDecoder(opts);
}
