#!/usr/bin/env node
/** nimbus start [--host 127.0.0.1] [--port 4566] [--data-dir ./.nimbus | --memory] */
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './lib/log.js';
import { startNimbus } from './nimbus.js';

const USAGE = `usage: nimbus start [--host 127.0.0.1] [--port 4566] [--data-dir ./.nimbus | --memory]
                    [--region us-east-1] [--credentials-file creds.json] [--log-level info]
Environment: NIMBUS_HOST, NIMBUS_PORT, NIMBUS_DATA_DIR, NIMBUS_MEMORY=1, NIMBUS_REGION,
             NIMBUS_CREDENTIALS=KEY:SECRET:ACCOUNT[,...], NIMBUS_CREDENTIALS_FILE, NIMBUS_LOG_LEVEL`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === 'help') {
    console.log(USAGE);
    return command === undefined ? 1 : 0;
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
  const nimbus = await startNimbus({ ...config, log });
  log.info('nimbus ready', { endpoint: nimbus.endpoint, store: config.memory ? 'memory' : config.dataDir });
  // Machine-readable line for scripts and tests that start Nimbus as a child process.
  process.stdout.write(`NIMBUS_READY ${nimbus.endpoint}\n`);
  await new Promise<void>((resolve) => {
    const onSignal = (sig: string) => {
      log.info('shutting down', { signal: sig });
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  await nimbus.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  },
);
