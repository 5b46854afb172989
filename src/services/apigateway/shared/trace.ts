/**
 * The X-Ray trace header API Gateway passes on (`X-Amzn-Trace-Id` to HTTP integrations,
 * `_X_AMZN_TRACE_ID` in a function): `Root=1-{epoch seconds, 8 hex}-{96 random bits, 24 hex};
 * Parent={16 hex};Sampled={0|1}`. A request arriving with a well-formed Root keeps it (and its
 * sampling decision) so a trace spans the caller and the backend; a missing or malformed one is
 * replaced by a new trace. Parent is always API Gateway's own segment, new per request.
 * Nimbus records no traces, so a new trace is not sampled.
 */
import { createHash } from 'node:crypto';
import type { Ids } from '../../../lib/ids.js';

const ROOT = /^1-[0-9a-fA-F]{8}-[0-9a-fA-F]{24}$/;
/** A header longer than this is not parsed (X-Ray documents no limit; this only bounds the work). */
const MAX_INCOMING = 1024;

export function traceHeader(incoming: string | undefined, nowMs: number, ids: Ids): string {
  let root: string | undefined;
  let sampled = '0';
  if (incoming !== undefined && incoming.length <= MAX_INCOMING) {
    const fields = parseFields(incoming);
    const r = fields.get('root');
    if (r !== undefined && ROOT.test(r)) {
      root = r;
      const s = fields.get('sampled');
      if (s === '0' || s === '1') sampled = s;
    }
  }
  if (root === undefined) {
    const seconds = Math.floor(nowMs / 1000) >>> 0;
    root = `1-${seconds.toString(16).padStart(8, '0')}-${randomHex(ids, 12)}`;
  }
  return `Root=${root};Parent=${randomHex(ids, 8)};Sampled=${sampled}`;
}

/** `Key=value;Key=value` with keys compared case-insensitively; the first of a repeated key wins. */
function parseFields(header: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    if (!out.has(key)) out.set(key, part.slice(eq + 1).trim());
  }
  return out;
}

/** `bytes` random bytes as hex, from the injected id source (its tokens are base64url of random bytes). */
function randomHex(ids: Ids, bytes: number): string {
  const token = ids.token(bytes);
  const raw = Buffer.from(token, 'base64url');
  if (raw.length >= bytes) return raw.subarray(0, bytes).toString('hex');
  // A test's predictable id source may hand out short or non-base64 tokens: stretch them.
  return createHash('sha256').update(token).digest('hex').slice(0, bytes * 2);
}
