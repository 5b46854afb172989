/**
 * Buckets: one global namespace of names, each bucket owned by an account and placed in a
 * region. S3's rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)
 * and its us-east-1 quirk: re-creating a bucket you own there succeeds.
 */
import type { Clock } from '../../../lib/clock.js';
import type { Store } from '../../../store/store.js';
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
import type { BucketRecord, S3Repo } from '../repo.js';

export interface Caller {
  accountId: string;
  region: string;
}

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
  constructor(
    private readonly repo: S3Repo,
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async create(caller: Caller, name: string, constraint: string | undefined): Promise<BucketRecord> {
    if (!isValidBucketName(name)) throw new InvalidBucketName(name);
    // The constraint must name the region the request was signed for; us-east-1 takes none.
    if (caller.region === 'us-east-1') {
      if (constraint === 'us-east-1') throw new InvalidLocationConstraint();
      if (constraint && regionOf(constraint) !== caller.region) throw new IllegalLocationConstraintException(constraint);
    } else if (regionOf(constraint) !== caller.region) {
      throw new IllegalLocationConstraintException(constraint);
    }
    return this.store.write(() => {
      const existing = this.repo.bucket(name);
      if (existing) {
        if (existing.account !== caller.accountId) throw new BucketAlreadyExists(name);
        // us-east-1 keeps S3's legacy answer: re-creating your own bucket succeeds.
        if (caller.region === 'us-east-1' && existing.region === 'us-east-1') return existing;
        throw new BucketAlreadyOwnedByYou(name);
      }
      const record: BucketRecord = { name, account: caller.accountId, region: caller.region, createdAt: this.clock.now() };
      this.repo.insertBucket(record);
      return record;
    });
  }

  /** The caller's own bucket; another account's is AccessDenied (no policies yet). */
  owned(caller: Caller, name: string): BucketRecord {
    const b = this.repo.bucket(name);
    if (!b) throw new NoSuchBucket(name);
    if (b.account !== caller.accountId) throw new AccessDenied();
    return b;
  }

  head(caller: Caller, name: string): BucketRecord {
    const b = this.repo.bucket(name);
    if (!b) throw new NotFound();
    if (b.account !== caller.accountId) throw new AccessDenied('Forbidden');
    return b;
  }

  /** Deletes the bucket; `assertEmpty` runs in the same commit (BucketNotEmpty). */
  async delete(caller: Caller, name: string, assertEmpty: (bucket: string) => void): Promise<void> {
    await this.store.write(() => {
      this.owned(caller, name);
      assertEmpty(name);
      this.repo.deleteBucket(name);
    });
  }

  list(caller: Caller): BucketRecord[] {
    return this.repo.buckets(caller.accountId);
  }
}
