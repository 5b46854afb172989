/**
 * Who may use a bucket: its policy, ACL, ownership controls and public access block (the
 * owner's configuration operations), and objects' ACLs. Enforcement is Buckets.authorize.
 */
import { parsePolicy, policyIsPublic } from '../../../lib/policy.js';
import { RestAnswer } from '../../../protocols/rest.js';
import { defineOperation } from '../../../protocols/define-operation.js';
import { boolean, inHeader, inPayload, inQuery, inUri, list, string, structure } from '../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../service.js';
import { aclXml, cannedAcl, grantsFromXml, isPublic, onlyOwnersHaveAccess, readAcl, requestedAcl, storeAcl, type AclRequest } from '../engine/acl.js';
import { versionIdOf } from '../engine/versions.js';
import type { Buckets } from '../engine/buckets.js';
import type { Objects } from '../engine/objects.js';
import {
  AccessControlListNotSupported,
  AccessDenied,
  InvalidBucketAclWithObjectOwnership,
  MalformedPolicy,
  MalformedXML,
  NoSuchBucketPolicy,
  NoSuchPublicAccessBlockConfiguration,
  OwnershipControlsNotFoundError,
  s3Error,
  UnexpectedContent,
} from '../errors.js';
import type { PublicAccessBlock } from '../repo.js';
import { BUCKET_CANNED_ACLS, OBJECT_CANNED_ACLS, OBJECT_OWNERSHIPS } from './shapes.js';

const pabShape = structure({ BlockPublicAcls: boolean(), IgnorePublicAcls: boolean(), BlockPublicPolicy: boolean(), RestrictPublicBuckets: boolean() });

/** A bucket policy as S3 accepts it: JSON, statements whose actions are S3's and resources this bucket's. */
function checkPolicy(bucket: string, text: string): void {
  if (!text.trimStart().startsWith('{')) throw MalformedPolicy("Policies must be valid JSON and the first byte must be '{'");
  let doc: ReturnType<typeof parsePolicy>;
  try {
    JSON.parse(text);
    doc = parsePolicy(text);
  } catch {
    throw MalformedPolicy("Policies must be valid JSON and the first byte must be '{'");
  }
  if (!doc || doc.Statement.length === 0) throw MalformedPolicy('Missing required field Statement');
  for (const st of doc.Statement) {
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') throw MalformedPolicy('Invalid effect: ' + String(st.Effect));
    if (st.Principal === undefined) throw MalformedPolicy('Missing required field Principal');
    const actions = [st.Action ?? st.NotAction ?? []].flat().map(String);
    if (actions.length === 0 || actions.some((a) => a !== '*' && !a.toLowerCase().startsWith('s3:'))) throw MalformedPolicy('Policy has invalid action');
    const resources = [st.Resource ?? []].flat().map(String);
    if (resources.length === 0 || resources.some((r) => !(r === `arn:aws:s3:::${bucket}` || r.startsWith(`arn:aws:s3:::${bucket}/`)))) {
      throw MalformedPolicy('Policy has invalid resource');
    }
  }
}

/** The ACL a Put*Acl request asks for: canned (x-amz-acl), x-amz-grant-* headers, or an AccessControlPolicy body (only one of them). */
function aclOfRequest(ctx: RequestContext, canned: string | undefined, body: string | undefined): AclRequest {
  const fromHeaders = requestedAcl(ctx.headers, canned);
  const hasBody = body !== undefined && body.trim() !== '';
  if (hasBody) {
    if (fromHeaders.canned !== undefined || fromHeaders.grants) throw UnexpectedContent();
    return { grants: grantsFromXml(body) };
  }
  if (fromHeaders.canned === undefined && !fromHeaders.grants) throw s3Error('MissingSecurityHeader', 400, 'Your request was missing a required header');
  return fromHeaders;
}

const ownershipShape = structure({ Rules: list(structure({ ObjectOwnership: string({ enum: OBJECT_OWNERSHIPS }) }), { flattened: true, memberName: 'Rule' }) });

