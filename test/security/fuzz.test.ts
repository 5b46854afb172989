/**
 * Fuzzing every wire protocol (issue 13): thousands of signed requests with random, malformed
 * and deeply nested bodies, each answered by the protocol's error or a success, never a 500
 * (a crash, a stack overflow, an unhandled error). Deterministic (seeded), bounded in time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@smithy/core/checksum';
import { startTestNimbus, TEST_CREDENTIALS, type TestNimbus } from '../helpers/nimbus.js';

/** A small seeded PRNG (mulberry32): the same cases every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const STRINGS = ['', 'a', 'x'.repeat(300), '\ud800', '\ufffd', '😀', '%', '${', '<a>', '"', '\\', '\u0000', 'NaN', '-1', '1e400', '0x10', 'true', 'arn:aws:sqs:us-east-1:000000000000:q', 'S', 'M', 'L', 'N'];
const NUMBERS = [0, -1, 1.5, 1e308, -1e-308, 2 ** 53 + 1, 4294967296];

/** A random JSON value, sometimes nested very deeply, with keys drawn from `names` (the operation's members) or noise. */
function value(r: Rand, names: readonly string[], depth = 0): unknown {
  const roll = r();
  if (depth === 0 && roll < 0.15) return deep(r, pick(r, [40, 400, 5000]), names);
  if (depth > 4 || roll < 0.35) return pick(r, [() => pick(r, STRINGS), () => pick(r, NUMBERS), () => r() < 0.5, () => null])();
  if (roll < 0.6) return Array.from({ length: Math.floor(r() * 4) }, () => value(r, names, depth + 1));
  const obj: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 5); i > 0; i--) obj[r() < 0.8 ? pick(r, names) : pick(r, STRINGS)] = value(r, names, depth + 1);
  return obj;
}

/** A value `n` levels deep, as text (JSON.stringify itself would recurse per level). */
function deep(r: Rand, n: number, names: readonly string[]): unknown {
  const key = pick(r, names);
  const open = pick(r, [`{"${key}":`, '[', `{"M":{"${key}":`, '{"L":[']);
  const close = open.startsWith('{"M"') ? '}}' : open.startsWith('{"L"') ? ']}' : open === '[' ? ']' : '}';
  return { __raw: open.repeat(n) + '"leaf"' + close.repeat(n) };
}

