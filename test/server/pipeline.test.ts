/**
 * The pipeline end to end: path-style forms of host-named endpoints (S3 websites, function
 * URLs) reach their service through the host router, a virtual-hosted bucket with dots in its
 * name still routes, and each request leaves one debug access-log line.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { DeletePublicAccessBlockCommand, PutBucketPolicyCommand, PutBucketWebsiteCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand, CreateQueueCommand } from '@aws-sdk/client-sqs';
import { createLogger } from '../../src/lib/log.js';
import { startNimbus } from '../../src/nimbus.js';
import { withBucket } from '../helpers/s3.js';
import { ACCOUNT, TEST_CREDENTIALS } from '../helpers/nimbus.js';
import { SQSClient } from '@aws-sdk/client-sqs';

function get(endpoint: string, path: string, host?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers: host ? { host } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('request pipeline', () => {
  it('serves an S3 website by its host and by its path-style form', () =>
    withBucket(async (c, t) => {
      await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'index.html', Body: '<h1>home</h1>', ContentType: 'text/html' }));
      await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'docs/index.html', Body: '<h1>docs</h1>', ContentType: 'text/html' }));
      await c.send(new PutBucketWebsiteCommand({ Bucket: 'data', WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' } } }));
      await c.send(new DeletePublicAccessBlockCommand({ Bucket: 'data' }));
      await c.send(
        new PutBucketPolicyCommand({
          Bucket: 'data',
          Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }] }),
        }),
      );
      for (const [path, host] of [
        ['/', 'data.s3-website.localhost'],
        ['/', 'data.s3-website-us-east-1.localhost'],
        ['/_nimbus/s3-website/data/', undefined],
        ['/_nimbus/s3-website/data', undefined],
      ] as const) {
        const home = await get(t.endpoint, path, host);
        assert.equal(home.status, 200, `${host ?? ''}${path}`);
        assert.equal(home.body, '<h1>home</h1>');
      }
      assert.equal((await get(t.endpoint, '/_nimbus/s3-website/data/docs/')).body, '<h1>docs</h1>');
      // A bucket that does not exist is refused alike in both forms (an anonymous caller learns nothing).
      assert.equal((await get(t.endpoint, '/_nimbus/s3-website/nope/')).status, (await get(t.endpoint, '/', 'nope.s3-website.localhost')).status);
    }));

  it('routes a virtual-hosted bucket whose name has dots', () =>
    withBucket(
      async (c, t) => {
        await c.send(new PutObjectCommand({ Bucket: 'my.dotted.site', Key: 'a.txt', Body: 'hi' }));
        await c.send(new DeletePublicAccessBlockCommand({ Bucket: 'my.dotted.site' }));
        await c.send(
          new PutBucketPolicyCommand({
            Bucket: 'my.dotted.site',
            Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::my.dotted.site/*' }] }),
          }),
        );
        for (const host of ['my.dotted.site.localhost', 'my.dotted.site.s3.localhost']) {
          const r = await get(t.endpoint, '/a.txt', host);
          assert.equal(r.status, 200, host);
          assert.equal(r.body, 'hi');
        }
      },
      { bucket: 'my.dotted.site' },
    ));

  it('answers an unknown function URL by host and by path-style form as function URLs do', () =>
    withBucket(async (_c, t) => {
      const id = 'a'.repeat(32);
      for (const [path, host] of [
        ['/x', `${id}.lambda-url.us-east-1.localhost`],
        [`/_nimbus/lambda-url/${id}/x`, undefined],
      ] as const) {
        const r = await get(t.endpoint, path, host);
        assert.equal(r.status, 404);
        assert.deepEqual(JSON.parse(r.body), { Message: 'Not Found' });
      }
    }));

  it('writes one debug access-log line per request, with its method, path, status, time and request id', async () => {
    const lines: Record<string, unknown>[] = [];
    const nimbus = await startNimbus({
      port: 0,
      memory: true,
      log: createLogger('debug', (l) => lines.push(JSON.parse(l))),
      credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }],
      hotReloadRoots: [],
    });
    const sqs = new SQSClient({ endpoint: nimbus.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'logged' }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
      const health = await get(nimbus.endpoint, '/_nimbus/health');
      const access = lines.filter((l) => l.msg === 'request');
      assert.equal(access.length, 3);
      const last = access[2]!;
      assert.deepEqual({ method: last.method, path: last.path, status: last.status }, { method: 'GET', path: '/_nimbus/health', status: 200 });
      assert.equal(last.requestId, health.headers['x-amzn-requestid']);
      assert.equal(typeof last.ms, 'number');
      assert.deepEqual(access.slice(0, 2).map((l) => [l.method, l.status]), [['POST', 200], ['POST', 200]]);
    } finally {
      sqs.destroy();
      await nimbus.stop();
    }
  });
});

