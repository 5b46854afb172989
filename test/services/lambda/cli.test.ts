import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestNimbus, type TestNimbus } from '../../helpers/nimbus.js';
import { awsCli, cliSkip, removeCliHome } from '../../helpers/aws-cli.js';
import { ROLE, zip } from '../../helpers/lambda.js';

describe('Lambda through the AWS CLI', { skip: cliSkip }, () => {
  let t: TestNimbus;
  let dir: string;
  before(async () => {
    t = await startTestNimbus({ clock: 'system' });
    dir = mkdtempSync(join(tmpdir(), 'nimbus-lambda-cli-'));
  });
  after(async () => {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
    removeCliHome();
  });

  it('creates a function, waits for it to be active, invokes it and reads its logs', async () => {
    const zipPath = join(dir, 'fn.zip');
    writeFileSync(zipPath, zip({ 'index.js': 'exports.handler = async (e) => { console.log("cli says", e.word); return { upper: e.word.toUpperCase() }; };' }));
    const created = await awsCli(t.endpoint, 'lambda', ['create-function', '--function-name', 'cli-fn', '--runtime', 'nodejs20.x', '--handler', 'index.handler', '--role', ROLE, '--zip-file', `fileb://${zipPath}`]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).FunctionName, 'cli-fn');
    const waited = await awsCli(t.endpoint, 'lambda', ['wait', 'function-active', '--function-name', 'cli-fn']);
    assert.equal(waited.code, 0, waited.stderr);

    const outFile = join(dir, 'out.json');
    const invoked = await awsCli(t.endpoint, 'lambda', ['invoke', '--function-name', 'cli-fn', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{"word":"nimbus"}', '--log-type', 'Tail', outFile]);
    assert.equal(invoked.code, 0, invoked.stderr);
    const meta = JSON.parse(invoked.stdout);
    assert.equal(meta.StatusCode, 200);
    assert.equal(meta.ExecutedVersion, '$LATEST');
    assert.match(Buffer.from(meta.LogResult, 'base64').toString('utf8'), /cli says nimbus/);
    assert.deepEqual(JSON.parse(readFileSync(outFile, 'utf8')), { upper: 'NIMBUS' });

    let tail = '';
    for (let i = 0; i < 20 && !tail.includes('REPORT'); i++) {
      const logs = await awsCli(t.endpoint, 'logs', ['tail', '/aws/lambda/cli-fn', '--since', '1h']);
      tail = logs.stdout;
      if (!tail.includes('REPORT')) await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(tail, /cli says nimbus/);
    assert.match(tail, /REPORT RequestId/);
  });
});
