/**
 * The data plane of WebSocket APIs, on the execute-api hosts' WebSocket upgrades
 * (`ws://{apiId}.execute-api.localhost:<port>/{stage}` and `/_nimbus/execute-api/{apiId}/{stage}`):
 *
 * - before the upgrade is answered: the stage, throttling, the `$connect` route's authorization
 *   and its integration (a refusal answers the upgrade with 401/403, or the function's own
 *   status; nothing opens), all within `$connect`'s 29 s. Its integration may choose one of
 *   the subprotocols the client offered by answering a `Sec-WebSocket-Protocol` header; the
 *   handshake names only that (or `nimbus.ack.v1` for acknowledged delivery), as AWS does;
 * - once open: the connection in the registry (connections.ts); every frame passes the
 *   registry's hooks, then is routed by the API's route selection expression (`$default` when
 *   nothing matches; AWS's `Forbidden` error frame when there is no `$default`), checked against
 *   the route's request model when it has one (validate.ts), and a two-way route sends the
 *   integration's answer back;
 * - AWS's limits: 128 KB messages (1009 past it), 10 minutes idle and 2 hours in all (then 1001
 *   Going away), on the injected clock;
 * - on close: the `$disconnect` route with the close code and reason.
 */
import type { ApiRequest, ApiResponse, UpgradeRequest, WebSocketConnection } from '../../../../server/api.js';
import type { StoredDocument } from '../../repo.js';
import type { SigV4Identity } from '../../../../protocols/sigv4.js';
import type { EndpointMatch, WebSocketEndpoint } from '../../../service.js';
import type { GatewayDeps, InvokeCall } from '../../deps.js';
import { managementApi } from '../management.js';
import { isApiId } from '../../ids.js';
import { HTTP_API_KIND, isWebSocket, type HttpApiDoc, type Integration, type Route, type Snapshot, type Stage } from '../../v2/model.js';
import type { Seams } from '../../v2/plane/seams.js';
import { servedParts } from '../../v2/plane/select.js';
import { formatAccessLog } from '../../shared/access-log.js';
import type { ConnectionFacts, LiveConnection } from '../connections.js';
import { SUBPROTOCOL } from '../../ack/protocol.js';
import { authorizeConnect } from './authorize.js';
import { contextVariables, multiValueHeaders, multiValueQuery, type WsEvent } from './events.js';
import { bodyPath, runIntegration, type Outcome } from './integrate.js';
import { invalidMessage } from './validate.js';

/** AWS's WebSocket API quotas (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html). */
export const WS_LIMITS = {
  /** Message payload size. */
  maxPayload: 128 * 1024,
  /** Idle connection timeout. */
  idleMs: 10 * 60 * 1000,
  /** Connection duration. */
  lifetimeMs: 2 * 60 * 60 * 1000,
  /** The `$connect` route's integration timeout (29 s, as every WebSocket integration's). */
  connectMs: 29 * 1000,
};

/** The close AWS sends when it ends a connection (idle, lifetime, DeleteConnection, shutdown). */
export const GOING_AWAY = { code: 1001, reason: 'Going away' };

interface Pending {
  facts: ConnectionFacts;
  api: HttpApiDoc;
  stage: Stage;
}

export interface WsPlane {
  endpoint: WebSocketEndpoint;
  /** Plain HTTP requests to a WebSocket API's invoke URL: the @connections management API. */
  http(req: ApiRequest, api: StoredDocument, call: InvokeCall): Promise<ApiResponse>;
  /** Finds a WebSocket API by id, whatever its account (the invoke URL is public). */
  find(apiId: string): HttpApiDoc | undefined;
}

