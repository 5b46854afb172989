/**
 * ExecuteStatement's NextToken: an opaque string that carries where the next page starts (which
 * partition of a multi-partition read, and the LastEvaluatedKey within it), a digest of the
 * statement and parameters it belongs to, and when it was made. DynamoDB refuses a token given
 * with another statement ("NextToken does not match request"), one older than an hour ("Given
 * NextToken has already expired") and one it cannot read ("Invalid NextToken"); the wording is
 * DynamoDB's PartiQL message table, the hour is DynamoDB Local's token lifetime.
 */
import { createHash } from 'node:crypto';
import type { AttributeValue, Item } from '../types.js';
import { invalid, MSG } from './errors.js';

const TOKEN_TTL_MS = 3600_000;
export const MAX_TOKEN_LENGTH = 32768;

export interface PagePosition {
  /** The partition (Query input) to continue with; 0 for a Scan. */
  partition: number;
  /** ExclusiveStartKey within it; none to start the partition from its beginning. */
  key?: Item;
}

interface TokenBody {
  v: 1;
  h: string;
  t: number;
  p: number;
  k?: Item;
}

/** What a token is bound to: the statement and its parameters. */
export function requestDigest(statement: string, parameters: AttributeValue[]): string {
  return createHash('sha256').update(JSON.stringify([statement, parameters])).digest('base64url');
}

export function encodeToken(digest: string, now: number, position: PagePosition): string {
  const body: TokenBody = { v: 1, h: digest, t: now, p: position.partition, ...(position.key ? { k: position.key } : {}) };
  return Buffer.from(JSON.stringify(body)).toString('base64');
}

export function decodeToken(token: string, digest: string, now: number, partitions: number): PagePosition {
  let body: TokenBody;
  try {
    body = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as TokenBody;
  } catch {
    throw invalid(MSG.invalidToken);
  }
  const wellFormed =
    body !== null &&
    typeof body === 'object' &&
    body.v === 1 &&
    typeof body.h === 'string' &&
    typeof body.t === 'number' &&
    Number.isInteger(body.p) &&
    body.p >= 0 &&
    (body.k === undefined || (typeof body.k === 'object' && body.k !== null && !Array.isArray(body.k)));
  if (!wellFormed) throw invalid(MSG.invalidToken);
  if (body.h !== digest) throw invalid(MSG.tokenMismatch);
  if (now - body.t >= TOKEN_TTL_MS) throw invalid(MSG.tokenExpired);
  if (body.p >= partitions) throw invalid(MSG.invalidToken);
  return { partition: body.p, key: body.k };
}
