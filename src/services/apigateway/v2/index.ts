/**
 * API Gateway v2 HTTP APIs (`/v2/apis/...`): the control plane's operations and the data plane
 * that serves their invoke URLs, with the shared data-plane modules (JWT verification,
 * throttling, the authorizer cache, access logs, trace headers) wired in through `Seams`.
 */
import type { Operation } from '../../service.js';
import type { ApiKind, GatewayDeps } from '../deps.js';
import { AccessLogs, formatAccessLog } from '../shared/access-log.js';
import { AuthorizerCache, authorizerPolicyDecision } from '../shared/authorizer-cache.js';
import { guardedFetch } from '../../../lib/outbound.js';
import { JwtVerifier } from '../shared/jwt.js';
import { ACCOUNT_DEFAULT_LIMIT, TokenBuckets } from '../shared/throttle.js';
import { traceHeader } from '../shared/trace.js';
import { apiOperations } from './control/apis.js';
import { authorizerOperations } from './control/authorizers.js';
import { importExportOperations } from './control/import-export.js';
import { integrationOperations } from './control/integrations.js';
import { routeOperations } from './control/routes.js';
import { stageOperations } from './control/stages.js';
import { tagOperations } from './control/tags.js';
import { httpApiPlane } from './plane/index.js';
import type { Seams } from './plane/seams.js';

export function httpApis(deps: GatewayDeps): ApiKind {
  return {
    operations: apartFromV1({
      ...apiOperations(deps),
      ...routeOperations(deps),
      ...integrationOperations(deps),
      ...stageOperations(deps),
      ...authorizerOperations(deps),
      ...tagOperations(deps),
      ...importExportOperations(deps),
    }),
    dataPlane: httpApiPlane(deps, sharedSeams(deps)),
  };
}

/**
 * AWS's two control planes share these operation names (apigateway's GetStage is
 * /restapis/{id}/stages/{name}, apigatewayv2's is /v2/apis/{id}/stages/{name}). The plugin keys
 * its operations by name, so without this v1's, merged in after, replaced v2's and their URIs
 * answered UnknownOperationException. The router matches rest-json by URI, so v2's keep their
 * routes under a `v2:` key; the name is otherwise only a label (logs, RequestContext.operation).
 */
const SHARED_WITH_V1 = new Set([
  'CreateAuthorizer', 'GetAuthorizer', 'GetAuthorizers', 'UpdateAuthorizer', 'DeleteAuthorizer',
  'CreateDeployment', 'GetDeployment', 'GetDeployments', 'UpdateDeployment', 'DeleteDeployment',
  'GetIntegration', 'UpdateIntegration', 'DeleteIntegration', 'CreateStage', 'GetStage', 'GetStages', 'UpdateStage', 'DeleteStage',
  'GetTags', 'TagResource', 'UntagResource',
]);

function apartFromV1(operations: Record<string, Operation>): Record<string, Operation> {
  return Object.fromEntries(Object.entries(operations).map(([name, op]) => [SHARED_WITH_V1.has(name) ? `v2:${name}` : name, op]));
}

function sharedSeams(deps: GatewayDeps): Seams {
  // The issuer is the user's URL: its discovery document and keys are fetched through the outbound guard.
  const jwt = new JwtVerifier({ clock: deps.clock, log: deps.log, fetch: guardedFetch(deps.outbound) });
  const buckets = new TokenBuckets(deps.clock);
  const cache = new AuthorizerCache<unknown>(deps.clock);
  const logs = new AccessLogs(deps.internal, deps.log, { clock: deps.clock });
  return {
    verifyJwt: (token, config) => jwt.verify(token, config),
    take: (key, limit) => buckets.take(key, limit),
    accountLimit: ACCOUNT_DEFAULT_LIMIT,
    authorizerCache: cache,
    policyDecision: authorizerPolicyDecision,
    accessLog: (target, format, context) => logs.write(target, formatAccessLog(format, context)),
    traceHeader: (incoming, nowMs) => traceHeader(incoming, nowMs, deps.ids),
  };
}
