/**
 * Operation declarations for Lambda (restJson1). Members in the URI, the query string or
 * headers are declared with their location; body members with their JSON type, and nested
 * structures as documents that the engine checks, in Lambda's words.
 */
import { blob, boolean, document, inHeader, inQuery, inUri, integer, list, map, string, structure, type Member, type Shape } from '../../../protocols/shapes.js';
import type { HttpBinding } from '../../../protocols/rest.js';
import type { Operation, RequestContext } from '../../service.js';

export type Handler = (input: any, ctx: RequestContext) => unknown;

const kinds = {
  string: string(),
  integer: integer(),
  boolean: boolean(),
  blob: blob(),
  doc: document(),
  strings: list(string()),
  tags: map(string(), string()),
} satisfies Record<string, Shape>;

type Kind = `${keyof typeof kinds}${'' | '!'}`;

/** Body members by JSON type (`'string!'` is required); URI, query and header members as `Member`s. */
export function op(http: HttpBinding, members: Record<string, Kind | Member>, handler: Handler, extra: Partial<Operation> = {}): Operation {
  const spec: Record<string, Member> = {};
  for (const [name, kind] of Object.entries(members)) {
    if (typeof kind !== 'string') {
      spec[name] = kind;
      continue;
    }
    const required = kind.endsWith('!');
    spec[name] = { shape: kinds[kind.replace('!', '') as keyof typeof kinds], ...(required ? { required: true } : {}) };
  }
  return { http, input: structure(spec), handler: async (input, ctx) => handler(input, ctx), ...extra };
}

export const FUNCTION_NAME = inUri('FunctionName');
export const QUALIFIER = inQuery(string(), 'Qualifier');
export const MARKER = inQuery(string(), 'Marker');
export const MAX_ITEMS = inQuery(integer(), 'MaxItems');
export { inHeader, inQuery, inUri };

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
