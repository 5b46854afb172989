/**
 * The S3 rows of the cross-account matrix as SDK calls on a client (path-style or
 * virtual-hosted: the test file runs each both ways), the owner's bucket they aim at, and the
 * owner's state that must not change. Kept apart from cross-account-s3.test.ts for its length.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketCorsCommand,
  DeleteBucketEncryptionCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  GetBucketEncryptionCommand,
  PutBucketEncryptionCommand,
  DeleteBucketLifecycleCommand,
  DeleteBucketOwnershipControlsCommand,
  GetBucketOwnershipControlsCommand,
  PutBucketOwnershipControlsCommand,
  DeleteBucketPolicyCommand,
  DeleteBucketTaggingCommand,
  DeleteBucketWebsiteCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeleteObjectTaggingCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAclCommand,
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketLoggingCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetBucketWebsiteCommand,
  GetObjectAclCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  ListPartsCommand,
  PutBucketAclCommand,
  PutBucketCorsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketLoggingCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutBucketWebsiteCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  PutPublicAccessBlockCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

export const BUCKET = 'owner-private';
/** The intruder's own bucket (copies into and out of it). */
export const OWN_BUCKET = 'intruder-own';
const KEY = 'secret.txt';

export type S3Call = (c: S3Client, x: { uploadId: string }) => Promise<unknown>;
const B = { Bucket: BUCKET };
const O = { Bucket: BUCKET, Key: KEY };
const rule = { ID: 'r', Status: 'Enabled' as const, Filter: { Prefix: 'tmp/' }, Expiration: { Days: 1 } };

