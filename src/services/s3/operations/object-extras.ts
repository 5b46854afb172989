/**
 * Object operations beyond the basic five: CopyObject, DeleteObjects, Put/Get/DeleteObjectTagging
 * and GetObjectAttributes. Shapes follow the S3 API reference and @aws-sdk/client-s3's model.
 */
import type { Clock } from '../../../lib/clock.js';
import { AwsError } from '../../../protocols/errors.js';
import { blob, headersWithPrefix, inHeader, inPayload, inQuery, inUri, integer, list, string, structure, boolean, type Member } from '../../../protocols/shapes.js';
import type { BlobStore } from '../../../store/blobs.js';
import type { Operation } from '../../service.js';
import type { Buckets } from '../engine/buckets.js';
import { checkRequestChecksum } from '../engine/checksums.js';
import { copyObject } from '../engine/copy.js';
import type { ObjectRecord } from '../repo.js';
import type { Objects } from '../engine/objects.js';
import { checkTags, tagSet, type TagList } from '../engine/tagging.js';
import { versionIdOf } from '../engine/versions.js';
import { InvalidArgument, InvalidRequest, MalformedXML, MissingRequestBody, NoSuchBucket } from '../errors.js';
import { checksumElements, checksumMembers } from './checksums.js';

export interface ObjectExtrasDeps {
  objects: Objects;
  buckets: Buckets;
  blobs: BlobStore;
  clock: Clock;
}

/** S3's limit on keys in one DeleteObjects request. */
export const MAX_DELETE_KEYS = 1000;

/** Every request header, by lower-case name. */
export const allHeaders: Member = { shape: structure({}), location: 'headers', locationName: '' };
/** The raw body, beside its parsed form, for the checksum S3 requires of some XML bodies. */
export const rawBody: Member = inPayload(blob());

/** The Tagging document, in requests and in GetObjectTagging / GetBucketTagging answers. */
const tagList = list(structure({ Key: string(), Value: string() }), { memberName: 'Tag' });
export const taggingInput = inPayload(structure({ TagSet: tagList }), 'Tagging');
export const taggingOutput = structure({ TagSet: tagList });

/** The x-amz-version-id an answer about an object carries: its version (`null` in a bucket never versioned is left out). */
function versionHeader(r: ObjectRecord): { VersionId?: string } {
  return r.versionId ? { VersionId: versionIdOf(r) } : {};
}

/** A parsed XML body: absent (MissingRequestBodyError) or present. */
export function requireBody<T>(parsed: T | undefined): T {
  if (parsed === undefined) throw MissingRequestBody();
  return parsed;
}

/** Every checksum element, and the type of the object's checksum. */
const checksumShape = { ...checksumMembers(), ChecksumType: string() };

const ATTRIBUTES = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'];

