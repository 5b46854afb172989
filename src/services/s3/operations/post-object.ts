/**
 * POST Object: browser-based uploads with an HTML form (multipart/form-data) to `POST /{Bucket}`.
 * A form signed with a SigV4 POST policy acts for the signer; an unsigned form (no policy, no
 * signature) is anonymous, and the bucket's policy or ACL decides. The fields before the file
 * are read with bounded memory; the file is streamed into the blob store.
 */
import { setOwn } from '../../../lib/own.js';
import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { RestAnswer } from '../../../protocols/rest.js';
import { defineOperation } from '../../../protocols/define-operation.js';
import { inHeader, inUri, string, structure } from '../../../protocols/shapes.js';
import { escapeXml } from '../../../protocols/xml.js';
import type { Credentials } from '../../../protocols/sigv4.js';
import type { BlobInfo, BlobStore } from '../../../store/blobs.js';
import type { BodyCrypto } from '../engine/crypto.js';
import type { BucketSettings } from '../engine/bucket-settings.js';
import { chooseSse, sseHeaders, wholeObjectEtag } from '../engine/sse.js';
import { lockForWrite } from '../engine/object-lock.js';
import { BlobTooLargeError } from '../../../store/blobs.js';
import type { Operation, RequestContext } from '../../service.js';
import { AwsError } from '../../../protocols/errors.js';
import { EntityTooLarge, InvalidArgument, MalformedXML, PreconditionFailed, s3Error } from '../errors.js';
import type { Buckets, Caller } from '../engine/buckets.js';
import { FormReader, formBoundary, MalformedFormError, PreDataTooLargeError, type FormFile } from '../engine/form-data.js';
import { checkKeyLength, type Objects } from '../engine/objects.js';
import { checkPolicy, decodePolicy, verifyPostSignature, verifyPostSignatureV2 } from '../engine/post-policy.js';
import { checkTags, type TagList } from '../engine/tagging.js';
import { INLINE_MAX_BYTES, MAX_PUT_BYTES } from '../engine/uploads.js';
import { versionIdOf } from '../engine/versions.js';
import type { ObjectRecord } from '../repo.js';
import { bodyStream, OBJECT_CANNED_ACLS } from './shapes.js';

export interface PostObjectDeps {
  objects: Objects;
  buckets: Buckets;
  blobs: BlobStore;
  clock: { now(): number };
  /** The configured credentials, to verify a form's signature (absent: only unsigned forms). */
  credentials?: (accessKeyId: string) => Credentials | undefined;
  /** The bucket's default encryption. */
  settings: BucketSettings;
}

const CANNED_ACLS: ReadonlySet<string> = new Set(OBJECT_CANNED_ACLS);

/** S3's limit on the fields before the file. */
export const MAX_PRE_DATA_BYTES = 20 * 1024;
/** Form fields stored as the object's content headers. */
const CONTENT_FIELDS = ['content-type', 'cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'];

const preDataTooLarge = () => s3Error('MaxPostPreDataLengthExceeded', 400, 'Your POST request fields preceeding the upload file was too large.', { MaxPostPreDataLength: String(MAX_PRE_DATA_BYTES) });
const malformed = () => s3Error('MalformedPOSTRequest', 400, 'The body of your POST request is not well-formed multipart/form-data.');
const tooSmall = (size: number, min: number) =>
  s3Error('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed size', { ProposedSize: String(size), MinSizeAllowed: String(min) });

const xmlParser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });

/** The `tagging` field: a <Tagging><TagSet><Tag>... document. */
function parseTagging(xml: string): Record<string, string> {
  let doc: { Tagging?: { TagSet?: { Tag?: TagList[number] | TagList } } };
  try {
    doc = xmlParser.parse(xml, true) as typeof doc;
  } catch {
    throw MalformedXML();
  }
  const tag = doc.Tagging?.TagSet?.Tag;
  const list = tag === undefined ? [] : Array.isArray(tag) ? tag : [tag];
  return checkTags(list.map((t) => ({ Key: String(t.Key ?? ''), Value: String(t.Value ?? '') })), 'Object');
}

