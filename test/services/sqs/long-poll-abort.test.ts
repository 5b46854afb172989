/**
 * A long poll an in-process consumer aborts (a Lambda poller that stops) ends alone: the
 * queue's other waiting polls are not woken, and the queue's wake count does not move.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../src/lib/clock.js';
import { LongPolls } from '../../../src/services/sqs/engine/long-poll.js';

test('aborting one wait leaves the other waits of the queue waiting', async () => {
  const clock = new ManualClock(0);
  const polls = new LongPolls(clock);
  const done: string[] = [];
  const stopping = new AbortController();
  const aborted = polls.wait(1, 20_000, polls.generation(1), stopping.signal).then(() => done.push('aborted'));
  const other = polls.wait(1, 20_000, polls.generation(1)).then(() => done.push('other'));
  stopping.abort();
  await aborted;
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(done, ['aborted']);
  assert.equal(polls.generation(1), 0, 'an abort is no wake of the queue');
  polls.wake(1);
  await other;
  assert.deepEqual(done, ['aborted', 'other']);
  // An aborted signal ends a new wait at once.
  await polls.wait(1, 20_000, polls.generation(1), stopping.signal);
});
