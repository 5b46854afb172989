/**
 * Pagination tokens. They are opaque to clients but carry only positions, never state kept
 * on the server, so they survive restarts and any number of clients may page at once.
 *
 * - GetLogEvents: `f/<56 digits>/s` and `b/<56 digits>/s` as AWS shapes them; the digits are
 *   an event position (timestamp, seq). `f/P` reads events after P, `b/P` events before P.
 * - FilterLogEvents: base64 of the position of the last event examined.
 * - DescribeLogGroups / DescribeLogStreams: base64 of the sort key of the last item returned.
 */
import { badToken } from '../errors.js';
import type { Position } from '../repo.js';

const TS_DIGITS = 24;
const SEQ_DIGITS = 32;
const EVENT_TOKEN = /^([fb])\/(\d{24})(\d{32})\/s$/;

/** The position before every event (timestamps are never negative, sequences start at 1). */
export const START: Position = { timestamp: 0, seq: 0 };

export function eventToken(direction: 'f' | 'b', p: Position): string {
  return `${direction}/${String(p.timestamp).padStart(TS_DIGITS, '0')}${String(p.seq).padStart(SEQ_DIGITS, '0')}/s`;
}

export function parseEventToken(token: string): { direction: 'f' | 'b'; position: Position } {
  const m = EVENT_TOKEN.exec(token);
  if (!m) throw badToken();
  const position = { timestamp: Number(m[2]), seq: Number(m[3]) };
  if (!Number.isSafeInteger(position.timestamp) || !Number.isSafeInteger(position.seq)) throw badToken();
  return { direction: m[1] as 'f' | 'b', position };
}

/** The eventId FilterLogEvents gives an event: its position, as 56 digits. */
export function eventId(p: Position): string {
  return `${String(p.timestamp).padStart(TS_DIGITS, '0')}${String(p.seq).padStart(SEQ_DIGITS, '0')}`;
}

export function filterToken(p: Position): string {
  return Buffer.from(`v1:${p.timestamp}:${p.seq}`).toString('base64');
}

export function parseFilterToken(token: string): Position {
  const m = /^v1:(\d{1,16}):(\d{1,16})$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  if (!m) throw badToken();
  return { timestamp: Number(m[1]), seq: Number(m[2]) };
}

/** A list token: the sort key (a tuple of strings and numbers) of the last item returned. */
export function listToken(key: (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64');
}

export function parseListToken(token: string): (string | number)[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw badToken();
  }
  if (!Array.isArray(key) || key.length === 0 || !key.every((k) => typeof k === 'string' || typeof k === 'number')) throw badToken();
  return key as (string | number)[];
}

/** Compares two sort keys element by element (strings by code unit, as AWS orders ASCII names). */
export function compareKeys(a: (string | number)[], b: (string | number)[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

/**
 * A page of `items` (already in order) after the item a list token names; `descending` when
 * the order is by decreasing key. The next token names the page's last item, when more follow.
 */
export function pageOf<T>(
  items: T[],
  keyOf: (item: T) => (string | number)[],
  limit: number,
  nextToken: string | undefined,
  descending = false,
): { page: T[]; nextToken?: string } {
  let start = 0;
  if (nextToken !== undefined) {
    const after = parseListToken(nextToken);
    start = items.findIndex((item) => (descending ? -1 : 1) * compareKeys(keyOf(item), after) > 0);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + limit);
  return start + limit < items.length ? { page, nextToken: listToken(keyOf(page[page.length - 1]!)) } : { page };
}
