/**
 * Multipart upload operations: CreateMultipartUpload, UploadPart (and UploadPartCopy, which S3
 * tells apart only by its x-amz-copy-source header), CompleteMultipartUpload,
 * AbortMultipartUpload, ListParts, ListMultipartUploads. The wire values are checked here;
 * the rules of uploads live in the engine.
 */
import type { Readable } from 'node:stream';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from '../../../protocols/checksums.js';
import { RestAnswer } from '../../../protocols/rest.js';
import { boolean, headersWithPrefix, inHeader, inPayload, inQuery, inUri, integer, list, streamingPayload, string, structure } from '../../../protocols/shapes.js';
import { escapeXml } from '../../../protocols/xml.js';
import type { Operation, RequestContext } from '../../service.js';
import { InvalidArgument, InvalidRequest, MalformedXML } from '../errors.js';
import { isoTime, keyEncoder } from './listing.js';
import { checksumHeaders } from '../engine/checksums.js';
import { parseCopySource } from '../engine/copy.js';
import { CONTENT_HEADERS } from '../engine/objects.js';
import { parseTaggingHeader } from '../engine/tagging.js';
import { MAX_PART_NUMBER, type Multipart, type RequestedPart } from '../engine/multipart.js';
import type { ChecksumType, PartRecord, UploadRecord } from '../repo-multipart.js';
import { S3_NS } from './buckets.js';
import { CHECKSUM_ELEMENTS, checksumEntries, checksumMembers } from './checksums.js';
import { allHeaders } from './object-extras.js';

const target = { Bucket: inUri('Bucket'), Key: inUri('Key'), UploadId: inQuery(string(), 'uploadId') };
const owner = structure({ ID: string(), DisplayName: string() });

type Input = Record<string, unknown>;
const str = (v: unknown) => v as string | undefined;

