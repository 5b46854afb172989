import { randomBytes, randomUUID } from 'node:crypto';

/** Injected id source, so tests may make ids predictable. */
export interface Ids {
  uuid(): string;
  /** Random url-safe token of `bytes` random bytes. */
  token(bytes?: number): string;
}

/** Random bytes drawn in blocks: one getrandom call serves many tokens on hot paths. */
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

/**
 * `n` random bytes from the pool (a view: read them before the next call). For ids on hot
 * paths, where a getrandom call per request would cost more than the rest of the id.
 */
export function pooledRandomBytes(n: number): Buffer {
  if (n > POOL_SIZE) return randomBytes(n);
  if (offset + n > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const out = pool.subarray(offset, offset + n);
  offset += n;
  return out;
}

export const randomIds: Ids = {
  uuid: () => randomUUID(),
  token: (bytes = 16) => pooledRandomBytes(bytes).toString('base64url'),
};
