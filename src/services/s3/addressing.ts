/**
 * Which bucket a request addresses, from its Host header or its path. S3 takes three forms:
 *   - path-style: `localhost:4566/<bucket>/<key>` (forcePathStyle, the CLI);
 *   - virtual-hosted-style: `<bucket>.localhost[:port]` or `<bucket>.s3.localhost`, which is
 *     what the SDKs call when pointed at http://localhost:4566 without forcePathStyle;
 *   - the website endpoint: `<bucket>.s3-website.localhost` (or `.s3-website-<region>.localhost`).
 * The operations are declared path-style; the other forms are rewritten to it before routing.
 */
type Headers = Record<string, string | string[] | undefined>;

/** The Host header's name, lower case, without its port. */
function hostName(headers: Headers): string {
  return String(headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
}

/** The bucket of a website-endpoint host, if the host is one. */
export function websiteBucket(headers: Headers): string | undefined {
  const m = /^(.+)\.s3-website(?:[.-][a-z0-9-]+)?\.localhost$/.exec(hostName(headers));
  return m?.[1];
}

/** The bucket of a virtual-hosted-style host, if the host is one (a website host is not). */
export function virtualHostBucket(headers: Headers): string | undefined {
  const host = hostName(headers);
  if (!host.endsWith('.localhost') || websiteBucket(headers) !== undefined) return undefined;
  const name = host.slice(0, -'.localhost'.length).replace(/\.s3$/, '');
  return name === '' || name === 's3' ? undefined : name;
}

/** The bucket of a path-style request: its first path segment, decoded (undefined if it does not decode). */
export function pathBucket(path: string): string | undefined {
  const seg = path.split('/')[1];
  if (!seg) return undefined;
  try {
    return decodeURIComponent(seg);
  } catch {
    return undefined;
  }
}

/**
 * The path a request is routed by: a virtual-hosted request rewritten path-style, a website
 * request under /_website (where operations/website.ts declares its operations).
 */
export function routingPath(headers: Headers, path: string): string {
  const site = websiteBucket(headers);
  if (site !== undefined) return `/_website/${encodeURIComponent(site)}${path}`;
  const bucket = virtualHostBucket(headers);
  return bucket === undefined ? path : `/${encodeURIComponent(bucket)}${path}`;
}
