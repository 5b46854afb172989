/**
 * Acknowledged delivery (`--only ws-ack`, also in `--only websocket`): PostToConnection of a
 * ~100-byte message to one WebSocket connection, at concurrency 1 and 32, against Nimbus
 * (durable, on a data dir):
 *   - plain: a WebSocket API without the tag, the frame written to the socket (AWS behaviour);
 *   - acknowledged: an API tagged `nimbus:delivery` = `acknowledged`, the client connected with
 *     `nimbus.ack.v1`: each post committed (fsync'ed) to the client's mailbox before its answer,
 *     sent as `{"seq", "data"}`, and acknowledged by the client (`{"ack": n}`, coalesced per
 *     turn of its event loop).
 * The figure is acknowledged messages/s over plain messages/s (target ≥ 0.5), taken within
 * adjacent windows of the two modes, alternated (see PAIRS). Each row also checks that the
 * client received every message answered.
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateDeploymentCommand,
  CreateIntegrationCommand,
  CreateIntegrationResponseCommand,
  CreateRouteCommand,
  CreateRouteResponseCommand,
  CreateStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { WebSocket } from 'ws';
import { CONCURRENCY, type Args } from './args.js';
import { HttpError, LocalTarget } from './load.js';
import { brief, fmt, log, measure, type Measured } from './measure.js';
import { newMainProfile, summariseProfile } from './prof-summary.js';
import { startNimbus } from './servers.js';
import { SigV4Signer } from './sigv4-sign.js';

const STAGE = 'bench';
const MESSAGE = JSON.stringify({ text: 'x'.repeat(80), n: 1 });
const MESSAGE_HASH = createHash('sha256').update(MESSAGE).digest('hex');

/** RFC 3986 escaping of one path segment, as SigV4 canonicalizes a non-S3 path (once more). */
const escape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

class PostSigner extends SigV4Signer {
  constructor(private readonly host: string) {
    super({ accessKeyId: 'test', secretAccessKey: 'test', region: 'us-east-1', service: 'execute-api' });
  }

  sign(path: string): Record<string, string> {
    const amzDate = this.date();
    const canonicalPath = path.split('/').map(escape).join('/');
    const canonical = `POST\n${canonicalPath}\n\nhost:${this.host}\nx-amz-date:${amzDate}\n\nhost;x-amz-date\n${MESSAGE_HASH}`;
    return { host: this.host, 'x-amz-date': amzDate, authorization: this.authorization(canonical, 'host;x-amz-date'), 'content-length': String(Buffer.byteLength(MESSAGE)) };
  }
}

