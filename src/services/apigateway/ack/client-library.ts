/**
 * Serves the acknowledged-delivery client library (`client/nimbus-ws.mjs`, shipped in the
 * package) at `GET /_nimbus/client/nimbus-ws.mjs` (and its types at `nimbus-ws.d.mts`), so a
 * browser page can `import` it from Nimbus; CORS-open, as a page of another origin (a
 * bucket's website) imports it as a module script.
 */
import { readFileSync } from 'node:fs';
import { sourceFile } from '../../../lib/source-root.js';
import type { ApiRequest, ApiResponse } from '../../../server/api.js';

export const CLIENT_PATH = '/_nimbus/client/';

const FILES: Record<string, string> = {
  'nimbus-ws.mjs': 'text/javascript; charset=utf-8',
  'nimbus-ws.d.mts': 'text/plain; charset=utf-8',
};
const cache = new Map<string, Buffer>();

export function serveClientLibrary(req: ApiRequest): Promise<ApiResponse> {
  const name = req.path.slice(CLIENT_PATH.length);
  const type = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
  if (!type) return Promise.resolve({ status: 404, headers: { 'content-type': 'application/json' }, body: '{"message":"Not Found"}' });
  if (req.method !== 'GET' && req.method !== 'HEAD') return Promise.resolve({ status: 405, headers: { allow: 'GET, HEAD' }, body: '' });
  let body = cache.get(name);
  // The package root is two levels above the compiled src/ (dist/src/ in both builds).
  if (!body) cache.set(name, (body = readFileSync(sourceFile(`../../client/${name}`))));
  return Promise.resolve({
    status: 200,
    headers: { 'content-type': type, 'content-length': String(body.length), 'access-control-allow-origin': '*', 'cache-control': 'no-cache' },
    body,
  });
}
