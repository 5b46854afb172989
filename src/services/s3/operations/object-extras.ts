/**
 * Object operations beyond the basic five: CopyObject, DeleteObjects, Put/Get/DeleteObjectTagging
 * and GetObjectAttributes. Shapes follow the S3 API reference and @aws-sdk/client-s3's model.
 */
import type { Clock } from '../../../lib/clock.js';
import { AwsError } from '../../../protocols/errors.js';
import { defineOperation } from '../../../protocols/define-operation.js';
import { headersWithPrefix, inHeader, inPayload, inQuery, inUri, integer, list, named, string, structure, boolean } from '../../../protocols/shapes.js';
import type { BlobStore } from '../../../store/blobs.js';
import type { Operation } from '../../service.js';
import { requestTagKeys, type Buckets } from '../engine/buckets.js';
import { requestedAcl } from '../engine/acl.js';
import { checkRequestChecksum } from '../engine/checksums.js';
import { copyObject } from '../engine/copy.js';
import type { ObjectRecord } from '../repo.js';
import type { Objects } from '../engine/objects.js';
import { checkTags, tagSet, type TagList } from '../engine/tagging.js';
import { versionIdOf } from '../engine/versions.js';
import type { BucketSettings } from '../engine/bucket-settings.js';
import { checkRead, chooseSse, sseHeaders } from '../engine/sse.js';
import { lockForWrite } from '../engine/object-lock.js';
import { ownerOf } from './objects.js';
import { InvalidArgument, MalformedXML, MissingRequestBody, NoSuchBucket } from '../errors.js';
import { CHECKSUM_ELEMENTS, checksumElements, checksumEntries, checksumMembers } from './checksums.js';
import { allHeaders, DIRECTIVES, OBJECT_ATTRIBUTES, OBJECT_CANNED_ACLS, rawBody, writeOptions, userMetadata } from './shapes.js';

export interface ObjectExtrasDeps {
  objects: Objects;
  buckets: Buckets;
  blobs: BlobStore;
  clock: Clock;
  /** The destination bucket's default encryption. */
  settings: BucketSettings;
}

/** S3's limit on keys in one DeleteObjects request. */
export const MAX_DELETE_KEYS = 1000;

/** The Tagging document, in requests and in GetObjectTagging / GetBucketTagging answers. */
const tagList = list(structure({ Key: string(), Value: string() }), { memberName: 'Tag' });
export const taggingInput = inPayload(structure({ TagSet: tagList }), 'Tagging');
export const taggingOutput = structure({ TagSet: tagList });

/** The x-amz-version-id an answer about an object carries: its version (`null` in a bucket never versioned is left out). */
function versionHeader(r: ObjectRecord): { VersionId?: string } {
  return r.versionId ? { VersionId: versionIdOf(r) } : {};
}

/** GetObjectAttributes' ObjectParts: up to MaxParts (1000 unless given) parts after the marker, each with its checksum if it had one. */
function partsPage(r: ObjectRecord, sizes: number[], maxParts = 1000, marker = 0) {
  const max = Math.min(maxParts, 1000);
  const alg = checksumEntries(r.checksums)[0]?.[0];
  const checksumOf = (i: number) => (alg && r.partChecksums?.[i] !== undefined ? { [CHECKSUM_ELEMENTS[alg]]: r.partChecksums[i] } : {});
  const after = sizes.map((Size, i) => ({ PartNumber: i + 1, Size, ...checksumOf(i) })).filter((p) => p.PartNumber > marker);
  const Parts = after.slice(0, max);
  return {
    TotalPartsCount: sizes.length,
    PartNumberMarker: marker,
    NextPartNumberMarker: Parts.at(-1)?.PartNumber ?? marker,
    MaxParts: max,
    IsTruncated: after.length > max,
    Parts,
  };
}

/** A parsed XML body: absent (MissingRequestBodyError) or present. */
export function requireBody<T>(parsed: T | undefined): T {
  if (parsed === undefined) throw MissingRequestBody();
  return parsed;
}

const ATTRIBUTES: ReadonlySet<string> = new Set(OBJECT_ATTRIBUTES);

/** Every checksum element, and the type of the object's checksum. */
const checksumShape = { ...checksumMembers(), ChecksumType: string() };

