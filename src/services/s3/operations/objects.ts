/**
 * Object operations: PutObject, GetObject, HeadObject, DeleteObject, ListObjectsV2, ListObjects.
 * In a bucket with versioning configured they report version ids (x-amz-version-id) and take
 * `versionId` to address one version.
 */
import { defineOperation } from '../../../protocols/define-operation.js';
import { RestAnswer } from '../../../protocols/rest.js';
import { boolean, headersWithPrefix, inHeader, inQuery, inUri, integer, list, string, structure, type ShapeType } from '../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../service.js';
import { AccessDenied, InvalidArgument, InvalidRequest } from '../errors.js';
import { requestedAcl } from '../engine/acl.js';
import { isoTime, keyEncoder, maxKeys } from './listing.js';
import { versionIdOf } from '../engine/versions.js';
import { listKeys } from '../engine/listing.js';
import { parseTaggingHeader } from '../engine/tagging.js';
import { CONTENT_HEADERS, type ObjectRead, type Objects } from '../engine/objects.js';
import type { ObjectRecord, S3ObjectRepo } from '../repo.js';
import type { Buckets } from '../engine/buckets.js';
import { checksumHeaders } from '../engine/checksums.js';
import type { BucketSettings } from '../engine/bucket-settings.js';
import { chooseSse, sseHeaders } from '../engine/sse.js';
import { lockForWrite, lockHeaders } from '../engine/object-lock.js';
import { checksumHeadersOut } from './checksums.js';
import { allHeaders, bodyStream, commonPrefixes, ENCODING_TYPES, OBJECT_CANNED_ACLS, owner, writeOptions, mailSafe, userMetadata } from './shapes.js';

/** Standard content headers stored with an object and returned on GET/HEAD. */
const OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

const httpDate = (ms: number) => new Date(ms).toUTCString();


function objectHeaders(r: ObjectRecord, read: ObjectRead, query: URLSearchParams | undefined, withChecksums: boolean): Record<string, string> {
  const h: Record<string, string> = {
    'last-modified': httpDate(r.lastModified),
    etag: r.etag,
    'accept-ranges': 'bytes',
    'content-type': 'binary/octet-stream',
  };
  for (const name of CONTENT_HEADERS) if (r.headers[name] !== undefined) h[name] = r.headers[name]!;
  for (const [k, v] of Object.entries(r.metadata)) h[`x-amz-meta-${k}`] = mailSafe(v);
  const tagCount = Object.keys(r.tags).length;
  if (tagCount) h['x-amz-tagging-count'] = String(tagCount);
  // A checksum covers the whole object, so a range answer carries none.
  if (withChecksums && !read.range) Object.assign(h, checksumHeadersOut(r.checksums));
  if (query) for (const [param, header] of Object.entries(OVERRIDES)) if (query.has(param)) h[header] = query.get(param)!;
  if (read.versioned) h['x-amz-version-id'] = versionIdOf(r);
  Object.assign(h, sseHeaders(r.sse), lockHeaders(r.lock));
  if (read.range) {
    h['content-range'] = `bytes ${read.range.start}-${read.range.end}/${r.size}`;
    h['content-length'] = String(read.range.end - read.range.start + 1);
  } else h['content-length'] = String(r.size);
  return h;
}

/** The x-amz-expiration of an object (lifecycle rules), if any. */
export type ExpirationOf = (o: ObjectRecord) => Promise<string | undefined>;

