/**
 * Generic input errors of SQS's JSON protocol, sent as raw HTTP requests with a real SigV4
 * signature (the SDK would not send them): bodies that are not JSON, members of the wrong
 * type, missing required members, unknown operations. Also the wire shape AWS gives SQS
 * errors: `__type` with the JSON name and `x-amzn-query-error` with the query code.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { CreateQueueCommand, GetQueueUrlCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { ACCOUNT, TEST_CREDENTIALS, startTestNimbus, type TestNimbus } from '../../helpers/nimbus.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

let t: TestNimbus;
const signer = new SignatureV4({ service: 'sqs', region: 'us-east-1', sha256: Sha256, credentials: TEST_CREDENTIALS });

/** POSTs `body` to Nimbus as AmazonSQS.<operation>, signed as the SDK signs. */
async function call(operation: string, body: string | object, target = `AmazonSQS.${operation}`): Promise<Answer> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const { hostname, port, host } = new URL(t.endpoint);
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname,
      port: Number(port),
      path: '/',
      headers: { host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
      body: text,
    }),
    { signingDate: new Date(t.clock.now()) },
  );
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port: Number(port), method: 'POST', path: '/', headers: signed.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

/** Asserts an error answer: status, `__type` (namespace aside), query code and message (absent when undefined). */
function assertError(a: Answer, expected: { type: string; queryCode?: string; status?: number; message?: string }): void {
  assert.equal(a.status, expected.status ?? 400, JSON.stringify(a.body));
  assert.equal(a.headers['content-type'], 'application/x-amz-json-1.0');
  assert.equal(String(a.body.__type).split('#').pop(), expected.type, JSON.stringify(a.body));
  assert.equal(a.headers['x-amzn-query-error'], `${expected.queryCode ?? expected.type};Sender`);
  assert.equal(a.body.message, expected.message, JSON.stringify(a.body));
}

const serialization = (message?: string) => ({ type: 'SerializationException', message });
const queueUrl = (name: string) => `${t.endpoint}/${ACCOUNT}/${name}`;

before(async () => {
  t = await startTestNimbus();
});

after(async () => {
  await t.stop();
});

describe('a body that is not a JSON object', () => {
  it('is a SerializationException, without a message as AWS sends it', async () => {
    for (const body of ['', ' ', '{', '{"QueueName": "q",}', 'QueueName=q', 'null', '"q"', '42', 'true']) {
      assertError(await call('CreateQueue', body), serialization());
    }
    assertError(await call('CreateQueue', '[]'), serialization('Start of list found where not expected'));
    assertError(await call('CreateQueue', '[{"QueueName":"q"}]'), serialization('Start of list found where not expected'));
    assertError(await call('ListQueues', ''), serialization());
    const empty = await call('ListQueues', '{}');
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body, {});
    // Nothing was created along the way.
    assert.equal((await t.sqs.send(new ListQueuesCommand({}))).QueueUrls, undefined);
  });
});

