/**
 * API Gateway (signing name `apigateway`, restJson1): the v1 control plane (REST APIs, API
 * keys, usage plans: `/restapis`, `/apikeys`, `/usageplans`) and the v2 one (HTTP APIs:
 * `/v2/apis`) answer on the API host, told apart by their URIs; every API is served on its
 * invoke URL by the execute-api endpoint (see execute-api.ts).
 */
import type { ServiceEnv, ServicePlugin } from '../service.js';
import type { GatewayDeps } from './deps.js';
import { Documents } from './engine/documents.js';
import { apigatewayValidationError, BadRequestException } from './errors.js';
import { executeApiHosts } from './execute-api.js';
import { sqliteApiGatewayRepo } from './repo.sqlite.js';
import { restApis } from './v1/index.js';
import { httpApis } from './v2/index.js';

export async function apigatewayService(env: ServiceEnv): Promise<ServicePlugin> {
  const repo = await env.store.repo({ sqlite: sqliteApiGatewayRepo });
  const documents = new Documents(repo, env.store);
  await env.store.caches.register('apigateway.documents', () => documents.reload());
  const deps: GatewayDeps = { documents, repo, store: env.store, clock: env.clock, ids: env.ids, log: env.log, region: env.region, internal: env.internal, endpoint: env.endpoint, outbound: env.outbound };
  const kinds = [httpApis(deps), restApis(deps)];
  return {
    name: 'apigateway',
    signingName: 'apigateway',
    restJson: { malformedBody: () => new BadRequestException('Invalid Request Body') },
    operations: Object.assign({}, ...kinds.map((k) => k.operations)),
    hosts: executeApiHosts(
      deps,
      kinds.map((k) => k.dataPlane),
    ),
    validationError: (violations) => apigatewayValidationError(violations),
  };
}