export function multipartOperations(deps: { multipart: Multipart }): Record<string, Operation> {
  const { multipart } = deps;
  return {
    CreateMultipartUpload: {
      http: { method: 'POST', uri: '/{Bucket}/{Key+}?uploads' },
      input: structure({
        Bucket: inUri('Bucket'),
        Key: inUri('Key'),
        ChecksumAlgorithm: inHeader(string(), 'x-amz-checksum-algorithm'),
        ChecksumType: inHeader(string(), 'x-amz-checksum-type'),
        Tagging: inHeader(string(), 'x-amz-tagging'),
        Metadata: headersWithPrefix('x-amz-meta-'),
        AllHeaders: allHeaders,
      }),
      output: structure({
        Bucket: string(),
        Key: string(),
        UploadId: string(),
        ChecksumAlgorithm: inHeader(string(), 'x-amz-checksum-algorithm'),
        ChecksumType: inHeader(string(), 'x-amz-checksum-type'),
      }),
      outputRoot: 'InitiateMultipartUploadResult',
      handler: async (input: Input, ctx) => {
        const all = (input.AllHeaders ?? {}) as Record<string, string>;
        const headers: Record<string, string> = {};
        for (const name of CONTENT_HEADERS) if (all[name] !== undefined) headers[name] = all[name]!;
        const tags = parseTaggingHeader(str(input.Tagging) ?? '');
        const u = await multipart.create(ctx, {
          bucket: input.Bucket as string,
          key: input.Key as string,
          headers,
          metadata: (input.Metadata ?? {}) as Record<string, string>,
          tags,
          ...checksumChoice(str(input.ChecksumAlgorithm), str(input.ChecksumType)),
        });
        return { Bucket: u.bucket, Key: u.key, UploadId: u.uploadId, ChecksumAlgorithm: u.checksumAlgorithm, ChecksumType: u.checksumType };
      },
    },
    UploadPart: {
      http: { method: 'PUT', uri: '/{Bucket}/{Key+}?partNumber&uploadId' },
      input: structure({
        ...target,
        PartNumber: inQuery(string(), 'partNumber'),
        Body: streamingPayload(),
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
      handler: async (input: Input, ctx) => {
        const part = {
          bucket: input.Bucket as string,
          key: input.Key as string,
          uploadId: str(input.UploadId) ?? '',
          partNumber: partNumberOf(str(input.PartNumber)),
        };
        if (input.CopySource !== undefined) {
          (input.Body as Readable | undefined)?.resume(); // a copy has no body of its own
          const raw = str(input.CopySourceRange);
          const saved = await multipart.copyPart(ctx, {
            ...part,
            source: parseCopySource(input.CopySource as string),
            range: raw === undefined ? undefined : { ...copyRange(raw), raw },
            conditions: {
              ifMatch: str(input.CopySourceIfMatch),
              ifNoneMatch: str(input.CopySourceIfNoneMatch),
              ifModifiedSince: str(input.CopySourceIfModifiedSince),
              ifUnmodifiedSince: str(input.CopySourceIfUnmodifiedSince),
            },
          });
          let xml = `<LastModified>${isoTime(saved.part.lastModified)}</LastModified><ETag>${escapeXml(saved.part.etag)}</ETag>`;
          for (const [alg, value] of checksumEntries(saved.checksums)) xml += `<${CHECKSUM_ELEMENTS[alg]}>${value}</${CHECKSUM_ELEMENTS[alg]}>`;
          const body = `<?xml version="1.0" encoding="UTF-8"?>\n<CopyPartResult xmlns="${S3_NS}">${xml}</CopyPartResult>`;
          return new RestAnswer(200, { 'content-type': 'application/xml' }, body);
        }
        const saved = await multipart.uploadPart(
          ctx,
          {
            ...part,
            body: input.Body as Readable,
            contentLength: input.ContentLength as number | undefined,
            decodedContentLength: input.DecodedContentLength as number | undefined,
            contentMd5: str(input.ContentMD5),
            trailer: str(input.Trailer),
            checksums: checksumHeaders((input.AllHeaders ?? {}) as Record<string, string>),
          },
          ctx.payload,
        );
        return new RestAnswer(200, { etag: saved.part.etag, ...saved.checksums });
      },
    },
    CompleteMultipartUpload: {
      http: { method: 'POST', uri: '/{Bucket}/{Key+}?uploadId' },
      input: structure({
        ...target,
        MultipartUpload: inPayload(
          structure({ Parts: list(structure({ PartNumber: string(), ETag: string(), ...checksumMembers() }), { flattened: true, memberName: 'Part' }) }),
          'CompleteMultipartUpload',
        ),
        ChecksumType: inHeader(string(), 'x-amz-checksum-type'),
        MpObjectSize: inHeader(string(), 'x-amz-mp-object-size'),
        IfMatch: inHeader(string(), 'if-match'),
        IfNoneMatch: inHeader(string(), 'if-none-match'),
        AllHeaders: allHeaders,
      }),
      output: structure({ Location: string(), Bucket: string(), Key: string(), ETag: string(), ...checksumMembers(), ChecksumType: string() }),
      outputRoot: 'CompleteMultipartUploadResult',
      handler: async (input: Input, ctx: RequestContext) => {
        const { upload, result } = await multipart.complete(ctx, {
          bucket: input.Bucket as string,
          key: input.Key as string,
          uploadId: str(input.UploadId) ?? '',
          parts: requestedParts(input.MultipartUpload as { Parts?: Record<string, string | undefined>[] } | undefined),
          checksums: checksumHeaders((input.AllHeaders ?? {}) as Record<string, string>),
          checksumType: str(input.ChecksumType),
          objectSize: str(input.MpObjectSize),
          ifMatch: str(input.IfMatch),
          ifNoneMatch: str(input.IfNoneMatch),
        });
        const out: Record<string, unknown> = {
          // S3 encodes the whole key in the location, slashes too.
          Location: `${ctx.endpoint}/${upload.bucket}/${encodeURIComponent(upload.key)}`,
          Bucket: upload.bucket,
          Key: upload.key,
          ETag: result.etag,
          ChecksumType: result.checksums['x-amz-checksum-type'],
        };
        for (const [alg, value] of checksumEntries(result.checksums)) out[CHECKSUM_ELEMENTS[alg]] = value;
        return out;
      },
    },
    AbortMultipartUpload: {
      http: { method: 'DELETE', uri: '/{Bucket}/{Key+}?uploadId', code: 204 },
      input: structure(target),
      handler: async (input: Input, ctx) => {
        await multipart.abort(ctx, input.Bucket as string, input.Key as string, str(input.UploadId) ?? '');
      },
    },
    ListParts: {
      http: { method: 'GET', uri: '/{Bucket}/{Key+}?uploadId' },
      input: structure({
        ...target,
        MaxParts: inQuery(string(), 'max-parts'),
        PartNumberMarker: inQuery(string(), 'part-number-marker'),
        EncodingType: inQuery(string(), 'encoding-type'),
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
      handler: async (input: Input, ctx) => {
        const max = count('max-parts', str(input.MaxParts));
        const marker = count('part-number-marker', str(input.PartNumberMarker), 0, Infinity);
        const enc = keyEncoder(str(input.EncodingType));
        const page = await multipart.listParts(ctx, input.Bucket as string, input.Key as string, str(input.UploadId) ?? '', marker, max);
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
          EncodingType: str(input.EncodingType),
        };
      },
    },
    ListMultipartUploads: {
      http: { method: 'GET', uri: '/{Bucket}?uploads' },
      input: structure({
        Bucket: inUri('Bucket'),
        Prefix: inQuery(string(), 'prefix'),
        Delimiter: inQuery(string(), 'delimiter'),
        KeyMarker: inQuery(string(), 'key-marker'),
        UploadIdMarker: inQuery(string(), 'upload-id-marker'),
        MaxUploads: inQuery(string(), 'max-uploads'),
        EncodingType: inQuery(string(), 'encoding-type'),
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
        CommonPrefixes: list(structure({ Prefix: string() }), { flattened: true }),
        EncodingType: string(),
      }),
      outputRoot: 'ListMultipartUploadsResult',
      handler: async (input: Input, ctx) => {
        const max = count('max-uploads', str(input.MaxUploads));
        const enc = keyEncoder(str(input.EncodingType));
        const prefix = str(input.Prefix) ?? '';
        const delimiter = str(input.Delimiter) || undefined;
        const keyMarker = str(input.KeyMarker) ?? '';
        // Without a key marker S3 ignores the upload ID marker, and says so by not echoing it.
        const uploadIdMarker = keyMarker ? (str(input.UploadIdMarker) ?? '') : '';
        const page = await multipart.listUploads(ctx, input.Bucket as string, { prefix, delimiter, keyMarker: keyMarker || undefined, uploadIdMarker, max });
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
          EncodingType: str(input.EncodingType),
        };
      },
    },
  };
}

/** The initiator, owner, storage class and checksum settings, as both listings give them. */
function people(u: UploadRecord) {
  const who = { ID: u.account, DisplayName: u.account };
  return { Initiator: who, Owner: who, StorageClass: 'STANDARD', ChecksumAlgorithm: u.checksumAlgorithm, ChecksumType: u.checksumType };
}

function partOut(u: UploadRecord, p: PartRecord) {
  const out: Record<string, unknown> = { PartNumber: p.partNumber, LastModified: isoTime(p.lastModified), ETag: p.etag, Size: p.size };
  if (u.checksumAlgorithm && p.checksum !== undefined) out[CHECKSUM_ELEMENTS[u.checksumAlgorithm]] = p.checksum;
  return out;
}

function partNumberOf(raw: string | undefined): number {
  const n = raw !== undefined && /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= MAX_PART_NUMBER)) throw InvalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', raw ?? '');
  return n;
}

