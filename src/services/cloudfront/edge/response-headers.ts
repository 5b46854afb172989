/**
 * A response headers policy applied to an answer on its way to the viewer, as CloudFront
 * documents it: CORS headers for a request with an allowed `Origin` (preflight headers on
 * OPTIONS), the security headers, custom headers, and headers removed. With `Override` false
 * (`OriginOverride` for CORS) a header the origin sent is kept.
 */
import type { ResponseHeadersPolicyConfig } from '../model.js';

export function applyResponseHeadersPolicy(policy: ResponseHeadersPolicyConfig, method: string, requestOrigin: string | undefined, headers: Record<string, string>): void {
  const set = (name: string, value: string, override: boolean) => {
    if (override || headers[name] === undefined) headers[name] = value;
  };
  const cors = policy.CorsConfig;
  if (cors && requestOrigin) {
    const origins = cors.AccessControlAllowOrigins.Items ?? [];
    const any = origins.includes('*');
    if (any || origins.some((o) => originMatches(o, requestOrigin))) {
      const o = cors.OriginOverride;
      set('access-control-allow-origin', any && !cors.AccessControlAllowCredentials ? '*' : requestOrigin, o);
      if (cors.AccessControlAllowCredentials) set('access-control-allow-credentials', 'true', o);
      const expose = cors.AccessControlExposeHeaders?.Items ?? [];
      if (expose.length) set('access-control-expose-headers', expose.join(','), o);
      if (method === 'OPTIONS') {
        set('access-control-allow-methods', (cors.AccessControlAllowMethods.Items ?? []).join(','), o);
        set('access-control-allow-headers', (cors.AccessControlAllowHeaders.Items ?? []).join(','), o);
        if (cors.AccessControlMaxAgeSec !== undefined) set('access-control-max-age', String(cors.AccessControlMaxAgeSec), o);
      }
      if (!any) headers.vary = headers.vary ? (/\borigin\b/i.test(headers.vary) ? headers.vary : `${headers.vary}, Origin`) : 'Origin';
    }
  }
  const sec = policy.SecurityHeadersConfig;
  if (sec) {
    const x = sec.XSSProtection;
    if (x) set('x-xss-protection', x.Protection ? `1${x.ModeBlock ? '; mode=block' : ''}${x.ReportUri && !x.ModeBlock ? `; report=${x.ReportUri}` : ''}` : '0', x.Override);
    if (sec.FrameOptions) set('x-frame-options', sec.FrameOptions.FrameOption, sec.FrameOptions.Override);
    if (sec.ReferrerPolicy) set('referrer-policy', sec.ReferrerPolicy.ReferrerPolicy, sec.ReferrerPolicy.Override);
    if (sec.ContentSecurityPolicy) set('content-security-policy', sec.ContentSecurityPolicy.ContentSecurityPolicy, sec.ContentSecurityPolicy.Override);
    if (sec.ContentTypeOptions) set('x-content-type-options', 'nosniff', sec.ContentTypeOptions.Override);
    const sts = sec.StrictTransportSecurity;
    if (sts) set('strict-transport-security', `max-age=${sts.AccessControlMaxAgeSec}${sts.IncludeSubdomains ? '; includeSubDomains' : ''}${sts.Preload ? '; preload' : ''}`, sts.Override);
  }
  for (const h of policy.CustomHeadersConfig?.Items ?? []) set(h.Header.toLowerCase(), h.Value, h.Override);
  for (const h of policy.RemoveHeadersConfig?.Items ?? []) delete headers[h.Header.toLowerCase()];
}

/** An allowed origin, which may hold one `*` (`https://*.example.com`). */
function originMatches(pattern: string, origin: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0) return pattern.toLowerCase() === origin.toLowerCase();
  const pre = pattern.slice(0, star).toLowerCase();
  const post = pattern.slice(star + 1).toLowerCase();
  const o = origin.toLowerCase();
  return o.length >= pre.length + post.length && o.startsWith(pre) && o.endsWith(post);
}
