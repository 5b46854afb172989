/**
 * WebSocket APIs (`--only websocket`, or one of ws-idle, ws-broadcast, ws-echo), against Nimbus
 * durable on a data dir, started as users start it (TLS listener on, so functions call back
 * on `https://${domainName}/${stage}` as AWS's examples do):
 *   - ws-idle: 10,000 idle connections: Nimbus's RSS and CPU (% of one core) over 10 s of idling;
 *   - ws-broadcast: one message to 1,000 connections from a function (PostToConnection through
 *     the management API, as the chat tutorial sends): the time from the trigger frame until the
 *     last client has it, over --rounds rounds (p50, p99), with Nimbus's CPU and the function
 *     environment's per round; then the same clients against a bare `ws` server broadcasting
 *     (bare-ws-server.ts: the ceiling on this machine). `--profile=ws-broadcast` runs Nimbus
 *     under --cpu-prof and summarises the measured rounds;
 *   - ws-echo: a message to a `$default` route whose function answers through the route response,
 *     round trip at c1 and c32, against the same function invoked directly (Invoke).
 * Targets (issue 17): 10,000 idle under 400 MB RSS and 2 % of a core; broadcast p99 under 500 ms.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ApiGatewayV2Client, CreateApiCommand, CreateIntegrationCommand, CreateIntegrationResponseCommand, CreateRouteCommand, CreateRouteResponseCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { WebSocket } from 'ws';
import { CONCURRENCY, type Args } from './args.js';
import { createFunction, fnPath, invokeOp, LambdaRaw, PAYLOAD } from './lambda-ops.js';
import { brief, fmt, log, measure, ratio, type Measured } from './measure.js';
import { newMainProfile, summariseProfile, type ProfileWindow } from './prof-summary.js';
import { descendantsCpuMicros, startBare, startBareWs, startNimbus, type ServerProc } from './servers.js';

const STAGE = 'bench';
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';

const ECHO = 'exports.handler = async (e) => ({ statusCode: 200, body: e.body });\n';
/** Posts the frame's `text` to every connection id it names, with a client built as the chat tutorial builds it (reused across invocations). */
const BROADCAST = `const { ApiGatewayManagementApiClient, PostToConnectionCommand } = require('@aws-sdk/client-apigatewaymanagementapi');
const clients = new Map();
exports.handler = async (event) => {
  const endpoint = 'https://' + event.requestContext.domainName + '/' + event.requestContext.stage;
  let api = clients.get(endpoint);
  if (!api) clients.set(endpoint, (api = new ApiGatewayManagementApiClient({ endpoint })));
  const { ids, text } = JSON.parse(event.body);
  await Promise.all(ids.map((id) => api.send(new PostToConnectionCommand({ ConnectionId: id, Data: text }))));
  return { statusCode: 200 };
};
`;

