/**
 * HTTP/HTTPS subscribers against a real local server: the SubscriptionConfirmation handshake
 * (by SubscribeURL and by ConfirmSubscription), signed notifications verified against the
 * certificate Nimbus serves, raw delivery, a failing endpoint whose message reaches the
 * subscription's dead-letter queue after SNS's HTTP retries, and the UnsubscribeURL.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { startTestNimbus, TEST_CREDENTIALS } from '../../helpers/nimbus.js';
import { queue, rejectsWith, signatureVerifies, take, withSns } from './helpers.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local endpoint that records what it is sent and answers `status()`. */
async function endpoint(status: () => number = () => 200): Promise<{ url: string; got: Received[]; next(count?: number): Promise<Received>; close(): Promise<void> }> {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status()).end();
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    got,
    /** Waits (briefly, in real time) until the count-th request has arrived; answers it. */
    async next(count = got.length + 1) {
      for (let i = 0; i < 250 && got.length < count; i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(got.length >= count, `expected ${count} requests, got ${got.length}`);
      return got[count - 1]!;
    },
    close: () => new Promise((res) => server.close(() => res())),
  };
}

const verifies = signatureVerifies;

describe('SNS HTTP/HTTPS subscribers', () => {
  it('confirms by SubscribeURL, then delivers signed notifications; UnsubscribeURL unsubscribes', () =>
    withSns(async (sns, t) => {
      const hook = await endpoint();
      try {
        const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'hooks' }));
        const sub = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: hook.url }));
        assert.equal(sub.SubscriptionArn, 'pending confirmation');
        const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
        assert.equal(listed.Subscriptions![0]!.SubscriptionArn, 'PendingConfirmation');
        let attrs = (await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!;
        assert.equal(attrs.SubscriptionsPending, '1');
        assert.equal(attrs.SubscriptionsConfirmed, '0');

        // Nothing is delivered before the confirmation.
        await sns.send(new PublishCommand({ TopicArn, Message: 'too early' }));

        const c = await hook.next(1);
        assert.equal(c.headers['x-amz-sns-message-type'], 'SubscriptionConfirmation');
        assert.equal(c.headers['x-amz-sns-topic-arn'], TopicArn);
        assert.equal(c.headers['content-type'], 'text/plain; charset=UTF-8');
        const conf = JSON.parse(c.body);
        assert.equal(conf.Type, 'SubscriptionConfirmation');
        assert.equal(c.headers['x-amz-sns-message-id'], conf.MessageId);
        assert.equal(conf.TopicArn, TopicArn);
        assert.match(conf.Token, /^[0-9a-f]{128}$/);
        assert.match(conf.Message, /^You have chosen to subscribe to the topic /);
        // SNS's own link shape: a GET of the endpoint's root with the action and the token.
        assert.ok(conf.SubscribeURL.startsWith(`${t.endpoint}/?Action=ConfirmSubscription&TopicArn=`), conf.SubscribeURL);
        assert.match(conf.SubscribeURL, /&Token=[0-9a-f]+$/);
        assert.equal(conf.SignatureVersion, '1');
        assert.ok(await verifies(conf), 'the confirmation signature verifies with the served certificate');

        // The SubscribeURL needs the right token.
        const forged = await fetch(conf.SubscribeURL.replace(/Token=[0-9a-f]+/, 'Token=' + '0'.repeat(128)));
        assert.equal(forged.status, 400);
        const confirmed = await fetch(conf.SubscribeURL);
        assert.equal(confirmed.status, 200);
        const arn = /<SubscriptionArn>([^<]+)<\/SubscriptionArn>/.exec(await confirmed.text())![1]!;
        assert.ok(arn.startsWith(`${TopicArn}:`));
        const sa = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes!;
        assert.equal(sa.PendingConfirmation, 'false');
        assert.equal(sa.ConfirmationWasAuthenticated, 'false', 'an unsigned GET confirmed it');
        attrs = (await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!;
        assert.equal(attrs.SubscriptionsPending, '0');
        assert.equal(attrs.SubscriptionsConfirmed, '1');

        const { MessageId } = await sns.send(
          new PublishCommand({ TopicArn, Message: 'hello', Subject: 'Hi', MessageAttributes: { color: { DataType: 'String', StringValue: 'red' } } }),
        );
        const n = await hook.next(2);
        assert.equal(n.headers['x-amz-sns-message-type'], 'Notification');
        assert.equal(n.headers['x-amz-sns-message-id'], MessageId);
        assert.equal(n.headers['x-amz-sns-subscription-arn'], arn);
        const body = JSON.parse(n.body);
        assert.equal(body.Message, 'hello');
        assert.equal(body.Subject, 'Hi');
        assert.deepEqual(body.MessageAttributes, { color: { Type: 'String', Value: 'red' } });
        assert.ok(await verifies(body), 'the notification signature verifies with the served certificate');

        // The UnsubscribeURL needs its token too.
        assert.equal((await fetch(body.UnsubscribeURL.replace(/&Token=.*$/, ''))).status, 404);
        assert.equal((await fetch(body.UnsubscribeURL)).status, 200);
        assert.equal((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions!.length, 0);
        await sns.send(new PublishCommand({ TopicArn, Message: 'after' }));
        await new Promise((r) => setTimeout(r, 150));
        assert.equal(hook.got.length, 2, 'nothing before the confirmation, nothing after the unsubscribe');
      } finally {
        await hook.close();
      }
    }));

  it('confirms with ConfirmSubscription and the token, and delivers raw messages', () =>
    withSns(async (sns) => {
      const hook = await endpoint();
      try {
        const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'raw-hooks' }));
        const sub = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: hook.url, ReturnSubscriptionArn: true, Attributes: { RawMessageDelivery: 'true' } }));
        assert.ok(sub.SubscriptionArn!.startsWith(`${TopicArn}:`));
        assert.equal((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub.SubscriptionArn }))).Attributes!.PendingConfirmation, 'true');
        const conf = JSON.parse((await hook.next(1)).body);
        await rejectsWith(sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: 'nope' })), 'InvalidParameterException', 'Invalid parameter: Token');
        const confirmed = await sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: conf.Token, AuthenticateOnUnsubscribe: 'true' }));
        assert.equal(confirmed.SubscriptionArn, sub.SubscriptionArn);
        const sa = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub.SubscriptionArn }))).Attributes!;
        assert.equal(sa.PendingConfirmation, 'false');
        assert.equal(sa.ConfirmationWasAuthenticated, 'true');
        assert.deepEqual(Object.keys(sa).filter((k) => !/^[A-Z]/.test(k)), [], 'only AWS attributes are shown');

        await sns.send(new PublishCommand({ TopicArn, Message: 'bare body' }));
        const n = await hook.next(2);
        assert.equal(n.body, 'bare body');
        assert.equal(n.headers['x-amz-sns-rawdelivery'], 'true');
      } finally {
        await hook.close();
      }
    }));

  it("sends a failing endpoint's message to the RedrivePolicy dead-letter queue after the retries", () =>
    withSns(async (sns, t) => {
      let status = 200;
      const hook = await endpoint(() => status);
      try {
        const dlq = await queue(t, 'hook-dlq');
        const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'flaky' }));
        await sns.send(
          new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: hook.url, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) } }),
        );
        const conf = JSON.parse((await hook.next(1)).body);
        await sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: conf.Token }));
        status = 500;
        const { MessageId } = await sns.send(new PublishCommand({ TopicArn, Message: 'lost?' }));
        await hook.next(2);
        // SNS's default HTTP policy: 3 retries, 20 s apart, on the injected clock. Each retry is
        // scheduled once Nimbus has read the endpoint's 500: wait for that before the clock moves.
        for (let k = 3; k <= 4; k++) {
          await t.clock.timerAt(t.clock.now() + 20_000);
          t.clock.advance(19_000);
          await new Promise((r) => setTimeout(r, 100));
          assert.equal(hook.got.length, k - 1, 'no retry before 20 s');
          t.clock.advance(1_000);
          await hook.next(k);
        }
        await t.clock.timerAt(t.clock.now() + 20_000);
        t.clock.advance(20_000);
        await hook.next(5);
        const [m] = await take(t, dlq.url, 1);
        const body = JSON.parse(m!.Body!);
        assert.equal(body.MessageId, MessageId);
        assert.equal(body.Message, 'lost?');
        t.clock.advance(60_000);
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(hook.got.length, 5, 'four attempts of the notification, then no more');
      } finally {
        await hook.close();
      }
    }));

  it("follows the subscription's DeliveryPolicy: its retries, its backoff and its content type", () =>
    withSns(async (sns, t) => {
      let status = 200;
      const hook = await endpoint(() => status);
      try {
        const dlq = await queue(t, 'policy-dlq');
        const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'policed' }));
        const DeliveryPolicy = JSON.stringify({
          healthyRetryPolicy: { numRetries: 3, numNoDelayRetries: 1, minDelayTarget: 2, maxDelayTarget: 8, numMinDelayRetries: 0, numMaxDelayRetries: 0, backoffFunction: 'linear' },
          requestPolicy: { headerContentType: 'application/json' },
        });
        await sns.send(
          new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: hook.url, Attributes: { DeliveryPolicy, RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) } }),
        );
        const conf = JSON.parse((await hook.next(1)).body);
        await sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: conf.Token }));
        status = 503;
        await sns.send(new PublishCommand({ TopicArn, Message: 'policed' }));
        const first = await hook.next(2);
        assert.equal(first.headers['content-type'], 'application/json');
        // One retry at once, then a backoff of two retries from 2 s to 8 s: 5 s, then 8 s.
        await hook.next(3);
        await t.clock.timerAt(t.clock.now() + 5_000);
        t.clock.advance(4_900);
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(hook.got.length, 3, 'the first backoff retry waits 5 s');
        t.clock.advance(100);
        await hook.next(4);
        await t.clock.timerAt(t.clock.now() + 8_000);
        t.clock.advance(7_900);
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(hook.got.length, 4, 'the second waits 8 s');
        t.clock.advance(100);
        await hook.next(5);
        const [m] = await take(t, dlq.url, 1);
        assert.equal(JSON.parse(m!.Body!).Message, 'policed');
      } finally {
        await hook.close();
      }
    }));

  it('stops retrying a failing endpoint once its subscription is removed', () =>
    withSns(async (sns, t) => {
      let status = 200;
      const hook = await endpoint(() => status);
      try {
        const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'dropped' }));
        const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: hook.url, ReturnSubscriptionArn: true }));
        const conf = JSON.parse((await hook.next(1)).body);
        await sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: conf.Token }));
        status = 500;
        await sns.send(new PublishCommand({ TopicArn, Message: 'never mind' }));
        await hook.next(2);
        await sns.send(new UnsubscribeCommand({ SubscriptionArn }));
        t.clock.advance(3 * 20_000);
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(hook.got.length, 2, 'no retry after Unsubscribe');
      } finally {
        await hook.close();
      }
    }));

  it("leaves a website's or bucket's own /?Action=Unsubscribe pages to them", () =>
    withSns(async (_sns, t) => {
      const { port } = new URL(t.endpoint);
      const get = (host: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = httpRequest({ host: '127.0.0.1', port, path: '/?Action=Unsubscribe&SubscriptionArn=x', headers: { host } }, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          });
          req.on('error', reject);
          req.end();
        });
      const own = await get(`127.0.0.1:${port}`);
      assert.equal(own.status, 404);
      assert.match(own.body, /<Code>NotFound<\/Code>/, 'SNS answers on its own host');
      const site = await get(`photos.s3-website.localhost:${port}`);
      assert.doesNotMatch(site.body, /sns\.amazonaws\.com/, 'a website host is not SNS\'s');
    }));

  it("spaces POSTs by the DeliveryPolicy's throttlePolicy", () =>
    withSns(async (sns, t) => {
      const hook = await endpoint();
      try {
        const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'throttled' }));
        const DeliveryPolicy = JSON.stringify({ throttlePolicy: { maxReceivesPerSecond: 2 } });
        await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: hook.url, Attributes: { DeliveryPolicy } }));
        const conf = JSON.parse((await hook.next(1)).body);
        await sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: conf.Token }));
        for (const m of ['a', 'b', 'c']) await sns.send(new PublishCommand({ TopicArn, Message: m }));
        await hook.next(2);
        for (const expected of [3, 4]) {
          await new Promise((r) => setTimeout(r, 100));
          assert.equal(hook.got.length, expected - 1, 'two a second: the next waits half a second');
          t.clock.advance(500);
          await hook.next(expected);
        }
        assert.deepEqual(hook.got.slice(1).map((r) => JSON.parse(r.body).Message).sort(), ['a', 'b', 'c']);
      } finally {
        await hook.close();
      }
    }));

  it('does not wait for an endpoint that never answers when Nimbus stops', async () => {
    const requests: string[] = [];
    const server = createServer((req) => {
      requests.push(req.method ?? '');
      // Never answers.
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const t = await startTestNimbus();
      const sns = new SNSClient({ endpoint: t.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'silent' }));
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }));
      for (let i = 0; i < 100 && requests.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(requests.length, 1, 'the confirmation is in flight');
      sns.destroy();
      const started = Date.now();
      await t.stop();
      assert.ok(Date.now() - started < 3000, `stopped in ${Date.now() - started} ms, not after the 15 s timeout`);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('never contacts an endpoint at a refused address (link-local and metadata by default; here loopback, denied by configuration); an allowed range wins', async () => {
    const hook = await endpoint();
    try {
      await withSns(
        async (sns) => {
          const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'guarded' }));
          // By IP literal and by a name that resolves to a refused address.
          await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: hook.url }));
          await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: hook.url.replace('127.0.0.1', 'localhost') }));
          await new Promise((r) => setTimeout(r, 500));
          assert.equal(hook.got.length, 0, 'a refused address was contacted');
          const attrs = (await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!;
          assert.equal(attrs.SubscriptionsPending, '2');
        },
        { outboundDeny: ['127.0.0.0/8', '::1/128'] },
      );
      await withSns(
        async (sns) => {
          const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'allowed' }));
          await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: hook.url }));
          const c = await hook.next(1);
          assert.equal(c.headers['x-amz-sns-message-type'], 'SubscriptionConfirmation');
        },
        { outboundDeny: ['127.0.0.0/8'], outboundAllow: ['127.0.0.1/32'] },
      );
    } finally {
      await hook.close();
    }
  });

  it('forgets subscriptions left unconfirmed for three days', () =>
    withSns(async (sns, t) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'unconfirmed' }));
      // Nothing listens there: the confirmation fails, and the subscription stays pending.
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: 'http://127.0.0.1:9/nobody' }));
      assert.equal((await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!.SubscriptionsPending, '1');
      t.clock.advance(3 * 86_400_000 + 120_000);
      await new Promise((r) => setTimeout(r, 100));
      // Nimbus checks request times against its own clock: a client that lives three days on.
      const later = new SNSClient({ endpoint: t.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1, systemClockOffset: t.clock.now() - Date.now() });
      try {
        const attrs = (await later.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!;
        assert.equal(attrs.SubscriptionsPending, '0');
        assert.equal(attrs.SubscriptionsConfirmed, '0');
      } finally {
        later.destroy();
      }
    }));
});
