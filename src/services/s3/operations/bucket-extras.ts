/** Bucket tagging: PutBucketTagging, GetBucketTagging, DeleteBucketTagging. */
import { MalformedXML } from '../errors.js';
import { inUri, structure } from '../../../protocols/shapes.js';
import type { SqliteStore as Store } from '../../../store/sqlite.js'; // transitional: the service moves to the Store contract
import type { Operation } from '../../service.js';
import type { Buckets } from '../engine/buckets.js';
import { BucketTags, checkTags, tagSet, type TagList } from '../engine/tagging.js';
import { SqliteS3ExtrasRepo, type S3ExtrasRepo } from '../repo-extras.sqlite.js';
import { checkRequestChecksum } from '../engine/checksums.js';
import { allHeaders, rawBody, requireBody, taggingInput, taggingOutput } from './object-extras.js';

export interface BucketExtrasDeps {
  buckets: Buckets;
  /** Migrated with S3_EXTRAS_MIGRATIONS (component `s3-extras`). */
  store: Store;
  /** Shared with DeleteBucket, which removes a bucket's tags in its own commit; made here if absent. */
  repo?: S3ExtrasRepo;
}

export function bucketExtraOperations(deps: BucketExtrasDeps): Record<string, Operation> {
  const tags = new BucketTags(deps.repo ?? new SqliteS3ExtrasRepo(deps.store.db), deps.buckets, deps.store);
  return {
    PutBucketTagging: {
      // The reference's sample answer is 204 No Content.
      http: { method: 'PUT', uri: '/{Bucket}?tagging', code: 204 },
      input: structure({ Bucket: inUri('Bucket'), Tagging: taggingInput, Body: rawBody, AllHeaders: allHeaders }),
      handler: async (input: { Bucket: string; Tagging?: { TagSet?: TagList }; Body: Buffer; AllHeaders?: Record<string, string> }, ctx) => {
        deps.buckets.owned(ctx, input.Bucket);
        checkRequestChecksum(input.AllHeaders ?? {}, input.Body);
        const set = requireBody(input.Tagging).TagSet;
        if (set === undefined) throw MalformedXML();
        await tags.put(ctx, input.Bucket, checkTags(set, 'Bucket'));
      },
    },
    GetBucketTagging: {
      http: { method: 'GET', uri: '/{Bucket}?tagging' },
      input: structure({ Bucket: inUri('Bucket') }),
      output: taggingOutput,
      outputRoot: 'Tagging',
      handler: (input: { Bucket: string }, ctx) => ({ TagSet: tagSet(tags.get(ctx, input.Bucket)) }),
    },
    DeleteBucketTagging: {
      http: { method: 'DELETE', uri: '/{Bucket}?tagging', code: 204 },
      input: structure({ Bucket: inUri('Bucket') }),
      handler: async (input: { Bucket: string }, ctx) => {
        await tags.delete(ctx, input.Bucket);
      },
    },
  };
}
