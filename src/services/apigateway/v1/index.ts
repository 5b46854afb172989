/**
 * API Gateway v1 REST APIs (`/restapis/...`, API keys, usage plans): the control plane's
 * operations and the data plane that serves their invoke URLs.
 */
import type { ApiKind, GatewayDeps } from '../deps.js';
import { authorizerOperations } from './control/authorizers.js';
import { deploymentOperations } from './control/deployments.js';
import { integrationOperations } from './control/integrations.js';
import { apiKeyOperations } from './control/keys.js';
import { modelOperations } from './control/models.js';
import { openApiOperations } from './control/openapi.js';
import { resourceOperations } from './control/resources.js';
import { restApiOperations } from './control/rest-apis.js';
import { usagePlanOperations } from './control/usage-plans.js';
import { validatorOperations } from './control/validators.js';
import { RestDataPlane } from './data/plane.js';

export function restApis(deps: GatewayDeps): ApiKind {
  return {
    operations: {
      ...restApiOperations(deps),
      ...resourceOperations(deps),
      ...integrationOperations(deps),
      ...deploymentOperations(deps),
      ...authorizerOperations(deps),
      ...apiKeyOperations(deps),
      ...usagePlanOperations(deps),
      ...openApiOperations(deps),
      ...validatorOperations(deps),
      ...modelOperations(deps),
    },
    dataPlane: new RestDataPlane(deps),
  };
}