export const bucketCalls: Array<[string, S3Call, string?]> = [
  ['HeadBucket', (c) => c.send(new HeadBucketCommand(B))],
  ['GetBucketLocation', (c) => c.send(new GetBucketLocationCommand(B))],
  ['DeleteBucket', (c) => c.send(new DeleteBucketCommand(B))],
  ['ListObjectsV2', (c) => c.send(new ListObjectsV2Command(B))],
  ['ListObjects', (c) => c.send(new ListObjectsCommand(B))],
  ['ListObjectVersions', (c) => c.send(new ListObjectVersionsCommand(B))],
  ['ListMultipartUploads', (c) => c.send(new ListMultipartUploadsCommand(B))],
  ['PutBucketVersioning', (c) => c.send(new PutBucketVersioningCommand({ ...B, VersioningConfiguration: { Status: 'Suspended' } }))],
  ['GetBucketVersioning', (c) => c.send(new GetBucketVersioningCommand(B))],
  ['PutBucketPolicy', (c) => c.send(new PutBucketPolicyCommand({ ...B, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${BUCKET}/*` }] }) }))],
  ['GetBucketPolicy', (c) => c.send(new GetBucketPolicyCommand(B))],
  ['DeleteBucketPolicy', (c) => c.send(new DeleteBucketPolicyCommand(B))],
  ['GetBucketPolicyStatus', (c) => c.send(new GetBucketPolicyStatusCommand(B))],
  ['PutBucketAcl', (c) => c.send(new PutBucketAclCommand({ ...B, ACL: 'public-read-write' }))],
  ['GetBucketAcl', (c) => c.send(new GetBucketAclCommand(B))],
  ['PutBucketOwnershipControls', (c) => c.send(new PutBucketOwnershipControlsCommand({ ...B, OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }))],
  ['GetBucketOwnershipControls', (c) => c.send(new GetBucketOwnershipControlsCommand(B))],
  ['DeleteBucketOwnershipControls', (c) => c.send(new DeleteBucketOwnershipControlsCommand(B))],
  ['PutPublicAccessBlock', (c) => c.send(new PutPublicAccessBlockCommand({ ...B, PublicAccessBlockConfiguration: { BlockPublicAcls: false, BlockPublicPolicy: false } }))],
  ['GetPublicAccessBlock', (c) => c.send(new GetPublicAccessBlockCommand(B))],
  ['DeletePublicAccessBlock', (c) => c.send(new DeletePublicAccessBlockCommand(B))],
  ['PutBucketCors', (c) => c.send(new PutBucketCorsCommand({ ...B, CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET', 'PUT'], AllowedOrigins: ['*'] }] } }))],
  ['GetBucketCors', (c) => c.send(new GetBucketCorsCommand(B))],
  ['DeleteBucketCors', (c) => c.send(new DeleteBucketCorsCommand(B))],
  [
    'PutBucketNotificationConfiguration',
    (c) => c.send(new PutBucketNotificationConfigurationCommand({ ...B, NotificationConfiguration: { QueueConfigurations: [{ QueueArn: 'arn:aws:sqs:us-east-1:222222222222:loot', Events: ['s3:ObjectCreated:*'] }] } })),
  ],
  ['GetBucketNotificationConfiguration', (c) => c.send(new GetBucketNotificationConfigurationCommand(B))],
  ['PutBucketTagging', (c) => c.send(new PutBucketTaggingCommand({ ...B, Tagging: { TagSet: [{ Key: 'owned', Value: 'yes' }] } }))],
  ['GetBucketTagging', (c) => c.send(new GetBucketTaggingCommand(B))],
  ['DeleteBucketTagging', (c) => c.send(new DeleteBucketTaggingCommand(B))],
  ['PutBucketLifecycleConfiguration', (c) => c.send(new PutBucketLifecycleConfigurationCommand({ ...B, LifecycleConfiguration: { Rules: [{ ...rule, ID: 'wipe', Filter: { Prefix: '' } }] } }))],
  ['GetBucketLifecycleConfiguration', (c) => c.send(new GetBucketLifecycleConfigurationCommand(B))],
  ['DeleteBucketLifecycle', (c) => c.send(new DeleteBucketLifecycleCommand(B))],
  ['PutBucketWebsite', (c) => c.send(new PutBucketWebsiteCommand({ ...B, WebsiteConfiguration: { IndexDocument: { Suffix: 'secret.txt' } } }))],
  ['GetBucketWebsite', (c) => c.send(new GetBucketWebsiteCommand(B))],
  ['DeleteBucketWebsite', (c) => c.send(new DeleteBucketWebsiteCommand(B))],
  ['PutBucketEncryption', (c) => c.send(new PutBucketEncryptionCommand({ ...B, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }))],
  ['GetBucketEncryption', (c) => c.send(new GetBucketEncryptionCommand(B))],
  ['DeleteBucketEncryption', (c) => c.send(new DeleteBucketEncryptionCommand(B))],
  [
    'PutObjectLockConfiguration',
    (c) => c.send(new PutObjectLockConfigurationCommand({ ...B, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 100 } } } })),
  ],
  ['GetObjectLockConfiguration', (c) => c.send(new GetObjectLockConfigurationCommand(B))],
  // Logging the owner's bucket into the intruder's own bucket would hand over every request.
  ['PutBucketLogging', (c) => c.send(new PutBucketLoggingCommand({ ...B, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: OWN_BUCKET, TargetPrefix: 'stolen/' } } }))],
  ['GetBucketLogging', (c) => c.send(new GetBucketLoggingCommand(B))],
];

/** Each with, where an operation has more than one, what distinguishes the call. */
export const objectCalls: Array<[string, S3Call, string?]> = [
  ['PutObject', (c) => c.send(new PutObjectCommand({ ...O, Body: 'forged' }))],
  ['GetObject', (c) => c.send(new GetObjectCommand(O))],
  ['HeadObject', (c) => c.send(new HeadObjectCommand(O))],
  ['DeleteObject', (c) => c.send(new DeleteObjectCommand(O))],
  ['DeleteObjects', (c) => c.send(new DeleteObjectsCommand({ ...B, Delete: { Objects: [{ Key: KEY }] } }))],
  ['GetObjectAttributes', (c) => c.send(new GetObjectAttributesCommand({ ...O, ObjectAttributes: ['ETag', 'ObjectSize'] }))],
  ['PutObjectAcl', (c) => c.send(new PutObjectAclCommand({ ...O, ACL: 'public-read' }))],
  ['GetObjectAcl', (c) => c.send(new GetObjectAclCommand(O))],
  ['PutObjectTagging', (c) => c.send(new PutObjectTaggingCommand({ ...O, Tagging: { TagSet: [{ Key: 'owned', Value: 'yes' }] } }))],
  ['GetObjectTagging', (c) => c.send(new GetObjectTaggingCommand(O))],
  ['DeleteObjectTagging', (c) => c.send(new DeleteObjectTaggingCommand(O))],
  ['PutObjectRetention', (c) => c.send(new PutObjectRetentionCommand({ ...O, Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date(Date.now() + 365 * 86_400_000) } }))],
  ['GetObjectRetention', (c) => c.send(new GetObjectRetentionCommand(O))],
  ['PutObjectLegalHold', (c) => c.send(new PutObjectLegalHoldCommand({ ...O, LegalHold: { Status: 'OFF' } }))],
  ['GetObjectLegalHold', (c) => c.send(new GetObjectLegalHoldCommand(O))],
  // Copies: out of the owner's bucket into the intruder's own, and into the owner's bucket from the intruder's own.
  ['CopyObject', (c) => c.send(new CopyObjectCommand({ Bucket: OWN_BUCKET, Key: 'stolen', CopySource: `${BUCKET}/${KEY}` })), "from the owner's bucket into the intruder's"],
  ['CopyObject', (c) => c.send(new CopyObjectCommand({ ...O, CopySource: `${OWN_BUCKET}/planted` })), "from the intruder's bucket into the owner's"],
  ['CreateMultipartUpload', (c) => c.send(new CreateMultipartUploadCommand(O))],
  ['UploadPart', (c, x) => c.send(new UploadPartCommand({ ...O, UploadId: x.uploadId, PartNumber: 2, Body: 'forged' }))],
  ['ListParts', (c, x) => c.send(new ListPartsCommand({ ...O, UploadId: x.uploadId }))],
  ['CompleteMultipartUpload', (c, x) => c.send(new CompleteMultipartUploadCommand({ ...O, UploadId: x.uploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"x"' }] } }))],
  ['AbortMultipartUpload', (c, x) => c.send(new AbortMultipartUploadCommand({ ...O, UploadId: x.uploadId }))],
];

/**
 * The owner's bucket with every sub-resource set (versioning, tags, policy granting the intruder
 * GetObject under shared/, CORS, lifecycle, website, an object with tags, a multipart upload
 * in progress); answers the upload's id. The intruder's own bucket holds `planted`.
 */
export async function ownerSetup(owner: S3Client, intruderAccount: string, intruder?: S3Client): Promise<string> {
  await owner.send(new CreateBucketCommand(B));
  await owner.send(new PutBucketVersioningCommand({ ...B, VersioningConfiguration: { Status: 'Enabled' } }));
  await owner.send(new PutBucketTaggingCommand({ ...B, Tagging: { TagSet: [{ Key: 'team', Value: 'owner' }] } }));
  const grant = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${intruderAccount}:root` }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/shared/*` };
  await owner.send(new PutBucketPolicyCommand({ ...B, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [grant] }) }));
  await owner.send(new PutBucketCorsCommand({ ...B, CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET'], AllowedOrigins: ['https://owner.example'] }] } }));
  await owner.send(new PutBucketLifecycleConfigurationCommand({ ...B, LifecycleConfiguration: { Rules: [rule] } }));
  await owner.send(new PutBucketWebsiteCommand({ ...B, WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' } } }));
  await owner.send(
    new PutBucketEncryptionCommand({ ...B, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true }] } }),
  );
  await owner.send(new PutObjectLockConfigurationCommand({ ...B, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } }));
  await owner.send(new PutObjectCommand({ ...O, Body: 'the secret', Tagging: 'class=secret' }));
  await owner.send(new PutObjectLegalHoldCommand({ ...O, LegalHold: { Status: 'ON' } }));
  await owner.send(new PutObjectCommand({ ...B, Key: 'shared/readme.txt', Body: 'for the intruder' }));
  const upload = await owner.send(new CreateMultipartUploadCommand({ ...B, Key: 'big' }));
  await owner.send(new UploadPartCommand({ ...B, Key: 'big', UploadId: upload.UploadId!, PartNumber: 1, Body: 'part one' }));
  if (intruder) {
    await intruder.send(new CreateBucketCommand({ Bucket: OWN_BUCKET }));
    await intruder.send(new PutObjectCommand({ Bucket: OWN_BUCKET, Key: 'planted', Body: 'planted' }));
  }
  return upload.UploadId!;
}

/** Everything of the owner's bucket as the owner reads it. */
export async function s3Snapshot(owner: S3Client): Promise<unknown> {
  const versions = await owner.send(new ListObjectVersionsCommand(B));
  const body = await (await owner.send(new GetObjectCommand(O))).Body!.transformToString();
  const uploads = await owner.send(new ListMultipartUploadsCommand(B));
  const parts = await owner.send(new ListPartsCommand({ ...B, Key: 'big', UploadId: uploads.Uploads?.[0]?.UploadId }));
  const acl = await owner.send(new GetBucketAclCommand(B));
  const objectAcl = await owner.send(new GetObjectAclCommand(O));
  return {
    buckets: (await owner.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name),
    versions: versions.Versions?.map((v) => [v.Key, v.VersionId, v.ETag, v.IsLatest]),
    markers: versions.DeleteMarkers?.map((m) => [m.Key, m.VersionId]),
    body,
    uploads: uploads.Uploads?.map((u) => [u.Key, u.UploadId]),
    parts: parts.Parts?.map((p) => [p.PartNumber, p.ETag]),
    versioning: (await owner.send(new GetBucketVersioningCommand(B))).Status,
    tags: (await owner.send(new GetBucketTaggingCommand(B))).TagSet,
    objectTags: (await owner.send(new GetObjectTaggingCommand(O))).TagSet,
    policy: (await owner.send(new GetBucketPolicyCommand(B))).Policy,
    cors: (await owner.send(new GetBucketCorsCommand(B))).CORSRules,
    lifecycle: (await owner.send(new GetBucketLifecycleConfigurationCommand(B))).Rules,
    website: (await owner.send(new GetBucketWebsiteCommand(B))).IndexDocument,
    encryption: (await owner.send(new GetBucketEncryptionCommand(B))).ServerSideEncryptionConfiguration?.Rules,
    objectLock: (await owner.send(new GetObjectLockConfigurationCommand(B))).ObjectLockConfiguration,
    legalHold: (await owner.send(new GetObjectLegalHoldCommand(O))).LegalHold?.Status,
    retention: await owner.send(new GetObjectRetentionCommand(O)).then(
      (r) => r.Retention,
      (e: Error) => e.name,
    ),
    logging: (await owner.send(new GetBucketLoggingCommand(B))).LoggingEnabled,
    notification: await owner.send(new GetBucketNotificationConfigurationCommand(B)).then((n) => [n.QueueConfigurations, n.TopicConfigurations, n.LambdaFunctionConfigurations]),
    acl: acl.Grants,
    ownership: (await owner.send(new GetBucketOwnershipControlsCommand(B))).OwnershipControls?.Rules,
    objectAcl: objectAcl.Grants,
    publicAccessBlock: await owner.send(new GetPublicAccessBlockCommand(B)).then(
      (p) => p.PublicAccessBlockConfiguration,
      (e: Error) => e.name,
    ),
  };
}
