import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest, buildQueryString } from '@smithy/core/protocols';
import { AwsError } from '../../src/protocols/errors.js';
import {
  SigV4Verifier,
  amzDate,
  requireSigningService,
  signingScope,
  type Credentials,
  type SigV4Request,
} from '../../src/protocols/sigv4.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const MIN = 60_000;
const clock = { now: () => NOW, at: () => ({ cancel() {} }) };
const CREDS: Credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  accountId: '000000000000',
};
const verifier = new SigV4Verifier((id) => (id === CREDS.accessKeyId ? CREDS : undefined), clock);

interface SignOptions {
  service?: string;
  region?: string;
  method?: string;
  path?: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string | Buffer;
  accessKeyId?: string;
  secret?: string;
  at?: number;
  applyChecksum?: boolean;
  /** presign instead of signing headers */
  expiresIn?: number;
  /** headers sent but left out of the signature */
  unsignableHeaders?: string[];
  /** presign: headers kept as headers rather than hoisted into the query string */
  unhoistableHeaders?: string[];
  /** headers removed after signing (e.g. a payload-hash declaration the signer honoured) */
  omitHeaders?: string[];
}

/** Signs with the real SDK signer, then reshapes the request the way node's http server delivers it. */
async function sign(o: SignOptions = {}): Promise<SigV4Request> {
  const service = o.service ?? 'sqs';
  const signer = new SignatureV4({
    service,
    region: o.region ?? 'us-east-1',
    sha256: Sha256,
    credentials: { accessKeyId: o.accessKeyId ?? CREDS.accessKeyId, secretAccessKey: o.secret ?? CREDS.secretAccessKey },
    uriEscapePath: service !== 's3',
    applyChecksum: o.applyChecksum ?? true,
  });
  const request = new HttpRequest({
    method: o.method ?? 'POST',
    protocol: 'http:',
    hostname: 'localhost',
    port: 4566,
    path: o.path ?? '/',
    query: o.query ?? {},
    headers: { host: 'localhost:4566', ...o.headers },
    body: o.body,
  });
  const signingDate = new Date(o.at ?? NOW);
  const unsignableHeaders = new Set(o.unsignableHeaders);
  const signed =
    o.expiresIn === undefined
      ? await signer.sign(request, { signingDate, unsignableHeaders })
      : await signer.presign(request, { signingDate, expiresIn: o.expiresIn, unsignableHeaders, unhoistableHeaders: new Set(o.unhoistableHeaders) });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = v;
  for (const name of o.omitHeaders ?? []) delete headers[name];
  return {
    method: signed.method,
    path: signed.path,
    query: buildQueryString(signed.query as Record<string, string | string[]>),
    headers,
    body: o.body === undefined ? Buffer.alloc(0) : Buffer.from(o.body),
  };
}

