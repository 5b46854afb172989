/**
 * The blob store: streamed durable writes, ranges, refusals that leave nothing behind, flat
 * memory for large bodies, orphan sweeping, and blobs surviving a SIGKILLed writer.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import {
  BLOB_ID_PATTERN,
  BlobNotFoundError,
  BlobRangeError,
  BlobSizeMismatchError,
  BlobStore,
  BlobStoreClosedError,
  BlobTooLargeError,
  InvalidBlobIdError,
} from '../../src/store/blobs.js';

const MiB = 1024 * 1024;
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'nimbus-blobs-test-'));
  dirs.push(d);
  return d;
}
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function diskStore(): BlobStore {
  return new BlobStore({ dir: join(tempDir(), 'blobs') });
}

/** Small bodies only: the test's own concatenation, never the store's. */
async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function md5Of(stream: NodeJS.ReadableStream): Promise<{ md5: string; size: number }> {
  const h = createHash('md5');
  let size = 0;
  for await (const c of stream) {
    h.update(c as Buffer);
    size += (c as Buffer).length;
  }
  return { md5: h.digest('hex'), size };
}

const digest = (alg: string, b: Buffer) => createHash(alg).update(b).digest();

/** Every file under the store's directory, relative to it. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1))
    .sort();
}

function chunksOf(b: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let o = 0, i = 0; o < b.length; i++) {
    const n = sizes[i % sizes.length]!;
    out.push(b.subarray(o, o + n));
    o += n;
  }
  return out;
}

describe('BlobStore', () => {
  test('round trip with MD5 and extra digests, sharded and atomic', async () => {
    const s = diskStore();
    const body = randomBytes(3 * MiB + 17);
    const info = await s.write(Readable.from(chunksOf(body, [1, 65536, 1000, 3 * MiB])), {
      hashers: { sha256: () => createHash('sha256'), sha1: () => createHash('sha1') },
    });
    assert.match(info.id, BLOB_ID_PATTERN);
    assert.equal(info.size, body.length);
    assert.deepEqual(info.md5, digest('md5', body));
    assert.deepEqual(info.digests, { sha256: digest('sha256', body), sha1: digest('sha1', body) });
    assert.deepEqual(await readAll(s.read(info.id)), body);
    assert.equal(await s.size(info.id), body.length);
    assert.deepEqual(files(s.dir), [join(info.id.slice(0, 2), info.id)]);

    const empty = await s.write((async function* () {})());
    assert.equal(empty.size, 0);
    assert.deepEqual(empty.md5, digest('md5', Buffer.alloc(0)));
    assert.deepEqual(await readAll(s.read(empty.id)), Buffer.alloc(0));
    assert.deepEqual(await readAll((await s.open(empty.id)).stream), Buffer.alloc(0));
    assert.notEqual(empty.id, info.id);
    await s.close();
  });

  test('ranges: first byte, last byte, middle, whole; open() clamps and refuses past the end', async () => {
    const s = diskStore();
    const body = randomBytes(1000);
    const { id } = await s.write([body]);
    const cases: [number, number][] = [
      [0, 0],
      [999, 999],
      [100, 199],
      [0, 999],
    ];
    for (const [start, end] of cases) {
      assert.deepEqual(await readAll(s.read(id, { start, end })), body.subarray(start, end + 1), `read ${start}-${end}`);
      const o = await s.open(id, { start, end });
      assert.equal(o.size, 1000);
      assert.deepEqual(await readAll(o.stream), body.subarray(start, end + 1), `open ${start}-${end}`);
    }
    const clamped = await s.open(id, { start: 990, end: 5000 });
    assert.deepEqual([clamped.start, clamped.end], [990, 999]);
    assert.deepEqual(await readAll(clamped.stream), body.subarray(990));
    await assert.rejects(s.open(id, { start: 1000, end: 1000 }), BlobRangeError);
    assert.throws(() => s.read(id, { start: 5, end: 4 }), RangeError);
    assert.throws(() => s.read(id, { start: -1, end: 4 }), RangeError);
    await s.close();
  });

  test('a 200 MB body streams in and out with flat memory', { timeout: 60_000 }, async (t) => {
    const s = diskStore();
    const block = randomBytes(MiB);
    const N = 200;
    const expected = createHash('md5');
    for (let i = 0; i < N; i++) expected.update(block);
    const expectedMd5 = expected.digest('hex');
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      let t0 = performance.now();
      const info = await s.write(
        (async function* () {
          for (let i = 0; i < N; i++) yield block;
        })(),
      );
      const writeMs = performance.now() - t0;
      assert.equal(info.size, N * MiB);
      assert.equal(info.md5.toString('hex'), expectedMd5);
      t0 = performance.now();
      const got = await md5Of(s.read(info.id));
      const readMs = performance.now() - t0;
      assert.deepEqual(got, { md5: expectedMd5, size: N * MiB });
      peak = Math.max(peak, process.memoryUsage().rss);
      const growth = (peak - rss0) / MiB;
      t.diagnostic(`200 MiB: write+fsync ${writeMs.toFixed(0)} ms (${((N * 1000) / writeMs).toFixed(0)} MiB/s), read+md5 ${readMs.toFixed(0)} ms (${((N * 1000) / readMs).toFixed(0)} MiB/s), peak RSS growth ${growth.toFixed(1)} MiB`);
      assert.ok(growth < 60, `RSS grew ${growth.toFixed(1)} MiB`);
    } finally {
      clearInterval(sampler);
      await s.close();
    }
  });

  test('maxBytes and expectedSize refusals leave no file behind', async () => {
    const s = diskStore();
    const body = () => Readable.from(chunksOf(randomBytes(5000), [1000]));
    await assert.rejects(s.write(body(), { maxBytes: 3000 }), (e: unknown) => e instanceof BlobTooLargeError && e.code === 'EntityTooLarge');
    await assert.rejects(s.write(body(), { expectedSize: 4999 }), (e: unknown) => e instanceof BlobSizeMismatchError && e.code === 'IncompleteBody');
    await assert.rejects(s.write(body(), { expectedSize: 5001 }), (e: unknown) => e instanceof BlobSizeMismatchError && e.received === 5000);
    assert.deepEqual(files(s.dir), []);
    // At the limit exactly is fine.
    const ok = await s.write(body(), { maxBytes: 5000, expectedSize: 5000 });
    assert.equal(ok.size, 5000);
    await s.close();
  });

  test('a failing or aborted source leaves no file behind', async () => {
    const s = diskStore();
    const boom = new Error('client went away');
    await assert.rejects(
      s.write(
        (async function* () {
          yield randomBytes(MiB);
          yield randomBytes(MiB);
          throw boom;
        })(),
      ),
      boom,
    );
    const r = new Readable({ read() {} });
    r.push(randomBytes(1000));
    setTimeout(() => r.destroy(new Error('socket reset')), 10);
    await assert.rejects(s.write(r), /socket reset/);
    // A stream that fails at once, before the file is even open, is refused the same way
    // (its error used to have no listener yet, and ended the process).
    const early = new Readable({ read() {} });
    const failing = s.write(early);
    early.destroy(new Error('gone before the file opened'));
    await assert.rejects(failing, /gone before the file opened/);
    const ac = new AbortController();
    const stalled = new Readable({ read() {} });
    stalled.push(randomBytes(1000));
    const w = s.write(stalled, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('request aborted')), 10);
    await assert.rejects(w, /request aborted/);
    assert.deepEqual(files(s.dir), []);
    await s.close();
  });

  test('concat joins blobs into a new durable blob', async () => {
    const s = diskStore();
    const parts = [randomBytes(2 * MiB + 5), randomBytes(0), randomBytes(777)];
    const ids: string[] = [];
    for (const p of parts) ids.push((await s.write([p])).id);
    const whole = Buffer.concat(parts);
    const info = await s.concat(ids, { hashers: { sha256: () => createHash('sha256') } });
    assert.equal(info.size, whole.length);
    assert.deepEqual(info.md5, digest('md5', whole));
    assert.deepEqual(info.digests.sha256, digest('sha256', whole));
    assert.deepEqual(await readAll(s.read(info.id)), whole);
    for (const id of ids) assert.ok(await s.size(id) >= 0, 'sources stay');

    const before = files(s.dir);
    await s.remove(ids[2]!);
    await assert.rejects(s.concat([ids[0]!, ids[2]!]), BlobNotFoundError);
    assert.deepEqual(files(s.dir), before.filter((f) => !f.endsWith(ids[2]!)), 'no partial blob left');
    assert.throws(() => s.concat([ids[0]!, '../x']), InvalidBlobIdError);
    await s.close();
  });

  test('remove is idempotent; a removed blob is not found', async () => {
    const s = diskStore();
    const { id } = await s.write([Buffer.from('x')]);
    await s.remove(id);
    await s.remove(id);
    await assert.rejects(s.size(id), BlobNotFoundError);
    await assert.rejects(s.open(id), (e: unknown) => e instanceof BlobNotFoundError && e.code === 'NoSuchBlob');
    await assert.rejects(readAll(s.read(id)), { code: 'ENOENT' });
    assert.deepEqual(files(s.dir), []);
    await s.close();
  });

  test('ids that the store did not generate never reach a path', async () => {
    const s = diskStore();
    const { id } = await s.write([Buffer.from('x')]);
    const bad: unknown[] = ['', '../../etc/passwd', id.toUpperCase(), id.slice(1), id + '0', id + '\n', `${id.slice(0, 30)}/.`, '..', 'tmp', `tmp/${id}`, null, 42];
    for (const b of bad) {
      assert.throws(() => s.read(b as string), InvalidBlobIdError, String(b));
      await assert.rejects(s.size(b as string), InvalidBlobIdError);
      await assert.rejects(s.remove(b as string), InvalidBlobIdError);
      await assert.rejects(s.open(b as string), InvalidBlobIdError);
    }
    assert.equal(await s.size(id), 1);
    await s.close();
  });

  test('sweep removes temp files and old unreferenced blobs, keeps referenced, young and in-flight ones', async () => {
    const s = diskStore();
    const referenced = (await s.write([Buffer.from('keep')])).id;
    const young = (await s.write([Buffer.from('young')])).id;
    const old = (await s.write([Buffer.from('old')])).id;
    const oldReferenced = (await s.write([Buffer.from('old but referenced')])).id;
    const hourAgo = new Date(Date.now() - 3600_000);
    for (const id of [old, oldReferenced]) utimesSync(join(s.dir, id.slice(0, 2), id), hourAgo, hourAgo);
    writeFileSync(join(s.dir, 'tmp', 'deadbeef'), 'left by a crash');
    writeFileSync(join(s.dir, referenced.slice(0, 2), 'not-a-blob'), 'foreign');
    // A write in flight: its temp file must survive the sweep.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const inFlight = s.write(
      (async function* () {
        yield Buffer.from('first half,');
        await gate;
        yield Buffer.from(' second half');
      })(),
    );
    while (readdirSync(join(s.dir, 'tmp')).length < 2) await new Promise((r) => setTimeout(r, 2));

    const refs = new Set([referenced, oldReferenced]);
    const result = await s.sweep((id) => refs.has(id), 60_000);
    assert.deepEqual(result, { removed: 2, orphans: 1, temps: 1 });
    await assert.rejects(s.size(old), BlobNotFoundError);
    for (const id of [referenced, young, oldReferenced]) assert.ok((await s.size(id)) > 0);
    assert.ok(existsSync(join(s.dir, referenced.slice(0, 2), 'not-a-blob')));
    release();
    const done = await inFlight;
    assert.equal((await readAll(s.read(done.id))).toString(), 'first half, second half');
    // An async predicate works too (a networked metadata store); grace 0 takes the young ones.
    assert.equal((await s.sweep(async (id) => refs.has(id), 0)).orphans, 2);
    await s.close();
  });

  test('memory mode uses a private temp dir removed on close; close aborts writes in flight', async () => {
    const s = new BlobStore({ memory: true });
    assert.ok(s.dir.startsWith(tmpdir()));
    const { id } = await s.write([Buffer.from('hello')]);
    assert.equal((await readAll(s.read(id))).toString(), 'hello');
    const stalled = new Readable({ read() {} });
    stalled.push(Buffer.from('never finished'));
    const pending = assert.rejects(s.write(stalled), BlobStoreClosedError);
    await new Promise((r) => setTimeout(r, 10));
    await s.close();
    await pending;
    assert.equal(existsSync(s.dir), false);
    await assert.rejects(s.write([Buffer.from('late')]), BlobStoreClosedError);
    await s.close();
  });

  test('blobs whose write resolved survive SIGKILL; sweep removes the rest', { timeout: 30_000 }, async (t) => {
    const dir = join(tempDir(), 'blobs');
    const mod = new URL('../../src/store/blobs.js', import.meta.url).href;
    // Four concurrent writers of up to 3 MiB each, in slow-ish chunks, so writes are in
    // flight at any moment; an id is printed only once its write resolved.
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { randomBytes } from 'node:crypto';
         const { BlobStore } = await import(process.env.BLOBS_MODULE);
         const s = new BlobStore({ dir: process.env.BLOBS_DIR });
         async function* body(b) {
           for (let o = 0; o < b.length; o += 65536) { yield b.subarray(o, o + 65536); await new Promise((r) => setImmediate(r)); }
         }
         for (let w = 0; w < 4; w++) (async () => {
           for (;;) {
             const info = await s.write(body(randomBytes(Math.floor(Math.random() * 3 * 1024 * 1024))));
             process.stdout.write(info.id + ' ' + info.md5.toString('hex') + ' ' + info.size + '\\n');
           }
         })();`,
      ],
      { env: { ...process.env, BLOBS_MODULE: mod, BLOBS_DIR: dir }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const acked = new Map<string, { md5: string; size: number }>();
    let out = '';
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const lines = out.split('\n');
        out = lines.pop()!;
        for (const line of lines) {
          const [id, md5, size] = line.split(' ');
          acked.set(id!, { md5: md5!, size: Number(size) });
        }
        if (acked.size >= 40) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await exited;

    const s = new BlobStore({ dir });
    const before = files(dir);
    for (const [id, want] of acked) assert.deepEqual(await md5Of((await s.open(id)).stream), want, `blob ${id}`);
    const result = await s.sweep((id) => acked.has(id), 0);
    t.diagnostic(`${acked.size} acknowledged; ${before.length} files after the kill; sweep removed ${result.orphans} unacknowledged blobs and ${result.temps} temp files`);
    assert.deepEqual(files(dir), [...acked.keys()].map((id) => join(id.slice(0, 2), id)).sort());
    assert.equal(before.length - result.removed, acked.size);
    await s.close();
  });
});