export function objectExtraOperations(deps: ObjectExtrasDeps): Record<string, Operation> {
  const { objects, buckets } = deps;
  return {
    CopyObject: defineOperation({
      // PutObject's URI: the x-amz-copy-source header tells a copy apart.
      http: { method: 'PUT', uri: '/{Bucket}/{Key+}', header: 'x-amz-copy-source' },
      input: structure({
        Bucket: inUri('Bucket'),
        Key: inUri('Key'),
        CopySource: { ...inHeader(string(), 'x-amz-copy-source'), required: true as const },
        MetadataDirective: inHeader(string({ enum: DIRECTIVES }), 'x-amz-metadata-directive'),
        TaggingDirective: inHeader(string({ enum: DIRECTIVES }), 'x-amz-tagging-directive'),
        Tagging: inHeader(string(), 'x-amz-tagging'),
        ACL: inHeader(string({ enum: OBJECT_CANNED_ACLS }), 'x-amz-acl'),
        CopySourceIfMatch: inHeader(string(), 'x-amz-copy-source-if-match'),
        CopySourceIfNoneMatch: inHeader(string(), 'x-amz-copy-source-if-none-match'),
        CopySourceIfModifiedSince: inHeader(string(), 'x-amz-copy-source-if-modified-since'),
        CopySourceIfUnmodifiedSince: inHeader(string(), 'x-amz-copy-source-if-unmodified-since'),
        IfMatch: inHeader(string(), 'if-match'),
        IfNoneMatch: inHeader(string(), 'if-none-match'),
        // Any case, as S3 takes it; the engine refuses the algorithms it does not compute.
        ChecksumAlgorithm: inHeader(string(), 'x-amz-checksum-algorithm'),
        ...writeOptions,
        Metadata: headersWithPrefix('x-amz-meta-'),
        AllHeaders: allHeaders,
      }),
      output: structure({
        CopyObjectResult: inPayload(structure({ ETag: string(), LastModified: string(), ...checksumShape }), 'CopyObjectResult'),
        ...sseOutput,
      }),
      handler: async (input, ctx) => {
        const all = input.AllHeaders ?? {};
        const { sse } = chooseSse(all, deps.settings.get(input.Bucket)?.encryption, ownerOf(buckets, input.Bucket, ctx));
        const lock = lockForWrite(all, deps.settings.get(input.Bucket), deps.clock.now());
        const record = await copyObject(deps, ctx, {
          bucket: input.Bucket,
          key: input.Key,
          source: input.CopySource,
          metadataDirective: input.MetadataDirective,
          taggingDirective: input.TaggingDirective,
          tagging: input.Tagging,
          sourceConditions: {
            ifMatch: input.CopySourceIfMatch,
            ifNoneMatch: input.CopySourceIfNoneMatch,
            ifModifiedSince: input.CopySourceIfModifiedSince,
            ifUnmodifiedSince: input.CopySourceIfUnmodifiedSince,
          },
          ifMatch: input.IfMatch,
          ifNoneMatch: input.IfNoneMatch,
          headers: all,
          metadata: userMetadata(input.Metadata),
          acl: requestedAcl(ctx.headers, input.ACL),
          checksumAlgorithm: input.ChecksumAlgorithm,
          changesAttributes: ['x-amz-storage-class', 'x-amz-website-redirect-location', 'x-amz-server-side-encryption', 'x-amz-server-side-encryption-customer-algorithm'].some(
            (h) => all[h] !== undefined,
          ),
          sse,
          ...(lock ? { lock } : {}),
        });
        return { ...sseMembers(record), CopyObjectResult: { ETag: record.etag, LastModified: new Date(record.lastModified).toISOString(), ...checksumElements(record) } };
      },
    }),

    DeleteObjects: defineOperation({
      http: { method: 'POST', uri: '/{Bucket}?delete' },
      input: structure({
        Bucket: inUri('Bucket'),
        Delete: inPayload(
          structure({
            Objects: { shape: list(structure({ Key: string(), VersionId: string() }), { flattened: true, memberName: 'Object' }) },
            Quiet: boolean(),
          }),
          'Delete',
        ),
        Body: rawBody,
        AllHeaders: allHeaders,
        BypassGovernanceRetention: inHeader(boolean(), 'x-amz-bypass-governance-retention'),
      }),
      output: structure({
        Deleted: list(structure({ Key: string(), VersionId: string(), DeleteMarker: boolean(), DeleteMarkerVersionId: string() }), { flattened: true }),
        Error: list(structure({ Key: string(), VersionId: string(), Code: string(), Message: string() }), { flattened: true }),
      }),
      outputRoot: 'DeleteResult',
      handler: async (input, ctx) => {
        // Each key is authorized on its own (s3:DeleteObject); a refusal is that key's Error.
        if (!buckets.exists(input.Bucket)) throw new NoSuchBucket(input.Bucket);
        buckets.expectOwner(ctx, input.Bucket);
        checkRequestChecksum(input.AllHeaders ?? {}, input.Body);
        const request = requireBody(input.Delete);
        const keys = request.Objects ?? [];
        if (keys.length === 0 || keys.length > MAX_DELETE_KEYS) throw MalformedXML();
        // The model requires each Object's Key; the XML decoder leaves that to the handler.
        const targets = keys.map(({ Key, VersionId }) => {
          if (!Key) throw MalformedXML();
          return { Key, VersionId };
        });
        // All at once: the deletes share group commits instead of waiting for one each.
        const results = await Promise.all(
          targets.map(async ({ Key, VersionId }) => {
            try {
              // As DeleteObject: a version id removes that version (one that does not exist is
              // reported as deleted, as S3 does); none adds a delete marker in a versioned bucket.
              const r = await objects.delete(ctx, input.Bucket, Key, VersionId, input.BypassGovernanceRetention === true);
              return {
                Key,
                VersionId,
                ...(r.deleteMarker ? { DeleteMarker: true, DeleteMarkerVersionId: r.versionId } : {}),
              };
            } catch (e) {
              if (!(e instanceof AwsError)) throw e;
              return { Key, VersionId, Code: e.code, Message: e.message };
            }
          }),
        );
        const failed = results.filter((r) => 'Code' in r);
        const deleted = results.filter((r) => !('Code' in r));
        return { Deleted: request.Quiet ? [] : deleted, Error: failed };
      },
    }),

    // With ?versionId= the tags of that version (s3:*ObjectVersionTagging); every answer names the version.
    PutObjectTagging: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}/{Key+}?tagging' },
      input: structure({ Bucket: inUri('Bucket'), Key: inUri('Key'), VersionId: inQuery(string(), 'versionId'), Tagging: taggingInput, Body: rawBody, AllHeaders: allHeaders }),
      output: structure({ VersionId: inHeader(string(), 'x-amz-version-id') }),
      handler: async (input, ctx) => {
        checkRequestChecksum(input.AllHeaders ?? {}, input.Body);
        const set = requireBody(input.Tagging).TagSet;
        if (set === undefined) throw MalformedXML();
        const tags = checkTags(set, 'Object');
        const action = input.VersionId === undefined ? 's3:PutObjectTagging' : 's3:PutObjectVersionTagging';
        // The tags asked for are the request's s3:RequestObjectTag/<key> and s3:RequestObjectTagKeys.
        const caller = { ...ctx, conditionKeys: requestTagKeys(tags) };
        const r = await objects.update(caller, input.Bucket, input.Key, (o) => ({ ...o, tags }), action, input.VersionId);
        return versionHeader(r);
      },
    }),
    GetObjectTagging: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}/{Key+}?tagging' },
      input: structure({ Bucket: inUri('Bucket'), Key: inUri('Key'), VersionId: inQuery(string(), 'versionId') }),
      output: structure({ VersionId: inHeader(string(), 'x-amz-version-id'), TagSet: tagList }),
      outputRoot: 'Tagging',
      handler: async (input, ctx) => {
        const action = input.VersionId === undefined ? 's3:GetObjectTagging' : 's3:GetObjectVersionTagging';
        const r = await objects.get(ctx, input.Bucket, input.Key, action, input.VersionId);
        return { ...versionHeader(r), TagSet: tagSet(r.tags) };
      },
    }),
    DeleteObjectTagging: defineOperation({
      http: { method: 'DELETE', uri: '/{Bucket}/{Key+}?tagging', code: 204 },
      input: structure({ Bucket: inUri('Bucket'), Key: inUri('Key'), VersionId: inQuery(string(), 'versionId') }),
      output: structure({ VersionId: inHeader(string(), 'x-amz-version-id') }),
      handler: async (input, ctx) => {
        const action = input.VersionId === undefined ? 's3:DeleteObjectTagging' : 's3:DeleteObjectVersionTagging';
        return versionHeader(await objects.update(ctx, input.Bucket, input.Key, (o) => ({ ...o, tags: {} }), action, input.VersionId));
      },
    }),

    GetObjectAttributes: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}/{Key+}?attributes' },
      input: structure({
        Bucket: inUri('Bucket'),
        Key: inUri('Key'),
        // The model's list of ObjectAttributes, comma-separated in one header: each is checked below.
        ObjectAttributes: { ...inHeader(string(), 'x-amz-object-attributes'), required: true as const },
        VersionId: inQuery(string(), 'versionId'),
        MaxParts: inHeader(integer({ min: 0 }), 'x-amz-max-parts'),
        PartNumberMarker: inHeader(integer({ min: 0 }), 'x-amz-part-number-marker'),
        AllHeaders: allHeaders,
      }),
      output: structure({
        LastModified: inHeader(string(), 'last-modified'),
        VersionId: inHeader(string(), 'x-amz-version-id'),
        ETag: string(),
        Checksum: structure(checksumShape),
        ObjectParts: structure({
          TotalPartsCount: named(integer(), 'PartsCount'),
          PartNumberMarker: integer(),
          NextPartNumberMarker: integer(),
          MaxParts: integer(),
          IsTruncated: boolean(),
          Parts: list(structure({ PartNumber: integer(), Size: integer(), ...checksumMembers() }), { flattened: true, memberName: 'Part' }),
        }),
        StorageClass: string(),
        ObjectSize: integer(),
      }),
      outputRoot: 'GetObjectAttributesResponse',
      handler: async (input, ctx) => {
        const header = input.ObjectAttributes;
        const wanted = new Set(header.split(',').map((a) => a.trim()));
        if ([...wanted].some((a) => !ATTRIBUTES.has(a))) throw InvalidArgument('Invalid attribute name specified.', 'x-amz-object-attributes', header);
        const action = input.VersionId === undefined ? 's3:GetObjectAttributes' : 's3:GetObjectVersionAttributes';
        const r = await objects.get(ctx, input.Bucket, input.Key, action, input.VersionId, 'GET', true);
        // An SSE-C object's attributes need its key, as its body does.
        checkRead(r, input.AllHeaders ?? {});
        const checksum = checksumElements(r);
        return {
          LastModified: new Date(r.lastModified).toUTCString(),
          ...(r.versionId || buckets.find(input.Bucket)?.versioning ? { VersionId: versionIdOf(r) } : {}),
          // Unlike HEAD's header, this ETag is unquoted.
          ETag: wanted.has('ETag') ? r.etag.replace(/^"|"$/g, '') : undefined,
          Checksum: wanted.has('Checksum') && Object.keys(checksum).length ? checksum : undefined,
          // A single upload has no parts to report.
          ObjectParts: wanted.has('ObjectParts') && r.parts ? partsPage(r, r.parts, input.MaxParts, input.PartNumberMarker) : undefined,
          StorageClass: wanted.has('StorageClass') ? 'STANDARD' : undefined,
          ObjectSize: wanted.has('ObjectSize') ? r.size : undefined,
        };
      },
    }),
  };
}

