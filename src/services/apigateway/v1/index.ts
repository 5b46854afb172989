/**
 * API Gateway v1 REST APIs (`/restapis/...`, API keys, usage plans): the control plane's
 * operations and the data plane that serves their invoke URLs.
 */
import type { ApiKind, GatewayDeps } from '../deps.js';
import { notFound } from '../execute-api.js';

export function restApis(_deps: GatewayDeps): ApiKind {
  return {
    operations: {},
    dataPlane: { kinds: ['restApi'], handle: async () => notFound() },
  };
}
