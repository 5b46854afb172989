#!/usr/bin/env node
/** nimbus start [--host 127.0.0.1] [--port 4566] [--data-dir ./.nimbus | --memory] */
import './gc-flags.js'; // first: V8 settings before any other module runs
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './lib/log.js';
import { startNimbus } from './nimbus.js';

const USAGE = `usage: nimbus start [--host 127.0.0.1] [--port 4566] [--data-dir ./.nimbus | --memory]
                    [--region us-east-1] [--credentials-file creds.json] [--log-level info]
                    [--ttl-sweep-interval 1] [--max-function-environments 64]
                    [--function-idle-timeout 600] [--hot-reload-roots DIR[:DIR...]]
                    [--function-sandbox auto|off|required]
                    [--outbound-deny CIDR[,CIDR...]] [--outbound-allow CIDR[,CIDR...]]
                    [--tls-port 4567|off]
                    [--mailbox-ttl 86400] [--mailbox-capacity 10000]
                    [--cdn-edges NAME:CONTINENT[:viewerMs[:shieldMs]],...] [--cdn-origin-latency MS]
                    [--cdn-cache-memory-mb 64] [--cdn-cache-disk-mb 1024]
Environment: NIMBUS_HOST, NIMBUS_PORT, NIMBUS_DATA_DIR, NIMBUS_MEMORY=1, NIMBUS_REGION,
             NIMBUS_CREDENTIALS=KEY:SECRET:ACCOUNT[,...], NIMBUS_CREDENTIALS_FILE, NIMBUS_LOG_LEVEL,
             NIMBUS_TTL_SWEEP_INTERVAL, NIMBUS_MAX_FUNCTION_ENVIRONMENTS, NIMBUS_FUNCTION_IDLE_TIMEOUT,
             NIMBUS_HOT_RELOAD_ROOTS, NIMBUS_FUNCTION_SANDBOX, NIMBUS_OUTBOUND_DENY, NIMBUS_OUTBOUND_ALLOW,
             NIMBUS_TLS_PORT, NIMBUS_MAILBOX_TTL, NIMBUS_MAILBOX_CAPACITY,
             NIMBUS_CDN_EDGES, NIMBUS_CDN_ORIGIN_LATENCY, NIMBUS_CDN_CACHE_MEMORY_MB, NIMBUS_CDN_CACHE_DISK_MB`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    console.error(USAGE);
    return 1;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (command !== 'start') {
    console.error(`unknown command: ${command}\n${USAGE}`);
    return 1;
  }
  let config;
  try {
    config = loadConfig(rest);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`nimbus: ${e.message}\n${USAGE}`);
      return 1;
    }
    throw e;
  }
  const log = createLogger(config.logLevel);
  // Listen for the stop signals before anyone can know we are up: a supervisor may signal
  // the moment it reads NIMBUS_READY. A signal during startup stops Nimbus once it is up.
  const stopSignal = new Promise<string>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  let nimbus;
  try {
    nimbus = await startNimbus({ ...config, log });
  } catch (e) {
    // The environment's fault (port taken, data dir not writable): a message, not a stack.
    if (!isSystemError(e)) throw e;
    const what = e.syscall === 'listen' ? `cannot listen on ${config.host}:${config.port}` : 'cannot start';
    console.error(`nimbus: ${what}: ${e.message}`);
    return 1;
  }
  log.info('nimbus ready', { endpoint: nimbus.endpoint, store: config.memory ? 'memory' : config.dataDir });
  // Machine-readable line for scripts and tests that start Nimbus as a child process.
  process.stdout.write(`NIMBUS_READY ${nimbus.endpoint}\n`);
  log.info('shutting down', { signal: await stopSignal });
  await nimbus.stop();
  return 0;
}

function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  },
);
