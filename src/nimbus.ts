/**
 * Composition root: builds the store, the services and the server from a config, and
 * tears them down in order (stop accepting ▶ finish requests ▶ stop services ▶ flush store).
 */
import { DEFAULT_CREDENTIALS, type Config } from './config.js';
import { systemClock, type Clock } from './lib/clock.js';
import { randomIds, type Ids } from './lib/ids.js';
import { EventBus } from './lib/event-bus.js';
import { OutboundGuard } from './lib/outbound.js';
import { InternalApi } from './lib/internal.js';
import { createLogger, type Logger } from './lib/log.js';
import { SigV4Verifier, type Credentials } from './protocols/sigv4.js';
import { endpointRouter } from './server/endpoints.js';
import { HttpServer } from './server/http-server.js';
import { requestPipeline } from './server/pipeline/index.js';
import { Router } from './server/router.js';
import { WebSocketHub } from './server/websocket.js';
import { localTls } from './server/local-ca.js';
import type { ServiceFactory, ServicePlugin } from './services/service.js';
import { dynamoDbService } from './services/dynamodb/index.js';
import { createS3Service } from './services/s3/index.js';
import { apigatewayService } from './services/apigateway/index.js';
import { cloudfrontService } from './services/cloudfront/index.js';
import { DEFAULT_STORE_LIMITS } from './services/cloudfront/edge/object-store.js';
import { lambdaService } from './services/lambda/index.js';
import { createLogsService } from './services/logs/index.js';
import { createSnsService } from './services/sns/index.js';
import { createSqsService } from './services/sqs/index.js';
import { BlobStore } from './store/blobs.js';
import { SqliteStore } from './store/sqlite.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The services of a Nimbus, in start order. */
export function servicesOf(opts: Partial<Config> = {}): ServiceFactory[] {
  return [createSqsService, createSnsService, dynamoDbService({ ttlIntervalMs: (opts.ttlSweepSeconds ?? 1) * 1000, tableStatusMs: opts.tableStatusDelayMs ?? 0 }), createS3Service, createLogsService, lambdaService({
    ...(opts.maxFunctionEnvironments !== undefined ? { maxEnvironments: opts.maxFunctionEnvironments } : {}),
    ...(opts.functionIdleSeconds !== undefined ? { idleMs: opts.functionIdleSeconds * 1000 } : {}),
    hotReloadRoots: opts.hotReloadRoots ?? [process.cwd()],
    ...(opts.functionSandbox !== undefined ? { sandbox: opts.functionSandbox } : {}),
  }), (env) => apigatewayService(env, {
    ...(opts.cognitoEndpoint ? { cognitoEndpoint: opts.cognitoEndpoint } : {}),
    mailbox: {
      ...(opts.mailboxTtlSeconds !== undefined ? { ttlMs: opts.mailboxTtlSeconds * 1000 } : {}),
      ...(opts.mailboxCapacity !== undefined ? { capacity: opts.mailboxCapacity } : {}),
    },
  }), (env) => cloudfrontService(env, {
    ...(opts.cdnEdges ? { edges: opts.cdnEdges } : {}),
    ...(opts.cdnOriginLatencyMs !== undefined ? { originMs: opts.cdnOriginLatencyMs } : {}),
    limits: { ...DEFAULT_STORE_LIMITS, ...(opts.cdnCacheMemoryBytes !== undefined ? { memoryBytes: opts.cdnCacheMemoryBytes } : {}), ...(opts.cdnCacheDiskBytes !== undefined ? { diskBytes: opts.cdnCacheDiskBytes } : {}) },
  })];
}

export interface NimbusOptions extends Partial<Config> {
  clock?: Clock;
  ids?: Ids;
  log?: Logger;
  /** More services, started after the built-in ones: tests register test-only services (hosts, WebSockets) this way. */
  extraServices?: ServiceFactory[];
}

export interface Nimbus {
  port: number;
  /** `http://host:port` */
  endpoint: string;
  /** `https://host:tlsPort` when the TLS listener is on. */
  tlsEndpoint?: string;
  clock: Clock;
  store: SqliteStore;
  /** In-process events between services (table stream records, ...). */
  bus: EventBus;
  services: ServicePlugin[];
  stop(): Promise<void>;
}

