/**
 * Buckets: one global namespace of names, each bucket owned by an account and placed in a
 * region. S3's rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)
 * and its us-east-1 quirk: re-creating a bucket you own there succeeds.
 */
import type { Clock } from '../../../lib/clock.js';
import type { Store, Tx } from '../../../store/store.js';
import {
  AccessControlListNotSupported,
  AccessDenied,
  BucketAlreadyExists,
  BucketAlreadyOwnedByYou,
  IllegalLocationConstraintException,
  InvalidBucketAclWithBlockPublicAccessError,
  InvalidBucketAclWithObjectOwnership,
  InvalidBucketName,
  InvalidLocationConstraint,
  NoSuchBucket,
  NotFound,
} from '../errors.js';
import { conditionsHold, type ConditionKeys } from '../../../lib/policy-conditions.js';
import { policyDecision, policyIsPublic } from '../../../lib/policy.js';
import type { BucketRecord, ObjectOwnership, PublicAccessBlock, S3Repo } from '../repo.js';
import { aclAllows, ANONYMOUS_ID, BUCKET_PERMISSION, cannedAcl, isPublic, OBJECT_PERMISSION, readAcl, storeAcl, type Acl, type AclRequest } from './acl.js';
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
  /** Condition keys an operation adds from its body (PutObjectTagging's s3:RequestObjectTag/...). */
  conditionKeys?: ConditionKeys;
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
  /** Extra condition keys (s3:prefix for listings, s3:RequestObjectTag/... for tagging). */
  conditionKeys?: ConditionKeys;
  /** The object's ACL (its owner and grants), for actions on an existing object. */
  objectAcl?: Acl;
  /** The object's tags, for s3:ExistingObjectTag/<key>. */
  existingTags?: Record<string, string>;
}

/** The condition keys S3 takes from request headers (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html). */
const HEADER_KEYS = [
  'x-amz-acl',
  'x-amz-grant-full-control',
  'x-amz-grant-read',
  'x-amz-grant-read-acp',
  'x-amz-grant-write',
  'x-amz-grant-write-acp',
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-copy-source',
  'x-amz-metadata-directive',
  'x-amz-storage-class',
  'x-amz-object-ownership',
];

/** Tags as x-amz-tagging carries them (a URL query string); undefined when it does not parse. */
function headerTags(value: string): Record<string, string> | undefined {
  try {
    return Object.fromEntries(new URLSearchParams(value));
  } catch {
    return undefined;
  }
}

/** The condition keys of a request's tags (PutObject's x-amz-tagging, PutObjectTagging's body). */
export function requestTagKeys(tags: Record<string, string>): ConditionKeys {
  const keys: ConditionKeys = { 's3:RequestObjectTagKeys': Object.keys(tags) };
  for (const [k, v] of Object.entries(tags)) keys[`s3:RequestObjectTag/${k}`] = v;
  return keys;
}

