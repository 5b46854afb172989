/**
 * CORS for buckets, as S3 evaluates it
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html): the first rule whose
 * AllowedOrigin (one `*` wildcard allowed), AllowedMethod and AllowedHeader patterns cover the
 * request decides; a preflight without a matching rule is refused, an actual request without
 * one simply gets no CORS headers.
 */
import { wildcard } from '../../../lib/policy.js';
import { s3Error } from '../errors.js';
import type { CorsRule } from '../repo.js';

export const CORS_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'];

export function matchRule(rules: CorsRule[] | undefined, origin: string, method: string, requestHeaders: string[]): CorsRule | undefined {
  return rules?.find(
    (r) =>
      r.AllowedOrigins.some((o) => wildcard(o, origin, false)) &&
      r.AllowedMethods.includes(method) &&
      requestHeaders.every((h) => (r.AllowedHeaders ?? []).some((a) => wildcard(a.toLowerCase(), h, true))),
  );
}

/** Headers S3 adds to an answer for a request from a CORS-allowed origin. */
export function corsHeaders(rule: CorsRule, origin: string): Record<string, string> {
  const any = rule.AllowedOrigins.includes('*');
  const h: Record<string, string> = {
    'access-control-allow-origin': any ? '*' : origin,
    'access-control-allow-methods': rule.AllowedMethods.join(', '),
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
  if (!any) h['access-control-allow-credentials'] = 'true';
  if (rule.ExposeHeaders?.length) h['access-control-expose-headers'] = rule.ExposeHeaders.join(', ');
  if (rule.MaxAgeSeconds !== undefined) h['access-control-max-age'] = String(rule.MaxAgeSeconds);
  return h;
}

/** The answer to an OPTIONS preflight. */
export function preflight(rules: CorsRule[] | undefined, headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const origin = one(headers.origin);
  if (origin === undefined) throw s3Error('BadRequest', 400, 'Insufficient information. Origin request header needed.');
  const method = one(headers['access-control-request-method']);
  if (method === undefined || !CORS_METHODS.includes(method)) {
    throw s3Error('BadRequest', 400, `Invalid Access-Control-Request-Method: ${method ?? 'null'}`);
  }
  const requested = (one(headers['access-control-request-headers']) ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const rule = matchRule(rules, origin, method, requested);
  if (!rule) {
    // S3's own wording, spelling included.
    throw s3Error(
      'AccessForbidden',
      403,
      'CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource\'s CORS spec.',
      { Method: method, ResourceType: 'OBJECT' },
    );
  }
  const out = corsHeaders(rule, origin);
  if (requested.length) out['access-control-allow-headers'] = requested.join(', ');
  return out;
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
