/**
 * Which bucket a request addresses. S3 takes these forms:
 *   - path-style: `localhost:4566/<bucket>/<key>` (forcePathStyle, the CLI): the plain API host;
 *   - virtual-hosted-style: `<bucket>.localhost[:port]` or `<bucket>.s3.localhost`, which is
 *     what the SDKs call when pointed at http://localhost:4566 without forcePathStyle;
 *   - the website endpoint: `<bucket>.s3-website.localhost` (or `.s3-website-<region>.localhost`,
 *     `.s3-website.<region>.localhost`), and its path-style form `/_nimbus/s3-website/<bucket>/...`
 *     for clients that cannot resolve `*.localhost`.
 * The host forms are declared to the server's host router; the operations are declared
 * path-style, and a host-routed request is rewritten to it before its operation is matched
 * (websites under /_website, where operations/website.ts declares theirs).
 */
import type { EndpointMatch, HostRoute } from '../service.js';

const virtualHosted = { routingPath: (m: EndpointMatch) => `/${encodeURIComponent(m.labels.bucket!)}${m.path}` };
const website = { routingPath: (m: EndpointMatch) => `/_website/${encodeURIComponent(m.labels.bucket!)}${m.path}` };

/** S3's hosts and path-style forms, for `ServicePlugin.hosts`. */
export const S3_HOSTS: HostRoute[] = [
  { host: '{bucket+}.s3-website.localhost', pathStyle: '/_nimbus/s3-website/{bucket}', api: website },
  { host: '{bucket+}.s3-website-{region}.localhost', api: website },
  { host: '{bucket+}.s3-website.{region}.localhost', api: website },
  { host: '{bucket+}.s3.localhost', api: virtualHosted },
  { host: '{bucket+}.localhost', api: virtualHosted },
  // The service host itself, path-style: not a bucket named `s3`.
  { host: 's3.localhost', api: { routingPath: (m) => m.path } },
];

/** Whether a request came on a website endpoint. */
export function isWebsite(endpoint: EndpointMatch | undefined): boolean {
  return endpoint?.target.route.api === website;
}

/** The bucket a request addresses: its host's, or the first segment of its path (undefined if it does not decode). */
export function bucketOf(path: string, endpoint: EndpointMatch | undefined): string | undefined {
  return endpoint?.labels.bucket ?? pathBucket(path);
}

/** The bucket of a path-style request: its first path segment, decoded (undefined if it does not decode). */
export function pathBucket(path: string): string | undefined {
  const start = path.indexOf('/') + 1;
  if (start === 0) return undefined;
  const end = path.indexOf('/', start);
  const seg = path.slice(start, end < 0 ? path.length : end);
  if (!seg) return undefined;
  try {
    return decodeURIComponent(seg);
  } catch {
    return undefined;
  }
}
