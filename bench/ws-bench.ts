/**
 * WebSocket APIs (`--only websocket`, or one of ws-idle, ws-broadcast, ws-echo), against Nimbus
 * durable on a data dir, started as users start it (TLS listener on, so functions call back
 * on `https://${domainName}/${stage}` as AWS's examples do):
 *   - ws-idle: 10,000 idle connections: Nimbus's RSS and CPU (% of one core) over 10 s of idling;
 *   - ws-broadcast: one message to 1,000 connections from a function (PostToConnection through
 *     the management API, as the chat tutorial sends): the time from the trigger frame until the
 *     last client has it, over --rounds rounds (p50, p99);
 *   - ws-echo: a message to a `$default` route whose function answers through the route response,
 *     round trip at c1 and c32, against the same function invoked directly (Invoke).
 * Targets (issue 17): 10,000 idle under 400 MB RSS and 2 % of a core; broadcast p99 under 500 ms.
 */
import { join } from 'node:path';
import { ApiGatewayV2Client, CreateApiCommand, CreateIntegrationCommand, CreateIntegrationResponseCommand, CreateRouteCommand, CreateRouteResponseCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { WebSocket } from 'ws';
import { CONCURRENCY, type Args } from './args.js';
import { createFunction, fnPath, invokeOp, LambdaRaw, PAYLOAD } from './lambda-ops.js';
import { brief, fmt, log, measure, ratio, type Measured } from './measure.js';
import { startNimbus, type ServerProc } from './servers.js';

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

export async function wsPart(args: Args, dir: string): Promise<void> {
  const want = (['ws-idle', 'ws-broadcast', 'ws-echo'] as const).filter((s) => args.only.has(s));
  if (!want.length) return;
  const nimbus: ServerProc = await startNimbus(join(dir, 'ws-data'));
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
      const N = 1000;
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
      const conns = await openMany(url(api), N, 250, listeners);
      const named_ = new Promise<void>((r) => (allNamed = r));
      for (const ws of conns) ws.send('{"action":"whoami"}');
      await named_;
      const trigger = await open(url(api));
      const times: number[] = [];
      const rounds = Math.max(args.rounds * 5, 10);
      for (round = 1; round <= rounds + 2; round++) {
        got = 0;
        const all = new Promise<void>((r) => (done = r));
        const t0 = performance.now();
        trigger.send(JSON.stringify({ ids, text: String(round) }));
        await Promise.race([all, new Promise((r) => setTimeout(r, 30_000))]);
        if (got !== N) throw new Error(`broadcast round ${round}: ${got} of ${N} delivered`);
        if (round > 2) times.push(last - t0); // two warm-up rounds: cold start, TLS handshakes
      }
      times.sort((a, b) => a - b);
      log(`ws-broadcast: to ${N}: p50 ${fmt(pct(times, 50), 1)} ms, p99 ${fmt(pct(times, 99), 1)} ms over ${times.length} rounds`);
      lines.push(`| broadcast to 1,000 from a function | last delivery p50 ${fmt(pct(times, 50), 1)} ms | p99 ${fmt(pct(times, 99), 1)} ms (target < 500) | ${times.length} rounds after 2 warm-up |`);
      trigger.terminate();
      for (const c of conns) c.terminate();
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
  console.log('\nWebSocket APIs (durable Nimbus, TLS listener on)');
  console.log('| what | figure | figure | note |');
  console.log('|---|---|---|---|');
  for (const l of lines) console.log(l);
}

