/**
 * Invoke URLs: `{apiId}.execute-api.localhost` (also with a region, and AWS's own
 * `{apiId}.execute-api.{region}.amazonaws.com`, which CDN origins and templates written for AWS
 * name) and the path-style form `/_nimbus/execute-api/{apiId}/...` for clients that cannot
 * resolve `*.localhost`. The endpoint finds the API by id, whatever its account (an invoke URL
 * is public; the API's own authorization decides), and hands the request to its kind's data
 * plane.
 */
import type { SigV4Identity } from '../../protocols/sigv4.js';
import type { ApiRequest, ApiResponse, UpgradeRequest } from '../../server/api.js';
import type { EndpointMatch, HostRoute } from '../service.js';
import type { DataPlane, GatewayDeps } from './deps.js';
import { isApiId } from './ids.js';
import type { WsPlane } from './ws/plane/index.js';
import type { StoredDocument } from './repo.js';

export const PATH_STYLE_PREFIX = '/_nimbus/execute-api';

/** API Gateway's answer for a host or path no API serves. */
export const notFound = (): ApiResponse => ({
  status: 404,
  headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'NotFoundException' },
  body: '{"message":"Not Found"}',
});

/** API Gateway's payload quota (10 MB), answered past it as 413 (wording unconfirmed). */
const PAYLOAD_LIMIT = {
  bytes: 10 * 1024 * 1024,
  tooLarge: (): ApiResponse => ({ status: 413, headers: { 'content-type': 'application/json' }, body: '{"message":"Request Entity Too Large"}' }),
};

/**
 * `domainOf` names the host a handler sees as `requestContext.domainName` (HTTP, REST and
 * WebSocket APIs alike): the invoke host, with the TLS listener's port when there is one, so
 * `https://${domainName}/...` from a function reaches Nimbus (see ws/domain.ts).
 */
export function executeApiHosts(deps: GatewayDeps, planes: readonly DataPlane[], ws: WsPlane, domainOf: (apiId: string, req: UpgradeRequest) => string): HostRoute[] {
  const byKind = new Map<string, DataPlane>();
  for (const p of planes) for (const k of p.kinds) byKind.set(k, p);
  const find = (apiId: string): { api: StoredDocument; plane: DataPlane } | undefined => {
    if (!isApiId(apiId)) return undefined;
    for (const [kind, plane] of byKind) {
      const api = deps.documents.byId(kind, apiId);
      if (api) return { api, plane };
    }
    return undefined;
  };
  const http = (req: ApiRequest, match: EndpointMatch, verify: () => SigV4Identity): Promise<ApiResponse> => {
    const apiId = match.labels.apiId!.toLowerCase();
    const found = find(apiId);
    if (!found) return Promise.resolve(notFound());
    const domainName = domainOf(apiId, req);
    // A WebSocket API answers plain HTTP only on its @connections management API.
    if ((found.api as { protocolType?: string }).protocolType === 'WEBSOCKET') return ws.http(req, found.api, { path: match.path || '/', domainName, verify });
    return found.plane.handle(req, found.api, { path: match.path || '/', domainName, verify });
  };
  const websocket = ws.endpoint;
  return [
    { host: '{apiId}.execute-api.localhost', pathStyle: `${PATH_STYLE_PREFIX}/{apiId}`, http, maxBody: PAYLOAD_LIMIT, websocket },
    { host: '{apiId}.execute-api.{region}.localhost', http, maxBody: PAYLOAD_LIMIT, websocket },
    { host: '{apiId}.execute-api.{region}.amazonaws.com', http, maxBody: PAYLOAD_LIMIT, websocket },
  ];
}