/** Reads the file into the blob store (or inline, when small), within `max` bytes. */
async function receiveFile(blobs: BlobStore, file: FormFile, max: number, crypto: BodyCrypto): Promise<{ blob: BlobInfo; inline?: Buffer }> {
  const it = file.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let n = 0;
  try {
    for (;;) {
      const r = await it.next();
      if (r.done) {
        const inline = Buffer.concat(head, n);
        return { blob: { id: '', size: n, md5: createHash('md5').update(inline).digest(), digests: {} }, inline: crypto.sealBuffer(inline) };
      }
      head.push(r.value);
      n += r.value.length;
      if (n > max) throw EntityTooLarge(n, max);
      if (n > INLINE_MAX_BYTES) break;
    }
    async function* rest(): AsyncGenerator<Buffer> {
      yield* head;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    }
    return { blob: await crypto.writeSealed(blobs, rest(), { maxBytes: max }) };
  } catch (e) {
    if (e instanceof BlobTooLargeError) throw EntityTooLarge(file.bytesRead(), max);
    if (e instanceof MalformedFormError) throw malformed();
    throw e;
  }
}

export function postObjectOperations(deps: PostObjectDeps): Record<string, Operation> {
  const { objects, buckets, blobs } = deps;
  return {
    PostObject: defineOperation({
      http: { method: 'POST', uri: '/{Bucket}' },
      input: structure({
        Bucket: inUri('Bucket'),
        Body: bodyStream,
        ContentType: inHeader(string(), 'content-type'),
      }),
      handler: async (input, ctx) => {
        const bucket = input.Bucket;
        const boundary = formBoundary(input.ContentType);
        if (!boundary) throw PreconditionFailed('Bucket POST must be of the enclosure-type multipart/form-data');
        if (!buckets.exists(bucket)) buckets.authorize(ctx, bucket, { action: 's3:PutObject' }); // NoSuchBucket

        // The fields before the file, by lower-case name (S3 reads field names case-insensitively).
        const reader = new FormReader(input.Body, boundary, MAX_PRE_DATA_BYTES);
        const fields = new Map<string, string>();
        let file: FormFile | undefined;
        try {
          for (let part = await reader.next(); part; part = await reader.next()) {
            if ('file' in part) {
              file = part.file;
              break;
            }
            const name = part.field.name.toLowerCase();
            if (!fields.has(name)) fields.set(name, part.field.value);
          }
        } catch (e) {
          if (e instanceof PreDataTooLargeError) throw preDataTooLarge();
          if (e instanceof MalformedFormError) throw malformed();
          throw e;
        }
        const rawKey = fields.get('key');
        if (rawKey === undefined) throw InvalidArgument("Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", 'key', '');
        if (!file) throw InvalidArgument('POST requires exactly one file upload per request.', 'file', '0');

        // Signed form: the policy's signer acts; unsigned (no policy, no signature): anonymous.
        let caller: Caller = ctx;
        let range: { min: number; max: number } | undefined;
        if (fields.has('awsaccesskeyid') || fields.has('signature')) {
          // Signature Version 2: the policy signed with HMAC-SHA1.
          const creds = verifyPostSignatureV2(fields, deps.credentials);
          range = checkPolicy(decodePolicy(fields.get('policy')!), fields, bucket, deps.clock.now());
          caller = { accountId: creds.accountId, region: ctx.region, sourceIp: ctx.sourceIp, headers: ctx.headers };
        } else if (fields.has('policy') || fields.has('x-amz-signature')) {
          const creds = verifyPostSignature(fields, deps.credentials);
          range = checkPolicy(decodePolicy(fields.get('policy')!), fields, bucket, deps.clock.now());
          caller = { accountId: creds.accountId, region: ctx.region, sourceIp: ctx.sourceIp, headers: ctx.headers };
        }

        const key = rawKey.replaceAll('${filename}', file.filename);
        if (key === '') throw InvalidArgument('User key must have a length greater than 0.', 'key', '');
        checkKeyLength(key);
        buckets.authorize(caller, bucket, { action: 's3:PutObject', key });
        const acl = fields.get('acl');
        // A form field, not a declared member: checked against the model's values here.
        if (acl !== undefined && !CANNED_ACLS.has(acl)) throw InvalidArgument('', 'x-amz-acl', acl);
        const tagging = fields.get('tagging');
        const tags = tagging === undefined ? {} : parseTagging(tagging);
        const headers: Record<string, string> = {};
        for (const name of CONTENT_FIELDS) if (fields.get(name) !== undefined) headers[name] = fields.get(name)!;
        const metadata: Record<string, string> = {};
        for (const [name, value] of fields) if (name.startsWith('x-amz-meta-')) setOwn(metadata, name.slice('x-amz-meta-'.length), value);

        const max = Math.min(range?.max ?? MAX_PUT_BYTES, MAX_PUT_BYTES);
        // The form's x-amz-server-side-encryption* fields, else the bucket's default, else SSE-S3.
        const { sse } = chooseSse(Object.fromEntries(fields), deps.settings.get(bucket)?.encryption, { account: buckets.find(bucket)!.account, region: buckets.find(bucket)!.region });
        const lock = lockForWrite(Object.fromEntries(fields), deps.settings.get(bucket), deps.clock.now());
        const { blob, inline } = await receiveFile(blobs, file, max, objects.crypto);
        if (range && blob.size < range.min) {
          if (!inline) await blobs.remove(blob.id);
          throw tooSmall(blob.size, range.min);
        }
        const record: ObjectRecord = {
          bucket,
          key,
          blobId: blob.id,
          size: blob.size,
          etag: wholeObjectEtag(blob.md5, sse),
          lastModified: deps.clock.now(),
          headers,
          metadata,
          checksums: {},
          tags,
          ...(inline ? { body: inline } : {}),
          sse,
        };
        if (lock) record.lock = lock;
        const committed = await objects.commit(caller, record, acl === undefined ? {} : { acl: { canned: acl } }, 'Post');
        return answer(ctx, fields, committed, buckets.find(bucket)?.versioning !== undefined);
      },
    }),
  };
}

