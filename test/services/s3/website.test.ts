import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, test } from 'node:test';
import { DeleteBucketWebsiteCommand, DeletePublicAccessBlockCommand, GetBucketWebsiteCommand, PutBucketPolicyCommand, PutBucketWebsiteCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { rejectsWith } from '../../helpers/sqs.js';
import { withBucket } from '../../helpers/s3.js';

/** A browser's GET on the website endpoint (the Host names the bucket's website). */
function browse(endpoint: string, host: string, path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET', headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('S3 static website hosting', () => {
  test('index and error documents, folder redirects, routing rules, private objects', () =>
    withBucket(async (c, t) => {
      const site = 'data.s3-website.localhost';
      await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'index.html', Body: '<h1>home</h1>', ContentType: 'text/html' }));
      await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'docs/index.html', Body: '<h1>docs</h1>', ContentType: 'text/html' }));
      await c.send(new PutObjectCommand({ Bucket: 'data', Key: '404.html', Body: '<h1>lost</h1>', ContentType: 'text/html' }));
      assert.equal((await browse(t.endpoint, site, '/')).status, 404, 'no website configuration yet');
      await c.send(
        new PutBucketWebsiteCommand({
          Bucket: 'data',
          WebsiteConfiguration: {
            IndexDocument: { Suffix: 'index.html' },
            ErrorDocument: { Key: '404.html' },
            RoutingRules: [{ Condition: { KeyPrefixEquals: 'old/' }, Redirect: { ReplaceKeyPrefixWith: 'docs/', HttpRedirectCode: '301' } }],
          },
        }),
      );
      const got = await c.send(new GetBucketWebsiteCommand({ Bucket: 'data' }));
      assert.equal(got.IndexDocument?.Suffix, 'index.html');
      // Objects are private until a policy makes them public, as on S3.
      const denied = await browse(t.endpoint, site, '/');
      assert.equal(denied.status, 403);
      // A new bucket blocks public policies until its owner lifts the block, as on S3.
      await c.send(new DeletePublicAccessBlockCommand({ Bucket: 'data' }));
      await c.send(
        new PutBucketPolicyCommand({
          Bucket: 'data',
          // With s3:ListBucket too, a missing page is 404 (without it S3 answers 403).
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' },
              { Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
            ],
          }),
        }),
      );
      const home = await browse(t.endpoint, site, '/');
      assert.equal(home.status, 200);
      assert.equal(home.body, '<h1>home</h1>');
      assert.equal(home.headers['content-type'], 'text/html');
      assert.equal((await browse(t.endpoint, site, '/docs/')).body, '<h1>docs</h1>');
      const folder = await browse(t.endpoint, site, '/docs');
      assert.equal(folder.status, 302);
      assert.equal(folder.headers.location, '/docs/');
      const missing = await browse(t.endpoint, site, '/nope.html');
      assert.equal(missing.status, 404);
      assert.equal(missing.body, '<h1>lost</h1>');
      const moved = await browse(t.endpoint, site, '/old/page.html');
      assert.equal(moved.status, 301);
      assert.equal(moved.headers.location, `http://${site}/docs/page.html`);
      await c.send(new DeleteBucketWebsiteCommand({ Bucket: 'data' }));
      await rejectsWith(c.send(new GetBucketWebsiteCommand({ Bucket: 'data' })), 'NoSuchWebsiteConfiguration', 'The specified bucket does not have a website configuration');
    }));

  test('redirect of all requests to another host', () =>
    withBucket(async (c, t) => {
      await c.send(new PutBucketWebsiteCommand({ Bucket: 'data', WebsiteConfiguration: { RedirectAllRequestsTo: { HostName: 'example.com', Protocol: 'https' } } }));
      const r = await browse(t.endpoint, 'data.s3-website.localhost', '/a/b.html');
      assert.equal(r.status, 301);
      assert.equal(r.headers.location, 'https://example.com/a/b.html');
    }));
});