function assertDenied(fn: () => unknown, code: string, queryCode: string, message?: string | RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AwsError, `expected AwsError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.queryCode, queryCode);
    assert.equal(e.status, 403);
    assert.equal(e.fault, 'Sender');
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}
const MISMATCH = /^The request signature we calculated does not match the signature you provided\./;
const assertMismatch = (req: SigV4Request, message: string | RegExp = MISMATCH) =>
  assertDenied(() => verifier.verify(req), 'InvalidSignatureException', 'SignatureDoesNotMatch', message);

const jsonRequest = () =>
  sign({
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' },
    body: JSON.stringify({ QueueUrl: 'http://localhost:4566/000000000000/q', MessageBody: 'héllo  "world" €' }),
  });

describe('amzDate', () => {
  it('formats epoch ms as ISO 8601 basic', () => {
    assert.equal(amzDate(Date.UTC(2013, 4, 24, 0, 5, 9, 999)), '20130524T000509Z');
  });
});

describe('SigV4Verifier matches AWS documentation examples', () => {
  // The IAM example uses secret '...MDENG+bPx...', the S3 examples '...MDENG/bPx...'.
  const secrets: Record<string, string> = {
    AKIDEXAMPLE: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    AKIAIOSFODNN7EXAMPLE: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  };
  const at = (iso: string) =>
    new SigV4Verifier(
      (id) => (secrets[id] ? { accessKeyId: id, secretAccessKey: secrets[id]!, accountId: '111122223333' } : undefined),
      { now: () => Date.parse(iso), at: () => ({ cancel() {} }) },
    );
  const empty = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

  it('IAM ListUsers (create-signed-request.html)', () => {
    const id = at('2015-08-30T12:36:00Z').verify({
      method: 'GET',
      path: '/',
      query: 'Action=ListUsers&Version=2010-05-08',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        host: 'iam.amazonaws.com',
        'x-amz-date': '20150830T123600Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, ' +
          'SignedHeaders=content-type;host;x-amz-date, ' +
          'Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
      },
      body: Buffer.alloc(0),
    });
    assert.deepEqual(id, { accessKeyId: 'AKIDEXAMPLE', accountId: '111122223333', region: 'us-east-1', service: 'iam', payloadSigned: true, payloadHash: empty });
  });

  it('S3 GET object with Range (sig-v4-header-based-auth.html)', () => {
    at('2013-05-24T00:05:00Z').verify({
      method: 'GET',
      path: '/test.txt',
      query: '',
      headers: {
        host: 'examplebucket.s3.amazonaws.com',
        range: 'bytes=0-9',
        'x-amz-content-sha256': empty,
        'x-amz-date': '20130524T000000Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
          'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,' +
          'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
      },
      body: Buffer.alloc(0),
    });
  });

  it('S3 presigned GET (sigv4-query-string-auth.html)', () => {
    const req = {
      method: 'GET',
      path: '/test.txt',
      query:
        'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
        '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
        '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
      headers: { host: 'examplebucket.s3.amazonaws.com' },
      body: Buffer.alloc(0),
    };
    at('2013-05-24T23:59:59Z').verify(req);
    assertDenied(
      () => at('2013-05-25T00:00:01Z').verify(req),
      'InvalidSignatureException',
      'SignatureDoesNotMatch',
      'Signature expired: 20130525T000000Z is now earlier than 20130525T000001Z',
    );
  });

  it('header form dated by the Date header when X-Amz-Date is absent', async () => {
    const { createHash, createHmac } = await import('node:crypto');
    const hmac = (k: string | Buffer, d: string) => createHmac('sha256', k).update(d).digest();
    const date = 'Thu, 15 Jan 2026 12:00:00 GMT';
    const canonical = ['GET', '/', '', `date:${date}`, 'host:localhost:4566', '', 'date;host', empty].join('\n');
    const scope = '20260115/us-east-1/sqs/aws4_request';
    const hashed = createHash('sha256').update(canonical).digest('hex');
    const toSign = ['AWS4-HMAC-SHA256', '20260115T120000Z', scope, hashed].join('\n');
    let key: Buffer = hmac(`AWS4${CREDS.secretAccessKey}`, '20260115');
    for (const part of ['us-east-1', 'sqs', 'aws4_request']) key = hmac(key, part);
    const signature = createHmac('sha256', key).update(toSign).digest('hex');
    const headers = {
      date,
      host: 'localhost:4566',
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${scope}, SignedHeaders=date;host, Signature=${signature}`,
    };
    const req = { method: 'GET', path: '/', query: '', headers, body: Buffer.alloc(0) };
    verifier.verify(req);
    assertMismatch({ ...req, headers: { ...headers, date: 'Thu, 15 Jan 2026 12:00:01 GMT' } });
  });
});

