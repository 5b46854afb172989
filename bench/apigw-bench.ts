/**
 * The API Gateway family (`--only apigw`): an HTTP API on Nimbus (durable) at concurrency 1 and
 * 32, each request shape against its own baseline in the same run:
 *   - `GET /hello` → a warm nodejs20.x function (payload 2.0) vs a direct `Invoke` of the same
 *     function: what the gateway adds to a Lambda call;
 *   - `GET /proxy` → HTTP_PROXY to a bare node:http server vs that server called directly (the
 *     ceiling any HTTP API in Node reaches here): what the gateway adds to an HTTP hop;
 *   - `GET /secure` (JWT authorizer, keys fetched once from a local identity provider, one
 *     token repeated) vs the open `GET /hello`: what verifying a JWT costs.
 * Server CPU per request counts Nimbus and the function environments (Lambda rows) or Nimbus
 * and the backend (HTTP_PROXY); the JWT row's cost is Nimbus's own CPU, environments aside.
 * The peer: serverless-offline serving the same handler (`GET /hello`, an httpApi event), installed
 * by the bench outside the repository (sls-offline-peer.ts), against the same `GET /hello` on Nimbus.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONCURRENCY, type Args } from './args.js';
import { ApigwV2Client, createBenchApi, getOp, LocalIdp, type BenchApi } from './apigw-ops.js';
import { createFunction, invokeOp, LambdaRaw, fnPath, poolStats, treeCpu } from './lambda-ops.js';
import { brief, fmt, log, measure, ratio, type Measured } from './measure.js';
import { spawnServer, startNimbus, type ServerProc } from './servers.js';
import { slsOfflineDir, startSlsOffline } from './sls-offline-peer.js';
import { systemClock } from '../src/lib/clock.js';
import { createLogger } from '../src/lib/log.js';
import { JwtVerifier } from '../src/services/apigateway/shared/jwt.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench
const FN = 'bench-hello';
const HELLO = '{"hello":"world"}';
const HELLO_SOURCE = `exports.handler = async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '${HELLO}' });\n`;
const AUDIENCE = 'bench-api';

type Key = 'invoke' | 'hello' | 'backend' | 'proxy' | 'secure' | 'offline';

interface Run extends Measured {
  /** CPU of Nimbus's children (function environments) per op, µs; included in srvUsPerOp when counted. */
  envUsPerOp: number;
}

export interface ApigwRow {
  c: number;
  m: Partial<Record<Key, Run>>;
}

export function startBackend(): Promise<ServerProc> {
  return spawnServer({ name: 'backend', script: join(here, 'apigw-backend.js'), readyPrefix: 'APIGW_BACKEND_READY ' });
}

/** Nimbus with its children's CPU (the environments) added, the children's share kept apart. */
function withEnvironments(nimbus: ServerProc, marks: number[]): ServerProc {
  return {
    ...nimbus,
    cpuSplit: () => {
      const own = nimbus.cpuSplit();
      const kids = treeCpu(nimbus.pid).descendants;
      marks.push(kids);
      return { user: own.user + kids, system: own.system };
    },
  };
}

/** Nimbus and the backend as one server for CPU: an HTTP_PROXY request costs both. */
function withBackend(nimbus: ServerProc, backend: ServerProc): ServerProc {
  return {
    ...nimbus,
    cpuSplit: () => {
      const a = nimbus.cpuSplit();
      const b = backend.cpuSplit();
      return { user: a.user + b.user, system: a.system + b.system };
    },
  };
}

async function run(server: ServerProc, c: number, op: () => Promise<number>, args: Args, countEnvironments: boolean): Promise<Run> {
  const marks: number[] = [];
  const m = await measure(countEnvironments ? withEnvironments(server, marks) : server, c, op, args);
  return { ...m, envUsPerOp: countEnvironments && m.ops ? (marks.at(-1)! - marks.at(-2)!) / m.ops : NaN };
}

/** Concurrent Invokes until the pool holds `n` environments of the function (or ten rounds went by). */
async function warmTo(nimbus: ServerProc, client: LambdaRaw, n: number): Promise<number> {
  const op = invokeOp(client, FN, '{}', false);
  for (let round = 0; round < 10; round++) {
    const envs = (await poolStats(nimbus.endpoint)).environments;
    if (envs >= n) return envs;
    await Promise.all(Array.from({ length: n }, () => op().catch(() => 0)));
  }
  return (await poolStats(nimbus.endpoint)).environments;
}

