/**
 * The declared shapes of S3's operations: values outside the model's enumerations and ranges
 * are refused at decode time, before any resource is looked up, each with S3's own error
 * (not the "validation error detected" wording of the JSON services); values inside them pass.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectAclCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketWebsiteCommand,
  PutObjectAclCommand,
  PutBucketOwnershipControlsCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { rejectsWith } from '../../helpers/sqs.js';
import { signedS3Fetch, withBucket } from '../../helpers/s3.js';

describe('S3 declared shapes', () => {
  test('StorageClass, object lock mode and legal hold: the model values pass, others are refused in S3 words', () =>
    withBucket(async (c) => {
      for (const StorageClass of ['STANDARD', 'GLACIER_IR', 'INTELLIGENT_TIERING'] as const) {
        await c.send(new PutObjectCommand({ Bucket: 'data', Key: `k-${StorageClass}`, Body: 'x', StorageClass }));
      }
      const bad = { Bucket: 'data', Key: 'k', Body: 'x' };
      await rejectsWith(c.send(new PutObjectCommand({ ...bad, StorageClass: 'COLD' as never })), 'InvalidStorageClass', 'The storage class you specified is not valid');
      await rejectsWith(c.send(new CopyObjectCommand({ Bucket: 'data', Key: 'copy', CopySource: 'data/k-STANDARD', StorageClass: 'COLD' as never })), 'InvalidStorageClass');
      await rejectsWith(c.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'k', StorageClass: 'COLD' as never })), 'InvalidStorageClass');
      await rejectsWith(c.send(new PutObjectCommand({ ...bad, ObjectLockMode: 'FOREVER' as never })), 'InvalidArgument', 'Unknown wormMode directive.');
      await rejectsWith(c.send(new PutObjectCommand({ ...bad, ObjectLockLegalHoldStatus: 'MAYBE' as never })), 'InvalidArgument', "Legal Hold must be either of 'ON' or 'OFF'");
    }));

  test('refusals come before the resource is looked up, and name the argument', () =>
    withBucket(async (_c, t) => {
      // No such bucket, but the header is wrong first.
      const r = await signedS3Fetch(t, 'PUT', '/missing/k', {}, { 'x-amz-storage-class': 'COLD' }, 'x');
      assert.equal(r.status, 400);
      assert.match(r.body, /<Code>InvalidStorageClass<\/Code>/);
      const mode = await signedS3Fetch(t, 'PUT', '/data/k', {}, { 'x-amz-object-lock-mode': 'abc' }, 'x');
      assert.match(mode.body, /<Code>InvalidArgument<\/Code><Message>Unknown wormMode directive.<\/Message><ArgumentName>x-amz-object-lock-mode<\/ArgumentName><ArgumentValue>abc<\/ArgumentValue>/);
      const enc = await signedS3Fetch(t, 'GET', '/missing', { 'list-type': '2', 'encoding-type': 'base64' });
      assert.match(enc.body, /<Code>InvalidArgument<\/Code><Message>Invalid Encoding Method specified in Request<\/Message><ArgumentName>encoding-type<\/ArgumentName>/);
    }));

  test('object canned ACLs: the model has seven; the owner-only ones grant as private does', () =>
    withBucket(async (c) => {
      // ACLs are enabled (new buckets have them disabled, as S3's do).
      await c.send(new PutBucketOwnershipControlsCommand({ Bucket: 'data', OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }));
      await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'k', Body: 'x', ACL: 'bucket-owner-full-control' }));
      await c.send(new PutObjectAclCommand({ Bucket: 'data', Key: 'k', ACL: 'bucket-owner-read' }));
      const acl = await c.send(new GetObjectAclCommand({ Bucket: 'data', Key: 'k' }));
      assert.deepEqual(acl.Grants?.map((g) => g.Permission), ['FULL_CONTROL']);
      await rejectsWith(c.send(new PutObjectAclCommand({ Bucket: 'data', Key: 'k', ACL: 'everyone' as never })), 'InvalidArgument');
      // BlockPublicAcls refuses public grants only.
      await c.send(new PutPublicAccessBlockCommand({ Bucket: 'data', PublicAccessBlockConfiguration: { BlockPublicAcls: true } }));
      await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'k2', Body: 'x', ACL: 'bucket-owner-full-control' }));
      await rejectsWith(c.send(new PutObjectCommand({ Bucket: 'data', Key: 'k3', Body: 'x', ACL: 'authenticated-read' })), 'AccessDenied');
    }));

  test('counts: max-keys and max-parts out of range, with S3 arguments', () =>
    withBucket(async (c) => {
      await rejectsWith(c.send(new ListObjectsV2Command({ Bucket: 'data', MaxKeys: -1 })), 'InvalidArgument', 'Argument maxKeys must be an integer between 0 and 2147483647');
      const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'm' }));
      await rejectsWith(c.send(new ListPartsCommand({ Bucket: 'data', Key: 'm', UploadId, MaxParts: -5 })), 'InvalidArgument', 'Argument max-parts must be an integer between 0 and 2147483647');
      const listed = await c.send(new ListPartsCommand({ Bucket: 'data', Key: 'm', UploadId, MaxParts: 5000 }));
      assert.equal(listed.MaxParts, 1000);
      await rejectsWith(
        c.send(new CompleteMultipartUploadCommand({ Bucket: 'data', Key: 'm', UploadId, ChecksumType: 'PARTIAL' as never, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: 'x' }] } })),
        'InvalidRequest',
        'Value for x-amz-checksum-type header is invalid.',
      );
    }));

  test('an XML body outside the model is MalformedXML: transition storage class, website protocol', () =>
    withBucket(async (c) => {
      const rule = { ID: 'r', Status: 'Enabled' as const, Filter: { Prefix: '' }, Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' as const }] };
      await c.send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'data', LifecycleConfiguration: { Rules: [rule] } }));
      const cold = { ...rule, Transitions: [{ Days: 30, StorageClass: 'COLD' as never }] };
      await rejectsWith(c.send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'data', LifecycleConfiguration: { Rules: [cold] } })), 'MalformedXML');
      await rejectsWith(
        c.send(new PutBucketWebsiteCommand({ Bucket: 'data', WebsiteConfiguration: { RedirectAllRequestsTo: { HostName: 'example.com', Protocol: 'gopher' as never } } })),
        'MalformedXML',
      );
      await c.send(new PutBucketWebsiteCommand({ Bucket: 'data', WebsiteConfiguration: { RedirectAllRequestsTo: { HostName: 'example.com', Protocol: 'https' } } }));
    }));
});