describe('SigV4Verifier accepts SDK-signed requests', () => {
  it('POST with a JSON body and X-Amz-Target', async () => {
    const req = await jsonRequest();
    assert.ok(req.headers['x-amz-content-sha256']);
    assert.deepEqual(verifier.verify(req), {
      accessKeyId: 'AKIDEXAMPLE',
      accountId: '000000000000',
      region: 'us-east-1',
      service: 'sqs',
      payloadSigned: true,
      payloadHash: req.headers['x-amz-content-sha256'],
    });
  });

  it('POST with a JSON body and no x-amz-content-sha256 header (body hashed)', async () => {
    const req = await sign({ headers: { 'x-amz-target': 'AmazonSQS.ListQueues' }, body: '{}', applyChecksum: false });
    assert.equal(req.headers['x-amz-content-sha256'], undefined);
    verifier.verify(req);
  });

  it('POST with a form body', async () => {
    const req = await sign({
      region: 'eu-west-3',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body:
        'Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq' +
        '&MessageBody=a%20b%2Bc',
    });
    assert.equal(verifier.verify(req).region, 'eu-west-3');
  });

  it('GET with query parameters containing spaces, special characters and unicode', async () => {
    const req = await sign({
      method: 'GET',
      path: '/',
      query: {
        'a b': 'x y',
        sym: "!*'();:@&=+$,/?#[]%~-_.",
        uni: 'héllo €𝄞 日本',
        multi: ['b', 'a', 'a c'],
        empty: '',
        Action: 'ListQueues',
      },
    });
    assert.match(req.query, /%E2%82%AC/);
    verifier.verify(req);
  });

  it('presigned GET', async () => {
    const req = await sign({ method: 'GET', query: { Action: 'ListQueues', Prefix: 'a b' }, expiresIn: 300 });
    assert.equal(req.headers['authorization'], undefined);
    assert.match(req.query, /X-Amz-Signature=/);
    assert.equal(verifier.verify(req).service, 'sqs');
  });

  it('presigned S3 GET with a hoisted x-amz-content-sha256=UNSIGNED-PAYLOAD', async () => {
    const req = await sign({
      service: 's3',
      method: 'GET',
      path: '/bucket/my%20key.txt',
      query: { 'x-id': 'GetObject' },
      headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      expiresIn: 3600,
    });
    assert.match(req.query, /x-amz-content-sha256=UNSIGNED-PAYLOAD/);
    assert.equal(verifier.verify(req).service, 's3');
  });

  it('path with characters needing encoding (non-S3 double-encodes)', async () => {
    const req = await sign({
      service: 'lambda',
      path: '/2015-03-31/functions/my%20fn%3A1%E2%82%AC/invocations',
      headers: { 'content-type': 'application/json' },
      body: '{"k":1}',
    });
    assert.equal(verifier.verify(req).service, 'lambda');
  });

  it('S3 with UNSIGNED-PAYLOAD signs the path as received', async () => {
    const req = await sign({
      service: 's3',
      method: 'PUT',
      path: '/bucket/dir/my%20key%2Bx%E2%82%AC.txt',
      headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-type': 'text/plain' },
      body: Buffer.from('any bytes at all'),
    });
    assert.equal(verifier.verify(req).payloadSigned, false);
    assert.equal(verifier.verify({ ...req, body: Buffer.from('a different body: payload is unsigned') }).payloadSigned, false);
  });

  it('signature check is exact at 14 minutes of skew either way', async () => {
    verifier.verify(await jsonRequest());
    verifier.verify(await sign({ body: '{}', at: NOW - 14 * MIN }));
    verifier.verify(await sign({ body: '{}', at: NOW + 14 * MIN }));
  });

  it('presigned URL is valid until X-Amz-Date + X-Amz-Expires', async () => {
    verifier.verify(await sign({ method: 'GET', at: NOW - 60_000, expiresIn: 60 }));
  });

  it('signingScope reads the scope from the header or the query, without crypto', async () => {
    const json = await jsonRequest();
    assert.deepEqual(signingScope(json), { accessKeyId: 'AKIDEXAMPLE', region: 'us-east-1', service: 'sqs' });
    const pre = await sign({ service: 's3', region: 'ap-south-1', method: 'GET', path: '/b/k', expiresIn: 60 });
    assert.deepEqual(signingScope(pre), { accessKeyId: 'AKIDEXAMPLE', region: 'ap-south-1', service: 's3' });
    assert.equal(signingScope({ headers: {}, query: '' }), undefined);
    assert.equal(signingScope({ headers: { authorization: 'Bearer x' }, query: '' }), undefined);
    assert.equal(signingScope({ headers: {}, query: 'X-Amz-Credential=%zz' }), undefined);
  });
});

