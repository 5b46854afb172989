/**
 * What S3's operations share in their declarations: the model's enumerations, the members
 * many operations carry (the whole header set, the raw body, owners), and the answer S3 gives
 * for input that breaks a declaration. S3 does not word such answers with the "validation
 * error detected" formatter: each member has its own error (InvalidArgument naming the header,
 * InvalidStorageClass, MalformedXML for a body that does not fit its schema, ...).
 *
 * The enumerations are those of the S3 model as @aws-sdk/client-s3 (3.1175) carries it
 * (botocore's s3/2006-03-01/service-2.json names the same shapes), in that package's order.
 */
import { AwsError } from '../../../protocols/errors.js';
import { blob, headersWithPrefix, inHeader, inPayload, streamingPayload, string, structure, type Violation } from '../../../protocols/shapes.js';
import { InvalidArgument, InvalidRequest, MalformedXML, s3Error } from '../errors.js';

/** BucketCannedACL. */
export const BUCKET_CANNED_ACLS = ['authenticated-read', 'private', 'public-read', 'public-read-write', 'log-delivery-write'] as const;
/** ObjectOwnership (ownership controls, x-amz-object-ownership). */
export const OBJECT_OWNERSHIPS = ['BucketOwnerPreferred', 'ObjectWriter', 'BucketOwnerEnforced'] as const;
/** ObjectCannedACL: the bucket's four and three that grant only the owners (private, for an object its bucket's owner wrote). */
export const OBJECT_CANNED_ACLS = ['authenticated-read', 'aws-exec-read', 'bucket-owner-full-control', 'bucket-owner-read', 'private', 'public-read', 'public-read-write'] as const;
export type ObjectCannedAcl = (typeof OBJECT_CANNED_ACLS)[number];
/** The canned ACLs that grant someone beyond the owners (what BlockPublicAcls refuses). */
export const isPublicAcl = (acl: ObjectCannedAcl): boolean => acl === 'public-read' || acl === 'public-read-write' || acl === 'authenticated-read';
/** StorageClass (objects are kept one way here whatever the class; the value is checked, as S3 does). */
export const STORAGE_CLASSES = [
  'AWS_BACKUP_LOW_COST_WARM', 'AWS_BACKUP_WARM', 'DEEP_ARCHIVE', 'EXPRESS_ONEZONE', 'FSX_ONTAP', 'FSX_OPENZFS', 'GLACIER',
  'GLACIER_IR', 'INTELLIGENT_TIERING', 'ONEZONE_IA', 'OUTPOSTS', 'REDUCED_REDUNDANCY', 'SNOW', 'STANDARD', 'STANDARD_IA',
] as const;
/** TransitionStorageClass (lifecycle transitions) and NoncurrentVersionTransition's. */
export { TRANSITION_STORAGE_CLASSES } from '../engine/lifecycle.js';
export const OBJECT_LOCK_MODES = ['COMPLIANCE', 'GOVERNANCE'] as const;
export const LEGAL_HOLD_STATUSES = ['OFF', 'ON'] as const;
export const ENCODING_TYPES = ['url'] as const;
export const DIRECTIVES = ['COPY', 'REPLACE'] as const;
export const CHECKSUM_TYPES = ['COMPOSITE', 'FULL_OBJECT'] as const;
export const VERSIONING_STATUSES = ['Enabled', 'Suspended'] as const;
export const MFA_DELETE = ['Disabled', 'Enabled'] as const;
export const EXPIRATION_STATUSES = ['Disabled', 'Enabled'] as const;
export const OBJECT_ATTRIBUTES = ['Checksum', 'ETag', 'ObjectParts', 'ObjectSize', 'StorageClass'] as const;
export const PROTOCOLS = ['http', 'https'] as const;
export { TRANSITION_DEFAULT_MINIMUM_OBJECT_SIZES } from '../engine/lifecycle.js';

/** Every request header, by lower-case name (content headers, checksums, ... read as a set). */
export const allHeaders = headersWithPrefix('');
/** The raw body, beside its parsed form, for the checksum S3 requires of some XML bodies (always present: empty when none). */
export const rawBody = { ...inPayload(blob()), required: true as const };
/** An upload's body, unread: the server hands every streaming operation its request stream. */
export const bodyStream = { ...streamingPayload(), required: true as const };
/**
 * Headers every object write takes (PutObject, CopyObject, CreateMultipartUpload) that are
 * checked against the model and otherwise not applied: one storage class here, no object lock.
 */
export const writeOptions = {
  StorageClass: inHeader(string({ enum: STORAGE_CLASSES }), 'x-amz-storage-class'),
  ObjectLockMode: inHeader(string({ enum: OBJECT_LOCK_MODES }), 'x-amz-object-lock-mode'),
  ObjectLockLegalHoldStatus: inHeader(string({ enum: LEGAL_HOLD_STATUSES }), 'x-amz-object-lock-legal-hold'),
};
export const owner = structure({ ID: string(), DisplayName: string() });
export const commonPrefixes = structure({ Prefix: string() });

