/**
 * CloudFront's stored documents and the read API the data plane (edges, caches, signed URLs)
 * uses. The control plane writes these documents; the data plane only reads them, through
 * `CloudFrontCatalog`, and reports invalidations done.
 *
 * Every config is kept exactly as AWS's XML shape decodes it (shapes.ts): lists are
 * `{ Quantity, Items }`, TTLs are seconds, absent optional members are undefined. A
 * distribution's DomainName is `<id>.cloudfront.net`; the data plane routes that host (and
 * `<id>.cloudfront.localhost`) back to Nimbus.
 */
import type {
  CacheBehavior,
  CachePolicyConfig,
  DefaultCacheBehavior,
  DistributionConfig,
  InvalidationBatch,
  KeyGroupConfig,
  OriginAccessControlConfig,
  OriginRequestPolicyConfig,
  PublicKeyConfig,
  ResponseHeadersPolicyConfig,
  Tag,
} from './shapes.js';

export type {
  CacheBehavior,
  CachePolicyConfig,
  CustomErrorResponse,
  DefaultCacheBehavior,
  DistributionConfig,
  InvalidationBatch,
  KeyGroupConfig,
  Origin,
  OriginAccessControlConfig,
  OriginGroup,
  OriginRequestPolicyConfig,
  PublicKeyConfig,
  ResponseHeadersPolicyConfig,
  Tag,
} from './shapes.js';

/** The domain every distribution's DomainName ends with. */
export const CLOUDFRONT_DOMAIN = 'cloudfront.net';

/** How long a created or updated distribution stays InProgress before it is Deployed (on the injected clock). */
export const DEPLOY_DELAY_MS = 1000;

interface Owned {
  id: string;
  /** The owning account: every control-plane lookup checks it. */
  accountId: string;
}

export interface StoredDistribution extends Owned {
  kind: 'distribution';
  /** `arn:aws:cloudfront::<account>:distribution/<id>` */
  arn: string;
  /** `<id>.cloudfront.net` */
  domainName: string;
  /** Changes on every update: the If-Match a change must name. */
  etag: string;
  /** Epoch ms of the last change. */
  lastModified: number;
  /** Epoch ms from which the last change is Deployed (before it the distribution is InProgress). */
  deployedAt: number;
  config: DistributionConfig;
  tags: Tag[];
  /** The config of the create request as sent: a retried create (same CallerReference, same config) answers this distribution. */
  createRequest?: string;
}

export interface StoredCachePolicy extends Owned {
  kind: 'cache-policy';
  etag: string;
  lastModified: number;
  config: CachePolicyConfig;
}

export interface StoredOriginRequestPolicy extends Owned {
  kind: 'origin-request-policy';
  etag: string;
  lastModified: number;
  config: OriginRequestPolicyConfig;
}

export interface StoredResponseHeadersPolicy extends Owned {
  kind: 'response-headers-policy';
  etag: string;
  lastModified: number;
  config: ResponseHeadersPolicyConfig;
}

export interface StoredOriginAccessControl extends Owned {
  kind: 'origin-access-control';
  etag: string;
  config: OriginAccessControlConfig;
}

export interface StoredPublicKey extends Owned {
  kind: 'public-key';
  etag: string;
  createdAt: number;
  config: PublicKeyConfig;
}

export interface StoredKeyGroup extends Owned {
  kind: 'key-group';
  etag: string;
  lastModified: number;
  config: KeyGroupConfig;
}

export type InvalidationStatus = 'InProgress' | 'Completed';

export interface StoredInvalidation extends Owned {
  kind: 'invalidation';
  distributionId: string;
  createdAt: number;
  status: InvalidationStatus;
  batch: InvalidationBatch;
}

export type CloudFrontDocument =
  | StoredDistribution
  | StoredCachePolicy
  | StoredOriginRequestPolicy
  | StoredResponseHeadersPolicy
  | StoredOriginAccessControl
  | StoredPublicKey
  | StoredKeyGroup
  | StoredInvalidation;