describe('SigV4Verifier refuses', () => {
  let req0: SigV4Request;
  before(async () => {
    req0 = await sign({ body: '{}', accessKeyId: 'AKIDUNKNOWN' });
  });

  it('a wrong secret', async () => {
    assertMismatch(await sign({ body: '{}', secret: 'not-the-secret' }));
  });

  it('a tampered body (with and without x-amz-content-sha256)', async () => {
    const req = await jsonRequest();
    assertMismatch({ ...req, body: Buffer.from(req.body.toString().replace('world', 'w0rld')) });
    const bare = await sign({ body: '{"a":1}', applyChecksum: false });
    assertMismatch({ ...bare, body: Buffer.from('{"a":2}') });
  });

  it('a tampered signed header, query, path or method', async () => {
    const req = await jsonRequest();
    assertMismatch({ ...req, headers: { ...req.headers, 'x-amz-target': 'AmazonSQS.DeleteQueue' } });
    assertMismatch({ ...req, query: 'Action=DeleteQueue' });
    assertMismatch({ ...req, path: '/other' });
    assertMismatch({ ...req, method: 'PUT' });
    const pre = await sign({ method: 'GET', query: { Action: 'ListQueues' }, expiresIn: 300 });
    assertMismatch({ ...pre, query: pre.query.replace('ListQueues', 'DeleteQueue') });
  });

  it('an unknown access key', async () => {
    assertDenied(
      () => verifier.verify(req0),
      'UnrecognizedClientException',
      'InvalidClientTokenId',
      'The security token included in the request is invalid.',
    );
  });

  it('a missing signature', () => {
    for (const req of [
      { method: 'GET', path: '/', query: '', headers: {}, body: Buffer.alloc(0) },
      { method: 'GET', path: '/', query: 'Action=X', headers: { 'x-amz-date': '20260115T120000Z' }, body: Buffer.alloc(0) },
    ])
      assertDenied(
        () => verifier.verify(req),
        'MissingAuthenticationTokenException',
        'MissingAuthenticationToken',
        'Missing Authentication Token',
      );
  });

  it('a malformed Authorization header', async () => {
    const base = { method: 'POST', path: '/', query: '', body: Buffer.alloc(0) };
    const incomplete = (headers: Record<string, string>, message: string | RegExp) =>
      assertDenied(() => verifier.verify({ ...base, headers }), 'IncompleteSignatureException', 'IncompleteSignature', message);
    incomplete(
      { authorization: 'Bearer abc' },
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either " +
        "a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer abc",
    );
    const cred = 'Credential=AKIDEXAMPLE/20260115/us-east-1/sqs/aws4_request';
    incomplete(
      { authorization: `AWS4-HMAC-SHA256 ${cred}`, 'x-amz-date': '20260115T120000Z' },
      "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. " +
        `Authorization=AWS4-HMAC-SHA256 ${cred}`,
    );
    const rest = 'SignedHeaders=host;x-amz-date, Signature=abcd';
    const date = { 'x-amz-date': '20260115T120000Z' };
    const good = `AWS4-HMAC-SHA256 ${cred}, ${rest}`;
    incomplete({ authorization: `AWS4-HMAC-SHA512 ${cred}, ${rest}`, ...date }, "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'");
    incomplete({ authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260115/sqs, ${rest}`, ...date }, /^Credential should/);
    incomplete({ authorization: `AWS4-HMAC-SHA256 ${cred}x, ${rest}`, ...date }, /terminator: 'aws4_request', not 'aws4_requestx'/);
    incomplete({ authorization: good, 'x-amz-date': '2026-01-15T12:00:00Z' }, /ISO-8601 'basic format'/);
    incomplete({ authorization: good, 'x-amz-date': '20260230T120000Z' }, /ISO-8601 'basic format'/);
    incomplete({ authorization: good, date: 'not a date' }, /ISO-8601 'basic format'/);
    assertMismatch(
      { ...base, headers: { authorization: `AWS4-HMAC-SHA256 ${cred}, ${rest}`, 'x-amz-date': '20260116T120000Z' } },
      /^Date in Credential scope does not match YYYYMMDD .*'20260115' != '20260116'/,
    );
  });

  it('a request signed 16 minutes in the past or the future', async () => {
    assertMismatch(
      await sign({ body: '{}', at: NOW - 16 * MIN }),
      'Signature expired: 20260115T114400Z is now earlier than 20260115T114500Z (20260115T120000Z - 15 min.)',
    );
    assertMismatch(
      await sign({ body: '{}', at: NOW + 16 * MIN }),
      'Signature not yet current: 20260115T121600Z is still later than 20260115T121500Z (20260115T120000Z + 15 min.)',
    );
  });

  it('an expired or not yet current presigned URL, or a bad X-Amz-Expires', async () => {
    assertMismatch(
      await sign({ method: 'GET', at: NOW - 61_000, expiresIn: 60 }),
      'Signature expired: 20260115T115959Z is now earlier than 20260115T120000Z',
    );
    assertMismatch(await sign({ method: 'GET', at: NOW + 16 * MIN, expiresIn: 3600 }), /^Signature not yet current/);
    const pre = await sign({ method: 'GET', expiresIn: 60 });
    // X-Amz-Expires=0 is well formed and expired at once, even within its X-Amz-Date's second.
    assertMismatch(await sign({ method: 'GET', at: NOW, expiresIn: 0 }), 'Signature expired: 20260115T120000Z is now earlier than 20260115T120000Z');
    for (const bad of ['604801', '-5', 'abc', ''])
      assertDenied(
        () => verifier.verify({ ...pre, query: pre.query.replace('X-Amz-Expires=60', `X-Amz-Expires=${bad}`) }),
        'IncompleteSignatureException',
        'IncompleteSignature',
      );
  });

  it('garbage of every kind with AwsError only', async () => {
    const valid = [await jsonRequest(), await sign({ method: 'GET', query: { q: 'a b€' }, expiresIn: 300 })];
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const alphabet = ['%', '%z', '%E2%82', '%00', '&', '=', '/', ';', ',', ' ', '\ud800', '€', 'a', 'Z', '0', '\n', '\t', 'X-Amz-'];
    const junk = () => Array.from({ length: rand(12) }, () => alphabet[rand(alphabet.length)]).join('');
    const mutate = (s: string) => {
      const i = rand(s.length + 1);
      return rand(3) === 0 ? junk() : s.slice(0, i) + junk() + s.slice(i + rand(4));
    };
    const cases: SigV4Request[] = [
      { method: 'GET', path: '/', query: '%', headers: {}, body: Buffer.alloc(0) },
      { method: 'GET', path: '/', query: 'X-Amz-Credential=%zz&X-Amz-Signature=%E2', headers: {}, body: Buffer.alloc(0) },
      { method: 'GET', path: '/%zz/%', query: '', headers: { authorization: ['a', 'b'] }, body: Buffer.alloc(0) },
      {
        method: 'GET',
        path: '/',
        query: '',
        headers: {
          authorization:
            'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260115/us-east-1/sqs/aws4_request, ' +
            'SignedHeaders=__proto__;constructor;;, Signature=00',
          'x-amz-date': '20260115T120000Z',
        },
        body: Buffer.alloc(0),
      },
      { ...valid[0]!, headers: { ...valid[0]!.headers, date: 'Sat, 13 Sep 275760 00:00:00 GMT', 'x-amz-date': undefined } },
      { ...valid[0]!, body: undefined as unknown as Buffer, headers: { ...valid[0]!.headers, 'x-amz-content-sha256': undefined } },
      { ...valid[0]!, headers: null as unknown as SigV4Request['headers'] },
      { ...valid[1]!, query: null as unknown as string, path: undefined as unknown as string },
    ];
    for (let i = 0; i < 3000; i++) {
      const v = valid[rand(valid.length)]!;
      const headers = { ...v.headers };
      const names = Object.keys(headers);
      const name = rand(4) === 0 ? junk().toLowerCase() : names[rand(names.length)]!;
      headers[name] = mutate(String(headers[name] ?? ''));
      cases.push({ ...v, headers, query: rand(2) ? mutate(v.query) : v.query, path: rand(4) ? v.path : mutate(v.path) });
    }
    let accepted = 0;
    for (const req of cases) {
      try {
        verifier.verify(req);
        accepted++;
      } catch (e) {
        assert.ok(e instanceof AwsError, `non-AwsError for ${JSON.stringify(req)}: ${String(e)}`);
        assert.equal(e.status, 403);
      }
      assert.doesNotThrow(() => signingScope(req));
    }
    assert.ok(accepted < cases.length / 2);
  });
});

describe('SigV4Verifier requires the signature to cover what chooses the operation', () => {
  const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
  const BODY = 'Action=DeleteQueue&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq';
  const UNSIGNED = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
  const withBody = (req: SigV4Request, body: string = BODY) => ({ ...req, body: Buffer.from(body) });

  it('payloadSigned: true when the signed payload hash is the body\'s', async () => {
    assert.equal(verifier.verify(await jsonRequest()).payloadSigned, true);
    assert.equal(verifier.verify(await sign({ body: '{}', applyChecksum: false })).payloadSigned, true);
    assert.equal(verifier.verify(await sign({ headers: FORM, body: BODY, expiresIn: 300 })).payloadSigned, true);
    assert.equal(verifier.verify(await sign({ method: 'GET', expiresIn: 300 })).payloadSigned, true);
  });

  it('outside S3, an unsigned payload must be empty: header form declaring UNSIGNED-PAYLOAD', async () => {
    const req = await sign({ query: { Action: 'GetQueueUrl', QueueName: 'q' }, headers: { ...FORM, ...UNSIGNED } });
    assert.equal(verifier.verify(req).payloadSigned, false);
    assertMismatch(withBody(req));
    for (const hash of ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER']) {
      const streaming = await sign({ service: 'lambda', headers: { 'x-amz-content-sha256': hash } });
      assert.equal(verifier.verify(streaming).payloadSigned, false);
      assertMismatch(withBody(streaming, '{}'));
    }
  });

  it('outside S3, an unsigned payload must be empty: presigned, UNSIGNED-PAYLOAD hoisted into the query', async () => {
    const req = await sign({ query: { Action: 'GetQueueUrl', QueueName: 'q' }, headers: UNSIGNED, expiresIn: 300 });
    assert.match(req.query, /x-amz-content-sha256=UNSIGNED-PAYLOAD/i);
    assert.equal(verifier.verify(req).payloadSigned, false);
    assertMismatch(withBody(req));
    assertMismatch(withBody(req, '{"QueueUrl":"http://localhost:4566/000000000000/q"}'));
  });

  it('outside S3, an unsigned payload must be empty: presigned over UNSIGNED-PAYLOAD, undeclared (botocore)', async () => {
    const hidden = ['x-amz-content-sha256'];
    const req = await sign({
      query: { Action: 'GetQueueUrl', QueueName: 'q' },
      headers: UNSIGNED,
      expiresIn: 300,
      unsignableHeaders: hidden,
      unhoistableHeaders: hidden,
      omitHeaders: hidden,
    });
    assert.doesNotMatch(req.query, /content-sha256/i);
    assert.equal(req.headers['x-amz-content-sha256'], undefined);
    assert.equal(verifier.verify(req).payloadSigned, false);
    assertMismatch(withBody(req));
  });

  it('S3 keeps unsigned payloads (object bytes, never parameters)', async () => {
    const put = await sign({ service: 's3', method: 'PUT', path: '/b/k', headers: UNSIGNED, body: 'bytes' });
    assert.equal(verifier.verify(put).payloadSigned, false);
    const pre = await sign({ service: 's3', method: 'PUT', path: '/b/k', headers: UNSIGNED, expiresIn: 300 });
    assert.equal(verifier.verify(withBody(pre, 'object bytes')).payloadSigned, false);
  });

  it('host must be a signed header (header and presigned forms)', async () => {
    const message = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.";
    const incomplete = (req: SigV4Request) =>
      assertDenied(() => verifier.verify(req), 'IncompleteSignatureException', 'IncompleteSignature', message);
    const header = await sign({ headers: { 'x-amz-target': 'AmazonSQS.ListQueues' }, body: '{}', unsignableHeaders: ['host'] });
    assert.doesNotMatch(String(header.headers['authorization']), /SignedHeaders=[^,]*host/);
    incomplete(header);
    const pre = await sign({ method: 'GET', query: { Action: 'ListQueues' }, headers: FORM, expiresIn: 300, unsignableHeaders: ['host'] });
    assert.match(pre.query, /X-Amz-SignedHeaders=content-type(&|$)/);
    incomplete(pre);
    // Uppercase is not the canonical (lower-case) name: not signed either.
    incomplete({
      method: 'GET',
      path: '/',
      query: '',
      headers: {
        host: 'localhost:4566',
        'x-amz-date': '20260115T120000Z',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260115/us-east-1/sqs/aws4_request, SignedHeaders=Host;x-amz-date, Signature=00',
      },
      body: Buffer.alloc(0),
    });
  });

  it('x-amz-target, when present, must be a signed header', async () => {
    const message = "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.";
    const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.GetQueueAttributes' };
    const req = await sign({ headers, body: '{"QueueUrl":"http://localhost:4566/000000000000/q"}', unsignableHeaders: ['x-amz-target'] });
    assertMismatch(req, message);
    assertMismatch({ ...req, headers: { ...req.headers, 'x-amz-target': 'AmazonSQS.DeleteQueue' } }, message);
    // Presigned with the header kept (unhoisted) but unsigned.
    const pre = await sign({ headers, expiresIn: 300, unhoistableHeaders: ['x-amz-target'], unsignableHeaders: ['x-amz-target'] });
    assertMismatch(pre, message);
    // A header added to a presigned URL that never had one.
    const get = await sign({ method: 'GET', query: { Action: 'ListQueues' }, expiresIn: 300 });
    assertMismatch({ ...get, headers: { ...get.headers, 'x-amz-target': 'AmazonSQS.DeleteQueue' } }, message);
    // Signed (header form, or presigned kept as a header, or hoisted into the signed query): fine.
    verifier.verify(await sign({ headers, body: '{}' }));
    verifier.verify(await sign({ headers, expiresIn: 300, unhoistableHeaders: ['x-amz-target'] }));
    const hoisted = await sign({ headers, expiresIn: 300 });
    assert.match(hoisted.query, /x-amz-target=AmazonSQS.GetQueueAttributes/i);
    verifier.verify(hoisted);
  });

  it('requireSigningService: the scope must name the routed service', async () => {
    const identity = verifier.verify(await sign({ service: 's3', method: 'GET', path: '/b/k' }));
    assert.equal(identity.service, 's3');
    requireSigningService(identity, 's3');
    assertDenied(
      () => requireSigningService(identity, 'sqs'),
      'InvalidSignatureException',
      'SignatureDoesNotMatch',
      "Credential should be scoped to correct service: 'sqs'. ",
    );
  });
});

describe('SigV4Verifier: keys limited to some signing names', () => {
  // Nimbus's own service-principal keys (CloudFront's origin access control) sign for S3 only.
  const limited: Credentials = { ...CREDS, principalService: 'cloudfront.amazonaws.com', signingNames: ['s3'] };
  const only = new SigV4Verifier((id) => (id === CREDS.accessKeyId ? limited : undefined), clock);
  const syncSigned: Record<string, SigV4Request> = {};
  before(async () => {
    for (const service of ['sqs', 'dynamodb', 'lambda']) syncSigned[service] = await sign({ service });
  });

  it('accepts the key for a signing name it may use and names the principal service', async () => {
    const id = only.verify(await sign({ service: 's3', method: 'GET', path: '/bucket/key' }));
    assert.equal(id.principalService, 'cloudfront.amazonaws.com');
    assert.equal(id.accountId, '000000000000');
  });

  it('refuses it, as an unknown key, for any other service', async () => {
    for (const service of ['sqs', 'dynamodb', 'lambda']) {
      assert.throws(() => only.verify(syncSigned[service]!), (e: unknown) => e instanceof AwsError && e.code === 'UnrecognizedClientException', service);
    }
  });
});