async function wsApi(c: ApiGatewayV2Client, fnName: string | undefined, twoWay: boolean): Promise<string> {
  const ApiId = (await c.send(new CreateApiCommand({ Name: 'ws-bench', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId!;
  const integ = fnName
    ? await c.send(new CreateIntegrationCommand({ ApiId, IntegrationType: 'AWS_PROXY', IntegrationUri: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fnName}` }))
    : await c.send(new CreateIntegrationCommand({ ApiId, IntegrationType: 'MOCK', RequestTemplates: { $default: '{"statusCode": 200}' } }));
  const route = await c.send(new CreateRouteCommand({ ApiId, RouteKey: '$default', Target: `integrations/${integ.IntegrationId}`, ...(twoWay ? { RouteResponseSelectionExpression: '$default' } : {}) }));
  if (twoWay) await c.send(new CreateRouteResponseCommand({ ApiId, RouteId: route.RouteId!, RouteResponseKey: '$default' }));
  // `whoami` answers the caller's connection id (a MOCK route), so a client can learn it.
  const mock = await c.send(new CreateIntegrationCommand({ ApiId, IntegrationType: 'MOCK', RequestTemplates: { $default: '{"statusCode": 200}' } }));
  await c.send(new CreateIntegrationResponseCommand({ ApiId, IntegrationId: mock.IntegrationId!, IntegrationResponseKey: '$default', ResponseTemplates: { $default: 'id:$context.connectionId' } }));
  const who = await c.send(new CreateRouteCommand({ ApiId, RouteKey: 'whoami', Target: `integrations/${mock.IntegrationId}`, RouteResponseSelectionExpression: '$default' }));
  await c.send(new CreateRouteResponseCommand({ ApiId, RouteId: who.RouteId!, RouteResponseKey: '$default' }));
  await c.send(new CreateStageCommand({ ApiId, StageName: STAGE, AutoDeploy: true }));
  return ApiId;
}

async function permit(lambda: LambdaRaw, fn: string, apiId: string): Promise<void> {
  await lambda.ok('AddPermission', 'POST', fnPath(fn, '/policy'), {
    StatementId: `ws-${apiId}`,
    Action: 'lambda:InvokeFunction',
    Principal: 'apigateway.amazonaws.com',
    SourceArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/*`,
  });
}

function open(url: string, onMessage?: (data: Buffer) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    if (onMessage) ws.on('message', onMessage);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Opens `n` connections, `batch` at a time. */
async function openMany(url: string, n: number, batch: number, onMessage?: (i: number) => (data: Buffer) => void): Promise<WebSocket[]> {
  const out: WebSocket[] = [];
  for (let i = 0; i < n; i += batch) out.push(...(await Promise.all(Array.from({ length: Math.min(batch, n - i) }, (_, k) => open(url, onMessage?.(i + k))))));
  return out;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const monoUs = () => Number(process.hrtime.bigint() / 1000n);

const BROADCAST_TO = 1000;

interface Broadcast {
  p50: number;
  p99: number;
  /** The server's CPU per round, and its descendants' (the function environment), ms. */
  serverCpuMs?: number;
  functionCpuMs?: number;
  /** The measured rounds on the monotonic clock (µs), for the profile. */
  fromUs: number;
  toUs: number;
}

/**
 * Opens BROADCAST_TO clients on `url` (each learns its id through `whoami` on Nimbus; the bare
 * server answers none) and a trigger connection, then `rounds` times (after two warm-up rounds:
 * cold start, TLS handshakes) sends the trigger frame and times until the last client has the
 * round's number.
 */
/**
 * What the broadcasting function's own SDK calls cost, without Nimbus: 1,000 concurrent
 * PostToConnection from one SDK client (as the function sends them) against the bare node:http
 * server, which answers each at once; p50/p99 of the time until all are answered, and the
 * bench process's CPU per round (the SDK's signing and HTTP work, plus idle clients).
 */
async function sdkFloor(rounds: number): Promise<{ p50: number; p99: number; clientCpuMs: number }> {
  const bare = await startBare();
  const api = new ApiGatewayManagementApiClient({ endpoint: `${bare.endpoint}/${STAGE}`, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  try {
    const times: number[] = [];
    let cpu = 0;
    for (let round = 1; round <= rounds + 2; round++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await Promise.all(Array.from({ length: BROADCAST_TO }, (_, i) => api.send(new PostToConnectionCommand({ ConnectionId: `c${i}AbCdEfGhIj=`, Data: JSON.stringify({ round }) }))));
      if (round <= 2) continue;
      times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu += c.user + c.system;
    }
    times.sort((a, b) => a - b);
    return { p50: pct(times, 50), p99: pct(times, 99), clientCpuMs: cpu / 1000 / rounds };
  } finally {
    api.destroy();
    await bare.stop();
  }
}

async function broadcast(url: string, rounds: number, trigger: (ids: string[], round: number) => string, server?: ServerProc): Promise<Broadcast> {
  const N = BROADCAST_TO;
  let round = 0;
  let got = 0;
  let last = 0;
  let done: (() => void) | undefined;
  const ids: string[] = new Array<string>(N);
  let named = 0;
  let allNamed: (() => void) | undefined;
  const listeners = (i: number) => (data: Buffer) => {
    const text = data.toString();
    if (text.startsWith('id:')) {
      ids[i] = text.slice(3);
      if (++named === N) allNamed?.();
      return;
    }
    if (Number(text) !== round) return;
    last = performance.now();
    if (++got === N) done?.();
  };
  const conns = await openMany(url, N, 250, listeners);
  try {
    if (server) {
      const all = new Promise<void>((r) => (allNamed = r));
      for (const ws of conns) ws.send('{"action":"whoami"}');
      await all;
    }
    const sender = await open(url);
    const times: number[] = [];
    let cpu0 = 0;
    let fn0 = 0;
    let fromUs = 0;
    for (round = 1; round <= rounds + 2; round++) {
      if (round === 3) [cpu0, fn0, fromUs] = [server?.cpuMicros() ?? 0, server ? descendantsCpuMicros(server.pid) : 0, monoUs()];
      got = 0;
      const all = new Promise<void>((r) => (done = r));
      const t0 = performance.now();
      sender.send(trigger(ids, round));
      await Promise.race([all, new Promise((r) => setTimeout(r, 30_000))]);
      if (got !== N) throw new Error(`broadcast round ${round}: ${got} of ${N} delivered`);
      if (round > 2) times.push(last - t0);
    }
    const toUs = monoUs();
    sender.terminate();
    times.sort((a, b) => a - b);
    return {
      p50: pct(times, 50),
      p99: pct(times, 99),
      ...(server ? { serverCpuMs: (server.cpuMicros() - cpu0) / 1000 / rounds, functionCpuMs: (descendantsCpuMicros(server.pid) - fn0) / 1000 / rounds } : {}),
      fromUs,
      toUs,
    };
  } finally {
    for (const c of conns) c.terminate();
  }
}

export async function wsPart(args: Args, dir: string): Promise<void> {
  const want = (['ws-idle', 'ws-broadcast', 'ws-echo'] as const).filter((s) => args.only.has(s));
  if (!want.length) return;
  const profiling = args.profile && args.profileShapes.includes('ws-broadcast');
  const before = profiling ? (mkdirSync(args.profDir, { recursive: true }), new Set(readdirSync(args.profDir))) : new Set<string>();
  const profileWindows: (ProfileWindow & { label: string })[] = [];
  const nimbus: ServerProc = await startNimbus(join(dir, 'ws-data'), profiling ? ['--cpu-prof', '--cpu-prof-dir', args.profDir] : []);
  const lines: string[] = [];
  try {
    log(`websocket: nimbus ${nimbus.endpoint} (pid ${nimbus.pid})`);
    const control = new ApiGatewayV2Client({ endpoint: nimbus.endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    const lambda = new LambdaRaw(nimbus.endpoint, 64);
    const url = (apiId: string) => `${nimbus.endpoint.replace(/^http/, 'ws')}/_nimbus/execute-api/${apiId}/${STAGE}`;

    if (want.includes('ws-idle')) {
      const api = await wsApi(control, undefined, false);
      const before = nimbus.memory().rssMb;
      const t0 = Date.now();
      const conns = await openMany(url(api), 10_000, 250);
      const openMs = Date.now() - t0;
      await new Promise((r) => setTimeout(r, 2000));
      const cpu0 = nimbus.cpuMicros();
      const w0 = Date.now();
      await new Promise((r) => setTimeout(r, 10_000));
      const idleCpu = (nimbus.cpuMicros() - cpu0) / ((Date.now() - w0) * 1000);
      const rss = nimbus.memory().rssMb;
      log(`ws-idle: 10,000 open in ${fmt(openMs)} ms; RSS ${fmt(rss)} MB (${fmt(before)} MB before); idle CPU ${(idleCpu * 100).toFixed(2)} % of a core`);
      lines.push(`| 10,000 idle connections | RSS ${fmt(rss)} MB (${fmt(before)} MB before; target < 400) | idle CPU ${(idleCpu * 100).toFixed(2)} % of a core (target < 2 %) | opened in ${fmt(openMs)} ms, 250 at a time |`);
      for (const c of conns) c.terminate();
      await new Promise((r) => setTimeout(r, 1000));
    }

    if (want.includes('ws-broadcast')) {
      await createFunction(lambda, 'ws-broadcast', BROADCAST, { Timeout: 30, MemorySize: 512 });
      const api = await wsApi(control, 'ws-broadcast', false);
      await permit(lambda, 'ws-broadcast', api);
      const rounds = Math.max(args.rounds * 5, 10);
      const b = await broadcast(url(api), rounds, (ids, round) => JSON.stringify({ ids, text: String(round) }), nimbus);
      const bare = await startBareWs();
      let ceiling: Broadcast;
      try {
        ceiling = await broadcast(bare.endpoint, rounds, (_ids, round) => JSON.stringify({ text: String(round) }));
      } finally {
        await bare.stop();
      }
      const sdk = await sdkFloor(rounds);
      const cpu = `Nimbus CPU ${fmt(b.serverCpuMs!, 1)} ms/round, the function's ${fmt(b.functionCpuMs!, 1)} ms/round`;
      log(`ws-broadcast: to ${BROADCAST_TO}: p50 ${fmt(b.p50, 1)} ms, p99 ${fmt(b.p99, 1)} ms over ${rounds} rounds; ${cpu}; bare ws server p50 ${fmt(ceiling.p50, 1)} ms, p99 ${fmt(ceiling.p99, 1)} ms`);
      lines.push(`| broadcast to 1,000 from a function | last delivery p50 ${fmt(b.p50, 1)} ms | p99 ${fmt(b.p99, 1)} ms (target < 500) | ${rounds} rounds after 2 warm-up; ${cpu} |`);
      lines.push(`| broadcast to 1,000, bare \`ws\` server (the ceiling) | last delivery p50 ${fmt(ceiling.p50, 1)} ms | p99 ${fmt(ceiling.p99, 1)} ms | the same clients, no function or signing |`);
      lines.push(`| 1,000 PostToConnection with the SDK, no WebSocket (the function's floor) | all answered p50 ${fmt(sdk.p50, 1)} ms | p99 ${fmt(sdk.p99, 1)} ms | the SDK in the bench process against a bare node:http server; the SDK's CPU ${fmt(sdk.clientCpuMs, 1)} ms/round |`);
      if (profiling) profileWindows.push({ label: `broadcast to ${BROADCAST_TO} from a function (${rounds} rounds)`, fromUs: b.fromUs, toUs: b.toUs });
    }

    if (want.includes('ws-echo')) {
      await createFunction(lambda, 'ws-echo', ECHO);
      const api = await wsApi(control, 'ws-echo', true);
      await permit(lambda, 'ws-echo', api);
      for (const c of CONCURRENCY) {
        // One connection per in-flight message: each op sends a frame and waits for its answer.
        const pool: { ws: WebSocket; waiting?: (d: Buffer) => void }[] = [];
        for (let i = 0; i < c; i++) {
          const slot: { ws: WebSocket; waiting?: (d: Buffer) => void } = { ws: undefined as never };
          slot.ws = await open(url(api), (d) => slot.waiting?.(d));
          pool.push(slot);
        }
        const free = [...pool];
        const op = () =>
          new Promise<number>((resolve, reject) => {
            const slot = free.pop();
            if (!slot) return reject(new Error('no free connection'));
            slot.waiting = (d) => {
              slot.waiting = undefined;
              free.push(slot);
              if (d.toString() === PAYLOAD) resolve(1);
              else reject(new Error(`echo answered ${d.toString().slice(0, 100)}`));
            };
            slot.ws.send(PAYLOAD);
          });
        // c environments started before either window (a cold start under load takes seconds: whoever came first would pay them).
        const direct = new LambdaRaw(nimbus.endpoint, c);
        const warm = invokeOp(direct, 'ws-echo', JSON.stringify({ body: PAYLOAD }), false);
        for (let r = 0; r < 5; r++) await Promise.all(Array.from({ length: c }, () => warm()));
        // The same function with an event of the same size (it answers {statusCode, body}: not an echo of the event).
        const inv: Measured = await measure(nimbus, c, invokeOp(direct, 'ws-echo', JSON.stringify({ body: PAYLOAD, requestContext: { routeKey: '$default' } }), false), args);
        direct.close();
        const ws: Measured = await measure(nimbus, c, op, args);
        for (const s of pool) s.ws.terminate();
        log(`ws-echo c${c}: websocket ${brief(ws)}; Invoke ${brief(inv)}`);
        lines.push(`| echo through \`$default\` → function, c${c} | ${fmt(ws.opsPerSec)} msgs/s, p50 ${fmt(ws.p50, 2)} ms, p99 ${fmt(ws.p99, 2)} ms | direct Invoke ${fmt(inv.opsPerSec)}/s, p50 ${fmt(inv.p50, 2)} ms | websocket / Invoke ${ratio(ws.opsPerSec, inv.opsPerSec)} |`);
      }
    }
    control.destroy();
    lambda.close();
  } finally {
    const stderr = nimbus.stderrTail().trim();
    await nimbus.stop();
    if (stderr) console.log(`\nNimbus stderr (warn and above):\n${stderr}`);
  }
  if (profiling) {
    const file = newMainProfile(args.profDir, before);
    if (!file) log(`no new .cpuprofile in ${args.profDir}`);
    else for (const w of profileWindows) console.log(`\nCPU profile of Nimbus during the ${w.label}; ${file}\n` + summariseProfile(file, 25, w));
  }
  console.log('\nWebSocket APIs (durable Nimbus, TLS listener on)');
  console.log('| what | figure | figure | note |');
  console.log('|---|---|---|---|');
  for (const l of lines) console.log(l);
}

