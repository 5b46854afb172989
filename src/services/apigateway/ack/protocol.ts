/**
 * The wire protocol of acknowledged delivery (`nimbus.ack.v1`), fixed so any client can speak it:
 * - the client connects with the subprotocol `nimbus.ack.v1` and the query parameter
 *   `clientId=<id>` (a `$connect` authorizer's `clientId` in its context wins and must match);
 * - Nimbus sends each message as a text frame `{"seq": n, "data": "<utf-8 text>"}`, or, for a
 *   payload that is not UTF-8 text, `{"seq": n, "data": "<base64>", "encoding": "base64"}`;
 * - the client acknowledges with a text frame `{"ack": n}`: everything up to n (cumulative).
 *   Such frames are consumed by Nimbus, never routed to the API's routes.
 */
import { isUtf8 } from 'node:buffer';

export const SUBPROTOCOL = 'nimbus.ack.v1';
/** The API tag that turns acknowledged delivery on. */
export const DELIVERY_TAG = 'nimbus:delivery';
export const ACKNOWLEDGED = 'acknowledged';

/** A client id: 1 to 128 characters of letters, digits and `-._~:@+=`. */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9\-._~:@+=]{1,128}$/;

export function isClientId(id: unknown): id is string {
  return typeof id === 'string' && CLIENT_ID_PATTERN.test(id);
}

/** Whether an API (its tags) asked for acknowledged delivery. */
export function acknowledgedDelivery(tags: Record<string, string> | undefined): boolean {
  return tags?.[DELIVERY_TAG] === ACKNOWLEDGED;
}

/** Whether the client offered the subprotocol (`Sec-WebSocket-Protocol`, a comma-separated list). */
export function offersSubprotocol(header: string | string[] | undefined): boolean {
  const all = Array.isArray(header) ? header.join(',') : (header ?? '');
  return all.split(',').some((p) => p.trim() === SUBPROTOCOL);
}

/** The frame that carries message `seq`. */
export function messageFrame(seq: number, body: Buffer): string {
  return isUtf8(body) ? JSON.stringify({ seq, data: body.toString('utf8') }) : JSON.stringify({ seq, data: body.toString('base64'), encoding: 'base64' });
}

/**
 * Reads a client frame: `undefined` when it is not an acknowledgement (it goes to the API's
 * routes), the seq it acknowledges, or `'invalid'` for an object whose only key is `ack` but
 * whose value is not a whole number from 0 (consumed, not routed).
 */
export function parseAck(data: string | Buffer): number | 'invalid' | undefined {
  if (typeof data !== 'string' || data.length > 64 || !data.includes('"ack"')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== 1 || keys[0] !== 'ack') return undefined;
  const n = (v as { ack: unknown }).ack;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : 'invalid';
}
