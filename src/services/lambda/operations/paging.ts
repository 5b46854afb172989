/** What Lambda's list operations share: Marker/NextMarker paging. */

/**
 * One page of a list under `key`, with the marker of the next (Lambda's Marker/NextMarker
 * paging): `{ Functions: [...], NextMarker?: ... }`.
 */
export function page<T, K extends string>(key: K, items: T[], marker: string | undefined, maxItems: number | undefined, cap = 50): Record<K, T[]> & { NextMarker?: string } {
  const start = marker ? Math.max(0, Number.parseInt(Buffer.from(marker, 'base64url').toString('utf8'), 10) || 0) : 0;
  const size = Math.min(Math.max(maxItems ?? cap, 1), cap);
  const slice = items.slice(start, start + size);
  const nextStart = start + slice.length;
  const out = { [key]: slice } as Record<K, T[]> & { NextMarker?: string };
  if (nextStart < items.length) out.NextMarker = Buffer.from(String(nextStart)).toString('base64url');
  return out;
}
