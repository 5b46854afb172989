/**
 * What an edge does to a response on its way to the viewer, as CloudFront documents it:
 *
 *   - compression ("Serve compressed files"): when the cache policy enables Gzip and/or Brotli
 *     and the behavior compresses, a viewer accepting `br` gets Brotli (preferred), else `gzip`;
 *     only responses of a compressible type, 1,000 to 10,000,000 bytes, with a Content-Length
 *     and no Content-Encoding, and not `no-transform`; the ETag becomes weak. The choice of
 *     encoding is part of the cache key, so each encoding is cached on its own;
 *   - conditional requests (If-None-Match, weak comparison; else If-Modified-Since) answered
 *     304 from the cache;
 *   - a single byte range (`Range: bytes=a-b`, `a-`, `-n`) served as 206 from the cached object,
 *     or from a large object's body still arriving from the origin (read on to its end, so the
 *     caches keep the whole object), or 416 when it is beyond the object; several ranges get
 *     the whole object (200);
 *   - HEAD: the GET answer without its body.
 */
import { pipeline, Transform, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, constants as zlibConstants, gzip, gzipSync } from 'node:zlib';
import { parseCacheControl, parseHttpDate } from './freshness.js';
import type { CachedReply, UpstreamReply } from './http-cache.js';

const EMPTY = Buffer.alloc(0);

export type Encoding = '' | 'gzip' | 'br';

/** The encoding an edge serves a viewer, from its Accept-Encoding and what the policy enables. */
export function chooseEncoding(acceptEncoding: string | undefined, gzip: boolean, brotli: boolean): Encoding {
  if (!acceptEncoding || (!gzip && !brotli)) return '';
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
    accepted.set(name.trim(), q ? Number(q[1]) : 1);
  }
  const ok = (n: string) => (accepted.get(n) ?? accepted.get('*') ?? 0) > 0;
  if (brotli && ok('br')) return 'br';
  if (gzip && ok('gzip')) return 'gzip';
  return '';
}

/** The Accept-Encoding CloudFront sends its origin for a chosen encoding (normalized). */
export function originAcceptEncoding(encoding: Encoding, gzip: boolean): string | undefined {
  if (encoding === 'br') return gzip ? 'br,gzip' : 'br';
  if (encoding === 'gzip') return 'gzip';
  return undefined;
}

/** The content types CloudFront compresses. */
const COMPRESSIBLE = new Set([
  'application/dash+xml', 'application/eot', 'application/font', 'application/font-sfnt', 'application/javascript', 'application/json',
  'application/opentype', 'application/otf', 'application/pkcs7-mime', 'application/protobuf', 'application/rss+xml', 'application/truetype',
  'application/ttf', 'application/vnd.apple.mpegurl', 'application/vnd.mpegurl', 'application/vnd.ms-fontobject', 'application/xhtml+xml',
  'application/xml', 'application/x-font-opentype', 'application/x-font-truetype', 'application/x-font-ttf', 'application/x-httpd-cgi',
  'application/x-javascript', 'application/x-mpegurl', 'application/x-opentype', 'application/x-otf', 'application/x-perl', 'application/x-ttf',
  'font/eot', 'font/opentype', 'font/otf', 'font/ttf', 'image/svg+xml', 'text/css', 'text/csv', 'text/html', 'text/javascript', 'text/js',
  'text/plain', 'text/richtext', 'text/tab-separated-values', 'text/xml', 'text/x-component', 'text/x-java-source', 'text/x-script', 'vnd.apple.mpegurl',
]);

export const COMPRESS_MIN_BYTES = 1000;
export const COMPRESS_MAX_BYTES = 10_000_000;

/** Whether CloudFront compresses an answer of this status, headers and body length in `encoding`. */
export function compresses(status: number, headers: Record<string, string>, length: number, encoding: Encoding): boolean {
  if (!encoding || (status !== 200 && status !== 403 && status !== 404)) return false;
  if (headers['content-encoding'] && headers['content-encoding'] !== 'identity') return false;
  const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!COMPRESSIBLE.has(type)) return false;
  if (!(length >= COMPRESS_MIN_BYTES && length <= COMPRESS_MAX_BYTES)) return false;
  return !parseCacheControl(headers['cache-control']).noTransform;
}

/** Bodies above this are compressed on libuv's thread pool, not on the event loop. */
const COMPRESS_INLINE_MAX = 64 * 1024;
const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** The reply compressed with `encoding` when CloudFront's conditions hold; else as it was. */
export async function compressReply(r: UpstreamReply, encoding: Encoding): Promise<UpstreamReply> {
  if (!compresses(r.status, r.headers, r.body.length, encoding)) return r;
  const h = r.headers;
  const brotli = { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: r.body.length } };
  const inline = r.body.length <= COMPRESS_INLINE_MAX;
  const body =
    encoding === 'br'
      ? inline ? brotliCompressSync(r.body, brotli) : await brotliAsync(r.body, brotli)
      : inline ? gzipSync(r.body, { level: 6 }) : await gzipAsync(r.body, { level: 6 });
  const headers: Record<string, string> = { ...h, 'content-encoding': encoding, 'content-length': String(body.length) };
  headers.vary = h.vary ? (/\baccept-encoding\b/i.test(h.vary) ? h.vary : `${h.vary}, Accept-Encoding`) : 'Accept-Encoding';
  if (h.etag && !h.etag.startsWith('W/')) headers.etag = `W/${h.etag}`;
  return { status: r.status, headers, body };
}

