/**
 * ACLs enforced as S3 enforces them (buckets with ACLs enabled, ObjectOwnership ObjectWriter):
 * an object's own ACL decides who reads it, the bucket's who lists and writes it; grants to
 * accounts (canonical ids) and S3's groups (e-mail grantees refused as S3 refuses them now), by canned ACLs, x-amz-grant-*
 * headers and AccessControlPolicy bodies; Get*Acl lists them as S3 does.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetBucketAclCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  UploadPartCommand,
  type Grant,
} from '@aws-sdk/client-s3';
import { rejectsWith } from '../../helpers/sqs.js';
import { signedS3Fetch } from '../../helpers/s3.js';
import { OTHER, OWNER, text, THIRD, withAccounts } from '../../helpers/s3-accounts.js';

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';

/** Grants as [who, permission], who being an id or a group's URI. */
const grantList = (grants: Grant[] | undefined) => (grants ?? []).map((g) => [g.Grantee?.Type, g.Grantee?.ID ?? g.Grantee?.URI, g.Permission]);

describe('S3 ACLs', () => {
  test('a private object in a public-read bucket is readable by no other account and not anonymously; a public-read object is', () =>
    withAccounts(async ({ owner, other, anonymous }) => {
      await owner.send(new CreateBucketCommand({ Bucket: 'pub', ObjectOwnership: 'ObjectWriter', ACL: 'public-read' }));
      await owner.send(new PutObjectCommand({ Bucket: 'pub', Key: 'private.txt', Body: 'mine' }));
      await owner.send(new PutObjectCommand({ Bucket: 'pub', Key: 'open.txt', Body: 'everyone', ACL: 'public-read' }));
      // The bucket's READ lets anyone list it...
      const listed = await anonymous('/pub?list-type=2');
      assert.equal(listed.status, 200);
      assert.match(await listed.text(), /<Key>private.txt<\/Key>/);
      assert.deepEqual((await other.send(new ListObjectsV2Command({ Bucket: 'pub' }))).Contents?.map((o) => o.Key), ['open.txt', 'private.txt']);
      assert.equal((await other.send(new HeadBucketCommand({ Bucket: 'pub' }))).$metadata.httpStatusCode, 200);
      assert.equal((await anonymous('/pub', { method: 'HEAD' })).status, 200);
      // ...but not read its objects: each object's own ACL decides.
      assert.equal((await anonymous('/pub/private.txt')).status, 403);
      await rejectsWith(other.send(new GetObjectCommand({ Bucket: 'pub', Key: 'private.txt' })), 'AccessDenied');
      assert.equal(await (await anonymous('/pub/open.txt')).text(), 'everyone');
      assert.equal(await text(await other.send(new GetObjectCommand({ Bucket: 'pub', Key: 'open.txt' }))), 'everyone');
      // READ is not WRITE; nor does READ on an object give its ACL.
      await rejectsWith(other.send(new PutObjectCommand({ Bucket: 'pub', Key: 'x', Body: 'x' })), 'AccessDenied');
      await rejectsWith(other.send(new GetObjectAclCommand({ Bucket: 'pub', Key: 'open.txt' })), 'AccessDenied');
      // authenticated-read: any signed caller, never anonymous.
      await owner.send(new PutObjectAclCommand({ Bucket: 'pub', Key: 'private.txt', ACL: 'authenticated-read' }));
      assert.equal(await text(await other.send(new GetObjectCommand({ Bucket: 'pub', Key: 'private.txt' }))), 'mine');
      assert.equal((await anonymous('/pub/private.txt')).status, 403);
    }));

  test('x-amz-grant-* headers grant accounts by canonical id, and groups; GetObjectAcl lists them as S3 does', () =>
    withAccounts(async ({ t, owner, other, third, anonymous }) => {
      await owner.send(new CreateBucketCommand({ Bucket: 'grants', ObjectOwnership: 'ObjectWriter' }));
      await owner.send(
        new PutObjectCommand({
          Bucket: 'grants',
          Key: 'doc',
          Body: 'shared',
          GrantRead: `id="${OTHER}", uri="${ALL_USERS}"`,
          GrantReadACP: `id="${THIRD}"`,
          GrantWriteACP: `id="${THIRD}"`,
        }),
      );
      const acl = await owner.send(new GetObjectAclCommand({ Bucket: 'grants', Key: 'doc' }));
      assert.deepEqual(acl.Owner, { ID: OWNER, DisplayName: OWNER });
      // Headers grant exactly what they name (the owner's FULL_CONTROL is not added), in header order.
      assert.deepEqual(grantList(acl.Grants), [
        ['CanonicalUser', OTHER, 'READ'],
        ['Group', ALL_USERS, 'READ'],
        ['CanonicalUser', THIRD, 'READ_ACP'],
        ['CanonicalUser', THIRD, 'WRITE_ACP'],
      ]);
      // The wire form: each Grantee with its xsi:type; a user with its DisplayName, a group by URI.
      const raw = await signedS3Fetch(t, 'GET', '/grants/doc', { acl: '' });
      assert.match(raw.body, /<Grant><Grantee xmlns:xsi="http:\/\/www.w3.org\/2001\/XMLSchema-instance" xsi:type="CanonicalUser"><ID>111111111111<\/ID><DisplayName>111111111111<\/DisplayName><\/Grantee><Permission>READ<\/Permission><\/Grant>/);
      assert.match(raw.body, /xsi:type="Group"><URI>http:\/\/acs.amazonaws.com\/groups\/global\/AllUsers<\/URI><\/Grantee><Permission>READ<\/Permission>/);
      assert.equal(await text(await other.send(new GetObjectCommand({ Bucket: 'grants', Key: 'doc' }))), 'shared');
      assert.equal(await (await anonymous('/grants/doc')).text(), 'shared');
      // READ_ACP reads the ACL; READ does not.
      assert.equal((await third.send(new GetObjectAclCommand({ Bucket: 'grants', Key: 'doc' }))).Grants?.length, 4);
      await rejectsWith(other.send(new GetObjectAclCommand({ Bucket: 'grants', Key: 'doc' })), 'AccessDenied');
      // WRITE_ACP lets the third account change it: it takes the public grant away, and the owner stays the owner.
      await third.send(new PutObjectAclCommand({ Bucket: 'grants', Key: 'doc', GrantRead: `id="${OTHER}"` }));
      assert.equal((await anonymous('/grants/doc')).status, 403);
      const after = await owner.send(new GetObjectAclCommand({ Bucket: 'grants', Key: 'doc' }));
      assert.equal(after.Owner?.ID, OWNER);
      assert.deepEqual(grantList(after.Grants), [['CanonicalUser', OTHER, 'READ']]);
      // The owner keeps its ACL rights whatever the grants say.
      await owner.send(new PutObjectAclCommand({ Bucket: 'grants', Key: 'doc', ACL: 'private' }));
      await rejectsWith(third.send(new PutObjectAclCommand({ Bucket: 'grants', Key: 'doc', ACL: 'public-read' })), 'AccessDenied');
      await rejectsWith(other.send(new GetObjectCommand({ Bucket: 'grants', Key: 'doc' })), 'AccessDenied');
    }));

  test('bad grants get S3 errors', () =>
    withAccounts(async ({ t, owner }) => {
      await owner.send(new CreateBucketCommand({ Bucket: 'bad', ObjectOwnership: 'ObjectWriter' }));
      const put = (extra: object) => owner.send(new PutObjectCommand({ Bucket: 'bad', Key: 'k', Body: 'x', ...extra }));
      await rejectsWith(put({ ACL: 'public-read', GrantRead: `id="${OTHER}"` }), 'InvalidRequest', 'Specifying both Canned ACLs and Header Grants is not allowed');
      await rejectsWith(put({ GrantRead: 'uri="http://acs.amazonaws.com/groups/global/Everybody"' }), 'InvalidArgument', 'Invalid group uri');
      await rejectsWith(put({ GrantRead: 'id="not-an-account"' }), 'InvalidArgument', 'Invalid id');
      await rejectsWith(put({ GrantRead: 'account=12' }), 'InvalidArgument', 'Argument format not recognized');
      // E-mail grantees: S3 ended them on 1 October 2025 and answers 405 since, by header or by body.
      const notAllowed = 'The specified method is not allowed against this resource.';
      await rejectsWith(put({ GrantRead: `emailAddress="${OTHER}@example.com"` }), 'MethodNotAllowed', notAllowed);
      await put({});
      await rejectsWith(owner.send(new PutObjectAclCommand({ Bucket: 'bad', Key: 'k', GrantRead: `id="${OTHER}", emailAddress="someone@example.com"` })), 'MethodNotAllowed', notAllowed);
      const byEmail = { Grantee: { Type: 'AmazonCustomerByEmail' as const, EmailAddress: `${OTHER}@example.com` }, Permission: 'READ' as const };
      await assert.rejects(owner.send(new PutBucketAclCommand({ Bucket: 'bad', AccessControlPolicy: { Owner: { ID: OWNER }, Grants: [byEmail] } })), (e: { name: string; $metadata: { httpStatusCode?: number } }) => {
        assert.equal(e.name, 'MethodNotAllowed');
        assert.equal(e.$metadata.httpStatusCode, 405);
        return true;
      });
      assert.deepEqual(grantList((await owner.send(new GetBucketAclCommand({ Bucket: 'bad' }))).Grants), [['CanonicalUser', OWNER, 'FULL_CONTROL']]);
      await rejectsWith(
        owner.send(new PutBucketAclCommand({ Bucket: 'bad', AccessControlPolicy: { Owner: { ID: OWNER }, Grants: [{ Grantee: { Type: 'Group', URI: 'http://example.com/group' }, Permission: 'READ' }] } })),
        'InvalidArgument',
        'Invalid group uri',
      );
      // A body that is no AccessControlPolicy, and a Put*Acl that asks for nothing.
      const nope = await signedS3Fetch(t, 'PUT', '/bad', { acl: '' }, {}, '<Nope/>');
      assert.match(nope.body, /<Code>MalformedACLError<\/Code>/);
      const nothing = await signedS3Fetch(t, 'PUT', '/bad', { acl: '' });
      assert.match(nothing.body, /<Code>MissingSecurityHeader<\/Code>/);
    }));

  test('an AccessControlPolicy body on a bucket: WRITE lets another account put objects it then owns, READ_ACP and WRITE_ACP the bucket ACL; LogDelivery is listed', () =>
    withAccounts(async ({ t, owner, other, third }) => {
      await owner.send(new CreateBucketCommand({ Bucket: 'drop', ObjectOwnership: 'ObjectWriter' }));
      await owner.send(
        new PutBucketAclCommand({
          Bucket: 'drop',
          AccessControlPolicy: {
            Owner: { ID: OWNER },
            Grants: [
              { Grantee: { Type: 'CanonicalUser', ID: OWNER }, Permission: 'FULL_CONTROL' },
              { Grantee: { Type: 'CanonicalUser', ID: OTHER }, Permission: 'WRITE' },
              { Grantee: { Type: 'CanonicalUser', ID: OTHER }, Permission: 'READ' },
              { Grantee: { Type: 'CanonicalUser', ID: THIRD }, Permission: 'READ_ACP' },
              { Grantee: { Type: 'Group', URI: LOG_DELIVERY }, Permission: 'WRITE' },
            ],
          },
        }),
      );
      const acl = await owner.send(new GetBucketAclCommand({ Bucket: 'drop' }));
      assert.deepEqual(acl.Owner, { ID: OWNER, DisplayName: OWNER });
      assert.deepEqual(grantList(acl.Grants), [
        ['CanonicalUser', OWNER, 'FULL_CONTROL'],
        ['CanonicalUser', OTHER, 'WRITE'],
        ['CanonicalUser', OTHER, 'READ'],
        ['CanonicalUser', THIRD, 'READ_ACP'],
        ['Group', LOG_DELIVERY, 'WRITE'],
      ]);
      // WRITE: the other account writes (and lists, by READ); the object is its own (ObjectWriter).
      await other.send(new PutObjectCommand({ Bucket: 'drop', Key: 'upload.txt', Body: 'from other' }));
      await other.send(new PutObjectCommand({ Bucket: 'drop', Key: 'handed-over.txt', Body: 'for the owner', ACL: 'bucket-owner-full-control' }));
      assert.deepEqual((await other.send(new ListObjectsV2Command({ Bucket: 'drop' }))).Contents?.map((o) => o.Key), ['handed-over.txt', 'upload.txt']);
      const objectAcl = await other.send(new GetObjectAclCommand({ Bucket: 'drop', Key: 'upload.txt' }));
      assert.equal(objectAcl.Owner?.ID, OTHER);
      // The bucket's owner cannot read an object another account owns unless its ACL says so.
      await rejectsWith(owner.send(new GetObjectCommand({ Bucket: 'drop', Key: 'upload.txt' })), 'AccessDenied');
      assert.equal(await text(await owner.send(new GetObjectCommand({ Bucket: 'drop', Key: 'handed-over.txt' }))), 'for the owner');
      assert.deepEqual(grantList((await owner.send(new GetObjectAclCommand({ Bucket: 'drop', Key: 'handed-over.txt' }))).Grants), [
        ['CanonicalUser', OTHER, 'FULL_CONTROL'],
        ['CanonicalUser', OWNER, 'FULL_CONTROL'],
      ]);
      // READ_ACP reads the bucket's ACL, nothing more; without WRITE_ACP it cannot change it.
      assert.equal((await third.send(new GetBucketAclCommand({ Bucket: 'drop' }))).Grants?.length, 5);
      await rejectsWith(third.send(new ListObjectsV2Command({ Bucket: 'drop' })), 'AccessDenied');
      await rejectsWith(third.send(new PutBucketAclCommand({ Bucket: 'drop', ACL: 'public-read-write' })), 'AccessDenied');
      await rejectsWith(other.send(new GetBucketAclCommand({ Bucket: 'drop' })), 'AccessDenied');
      // A malformed body is MalformedACLError; canned and body together are refused.
      const bad = await signedS3Fetch(t, 'PUT', '/drop', { acl: '' }, {}, '<AccessControlPolicy><AccessControlList/></AccessControlPolicy>');
      assert.equal(bad.status, 400);
      assert.match(bad.body, /<Code>MalformedACLError<\/Code>/);
      const both = await signedS3Fetch(t, 'PUT', '/drop', { acl: '' }, { 'x-amz-acl': 'private' }, `<AccessControlPolicy><Owner><ID>${OWNER}</ID></Owner></AccessControlPolicy>`);
      assert.match(both.body, /<Code>UnexpectedContent<\/Code>/);
      // A canned ACL replaces the grants.
      await owner.send(new PutBucketAclCommand({ Bucket: 'drop', ACL: 'private' }));
      await rejectsWith(other.send(new PutObjectCommand({ Bucket: 'drop', Key: 'more', Body: 'x' })), 'AccessDenied');
    }));

  test('multipart uploads and copies take the ACL asked for; a copy does not take its source\'s', () =>
    withAccounts(async ({ owner, other, anonymous }) => {
      await owner.send(new CreateBucketCommand({ Bucket: 'parts', ObjectOwnership: 'ObjectWriter' }));
      const upload = await owner.send(new CreateMultipartUploadCommand({ Bucket: 'parts', Key: 'big', ACL: 'public-read' }));
      const part = await owner.send(new UploadPartCommand({ Bucket: 'parts', Key: 'big', UploadId: upload.UploadId, PartNumber: 1, Body: 'whole' }));
      assert.equal((await anonymous('/parts/big')).status, 403, 'nothing there yet');
      await owner.send(new CompleteMultipartUploadCommand({ Bucket: 'parts', Key: 'big', UploadId: upload.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
      assert.equal(await (await anonymous('/parts/big')).text(), 'whole');
      // A copy of a public object is private unless the copy asks otherwise.
      await owner.send(new CopyObjectCommand({ Bucket: 'parts', Key: 'copy', CopySource: 'parts/big' }));
      assert.equal((await anonymous('/parts/copy')).status, 403);
      await owner.send(new CopyObjectCommand({ Bucket: 'parts', Key: 'shared-copy', CopySource: 'parts/big', GrantRead: `id="${OTHER}"` }));
      assert.equal(await text(await other.send(new GetObjectCommand({ Bucket: 'parts', Key: 'shared-copy' }))), 'whole');
      // Where ACLs are disabled, the upload is refused when it is created.
      await owner.send(new CreateBucketCommand({ Bucket: 'enforced' }));
      await rejectsWith(owner.send(new CreateMultipartUploadCommand({ Bucket: 'enforced', Key: 'big', ACL: 'public-read' })), 'AccessControlListNotSupported');
    }));

  test('AllUsers WRITE (public-read-write) lets anyone put and delete, and an anonymous upload is the anonymous owner\'s', () =>
    withAccounts(async ({ owner, anonymous }) => {
      await owner.send(new CreateBucketCommand({ Bucket: 'wall', ObjectOwnership: 'ObjectWriter', ACL: 'public-read-write' }));
      assert.equal((await anonymous('/wall/note.txt', { method: 'PUT', body: 'graffiti' })).status, 200);
      const acl = await owner.send(new GetBucketAclCommand({ Bucket: 'wall' }));
      assert.deepEqual(grantList(acl.Grants), [['CanonicalUser', OWNER, 'FULL_CONTROL'], ['Group', ALL_USERS, 'READ'], ['Group', ALL_USERS, 'WRITE']]);
      // The anonymous writer owns it: not even the bucket's owner reads it (S3's own caveat)...
      await rejectsWith(owner.send(new GetObjectCommand({ Bucket: 'wall', Key: 'note.txt' })), 'AccessDenied');
      assert.equal((await anonymous('/wall/note.txt')).status, 403);
      // ...but the bucket's owner deletes it, and so may anyone with WRITE.
      assert.equal((await anonymous('/wall/note.txt', { method: 'DELETE' })).status, 204);
      assert.equal((await owner.send(new ListObjectsV2Command({ Bucket: 'wall' }))).KeyCount, 0);
      // AuthenticatedUsers READ is not anonymous READ.
      await owner.send(new PutBucketAclCommand({ Bucket: 'wall', GrantRead: `uri="${AUTHENTICATED}"` }));
      assert.equal((await anonymous('/wall?list-type=2')).status, 403);
      assert.equal((await anonymous('/wall/x', { method: 'PUT', body: 'x' })).status, 403);
    }));
});
