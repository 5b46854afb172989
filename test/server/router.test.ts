/**
 * The router's choice of service: by X-Amz-Target prefix, then by signing name; where several
 * restJson services share a signing name (API Gateway's v1 and v2), by their path prefixes,
 * whatever the order they registered in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AwsError } from '../../src/protocols/errors.js';
import { Router } from '../../src/server/router.js';
import type { ServicePlugin } from '../../src/services/service.js';

const plugin = (name: string, pathPrefix?: string): ServicePlugin => ({
  name,
  signingName: 'apigateway',
  restJson: { malformedBody: () => new AwsError('BadRequestException', 'bad'), ...(pathPrefix !== undefined ? { pathPrefix } : {}) },
  operations: {},
  validationError: () => new AwsError('BadRequestException', 'bad'),
});

const signed = (path: string) => ({
  method: 'GET',
  path,
  query: '',
  headers: { authorization: 'AWS4-HMAC-SHA256 Credential=test/20261207/us-east-1/apigateway/aws4_request, SignedHeaders=host, Signature=00' },
  requestId: 'r',
});

test('services sharing a signing name are told apart by their restJson path prefixes, in either registration order', () => {
  const v1 = plugin('apigateway');
  const v2 = plugin('apigatewayv2', '/v2/');
  for (const services of [
    [v1, v2],
    [v2, v1],
  ]) {
    const router = new Router(services);
    assert.equal(router.route(signed('/v2/apis'))?.service.name, 'apigatewayv2');
    assert.equal(router.route(signed('/v2/tags/arn%3Aaws'))?.service.name, 'apigatewayv2');
    assert.equal(router.route(signed('/restapis'))?.service.name, 'apigateway');
    assert.equal(router.route(signed('/v2'))?.service.name, 'apigateway', 'a prefix matches whole segments as written');
    assert.equal(router.route(signed('/tags/arn'))?.service.name, 'apigateway');
  }
});
