/**
 * The cross-account rows of acknowledged delivery (`POST /{stage}/@clients/{clientId}`, no
 * plugin operation, so not in COVERAGE): another account posting to the owner's client at the
 * owner's API is ForbiddenException (403), unsigned or signed for another service 403; the same
 * client id at the intruder's own API is another mailbox (the owner's client never sees it).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as v2 from '@aws-sdk/client-apigatewayv2';
import type { TestNimbus } from '../helpers/nimbus.js';
import { createWsApi, postToClient, quiet, RawClient, STAGE, wsUrl } from '../services/apigateway/ws-ack-helpers.js';
import { INTRUDER, OWNER, rawRequest, signedRequest, startMatrixNimbus } from './cross-account-helpers.js';

describe('cross-account: acknowledged delivery (@clients)', () => {
  let t: TestNimbus;
  let ownerApi: string;
  let intruderApi: string;
  let client: RawClient;
  before(async () => {
    t = await startMatrixNimbus();
    const c2 = (credentials: typeof OWNER) => new v2.ApiGatewayV2Client({ endpoint: t.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    ownerApi = await createWsApi(c2(OWNER));
    intruderApi = await createWsApi(c2(INTRUDER));
    client = await RawClient.connect(wsUrl(t.endpoint, ownerApi), 'alice');
  });
  after(async () => {
    client.drop();
    await t.stop();
  });

  test("POST /@clients/{clientId} at the owner's API by another account: ForbiddenException", async () => {
    const r = await postToClient(t.endpoint, ownerApi, 'alice', 'stolen', INTRUDER);
    assert.equal(r.status, 403);
    assert.equal(r.errorType, 'ForbiddenException');
  });

  test('unsigned, or signed for another service: 403', async () => {
    const path = `/_nimbus/execute-api/${ownerApi}/${STAGE}/@clients/alice`;
    assert.equal((await rawRequest(t.endpoint, { method: 'POST', path, body: 'x' })).status, 403);
    assert.equal((await signedRequest(t.endpoint, 'sqs', OWNER, { method: 'POST', path, body: 'x' })).status, 403);
  });

  test("the same client id at the intruder's own API is the intruder's mailbox; the owner's client gets only the owner's messages", async () => {
    const theirs = await postToClient(t.endpoint, intruderApi, 'alice', 'from the intruder', INTRUDER);
    assert.equal(theirs.status, 200, theirs.body);
    const ours = await postToClient(t.endpoint, ownerApi, 'alice', 'from the owner');
    assert.equal(ours.status, 200, ours.body);
    assert.equal(JSON.parse(ours.body).seq, 1);
    await client.until(() => client.seqs.length === 1);
    await quiet();
    assert.deepEqual(client.frames, [{ seq: 1, data: 'from the owner' }]);
  });
});
