/**
 * The HTTP edge: request ids, the health endpoint, SigV4 through the server (header and
 * presigned forms, JSON and query protocols; only signed bytes choose the operation), body
 * limits and graceful shutdown.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, Agent, type IncomingHttpHeaders } from 'node:http';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { CreateQueueCommand, GetQueueUrlCommand, ListQueuesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest, buildQueryString } from '@smithy/core/protocols';
import { XMLParser } from 'fast-xml-parser';
import { MAX_BODY_BYTES } from '../../src/server/http-server.js';
import { ManualClock } from '../../src/lib/clock.js';
import { ACCOUNT, startTestNimbus, type TestNimbus } from '../helpers/nimbus.js';

const MIN = 60_000;
const xml = new XMLParser({ parseTagValue: false, ignoreAttributes: true });

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface SendOptions {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  agent?: Agent;
}

function send(endpoint: string, o: SendOptions = {}): Promise<RawResponse> {
  const url = new URL(endpoint);
  const headers = { ...o.headers };
  if (o.body !== undefined && headers['content-length'] === undefined) headers['content-length'] = String(Buffer.byteLength(o.body));
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method: o.method ?? 'GET', path: o.path ?? '/', headers, agent: o.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

interface SignOptions {
  method?: 'GET' | 'POST';
  path?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  accessKeyId?: string;
  secret?: string;
  signingDate?: Date;
  /** Presign (query-string auth) with this X-Amz-Expires instead of signing headers. */
  expiresIn?: number;
  /** Presign: headers kept as (signed) headers rather than hoisted into the query string. */
  unhoistableHeaders?: string[];
  /** Headers sent but left out of the signature. */
  unsignableHeaders?: string[];
  /** Headers removed after signing (e.g. a payload-hash declaration the signer honoured). */
  omitHeaders?: string[];
  /** The credential scope's service; default sqs. */
  service?: string;
}

/** Signs with the real SDK signer; returns what to send (path with query string, headers). */
async function sign(endpoint: string, o: SignOptions = {}): Promise<SendOptions> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({
    service: o.service ?? 'sqs',
    region: 'us-east-1',
    sha256: Sha256,
    credentials: { accessKeyId: o.accessKeyId ?? 'test', secretAccessKey: o.secret ?? 'test' },
  });
  const request = new HttpRequest({
    method: o.method ?? 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: o.path ?? '/',
    query: o.query ?? {},
    headers: { host: url.host, ...o.headers },
    body: o.body,
  });
  const signingDate = o.signingDate ?? new Date();
  const unsignableHeaders = new Set(o.unsignableHeaders);
  const signed =
    o.expiresIn === undefined
      ? await signer.sign(request, { signingDate, unsignableHeaders })
      : await signer.presign(request, { signingDate, expiresIn: o.expiresIn, unhoistableHeaders: new Set(o.unhoistableHeaders), unsignableHeaders });
  const qs = buildQueryString(signed.query as Record<string, string | string[]>);
  const headers = { ...(signed.headers as Record<string, string>) };
  for (const name of o.omitHeaders ?? []) delete headers[name];
  return { method: signed.method, path: qs ? `${signed.path}?${qs}` : signed.path, headers, body: o.body };
}

const JSON_HEADERS = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' };
const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
const LIST_FORM = 'Action=ListQueues&Version=2012-11-05';
const LIST_QUERY = { Action: 'ListQueues', Version: '2012-11-05' };

/** A JSON-protocol ListQueues request, signed. */
const jsonList = (endpoint: string, o: SignOptions = {}) => sign(endpoint, { headers: JSON_HEADERS, body: '{}', ...o });
/** A query-protocol ListQueues request (form body), signed. */
const queryList = (endpoint: string, o: SignOptions = {}) => sign(endpoint, { headers: FORM_HEADERS, body: LIST_FORM, ...o });

function assertJsonDenied(res: RawResponse, type: string, queryCode: string, message?: RegExp) {
  assert.equal(res.status, 403, res.body);
  assert.match(String(res.headers['content-type']), /^application\/x-amz-json-1\.0/);
  assert.equal(res.headers['x-amzn-query-error'], `${queryCode};Sender`);
  const body = JSON.parse(res.body);
  assert.match(body.__type, new RegExp(`#${type}$`));
  if (message) assert.match(body.message, message);
}

