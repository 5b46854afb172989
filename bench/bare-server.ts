/**
 * The ceiling: a bare node:http server that does what any HTTP API in Node must do for these
 * requests — read the whole body, JSON.parse it — and answers a fixed body of about the size
 * Nimbus answers for the same X-Amz-Target (PutItem and UpdateItem: `{}`, as with ReturnValues
 * NONE). It ignores the signature and stores nothing.
 * S3 (any request but POST): a PUT's body is read and dropped (only its size is kept, by path)
 * and answered with a fixed ETag; a GET answers that many bytes from a buffer made at start
 * (streamed with back-pressure past 1 MiB), with the headers Nimbus sends. No hashing.
 * Query protocol (a POST with content-type application/x-www-form-urlencoded, SNS): the form
 * body is parsed (URLSearchParams) and answered with a fixed XML <Action>Response; Publish's is
 * a PublishResponse of the size Nimbus answers (a MessageId and a RequestId, both UUIDs).
 * Prints `BARE_READY http://127.0.0.1:<port>`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { itemJson } from './dynamodb-ops.js';

const md5 = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const body100 = 'x'.repeat(100);
const receipt = (i: number) => Buffer.from(`1:${1000000 + i}:abcdefghijklmnop`).toString('base64');

const BODIES: Record<string, Buffer> = Object.fromEntries(
  Object.entries({
    'AmazonSQS.SendMessage': { MessageId: randomUUID(), MD5OfMessageBody: md5 },
    'AmazonSQS.SendMessageBatch': {
      Successful: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageId: randomUUID(), MD5OfMessageBody: md5 })),
      Failed: [],
    },
    'AmazonSQS.ReceiveMessage': {
      Messages: Array.from({ length: 10 }, (_, i) => ({ MessageId: randomUUID(), ReceiptHandle: receipt(i), MD5OfBody: md5, Body: body100 })),
    },
    'AmazonSQS.DeleteMessageBatch': { Successful: Array.from({ length: 10 }, (_, i) => ({ Id: String(i) })), Failed: [] },
    'AmazonSQS.CreateQueue': { QueueUrl: 'http://127.0.0.1/000000000000/bench' },
    'AmazonSQS.GetQueueAttributes': { Attributes: { ApproximateNumberOfMessages: '1000000000' } },
    // DynamoDB: the same items the benchmark's table holds (about 200 bytes each).
    'DynamoDB_20120810.GetItem': { Item: JSON.parse(itemJson(12345)) as unknown },
    'DynamoDB_20120810.Query': {
      Items: Array.from({ length: 10 }, (_, i) => JSON.parse(itemJson(12340 + i)) as unknown),
      Count: 10,
      ScannedCount: 10,
    },
    'DynamoDB_20120810.BatchWriteItem': { UnprocessedItems: {} },
    'DynamoDB_20120810.CreateTable': { TableDescription: { TableName: 'bench', TableStatus: 'CREATING', ItemCount: 0 } },
    'DynamoDB_20120810.DescribeTable': { Table: { TableName: 'bench', TableStatus: 'ACTIVE', ItemCount: 0 } },
  }).map(([k, v]) => [k, Buffer.from(JSON.stringify(v))]),
);
const EMPTY = Buffer.from('{}');
const REQUEST_ID = randomUUID();

// ---- query protocol (SNS): a form-encoded POST, an XML answer -----------------------------------

const SNS_XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const QUERY_BODIES: Record<string, Buffer> = {
  Publish: Buffer.from(
    `<PublishResponse xmlns="${SNS_XMLNS}"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult>` +
      `<ResponseMetadata><RequestId>${REQUEST_ID}</RequestId></ResponseMetadata></PublishResponse>`,
  ),
};
const queryBody = (action: string) =>
  (QUERY_BODIES[action] ??= Buffer.from(`<${action}Response xmlns="${SNS_XMLNS}"><ResponseMetadata><RequestId>${REQUEST_ID}</RequestId></ResponseMetadata></${action}Response>`));

function query(raw: Buffer, res: ServerResponse): void {
  const params = new URLSearchParams(raw.toString('utf8'));
  const action = params.get('Action');
  let status = 200;
  let out: Buffer;
  if (action && /^[A-Za-z]+$/.test(action)) out = queryBody(action);
  else {
    status = 400;
    out = Buffer.from(`<ErrorResponse xmlns="${SNS_XMLNS}"><Error><Type>Sender</Type><Code>MissingAction</Code><Message>Missing Action</Message></Error><RequestId>${REQUEST_ID}</RequestId></ErrorResponse>`);
  }
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-RequestId': REQUEST_ID, 'content-length': out.length });
  res.end(out);
}

// ---- S3 (REST): PUT reads the body, GET sends as many bytes back --------------------------------

const S3_SIZES = new Map<string, number>();
const S3_BYTES = randomBytes(1024 * 1024);
const S3_ETAG = '"0123456789abcdef0123456789abcdef"';
const S3_MODIFIED = new Date().toUTCString();

function s3(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?', 1)[0]!;
  const base = { 'x-amz-request-id': REQUEST_ID, 'x-amz-id-2': REQUEST_ID };
  if (req.method === 'PUT') {
    let size = 0;
    req.on('data', (c: Buffer) => (size += c.length));
    req.on('end', () => {
      if (path.indexOf('/', 1) > 0) S3_SIZES.set(path, size);
      res.writeHead(200, { ...base, etag: S3_ETAG, 'content-length': 0 });
      res.end();
    });
    return;
  }
  req.resume();
  const size = S3_SIZES.get(path);
  if ((req.method !== 'GET' && req.method !== 'HEAD') || size === undefined) {
    const out = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
    res.writeHead(404, { ...base, 'content-type': 'application/xml', 'content-length': out.length });
    res.end(out);
    return;
  }
  res.writeHead(200, {
    ...base,
    'last-modified': S3_MODIFIED,
    etag: S3_ETAG,
    'accept-ranges': 'bytes',
    'content-type': 'binary/octet-stream',
    'content-length': size,
  });
  if (req.method === 'HEAD') return void res.end();
  if (size <= S3_BYTES.length) return void res.end(S3_BYTES.subarray(0, size));
  let left = size;
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, S3_BYTES.length);
      left -= n;
      if (!res.write(n === S3_BYTES.length ? S3_BYTES : S3_BYTES.subarray(0, n)) && left > 0) return void res.once('drain', pump);
    }
    res.end();
  };
  res.on('close', () => (left = 0));
  pump();
}

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  if (req.method !== 'POST') return s3(req, res);
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    chunks.push(c);
    size += c.length;
  });
  req.on('end', () => {
    const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    if (req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) return query(raw, res);
    let status = 200;
    let out: Buffer;
    try {
      const input: unknown = raw.length ? JSON.parse(raw.toString('utf8')) : {};
      if (typeof input !== 'object' || input === null) throw new Error('not an object');
      const target = req.headers['x-amz-target'];
      out = (typeof target === 'string' && BODIES[target]) || EMPTY;
    } catch {
      status = 400;
      out = Buffer.from('{"__type":"com.amazonaws.sqs#SerializationException"}');
    }
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-RequestId': REQUEST_ID,
      'content-length': out.length,
    });
    res.end(out);
  });
});

server.listen(Number(process.env.BARE_PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`BARE_READY http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
