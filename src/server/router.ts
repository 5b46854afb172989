/**
 * Which service, and which wire protocol, a request is for. In order: the SigV4 signing
 * name (Authorization header or X-Amz-Credential query parameter), then the X-Amz-Target
 * prefix. Later services add host patterns and path prefixes here.
 */
import { signingScope } from '../protocols/sigv4.js';
import type { ServicePlugin } from '../services/service.js';
import type { ApiRequest } from './api.js';

export type WireProtocol = 'json' | 'query';

export interface Route {
  service: ServicePlugin;
  protocol: WireProtocol;
  /** The operation named by X-Amz-Target, for JSON requests. */
  target?: string;
}

export class Router {
  private bySigningName = new Map<string, ServicePlugin>();
  private byTargetPrefix = new Map<string, ServicePlugin>();

  constructor(services: ServicePlugin[]) {
    for (const s of services) {
      this.bySigningName.set(s.signingName, s);
      if (s.json) this.byTargetPrefix.set(s.json.targetPrefix, s);
    }
  }

  route(req: ApiRequest): Route | undefined {
    const targetHeader = req.headers['x-amz-target'];
    const target = typeof targetHeader === 'string' ? targetHeader : undefined;
    const dot = target ? target.lastIndexOf('.') : -1;
    const prefix = target && dot > 0 ? target.slice(0, dot) : undefined;

    const scope = signingScope(req);
    let service = scope ? this.bySigningName.get(scope.service) : undefined;
    if (!service && prefix) service = this.byTargetPrefix.get(prefix);
    if (!service) return undefined;

    if (target && service.json && prefix === service.json.targetPrefix) {
      return { service, protocol: 'json', target: target.slice(dot + 1) };
    }
    if (service.query) return { service, protocol: 'query' };
    if (service.json) return { service, protocol: 'json', target: target?.slice(dot + 1) ?? '' };
    return undefined;
  }
}