export function objectOperations(objects: Objects, buckets: Buckets, repo: S3ObjectRepo, settings: BucketSettings, expirationOf: ExpirationOf = async () => undefined): Record<string, Operation> {
  const readInput = structure({
    Bucket: inUri('Bucket'),
    Key: inUri('Key'),
    Range: inHeader(string(), 'range'),
    IfMatch: inHeader(string(), 'if-match'),
    IfNoneMatch: inHeader(string(), 'if-none-match'),
    IfModifiedSince: inHeader(string(), 'if-modified-since'),
    IfUnmodifiedSince: inHeader(string(), 'if-unmodified-since'),
    // The model's only value is ENABLED; S3's answer to another is not documented, so any other reads as absent.
    ChecksumMode: inHeader(string(), 'x-amz-checksum-mode'),
    PartNumber: inQuery(integer({ min: 1, max: 10000 }), 'partNumber'),
    VersionId: inQuery(string(), 'versionId'),
    AllHeaders: allHeaders,
  });
  type ReadInput = ShapeType<typeof readInput>;
  const read = async (input: ReadInput, ctx: RequestContext, head: boolean, query?: URLSearchParams) => {
    const conditions = { ifMatch: input.IfMatch, ifNoneMatch: input.IfNoneMatch, ifModifiedSince: input.IfModifiedSince, ifUnmodifiedSince: input.IfUnmodifiedSince };
    const r: ObjectRead = await objects.read(ctx, input.Bucket, input.Key, { head, range: input.Range, conditions, versionId: input.VersionId, sse: input.AllHeaders ?? {}, partNumber: input.PartNumber });
    const headers = objectHeaders(r.record, r, query, input.ChecksumMode === 'ENABLED');
    if (r.partsCount !== undefined) headers['x-amz-mp-parts-count'] = String(r.partsCount);
    const expiration = await expirationOf(r.record);
    if (expiration) headers['x-amz-expiration'] = expiration;
    // A read by part number is a partial answer even when the part is the whole object.
    if (input.PartNumber !== undefined && !r.range && r.record.size > 0) {
      headers['content-range'] = `bytes 0-${r.record.size - 1}/${r.record.size}`;
    }
    return new RestAnswer(r.range || input.PartNumber !== undefined ? 206 : 200, headers, r.stream ?? '');
  };

  return {
    PutObject: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}/{Key+}' },
      input: structure({
        Bucket: inUri('Bucket'),
        Key: inUri('Key'),
        Body: bodyStream,
        ContentLength: inHeader(integer(), 'content-length'),
        DecodedContentLength: inHeader(integer(), 'x-amz-decoded-content-length'),
        ContentMD5: inHeader(string(), 'content-md5'),
        Trailer: inHeader(string(), 'x-amz-trailer'),
        IfNoneMatch: inHeader(string(), 'if-none-match'),
        IfMatch: inHeader(string(), 'if-match'),
        Tagging: inHeader(string(), 'x-amz-tagging'),
        ACL: inHeader(string({ enum: OBJECT_CANNED_ACLS }), 'x-amz-acl'),
        ...writeOptions,
        Metadata: headersWithPrefix('x-amz-meta-'),
        AllHeaders: allHeaders,
      }),
      handler: async (input, ctx) => {
        const all = input.AllHeaders ?? {};
        const headers: Record<string, string> = {};
        for (const name of CONTENT_HEADERS) if (all[name] !== undefined) headers[name] = all[name]!;
        // aws-chunked is the transfer encoding of the upload, not the object's: S3 drops it and
        // keeps the rest of the list (`gzip, aws-chunked` is stored `gzip`); a list without it is kept as sent.
        if (headers['content-encoding']) {
          const codings = headers['content-encoding'].split(',').map((s) => s.trim());
          if (codings.includes('aws-chunked')) {
            const rest = codings.filter((s) => s && s !== 'aws-chunked');
            if (rest.length) headers['content-encoding'] = rest.join(', ');
            else delete headers['content-encoding'];
          }
        }
        // A bad tag set, or bad encryption headers, are refused before the body is read.
        const tags = input.Tagging === undefined ? undefined : parseTaggingHeader(input.Tagging);
        const { sse } = chooseSse(all, settings.get(input.Bucket)?.encryption, ownerOf(buckets, input.Bucket, ctx));
        const lock = lockForWrite(all, settings.get(input.Bucket), objects.clock.now());
        // A version that will be locked must come with a digest of its bytes (the payload hash of the signature does not count).
        if (lock && input.ContentMD5 === undefined && Object.keys(checksumHeaders(all)).length === 0 && !/x-amz-checksum-/i.test(input.Trailer ?? '')) {
          throw InvalidRequest('Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters');
        }
        const record = await objects.put(
          ctx,
          {
            bucket: input.Bucket,
            key: input.Key,
            body: input.Body,
            contentLength: input.ContentLength,
            decodedContentLength: input.DecodedContentLength,
            contentMd5: input.ContentMD5,
            trailer: input.Trailer,
            transferEncoding: all['transfer-encoding'],
            checksums: checksumHeaders(all),
            headers,
            metadata: userMetadata(input.Metadata),
            ifNoneMatch: input.IfNoneMatch,
            ifMatch: input.IfMatch,
            tags,
            acl: requestedAcl(ctx.headers, input.ACL),
            sse,
            ...(lock ? { lock } : {}),
          },
          ctx.payload,
        );
        const versioned = record.versionId !== undefined || buckets.find(record.bucket)?.versioning !== undefined;
        const expiration = await expirationOf(record);
        return new RestAnswer(200, {
          etag: record.etag,
          ...checksumHeadersOut(record.checksums),
          ...(versioned ? { 'x-amz-version-id': versionIdOf(record) } : {}),
          ...(expiration ? { 'x-amz-expiration': expiration } : {}),
          ...sseHeaders(record.sse),
        });
      },
    }),
    GetObject: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}/{Key+}' },
      input: readInput,
      handler: (input, ctx) => read(input, ctx, false, new URLSearchParams(ctx.query ?? '')),
    }),
    HeadObject: defineOperation({
      http: { method: 'HEAD', uri: '/{Bucket}/{Key+}' },
      input: readInput,
      handler: (input, ctx) => read(input, ctx, true),
    }),
    DeleteObject: defineOperation({
      http: { method: 'DELETE', uri: '/{Bucket}/{Key+}', code: 204 },
      input: structure({
        Bucket: inUri('Bucket'),
        Key: inUri('Key'),
        VersionId: inQuery(string(), 'versionId'),
        BypassGovernanceRetention: inHeader(boolean(), 'x-amz-bypass-governance-retention'),
      }),
      output: structure({ DeleteMarker: inHeader(boolean(), 'x-amz-delete-marker'), VersionId: inHeader(string(), 'x-amz-version-id') }),
      handler: async (input, ctx) => {
        const r = await objects.delete(ctx, input.Bucket, input.Key, input.VersionId, input.BypassGovernanceRetention === true);
        return { DeleteMarker: r.deleteMarker, VersionId: r.versionId };
      },
    }),
    ListObjectsV2: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}?list-type=2' },
      input: structure({
        Bucket: inUri('Bucket'),
        Prefix: inQuery(string(), 'prefix'),
        Delimiter: inQuery(string(), 'delimiter'),
        MaxKeys: inQuery(integer({ min: 0 }), 'max-keys'),
        ContinuationToken: inQuery(string(), 'continuation-token'),
        StartAfter: inQuery(string(), 'start-after'),
        EncodingType: inQuery(string({ enum: ENCODING_TYPES }), 'encoding-type'),
        FetchOwner: inQuery(boolean(), 'fetch-owner'),
      }),
      output: listOutput(true),
      outputRoot: 'ListBucketResult',
      handler: async (input, ctx) => {
        const b = buckets.authorize(ctx, input.Bucket, { action: 's3:ListBucket', conditionKeys: { 's3:prefix': input.Prefix ?? '' } });
        const max = maxKeys(input.MaxKeys);
        const prefix = input.Prefix ?? '';
        const token = input.ContinuationToken;
        let after = input.StartAfter;
        // An empty token lists from the start (and is echoed), as S3 answers it.
        if (token !== undefined && token !== '') {
          const decoded = decodeToken(token);
          if (decoded === undefined) throw InvalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
          after = decoded;
        }
        const page = await listKeys(repo, input.Bucket, { prefix, delimiter: input.Delimiter || undefined, maxKeys: max, after });
        const enc = keyEncoder(input.EncodingType);
        return {
          Name: input.Bucket,
          Prefix: enc(prefix),
          // An empty delimiter is not echoed.
          Delimiter: input.Delimiter ? enc(input.Delimiter) : undefined,
          MaxKeys: max,
          KeyCount: page.contents.length + page.commonPrefixes.length,
          IsTruncated: page.truncated,
          Contents: page.contents.map((o) => content(o, enc, input.FetchOwner === true ? buckets.objectOwner(b, o.acl) : undefined)),
          CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
          ContinuationToken: token,
          NextContinuationToken: page.truncated && page.last !== undefined ? encodeToken(page.last) : undefined,
          StartAfter: input.StartAfter === undefined ? undefined : enc(input.StartAfter),
          EncodingType: input.EncodingType,
        };
      },
    }),
    ListObjects: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}' },
      input: structure({
        Bucket: inUri('Bucket'),
        Prefix: inQuery(string(), 'prefix'),
        Delimiter: inQuery(string(), 'delimiter'),
        MaxKeys: inQuery(integer({ min: 0 }), 'max-keys'),
        Marker: inQuery(string(), 'marker'),
        EncodingType: inQuery(string({ enum: ENCODING_TYPES }), 'encoding-type'),
      }),
      output: listOutput(false),
      outputRoot: 'ListBucketResult',
      handler: async (input, ctx) => {
        const b = buckets.authorize(ctx, input.Bucket, { action: 's3:ListBucket', conditionKeys: { 's3:prefix': input.Prefix ?? '' } });
        const max = maxKeys(input.MaxKeys);
        const prefix = input.Prefix ?? '';
        const delimiter = input.Delimiter || undefined;
        const page = await listKeys(repo, input.Bucket, { prefix, delimiter, maxKeys: max, after: input.Marker || undefined });
        const enc = keyEncoder(input.EncodingType);
        return {
          Name: input.Bucket,
          Prefix: enc(prefix),
          Marker: enc(input.Marker ?? ''),
          Delimiter: delimiter === undefined ? undefined : enc(delimiter),
          MaxKeys: max,
          IsTruncated: page.truncated,
          // S3 gives NextMarker only with a delimiter; clients use the last key otherwise.
          NextMarker: page.truncated && delimiter !== undefined && page.last !== undefined ? enc(page.last) : undefined,
          Contents: page.contents.map((o) => content(o, enc, buckets.objectOwner(b, o.acl))),
          CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
          EncodingType: input.EncodingType,
        };
      },
    }),
  };
}

