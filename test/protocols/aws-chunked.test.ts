import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { Crc32, Sha256, readableStreamHasher } from '@smithy/core/checksum';
import { getAwsChunkedEncodingStream } from '@smithy/core/serde';
import {
  AwsChunkedError,
  createChunkedDecoder,
  parseTrailerHeader,
  type AwsChunkedDecoder,
  type ChunkedDecoderOptions,
  type ChunkedMode,
} from '../../src/protocols/aws-chunked.js';
import { AwsError } from '../../src/protocols/errors.js';
import { checksumBase64, checksumHeaderName, type ChecksumAlgorithm } from '../../src/protocols/checksums.js';

// ---- a reference encoder, written from the AWS documentation's definitions ---------------------

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'; // the documentation's example credentials
const DATE = '20130524T000000Z';
const SCOPE = '20130524/us-east-1/s3/aws4_request';
const hmac = (key: Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const sha256hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request") */
const KEY = ['20130524', 'us-east-1', 's3', 'aws4_request'].reduce((k, part) => hmac(k, part), Buffer.from(`AWS4${SECRET}`));
const SEED = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9'; // documented seed signature

const chunkSig = (prev: string, data: Buffer) =>
  hmac(KEY, ['AWS4-HMAC-SHA256-PAYLOAD', DATE, SCOPE, prev, sha256hex(''), sha256hex(data)].join('\n')).toString('hex');
const canonicalTrailers = (t: [string, string][]) =>
  [...t].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, v]) => `${n}:${v}\n`).join('') || '\n';
const trailerSig = (prev: string, t: [string, string][]) =>
  hmac(KEY, ['AWS4-HMAC-SHA256-TRAILER', DATE, SCOPE, prev, sha256hex(canonicalTrailers(t))].join('\n')).toString('hex');

interface Encoded { body: Buffer; signatures: string[] }

/** Encodes like the SDKs do (smithy-rs / aws-sdk-java-v2 byte layout). */
function encode(mode: ChunkedMode, chunks: Buffer[], trailers: [string, string][] = [], seed = SEED): Encoded {
  const parts: (string | Buffer)[] = [];
  const signatures: string[] = [];
  let prev = seed;
  for (const data of [...chunks, Buffer.alloc(0)]) {
    if (mode === 'unsigned-trailer') parts.push(`${data.length.toString(16)}\r\n`);
    else {
      prev = chunkSig(prev, data);
      signatures.push(prev);
      parts.push(`${data.length.toString(16)};chunk-signature=${prev}\r\n`);
    }
    if (data.length > 0) parts.push(data, '\r\n');
  }
  if (mode === 'signed') parts.push('\r\n');
  else {
    for (const [n, v] of trailers) parts.push(`${n}:${v}\r\n`);
    if (mode === 'signed-trailer') {
      signatures.push(trailerSig(prev, trailers));
      parts.push(`x-amz-trailer-signature:${signatures.at(-1)}\r\n`);
    }
    parts.push('\r\n');
  }
  return { body: Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))), signatures };
}

const signedOpts = (mode: ChunkedMode, extra: Partial<ChunkedDecoderOptions> = {}): ChunkedDecoderOptions => ({
  mode,
  signingKey: KEY,
  amzDate: DATE,
  scope: SCOPE,
  seedSignature: SEED,
  ...extra,
});

interface Decoded { data: Buffer; trailers: Record<string, string>; decoder: AwsChunkedDecoder; writes: number }

/** Feeds the pieces synchronously, as a socket would, and collects the output. */
function decode(opts: ChunkedDecoderOptions, ...pieces: Buffer[]): Promise<Decoded> {
  return new Promise((resolve, reject) => {
    const decoder = createChunkedDecoder(opts);
    const out: Buffer[] = [];
    let writes = 0;
    decoder.on('data', (c: Buffer) => out.push(c));
    decoder.on('error', (e) => reject(Object.assign(e, { emitted: Buffer.concat(out).length, writes })));
    decoder.on('end', () => resolve({ data: Buffer.concat(out), trailers: decoder.trailers(), decoder, writes }));
    for (const p of pieces) {
      if (decoder.errored || decoder.destroyed) return; // a sync failure is reported on nextTick
      writes++;
      decoder.write(p);
    }
    decoder.end();
  });
}

