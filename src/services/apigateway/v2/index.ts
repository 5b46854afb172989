/**
 * API Gateway v2 HTTP APIs (`/v2/apis/...`): the control plane's operations and the data plane
 * that serves their invoke URLs. The shared data-plane modules (JWT, throttling, authorizer
 * cache, access logs, tracing) plug in through `seams` (plane/seams.ts).
 */
import type { ApiKind, GatewayDeps } from '../deps.js';
import { apiOperations } from './control/apis.js';
import { authorizerOperations } from './control/authorizers.js';
import { integrationOperations } from './control/integrations.js';
import { routeOperations } from './control/routes.js';
import { stageOperations } from './control/stages.js';
import { tagOperations } from './control/tags.js';
import { httpApiPlane } from './plane/index.js';
import type { Seams } from './plane/seams.js';

export function httpApis(deps: GatewayDeps): ApiKind {
  const seams: Seams = {};
  return {
    operations: {
      ...apiOperations(deps),
      ...routeOperations(deps),
      ...integrationOperations(deps),
      ...stageOperations(deps),
      ...authorizerOperations(deps),
      ...tagOperations(deps),
    },
    dataPlane: httpApiPlane(deps, seams),
  };
}