export function accessOperations(buckets: Buckets): Record<string, Operation> {
  return {
    PutBucketPolicy: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}?policy', code: 204 },
      input: structure({ Bucket: inUri('Bucket'), Policy: inPayload(string()) }),
      handler: async (input, ctx) => {
        const text = input.Policy ?? '';
        // Checked once the caller is known to own the bucket: another account learns nothing from the document's errors.
        await buckets.update(ctx, input.Bucket, (b) => {
          checkPolicy(input.Bucket, text);
          if (b.publicAccessBlock?.BlockPublicPolicy && policyIsPublic(text)) throw new AccessDenied();
          return { ...b, policy: text };
        });
      },
    }),
    GetBucketPolicy: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}?policy' },
      input: structure({ Bucket: inUri('Bucket') }),
      handler: (input, ctx) => {
        const b = buckets.owned(ctx, input.Bucket);
        if (b.policy === undefined) throw NoSuchBucketPolicy(b.name);
        return new RestAnswer(200, { 'content-type': 'application/json' }, b.policy);
      },
    }),
    DeleteBucketPolicy: defineOperation({
      http: { method: 'DELETE', uri: '/{Bucket}?policy', code: 204 },
      input: structure({ Bucket: inUri('Bucket') }),
      handler: async (input, ctx) => {
        await buckets.update(ctx, input.Bucket, ({ policy: _gone, ...rest }) => rest);
      },
    }),
    GetBucketPolicyStatus: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}?policyStatus' },
      input: structure({ Bucket: inUri('Bucket') }),
      output: structure({ PolicyStatus: inPayload(structure({ IsPublic: boolean() }), 'PolicyStatus') }),
      handler: (input, ctx) => {
        const b = buckets.owned(ctx, input.Bucket);
        if (b.policy === undefined) throw NoSuchBucketPolicy(b.name);
        // Public through the policy (unless RestrictPublicBuckets) or through the bucket's ACL
        // (unless ACLs are disabled or IgnorePublicAcls).
        const block = b.publicAccessBlock;
        const byPolicy = policyIsPublic(b.policy) && !block?.RestrictPublicBuckets;
        const byAcl = b.ownership !== 'BucketOwnerEnforced' && !block?.IgnorePublicAcls && isPublic(buckets.bucketAcl(b));
        return { PolicyStatus: { IsPublic: byPolicy || byAcl } };
      },
    }),
    PutBucketAcl: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}?acl' },
      input: structure({ Bucket: inUri('Bucket'), ACL: inHeader(string({ enum: BUCKET_CANNED_ACLS }), 'x-amz-acl'), AccessControlPolicy: inPayload(string()) }),
      handler: async (input, ctx) => {
        buckets.authorize(ctx, input.Bucket, { action: 's3:PutBucketAcl' });
        const asked = aclOfRequest(ctx, input.ACL, input.AccessControlPolicy);
        await buckets.update(
          ctx,
          input.Bucket,
          (b) => {
            if (b.ownership === 'BucketOwnerEnforced') throw AccessControlListNotSupported();
            const acl = asked.grants ? { owner: b.account, grants: asked.grants } : cannedAcl(asked.canned!, b.account, b.account);
            if (b.publicAccessBlock?.BlockPublicAcls && isPublic(acl)) throw new AccessDenied();
            return { ...b, acl: JSON.stringify(acl) };
          },
          's3:PutBucketAcl',
        );
      },
    }),
    GetBucketAcl: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}?acl' },
      input: structure({ Bucket: inUri('Bucket') }),
      handler: (input, ctx) => {
        const b = buckets.authorize(ctx, input.Bucket, { action: 's3:GetBucketAcl' });
        return new RestAnswer(200, { 'content-type': 'application/xml' }, aclXml(buckets.bucketAcl(b)));
      },
    }),
    PutBucketOwnershipControls: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}?ownershipControls' },
      input: structure({ Bucket: inUri('Bucket'), OwnershipControls: inPayload(ownershipShape, 'OwnershipControls') }),
      handler: async (input, ctx) => {
        const rules = input.OwnershipControls?.Rules ?? [];
        const ownership = rules[0]?.ObjectOwnership;
        if (rules.length !== 1 || ownership === undefined) throw MalformedXML();
        await buckets.update(ctx, input.Bucket, (b) => {
          // ACLs cannot be disabled while the bucket's ACL grants anyone but its owner.
          if (ownership === 'BucketOwnerEnforced' && !onlyOwnersHaveAccess(buckets.bucketAcl(b), b.account)) throw InvalidBucketAclWithObjectOwnership();
          return { ...b, ownership };
        });
      },
    }),
    GetBucketOwnershipControls: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}?ownershipControls' },
      input: structure({ Bucket: inUri('Bucket') }),
      output: structure({ OwnershipControls: inPayload(ownershipShape, 'OwnershipControls') }),
      handler: (input, ctx) => {
        const b = buckets.owned(ctx, input.Bucket);
        if (!b.ownership) throw OwnershipControlsNotFoundError(b.name);
        return { OwnershipControls: { Rules: [{ ObjectOwnership: b.ownership }] } };
      },
    }),
    DeleteBucketOwnershipControls: defineOperation({
      http: { method: 'DELETE', uri: '/{Bucket}?ownershipControls', code: 204 },
      input: structure({ Bucket: inUri('Bucket') }),
      handler: async (input, ctx) => {
        await buckets.update(ctx, input.Bucket, ({ ownership: _gone, ...rest }) => rest);
      },
    }),
    PutPublicAccessBlock: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}?publicAccessBlock' },
      input: structure({ Bucket: inUri('Bucket'), PublicAccessBlockConfiguration: inPayload(pabShape, 'PublicAccessBlockConfiguration') }),
      handler: async (input, ctx) => {
        const c = input.PublicAccessBlockConfiguration ?? {};
        const block: PublicAccessBlock = {
          BlockPublicAcls: c.BlockPublicAcls === true,
          IgnorePublicAcls: c.IgnorePublicAcls === true,
          BlockPublicPolicy: c.BlockPublicPolicy === true,
          RestrictPublicBuckets: c.RestrictPublicBuckets === true,
        };
        await buckets.update(ctx, input.Bucket, (b) => ({ ...b, publicAccessBlock: block }));
      },
    }),
    GetPublicAccessBlock: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}?publicAccessBlock' },
      input: structure({ Bucket: inUri('Bucket') }),
      output: structure({ PublicAccessBlockConfiguration: inPayload(pabShape, 'PublicAccessBlockConfiguration') }),
      handler: (input, ctx) => {
        const b = buckets.owned(ctx, input.Bucket);
        if (!b.publicAccessBlock) throw NoSuchPublicAccessBlockConfiguration(b.name);
        return { PublicAccessBlockConfiguration: b.publicAccessBlock };
      },
    }),
    DeletePublicAccessBlock: defineOperation({
      http: { method: 'DELETE', uri: '/{Bucket}?publicAccessBlock', code: 204 },
      input: structure({ Bucket: inUri('Bucket') }),
      handler: async (input, ctx) => {
        await buckets.update(ctx, input.Bucket, ({ publicAccessBlock: _gone, ...rest }) => rest);
      },
    }),
  };
}


