/**
 * Acknowledged delivery survives a crash: 10 clients hold 1,000 unacknowledged messages when
 * Nimbus (a child process) is killed with SIGKILL; after the restart on the same data dir each
 * client, connecting again, gets its unacknowledged messages in order, and none comes again
 * once acknowledged.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startChildNimbus } from '../../helpers/child-nimbus.js';
import { createWsApi, postToClient, quiet, RawClient, wsUrl } from './ws-ack-helpers.js';
import { apigwClient } from './v2-helpers.js';

const CLIENTS = 10;
const POSTED = 110;
const ACKED_BEFORE = 10;

const running = new Set<ChildProcess>();
after(() => running.forEach((c) => c.kill('SIGKILL')));

async function acknowledged(endpoint: string): Promise<number> {
  const health = (await (await fetch(`${endpoint}/_nimbus/health`)).json()) as { services: { apigateway: { acknowledgedDelivery: { acknowledged: number } } } };
  return health.services.apigateway.acknowledgedDelivery.acknowledged;
}

async function waitFor(pred: () => Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('SIGKILL with 1,000 unacknowledged messages for 10 clients: all delivered after restart, in order, none twice after ack', { timeout: 60_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-ack-crash-'));
  const ids = Array.from({ length: CLIENTS }, (_, i) => `client-${i}`);
  try {
    const first = await startChildNimbus(dataDir, running);
    const apigw = apigwClient(first.endpoint);
    const apiId = await createWsApi(apigw);
    apigw.destroy();
    const url1 = wsUrl(first.endpoint, apiId);
    const before = await Promise.all(ids.map((id) => RawClient.connect(url1, id)));
    // Four posts in flight per client, forty in all: a message's seq is what its answer said.
    const dataOf = new Map<string, string>();
    await Promise.all(
      ids.flatMap((id) => {
        let next = 1;
        return Array.from({ length: 4 }, async () => {
          while (next <= POSTED) {
            const data = `${id}/${next++}`;
            const r = await postToClient(first.endpoint, apiId, id, data);
            assert.equal(r.status, 200, r.body);
            dataOf.set(`${id}#${JSON.parse(r.body).seq}`, data);
          }
        });
      }),
    );
    assert.equal(dataOf.size, CLIENTS * POSTED, 'seq 1..110 for each client, none given twice');
    await Promise.all(before.map((c) => c.until(() => c.seqs.length === POSTED)));
    before.forEach((c) => c.ack(ACKED_BEFORE));
    await waitFor(async () => (await acknowledged(first.endpoint)) === CLIENTS * ACKED_BEFORE, 'the acknowledgements');
    const exited = new Promise((r) => first.child.once('exit', r));
    first.child.kill('SIGKILL');
    await exited;
    before.forEach((c) => c.drop());

    const second = await startChildNimbus(dataDir, running);
    const url2 = wsUrl(second.endpoint, apiId);
    const afterRestart = await Promise.all(ids.map((id) => RawClient.connect(url2, id)));
    const unacked = POSTED - ACKED_BEFORE;
    await Promise.all(afterRestart.map((c) => c.until(() => c.seqs.length >= unacked)));
    await quiet();
    afterRestart.forEach((c, k) => {
      assert.deepEqual(c.seqs, Array.from({ length: unacked }, (_, i) => ACKED_BEFORE + 1 + i), `${ids[k]}: seq ${ACKED_BEFORE + 1}..${POSTED}, once each`);
      assert.deepEqual(c.frames.map((f) => f.data), Array.from({ length: unacked }, (_, i) => dataOf.get(`${ids[k]}#${ACKED_BEFORE + 1 + i}`)));
      c.ack(POSTED);
    });
    await waitFor(async () => (await acknowledged(second.endpoint)) === CLIENTS * unacked, 'the acknowledgements after restart');
    afterRestart.forEach((c) => c.drop());

    const again = await Promise.all(ids.map((id) => RawClient.connect(url2, id)));
    await quiet(200);
    for (const c of again) assert.deepEqual(c.frames, [], 'nothing comes twice once acknowledged');
    // seq carries on from where it was.
    const r = await postToClient(second.endpoint, apiId, ids[0]!, 'next');
    assert.equal(JSON.parse(r.body).seq, POSTED + 1);
    await again[0]!.until(() => again[0]!.seqs.length === 1);
    again.forEach((c) => c.drop());
    second.child.kill('SIGKILL');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