function assertXmlDenied(res: RawResponse, code: string, message?: RegExp) {
  assert.equal(res.status, 403, res.body);
  assert.match(String(res.headers['content-type']), /^text\/xml/);
  const doc = xml.parse(res.body).ErrorResponse;
  assert.ok(doc, res.body);
  assert.equal(doc.Error.Type, 'Sender');
  assert.equal(doc.Error.Code, code);
  if (message) assert.match(doc.Error.Message, message);
  assert.equal(doc.RequestId, res.headers['x-amzn-requestid']);
}

const MISMATCH = /^The request signature we calculated does not match the signature you provided\./;

describe('HTTP server', () => {
  let t: TestNimbus;
  before(async () => {
    t = await startTestNimbus({ clock: 'system' });
  });
  after(() => t.stop());

  describe('request ids', () => {
    it('every response carries x-amzn-RequestId, unique per request', async () => {
      const responses = [
        await send(t.endpoint, { path: '/_nimbus/health' }),
        await send(t.endpoint, await jsonList(t.endpoint)),
        await send(t.endpoint, await queryList(t.endpoint)),
        await send(t.endpoint, { method: 'POST', headers: FORM_HEADERS, body: LIST_FORM }), // unsigned: 403
        await send(t.endpoint, await sign(t.endpoint, { headers: FORM_HEADERS, body: 'Action=Nope&Version=2012-11-05' })), // 400
        await send(t.endpoint, { path: '/no/such/thing' }),
        await send(t.endpoint, { method: 'POST', headers: { 'content-length': String(MAX_BODY_BYTES + 1) }, body: 'x' }).catch(() => undefined),
      ];
      const ids = new Set<string>();
      for (const res of responses) {
        if (!res) continue;
        const id = res.headers['x-amzn-requestid'];
        assert.ok(typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id), `status ${res.status}: no request id`);
        ids.add(id);
      }
      assert.equal(ids.size, responses.filter(Boolean).length);
    });

    it('the SDK sees the request id as $metadata.requestId', async () => {
      const out = await t.sqs.send(new ListQueuesCommand({}));
      assert.match(out.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
    });
  });

  describe('GET /_nimbus/health', () => {
    it('answers 200 JSON naming the sqs service and the store, without signing', async () => {
      const res = await send(t.endpoint, { path: '/_nimbus/health' });
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      const body = JSON.parse(res.body);
      assert.equal(body.status, 'ready');
      assert.ok(body.services.sqs, res.body);
      assert.equal(body.services.sqs.status, 'running');
      assert.equal(body.store.kind, 'sqlite');
      assert.equal(body.store.memory, true);
    });

    it('ignores a query string', async () => {
      const res = await send(t.endpoint, { path: '/_nimbus/health?verbose=1' });
      assert.equal(res.status, 200);
      assert.ok(JSON.parse(res.body).services.sqs);
    });
  });

  describe('the Date header', () => {
    it("tells Nimbus's own (injected) time, so SDKs correct their skew by it", async () => {
      const clock = new ManualClock(Date.UTC(2031, 4, 6, 7, 8, 9, 500));
      const other = await startTestNimbus({ clock });
      try {
        const res = await send(other.endpoint, { path: '/_nimbus/health' });
        assert.equal(res.headers.date, 'Tue, 06 May 2031 07:08:09 GMT');
        clock.advance(2_000);
        const again = await send(other.endpoint, { path: '/_nimbus/health' });
        assert.equal(again.headers.date, 'Tue, 06 May 2031 07:08:11 GMT');
      } finally {
        await other.stop();
      }
    });
  });

  describe('SigV4 through the server', () => {
    it('an SDK client with the right keys works', async () => {
      const out = await t.sqs.send(new CreateQueueCommand({ QueueName: 'http-ok' }));
      assert.equal(out.QueueUrl, `${t.endpoint}/${ACCOUNT}/http-ok`);
    });

    it('a wrong secret: 403 SignatureDoesNotMatch (SDK, query-compatible code)', async () => {
      const client = t.sqsClient({ credentials: { accessKeyId: 'test', secretAccessKey: 'wrong' } });
      try {
        await assert.rejects(client.send(new ListQueuesCommand({})), (e: any) => {
          assert.equal(e.$metadata?.httpStatusCode, 403);
          assert.equal(e.name, 'SignatureDoesNotMatch');
          assert.equal(e.Code, 'SignatureDoesNotMatch');
          assert.match(e.message, MISMATCH);
          return true;
        });
      } finally {
        client.destroy();
      }
    });

    it('a wrong secret: JSON and query forms', async () => {
      assertJsonDenied(await send(t.endpoint, await jsonList(t.endpoint, { secret: 'wrong' })), 'InvalidSignatureException', 'SignatureDoesNotMatch', MISMATCH);
      assertXmlDenied(await send(t.endpoint, await queryList(t.endpoint, { secret: 'wrong' })), 'SignatureDoesNotMatch', MISMATCH);
    });

    it('a tampered body: 403 SignatureDoesNotMatch', async () => {
      const json = await jsonList(t.endpoint, { headers: { ...JSON_HEADERS, 'x-amz-target': 'AmazonSQS.CreateQueue' }, body: '{"QueueName":"http-tamper-a"}' });
      json.body = '{"QueueName":"http-tamper-b"}'; // same length, other bytes
      assertJsonDenied(await send(t.endpoint, json), 'InvalidSignatureException', 'SignatureDoesNotMatch', MISMATCH);
      const form = await queryList(t.endpoint, { body: 'Action=CreateQueue&Version=2012-11-05&QueueName=http-tamper-a' });
      form.body = 'Action=CreateQueue&Version=2012-11-05&QueueName=http-tamper-b';
      assertXmlDenied(await send(t.endpoint, form), 'SignatureDoesNotMatch', MISMATCH);
      const listed = await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'http-tamper' }));
      assert.equal(listed.QueueUrls, undefined);
    });

    it('no Authorization: 403 MissingAuthenticationToken', async () => {
      const json = await send(t.endpoint, { method: 'POST', headers: JSON_HEADERS, body: '{}' });
      assertJsonDenied(json, 'MissingAuthenticationTokenException', 'MissingAuthenticationToken', /^Missing Authentication Token$/);
      const form = await send(t.endpoint, { method: 'POST', headers: FORM_HEADERS, body: LIST_FORM });
      assertXmlDenied(form, 'MissingAuthenticationToken', /^Missing Authentication Token$/);
      const get = await send(t.endpoint, { path: `/?${LIST_FORM}` });
      assertXmlDenied(get, 'MissingAuthenticationToken');
    });

    it('an unknown access key: 403 InvalidClientTokenId', async () => {
      const client = t.sqsClient({ credentials: { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'test' } });
      try {
        await assert.rejects(client.send(new ListQueuesCommand({})), (e: any) => {
          assert.equal(e.$metadata?.httpStatusCode, 403);
          assert.equal(e.name, 'InvalidClientTokenId');
          assert.equal(e.message, 'The security token included in the request is invalid.');
          return true;
        });
      } finally {
        client.destroy();
      }
      assertJsonDenied(await send(t.endpoint, await jsonList(t.endpoint, { accessKeyId: 'AKIDNOBODY' })), 'UnrecognizedClientException', 'InvalidClientTokenId');
      assertXmlDenied(await send(t.endpoint, await queryList(t.endpoint, { accessKeyId: 'AKIDNOBODY' })), 'InvalidClientTokenId');
    });

    it('a signature older than 15 minutes: 403 SignatureDoesNotMatch, Signature expired', async () => {
      const signingDate = new Date(Date.now() - 16 * MIN);
      assertJsonDenied(await send(t.endpoint, await jsonList(t.endpoint, { signingDate })), 'InvalidSignatureException', 'SignatureDoesNotMatch', /^Signature expired: /);
      assertXmlDenied(await send(t.endpoint, await queryList(t.endpoint, { signingDate })), 'SignatureDoesNotMatch', /^Signature expired: /);
      // 14 minutes is within the allowed skew.
      const fresh = await send(t.endpoint, await queryList(t.endpoint, { signingDate: new Date(Date.now() - 14 * MIN) }));
      assert.equal(fresh.status, 200, fresh.body);
    });

    it('a signature from more than 15 minutes in the future: 403', async () => {
      const signingDate = new Date(Date.now() + 16 * MIN);
      assertXmlDenied(await send(t.endpoint, await queryList(t.endpoint, { signingDate })), 'SignatureDoesNotMatch', /^Signature not yet current: /);
    });

    it('a valid presigned URL works', async () => {
      const res = await send(t.endpoint, await sign(t.endpoint, { method: 'GET', query: LIST_QUERY, expiresIn: 300 }));
      assert.equal(res.status, 200, res.body);
      assert.ok(xml.parse(res.body).ListQueuesResponse, res.body);
      const create = await send(
        t.endpoint,
        await sign(t.endpoint, { method: 'GET', query: { Action: 'CreateQueue', Version: '2012-11-05', QueueName: 'http-presigned' }, expiresIn: 60 }),
      );
      assert.equal(create.status, 200, create.body);
      assert.equal(xml.parse(create.body).CreateQueueResponse.CreateQueueResult.QueueUrl, `${t.endpoint}/${ACCOUNT}/http-presigned`);
    });

    it('an expired presigned URL: 403 SignatureDoesNotMatch', async () => {
      const signed = await sign(t.endpoint, { method: 'GET', query: LIST_QUERY, expiresIn: 1, signingDate: new Date(Date.now() - 5_000) });
      assertXmlDenied(await send(t.endpoint, signed), 'SignatureDoesNotMatch', /^Signature expired: /);
    });

    it('presigned JSON requests: valid works, expired is 403 SignatureDoesNotMatch', async () => {
      const unhoistableHeaders = ['content-type', 'x-amz-target'];
      const ok = await send(t.endpoint, await jsonList(t.endpoint, { expiresIn: 300, unhoistableHeaders }));
      assert.equal(ok.status, 200, ok.body);
      assert.ok(Array.isArray(JSON.parse(ok.body).QueueUrls));
      const expired = await send(t.endpoint, await jsonList(t.endpoint, { expiresIn: 1, signingDate: new Date(Date.now() - 5_000), unhoistableHeaders }));
      assertJsonDenied(expired, 'InvalidSignatureException', 'SignatureDoesNotMatch', /^Signature expired: /);
    });

    it('a presigned URL with a changed parameter: 403', async () => {
      const signed = await sign(t.endpoint, { method: 'GET', query: { ...LIST_QUERY, QueueNamePrefix: 'a' }, expiresIn: 300 });
      signed.path = signed.path!.replace('QueueNamePrefix=a', 'QueueNamePrefix=b');
      assertXmlDenied(await send(t.endpoint, signed), 'SignatureDoesNotMatch', MISMATCH);
    });

    it('presigned JSON with X-Amz-Target hoisted into the query (the SDK signer\'s default) works', async () => {
      const signed = await jsonList(t.endpoint, { expiresIn: 300 });
      assert.match(signed.path!, /[?&]x-amz-target=AmazonSQS\.ListQueues(&|$)/i);
      assert.equal(signed.headers!['x-amz-target'], undefined);
      const res = await send(t.endpoint, signed);
      assert.equal(res.status, 200, res.body);
      assert.ok(Array.isArray(JSON.parse(res.body).QueueUrls), res.body);
    });

    it('a presigned POST with a signed form body works; form fields come first', async () => {
      const res = await send(t.endpoint, await queryList(t.endpoint, { expiresIn: 300, query: { Action: 'CreateQueue' } }));
      assert.equal(res.status, 200, res.body);
      assert.ok(xml.parse(res.body).ListQueuesResponse, res.body);
    });

    it('a malformed Authorization header: 403, never a 500', async () => {
      for (const auth of ['AWS4-HMAC-SHA256', 'garbage', 'AWS4-HMAC-SHA256 Credential=/, SignedHeaders=, Signature=', 'AWS4-HMAC-SHA256 Credential=test/x/y/sqs/aws4_request, SignedHeaders=host, Signature=00']) {
        const res = await send(t.endpoint, { method: 'POST', headers: { ...FORM_HEADERS, authorization: auth, 'x-amz-date': '20260101T000000Z' }, body: LIST_FORM });
        assert.equal(res.status, 403, `${auth}: ${res.body}`);
        assert.ok(xml.parse(res.body).ErrorResponse, res.body);
      }
    });
  });

  describe('SigV4: only signed bytes choose the operation', () => {
    const FORM = 'application/x-www-form-urlencoded';
    const queueExists = async (name: string) => {
      const out = await t.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      assert.equal(out.QueueUrl, `${t.endpoint}/${ACCOUNT}/${name}`);
    };
    const deleteForm = (name: string) => `Action=DeleteQueue&Version=2012-11-05&QueueUrl=${encodeURIComponent(`${t.endpoint}/${ACCOUNT}/${name}`)}`;
    const getUrlQuery = (name: string) => ({ Action: 'GetQueueUrl', Version: '2012-11-05', QueueName: name });

    it('a presigned URL with an UNSIGNED-PAYLOAD declaration: the body cannot choose the Action', async () => {
      await t.sqs.send(new CreateQueueCommand({ QueueName: 'http-victim-1' }));
      // X-Amz-Content-Sha256=UNSIGNED-PAYLOAD hoisted into the (signed) query string.
      const signed = await sign(t.endpoint, { query: getUrlQuery('http-victim-1'), headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, expiresIn: 300 });
      assert.match(signed.path!, /x-amz-content-sha256=UNSIGNED-PAYLOAD/i);
      const intended = await send(t.endpoint, { ...signed, body: '' });
      assert.equal(intended.status, 200, intended.body);
      assert.equal(xml.parse(intended.body).GetQueueUrlResponse.GetQueueUrlResult.QueueUrl, `${t.endpoint}/${ACCOUNT}/http-victim-1`);
      const attack = await send(t.endpoint, { ...signed, headers: { ...signed.headers, 'content-type': FORM }, body: deleteForm('http-victim-1') });
      assertXmlDenied(attack, 'SignatureDoesNotMatch', MISMATCH);
      await queueExists('http-victim-1');
    });

    it('a presigned URL signed over UNSIGNED-PAYLOAD without declaring it (botocore style): the body cannot choose the Action', async () => {
      await t.sqs.send(new CreateQueueCommand({ QueueName: 'http-victim-2' }));
      // The signer honours the header as the payload hash; it is neither hoisted, nor signed, nor sent.
      const omitted = ['x-amz-content-sha256'];
      const signed = await sign(t.endpoint, {
        query: getUrlQuery('http-victim-2'),
        headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        expiresIn: 300,
        unhoistableHeaders: omitted,
        unsignableHeaders: omitted,
        omitHeaders: omitted,
      });
      assert.doesNotMatch(signed.path!, /content-sha256/i);
      const intended = await send(t.endpoint, { ...signed, body: '' });
      assert.equal(intended.status, 200, intended.body);
      const attack = await send(t.endpoint, { ...signed, headers: { ...signed.headers, 'content-type': FORM }, body: deleteForm('http-victim-2') });
      assertXmlDenied(attack, 'SignatureDoesNotMatch', MISMATCH);
      await queueExists('http-victim-2');
    });

    it('a header-signed request declaring UNSIGNED-PAYLOAD: a body is refused, the query decides', async () => {
      await t.sqs.send(new CreateQueueCommand({ QueueName: 'http-victim-3' }));
      const signed = await sign(t.endpoint, { query: getUrlQuery('http-victim-3'), headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-type': FORM } });
      const attack = await send(t.endpoint, { ...signed, body: deleteForm('http-victim-3') });
      assertXmlDenied(attack, 'SignatureDoesNotMatch', MISMATCH);
      await queueExists('http-victim-3');
      const intended = await send(t.endpoint, { ...signed, body: '' });
      assert.equal(intended.status, 200, intended.body);
      assert.ok(xml.parse(intended.body).GetQueueUrlResponse, intended.body);
    });

    it('an X-Amz-Target header left unsigned: 403, and a swapped one cannot run another operation', async () => {
      const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: 'http-victim-4' }));
      const signed = await sign(t.endpoint, {
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.GetQueueAttributes' },
        body: JSON.stringify({ QueueUrl }),
        unsignableHeaders: ['x-amz-target'],
      });
      assert.doesNotMatch(signed.headers!.authorization!, /x-amz-target/);
      const unswapped = await send(t.endpoint, signed);
      assertJsonDenied(unswapped, 'InvalidSignatureException', 'SignatureDoesNotMatch', /^'X-Amz-Target' must be a 'SignedHeader'/);
      const swapped = await send(t.endpoint, { ...signed, headers: { ...signed.headers, 'x-amz-target': 'AmazonSQS.DeleteQueue' } });
      assertJsonDenied(swapped, 'InvalidSignatureException', 'SignatureDoesNotMatch', /^'X-Amz-Target' must be a 'SignedHeader'/);
      await queueExists('http-victim-4');
      // Presigned, kept as an unsigned header.
      const pre = await jsonList(t.endpoint, { expiresIn: 300, unhoistableHeaders: ['x-amz-target'], unsignableHeaders: ['x-amz-target'] });
      assertJsonDenied(await send(t.endpoint, pre), 'InvalidSignatureException', 'SignatureDoesNotMatch');
    });

    it('Host left out of the signed headers: 403 IncompleteSignature (header and presigned forms)', async () => {
      const message = /^'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization\.$/;
      const json = await jsonList(t.endpoint, { unsignableHeaders: ['host'] });
      assert.doesNotMatch(json.headers!.authorization!, /SignedHeaders=[^,]*host/);
      assertJsonDenied(await send(t.endpoint, json), 'IncompleteSignatureException', 'IncompleteSignature', message);
      assertXmlDenied(await send(t.endpoint, await queryList(t.endpoint, { unsignableHeaders: ['host'] })), 'IncompleteSignature', message);
      const pre = await sign(t.endpoint, { method: 'GET', query: LIST_QUERY, headers: { 'content-type': FORM }, expiresIn: 300, unsignableHeaders: ['host'] });
      assert.match(pre.path!, /X-Amz-SignedHeaders=content-type(&|$)/);
      assertXmlDenied(await send(t.endpoint, pre), 'IncompleteSignature', message);
    });

    it('a signature scoped to another service: 403, even when X-Amz-Target routes it here', async () => {
      const message = /^Credential should be scoped to correct service: 'sqs'\. $/;
      for (const service of ['s3', 'sns', 'dynamodb']) {
        const res = await send(
          t.endpoint,
          await sign(t.endpoint, { service, headers: { ...JSON_HEADERS, 'x-amz-target': 'AmazonSQS.CreateQueue' }, body: '{"QueueName":"http-wrong-scope"}' }),
        );
        assertJsonDenied(res, 'InvalidSignatureException', 'SignatureDoesNotMatch', message);
      }
      const pre = await jsonList(t.endpoint, { service: 'sns', expiresIn: 300 });
      assertJsonDenied(await send(t.endpoint, pre), 'InvalidSignatureException', 'SignatureDoesNotMatch', message);
      const listed = await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'http-wrong-scope' }));
      assert.equal(listed.QueueUrls, undefined);
    });
  });

  describe('body limits', () => {
    it(`a body over ${MAX_BODY_BYTES} bytes: 413, and the server lives on`, async () => {
      const big = Buffer.alloc(MAX_BODY_BYTES + 1, 'a');
      // Declared by Content-Length.
      const declared = await send(t.endpoint, { method: 'POST', headers: FORM_HEADERS, body: big }).catch((e: Error) => e);
      if (!(declared instanceof Error)) {
        assert.equal(declared.status, 413);
        assert.match(String(declared.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/);
      }
      // Chunked, so only counting tells.
      const chunked = await new Promise<RawResponse | Error>((resolve) => {
        const url = new URL(t.endpoint);
        const req = httpRequest({ host: url.hostname, port: url.port, method: 'POST', path: '/', headers: { ...FORM_HEADERS, 'transfer-encoding': 'chunked' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
          res.on('error', resolve);
        });
        req.on('error', resolve);
        const piece = Buffer.alloc(64 * 1024, 'b');
        let written = 0;
        const pump = () => {
          while (written <= MAX_BODY_BYTES + piece.length) {
            written += piece.length;
            if (!req.write(piece)) return void req.once('drain', pump);
          }
          req.end();
        };
        pump();
      });
      if (!(chunked instanceof Error)) assert.equal(chunked.status, 413);
      assert.ok(!(declared instanceof Error) || !(chunked instanceof Error), 'at least one 413 must be read back');
      // Still serving.
      const res = await send(t.endpoint, { path: '/_nimbus/health' });
      assert.equal(res.status, 200);
      await t.sqs.send(new ListQueuesCommand({}));
    });

    it('Expect: 100-continue: an oversized body is refused before it is sent; a small one is read', async () => {
      const url = new URL(t.endpoint);
      const expectContinue = (headers: Record<string, string>, body: Buffer) =>
        new Promise<RawResponse & { continued: boolean }>((resolve, reject) => {
          let continued = false;
          const req = httpRequest({ host: url.hostname, port: url.port, method: 'POST', path: '/', headers: { ...headers, expect: '100-continue' } });
          req.on('response', (r) => {
            const chunks: Buffer[] = [];
            r.on('data', (c: Buffer) => chunks.push(c));
            r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks).toString(), continued }));
          });
          req.on('continue', () => {
            continued = true;
            req.end(body);
          });
          req.on('error', reject);
          req.flushHeaders();
        });
      const big = await expectContinue({ ...FORM_HEADERS, 'content-length': String(MAX_BODY_BYTES + 10) }, Buffer.alloc(MAX_BODY_BYTES + 10));
      assert.equal(big.status, 413);
      assert.equal(big.continued, false, 'the server asked for a body it refuses');
      const small = await sign(t.endpoint, { headers: FORM_HEADERS, body: LIST_FORM });
      const ok = await expectContinue({ ...small.headers, 'content-length': String(LIST_FORM.length) }, Buffer.from(LIST_FORM));
      assert.equal(ok.status, 200, ok.body);
      assert.equal(ok.continued, true);
    });

    it('a maximum-size SQS message fits, however its wire encoding inflates it', async () => {
      const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: 'http-max-size' }));
      // 1 MiB (SQS's maximum) of characters JSON escapes (2 bytes each) and forms percent-encode (3).
      const body = '"&'.repeat(512 * 1024);
      const json = await t.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
      assert.ok(json.MessageId);
      const form = new URLSearchParams({ Action: 'SendMessage', Version: '2012-11-05', QueueUrl: QueueUrl!, MessageBody: body }).toString();
      assert.ok(form.length > 3 * 1024 * 1024);
      const res = await send(t.endpoint, await sign(t.endpoint, { headers: FORM_HEADERS, body: form }));
      assert.equal(res.status, 200, res.body.slice(0, 500));
      assert.ok(xml.parse(res.body).SendMessageResponse.SendMessageResult.MessageId);
      // A batch of ten messages totalling 1 MiB, each with a binary attribute (base64, then percent-encoded).
      const entries = Array.from({ length: 10 }, (_, i) => ({ i, body: '&'.repeat(90 * 1024), bin: Buffer.alloc(10 * 1024, 0xfb) }));
      const params: Record<string, string> = { Action: 'SendMessageBatch', Version: '2012-11-05', QueueUrl: QueueUrl! };
      for (const e of entries) {
        const p = `SendMessageBatchRequestEntry.${e.i + 1}`;
        Object.assign(params, {
          [`${p}.Id`]: `m${e.i}`,
          [`${p}.MessageBody`]: e.body,
          [`${p}.MessageAttribute.1.Name`]: 'bin',
          [`${p}.MessageAttribute.1.Value.DataType`]: 'Binary',
          [`${p}.MessageAttribute.1.Value.BinaryValue`]: e.bin.toString('base64'),
        });
      }
      const batch = await send(t.endpoint, await sign(t.endpoint, { headers: FORM_HEADERS, body: new URLSearchParams(params).toString() }));
      assert.equal(batch.status, 200, batch.body.slice(0, 500));
      assert.doesNotMatch(batch.body, /BatchResultErrorEntry/);
    });

    it('a body just under the limit is read (and rejected by SQS, not the server)', async () => {
      const body = `Action=SendMessage&Version=2012-11-05&QueueUrl=${encodeURIComponent(`${t.endpoint}/${ACCOUNT}/http-ok`)}&MessageBody=`;
      const padded = body + 'x'.repeat(MAX_BODY_BYTES - body.length);
      const res = await send(t.endpoint, await sign(t.endpoint, { headers: FORM_HEADERS, body: padded }));
      assert.equal(res.status, 400, res.body.slice(0, 500));
      assert.equal(xml.parse(res.body).ErrorResponse.Error.Code, 'InvalidParameterValue');
    });
  });

  describe('malformed HTTP', () => {
    it('garbage on the socket gets a 400 and the server lives on', async () => {
      const url = new URL(t.endpoint);
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(url.port), url.hostname, () => socket.end('NOT HTTP AT ALL\r\n\r\n'));
        let data = '';
        socket.on('data', (c) => (data += c));
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });
      assert.match(reply, /^HTTP\/1\.1 400 /);
      assert.match(reply, /\r\nx-amzn-RequestId: [0-9a-f-]{36}\r\n/i);
      assert.equal((await send(t.endpoint, { path: '/_nimbus/health' })).status, 200);
    });

    it('oversized headers get a 400, as AWS answers them (not node\'s 431)', async () => {
      const res = await send(t.endpoint, { path: '/_nimbus/health', headers: { 'x-padding': 'p'.repeat(64 * 1024) } });
      assert.equal(res.status, 400);
      assert.match(String(res.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/);
      assert.equal((await send(t.endpoint, { path: '/_nimbus/health' })).status, 200);
    });
  });
});