/** JSON text for a value, splicing in the deep raw parts. */
function text(v: unknown): string {
  if (v && typeof v === 'object' && '__raw' in v) return (v as { __raw: string }).__raw;
  if (Array.isArray(v)) return `[${v.map(text).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${text(x)}`).join(',')}}`;
  return JSON.stringify(v);
}

function xml(r: Rand, names: readonly string[], depth = 0): string {
  if (depth === 0 && r() < 0.15) {
    const tag = pick(r, names);
    const n = pick(r, [40, 400, 5000]);
    return `<${tag}>`.repeat(n) + 'x' + `</${tag}>`.repeat(n);
  }
  if (depth > 4 || r() < 0.3) return pick(r, ['x', '', '&amp;', '&bogus;', '<![CDATA[a]]>', '😀', '1', 'Enabled']);
  const tag = r() < 0.85 ? pick(r, names) : pick(r, ['a', 'x:y', '1bad']);
  return Array.from({ length: 1 + Math.floor(r() * 3) }, () => `<${tag}>${xml(r, names, depth + 1)}</${tag}>`).join('');
}

interface Target {
  name: string;
  service: string;
  method: string;
  /** A function where the path names a resource made before the run. */
  path: string | (() => string);
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body(r: Rand): string;
}

const ddbNames = ['TableName', 'Key', 'Item', 'KeySchema', 'AttributeDefinitions', 'ExpressionAttributeValues', 'ExpressionAttributeNames', 'ConditionExpression', 'UpdateExpression', 'FilterExpression', 'S', 'N', 'M', 'L', 'SS', 'B', 'BOOL', 'NULL', 'Statement', 'Parameters', 'TransactItems', 'Put', 'Update', 'RequestItems'];
const json = (service: string, target: string, names: readonly string[], version = '1.0'): Target => ({
  name: `${service} ${target}`,
  service,
  method: 'POST',
  path: '/',
  headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amz-target': target },
  body: (r) => (r() < 0.05 ? pick(r, ['', '{', 'null', '[]', '"x"', '{"a":}']) : text({ TableName: 'fuzz', ...(value(r, names) as object) })),
});
const query = (service: string, action: string, names: readonly string[]): Target => ({
  name: `${service} ${action} (query)`,
  service,
  method: 'POST',
  path: '/',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: (r) => {
    const params = new URLSearchParams({ Action: action, Version: service === 'sqs' ? '2012-11-05' : '2010-03-31' });
    for (let i = Math.floor(r() * 6); i > 0; i--) {
      const base = pick(r, names);
      const name = r() < 0.5 ? base : `${base}.${Math.floor(r() * 3)}.${pick(r, ['Name', 'Value', 'Key', 'DataType', 'StringValue'])}`;
      if (!params.has(name)) params.set(name, r() < 0.2 ? text(value(r, ['a', 'b', 'prefix', 'numeric', 'anything-but', '$or'])) : pick(r, STRINGS));
    }
    return params.toString();
  },
});
const restXml = (sub: string, names: readonly string[]): Target => ({
  name: `s3 PUT ?${sub}`,
  service: 's3',
  method: 'PUT',
  path: '/fuzz-bucket',
  query: { [sub]: '' },
  headers: { 'content-type': 'application/xml' },
  body: (r) => `<?xml version="1.0" encoding="UTF-8"?>${xml(r, names)}`,
});
const restJson = (method: string, path: string, names: readonly string[]): Target => ({
  name: `lambda ${method} ${path}`,
  service: 'lambda',
  method,
  path,
  headers: { 'content-type': 'application/json' },
  body: (r) => text(value(r, names)),
});

const oasNames = ['openapi', 'swagger', 'info', 'title', 'paths', '/items/{id}', '/{proxy+}', 'get', 'x-amazon-apigateway-any-method', 'x-amazon-apigateway-integration', 'type', 'uri', 'httpMethod', 'payloadFormatVersion', 'responses', 'parameters', 'security', 'components', 'securitySchemes', 'x-amazon-apigateway-authorizer', 'x-amazon-apigateway-cors', 'schemas', '$ref', 'requestTemplates'];
/** An OpenAPI definition: mostly the right frame with random insides, sometimes YAML-looking noise. */
function definition(r: Rand): string {
  if (r() < 0.25) return Array.from({ length: 1 + Math.floor(r() * 6) }, () => `${'  '.repeat(Math.floor(r() * 4))}${pick(r, oasNames)}: ${pick(r, ['&a x', '*a', '[', '{', '- x', '|', '!!binary x', '3.0.1', "'q'", ''])}`).join('\n');
  return text({ openapi: pick(r, ['3.0.1', '2.0', 3]), info: { title: 'fuzz', ...(value(r, oasNames) as object) }, paths: value(r, oasNames), ...(r() < 0.3 ? { components: value(r, oasNames) } : {}) });
}
let fuzzRestApiId = '';
const apigw = (name: string, method: string, path: Target['path'], body: (r: Rand) => string, query?: Record<string, string>): Target => ({ name: `apigateway ${name}`, service: 'apigateway', method, path, ...(query ? { query } : {}), headers: { 'content-type': 'application/json' }, body });

const TARGETS: Target[] = [
  ...['PutItem', 'GetItem', 'UpdateItem', 'Query', 'Scan', 'TransactWriteItems', 'BatchWriteItem', 'ExecuteStatement', 'CreateTable'].map((op) => json('dynamodb', `DynamoDB_20120810.${op}`, ddbNames)),
  ...['SendMessage', 'CreateQueue', 'SendMessageBatch'].map((op) => json('sqs', `AmazonSQS.${op}`, ['QueueUrl', 'QueueName', 'MessageBody', 'MessageAttributes', 'Entries', 'Attributes', 'DataType', 'StringValue', 'Id'])),
  ...['PutLogEvents', 'FilterLogEvents', 'CreateLogGroup'].map((op) => json('logs', `Logs_20140328.${op}`, ['logGroupName', 'logStreamName', 'logEvents', 'timestamp', 'message', 'filterPattern'], '1.1')),
  query('sqs', 'SendMessage', ['QueueUrl', 'MessageBody', 'MessageAttribute', 'DelaySeconds']),
  query('sns', 'Subscribe', ['TopicArn', 'Protocol', 'Endpoint', 'Attributes.entry']),
  query('sns', 'Publish', ['TopicArn', 'Message', 'MessageAttributes.entry', 'MessageStructure']),
  {
    // A filter policy (an event pattern) of random shape and depth, on a topic that exists.
    name: 'sns Subscribe with a FilterPolicy',
    service: 'sns',
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: (r) =>
      new URLSearchParams({
        Action: 'Subscribe',
        Version: '2010-03-31',
        TopicArn: 'arn:aws:sns:us-east-1:000000000000:fuzz-topic',
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:us-east-1:000000000000:fuzz-queue',
        'Attributes.entry.1.key': pick(r, ['FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery', 'RedrivePolicy']),
        'Attributes.entry.1.value': text(value(r, ['a', 'b', 'prefix', 'numeric', 'anything-but', '$or', 'exists'])),
      }).toString(),
  },
  restXml('tagging', ['Tagging', 'TagSet', 'Tag', 'Key', 'Value']),
  restXml('lifecycle', ['LifecycleConfiguration', 'Rule', 'Filter', 'And', 'Prefix', 'Status', 'Expiration', 'Days']),
  restXml('cors', ['CORSConfiguration', 'CORSRule', 'AllowedOrigin', 'AllowedMethod']),
  restXml('notification', ['NotificationConfiguration', 'QueueConfiguration', 'Filter', 'S3Key', 'FilterRule', 'Name', 'Value', 'Event']),
  restJson('POST', '/2015-03-31/functions', ['FunctionName', 'Runtime', 'Role', 'Handler', 'Code', 'ZipFile', 'Environment', 'Variables', 'Tags']),
  restJson('POST', '/2015-03-31/event-source-mappings', ['FunctionName', 'EventSourceArn', 'FilterCriteria', 'Filters', 'Pattern', 'BatchSize']),
  {
    name: 'lambda CreateEventSourceMapping with a filter pattern',
    service: 'lambda',
    method: 'POST',
    path: '/2015-03-31/event-source-mappings',
    headers: { 'content-type': 'application/json' },
    body: (r) =>
      JSON.stringify({
        FunctionName: 'fuzz-fn',
        EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:fuzz-queue',
        FilterCriteria: { Filters: [{ Pattern: text(value(r, ['body', 'a', 'prefix', 'numeric', '$or', 'exists'])) }] },
      }),
  },
  apigw('v2 CreateApi', 'POST', '/v2/apis', (r) => text({ name: 'fuzz', protocolType: pick(r, ['HTTP', 'WEBSOCKET', 'x']), ...(value(r, ['name', 'protocolType', 'target', 'routeKey', 'corsConfiguration', 'allowOrigins', 'allowMethods', 'maxAge', 'tags', 'routeSelectionExpression', 'disableExecuteApiEndpoint']) as object) })),
  apigw('v2 ImportApi', 'PUT', '/v2/apis', (r) => JSON.stringify({ body: definition(r) })),
  apigw('v1 ImportRestApi', 'POST', '/restapis', definition, { mode: 'import' }),
  apigw('v1 CreateRestApi', 'POST', '/restapis', (r) => text({ name: 'fuzz', ...(value(r, ['name', 'description', 'binaryMediaTypes', 'endpointConfiguration', 'types', 'policy', 'apiKeySource', 'minimumCompressionSize', 'tags']) as object) })),
  apigw('v1 UpdateRestApi (patch operations)', 'PATCH', () => `/restapis/${fuzzRestApiId}`, (r) =>
    text({ patchOperations: Array.from({ length: Math.floor(r() * 4) }, () => ({ op: pick(r, ['replace', 'add', 'remove', 'copy', 'move', 'test', 'x']), path: pick(r, ['/name', '/description', '/binaryMediaTypes/image~1png', '/policy', '/minimumCompressionSize', '/endpointConfiguration/types/EDGE', '/~', '/', '']), value: pick(r, [...STRINGS, text(value(r, ['Statement', 'Effect', 'Action']))]) })) }),
  ),
];

const CASES_PER_TARGET = 150;

describe('fuzzing every protocol: no 500s', () => {
  let t: TestNimbus;
  before(async () => {
    t = await startTestNimbus();
  });
  after(() => t.stop());

  it(`answers ${TARGETS.length * CASES_PER_TARGET} random, malformed and deeply nested requests without a 500`, { timeout: 240_000 }, async () => {
    const url = new URL(t.endpoint);
    const signers = new Map<string, SignatureV4>();
    const signer = (service: string) => {
      let s = signers.get(service);
      if (!s) signers.set(service, (s = new SignatureV4({ service, region: 'us-east-1', sha256: Sha256, credentials: TEST_CREDENTIALS })));
      return s;
    };
    // A bucket for the S3 subresources, so requests get past the lookup to the body.
    const bucket = await signer('s3').sign({ method: 'PUT', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/fuzz-bucket', query: {}, headers: { host: url.host } });
    assert.equal((await fetch(`${t.endpoint}/fuzz-bucket`, { method: 'PUT', headers: bucket.headers })).status, 200);
    // A topic and a queue, so filter policies are parsed rather than refused for a missing topic.
    for (const [service, form] of [
      ['sqs', 'Action=CreateQueue&Version=2012-11-05&QueueName=fuzz-queue'],
      ['sns', 'Action=CreateTopic&Version=2010-03-31&Name=fuzz-topic'],
    ] as const) {
      const headers = { host: url.host, 'content-type': 'application/x-www-form-urlencoded' };
      const signed = await signer(service).sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {}, headers, body: form });
      assert.equal((await fetch(t.endpoint, { method: 'POST', headers: signed.headers, body: form })).status, 200);
    }

    // A REST API for the patch operations.
    const created = await signer('apigateway').sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/restapis', query: {}, headers: { host: url.host, 'content-type': 'application/json' }, body: '{"name":"fuzz"}' });
    const api = await fetch(`${t.endpoint}/restapis`, { method: 'POST', headers: created.headers, body: '{"name":"fuzz"}' });
    assert.equal(api.status, 201);
    fuzzRestApiId = ((await api.json()) as { id: string }).id;

    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const r = prng(20261207);
    for (const target of TARGETS) {
      for (let i = 0; i < CASES_PER_TARGET; i++) {
        const body = target.body(r);
        const path = typeof target.path === 'function' ? target.path() : target.path;
        const signed = await signer(target.service).sign({
          method: target.method,
          protocol: 'http:',
          hostname: url.hostname,
          port: Number(url.port),
          path,
          query: target.query ?? {},
          headers: { host: url.host, ...target.headers },
          body,
        });
        const qs = target.query ? `?${new URLSearchParams(target.query).toString().replace(/=$/, '')}` : '';
        const res = await fetch(`${t.endpoint}${path}${qs}`, { method: target.method, headers: signed.headers, body });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) failures.push(`${target.name}: ${res.status} for ${body.slice(0, 200)}`);
      }
    }
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} answers of 500 or more`);
    // The cases reached more than the front door: some succeeded, most were refused for their content.
    assert.ok((statuses.get(400) ?? 0) > TARGETS.length * CASES_PER_TARGET * 0.3, JSON.stringify([...statuses]));
  });
});
