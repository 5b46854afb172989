/** Bucket tagging: PutBucketTagging, GetBucketTagging, DeleteBucketTagging. */
import { MalformedXML } from '../errors.js';
import { defineOperation } from '../../../protocols/define-operation.js';
import { inUri, structure } from '../../../protocols/shapes.js';
import type { Store } from '../../../store/store.js';
import type { Operation } from '../../service.js';
import type { Buckets } from '../engine/buckets.js';
import { BucketTags, checkTags, tagSet } from '../engine/tagging.js';
import type { S3ExtrasRepo } from '../repo-extras.js';
import { checkRequestChecksum } from '../engine/checksums.js';
import { requireBody, taggingInput, taggingOutput } from './object-extras.js';
import { allHeaders, rawBody } from './shapes.js';

export interface BucketExtrasDeps {
  buckets: Buckets;
  store: Store;
  /** Shared with DeleteBucket, which removes a bucket's tags in its own commit. */
  repo: S3ExtrasRepo;
}

export function bucketExtraOperations(deps: BucketExtrasDeps): Record<string, Operation> {
  const tags = new BucketTags(deps.repo, deps.buckets, deps.store);
  return {
    PutBucketTagging: defineOperation({
      // The reference's sample answer is 204 No Content.
      http: { method: 'PUT', uri: '/{Bucket}?tagging', code: 204 },
      input: structure({ Bucket: inUri('Bucket'), Tagging: taggingInput, Body: rawBody, AllHeaders: allHeaders }),
      handler: async (input, ctx) => {
        deps.buckets.owned(ctx, input.Bucket);
        checkRequestChecksum(input.AllHeaders ?? {}, input.Body);
        const set = requireBody(input.Tagging).TagSet;
        if (set === undefined) throw MalformedXML();
        await tags.put(ctx, input.Bucket, checkTags(set, 'Bucket'));
      },
    }),
    GetBucketTagging: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}?tagging' },
      input: structure({ Bucket: inUri('Bucket') }),
      output: taggingOutput,
      outputRoot: 'Tagging',
      handler: async (input, ctx) => ({ TagSet: tagSet(await tags.get(ctx, input.Bucket)) }),
    }),
    DeleteBucketTagging: defineOperation({
      http: { method: 'DELETE', uri: '/{Bucket}?tagging', code: 204 },
      input: structure({ Bucket: inUri('Bucket') }),
      handler: async (input, ctx) => {
        await tags.delete(ctx, input.Bucket);
      },
    }),
  };
}
