/**
 * Multipart upload operations: CreateMultipartUpload, UploadPart (and UploadPartCopy, which S3
 * tells apart only by its x-amz-copy-source header), CompleteMultipartUpload,
 * AbortMultipartUpload, ListParts, ListMultipartUploads. The wire values are checked here;
 * the rules of uploads live in the engine.
 */
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from '../../../protocols/checksums.js';
import { defineOperation } from '../../../protocols/define-operation.js';
import { RestAnswer } from '../../../protocols/rest.js';
import { boolean, headersWithPrefix, inHeader, inPayload, inQuery, inUri, integer, list, string, structure, type ShapeType } from '../../../protocols/shapes.js';
import { escapeXml } from '../../../protocols/xml.js';
import type { Operation } from '../../service.js';
import { InvalidArgument, InvalidRequest, MalformedXML } from '../errors.js';
import { isoTime, keyEncoder } from './listing.js';
import { checksumHeaders } from '../engine/checksums.js';
import { parseCopySource } from '../engine/copy.js';
import { CONTENT_HEADERS } from '../engine/objects.js';
import { parseTaggingHeader } from '../engine/tagging.js';
import { MAX_PART_NUMBER, type Multipart, type RequestedPart } from '../engine/multipart.js';
import type { ChecksumType, PartRecord, UploadRecord } from '../repo-multipart.js';
import { S3_NS } from './buckets.js';
import type { BucketSettings } from '../engine/bucket-settings.js';
import { chooseSse, sseHeaders } from '../engine/sse.js';
import { lockForWrite } from '../engine/object-lock.js';
import { sseMembers, sseOutput } from './object-extras.js';
import { CHECKSUM_ELEMENTS, checksumEntries, checksumMembers } from './checksums.js';
import { requestedAcl, type AclRequest } from '../engine/acl.js';
import { allHeaders, bodyStream, CHECKSUM_TYPES, commonPrefixes, ENCODING_TYPES, OBJECT_CANNED_ACLS, owner, writeOptions, userMetadata } from './shapes.js';

const target = { Bucket: inUri('Bucket'), Key: inUri('Key'), UploadId: { ...inQuery(string(), 'uploadId'), required: true as const } };
/** max-parts, max-uploads and part-number-marker: 0 .. 2^31-1 (S3's own InvalidArgument otherwise, see shapes.ts). */
const count = () => integer({ min: 0, max: 2147483647 });
const LISTED = 1000;

const completeInput = structure({
  ...target,
  MultipartUpload: inPayload(
    // PartNumber as text: a part number that is not one is MalformedXML, which requestedParts says.
    structure({ Parts: list(structure({ PartNumber: string(), ETag: string(), ...checksumMembers() }), { flattened: true, memberName: 'Part' }) }),
    'CompleteMultipartUpload',
  ),
  ChecksumType: inHeader(string({ enum: CHECKSUM_TYPES }), 'x-amz-checksum-type'),
  MpObjectSize: inHeader(integer(), 'x-amz-mp-object-size'),
  IfMatch: inHeader(string(), 'if-match'),
  IfNoneMatch: inHeader(string(), 'if-none-match'),
  AllHeaders: allHeaders,
});