/** The answer S3 gives: a 303 to success_action_redirect, or success_action_status (204 by default). */
function answer(ctx: RequestContext, fields: Map<string, string>, r: ObjectRecord, versioned: boolean): RestAnswer {
  const location = `${ctx.endpoint}/${encodeURIComponent(r.bucket)}/${r.key.split('/').map(encodeURIComponent).join('/')}`;
  const headers: Record<string, string> = { etag: r.etag, location, ...sseHeaders(r.sse) };
  if (versioned) headers['x-amz-version-id'] = versionIdOf(r);
  const redirect = fields.get('success_action_redirect') ?? fields.get('redirect');
  if (redirect !== undefined && /^https?:\/\//i.test(redirect)) {
    try {
      const url = new URL(redirect);
      url.searchParams.set('bucket', r.bucket);
      url.searchParams.set('key', r.key);
      url.searchParams.set('etag', r.etag);
      return new RestAnswer(303, { ...headers, location: url.toString() });
    } catch (e) {
      if (e instanceof AwsError) throw e;
      // An unusable URL: S3 falls back to success_action_status.
    }
  }
  const status = fields.get('success_action_status');
  if (status === '200') return new RestAnswer(200, headers);
  if (status === '201') {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>' +
      `<Location>${escapeXml(location)}</Location><Bucket>${escapeXml(r.bucket)}</Bucket>` +
      `<Key>${escapeXml(r.key)}</Key><ETag>${escapeXml(r.etag)}</ETag></PostResponse>`;
    return new RestAnswer(201, { ...headers, 'content-type': 'application/xml' }, xml);
  }
  return new RestAnswer(204, headers);
}
