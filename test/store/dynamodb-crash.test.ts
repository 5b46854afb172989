/**
 * DynamoDB durability under a crash: a Nimbus child process acknowledges concurrent PutItem,
 * UpdateItem (ADD to a counter) and TransactWriteItems calls, is killed with SIGKILL while
 * many are in flight, restarts on the same data dir (a few times over), and then:
 *  - every acknowledged put and transaction is there, and every transaction is all or nothing;
 *  - each counter counts every acknowledged increment and no more than were sent;
 *  - the GSI holds exactly the table's items, and the stream exactly one record per change
 *    (an item and its index rows and stream record commit together or not at all);
 *  - writing goes on after the restart, with stream sequence numbers still growing.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startChildNimbus } from '../helpers/child-nimbus.js';

const TABLE = 'Crash';
const GROUPS = 8;

/** Children still running; a failed test kills them so that it ends. */
const running = new Set<ChildProcess>();

const startChild = (dataDir: string) => startChildNimbus(dataDir, running);

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
// One attempt only: a retried ADD could count twice for one send.
const clients = (endpoint: string) => ({
  ddb: new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 }),
  streams: new DynamoDBStreamsClient({ endpoint, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 }),
});

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number): AttributeValue => ({ N: String(n) });

async function scanAll(ddb: DynamoDBClient): Promise<Map<string, Record<string, AttributeValue>>> {
  const items = new Map<string, Record<string, AttributeValue>>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await ddb.send(new ScanCommand({ TableName: TABLE, ConsistentRead: true, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      assert.ok(!items.has(item.pk!.S!), `scan returned ${item.pk!.S} twice`);
      items.set(item.pk!.S!, item);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every record of the table's stream, in order. */
async function streamRecords(ddb: DynamoDBClient, streams: DynamoDBStreamsClient): Promise<_Record[]> {
  const arn = (await ddb.send(new DescribeTableCommand({ TableName: TABLE }))).Table!.LatestStreamArn!;
  const shard = (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription!.Shards![0]!.ShardId!;
  let it = (await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
  const out: _Record[] = [];
  while (it) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: it }));
    if (!page.Records?.length) break;
    out.push(...page.Records);
    it = page.NextShardIterator;
  }
  return out;
}

test('every acknowledged DynamoDB write survives SIGKILL, with its index rows and stream record', { timeout: 120_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-ddb-crash-'));
  // On a timeout the test's promise is abandoned; its children must still go, or the file never ends.
  t.signal.addEventListener('abort', () => {
    for (const child of running) child.kill('SIGKILL');
  });
  try {
    const first = await startChild(dataDir);
    let { ddb, streams } = clients(first.endpoint);
    await ddb.send(
      new CreateTableCommand({
        TableName: TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'grp', AttributeType: 'S' },
          { AttributeName: 'n', AttributeType: 'N' },
        ],
        GlobalSecondaryIndexes: [
          { IndexName: 'byGroup', KeySchema: [{ AttributeName: 'grp', KeyType: 'HASH' }, { AttributeName: 'n', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } },
        ],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );

    // Several rounds on the same data dir, each killed a different moment after its quota of
    // acknowledgements (not from inside one: the rest of its commit batch is acknowledged
    // too), so that the kills land while requests are being received, committed or synced.
    const KILL_AFTER = 400;
    const KILL_DELAYS_MS = [1, 4, 9];
    const ackedPuts = new Set<number>();
    const ackedTxns = new Set<number>();
    const sentTxns = new Set<number>();
    let sentAdds = 0;
    let ackedAdds = 0;
    let acked = 0;
    let next = 0;
    let lost = 0;
    let child = first.child;
    for (const [round, delay] of KILL_DELAYS_MS.entries()) {
      if (round > 0) {
        const restarted = await startChild(dataDir);
        child = restarted.child;
        ({ ddb, streams } = clients(restarted.endpoint));
      }
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      const target = acked + KILL_AFTER;
      let killed = false;
      let armed = false;
      const ack = () => {
        if (++acked >= target && !armed) {
          armed = true;
          setTimeout(() => {
            killed = true;
            child.kill('SIGKILL');
          }, delay);
        }
      };
      const worker = async () => {
        while (!killed) {
          const i = next++;
          try {
            switch (i % 4) {
              case 0:
              case 1:
                await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: S(`p${i}`), grp: S(`g${i % GROUPS}`), n: N(i), body: S('x'.repeat(i % 300)) } }));
                ackedPuts.add(i);
                break;
              case 2:
                sentAdds++;
                await ddb.send(new UpdateItemCommand({ TableName: TABLE, Key: { pk: S('counter') }, UpdateExpression: 'ADD c :one', ExpressionAttributeValues: { ':one': N(1) } }));
                ackedAdds++;
                break;
              default:
                sentTxns.add(i);
                await ddb.send(
                  new TransactWriteItemsCommand({
                    TransactItems: [
                      { Put: { TableName: TABLE, Item: { pk: S(`t${i}a`), grp: S(`g${i % GROUPS}`), n: N(i) } } },
                      { Put: { TableName: TABLE, Item: { pk: S(`t${i}b`), grp: S(`g${(i + 1) % GROUPS}`), n: N(i) } } },
                      { Update: { TableName: TABLE, Key: { pk: S('txns') }, UpdateExpression: 'ADD c :one', ExpressionAttributeValues: { ':one': N(1) } } },
                    ],
                  }),
                );
                ackedTxns.add(i);
            }
            ack();
          } catch (e) {
            // In flight when the process died: may or may not have been stored.
            if (!killed) throw e;
            lost++;
          }
        }
      };
      await Promise.all(Array.from({ length: 32 }, worker));
      await exited;
      ddb.destroy();
      streams.destroy();
      assert.ok(acked >= target, `acknowledged ${acked}`);
    }

    const second = await startChild(dataDir);
    ({ ddb, streams } = clients(second.endpoint));
    const items = await scanAll(ddb);

    // Puts: every acknowledged one, as written.
    const missing = [...ackedPuts].filter((i) => items.get(`p${i}`)?.n?.N !== String(i) || items.get(`p${i}`)?.body?.S?.length !== i % 300);
    assert.deepEqual(missing, [], 'no acknowledged put is lost');

    // Counters: each acknowledged ADD counted; none counted that was never sent.
    const counter = Number(items.get('counter')?.c?.N ?? 0);
    assert.ok(counter >= ackedAdds && counter <= sentAdds, `counter ${counter}, acknowledged ${ackedAdds}, sent ${sentAdds}`);

    // Transactions: acknowledged ones complete; every one all or nothing; the counter agrees.
    const applied = [...sentTxns].filter((i) => items.has(`t${i}a`));
    for (const i of sentTxns) assert.equal(items.has(`t${i}a`), items.has(`t${i}b`), `transaction ${i} is all or nothing`);
    assert.deepEqual([...ackedTxns].filter((i) => !items.has(`t${i}a`)), [], 'no acknowledged transaction is lost');
    assert.equal(Number(items.get('txns')?.c?.N ?? 0), applied.length, 'the transaction counter counts exactly the applied transactions');

    // The GSI holds exactly the table's items (in the right group, with the right sort key).
    const expected = [...items.values()].filter((it) => it.grp).map((it) => `${it.grp!.S}/${it.n!.N}/${it.pk!.S}`).sort();
    const indexed: string[] = [];
    for (let g = 0; g < GROUPS; g++) {
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await ddb.send(
          new QueryCommand({ TableName: TABLE, IndexName: 'byGroup', KeyConditionExpression: 'grp = :g', ExpressionAttributeValues: { ':g': S(`g${g}`) }, ExclusiveStartKey: start }),
        );
        indexed.push(...page.Items!.map((it) => `${it.grp!.S}/${it.n!.N}/${it.pk!.S}`));
        start = page.LastEvaluatedKey;
      } while (start);
    }
    assert.equal(indexed.length, expected.length, 'index row count');
    assert.deepEqual(indexed.sort(), expected, 'the index matches the table');
    const indexedSet = new Set(indexed);
    assert.deepEqual([...ackedPuts].filter((i) => !indexedSet.has(`g${i % GROUPS}/${i}/p${i}`)), [], 'every acknowledged put is in the index');

    // The stream: one INSERT per item present and none for an item that is not; one record
    // per counted increment; sequence numbers strictly increasing.
    const records = await streamRecords(ddb, streams);
    const seqs = records.map((r) => BigInt(r.dynamodb!.SequenceNumber!));
    for (let k = 1; k < seqs.length; k++) assert.ok(seqs[k]! > seqs[k - 1]!, 'sequence numbers increase');
    const perKey = new Map<string, string[]>();
    for (const r of records) {
      const pk = r.dynamodb!.Keys!.pk!.S!;
      perKey.set(pk, [...(perKey.get(pk) ?? []), r.eventName!]);
    }
    for (const i of ackedPuts) assert.deepEqual(perKey.get(`p${i}`), ['INSERT'], `stream record of acknowledged put p${i}`);
    for (const pk of items.keys()) if (pk !== 'counter' && pk !== 'txns') assert.deepEqual(perKey.get(pk), ['INSERT'], `stream record of ${pk}`);
    for (const pk of perKey.keys()) assert.ok(items.has(pk), `stream record of ${pk}, which is not in the table`);
    assert.equal(perKey.get('counter')?.length ?? 0, counter, 'one stream record per counted increment');
    assert.equal(perKey.get('txns')?.length ?? 0, applied.length, 'one stream record per applied transaction');
    t.diagnostic(`acknowledged ${acked} of ${next} sent (${lost} cut off by the kills); counter ${counter} (acknowledged ${ackedAdds}, sent ${sentAdds}); transactions applied ${applied.length} (acknowledged ${ackedTxns.size}, sent ${sentTxns.size}); ${records.length} stream records`);

    // Writing goes on where it left off.
    await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: S('after'), grp: S('g0'), n: N(-1) } }));
    const after = await streamRecords(ddb, streams);
    assert.equal(after.length, records.length + 1);
    assert.ok(BigInt(after.at(-1)!.dynamodb!.SequenceNumber!) > (seqs.at(-1) ?? 0n), 'sequence numbers keep growing after the restart');
    const g0 = await ddb.send(new QueryCommand({ TableName: TABLE, IndexName: 'byGroup', KeyConditionExpression: 'grp = :g AND n < :z', ExpressionAttributeValues: { ':g': S('g0'), ':z': N(0) } }));
    assert.deepEqual(g0.Items?.map((it) => it.pk!.S), ['after']);

    ddb.destroy();
    streams.destroy();
    second.child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => second.child.once('exit', r));
    assert.equal(code, 0);
  } finally {
    for (const child of running) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
