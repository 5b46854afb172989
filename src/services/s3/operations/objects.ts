/**
 * Object operations: PutObject, GetObject, HeadObject, DeleteObject, ListObjectsV2, ListObjects.
 * In a bucket with versioning configured they report version ids (x-amz-version-id) and take
 * `versionId` to address one version.
 */
import type { Readable } from 'node:stream';
import { RestAnswer } from '../../../protocols/rest.js';
import { boolean, headersWithPrefix, inHeader, inQuery, inUri, integer, list, string, streamingPayload, structure } from '../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../service.js';
import { AccessDenied, InvalidArgument } from '../errors.js';
import { isoTime, keyEncoder, maxKeys } from './listing.js';
import { versionIdOf } from '../engine/versions.js';
import { listKeys } from '../engine/listing.js';
import { parseTaggingHeader } from '../engine/tagging.js';
import { CONTENT_HEADERS, type ObjectRead, type Objects } from '../engine/objects.js';
import type { ObjectRecord, S3ObjectRepo } from '../repo.js';
import { checkCannedAcl, type Buckets } from '../engine/buckets.js';
import { checksumHeaders } from '../engine/checksums.js';
import { allHeaders } from './object-extras.js';

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
  for (const [k, v] of Object.entries(r.metadata)) h[`x-amz-meta-${k}`] = v;
  const tagCount = Object.keys(r.tags).length;
  if (tagCount) h['x-amz-tagging-count'] = String(tagCount);
  // A checksum covers the whole object, so a range answer carries none.
  if (withChecksums && !read.range) Object.assign(h, r.checksums);
  if (query) for (const [param, header] of Object.entries(OVERRIDES)) if (query.has(param)) h[header] = query.get(param)!;
  if (read.versioned) h['x-amz-version-id'] = versionIdOf(r);
  if (read.range) {
    h['content-range'] = `bytes ${read.range.start}-${read.range.end}/${r.size}`;
    h['content-length'] = String(read.range.end - read.range.start + 1);
  } else h['content-length'] = String(r.size);
  return h;
}

