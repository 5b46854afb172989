/**
 * Access control lists as S3 keeps them: an owner and a list of grants, each a grantee (an
 * account by canonical id, or one of S3's groups) and one permission. Set by canned ACLs
 * (`x-amz-acl`), `x-amz-grant-*` headers or an `AccessControlPolicy` body; listed by
 * Get{Bucket,Object}Acl; consulted by Buckets.authorize. An account's canonical id in Nimbus
 * is its account id (what Owner/ID says everywhere). E-mail grantees are resolved to their
 * account when granted, and listed as that account, as S3 does.
 *
 * Stored form (the `acl` column): a canned ACL's name (rows written before full ACLs), or
 * this module's JSON; an object without one is private to its bucket's owner.
 *
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html
 */
import { XMLParser } from 'fast-xml-parser';
import { escapeXml } from '../../../protocols/xml.js';
import { InvalidArgument, InvalidRequest, s3Error } from '../errors.js';

export type Permission = 'FULL_CONTROL' | 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP';
const PERMISSIONS: readonly Permission[] = ['FULL_CONTROL', 'READ', 'WRITE', 'READ_ACP', 'WRITE_ACP'];

export type Grantee = { type: 'CanonicalUser'; id: string } | { type: 'Group'; uri: string };
export interface Grant {
  grantee: Grantee;
  permission: Permission;
}
export interface Acl {
  /** The owner's canonical id (account id). */
  owner: string;
  grants: Grant[];
}

export const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
export const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
export const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';
const GROUPS = new Set([ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY]);
/** The canonical id S3 gives anonymous writers (an object a public-write bucket took from anyone). */
export const ANONYMOUS_ID = '65a011a29cdf8ec533ec3d1ccaae921c';

/** S3's limit on grants in one ACL. */
const MAX_GRANTS = 100;

/** What a request asks for: a canned ACL, or explicit grants (headers or body), or nothing. */
export interface AclRequest {
  canned?: string;
  grants?: Grant[];
}

const user = (id: string): Grantee => ({ type: 'CanonicalUser', id });
const group = (uri: string): Grantee => ({ type: 'Group', uri });

/** A canned ACL's grants for a resource of `owner` in a bucket of `bucketOwner` (the model's names, checked at decode time). */
export function cannedAcl(name: string, owner: string, bucketOwner: string): Acl {
  const grants: Grant[] = [{ grantee: user(owner), permission: 'FULL_CONTROL' }];
  const add = (grantee: Grantee, permission: Permission) => grants.push({ grantee, permission });
  if (name === 'public-read' || name === 'public-read-write') add(group(ALL_USERS), 'READ');
  if (name === 'public-read-write') add(group(ALL_USERS), 'WRITE');
  if (name === 'authenticated-read') add(group(AUTHENTICATED_USERS), 'READ');
  if (name === 'log-delivery-write') {
    add(group(LOG_DELIVERY), 'WRITE');
    add(group(LOG_DELIVERY), 'READ_ACP');
  }
  if (name === 'bucket-owner-read' && bucketOwner !== owner) add(user(bucketOwner), 'READ');
  if (name === 'bucket-owner-full-control' && bucketOwner !== owner) add(user(bucketOwner), 'FULL_CONTROL');
  return { owner, grants };
}

/** Reads a stored ACL; `defaultOwner` owns one stored before owners were kept (or none: private). */
export function readAcl(stored: string | undefined, defaultOwner: string, bucketOwner: string): Acl {
  if (!stored) return cannedAcl('private', defaultOwner, bucketOwner);
  if (stored.startsWith('{')) return JSON.parse(stored) as Acl;
  return cannedAcl(stored, defaultOwner, bucketOwner);
}

/** The stored form; an object's private ACL owned by its bucket's owner is stored as nothing. */
export function storeAcl(acl: Acl, bucketOwner?: string): string | undefined {
  const g = acl.grants;
  if (bucketOwner === acl.owner && g.length === 1 && g[0]!.permission === 'FULL_CONTROL' && g[0]!.grantee.type === 'CanonicalUser' && g[0]!.grantee.id === acl.owner) {
    return undefined;
  }
  return JSON.stringify(acl);
}

/** Whether the ACL grants anyone beyond named accounts (AllUsers, AuthenticatedUsers): BlockPublicAcls refuses these. */
export function isPublic(acl: Acl): boolean {
  return acl.grants.some((g) => g.grantee.type === 'Group' && (g.grantee.uri === ALL_USERS || g.grantee.uri === AUTHENTICATED_USERS));
}

