/**
 * Starts a real Nimbus on a random port for a test, with an SDK client pointed at it.
 * No part of Nimbus is mocked; only time may be a ManualClock that the test moves.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, type Clock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/log.js';
import { startNimbus, type Nimbus } from '../../src/nimbus.js';
import type { Credentials } from '../../src/protocols/sigv4.js';

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
export const ACCOUNT = '000000000000';

export interface TestNimbus {
  nimbus: Nimbus;
  endpoint: string;
  /** The clock Nimbus runs on (a ManualClock unless `clock: 'system'` was asked for). */
  clock: ManualClock;
  sqs: SQSClient;
  /** A fresh SQS client, e.g. with other credentials or region. */
  sqsClient(opts?: { credentials?: { accessKeyId: string; secretAccessKey: string }; region?: string }): SQSClient;
  /** The data directory (undefined in memory mode). */
  dataDir: string | undefined;
  stop(): Promise<void>;
}

export interface TestNimbusOptions {
  /** Default: a ManualClock starting now. 'system' uses real time. */
  clock?: 'system' | ManualClock;
  /** Default true. With false, a temporary data dir (removed on stop) unless dataDir is given. */
  memory?: boolean;
  dataDir?: string;
  credentials?: Credentials[];
  /** Directories functions may run code from in place (hot reload); none unless given. */
  hotReloadRoots?: string[];
  /** Address ranges refused or allowed for outbound connections (NIMBUS_OUTBOUND_DENY/ALLOW). */
  outboundDeny?: string[];
  outboundAllow?: string[];
  /** A TLS listener (local CA in the data directory) on this port; 0 for a random one. None unless given. */
  tlsPort?: number;
  /** Acknowledged delivery's mailbox limits (NIMBUS_MAILBOX_CAPACITY, NIMBUS_MAILBOX_TTL). */
  mailboxCapacity?: number;
  mailboxTtlSeconds?: number;
  /** Cognito user pools' endpoint for authorizers (NIMBUS_COGNITO_ENDPOINT): a test's own key server. */
  cognitoEndpoint?: string;
  /** How long new DynamoDB tables stay CREATING, on the test's clock (NIMBUS_TABLE_STATUS_DELAY). */
  tableStatusDelayMs?: number;
}

export async function startTestNimbus(opts: TestNimbusOptions = {}): Promise<TestNimbus> {
  const memory = opts.memory ?? opts.dataDir === undefined;
  const ownDir = !memory && opts.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'nimbus-test-')) : undefined;
  const dataDir = memory ? undefined : (opts.dataDir ?? ownDir);
  const clock = opts.clock === 'system' ? undefined : (opts.clock ?? new ManualClock(Date.now()));
  const nimbus = await startNimbus({
    port: 0,
    memory,
    dataDir,
    clock: clock as Clock | undefined,
    log: createLogger(process.env.NIMBUS_TEST_LOG ? 'debug' : 'silent'),
    credentials: opts.credentials ?? [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }],
    hotReloadRoots: opts.hotReloadRoots ?? [],
    ...(opts.outboundDeny ? { outboundDeny: opts.outboundDeny } : {}),
    ...(opts.outboundAllow ? { outboundAllow: opts.outboundAllow } : {}),
    ...(opts.tlsPort !== undefined ? { tlsPort: opts.tlsPort } : {}),
    ...(opts.mailboxCapacity !== undefined ? { mailboxCapacity: opts.mailboxCapacity } : {}),
    ...(opts.mailboxTtlSeconds !== undefined ? { mailboxTtlSeconds: opts.mailboxTtlSeconds } : {}),
    ...(opts.cognitoEndpoint ? { cognitoEndpoint: opts.cognitoEndpoint } : {}),
    ...(opts.tableStatusDelayMs !== undefined ? { tableStatusDelayMs: opts.tableStatusDelayMs } : {}),
  });
  const sqsClient = (o: { credentials?: { accessKeyId: string; secretAccessKey: string }; region?: string } = {}) =>
    new SQSClient({ endpoint: nimbus.endpoint, region: o.region ?? 'us-east-1', credentials: o.credentials ?? TEST_CREDENTIALS, maxAttempts: 1 });
  const sqs = sqsClient();
  return {
    nimbus,
    endpoint: nimbus.endpoint,
    clock: (clock ?? new ManualClock()) as ManualClock,
    sqs,
    sqsClient,
    dataDir,
    async stop() {
      sqs.destroy();
      await nimbus.stop();
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}