async function table(args: Args, nimbus: ServerProc, backend: ServerProc, api: BenchApi, token: string, offline: ServerProc | undefined): Promise<ApigwRow[]> {
  const rows: ApigwRow[] = [];
  for (const c of CONCURRENCY) {
    const client = new LambdaRaw(nimbus.endpoint, c);
    if (c > 1) log(`warming ${c} environments of ${FN}: the pool holds ${await warmTo(nimbus, client, c)}`);
    const shapes: Array<{ key: Key; server: ServerProc; env: boolean; make: () => { op: () => Promise<number>; close: () => void } }> = [
      { key: 'invoke', server: nimbus, env: true, make: () => ({ op: invokeOp(client, FN, '{}', false), close: () => undefined }) },
      { key: 'hello', server: nimbus, env: true, make: () => getOp(nimbus.endpoint, c, { host: api.host, path: '/hello', expect: HELLO }) },
      { key: 'secure', server: nimbus, env: true, make: () => getOp(nimbus.endpoint, c, { host: api.host, path: '/secure', headers: { authorization: `Bearer ${token}` }, expect: HELLO }) },
      { key: 'backend', server: backend, env: false, make: () => getOp(backend.endpoint, c, { path: '/hello', expect: HELLO }) },
      { key: 'proxy', server: withBackend(nimbus, backend), env: false, make: () => getOp(nimbus.endpoint, c, { host: api.host, path: '/proxy', expect: HELLO }) },
    ];
    if (offline) shapes.push({ key: 'offline', server: offline, env: false, make: () => getOp(offline.endpoint, c, { path: '/hello', expect: HELLO }) });
    const row: ApigwRow = { c, m: {} };
    for (const s of shapes) {
      for (let rep = 0; rep < args.repeat; rep++) {
        const { op, close } = s.make();
        const m = await run(s.server, c, op, args, s.env);
        close();
        if (!row.m[s.key] || m.opsPerSec > row.m[s.key]!.opsPerSec) row.m[s.key] = m;
        log(`${s.key} c${c}: ${brief(m)}${Number.isFinite(m.envUsPerOp) ? ` (environments ${fmt(m.envUsPerOp)} µs/op of it)` : ''}`);
        for (const e of m.errorSamples) log(`  error sample: ${e}`);
        if (nimbus.exited()) throw new Error(`nimbus exited during the run; stderr:\n${nimbus.stderrTail()}`);
      }
    }
    client.close();
    rows.push(row);
  }
  return rows;
}

/** Nimbus's JWT verifier in this process: a repeated token (the cache), and fresh tokens on cached keys (a signature check each). */
export interface JwtFloor {
  cachedUs: number;
  uncachedUs: number;
}

async function jwtInProcess(idp: LocalIdp): Promise<JwtFloor> {
  const verifier = new JwtVerifier({ clock: systemClock, log: createLogger('silent') });
  const config = { issuer: idp.issuer, audience: [AUDIENCE] };
  const token = await idp.mint(AUDIENCE);
  await verifier.verify(token, config);
  const n = 200_000;
  let t0 = performance.now();
  for (let i = 0; i < n; i++) await verifier.verify(token, config);
  const cachedUs = ((performance.now() - t0) * 1000) / n;
  const fresh = await Promise.all(Array.from({ length: 300 }, () => idp.mint(AUDIENCE)));
  t0 = performance.now();
  for (const t of fresh) await verifier.verify(t, config);
  return { cachedUs, uncachedUs: ((performance.now() - t0) * 1000) / fresh.length };
}

// ---- the part -------------------------------------------------------------------------------------

