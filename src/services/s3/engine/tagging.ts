/**
 * Tags on objects and buckets: the rules both share, the `x-amz-tagging` header form
 * (PutObject, CopyObject with REPLACE), and the bucket tag sets, which live in their own table.
 *
 * Limits (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html): up to 10
 * tags per object and 50 per bucket, unique keys of 1 to 128 characters, values of 0 to 256,
 * counted in UTF-16 code units as S3 counts them (JavaScript's `length`). The characters allowed
 * are Unicode letters, numbers and spaces and `_ . : / = + - @`; keys starting `aws:` are
 * reserved for AWS. Refusals are worded as S3 words them: InvalidTag naming the tag, and a plain
 * InvalidTag for too many object tags (BadRequest for a bucket's).
 */
import { MalformedXML } from '../errors.js';
import type { Store } from '../../../store/store.js';
import { InvalidArgument, InvalidTag, NoSuchTagSet, TooManyTags } from '../errors.js';
import type { S3ExtrasRepo } from '../repo-extras.js';
import type { Buckets, Caller } from './buckets.js';

export type Tags = Record<string, string>;
/** A tag set as it arrives in XML: elements may be missing. */
export type TagList = Array<{ Key?: string; Value?: string }>;

export const MAX_OBJECT_TAGS = 10;
export const MAX_BUCKET_TAGS = 50;
const MAX_KEY = 128;
const MAX_VALUE = 256;
const ALLOWED = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;


/** Checks a tag set from a request and returns it as a map; `what` picks the count limit. */
export function checkTags(list: TagList, what: 'Object' | 'Bucket'): Tags {
  // Entries, not assignments: a tag key may be `__proto__`.
  const entries: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const { Key: key, Value: value } of list) {
    // Both elements are required by S3's schema; an empty <Value/> is a value.
    if (key === undefined || value === undefined) throw MalformedXML();
    if (key.length < 1 || key.length > MAX_KEY || !ALLOWED.test(key)) throw InvalidTag('The TagKey you have provided is invalid', { TagKey: key });
    if (key.toLowerCase().startsWith('aws:')) throw InvalidTag('System tags cannot be added/updated by requester', { TagKey: key });
    if (value.length > MAX_VALUE || !ALLOWED.test(value)) throw InvalidTag('The TagValue you have provided is invalid', { TagKey: key, TagValue: value });
    if (seen.has(key)) throw InvalidTag('Cannot provide multiple Tags with the same key', { TagKey: key });
    seen.add(key);
    entries.push([key, value]);
  }
  const max = what === 'Object' ? MAX_OBJECT_TAGS : MAX_BUCKET_TAGS;
  if (entries.length > max) throw TooManyTags(what, max);
  return Object.fromEntries(entries);
}

/**
 * The `x-amz-tagging` header: URL query parameters (`k1=v1&k2`), `+` for a space, percent
 * escapes of UTF-8. A key without `=` holds the empty value. A pair without a key, an escape
 * that is not UTF-8 or a repeated key is refused as S3 refuses it, naming the header.
 */
export function parseTaggingHeader(header: string): Tags {
  const bad = () =>
    InvalidArgument(
      "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.",
      'x-amz-tagging',
      header,
    );
  const list: TagList = [];
  const seen = new Set<string>();
  for (const pair of header.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
      value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      throw bad();
    }
    if (key === '' || seen.has(key)) throw bad();
    seen.add(key);
    list.push({ Key: key, Value: value });
  }
  return checkTags(list, 'Object');
}

/** A tag map as S3's TagSet, in key order (S3 does not keep the order tags were given in). */
export function tagSet(tags: Tags): Array<{ Key: string; Value: string }> {
  return Object.keys(tags)
    .sort()
    .map((Key) => ({ Key, Value: tags[Key]! }));
}

/**
 * Bucket tag sets. A set is stored with the creation time of the bucket it belongs to, so a
 * bucket deleted and created again never shows the tags of its namesake.
 */
export class BucketTags {
  constructor(
    private readonly repo: S3ExtrasRepo,
    private readonly buckets: Buckets,
    private readonly store: Store,
  ) {}

  /** The bucket's tags, or NoSuchTagSet. */
  async get(caller: Caller, bucket: string): Promise<Tags> {
    const b = this.buckets.owned(caller, bucket);
    const tags = await this.repo.bucketTags(b.name, b.createdAt);
    if (!tags) throw new NoSuchTagSet(bucket);
    return tags;
  }

  /** Replaces the tag set; an empty set removes it, as S3 documents. */
  async put(caller: Caller, bucket: string, tags: Tags): Promise<void> {
    await this.store.write(async (tx) => {
      const b = await this.buckets.ownedIn(tx, caller, bucket);
      if (Object.keys(tags).length === 0) await this.repo.deleteBucketTags(tx, b.name);
      else await this.repo.putBucketTags(tx, b.name, b.createdAt, tags);
    });
  }

  async delete(caller: Caller, bucket: string): Promise<void> {
    await this.store.write(async (tx) => {
      await this.buckets.ownedIn(tx, caller, bucket);
      await this.repo.deleteBucketTags(tx, bucket);
    });
  }
}
