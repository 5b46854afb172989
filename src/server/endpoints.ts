/**
 * The host router of a set of services: every host pattern and path-style form their plugins
 * declare (`ServicePlugin.hosts`), registered in any order; specificity decides.
 */
import type { HostRoute, ServicePlugin } from '../services/service.js';
import { HostRouter } from './host-router.js';

export interface EndpointTarget {
  service: ServicePlugin;
  route: HostRoute;
}

export function endpointRouter(services: readonly ServicePlugin[]): HostRouter<EndpointTarget> {
  const router = new HostRouter<EndpointTarget>();
  for (const service of services) {
    for (const route of service.hosts ?? []) {
      if (!route.host && !route.pathStyle && !route.claimsHost) throw new Error(`${service.name}: a host route needs a host, a pathStyle or claimsHost`);
      if (!route.api && !route.http && !route.websocket) throw new Error(`${service.name}: a host route needs api, http or websocket`);
      const target = { service, route };
      const opts = { ...(route.when ? { when: route.when } : {}) };
      if (route.host) router.addHost(route.host, target, opts);
      if (route.pathStyle) router.addPath(route.pathStyle, target, { ...opts, exact: route.exact ?? false });
      if (route.claimsHost) router.addHostClaim(route.claimsHost, target);
    }
  }
  return router;
}
