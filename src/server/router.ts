/**
 * Which service, and which wire protocol, a request is for. In order: the X-Amz-Target
 * prefix when it names a service, then the SigV4 signing name (Authorization header or
 * X-Amz-Credential query parameter). Later services add host patterns and path prefixes here.
 *
 * X-Amz-Target is read from the header or, when there is no such header, from an
 * `X-Amz-Target` query parameter (any case): @smithy/signature-v4's presign hoists x-amz-*
 * headers into the query string by default. Either way it is signed: the verifier refuses an
 * X-Amz-Target header left out of SignedHeaders, and the query string is always signed. The
 * route is not trusted for authentication: the dispatcher checks the signature's scope against
 * the routed service's signing name.
 */
import { isSigV2 } from '../protocols/sigv2.js';
import { isUnsigned, signingScope } from '../protocols/sigv4.js';
import type { EndpointMatch, ServicePlugin } from '../services/service.js';
import type { ApiRequest } from './api.js';

export type WireProtocol = 'json' | 'query' | 'rest-xml' | 'rest-json';

export interface Route {
  service: ServicePlugin;
  protocol: WireProtocol;
  /** The operation named by X-Amz-Target, for JSON requests. */
  target?: string;
}

export class Router {
  /** The services signing as each name, in registration order (several only for restJson path prefixes and X-Amz-Target prefixes). */
  private bySigningName = new Map<string, ServicePlugin[]>();
  private byTargetPrefix = new Map<string, ServicePlugin>();

  constructor(private readonly services: ServicePlugin[]) {
    for (const s of services) {
      const same = this.bySigningName.get(s.signingName);
      if (same) same.push(s);
      else this.bySigningName.set(s.signingName, [s]);
      if (s.json) this.byTargetPrefix.set(s.json.targetPrefix, s);
    }
  }

  /** Of the services signing as one name, the one whose restJson path prefix the path starts with (the longest), else the first without one. */
  private bySigning(name: string, path: string): ServicePlugin | undefined {
    const candidates = this.bySigningName.get(name);
    if (!candidates || candidates.length === 1) return candidates?.[0];
    let best: ServicePlugin | undefined;
    for (const s of candidates) {
      const prefix = s.restJson?.pathPrefix;
      if (prefix !== undefined && path.startsWith(prefix) && prefix.length > (best?.restJson?.pathPrefix?.length ?? -1)) best = s;
    }
    return best ?? candidates.find((s) => s.restJson?.pathPrefix === undefined) ?? candidates[0];
  }

  /** `endpoint`: the host router's match, when the request came on a service's API host (a virtual-hosted bucket). */
  route(req: Omit<ApiRequest, 'body'>, endpoint?: EndpointMatch): Route | undefined {
    const targetHeader = req.headers['x-amz-target'];
    const target = typeof targetHeader === 'string' ? targetHeader : targetHeader === undefined ? hoistedTarget(req.query) : undefined;
    const dot = target ? target.lastIndexOf('.') : -1;
    const prefix = target && dot > 0 ? target.slice(0, dot) : undefined;

    // A known X-Amz-Target prefix names the service outright: several services share a
    // signing name (DynamoDB and DynamoDB Streams both sign as `dynamodb`). The dispatcher
    // still refuses a signature scoped to another service.
    let service = prefix ? this.byTargetPrefix.get(prefix) : undefined;
    if (!service) {
      const scope = signingScope(req);
      if (scope) service = this.bySigning(scope.service, req.path);
    }
    // S3's Signature Version 2 names no service: only S3 takes it.
    if (!service && !target && isSigV2(req)) service = this.bySigning('s3', req.path);
    if (!service && !target && isUnsigned(req)) {
      // On a service's own host only that service may claim it.
      if (endpoint) service = endpoint.target.service.claimsUnsigned?.(req, endpoint) ? endpoint.target.service : undefined;
      else service = this.services.find((s) => s.claimsUnsigned?.(req));
    }
    if (!service) return undefined;

    if (service.restXml) return { service, protocol: 'rest-xml' };
    if (service.restJson) return { service, protocol: 'rest-json' };
    if (target && service.json && prefix === service.json.targetPrefix) {
      return { service, protocol: 'json', target: target.slice(dot + 1) };
    }
    if (service.query) return { service, protocol: 'query' };
    if (service.json) return { service, protocol: 'json', target: target?.slice(dot + 1) ?? '' };
    return undefined;
  }
}

const HOISTED_TARGET = /(?:^|&)x-amz-target=/i;

/** The value of an `X-Amz-Target` query parameter (name in any case), if there is exactly one. */
function hoistedTarget(query: string): string | undefined {
  if (typeof query !== 'string' || !HOISTED_TARGET.test(query)) return undefined;
  const values: string[] = [];
  for (const [k, v] of new URLSearchParams(query)) if (k.toLowerCase() === 'x-amz-target') values.push(v);
  return values.length === 1 ? values[0] : undefined;
}
