/**
 * Who may use a bucket: its policy, canned ACL and public access block (the owner's
 * configuration operations). Enforcement is Buckets.authorize.
 */
import { parsePolicy, policyIsPublic } from '../../../lib/policy.js';
import { RestAnswer } from '../../../protocols/rest.js';
import { defineOperation } from '../../../protocols/define-operation.js';
import { boolean, inHeader, inPayload, inUri, string, structure } from '../../../protocols/shapes.js';
import type { Operation } from '../../service.js';
import type { Buckets } from '../engine/buckets.js';
import type { Objects } from '../engine/objects.js';
import { AccessDenied, MalformedPolicy, NoSuchBucketPolicy, NoSuchPublicAccessBlockConfiguration } from '../errors.js';
import type { BucketRecord, PublicAccessBlock } from '../repo.js';
import { BUCKET_CANNED_ACLS, isPublicAcl, OBJECT_CANNED_ACLS } from './shapes.js';

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

const aclXml = (b: Pick<BucketRecord, 'account' | 'acl'>) => {
  const owner = `<Owner><ID>${b.account}</ID><DisplayName>${b.account}</DisplayName></Owner>`;
  const grant = (grantee: string, permission: string) => `<Grant>${grantee}<Permission>${permission}</Permission></Grant>`;
  const ownerGrantee = `<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>${b.account}</ID><DisplayName>${b.account}</DisplayName></Grantee>`;
  const group = (uri: string) => `<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>${uri}</URI></Grantee>`;
  let grants = grant(ownerGrantee, 'FULL_CONTROL');
  const all = 'http://acs.amazonaws.com/groups/global/AllUsers';
  if (b.acl === 'public-read' || b.acl === 'public-read-write') grants += grant(group(all), 'READ');
  if (b.acl === 'public-read-write') grants += grant(group(all), 'WRITE');
  if (b.acl === 'authenticated-read') grants += grant(group('http://acs.amazonaws.com/groups/global/AuthenticatedUsers'), 'READ');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${owner}<AccessControlList>${grants}</AccessControlList></AccessControlPolicy>`;
};

export function accessOperations(buckets: Buckets): Record<string, Operation> {
  return {
    PutBucketPolicy: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}?policy', code: 204 },
      input: structure({ Bucket: inUri('Bucket'), Policy: inPayload(string()) }),
      handler: async (input, ctx) => {
        const text = input.Policy ?? '';
        checkPolicy(input.Bucket, text);
        await buckets.update(ctx, input.Bucket, (b) => {
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
        return { PolicyStatus: { IsPublic: policyIsPublic(b.policy) } };
      },
    }),
    PutBucketAcl: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}?acl' },
      input: structure({ Bucket: inUri('Bucket'), ACL: inHeader(string({ enum: BUCKET_CANNED_ACLS }), 'x-amz-acl') }),
      handler: async (input, ctx) => {
        const acl = input.ACL ?? 'private';
        await buckets.update(ctx, input.Bucket, (b) => {
          if (b.publicAccessBlock?.BlockPublicAcls && isPublicAcl(acl)) throw new AccessDenied();
          return { ...b, acl };
        });
      },
    }),
    GetBucketAcl: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}?acl' },
      input: structure({ Bucket: inUri('Bucket') }),
      handler: (input, ctx) => new RestAnswer(200, { 'content-type': 'application/xml' }, aclXml(buckets.owned(ctx, input.Bucket))),
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


/** Put/GetObjectAcl with canned ACLs: an object may be public-read while its bucket is not. */
export function objectAclOperations(buckets: Buckets, objects: Objects): Record<string, Operation> {
  return {
    PutObjectAcl: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}/{Key+}?acl' },
      input: structure({ Bucket: inUri('Bucket'), Key: inUri('Key'), ACL: inHeader(string({ enum: OBJECT_CANNED_ACLS }), 'x-amz-acl') }),
      handler: async (input, ctx) => {
        const acl = input.ACL ?? 'private';
        const b = buckets.owned(ctx, input.Bucket);
        if (b.publicAccessBlock?.BlockPublicAcls && isPublicAcl(acl)) throw new AccessDenied();
        await objects.update(ctx, input.Bucket, input.Key, (r) => ({ ...r, ...(acl === 'private' ? { acl: undefined } : { acl }) }), 's3:PutObjectAcl');
      },
    }),
    GetObjectAcl: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}/{Key+}?acl' },
      input: structure({ Bucket: inUri('Bucket'), Key: inUri('Key') }),
      handler: async (input, ctx) => {
        const b = buckets.owned(ctx, input.Bucket);
        const r = await objects.get(ctx, input.Bucket, input.Key, 's3:GetObjectAcl');
        return new RestAnswer(200, { 'content-type': 'application/xml' }, aclXml({ account: b.account, acl: r.acl ?? 'private' }));
      },
    }),
  };
}