/** The upload's checksum algorithm and type, as CreateMultipartUpload allows and defaults them. */
function checksumChoice(algorithm: string | undefined, type: string | undefined): { checksumAlgorithm?: ChecksumAlgorithm; checksumType?: ChecksumType } {
  if (algorithm === undefined) {
    if (type !== undefined) throw InvalidRequest('The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.');
    return {};
  }
  const alg = CHECKSUM_ALGORITHMS.find((a) => a === algorithm.trim().toUpperCase());
  if (!alg) throw InvalidRequest('Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]');
  if (type !== undefined && type !== 'COMPOSITE' && type !== 'FULL_OBJECT') throw InvalidRequest('Value for x-amz-checksum-type header is invalid.');
  // A full-object checksum of parts needs a CRC (CRCs combine); CRC64NVME has no composite form.
  const chosen: ChecksumType = type ?? (alg === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE');
  if (chosen === 'COMPOSITE' ? alg === 'CRC64NVME' : alg.startsWith('SHA')) {
    throw InvalidRequest(`The ${chosen} checksum type cannot be used with the ${alg.toLowerCase()} checksum algorithm.`);
  }
  return { checksumAlgorithm: alg, checksumType: chosen };
}

/** The part list of CompleteMultipartUpload: each part needs a numeric PartNumber and an ETag. */
function requestedParts(doc: { Parts?: Record<string, string | undefined>[] } | undefined): RequestedPart[] {
  if (!doc?.Parts?.length) throw MalformedXML();
  return doc.Parts.map((p) => {
    const raw = p.PartNumber?.trim();
    if (raw === undefined || p.ETag === undefined || !/^-?\d+$/.test(raw)) throw MalformedXML();
    const partNumber = Number(raw);
    if (partNumber < 1) throw InvalidArgument('PartNumber must be >= 1', 'PartNumber', raw);
    const checksums: RequestedPart['checksums'] = {};
    for (const alg of CHECKSUM_ALGORITHMS) if (p[CHECKSUM_ELEMENTS[alg]] !== undefined) checksums[alg] = p[CHECKSUM_ELEMENTS[alg]];
    // S3 takes the entity tag with or without its quotes.
    return { partNumber, etag: p.ETag.trim().replace(/^"(.*)"$/, '$1').toLowerCase(), checksums };
  });
}

function copyRange(raw: string): { start: number; end: number } {
  const m = /^bytes=(\d+)-(\d+)$/.exec(raw.trim());
  if (!m) {
    const message = 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy';
    throw InvalidArgument(message, 'x-amz-copy-source-range', raw);
  }
  return { start: Number(m[1]), end: Number(m[2]) };
}

/** max-parts, max-uploads (at most 1000 listed) and part-number-marker. */
function count(name: string, raw: string | undefined, fallback = 1000, cap = 1000): number {
  if (raw === undefined) return fallback;
  const n = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!(n <= 2147483647)) throw InvalidArgument(`Argument ${name} must be an integer between 0 and 2147483647`, name, raw);
  return Math.min(n, cap);
}

