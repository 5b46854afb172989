/**
 * Routing, once per request: the host router first (a service's host or path-style endpoint,
 * most specific pattern), then the AWS route (X-Amz-Target ▶ SigV4 signing name ▶ unsigned
 * claims) and, for REST protocols, the operation the method and path select. What is found
 * travels in the context: nothing later parses the host again.
 */
import { RestRoutes } from '../../protocols/rest.js';
import type { ServicePlugin } from '../../services/service.js';
import type { HostRouter } from '../host-router.js';
import type { Router } from '../router.js';
import type { EndpointTarget } from '../endpoints.js';
import type { RestOperation, Step } from './context.js';

export function routeStep(hosts: HostRouter<EndpointTarget>, router: Router): Step {
  const rest = new WeakMap<ServicePlugin, RestRoutes<RestOperation>>();
  /** The compiled REST routes of a service, built on first use. */
  const restRoutes = (service: ServicePlugin): RestRoutes<RestOperation> => {
    let routes = rest.get(service);
    if (!routes) {
      const ops: Record<string, RestOperation> = {};
      for (const [name, op] of Object.entries(service.operations)) if (op.http) ops[name] = op as RestOperation;
      rest.set(service, (routes = new RestRoutes(ops, service.restXml?.subresources)));
    }
    return routes;
  };
  return (ctx, next) => {
    const req = ctx.req;
    const endpoint = hosts.match(req);
    ctx.endpoint = endpoint;
    // A plain HTTP (or WebSocket) endpoint takes the request as it is.
    if (endpoint && !endpoint.target.route.api) {
      if (endpoint.target.route.http) return next(ctx);
      return Promise.resolve({ status: 426, headers: { 'content-type': 'text/plain', upgrade: 'websocket' }, body: 'Upgrade Required' });
    }
    const route = router.route(req, endpoint);
    ctx.route = route;
    if (route && (route.protocol === 'rest-xml' || route.protocol === 'rest-json')) {
      // The host's own service routes by the host's path (a virtual-hosted bucket rewritten
      // path-style); another service signed for on that host sees the path as sent.
      if (endpoint && endpoint.target.service === route.service) ctx.restPath = endpoint.target.route.api!.routingPath(endpoint);
      ctx.restQuery = new URLSearchParams(req.query);
      ctx.restRoutes = restRoutes(route.service);
      ctx.restMatch = ctx.restRoutes.match(req.method, ctx.restPath, ctx.restQuery, req.headers);
    }
    return next(ctx);
  };
}