/**
 * Put/GetObjectAcl: an object's own ACL decides who reads it (and its ACL), whatever its
 * bucket's ACL says; its owner stays whoever owns it. Refused while ACLs are disabled.
 */
export function objectAclOperations(buckets: Buckets, objects: Objects): Record<string, Operation> {
  return {
    PutObjectAcl: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}/{Key+}?acl' },
      input: structure({
        Bucket: inUri('Bucket'),
        Key: inUri('Key'),
        ACL: inHeader(string({ enum: OBJECT_CANNED_ACLS }), 'x-amz-acl'),
        VersionId: inQuery(string(), 'versionId'),
        AccessControlPolicy: inPayload(string()),
      }),
      output: structure({ VersionId: inHeader(string(), 'x-amz-version-id') }),
      handler: async (input, ctx) => {
        const action = input.VersionId === undefined ? 's3:PutObjectAcl' : 's3:PutObjectVersionAcl';
        const r = await objects.update(
          ctx,
          input.Bucket,
          input.Key,
          (r) => {
            // Read once the caller is known to be allowed: another account learns nothing from the body's errors.
            const asked = aclOfRequest(ctx, input.ACL, input.AccessControlPolicy);
            const b = buckets.find(input.Bucket)!;
            if (b.ownership === 'BucketOwnerEnforced') throw AccessControlListNotSupported();
            const owner = readAcl(r.acl, b.account, b.account).owner;
            const acl = asked.grants ? { owner, grants: asked.grants } : cannedAcl(asked.canned!, owner, b.account);
            if (b.publicAccessBlock?.BlockPublicAcls && isPublic(acl)) throw new AccessDenied();
            const { acl: _old, ...rest } = r;
            const stored = storeAcl(acl, b.account);
            return stored === undefined ? rest : { ...rest, acl: stored };
          },
          action,
          input.VersionId,
        );
        return { VersionId: input.VersionId === undefined ? undefined : versionIdOf(r) };
      },
    }),
    GetObjectAcl: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}/{Key+}?acl' },
      input: structure({ Bucket: inUri('Bucket'), Key: inUri('Key'), VersionId: inQuery(string(), 'versionId') }),
      handler: async (input, ctx) => {
        const action = input.VersionId === undefined ? 's3:GetObjectAcl' : 's3:GetObjectVersionAcl';
        const r = await objects.get(ctx, input.Bucket, input.Key, action, input.VersionId);
        const b = buckets.find(input.Bucket)!;
        const headers: Record<string, string> = { 'content-type': 'application/xml' };
        if (input.VersionId !== undefined) headers['x-amz-version-id'] = versionIdOf(r);
        // Where ACLs are disabled the bucket's owner owns every object, with full control.
        const acl = b.ownership === 'BucketOwnerEnforced' ? cannedAcl('private', b.account, b.account) : readAcl(r.acl, b.account, b.account);
        return new RestAnswer(200, headers, aclXml(acl));
      },
    }),
  };
}
