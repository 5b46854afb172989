import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  FlushStageCacheCommand,
  GetStageCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { TEST_CREDENTIALS } from '../../helpers/nimbus.js';
import { invoke, startV1, type V1Nimbus } from './v1-helpers.js';

describe('API Gateway v1: stage caches', () => {
  let n: V1Nimbus;
  let backend: Server;
  let calls = 0;
  let apiId: string;

  before(async () => {
    n = await startV1();
    // Answers with how many requests it has had, so a cached answer shows as an old count.
    backend = createServer((req, res) => {
      calls++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ calls, url: req.url }));
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
    const api = await n.apigw.send(new CreateRestApiCommand({ name: 'cached' }));
    apiId = api.id!;
    const items = (await n.apigw.send(new CreateResourceCommand({ restApiId: apiId, parentId: api.rootResourceId, pathPart: 'items' }))).id!;
    for (const method of ['GET', 'POST']) {
      await n.apigw.send(new PutMethodCommand({ restApiId: apiId, resourceId: items, httpMethod: method, authorizationType: 'NONE', requestParameters: { 'method.request.querystring.q': false } }));
      await n.apigw.send(
        new PutIntegrationCommand({ restApiId: apiId, resourceId: items, httpMethod: method, type: 'HTTP_PROXY', integrationHttpMethod: method, uri: `${url}/items`, cacheKeyParameters: ['method.request.querystring.q'] }),
      );
    }
    await n.apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod', cacheClusterEnabled: true }));
    await n.apigw.send(
      new UpdateStageCommand({
        restApiId: apiId,
        stageName: 'prod',
        patchOperations: [
          { op: 'replace', path: '/*/*/caching/enabled', value: 'true' },
          { op: 'replace', path: '/*/*/caching/ttlInSeconds', value: '60' },
        ],
      }),
    );
  });
  after(async () => {
    backend.close();
    await n.t.stop();
  });

  const get = async (query: string, headers: Record<string, string> = {}) => {
    const res = await invoke(n.t, apiId, `/prod/items${query}`, { headers });
    return { status: res.status, calls: res.status === 200 ? (res.json() as { calls: number }).calls : -1, headers: res.headers, body: res.body };
  };

  it('reports the cache cluster and keeps GET answers per cache key for the TTL on the injected clock', async () => {
    const stage = await n.apigw.send(new GetStageCommand({ restApiId: apiId, stageName: 'prod' }));
    assert.equal(stage.cacheClusterEnabled, true);
    assert.equal(stage.cacheClusterStatus, 'AVAILABLE');
    assert.equal(stage.cacheClusterSize, '0.5');

    const first = await get('?q=a');
    assert.equal((await get('?q=a')).calls, first.calls, 'the second request is answered from the cache');
    assert.equal((await get('?q=a&other=1')).calls, first.calls, 'a query string that is not a cache key parameter does not split the cache');
    assert.equal((await get('?q=b')).calls, first.calls + 1, 'another value of a cache key parameter is its own entry');
    // POST is not cached by the stage-wide setting.
    const before = calls;
    await invoke(n.t, apiId, '/prod/items?q=a', { method: 'POST', body: '{}' });
    await invoke(n.t, apiId, '/prod/items?q=a', { method: 'POST', body: '{}' });
    assert.equal(calls, before + 2);

    n.t.clock.advance(59_000);
    assert.equal((await get('?q=a')).calls, first.calls);
    n.t.clock.advance(2_000);
    assert.equal((await get('?q=a')).calls, calls, 'after the TTL the backend is asked again');
  });

  it('Cache-Control: max-age=0 refreshes the entry only for a caller allowed to invalidate', async () => {
    const cached = (await get('?q=c')).calls;
    // Unsigned: the header is ignored, with a warning (the default strategy).
    const ignored = await get('?q=c', { 'cache-control': 'max-age=0' });
    assert.equal(ignored.calls, cached);
    assert.ok(ignored.headers.get('warning'));

    // Signed for execute-api by the API's own account: fetched afresh, and the entry replaced.
    const url = new URL(`${n.t.endpoint}/_nimbus/execute-api/${apiId}/prod/items`);
    const signer = new SignatureV4({ service: 'execute-api', region: 'us-east-1', credentials: TEST_CREDENTIALS, sha256: Sha256 });
    const signed = await signer.sign({ method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: { q: 'c' }, headers: { host: url.host, 'cache-control': 'max-age=0' } });
    const fresh = await fetch(`${url}?q=c`, { headers: signed.headers as Record<string, string> });
    const freshCalls = ((await fresh.json()) as { calls: number }).calls;
    assert.ok(freshCalls > cached);
    assert.equal((await get('?q=c')).calls, freshCalls, 'the fresh answer replaced the cached one');

    // FAIL_WITH_403 refuses an unauthorized invalidation.
    await n.apigw.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/*/*/caching/unauthorizedCacheControlHeaderStrategy', value: 'FAIL_WITH_403' }] }));
    const refused = await get('?q=c', { 'cache-control': 'max-age=0' });
    assert.equal(refused.status, 403);
    assert.match(refused.body, /not authorized to perform: execute-api:InvalidateCache/);
    // Without requireAuthorizationForCacheControl anyone may.
    await n.apigw.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/*/*/caching/requireAuthorizationForCacheControl', value: 'false' }] }));
    assert.ok((await get('?q=c', { 'cache-control': 'max-age=0' })).calls > freshCalls);
  });

  it('FlushStageCache empties the stage cache, and turning the cache off stops caching', async () => {
    const cached = (await get('?q=d')).calls;
    assert.equal((await get('?q=d')).calls, cached);
    await n.apigw.send(new FlushStageCacheCommand({ restApiId: apiId, stageName: 'prod' }));
    const after = (await get('?q=d')).calls;
    assert.ok(after > cached);
    await n.apigw.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/cacheClusterEnabled', value: 'false' }] }));
    assert.equal((await n.apigw.send(new GetStageCommand({ restApiId: apiId, stageName: 'prod' }))).cacheClusterStatus, 'NOT_AVAILABLE');
    const a = (await get('?q=d')).calls;
    assert.equal((await get('?q=d')).calls, a + 1);
  });
});
