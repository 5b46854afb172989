/**
 * Helpers for the acknowledged-delivery tests: a WebSocket API tagged `nimbus:delivery` =
 * `acknowledged` (a `$default` route answering `routed` through a MOCK integration, so a frame
 * that reached the routes is seen), `POST /@clients/{clientId}` signed as PostToConnection is,
 * and raw `ws` clients speaking `nimbus.ack.v1` that record every frame.
 */
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
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { WebSocket } from 'ws';
import { TEST_CREDENTIALS } from '../../helpers/nimbus.js';

export const STAGE = 'test';
export const ACK_TAGS = { 'nimbus:delivery': 'acknowledged' };

/** A WebSocket API with a two-way `$default` route (MOCK, answers `routed`), deployed to stage `test`. */
export async function createWsApi(apigw: ApiGatewayV2Client, tags: Record<string, string> = ACK_TAGS): Promise<string> {
  const apiId = (await apigw.send(new CreateApiCommand({ Name: 'ack', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action', Tags: tags }))).ApiId!;
  const integ = await apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'MOCK', RequestTemplates: { $default: '{"statusCode": 200}' }, TemplateSelectionExpression: '\\$default' }));
  await apigw.send(new CreateIntegrationResponseCommand({ ApiId: apiId, IntegrationId: integ.IntegrationId!, IntegrationResponseKey: '$default', ResponseTemplates: { $default: 'routed' }, TemplateSelectionExpression: '\\$default' }));
  const route = await apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: '$default', Target: `integrations/${integ.IntegrationId}`, RouteResponseSelectionExpression: '$default' }));
  await apigw.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId: route.RouteId!, RouteResponseKey: '$default' }));
  // {"action":"whoami"} answers the connection's id (for PostToConnection).
  const who = await apigw.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'MOCK', RequestTemplates: { $default: '{"statusCode": 200}' }, TemplateSelectionExpression: '\\$default' }));
  await apigw.send(new CreateIntegrationResponseCommand({ ApiId: apiId, IntegrationId: who.IntegrationId!, IntegrationResponseKey: '$default', ResponseTemplates: { $default: 'id:$context.connectionId' }, TemplateSelectionExpression: '\\$default' }));
  const whoRoute = await apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'whoami', Target: `integrations/${who.IntegrationId}`, RouteResponseSelectionExpression: '$default' }));
  await apigw.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId: whoRoute.RouteId!, RouteResponseKey: '$default' }));
  await apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: STAGE }));
  await apigw.send(new CreateDeploymentCommand({ ApiId: apiId, StageName: STAGE }));
  return apiId;
}

/** The stage's WebSocket URL, path-style (Node cannot resolve *.localhost). */
export const wsUrl = (endpoint: string, apiId: string) => `${endpoint.replace(/^http/, 'ws')}/_nimbus/execute-api/${apiId}/${STAGE}`;
/** The stage's management (@connections) endpoint, path-style. */
export const managementEndpoint = (endpoint: string, apiId: string) => `${endpoint}/_nimbus/execute-api/${apiId}/${STAGE}`;

const signers = new Map<string, SignatureV4>();

/** `POST /@clients/{clientId}`, signed for execute-api as the management API's requests are. */
export async function postToClient(
  endpoint: string,
  apiId: string,
  clientId: string,
  body: string | Buffer,
  credentials: { accessKeyId: string; secretAccessKey: string } = TEST_CREDENTIALS,
): Promise<{ status: number; body: string; errorType: string | null }> {
  const url = new URL(`${managementEndpoint(endpoint, apiId)}/@clients/${encodeURIComponent(clientId)}`);
  let signer = signers.get(credentials.accessKeyId);
  if (!signer) signers.set(credentials.accessKeyId, (signer = new SignatureV4({ service: 'execute-api', region: 'us-east-1', sha256: Sha256, credentials })));
  const signed = await signer.sign(
    new HttpRequest({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, headers: { host: url.host }, body }),
  );
  const res = await fetch(url, { method: 'POST', headers: signed.headers as Record<string, string>, body: typeof body === 'string' ? body : new Uint8Array(body) });
  return { status: res.status, body: await res.text(), errorType: res.headers.get('x-amzn-errortype') };
}

export interface Frame {
  seq?: number;
  data?: string;
  encoding?: string;
  /** A frame that is not a mailbox message, as received. */
  raw?: string;
}

/** A raw `ws` client: connects with the subprotocol and clientId, records every frame. */
export class RawClient {
  readonly frames: Frame[] = [];
  ws!: WebSocket;
  private waiters: (() => void)[] = [];

  static async connect(url: string, clientId: string | undefined, protocols: string[] = ['nimbus.ack.v1']): Promise<RawClient> {
    const c = new RawClient();
    c.ws = new WebSocket(clientId === undefined ? url : `${url}?clientId=${encodeURIComponent(clientId)}`, protocols);
    c.ws.on('message', (data, binary) => {
      const text = binary ? '' : data.toString();
      let f: Frame;
      try {
        const v = JSON.parse(text);
        f = typeof v?.seq === 'number' ? v : { raw: text };
      } catch {
        f = { raw: text };
      }
      c.frames.push(f);
      const w = c.waiters;
      c.waiters = [];
      w.forEach((fn) => fn());
    });
    await new Promise<void>((resolve, reject) => {
      c.ws.once('open', () => resolve());
      c.ws.once('error', reject);
      c.ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    return c;
  }

  get seqs(): number[] {
    return this.frames.filter((f) => f.seq !== undefined).map((f) => f.seq!);
  }

  /** Resolves once `pred` holds (checked on every frame), or rejects after `ms`. */
  async until(pred: () => boolean, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; frames: ${JSON.stringify(this.frames.slice(-5))} (${this.frames.length})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The connection's id, asked through the `whoami` route. */
  async connectionId(): Promise<string> {
    const from = this.frames.length;
    this.ws.send('{"action":"whoami"}');
    await this.until(() => this.frames.slice(from).some((f) => f.raw?.startsWith('id:')));
    return this.frames.slice(from).find((f) => f.raw?.startsWith('id:'))!.raw!.slice(3);
  }

  ack(n: number): void {
    this.ws.send(JSON.stringify({ ack: n }));
  }

  /** Drops the connection as a network failure would: the socket destroyed, no close frame. */
  drop(): void {
    this.ws.terminate();
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** The refusal of an upgrade: its HTTP status. */
export function upgradeStatus(url: string, protocols: string[] = ['nimbus.ack.v1']): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode!);
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(101);
      ws.close();
    });
    ws.once('error', (e) => reject(e));
  });
}

/** Waits a little for frames that should not come. */
export const quiet = (ms = 150) => new Promise((r) => setTimeout(r, ms));
