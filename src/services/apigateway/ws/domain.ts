/**
 * The host a WebSocket API's functions see as `requestContext.domainName`: the host the client
 * connected to (`{apiId}.execute-api.localhost`), or that name when it connected path-style.
 */
import type { UpgradeRequest } from '../../../server/api.js';

export function callbackDomain(apiId: string, req: UpgradeRequest): string {
  const host = String(req.headers.host ?? '');
  return /\.execute-api\./i.test(host) ? host.replace(/:\d+$/, '').toLowerCase() : `${apiId}.execute-api.localhost`;
}
