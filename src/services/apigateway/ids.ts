/**
 * API Gateway's identifiers: lower-case letters and digits, 10 characters for APIs, API keys,
 * usage plans and deployments' siblings, shorter for the parts of an API (routes, integrations,
 * resources, authorizers: 6–7). They come from the injected id source so tests can fix them.
 */
import type { Ids } from '../../lib/ids.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A fresh id of `length` characters from [a-z0-9]. */
export function gatewayId(ids: Ids, length = 10): string {
  const bytes = Buffer.from(ids.token(length * 2), 'base64url');
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! % ALPHABET.length];
  return out;
}

/** Whether `id` looks like an API id (the data plane refuses anything else before a lookup). */
export const isApiId = (id: string): boolean => /^[a-z0-9]{10}$/.test(id);
