/**
 * CloudFront (signing name `cloudfront`, restXml, API version 2020-05-31): the control plane.
 * CloudFront is global: the SDKs sign for us-east-1 and every resource belongs to an account
 * only. Its documents live in one store (engine/documents.ts); the data plane reads them through
 * the catalog (model.ts, CloudFrontCatalog).
 */
import type { Violation } from '../../protocols/shapes.js';
import type { ServiceEnv, ServicePlugin } from '../service.js';
import type { CloudFrontDeps } from './deps.js';
import { Catalog } from './engine/catalog.js';
import { Documents } from './engine/documents.js';
import { cloudfrontValidationError, MalformedInput } from './errors.js';
import { DEPLOY_DELAY_MS, type CloudFrontCatalog } from './model.js';
import { distributionOperations } from './operations/distributions.js';
import { policyOperations } from './operations/policies.js';
import { tagOperations } from './operations/tags.js';
import { sqliteCloudFrontRepo } from './repo.sqlite.js';
import { withDataPlane, type EdgeOptions } from './edge/index.js';

export const CLOUDFRONT_XMLNS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';

/** The plugin, and the catalog the data plane reads. */
export interface CloudFrontService {
  plugin: ServicePlugin;
  catalog: CloudFrontCatalog;
}

export async function createCloudFront(env: ServiceEnv): Promise<CloudFrontService> {
  const repo = await env.store.repo({ sqlite: sqliteCloudFrontRepo });
  const docs = new Documents(repo, env.store);
  const catalog = new Catalog(docs, env.clock);
  await env.store.caches.register('cloudfront.documents', async () => {
    await docs.reload();
    catalog.reloaded();
  });
  const deps: CloudFrontDeps = { docs, catalog, clock: env.clock, ids: env.ids, deployDelayMs: DEPLOY_DELAY_MS };
  const plugin: ServicePlugin = {
    name: 'cloudfront',
    signingName: 'cloudfront',
    restXml: { xmlNamespace: CLOUDFRONT_XMLNS, errorEnvelope: 'ErrorResponse', malformedBody: () => new MalformedInput('Invalid XML document') },
    validationError: (violations: Violation[]) => cloudfrontValidationError(violations),
    operations: {
      ...distributionOperations(deps),
      ...policyOperations(deps),
      ...tagOperations(deps),
    },
  };
  return { plugin, catalog };
}

export async function cloudfrontService(env: ServiceEnv, edges: EdgeOptions = {}): Promise<ServicePlugin> {
  const { plugin, catalog } = await createCloudFront(env);
  return withDataPlane(env, plugin, catalog, edges);
}
