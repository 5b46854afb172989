/**
 * Input bounds (issue 13): strings must be valid Unicode (a lone surrogate must not collide with
 * U+FFFD; invalid UTF-8 is refused), documents nest at most 31 lists or maps deep (DynamoDB's
 * limit, its wording), and deeply nested input of any kind (items, expressions, PartiQL) gets
 * DynamoDB's error, never a 500 from a stack overflow.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ExecuteStatementCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@smithy/core/checksum';
import { createTable, rejectsWith, withDynamo } from '../../helpers/dynamodb.js';
import { TEST_CREDENTIALS } from '../../helpers/nimbus.js';

const TOO_DEEP = 'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit';

/** A value of `wraps` maps (or lists) inside one another around a string. */
function nested(wraps: number, kind: 'M' | 'L' = 'M'): AttributeValue {
  let v: AttributeValue = { S: 'core' };
  for (let i = 0; i < wraps; i++) v = kind === 'M' ? { M: { d: v } } : { L: [v] };
  return v;
}

/** A raw, signed DynamoDB request with the body as given (bytes the SDK would never send). */
async function raw(endpoint: string, target: string, body: Buffer): Promise<{ status: number; json: { __type?: string; message?: string; Message?: string } }> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ service: 'dynamodb', region: 'us-east-1', sha256: Sha256, credentials: TEST_CREDENTIALS });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${target}` },
    body,
  });
  const res = await fetch(endpoint, { method: 'POST', headers: signed.headers, body: new Uint8Array(body) });
  return { status: res.status, json: await res.json() };
}

describe('DynamoDB input bounds', () => {
  it('takes 31 nested maps or lists and refuses 32 with DynamoDB\'s message, in items and in expression values', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'deep', { range: false });
      await ddb.send(new PutItemCommand({ TableName: 'deep', Item: { pk: { S: 'm31' }, v: nested(31) } }));
      await ddb.send(new PutItemCommand({ TableName: 'deep', Item: { pk: { S: 'l31' }, v: nested(31, 'L') } }));
      const back = await ddb.send(new GetItemCommand({ TableName: 'deep', Key: { pk: { S: 'm31' } } }));
      assert.deepEqual(back.Item?.v, nested(31));
      for (const kind of ['M', 'L'] as const) {
        await rejectsWith(ddb.send(new PutItemCommand({ TableName: 'deep', Item: { pk: { S: 'x' }, v: nested(32, kind) } })), 'ValidationException', TOO_DEEP);
      }
      await rejectsWith(
        ddb.send(new UpdateItemCommand({ TableName: 'deep', Key: { pk: { S: 'm31' } }, UpdateExpression: 'SET w = :w', ExpressionAttributeValues: { ':w': nested(40) } })),
        'ValidationException',
        `ExpressionAttributeValues contains invalid value: ${TOO_DEEP} for key :w`,
      );
      assert.equal((await ddb.send(new ScanCommand({ TableName: 'deep' }))).Count, 2);
    }));

  it('answers an item nested thousands of levels with the validation error, not a stack overflow', () =>
    withDynamo(async ({ ddb, t }) => {
      await createTable(ddb, 'deeper', { range: false });
      // Written out by hand: JSON.stringify itself recurses once per level.
      const item = `{"TableName":"deeper","Item":{"pk":{"S":"a"},"v":${'{"M":{"d":'.repeat(5000)}{"S":"core"}${'}}'.repeat(5000)}}}`;
      const res = await raw(t.endpoint, 'PutItem', Buffer.from(item));
      assert.equal(res.status, 400);
      assert.match(String(res.json.__type), /#ValidationException$/);
      assert.equal(res.json.message ?? res.json.Message, TOO_DEEP);
    }));

  it('refuses a lone surrogate in a key, value or attribute name, so it never collides with U+FFFD', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'text', { range: false });
      await ddb.send(new PutItemCommand({ TableName: 'text', Item: { pk: { S: '\ufffd' }, v: { S: 'replacement character' } } }));
      const items: Array<Record<string, AttributeValue>> = [{ pk: { S: '\ud800' } }, { pk: { S: 'ok' }, v: { S: 'x\udc00y' } }, { pk: { S: 'ok' }, ['\ud83d']: { S: 'v' } }, { pk: { S: 'ok' }, v: { SS: ['a', '\ud800'] } }];
      for (const item of items) {
        await rejectsWith(ddb.send(new PutItemCommand({ TableName: 'text', Item: item })), 'SerializationException');
      }
      const kept = await ddb.send(new GetItemCommand({ TableName: 'text', Key: { pk: { S: '\ufffd' } } }));
      assert.equal(kept.Item?.v?.S, 'replacement character');
      assert.equal((await ddb.send(new ScanCommand({ TableName: 'text' }))).Count, 1);
      // A well-formed pair is an ordinary character.
      await ddb.send(new PutItemCommand({ TableName: 'text', Item: { pk: { S: '\ud83d\ude00' } } }));
      assert.equal((await ddb.send(new ScanCommand({ TableName: 'text' }))).Count, 2);
    }));

  it('refuses a body that is not valid UTF-8 (SerializationException) and stores nothing', () =>
    withDynamo(async ({ ddb, t }) => {
      await createTable(ddb, 'bytes', { range: false });
      const body = Buffer.concat([Buffer.from('{"TableName":"bytes","Item":{"pk":{"S":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}}}')]);
      const res = await raw(t.endpoint, 'PutItem', body);
      assert.equal(res.status, 400);
      assert.match(String(res.json.__type), /#SerializationException$/);
      assert.equal((await ddb.send(new ScanCommand({ TableName: 'bytes' }))).Count, 0);
    }));

  it('answers deeply parenthesized expressions and PartiQL statements with a validation error, never a 500', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'parens', { range: false });
      await ddb.send(new PutItemCommand({ TableName: 'parens', Item: { pk: { S: 'a' }, n: { N: '1' } } }));
      const deep = (inner: string, n: number) => '('.repeat(n) + inner + ')'.repeat(n);
      for (const n of [1000, 20000]) {
        await rejectsWith(ddb.send(new ScanCommand({ TableName: 'parens', FilterExpression: deep('n = :one', n), ExpressionAttributeValues: { ':one': { N: '1' } } })), 'ValidationException');
        await rejectsWith(ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM parens WHERE ${deep('n = 1', n)}` })), 'ValidationException');
        await rejectsWith(ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM parens WHERE n = ${deep('1', n)}` })), 'ValidationException');
      }
      // A few levels are fine; so is a long NOT chain within the bound, and a longer one is refused.
      assert.equal((await ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM parens WHERE ${'NOT '.repeat(10)}n = 1` }))).Items?.length, 1);
      await rejectsWith(ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM parens WHERE ${'NOT '.repeat(5000)}n = 1` })), 'ValidationException');
      const few = await ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM parens WHERE ${deep('n = 1', 3)}` }));
      assert.equal(few.Items?.length, 1);
    }));
});
