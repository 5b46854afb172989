/**
 * The host a WebSocket API's functions see as `requestContext.domainName`. On AWS it is the
 * API's own host, and handlers build their management client from it as
 * `https://${domainName}/${stage}`. Nimbus gives `{apiId}.execute-api.localhost:<tls port>`
 * (the host the client connected to, with the port of Nimbus's TLS listener) so that very URL
 * reaches the @connections API from a function environment: the runtime resolves `*.localhost`
 * to loopback (RFC 6761) and trusts Nimbus's local CA (NODE_EXTRA_CA_CERTS, AWS_CA_BUNDLE).
 * Without a TLS listener it is the bare host, as before.
 */
import type { UpgradeRequest } from '../../../server/api.js';

export function callbackDomain(tls: () => { endpoint: string } | undefined) {
  // The TLS endpoint's port, parsed once per endpoint (it is asked on every request).
  let seen: string | undefined;
  let seenPort = '';
  return (apiId: string, req: UpgradeRequest): string => {
    const host = String(req.headers.host ?? '');
    const name = /\.execute-api\./i.test(host) ? host.replace(/:\d+$/, '').toLowerCase() : `${apiId}.execute-api.localhost`;
    const t = tls();
    if (t && t.endpoint !== seen) (seen = t.endpoint), (seenPort = new URL(t.endpoint).port);
    const port = t ? seenPort : '';
    return port && name.endsWith('.localhost') ? `${name}:${port}` : name;
  };
}
