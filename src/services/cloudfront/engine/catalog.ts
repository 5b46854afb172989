/**
 * The read API the data plane uses (CloudFrontCatalog in model.ts), over the documents in
 * memory: a distribution by id or Host, the policies, keys and origin access controls it names
 * (only its own account's, or AWS's managed ones), and the invalidations still to clear.
 */
import type { Clock } from '../../../lib/clock.js';
import { MANAGED_CACHE_POLICIES, MANAGED_ORIGIN_REQUEST_POLICIES, MANAGED_RESPONSE_HEADERS_POLICIES } from '../managed.js';
import {
  CLOUDFRONT_DOMAIN,
  pathPatternMatches,
  type CloudFrontCatalog,
  type CloudFrontDocument,
  type InvalidationHook,
  type StoredCachePolicy,
  type StoredDistribution,
  type StoredInvalidation,
  type StoredKeyGroup,
  type StoredOriginAccessControl,
  type StoredOriginRequestPolicy,
  type StoredPublicKey,
  type StoredResponseHeadersPolicy,
  type TrustedPublicKey,
} from '../model.js';
import type { Documents } from './documents.js';

const SUFFIX = `.${CLOUDFRONT_DOMAIN}`;

export class Catalog implements CloudFrontCatalog {
  private hook: InvalidationHook | undefined;
  /** Alias (lower-case CNAME) ▶ distribution id, rebuilt when a distribution changes. */
  private aliases: Map<string, string> | undefined;

  constructor(
    private readonly docs: Documents,
    private readonly clock: Clock,
  ) {
    docs.onChange((doc) => {
      if (doc.kind === 'distribution') this.aliases = undefined;
    });
  }

  /** Forgets what was derived from the documents (after the store reloaded them). */
  reloaded(): void {
    this.aliases = undefined;
  }

  distribution(id: string): StoredDistribution | undefined {
    return this.docs.byId<StoredDistribution>('distribution', id);
  }

  distributionByDomainName(host: string): StoredDistribution | undefined {
    const name = host.replace(/:\d+$/, '').replace(/\.$/, '').toLowerCase();
    if (name.endsWith(SUFFIX)) {
      const label = name.slice(0, -SUFFIX.length);
      if (!label.includes('.')) {
        const d = this.distribution(label.toUpperCase());
        if (d) return d;
      }
    }
    const aliases = this.aliasMap();
    if (aliases.size === 0) return undefined;
    // An exact alias first, then a wildcard one covering the first label (`*.example.com`).
    const dot = name.indexOf('.');
    const id = aliases.get(name) ?? (dot > 0 ? aliases.get(`*${name.slice(dot)}`) : undefined);
    return id ? this.distribution(id) : undefined;
  }

  private aliasMap(): Map<string, string> {
    if (!this.aliases) {
      const map = new Map<string, string>();
      for (const d of this.docs.filter<StoredDistribution>('distribution', () => true)) {
        for (const cname of d.config.Aliases?.Items ?? []) map.set(cname.toLowerCase(), d.id);
      }
      this.aliases = map;
    }
    return this.aliases;
  }

  /** The distribution's alias that is taken by another distribution, if any (CNAMEAlreadyExists). */
  aliasTaken(cnames: readonly string[], exceptId?: string): string | undefined {
    const map = this.aliasMap();
    for (const c of cnames) {
      const owner = map.get(c.toLowerCase());
      if (owner !== undefined && owner !== exceptId) return c;
    }
    return undefined;
  }

  status(d: StoredDistribution): 'InProgress' | 'Deployed' {
    return this.clock.now() >= d.deployedAt ? 'Deployed' : 'InProgress';
  }

  behaviorFor(d: StoredDistribution, path: string) {
    for (const b of d.config.CacheBehaviors?.Items ?? []) if (pathPatternMatches(b.PathPattern, path)) return b;
    return d.config.DefaultCacheBehavior;
  }

  cachePolicy(d: StoredDistribution, id: string) {
    return MANAGED_CACHE_POLICIES.get(id) ?? this.docs.own<StoredCachePolicy>('cache-policy', id, d.accountId)?.config;
  }

  originRequestPolicy(d: StoredDistribution, id: string) {
    return MANAGED_ORIGIN_REQUEST_POLICIES.get(id) ?? this.docs.own<StoredOriginRequestPolicy>('origin-request-policy', id, d.accountId)?.config;
  }

  responseHeadersPolicy(d: StoredDistribution, id: string) {
    return MANAGED_RESPONSE_HEADERS_POLICIES.get(id) ?? this.docs.own<StoredResponseHeadersPolicy>('response-headers-policy', id, d.accountId)?.config;
  }

  originAccessControl(d: StoredDistribution, id: string) {
    return this.docs.own<StoredOriginAccessControl>('origin-access-control', id, d.accountId)?.config;
  }

  keyGroup(d: StoredDistribution, id: string) {
    return this.docs.own<StoredKeyGroup>('key-group', id, d.accountId)?.config;
  }

  publicKey(d: StoredDistribution, id: string): TrustedPublicKey | undefined {
    const k = this.docs.own<StoredPublicKey>('public-key', id, d.accountId);
    return k ? { id: k.id, encodedKey: k.config.EncodedKey } : undefined;
  }

  trustedPublicKeys(d: StoredDistribution, behavior: { TrustedKeyGroups?: { Enabled: boolean; Items?: string[] } }): Map<string, TrustedPublicKey> {
    const out = new Map<string, TrustedPublicKey>();
    if (!behavior.TrustedKeyGroups?.Enabled) return out;
    for (const groupId of behavior.TrustedKeyGroups.Items ?? []) {
      for (const keyId of this.keyGroup(d, groupId)?.Items ?? []) {
        const key = this.publicKey(d, keyId);
        if (key) out.set(key.id, key);
      }
    }
    return out;
  }

  pendingInvalidations(distributionId?: string): StoredInvalidation[] {
    return this.docs
      .filter<StoredInvalidation>('invalidation', (i) => i.status === 'InProgress' && (distributionId === undefined || i.distributionId === distributionId))
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  async completeInvalidation(id: string): Promise<void> {
    const inv = this.docs.byId<StoredInvalidation>('invalidation', id);
    if (!inv || inv.status === 'Completed') return;
    const gone = new Error('gone');
    await this.docs
      .update<StoredInvalidation, void>('invalidation', id, inv.accountId, () => gone, (doc) => ({ doc: { ...doc, status: 'Completed' }, result: undefined }))
      .catch((e: unknown) => {
        if (e !== gone) throw e;
      });
  }

  setInvalidationHook(hook: InvalidationHook | undefined): void {
    this.hook = hook;
  }

  /** The hook the data plane installed, if any (without one, invalidations complete when stored). */
  invalidationHook(): InvalidationHook | undefined {
    return this.hook;
  }

  onChange(listener: (doc: CloudFrontDocument, deleted: boolean) => void): void {
    this.docs.onChange((doc, deleted) => listener(doc as CloudFrontDocument, deleted));
  }
}
