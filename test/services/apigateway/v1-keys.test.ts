import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanCommand,
  DeleteUsagePlanKeyCommand,
  GetApiKeyCommand,
  GetApiKeysCommand,
  GetUsageCommand,
  GetUsagePlanKeysCommand,
  GetUsagePlansCommand,
  PutMethodCommand,
  PutIntegrationCommand,
  PutMethodResponseCommand,
  PutIntegrationResponseCommand,
  CreateDeploymentCommand,
  CreateRestApiCommand,
  UpdateApiKeyCommand,
  UpdateUsageCommand,
  UpdateUsagePlanCommand,
} from '@aws-sdk/client-api-gateway';
import { invoke, startV1, type V1Nimbus } from './v1-helpers.js';

describe('API Gateway v1: API keys and usage plans', () => {
  let n: V1Nimbus;
  before(async () => (n = await startV1()));
  after(() => n.t.stop());

  /** A MOCK API whose `GET /` requires an API key, deployed to `prod`. */
  async function keyedApi(): Promise<string> {
    const api = await n.apigw.send(new CreateRestApiCommand({ name: 'keyed' }));
    const base = { restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'GET' };
    await n.apigw.send(new PutMethodCommand({ ...base, authorizationType: 'NONE', apiKeyRequired: true }));
    await n.apigw.send(new PutIntegrationCommand({ ...base, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await n.apigw.send(new PutMethodResponseCommand({ ...base, statusCode: '200' }));
    await n.apigw.send(new PutIntegrationResponseCommand({ ...base, statusCode: '200', responseTemplates: { 'application/json': '{"ok": true}' } }));
    await n.apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'prod' }));
    return api.id!;
  }

  it('manages API keys: values shown only when asked for, patched, deleted', async () => {
    const k = await n.apigw.send(new CreateApiKeyCommand({ name: 'alpha', enabled: true, customerId: 'c1' }));
    assert.match(k.id!, /^[a-z0-9]{10}$/);
    assert.ok(k.value && k.value.length >= 20);
    assert.equal(k.enabled, true);
    assert.equal((await n.apigw.send(new GetApiKeyCommand({ apiKey: k.id }))).value, undefined);
    assert.equal((await n.apigw.send(new GetApiKeyCommand({ apiKey: k.id, includeValue: true }))).value, k.value);
    const listed = await n.apigw.send(new GetApiKeysCommand({ includeValues: true, nameQuery: 'alp' }));
    assert.deepEqual(
      listed.items?.map((i) => [i.id, i.value]),
      [[k.id, k.value]],
    );
    const off = await n.apigw.send(new UpdateApiKeyCommand({ apiKey: k.id, patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }, { op: 'replace', path: '/description', value: 'd' }] }));
    assert.equal(off.enabled, false);
    assert.equal(off.description, 'd');
    assert.equal((await n.apigw.send(new CreateApiKeyCommand({ name: 'disabled' }))).enabled, false);
    await assert.rejects(n.apigw.send(new CreateApiKeyCommand({ name: 'short', value: 'too-short' })), { name: 'BadRequestException', message: 'API Key value should be at least 20 characters' });
    await assert.rejects(n.apigw.send(new CreateApiKeyCommand({ name: 'dup', value: k.value })), { name: 'ConflictException' });
    await n.apigw.send(new DeleteApiKeyCommand({ apiKey: k.id }));
    await assert.rejects(n.apigw.send(new GetApiKeyCommand({ apiKey: k.id })), { name: 'NotFoundException', message: 'Invalid API Key identifier specified' });
  });

  it('refuses a keyed method without a valid key in a plan for the stage (403 Forbidden), counts usage and enforces the quota per period', async () => {
    const apiId = await keyedApi();
    const key = await n.apigw.send(new CreateApiKeyCommand({ name: 'client', enabled: true, value: 'client-key-0123456789abcdef' }));
    const headers = { 'x-api-key': key.value! };

    const noKey = await invoke(n.t, apiId, '/prod/');
    assert.equal(noKey.status, 403);
    assert.deepEqual(noKey.json(), { message: 'Forbidden' });
    // A valid key that is in no usage plan for this stage is refused too.
    assert.equal((await invoke(n.t, apiId, '/prod/', { headers })).status, 403);

    await assert.rejects(n.apigw.send(new CreateUsagePlanCommand({ name: 'bad', apiStages: [{ apiId, stage: 'nostage' }] })), { name: 'BadRequestException' });
    const plan = await n.apigw.send(new CreateUsagePlanCommand({ name: 'basic', apiStages: [{ apiId, stage: 'prod' }], quota: { limit: 2, period: 'DAY' }, throttle: { rateLimit: 100, burstLimit: 50 } }));
    assert.deepEqual(plan.quota, { limit: 2, period: 'DAY' });
    assert.deepEqual(plan.throttle, { rateLimit: 100, burstLimit: 50 });
    await n.apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }));
    await assert.rejects(n.apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' })), { name: 'ConflictException' });
    assert.deepEqual(
      (await n.apigw.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id }))).items?.map((i) => [i.id, i.type, i.value]),
      [[key.id, 'API_KEY', key.value]],
    );
    assert.deepEqual(
      (await n.apigw.send(new GetUsagePlansCommand({ keyId: key.id }))).items?.map((p) => p.id),
      [plan.id],
    );

    assert.equal((await invoke(n.t, apiId, '/prod/', { headers: { 'x-api-key': 'not-a-key-at-all-0000000' } })).status, 403);
    const first = await invoke(n.t, apiId, '/prod/', { headers });
    assert.equal(first.status, 200);
    assert.deepEqual(first.json(), { ok: true });
    assert.equal((await invoke(n.t, apiId, '/prod/', { headers })).status, 200);
    const over = await invoke(n.t, apiId, '/prod/', { headers });
    assert.equal(over.status, 429);
    assert.deepEqual(over.json(), { message: 'Limit Exceeded' });
    assert.equal(over.headers.get('x-amzn-errortype'), 'LimitExceededException');

    const today = new Date(n.t.clock.now()).toISOString().slice(0, 10);
    const usage = await n.apigw.send(new GetUsageCommand({ usagePlanId: plan.id, startDate: today, endDate: today }));
    assert.deepEqual(usage.items?.[key.id!], [[2, 0]]);
    // UpdateUsage gives the key some of its quota back for this period.
    const granted = await n.apigw.send(new UpdateUsageCommand({ usagePlanId: plan.id, keyId: key.id, patchOperations: [{ op: 'replace', path: '/remaining', value: '1' }] }));
    assert.deepEqual(granted.items?.[key.id!], [[1, 1]]);
    assert.equal((await invoke(n.t, apiId, '/prod/', { headers })).status, 200);
    assert.equal((await invoke(n.t, apiId, '/prod/', { headers })).status, 429);
    await assert.rejects(n.apigw.send(new UpdateUsageCommand({ usagePlanId: plan.id, keyId: key.id, patchOperations: [{ op: 'add', path: '/remaining', value: '1' }] })), { name: 'BadRequestException' });

    // The next day is a new period.
    n.t.clock.advance(24 * 3600 * 1000);
    // Signatures are checked against Nimbus's clock: the client signs a day ahead too.
    n.apigw.config.systemClockOffset = 24 * 3600 * 1000;
    assert.equal((await invoke(n.t, apiId, '/prod/', { headers })).status, 200);

    // A raised quota takes effect at once; a disabled key is refused.
    await n.apigw.send(new UpdateUsagePlanCommand({ usagePlanId: plan.id, patchOperations: [{ op: 'replace', path: '/quota/limit', value: '10' }] }));
    assert.equal((await invoke(n.t, apiId, '/prod/', { headers })).status, 200);
    await n.apigw.send(new UpdateApiKeyCommand({ apiKey: key.id, patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] }));
    assert.equal((await invoke(n.t, apiId, '/prod/', { headers })).status, 403);
    await n.apigw.send(new UpdateApiKeyCommand({ apiKey: key.id, patchOperations: [{ op: 'replace', path: '/enabled', value: 'true' }] }));

    // Without the key in the plan, or without the stage in the plan, the key no longer opens the method.
    await n.apigw.send(new DeleteUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id }));
    assert.equal((await invoke(n.t, apiId, '/prod/', { headers })).status, 403);
    await n.apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }));
    await n.apigw.send(new UpdateUsagePlanCommand({ usagePlanId: plan.id, patchOperations: [{ op: 'remove', path: '/apiStages', value: `${apiId}:prod` }] }));
    assert.equal((await invoke(n.t, apiId, '/prod/', { headers })).status, 403);

    await n.apigw.send(new DeleteUsagePlanCommand({ usagePlanId: plan.id }));
    await assert.rejects(n.apigw.send(new GetUsageCommand({ usagePlanId: plan.id, startDate: today, endDate: today })), { name: 'NotFoundException', message: 'Invalid Usage Plan ID specified' });
  });

  it('throttles a key by its usage plan (429 Too Many Requests), refilling on the clock', async () => {
    const apiId = await keyedApi();
    const key = await n.apigw.send(new CreateApiKeyCommand({ name: 'throttled', enabled: true }));
    const plan = await n.apigw.send(new CreateUsagePlanCommand({ name: 'tight', apiStages: [{ apiId, stage: 'prod' }], throttle: { rateLimit: 1, burstLimit: 2 } }));
    await n.apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }));
    const headers = { 'x-api-key': key.value! };
    assert.equal((await invoke(n.t, apiId, '/prod/', { headers })).status, 200);
    assert.equal((await invoke(n.t, apiId, '/prod/', { headers })).status, 200);
    const throttled = await invoke(n.t, apiId, '/prod/', { headers });
    assert.equal(throttled.status, 429);
    assert.deepEqual(throttled.json(), { message: 'Too Many Requests' });
    assert.equal(throttled.headers.get('x-amzn-errortype'), 'TooManyRequestsException');
    n.t.clock.advance(1000);
    assert.equal((await invoke(n.t, apiId, '/prod/', { headers })).status, 200);
  });

  it('validates usage plans: quota periods and offsets', async () => {
    await assert.rejects(n.apigw.send(new CreateUsagePlanCommand({ name: 'p', quota: { limit: 1, period: 'YEAR' as never } })), { name: 'BadRequestException' });
    await assert.rejects(n.apigw.send(new CreateUsagePlanCommand({ name: 'p', quota: { limit: 1, period: 'WEEK', offset: 7 } })), { name: 'BadRequestException' });
    const p = await n.apigw.send(new CreateUsagePlanCommand({ name: 'p', quota: { limit: 1, period: 'WEEK', offset: 1 } }));
    assert.deepEqual(p.quota, { limit: 1, period: 'WEEK', offset: 1 });
  });
});
