/** What CloudFront's operations share. */
import type { Clock } from '../../lib/clock.js';
import type { Ids } from '../../lib/ids.js';
import type { Catalog } from './engine/catalog.js';
import type { Documents } from './engine/documents.js';

export interface CloudFrontDeps {
  docs: Documents;
  catalog: Catalog;
  clock: Clock;
  ids: Ids;
  /** How long a change to a distribution stays InProgress. */
  deployDelayMs: number;
}
