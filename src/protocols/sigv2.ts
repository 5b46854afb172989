/**
 * S3's Signature Version 2 (RESTAuthentication.html), which older SDKs and tools still send:
 * `Authorization: AWS <key>:<signature>`, or a presigned URL's `AWSAccessKeyId`, `Expires` and
 * `Signature` query parameters. The signature is Base64(HMAC-SHA1(secret, StringToSign)) with
 *
 *   StringToSign = Verb \n Content-MD5 \n Content-Type \n Date (Expires when presigned) \n
 *                  CanonicalizedAmzHeaders CanonicalizedResource
 *
 * Date is empty when an x-amz-date header is sent; the x-amz-* headers are lower-cased, sorted,
 * `name:value\n` (values of one name comma-joined); the resource is `/<bucket>` for a virtual-
 * hosted bucket, then the path as sent, then the subresources S3 lists, sorted, with their
 * decoded values. Only S3 takes it; the header form must be no older than 15 minutes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../lib/clock.js';
import { AwsError } from './errors.js';
import type { Credentials, SigV4Identity, SigV4Request } from './sigv4.js';

/** The query parameters that are part of the signed resource, as S3 (and botocore's HmacV1Auth) lists them. */
const SIGNED_SUBRESOURCES = new Set([
  'accelerate', 'acl', 'cors', 'defaultObjectAcl', 'delete', 'inventory', 'lifecycle', 'location', 'logging', 'metrics', 'analytics',
  'notification', 'object-lock', 'partNumber', 'policy', 'replication', 'requestPayment', 'response-cache-control',
  'response-content-disposition', 'response-content-encoding', 'response-content-language', 'response-content-type',
  'response-expires', 'restore', 'select', 'select-type', 'storageClass', 'tagging', 'torrent', 'uploadId', 'uploads',
  'versionId', 'versioning', 'versions', 'website',
]);

const SKEW_MS = 15 * 60 * 1000;

const s3Denied = (code: string, message: string, details: Record<string, string> = {}) =>
  new (class extends AwsError {
    override xmlDetails() {
      return details;
    }
  })(code, message, { status: 403 });

/** Whether a request is signed with SigV2 (header or query form). */
export function isSigV2(req: Pick<SigV4Request, 'headers' | 'query'>): boolean {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') return auth.startsWith('AWS ');
  const q = String(req.query ?? '');
  return /(?:^|&)AWSAccessKeyId=/.test(q) && /(?:^|&)Signature=/.test(q);
}

function one(headers: SigV4Request['headers'], name: string): string {
  const v = headers[name];
  return v === undefined ? '' : Array.isArray(v) ? v.join(',') : v;
}

/** The string S3 signs for a request; `bucket` is the virtual-hosted bucket, when the host named it. */
export function stringToSignV2(req: Pick<SigV4Request, 'method' | 'path' | 'query' | 'headers'>, params: URLSearchParams, bucket: string | undefined, path = req.path): string {
  const presigned = params.has('Signature');
  const amz = Object.keys(req.headers)
    .filter((h) => h.startsWith('x-amz-'))
    .sort()
    .map((h) => {
      const v = req.headers[h];
      return `${h}:${(Array.isArray(v) ? v : [v ?? '']).map((x) => String(x).trim()).join(',')}\n`;
    })
    .join('');
  const date = presigned ? (params.get('Expires') ?? '') : req.headers['x-amz-date'] !== undefined ? '' : one(req.headers, 'date');
  const subs = [...params].filter(([k]) => SIGNED_SUBRESOURCES.has(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const resource = `${bucket !== undefined ? `/${bucket}` : ''}${path}${subs.length ? `?${subs.map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join('&')}` : ''}`;
  return `${req.method}\n${one(req.headers, 'content-md5')}\n${one(req.headers, 'content-type')}\n${date}\n${amz}${resource}`;
}

function signedBy(toSign: string, secret: string, signature: string): boolean {
  const expected = Buffer.from(createHmac('sha1', secret).update(toSign, 'utf8').digest('base64'));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * A path-style request for a bucket itself (`PUT /bucket`) may be signed with the resource
 * `/bucket/`: S3 names a bucket's resource so, and botocore's HmacV1Auth signs it so while
 * sending the path without the slash. S3 takes both.
 */
function bucketRootSigned(req: Pick<SigV4Request, 'method' | 'path' | 'query' | 'headers'>, params: URLSearchParams, bucket: string | undefined, secret: string, signature: string): boolean {
  return bucket === undefined && /^\/[^/]+$/.test(req.path) && signedBy(stringToSignV2(req, params, bucket, `${req.path}/`), secret, signature);
}

/** Verifies a SigV2 request; the identity acts for the key's account. */
export function verifySigV2(
  req: Pick<SigV4Request, 'method' | 'path' | 'query' | 'headers'>,
  lookup: (accessKeyId: string) => Credentials | undefined,
  clock: Clock,
  bucket: string | undefined,
): SigV4Identity {
  const params = new URLSearchParams(req.query);
  const auth = typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined;
  let akid: string;
  let signature: string;
  if (auth !== undefined) {
    const m = /^AWS ([^:\s]+):(\S+)$/.exec(auth.trim());
    if (!m) throw new AwsError('InvalidArgument', 'AWS authorization header is invalid.  Expected AwsAccessKeyId:signature', { status: 400 });
    [, akid, signature] = m as unknown as [string, string, string];
    const date = req.headers['x-amz-date'] ?? req.headers.date;
    const time = Date.parse(String(date ?? ''));
    // S3 takes no date before the epoch as valid (ceph's s3-tests, written against S3, expect AccessDenied).
    if (Number.isNaN(time) || time < 0) throw s3Denied('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
    if (Math.abs(clock.now() - time) > SKEW_MS) throw s3Denied('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.');
  } else {
    akid = params.get('AWSAccessKeyId') ?? '';
    signature = params.get('Signature') ?? '';
    const expires = Number(params.get('Expires'));
    if (!Number.isFinite(expires)) throw s3Denied('AccessDenied', 'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters');
    if (clock.now() > expires * 1000) throw s3Denied('AccessDenied', 'Request has expired', { Expires: new Date(expires * 1000).toISOString(), ServerTime: new Date(clock.now()).toISOString() });
  }
  const creds = lookup(akid);
  if (!creds) throw s3Denied('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: akid });
  const toSign = stringToSignV2(req, params, bucket);
  if (!signedBy(toSign, creds.secretAccessKey, signature) && !bucketRootSigned(req, params, bucket, creds.secretAccessKey, signature)) {
    throw s3Denied('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
      AWSAccessKeyId: akid,
      StringToSign: toSign,
      SignatureProvided: signature,
    });
  }
  // SigV2 names no region or service: S3's, in the region S3 takes SigV2 everywhere it is still on.
  return { accessKeyId: akid, accountId: creds.accountId, region: 'us-east-1', service: 's3', payloadSigned: false, payloadHash: 'UNSIGNED-PAYLOAD' };
}
