/**
 * Bucket versioning: PutBucketVersioning, GetBucketVersioning and ListObjectVersions.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html,
 * API_GetBucketVersioning.html, API_ListObjectVersions.html.
 */
import { MalformedXML } from '../errors.js';
import { defineOperation } from '../../../protocols/define-operation.js';
import { RawXml } from '../../../protocols/rest-xml.js';
import { boolean, inPayload, inQuery, inUri, integer, list, string, structure } from '../../../protocols/shapes.js';
import { escapeXml } from '../../../protocols/xml.js';
import type { Operation } from '../../service.js';
import type { Buckets } from '../engine/buckets.js';
import type { BucketSettings } from '../engine/bucket-settings.js';
import { InvalidBucketState, lockEnabled } from '../engine/object-lock.js';
import { listVersions, type VersionEntry } from '../engine/listing.js';
import { versionIdOf } from '../engine/versions.js';
import { isoTime, keyEncoder, maxKeys } from './listing.js';
import type { S3ObjectRepo } from '../repo.js';
import { S3_NS } from './buckets.js';
import { commonPrefixes, ENCODING_TYPES, MFA_DELETE, owner, VERSIONING_STATUSES } from './shapes.js';

export function versioningOperations(buckets: Buckets, repo: S3ObjectRepo, settings?: BucketSettings): Record<string, Operation> {
  return {
    PutBucketVersioning: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}?versioning' },
      input: structure({
        Bucket: inUri('Bucket'),
        VersioningConfiguration: inPayload(structure({ Status: string({ enum: VERSIONING_STATUSES }), MFADelete: string({ enum: MFA_DELETE }) }), 'VersioningConfiguration'),
      }),
      handler: async (input, ctx) => {
        buckets.owned(ctx, input.Bucket);
        const status = input.VersioningConfiguration?.Status;
        // MFADelete is accepted and ignored: there is no MFA device to ask here. A status other
        // than the model's is refused at decode time (MalformedXML); none at all is refused here.
        if (status === undefined) throw MalformedXML();
        if (status !== 'Enabled' && settings && lockEnabled(settings.get(input.Bucket))) {
          throw InvalidBucketState('An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.');
        }
        await buckets.update(ctx, input.Bucket, (b) => ({ ...b, versioning: status }));
      },
    }),
    GetBucketVersioning: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}?versioning' },
      input: structure({ Bucket: inUri('Bucket') }),
      handler: (input, ctx) => {
        const b = buckets.owned(ctx, input.Bucket);
        // A bucket never versioned answers an empty configuration, as S3 does.
        const status = b.versioning ? `<Status>${escapeXml(b.versioning)}</Status>` : '';
        return new RawXml(`<VersioningConfiguration xmlns="${S3_NS}">${status}</VersioningConfiguration>`);
      },
    }),
    ListObjectVersions: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}?versions' },
      input: structure({
        Bucket: inUri('Bucket'),
        Prefix: inQuery(string(), 'prefix'),
        Delimiter: inQuery(string(), 'delimiter'),
        MaxKeys: inQuery(integer({ min: 0 }), 'max-keys'),
        KeyMarker: inQuery(string(), 'key-marker'),
        VersionIdMarker: inQuery(string(), 'version-id-marker'),
        EncodingType: inQuery(string({ enum: ENCODING_TYPES }), 'encoding-type'),
      }),
      output: structure({
        IsTruncated: boolean(),
        KeyMarker: string(),
        VersionIdMarker: string(),
        NextKeyMarker: string(),
        NextVersionIdMarker: string(),
        Version: list(
          structure({
            ETag: string(),
            Size: integer(),
            StorageClass: string(),
            Key: string(),
            VersionId: string(),
            IsLatest: boolean(),
            LastModified: string(),
            Owner: owner,
          }),
          { flattened: true },
        ),
        DeleteMarker: list(structure({ Owner: owner, Key: string(), VersionId: string(), IsLatest: boolean(), LastModified: string() }), { flattened: true }),
        Name: string(),
        Prefix: string(),
        Delimiter: string(),
        MaxKeys: integer(),
        CommonPrefixes: list(commonPrefixes, { flattened: true }),
        EncodingType: string(),
      }),
      outputRoot: 'ListVersionsResult',
      handler: async (input, ctx) => {
        const prefix = input.Prefix ?? '';
        const b = buckets.authorize(ctx, input.Bucket, { action: 's3:ListBucketVersions', conditionKeys: { 's3:prefix': prefix } });
        const max = maxKeys(input.MaxKeys);
        const enc = keyEncoder(input.EncodingType);
        const delimiter = input.Delimiter || undefined;
        const page = await listVersions(repo, input.Bucket, {
          prefix,
          delimiter,
          maxKeys: max,
          keyMarker: input.KeyMarker || undefined,
          versionIdMarker: input.VersionIdMarker || undefined,
        });
        const who = { ID: b.account, DisplayName: b.account };
        const ownerOf = (acl: string | undefined) => {
          const id = buckets.objectOwner(b, acl);
          return { ID: id, DisplayName: id };
        };
        const common = (e: VersionEntry) => ({ Key: enc(e.record.key), VersionId: versionIdOf(e.record), IsLatest: e.isLatest, LastModified: isoTime(e.record.lastModified) });
        return {
          Name: input.Bucket,
          Prefix: enc(prefix),
          KeyMarker: enc(input.KeyMarker ?? ''),
          VersionIdMarker: input.VersionIdMarker ?? '',
          NextKeyMarker: page.nextKeyMarker === undefined ? undefined : enc(page.nextKeyMarker),
          NextVersionIdMarker: page.nextVersionIdMarker,
          Delimiter: delimiter === undefined ? undefined : enc(delimiter),
          MaxKeys: max,
          IsTruncated: page.truncated,
          Version: page.entries
            .filter((e) => !e.deleteMarker)
            .map((e) => ({ ...common(e), ETag: e.record.etag, Size: e.record.size, StorageClass: 'STANDARD', Owner: ownerOf(e.record.acl) })),
          DeleteMarker: page.entries.filter((e) => e.deleteMarker).map((e) => ({ Owner: who, ...common(e) })),
          CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
          EncodingType: input.EncodingType,
        };
      },
    }),
  };
}