export function multipartOperations(deps: { multipart: Multipart; settings: BucketSettings }): Record<string, Operation> {
  const { multipart, settings } = deps;
  return {
    CreateMultipartUpload: defineOperation({
      http: { method: 'POST', uri: '/{Bucket}/{Key+}?uploads' },
      input: structure({
        Bucket: inUri('Bucket'),
        Key: inUri('Key'),
        // Any case, as S3 takes it; checksumChoice refuses the algorithms not computed here.
        ChecksumAlgorithm: inHeader(string(), 'x-amz-checksum-algorithm'),
        ChecksumType: inHeader(string({ enum: CHECKSUM_TYPES }), 'x-amz-checksum-type'),
        Tagging: inHeader(string(), 'x-amz-tagging'),
        ACL: inHeader(string({ enum: OBJECT_CANNED_ACLS }), 'x-amz-acl'),
        ...writeOptions,
        Metadata: headersWithPrefix('x-amz-meta-'),
        AllHeaders: allHeaders,
      }),
      output: structure({
        Bucket: string(),
        Key: string(),
        UploadId: string(),
        ChecksumAlgorithm: inHeader(string(), 'x-amz-checksum-algorithm'),
        ChecksumType: inHeader(string(), 'x-amz-checksum-type'),
        ...sseOutput,
      }),
      outputRoot: 'InitiateMultipartUploadResult',
      handler: async (input, ctx) => {
        const all = input.AllHeaders ?? {};
        const bucket = multipart.bucketOf(input.Bucket);
        const { sse } = chooseSse(all, settings.get(input.Bucket)?.encryption, bucket ? { account: bucket.account, region: bucket.region } : { account: ctx.accountId, region: ctx.region });
        const headers: Record<string, string> = {};
        for (const name of CONTENT_HEADERS) if (all[name] !== undefined) headers[name] = all[name]!;
        const tags = parseTaggingHeader(input.Tagging ?? '');
        const u = await multipart.create(ctx, {
          bucket: input.Bucket,
          key: input.Key,
          headers,
          metadata: userMetadata(input.Metadata),
          tags,
          ...aclAsked(requestedAcl(ctx.headers, input.ACL)),
          ...checksumChoice(input.ChecksumAlgorithm, input.ChecksumType),
          sse,
          lock: lockForWrite(all, settings.get(input.Bucket), multipart.now()),
        });
        return { Bucket: u.bucket, Key: u.key, UploadId: u.uploadId, ChecksumAlgorithm: u.checksumAlgorithm, ChecksumType: u.checksumType, ...sseMembers(u) };
      },
    }),
    UploadPart: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}/{Key+}?partNumber&uploadId' },
      input: structure({
        ...target,
        PartNumber: { ...inQuery(integer({ min: 1, max: MAX_PART_NUMBER }), 'partNumber'), required: true as const },
        Body: bodyStream,
        ContentLength: inHeader(integer(), 'content-length'),
        DecodedContentLength: inHeader(integer(), 'x-amz-decoded-content-length'),
        ContentMD5: inHeader(string(), 'content-md5'),
        Trailer: inHeader(string(), 'x-amz-trailer'),
        CopySource: inHeader(string(), 'x-amz-copy-source'),
        CopySourceRange: inHeader(string(), 'x-amz-copy-source-range'),
        CopySourceIfMatch: inHeader(string(), 'x-amz-copy-source-if-match'),
        CopySourceIfNoneMatch: inHeader(string(), 'x-amz-copy-source-if-none-match'),
        CopySourceIfModifiedSince: inHeader(string(), 'x-amz-copy-source-if-modified-since'),
        CopySourceIfUnmodifiedSince: inHeader(string(), 'x-amz-copy-source-if-unmodified-since'),
        AllHeaders: allHeaders,
      }),
      handler: async (input, ctx) => {
        const part = { bucket: input.Bucket, key: input.Key, uploadId: input.UploadId, partNumber: input.PartNumber };
        if (input.CopySource !== undefined) {
          input.Body.resume(); // a copy has no body of its own
          const raw = input.CopySourceRange;
          const saved = await multipart.copyPart(ctx, {
            ...part,
            source: parseCopySource(input.CopySource),
            range: raw === undefined ? undefined : { ...copyRange(raw), raw },
            conditions: {
              ifMatch: input.CopySourceIfMatch,
              ifNoneMatch: input.CopySourceIfNoneMatch,
              ifModifiedSince: input.CopySourceIfModifiedSince,
              ifUnmodifiedSince: input.CopySourceIfUnmodifiedSince,
            },
            sse: input.AllHeaders ?? {},
          });
          let xml = `<LastModified>${isoTime(saved.part.lastModified)}</LastModified><ETag>${escapeXml(saved.part.etag)}</ETag>`;
          for (const [alg, value] of checksumEntries(saved.checksums)) xml += `<${CHECKSUM_ELEMENTS[alg]}>${value}</${CHECKSUM_ELEMENTS[alg]}>`;
          const body = `<?xml version="1.0" encoding="UTF-8"?>\n<CopyPartResult xmlns="${S3_NS}">${xml}</CopyPartResult>`;
          return new RestAnswer(200, { 'content-type': 'application/xml', ...sseHeaders(saved.sse) }, body);
        }
        const saved = await multipart.uploadPart(
          ctx,
          {
            ...part,
            body: input.Body,
            contentLength: input.ContentLength,
            decodedContentLength: input.DecodedContentLength,
            contentMd5: input.ContentMD5,
            trailer: input.Trailer,
            transferEncoding: input.AllHeaders?.['transfer-encoding'],
            checksums: checksumHeaders(input.AllHeaders ?? {}),
            sse: input.AllHeaders ?? {},
          },
          ctx.payload,
        );
        return new RestAnswer(200, { etag: saved.part.etag, ...saved.checksums, ...sseHeaders(saved.sse) });
      },
    }),
    CompleteMultipartUpload: defineOperation({
      http: { method: 'POST', uri: '/{Bucket}/{Key+}?uploadId' },
      input: completeInput,
      output: structure({
        Location: string(),
        Bucket: string(),
        Key: string(),
        ETag: string(),
        ...checksumMembers(),
        ChecksumType: string(),
        VersionId: inHeader(string(), 'x-amz-version-id'),
        ...sseOutput,
      }),
      outputRoot: 'CompleteMultipartUploadResult',
      handler: async (input, ctx) => {
        const { upload, result, versionId } = await multipart.complete(ctx, {
          bucket: input.Bucket,
          key: input.Key,
          uploadId: input.UploadId,
          parts: requestedParts(input.MultipartUpload),
          checksums: checksumHeaders(input.AllHeaders ?? {}),
          checksumType: input.ChecksumType,
          objectSize: input.MpObjectSize,
          ifMatch: input.IfMatch,
          ifNoneMatch: input.IfNoneMatch,
        });
        // CompleteMultipartUpload echoes SSE, the KMS key and the bucket key, never the SSE-C trio.
        const { SSECustomerAlgorithm: _a, SSECustomerKeyMD5: _m, ...encryption } = sseMembers(upload);
        const out: Record<string, string | undefined> = {
          ...encryption,
          // S3 encodes the whole key in the location, slashes too.
          Location: `${ctx.endpoint}/${upload.bucket}/${encodeURIComponent(upload.key)}`,
          Bucket: upload.bucket,
          Key: upload.key,
          ETag: result.etag,
        };
        const type = result.checksums['x-amz-checksum-type'];
        if (type !== undefined) out.ChecksumType = type;
        for (const [alg, value] of checksumEntries(result.checksums)) out[CHECKSUM_ELEMENTS[alg]] = value;
        if (versionId !== undefined) out.VersionId = versionId;
        return out;
      },
    }),
    AbortMultipartUpload: defineOperation({
      http: { method: 'DELETE', uri: '/{Bucket}/{Key+}?uploadId', code: 204 },
      input: structure(target),
      handler: async (input, ctx) => {
        await multipart.abort(ctx, input.Bucket, input.Key, input.UploadId);
      },
    }),
    ListParts: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}/{Key+}?uploadId' },
      input: structure({
        ...target,
        MaxParts: inQuery(count(), 'max-parts'),
        // The model's PartNumberMarker is a string; a marker that is no count is refused in markerOf.
        PartNumberMarker: inQuery(string(), 'part-number-marker'),
        EncodingType: inQuery(string({ enum: ENCODING_TYPES }), 'encoding-type'),
      }),
      output: structure({
        Bucket: string(),
        Key: string(),
        UploadId: string(),
        PartNumberMarker: integer(),
        NextPartNumberMarker: integer(),
        MaxParts: integer(),
        IsTruncated: boolean(),
        Parts: list(structure({ PartNumber: integer(), LastModified: string(), ETag: string(), Size: integer(), ...checksumMembers() }), { flattened: true, memberName: 'Part' }),
        Initiator: owner,
        Owner: owner,
        StorageClass: string(),
        ChecksumAlgorithm: string(),
        ChecksumType: string(),
        EncodingType: string(),
      }),
      outputRoot: 'ListPartsResult',
      handler: async (input, ctx) => {
        const max = Math.min(input.MaxParts ?? LISTED, LISTED);
        const marker = markerOf(input.PartNumberMarker);
        const enc = keyEncoder(input.EncodingType);
        const page = await multipart.listParts(ctx, input.Bucket, input.Key, input.UploadId, marker, max);
        const u = page.upload;
        return {
          Bucket: u.bucket,
          Key: enc(u.key),
          UploadId: u.uploadId,
          PartNumberMarker: marker,
          NextPartNumberMarker: page.parts.at(-1)?.partNumber ?? marker,
          MaxParts: max,
          IsTruncated: page.truncated,
          Parts: page.parts.map((p) => partOut(u, p)),
          ...people(u),
          EncodingType: input.EncodingType,
        };
      },
    }),
    ListMultipartUploads: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}?uploads' },
      input: structure({
        Bucket: inUri('Bucket'),
        Prefix: inQuery(string(), 'prefix'),
        Delimiter: inQuery(string(), 'delimiter'),
        KeyMarker: inQuery(string(), 'key-marker'),
        UploadIdMarker: inQuery(string(), 'upload-id-marker'),
        MaxUploads: inQuery(count(), 'max-uploads'),
        EncodingType: inQuery(string({ enum: ENCODING_TYPES }), 'encoding-type'),
      }),
      output: structure({
        Bucket: string(),
        KeyMarker: string(),
        UploadIdMarker: string(),
        NextKeyMarker: string(),
        NextUploadIdMarker: string(),
        Delimiter: string(),
        Prefix: string(),
        MaxUploads: integer(),
        IsTruncated: boolean(),
        Uploads: list(
          structure({ Key: string(), UploadId: string(), Initiator: owner, Owner: owner, StorageClass: string(), Initiated: string(), ChecksumAlgorithm: string(), ChecksumType: string() }),
          { flattened: true, memberName: 'Upload' },
        ),
        CommonPrefixes: list(commonPrefixes, { flattened: true }),
        EncodingType: string(),
      }),
      outputRoot: 'ListMultipartUploadsResult',
      handler: async (input, ctx) => {
        const max = Math.min(input.MaxUploads ?? LISTED, LISTED);
        const enc = keyEncoder(input.EncodingType);
        const prefix = input.Prefix ?? '';
        const delimiter = input.Delimiter || undefined;
        const keyMarker = input.KeyMarker ?? '';
        // Without a key marker S3 ignores the upload ID marker, and says so by not echoing it.
        const uploadIdMarker = keyMarker ? (input.UploadIdMarker ?? '') : '';
        const page = await multipart.listUploads(ctx, input.Bucket, { prefix, delimiter, keyMarker: keyMarker || undefined, uploadIdMarker, max });
        return {
          Bucket: input.Bucket,
          KeyMarker: enc(keyMarker),
          UploadIdMarker: uploadIdMarker,
          NextKeyMarker: enc(page.next?.key ?? ''),
          NextUploadIdMarker: page.next?.uploadId ?? '',
          Delimiter: delimiter === undefined ? undefined : enc(delimiter),
          Prefix: enc(prefix),
          MaxUploads: max,
          IsTruncated: page.truncated,
          Uploads: page.uploads.map((u) => ({ Key: enc(u.key), UploadId: u.uploadId, ...people(u), Initiated: isoTime(u.initiated) })),
          CommonPrefixes: page.prefixes.map((p) => ({ Prefix: enc(p) })),
          EncodingType: input.EncodingType,
        };
      },
    }),
  };
}