export function objectExtraOperations(deps: ObjectExtrasDeps): Record<string, Operation> {
  const { objects, buckets } = deps;
  return {
    CopyObject: {
      // PutObject's URI: the x-amz-copy-source header tells a copy apart.
      http: { method: 'PUT', uri: '/{Bucket}/{Key+}', header: 'x-amz-copy-source' },
      input: structure({
        Bucket: inUri('Bucket'),
        Key: inUri('Key'),
        CopySource: inHeader(string(), 'x-amz-copy-source'),
        MetadataDirective: inHeader(string(), 'x-amz-metadata-directive'),
        TaggingDirective: inHeader(string(), 'x-amz-tagging-directive'),
        Tagging: inHeader(string(), 'x-amz-tagging'),
        CopySourceIfMatch: inHeader(string(), 'x-amz-copy-source-if-match'),
        CopySourceIfNoneMatch: inHeader(string(), 'x-amz-copy-source-if-none-match'),
        CopySourceIfModifiedSince: inHeader(string(), 'x-amz-copy-source-if-modified-since'),
        CopySourceIfUnmodifiedSince: inHeader(string(), 'x-amz-copy-source-if-unmodified-since'),
        IfMatch: inHeader(string(), 'if-match'),
        IfNoneMatch: inHeader(string(), 'if-none-match'),
        ChecksumAlgorithm: inHeader(string(), 'x-amz-checksum-algorithm'),
        Metadata: headersWithPrefix('x-amz-meta-'),
        AllHeaders: allHeaders,
      }),
      output: structure({
        CopyObjectResult: inPayload(structure({ ETag: string(), LastModified: string(), ...checksumShape }), 'CopyObjectResult'),
      }),
      handler: async (input: Record<string, unknown>, ctx) => {
        const s = (name: string) => input[name] as string | undefined;
        const all = (input.AllHeaders ?? {}) as Record<string, string>;
        const record = await copyObject(deps, ctx, {
          bucket: s('Bucket')!,
          key: s('Key')!,
          source: s('CopySource')!,
          metadataDirective: s('MetadataDirective'),
          taggingDirective: s('TaggingDirective'),
          tagging: s('Tagging'),
          sourceConditions: {
            ifMatch: s('CopySourceIfMatch'),
            ifNoneMatch: s('CopySourceIfNoneMatch'),
            ifModifiedSince: s('CopySourceIfModifiedSince'),
            ifUnmodifiedSince: s('CopySourceIfUnmodifiedSince'),
          },
          ifMatch: s('IfMatch'),
          ifNoneMatch: s('IfNoneMatch'),
          headers: all,
          metadata: (input.Metadata ?? {}) as Record<string, string>,
          checksumAlgorithm: s('ChecksumAlgorithm'),
          changesAttributes: ['x-amz-storage-class', 'x-amz-website-redirect-location', 'x-amz-server-side-encryption'].some((h) => all[h] !== undefined),
        });
        return { CopyObjectResult: { ETag: record.etag, LastModified: new Date(record.lastModified).toISOString(), ...checksumElements(record) } };
      },
    },

    DeleteObjects: {
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
      }),
      output: structure({
        Deleted: list(structure({ Key: string(), VersionId: string(), DeleteMarker: boolean(), DeleteMarkerVersionId: string() }), { flattened: true }),
        Error: list(structure({ Key: string(), VersionId: string(), Code: string(), Message: string() }), { flattened: true }),
      }),
      outputRoot: 'DeleteResult',
      handler: async (input: { Bucket: string; Delete?: { Objects?: Array<{ Key?: string; VersionId?: string }>; Quiet?: boolean }; Body: Buffer; AllHeaders?: Record<string, string> }, ctx) => {
        // Each key is authorized on its own (s3:DeleteObject); a refusal is that key's Error.
        if (!buckets.exists(input.Bucket)) throw new NoSuchBucket(input.Bucket);
        checkRequestChecksum(input.AllHeaders ?? {}, input.Body);
        const request = requireBody(input.Delete);
        const keys = request.Objects ?? [];
        if (keys.length === 0 || keys.length > MAX_DELETE_KEYS || keys.some((o) => !o.Key)) throw MalformedXML();
        // All at once: the deletes share group commits instead of waiting for one each.
        const results = await Promise.all(
          keys.map(async ({ Key, VersionId }) => {
            try {
              // As DeleteObject: a version id removes that version (one that does not exist is
              // reported as deleted, as S3 does); none adds a delete marker in a versioned bucket.
              const r = await objects.delete(ctx, input.Bucket, Key!, VersionId);
              return {
                Key: Key!,
                VersionId,
                ...(r.deleteMarker ? { DeleteMarker: true, DeleteMarkerVersionId: r.versionId } : {}),
              };
            } catch (e) {
              if (!(e instanceof AwsError)) throw e;
              return { Key: Key!, VersionId, Code: e.code, Message: e.message };
            }
          }),
        );
        const failed = results.filter((r) => 'Code' in r);
        const deleted = results.filter((r) => !('Code' in r));
        return { Deleted: request.Quiet ? [] : deleted, Error: failed };
      },
    },

    // With ?versionId= the tags of that version (s3:*ObjectVersionTagging); every answer names the version.
    PutObjectTagging: {
      http: { method: 'PUT', uri: '/{Bucket}/{Key+}?tagging' },
      input: structure({ Bucket: inUri('Bucket'), Key: inUri('Key'), VersionId: inQuery(string(), 'versionId'), Tagging: taggingInput, Body: rawBody, AllHeaders: allHeaders }),
      output: structure({ VersionId: inHeader(string(), 'x-amz-version-id') }),
      handler: async (input: { Bucket: string; Key: string; VersionId?: string; Tagging?: { TagSet?: TagList }; Body: Buffer; AllHeaders?: Record<string, string> }, ctx) => {
        checkRequestChecksum(input.AllHeaders ?? {}, input.Body);
        const set = requireBody(input.Tagging).TagSet;
        if (set === undefined) throw MalformedXML();
        const tags = checkTags(set, 'Object');
        const action = input.VersionId === undefined ? 's3:PutObjectTagging' : 's3:PutObjectVersionTagging';
        const r = await objects.update(ctx, input.Bucket, input.Key, (o) => ({ ...o, tags }), action, input.VersionId);
        return versionHeader(r);
      },
    },
    GetObjectTagging: {
      http: { method: 'GET', uri: '/{Bucket}/{Key+}?tagging' },
      input: structure({ Bucket: inUri('Bucket'), Key: inUri('Key'), VersionId: inQuery(string(), 'versionId') }),
      output: structure({ VersionId: inHeader(string(), 'x-amz-version-id'), TagSet: tagList }),
      outputRoot: 'Tagging',
      handler: async (input: { Bucket: string; Key: string; VersionId?: string }, ctx) => {
        const action = input.VersionId === undefined ? 's3:GetObjectTagging' : 's3:GetObjectVersionTagging';
        const r = await objects.get(ctx, input.Bucket, input.Key, action, input.VersionId);
        return { ...versionHeader(r), TagSet: tagSet(r.tags) };
      },
    },
    DeleteObjectTagging: {
      http: { method: 'DELETE', uri: '/{Bucket}/{Key+}?tagging', code: 204 },
      input: structure({ Bucket: inUri('Bucket'), Key: inUri('Key'), VersionId: inQuery(string(), 'versionId') }),
      output: structure({ VersionId: inHeader(string(), 'x-amz-version-id') }),
      handler: async (input: { Bucket: string; Key: string; VersionId?: string }, ctx) => {
        const action = input.VersionId === undefined ? 's3:DeleteObjectTagging' : 's3:DeleteObjectVersionTagging';
        return versionHeader(await objects.update(ctx, input.Bucket, input.Key, (o) => ({ ...o, tags: {} }), action, input.VersionId));
      },
    },

    GetObjectAttributes: {
      http: { method: 'GET', uri: '/{Bucket}/{Key+}?attributes' },
      input: structure({
        Bucket: inUri('Bucket'),
        Key: inUri('Key'),
        ObjectAttributes: inHeader(string(), 'x-amz-object-attributes'),
        // Parts are not listed yet (see ObjectParts below), so paging them is accepted and unused.
        MaxParts: inHeader(integer(), 'x-amz-max-parts'),
        PartNumberMarker: inHeader(string(), 'x-amz-part-number-marker'),
      }),
      output: structure({
        LastModified: inHeader(string(), 'last-modified'),
        ETag: string(),
        Checksum: structure(checksumShape),
        ObjectParts: structure({ PartsCount: integer() }),
        StorageClass: string(),
        ObjectSize: integer(),
      }),
      outputRoot: 'GetObjectAttributesResponse',
      handler: async (input: { Bucket: string; Key: string; ObjectAttributes?: string }, ctx) => {
        const header = input.ObjectAttributes;
        if (header === undefined) throw InvalidRequest('Missing required header for this request: x-amz-object-attributes');
        const wanted = new Set(header.split(',').map((a) => a.trim()));
        if ([...wanted].some((a) => !ATTRIBUTES.includes(a))) throw InvalidArgument('Invalid attribute name specified.', 'x-amz-object-attributes', header);
        const r = await objects.get(ctx, input.Bucket, input.Key, 's3:GetObjectAttributes', undefined, 'GET', true);
        const checksum = checksumElements(r);
        // A multipart object's ETag ends in -<parts>; a single upload has no parts to report.
        const parts = /-(\d+)"$/.exec(r.etag);
        return {
          LastModified: new Date(r.lastModified).toUTCString(),
          // Unlike HEAD's header, this ETag is unquoted.
          ETag: wanted.has('ETag') ? r.etag.replace(/^"|"$/g, '') : undefined,
          Checksum: wanted.has('Checksum') && Object.keys(checksum).length ? checksum : undefined,
          ObjectParts: wanted.has('ObjectParts') && parts ? { PartsCount: Number(parts[1]) } : undefined,
          StorageClass: wanted.has('StorageClass') ? 'STANDARD' : undefined,
          ObjectSize: wanted.has('ObjectSize') ? r.size : undefined,
        };
      },
    },
  };
}