describe('a member of the wrong type', () => {
  it('is a SerializationException worded by the JSON token and the expected type', async () => {
    const cases: [string, object, string][] = [
      ['CreateQueue', { QueueName: 123 }, 'NUMBER_VALUE can not be converted to a String'],
      ['CreateQueue', { QueueName: true }, 'TRUE_VALUE can not be converted to a String'],
      ['CreateQueue', { QueueName: false }, 'FALSE_VALUE can not be converted to a String'],
      ['CreateQueue', { QueueName: ['q'] }, 'Start of list found where not expected'],
      ['CreateQueue', { QueueName: { name: 'q' } }, 'Start of structure or map found where not expected.'],
      ['CreateQueue', { QueueName: 'q', Attributes: { DelaySeconds: 5 } }, 'NUMBER_VALUE can not be converted to a String'],
      ['CreateQueue', { QueueName: 'q', Attributes: ['DelaySeconds'] }, 'Start of list found where not expected'],
      ['CreateQueue', { QueueName: 'q', tags: { team: { a: 1 } } }, 'Start of structure or map found where not expected.'],
      ['ListQueues', { MaxResults: '5' }, 'STRING_VALUE can not be converted to an Integer'],
      ['ListQueues', { MaxResults: true }, 'TRUE_VALUE can not be converted to an Integer'],
      ['ListQueues', { MaxResults: [5] }, 'Start of list found where not expected'],
      ['ListQueues', { QueueNamePrefix: 7 }, 'NUMBER_VALUE can not be converted to a String'],
      ['GetQueueAttributes', { QueueUrl: 'u', AttributeNames: 'All' }, 'Expected list or null'],
      ['GetQueueAttributes', { QueueUrl: 'u', AttributeNames: [1] }, 'NUMBER_VALUE can not be converted to a String'],
      ['UntagQueue', { QueueUrl: 'u', TagKeys: [true] }, 'TRUE_VALUE can not be converted to a String'],
    ];
    for (const [operation, body, message] of cases) {
      const a = await call(operation, body);
      assertError(a, serialization(message));
    }
    assert.equal((await t.sqs.send(new ListQueuesCommand({}))).QueueUrls, undefined);
  });

  it('wins over a missing required member', async () => {
    assertError(await call('ListDeadLetterSourceQueues', { MaxResults: '1' }), serialization('STRING_VALUE can not be converted to an Integer'));
    assertError(await call('CreateQueue', { Attributes: { VisibilityTimeout: 30 } }), serialization('NUMBER_VALUE can not be converted to a String'));
  });

  it('does not apply to null members and unknown members, which count as absent', async () => {
    const a = await call('ListQueues', { QueueNamePrefix: null, MaxResults: null, NotAMember: [1, 2] });
    assert.equal(a.status, 200, JSON.stringify(a.body));
    const created = await call('CreateQueue', { QueueName: 'typed-ok', Attributes: null, Unknown: { x: 1 } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.deepEqual(created.body, { QueueUrl: queueUrl('typed-ok') });
  });
});

describe('a missing required member', () => {
  it('is MissingRequiredParameterException (query code MissingParameter) naming the parameter', async () => {
    const cases: [string, object, string][] = [
      ['CreateQueue', {}, 'QueueName'],
      ['CreateQueue', { QueueName: null, Attributes: { DelaySeconds: '1' } }, 'QueueName'],
      ['GetQueueUrl', { QueueOwnerAWSAccountId: ACCOUNT }, 'QueueName'],
      ['DeleteQueue', {}, 'QueueUrl'],
      ['GetQueueAttributes', { AttributeNames: ['All'] }, 'QueueUrl'],
      ['SetQueueAttributes', { QueueUrl: queueUrl('typed-ok') }, 'Attributes'],
      ['TagQueue', { QueueUrl: queueUrl('typed-ok') }, 'Tags'],
      ['UntagQueue', { QueueUrl: queueUrl('typed-ok') }, 'TagKeys'],
      ['AddPermission', { QueueUrl: queueUrl('typed-ok'), AWSAccountIds: [ACCOUNT], Actions: ['SendMessage'] }, 'Label'],
      ['RemovePermission', { QueueUrl: queueUrl('typed-ok') }, 'Label'],
      ['SendMessage', { QueueUrl: queueUrl('typed-ok') }, 'MessageBody'],
    ];
    for (const [operation, body, member] of cases) {
      assertError(await call(operation, body), {
        type: 'MissingRequiredParameterException',
        queryCode: 'MissingParameter',
        message: `The request must contain the parameter ${member}.`,
      });
    }
  });

  it('reaches SDK users as MissingParameter', async () => {
    await assert.rejects(t.sqs.send(new CreateQueueCommand({ QueueName: undefined as unknown as string })), (e: any) => {
      assert.equal(e.name, 'MissingParameter');
      assert.equal(e.Code, 'MissingParameter');
      assert.equal(e.$metadata.httpStatusCode, 400);
      assert.equal(e.message, 'The request must contain the parameter QueueName.');
      return true;
    });
  });
});

describe('an unknown operation', () => {
  it('is UnknownOperationException', async () => {
    for (const operation of ['NoSuchOperation', 'createQueue', 'ListQueue', 'constructor', '__proto__', '']) {
      const a = await call(operation, {});
      assert.equal(a.status, 400, `${operation}: ${JSON.stringify(a.body)}`);
      assert.equal(String(a.body.__type).split('#').pop(), 'UnknownOperationException', operation);
    }
  });
});

describe('the wire shape of SQS errors', () => {
  it('names the error in __type and gives the query code in x-amzn-query-error', async () => {
    const missing = await call('GetQueueUrl', { QueueName: 'no-such-queue' });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body, { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' });
    assert.equal(missing.headers['x-amzn-query-error'], 'AWS.SimpleQueueService.NonExistentQueue;Sender');

    assertError(await call('CreateQueue', { QueueName: 'bad name' }), {
      type: 'InvalidParameterValueException',
      queryCode: 'InvalidParameterValue',
      message: 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    });
    assertError(await call('CreateQueue', { QueueName: 'typed-ok', Attributes: { DelaySeconds: '9' } }), {
      type: 'QueueNameExists',
      queryCode: 'QueueAlreadyExists',
      message: 'A queue already exists with the same name and a different value for attribute DelaySeconds',
    });
    assertError(await call('SetQueueAttributes', { QueueUrl: queueUrl('typed-ok'), Attributes: { Bogus: '1' } }), {
      type: 'InvalidAttributeName',
      message: 'Unknown Attribute Bogus.',
    });
    assertError(await call('SetQueueAttributes', { QueueUrl: queueUrl('typed-ok'), Attributes: { DelaySeconds: '901' } }), {
      type: 'InvalidAttributeValue',
      message: 'Invalid value for the parameter DelaySeconds.',
    });
    assert.equal((await call('PurgeQueue', { QueueUrl: queueUrl('typed-ok') })).status, 200);
    assertError(await call('PurgeQueue', { QueueUrl: queueUrl('typed-ok') }), {
      type: 'PurgeQueueInProgress',
      queryCode: 'AWS.SimpleQueueService.PurgeQueueInProgress',
      status: 403,
      message: 'Only one PurgeQueue operation on typed-ok is allowed every 60 seconds.',
    });
  });
});