/** The initiator, owner, storage class and checksum settings, as both listings give them. */
function people(u: UploadRecord) {
  const who = { ID: u.account, DisplayName: u.account };
  return { Initiator: who, Owner: who, StorageClass: 'STANDARD', ChecksumAlgorithm: u.checksumAlgorithm, ChecksumType: u.checksumType };
}

function partOut(u: UploadRecord, p: PartRecord): { PartNumber: number; LastModified: string; ETag: string; Size: number } & Record<string, string | number> {
  const out = { PartNumber: p.partNumber, LastModified: isoTime(p.lastModified), ETag: p.etag, Size: p.size };
  // The upload's one checksum element (ChecksumCRC32, ...), when it has an algorithm.
  return u.checksumAlgorithm && p.checksum !== undefined ? { ...out, [CHECKSUM_ELEMENTS[u.checksumAlgorithm]]: p.checksum } : out;
}

/** The upload's checksum algorithm and type, as CreateMultipartUpload allows and defaults them. */
function checksumChoice(algorithm: string | undefined, type: ChecksumType | undefined): { checksumAlgorithm?: ChecksumAlgorithm; checksumType?: ChecksumType } {
  if (algorithm === undefined) {
    if (type !== undefined) throw InvalidRequest('The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.');
    return {};
  }
  const alg = CHECKSUM_ALGORITHMS.find((a) => a === algorithm.trim().toUpperCase());
  if (!alg) throw InvalidRequest('Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]');
  // A full-object checksum of parts needs a CRC (CRCs combine); CRC64NVME has no composite form.
  const chosen: ChecksumType = type ?? (alg === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE');
  if (chosen === 'COMPOSITE' ? alg === 'CRC64NVME' : alg.startsWith('SHA')) {
    throw InvalidRequest(`The ${chosen} checksum type cannot be used with the ${alg.toLowerCase()} checksum algorithm.`);
  }
  return { checksumAlgorithm: alg, checksumType: chosen };
}

/** The part list of CompleteMultipartUpload: each part needs a numeric PartNumber and an ETag. */
function requestedParts(doc: ShapeType<typeof completeInput>['MultipartUpload']): RequestedPart[] {
  if (!doc?.Parts?.length) throw MalformedXML();
  return doc.Parts.map((p) => {
    const raw = p.PartNumber?.trim();
    if (raw === undefined || p.ETag === undefined || !/^-?\d+$/.test(raw)) throw MalformedXML();
    const partNumber = Number(raw);
    if (partNumber < 1) throw InvalidArgument('PartNumber must be >= 1', 'PartNumber', raw);
    const checksums: RequestedPart['checksums'] = {};
    const given: Record<string, string | undefined> = p;
    for (const alg of CHECKSUM_ALGORITHMS) if (given[CHECKSUM_ELEMENTS[alg]] !== undefined) checksums[alg] = given[CHECKSUM_ELEMENTS[alg]];
    // S3 takes the entity tag with or without its quotes.
    return { partNumber, etag: p.ETag.trim().replace(/^"(.*)"$/, '$1').toLowerCase(), checksums };
  });
}

/** part-number-marker: a count of 0 .. 2^31-1, as max-parts. */
function markerOf(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const n = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!(n <= 2147483647)) throw InvalidArgument('Argument part-number-marker must be an integer between 0 and 2147483647', 'part-number-marker', raw);
  return n;
}

function copyRange(raw: string): { start: number; end: number } {
  const m = /^bytes=(\d+)-(\d+)$/.exec(raw.trim());
  if (!m) {
    const message = 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy';
    throw InvalidArgument(message, 'x-amz-copy-source-range', raw);
  }
  return { start: Number(m[1]), end: Number(m[2]) };
}

/** The upload keeps an ACL only when one was asked for. */
const aclAsked = (acl: AclRequest): { acl?: AclRequest } => (acl.canned !== undefined || acl.grants ? { acl } : {});
