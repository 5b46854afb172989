/**
 * Configuration: command-line flags override NIMBUS_* environment variables, which override
 * the defaults. Validated once, at start.
 */
import { readFileSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';
import { parseCidrList } from './lib/outbound.js';
import { parseEdgeList, type EdgeDefinition } from './services/cloudfront/edge/tiers.js';
import type { Credentials } from './protocols/sigv4.js';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  memory: boolean;
  region: string;
  credentials: Credentials[];
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** How often DynamoDB's TTL sweeper looks for expired items (seconds): the deletion lag. */
  ttlSweepSeconds: number;
  /** The most function execution environments (processes) alive at once, machine-wide. */
  maxFunctionEnvironments: number;
  /** Idle function environments stop after this many seconds. */
  functionIdleSeconds: number;
  /** Directories under which functions may run code in place (hot reload); the working directory by default. */
  hotReloadRoots: string[];
  /** Function sandbox (src/runtime/sandbox.ts): auto (where the machine allows), off, or required. */
  functionSandbox: 'auto' | 'off' | 'required';
  /** CIDR blocks Nimbus refuses to connect to for users (SNS HTTP subscriptions, ...), besides link-local and metadata addresses. */
  outboundDeny: string[];
  /** CIDR blocks allowed even when denied (by default or by outboundDeny). */
  outboundAllow: string[];
  /**
   * The TLS listener's port (the local CA's certificate, see server/local-ca.ts), for HTTPS
   * callbacks such as `https://${domainName}/${stage}` from WebSocket API handlers; undefined for none.
   */
  tlsPort?: number;
  /** The TLS port was derived (the HTTP port + 1), not asked for: a port in use then only turns TLS off. */
  tlsPortDefaulted?: boolean;
  /** Acknowledged delivery (WebSocket APIs): how long a message waits for its acknowledgement (seconds). */
  mailboxTtlSeconds: number;
  /** Acknowledged delivery: the most unacknowledged messages a client's mailbox holds. */
  mailboxCapacity: number;
  /** Where Cognito user pools' keys and token issuers are (a local Cognito emulator); AWS's endpoint when absent. */
  cognitoEndpoint?: string;
  /** CloudFront edge locations (`NAME:CONTINENT[:viewerMs[:shieldMs]]`, comma-separated); the default three when absent. */
  cdnEdges?: EdgeDefinition[];
  /** Simulated round trip from the regional edge cache to an origin, ms. */
  cdnOriginLatencyMs?: number;
  /** How long a new DynamoDB table stays CREATING, in ms (default none: ACTIVE at once). */
  tableStatusDelayMs?: number;
  /** Each edge cache's bounds: bytes in memory and on disk. */
  cdnCacheMemoryBytes?: number;
  cdnCacheDiskBytes?: number;
}

export const DEFAULT_CREDENTIALS: Credentials = { accessKeyId: 'test', secretAccessKey: 'test', accountId: '000000000000' };

export class ConfigError extends Error {}

const FLAGS: Record<string, { env: string; takesValue: boolean }> = {
  host: { env: 'NIMBUS_HOST', takesValue: true },
  port: { env: 'NIMBUS_PORT', takesValue: true },
  'data-dir': { env: 'NIMBUS_DATA_DIR', takesValue: true },
  memory: { env: 'NIMBUS_MEMORY', takesValue: false },
  region: { env: 'NIMBUS_REGION', takesValue: true },
  'credentials-file': { env: 'NIMBUS_CREDENTIALS_FILE', takesValue: true },
  'log-level': { env: 'NIMBUS_LOG_LEVEL', takesValue: true },
  'ttl-sweep-interval': { env: 'NIMBUS_TTL_SWEEP_INTERVAL', takesValue: true },
  'table-status-delay': { env: 'NIMBUS_TABLE_STATUS_DELAY', takesValue: true },
  'max-function-environments': { env: 'NIMBUS_MAX_FUNCTION_ENVIRONMENTS', takesValue: true },
  'function-idle-timeout': { env: 'NIMBUS_FUNCTION_IDLE_TIMEOUT', takesValue: true },
  'hot-reload-roots': { env: 'NIMBUS_HOT_RELOAD_ROOTS', takesValue: true },
  'function-sandbox': { env: 'NIMBUS_FUNCTION_SANDBOX', takesValue: true },
  'outbound-deny': { env: 'NIMBUS_OUTBOUND_DENY', takesValue: true },
  'outbound-allow': { env: 'NIMBUS_OUTBOUND_ALLOW', takesValue: true },
  'tls-port': { env: 'NIMBUS_TLS_PORT', takesValue: true },
  'mailbox-ttl': { env: 'NIMBUS_MAILBOX_TTL', takesValue: true },
  'mailbox-capacity': { env: 'NIMBUS_MAILBOX_CAPACITY', takesValue: true },
  'cognito-endpoint': { env: 'NIMBUS_COGNITO_ENDPOINT', takesValue: true },
  'cdn-edges': { env: 'NIMBUS_CDN_EDGES', takesValue: true },
  'cdn-origin-latency': { env: 'NIMBUS_CDN_ORIGIN_LATENCY', takesValue: true },
  'cdn-cache-memory-mb': { env: 'NIMBUS_CDN_CACHE_MEMORY_MB', takesValue: true },
  'cdn-cache-disk-mb': { env: 'NIMBUS_CDN_CACHE_DISK_MB', takesValue: true },
};

