/**
 * API Gateway v2 HTTP APIs (`/v2/apis/...`): the control plane's operations and the data plane
 * that serves their invoke URLs.
 */
import type { ApiKind, GatewayDeps } from '../deps.js';
import { notFound } from '../execute-api.js';

export function httpApis(_deps: GatewayDeps): ApiKind {
  return {
    operations: {},
    dataPlane: { kinds: ['httpApi'], handle: async () => notFound() },
  };
}