export async function startNimbus(opts: NimbusOptions = {}): Promise<Nimbus> {
  const clock = opts.clock ?? systemClock;
  const ids = opts.ids ?? randomIds;
  const log = opts.log ?? createLogger(opts.logLevel ?? 'info');
  const host = opts.host ?? '127.0.0.1';
  const memory = opts.memory ?? false;
  const dataDir = memory ? mkdtempSync(join(tmpdir(), 'nimbus-')) : (opts.dataDir ?? '.nimbus');
  const store = new SqliteStore({ memory, dataDir, log });
  const region = opts.region ?? 'us-east-1';
  const services: ServicePlugin[] = [];
  const bus = new EventBus(log);
  const blobs = new BlobStore({ memory, dir: join(dataDir, 'blobs'), log });
  const internal = new InternalApi();
  const outbound = new OutboundGuard({ deny: opts.outboundDeny ?? [], allow: opts.outboundAllow ?? [] });
  let ownEndpoint = '';
  // The local CA first (in the data directory, or the memory run's own), so functions can be told to trust it.
  const tls = opts.tlsPort !== undefined ? localTls(dataDir, region, log) : undefined;
  let tlsEndpoint: { endpoint: string; caFile: string } | undefined;
  const credentials = new Map<string, Credentials>();
  for (const c of opts.credentials ?? [DEFAULT_CREDENTIALS]) credentials.set(c.accessKeyId, c);
  // Keys Nimbus signs its own requests with as a service principal (CloudFront's origin access control).
  const serviceKeys = new Map<string, Credentials>();
  const serviceCredentials = (principalService: string): Credentials => {
    let c = [...serviceKeys.values()].find((k) => k.principalService === principalService);
    if (!c) {
      // S3 is the one service that grants service principals by policy (CloudFront's origin access control): the key signs for nothing else.
      c = { accessKeyId: `ASIANIMBUS${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64'), accountId: '', principalService, signingNames: ['s3'] };
      serviceKeys.set(c.accessKeyId, c);
    }
    return c;
  };
  const lookup = (akid: string) => credentials.get(akid) ?? serviceKeys.get(akid);
  for (const factory of [...servicesOf(opts), ...(opts.extraServices ?? [])]) services.push(...[await factory({ store, clock, ids, log, region, bus, blobs, internal, outbound, credentials: lookup, accountCredentials: (account) => [...credentials.values()].find((c) => c.accountId === account), serviceCredentials, dataDir, memory, endpoint: () => ownEndpoint, tls: () => tlsEndpoint })].flat());

  const verifier = new SigV4Verifier(lookup, clock);
  const hosts = endpointRouter(services);
  let ready = false;
  const pipeline = requestPipeline({
    ids,
    log,
    verifier,
    hosts,
    router: new Router(services),
    health: () => ({
      ready,
      body: {
        status: ready ? 'ready' : 'starting',
        services: Object.fromEntries(services.map((s) => [s.name, { status: 'running', ...s.health?.() }])),
        store: store.health(),
      },
    }),
  });
  const server = new HttpServer({ host, port: opts.port ?? 4566, ids, log, clock, pipeline, websockets: new WebSocketHub(hosts, ids, log, verifier) });
  let port: number;
  try {
    port = await server.listen();
    if (tls) {
      try {
        const tlsPort = await server.listenTls(opts.tlsPort!, tls);
        tlsEndpoint = { endpoint: `https://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${tlsPort}`, caFile: tls.caFile };
      } catch (e) {
        // The TLS listener is an extra: on its derived port (the HTTP port + 1) a port in use turns it off, not Nimbus.
        if (!opts.tlsPortDefaulted) throw e;
        log.warn(`no TLS listener: port ${opts.tlsPort} is not free (${(e as Error).message}); set --tls-port to choose one`);
      }
    }
  } catch (e) {
    for (const s of services) await s.stop?.();
    await store.close();
    await blobs.close();
    if (memory) rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const displayHost = host.includes(':') ? `[${host}]` : host;
  // Code Nimbus runs (functions) calls back on loopback when Nimbus listens on every address.
  const callbackHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : displayHost;
  ownEndpoint = `http://${callbackHost}:${port}`;
  for (const s of services) s.start?.();
  ready = true;
  let stopping: Promise<void> | undefined;
  return {
    port,
    endpoint: `http://${displayHost}:${port}`,
    ...(tlsEndpoint ? { tlsEndpoint: tlsEndpoint.endpoint } : {}),
    clock,
    store,
    bus,
    services,
    stop() {
      stopping ??= (async () => {
        ready = false;
        // Services answer their long polls first, so the server can drain.
        const serverClosed = server.close();
        for (const s of services) await s.stop?.();
        await serverClosed;
        await store.close();
        await blobs.close();
        if (memory) await rm(dataDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