export function webSocketPlane(deps: GatewayDeps, seams: Seams, domainFor: (apiId: string, req: UpgradeRequest) => string): WsPlane {
  const pending = new WeakMap<UpgradeRequest, Pending>();
  const management = managementApi(deps, (connectionId) => closingWith.set(connectionId, GOING_AWAY));
  /** What a connection's own closing said (idle, lifetime, DeleteConnection), for `$disconnect`. */
  const closingWith = new Map<string, { code: number; reason: string }>();

  const find = (apiId: string): HttpApiDoc | undefined => {
    if (!isApiId(apiId)) return undefined;
    const doc = deps.documents.byId(HTTP_API_KIND, apiId) as HttpApiDoc | undefined;
    return doc && isWebSocket(doc) ? doc : undefined;
  };

  const stageOf = (api: HttpApiDoc, path: string): { name: string; stage: Stage } | undefined => {
    const m = /^\/([^/]+)\/?$/.exec(path);
    if (!m) return undefined;
    let name = m[1]!;
    try {
      name = decodeURIComponent(name);
    } catch {
      return undefined;
    }
    return Object.hasOwn(api.stages, name) ? { name, stage: api.stages[name]! } : undefined;
  };

  const throttled = (api: HttpApiDoc, stageName: string, stage: Stage, routeKey: string): boolean => {
    const own = stage.routeSettings?.[routeKey];
    const def = stage.defaultRouteSettings;
    const rate = own?.throttlingRateLimit ?? def?.throttlingRateLimit;
    const burst = own?.throttlingBurstLimit ?? def?.throttlingBurstLimit;
    if (rate !== undefined || burst !== undefined) {
      const routeScoped = own?.throttlingRateLimit !== undefined || own?.throttlingBurstLimit !== undefined;
      const key = `wsApi/${api.id}/${stageName}/${routeScoped ? routeKey : '*'}`;
      if (!seams.take(key, { rateLimit: rate ?? Number.MAX_SAFE_INTEGER, burstLimit: burst ?? Number.MAX_SAFE_INTEGER })) return true;
    }
    return !seams.take(`account/${api.accountId}/${api.region}`, seams.accountLimit);
  };

  const log = (stage: Stage, e: WsEvent, status: number, extra: Record<string, unknown> = {}) => {
    const s = stage.accessLogSettings;
    if (!s?.destinationArn || !s.format || s.destinationArn.split(':')[4] !== e.conn.accountId) return;
    seams.accessLog({ destinationArn: s.destinationArn, apiId: e.conn.apiId, stage: e.conn.stage }, s.format, contextVariables(e, { status, ...extra }));
  };

  const integrationOf = (parts: Snapshot, route: Route): Integration | undefined => {
    const id = route.target?.startsWith('integrations/') ? route.target.slice('integrations/'.length) : undefined;
    return id !== undefined && Object.hasOwn(parts.integrations, id) ? parts.integrations[id] : undefined;
  };

  const routeByKey = (parts: Snapshot, key: string): Route | undefined => Object.values(parts.routes).find((r) => r.routeKey === key);

  const event = (facts: ConnectionFacts, stage: Stage, eventType: WsEvent['eventType'], routeKey: string, more: Partial<WsEvent> = {}): WsEvent => ({
    eventType,
    routeKey,
    requestId: deps.ids.token(12),
    now: deps.clock.now(),
    conn: facts,
    stageVariables: stage.stageVariables ?? {},
    ...more,
  });

  const refuse = (status: number) => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 429 ? 'Too Many Requests' : status === 504 ? 'Endpoint request timed out' : 'Internal server error' }) });

  async function accept(req: UpgradeRequest, match: EndpointMatch, verify: () => SigV4Identity) {
    const apiId = match.labels.apiId!.toLowerCase();
    const api = find(apiId);
    if (!api) return { status: 404, headers: { 'content-type': 'application/json' }, body: '{"message":"Not Found"}' };
    if (api.disableExecuteApiEndpoint) return refuse(403);
    const chosen = stageOf(api, match.path || '/');
    const parts = chosen && servedParts(api, chosen.stage);
    if (!chosen || !parts) return refuse(403);
    const now = deps.clock.now();
    const headers = multiValueHeaders(req.headers);
    const query = multiValueQuery(req.query);
    const ua = req.headers['user-agent'];
    const facts: ConnectionFacts = {
      connectionId: `${deps.ids.token(11)}=`,
      apiId,
      accountId: api.accountId,
      region: api.region,
      stage: chosen.name,
      domainName: domainFor(apiId, req),
      connectedAt: now,
      identity: { sourceIp: req.sourceIp ?? '127.0.0.1', ...(typeof ua === 'string' ? { userAgent: ua } : {}) },
      query: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, v[v.length - 1]!])),
      subprotocols: String(req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    };
    const e = event(facts, chosen.stage, 'CONNECT', '$connect', { requestId: req.requestId, headers, query });
    if (throttled(api, chosen.name, chosen.stage, '$connect')) return log(chosen.stage, e, 429), refuse(429);
    // Acknowledged delivery (tag nimbus:delivery): the client's mailbox id, decided once the
    // authorizer has spoken (its context's clientId wins) and before `$connect`'s integration.
    const mailbox = () => {
      const ack = deps.delivery.clientFor(api.tags, req, facts.authorizer);
      if (ack && 'refuse' in ack) return ack.refuse;
      if (ack) facts.clientId = ack.clientId;
      return undefined;
    };
    const route = routeByKey(parts, '$connect');
    let protocol: string | false | undefined;
    if (route) {
      const verdict = await authorizeConnect(deps, seams, e, route, parts, verify);
      if (!verdict.ok) {
        deps.log.debug('API Gateway: $connect refused', { apiId, status: verdict.status, why: verdict.why });
        log(chosen.stage, e, verdict.status);
        return refuse(verdict.status);
      }
      if (verdict.context) facts.authorizer = verdict.context;
      const refusal = mailbox();
      if (refusal) return log(chosen.stage, e, refusal.status), refusal;
      const integration = integrationOf(parts, route);
      if (integration) {
        const outcome = await runIntegration(deps, e, { ...integration, timeoutInMillis: Math.min(integration.timeoutInMillis, WS_LIMITS.connectMs) });
        const status = outcome.status;
        log(chosen.stage, e, status);
        if (outcome.kind === 'error') {
          deps.log.warn(`API Gateway: the $connect integration failed: ${outcome.why}`, { apiId, connectionId: facts.connectionId });
          return refuse(outcome.status);
        }
        if (status < 200 || status > 299) return { status, headers: outcome.headers ?? {}, body: typeof outcome.body === 'string' || Buffer.isBuffer(outcome.body) ? outcome.body : '' };
        protocol = chosenSubprotocol(outcome.headers, facts.subprotocols);
        if (protocol === false) deps.log.warn('API Gateway: the $connect integration chose a subprotocol the client did not offer; the handshake names none', { apiId, connectionId: facts.connectionId });
      } else log(chosen.stage, e, 200);
    } else {
      const refusal = mailbox();
      if (refusal) return log(chosen.stage, e, refusal.status), refusal;
      log(chosen.stage, e, 200);
    }
    pending.set(req, { facts, api, stage: chosen.stage });
    // A client with a mailbox speaks nimbus.ack.v1; otherwise only what `$connect` chose (as AWS: none unless it chose).
    return { protocol: facts.clientId !== undefined ? SUBPROTOCOL : protocol || undefined };
  }

  function open(socket: WebSocketConnection, req: UpgradeRequest): void {
    const p = pending.get(req);
    if (!p) return socket.close(1011);
    pending.delete(req);
    const live = deps.connections.add(p.facts, socket);
    const id = live.connectionId;
    const goAway = (why: string) => {
      closingWith.set(id, GOING_AWAY);
      deps.log.debug(`API Gateway: closing a WebSocket connection: ${why}`, { connectionId: id });
      socket.close(GOING_AWAY.code, GOING_AWAY.reason);
    };
    // Idle: one timer per connection, moved on only when it fires (activity just stamps lastActiveAt).
    let idle = deps.clock.at(live.lastActiveAt + WS_LIMITS.idleMs, function check() {
      const due = live.lastActiveAt + WS_LIMITS.idleMs;
      if (deps.clock.now() >= due) return goAway('idle timeout');
      idle = deps.clock.at(due, check);
    });
    const lifetime = deps.clock.at(live.connectedAt + WS_LIMITS.lifetimeMs, () => goAway('connection duration limit'));
    socket.onPing?.(() => void (live.lastActiveAt = deps.clock.now()));
    socket.onMessage((data) => message(p, live, data));
    socket.onClose((code, reason) => {
      idle.cancel();
      lifetime.cancel();
      const own = closingWith.get(id);
      closingWith.delete(id);
      deps.connections.closed(id, code, reason);
      void disconnect(p, live, own ?? { code, reason });
    });
  }

  /** One frame from the client: the registry's hooks, then its route. */
  async function message(p: Pending, live: LiveConnection, data: string | Buffer): Promise<void> {
    if (await deps.connections.consumed(live, data)) return;
    const api = find(p.facts.apiId);
    const stage = api && Object.hasOwn(api.stages, p.facts.stage) ? api.stages[p.facts.stage]! : undefined;
    const parts = api && stage && servedParts(api, stage);
    const messageId = `${deps.ids.token(11)}=`;
    if (!api || !stage || !parts) return errorFrame(live, 'Forbidden', messageId);
    const selected = selectRoute(api, parts, data);
    const e = event(live, stage, 'MESSAGE', selected?.routeKey ?? '$default', { messageId, body: data });
    if (!selected) {
      log(stage, e, 403);
      return errorFrame(live, 'Forbidden', e.requestId);
    }
    if (throttled(api, p.facts.stage, stage, selected.routeKey)) {
      log(stage, e, 429);
      return errorFrame(live, 'Too Many Requests', e.requestId);
    }
    const invalid = invalidMessage(api.id, parts, selected, data);
    if (invalid !== undefined) {
      deps.log.debug(`API Gateway: a WebSocket message failed its route's model: ${invalid}`, { apiId: api.id, routeKey: selected.routeKey, connectionId: live.connectionId });
      log(stage, e, 400, { error: { message: 'Invalid request body', messageString: '"Invalid request body"', responseType: 'BAD_REQUEST_BODY', validationErrorString: invalid } });
      return errorFrame(live, 'Invalid request body', e.requestId);
    }
    const integration = integrationOf(parts, selected);
    if (!integration) {
      log(stage, e, 500);
      return errorFrame(live, 'Internal server error', e.requestId);
    }
    // Routes run one after another per connection (reading pauses meanwhile), in order.
    const outcome: Outcome = await runIntegration(deps, e, integration);
    log(stage, e, outcome.status, { integrationStatus: outcome.status });
    if (outcome.kind === 'error') {
      deps.log.warn(`API Gateway: a WebSocket route's integration failed: ${outcome.why}`, { apiId: api.id, routeKey: selected.routeKey, connectionId: live.connectionId });
      return errorFrame(live, outcome.status === 504 ? 'Endpoint request timed out' : 'Internal server error', e.requestId);
    }
    const twoWay = Object.values(selected.routeResponses ?? {}).some((r) => r.routeResponseKey === '$default');
    if (twoWay && outcome.body !== undefined && (typeof outcome.body !== 'string' || outcome.body.length)) await deps.connections.send(live.connectionId, outcome.body);
  }

  async function disconnect(p: Pending, live: LiveConnection, close: { code: number; reason: string }): Promise<void> {
    const api = find(p.facts.apiId);
    const stage = api && Object.hasOwn(api.stages, p.facts.stage) ? api.stages[p.facts.stage]! : undefined;
    const parts = api && stage && servedParts(api, stage);
    if (!api || !stage || !parts) return;
    const route = routeByKey(parts, '$disconnect');
    const integration = route && integrationOf(parts, route);
    const headers: Record<string, string[]> = { Host: [live.domainName], 'x-api-key': [''], 'X-Forwarded-For': [''], 'x-restapi': [''] };
    const e = event(live, stage, 'DISCONNECT', '$disconnect', { headers, disconnect: close });
    if (!integration) return log(stage, e, 200);
    try {
      const outcome = await runIntegration(deps, e, integration);
      log(stage, e, outcome.status);
      if (outcome.kind === 'error') deps.log.warn(`API Gateway: the $disconnect integration failed: ${outcome.why}`, { apiId: api.id, connectionId: live.connectionId });
    } catch (err) {
      deps.log.error('API Gateway: unexpected error on $disconnect', { apiId: api.id, error: err instanceof Error ? err.stack : String(err) });
    }
  }

  /** AWS's answer to a message it could not route or integrate: a frame, the connection stays open. */
  function errorFrame(live: LiveConnection, text: string, requestId: string): Promise<void> {
    return deps.connections.send(live.connectionId, JSON.stringify({ message: text, connectionId: live.connectionId, requestId })).then(() => undefined);
  }

  return {
    find,
    http: (req, api, call) => management(req, api as HttpApiDoc, call),
    endpoint: {
      maxPayload: WS_LIMITS.maxPayload,
      accept: async (req, match, verify) => {
        try {
          return await accept(req, match, verify);
        } catch (err) {
          deps.log.error('API Gateway: unexpected error on $connect', { error: err instanceof Error ? err.stack : String(err) });
          return refuse(500);
        }
      },
      open: (conn, req) => open(conn, req),
    },
  };
}