export async function apigwPart(args: Args, dir: string): Promise<void> {
  if (!args.table || !['apigw-lambda', 'apigw-http', 'apigw-jwt'].some((s) => args.only.has(s as never))) return;
  const started: ServerProc[] = [];
  const idp = new LocalIdp();
  let rows: ApigwRow[] = [];
  let keyFetches = 0;
  let floor: JwtFloor | undefined;
  try {
    const nimbus = await startNimbus(join(dir, 'apigw-data'));
    started.push(nimbus);
    const backend = await startBackend();
    started.push(backend);
    await idp.start();
    log(`nimbus ${nimbus.endpoint} (pid ${nimbus.pid}), backend ${backend.endpoint} (pid ${backend.pid}), identity provider ${idp.issuer} (in the generator)`);
    const lambda = new LambdaRaw(nimbus.endpoint, 1);
    await createFunction(lambda, FN, HELLO_SOURCE);
    const functionArn = `arn:aws:lambda:us-east-1:000000000000:function:${FN}`;
    const control = new ApigwV2Client(nimbus.endpoint);
    const api = await createBenchApi(control, nimbus.endpoint, { functionArn, backend: backend.endpoint, issuer: idp.issuer, audience: AUDIENCE });
    control.close();
    // As on AWS, the function's resource policy must let API Gateway invoke it for this API.
    await lambda.ok('AddPermission', 'POST', fnPath(FN, '/policy'), {
      StatementId: 'bench-apigw',
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      SourceArn: `arn:aws:execute-api:us-east-1:000000000000:${api.apiId}/*`,
    });
    lambda.close();
    const token = await idp.mint(AUDIENCE);
    const peerDir = slsOfflineDir();
    const offline = peerDir ? await startSlsOffline(peerDir, HELLO_SOURCE).catch((e: Error) => (log(`serverless-offline did not start: ${e.message.slice(0, 500)}`), undefined)) : undefined;
    if (offline) {
      started.push(offline);
      log(`serverless-offline ${offline.endpoint} (pid ${offline.pid})`);
      const { op, close } = getOp(offline.endpoint, 1, { path: '/hello', expect: HELLO });
      await op();
      close();
    }
    // One request of each shape before measuring: a setup mistake fails here, with its answer.
    for (const o of [
      { host: api.host, path: '/hello' },
      { host: api.host, path: '/proxy' },
      { host: api.host, path: '/secure', headers: { authorization: `Bearer ${token}` } },
    ]) {
      const { op, close } = getOp(nimbus.endpoint, 1, { ...o, expect: HELLO });
      await op();
      close();
    }
    rows = await table(args, nimbus, backend, api, token, offline);
    keyFetches = idp.keyFetches;
    floor = await jwtInProcess(idp);
    log(`JwtVerifier in this process: ${fmt(floor.cachedUs, 2)} µs per repeated token, ${fmt(floor.uncachedUs)} µs per new token (keys cached)`);
    const stderr = nimbus.stderrTail().trim();
    if (stderr) log(`Nimbus stderr (warn and above):\n${stderr}`);
  } finally {
    await idp.stop();
    for (const s of started) await s.stop();
  }
  printApigw(rows, args, keyFetches, floor);
}

// ---- the report -----------------------------------------------------------------------------------

