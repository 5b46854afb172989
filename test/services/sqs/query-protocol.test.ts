/**
 * SQS over the AWS query protocol, driven by a real query-protocol client (the AWS CLI v2 from
 * Debian, /usr/bin/aws, which predates SQS's move to JSON) and by raw SigV4-signed form
 * requests whose XML is checked against the shapes AWS documents.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { XMLParser } from 'fast-xml-parser';
import { ACCOUNT, startTestNimbus, type TestNimbus } from '../../helpers/nimbus.js';
import { md5 } from '../../helpers/sqs.js';
import { awsCli as sqsCli, awsJson as sqsJson, cliSkip, removeCliHome } from '../../helpers/aws-cli.js';

const VERSION = '2012-11-05';
const NS = 'http://queue.amazonaws.com/doc/2012-11-05/';

const awsCli = (endpoint: string, args: string[]) => sqsCli(endpoint, 'sqs', args);
const awsJson = (endpoint: string, args: string[]) => sqsJson(endpoint, 'sqs', args);

// ---- raw signed requests ----------------------------------------------------------------

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function send(endpoint: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

interface QueryOptions {
  method?: 'GET' | 'POST';
  path?: string;
  /** Without Version unless given; Version is added to every request by default. */
  version?: boolean;
}

/**
 * Sends the parameters as a query request signed for 'sqs': a form body on POST, the query
 * string on GET.
 */
async function query(endpoint: string, params: Record<string, string> | Array<[string, string]>, o: QueryOptions = {}): Promise<RawResponse> {
  const method = o.method ?? 'POST';
  // Pairs may repeat a name (a POST form only); a record may not.
  const pairs = Array.isArray(params) ? params : Object.entries(params);
  const withVersion: Array<[string, string]> = o.version === false ? pairs : [...pairs, ['Version', VERSION]];
  const all = Object.fromEntries(withVersion);
  const url = new URL(endpoint);
  const host = `${url.hostname}:${url.port}`;
  const form = new URLSearchParams(withVersion).toString();
  const signer = new SignatureV4({
    service: 'sqs',
    region: 'us-east-1',
    sha256: Sha256,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const unsigned = new HttpRequest({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: o.path ?? '/',
    query: method === 'GET' ? all : {},
    headers: method === 'POST' ? { host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } : { host },
    body: method === 'POST' ? form : undefined,
  });
  const signed = await signer.sign(unsigned);
  const path = method === 'GET' ? `${signed.path}?${form}` : signed.path;
  return send(endpoint, method, path, signed.headers as Record<string, string>, method === 'POST' ? form : undefined);
}

// Flattened lists repeat their element; make every repeated element an array, always.
const REPEATED = new Set([
  'ReceiveMessageResponse.ReceiveMessageResult.Message',
  'ReceiveMessageResponse.ReceiveMessageResult.Message.Attribute',
  'ReceiveMessageResponse.ReceiveMessageResult.Message.MessageAttribute',
  'GetQueueAttributesResponse.GetQueueAttributesResult.Attribute',
  'ListQueuesResponse.ListQueuesResult.QueueUrl',
  'SendMessageBatchResponse.SendMessageBatchResult.SendMessageBatchResultEntry',
  'SendMessageBatchResponse.SendMessageBatchResult.BatchResultErrorEntry',
]);
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  isArray: (_name, jpath) => REPEATED.has(String(jpath)),
});
const parseXml = (body: string): any => xml.parse(body);

/** Parses a successful query response and checks its envelope and request id. */
function ok(res: RawResponse, operation: string): any {
  assert.equal(res.status, 200, res.body);
  assert.match(String(res.headers['content-type']), /^text\/xml/);
  const doc = parseXml(res.body)[`${operation}Response`];
  assert.ok(doc, `no <${operation}Response> in ${res.body}`);
  assert.equal(doc['@xmlns'], NS);
  const requestId = res.headers['x-amzn-requestid'];
  assert.ok(typeof requestId === 'string' && requestId.length > 0);
  assert.equal(doc.ResponseMetadata?.RequestId, requestId);
  return doc;
}

