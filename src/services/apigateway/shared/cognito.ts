/**
 * Cognito user pools as API Gateway's authorizers see them. Nimbus has no Cognito of its own:
 * what it can do honestly is what API Gateway itself does with a pool's token, which is to
 * verify it as a JWT against the pool's published keys. A pool's issuer is
 * `https://cognito-idp.{region}.amazonaws.com/{poolId}` and its keys are at
 * `{issuer}/.well-known/jwks.json` (AWS's documented URL); both come from the pool ARN of a REST
 * API's COGNITO_USER_POOLS authorizer, and an HTTP API's JWT authorizer names the issuer itself.
 *
 * `--cognito-endpoint` (NIMBUS_COGNITO_ENDPOINT) puts another endpoint in place of
 * `https://cognito-idp.{region}.amazonaws.com`, for a Cognito emulator on the machine
 * (cognito-local issues tokens whose `iss` is `{endpoint}/{poolId}` and serves the keys under
 * it): both the keys and the expected `iss` then come from there. Without it, tokens of a real
 * pool verify whenever AWS's endpoint is reachable.
 */
import type { JwtConfig } from './jwt.js';

const POOL_ARN = /^arn:aws[a-z-]*:cognito-idp:([a-z0-9-]+):(\d{12}):userpool\/([\w-]+_[0-9a-zA-Z]+)$/;
const AWS_ISSUER = /^https:\/\/cognito-idp\.([a-z0-9-]+)\.amazonaws\.com\/([\w-]+_[0-9a-zA-Z]+)$/;

export class CognitoPools {
  constructor(private readonly endpoint?: string) {}

  /** The JWT check for a REST API's COGNITO_USER_POOLS authorizer naming `poolArn`, or undefined for an ARN that names no pool. */
  forPoolArn(poolArn: string): JwtConfig | undefined {
    const m = POOL_ARN.exec(poolArn);
    if (!m) return undefined;
    // A pool authorizer accepts any app client of the pool: no audience is checked.
    return { ...this.place(m[1]!, m[3]!), audience: null };
  }

  /** An HTTP API JWT authorizer's configuration, with a Cognito issuer moved to the configured endpoint. */
  forJwtAuthorizer(config: JwtConfig): JwtConfig {
    const m = AWS_ISSUER.exec(config.issuer);
    return m ? { ...config, ...this.place(m[1]!, m[2]!) } : config;
  }

  private place(region: string, poolId: string): { issuer: string; jwksUri: string } {
    const base = this.endpoint ? this.endpoint.replace(/\/+$/, '') : `https://cognito-idp.${region}.amazonaws.com`;
    const issuer = `${base}/${poolId}`;
    return { issuer, jwksUri: `${issuer}/.well-known/jwks.json` };
  }
}

/**
 * A Cognito token's claims as a REST API hands them on (`requestContext.authorizer.claims`,
 * `$context.authorizer.claims.*`): every value a string, `exp` and `iat` written as dates
 * (`Mon Dec 07 21:46:55 UTC 2026`), lists joined with commas.
 */
export function restApiClaims(claims: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(claims)) {
    if ((k === 'exp' || k === 'iat') && typeof v === 'number') out[k] = javaDate(v * 1000);
    else if (Array.isArray(v)) out[k] = v.map(String).join(',');
    else if (v !== null && typeof v === 'object') out[k] = JSON.stringify(v);
    else out[k] = String(v);
  }
  return out;
}

function javaDate(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}
