/** Bucket operations: CreateBucket, DeleteBucket, HeadBucket, ListBuckets, GetBucketLocation. */
import { isoTime } from './listing.js';
import { RawXml } from '../../../protocols/rest-xml.js';
import { defineOperation } from '../../../protocols/define-operation.js';
import { boolean, inHeader, inPayload, inQuery, inUri, list, string, structure } from '../../../protocols/shapes.js';
import { InvalidArgument } from '../errors.js';
import { escapeXml } from '../../../protocols/xml.js';
import { BUCKET_CANNED_ACLS, OBJECT_OWNERSHIPS } from './shapes.js';
import { requestedAcl } from '../engine/acl.js';
import type { Operation } from '../../service.js';
import type { BucketDependents, Buckets } from '../engine/buckets.js';
import type { BucketSettings } from '../engine/bucket-settings.js';

export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';


export function bucketOperations(buckets: Buckets, dependents: BucketDependents, settings?: BucketSettings): Record<string, Operation> {
  return {
    ListBuckets: defineOperation({
      http: { method: 'GET', uri: '/' },
      input: structure({
        MaxBuckets: inQuery(string(), 'max-buckets'),
        ContinuationToken: inQuery(string(), 'continuation-token'),
        Prefix: inQuery(string(), 'prefix'),
        BucketRegion: inQuery(string(), 'bucket-region'),
      }),
      output: structure({
        Buckets: list(structure({ Name: string(), CreationDate: string(), BucketRegion: string() }), { memberName: 'Bucket' }),
        Owner: structure({ ID: string(), DisplayName: string() }),
        ContinuationToken: string(),
        Prefix: string(),
      }),
      outputRoot: 'ListAllMyBucketsResult',
      handler: async (input, ctx) => {
        // max-buckets: 1 .. 10000; without it every bucket is listed on one page.
        let max: number | undefined;
        if (input.MaxBuckets !== undefined) {
          max = /^\d+$/.test(input.MaxBuckets) ? Number(input.MaxBuckets) : NaN;
          if (!(max >= 1 && max <= 10000)) throw InvalidArgument('Argument max-buckets must be an integer between 1 and 10000.', 'max-buckets', input.MaxBuckets);
        }
        let after: string | undefined;
        if (input.ContinuationToken) {
          const s = Buffer.from(input.ContinuationToken, 'base64').toString('utf8');
          if (!s.startsWith('b1:')) throw InvalidArgument('The continuation token provided is incorrect', 'continuation-token', input.ContinuationToken);
          after = s.slice(3);
        }
        const prefix = input.Prefix ?? '';
        const all = (await buckets.list(ctx)).filter(
          (b) => b.name.startsWith(prefix) && (after === undefined || b.name > after) && (input.BucketRegion === undefined || b.region === input.BucketRegion),
        );
        const page = max === undefined ? all : all.slice(0, max);
        const more = page.length < all.length;
        return {
          Buckets: page.map((b) => ({ Name: b.name, CreationDate: isoTime(b.createdAt), BucketRegion: b.region })),
          Owner: { ID: ctx.accountId, DisplayName: ctx.accountId },
          ContinuationToken: more ? Buffer.from(`b1:${page[page.length - 1]!.name}`, 'utf8').toString('base64') : undefined,
          Prefix: input.Prefix,
        };
      },
    }),
    CreateBucket: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}' },
      input: structure({
        Bucket: inUri('Bucket'),
        CreateBucketConfiguration: inPayload(structure({ LocationConstraint: string() }), 'CreateBucketConfiguration'),
        ACL: inHeader(string({ enum: BUCKET_CANNED_ACLS }), 'x-amz-acl'),
        ObjectLockEnabledForBucket: inHeader(boolean(), 'x-amz-bucket-object-lock-enabled'),
        ObjectOwnership: inHeader(string({ enum: OBJECT_OWNERSHIPS }), 'x-amz-object-ownership'),
      }),
      output: structure({ Location: inHeader(string(), 'Location') }),
      handler: async (input, ctx) => {
        const existed = buckets.exists(input.Bucket);
        const acl = requestedAcl(ctx.headers, input.ACL);
        const b = await buckets.create(ctx, input.Bucket, input.CreateBucketConfiguration?.LocationConstraint || undefined, acl, input.ObjectOwnership);
        // A bucket created with object lock has versioning enabled, for good.
        if (input.ObjectLockEnabledForBucket === true && !existed && settings) {
          await buckets.update(ctx, b.name, (r) => ({ ...r, versioning: 'Enabled' }));
          await settings.update(ctx, b.name, (s) => ({ ...s, objectLock: { enabled: true } }));
        }
        return { Location: `/${b.name}` };
      },
    }),
    DeleteBucket: defineOperation({
      http: { method: 'DELETE', uri: '/{Bucket}', code: 204 },
      input: structure({ Bucket: inUri('Bucket') }),
      handler: async (input, ctx) => {
        await buckets.delete(ctx, input.Bucket, dependents);
      },
    }),
    HeadBucket: defineOperation({
      http: { method: 'HEAD', uri: '/{Bucket}' },
      input: structure({ Bucket: inUri('Bucket') }),
      output: structure({ BucketRegion: inHeader(string(), 'x-amz-bucket-region') }),
      handler: (input, ctx) => ({ BucketRegion: buckets.head(ctx, input.Bucket).region }),
    }),
    GetBucketLocation: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}?location' },
      input: structure({ Bucket: inUri('Bucket') }),
      handler: (input, ctx) => {
        const b = buckets.owned(ctx, input.Bucket);
        // us-east-1 is reported as an empty constraint, as S3 does.
        const region = b.region === 'us-east-1' ? '' : b.region;
        return new RawXml(`<LocationConstraint xmlns="${S3_NS}">${escapeXml(region)}</LocationConstraint>`);
      },
    }),
  };
}
