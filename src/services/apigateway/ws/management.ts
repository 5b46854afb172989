/**
 * The @connections management API of a WebSocket API (`@aws-sdk/client-apigatewaymanagementapi`,
 * signing name `execute-api`), on the API's invoke URL with its stage:
 * `POST|GET|DELETE /{stage}/@connections/{connectionId}` — PostToConnection (the body is the
 * frame: text when it is UTF-8, else binary), GetConnection (connectedAt, identity,
 * lastActiveAt) and DeleteConnection (closes with 1001 Going away, `$disconnect` runs).
 *
 * Every call is SigV4-signed for `execute-api` by the API's own account (ForbiddenException
 * otherwise, as for a connection of another API); a connection that is not open is
 * GoneException (410); a payload over 128 KB is PayloadTooLargeException (413).
 */
import { isUtf8 } from 'node:buffer';
import type { ApiRequest, ApiResponse } from '../../../server/api.js';
import type { GatewayDeps, InvokeCall } from '../deps.js';
import type { HttpApiDoc } from '../v2/model.js';

/** PostToConnection's limit: a WebSocket message's 128 KB. */
export const MAX_POST_BYTES = 128 * 1024;

const CONNECTION_PATH = /^\/([^/]+)\/@connections\/([^/]+)\/?$/;
/** Acknowledged delivery's `POST /{stage}/@clients/{clientId}` (ack/delivery.ts). */
const CLIENT_PATH = /^\/[^/]+\/@clients\/[^/]+\/?$/;

export function error(status: number, type: string, message: string | undefined, requestId: string): ApiResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': type, 'x-amzn-requestid': requestId },
    body: JSON.stringify(message === undefined ? {} : { message }),
  };
}

/** `onDelete` is told a connection is being closed by DeleteConnection, before it closes. */
export function managementApi(deps: GatewayDeps, onDelete: (connectionId: string) => void) {
  return async (req: ApiRequest, api: HttpApiDoc, call: InvokeCall): Promise<ApiResponse> => {
    const rid = req.requestId;
    const method = req.method.toUpperCase();
    if (method === 'POST' && CLIENT_PATH.test(call.path)) return deps.delivery.postToClient(req, api, call);
    const m = CONNECTION_PATH.exec(call.path);
    // Not the management API: AWS answers a WebSocket API's invoke URL with 403 to plain HTTP.
    if (!m || !['POST', 'GET', 'DELETE'].includes(method)) return error(403, 'ForbiddenException', 'Forbidden', rid);
    let identity;
    try {
      identity = call.verify();
    } catch (e) {
      return error(403, 'ForbiddenException', (e as Error).message || 'Forbidden', rid);
    }
    if (identity.service !== 'execute-api' || identity.accountId !== api.accountId) return error(403, 'ForbiddenException', 'Forbidden', rid);
    let connectionId: string;
    try {
      connectionId = decodeURIComponent(m[2]!);
    } catch {
      return error(400, 'BadRequestException', 'Invalid connection id', rid);
    }
    const live = deps.connections.get(connectionId);
    // A connection of another API (or another account's) is not the caller's to name.
    if (live && live.apiId !== api.id) return error(403, 'ForbiddenException', 'Forbidden', rid);
    if (!live) return error(410, 'GoneException', undefined, rid);
    switch (method) {
      case 'POST': {
        if (req.body.length > MAX_POST_BYTES) return error(413, 'PayloadTooLargeException', `Message payload size exceeds the limit of ${MAX_POST_BYTES} bytes`, rid);
        // Acknowledged delivery: durable in the client's mailbox before the answer.
        if (live.clientId !== undefined) return deps.delivery.postToConnection(live, req.body, rid);
        // (node:buffer's isUtf8: a fatal TextDecoder per post was a visible share of a broadcast's CPU.)
        const text = isUtf8(req.body) ? req.body.toString('utf8') : undefined;
        const sent = await deps.connections.send(connectionId, text ?? req.body);
        if (sent === 'gone') return error(410, 'GoneException', undefined, rid);
        return { status: 200, headers: { 'x-amzn-requestid': rid }, body: '' };
      }
      case 'GET':
        return {
          status: 200,
          headers: { 'content-type': 'application/json', 'x-amzn-requestid': rid },
          body: JSON.stringify({ connectedAt: new Date(live.connectedAt).toISOString(), identity: live.identity, lastActiveAt: new Date(live.lastActiveAt).toISOString() }),
        };
      default:
        onDelete(connectionId);
        deps.connections.close(connectionId, 1001, 'Going away');
        return { status: 204, headers: { 'x-amzn-requestid': rid }, body: '' };
    }
  };
}
