/**
 * Buckets: one global namespace of names, each bucket owned by an account and placed in a
 * region. S3's rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)
 * and its us-east-1 quirk: re-creating a bucket you own there succeeds.
 */
import type { Clock } from '../../../lib/clock.js';
import type { Store, Tx } from '../../../store/store.js';
import {
  AccessDenied,
  BucketAlreadyExists,
  BucketAlreadyOwnedByYou,
  IllegalLocationConstraintException,
  InvalidBucketName,
  InvalidLocationConstraint,
  NoSuchBucket,
  NotFound,
} from '../errors.js';
import { conditionsHold, type ConditionKeys } from '../../../lib/policy-conditions.js';
import { policyDecision, policyIsPublic } from '../../../lib/policy.js';
import type { BucketRecord, S3Repo } from '../repo.js';
import type { S3ExtrasRepo } from '../repo-extras.js';
import type { S3WebsiteRepo } from '../repo-website.js';
import type { Multipart } from './multipart.js';
import type { Notifications } from './notifications.js';
import type { Objects } from './objects.js';

/** Who is asking: a signed account, or (anonymous) anyone; and the request facts policies test. */
export interface Caller {
  accountId: string;
  region: string;
  anonymous?: boolean;
  /**
   * A service principal Nimbus signed as (CloudFront's origin access control): no account; the
   * bucket policy must grant the service, and `x-nimbus-source-arn` / `x-nimbus-source-account`
   * (signed headers) give `aws:SourceArn` / `aws:SourceAccount`.
   */
  principalService?: string;
  sourceIp?: string;
  headers?: Record<string, string | string[] | undefined>;
}

/**
 * What belongs to a bucket outside its row, kept by other engines and repos (made after
 * Buckets, so handed to delete()), each called inside the deletion's write with its Tx.
 * Lifecycle configurations are not among them: they are tied to the bucket's creation time,
 * so a namesake never sees them, and the sweeper removes them.
 */
export interface BucketDependents {
  /** Whether it still holds objects (or versions): then it cannot be deleted. */
  objects: Pick<Objects, 'assertEmpty'>;
  /** Uploads in progress, which S3 deletes with the bucket. */
  multipart: Pick<Multipart, 'dropUploads'>;
  tags: Pick<S3ExtrasRepo, 'deleteBucketTags'>;
  notifications: Pick<Notifications, 'forget'>;
  website: Pick<S3WebsiteRepo, 'setConfig'>;
}

/** What an object or listing request does, for policies: `s3:GetObject` on `arn:aws:s3:::b/k`. */
export interface Access {
  action: string;
  /** The object key, for object actions. */
  key?: string;
  /** Extra condition keys (s3:prefix for listings). */
  conditionKeys?: Record<string, string | undefined>;
  /** The object's own canned ACL, for object reads. */
  objectAcl?: string;
}

