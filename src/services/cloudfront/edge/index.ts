/**
 * The data plane's place in the CloudFront plugin: the edge network (its caches under the data
 * directory) and the distribution hosts, added to the control plane's plugin.
 */
import { join } from 'node:path';
import type { ServiceEnv, ServicePlugin } from '../../service.js';
import type { CloudFrontCatalog } from '../model.js';
import { CloudFrontDataPlane } from './data-plane.js';
import { EdgeNetwork, type EdgeNetworkOptions } from './tiers.js';

export type EdgeOptions = Omit<EdgeNetworkOptions, 'clock' | 'dir'>;

export function withDataPlane(env: ServiceEnv, plugin: ServicePlugin, catalog: CloudFrontCatalog, opts: EdgeOptions = {}): ServicePlugin {
  const network = new EdgeNetwork({ clock: env.clock, dir: join(env.dataDir, 'cloudfront-cache'), ...opts });
  const plane = new CloudFrontDataPlane({
    catalog,
    network,
    clock: env.clock,
    log: env.log,
    outbound: env.outbound,
    endpoint: env.endpoint,
    ...(env.serviceCredentials ? { serviceCredentials: env.serviceCredentials } : {}),
    region: env.region,
  });
  const stop = plugin.stop;
  return {
    ...plugin,
    hosts: [...(plugin.hosts ?? []), ...plane.hosts()],
    async stop() {
      await stop?.call(plugin);
      network.close();
    },
    health: () => ({ ...plugin.health?.(), edges: network.occupancy() }),
  };
}
