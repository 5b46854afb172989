/**
 * What a WebSocket API hands its integrations, as AWS documents the Lambda proxy events of
 * WebSocket APIs: `$connect` (eventType CONNECT, with the upgrade's headers and query string),
 * messages (MESSAGE, with `messageId` and the body; binary frames base64 with isBase64Encoded)
 * and `$disconnect` (DISCONNECT, with `disconnectStatusCode` and `disconnectReason`). The same
 * facts feed `$context` in mapping templates and access logs.
 */
import { clfTime } from '../../v2/plane/request.js';
import type { ConnectionFacts } from '../connections.js';

export type EventType = 'CONNECT' | 'MESSAGE' | 'DISCONNECT';

/** One event on a connection, from the route chosen to the integration's answer. */
export interface WsEvent {
  eventType: EventType;
  routeKey: string;
  requestId: string;
  /** MESSAGE only. */
  messageId?: string;
  now: number;
  conn: ConnectionFacts;
  /** CONNECT: the upgrade request's headers (names as sent); DISCONNECT: the few AWS passes on. */
  headers?: Record<string, string[]>;
  /** CONNECT: the upgrade's query string. */
  query?: Record<string, string[]>;
  /** MESSAGE: the frame. */
  body?: string | Buffer;
  disconnect?: { code: number; reason: string };
  /** The stage's variables. */
  stageVariables: Record<string, string>;
}

/** The Lambda proxy event (AWS_PROXY). */
export function proxyEvent(e: WsEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (e.headers) {
    out.headers = Object.fromEntries(Object.entries(e.headers).map(([k, v]) => [k, v.join(',')]));
    out.multiValueHeaders = e.headers;
  }
  if (e.query && Object.keys(e.query).length) {
    out.queryStringParameters = Object.fromEntries(Object.entries(e.query).map(([k, v]) => [k, v[v.length - 1]!]));
    out.multiValueQueryStringParameters = e.query;
  }
  out.requestContext = requestContext(e);
  if (e.eventType === 'MESSAGE') {
    const binary = Buffer.isBuffer(e.body);
    out.body = binary ? (e.body as Buffer).toString('base64') : (e.body ?? '');
    out.isBase64Encoded = binary;
  } else out.isBase64Encoded = false;
  if (Object.keys(e.stageVariables).length) out.stageVariables = e.stageVariables;
  return out;
}

/** `event.requestContext`, in AWS's order. */
export function requestContext(e: WsEvent): Record<string, unknown> {
  const rc: Record<string, unknown> = { routeKey: e.routeKey };
  if (e.eventType === 'MESSAGE') rc.messageId = e.messageId;
  if (e.disconnect) rc.disconnectStatusCode = e.disconnect.code;
  rc.eventType = e.eventType;
  rc.extendedRequestId = e.requestId;
  rc.requestTime = clfTime(e.now);
  rc.messageDirection = 'IN';
  if (e.disconnect) rc.disconnectReason = e.disconnect.reason;
  rc.stage = e.conn.stage;
  rc.connectedAt = e.conn.connectedAt;
  rc.requestTimeEpoch = e.now;
  rc.identity = { ...(e.conn.identity.userAgent !== undefined ? { userAgent: e.conn.identity.userAgent } : {}), sourceIp: e.conn.identity.sourceIp };
  rc.requestId = e.requestId;
  rc.domainName = e.conn.domainName;
  rc.connectionId = e.conn.connectionId;
  rc.apiId = e.conn.apiId;
  if (e.conn.authorizer) rc.authorizer = e.conn.authorizer;
  return rc;
}

/** `$context` for mapping templates, selection expressions and access logs. */
export function contextVariables(e: WsEvent, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...requestContext(e),
    accountId: e.conn.accountId,
    requestTimeEpoch: e.now,
    authorizer: e.conn.authorizer ?? {},
    ...extra,
  };
}

/** The upgrade's query string as AWS's multi-value map. */
export function multiValueQuery(raw: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(raw)) (out[k] ??= []).push(v);
  return out;
}

/** The upgrade's headers as AWS's multi-value map (names as Node gives them: lower-case). */
export function multiValueHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v : [v];
  return out;
}
