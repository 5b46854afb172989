import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateDeploymentCommand, CreateRestApiCommand, PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand } from '@aws-sdk/client-api-gateway';
import { invoke, startV1, type V1Nimbus } from './v1-helpers.js';

describe('API Gateway: the domainName handlers see reaches Nimbus', () => {
  let n: V1Nimbus;
  before(async () => (n = await startV1({ tlsPort: 0 })));
  after(() => n.t.stop());

  it('names the invoke host with the TLS listener port, for the path-style and the host-style invoke URL alike', async () => {
    const api = await n.apigw.send(new CreateRestApiCommand({ name: 'domain' }));
    const common = { restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'GET' };
    await n.apigw.send(new PutMethodCommand({ ...common, authorizationType: 'NONE' }));
    await n.apigw.send(new PutIntegrationCommand({ ...common, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await n.apigw.send(new PutMethodResponseCommand({ ...common, statusCode: '200' }));
    await n.apigw.send(new PutIntegrationResponseCommand({ ...common, statusCode: '200', responseTemplates: { 'application/json': '{"domain": "$context.domainName", "prefix": "$context.domainPrefix"}' } }));
    await n.apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'prod' }));
    const tlsPort = new URL(n.t.nimbus.tlsEndpoint!).port;
    assert.deepEqual((await invoke(n.t, api.id!, '/prod/')).json(), { domain: `${api.id}.execute-api.localhost:${tlsPort}`, prefix: api.id });
    // By Host header, the host as the client named it (its HTTP port replaced by the TLS one).
    const { request } = await import('node:http');
    const port = new URL(n.t.endpoint).port;
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/prod/', headers: { host: `${api.id}.execute-api.us-east-1.localhost:${port}` } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(JSON.parse(body).domain, `${api.id}.execute-api.us-east-1.localhost:${tlsPort}`);
  });
});
