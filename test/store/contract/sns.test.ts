/**
 * The SNS repo contract: what every storage backend's SnsRepo does, driven only through the
 * repo interface and the Store (writes in store.write with their Tx). Runs for SQLite in memory
 * and on disk; a future backend adds itself in backends.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NewDelivery, SnsRepo, StoredMessage, SubscriptionRecord, TopicRecord } from '../../../src/services/sns/repo.js';
import { sqliteSnsRepo } from '../../../src/services/sns/repo.sqlite.js';
import type { Store, Tx } from '../../../src/store/store.js';
import { onEveryBackend, withOpened, type Opened as BackendOpened } from './backends.js';

type Opened = BackendOpened<SnsRepo>;

const ACCOUNT = '000000000000';

function topic(name: string, over: Partial<TopicRecord> = {}): TopicRecord {
  return { arn: `arn:aws:sns:us-east-1:${ACCOUNT}:${name}`, account: ACCOUNT, region: 'us-east-1', name, attributes: {}, tags: {}, createdAt: 1000, ...over };
}

function subscription(t: TopicRecord, id: string, over: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return {
    arn: `${t.arn}:${id}`,
    topicArn: t.arn,
    owner: ACCOUNT,
    protocol: 'sqs',
    endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:${id}`,
    attributes: {},
    createdAt: 1000,
    unsubscribeToken: `unsub-${id}`,
    ...over,
  };
}

function message(t: TopicRecord, id: string, over: Partial<StoredMessage> = {}): StoredMessage {
  return { messageId: id, topicArn: t.arn, message: `message ${id}`, attributes: {}, timestamp: 1000, ...over };
}

const delivery = (s: SubscriptionRecord, over: Partial<NewDelivery> = {}): NewDelivery => ({
  subscriptionArn: s.arn,
  protocol: s.protocol,
  endpoint: s.endpoint,
  raw: false,
  dlqArn: null,
  ...over,
});

function repoContract(name: string, open: () => Promise<Opened>): void {
  describe(`SnsRepo contract: ${name}`, () => {
    const withRepo = (fn: Parameters<typeof withOpened<Opened['repo']>>[1]) => () => withOpened(open, fn);

    test('topics: put (insert, then update attributes and tags), load, list by owner in ARN order, sequence numbers', withRepo(async ({ repo, w }) => {
      const a = topic('a', { attributes: { DisplayName: 'A' } });
      const b = topic('b.fifo', { attributes: { FifoTopic: 'true' } });
      const elsewhere = topic('c', { arn: 'arn:aws:sns:eu-west-1:000000000000:c', region: 'eu-west-1' });
      await w(async (tx) => {
        for (const t of [b, a, elsewhere]) await repo.putTopic(tx, t);
      });
      await w((tx) => repo.putTopic(tx, { ...a, attributes: { DisplayName: 'A2' }, tags: { k: 'v' } }));
      const loaded = (await repo.loadTopics()).sort((x, y) => (x.arn < y.arn ? -1 : 1));
      assert.equal(loaded.length, 3);
      assert.deepEqual(loaded.find((t) => t.name === 'a'), { ...a, attributes: { DisplayName: 'A2' }, tags: { k: 'v' } });
      assert.deepEqual((await repo.listTopics(ACCOUNT, 'us-east-1', '', 10)).map((t) => t.name), ['a', 'b.fifo']);
      assert.deepEqual((await repo.listTopics(ACCOUNT, 'us-east-1', a.arn, 10)).map((t) => t.name), ['b.fifo']);
      assert.deepEqual((await repo.listTopics(ACCOUNT, 'us-east-1', '', 1)).map((t) => t.name), ['a']);
      assert.deepEqual(await repo.listTopics('111111111111', 'us-east-1', '', 10), []);
      const seqs = await w(async (tx) => [await repo.nextTopicSeq(tx, b.arn), await repo.nextTopicSeq(tx, b.arn)]);
      assert.ok(seqs[1]! > seqs[0]!);
      assert.ok((await w((tx) => repo.nextTopicSeq(tx, b.arn))) > seqs[1]!);
    }));

    test('deleting a topic removes its subscriptions, their deliveries and its deduplication entries', withRepo(async ({ repo, w }) => {
      const t = topic('t');
      const keep = topic('keep');
      const s = subscription(t, 's1');
      const other = subscription(keep, 's2');
      await w(async (tx) => {
        await repo.putTopic(tx, t);
        await repo.putTopic(tx, keep);
        await repo.putSubscription(tx, s);
        await repo.putSubscription(tx, other);
        await repo.insertMessage(tx, message(t, 'm1'), [delivery(s)], 1000);
        await repo.insertMessage(tx, message(keep, 'm2'), [delivery(other)], 1000);
        await repo.putDedup(tx, t.arn, 'd', { messageId: 'm1', sequenceNumber: '1', expiresAt: 9000 });
      });
      await w((tx) => repo.deleteTopic(tx, t.arn));
      assert.deepEqual((await repo.loadTopics()).map((x) => x.name), ['keep']);
      assert.deepEqual((await repo.loadSubscriptions()).map((x) => x.arn), [other.arn]);
      assert.equal(await repo.hasPendingDeliveries(s.arn), false);
      assert.equal(await repo.hasPendingDeliveries(other.arn), true);
      assert.equal(await repo.getDedup(t.arn, 'd'), undefined);
    }));

    test('subscriptions: put (insert, then update), load, list by owner and region and by topic, delete', withRepo(async ({ repo, w }) => {
      const t = topic('t');
      const t2 = topic('u');
      const west = topic('w', { arn: 'arn:aws:sns:eu-west-1:000000000000:w', region: 'eu-west-1' });
      const s1 = subscription(t, 'a', { protocol: 'https', endpoint: 'https://example.com/', pending: true, token: 'tok' });
      const s2 = subscription(t, 'b', { attributes: { RawMessageDelivery: 'true' } });
      const s3 = subscription(t2, 'c', { owner: '111111111111' });
      const s4 = subscription(west, 'd');
      await w(async (tx) => {
        for (const x of [t, t2, west]) await repo.putTopic(tx, x);
        for (const x of [s2, s1, s3, s4]) await repo.putSubscription(tx, x);
      });
      const all = await repo.loadSubscriptions();
      assert.deepEqual(all.map((s) => s.arn).sort(), [s1, s2, s3, s4].map((s) => s.arn).sort());
      assert.deepEqual(all.find((s) => s.arn === s1.arn), s1);
      assert.deepEqual(all.find((s) => s.arn === s2.arn), s2);

      const confirmed: SubscriptionRecord = { ...s1, attributes: { ConfirmationWasAuthenticated: 'true' } };
      delete confirmed.pending;
      await w((tx) => repo.putSubscription(tx, confirmed));
      assert.deepEqual((await repo.loadSubscriptions()).find((s) => s.arn === s1.arn), confirmed);

      assert.deepEqual((await repo.listSubscriptions(ACCOUNT, 'us-east-1', '', 10)).map((s) => s.arn), [s1.arn, s2.arn]);
      assert.deepEqual((await repo.listSubscriptions(ACCOUNT, 'us-east-1', s1.arn, 10)).map((s) => s.arn), [s2.arn]);
      assert.deepEqual((await repo.listSubscriptions('111111111111', 'us-east-1', '', 10)).map((s) => s.arn), [s3.arn]);
      assert.deepEqual((await repo.listSubscriptions(ACCOUNT, 'eu-west-1', '', 10)).map((s) => s.arn), [s4.arn]);
      assert.deepEqual((await repo.listSubscriptionsOfTopic(t.arn, '', 1)).map((s) => s.arn), [s1.arn]);
      assert.deepEqual((await repo.listSubscriptionsOfTopic(t.arn, s1.arn, 10)).map((s) => s.arn), [s2.arn]);

      await w(async (tx) => {
        await repo.insertMessage(tx, message(t, 'm'), [delivery(s1), delivery(s2)], 1000);
        await repo.deleteSubscription(tx, s2.arn);
      });
      assert.deepEqual((await repo.listSubscriptionsOfTopic(t.arn, '', 10)).map((s) => s.arn), [s1.arn]);
      assert.equal(await repo.hasPendingDeliveries(s2.arn), false, 'what was still to deliver to it went with it');
      assert.equal(await repo.hasPendingDeliveries(s1.arn), true);
    }));

    test('expirePending removes only pending subscriptions created before the time, with their deliveries, and names them', withRepo(async ({ repo, w }) => {
      const t = topic('t');
      const old = subscription(t, 'old', { pending: true, token: 'x', createdAt: 100 });
      const young = subscription(t, 'young', { pending: true, token: 'y', createdAt: 900 });
      const confirmed = subscription(t, 'confirmed', { createdAt: 100 });
      await w(async (tx) => {
        await repo.putTopic(tx, t);
        for (const s of [old, young, confirmed]) await repo.putSubscription(tx, s);
        await repo.insertMessage(tx, message(t, 'c', { type: 'SubscriptionConfirmation', token: 'x' }), [delivery(old)], 100);
      });
      assert.deepEqual(await w((tx) => repo.expirePending(tx, 500)), [old.arn]);
      assert.deepEqual((await repo.loadSubscriptions()).map((s) => s.arn).sort(), [confirmed.arn, young.arn].sort());
      assert.equal(await repo.hasPendingDeliveries(old.arn), false);
      assert.deepEqual(await w((tx) => repo.expirePending(tx, 500)), []);
    }));

    test('the outbox: a message with its deliveries, read per subscription in order, retried, finished', withRepo(async ({ repo, w }) => {
      const t = topic('t');
      const s1 = subscription(t, 'a', { protocol: 'lambda', endpoint: 'arn:aws:lambda:us-east-1:000000000000:function:f' });
      const s2 = subscription(t, 'b');
      const m1 = message(t, 'm1', {
        subject: 'hi',
        attributes: { s: { DataType: 'String', StringValue: 'v' }, b: { DataType: 'Binary', BinaryValue: Buffer.from([7, 8]) } },
        perProtocol: { default: 'd', sqs: 'q' },
      });
      const m2 = message(t, 'm2', { groupId: 'g', dedupId: 'd', sequenceNumber: '10000000000000000001' });
      await w(async (tx) => {
        await repo.putTopic(tx, t);
        await repo.putSubscription(tx, s1);
        await repo.putSubscription(tx, s2);
        await repo.insertMessage(tx, m1, [delivery(s1), delivery(s2, { raw: true, dlqArn: 'arn:aws:sqs:us-east-1:000000000000:dlq' })], 2000);
        await repo.insertMessage(tx, m2, [delivery(s1)], 3000);
        await repo.insertMessage(tx, message(t, 'none'), [], 3000);
      });
      assert.deepEqual((await repo.subscriptionsWithPending()).sort(), [s1.arn, s2.arn].sort());
      const lane = await repo.deliveriesOf(s1.arn, 0, 10);
      assert.equal(lane.length, 2);
      assert.ok(lane[0]!.delivery.id < lane[1]!.delivery.id, 'in publish order');
      assert.deepEqual(
        { ...lane[0]!.delivery, id: 0, messageRow: 0 },
        { id: 0, messageRow: 0, subscriptionArn: s1.arn, protocol: 'lambda', endpoint: s1.endpoint, raw: false, dlqArn: null, attempts: 0, nextAt: 2000 },
      );
      assert.deepEqual(lane[0]!.message(), m1);
      assert.deepEqual(lane[1]!.message(), m2);
      assert.equal(lane[1]!.delivery.nextAt, 3000);
      assert.deepEqual((await repo.deliveriesOf(s1.arn, lane[0]!.delivery.id, 10)).map((r) => r.delivery.id), [lane[1]!.delivery.id]);
      assert.equal((await repo.deliveriesOf(s1.arn, 0, 1)).length, 1);
      const [other] = await repo.deliveriesOf(s2.arn, 0, 10);
      assert.equal(other!.delivery.raw, true);
      assert.equal(other!.delivery.dlqArn, 'arn:aws:sqs:us-east-1:000000000000:dlq');

      // s1's first delivery is done, its second is retried; m1 stays while s2 still needs it.
      await w((tx) => repo.settleDeliveries(tx, [lane[0]!.delivery.id], [{ id: lane[1]!.delivery.id, attempts: 1, nextAt: 9000 }]));
      const after = await repo.deliveriesOf(s1.arn, 0, 10);
      assert.deepEqual(after.map((r) => [r.delivery.id, r.delivery.attempts, r.delivery.nextAt]), [[lane[1]!.delivery.id, 1, 9000]]);
      assert.deepEqual((await repo.deliveriesOf(s2.arn, 0, 10))[0]!.message(), m1);
      await w((tx) => repo.settleDeliveries(tx, [other!.delivery.id, after[0]!.delivery.id], []));
      assert.deepEqual(await repo.subscriptionsWithPending(), []);
      assert.equal(await repo.hasPendingDeliveries(s1.arn), false);
    }));

    test('FIFO deduplication entries: put, get, swept once expired', withRepo(async ({ repo, w }) => {
      const t = topic('t.fifo', { attributes: { FifoTopic: 'true' } });
      const entry = { messageId: 'm', sequenceNumber: '10000000000000000001', expiresAt: 5000 };
      await w(async (tx) => {
        await repo.putTopic(tx, t);
        await repo.putDedup(tx, t.arn, 'd', entry);
        assert.deepEqual(await repo.getDedup(t.arn, 'd', tx), entry, 'a write reads its own entry');
      });
      assert.deepEqual(await repo.getDedup(t.arn, 'd'), entry);
      assert.equal(await repo.getDedup(t.arn, 'other'), undefined);
      await w((tx) => repo.sweepDedup(tx, 4999));
      assert.deepEqual(await repo.getDedup(t.arn, 'd'), entry);
      await w((tx) => repo.sweepDedup(tx, 5000));
      assert.equal(await repo.getDedup(t.arn, 'd'), undefined);
    }));

    test('a failed write leaves nothing behind; the others of its commit stay', withRepo(async ({ repo, w }) => {
      const outcomes = await Promise.allSettled([
        w((tx) => repo.putTopic(tx, topic('a'))),
        w(async (tx) => {
          await repo.putTopic(tx, topic('b'));
          throw new Error('fails after its put');
        }),
        w((tx) => repo.putTopic(tx, topic('c'))),
      ]);
      assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
      assert.deepEqual((await repo.loadTopics()).map((t) => t.name).sort(), ['a', 'c']);
    }));

    test('a write method refuses a stale Tx (one kept past its write)', withRepo(async ({ repo, w }) => {
      const t = topic('t');
      let kept: Tx | undefined;
      await w(async (tx) => {
        kept = tx;
        await repo.putTopic(tx, t);
      });
      await assert.rejects(repo.putTopic(kept!, topic('late')), /outside its store write/);
      await assert.rejects(repo.putSubscription(kept!, subscription(t, 's')), /outside its store write/);
      await assert.rejects(repo.insertMessage(kept!, message(t, 'm'), [], 1000), /outside its store write/);
      await assert.rejects(repo.settleDeliveries(kept!, [1], []), /outside its store write/);
      assert.deepEqual((await repo.loadTopics()).map((x) => x.name), ['t']);
      assert.deepEqual(await repo.loadSubscriptions(), []);
    }));
  });
}

onEveryBackend({ sqlite: sqliteSnsRepo }, repoContract);
