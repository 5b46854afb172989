import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import { Crc32Js } from '@smithy/core/checksum';
import {
  CHECKSUM_ALGORITHMS,
  checksumAlgorithmOfHeader,
  checksumBase64,
  checksumHeaderName,
  checksumOf,
  crc32,
  crc32c,
  crc32Js,
  crc64nvme,
  createChecksum,
  digestLength,
  fromBase64Strict,
  isValidChecksumValue,
  toBase64,
  type ChecksumAlgorithm,
} from '../../src/protocols/checksums.js';

const ALL: ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256', 'MD5'];
const CHECK = Buffer.from('123456789');

/** Bit-at-a-time reflected CRC straight from the definition: the independent oracle. */
function bitwiseCrc(buf: Uint8Array, width: 32 | 64, reflectedPoly: bigint): bigint {
  const mask = (1n << BigInt(width)) - 1n;
  let c = mask;
  for (const byte of buf) {
    c ^= BigInt(byte);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ reflectedPoly : c >> 1n;
  }
  return c ^ mask;
}
const refCrc32c = (b: Uint8Array) => Number(bitwiseCrc(b, 32, 0x82f63b78n));
const refCrc64 = (b: Uint8Array) => bitwiseCrc(b, 64, 0x9a6c9329ac4bc9b5n);

const hex = (alg: ChecksumAlgorithm, ...parts: Uint8Array[]) => checksumOf(alg, ...parts).toString('hex');

describe('checksums: published check values', () => {
  it('"123456789" gives each algorithm its catalogued check value', () => {
    assert.equal(hex('CRC32', CHECK), 'cbf43926');
    assert.equal(hex('CRC32C', CHECK), 'e3069283');
    assert.equal(hex('CRC64NVME', CHECK), 'ae8b14860a799888');
    assert.equal(hex('SHA1', CHECK), 'f7c3bc1d808e04732adf679965ccc34ca7ae3441');
    assert.equal(hex('SHA256', CHECK), '15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225');
    assert.equal(hex('MD5', CHECK), '25f9e794323b453885f5181f1b624d0b');
    assert.equal(crc32Js(CHECK), 0xcbf43926);
    assert.equal(crc32c(CHECK), 0xe3069283);
    assert.equal(crc64nvme(CHECK), 0xae8b14860a799888n);
  });

  it('CRC32C matches the iSCSI vectors of RFC 3720 B.4', () => {
    const inc = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    assert.equal(crc32c(Buffer.alloc(32, 0)), 0x8a9136aa);
    assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
    assert.equal(crc32c(inc), 0x46dd794e);
    assert.equal(crc32c(Buffer.from(inc).reverse()), 0x113fdb5c);
  });

  it('the empty input: CRCs are 0, hashes their empty digest', () => {
    for (const alg of ['CRC32', 'CRC32C'] as const) assert.equal(hex(alg), '00000000');
    assert.equal(hex('CRC64NVME'), '0000000000000000');
    assert.equal(hex('SHA256'), createHash('sha256').digest('hex'));
  });

  it('CRC32C of the AWS chunked-upload example (66560 bytes of "a") is its documented sOO8/Q==', () => {
    assert.equal(checksumBase64('CRC32C', Buffer.alloc(66560, 'a')), 'sOO8/Q==');
  });

  it('digests are big-endian: CRC32 of "123456789" travels as y/Q5Jg==', () => {
    assert.equal(checksumBase64('CRC32', CHECK), 'y/Q5Jg==');
  });
});

describe('checksums: agreement with independent implementations', () => {
  const samples = [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 255, 1000, 4096 + 3].map((n) => randomBytes(n));

  it('CRC32 (native and JS) agrees with zlib.crc32 and @smithy Crc32Js', async () => {
    for (const s of samples) {
      const smithy = new Crc32Js();
      smithy.update(s);
      const expected = Buffer.from(await smithy.digest()).toString('hex');
      assert.equal(hex('CRC32', s), expected);
      assert.equal(crc32Js(s).toString(16).padStart(8, '0'), expected);
      if (typeof zlib.crc32 === 'function') assert.equal(crc32(s), zlib.crc32(s) >>> 0);
    }
  });

  it('CRC32C and CRC64NVME agree with a bit-at-a-time reference', () => {
    for (const s of samples.slice(0, 12)) {
      assert.equal(crc32c(s), refCrc32c(s));
      assert.equal(crc64nvme(s), refCrc64(s));
    }
  });

  it('SHA1/SHA256/MD5 agree with node:crypto', () => {
    for (const s of samples)
      for (const [alg, name] of [['SHA1', 'sha1'], ['SHA256', 'sha256'], ['MD5', 'md5']] as const)
        assert.equal(hex(alg, s), createHash(name).update(s).digest('hex'));
  });
});