/** A WebSocket API with a `whoami` route (MOCK) answering the connection's id, deployed to `bench`. */
async function createApi(c: ApiGatewayV2Client, tags: Record<string, string>): Promise<string> {
  const ApiId = (await c.send(new CreateApiCommand({ Name: 'ws-ack-bench', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action', Tags: tags }))).ApiId!;
  const integ = await c.send(new CreateIntegrationCommand({ ApiId, IntegrationType: 'MOCK', RequestTemplates: { $default: '{"statusCode": 200}' }, TemplateSelectionExpression: '\\$default' }));
  await c.send(new CreateIntegrationResponseCommand({ ApiId, IntegrationId: integ.IntegrationId!, IntegrationResponseKey: '$default', ResponseTemplates: { $default: 'id:$context.connectionId' }, TemplateSelectionExpression: '\\$default' }));
  const route = await c.send(new CreateRouteCommand({ ApiId, RouteKey: 'whoami', Target: `integrations/${integ.IntegrationId}`, RouteResponseSelectionExpression: '$default' }));
  await c.send(new CreateRouteResponseCommand({ ApiId, RouteId: route.RouteId!, RouteResponseKey: '$default' }));
  await c.send(new CreateStageCommand({ ApiId, StageName: STAGE }));
  await c.send(new CreateDeploymentCommand({ ApiId, StageName: STAGE }));
  return ApiId;
}

/** A connected client: counts the messages it gets; in acknowledged mode acknowledges them. */
/**
 * `clientId` (acknowledged mode) is one per row: a client id of an earlier row would be sent that
 * row's last messages again (not acknowledged before its client was cut off), and count them.
 */
async function connectClient(endpoint: string, apiId: string, clientId: string | undefined): Promise<{ id: string; received: () => number; close: () => void }> {
  const acknowledged = clientId !== undefined;
  const url = `${endpoint.replace(/^http/, 'ws')}/_nimbus/execute-api/${apiId}/${STAGE}${acknowledged ? `?clientId=${clientId}` : ''}`;
  const ws = new WebSocket(url, acknowledged ? ['nimbus.ack.v1'] : []);
  let received = 0;
  let lastSeq = 0;
  let ackScheduled = false;
  let resolveId: (id: string) => void;
  const idPromise = new Promise<string>((r) => (resolveId = r));
  ws.on('message', (data) => {
    const text = data.toString();
    if (text.startsWith('id:')) return resolveId(text.slice(3));
    received++;
    if (!acknowledged) return;
    lastSeq = (JSON.parse(text) as { seq: number }).seq;
    if (!ackScheduled) {
      ackScheduled = true;
      setImmediate(() => {
        ackScheduled = false;
        ws.send(JSON.stringify({ ack: lastSeq }));
      });
    }
  });
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  ws.send('{"action":"whoami"}');
  return { id: await idPromise, received: () => received, close: () => ws.terminate() };
}

function postOp(endpoint: string, concurrency: number, apiId: string, connectionId: string): { op: () => Promise<number>; close: () => void } {
  const target = new LocalTarget(endpoint, concurrency);
  const signer = new PostSigner(target.hostHeader);
  const path = `/_nimbus/execute-api/${apiId}/${STAGE}/@connections/${encodeURIComponent(connectionId)}`;
  const op = () =>
    new Promise<number>((resolve, reject) => {
      const req = request(target.options('POST', path, signer.sign(path)), (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(1) : reject(new HttpError('PostToConnection', res.statusCode ?? 0, text))));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(MESSAGE);
    });
  return { op, close: () => target.close() };
}

type Mode = 'plain' | 'acked';

/**
 * Windows per mode and concurrency, alternated (plain, acknowledged, acknowledged, plain, ...):
 * on a shared machine the load drifts between two windows measured one after the other, so
 * the ratio is taken within each adjacent pair and the median of those is reported.
 */
const PAIRS = 3;

interface Row {
  c: number;
  /** Each mode's windows, in the order measured. */
  runs: Record<Mode, Measured[]>;
  /** acknowledged / plain msgs/s of each adjacent pair of windows. */
  ratios: number[];
  /** Messages answered 200 and messages the client received (warm-up included). */
  check: Record<Mode, string>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function wsAckPart(args: Args, dir: string): Promise<void> {
  if (!args.only.has('ws-ack')) return;
  // --profile=ws-ack: Nimbus under --cpu-prof, the acknowledged c32 window summarised.
  const profiling = args.profile && args.profileShapes.includes('ws-ack');
  const before = profiling ? (mkdirSync(args.profDir, { recursive: true }), new Set(readdirSync(args.profDir))) : new Set<string>();
  const nimbus = await startNimbus(join(dir, 'ws-ack-data'), profiling ? ['--cpu-prof', '--cpu-prof-dir', args.profDir] : []);
  const rows: Row[] = [];
  try {
    log(`acknowledged delivery: nimbus ${nimbus.endpoint} (pid ${nimbus.pid}, data ${join(dir, 'ws-ack-data')})`);
    const control = new ApiGatewayV2Client({ endpoint: nimbus.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    const plainApi = await createApi(control, {});
    const ackApi = await createApi(control, { 'nimbus:delivery': 'acknowledged' });
    control.destroy();
    for (const c of CONCURRENCY) {
      const row: Row = { c, runs: { plain: [], acked: [] }, ratios: [], check: { plain: '', acked: '' } };
      const sides = {} as Record<Mode, { client: Awaited<ReturnType<typeof connectClient>>; op: () => Promise<number>; close: () => void; answered: number }>;
      try {
        for (const mode of ['plain', 'acked'] as const) {
          const client = await connectClient(nimbus.endpoint, mode === 'acked' ? ackApi : plainApi, mode === 'acked' ? `bench-c${c}` : undefined);
          const post = postOp(nimbus.endpoint, c, mode === 'acked' ? ackApi : plainApi, client.id);
          const side = { client, close: post.close, answered: 0, op: () => post.op().then((n) => ((side.answered += n), n)) };
          sides[mode] = side;
        }
        for (let pair = 0; pair < PAIRS; pair++) {
          const order: Mode[] = pair % 2 === 0 ? ['plain', 'acked'] : ['acked', 'plain'];
          for (const mode of order) {
            const side = sides[mode];
            // The first window of each mode warms the JIT; later ones only settle.
            const m = await measure(nimbus, c, side.op, args, row.runs[mode].length ? { warmupMs: 500 } : {});
            row.runs[mode].push(m);
            // Every answered message reaches the client before the next window (give it a moment to catch up).
            const deadline = Date.now() + 10_000;
            while (side.client.received() < side.answered && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
            row.check[mode] = `${fmt(side.answered)} answered, ${fmt(side.client.received())} received`;
            log(`ws-ack c${c} ${mode} (window ${pair + 1}): ${brief(m)}; ${row.check[mode]}`);
          }
          row.ratios.push(row.runs.acked[pair]!.opsPerSec / row.runs.plain[pair]!.opsPerSec);
        }
      } finally {
        for (const side of Object.values(sides)) {
          side.close();
          side.client.close();
        }
      }
      rows.push(row);
    }
  } finally {
    const stderr = nimbus.stderrTail().trim();
    await nimbus.stop();
    if (stderr) console.log(`\nNimbus stderr (warn and above):\n${stderr}`);
  }
  const last = rows.at(-1);
  const window = last?.runs.acked.at(-1);
  const file = profiling ? newMainProfile(args.profDir, before) : undefined;
  if (file && window) console.log(`\nCPU profile of Nimbus during the last acknowledged window at c${last!.c}; ${file}\n` + summariseProfile(file, 25, window));
  console.log(`\nAcknowledged delivery (WebSocket API): PostToConnection of a ~100 B message to one connection, durable Nimbus; ${PAIRS} alternated windows per mode, medians`);
  console.log('| c | plain msgs/s | p50 ms | acknowledged msgs/s | p50 ms | p99 ms | ops/commit | CPU µs/msg plain / acknowledged | acknowledged / plain per pair | median (target ≥ 0.5) | plain check | acknowledged check |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const med = (mode: Mode, f: (m: Measured) => number) => median(r.runs[mode].map(f));
    console.log(
      `| ${r.c} | ${fmt(med('plain', (m) => m.opsPerSec))} | ${fmt(med('plain', (m) => m.p50), 2)} | ${fmt(med('acked', (m) => m.opsPerSec))} | ${fmt(med('acked', (m) => m.p50), 2)} | ` +
        `${fmt(med('acked', (m) => m.p99), 2)} | ${fmt(med('acked', (m) => m.opsPerCommit), 1)} | ${fmt(med('plain', (m) => m.srvUsPerOp))} / ${fmt(med('acked', (m) => m.srvUsPerOp))} | ` +
        `${r.ratios.map((x) => `${x.toFixed(2)}x`).join(', ')} | ${median(r.ratios).toFixed(2)}x | ${r.check.plain} | ${r.check.acked} |`,
    );
  }
}