function content(o: ObjectRecord, enc: (s: string) => string, owner: string | undefined) {
  return {
    Key: enc(o.key),
    LastModified: isoTime(o.lastModified),
    ETag: o.etag,
    Size: o.size,
    StorageClass: 'STANDARD',
    Owner: owner === undefined ? undefined : { ID: owner, DisplayName: owner },
  };
}

const encodeToken = (key: string) => Buffer.from(`v1:${key}`, 'utf8').toString('base64');
function decodeToken(token: string): string | undefined {
  const s = Buffer.from(token, 'base64').toString('utf8');
  return s.startsWith('v1:') ? s.slice(3) : undefined;
}

function listOutput(v2: boolean) {
  const object = structure({
    Key: string(),
    LastModified: string(),
    ETag: string(),
    Size: integer(),
    StorageClass: string(),
    Owner: owner,
  });
  return structure({
    IsTruncated: boolean(),
    ...(v2 ? {} : { Marker: string(), NextMarker: string() }),
    Contents: list(object, { flattened: true }),
    Name: string(),
    Prefix: string(),
    Delimiter: string(),
    MaxKeys: integer(),
    CommonPrefixes: list(commonPrefixes, { flattened: true }),
    EncodingType: string(),
    ...(v2 ? { KeyCount: integer(), ContinuationToken: string(), NextContinuationToken: string(), StartAfter: string() } : {}),
  });
}

/** Where a new object's KMS key ARNs point: the bucket's account and region (the caller's, for a bucket that does not exist: authorization answers that). */
export function ownerOf(buckets: Buckets, bucket: string, caller: { accountId: string; region: string }): { account: string; region: string } {
  const b = buckets.find(bucket);
  return b ? { account: b.account, region: b.region } : { account: caller.accountId, region: caller.region };
}
