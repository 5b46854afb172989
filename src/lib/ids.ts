import { randomBytes, randomUUID } from 'node:crypto';

/** Injected id source, so tests may make ids predictable. */
export interface Ids {
  uuid(): string;
  /** Random url-safe token of `bytes` random bytes. */
  token(bytes?: number): string;
}

export const randomIds: Ids = {
  uuid: () => randomUUID(),
  token: (bytes = 16) => randomBytes(bytes).toString('base64url'),
};