/** Parses an ErrorResponse and checks its shape; returns the <Error>. */
function failed(res: RawResponse, status: number, code: string, type: 'Sender' | 'Receiver' = 'Sender'): any {
  assert.equal(res.status, status, res.body);
  assert.match(String(res.headers['content-type']), /^text\/xml/);
  const doc = parseXml(res.body).ErrorResponse;
  assert.ok(doc, `no <ErrorResponse> in ${res.body}`);
  assert.equal(doc.Error?.Type, type);
  assert.equal(doc.Error?.Code, code);
  assert.equal(typeof doc.Error?.Message, 'string');
  assert.equal(doc.RequestId, res.headers['x-amzn-requestid']);
  return doc.Error;
}

// ---- tests ------------------------------------------------------------------------------

describe('SQS query protocol', () => {
  let t: TestNimbus;
  before(async () => {
    t = await startTestNimbus();
  });
  after(async () => {
    await t.stop();
    removeCliHome();
  });

  // Each test uses its own queues, so the CLI processes (slow to start) may run side by side.
  describe('through the AWS CLI v2 (query protocol)', { skip: cliSkip, concurrency: 2 }, () => {
    it('create-queue, send-message with attributes, receive-message, delete-message round trip', async () => {
      const created = await awsJson(t.endpoint, ['create-queue', '--queue-name', 'cli-roundtrip', '--attributes', 'VisibilityTimeout=45']);
      const url = `${t.endpoint}/${ACCOUNT}/cli-roundtrip`;
      assert.equal(created.QueueUrl, url);

      const attributes = {
        color: { DataType: 'String', StringValue: 'red' },
        count: { DataType: 'Number', StringValue: '42' },
        raw: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 255]).toString('base64') },
      };
      const body = 'héllo <query> & "friends"';
      const sent = await awsJson(t.endpoint, ['send-message', '--queue-url', url, '--message-body', body, '--message-attributes', JSON.stringify(attributes)]);
      assert.equal(sent.MD5OfMessageBody, md5(body));
      assert.match(sent.MessageId, /^[0-9a-f-]{36}$/);
      assert.match(sent.MD5OfMessageAttributes, /^[0-9a-f]{32}$/);

      // botocore verifies MD5OfBody and MD5OfMessageAttributes of what it receives.
      const received = await awsJson(t.endpoint, [
        'receive-message', '--queue-url', url, '--attribute-names', 'All', '--message-attribute-names', 'All', '--max-number-of-messages', '10',
      ]);
      assert.equal(received.Messages.length, 1);
      const [m] = received.Messages;
      assert.equal(m.MessageId, sent.MessageId);
      assert.equal(m.Body, body);
      assert.equal(m.MD5OfBody, md5(body));
      assert.equal(m.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
      assert.deepEqual(m.MessageAttributes, attributes);
      assert.equal(m.Attributes.ApproximateReceiveCount, '1');
      assert.match(m.Attributes.SentTimestamp, /^\d+$/);
      assert.equal(typeof m.Attributes.SenderId, 'string');

      const deleted = await awsCli(t.endpoint, ['delete-message', '--queue-url', url, '--receipt-handle', m.ReceiptHandle]);
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.equal(deleted.stdout.trim(), '');

      const attrs = await awsJson(t.endpoint, [
        'get-queue-attributes', '--queue-url', url, '--attribute-names', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'VisibilityTimeout',
      ]);
      assert.deepEqual(attrs.Attributes, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0', VisibilityTimeout: '45' });
    });

    it('receive-message names only the requested attributes', async () => {
      const { QueueUrl: url } = await awsJson(t.endpoint, ['create-queue', '--queue-name', 'cli-attribute-names']);
      await awsJson(t.endpoint, [
        'send-message', '--queue-url', url, '--message-body', 'x',
        '--message-attributes', JSON.stringify({ a: { DataType: 'String', StringValue: '1' }, b: { DataType: 'String', StringValue: '2' } }),
      ]);
      const received = await awsJson(t.endpoint, [
        'receive-message', '--queue-url', url, '--attribute-names', 'SentTimestamp', '--message-attribute-names', 'b',
      ]);
      const [m] = received.Messages;
      assert.deepEqual(Object.keys(m.Attributes), ['SentTimestamp']);
      assert.deepEqual(m.MessageAttributes, { b: { DataType: 'String', StringValue: '2' } });
    });

    it('get-queue-attributes All', async () => {
      const { QueueUrl: url } = await awsJson(t.endpoint, ['create-queue', '--queue-name', 'cli-attributes', '--attributes', 'DelaySeconds=5,MaximumMessageSize=2048']);
      const { Attributes: a } = await awsJson(t.endpoint, ['get-queue-attributes', '--queue-url', url, '--attribute-names', 'All']);
      assert.equal(a.QueueArn, `arn:aws:sqs:us-east-1:${ACCOUNT}:cli-attributes`);
      assert.equal(a.DelaySeconds, '5');
      assert.equal(a.MaximumMessageSize, '2048');
      assert.equal(a.VisibilityTimeout, '30');
      assert.equal(a.ApproximateNumberOfMessages, '0');
      assert.match(a.CreatedTimestamp, /^\d+$/);
    });

    it('send-message-batch', async () => {
      const { QueueUrl: url } = await awsJson(t.endpoint, ['create-queue', '--queue-name', 'cli-batch']);
      const entries = [
        { Id: 'one', MessageBody: 'first' },
        { Id: 'two', MessageBody: 'second', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } },
        { Id: 'three', MessageBody: 'third', DelaySeconds: 0 },
      ];
      const out = await awsJson(t.endpoint, ['send-message-batch', '--queue-url', url, '--entries', JSON.stringify(entries)]);
      assert.equal(out.Failed, undefined);
      assert.deepEqual(out.Successful.map((e: any) => e.Id).sort(), ['one', 'three', 'two']);
      for (const e of out.Successful) {
        assert.equal(e.MD5OfMessageBody, md5(entries.find((x) => x.Id === e.Id)!.MessageBody));
        assert.match(e.MessageId, /^[0-9a-f-]{36}$/);
      }
      assert.match(out.Successful.find((e: any) => e.Id === 'two').MD5OfMessageAttributes, /^[0-9a-f]{32}$/);
      const { Attributes } = await awsJson(t.endpoint, ['get-queue-attributes', '--queue-url', url, '--attribute-names', 'ApproximateNumberOfMessages']);
      assert.equal(Attributes.ApproximateNumberOfMessages, '3');
    });

    it('list-queues with a prefix', async () => {
      await awsJson(t.endpoint, ['create-queue', '--queue-name', 'cli-list-a']);
      await awsJson(t.endpoint, ['create-queue', '--queue-name', 'cli-list-b']);
      const out = await awsJson(t.endpoint, ['list-queues', '--queue-name-prefix', 'cli-list-']);
      assert.deepEqual([...out.QueueUrls].sort(), [`${t.endpoint}/${ACCOUNT}/cli-list-a`, `${t.endpoint}/${ACCOUNT}/cli-list-b`]);
      const none = await awsJson(t.endpoint, ['list-queues', '--queue-name-prefix', 'no-such-prefix-']);
      assert.equal(none?.QueueUrls, undefined);
    });

    it('bodies and attribute values with CR, CRLF, XML markup and astral characters round-trip (MD5 checked by botocore)', async () => {
      const { QueueUrl: url } = await awsJson(t.endpoint, ['create-queue', '--queue-name', 'cli-characters']);
      const body = 'line1\r\nline2\rend ]]> &amp; <x a="1"/> \t tab 😀 é';
      const value = 'v\r\n1 & < > 😀';
      const sent = await awsJson(t.endpoint, [
        'send-message', '--queue-url', url, '--message-body', body, '--message-attributes', JSON.stringify({ k: { DataType: 'String', StringValue: value } }),
      ]);
      assert.equal(sent.MD5OfMessageBody, md5(body));
      const { Messages: [m] } = await awsJson(t.endpoint, ['receive-message', '--queue-url', url, '--message-attribute-names', 'k']);
      assert.equal(m.Body, body);
      assert.equal(m.MessageAttributes.k.StringValue, value);
    });

    it('set-queue-attributes, tag-queue, list-queue-tags, untag-queue (flattened maps both ways)', async () => {
      const { QueueUrl: url } = await awsJson(t.endpoint, ['create-queue', '--queue-name', 'cli-maps', '--tags', 'team=nimbus,env=test']);
      const policy = JSON.stringify({ Version: '2012-10-17', Statement: [] });
      await awsJson(t.endpoint, ['set-queue-attributes', '--queue-url', url, '--attributes', JSON.stringify({ VisibilityTimeout: '99', Policy: policy })]);
      const { Attributes } = await awsJson(t.endpoint, ['get-queue-attributes', '--queue-url', url, '--attribute-names', 'VisibilityTimeout', 'Policy']);
      assert.deepEqual(Attributes, { VisibilityTimeout: '99', Policy: policy });
      await awsJson(t.endpoint, ['tag-queue', '--queue-url', url, '--tags', 'owner=me']);
      assert.deepEqual((await awsJson(t.endpoint, ['list-queue-tags', '--queue-url', url])).Tags, { team: 'nimbus', env: 'test', owner: 'me' });
      await awsJson(t.endpoint, ['untag-queue', '--queue-url', url, '--tag-keys', 'team', 'env']);
      assert.deepEqual((await awsJson(t.endpoint, ['list-queue-tags', '--queue-url', url])).Tags, { owner: 'me' });
    });

    it('batch failures: BatchResultErrorEntry with SenderFault, next to the successes', async () => {
      const { QueueUrl: url } = await awsJson(t.endpoint, ['create-queue', '--queue-name', 'cli-batch-failures']);
      const out = await awsJson(t.endpoint, [
        'send-message-batch', '--queue-url', url, '--entries', JSON.stringify([{ Id: 'ok', MessageBody: 'x' }, { Id: 'bad', MessageBody: 'y', DelaySeconds: 9999 }]),
      ]);
      assert.deepEqual(out.Successful.map((e: any) => e.Id), ['ok']);
      assert.equal(out.Failed.length, 1);
      assert.equal(out.Failed[0].Id, 'bad');
      assert.equal(out.Failed[0].SenderFault, true);
      assert.equal(out.Failed[0].Code, 'InvalidParameterValue');
      const { Messages: [m] } = await awsJson(t.endpoint, ['receive-message', '--queue-url', url]);
      const del = await awsJson(t.endpoint, [
        'delete-message-batch', '--queue-url', url, '--entries', JSON.stringify([{ Id: 'a', ReceiptHandle: m.ReceiptHandle }, { Id: 'b', ReceiptHandle: 'junk' }]),
      ]);
      assert.deepEqual(del.Successful, [{ Id: 'a' }]);
      assert.equal(del.Failed[0].Id, 'b');
      assert.equal(del.Failed[0].Code, 'ReceiptHandleIsInvalid');
      assert.equal(del.Failed[0].SenderFault, true);
    });

    it('list-queues paginates with NextToken (the CLI follows it)', async () => {
      for (const n of [1, 2, 3, 4, 5]) await awsJson(t.endpoint, ['create-queue', '--queue-name', `cli-page-${n}`]);
      const all = await awsJson(t.endpoint, ['list-queues', '--queue-name-prefix', 'cli-page-', '--page-size', '2']);
      assert.deepEqual(all.QueueUrls, [1, 2, 3, 4, 5].map((n) => `${t.endpoint}/${ACCOUNT}/cli-page-${n}`));
    });

    it('add-permission sends its lists (AWSAccountId.N, ActionName.N)', async () => {
      const { QueueUrl: url } = await awsJson(t.endpoint, ['create-queue', '--queue-name', 'cli-permission']);
      await awsJson(t.endpoint, [
        'add-permission', '--queue-url', url, '--label', 'l1', '--aws-account-ids', '111111111111', '222222222222', '--actions', 'SendMessage', 'ReceiveMessage',
      ]);
      const { Attributes } = await awsJson(t.endpoint, ['get-queue-attributes', '--queue-url', url, '--attribute-names', 'Policy']);
      const [statement] = JSON.parse(Attributes.Policy).Statement;
      assert.equal(statement.Sid, 'l1');
      assert.deepEqual(statement.Principal.AWS, ['arn:aws:iam::111111111111:root', 'arn:aws:iam::222222222222:root']);
      assert.deepEqual(statement.Action, ['SQS:SendMessage', 'SQS:ReceiveMessage']);
    });

    it('FIFO: send-message answers a SequenceNumber', async () => {
      const { QueueUrl: url } = await awsJson(t.endpoint, ['create-queue', '--queue-name', 'cli.fifo', '--attributes', 'FifoQueue=true,ContentBasedDeduplication=true']);
      const sent = await awsJson(t.endpoint, ['send-message', '--queue-url', url, '--message-body', 'first', '--message-group-id', 'g']);
      assert.match(sent.SequenceNumber, /^\d+$/);
    });

    it('a validation error exits 254 with the code and AWS message', async () => {
      const { QueueUrl: url } = await awsJson(t.endpoint, ['create-queue', '--queue-name', 'cli-invalid']);
      const r = await awsCli(t.endpoint, ['receive-message', '--queue-url', url, '--max-number-of-messages', '11']);
      assert.equal(r.code, 254);
      assert.match(r.stderr, /\(InvalidParameterValue\) when calling the ReceiveMessage operation: Value 11 for parameter MaxNumberOfMessages is invalid\./);
    });

    it('get-queue-url of a missing queue exits 254 naming AWS.SimpleQueueService.NonExistentQueue', async () => {
      const r = await awsCli(t.endpoint, ['get-queue-url', '--queue-name', 'cli-no-such-queue']);
      assert.equal(r.code, 254, r.stderr);
      assert.match(r.stderr, /An error occurred \(AWS\.SimpleQueueService\.NonExistentQueue\) when calling the GetQueueUrl operation: The specified queue does not exist/);
      assert.equal(r.stdout, '');
    });
  });

  describe('raw form requests', () => {
    let url: string;
    before(async () => {
      const doc = ok(await query(t.endpoint, { Action: 'CreateQueue', QueueName: 'raw-q' }), 'CreateQueue');
      url = doc.CreateQueueResult.QueueUrl;
    });

    it('CreateQueue: CreateQueueResponse/CreateQueueResult/QueueUrl and ResponseMetadata/RequestId', async () => {
      const res = await query(t.endpoint, {
        Action: 'CreateQueue',
        QueueName: 'raw-created',
        'Attribute.1.Name': 'VisibilityTimeout',
        'Attribute.1.Value': '60',
        'Tag.1.Key': 'team',
        'Tag.1.Value': 'nimbus',
      });
      const doc = ok(res, 'CreateQueue');
      assert.deepEqual(Object.keys(doc).filter((k) => !k.startsWith('@')), ['CreateQueueResult', 'ResponseMetadata']);
      assert.deepEqual(doc.CreateQueueResult, { QueueUrl: `${t.endpoint}/${ACCOUNT}/raw-created` });
      assert.match(doc.ResponseMetadata.RequestId, /^[0-9a-f-]{36}$/);
      assert.equal(url, `${t.endpoint}/${ACCOUNT}/raw-q`);
    });

    it('a parameter given twice is refused (ConflictingQueryParameter) and nothing runs: the queue is still there', async () => {
      const res = await query(t.endpoint, [
        ['Action', 'GetQueueAttributes'],
        ['QueueUrl', url],
        ['Action', 'DeleteQueue'],
      ]);
      const error = failed(res, 400, 'ConflictingQueryParameter');
      assert.equal(error.Message, "The query parameter 'Action' is invalid. Its structure conflicts with that of another parameter.");
      const again = await query(t.endpoint, [
        ['Action', 'GetQueueUrl'],
        ['QueueName', 'raw-q'],
        ['QueueName', 'raw-created'],
      ]);
      failed(again, 400, 'ConflictingQueryParameter');
      ok(await query(t.endpoint, { Action: 'GetQueueAttributes', QueueUrl: url, 'AttributeName.1': 'All' }), 'GetQueueAttributes');
    });

    it('SendMessage: MD5OfMessageBody and MessageId', async () => {
      const doc = ok(await query(t.endpoint, { Action: 'SendMessage', QueueUrl: url, MessageBody: 'raw body' }), 'SendMessage');
      const r = doc.SendMessageResult;
      assert.equal(r.MD5OfMessageBody, md5('raw body'));
      assert.match(r.MessageId, /^[0-9a-f-]{36}$/);
      assert.equal(r.MD5OfMessageAttributes, undefined);
    });

    it('ReceiveMessage: flattened <Message>, <Attribute> and <MessageAttribute> elements', async () => {
      const q = ok(await query(t.endpoint, { Action: 'CreateQueue', QueueName: 'raw-receive' }), 'CreateQueue').CreateQueueResult.QueueUrl;
      for (const [i, body] of ['m1', 'm2'].entries()) {
        ok(
          await query(t.endpoint, {
            Action: 'SendMessage',
            QueueUrl: q,
            MessageBody: body,
            'MessageAttribute.1.Name': 'color',
            'MessageAttribute.1.Value.DataType': 'String',
            'MessageAttribute.1.Value.StringValue': `c${i}`,
            'MessageAttribute.2.Name': 'bin',
            'MessageAttribute.2.Value.DataType': 'Binary',
            'MessageAttribute.2.Value.BinaryValue': Buffer.from('bytes').toString('base64'),
          }),
          'SendMessage',
        );
      }
      const res = await query(t.endpoint, {
        Action: 'ReceiveMessage',
        QueueUrl: q,
        MaxNumberOfMessages: '10',
        'AttributeName.1': 'SentTimestamp',
        'AttributeName.2': 'ApproximateReceiveCount',
        'MessageAttributeName.1': 'All',
      });
      const doc = ok(res, 'ReceiveMessage');
      // Flattened: <Message> elements directly under the result, no <Messages> wrapper.
      assert.doesNotMatch(res.body, /<Messages>/);
      const messages = doc.ReceiveMessageResult.Message as any[];
      assert.deepEqual(messages.map((m) => m.Body).sort(), ['m1', 'm2']);
      for (const m of messages) {
        assert.deepEqual(Object.keys(m), ['MessageId', 'ReceiptHandle', 'MD5OfBody', 'Body', 'Attribute', 'MD5OfMessageAttributes', 'MessageAttribute']);
        assert.equal(m.MD5OfBody, md5(m.Body));
        const attrs = Object.fromEntries((m.Attribute as any[]).map((a) => [a.Name, a.Value]));
        assert.deepEqual(Object.keys(attrs).sort(), ['ApproximateReceiveCount', 'SentTimestamp']);
        assert.equal(attrs.ApproximateReceiveCount, '1');
        for (const a of m.Attribute) assert.deepEqual(Object.keys(a), ['Name', 'Value']);
        const color = (m.MessageAttribute as any[]).find((a) => a.Name === 'color');
        assert.deepEqual(color, { Name: 'color', Value: { StringValue: m.Body === 'm1' ? 'c0' : 'c1', DataType: 'String' } });
        const bin = (m.MessageAttribute as any[]).find((a) => a.Name === 'bin');
        assert.deepEqual(bin, { Name: 'bin', Value: { BinaryValue: Buffer.from('bytes').toString('base64'), DataType: 'Binary' } });
      }
    });

    it('ReceiveMessage of an empty queue: an empty <ReceiveMessageResult/>', async () => {
      const q = ok(await query(t.endpoint, { Action: 'CreateQueue', QueueName: 'raw-empty' }), 'CreateQueue').CreateQueueResult.QueueUrl;
      const doc = ok(await query(t.endpoint, { Action: 'ReceiveMessage', QueueUrl: q }), 'ReceiveMessage');
      assert.equal(doc.ReceiveMessageResult, '');
    });

    it('GetQueueAttributes: flattened <Attribute><Name/><Value/></Attribute>', async () => {
      const doc = ok(
        await query(t.endpoint, { Action: 'GetQueueAttributes', QueueUrl: url, 'AttributeName.1': 'QueueArn', 'AttributeName.2': 'VisibilityTimeout' }),
        'GetQueueAttributes',
      );
      const attrs = doc.GetQueueAttributesResult.Attribute as any[];
      assert.deepEqual(
        attrs.sort((a, b) => a.Name.localeCompare(b.Name)),
        [
          { Name: 'QueueArn', Value: `arn:aws:sqs:us-east-1:${ACCOUNT}:raw-q` },
          { Name: 'VisibilityTimeout', Value: '30' },
        ],
      );
    });

    it('DeleteMessage: a response with ResponseMetadata only', async () => {
      const q = ok(await query(t.endpoint, { Action: 'CreateQueue', QueueName: 'raw-delete' }), 'CreateQueue').CreateQueueResult.QueueUrl;
      ok(await query(t.endpoint, { Action: 'SendMessage', QueueUrl: q, MessageBody: 'bye' }), 'SendMessage');
      const m = ok(await query(t.endpoint, { Action: 'ReceiveMessage', QueueUrl: q }), 'ReceiveMessage').ReceiveMessageResult.Message[0];
      const doc = ok(await query(t.endpoint, { Action: 'DeleteMessage', QueueUrl: q, ReceiptHandle: m.ReceiptHandle }), 'DeleteMessage');
      assert.deepEqual(Object.keys(doc).filter((k) => !k.startsWith('@')), ['ResponseMetadata']);
    });

    it('an ErrorResponse for a missing queue: Sender, AWS.SimpleQueueService.NonExistentQueue, HTTP 400', async () => {
      const res = await query(t.endpoint, { Action: 'GetQueueUrl', QueueName: 'raw-no-such-queue' });
      const error = failed(res, 400, 'AWS.SimpleQueueService.NonExistentQueue');
      assert.equal(error.Message, 'The specified queue does not exist for this wsdl version.');
      assert.equal(parseXml(res.body).ErrorResponse['@xmlns'], NS);
      assert.match(res.body, /^<\?xml version="1\.0"\?><ErrorResponse/);
    });

    it('GET with the parameters in the query string', async () => {
      const res = await query(t.endpoint, { Action: 'ListQueues', QueueNamePrefix: 'raw-q' }, { method: 'GET' });
      const doc = ok(res, 'ListQueues');
      assert.deepEqual(doc.ListQueuesResult.QueueUrl, [url]);
      const attrs = ok(
        await query(t.endpoint, { Action: 'GetQueueAttributes', QueueUrl: url, 'AttributeName.1': 'DelaySeconds' }, { method: 'GET' }),
        'GetQueueAttributes',
      );
      assert.deepEqual(attrs.GetQueueAttributesResult.Attribute, [{ Name: 'DelaySeconds', Value: '0' }]);
    });

    it('POST to the queue URL path addresses the queue without a QueueUrl parameter', async () => {
      const q = ok(await query(t.endpoint, { Action: 'CreateQueue', QueueName: 'raw-by-path' }), 'CreateQueue').CreateQueueResult.QueueUrl;
      const p = new URL(q).pathname;
      ok(await query(t.endpoint, { Action: 'SendMessage', MessageBody: 'via path' }, { path: p }), 'SendMessage');
      const got = ok(await query(t.endpoint, { Action: 'ReceiveMessage' }, { path: p }), 'ReceiveMessage');
      assert.equal(got.ReceiveMessageResult.Message[0].Body, 'via path');
      // ... and GET to the queue URL too.
      const attrs = ok(await query(t.endpoint, { Action: 'GetQueueAttributes', 'AttributeName.1': 'QueueArn' }, { method: 'GET', path: p }), 'GetQueueAttributes');
      assert.deepEqual(attrs.GetQueueAttributesResult.Attribute, [{ Name: 'QueueArn', Value: `arn:aws:sqs:us-east-1:${ACCOUNT}:raw-by-path` }]);
    });

    it('an unknown Action is InvalidAction', async () => {
      const error = failed(await query(t.endpoint, { Action: 'FlyToTheMoon', QueueUrl: url }), 400, 'InvalidAction');
      assert.equal(error.Message, 'The action FlyToTheMoon is not valid for this web service.');
    });

    it('an Action inherited from Object.prototype is InvalidAction, not a crash', async () => {
      failed(await query(t.endpoint, { Action: 'constructor' }), 400, 'InvalidAction');
      failed(await query(t.endpoint, { Action: '__proto__' }), 400, 'InvalidAction');
    });

    it('a request without an Action is MissingAction', async () => {
      const error = failed(await query(t.endpoint, { QueueName: 'raw-q' }), 400, 'MissingAction');
      assert.equal(typeof error.Message, 'string');
    });

    it('a missing required parameter is MissingParameter', async () => {
      const error = failed(await query(t.endpoint, { Action: 'SendMessage', QueueUrl: url }), 400, 'MissingParameter');
      assert.equal(error.Message, 'The request must contain the parameter MessageBody.');
      const noName = failed(await query(t.endpoint, { Action: 'CreateQueue' }), 400, 'MissingParameter');
      assert.equal(noName.Message, 'The request must contain the parameter QueueName.');
    });

    it('malformed percent-encoding is MalformedQueryString, not a crash', async () => {
      const res = await query(t.endpoint, { Action: 'ListQueues' }, { method: 'GET' });
      ok(res, 'ListQueues');
      // A form body that does not decode: signed as sent.
      const endpoint = new URL(t.endpoint);
      const body = 'Action=ListQueues&Version=2012-11-05&QueueNamePrefix=%E0%A4%A';
      const signer = new SignatureV4({ service: 'sqs', region: 'us-east-1', sha256: Sha256, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      const signed = await signer.sign(
        new HttpRequest({
          method: 'POST',
          protocol: 'http:',
          hostname: endpoint.hostname,
          port: Number(endpoint.port),
          path: '/',
          headers: { host: endpoint.host, 'content-type': 'application/x-www-form-urlencoded' },
          body,
        }),
      );
      const bad = await send(t.endpoint, 'POST', '/', signed.headers as Record<string, string>, body);
      assert.ok(bad.status === 400 || bad.status === 404, bad.body);
      assert.equal(parseXml(bad.body).ErrorResponse?.Error?.Code, 'MalformedQueryString');
    });
  });
});
