/** What S3's listings (objects, versions, uploads, parts) share at the wire: key encoding, max-keys, times. */
import { InvalidArgument } from '../errors.js';

/** S3's timestamps in listings: ISO 8601 with milliseconds. */
export const isoTime = (ms: number) => new Date(ms).toISOString();

/** encoding-type: absent (keys as they are) or `url`, which keeps '/' readable as the SDKs expect when they decode. */
export function keyEncoder(type: string | undefined): (s: string) => string {
  if (type === undefined) return (s) => s;
  if (type !== 'url') throw InvalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', type);
  return (s) => encodeURIComponent(s).replace(/%2F/g, '/');
}

/** max-keys: 1000 unless given, never more than 1000 listed; a negative one is refused. */
export function maxKeys(v: number | undefined): number {
  if (v === undefined) return 1000;
  if (v < 0) throw InvalidArgument('Argument maxKeys must be an integer between 0 and 2147483647', 'maxKeys', String(v));
  return Math.min(v, 1000);
}