export function objectOperations(objects: Objects, buckets: Buckets, repo: S3ObjectRepo): Record<string, Operation> {
  const readInput = structure({
    Bucket: inUri('Bucket'),
    Key: inUri('Key'),
    Range: inHeader(string(), 'range'),
    IfMatch: inHeader(string(), 'if-match'),
    IfNoneMatch: inHeader(string(), 'if-none-match'),
    IfModifiedSince: inHeader(string(), 'if-modified-since'),
    IfUnmodifiedSince: inHeader(string(), 'if-unmodified-since'),
    ChecksumMode: inHeader(string(), 'x-amz-checksum-mode'),
    PartNumber: inQuery(integer(), 'partNumber'),
    VersionId: inQuery(string(), 'versionId'),
  });
  type ReadInput = {
    Bucket: string;
    Key: string;
    Range?: string;
    IfMatch?: string;
    IfNoneMatch?: string;
    IfModifiedSince?: string;
    IfUnmodifiedSince?: string;
    ChecksumMode?: string;
    VersionId?: string;
  };
  const read = async (input: ReadInput, ctx: RequestContext, head: boolean, query?: URLSearchParams) => {
    const conditions = { ifMatch: input.IfMatch, ifNoneMatch: input.IfNoneMatch, ifModifiedSince: input.IfModifiedSince, ifUnmodifiedSince: input.IfUnmodifiedSince };
    const r: ObjectRead = await objects.read(ctx, input.Bucket, input.Key, { head, range: input.Range, conditions, versionId: input.VersionId });
    const headers = objectHeaders(r.record, r, query, input.ChecksumMode === 'ENABLED');
    return new RestAnswer(r.range ? 206 : 200, headers, r.stream ?? '');
  };

  return {
    PutObject: {
      http: { method: 'PUT', uri: '/{Bucket}/{Key+}' },
      input: structure({
        Bucket: inUri('Bucket'),
        Key: inUri('Key'),
        Body: streamingPayload(),
        ContentLength: inHeader(integer(), 'content-length'),
        DecodedContentLength: inHeader(integer(), 'x-amz-decoded-content-length'),
        ContentMD5: inHeader(string(), 'content-md5'),
        Trailer: inHeader(string(), 'x-amz-trailer'),
        IfNoneMatch: inHeader(string(), 'if-none-match'),
        IfMatch: inHeader(string(), 'if-match'),
        Tagging: inHeader(string(), 'x-amz-tagging'),
        ACL: inHeader(string(), 'x-amz-acl'),
        Metadata: headersWithPrefix('x-amz-meta-'),
        AllHeaders: allHeaders,
      }),
      handler: async (input: Record<string, unknown>, ctx) => {
        const all = (input.AllHeaders ?? {}) as Record<string, string>;
        const headers: Record<string, string> = {};
        for (const name of CONTENT_HEADERS) if (all[name] !== undefined) headers[name] = all[name]!;
        // aws-chunked is the transfer encoding of the upload, not the object's.
        if (headers['content-encoding']) {
          const rest = headers['content-encoding'].split(',').map((s) => s.trim()).filter((s) => s && s !== 'aws-chunked');
          if (rest.length) headers['content-encoding'] = rest.join(',');
          else delete headers['content-encoding'];
        }
        // A bad tag set is refused before the body is read.
        const tags = input.Tagging === undefined ? undefined : parseTaggingHeader(input.Tagging as string);
        const record = await objects.put(
          ctx,
          {
            bucket: input.Bucket as string,
            key: input.Key as string,
            body: input.Body as Readable,
            contentLength: input.ContentLength as number | undefined,
            decodedContentLength: input.DecodedContentLength as number | undefined,
            contentMd5: input.ContentMD5 as string | undefined,
            trailer: input.Trailer as string | undefined,
            checksums: checksumHeaders(all),
            headers,
            metadata: (input.Metadata ?? {}) as Record<string, string>,
            ifNoneMatch: input.IfNoneMatch as string | undefined,
            ifMatch: input.IfMatch as string | undefined,
            tags,
            ...(input.ACL !== undefined && input.ACL !== 'private' ? { acl: checkedObjectAcl(buckets, input.Bucket as string, input.ACL as string) } : {}),
          },
          ctx.payload,
        );
        const versioned = record.versionId !== undefined || buckets.find(record.bucket)?.versioning !== undefined;
        return new RestAnswer(200, { etag: record.etag, ...record.checksums, ...(versioned ? { 'x-amz-version-id': versionIdOf(record) } : {}) });
      },
    },
    GetObject: {
      http: { method: 'GET', uri: '/{Bucket}/{Key+}' },
      input: readInput,
      handler: (input: ReadInput, ctx) => read(input, ctx, false, new URLSearchParams(ctx.query ?? '')),
    },
    HeadObject: {
      http: { method: 'HEAD', uri: '/{Bucket}/{Key+}' },
      input: readInput,
      handler: (input: ReadInput, ctx) => read(input, ctx, true),
    },
    DeleteObject: {
      http: { method: 'DELETE', uri: '/{Bucket}/{Key+}', code: 204 },
      input: structure({ Bucket: inUri('Bucket'), Key: inUri('Key'), VersionId: inQuery(string(), 'versionId') }),
      output: structure({ DeleteMarker: inHeader(boolean(), 'x-amz-delete-marker'), VersionId: inHeader(string(), 'x-amz-version-id') }),
      handler: async (input: { Bucket: string; Key: string; VersionId?: string }, ctx) => {
        const r = await objects.delete(ctx, input.Bucket, input.Key, input.VersionId);
        return { DeleteMarker: r.deleteMarker, VersionId: r.versionId };
      },
    },
    ListObjectsV2: {
      http: { method: 'GET', uri: '/{Bucket}?list-type=2' },
      input: structure({
        Bucket: inUri('Bucket'),
        Prefix: inQuery(string(), 'prefix'),
        Delimiter: inQuery(string(), 'delimiter'),
        MaxKeys: inQuery(integer(), 'max-keys'),
        ContinuationToken: inQuery(string(), 'continuation-token'),
        StartAfter: inQuery(string(), 'start-after'),
        EncodingType: inQuery(string(), 'encoding-type'),
        FetchOwner: inQuery(boolean(), 'fetch-owner'),
      }),
      output: listOutput(true),
      outputRoot: 'ListBucketResult',
      handler: async (input: Record<string, string | number | boolean | undefined>, ctx) => {
        buckets.authorize(ctx, input.Bucket as string, { action: 's3:ListBucket', conditionKeys: { 's3:prefix': (input.Prefix as string | undefined) ?? '' } });
        const max = maxKeys(input.MaxKeys as number | undefined);
        const prefix = (input.Prefix as string | undefined) ?? '';
        const token = input.ContinuationToken as string | undefined;
        let after = input.StartAfter as string | undefined;
        if (token !== undefined) {
          const decoded = decodeToken(token);
          if (decoded === undefined) throw InvalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
          after = decoded;
        }
        const page = await listKeys(repo, input.Bucket as string, { prefix, delimiter: (input.Delimiter as string) || undefined, maxKeys: max, after });
        const enc = keyEncoder(input.EncodingType as string | undefined);
        return {
          Name: input.Bucket,
          Prefix: enc(prefix),
          Delimiter: input.Delimiter === undefined ? undefined : enc(input.Delimiter as string),
          MaxKeys: max,
          KeyCount: page.contents.length + page.commonPrefixes.length,
          IsTruncated: page.truncated,
          Contents: page.contents.map((o) => content(o, enc, input.FetchOwner === true ? ctx.accountId : undefined)),
          CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
          ContinuationToken: token,
          NextContinuationToken: page.truncated && page.last !== undefined ? encodeToken(page.last) : undefined,
          StartAfter: input.StartAfter === undefined ? undefined : enc(input.StartAfter as string),
          EncodingType: input.EncodingType,
        };
      },
    },
    ListObjects: {
      http: { method: 'GET', uri: '/{Bucket}' },
      input: structure({
        Bucket: inUri('Bucket'),
        Prefix: inQuery(string(), 'prefix'),
        Delimiter: inQuery(string(), 'delimiter'),
        MaxKeys: inQuery(integer(), 'max-keys'),
        Marker: inQuery(string(), 'marker'),
        EncodingType: inQuery(string(), 'encoding-type'),
      }),
      output: listOutput(false),
      outputRoot: 'ListBucketResult',
      handler: async (input: Record<string, string | number | undefined>, ctx) => {
        buckets.authorize(ctx, input.Bucket as string, { action: 's3:ListBucket', conditionKeys: { 's3:prefix': (input.Prefix as string | undefined) ?? '' } });
        const max = maxKeys(input.MaxKeys as number | undefined);
        const prefix = (input.Prefix as string | undefined) ?? '';
        const delimiter = (input.Delimiter as string) || undefined;
        const page = await listKeys(repo, input.Bucket as string, { prefix, delimiter, maxKeys: max, after: (input.Marker as string) || undefined });
        const enc = keyEncoder(input.EncodingType as string | undefined);
        return {
          Name: input.Bucket,
          Prefix: enc(prefix),
          Marker: enc((input.Marker as string | undefined) ?? ''),
          Delimiter: delimiter === undefined ? undefined : enc(delimiter),
          MaxKeys: max,
          IsTruncated: page.truncated,
          // S3 gives NextMarker only with a delimiter; clients use the last key otherwise.
          NextMarker: page.truncated && delimiter !== undefined && page.last !== undefined ? enc(page.last) : undefined,
          Contents: page.contents.map((o) => content(o, enc, ctx.accountId)),
          CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
          EncodingType: input.EncodingType,
        };
      },
    },
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
    Owner: structure({ ID: string(), DisplayName: string() }),
  });
  return structure({
    IsTruncated: boolean(),
    ...(v2 ? {} : { Marker: string(), NextMarker: string() }),
    Contents: list(object, { flattened: true }),
    Name: string(),
    Prefix: string(),
    Delimiter: string(),
    MaxKeys: integer(),
    CommonPrefixes: list(structure({ Prefix: string() }), { flattened: true }),
    EncodingType: string(),
    ...(v2 ? { KeyCount: integer(), ContinuationToken: string(), NextContinuationToken: string(), StartAfter: string() } : {}),
  });
}

/** A canned ACL for a new object: valid, and allowed by the bucket's public access block. */
function checkedObjectAcl(buckets: Buckets, bucket: string, acl: string): string {
  checkCannedAcl(acl);
  if (buckets.find(bucket)?.publicAccessBlock?.BlockPublicAcls) throw new AccessDenied();
  return acl;
}