const split = (b: Buffer, ...at: number[]) => [0, ...at, b.length].slice(1).map((end, i, ends) => b.subarray(i === 0 ? 0 : ends[i - 1], end));
const bytes = (b: Buffer) => Array.from({ length: b.length }, (_, i) => b.subarray(i, i + 1));
const randomSplit = (b: Buffer, pieces: number) =>
  split(b, ...[...new Set(Array.from({ length: pieces - 1 }, () => 1 + Math.floor(Math.random() * (b.length - 1))))].sort((x, y) => x - y));

async function rejectsWith(p: Promise<unknown>, code: string, status?: number, details?: Record<string, string>) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AwsError, `not an AwsError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (status !== undefined) assert.equal(e.status, status);
    if (details) for (const [k, v] of Object.entries(details)) assert.equal((e as AwsChunkedError).details[k], v, k);
    return true;
  });
}

const replace = (body: Buffer, from: string, to: string) => Buffer.from(body.toString('latin1').replace(from, to), 'latin1');

// ---- the AWS documentation's examples ----------------------------------------------------------

const DOC_CHUNKS = [Buffer.alloc(65536, 'a'), Buffer.alloc(1024, 'a')];

describe('aws-chunked: the documented examples', () => {
  it('signed: reproduces the documented chunk signatures and Content-Length, and decodes', async () => {
    const { body, signatures } = encode('signed', DOC_CHUNKS);
    assert.deepEqual(signatures, [
      'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
      '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
      'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
    ]);
    assert.equal(body.length, 66824);
    const { data, trailers } = await decode(signedOpts('signed', { decodedLength: 66560 }), body);
    assert.deepEqual(data, Buffer.alloc(66560, 'a'));
    assert.deepEqual(trailers, {});
    const byByte = await decode(signedOpts('signed', { decodedLength: 66560 }), ...bytes(body));
    assert.deepEqual(byByte.data, Buffer.alloc(66560, 'a'));
  });

  it('signed, any split of the input: the same bytes', async () => {
    const { body } = encode('signed', DOC_CHUNKS);
    for (let n = 0; n < 40; n++) {
      const { data } = await decode(signedOpts('signed', { decodedLength: 66560 }), ...randomSplit(body, 2 + (n % 9)));
      assert.equal(data.length, 66560);
    }
  });

  it('signed-trailer: reproduces the documented signatures and trailer, and verifies the CRC32C', async () => {
    const seed = '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e';
    const trailer: [string, string][] = [['x-amz-checksum-crc32c', 'sOO8/Q==']];
    assert.equal(sha256hex(canonicalTrailers(trailer)), '1e376db7e1a34a8ef1c4bcee131a2d60a1cb62503747488624e10995f448d774');
    const { body, signatures } = encode('signed-trailer', DOC_CHUNKS, trailer, seed);
    assert.deepEqual(signatures, [
      'b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2',
      '1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7',
      '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992',
      'd81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435',
    ]);
    const opts = signedOpts('signed-trailer', {
      seedSignature: seed,
      decodedLength: 66560,
      expectedTrailers: ['x-amz-checksum-crc32c'],
      verifyChecksum: true,
    });
    const { data, trailers, decoder } = await decode(opts, ...randomSplit(body, 7));
    assert.equal(data.length, 66560);
    assert.deepEqual(trailers, { 'x-amz-checksum-crc32c': 'sOO8/Q==' });
    assert.deepEqual(decoder.computedChecksum(), { algorithm: 'CRC32C', value: 'sOO8/Q==' });
  });
});

// ---- every split point --------------------------------------------------------------------------

describe('aws-chunked: arbitrary packet boundaries', () => {
  const chunks = [Buffer.from('hello, '), Buffer.from('aws-chunked'), Buffer.from(' world')];
  const payload = Buffer.concat(chunks);
  const crc: [string, string][] = [['x-amz-checksum-crc32', checksumBase64('CRC32', payload)]];
  const cases: [ChunkedMode, Encoded, ChunkedDecoderOptions][] = [
    ['signed', encode('signed', chunks), signedOpts('signed', { minChunkSize: 0 })],
    ['signed-trailer', encode('signed-trailer', chunks, crc), signedOpts('signed-trailer', { minChunkSize: 0, expectedTrailers: [crc[0]![0]] })],
    ['unsigned-trailer', encode('unsigned-trailer', chunks, crc), { mode: 'unsigned-trailer', minChunkSize: 0, expectedTrailers: [crc[0]![0]] }],
  ];
  for (const [mode, { body }, base] of cases) {
    const opts = { ...base, decodedLength: payload.length, verifyChecksum: true };
    const expectedTrailers = mode === 'signed' ? {} : Object.fromEntries(crc);
    it(`${mode}: every two-way split, three-way splits and byte-by-byte give the same result`, async () => {
      for (let k = 1; k < body.length; k++) {
        const { data, trailers } = await decode(opts, ...split(body, k));
        assert.deepEqual(data, payload, `split at ${k}`);
        assert.deepEqual(trailers, expectedTrailers, `split at ${k}`);
      }
      for (let k = 1; k + 3 < body.length; k += 3) assert.deepEqual((await decode(opts, ...split(body, k, k + 2))).data, payload);
      const byByte = await decode(opts, ...bytes(body));
      assert.deepEqual([byByte.data, byByte.trailers], [payload, expectedTrailers]);
    });
  }
});

// ---- large chunks ---------------------------------------------------------------------------------

describe('aws-chunked: large bodies', () => {
  it('5 MiB in 1 MiB signed chunks with a SHA256 trailer, fed in random pieces', async () => {
    const payload = randomBytes(5 * 1024 * 1024 + 12345);
    const chunks = Array.from({ length: 6 }, (_, i) => payload.subarray(i << 20, (i + 1) << 20));
    const t: [string, string][] = [['x-amz-checksum-sha256', checksumBase64('SHA256', payload)]];
    const { body } = encode('signed-trailer', chunks, t);
    const opts = signedOpts('signed-trailer', { decodedLength: payload.length, expectedTrailers: [t[0]![0]], verifyChecksum: true });
    const { data, trailers } = await decode(opts, ...randomSplit(body, 300));
    assert.equal(sha256hex(data), sha256hex(payload));
    assert.deepEqual(trailers, Object.fromEntries(t));
  });

  it('decodes what the real SDK encoder (@smithy getAwsChunkedEncodingStream) sends', async () => {
    const pieces = [randomBytes(10000), randomBytes(9000), randomBytes(500)];
    const payload = Buffer.concat(pieces);
    for (const [fn, name, alg] of [[Crc32, 'x-amz-checksum-crc32', 'CRC32'], [Sha256, 'x-amz-checksum-sha256', 'SHA256']] as const) {
      const stream = getAwsChunkedEncodingStream(Readable.from(pieces), {
        base64Encoder: (u: Uint8Array) => Buffer.from(u).toString('base64'),
        bodyLengthChecker: (b: Buffer) => b.length,
        checksumAlgorithmFn: fn,
        checksumLocationName: name,
        streamHasher: readableStreamHasher,
      });
      const body = Buffer.concat(await stream.toArray());
      const opts: ChunkedDecoderOptions = { mode: 'unsigned-trailer', decodedLength: payload.length, expectedTrailers: [name], verifyChecksum: true };
      const { data, trailers, decoder } = await decode(opts, body);
      assert.deepEqual(data, payload);
      assert.equal(trailers[name], checksumBase64(alg, payload));
      assert.equal(decoder.computedChecksum()?.value, checksumBase64(alg, payload));
    }
    // Without a checksum the SDK ends the body right after `0\r\n`.
    const bare = getAwsChunkedEncodingStream(Readable.from(pieces), { bodyLengthChecker: (b: Buffer) => b.length });
    const body = Buffer.concat(await bare.toArray());
    assert.ok(body.subarray(-3).equals(Buffer.from('0\r\n')));
    assert.deepEqual((await decode({ mode: 'unsigned-trailer', decodedLength: payload.length }, body)).data, payload);
  });
});

// ---- signatures -----------------------------------------------------------------------------------

describe('aws-chunked: signature failures are 403 SignatureDoesNotMatch', () => {
  const chunks = [randomBytes(9000), randomBytes(9000), randomBytes(100)];
  const { body, signatures } = encode('signed', chunks);
  const opts = signedOpts('signed', { decodedLength: 18100 });

  it('a wrong chunk signature', async () => {
    const bad = replace(body, signatures[1]!, `${signatures[1]!.slice(0, -1)}${signatures[1]!.endsWith('0') ? '1' : '0'}`);
    await rejectsWith(decode(opts, bad), 'SignatureDoesNotMatch', 403);
    await assert.rejects(decode(opts, bad), (e: AwsChunkedError) => e.details.StringToSign!.startsWith('AWS4-HMAC-SHA256-PAYLOAD\n'));
  });

  it('a flipped data byte fails its chunk, after only the earlier data went downstream', async () => {
    const bad = Buffer.from(body);
    bad[body.indexOf('\r\n', body.indexOf(signatures[1]!)) + 2 + 10] ^= 1;
    await assert.rejects(decode(opts, ...split(bad, 100, 9200, 12000)), (e: AwsChunkedError & { emitted: number }) => {
      assert.equal(e.code, 'SignatureDoesNotMatch');
      assert.ok(e.emitted <= 18000, 'the third chunk was not passed on');
      return true;
    });
  });

  it('a wrong seed, a wrong final signature, a wrong key', async () => {
    await rejectsWith(decode({ ...opts, seedSignature: '0'.repeat(64) }, body), 'SignatureDoesNotMatch', 403);
    await rejectsWith(decode(opts, replace(body, `0;chunk-signature=${signatures[3]}`, `0;chunk-signature=${signatures[2]}`)), 'SignatureDoesNotMatch');
    await rejectsWith(decode({ ...opts, signingKey: Buffer.alloc(32) }, body), 'SignatureDoesNotMatch');
  });

  it('chunk extensions as S3 reads them', async () => {
    const small = encode('signed', [Buffer.from('abc')]);
    const o = signedOpts('signed', { decodedLength: 3 });
    const sig = small.signatures[0]!;
    await rejectsWith(decode(o, replace(small.body, `;chunk-signature=${sig}`, ';chunk-signature=invalid')), 'SignatureDoesNotMatch');
    await rejectsWith(decode(o, replace(small.body, `;chunk-signature=${sig}`, `;extra=param;chunk-signature=${sig}`)), 'SignatureDoesNotMatch');
    await rejectsWith(decode(o, replace(small.body, `;chunk-signature=${sig}`, `;chunk-signature=${sig};extra=param`)), 'IncompleteBody');
    await rejectsWith(decode(o, replace(small.body, `;chunk-signature=${sig}`, ';chunk-signature=')), 'IncompleteBody');
    await rejectsWith(decode(o, replace(small.body, `;chunk-signature=${sig}`, '')), 'IncompleteBody');
    const spaced = replace(small.body, `3;chunk-signature=${sig}`, `3 ; chunk-signature = ${sig} `);
    assert.equal((await decode(o, spaced)).data.toString(), 'abc');
  });

  it('a wrong or missing trailer signature, a tampered trailer', async () => {
    const t: [string, string][] = [['x-amz-checksum-crc32', checksumBase64('CRC32', Buffer.from('abc'))]];
    const enc = encode('signed-trailer', [Buffer.from('abc')], t);
    const o = signedOpts('signed-trailer', { decodedLength: 3, expectedTrailers: ['x-amz-checksum-crc32'] });
    assert.deepEqual((await decode(o, enc.body)).trailers, Object.fromEntries(t));
    const sig = enc.signatures.at(-1)!;
    await assert.rejects(decode(o, replace(enc.body, sig, '0'.repeat(64))), (e: AwsChunkedError) => {
      assert.equal(e.code, 'SignatureDoesNotMatch');
      return e.details.StringToSign!.startsWith('AWS4-HMAC-SHA256-TRAILER\n');
    });
    await rejectsWith(decode(o, replace(enc.body, t[0]![1], 'AAAAAA==')), 'SignatureDoesNotMatch');
    await rejectsWith(decode(o, replace(enc.body, `x-amz-trailer-signature:${sig}\r\n`, '')), 'IncompleteBody');
    // The signed value is trimmed: a space after the colon is the same trailer.
    const spaced = replace(enc.body, 'x-amz-checksum-crc32:', 'x-amz-checksum-crc32: ');
    assert.deepEqual((await decode(o, spaced)).trailers, Object.fromEntries(t));
    // A trailer signature with no trailer announced: S3 answers IncompleteBody.
    const none = encode('signed-trailer', [Buffer.from('abc')]);
    await rejectsWith(decode(signedOpts('signed-trailer', { decodedLength: 3 }), none.body), 'IncompleteBody');
  });
});

// ---- truncation, framing, lengths -------------------------------------------------------------------

describe('aws-chunked: framing and lengths', () => {
  it('every truncation errors with IncompleteBody, except right after the last chunk (S3 takes `0\\r\\n` + EOF)', async () => {
    for (const mode of ['signed', 'unsigned-trailer'] as const) {
      const { body } = encode(mode, [Buffer.from('0123456789')]);
      const opts = mode === 'signed' ? signedOpts(mode, { decodedLength: 10 }) : { mode, decodedLength: 10 };
      for (let n = 0; n < body.length; n++) {
        const p = decode(opts, body.subarray(0, n));
        if (n === body.length - 2) assert.equal((await p).data.toString(), '0123456789');
        else await rejectsWith(p, 'IncompleteBody', 400, { NumberBytesExpected: undefined as unknown as string });
      }
    }
  });

  it('malformed chunk headers and separators are IncompleteBody', async () => {
    const u = (s: string, decodedLength = 3) => decode({ mode: 'unsigned-trailer', decodedLength }, Buffer.from(s, 'latin1'));
    assert.equal((await u('3\r\nabc\r\n0\r\n\r\n')).data.toString(), 'abc');
    for (const bad of [
      'zz\r\nabc\r\n0\r\n\r\n', // not hex
      '-3\r\nabc\r\n0\r\n\r\n', // negative
      '\r\nabc\r\n0\r\n\r\n', // empty size
      '3\nabc\n0\n\n', // bare LF
      '3\rabc\r0\r\r', // bare CR
      '3\r\nabc0\r\n\r\n', // no CRLF after the data
      '3\r\nabc\n\r0\r\n\r\n', // LF CR
      '3\r\nabc\r\n', // no zero-size chunk
      '3\r\nabc\r\n0\r\n\r', // half a final CRLF
      '3\r\nabc\r\n0\r\nx-amz-meta:1\r\n\r\n', // trailer lines with none announced
    ])
      await rejectsWith(u(bad), 'IncompleteBody', 400);
    await rejectsWith(u('10000000000000000\r\n'), 'IncompleteBody');
  });

  it('a decoded length that does not add up is IncompleteBody with the byte counts', async () => {
    const { body } = encode('unsigned-trailer', [randomBytes(32)]);
    const u = (decodedLength: number, b = body) => decode({ mode: 'unsigned-trailer', decodedLength }, b);
    await rejectsWith(u(64), 'IncompleteBody', 400, { NumberBytesExpected: '64', NumberBytesProvided: '32' });
    await rejectsWith(u(16), 'IncompleteBody', 400, { NumberBytesExpected: '16', NumberBytesProvided: '32' });
    // A zero-size chunk mid-stream ends the payload there (S3: expected 32, provided 4).
    const early = encode('unsigned-trailer', [Buffer.from('abcd')]).body;
    await rejectsWith(u(32, Buffer.concat([early, encode('unsigned-trailer', [randomBytes(28)]).body])), 'IncompleteBody', 400, {
      NumberBytesExpected: '32',
      NumberBytesProvided: '4',
    });
    const empty = encode('signed', []);
    assert.equal((await decode(signedOpts('signed', { decodedLength: 0 }), empty.body)).data.length, 0);
    assert.equal((await decode({ mode: 'unsigned-trailer' }, body)).data.length, 32); // no length given: not checked
  });

  it('chunks before the last under 8192 bytes are 403 InvalidChunkSizeError, numbered as S3 does', async () => {
    const chunks = [Buffer.alloc(1024, 'x'), Buffer.alloc(4096, 'y'), Buffer.alloc(3072, 'z')];
    const { body } = encode('signed', chunks);
    await rejectsWith(decode(signedOpts('signed', { decodedLength: 8192 }), body), 'InvalidChunkSizeError', 403, { Chunk: '2', BadChunkSize: '1024' });
    const unsigned = encode('unsigned-trailer', [Buffer.alloc(8192), Buffer.alloc(100), Buffer.alloc(1)]).body;
    await rejectsWith(decode({ mode: 'unsigned-trailer', decodedLength: 8293 }, unsigned), 'InvalidChunkSizeError', 403, { Chunk: '3', BadChunkSize: '100' });
    assert.equal((await decode({ mode: 'unsigned-trailer', decodedLength: 8293, minChunkSize: 0 }, unsigned)).data.length, 8293);
    const ragged = encode('signed', [Buffer.alloc(15 << 10), Buffer.alloc(8 << 10), Buffer.alloc(16 << 10), Buffer.alloc(5)]);
    assert.equal((await decode(signedOpts('signed', { decodedLength: (39 << 10) + 5 }), ragged.body)).data.length, (39 << 10) + 5);
  });

  it('an oversized header line fails early, without buffering it', async () => {
    const line = Buffer.alloc(1 << 20, '1');
    await assert.rejects(decode({ mode: 'unsigned-trailer' }, ...split(line, ...Array.from({ length: 15 }, (_, i) => (i + 1) << 16))), (e: AwsError & { writes: number }) => {
      assert.equal(e.code, 'IncompleteBody');
      assert.equal(e.writes, 1, 'failed within the first 64 KiB piece');
      return true;
    });
    const header = Buffer.from(`3;${'x'.repeat(200)}\r\nabc\r\n0\r\n\r\n`);
    await rejectsWith(decode({ mode: 'unsigned-trailer', maxChunkHeaderBytes: 100 }, header), 'IncompleteBody');
    assert.equal((await decode({ mode: 'unsigned-trailer', maxChunkHeaderBytes: 300 }, header)).data.toString(), 'abc');
  });
});

// ---- trailers ---------------------------------------------------------------------------------------

describe('aws-chunked: trailers', () => {
  const payload = randomBytes(20000);
  const chunks = [payload.subarray(0, 10000), payload.subarray(10000)];
  const algs: ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

  for (const mode of ['unsigned-trailer', 'signed-trailer'] as const) {
    it(`${mode}: each checksum algorithm is verified against the decoded bytes`, async () => {
      for (const alg of algs) {
        const name = checksumHeaderName(alg);
        const base: ChunkedDecoderOptions = { mode, decodedLength: payload.length, expectedTrailers: [name], verifyChecksum: true };
        const opts = mode === 'signed-trailer' ? signedOpts(mode, base) : base;
        const good = encode(mode, chunks, [[name, checksumBase64(alg, payload)]]);
        const { trailers, decoder } = await decode(opts, ...randomSplit(good.body, 5));
        assert.deepEqual(trailers, { [name]: checksumBase64(alg, payload) });
        assert.deepEqual(decoder.computedChecksum(), { algorithm: alg, value: checksumBase64(alg, payload) });
        const wrong = encode(mode, chunks, [[name, checksumBase64(alg, payload.subarray(1))]]);
        await assert.rejects(decode(opts, wrong.body), (e: AwsError) => {
          assert.equal(e.code, 'BadDigest');
          assert.equal(e.message, `The ${alg} you specified did not match the calculated checksum.`);
          return true;
        });
        const invalid = encode(mode, chunks, [[name, 'not=base-64']]);
        await assert.rejects(decode(opts, invalid.body), { code: 'InvalidRequest', message: `Value for ${name} trailing header is invalid.` });
        // Without verifyChecksum the trailer is only reported.
        assert.equal((await decode({ ...opts, verifyChecksum: false }, wrong.body)).decoder.computedChecksum(), undefined);
      }
    });
  }

  const crc = checksumBase64('CRC32', Buffer.from('abc'));
  const u = (s: string, expectedTrailers = ['x-amz-checksum-crc32']) =>
    decode({ mode: 'unsigned-trailer', decodedLength: 3, expectedTrailers, verifyChecksum: true }, ...bytes(Buffer.from(s)));

  it('unsigned trailer layouts S3 accepts', async () => {
    for (const s of [
      `3\r\nabc\r\n0\r\nx-amz-checksum-crc32:${crc}\r\n\r\n`, // what the SDKs send
      `3\r\nabc\r\n0\r\nx-amz-checksum-crc32:${crc}\r\n`, // EOF ends the trailers
      `3\r\nabc\r\n0\r\nX-Amz-Checksum-CRC32: ${crc} \r\n\r\n`, // any case, spaces
      `3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\nx-amz-checksum-crc32:${crc}\r\n`, // the last one counts
      `3\r\nabc\r\n0\r\nx-amz-checksum-crc32:${crc}\r\n\r\n\r\nbonus: trailer\r\n\xff junk`, // after the blank line: ignored
    ])
      assert.deepEqual((await u(s)).trailers, { 'x-amz-checksum-crc32': crc }, JSON.stringify(s));
  });

  it('unsigned trailer layouts S3 refuses', async () => {
    const ok = `3\r\nabc\r\n0\r\nx-amz-checksum-crc32:${crc}\r\n`;
    await rejectsWith(u(ok.replace('0\r\n', '0\r\n\r\n')), 'MalformedTrailerError', 400); // blank line first: trailers missing
    await rejectsWith(u(`${ok}bonus: trailer\r\n`), 'MalformedTrailerError'); // not announced
    await rejectsWith(u('3\r\nabc\r\n0\r\n\r\n'), 'MalformedTrailerError'); // announced, not sent
    await rejectsWith(u(ok, ['x-amz-checksum-crc32c']), 'MalformedTrailerError'); // another one sent
    await rejectsWith(u(`3\r\nabc\r\n0\r\nx-amz-checksum-crc32\r\n`), 'MalformedTrailerError'); // no colon
    await rejectsWith(u(ok.slice(0, -2) + '\n'), 'IncompleteBody'); // bare LF
    await rejectsWith(u(ok.slice(0, -1)), 'IncompleteBody'); // CR, no LF
    await rejectsWith(u(ok.slice(0, -2)), 'IncompleteBody'); // no line end
    await rejectsWith(u(`3\r\nabc\r\n0\r\n${'x-amz-checksum-crc32:AAAAAA==\r\n'.repeat(600)}`), 'MalformedTrailerError'); // > 16 KiB
  });

  it("emits 'trailers' before 'end'; trailers() is {} until then", async () => {
    const decoder = createChunkedDecoder({ mode: 'unsigned-trailer', expectedTrailers: ['x-amz-checksum-crc32'] });
    const order: string[] = [];
    decoder.on('trailers', (t) => order.push(`trailers ${JSON.stringify(t)}`));
    decoder.on('end', () => order.push('end'));
    decoder.resume();
    decoder.write(`3\r\nabc\r\n0\r\n`);
    assert.deepEqual(decoder.trailers(), {});
    decoder.end(`x-amz-checksum-crc32:${crc}\r\n`);
    await new Promise((r) => decoder.on('close', r));
    assert.deepEqual(order, [`trailers {"x-amz-checksum-crc32":"${crc}"}`, 'end']);
    assert.deepEqual(decoder.trailers(), { 'x-amz-checksum-crc32': crc });
  });

  it('x-amz-trailer is parsed as S3 parses it', () => {
    const bad = (v: string, message: string) => assert.throws(() => parseTrailerHeader(v), { code: 'InvalidRequest', message });
    const unsupported = 'The value specified in the x-amz-trailer header is not supported';
    assert.deepEqual(parseTrailerHeader(undefined), []);
    for (const ok of ['x-amz-checksum-crc32', 'x-amz-checksum-crc32,', 'x-amz-checksum-crc32,,', 'x-amz-checksum-crc32, ', 'X-Amz-Checksum-CRC32'])
      assert.deepEqual(parseTrailerHeader(ok), ['x-amz-checksum-crc32'], ok);
    for (const v of [', x-amz-checksum-crc32, ,', ', x-amz-checksum-crc32', ',x-amz-checksum-crc32', 'x-amz-checksum-crc32, ,', 'x-amz-checksum-bad', 'foo', 'content-md5', 'x-amz-content-sha256', 'x-amz-checksum-crc32, x-amz-foo'])
      bad(v, unsupported);
    bad('x-amz-checksum-crc32, x-amz-checksum-sha256', 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  });

  it('signed modes need their signing context', () => {
    assert.throws(() => createChunkedDecoder({ mode: 'signed' }), TypeError);
    assert.throws(() => createChunkedDecoder({ mode: 'signed-trailer', signingKey: KEY }), TypeError);
  });
});
