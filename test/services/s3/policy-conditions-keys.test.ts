/**
 * The bucket policy condition keys S3 documents: s3:ExistingObjectTag/<key>,
 * s3:RequestObjectTag/<key>, s3:RequestObjectTagKeys (with ForAllValues/ForAnyValue),
 * s3:x-amz-server-side-encryption, s3:x-amz-copy-source, s3:x-amz-acl, s3:x-amz-grant-*, the
 * ...IfExists operators; a missing key is 404 only with s3:ListBucket; and
 * x-amz-expected-bucket-owner (x-amz-source-expected-bucket-owner for a copy's source).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  PutBucketVersioningCommand,
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { rejectsWith } from '../../helpers/sqs.js';
import { OTHER, OWNER, text, withAccounts } from '../../helpers/s3-accounts.js';
import { createOpenBucket } from '../../helpers/s3.js';

const policy = (bucket: string, statements: object[]) => ({ Bucket: bucket, Policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }) });
const other = { AWS: `arn:aws:iam::${OTHER}:root` };

/** HEAD answers have no body: the SDK names them by status. */
async function headStatus(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (e) {
    return (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
  }
}

describe('S3 bucket policy conditions', () => {
  test('s3:ExistingObjectTag, s3:RequestObjectTag and s3:RequestObjectTagKeys', () =>
    withAccounts(async ({ owner, other: intruder }) => {
      await owner.send(new CreateBucketCommand({ Bucket: 'tags' }));
      await owner.send(
        new PutBucketPolicyCommand(
          policy('tags', [
            // Reads only of objects tagged class=public.
            { Effect: 'Allow', Principal: other, Action: 's3:GetObject', Resource: 'arn:aws:s3:::tags/*', Condition: { StringEquals: { 's3:ExistingObjectTag/class': 'public' } } },
            // Writes only tagged project=apollo, and with no tag keys but project and class.
            {
              Effect: 'Allow',
              Principal: other,
              Action: ['s3:PutObject', 's3:PutObjectTagging'],
              Resource: 'arn:aws:s3:::tags/*',
              Condition: { StringEquals: { 's3:RequestObjectTag/project': 'apollo' }, 'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': ['project', 'class'] } },
            },
          ]),
        ),
      );
      await owner.send(new PutObjectCommand({ Bucket: 'tags', Key: 'open', Body: 'open', Tagging: 'class=public' }));
      await owner.send(new PutObjectCommand({ Bucket: 'tags', Key: 'closed', Body: 'closed', Tagging: 'class=secret' }));
      assert.equal(await text(await intruder.send(new GetObjectCommand({ Bucket: 'tags', Key: 'open' }))), 'open');
      await rejectsWith(intruder.send(new GetObjectCommand({ Bucket: 'tags', Key: 'closed' })), 'AccessDenied');
      // PutObject's x-amz-tagging.
      await intruder.send(new PutObjectCommand({ Bucket: 'tags', Key: 'a', Body: 'a', Tagging: 'project=apollo&class=public' }));
      await rejectsWith(intruder.send(new PutObjectCommand({ Bucket: 'tags', Key: 'b', Body: 'b', Tagging: 'project=gemini' })), 'AccessDenied');
      await rejectsWith(intruder.send(new PutObjectCommand({ Bucket: 'tags', Key: 'b', Body: 'b', Tagging: 'project=apollo&owner=me' })), 'AccessDenied');
      await rejectsWith(intruder.send(new PutObjectCommand({ Bucket: 'tags', Key: 'b', Body: 'b' })), 'AccessDenied');
      // PutObjectTagging's body.
      await intruder.send(new PutObjectTaggingCommand({ Bucket: 'tags', Key: 'a', Tagging: { TagSet: [{ Key: 'project', Value: 'apollo' }] } }));
      await rejectsWith(intruder.send(new PutObjectTaggingCommand({ Bucket: 'tags', Key: 'a', Tagging: { TagSet: [{ Key: 'project', Value: 'x' }] } })), 'AccessDenied');
      // The object now lacks class=public: not readable any more.
      await rejectsWith(intruder.send(new GetObjectCommand({ Bucket: 'tags', Key: 'a' })), 'AccessDenied');
    }));

  test('s3:x-amz-server-side-encryption, s3:x-amz-acl, s3:x-amz-grant-*, s3:x-amz-copy-source and ...IfExists', () =>
    withAccounts(async ({ owner, other: intruder }) => {
      await owner.send(new CreateBucketCommand({ Bucket: 'rules', ObjectOwnership: 'ObjectWriter' }));
      await owner.send(new PutObjectCommand({ Bucket: 'rules', Key: 'src/one', Body: 'one' }));
      await owner.send(
        new PutBucketPolicyCommand(
          policy('rules', [
            // Uploads must ask for encryption (an explicit Deny binds the owner too).
            { Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::rules/*', Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } } },
            { Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::rules/*', Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'AES256' } } },
            // The other account writes only handing the object over, and copies only from src/.
            { Effect: 'Allow', Principal: other, Action: 's3:PutObject', Resource: 'arn:aws:s3:::rules/in/*', Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } } },
            { Effect: 'Allow', Principal: other, Action: 's3:PutObject', Resource: 'arn:aws:s3:::rules/grants/*', Condition: { StringEquals: { 's3:x-amz-grant-full-control': `id="${OWNER}"` } } },
            { Effect: 'Allow', Principal: other, Action: 's3:PutObject', Resource: 'arn:aws:s3:::rules/copies/*', Condition: { StringLike: { 's3:x-amz-copy-source': ['rules/src/*', '/rules/src/*'] } } },
            { Effect: 'Allow', Principal: other, Action: 's3:GetObject', Resource: 'arn:aws:s3:::rules/src/*' },
          ]),
        ),
      );
      await rejectsWith(owner.send(new PutObjectCommand({ Bucket: 'rules', Key: 'plain', Body: 'x' })), 'AccessDenied');
      await rejectsWith(owner.send(new PutObjectCommand({ Bucket: 'rules', Key: 'kms', Body: 'x', ServerSideEncryption: 'aws:kms' })), 'AccessDenied');
      await owner.send(new PutObjectCommand({ Bucket: 'rules', Key: 'sealed', Body: 'x', ServerSideEncryption: 'AES256' }));
      const sse = { ServerSideEncryption: 'AES256' as const };
      await intruder.send(new PutObjectCommand({ Bucket: 'rules', Key: 'in/a', Body: 'a', ACL: 'bucket-owner-full-control', ...sse }));
      await rejectsWith(intruder.send(new PutObjectCommand({ Bucket: 'rules', Key: 'in/b', Body: 'b', ...sse })), 'AccessDenied');
      await rejectsWith(intruder.send(new PutObjectCommand({ Bucket: 'rules', Key: 'in/b', Body: 'b', ACL: 'private', ...sse })), 'AccessDenied');
      await intruder.send(new PutObjectCommand({ Bucket: 'rules', Key: 'grants/a', Body: 'a', GrantFullControl: `id="${OWNER}"`, ...sse }));
      await rejectsWith(intruder.send(new PutObjectCommand({ Bucket: 'rules', Key: 'grants/b', Body: 'b', GrantRead: `id="${OWNER}"`, ...sse })), 'AccessDenied');
      await intruder.send(new CopyObjectCommand({ Bucket: 'rules', Key: 'copies/one', CopySource: 'rules/src/one', ...sse }));
      await rejectsWith(intruder.send(new CopyObjectCommand({ Bucket: 'rules', Key: 'copies/two', CopySource: 'rules/sealed', ...sse })), 'AccessDenied');
      await rejectsWith(intruder.send(new PutObjectCommand({ Bucket: 'rules', Key: 'copies/three', Body: 'not a copy', ...sse })), 'AccessDenied');
    }));

  test('a missing key is 404 to a caller who may list the bucket, 403 to one who may only read objects', () =>
    withAccounts(async ({ owner, other: intruder, anonymous }) => {
      await createOpenBucket(owner, { Bucket: 'quiet' });
      const read = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::quiet/*' };
      await owner.send(new PutBucketPolicyCommand(policy('quiet', [read])));
      assert.equal(await headStatus(owner.send(new HeadObjectCommand({ Bucket: 'quiet', Key: 'missing' }))), 404);
      assert.equal(await headStatus(intruder.send(new HeadObjectCommand({ Bucket: 'quiet', Key: 'missing' }))), 403);
      await rejectsWith(intruder.send(new GetObjectCommand({ Bucket: 'quiet', Key: 'missing' })), 'AccessDenied');
      assert.equal((await anonymous('/quiet/missing')).status, 403);
      await owner.send(new PutBucketPolicyCommand(policy('quiet', [read, { Effect: 'Allow', Principal: other, Action: 's3:ListBucket', Resource: 'arn:aws:s3:::quiet' }])));
      assert.equal(await headStatus(intruder.send(new HeadObjectCommand({ Bucket: 'quiet', Key: 'missing' }))), 404);
      await rejectsWith(intruder.send(new GetObjectCommand({ Bucket: 'quiet', Key: 'missing' })), 'NoSuchKey');
      assert.equal((await anonymous('/quiet/missing')).status, 403, 'the listing grant was the other account\'s only');
    }));

  test('x-amz-expected-bucket-owner on every operation, x-amz-source-expected-bucket-owner for a copy', () =>
    withAccounts(async ({ owner }) => {
      await owner.send(new CreateBucketCommand({ Bucket: 'mine' }));
      await owner.send(new PutObjectCommand({ Bucket: 'mine', Key: 'k', Body: 'v' }));
      await owner.send(new PutBucketPolicyCommand(policy('mine', [{ Effect: 'Allow', Principal: other, Action: 's3:GetObject', Resource: 'arn:aws:s3:::mine/*' }])));
      const wrong = { ExpectedBucketOwner: OTHER };
      const right = { ExpectedBucketOwner: OWNER };
      await rejectsWith(owner.send(new GetObjectCommand({ Bucket: 'mine', Key: 'k', ...wrong })), 'AccessDenied');
      await rejectsWith(owner.send(new PutObjectCommand({ Bucket: 'mine', Key: 'k2', Body: 'x', ...wrong })), 'AccessDenied');
      await rejectsWith(owner.send(new ListObjectsV2Command({ Bucket: 'mine', ...wrong })), 'AccessDenied');
      await rejectsWith(owner.send(new GetBucketAclCommand({ Bucket: 'mine', ...wrong })), 'AccessDenied');
      await rejectsWith(owner.send(new GetBucketPolicyCommand({ Bucket: 'mine', ...wrong })), 'AccessDenied');
      assert.equal(await headStatus(owner.send(new HeadBucketCommand({ Bucket: 'mine', ...wrong }))), 403);
      await rejectsWith(owner.send(new DeleteObjectsCommand({ Bucket: 'mine', Delete: { Objects: [{ Key: 'k' }] }, ...wrong })), 'AccessDenied');
      await rejectsWith(owner.send(new CreateMultipartUploadCommand({ Bucket: 'mine', Key: 'big', ...wrong })), 'AccessDenied');
      await rejectsWith(owner.send(new PutBucketVersioningCommand({ Bucket: 'mine', VersioningConfiguration: { Status: 'Enabled' }, ...wrong })), 'AccessDenied');
      assert.equal(await text(await owner.send(new GetObjectCommand({ Bucket: 'mine', Key: 'k', ...right }))), 'v');
      await owner.send(new HeadBucketCommand({ Bucket: 'mine', ...right }));
      await owner.send(new GetBucketPolicyCommand({ Bucket: 'mine', ...right }));
      // A copy: the destination's owner and the source's, each by its own header.
      await owner.send(new CreateBucketCommand({ Bucket: 'yours' }));
      await owner.send(new CopyObjectCommand({ Bucket: 'yours', Key: 'k', CopySource: 'mine/k', ...right, ExpectedSourceBucketOwner: OWNER }));
      await rejectsWith(owner.send(new CopyObjectCommand({ Bucket: 'yours', Key: 'k', CopySource: 'mine/k', ...right, ExpectedSourceBucketOwner: OTHER })), 'AccessDenied');
      await rejectsWith(owner.send(new CopyObjectCommand({ Bucket: 'yours', Key: 'k', CopySource: 'mine/k', ...wrong, ExpectedSourceBucketOwner: OWNER })), 'AccessDenied');
    }));
});