/** A public key the data plane verifies signed URLs and cookies with: its id (the Key-Pair-Id) and PEM. */
export interface TrustedPublicKey {
  id: string;
  encodedKey: string;
}

/**
 * Told of each new invalidation once it is stored (InProgress). The data plane installs one that
 * clears every edge and the shield and then calls `completeInvalidation`; without one, an
 * invalidation is Completed as soon as it is stored (there is no cache to clear).
 */
export type InvalidationHook = (invalidation: StoredInvalidation, distribution: StoredDistribution) => void;

/** What the data plane reads (and the little it writes: invalidations done). */
export interface CloudFrontCatalog {
  /** A distribution by id, whatever its account (the data plane serves it to anyone, as AWS does). */
  distribution(id: string): StoredDistribution | undefined;
  /** The distribution a Host names: `<id>.cloudfront.net` (any case, port ignored) or one of its Aliases. */
  distributionByDomainName(host: string): StoredDistribution | undefined;
  /** `InProgress` until the last change has deployed, then `Deployed` (on the injected clock). */
  status(distribution: StoredDistribution): 'InProgress' | 'Deployed';
  /** The behavior a viewer path selects: the first CacheBehavior whose PathPattern matches, else the default. */
  behaviorFor(distribution: StoredDistribution, path: string): DefaultCacheBehavior | CacheBehavior;
  /** A cache policy a distribution may use: a managed one by its AWS id, or one of the distribution's account. */
  cachePolicy(distribution: StoredDistribution, id: string): CachePolicyConfig | undefined;
  originRequestPolicy(distribution: StoredDistribution, id: string): OriginRequestPolicyConfig | undefined;
  responseHeadersPolicy(distribution: StoredDistribution, id: string): ResponseHeadersPolicyConfig | undefined;
  /** An origin access control of the distribution's account. */
  originAccessControl(distribution: StoredDistribution, id: string): OriginAccessControlConfig | undefined;
  keyGroup(distribution: StoredDistribution, id: string): KeyGroupConfig | undefined;
  publicKey(distribution: StoredDistribution, id: string): TrustedPublicKey | undefined;
  /** The public keys of every key group a behavior trusts (TrustedKeyGroups), by Key-Pair-Id; empty when it trusts none. */
  trustedPublicKeys(distribution: StoredDistribution, behavior: DefaultCacheBehavior): Map<string, TrustedPublicKey>;
  /** Invalidations still InProgress, oldest first (of one distribution when named). */
  pendingInvalidations(distributionId?: string): StoredInvalidation[];
  /** Marks an invalidation Completed (durably); a no-op when it is already or is gone. */
  completeInvalidation(id: string): Promise<void>;
  /** Replaces how new invalidations are completed (see InvalidationHook); undefined restores "complete when stored". */
  setInvalidationHook(hook: InvalidationHook | undefined): void;
  /** Called after every committed change to a document (a distribution updated or deleted, a policy changed, ...). */
  onChange(listener: (doc: CloudFrontDocument, deleted: boolean) => void): void;
}

/** A distribution's ARN. */
export const distributionArn = (accountId: string, id: string): string => `arn:aws:cloudfront::${accountId}:distribution/${id}`;

/**
 * Whether a viewer path matches a cache behavior's PathPattern as CloudFront matches them:
 * case-sensitive, `*` any run of characters (slashes too), `?` exactly one; the pattern's
 * leading `/` is optional.
 */
export function pathPatternMatches(pattern: string, path: string): boolean {
  const p = pattern.startsWith('/') ? pattern : `/${pattern}`;
  // Iterative glob matching with one backtrack point per `*`: linear in practice, never exponential.
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (j < path.length) {
    if (i < p.length && (p[i] === '?' || (p[i] !== '*' && p[i] === path[j]))) {
      i++;
      j++;
    } else if (i < p.length && p[i] === '*') {
      star = i++;
      mark = j;
    } else if (star >= 0) {
      i = star + 1;
      j = ++mark;
    } else return false;
  }
  while (i < p.length && p[i] === '*') i++;
  return i === p.length;
}
