/**
 * Function code on disk is read-only and checked against the version's CodeSha256 before each
 * cold start (issue 13): code changed behind Nimbus's back (by a plain-process function of
 * the same user, or by anyone with access to the data directory) is unpacked again from the
 * stored zip, so an environment never starts on code other than what was deployed.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetFunctionCommand, InvokeCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2, type LambdaClient } from '@aws-sdk/client-lambda';
import { createFunction, decode, startLambdaNimbus } from '../helpers/lambda.js';
import type { TestNimbus } from '../helpers/nimbus.js';

const HANDLER = "exports.handler = async () => require('./answer.js');";

describe('function code integrity', () => {
  let t: TestNimbus;
  let lambda: LambdaClient;
  before(async () => ({ t, lambda } = await startLambdaNimbus({ memory: false })));
  after(() => t.stop());

  const invoke = async (name: string) => JSON.parse(decode((await lambda.send(new InvokeCommand({ FunctionName: name }))).Payload));
  /** A configuration change makes a new revision: the next invoke is a cold start. */
  async function coldStartNext(name: string, n: number) {
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: `revision ${n}` }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30, minDelay: 0.05 as never, maxDelay: 0.1 as never }, { FunctionName: name });
  }

  it('unpacks code read-only and unpacks it again when it changed on disk before a cold start', async () => {
    await createFunction(lambda, 'guarded', { 'index.js': HANDLER, 'answer.js': "module.exports = 'deployed';" });
    assert.equal(await invoke('guarded'), 'deployed');
    const sha = (await lambda.send(new GetFunctionCommand({ FunctionName: 'guarded' }))).Configuration!.CodeSha256!;
    const dir = join(t.dataDir!, 'lambda', 'code', Buffer.from(sha, 'base64').toString('hex'));
    const answer = join(dir, 'answer.js');
    assert.equal(statSync(answer).mode & 0o777, 0o444, 'read-only on disk');

    // Replaced content (a different length) and an added file.
    chmodSync(answer, 0o644);
    writeFileSync(answer, "module.exports = 'tampered with';");
    writeFileSync(join(dir, 'extra.js'), 'planted');
    await coldStartNext('guarded', 1);
    assert.equal(await invoke('guarded'), 'deployed');
    assert.equal(readFileSync(answer, 'utf8'), "module.exports = 'deployed';");
    assert.equal(existsSync(join(dir, 'extra.js')), false);

    // Same length, same mode, after a verification in this process: the change time gives it away.
    chmodSync(answer, 0o644);
    writeFileSync(answer, "module.exports = 'DEPLOYED';");
    chmodSync(answer, 0o444);
    await coldStartNext('guarded', 2);
    assert.equal(await invoke('guarded'), 'deployed');
  });

  it('starts warm environments without re-reading the code, and cold ones on unchanged code without unpacking again', async () => {
    await createFunction(lambda, 'steady', { 'index.js': HANDLER, 'answer.js': "module.exports = 'steady';" });
    assert.equal(await invoke('steady'), 'steady');
    const sha = (await lambda.send(new GetFunctionCommand({ FunctionName: 'steady' }))).Configuration!.CodeSha256!;
    const answer = join(t.dataDir!, 'lambda', 'code', Buffer.from(sha, 'base64').toString('hex'), 'answer.js');
    const before = statSync(answer);
    await coldStartNext('steady', 1);
    assert.equal(await invoke('steady'), 'steady');
    const afterStart = statSync(answer);
    assert.equal(afterStart.ino, before.ino, 'not unpacked again');
    assert.equal(afterStart.ctimeMs, before.ctimeMs);
  });
});
