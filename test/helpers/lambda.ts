/** Lambda test helpers: a client for a test Nimbus, zips built in memory, and a function factory. */
import { CreateFunctionCommand, LambdaClient, waitUntilFunctionActiveV2, type CreateFunctionCommandInput } from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { startTestNimbus, TEST_CREDENTIALS, type TestNimbus, type TestNimbusOptions } from './nimbus.js';

export const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';

export function lambdaClient(endpoint: string): LambdaClient {
  return new LambdaClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
}

/** A test Nimbus and a Lambda client for it. */
export async function startLambdaNimbus(opts: TestNimbusOptions = {}): Promise<{ t: TestNimbus; lambda: LambdaClient }> {
  const t = await startTestNimbus(opts);
  return { t, lambda: lambdaClient(t.endpoint) };
}

/** A zip of the given files; a mode marks executables (custom runtime bootstraps). */
export function zip(files: Record<string, string | { text: string; mode: number }>): Uint8Array {
  const entries: Record<string, [Uint8Array, { os: number; attrs: number }]> = {};
  for (const [name, f] of Object.entries(files)) {
    const text = typeof f === 'string' ? f : f.text;
    const mode = typeof f === 'string' ? 0o644 : f.mode;
    entries[name] = [Buffer.from(text), { os: 3, attrs: (0o100000 | mode) << 16 }];
  }
  return zipSync(entries as never);
}

/** Creates a function from handler source (index.js unless told) and waits until it is Active. */
export async function createFunction(
  lambda: LambdaClient,
  name: string,
  files: Record<string, string | { text: string; mode: number }>,
  extra: Partial<CreateFunctionCommandInput> = {},
): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: ROLE,
      Code: { ZipFile: zip(files) },
      ...extra,
    }),
  );
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 0.05 as never, maxDelay: 0.1 as never }, { FunctionName: name });
}

export const decode = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('utf8') : '');
