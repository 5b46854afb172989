/**
 * Object ownership controls: Put/Get/DeleteBucketOwnershipControls, x-amz-object-ownership on
 * CreateBucket, new buckets BucketOwnerEnforced (ACLs disabled: AccessControlListNotSupported),
 * who owns an object under BucketOwnerPreferred and ObjectWriter, and GetBucketPolicyStatus
 * counting public ACLs and policies (and the public access block).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateBucketCommand,
  DeleteBucketOwnershipControlsCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyStatusCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { rejectsWith } from '../../helpers/sqs.js';
import { createOpenBucket, signedS3Fetch } from '../../helpers/s3.js';
import { OTHER, OWNER, text, withAccounts } from '../../helpers/s3-accounts.js';

const ownership = (o: 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter') => ({ OwnershipControls: { Rules: [{ ObjectOwnership: o }] } });
/** A policy letting one account put and get objects under shared/. */
const writeFor = (account: string, bucket: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: ['s3:PutObject', 's3:GetObject'], Resource: `arn:aws:s3:::${bucket}/shared/*` }],
  });

describe('S3 object ownership', () => {
  test('a new bucket is BucketOwnerEnforced: ACLs are disabled, reading them still works', () =>
    withAccounts(async ({ t, owner }) => {
      await owner.send(new CreateBucketCommand({ Bucket: 'fresh' }));
      const got = await owner.send(new GetBucketOwnershipControlsCommand({ Bucket: 'fresh' }));
      assert.deepEqual(got.OwnershipControls?.Rules, [{ ObjectOwnership: 'BucketOwnerEnforced' }]);
      await rejectsWith(owner.send(new PutBucketAclCommand({ Bucket: 'fresh', ACL: 'public-read' })), 'AccessControlListNotSupported', 'The bucket does not allow ACLs');
      await rejectsWith(owner.send(new PutObjectCommand({ Bucket: 'fresh', Key: 'k', Body: 'x', ACL: 'public-read' })), 'AccessControlListNotSupported');
      await rejectsWith(owner.send(new PutObjectCommand({ Bucket: 'fresh', Key: 'k', Body: 'x', GrantRead: `id="${OTHER}"` })), 'AccessControlListNotSupported');
      // bucket-owner-full-control (or no ACL) is what such a bucket accepts.
      await owner.send(new PutObjectCommand({ Bucket: 'fresh', Key: 'k', Body: 'x', ACL: 'bucket-owner-full-control' }));
      await rejectsWith(owner.send(new PutObjectAclCommand({ Bucket: 'fresh', Key: 'k', ACL: 'private' })), 'AccessControlListNotSupported');
      const acl = await owner.send(new GetBucketAclCommand({ Bucket: 'fresh' }));
      assert.deepEqual(acl.Grants?.map((g) => [g.Grantee?.ID, g.Permission]), [[OWNER, 'FULL_CONTROL']]);
      assert.equal((await owner.send(new GetObjectAclCommand({ Bucket: 'fresh', Key: 'k' }))).Owner?.ID, OWNER);
      // CreateBucket with a public ACL and ACLs disabled is refused; ObjectWriter takes an ACL.
      await rejectsWith(owner.send(new CreateBucketCommand({ Bucket: 'fresh-2', ACL: 'public-read' })), 'InvalidBucketAclWithObjectOwnership');
      await owner.send(new CreateBucketCommand({ Bucket: 'fresh-2', ACL: 'private', ObjectOwnership: 'ObjectWriter' }));
      assert.equal((await owner.send(new GetBucketOwnershipControlsCommand({ Bucket: 'fresh-2' }))).OwnershipControls?.Rules?.[0]?.ObjectOwnership, 'ObjectWriter');
      const bad = await signedS3Fetch(t, 'PUT', '/fresh-3', {}, { 'x-amz-object-ownership': 'Nobody' });
      assert.equal(bad.status, 400);
      assert.match(bad.body, /<Code>InvalidArgument<\/Code>/);
    }));

  test('a new bucket blocks all public access, as on S3 since April 2023: no public ACL at creation, no public policy or ACL until the owner lifts the block', () =>
    withAccounts(async ({ owner, anonymous }) => {
      await owner.send(new CreateBucketCommand({ Bucket: 'blocked', ObjectOwnership: 'ObjectWriter' }));
      const block = await owner.send(new GetPublicAccessBlockCommand({ Bucket: 'blocked' }));
      assert.deepEqual(block.PublicAccessBlockConfiguration, { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
      await rejectsWith(
        owner.send(new CreateBucketCommand({ Bucket: 'born-public', ACL: 'public-read', ObjectOwnership: 'ObjectWriter' })),
        'InvalidBucketAclWithBlockPublicAccessError',
        'Bucket cannot have public ACLs set with BlockPublicAccess enabled',
      );
      await rejectsWith(owner.send(new CreateBucketCommand({ Bucket: 'born-public', GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AllUsers"', ObjectOwnership: 'ObjectWriter' })), 'InvalidBucketAclWithBlockPublicAccessError');
      const publicRead = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::blocked/*' }] });
      await rejectsWith(owner.send(new PutBucketPolicyCommand({ Bucket: 'blocked', Policy: publicRead })), 'AccessDenied');
      await rejectsWith(owner.send(new PutBucketAclCommand({ Bucket: 'blocked', ACL: 'public-read' })), 'AccessDenied');
      await owner.send(new PutObjectCommand({ Bucket: 'blocked', Key: 'k', Body: 'x' }));
      await rejectsWith(owner.send(new PutObjectAclCommand({ Bucket: 'blocked', Key: 'k', ACL: 'public-read' })), 'AccessDenied');
      // Lifting the block lets the owner share.
      await owner.send(new DeletePublicAccessBlockCommand({ Bucket: 'blocked' }));
      await rejectsWith(owner.send(new GetPublicAccessBlockCommand({ Bucket: 'blocked' })), 'NoSuchPublicAccessBlockConfiguration');
      await owner.send(new PutBucketPolicyCommand({ Bucket: 'blocked', Policy: publicRead }));
      assert.equal(await (await anonymous('/blocked/k')).text(), 'x');
    }));

  test('Put, Get and Delete of ownership controls; who owns what another account writes under each setting', () =>
    withAccounts(async ({ t, owner, other }) => {
      await createOpenBucket(owner, { Bucket: 'box' });
      await owner.send(new PutBucketPolicyCommand({ Bucket: 'box', Policy: writeFor(OTHER, 'box') }));
      // Enforced: the bucket's owner owns everything, and reads it.
      await other.send(new PutObjectCommand({ Bucket: 'box', Key: 'shared/a', Body: 'a' }));
      assert.equal((await owner.send(new GetObjectAclCommand({ Bucket: 'box', Key: 'shared/a' }))).Owner?.ID, OWNER);
      assert.equal(await text(await owner.send(new GetObjectCommand({ Bucket: 'box', Key: 'shared/a' }))), 'a');
      // Preferred: bucket-owner-full-control hands the object over; without it the writer keeps it.
      await owner.send(new PutBucketOwnershipControlsCommand({ Bucket: 'box', ...ownership('BucketOwnerPreferred') }));
      await other.send(new PutObjectCommand({ Bucket: 'box', Key: 'shared/b', Body: 'b', ACL: 'bucket-owner-full-control' }));
      await other.send(new PutObjectCommand({ Bucket: 'box', Key: 'shared/c', Body: 'c' }));
      assert.equal((await owner.send(new GetObjectAclCommand({ Bucket: 'box', Key: 'shared/b' }))).Owner?.ID, OWNER);
      assert.equal((await other.send(new GetObjectAclCommand({ Bucket: 'box', Key: 'shared/c' }))).Owner?.ID, OTHER);
      await rejectsWith(owner.send(new GetObjectCommand({ Bucket: 'box', Key: 'shared/c' })), 'AccessDenied');
      // ObjectWriter: the writer owns it even with bucket-owner-full-control (which grants the bucket's owner).
      await owner.send(new PutBucketOwnershipControlsCommand({ Bucket: 'box', ...ownership('ObjectWriter') }));
      await other.send(new PutObjectCommand({ Bucket: 'box', Key: 'shared/d', Body: 'd', ACL: 'bucket-owner-full-control' }));
      assert.equal((await other.send(new GetObjectAclCommand({ Bucket: 'box', Key: 'shared/d' }))).Owner?.ID, OTHER);
      assert.equal(await text(await owner.send(new GetObjectCommand({ Bucket: 'box', Key: 'shared/d' }))), 'd');
      // Back to enforced: ACLs stop counting, so the bucket's owner reads shared/c again.
      await owner.send(new PutBucketOwnershipControlsCommand({ Bucket: 'box', ...ownership('BucketOwnerEnforced') }));
      assert.equal(await text(await owner.send(new GetObjectCommand({ Bucket: 'box', Key: 'shared/c' }))), 'c');
      const enforcedAcl = await owner.send(new GetObjectAclCommand({ Bucket: 'box', Key: 'shared/c' }));
      assert.deepEqual([enforcedAcl.Owner?.ID, enforcedAcl.Grants?.map((g) => [g.Grantee?.ID, g.Permission])], [OWNER, [[OWNER, 'FULL_CONTROL']]]);
      // Deleted: none (objects are then their writers', as under ObjectWriter).
      await owner.send(new DeleteBucketOwnershipControlsCommand({ Bucket: 'box' }));
      await rejectsWith(owner.send(new GetBucketOwnershipControlsCommand({ Bucket: 'box' })), 'OwnershipControlsNotFoundError', 'The bucket ownership controls were not found');
      await rejectsWith(owner.send(new GetObjectCommand({ Bucket: 'box', Key: 'shared/c' })), 'AccessDenied');
      // Listings name each object's owner.
      const listed = await owner.send(new ListObjectsV2Command({ Bucket: 'box', FetchOwner: true }));
      assert.deepEqual(listed.Contents?.map((o) => [o.Key, o.Owner?.ID]), [['shared/a', OWNER], ['shared/b', OWNER], ['shared/c', OTHER], ['shared/d', OTHER]]);
      assert.deepEqual((await owner.send(new ListObjectsCommand({ Bucket: 'box' }))).Contents?.map((o) => o.Owner?.ID), [OWNER, OWNER, OTHER, OTHER]);
      // ACLs cannot be disabled while the bucket's ACL grants others; a rule list must have one rule.
      await owner.send(new PutBucketAclCommand({ Bucket: 'box', ACL: 'public-read' }));
      await rejectsWith(
        owner.send(new PutBucketOwnershipControlsCommand({ Bucket: 'box', ...ownership('BucketOwnerEnforced') })),
        'InvalidBucketAclWithObjectOwnership',
        "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
      );
      const none = await signedS3Fetch(t, 'PUT', '/box', { ownershipControls: '' }, {}, '<OwnershipControls xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></OwnershipControls>');
      assert.match(none.body, /<Code>MalformedXML<\/Code>/);
      // Only the owner configures them.
      await rejectsWith(other.send(new PutBucketOwnershipControlsCommand({ Bucket: 'box', ...ownership('ObjectWriter') })), 'AccessDenied');
    }));

  test('GetBucketPolicyStatus counts a public policy and a public bucket ACL, unless the public access block or disabled ACLs make them not count', () =>
    withAccounts(async ({ owner }) => {
      await createOpenBucket(owner, { Bucket: 'status', ObjectOwnership: 'ObjectWriter' });
      await rejectsWith(owner.send(new GetBucketPolicyStatusCommand({ Bucket: 'status' })), 'NoSuchBucketPolicy');
      await owner.send(new PutBucketPolicyCommand({ Bucket: 'status', Policy: writeFor(OTHER, 'status') }));
      const isPublic = async () => (await owner.send(new GetBucketPolicyStatusCommand({ Bucket: 'status' }))).PolicyStatus?.IsPublic;
      assert.equal(await isPublic(), false);
      await owner.send(new PutBucketAclCommand({ Bucket: 'status', ACL: 'authenticated-read' }));
      assert.equal(await isPublic(), true, 'a public ACL');
      await owner.send(new PutPublicAccessBlockCommand({ Bucket: 'status', PublicAccessBlockConfiguration: { IgnorePublicAcls: true } }));
      assert.equal(await isPublic(), false, 'ignored public ACLs');
      await owner.send(
        new PutBucketPolicyCommand({ Bucket: 'status', Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::status/*' }] }) }),
      );
      assert.equal(await isPublic(), true, 'a public policy');
      await owner.send(new PutPublicAccessBlockCommand({ Bucket: 'status', PublicAccessBlockConfiguration: { IgnorePublicAcls: true, RestrictPublicBuckets: true } }));
      assert.equal(await isPublic(), false, 'restricted public buckets');
    }));
});
