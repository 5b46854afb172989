/**
 * What CloudFront's operations share: URIs, ETag and If-Match, list pages, timestamps, and the
 * Quantity/Items consistency every config must keep.
 */
import { inHeader, integer, string } from '../../../protocols/shapes.js';
import { InconsistentQuantities, InvalidArgument, InvalidIfMatchVersion, PreconditionFailed } from '../errors.js';
import { cloudfrontId } from '../ids.js';
import type { CloudFrontDeps } from '../deps.js';

export const V = '/2020-05-31';

/** Timestamps as CloudFront writes them (ISO 8601, UTC). */
export const iso = (ms: number): string => new Date(ms).toISOString();

/** A fresh ETag (a new one on every change). */
export const newEtag = (deps: CloudFrontDeps): string => cloudfrontId(deps.ids, 'E');

export const ifMatchMember = inHeader(string(), 'If-Match');
export const etagMember = inHeader(string(), 'ETag');
export const locationMember = inHeader(string(), 'Location');
export const markerMember = { shape: string(), location: 'querystring' as const, locationName: 'Marker' };
export const maxItemsMember = { shape: integer(), location: 'querystring' as const, locationName: 'MaxItems' };

/**
 * The If-Match a change must carry: missing → InvalidIfMatchVersion, not the current ETag →
 * PreconditionFailed (both in CloudFront's words).
 */
export function checkIfMatch(ifMatch: string | undefined, etag: string): void {
  if (ifMatch === undefined || ifMatch === '') throw new InvalidIfMatchVersion('The If-Match version is missing or not valid for the resource.');
  if (ifMatch !== etag) throw new PreconditionFailed('The If-Match version is missing or not valid for the resource.');
}

/** One page of `all` (sorted by `key`): the items after `marker`, at most `maxItems` (default 100). */
export function page<T>(all: T[], key: (t: T) => string, marker: string | undefined, maxItems: number | undefined): { items: T[]; nextMarker?: string; truncated: boolean; max: number } {
  const max = maxItems === undefined ? 100 : maxItems;
  if (!Number.isInteger(max) || max < 0) throw new InvalidArgument('The parameter MaxItems is invalid.');
  const start = marker ? all.findIndex((t) => key(t) > marker) : 0;
  const rest = start < 0 ? [] : all.slice(start);
  const items = rest.slice(0, max);
  const truncated = rest.length > items.length;
  return { items, truncated, max, ...(truncated && items.length ? { nextMarker: key(items[items.length - 1]!) } : {}) };
}

const MAX_DEPTH = 16;

/**
 * Every `{ Quantity, Items }` in a config must agree (CloudFront checks them before anything
 * else): InconsistentQuantities. A list without Items is fine only when Quantity is 0.
 */
export function checkQuantities(value: unknown, depth = 0): void {
  if (depth > MAX_DEPTH || typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) checkQuantities(v, depth + 1);
    return;
  }
  const obj = value as Record<string, unknown>;
  if (typeof obj.Quantity === 'number') {
    const n = Array.isArray(obj.Items) ? obj.Items.length : 0;
    if (obj.Quantity !== n) throw new InconsistentQuantities("The value of Quantity and the size of Items don't match.");
  }
  for (const v of Object.values(obj)) checkQuantities(v, depth + 1);
}

/** `{ Quantity, Items }` of a list, with no Items element when empty (as CloudFront writes them). */
export const itemsOf = <T>(list: T[]): { Quantity: number; Items?: T[] } => (list.length ? { Quantity: list.length, Items: list } : { Quantity: 0 });