export function printApigw(rows: ApigwRow[], args: Args, keyFetches: number, floor?: JwtFloor): void {
  if (!rows.length) return;
  const out: string[] = [''];
  out.push(
    `API Gateway HTTP API on Nimbus (durable: temp --data-dir) at c1 and c32, each shape against its baseline in the same run; ` +
      `closed loop, ${args.warmupMs / 1000} s warm-up + ${args.durationMs / 1000} s window each${args.repeat > 1 ? ` (best of ${args.repeat} runs by ops/s)` : ''}. ` +
      `Function: nodejs20.x \`async () => ({ statusCode: 200, body: '${HELLO}' })\`, warm (one environment per concurrent request). ` +
      `Backend: bare node:http answering ${HELLO}. Requests reach the API by Host header ({apiId}.execute-api.localhost). ` +
      `Peer: serverless-offline 13 (Serverless Framework 3) serving the same handler as an httpApi GET /hello, its CPU counting its worker threads.`,
  );
  const W = [30, 3, 11, 11, 6, 13, 13, 7, 17, 7, 7];
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(W[i]!) : c.padStart(W[i]!))).join(' ');
  const head = line(['request shape (vs baseline)', 'c', 'base ops/s', 'API ops/s', 'A/B', 'base p50/p99', 'API p50/p99', 'p50 A/B', 'µs/op base/API', 'CPU A/B', 'errors']);
  out.push(head, '-'.repeat(head.length));
  const lat = (m?: Measured) => (m ? `${fmt(m.p50, 2)}/${fmt(m.p99, 2)}` : '-');
  const shapes: Array<{ label: string; base: Key; api: Key }> = [
    { label: 'GET /hello → Lambda (vs Invoke)', base: 'invoke', api: 'hello' },
    { label: 'GET /proxy → HTTP_PROXY (vs direct)', base: 'backend', api: 'proxy' },
    { label: 'GET /secure JWT (vs open /hello)', base: 'hello', api: 'secure' },
    { label: 'GET /hello (vs serverless-offline)', base: 'offline', api: 'hello' },
  ];
  for (const r of rows) {
    for (const s of shapes) {
      const b = r.m[s.base];
      const a = r.m[s.api];
      if (!b) continue;
      out.push(
        line([
          s.label,
          String(r.c),
          fmt(b?.opsPerSec ?? NaN),
          fmt(a?.opsPerSec ?? NaN),
          a && b ? ratio(a.opsPerSec, b.opsPerSec) : '-',
          lat(b),
          lat(a),
          a && b ? ratio(a.p50, b.p50) : '-',
          `${fmt(b?.srvUsPerOp ?? NaN)}/${fmt(a?.srvUsPerOp ?? NaN)}`,
          a && b ? ratio(a.srvUsPerOp, b.srvUsPerOp) : '-',
          String((a?.errors ?? 0) + (b?.errors ?? 0)),
        ]),
      );
    }
  }
  out.push(
    'A/B = through the API / baseline. µs/op = server CPU (user+sys, /proc/<pid>/stat) per request in the window: Lambda rows count Nimbus and its function environments, ' +
      'HTTP_PROXY counts Nimbus and the backend, the direct baseline the backend alone.',
  );
  const targets: string[] = [];
  for (const r of rows) {
    const { invoke, hello, backend, proxy, secure } = r.m;
    const parts: string[] = [];
    if (invoke && hello) parts.push(`Lambda route adds p50 ${fmt(hello.p50 - invoke.p50, 3)} ms and ${fmt(hello.srvUsPerOp - invoke.srvUsPerOp)} µs of server CPU per request over a direct Invoke`);
    if (backend && proxy) parts.push(`HTTP_PROXY adds p50 ${fmt(proxy.p50 - backend.p50, 3)} ms and ${fmt(proxy.srvUsPerOp - backend.srvUsPerOp)} µs over calling the backend`);
    if (parts.length) out.push(`c${r.c}: ${parts.join('; ')}.`);
    if (backend && proxy && r.c === CONCURRENCY.at(-1)) {
      const kept = proxy.opsPerSec / backend.opsPerSec;
      targets.push(`HTTP_PROXY throughput at c${r.c} vs the backend called directly: ${fmt(kept, 2)}x (want >= 0.45x) ${kept >= 0.45 ? 'MET' : 'NOT MET'}`);
    }
    if (hello && secure) {
      // Nimbus's own CPU (the environments' share taken out): the JWT check runs in Nimbus.
      const own = (m: Run) => m.srvUsPerOp - (Number.isFinite(m.envUsPerOp) ? m.envUsPerOp : 0);
      const jwt = own(secure) - own(hello);
      out.push(`c${r.c}: JWT route vs open route, Nimbus's own CPU per request: ${fmt(own(secure))} vs ${fmt(own(hello))} µs (difference ${fmt(jwt)} µs; signing keys fetched ${keyFetches} time(s) in the whole run).`);
      if (r.c === CONCURRENCY.at(-1)) targets.push(`JWT route's extra server CPU at c${r.c} (keys and token cached): ${fmt(jwt)} µs per request (want <= 30 µs) ${jwt <= 30 ? 'MET' : 'NOT MET'}`);
    }
  }
  if (floor) {
    out.push(
      `Nimbus's JwtVerifier in the generator's process (the route's JWT check without the noise of a whole request): ${fmt(floor.cachedUs, 2)} µs per repeated token (the verified-token cache), ` +
        `${fmt(floor.uncachedUs)} µs per new token on cached keys (an RS256 signature check).`,
    );
    targets.push(`JWT verification of a repeated token, in process: ${fmt(floor.cachedUs, 2)} µs (want <= 30 µs) ${floor.cachedUs <= 30 ? 'MET' : 'NOT MET'}`);
  }
  if (targets.length) out.push('', 'Targets:', ...targets.map((t) => `  ${t}`));
  console.log(out.join('\n'));
}
