/**
 * S3 durability under a crash: a Nimbus child process acknowledges concurrent PutObject calls
 * of varied sizes (a few KB to ~2 MB of random bytes), lib-storage multipart Uploads, repeated
 * overwrites of one key, and the parts of an upload left open; it is killed with SIGKILL while
 * many are in flight and restarts on the same data dir. Then:
 *  - every acknowledged PUT (and completed Upload) is listed and reads back byte-exact (MD5);
 *  - nothing listed lacks its bytes: every listed object reads back as one of the bodies sent
 *    to its key, at its listed size;
 *  - the overwritten key holds its last acknowledged body, or the one in flight at the kill;
 *  - the open upload still lists its acknowledged parts;
 *  - after the startup sweep, <dataDir>/blobs holds exactly one body file per listed object
 *    and per part of an upload in progress (no orphans), and no temp files.
 */
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type Part,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import assert from 'node:assert/strict';
import { INLINE_MAX_BYTES } from '../../src/services/s3/engine/uploads.js';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startChildNimbus } from '../helpers/child-nimbus.js';

const BUCKET = 'crash';
const MiB = 1024 * 1024;

/** Children still running; a failed or timed-out test kills them so that it ends. */
const running = new Set<ChildProcess>();

const startChild = (dataDir: string) => startChildNimbus(dataDir, running);

const s3Client = (endpoint: string) =>
  new S3Client({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, forcePathStyle: true, maxAttempts: 1 });

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

/**
 * A deterministic body: a slice of a random pool, stamped with its number so no two bodies are
 * equal. Sizes spread log-uniformly from 4 KB to 2 MB (seeded, so every run sends the same).
 */
const POOL = randomBytes(6 * MiB + 64);
function bodyOf(i: number, size: number): Buffer {
  assert.ok(size <= 6 * MiB);
  const at = Math.abs(i * 7919) % 64;
  const b = Buffer.from(POOL.subarray(at, at + size));
  b.write(`#${i}#`, 0, 'latin1');
  return b;
}
function sizeOf(i: number): number {
  const x = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  const u = x - Math.floor(x); // deterministic in [0, 1)
  return Math.round(4000 * Math.pow(2 * MiB / 4000, u));
}