/** Parses `--name value`, `--name=value` and boolean `--memory`. */
function parseFlags(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument: ${arg}`);
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = FLAGS[name];
    if (!spec) throw new ConfigError(`unknown flag: --${name}`);
    if (eq >= 0) out.set(name, arg.slice(eq + 1));
    else if (!spec.takesValue) out.set(name, 'true');
    else {
      const v = argv[++i];
      if (v === undefined) throw new ConfigError(`--${name} needs a value`);
      out.set(name, v);
    }
  }
  return out;
}

/**
 * Key pairs, each `ACCESS_KEY:SECRET:ACCOUNT_ID`, comma-separated in NIMBUS_CREDENTIALS, or
 * a JSON file `[{"accessKeyId","secretAccessKey","accountId"}]`.
 */
function loadCredentials(file: string | undefined, env: string | undefined): Credentials[] {
  const creds: Credentials[] = [DEFAULT_CREDENTIALS];
  if (env) {
    for (const entry of env.split(',').filter(Boolean)) {
      const [accessKeyId, secretAccessKey, accountId] = entry.split(':');
      if (!accessKeyId || !secretAccessKey || !accountId || !/^\d{12}$/.test(accountId)) {
        throw new ConfigError(`NIMBUS_CREDENTIALS entry must be ACCESS_KEY:SECRET:ACCOUNT_ID (12 digits), got ${entry}`);
      }
      creds.push({ accessKeyId, secretAccessKey, accountId });
    }
  }
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ConfigError(`cannot read credentials file ${file}: ${(e as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new ConfigError(`credentials file ${file} must hold a JSON array`);
    for (const c of parsed) {
      if (typeof c?.accessKeyId !== 'string' || typeof c?.secretAccessKey !== 'string' || !/^\d{12}$/.test(String(c?.accountId))) {
        throw new ConfigError(`credentials file ${file}: each entry needs accessKeyId, secretAccessKey and a 12-digit accountId`);
      }
      creds.push({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, accountId: String(c.accountId) });
    }
  }
  return creds;
}

/** `true`/`1` or `false`/`0` (empty is false), as a boolean flag or variable may say. */
function parseBoolean(value: string | undefined, what: string): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0' || v === '') return false;
  throw new ConfigError(`invalid value for ${what}: ${value} (expected true or false)`);
}

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): Config {
  const flags = parseFlags(argv);
  const get = (name: string): string | undefined => flags.get(name) ?? env[FLAGS[name]!.env] ?? undefined;
  const rawPort = get('port') ?? '4566';
  const port = /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new ConfigError(`invalid port: ${rawPort}`);
  // --memory and --data-dir exclude each other; a flag beats the environment, so only a
  // conflict at the same level is an error.
  const memoryFlag = parseBoolean(flags.get('memory'), '--memory');
  const memoryEnv = parseBoolean(env.NIMBUS_MEMORY, 'NIMBUS_MEMORY');
  if (memoryFlag && flags.has('data-dir')) throw new ConfigError('--memory and --data-dir exclude each other');
  if (memoryFlag === undefined && !flags.has('data-dir') && memoryEnv && env.NIMBUS_DATA_DIR)
    throw new ConfigError('NIMBUS_MEMORY and NIMBUS_DATA_DIR exclude each other');
  const memory = memoryFlag ?? (flags.has('data-dir') ? false : (memoryEnv ?? false));
  const logLevel = (get('log-level') ?? 'info') as Config['logLevel'];
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) throw new ConfigError(`invalid log level: ${logLevel}`);
  const rawTtl = get('ttl-sweep-interval') ?? '1';
  const ttlSweepSeconds = /^\d+(\.\d+)?$/.test(rawTtl) ? Number(rawTtl) : NaN;
  if (!(ttlSweepSeconds >= 0.05 && ttlSweepSeconds <= 86400)) throw new ConfigError(`invalid TTL sweep interval (seconds, 0.05 to 86400): ${rawTtl}`);
  const maxFunctionEnvironments = wholeNumber(get('max-function-environments') ?? '64', 'maximum function environments', 1, 10_000);
  const cidrs = (name: 'outbound-deny' | 'outbound-allow') => {
    try {
      return parseCidrList(get(name), `--${name}`);
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
  };
  const functionIdleSeconds = wholeNumber(get('function-idle-timeout') ?? '600', 'function idle timeout (seconds)', 1, 86_400);
  const functionSandbox = (get('function-sandbox') ?? 'auto') as Config['functionSandbox'];
  if (!['auto', 'off', 'required'].includes(functionSandbox)) throw new ConfigError(`invalid function sandbox (auto, off or required): ${functionSandbox}`);
  // HTTPS next to HTTP: the port after Nimbus's own (4567), a random one with a random port, or off.
  const rawTls = get('tls-port') ?? (port === 0 ? '0' : String(port + 1));
  const tlsPort = rawTls === 'off' ? undefined : wholeNumber(rawTls, 'TLS port (or off)', 0, 65535);
  let cdnEdges: EdgeDefinition[] | undefined;
  try {
    cdnEdges = get('cdn-edges') ? parseEdgeList(get('cdn-edges')!) : undefined;
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const cognitoEndpoint = get('cognito-endpoint');
  if (cognitoEndpoint !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(cognitoEndpoint)) throw new ConfigError(`invalid Cognito endpoint (http(s)://host[:port]): ${cognitoEndpoint}`);
  const cdnOriginLatency = get('cdn-origin-latency');
  const tableStatusDelay = get('table-status-delay');
  const cdnMemory = get('cdn-cache-memory-mb');
  const cdnDisk = get('cdn-cache-disk-mb');
  return {
    ...(tlsPort !== undefined ? { tlsPort } : {}),
    ...(tlsPort !== undefined && get('tls-port') === undefined ? { tlsPortDefaulted: true } : {}),
    ...(cdnEdges ? { cdnEdges } : {}),
    ...(cognitoEndpoint ? { cognitoEndpoint } : {}),
    ...(tableStatusDelay ? { tableStatusDelayMs: wholeNumber(tableStatusDelay, 'table status delay (ms)', 0, 3_600_000) } : {}),
    ...(cdnOriginLatency ? { cdnOriginLatencyMs: wholeNumber(cdnOriginLatency, 'CDN origin latency (ms)', 0, 60_000) } : {}),
    ...(cdnMemory ? { cdnCacheMemoryBytes: wholeNumber(cdnMemory, 'CDN cache memory (MiB)', 1, 1_048_576) * 1024 * 1024 } : {}),
    ...(cdnDisk ? { cdnCacheDiskBytes: wholeNumber(cdnDisk, 'CDN cache disk (MiB)', 0, 16_777_216) * 1024 * 1024 } : {}),
    host: get('host') ?? '127.0.0.1',
    port,
    dataDir: get('data-dir') ?? '.nimbus',
    memory,
    region: get('region') ?? 'us-east-1',
    credentials: loadCredentials(get('credentials-file'), env.NIMBUS_CREDENTIALS),
    logLevel,
    ttlSweepSeconds,
    maxFunctionEnvironments,
    functionIdleSeconds,
    functionSandbox,
    outboundDeny: cidrs('outbound-deny'),
    outboundAllow: cidrs('outbound-allow'),
    mailboxTtlSeconds: wholeNumber(get('mailbox-ttl') ?? '86400', 'mailbox TTL (seconds)', 1, 14 * 86_400),
    mailboxCapacity: wholeNumber(get('mailbox-capacity') ?? '10000', 'mailbox capacity (messages)', 1, 1_000_000),
    hotReloadRoots: (get('hot-reload-roots') ?? process.cwd()).split(delimiter).filter(Boolean).map((d) => resolve(d)),
  };
}

function wholeNumber(raw: string, what: string, min: number, max: number): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) throw new ConfigError(`invalid ${what} (${min} to ${max}): ${raw}`);
  return n;
}
