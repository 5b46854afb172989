/**
 * Default bucket encryption: PutBucketEncryption, GetBucketEncryption, DeleteBucketEncryption.
 * Every bucket has one since January 2023: SSE-S3 until configured otherwise, and again after
 * DeleteBucketEncryption. https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html
 */
import { defineOperation } from '../../../protocols/define-operation.js';
import { boolean, inPayload, inUri, list, string, structure } from '../../../protocols/shapes.js';
import type { Operation } from '../../service.js';
import type { BucketSettings } from '../engine/bucket-settings.js';
import type { Buckets } from '../engine/buckets.js';
import { checkRequestChecksum } from '../engine/checksums.js';
import { SSE_ALGORITHMS, type BucketEncryption } from '../engine/sse.js';
import { InvalidArgument, MalformedXML } from '../errors.js';
import { requireBody } from './object-extras.js';
import { allHeaders, rawBody } from './shapes.js';

const rule = structure({
  ApplyServerSideEncryptionByDefault: structure({ SSEAlgorithm: string({ enum: SSE_ALGORITHMS }), KMSMasterKeyID: string() }),
  BucketKeyEnabled: boolean(),
});
const configuration = structure({ Rules: list(rule, { flattened: true, memberName: 'Rule' }) });

/** S3's default: SSE-S3, no bucket key. */
const DEFAULT: BucketEncryption = { algorithm: 'AES256', bucketKey: false };

export function encryptionOperations(deps: { buckets: Buckets; settings: BucketSettings }): Record<string, Operation> {
  const { buckets, settings } = deps;
  return {
    PutBucketEncryption: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}?encryption' },
      input: structure({
        Bucket: inUri('Bucket'),
        ServerSideEncryptionConfiguration: inPayload(configuration, 'ServerSideEncryptionConfiguration'),
        Body: rawBody,
        AllHeaders: allHeaders,
      }),
      handler: async (input, ctx) => {
        buckets.owned(ctx, input.Bucket);
        checkRequestChecksum(input.AllHeaders ?? {}, input.Body);
        const rules = requireBody(input.ServerSideEncryptionConfiguration).Rules ?? [];
        // Exactly one rule, as S3 keeps it.
        if (rules.length !== 1) throw MalformedXML();
        const r = rules[0]!;
        const byDefault = r.ApplyServerSideEncryptionByDefault;
        if (byDefault && byDefault.SSEAlgorithm === undefined) throw MalformedXML();
        const algorithm = byDefault?.SSEAlgorithm ?? 'AES256';
        const kmsKeyId = byDefault?.KMSMasterKeyID;
        if (kmsKeyId !== undefined && algorithm === 'AES256') {
          throw InvalidArgument('a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse', 'ApplyServerSideEncryptionByDefault', '');
        }
        // S3 does not check the KMS key here: a bad one fails the writes that use it.
        const encryption: BucketEncryption = { algorithm, ...(kmsKeyId !== undefined ? { kmsKeyId } : {}), bucketKey: r.BucketKeyEnabled === true };
        await settings.update(ctx, input.Bucket, (s) => ({ ...s, encryption }));
      },
    }),
    GetBucketEncryption: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}?encryption' },
      input: structure({ Bucket: inUri('Bucket') }),
      output: configuration,
      outputRoot: 'ServerSideEncryptionConfiguration',
      handler: (input, ctx) => {
        buckets.owned(ctx, input.Bucket);
        const e = settings.get(input.Bucket)?.encryption ?? DEFAULT;
        return {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: e.algorithm, ...(e.kmsKeyId !== undefined ? { KMSMasterKeyID: e.kmsKeyId } : {}) },
              BucketKeyEnabled: e.bucketKey,
            },
          ],
        };
      },
    }),
    DeleteBucketEncryption: defineOperation({
      http: { method: 'DELETE', uri: '/{Bucket}?encryption', code: 204 },
      input: structure({ Bucket: inUri('Bucket') }),
      handler: async (input, ctx) => {
        await settings.update(ctx, input.Bucket, ({ encryption: _e, ...rest }) => rest);
      },
    }),
  };
}