/**
 * The subprotocol a `$connect` integration chose with its `Sec-WebSocket-Protocol` header (any
 * case), as AWS lets a Lambda proxy integration answer: undefined when it chose none, false when
 * it chose one the client did not offer (RFC 6455 lets the server pick only among those).
 */
export function chosenSubprotocol(headers: Record<string, string> | undefined, offered: readonly string[]): string | false | undefined {
  const name = headers && Object.keys(headers).find((k) => k.toLowerCase() === 'sec-websocket-protocol');
  const value = name === undefined ? undefined : headers![name]!.trim();
  if (!value) return undefined;
  return offered.includes(value) ? value : false;
}

/** The route the API's selection expression picks for a frame: the key's route, else `$default`. */
export function selectRoute(api: HttpApiDoc, parts: Snapshot, data: string | Buffer): Route | undefined {
  const routes = Object.values(parts.routes);
  const m = /^\$\{?request\.body\.([A-Za-z0-9_$.-]+)\}?$/.exec(api.routeSelectionExpression);
  if (m) {
    const key = bodyPath(data, m[1]!);
    if (typeof key === 'string' || typeof key === 'number' || typeof key === 'boolean') {
      const k = String(key);
      if (k !== '$connect' && k !== '$disconnect') {
        const found = routes.find((r) => r.routeKey === k);
        if (found) return found;
      }
    }
  } else {
    // A fixed expression (no `$request`) names one route for every message.
    const found = routes.find((r) => r.routeKey === api.routeSelectionExpression);
    if (found) return found;
  }
  return routes.find((r) => r.routeKey === '$default');
}
