/**
 * CloudFront's identifiers as AWS forms them: distributions, origin access controls and ETags
 * `E` + 13 upper-case letters and digits (`E2QWRUHAPOMQZL`), invalidations `I` + 13, public
 * keys `K` + 13; policies and key groups are UUIDs. All come from the injected id source.
 */
import type { Ids } from '../../lib/ids.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `prefix` followed by 13 characters of [A-Z0-9]. */
export function cloudfrontId(ids: Ids, prefix: 'E' | 'I' | 'K'): string {
  const bytes = Buffer.from(ids.token(20), 'base64url');
  let out = prefix;
  for (let i = 0; i < 13; i++) out += ALPHABET[bytes[i]! % ALPHABET.length];
  return out;
}
