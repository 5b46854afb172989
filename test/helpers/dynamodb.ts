/**
 * Helpers for the DynamoDB tests: a Nimbus per test with the DynamoDB, document and Streams
 * clients pointed at it, and table creation in one line.
 */
import { CreateTableCommand, DescribeImportCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startTestNimbus, TEST_CREDENTIALS, type TestNimbus, type TestNimbusOptions } from './nimbus.js';

export { rejectsWith } from './sqs.js';

export interface DynamoTest {
  t: TestNimbus;
  ddb: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  streams: DynamoDBStreamsClient;
}

export interface ClientOptions {
  credentials?: { accessKeyId: string; secretAccessKey: string };
  region?: string;
  /** Sign as of Nimbus's clock (after a test moved it by more than SigV4's 15-minute skew). */
  clock?: { now(): number };
}

const clientConfig = (endpoint: string, opts: ClientOptions) => ({
  endpoint,
  region: opts.region ?? 'us-east-1',
  credentials: opts.credentials ?? TEST_CREDENTIALS,
  maxAttempts: 1,
  ...(opts.clock ? { systemClockOffset: opts.clock.now() - Date.now() } : {}),
});

export function dynamoClient(endpoint: string, opts: ClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient(clientConfig(endpoint, opts));
}

export function streamsClient(endpoint: string, opts: ClientOptions = {}): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient(clientConfig(endpoint, opts));
}

export async function withDynamo(fn: (d: DynamoTest) => Promise<void>, opts?: TestNimbusOptions): Promise<void> {
  const t = await startTestNimbus(opts);
  const ddb = dynamoClient(t.endpoint);
  const doc = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });
  const streams = streamsClient(t.endpoint);
  try {
    await fn({ t, ddb, doc, streams });
  } finally {
    ddb.destroy();
    streams.destroy();
    await t.stop();
  }
}

/** A pay-per-request table keyed `pk` (S) and, unless `range: false`, `sk` (S or the type given). */
export async function createTable(
  ddb: DynamoDBClient,
  name: string,
  opts: { range?: false | 'S' | 'N' | 'B'; hash?: 'S' | 'N' | 'B'; extra?: Partial<CreateTableCommandInput> } = {},
): Promise<void> {
  const range = opts.range === undefined ? 'S' : opts.range;
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, ...(range ? [{ AttributeName: 'sk', KeyType: 'RANGE' as const }] : [])],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: opts.hash ?? 'S' },
        ...(range ? [{ AttributeName: 'sk', AttributeType: range }] : []),
        ...(opts.extra?.AttributeDefinitions ?? []),
      ],
      ...opts.extra,
      ...(opts.extra?.AttributeDefinitions
        ? {
            AttributeDefinitions: [
              { AttributeName: 'pk', AttributeType: opts.hash ?? 'S' },
              ...(range ? [{ AttributeName: 'sk', AttributeType: range }] : []),
              ...opts.extra.AttributeDefinitions,
            ],
          }
        : {}),
    }),
  );
}

/** The import once it is no longer IN_PROGRESS (it runs in the background; a few ms here). */
export async function importDone(ddb: DynamoDBClient, ImportArn: string) {
  for (let i = 0; i < 500; i++) {
    const d = (await ddb.send(new DescribeImportCommand({ ImportArn }))).ImportTableDescription!;
    if (d.ImportStatus !== 'IN_PROGRESS') return d;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`import ${ImportArn} still IN_PROGRESS after 5 s`);
}