async function readAll(s3: S3Client, key: string): Promise<Buffer> {
  const r = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

/** Body files in the blob store's shard directories, and temp files. */
function blobFiles(dataDir: string): { bodies: number; temps: number } {
  const dir = join(dataDir, 'blobs');
  let bodies = 0;
  for (const shard of readdirSync(dir)) if (/^[0-9a-f]{2}$/.test(shard)) bodies += readdirSync(join(dir, shard)).length;
  const tmp = join(dir, 'tmp');
  return { bodies, temps: existsSync(tmp) ? readdirSync(tmp).length : 0 };
}

test('every acknowledged S3 PUT survives SIGKILL byte-exact, and no orphan body is left', { timeout: 90_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-s3-crash-'));
  // On a timeout the test's promise is abandoned; its children must still go, or the file never ends.
  t.signal.addEventListener('abort', () => {
    for (const child of running) child.kill('SIGKILL');
  });
  try {
    const first = await startChild(dataDir);
    let s3 = s3Client(first.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));

    // An upload left open, its two parts acknowledged before the kill.
    const openKey = 'open/upload.bin';
    const { UploadId: openId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: openKey }));
    const openParts = [bodyOf(-1, 5 * MiB), bodyOf(-2, 300_000)];
    for (const [n, Body] of openParts.entries()) {
      const r = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: openKey, UploadId: openId, PartNumber: n + 1, Body }));
      assert.equal(r.ETag, `"${md5(Body)}"`);
    }

    /** Every body sent to a key (acknowledged or not), by MD5, and the acknowledged ones. */
    const sent = new Map<string, Set<string>>();
    const acked = new Map<string, string>();
    const send = (key: string, body: Buffer) => {
      const set = sent.get(key) ?? new Set<string>();
      set.add(md5(body));
      sent.set(key, set);
    };
    const KILL_AFTER = 80;
    const WORKERS = 8;
    let killed = false;
    let armed = false;
    let next = 0;
    let lost = 0;
    let bytesAcked = 0;
    let putsAcked = 0;
    const exited = new Promise<void>((r) => first.child.once('exit', () => r()));
    const kill = () => {
      if (armed) return;
      armed = true;
      // Not from inside an acknowledgement: let a few more requests get under way first.
      setTimeout(() => {
        killed = true;
        first.child.kill('SIGKILL');
      }, 15);
    };
    const putWorker = async () => {
      while (!killed) {
        const i = next++;
        const key = `put/${i}`;
        const body = bodyOf(i, sizeOf(i));
        send(key, body);
        try {
          await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
          acked.set(key, md5(body));
          bytesAcked += body.length;
          putsAcked++;
          if (acked.size >= KILL_AFTER - 3) lateUpload();
          if (acked.size >= KILL_AFTER) kill();
        } catch (e) {
          // In flight when the process died: may or may not have been stored.
          if (!killed) throw e;
          lost++;
        }
      }
    };
    // One key overwritten again and again: after the kill it holds the last acknowledged body
    // or the one in flight, and the bodies it replaced are gone from the blob store.
    const overKey = 'over/written';
    let overAcked: string | undefined;
    let overInFlight: string | undefined;
    let overwrites = 0;
    const overWorker = async () => {
      for (let n = 0; !killed; n++) {
        const body = bodyOf(100_000 + n, 20_000 + ((n * 37_813) % 400_000));
        send(overKey, body);
        overInFlight = md5(body);
        try {
          await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: overKey, Body: body }));
          overAcked = overInFlight;
          overInFlight = undefined;
          overwrites++;
        } catch (e) {
          if (!killed) throw e;
        }
      }
    };
    // lib-storage multipart Uploads (5 MiB + a tail: two parts each), one started with the rest
    // and one just before the kill (likely cut off mid-way: its parts may stay as an upload in
    // progress); whichever complete before the kill are acknowledged.
    const uploadWorker = async (u: number) => {
      const key = `multi/${u}`;
      const body = bodyOf(200_000 + u, 5 * MiB + 150_000 * (u + 1));
      send(key, body);
      try {
        await new Upload({ client: s3, params: { Bucket: BUCKET, Key: key, Body: body }, partSize: 5 * MiB, queueSize: 2 }).done();
        acked.set(key, md5(body));
      } catch (e) {
        if (!killed) throw e;
      }
    };
    let late: Promise<void> | undefined;
    const lateUpload = () => void (late ??= uploadWorker(1));
    await Promise.all([...Array.from({ length: WORKERS }, putWorker), overWorker(), uploadWorker(0)]);
    await late;
    await exited;
    s3.destroy();
    assert.ok(acked.size >= KILL_AFTER, `acknowledged ${acked.size}`);

    const second = await startChild(dataDir);
    s3 = s3Client(second.endpoint);

    // Everything listed, with sizes.
    const listed = new Map<string, number>();
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        assert.ok(!listed.has(o.Key!), `${o.Key} listed twice`);
        listed.set(o.Key!, o.Size!);
      }
      token = page.NextContinuationToken;
    } while (token);

    // Every acknowledged PUT is listed; every listed object reads back as a body sent to it.
    assert.deepEqual([...acked.keys()].filter((k) => !listed.has(k)), [], 'every acknowledged PUT is listed');
    const wrong: string[] = [];
    for (const [key, size] of listed) {
      const got = await readAll(s3, key);
      const sum = md5(got);
      if (got.length !== size) wrong.push(`${key}: ${got.length} bytes, listed ${size}`);
      else if (acked.has(key) && key !== overKey && acked.get(key) !== sum) wrong.push(`${key}: not its acknowledged bytes`);
      else if (!sent.get(key)?.has(sum)) wrong.push(`${key}: bytes never sent`);
    }
    assert.deepEqual(wrong, [], 'every listed object reads back byte-exact');
    if (overAcked) {
      const sum = md5(await readAll(s3, overKey));
      assert.ok(sum === overAcked || sum === overInFlight, 'the overwritten key holds its last acknowledged body or the one in flight');
    }

    // Uploads in progress: the open one with its parts; others were cut off by the kill.
    const uploads = (await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? [];
    assert.ok(uploads.some((u) => u.UploadId === openId), 'the open upload survives');
    let partFiles = 0;
    for (const u of uploads) {
      const parts: Part[] = (await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: u.Key, UploadId: u.UploadId }))).Parts ?? [];
      partFiles += parts.length;
      if (u.UploadId === openId) {
        assert.deepEqual(
          parts.map((p) => [p.PartNumber, p.ETag, p.Size]),
          openParts.map((b, n) => [n + 1, `"${md5(b)}"`, b.length]),
          'the open upload lists its acknowledged parts',
        );
      }
    }

    // No orphans: one file per object kept as a blob (bodies up to INLINE_MAX_BYTES live in
    // their row) and per part in progress, and no temp files.
    const files = blobFiles(dataDir);
    const blobObjects = [...listed.values()].filter((size) => size > INLINE_MAX_BYTES).length;
    assert.equal(files.temps, 0, 'no temp files after the startup sweep');
    assert.equal(files.bodies, blobObjects + partFiles, `body files ${files.bodies} = ${blobObjects} objects in blobs + ${partFiles} parts of uploads in progress`);
    t.diagnostic(
      `acknowledged ${putsAcked} of ${next} PUTs (${(bytesAcked / MiB).toFixed(1)} MiB; ${lost} cut off by the kill) and ${acked.size - putsAcked} of ${late ? 2 : 1} Uploads; ` +
        `${overwrites} acknowledged overwrites; ${listed.size} objects listed, ${uploads.length} uploads in progress with ${partFiles} parts; ${files.bodies} body files`,
    );

    s3.destroy();
    second.child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => second.child.once('exit', r));
    assert.equal(code, 0);
  } finally {
    for (const child of running) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