function opaque(tag: string): string {
  return tag.trim().replace(/^W\//, '');
}

/** Whether a request's conditional headers make a 200 answer a 304 (weak ETag comparison). */
export function notModified(request: Record<string, string | undefined>, status: number, headers: Record<string, string>): boolean {
  if (status !== 200) return false;
  const inm = request['if-none-match'];
  if (inm !== undefined) {
    if (!headers.etag) return false;
    if (inm.trim() === '*') return true;
    const tag = opaque(headers.etag);
    return inm.split(',').some((t) => opaque(t) === tag);
  }
  const ims = parseHttpDate(request['if-modified-since']);
  const lm = parseHttpDate(headers['last-modified']);
  return ims !== undefined && lm !== undefined && lm <= ims;
}

/** The headers a 304 carries (RFC 9110 15.4.5). */
export function notModifiedHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['cache-control', 'content-location', 'date', 'etag', 'expires', 'vary', 'last-modified', 'age']) if (headers[k] !== undefined) out[k] = headers[k]!;
  return out;
}

export type RangeResult = { kind: 'none' } | { kind: 'range'; start: number; end: number } | { kind: 'unsatisfiable' };

/** A single `bytes=` range against an object of `size` bytes (RFC 9110 14.1.2). */
export function parseRange(value: string | undefined, size: number): RangeResult {
  if (!value) return { kind: 'none' };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(value);
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'none' };
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return { kind: 'unsatisfiable' };
    return size === 0 ? { kind: 'unsatisfiable' } : { kind: 'range', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(size - 1, Number(m[2]));
  if (m[2] !== '' && Number(m[2]) < start) return { kind: 'none' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'range', start, end };
}

export interface ViewerRequest {
  method: string;
  /** Lower-cased request headers. */
  headers: Record<string, string | undefined>;
}

/** Applies the viewer's conditional headers, Range and method to a cached answer. */
export function forViewer(req: ViewerRequest, r: CachedReply): UpstreamReply {
  if (notModified(req.headers, r.status, r.headers)) {
    r.stream?.resume(); // the caches' copies still fill
    return { status: 304, headers: notModifiedHeaders(r.headers), body: EMPTY };
  }
  // A body still arriving (a large object's miss) is as long as the origin said.
  const size = r.file ? r.file.size : r.stream ? Number(r.headers['content-length']) : r.body.length;
  let status = r.status;
  const headers = { ...r.headers };
  let start = 0;
  let end = size - 1;
  if (status === 200 && Number.isSafeInteger(size)) {
    headers['accept-ranges'] ??= 'bytes';
    const ifRange = req.headers['if-range'];
    const rangeApplies = !ifRange || opaque(ifRange) === opaque(headers.etag ?? '\0') || ifRange === headers['last-modified'];
    const range = rangeApplies ? parseRange(req.headers.range, size) : ({ kind: 'none' } as const);
    if (range.kind === 'range') {
      status = 206;
      headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
      ({ start, end } = range);
    } else if (range.kind === 'unsatisfiable') {
      r.stream?.resume();
      return { status: 416, headers: { 'content-range': `bytes */${size}`, 'content-type': 'text/plain' }, body: EMPTY };
    }
  }
  headers['content-length'] = String(end - start + 1);
  if (req.method === 'HEAD') {
    r.stream?.resume();
    return { status, headers, body: EMPTY };
  }
  if (r.stream) return { status, headers, body: EMPTY, stream: status === 206 ? sliceOf(r.stream, start, end) : r.stream };
  // A body on disk is read for just the bytes sent.
  if (r.file) return { status, headers, body: EMPTY, ...(end >= start ? { stream: r.file.open(start, end) } : {}) };
  return { status, headers, body: status === 206 ? r.body.subarray(start, end + 1) : r.body };
}

/**
 * Bytes `start` to `end` (inclusive) of a body still arriving. The answer ends with its last
 * byte; the rest of the source is still read (and dropped), so the caches' copies keep filling.
 */
function sliceOf(source: Readable, start: number, end: number): Readable {
  let at = 0;
  const slice = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const from = Math.max(start - at, 0);
      const to = Math.min(end + 1 - at, chunk.length);
      at += chunk.length;
      if (from < to) this.push(chunk.subarray(from, to));
      if (at > end) this.push(null);
      done();
    },
  });
  pipeline(source, slice, () => undefined);
  return slice;
}
