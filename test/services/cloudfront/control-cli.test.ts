/**
 * The AWS CLI (botocore's REST-XML client, not the JS SDK's) against the CloudFront control
 * plane: create (from the CLI's --origin-domain-name shorthand), get, list, an invalidation,
 * update with --if-match (from a JSON config file), delete, and an error by its code.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { awsCli, cliSkip, removeCliHome } from '../../helpers/aws-cli.js';
import { startTestNimbus, type TestNimbus } from '../../helpers/nimbus.js';

describe('CloudFront with the AWS CLI', { skip: cliSkip }, () => {
  let t: TestNimbus;
  let dir: string;
  before(async () => {
    t = await startTestNimbus();
    dir = mkdtempSync(join(tmpdir(), 'nimbus-cf-cli-'));
  });
  after(async () => {
    removeCliHome();
    rmSync(dir, { recursive: true, force: true });
    await t.stop();
  });

  const cf = async (...args: string[]) => {
    const r = await awsCli(t.endpoint, 'cloudfront', args);
    assert.equal(r.code, 0, `aws cloudfront ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout || '{}') as Record<string, any>;
  };
  const file = (name: string, value: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(value));
    return `file://${p}`;
  };

  // One CLI process per step (each starts Python): the steps are few and share one distribution.
  test("create (the CLI's --origin-domain-name shorthand), get, list, invalidate, update with --if-match, delete", async () => {
    const created = await cf('create-distribution', '--origin-domain-name', 'site.s3.amazonaws.com', '--default-root-object', 'index.html');
    const id = created.Distribution.Id as string;
    assert.match(id, /^E[A-Z0-9]{13}$/);
    assert.equal(created.Distribution.Status, 'InProgress');
    assert.match(created.ETag, /^E[A-Z0-9]{13}$/);
    assert.equal(created.Location, `${t.endpoint}/2020-05-31/distribution/${id}`);
    assert.equal(created.Distribution.DistributionConfig.DefaultRootObject, 'index.html');
    assert.equal(created.Distribution.DistributionConfig.DefaultCacheBehavior.TargetOriginId, created.Distribution.DistributionConfig.Origins.Items[0].Id);

    t.clock.advance(1000);
    const got = await cf('get-distribution', '--id', id);
    assert.equal(got.Distribution.Status, 'Deployed');
    assert.equal(got.Distribution.DistributionConfig.Origins.Items[0].DomainName, 'site.s3.amazonaws.com');

    const list = await cf('list-distributions');
    assert.deepEqual(list.DistributionList.Items.map((d: { Id: string }) => d.Id), [id]);

    const inv = await cf('create-invalidation', '--distribution-id', id, '--paths', '/index.html', '/img/*');
    // Completed at once without a data plane; InProgress while one clears its edges.
    assert.match(inv.Invalidation.Status, /^(Completed|InProgress)$/);
    assert.match(inv.Invalidation.Id, /^I[A-Z0-9]{13}$/);
    assert.deepEqual(inv.Invalidation.InvalidationBatch.Paths.Items, ['/index.html', '/img/*']);

    const config = { ...got.Distribution.DistributionConfig, Comment: 'from the CLI', Enabled: false };
    const updated = await cf('update-distribution', '--id', id, '--if-match', got.ETag, '--distribution-config', file('update.json', config));
    assert.equal(updated.Distribution.DistributionConfig.Comment, 'from the CLI');
    assert.notEqual(updated.ETag, got.ETag);

    t.clock.advance(1000);
    await cf('delete-distribution', '--id', id, '--if-match', updated.ETag);
    const gone = await awsCli(t.endpoint, 'cloudfront', ['get-distribution-config', '--id', id]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /NoSuchDistribution.*The specified distribution does not exist\./);
  });
});
