/**
 * A client that hangs up mid-upload: Nimbus logs it at debug level without a stack trace,
 * keeps nothing of the half-sent body (no object, no blob, no temporary file) and goes on
 * serving. Issue 13, "quiet failures".
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@smithy/core/checksum';
import { createLogger } from '../../src/lib/log.js';
import { startNimbus } from '../../src/nimbus.js';
import { ACCOUNT, TEST_CREDENTIALS } from '../helpers/nimbus.js';

/** Every file under dir (recursively). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test('a PUT dropped halfway is logged at debug without a stack, leaves no object or file behind, and Nimbus serves on', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-abort-'));
  const lines: Array<{ level: string; msg: string; error?: string }> = [];
  const nimbus = await startNimbus({ port: 0, dataDir, log: createLogger('debug', (l) => lines.push(JSON.parse(l))), credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }], hotReloadRoots: [] });
  const s3 = new S3Client({ endpoint: nimbus.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: TEST_CREDENTIALS });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
    const { hostname, port } = new URL(nimbus.endpoint);
    const signer = new SignatureV4({ service: 's3', region: 'us-east-1', sha256: Sha256, credentials: TEST_CREDENTIALS });
    for (const payload of ['UNSIGNED-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER']) {
      const signed = await signer.sign({
        method: 'PUT',
        protocol: 'http:',
        hostname,
        port: Number(port),
        path: '/uploads/half',
        query: {},
        headers: { host: `${hostname}:${port}`, 'content-length': '1000000', 'x-amz-content-sha256': payload, ...(payload.startsWith('STREAMING') ? { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '999000' } : {}) },
      });
      const socket = connect(Number(port), hostname);
      await new Promise((r) => socket.once('connect', r));
      const head = Object.entries(signed.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.write(`PUT /uploads/half HTTP/1.1\r\n${head}\r\n${payload.startsWith('STREAMING') ? '2000\r\n' : ''}${'x'.repeat(5000)}`);
      await new Promise((r) => setTimeout(r, 150));
      socket.destroy();
    }
    // The handlers notice the hang-up on their own schedule: wait (briefly, in real time) for both.
    for (let i = 0; i < 100 && lines.filter((l) => l.msg === 'client went away mid-request').length < 2; i++) await new Promise((r) => setTimeout(r, 20));

    assert.deepEqual(
      // (The start-up note that functions run unsandboxed, on a machine without bubblewrap, is not about this.)
      lines.filter((l) => (l.level === 'error' || l.level === 'warn') && !String(l.msg).startsWith('function sandbox:')),
      [],
      'nothing above debug',
    );
    assert.ok(lines.some((l) => l.msg === 'client went away mid-request' && l.error === undefined));
    assert.equal((await s3.send(new ListObjectsV2Command({ Bucket: 'uploads' }))).KeyCount, 0);
    // Large enough to be kept as a blob file rather than inline with its row.
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'whole', Body: Buffer.alloc(1 << 20, 7) }));
    assert.equal((await s3.send(new ListObjectsV2Command({ Bucket: 'uploads' }))).KeyCount, 1);
  } finally {
    s3.destroy();
    await nimbus.stop();
  }
  // Of the two uploads only the whole one left a blob: no temporary file, no orphan.
  assert.equal(filesUnder(join(dataDir, 'blobs')).length, 1, filesUnder(join(dataDir, 'blobs')).join(', '));
  rmSync(dataDir, { recursive: true, force: true });
});
