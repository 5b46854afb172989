/**
 * The DynamoDB request shapes the benchmark measures, as load-generator operations, and the
 * table they run on: `pk` (S, HASH) + `sk` (S, RANGE), PAY_PER_REQUEST, filled with partitions
 * of exactly ten items each (sk s0..s9), every item about 200 bytes by DynamoDB's item-size
 * rule. PutItem overwrites a random existing item with one of the same shape, so the table's
 * size does not change during a run; GetItem and UpdateItem pick a random item, Query a random
 * partition (all ten of its items).
 */
import { HttpError, JsonClient } from './load.js';

export const DDB_TARGET_PREFIX = 'DynamoDB_20120810';
export const ITEMS_PER_PARTITION = 10;
/** BatchWriteItem's limit. */
const BATCH = 25;

/** A signed DynamoDB JSON 1.0 client (SigV4 service `dynamodb`). */
export const ddbClient = (endpoint: string, concurrency: number) => new JsonClient(endpoint, concurrency, DDB_TARGET_PREFIX, 'dynamodb');

const pkOf = (p: number) => `p${String(p).padStart(7, '0')}`;
const skOf = (j: number) => `s${j}`;
/** 160 characters of payload. */
const DATA = 'Nimbus DynamoDB benchmark item payload: 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMN';

/**
 * Item number i (0-based) as DynamoDB JSON text: partition floor(i / 10), sort key i % 10;
 * `n` is the value of its number attribute `n` (PutItem changes it on every write).
 */
export function itemJson(i: number, n = i): string {
  const p = Math.floor(i / ITEMS_PER_PARTITION);
  return (
    `{"pk":{"S":"${pkOf(p)}"},"sk":{"S":"${skOf(i % ITEMS_PER_PARTITION)}"},"n":{"N":"${n}"},"c":{"N":"0"},` +
    `"owner":{"S":"user-${String(p % 10_000).padStart(4, '0')}"},"data":{"S":"${DATA}"}}`
  );
}

/**
 * DynamoDB's size of item i in bytes: the UTF-8 lengths of attribute names and string values,
 * and (roughly) 1 + digits/2 for numbers.
 */
export function itemSize(i: number): number {
  const item = JSON.parse(itemJson(i)) as Record<string, { S?: string; N?: string }>;
  let size = 0;
  for (const [name, v] of Object.entries(item)) {
    size += Buffer.byteLength(name);
    if (v.S !== undefined) size += Buffer.byteLength(v.S);
    else if (v.N !== undefined) size += 1 + Math.ceil(v.N.replace(/^-/, '').length / 2);
  }
  return size;
}

const keyJson = (i: number) =>
  `{"pk":{"S":"${pkOf(Math.floor(i / ITEMS_PER_PARTITION))}"},"sk":{"S":"${skOf(i % ITEMS_PER_PARTITION)}"}}`;
const randomItem = (items: number) => Math.floor(Math.random() * items);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CreateTable (PAY_PER_REQUEST; an existing table is fine), then waits until it is ACTIVE. */
export async function createTable(client: JsonClient, table: string): Promise<void> {
  const r = await client.call('CreateTable', {
    TableName: table,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  });
  if (r.status !== 200 && !r.body.includes('ResourceInUseException')) throw new HttpError('CreateTable', r.status, r.body);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const d = await client.ok<{ Table?: { TableStatus?: string } }>('DescribeTable', { TableName: table });
    if (d.Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`table ${table} not ACTIVE after 30 s: ${JSON.stringify(d)}`);
    await sleep(20);
  }
}

/** DescribeTable's ItemCount (NaN if the server does not say). */
export async function itemCount(client: JsonClient, table: string): Promise<number> {
  const d = await client.ok<{ Table?: { ItemCount?: number } }>('DescribeTable', { TableName: table });
  return Number(d.Table?.ItemCount ?? NaN);
}

export interface PrefillResult {
  items: number;
  requests: number;
  /** BatchWriteItem calls that only resent unprocessed items, or retried after a 5xx/throttle. */
  retries: number;
  ms: number;
  itemsPerSec: number;
}

/**
 * Writes items [from, to) with BatchWriteItem (25 a request) at `concurrency`, resending
 * UnprocessedItems (and throttled or 5xx requests) until every item is in.
 */
