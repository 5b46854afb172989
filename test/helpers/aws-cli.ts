/**
 * Debian's AWS CLI v2 (/usr/bin/aws, 2.9), run against a test Nimbus isolated from the
 * machine's own AWS configuration. It speaks the query protocol to SQS and JSON to DynamoDB.
 * CI installs it (`.ci/run`); tests skip with the reason when it is missing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const AWS_CLI = '/usr/bin/aws';
export const cliSkip = existsSync(AWS_CLI) ? false : `${AWS_CLI} (AWS CLI v2 from Debian) is not installed; CI installs it`;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let cliHome: string | undefined;

/** Removes the CLI's scratch home (call from an `after` hook). */
export function removeCliHome(): void {
  if (cliHome) rmSync(cliHome, { recursive: true, force: true });
  cliHome = undefined;
}

/** Runs `/usr/bin/aws --endpoint-url <endpoint> <service> <args>`. */
export function awsCli(endpoint: string, service: string, args: string[]): Promise<CliResult> {
  cliHome ??= mkdtempSync(join(tmpdir(), 'nimbus-awscli-'));
  const config = join(cliHome, 'config');
  const credentials = join(cliHome, 'credentials');
  writeFileSync(config, '');
  writeFileSync(credentials, '');
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  Object.assign(env, {
    HOME: cliHome,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  return new Promise((resolve, reject) => {
    execFile(
      AWS_CLI,
      ['--endpoint-url', endpoint, '--output', 'json', '--cli-read-timeout', '30', service, ...args],
      { env, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(new Error(`aws ${service} ${args.join(' ')}: ${err.message}\n${stderr}`));
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
  });
}

/** Runs the CLI, asserts success and parses its JSON output. */
export async function awsJson(endpoint: string, service: string, args: string[]): Promise<any> {
  const r = await awsCli(endpoint, service, args);
  assert.equal(r.code, 0, `aws ${service} ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout.trim() === '' ? undefined : JSON.parse(r.stdout);
}