/** Whether the ACL grants exactly what the canned bucket-owner-full-control (or private, for the bucket's owner) does. */
export function onlyOwnersHaveAccess(acl: Acl, bucketOwner: string): boolean {
  return acl.grants.every((g) => g.grantee.type === 'CanonicalUser' && (g.grantee.id === acl.owner || (g.grantee.id === bucketOwner && g.permission === 'FULL_CONTROL')));
}

/** Who asks, for grant matching. */
export interface Requester {
  accountId: string;
  anonymous?: boolean;
}

/** Whether the ACL gives the requester `permission` (FULL_CONTROL gives all); public grants left out when ignored. */
export function aclAllows(acl: Acl, permission: Permission, who: Requester, ignorePublic: boolean): boolean {
  return acl.grants.some((g) => {
    if (g.permission !== permission && g.permission !== 'FULL_CONTROL') return false;
    const e = g.grantee;
    if (e.type === 'CanonicalUser') return !who.anonymous && e.id === who.accountId;
    if (ignorePublic) return false;
    if (e.uri === ALL_USERS) return true;
    if (e.uri === AUTHENTICATED_USERS) return !who.anonymous;
    return false; // LogDelivery: no request of a caller is the log delivery service's
  });
}

/**
 * What an ACL permission gives, by action, as the ACL overview's table maps them: on an
 * object, READ reads it and READ_ACP / WRITE_ACP its ACL; on a bucket, READ lists it, WRITE
 * writes and deletes objects in it, READ_ACP / WRITE_ACP its ACL. Other actions (tagging,
 * configuration) no ACL grants.
 */
export const OBJECT_PERMISSION: Record<string, Permission> = {
  's3:GetObject': 'READ',
  's3:GetObjectVersion': 'READ',
  's3:GetObjectAttributes': 'READ',
  's3:GetObjectVersionAttributes': 'READ',
  's3:GetObjectTorrent': 'READ',
  's3:GetObjectAcl': 'READ_ACP',
  's3:GetObjectVersionAcl': 'READ_ACP',
  's3:PutObjectAcl': 'WRITE_ACP',
  's3:PutObjectVersionAcl': 'WRITE_ACP',
};
export const BUCKET_PERMISSION: Record<string, Permission> = {
  's3:ListBucket': 'READ',
  's3:ListBucketVersions': 'READ',
  's3:ListBucketMultipartUploads': 'READ',
  's3:PutObject': 'WRITE',
  's3:DeleteObject': 'WRITE',
  's3:DeleteObjectVersion': 'WRITE',
  's3:AbortMultipartUpload': 'WRITE',
  's3:GetBucketAcl': 'READ_ACP',
  's3:PutBucketAcl': 'WRITE_ACP',
};

/**
 * S3 stopped taking e-mail grantees on 1 October 2025: a request that names one (header
 * `emailAddress="…"` or an `AmazonCustomerByEmail` grantee) is answered 405 in the regions that
 * had them, and the others never had them. Nimbus answers so in every region.
 */
const EmailGranteeNotSupported = () => s3Error('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.');
export const MalformedACLError = () =>
  s3Error('MalformedACLError', 400, 'The XML you provided was not well-formed or did not validate against our published schema');

function checkedGrantee(kind: string, value: string, argument: { name: string; value: string }): Grantee {
  switch (kind.toLowerCase()) {
    case 'id':
      if (!/^\d{12}$/.test(value) && value !== ANONYMOUS_ID) throw InvalidArgument('Invalid id', argument.name, argument.value);
      return user(value);
    case 'uri':
      if (!GROUPS.has(value)) throw InvalidArgument('Invalid group uri', argument.name, argument.value);
      return group(value);
    case 'emailaddress':
      throw EmailGranteeNotSupported();
    default:
      throw InvalidArgument('Argument format not recognized', argument.name, argument.value);
  }
}

const GRANT_HEADERS: Array<[string, Permission]> = [
  ['x-amz-grant-full-control', 'FULL_CONTROL'],
  ['x-amz-grant-read', 'READ'],
  ['x-amz-grant-read-acp', 'READ_ACP'],
  ['x-amz-grant-write', 'WRITE'],
  ['x-amz-grant-write-acp', 'WRITE_ACP'],
];

/**
 * The grants of the `x-amz-grant-*` headers (`id="…", uri="…", emailAddress="…"`, comma
 * separated), or undefined when none is sent; with `x-amz-acl` too, S3's InvalidRequest.
 */
