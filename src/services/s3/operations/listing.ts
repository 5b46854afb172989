/** What S3's listings (objects, versions, uploads, parts) share at the wire: key encoding, max-keys, times. */

/** S3's timestamps in listings: ISO 8601 with milliseconds. */
export const isoTime = (ms: number) => new Date(ms).toISOString();

/** encoding-type: absent (keys as they are) or `url` (the model's only value), which keeps '/' readable as the SDKs expect when they decode. */
export function keyEncoder(type: 'url' | undefined): (s: string) => string {
  if (type === undefined) return (s) => s;
  return (s) => encodeURIComponent(s).replace(/%2F/g, '/');
}

/** max-keys: 1000 unless given, never more than 1000 listed (a negative one is refused at decode time). */
export const maxKeys = (v: number | undefined): number => Math.min(v ?? 1000, 1000);