export async function prefillItems(client: JsonClient, table: string, from: number, to: number, concurrency: number): Promise<PrefillResult> {
  const t0 = performance.now();
  let next = from;
  let requests = 0;
  let retries = 0;
  const head = `{"RequestItems":{${JSON.stringify(table)}:[`;
  const worker = async () => {
    while (next < to) {
      const start = next;
      const end = Math.min(to, start + BATCH);
      next = end;
      let entries = '';
      for (let i = start; i < end; i++) entries += `${i > start ? ',' : ''}{"PutRequest":{"Item":${itemJson(i)}}}`;
      let body = `${head}${entries}]}}`;
      for (let attempt = 0; ; attempt++) {
        const r = await client.call('BatchWriteItem', body);
        requests++;
        if (r.status !== 200) {
          const retriable = r.status >= 500 || /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded/.test(r.body);
          if (!retriable || attempt >= 20) throw new HttpError('BatchWriteItem', r.status, r.body);
          retries++;
          await sleep(Math.min(200, 5 * 2 ** attempt));
          continue;
        }
        const unprocessed = (JSON.parse(r.body) as { UnprocessedItems?: Record<string, unknown[]> }).UnprocessedItems?.[table];
        if (!unprocessed?.length) break;
        if (attempt >= 20) throw new Error(`BatchWriteItem: ${unprocessed.length} items still unprocessed after ${attempt} retries`);
        retries++;
        body = JSON.stringify({ RequestItems: { [table]: unprocessed } });
        await sleep(Math.min(200, 2 * 2 ** attempt));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = performance.now() - t0;
  return { items: to - from, requests, retries, ms, itemsPerSec: ((to - from) * 1000) / ms };
}

/** PutItem of a ~200-byte item over a random existing one (with a new value of `n`). */
export function putItemOp(client: JsonClient, table: string, items: number): () => Promise<number> {
  const head = `{"TableName":${JSON.stringify(table)},"Item":`;
  let seq = 1_000_000;
  return async () => {
    const r = await client.call('PutItem', `${head}${itemJson(randomItem(items), seq++)}}`);
    if (r.status !== 200) throw new HttpError('PutItem', r.status, r.body);
    return 1;
  };
}

/** GetItem of a random item (the default, eventually consistent read). */
export function getItemOp(client: JsonClient, table: string, items: number): () => Promise<number> {
  const head = `{"TableName":${JSON.stringify(table)},"Key":`;
  return async () => {
    const r = await client.call('GetItem', `${head}${keyJson(randomItem(items))}}`);
    if (r.status !== 200) throw new HttpError('GetItem', r.status, r.body);
    if (!r.body.includes('"Item"')) throw new HttpError('GetItem(no Item)', r.status, r.body);
    return 1;
  };
}

/** UpdateItem `ADD #c :one` on a random item (ReturnValues NONE). */
export function updateItemOp(client: JsonClient, table: string, items: number): () => Promise<number> {
  const head = `{"TableName":${JSON.stringify(table)},"UpdateExpression":"ADD #c :one","ExpressionAttributeNames":{"#c":"c"},"ExpressionAttributeValues":{":one":{"N":"1"}},"Key":`;
  return async () => {
    const r = await client.call('UpdateItem', `${head}${keyJson(randomItem(items))}}`);
    if (r.status !== 200) throw new HttpError('UpdateItem', r.status, r.body);
    return 1;
  };
}

const COUNT = /"Count":(\d+)/;

/** Query `pk = :p` on a random partition: all ten of its items; resolves with the item count. */
export function queryOp(client: JsonClient, table: string, items: number): () => Promise<number> {
  const partitions = Math.max(1, Math.floor(items / ITEMS_PER_PARTITION));
  const head = `{"TableName":${JSON.stringify(table)},"KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"`;
  return async () => {
    const r = await client.call('Query', `${head}${pkOf(Math.floor(Math.random() * partitions))}"}}}`);
    if (r.status !== 200) throw new HttpError('Query', r.status, r.body);
    const n = Number(COUNT.exec(r.body)?.[1] ?? NaN);
    if (n !== ITEMS_PER_PARTITION) throw new HttpError(`Query(Count ${n}, not ${ITEMS_PER_PARTITION})`, r.status, r.body);
    return n;
  };
}