export function grantsFromHeaders(headers: Record<string, string | string[] | undefined> | undefined): Grant[] | undefined {
  if (!headers) return undefined;
  let grants: Grant[] | undefined;
  for (const [name, permission] of GRANT_HEADERS) {
    const raw = headers[name];
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(',') : raw;
    grants ??= [];
    for (const part of value.split(',')) {
      if (part.trim() === '') continue;
      const m = /^\s*([A-Za-z]+)\s*=\s*(?:"([^"]*)"|([^\s"]+))\s*$/.exec(part);
      if (!m) throw InvalidArgument('Argument format not recognized', name, value);
      grants.push({ grantee: checkedGrantee(m[1]!, m[2] ?? m[3]!, { name, value }), permission });
    }
  }
  if (grants && headers['x-amz-acl'] !== undefined) throw InvalidRequest('Specifying both Canned ACLs and Header Grants is not allowed');
  if (grants && grants.length > MAX_GRANTS) throw s3Error('MalformedACLError', 400, 'The request contains too many grants');
  return grants;
}

const aclParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, parseTagValue: false, trimValues: true, ignoreDeclaration: true, processEntities: true });

const asList = (v: unknown): unknown[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** An AccessControlPolicy body: its grants (the Owner element must be there; S3 keeps the resource's own owner). */
export function grantsFromXml(xml: string): Grant[] {
  let doc: Record<string, unknown>;
  try {
    doc = aclParser.parse(xml, true) as Record<string, unknown>;
  } catch {
    throw MalformedACLError();
  }
  const policy = doc.AccessControlPolicy as Record<string, unknown> | undefined;
  if (!policy || typeof policy !== 'object') throw MalformedACLError();
  const owner = policy.Owner as Record<string, unknown> | undefined;
  if (!owner || typeof owner !== 'object' || text(owner.ID) === undefined) throw MalformedACLError();
  const list = policy.AccessControlList;
  if (list !== undefined && list !== '' && typeof list !== 'object') throw MalformedACLError();
  const grants: Grant[] = [];
  for (const g of asList((list as Record<string, unknown> | undefined)?.Grant)) {
    if (!g || typeof g !== 'object') throw MalformedACLError();
    const { Grantee: e, Permission: p } = g as Record<string, unknown>;
    const permission = text(p) as Permission | undefined;
    if (!permission || !PERMISSIONS.includes(permission) || !e || typeof e !== 'object') throw MalformedACLError();
    const grantee = e as Record<string, unknown>;
    const type = text(grantee['@type']);
    const id = text(grantee.ID);
    const uri = text(grantee.URI);
    const email = text(grantee.EmailAddress);
    const argument = { name: 'CanonicalUser/ID', value: id ?? '' };
    if (type === 'CanonicalUser' && id !== undefined) grants.push({ grantee: checkedGrantee('id', id, argument), permission });
    else if (type === 'Group' && uri !== undefined) grants.push({ grantee: checkedGrantee('uri', uri, { name: 'Group/URI', value: uri }), permission });
    else if (type === 'AmazonCustomerByEmail' && email !== undefined) grants.push({ grantee: checkedGrantee('emailaddress', email, argument), permission });
    else throw MalformedACLError();
  }
  if (grants.length > MAX_GRANTS) throw s3Error('MalformedACLError', 400, 'The request contains too many grants');
  return grants;
}

const XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

/** GetBucketAcl / GetObjectAcl: Owner, then each grant with its Grantee's xsi:type, as S3 lists them. */
export function aclXml(acl: Acl): string {
  const id = escapeXml(acl.owner);
  let grants = '';
  for (const g of acl.grants) {
    const e = g.grantee;
    const grantee =
      e.type === 'CanonicalUser'
        ? `<Grantee ${XSI} xsi:type="CanonicalUser"><ID>${escapeXml(e.id)}</ID><DisplayName>${escapeXml(e.id)}</DisplayName></Grantee>`
        : `<Grantee ${XSI} xsi:type="Group"><URI>${escapeXml(e.uri)}</URI></Grantee>`;
    grants += `<Grant>${grantee}<Permission>${g.permission}</Permission></Grant>`;
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>${id}</ID><DisplayName>${id}</DisplayName></Owner>` +
    `<AccessControlList>${grants}</AccessControlList></AccessControlPolicy>`
  );
}

/** What a request's x-amz-acl and x-amz-grant-* headers ask for. */
export function requestedAcl(headers: Record<string, string | string[] | undefined> | undefined, canned: string | undefined): AclRequest {
  const grants = grantsFromHeaders(headers);
  if (grants) return { grants };
  return canned === undefined ? {} : { canned };
}
