/**
 * The DynamoDB repo contract: what every backend's DynamoRepo must do, driven only through
 * the interface and the Store (`store.write(async (tx) => repo.x(tx, ...))`). It runs here on
 * SQLite in memory and on disk; a future backend runs the same suite.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { TableMeta } from '../../../src/services/dynamodb/engine/table-meta.js';
import type { DynamoRepo, IndexRowWrite, ItemCursor, ItemWrite, StreamRow } from '../../../src/services/dynamodb/repo.js';
import { sqliteDynamoRepo } from '../../../src/services/dynamodb/repo.sqlite.js';
import type { Store, Tx } from '../../../src/store/store.js';
import { onEveryBackend, type Opened as BackendOpened } from './backends.js';

type Opened = BackendOpened<DynamoRepo>;

const b = (s: string) => Buffer.from(s);

function meta(id: number, name: string, indexIds: number[] = []): TableMeta {
  return {
    id,
    account: '000000000000',
    region: 'us-east-1',
    name,
    arn: `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`,
    tableId: `uuid-${id}`,
    createdAt: 1_700_000_000_000,
    key: { hash: { name: 'pk', type: 'S' }, range: { name: 'sk', type: 'S' } },
    attributes: [],
    billingMode: 'PAY_PER_REQUEST',
    indexes: indexIds.map((ix) => ({ id: ix, name: `ix${ix}`, kind: 'GSI', key: { hash: { name: 'g', type: 'S' } }, projection: { type: 'ALL' }, createdAt: 0, status: 'ACTIVE' })),
    tableClass: 'STANDARD',
    deletionProtection: false,
    tags: {},
  };
}

function item(tableId: number, pk: string, sk: string, hash: number, attrs: Record<string, unknown> = {}, expiresAt: number | null = null): ItemWrite {
  const text = JSON.stringify({ pk: { S: pk }, sk: { S: sk }, ...attrs });
  return { tableId, pk: b(pk), sk: b(sk), hash, item: text, size: text.length, expiresAt };
}

function indexRow(indexId: number, g: string, sk: string, tpk: string, tsk: string, hash: number, th = 0): IndexRowWrite {
  const text = JSON.stringify({ g: { S: g }, pk: { S: tpk }, sk: { S: tsk } });
  return { indexId, pk: b(g), sk: b(sk), tpk: b(tpk), tsk: b(tsk), th, hash, item: text, size: text.length };
}

function stream(id: number, tableId: number, createdAt: number): StreamRow {
  return {
    id,
    tableId,
    account: '000000000000',
    region: 'us-east-1',
    tableName: `T${tableId}`,
    arn: `arn:aws:dynamodb:us-east-1:000000000000:table/T${tableId}/stream/${id}`,
    label: String(id),
    viewType: 'NEW_IMAGE',
    createdAt,
    disabledAt: null,
    keySchema: '{}',
  };
}

const sks = (rows: { sk: Buffer }[]) => rows.map((r) => r.sk.toString());

function repoContract(name: string, open: () => Promise<Opened>): void {
  describe(`DynamoRepo contract: ${name}`, () => {
    const run = (what: string, fn: (o: Opened) => Promise<void>) =>
      test(what, async () => {
        const o = await open();
        try {
          await fn(o);
        } finally {
          await o.close();
        }
      });

    run('ids count up per counter; tables are saved, updated, loaded and dropped', async ({ store, repo }) => {
      const ids = await store.write(async (tx) => [await repo.nextId(tx, 'table'), await repo.nextId(tx, 'table'), await repo.nextId(tx, 'index'), await repo.nextId(tx, 'stream')]);
      assert.deepEqual(ids, [1, 2, 1, 1]);
      const t1 = meta(1, 'One', [7]);
      await store.write(async (tx) => {
        await repo.saveTable(tx, t1);
        await repo.saveTable(tx, meta(2, 'Two'));
        // Read inside the write: the write's own changes are visible.
        assert.deepEqual((await repo.loadTables(tx)).map((m) => m.name), ['One', 'Two']);
      });
      await store.write((tx) => repo.saveTable(tx, { ...t1, tags: { a: 'b' } }));
      const loaded = await repo.loadTables();
      assert.deepEqual(loaded.map((m) => m.id), [1, 2]);
      assert.deepEqual(loaded[0], { ...t1, tags: { a: 'b' } });
      await store.write((tx) => repo.dropTable(tx, t1));
      assert.deepEqual((await repo.loadTables()).map((m) => m.name), ['Two']);
    });

    run('items: put, get (inside and after the write), overwrite, delete, stats', async ({ store, repo }) => {
      const seen = await store.write(async (tx) => {
        await repo.putItem(tx, item(1, 'a', 'x', 5, { v: { N: '1' } }));
        return repo.getItem(1, b('a'), b('x'), tx);
      });
      assert.deepEqual(JSON.parse(seen!), { pk: { S: 'a' }, sk: { S: 'x' }, v: { N: '1' } });
      await store.write((tx) => repo.putItem(tx, item(1, 'a', 'x', 5, { v: { N: '2' } })));
      assert.equal(JSON.parse((await repo.getItem(1, b('a'), b('x')))!).v.N, '2');
      assert.equal(await repo.getItem(2, b('a'), b('x')), undefined, 'items belong to their table');
      await store.write((tx) => repo.putItem(tx, item(1, 'b', 'y', 6)));
      const w = item(1, 'a', 'x', 5, { v: { N: '2' } });
      assert.deepEqual(await repo.stats(1, false), { count: 2, size: w.size + item(1, 'b', 'y', 6).size });
      await store.write((tx) => repo.deleteItem(tx, 1, b('a'), b('x')));
      assert.equal(await repo.getItem(1, b('a'), b('x')), undefined);
      assert.equal((await repo.stats(1, false)).count, 1);
    });

    run('a write that throws leaves nothing behind; its neighbours commit', async ({ store, repo }) => {
      const failed = store.write(async (tx) => {
        await repo.putItem(tx, item(1, 'gone', 'x', 1));
        throw new Error('boom');
      });
      const kept = store.write((tx) => repo.putItem(tx, item(1, 'kept', 'x', 1)));
      await assert.rejects(failed, /boom/);
      await kept;
      assert.equal(await repo.getItem(1, b('gone'), b('x')), undefined);
      assert.notEqual(await repo.getItem(1, b('kept'), b('x')), undefined);
    });

    run('readRange: sort key bounds, direction, exclusive start and limit', async ({ store, repo }) => {
      await store.write(async (tx) => {
        for (const sk of ['a', 'b', 'c', 'd', 'e']) await repo.putItem(tx, item(1, 'p', sk, 9));
        await repo.putItem(tx, item(1, 'q', 'a', 3));
      });
      const base = { source: 1, index: false, pk: b('p'), forward: true, limit: 10 };
      assert.deepEqual(sks(await repo.readRange(base)), ['a', 'b', 'c', 'd', 'e']);
      assert.deepEqual(sks(await repo.readRange({ ...base, lower: { value: b('b'), inclusive: true }, upper: { value: b('d'), inclusive: false } })), ['b', 'c']);
      assert.deepEqual(sks(await repo.readRange({ ...base, lower: { value: b('b'), inclusive: false }, upper: { value: b('d'), inclusive: true } })), ['c', 'd']);
      assert.deepEqual(sks(await repo.readRange({ ...base, forward: false, limit: 2 })), ['e', 'd']);
      assert.deepEqual(sks(await repo.readRange({ ...base, forward: false, after: [b('c')] })), ['b', 'a']);
      assert.deepEqual(sks(await repo.readRange({ ...base, after: [b('c')], limit: 1 })), ['d']);
      const [row] = await repo.readRange({ ...base, pk: b('q') });
      assert.equal(row!.pk.toString(), 'q');
      assert.equal(row!.hash, 3);
      assert.equal(JSON.parse(row!.item).pk.S, 'q');
    });

    run('index rows: put one or many, replace, delete; range reads and scans over them', async ({ store, repo }) => {
      await store.write(async (tx) => {
        await repo.putIndexRow(tx, indexRow(7, 'g1', 's1', 'a', 'x', 4, 9));
        await repo.putIndexRows(tx, [indexRow(7, 'g1', 's1', 'b', 'x', 4, 3), indexRow(7, 'g1', 's2', 'c', 'x', 4), indexRow(7, 'g2', '', 'd', 'x', 2)]);
        // The same key again replaces the row.
        await repo.putIndexRow(tx, indexRow(7, 'g1', 's1', 'a', 'x', 4, 9));
      });
      // Rows with equal index keys come in the order of their table-key hash (th), then table key.
      const range = await repo.readRange({ source: 7, index: true, pk: b('g1'), forward: true, limit: 10 });
      assert.deepEqual(range.map((r) => `${r.sk}/${r.th}/${r.tpk}/${r.tsk}`), ['s1/3/b/x', 's1/9/a/x', 's2/0/c/x']);
      const after = await repo.readRange({ source: 7, index: true, pk: b('g1'), forward: true, limit: 10, after: [b('s1'), 3, b('b'), b('x')] });
      assert.deepEqual(after.map((r) => r.tpk!.toString()), ['a', 'c']);
      const backwards = await repo.readRange({ source: 7, index: true, pk: b('g1'), forward: false, limit: 10, after: [b('s2'), 0, b('c'), b('x')] });
      assert.deepEqual(backwards.map((r) => r.tpk!.toString()), ['a', 'b']);
      const scanned = await repo.scan({ source: 7, index: true, hashFrom: 0, hashTo: 2 ** 32, limit: 10 });
      assert.deepEqual(scanned.map((r) => r.tpk!.toString()), ['d', 'b', 'a', 'c'], 'hash order, then keys');
      const rest = await repo.scan({ source: 7, index: true, hashFrom: 0, hashTo: 2 ** 32, limit: 10, after: [4, b('g1'), b('s1'), 3, b('b'), b('x')] });
      assert.deepEqual(rest.map((r) => r.tpk!.toString()), ['a', 'c']);
      assert.equal((await repo.stats(7, true)).count, 4);
      await store.write((tx) => repo.deleteIndexRow(tx, 7, b('g1'), b('s1'), b('b'), b('x')));
      assert.equal((await repo.stats(7, true)).count, 3);
    });

    run('scan: hash segments, key order and exclusive start', async ({ store, repo }) => {
      await store.write(async (tx) => {
        await repo.putItem(tx, item(1, 'c', 'x', 30));
        await repo.putItem(tx, item(1, 'a', 'x', 10));
        await repo.putItem(tx, item(1, 'b', 'y', 10));
        await repo.putItem(tx, item(1, 'b', 'x', 10));
        await repo.putItem(tx, item(2, 'z', 'x', 10));
      });
      const all = await repo.scan({ source: 1, index: false, hashFrom: 0, hashTo: 2 ** 32, limit: 10 });
      assert.deepEqual(all.map((r) => `${r.hash}${r.pk}${r.sk}`), ['10ax', '10bx', '10by', '30cx']);
      const seg = await repo.scan({ source: 1, index: false, hashFrom: 20, hashTo: 40, limit: 10 });
      assert.deepEqual(seg.map((r) => r.pk.toString()), ['c']);
      const next = await repo.scan({ source: 1, index: false, hashFrom: 0, hashTo: 2 ** 32, limit: 2, after: [10, b('a'), b('x')] });
      assert.deepEqual(next.map((r) => `${r.pk}${r.sk}`), ['bx', 'by']);
    });

    run('readItems: the items of a table in key order, with their sizes, a chunk after a position at a time', async ({ store, repo }) => {
      await store.write(async (tx) => {
        for (const [pk, sk] of [['b', 'y'], ['a', 'x'], ['b', 'x'], ['c', 'x']]) await repo.putItem(tx, item(1, pk!, sk!, 100 - pk!.charCodeAt(0)));
        await repo.putItem(tx, item(2, 'a', 'a', 1));
      });
      const first = await repo.readItems(1, undefined, 2);
      assert.deepEqual(first.map((r) => `${r.pk}${r.sk}`), ['ax', 'bx']);
      assert.equal(first[0]!.size, item(1, 'a', 'x', 0).size);
      assert.equal(first[0]!.hash, 3);
      assert.equal(JSON.parse(first[0]!.item).pk.S, 'a');
      const rest = await repo.readItems(1, [b('b'), b('x')], 10);
      assert.deepEqual(rest.map((r) => `${r.pk}${r.sk}`), ['by', 'cx']);
      assert.deepEqual(await repo.readItems(1, [b('c'), b('x')], 10), []);
      const inside = await store.write(async (tx) => {
        await repo.putItem(tx, item(1, 'd', 'x', 1));
        return repo.readItems(1, [b('c'), b('x')], 10, tx);
      });
      assert.deepEqual(inside.map((r) => r.pk.toString()), ['d']);
    });

    run('expiry: a chunked recompute from the TTL attribute, expired items oldest first, and clearing', async ({ store, repo }) => {
      await store.write(async (tx) => {
        for (let i = 0; i < 5; i++) await repo.putItem(tx, item(1, `k${i}`, 'x', i, { ttl: { N: String(100 - i) } }));
        await repo.putItem(tx, item(1, 'str', 'x', 9, { ttl: { S: '50' } }));
        await repo.putItem(tx, item(2, 'other', 'x', 1, { ttl: { N: '60' } }));
      });
      assert.deepEqual(await repo.expired(1, 0, 1000, 10), [], 'no expiry before TTL is set up');
      const cursors: (ItemCursor | undefined)[] = [];
      let at: ItemCursor | undefined;
      do {
        at = await store.write((tx) => repo.setExpiry(tx, 1, 'ttl', at, 2));
        cursors.push(at);
      } while (at);
      assert.equal(cursors.length, 4, '6 items in chunks of 2, then the end');
      assert.deepEqual(cursors[0]!.map((c) => c.toString()), ['k1', 'x'], 'key order');
      const expired = await repo.expired(1, 0, 98, 10);
      assert.deepEqual(expired.map((r) => r.pk.toString()), ['k4', 'k3', 'k2'], 'oldest first, bounds inclusive');
      assert.deepEqual((await repo.expired(1, 97, 1000, 1)).map((r) => r.pk.toString()), ['k3']);
      assert.deepEqual(await repo.expired(2, 0, 1000, 10), [], 'another table is untouched');
      // Items put with an expiry keep it; clearing (TTL disabled) removes every expiry.
      await store.write((tx) => repo.putItem(tx, item(1, 'late', 'x', 2, {}, 40)));
      assert.equal((await repo.expired(1, 0, 40, 10)).length, 1);
      assert.equal(await store.write((tx) => repo.setExpiry(tx, 1, undefined, undefined, 100)), undefined);
      assert.deepEqual(await repo.expired(1, 0, 1000, 10), []);
    });

    run('streams: created, listed, disabled; sequence numbers grow; records read in order, bounded and trimmed', async ({ store, repo }) => {
      await store.write(async (tx) => {
        await repo.insertStream(tx, stream(1, 1, 1000));
        await repo.insertStream(tx, stream(2, 2, 1000));
      });
      assert.deepEqual((await repo.streams()).map((s) => s.id), [1, 2]);
      assert.deepEqual(await repo.streams(), [stream(1, 1, 1000), stream(2, 2, 1000)]);
      assert.equal(await repo.maxSequence(), 0);
      const seqs = await store.write(async (tx) => {
        const out: number[] = [];
        for (let i = 0; i < 4; i++) {
          const seq = await repo.nextSequence(tx);
          out.push(seq);
          await repo.appendRecord(tx, i < 3 ? 1 : 2, { seq, createdAt: 1000 + i * 1000, record: `{"n":${i}}` });
        }
        return out;
      });
      assert.ok(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!), 'growing');
      assert.equal(await repo.maxSequence(), seqs[3]);
      const recs = await repo.readRecords(1, 0, 10);
      assert.deepEqual(recs, seqs.slice(0, 3).map((seq, i) => ({ seq, createdAt: 1000 + i * 1000, record: `{"n":${i}}` })));
      assert.deepEqual((await repo.readRecords(1, seqs[0]!, 1)).map((r) => r.seq), [seqs[1]]);
      assert.deepEqual(await repo.streamBounds(1), { first: seqs[0], last: seqs[2] });
      assert.deepEqual(await repo.streamBounds(3), { first: null, last: null });
      await store.write((tx) => repo.disableStream(tx, 2, 1500));
      assert.equal((await repo.streams()).find((s) => s.id === 2)!.disabledAt, 1500);
      // Trimming drops old records and streams disabled before the cut; numbering never goes back.
      await store.write((tx) => repo.trimStreams(tx, 10_000));
      assert.deepEqual(await repo.streamBounds(1), { first: null, last: null });
      assert.deepEqual((await repo.streams()).map((s) => s.id), [1]);
      assert.equal(await repo.maxSequence(), seqs[3]);
      const later = await store.write((tx) => repo.nextSequence(tx));
      assert.ok(later > seqs[3]!);
    });

    run('dropped tables and indexes are purged in bounded steps', async ({ store, repo }) => {
      const t = meta(1, 'Big', [7]);
      await store.write(async (tx) => {
        await repo.saveTable(tx, t);
        for (let i = 0; i < 5; i++) await repo.putItem(tx, item(1, `k${i}`, 'x', i));
        for (let i = 0; i < 3; i++) await repo.putIndexRow(tx, indexRow(7, 'g', String(i), `k${i}`, 'x', 1));
        await repo.putIndexRow(tx, indexRow(8, 'g', '0', 'k0', 'x', 1));
        await repo.dropTable(tx, t);
        await repo.dropIndex(tx, 8);
      });
      assert.equal(await store.write((tx) => repo.purgeStep(tx, 2)) > 0, true);
      let steps = 1;
      while ((await store.write((tx) => repo.purgeStep(tx, 2))) > 0) steps++;
      assert.ok(steps >= 4, `bounded steps (${steps})`);
      assert.deepEqual(await repo.stats(1, false), { count: 0, size: 0 });
      assert.equal((await repo.stats(7, true)).count, 0);
      assert.equal((await repo.stats(8, true)).count, 0);
      assert.equal(await store.write((tx) => repo.purgeStep(tx, 2)), 0);
    });

    run('idempotency: a saved result is found until it expires', async ({ store, repo }) => {
      await store.write((tx) => repo.saveIdempotentResult(tx, 'acct/region/token', 'h1', '{}', 10_000));
      assert.deepEqual(await repo.idempotentResult('acct/region/token', 5_000), { hash: 'h1', result: '{}' });
      assert.equal(await repo.idempotentResult('acct/region/token', 10_000), undefined);
      assert.equal(await repo.idempotentResult('other', 5_000), undefined);
      const inside = await store.write(async (tx) => {
        await repo.saveIdempotentResult(tx, 'k2', 'h2', '{"a":1}', 20_000);
        return repo.idempotentResult('k2', 1, tx);
      });
      assert.deepEqual(inside, { hash: 'h2', result: '{"a":1}' });
    });

    run('backups: snapshots and chunked copies between storage ids, rows by account, purge of a dropped snapshot', async ({ store, repo }) => {
      await store.write(async (tx) => {
        for (const k of ['a', 'b', 'c']) await repo.putItem(tx, item(1, k, 'x', 1, { v: { S: k } }));
      });
      const snap = await store.write((tx) => repo.snapshotItems(tx, 1, 50));
      assert.equal(snap.count, 3);
      await store.write((tx) => repo.putItem(tx, item(1, 'd', 'x', 1)));
      assert.equal((await repo.stats(50, false)).count, 3, 'a snapshot does not follow later writes');
      let after: ItemCursor | undefined;
      let chunks = 0;
      do {
        after = await store.write((tx) => repo.copyItems(tx, 50, 60, after, 2));
        chunks++;
      } while (after);
      assert.equal(chunks, 2);
      assert.deepEqual(sks(await repo.readItems(60, undefined, 10)).length, 3);
      assert.equal(JSON.parse((await repo.getItem(60, b('b'), b('x')))!).v.S, 'b');
      const row = { arn: 'arn:b1', account: '000000000000', region: 'us-east-1', name: 'n', tableName: 'T', tableArn: 'arn:t', tableId: 'u', dataId: 50, meta: '{}', createdAt: 5, sizeBytes: 9, itemCount: 3 };
      await store.write((tx) => repo.saveBackup(tx, row));
      assert.deepEqual(await repo.backups('000000000000', 'us-east-1'), [row]);
      assert.deepEqual(await repo.backups('111111111111', 'us-east-1'), []);
      await store.write(async (tx) => {
        await repo.deleteBackup(tx, 'arn:b1');
        await repo.dropItems(tx, 50);
      });
      assert.deepEqual(await repo.backups('000000000000', 'us-east-1'), []);
      while ((await store.write((tx) => repo.purgeStep(tx, 100))) > 0);
      assert.equal((await repo.stats(50, false)).count, 0);
      assert.equal((await repo.stats(60, false)).count, 3);
    });

    run('the change log: appended in order, read after a sequence up to a time, dropped', async ({ store, repo }) => {
      await store.write(async (tx) => {
        await repo.appendChange(tx, 1, { at: 100, pk: b('a'), sk: b('x'), hash: 1, item: '{"v":1}' });
        await repo.appendChange(tx, 1, { at: 200, pk: b('a'), sk: b('x'), hash: 1, item: null });
        await repo.appendChange(tx, 2, { at: 150, pk: b('z'), sk: b('x'), hash: 1, item: '{}' });
      });
      await store.write((tx) => repo.appendChange(tx, 1, { at: 300, pk: b('b'), sk: b('x'), hash: 2, item: '{"v":3}' }));
      const all = await repo.readChanges(1, 0, 1000, 10);
      assert.deepEqual(all.map((c) => [c.seq, c.at, c.item]), [[1, 100, '{"v":1}'], [2, 200, null], [3, 300, '{"v":3}']]);
      assert.deepEqual((await repo.readChanges(1, 1, 250, 10)).map((c) => c.seq), [2]);
      assert.deepEqual((await repo.readChanges(1, 0, 1000, 2)).map((c) => c.seq), [1, 2]);
      // Folded into the base: the head of the log goes, the rest keeps its sequence numbers.
      await store.write((tx) => repo.dropChangesThrough(tx, 1, 2));
      assert.deepEqual((await repo.readChanges(1, 0, 1000, 10)).map((c) => c.seq), [3]);
      assert.equal((await repo.readChanges(2, 0, 1000, 10)).length, 1, "another table's log is untouched");
      await store.write((tx) => repo.dropChanges(tx, 1));
      assert.deepEqual(await repo.readChanges(1, 0, 1000, 10), []);
      assert.equal((await repo.readChanges(2, 0, 1000, 10)).length, 1);
    });

    run('exports and imports: saved and listed by account and region in the order made', async ({ store, repo }) => {
      const e = (arn: string, account = '000000000000') => ({ arn, account, region: 'us-east-1', tableArn: 'arn:t', createdAt: 7, description: `{"ExportArn":"${arn}"}` });
      await store.write(async (tx) => {
        await repo.saveExport(tx, e('arn:z'));
        await repo.saveExport(tx, e('arn:a'));
        await repo.saveExport(tx, e('arn:other', '111111111111'));
      });
      assert.deepEqual((await repo.exports('000000000000', 'us-east-1')).map((x) => x.arn), ['arn:z', 'arn:a']);
      assert.deepEqual(await repo.exports('000000000000', 'eu-west-1'), []);
      // Saved again (finished), an export keeps its place; only running ones are in progress.
      await store.write(async (tx) => {
        await repo.saveExport(tx, { ...e('arn:z'), description: '{"ExportStatus":"COMPLETED"}' });
        await repo.saveExport(tx, { ...e('arn:other', '111111111111'), description: '{"ExportStatus":"IN_PROGRESS"}' });
      });
      assert.deepEqual((await repo.exports('000000000000', 'us-east-1')).map((x) => [x.arn, x.description]), [['arn:z', '{"ExportStatus":"COMPLETED"}'], ['arn:a', '{"ExportArn":"arn:a"}']]);
      assert.deepEqual((await repo.exportsInProgress()).map((x) => x.arn), ['arn:other']);
      await store.write((tx) => repo.saveImport(tx, e('arn:i1')));
      assert.deepEqual((await repo.imports('000000000000', 'us-east-1')).map((x) => x.arn), ['arn:i1']);
      assert.equal((await repo.exports('000000000000', 'us-east-1')).length, 2, 'imports are kept apart from exports');
      assert.deepEqual(await repo.importsInProgress(), []);
      await store.write((tx) => repo.saveImport(tx, { ...e('arn:i2', '111111111111'), description: '{"ImportStatus":"IN_PROGRESS"}' }));
      assert.deepEqual((await repo.importsInProgress()).map((x) => x.arn), ['arn:i2']);
    });

    run('a write method refuses a Tx kept past its write', async ({ store, repo }) => {
      let kept: Tx | undefined;
      await store.write(async (tx) => {
        kept = tx;
        await repo.putItem(tx, item(1, 'a', 'x', 1));
      });
      const stale = kept!;
      await assert.rejects(repo.putItem(stale, item(1, 'b', 'x', 1)));
      await assert.rejects(repo.deleteItem(stale, 1, b('a'), b('x')));
      await assert.rejects(repo.nextId(stale, 'table'));
      await assert.rejects(repo.saveTable(stale, meta(1, 'T')));
      await assert.rejects(repo.putIndexRows(stale, []));
      await assert.rejects(repo.nextSequence(stale));
      await assert.rejects(repo.setExpiry(stale, 1, 'ttl', undefined, 10));
      await assert.rejects(repo.purgeStep(stale, 10));
      assert.notEqual(await repo.getItem(1, b('a'), b('x')), undefined);
      assert.equal(await repo.getItem(1, b('b'), b('x')), undefined);
    });
  });
}

onEveryBackend({ sqlite: sqliteDynamoRepo }, repoContract);