// (READ on a bucket or object covers its versions too.)
const READ_ACTIONS = new Set(['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 's3:ListBucketVersions', 's3:GetObjectTagging', 's3:GetObjectAttributes']);
const WRITE_ACTIONS = new Set(['s3:PutObject', 's3:DeleteObject']);

const NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_LIKE = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

export function isValidBucketName(name: string): boolean {
  return (
    NAME.test(name) &&
    !name.includes('..') &&
    !name.includes('.-') &&
    !name.includes('-.') &&
    !IP_LIKE.test(name) &&
    !RESERVED_PREFIXES.some((p) => name.startsWith(p)) &&
    !RESERVED_SUFFIXES.some((s) => name.endsWith(s))
  );
}

/** The region S3 reports for a LocationConstraint: empty (or absent) means us-east-1, `EU` eu-west-1. */
function regionOf(constraint: string | undefined): string {
  if (!constraint) return 'us-east-1';
  return constraint === 'EU' ? 'eu-west-1' : constraint;
}

export class Buckets {
  /**
   * Every bucket by name: read on every request (authorization, anonymous routing, CORS) and
   * changed rarely. Loaded through the store's cache registry (`reload`, registered as
   * `s3.buckets`), kept in step by this engine's writes. Records are shared: changes replace
   * them ({ ...b, policy }), never mutate them.
   */
  private byName = new Map<string, BucketRecord>();

  constructor(
    private readonly repo: S3Repo,
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Loads the registry from the repo (at startup, after a rollback, when another node changed it). */
  async reload(): Promise<void> {
    const all = await this.repo.allBuckets();
    this.byName = new Map(all.map((b) => [b.name, b]));
  }

  async create(caller: Caller, name: string, constraint: string | undefined, acl = 'private'): Promise<BucketRecord> {
    // The canned ACL is one of the model's, checked at decode time.
    if (!isValidBucketName(name)) throw new InvalidBucketName(name);
    // The constraint must name the region the request was signed for; us-east-1 takes none.
    if (caller.region === 'us-east-1') {
      if (constraint === 'us-east-1') throw new InvalidLocationConstraint();
      if (constraint && regionOf(constraint) !== caller.region) throw new IllegalLocationConstraintException(constraint);
    } else if (regionOf(constraint) !== caller.region) {
      throw new IllegalLocationConstraintException(constraint);
    }
    return this.store.write(async (tx) => {
      const existing = await this.repo.bucket(name, tx);
      if (existing) {
        if (existing.account !== caller.accountId) throw new BucketAlreadyExists(name);
        // us-east-1 keeps S3's legacy answer: re-creating your own bucket succeeds.
        if (caller.region === 'us-east-1' && existing.region === 'us-east-1') return existing;
        throw new BucketAlreadyOwnedByYou(name);
      }
      const record: BucketRecord = { name, account: caller.accountId, region: caller.region, createdAt: this.clock.now(), acl };
      await this.repo.insertBucket(tx, record);
      this.byName.set(name, record);
      return record;
    });
  }

  /** The caller's own bucket (configuration operations): another account's is AccessDenied. */
  owned(caller: Caller, name: string): BucketRecord {
    return ownedBy(caller, name, this.byName.get(name));
  }

  /** The same, read inside a write (through its transaction). */
  async ownedIn(tx: Tx, caller: Caller, name: string): Promise<BucketRecord> {
    return ownedBy(caller, name, await this.repo.bucket(name, tx));
  }

  exists(name: string): boolean {
    return this.byName.has(name);
  }

  /** A bucket's record without any access check (CORS preflights, which carry no identity). */
  find(name: string): BucketRecord | undefined {
    return this.byName.get(name);
  }

  /**
   * Object and listing access, as S3 decides it: an explicit Deny in the bucket policy refuses
   * anyone; the owner is allowed; others (other accounts, anonymous) need an Allow from the
   * policy or a grant of the canned ACL. The public access block can make S3 ignore public
   * ACLs and restrict public policies to the owner's account.
   */
  authorize(caller: Caller, name: string, access: Access): BucketRecord {
    const b = this.byName.get(name);
    if (!b) throw new NoSuchBucket(name);
    const service = caller.principalService;
    const principal = service ? '' : caller.anonymous ? '*' : caller.accountId;
    const header = (n: string) => (service && typeof caller.headers?.[n] === 'string' ? (caller.headers[n] as string) : undefined);
    const resource = access.key === undefined ? `arn:aws:s3:::${name}` : `arn:aws:s3:::${name}/${access.key}`;
    const forwarded = caller.headers?.['x-forwarded-proto'];
    const keys: ConditionKeys = {
      'aws:SourceIp': caller.sourceIp,
      'aws:SecureTransport': forwarded === 'https' ? 'true' : 'false',
      'aws:PrincipalAccount': caller.anonymous || service ? undefined : caller.accountId,
      ...(service ? { 'aws:SourceArn': header('x-nimbus-source-arn'), 'aws:SourceAccount': header('x-nimbus-source-account') } : {}),
      ...access.conditionKeys,
    };
    const decision = policyDecision(b.policy, { principalAccount: principal, ...(service ? { principalService: service } : {}), action: access.action, resource }, (c, unknown) => conditionsHold(c, keys, unknown));
    if (decision === 'deny') throw new AccessDenied();
    if (service) {
      // A service is granted by the policy alone: ACLs name accounts and groups, not services.
      if (decision === 'allow') return b;
      throw new AccessDenied();
    }
    const owner = !caller.anonymous && caller.accountId === b.account;
    if (owner) return b;
    const block = b.publicAccessBlock;
    if (decision === 'allow' && !(block?.RestrictPublicBuckets && policyIsPublic(b.policy))) return b;
    if (!block?.IgnorePublicAcls && (aclGrants(b.acl, access.action, caller) || (access.objectAcl !== undefined && aclGrants(access.objectAcl, access.action, caller)))) {
      return b;
    }
    throw new AccessDenied();
  }

  async update(caller: Caller, name: string, change: (b: BucketRecord) => BucketRecord): Promise<BucketRecord> {
    return this.store.write(async (tx) => {
      const next = change(await this.ownedIn(tx, caller, name));
      await this.repo.updateBucket(tx, next);
      this.byName.set(name, next);
      return next;
    });
  }

  head(caller: Caller, name: string): BucketRecord {
    const b = this.byName.get(name);
    if (!b) throw new NotFound();
    if (b.account !== caller.accountId) throw new AccessDenied('Forbidden');
    return b;
  }

  /**
   * DeleteBucket: refused while the bucket holds objects (BucketNotEmpty); everything else that
   * belongs to it goes in the same commit as its row, so no half-deleted bucket is ever seen.
   */
  async delete(caller: Caller, name: string, dependents: BucketDependents): Promise<void> {
    await this.store.write(async (tx) => {
      await this.ownedIn(tx, caller, name);
      await dependents.objects.assertEmpty(tx, name);
      await dependents.multipart.dropUploads(tx, name);
      await dependents.tags.deleteBucketTags(tx, name);
      await dependents.notifications.forget(tx, name);
      await dependents.website.setConfig(tx, name, undefined);
      await this.repo.deleteBucket(tx, name);
      this.byName.delete(name);
    });
  }

  list(caller: Caller): Promise<BucketRecord[]> {
    return this.repo.buckets(caller.accountId);
  }
}

function ownedBy(caller: Caller, name: string, b: BucketRecord | undefined): BucketRecord {
  if (!b) throw new NoSuchBucket(name);
  if (caller.anonymous || b.account !== caller.accountId) throw new AccessDenied();
  return b;
}


function aclGrants(acl: string, action: string, caller: Caller): boolean {
  if (acl === 'public-read') return READ_ACTIONS.has(action);
  if (acl === 'public-read-write') return READ_ACTIONS.has(action) || WRITE_ACTIONS.has(action);
  if (acl === 'authenticated-read') return !caller.anonymous && READ_ACTIONS.has(action);
  return false;
}
