/**
 * API Gateway v2 HTTP APIs (`/v2/apis/...`): the control plane's operations and the data plane
 * that serves their invoke URLs, with the shared data-plane modules (JWT verification,
 * throttling, the authorizer cache, access logs, trace headers) wired in through `Seams`.
 */
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
import { modelOperations } from '../ws/control/models.js';
import { responseOperations } from '../ws/control/responses.js';
import type { Seams } from './plane/seams.js';

export function httpApis(deps: GatewayDeps): ApiKind {
  return {
    operations: {
      ...apiOperations(deps),
      ...routeOperations(deps),
      ...integrationOperations(deps),
      ...stageOperations(deps),
      ...authorizerOperations(deps),
      ...tagOperations(deps),
      ...importExportOperations(deps),
      ...responseOperations(deps),
      ...modelOperations(deps),
    },
    dataPlane: httpApiPlane(deps, sharedSeams(deps)),
  };
}

export function sharedSeams(deps: GatewayDeps): Seams {
  // The issuer is the user's URL: its discovery document and keys are fetched through the outbound guard.
  const jwt = new JwtVerifier({ clock: deps.clock, log: deps.log, fetch: guardedFetch(deps.outbound) });
  const buckets = new TokenBuckets(deps.clock);
  const cache = new AuthorizerCache<unknown>(deps.clock);
  const logs = new AccessLogs(deps.internal, deps.log, { clock: deps.clock });
  return {
    // A Cognito issuer's keys (and expected iss) come from --cognito-endpoint when one is set.
    verifyJwt: (token, config) => jwt.verify(token, deps.cognito.forJwtAuthorizer(config)),
    take: (key, limit) => buckets.take(key, limit),
    accountLimit: ACCOUNT_DEFAULT_LIMIT,
    authorizerCache: cache,
    policyDecision: authorizerPolicyDecision,
    accessLog: (target, format, context) => logs.write(target, formatAccessLog(format, context)),
    traceHeader: (incoming, nowMs) => traceHeader(incoming, nowMs, deps.ids),
  };
}
