/**
 * S3 through the AWS CLI as people use it day to day: `aws s3 sync` of a folder up and back
 * down (keys with spaces and subfolders, a changed file re-sent, --delete), and `aws s3 ls`.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { awsCli, cliSkip, removeCliHome } from '../../helpers/aws-cli.js';
import { withBucket } from '../../helpers/s3.js';

describe('S3 through the AWS CLI', { skip: cliSkip }, () => {
  after(() => removeCliHome());

  test('aws s3 sync up and down, aws s3 ls', () =>
    withBucket(
      async (_c, t) => {
        const root = mkdtempSync(join(tmpdir(), 'nimbus-sync-'));
        try {
          const src = join(root, 'src');
          mkdirSync(join(src, 'docs', 'deep'), { recursive: true });
          writeFileSync(join(src, 'index.html'), '<h1>site</h1>');
          writeFileSync(join(src, 'docs', 'read me.txt'), 'spaces in the key');
          writeFileSync(join(src, 'docs', 'deep', 'data.bin'), Buffer.alloc(200_000, 9));
          const run = async (args: string[]) => {
            const r = await awsCli(t.endpoint, 's3', args);
            assert.equal(r.code, 0, `aws s3 ${args.join(' ')}: ${r.stderr}`);
            return r.stdout;
          };
          await run(['sync', src, 's3://data/site']);
          const ls = await run(['ls', '--recursive', 's3://data/site/']);
          for (const key of ['site/index.html', 'site/docs/read me.txt', 'site/docs/deep/data.bin']) assert.ok(ls.includes(key), `${key} listed:\n${ls}`);

          // A second sync sends only what changed; --delete removes what is gone.
          writeFileSync(join(src, 'index.html'), '<h1>site v2</h1>');
          rmSync(join(src, 'docs', 'read me.txt'));
          const second = await run(['sync', '--delete', src, 's3://data/site']);
          assert.match(second, /upload: .*index\.html/);
          assert.match(second, /delete: s3:\/\/data\/site\/docs\/read me\.txt/);
          assert.doesNotMatch(second, /data\.bin/, 'an unchanged file is not sent again');

          const dst = join(root, 'dst');
          await run(['sync', 's3://data/site', dst]);
          assert.equal(readFileSync(join(dst, 'index.html'), 'utf8'), '<h1>site v2</h1>');
          assert.deepEqual(readFileSync(join(dst, 'docs', 'deep', 'data.bin')), Buffer.alloc(200_000, 9));
          assert.equal(existsSync(join(dst, 'docs', 'read me.txt')), false);
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      },
      // Real time: sync compares local modification times with the objects' LastModified.
      { memory: false, clock: 'system' },
    ));

  test('user metadata named like what every object inherits (__proto__) is kept, on copies too', () =>
    // Through the CLI: the JavaScript SDK's own parsing drops a __proto__ member.
    withBucket(async (_c, t) => {
      const body = join(mkdtempSync(join(tmpdir(), 'nimbus-meta-')), 'f.txt');
      writeFileSync(body, 'hi');
      try {
        const s3api = async (args: string[]) => {
          const r = await awsCli(t.endpoint, 's3api', [...args, '--output', 'json']);
          assert.equal(r.code, 0, `aws s3api ${args.join(' ')}: ${r.stderr}`);
          return r.stdout ? JSON.parse(r.stdout) : undefined;
        };
        await s3api(['put-object', '--bucket', 'data', '--key', 'k', '--body', body, '--metadata', '__proto__=x,constructor=y']);
        assert.equal(JSON.stringify((await s3api(['head-object', '--bucket', 'data', '--key', 'k'])).Metadata), '{"__proto__":"x","constructor":"y"}');
        await s3api(['copy-object', '--bucket', 'data', '--key', 'k2', '--copy-source', 'data/k']);
        assert.equal(JSON.stringify((await s3api(['head-object', '--bucket', 'data', '--key', 'k2'])).Metadata), '{"__proto__":"x","constructor":"y"}');
      } finally {
        rmSync(join(body, '..'), { recursive: true, force: true });
      }
    }));
});