/** The public access block every new bucket starts with (S3's default since April 2023). */
const NEW_BUCKET_PUBLIC_ACCESS_BLOCK: PublicAccessBlock = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

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

  /**
   * CreateBucket. As S3 does since April 2023, a new bucket blocks all public access (the owner
   * deletes or changes the block to make it public) and has ownership controls
   * (BucketOwnerEnforced unless x-amz-object-ownership says otherwise); an ACL other than
   * private is refused while ACLs are disabled.
   */
  async create(caller: Caller, name: string, constraint: string | undefined, acl: AclRequest = {}, ownership: ObjectOwnership = 'BucketOwnerEnforced'): Promise<BucketRecord> {
    // The canned ACL is one of the model's, checked at decode time.
    if (!isValidBucketName(name)) throw new InvalidBucketName(name);
    // The constraint must name the region the request was signed for; us-east-1 takes none.
    if (caller.region === 'us-east-1') {
      if (constraint === 'us-east-1') throw new InvalidLocationConstraint();
      if (constraint && regionOf(constraint) !== caller.region) throw new IllegalLocationConstraintException(constraint);
    } else if (regionOf(constraint) !== caller.region) {
      throw new IllegalLocationConstraintException(constraint);
    }
    if (ownership === 'BucketOwnerEnforced' && (acl.grants || (acl.canned !== undefined && acl.canned !== 'private'))) throw InvalidBucketAclWithObjectOwnership();
    // A new bucket blocks public access, so it cannot start with a public ACL: S3 has the owner
    // create it, delete the block, then set the ACL.
    if (acl.grants ? isPublic({ owner: caller.accountId, grants: acl.grants }) : acl.canned !== undefined && isPublic(cannedAcl(acl.canned, caller.accountId, caller.accountId))) {
      throw InvalidBucketAclWithBlockPublicAccessError();
    }
    return this.store.write(async (tx) => {
      const existing = await this.repo.bucket(name, tx);
      if (existing) {
        if (existing.account !== caller.accountId) throw new BucketAlreadyExists(name);
        // us-east-1 keeps S3's legacy answer: re-creating your own bucket succeeds.
        if (caller.region === 'us-east-1' && existing.region === 'us-east-1') return existing;
        throw new BucketAlreadyOwnedByYou(name);
      }
      // A canned ACL is kept by its name; grants as a stored ACL (engine/acl.ts).
      const stored = acl.grants ? JSON.stringify({ owner: caller.accountId, grants: acl.grants }) : (acl.canned ?? 'private');
      const record: BucketRecord = {
        name,
        account: caller.accountId,
        region: caller.region,
        createdAt: this.clock.now(),
        acl: stored,
        ownership,
        publicAccessBlock: { ...NEW_BUCKET_PUBLIC_ACCESS_BLOCK },
      };
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

  /** Refuses a request whose x-amz-expected-bucket-owner names another account (operations that authorize key by key check it first). */
  expectOwner(caller: Caller, name: string): void {
    const b = this.byName.get(name);
    if (b) expectOwner(caller, b);
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
   * anyone; the bucket's owner is allowed, except to read objects another account owns (under
   * ObjectWriter or BucketOwnerPreferred) that their ACL does not share; others (other
   * accounts, anonymous) need an Allow from the policy (which covers only objects the bucket's
   * owner owns) or a grant of an ACL: the object's for reading it and its ACL, the bucket's for
   * listing it, writing into it and its ACL. ACLs count for nothing under BucketOwnerEnforced.
   * The public access block can make S3 ignore public ACLs and restrict public policies to
   * the owner's account. `x-amz-expected-bucket-owner` must name the bucket's owner.
   */
  authorize(caller: Caller, name: string, access: Access): BucketRecord {
    const b = this.byName.get(name);
    if (!b) throw new NoSuchBucket(name);
    expectOwner(caller, b);
    const service = caller.principalService;
    const principal = service ? '' : caller.anonymous ? '*' : caller.accountId;
    const resource = access.key === undefined ? `arn:aws:s3:::${name}` : `arn:aws:s3:::${name}/${access.key}`;
    let keys: ConditionKeys | undefined;
    const decision = policyDecision(b.policy, { principalAccount: principal, ...(service ? { principalService: service } : {}), action: access.action, resource }, (c, unknown) => conditionsHold(c, (keys ??= conditionKeys(caller, access)), unknown));
    if (decision === 'deny') throw new AccessDenied();
    if (service) {
      // A service is granted by the policy alone: ACLs name accounts and groups, not services.
      if (decision === 'allow') return b;
      throw new AccessDenied();
    }
    const aclsOn = b.ownership !== 'BucketOwnerEnforced';
    const objectPermission = OBJECT_PERMISSION[access.action];
    const objectOwner = aclsOn && access.objectAcl ? access.objectAcl.owner : b.account;
    const me = caller.anonymous ? undefined : caller.accountId;
    if (me === b.account && (objectPermission === undefined || objectOwner === b.account)) return b;
    // An object's owner may always read and change its ACL.
    if (me !== undefined && me === objectOwner && (objectPermission === 'READ_ACP' || objectPermission === 'WRITE_ACP')) return b;
    const block = b.publicAccessBlock;
    if (decision === 'allow' && objectOwner === b.account && !(block?.RestrictPublicBuckets && policyIsPublic(b.policy))) return b;
    if (aclsOn) {
      const ignorePublic = block?.IgnorePublicAcls === true;
      if (objectPermission !== undefined) {
        if (access.objectAcl && aclAllows(access.objectAcl, objectPermission, caller, ignorePublic)) return b;
      } else {
        const permission = BUCKET_PERMISSION[access.action];
        if (permission !== undefined && aclAllows(this.bucketAcl(b), permission, caller, ignorePublic)) return b;
      }
    }
    throw new AccessDenied();
  }

  /** Whether authorize would let the request through (HEAD of a missing key: 404 only with s3:ListBucket). */
  permits(caller: Caller, name: string, access: Access): boolean {
    try {
      this.authorize(caller, name, access);
      return true;
    } catch (e) {
      if (e instanceof AccessDenied) return false;
      throw e;
    }
  }

  private parsedAcls = new WeakMap<BucketRecord, Acl>();

  /** The bucket's ACL, parsed once per record. */
  bucketAcl(b: BucketRecord): Acl {
    let acl = this.parsedAcls.get(b);
    if (!acl) {
      acl = readAcl(b.acl, b.account, b.account);
      this.parsedAcls.set(b, acl);
    }
    return acl;
  }

  /** Who owns an object with this stored ACL (its bucket's owner wherever ACLs are disabled). */
  objectOwner(b: BucketRecord, stored: string | undefined): string {
    if (!stored || b.ownership === 'BucketOwnerEnforced') return b.account;
    return readAcl(stored, b.account, b.account).owner;
  }

  /**
   * The stored ACL of an object `caller` writes into `b` (PutObject, copies, POST, multipart),
   * from what the request asks: who owns it follows the bucket's ownership controls; under
   * BucketOwnerEnforced only bucket-owner-full-control (or no ACL) is accepted, and the public
   * access block refuses public grants.
   */
  objectAclFor(b: BucketRecord, caller: Caller, req: AclRequest = {}): string | undefined {
    if (b.ownership === 'BucketOwnerEnforced') {
      if (req.grants || (req.canned !== undefined && req.canned !== 'bucket-owner-full-control')) throw AccessControlListNotSupported();
      return undefined;
    }
    const writer = caller.anonymous ? ANONYMOUS_ID : caller.accountId;
    const owner = b.ownership === 'BucketOwnerPreferred' && req.canned === 'bucket-owner-full-control' ? b.account : writer;
    const acl = req.grants ? { owner, grants: req.grants } : cannedAcl(req.canned ?? 'private', owner, b.account);
    if (b.publicAccessBlock?.BlockPublicAcls && isPublic(acl)) throw new AccessDenied();
    return storeAcl(acl, b.account);
  }

  /** Changes the caller's own bucket; with `action`, any caller authorize lets do that (PutBucketAcl by a WRITE_ACP grantee). */
  async update(caller: Caller, name: string, change: (b: BucketRecord) => BucketRecord, action?: string): Promise<BucketRecord> {
    return this.store.write(async (tx) => {
      if (action !== undefined) this.authorize(caller, name, { action });
      const current = action === undefined ? await this.ownedIn(tx, caller, name) : await this.repo.bucket(name, tx);
      if (!current) throw new NoSuchBucket(name);
      const next = change(current);
      await this.repo.updateBucket(tx, next);
      this.byName.set(name, next);
      return next;
    });
  }

  /** HeadBucket: allowed to whoever may list the bucket (s3:ListBucket), as on S3. */
  head(caller: Caller, name: string): BucketRecord {
    if (!this.byName.has(name)) throw new NotFound();
    if (!this.permits(caller, name, { action: 's3:ListBucket' })) throw new AccessDenied('Forbidden');
    return this.byName.get(name)!;
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
  expectOwner(caller, b);
  return b;
}

/** `x-amz-expected-bucket-owner`, which every operation takes: when sent, the bucket must be that account's. */
function expectedOwnerHolds(caller: Caller, b: BucketRecord): boolean {
  const expected = caller.headers?.['x-amz-expected-bucket-owner'];
  return expected === undefined || expected === b.account;
}

function expectOwner(caller: Caller, b: BucketRecord): void {
  if (!expectedOwnerHolds(caller, b)) throw new AccessDenied();
}

/** The condition keys of a request: the caller's, its headers', its tags', the object's tags and the access's own. */
function conditionKeys(caller: Caller, access: Access): ConditionKeys {
  const h = caller.headers ?? {};
  const forwarded = h['x-forwarded-proto'];
  const keys: ConditionKeys = {
    'aws:SourceIp': caller.sourceIp,
    'aws:SecureTransport': forwarded === 'https' ? 'true' : 'false',
    'aws:PrincipalAccount': caller.anonymous || caller.principalService ? undefined : caller.accountId,
  };
  // A service principal's request (CloudFront's origin access control) names its source.
  if (caller.principalService) {
    const header = (n: string) => (typeof h[n] === 'string' ? (h[n] as string) : undefined);
    keys['aws:SourceArn'] = header('x-nimbus-source-arn');
    keys['aws:SourceAccount'] = header('x-nimbus-source-account');
  }
  for (const name of HEADER_KEYS) {
    const v = h[name];
    if (v !== undefined) keys[`s3:${name}`] = Array.isArray(v) ? v.join(',') : v;
  }
  const tagging = h['x-amz-tagging'];
  if (access.action === 's3:PutObject' && typeof tagging === 'string') Object.assign(keys, requestTagKeys(headerTags(tagging) ?? {}));
  if (access.existingTags) for (const [k, v] of Object.entries(access.existingTags)) keys[`s3:ExistingObjectTag/${k}`] = v;
  return { ...keys, ...caller.conditionKeys, ...access.conditionKeys };
}