describe('checksums: incremental use', () => {
  const data = randomBytes(777);

  it('every split point of the input gives the one-shot digest, for every algorithm', () => {
    for (const alg of ALL) {
      const whole = hex(alg, data);
      for (let k = 0; k <= data.length; k += 1) {
        assert.equal(hex(alg, data.subarray(0, k), data.subarray(k)), whole, `${alg} split at ${k}`);
      }
    }
  });

  it('byte-by-byte updates and three-way splits agree too', () => {
    for (const alg of ALL) {
      const c = createChecksum(alg);
      for (const b of data) c.update(Uint8Array.of(b));
      assert.equal(c.digest().toString('hex'), hex(alg, data));
      assert.equal(hex(alg, data.subarray(0, 5), data.subarray(5, 300), data.subarray(300)), hex(alg, data));
    }
  });

  it('the function forms continue from a previous result', () => {
    const [a, b] = [data.subarray(0, 100), data.subarray(100)];
    assert.equal(crc32(b, crc32(a)), crc32(data));
    assert.equal(crc32Js(b, crc32Js(a)), crc32(data));
    assert.equal(crc32c(b, crc32c(a)), crc32c(data));
    assert.equal(crc64nvme(b, crc64nvme(a)), crc64nvme(data));
  });

  it('digest() can be repeated and has the algorithm length', () => {
    for (const alg of ALL) {
      const c = createChecksum(alg);
      c.update(data);
      const first = c.digest();
      assert.deepEqual(c.digest(), first);
      assert.equal(first.length, digestLength(alg));
    }
  });

  it('views into a larger buffer are hashed by their own bytes only', () => {
    const big = randomBytes(100);
    const view = big.subarray(13, 77);
    for (const alg of ALL) assert.equal(hex(alg, view), hex(alg, Buffer.from(view)));
  });

  it('hashes 8 MiB in a sensible time (slicing tables, no per-byte allocation)', () => {
    const big = randomBytes(8 << 20);
    for (const alg of ['CRC32C', 'CRC64NVME'] as const) {
      const t = performance.now();
      checksumOf(alg, big);
      const ms = performance.now() - t;
      assert.ok(ms < 2000, `${alg} took ${ms.toFixed(0)} ms for 8 MiB`);
    }
  });
});

describe('checksums: names and base64', () => {
  it('maps algorithms to header names and back', () => {
    assert.equal(checksumHeaderName('CRC32'), 'x-amz-checksum-crc32');
    assert.equal(checksumHeaderName('CRC64NVME'), 'x-amz-checksum-crc64nvme');
    assert.equal(checksumHeaderName('MD5'), 'content-md5');
    for (const alg of CHECKSUM_ALGORITHMS) assert.equal(checksumAlgorithmOfHeader(checksumHeaderName(alg).toUpperCase()), alg);
    assert.equal(checksumAlgorithmOfHeader('x-amz-checksum-bad'), undefined);
    assert.equal(checksumAlgorithmOfHeader('content-md5'), undefined);
  });

  it('validates checksum values strictly', () => {
    assert.ok(isValidChecksumValue('CRC32', 'y/Q5Jg=='));
    assert.ok(!isValidChecksumValue('CRC32', 'not=base-64'));
    assert.ok(!isValidChecksumValue('CRC32', 'y/Q5Jg')); // unpadded
    assert.ok(!isValidChecksumValue('CRC32', 'y/Q5Jh==')); // non-zero padding bits
    assert.ok(!isValidChecksumValue('CRC32C', checksumBase64('SHA256', CHECK))); // wrong length
    assert.ok(isValidChecksumValue('SHA256', checksumBase64('SHA256', CHECK)));
    assert.equal(fromBase64Strict('y/Q5Jg==')?.toString('hex'), 'cbf43926');
    assert.equal(fromBase64Strict('a b=', 2), undefined);
    assert.equal(toBase64(Buffer.from('cbf43926', 'hex')), 'y/Q5Jg==');
  });

  it('refuses unknown algorithms', () => {
    assert.throws(() => createChecksum('CRC16' as ChecksumAlgorithm), TypeError);
  });
});