/** S3's answer to a `max-keys`-like count outside 0 .. 2^31-1. */
const countArgument = (name: string) => (value: string) => InvalidArgument(`Argument ${name} must be an integer between 0 and 2147483647`, name, value);
const partNumber = (value: string) => InvalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', value);

/**
 * The error for a broken declaration of a member, by `Operation.Member` or by member name; the
 * members not here get the generic answers in s3ValidationError. Wordings are those the
 * handlers gave before the declarations (asserted by the tests), or S3's documented error codes.
 */
const MEMBER_ERRORS: Record<string, (value: string, v: Violation) => AwsError | undefined> = {
  ACL: (value) => InvalidArgument('', 'x-amz-acl', value),
  ObjectOwnership: (value) => InvalidArgument(`Invalid x-amz-object-ownership header: ${value}`, 'x-amz-object-ownership', value),
  // Error code list of the S3 API reference: "InvalidStorageClass: The storage class you specified is not valid."
  StorageClass: () => s3Error('InvalidStorageClass', 400, 'The storage class you specified is not valid'),
  // S3's answers as S3-compatible servers record them (versity/versitygw#1736, #1141).
  ObjectLockMode: (value) => InvalidArgument('Unknown wormMode directive.', 'x-amz-object-lock-mode', value),
  ObjectLockLegalHoldStatus: (value) => InvalidArgument("Legal Hold must be either of 'ON' or 'OFF'", 'x-amz-object-lock-legal-hold', value),
  EncodingType: (value) => InvalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', value),
  MetadataDirective: (value) => InvalidArgument('Unknown metadata directive.', 'x-amz-metadata-directive', value),
  TaggingDirective: (value) => InvalidArgument('Unknown tagging directive.', 'x-amz-tagging-directive', value),
  // Unconfirmed for CompleteMultipartUpload: CreateMultipartUpload's wording.
  ChecksumType: () => InvalidRequest('Value for x-amz-checksum-type header is invalid.'),
  TransitionDefaultMinimumObjectSize: (value) =>
    InvalidArgument('Invalid value for x-amz-transition-default-minimum-object-size', 'x-amz-transition-default-minimum-object-size', value),
  'GetObjectAttributes.ObjectAttributes': (_value, v) =>
    v.kind === 'missing' ? InvalidRequest('Missing required header for this request: x-amz-object-attributes') : undefined,
  'UploadPart.PartNumber': partNumber,
  // A size that is no number cannot match the object's; the answer S3 gives a wrong one.
  MpObjectSize: () => InvalidRequest("The provided 'x-amz-mp-object-size' header does not match what was computed"),
  'ListParts.MaxParts': countArgument('max-parts'),
  'ListMultipartUploads.MaxUploads': countArgument('max-uploads'),
  // A count the wrong type keeps the generic answer; a negative one is S3's maxKeys refusal.
  MaxKeys: (value, v) => (v.kind === 'constraint' ? InvalidArgument('Argument maxKeys must be an integer between 0 and 2147483647', 'maxKeys', value) : undefined),
};

/**
 * S3's answer for the first broken declaration: a value inside an XML body that does not fit
 * its schema is MalformedXML; a header or query member in MEMBER_ERRORS has its own error;
 * otherwise InvalidRequest for a missing member and InvalidArgument for a bad value.
 */
export function s3ValidationError(violations: Violation[], operation: string): AwsError {
  const v = violations[0]!;
  // Members nested in a payload have a dotted path (`VersioningConfiguration.Status`).
  if (v.path.includes('.')) return MalformedXML();
  const value = v.kind === 'missing' ? '' : String(v.value);
  const own = (MEMBER_ERRORS[`${operation}.${v.member}`] ?? MEMBER_ERRORS[v.member])?.(value, v);
  if (own) return own;
  if (v.kind === 'missing') return new AwsError('InvalidRequest', `Missing required parameter: ${v.member}`, { status: 400 });
  return new AwsError('InvalidArgument', `Invalid value for ${v.member}: ${value}`, { status: 400 });
}

/**
 * User metadata as sent: Node reads header bytes as Latin-1, so a value a client sent as UTF-8
 * is read back as the characters it encodes (a value that is not UTF-8 is kept as read).
 */
export function userMetadata(m: Record<string, string> | undefined): Record<string, string> {
  // fromEntries keeps a key named __proto__ as an own property.
  return Object.fromEntries(
    Object.entries(m ?? {}).map(([k, v]) => {
      const utf8 = /[\x80-\xff]/.test(v) ? Buffer.from(v, 'latin1').toString('utf8') : v;
      return [k, utf8.includes('\ufffd') ? v : utf8];
    }),
  );
}

/** A metadata value as S3 answers it: as is when US-ASCII, else RFC 2047 (`=?UTF-8?B?...?=`), so any header carries it. */
export function mailSafe(v: string): string {
  return /^[\x20-\x7e]*$/.test(v) ? v : `=?UTF-8?B?${Buffer.from(v, 'utf8').toString('base64')}?=`;
}