describe('graceful shutdown', () => {
  it('answers a long poll (empty) promptly and stop() resolves', async () => {
    const t = await startTestNimbus({ clock: 'system' });
    const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: 'shutdown-poll' }));
    const started = Date.now();
    const poll = t.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 300)); // the poll is now waiting on the server
    await t.nimbus.stop();
    const out = await poll;
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 5_000, `the long poll took ${elapsed} ms to be answered`);
    assert.equal(out.Messages, undefined);
    assert.equal(out.$metadata.httpStatusCode, 200);
    t.sqs.destroy();
  });

  it('a query-protocol long poll is answered too', async () => {
    const t = await startTestNimbus({ clock: 'system' });
    const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: 'shutdown-query-poll' }));
    const started = Date.now();
    const poll = send(t.endpoint, await queryList(t.endpoint, { body: `Action=ReceiveMessage&Version=2012-11-05&WaitTimeSeconds=20&QueueUrl=${encodeURIComponent(QueueUrl!)}` }));
    await new Promise((r) => setTimeout(r, 300));
    await t.stop();
    const res = await poll;
    assert.ok(Date.now() - started < 5_000);
    assert.equal(res.status, 200, res.body);
    assert.ok(xml.parse(res.body).ReceiveMessageResponse, res.body);
  });

  it('a long poll whose client hung up does not hold up stop()', async () => {
    const t = await startTestNimbus({ clock: 'system' });
    const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: 'shutdown-hung-up' }));
    const signed = await sign(t.endpoint, {
      headers: { ...JSON_HEADERS, 'x-amz-target': 'AmazonSQS.ReceiveMessage' },
      body: JSON.stringify({ QueueUrl, WaitTimeSeconds: 20 }),
    });
    const url = new URL(t.endpoint);
    const req = httpRequest({ host: url.hostname, port: url.port, method: 'POST', path: signed.path, headers: signed.headers });
    req.on('error', () => {});
    req.end(signed.body);
    await new Promise((r) => setTimeout(r, 200));
    req.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await t.stop();
    assert.ok(Date.now() - started < 5_000, `stop() took ${Date.now() - started} ms`);
  });

  it('requests during and after shutdown do not crash the process', async () => {
    const t = await startTestNimbus({ clock: 'system' });
    const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: 'shutdown-during' }));
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    try {
      // Open keep-alive connections, then shut down while requests keep coming on them.
      const warm = await Promise.all([1, 2, 3].map(async () => send(t.endpoint, { ...(await jsonList(t.endpoint)), agent })));
      for (const r of warm) assert.equal(r.status, 200);
      const poll = t.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
      await new Promise((r) => setTimeout(r, 200));
      const stopping = t.nimbus.stop();
      const during = await Promise.allSettled(
        Array.from({ length: 10 }, async (_, i) =>
          send(t.endpoint, {
            ...(await sign(t.endpoint, {
              headers: { ...JSON_HEADERS, 'x-amz-target': 'AmazonSQS.SendMessage' },
              body: JSON.stringify({ QueueUrl, MessageBody: `m${i}` }),
            })),
            agent,
          }),
        ),
      );
      await stopping;
      await poll;
      for (const r of during) {
        // Refused, reset, or answered: all fine; a 500 is not.
        if (r.status === 'fulfilled') assert.ok(r.value.status < 500, `${r.value.status}: ${r.value.body}`);
      }
      const afterStop = await send(t.endpoint, { path: '/_nimbus/health' }).then(
        (r) => r,
        (e: NodeJS.ErrnoException) => e,
      );
      assert.ok(afterStop instanceof Error, 'the server no longer accepts connections');
      assert.equal((afterStop as NodeJS.ErrnoException).code, 'ECONNREFUSED');
      // stop() is idempotent.
      await t.nimbus.stop();
    } finally {
      agent.destroy();
      t.sqs.destroy();
    }
  });

  it('a request in flight when stop() is called is finished', async () => {
    const t = await startTestNimbus({ clock: 'system' });
    const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: 'shutdown-in-flight' }));
    const signed = await sign(t.endpoint, {
      headers: { ...JSON_HEADERS, 'x-amz-target': 'AmazonSQS.SendMessage' },
      body: JSON.stringify({ QueueUrl, MessageBody: 'in flight' }),
    });
    const body = Buffer.from(signed.body!);
    const url = new URL(t.endpoint);
    const res = new Promise<RawResponse>((resolve, reject) => {
      const req = httpRequest(
        { host: url.hostname, port: url.port, method: 'POST', path: signed.path, headers: { ...signed.headers, 'content-length': String(body.length) } },
        (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks).toString() }));
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, 10));
      setTimeout(() => {
        stopped = t.nimbus.stop();
        setTimeout(() => req.end(body.subarray(10)), 100);
      }, 300);
    });
    let stopped: Promise<void> | undefined;
    const answer = await res;
    await stopped;
    assert.equal(answer.status, 200, answer.body);
    assert.ok(JSON.parse(answer.body).MessageId);
    assert.equal(answer.headers.connection, 'close');
    t.sqs.destroy();
  });

  it('a message sent before stop() survives in a data directory', async () => {
    const t = await startTestNimbus({ clock: 'system', memory: false });
    const dataDir = t.dataDir!;
    const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: 'shutdown-durable' }));
    await t.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'kept' }));
    t.sqs.destroy();
    await t.nimbus.stop();
    const again = await startTestNimbus({ clock: 'system', dataDir });
    try {
      const out = await again.sqs.send(new ReceiveMessageCommand({ QueueUrl: `${again.endpoint}/${ACCOUNT}/shutdown-durable` }));
      assert.equal(out.Messages?.[0]?.Body, 'kept');
    } finally {
      await again.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
