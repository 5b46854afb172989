import assert from 'node:assert/strict';
import { CloudWatchLogsClient, DescribeLogStreamsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../../src/lib/clock.js';
import type { InternalApi } from '../../../src/lib/internal.js';
import { createLogger } from '../../../src/lib/log.js';
import { startNimbus, type Nimbus } from '../../../src/nimbus.js';
import { ACCESS_LOG_FORMATS, AccessLogs, formatAccessLog, parseLogGroupArn } from '../../../src/services/apigateway/shared/access-log.js';
import { ACCOUNT, TEST_CREDENTIALS } from '../../helpers/nimbus.js';

const context = {
  requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  extendedRequestId: 'AbCdEfGhIjKlMnO=',
  identity: { sourceIp: '198.51.100.7', caller: null, user: '' },
  requestTime: '07/Dec/2026:15:36:01 +0000',
  httpMethod: 'GET',
  resourcePath: '/pets/{petId}',
  protocol: 'HTTP/1.1',
  status: 200,
  responseLength: 42,
  authorizer: { claims: { sub: 'user-1', 'email_verified': true } },
};

describe('formatAccessLog', () => {
  test('CLF, as the console example writes it; missing and empty values are -', () => {
    assert.equal(
      formatAccessLog(ACCESS_LOG_FORMATS.CLF, context),
      '198.51.100.7 - - [07/Dec/2026:15:36:01 +0000] "GET /pets/{petId} HTTP/1.1" 200 42 c6af9ac6-7b61-11e6-9a41-93e8deadbeef AbCdEfGhIjKlMnO=',
    );
  });

  test('JSON: the line parses and carries the values', () => {
    const parsed = JSON.parse(formatAccessLog(ACCESS_LOG_FORMATS.JSON, context));
    assert.deepEqual(parsed, {
      requestId: context.requestId,
      extendedRequestId: context.extendedRequestId,
      ip: '198.51.100.7',
      caller: '-',
      user: '-',
      requestTime: context.requestTime,
      httpMethod: 'GET',
      resourcePath: '/pets/{petId}',
      status: '200',
      protocol: 'HTTP/1.1',
      responseLength: '42',
    });
  });

  test('XML and CSV', () => {
    assert.equal(
      formatAccessLog(ACCESS_LOG_FORMATS.XML, context),
      '<request id="c6af9ac6-7b61-11e6-9a41-93e8deadbeef"> <extendedRequestId>AbCdEfGhIjKlMnO=</extendedRequestId> <ip>198.51.100.7</ip> <caller>-</caller> <user>-</user> <requestTime>07/Dec/2026:15:36:01 +0000</requestTime> <httpMethod>GET</httpMethod> <resourcePath>/pets/{petId}</resourcePath> <status>200</status> <protocol>HTTP/1.1</protocol> <responseLength>42</responseLength> </request>',
    );
    assert.equal(
      formatAccessLog(ACCESS_LOG_FORMATS.CSV, context),
      '198.51.100.7,-,-,07/Dec/2026:15:36:01 +0000,GET,/pets/{petId},HTTP/1.1,200,42,c6af9ac6-7b61-11e6-9a41-93e8deadbeef,AbCdEfGhIjKlMnO=',
    );
  });

  test('nested variables, unknown ones, trailing punctuation and text that only looks like a variable', () => {
    assert.equal(formatAccessLog('$context.authorizer.claims.sub/$context.authorizer.claims.email_verified', context), 'user-1/true');
    assert.equal(formatAccessLog('$context.nope $context.identity.sourceIp.deeper $context.status.', context), '- - 200.');
    assert.equal(formatAccessLog('$contextual $context $stageVariables.x cost: $5', context), '$contextual $context $stageVariables.x cost: $5');
    assert.equal(formatAccessLog('$context.toString $context.constructor', context), '- -');
    assert.equal(formatAccessLog('$context.httpMethod-$context.status', context), 'GET-200');
    assert.equal(formatAccessLog('$context.identity', { identity: { sourceIp: '1.2.3.4' } }), '{"sourceIp":"1.2.3.4"}');
    assert.equal(formatAccessLog('', context), '');
  });
});

test('parseLogGroupArn', () => {
  assert.deepEqual(parseLogGroupArn('arn:aws:logs:us-east-1:123456789012:log-group:my/api-logs'), { region: 'us-east-1', accountId: '123456789012', group: 'my/api-logs' });
  assert.deepEqual(parseLogGroupArn('arn:aws:logs:eu-west-1:123456789012:log-group:g:*'), { region: 'eu-west-1', accountId: '123456789012', group: 'g' });
  assert.equal(parseLogGroupArn('arn:aws:s3:::bucket'), undefined);
  assert.equal(parseLogGroupArn('arn:aws:logs:us-east-1:123:log-group:g'), undefined);
});

describe('AccessLogs, through a real Nimbus', () => {
  let nimbus: Nimbus;
  let internal!: InternalApi;
  let logs: CloudWatchLogsClient;
  const clock = new ManualClock(Date.now());
  const warnings: string[] = [];

  before(async () => {
    nimbus = await startNimbus({
      port: 0,
      memory: true,
      clock,
      log: createLogger('silent'),
      credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }],
      hotReloadRoots: [],
      // A test-only service that only keeps the in-process API other services register on.
      extraServices: [
        (env) => {
          internal = env.internal;
          return { name: 'access-log-test', signingName: 'access-log-test', operations: {}, validationError: () => new Error('unused') as never };
        },
      ],
    });
    logs = new CloudWatchLogsClient({ endpoint: nimbus.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  });
  after(async () => {
    logs.destroy();
    await nimbus.stop();
  });

  test('lines reach the group named by the ARN, in order, one stream per API stage', async () => {
    const writer = new AccessLogs(internal, createLogger('warn', (l) => warnings.push(l)), { clock });
    const arn = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/apigw/access:*`;
    const t0 = clock.now();
    for (let i = 0; i < 25; i++) writer.write({ destinationArn: arn, apiId: 'a1b2c3d4e5', stage: 'prod' }, formatAccessLog('$context.requestId $context.status', { requestId: `r${i}`, status: 200 }), t0 + i);
    writer.write({ destinationArn: arn, apiId: 'a1b2c3d4e5', stage: 'dev' }, 'dev line', t0);
    // The signature the data planes use: an ARN and a line, stamped with the clock.
    writer.write(arn, 'plain line');
    await writer.flush();
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/apigw/access' }));
    assert.deepEqual(streams.logStreams?.map((s) => s.logStreamName).sort(), ['a1b2c3d4e5_dev', 'a1b2c3d4e5_prod', 'access-log']);
    const prod = await logs.send(new GetLogEventsCommand({ logGroupName: '/aws/apigw/access', logStreamName: 'a1b2c3d4e5_prod', startFromHead: true }));
    assert.deepEqual(prod.events?.map((e) => e.message), Array.from({ length: 25 }, (_, i) => `r${i} 200`));
    assert.deepEqual(prod.events?.map((e) => e.timestamp), Array.from({ length: 25 }, (_, i) => t0 + i));
    const plain = await logs.send(new GetLogEventsCommand({ logGroupName: '/aws/apigw/access', logStreamName: 'access-log', startFromHead: true }));
    assert.deepEqual(plain.events?.map((e) => [e.message, e.timestamp]), [['plain line', t0]]);
  });

  test('a bad destination is logged once and never throws; other accounts get their own groups', async () => {
    const lines: string[] = [];
    const writer = new AccessLogs(internal, createLogger('warn', (l) => lines.push(l)), { clock });
    writer.write('not-an-arn', 'x');
    writer.write('not-an-arn', 'y');
    writer.write('arn:aws:logs:us-east-1:111122223333:log-group:theirs', 'theirs');
    await writer.flush();
    assert.equal(lines.filter((l) => l.includes('no CloudWatch Logs group ARN')).length, 1);
    // The line went to account 111122223333, not the caller's: the test account sees no such group.
    const mine = await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'theirs' })).catch((e: Error) => e);
    assert.ok(mine instanceof Error && mine.name === 'ResourceNotFoundException', String(mine));
  });

  test('without CloudWatch Logs running, lines are dropped with a warning', async () => {
    const { InternalApi: Empty } = await import('../../../src/lib/internal.js');
    const lines: string[] = [];
    const writer = new AccessLogs(new Empty(), createLogger('warn', (l) => lines.push(l)), { clock });
    writer.write(`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:g`, 'x');
    await writer.flush();
    assert.ok(lines.some((l) => l.includes('not running')));
  });
});
