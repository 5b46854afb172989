/**
 * Static website hosting (https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteHosting.html):
 * a bucket with a website configuration answers plain browser GETs on its website endpoint
 * (`<bucket>.s3-website.localhost`): index documents for folder paths, a redirect from a folder
 * without its slash, the error document (or S3's own HTML) for errors, whole-site and
 * rule-based redirects. The website endpoint is anonymous: objects must be publicly readable
 * (bucket policy or ACL), exactly as on S3, so it is ready to be a CDN origin.
 */
import { AwsError } from '../../../protocols/errors.js';
import { RestAnswer } from '../../../protocols/rest.js';
import { escapeXml } from '../../../protocols/xml.js';
import type { Caller } from './buckets.js';
import type { Objects } from './objects.js';

export interface WebsiteConfig {
  IndexDocument?: { Suffix: string };
  ErrorDocument?: { Key: string };
  RedirectAllRequestsTo?: { HostName: string; Protocol?: 'http' | 'https' };
  RoutingRules?: Array<{
    Condition?: { KeyPrefixEquals?: string; HttpErrorCodeReturnedEquals?: string };
    Redirect: { HostName?: string; Protocol?: 'http' | 'https'; HttpRedirectCode?: string; ReplaceKeyPrefixWith?: string; ReplaceKeyWith?: string };
  }>;
}

const ANONYMOUS: Caller = { accountId: '', region: '', anonymous: true };

export async function serveWebsite(objects: Objects, config: WebsiteConfig, bucket: string, rawKey: string, head: boolean, host: string): Promise<RestAnswer> {
  if (config.RedirectAllRequestsTo) {
    const r = config.RedirectAllRequestsTo;
    return redirect(301, `${r.Protocol ?? 'http'}://${r.HostName}/${rawKey}`);
  }
  const before = routingRedirect(config, rawKey, undefined, host);
  if (before) return before;
  const suffix = config.IndexDocument?.Suffix ?? 'index.html';
  const key = rawKey === '' || rawKey.endsWith('/') ? rawKey + suffix : rawKey;
  try {
    return await fetchObject(objects, bucket, key, head);
  } catch (e) {
    if (!(e instanceof AwsError)) throw e;
    // A folder asked for without its slash: S3 redirects to the folder (a missing key is 403
    // to a reader who may not list the bucket).
    if ((e.status === 404 || e.status === 403) && !rawKey.endsWith('/') && rawKey !== '') {
      try {
        await objects.read(ANONYMOUS, bucket, `${rawKey}/${suffix}`, { head: true, conditions: {} });
        return redirect(302, `/${encodePath(rawKey)}/`);
      } catch {
        // fall through to the error
      }
    }
    const status = e.status === 404 || e.status === 403 ? e.status : 500;
    const after = routingRedirect(config, rawKey, String(status), host);
    if (after) return after;
    return errorPage(objects, config, bucket, status, e, head);
  }
}

async function fetchObject(objects: Objects, bucket: string, key: string, head: boolean): Promise<RestAnswer> {
  const r = await objects.read(ANONYMOUS, bucket, key, { head, conditions: {} });
  const headers: Record<string, string> = {
    'content-type': r.record.headers['content-type'] ?? 'binary/octet-stream',
    'content-length': String(r.record.size),
    etag: r.record.etag,
    'last-modified': new Date(r.record.lastModified).toUTCString(),
  };
  for (const name of ['cache-control', 'content-encoding', 'content-disposition', 'content-language', 'expires']) {
    if (r.record.headers[name] !== undefined) headers[name] = r.record.headers[name]!;
  }
  return new RestAnswer(200, headers, r.stream ?? '');
}

/** The configured error document (served with the error's status), else S3's own HTML page. */
async function errorPage(objects: Objects, config: WebsiteConfig, bucket: string, status: number, e: AwsError, head: boolean): Promise<RestAnswer> {
  if (config.ErrorDocument?.Key) {
    try {
      const doc = await fetchObject(objects, bucket, config.ErrorDocument.Key, head);
      return new RestAnswer(status, doc.headers, doc.body);
    } catch {
      // the error document itself is missing or private: S3's page
    }
  }
  const title = status === 404 ? '404 Not Found' : status === 403 ? '403 Forbidden' : '500 Internal Error';
  const html =
    `<html>\n<head><title>${title}</title></head>\n<body>\n<h1>${title}</h1>\n<ul>\n<li>Code: ${escapeXml(e.code)}</li>\n` +
    `<li>Message: ${escapeXml(e.message)}</li>\n</ul>\n<hr/>\n</body>\n</html>\n`;
  return new RestAnswer(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(html)) }, head ? '' : html);
}

function routingRedirect(config: WebsiteConfig, key: string, errorCode: string | undefined, host: string): RestAnswer | undefined {
  for (const rule of config.RoutingRules ?? []) {
    const c = rule.Condition ?? {};
    if (c.KeyPrefixEquals !== undefined && !key.startsWith(c.KeyPrefixEquals)) continue;
    if (c.HttpErrorCodeReturnedEquals !== undefined ? c.HttpErrorCodeReturnedEquals !== errorCode : errorCode !== undefined) continue;
    const r = rule.Redirect;
    let target = key;
    if (r.ReplaceKeyWith !== undefined) target = r.ReplaceKeyWith;
    else if (r.ReplaceKeyPrefixWith !== undefined) target = r.ReplaceKeyPrefixWith + key.slice((c.KeyPrefixEquals ?? '').length);
    const location = `${r.Protocol ?? 'http'}://${r.HostName ?? host}/${encodePath(target)}`;
    return redirect(Number(r.HttpRedirectCode ?? 301), location);
  }
  return undefined;
}

function redirect(status: number, location: string): RestAnswer {
  return new RestAnswer(status, { location, 'content-length': '0' }, '');
}

const encodePath = (key: string) => key.split('/').map(encodeURIComponent).join('/');
