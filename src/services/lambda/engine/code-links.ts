/**
 * Download links for function code (GetFunction's `Code.Location`): like the presigned S3 URL
 * Lambda hands out, a link names one version's zip, expires after ten minutes and carries an
 * HMAC made with a key this process draws at start, so it cannot be forged or stretched.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../../lib/clock.js';

export const CODE_LINK_PREFIX = '/_nimbus/lambda/code/';
const VALID_MS = 10 * 60 * 1000;

export interface CodeLinkTarget {
  accountId: string;
  region: string;
  name: string;
  version: string;
}

export class CodeLinks {
  private readonly key = randomBytes(32);

  constructor(private readonly clock: Clock) {}

  /** The path (under Nimbus's endpoint) that downloads the version's zip until it expires. */
  path(target: CodeLinkTarget): string {
    const payload = Buffer.from(JSON.stringify({ ...target, exp: this.clock.now() + VALID_MS })).toString('base64url');
    return `${CODE_LINK_PREFIX}${payload}.${this.sign(payload)}`;
  }

  /** The version a link names, or undefined when it is forged, malformed or expired. */
  open(path: string): CodeLinkTarget | undefined {
    const token = path.slice(CODE_LINK_PREFIX.length);
    const dot = token.indexOf('.');
    if (dot <= 0) return undefined;
    const payload = token.slice(0, dot);
    // Compared as text: decoding base64 would ignore the spare bits of the last character,
    // so two different links could carry one signature.
    const given = Buffer.from(token.slice(dot + 1));
    const expected = Buffer.from(this.sign(payload));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const t = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as CodeLinkTarget & { exp: number };
      return t.exp >= this.clock.now() ? { accountId: t.accountId, region: t.region, name: t.name, version: t.version } : undefined;
    } catch {
      return undefined;
    }
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