/** The encryption headers of an answer about a new object, as output members (CopyObject, multipart). */
export const sseOutput = {
  ServerSideEncryption: inHeader(string(), 'x-amz-server-side-encryption'),
  SSEKMSKeyId: inHeader(string(), 'x-amz-server-side-encryption-aws-kms-key-id'),
  BucketKeyEnabled: inHeader(string(), 'x-amz-server-side-encryption-bucket-key-enabled'),
  SSECustomerAlgorithm: inHeader(string(), 'x-amz-server-side-encryption-customer-algorithm'),
  SSECustomerKeyMD5: inHeader(string(), 'x-amz-server-side-encryption-customer-key-md5'),
};

export function sseMembers(r: { sse?: ObjectRecord['sse'] }): Record<string, string | undefined> {
  const h = sseHeaders(r.sse);
  return {
    ServerSideEncryption: h['x-amz-server-side-encryption'],
    SSEKMSKeyId: h['x-amz-server-side-encryption-aws-kms-key-id'],
    BucketKeyEnabled: h['x-amz-server-side-encryption-bucket-key-enabled'],
    SSECustomerAlgorithm: h['x-amz-server-side-encryption-customer-algorithm'],
    SSECustomerKeyMD5: h['x-amz-server-side-encryption-customer-key-md5'],
  };
}
