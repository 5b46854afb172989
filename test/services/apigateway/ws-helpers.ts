/**
 * Helpers for the WebSocket API tests: a `ws` client on an API's invoke URL (path-style, or by
 * Host header), waiting for frames and for the close, and a WebSocket API with routes to functions.
 */
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateRouteResponseCommand, CreateStageCommand, type ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import WebSocket from 'ws';
import { TEST_CREDENTIALS, type TestNimbus } from '../../helpers/nimbus.js';
import { fnArn, REGION } from './v2-helpers.js';

export interface Client {
  ws: WebSocket;
  /** Frames received so far (text as strings, binary as Buffers). */
  frames: (string | Buffer)[];
  /** The next frame not yet taken (waits for it). */
  next(timeoutMs?: number): Promise<string | Buffer>;
  closed: Promise<{ code: number; reason: string }>;
}

function wrap(ws: WebSocket): Client {
  const frames: (string | Buffer)[] = [];
  let taken = 0;
  const waiters: (() => void)[] = [];
  ws.on('message', (data, binary) => {
    frames.push(binary ? Buffer.from(data as Buffer) : String(data));
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return {
    ws,
    frames,
    closed,
    next: (timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const take = () => {
          if (taken < frames.length) return resolve(frames[taken++]!), true;
          return false;
        };
        if (take()) return;
        const timer = setTimeout(() => reject(new Error(`no frame within ${timeoutMs} ms (had ${frames.length})`)), timeoutMs);
        const wait = () => (take() ? clearTimeout(timer) : waiters.push(wait));
        waiters.push(wait);
      }),
  };
}

/** Connects path-style (`/_nimbus/execute-api/{apiId}/{stage}`); rejects with the HTTP status when the upgrade is refused. */
export function connect(t: TestNimbus, apiId: string, stage: string, opts: { query?: string; headers?: Record<string, string>; protocols?: string[] } = {}): Promise<Client> {
  const url = `${t.endpoint.replace(/^http/, 'ws')}/_nimbus/execute-api/${apiId}/${stage}${opts.query ? `?${opts.query}` : ''}`;
  return open(new WebSocket(url, opts.protocols ?? [], { headers: opts.headers ?? {} }));
}

/** Connects by Host header (`{apiId}.execute-api.localhost`), as a browser resolving *.localhost would. */
export function connectByHost(t: TestNimbus, apiId: string, stage: string, query = ''): Promise<Client> {
  const port = new URL(t.endpoint).port;
  return open(new WebSocket(`ws://127.0.0.1:${port}/${stage}${query ? `?${query}` : ''}`, { headers: { host: `${apiId}.execute-api.localhost:${port}` } }));
}

function open(ws: WebSocket): Promise<Client> {
  const client = wrap(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode} ${body}`), { status: res.statusCode, body })));
    });
    ws.once('error', reject);
  });
}

/** A WebSocket API (`$request.body.action`) whose routes each go to a function (AWS_PROXY); `twoWay` routes answer through a route response. */
export async function wsApi(apigw: ApiGatewayV2Client, routes: Record<string, string>, opts: { twoWay?: string[]; stage?: string } = {}): Promise<string> {
  const apiId = (await apigw.send(new CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId!;
  const integrations = new Map<string, string>();
  for (const [key, fn] of Object.entries(routes)) {
    let integrationId = integrations.get(fn);
    if (!integrationId) {
      integrationId = (await apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn(fn) }))).IntegrationId!;
      integrations.set(fn, integrationId);
    }
    const route = await apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: key, Target: `integrations/${integrationId}`, ...(opts.twoWay?.includes(key) ? { RouteResponseSelectionExpression: '$default' } : {}) }));
    if (opts.twoWay?.includes(key)) await apigw.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId: route.RouteId!, RouteResponseKey: '$default' }));
  }
  await apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: opts.stage ?? 'prod', AutoDeploy: true }));
  return apiId;
}

/** The management API's client as a test (outside any function) builds it: the path-style invoke URL with the stage. */
export function managementClient(t: TestNimbus, apiId: string, stage: string, credentials = TEST_CREDENTIALS): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({ endpoint: `${t.endpoint}/_nimbus/execute-api/${apiId}/${stage}`, region: REGION, credentials, maxAttempts: 1 });
}
