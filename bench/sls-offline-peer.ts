/**
 * serverless-offline (npm), the peer of the API Gateway → Lambda row: the Serverless Framework
 * v3 with its serverless-offline plugin serving the same handler behind an `httpApi` GET /hello
 * event, in its own process (handlers run in its worker threads, counted in its CPU).
 *
 * Neither package is a dependency of Nimbus (the framework is hundreds of packages): the bench
 * installs them once into a directory of its own outside the repository,
 * `$NIMBUS_BENCH_SLS_DIR` or `<tmpdir>/nimbus-bench-serverless-offline`, which later runs reuse.
 * The same command by hand:
 *   npm install --prefix /tmp/nimbus-bench-serverless-offline serverless@3 serverless-offline@13
 * (serverless-offline 13 is the last line for the framework v3; v4 of the framework needs an
 * account login). When the install fails (no registry), the row is left out with a note.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { log } from './measure.js';
import { freePort, spawnServer, type ServerProc } from './servers.js';

export const SLS_PACKAGES = ['serverless@3', 'serverless-offline@13'];

/** The directory holding the installed peer, installing it first if it is not there; undefined when that fails. */
export function slsOfflineDir(): string | undefined {
  const dir = process.env.NIMBUS_BENCH_SLS_DIR ?? join(tmpdir(), 'nimbus-bench-serverless-offline');
  const installed = () => existsSync(join(dir, 'node_modules', 'serverless-offline', 'package.json')) && existsSync(join(dir, 'node_modules', 'serverless', 'bin', 'serverless.js'));
  if (installed()) return dir;
  mkdirSync(dir, { recursive: true });
  log(`installing the serverless-offline peer into ${dir} (${SLS_PACKAGES.join(' ')}; once, a few minutes)`);
  const r = spawnSync('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error', ...SLS_PACKAGES], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 15 * 60_000 });
  if (r.status !== 0 || !installed()) {
    log(`serverless-offline could not be installed (${r.error?.message ?? `npm exited ${r.status}`}): its row is left out. ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' ')}`);
    return undefined;
  }
  return dir;
}

/** serverless-offline serving `handlerSource` (CommonJS, `exports.handler`) at GET /hello; stop() also removes its service directory. */
export async function startSlsOffline(peerDir: string, handlerSource: string): Promise<ServerProc> {
  const service = mkdtempSync(join(tmpdir(), 'nimbus-bench-sls-service-'));
  symlinkSync(join(peerDir, 'node_modules'), join(service, 'node_modules'));
  writeFileSync(join(service, 'handler.js'), handlerSource);
  writeFileSync(
    join(service, 'serverless.yml'),
    [
      'service: nimbus-bench',
      "frameworkVersion: '3'",
      'provider:',
      '  name: aws',
      '  runtime: nodejs20.x',
      '  region: us-east-1',
      'functions:',
      '  hello:',
      '    handler: handler.handler',
      '    events:',
      '      - httpApi:',
      '          path: /hello',
      '          method: get',
      'plugins:',
      '  - serverless-offline',
      '',
    ].join('\n'),
  );
  const [httpPort, lambdaPort] = [await freePort(), await freePort()];
  try {
    const proc = await spawnServer({
      name: 'serverless-offline',
      script: join(peerDir, 'node_modules', 'serverless', 'bin', 'serverless.js'),
      args: ['offline', 'start', '--host', '127.0.0.1', '--httpPort', String(httpPort), '--lambdaPort', String(lambdaPort), '--noPrependStageInUrl'],
      cwd: service,
      // No telemetry, update checks or notices (there is no network beyond the registry); the
      // AWS SDK inside wants some credentials even offline.
      env: { SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', SLS_DEPRECATION_DISABLE: '*', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' },
      readyPrefix: 'Server ready: ',
      readyOn: 'stderr',
      timeoutMs: 180_000,
    });
    return {
      ...proc,
      async stop(timeoutMs?: number) {
        const code = await proc.stop(timeoutMs);
        rmSync(service, { recursive: true, force: true });
        return code;
      },
    };
  } catch (e) {
    rmSync(service, { recursive: true, force: true });
    throw e;
  }
}
