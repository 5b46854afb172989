/**
 * COGNITO_USER_POOLS authorizers of REST APIs, as AWS documents them: the token in the
 * authorizer's identity source (the Authorization header by default) must be a JWT signed by one
 * of the authorizer's user pools (see shared/cognito.ts for where the keys come from), unexpired.
 * A method with authorization scopes takes an access token whose `scope` holds one of them; a
 * method without takes an ID token. Anything else is 401 Unauthorized. The token's claims reach
 * the integration as `requestContext.authorizer.claims` (`$context.authorizer.claims.sub`,
 * `cognito:groups` and all).
 */
import { guardedFetch } from '../../../../lib/outbound.js';
import type { GatewayDeps } from '../../deps.js';
import { restApiClaims } from '../../shared/cognito.js';
import { JwtRejected, JwtVerifier, type VerifiedJwt } from '../../shared/jwt.js';
import type { Authorizer } from '../model.js';
import { header, type Invocation } from './invocation.js';
import type { Denial } from './authorize.js';

const verifiers = new WeakMap<GatewayDeps, JwtVerifier>();

function verifierOf(deps: GatewayDeps): JwtVerifier {
  let v = verifiers.get(deps);
  if (!v) verifiers.set(deps, (v = new JwtVerifier({ clock: deps.clock, log: deps.log, fetch: guardedFetch(deps.outbound) })));
  return v;
}

export async function cognitoAuthorizer(deps: GatewayDeps, inv: Invocation, a: Authorizer): Promise<Denial | undefined> {
  const source = /^method\.request\.header\.(.+)$/.exec(a.identitySource ?? 'method.request.header.Authorization');
  const token = source ? header(inv.req, source[1]!.toLowerCase()) : undefined;
  if (!token) return { type: 'UNAUTHORIZED' };
  let verified: VerifiedJwt | undefined;
  for (const arn of a.providerARNs ?? []) {
    const config = deps.cognito.forPoolArn(arn);
    if (!config) continue;
    try {
      verified = await verifierOf(deps).verify(token, config);
      break;
    } catch (e) {
      if (!(e instanceof JwtRejected)) throw e;
      deps.log.debug(`API Gateway ${inv.api.id} authorizer ${a.id}: token refused for ${arn}: ${e.message}`);
    }
  }
  if (!verified) return { type: 'UNAUTHORIZED' };
  const scopes = inv.method.authorizationScopes ?? [];
  const use = verified.claims.token_use;
  if (scopes.length ? use !== 'access' || !verified.scopes.some((s) => scopes.includes(s)) : use !== 'id') return { type: 'UNAUTHORIZED' };
  inv.authorizer = { claims: restApiClaims(verified.claims) };
  return undefined;
}
