/**
 * Small helpers for writing XML by string concatenation (no XML library on the hot path).
 */

/**
 * What each code point below 63 becomes in XML content: the five markup characters become
 * their predefined entities; `\r` and the other C0 controls (except `\t` and `\n`, which
 * survive parsing as they are) become character references. `\r` must be a reference
 * because XML parsers normalise a literal CR (and CRLF) to LF; the other controls are not
 * XML 1.0 characters at all, so a reference is the only way to carry them (lenient parsers,
 * including the AWS SDKs', decode it; strict ones reject it either way).
 */
const REPLACEMENT: (string | undefined)[] = new Array(63).fill(undefined);
for (let c = 0; c < 0x20; c++) {
  if (c !== 0x09 && c !== 0x0a) REPLACEMENT[c] = `&#x${c.toString(16).toUpperCase()};`;
}
REPLACEMENT[0x26] = '&amp;';
REPLACEMENT[0x3c] = '&lt;';
REPLACEMENT[0x3e] = '&gt;';
REPLACEMENT[0x22] = '&quot;';
REPLACEMENT[0x27] = '&apos;';

/**
 * Escapes text for XML element content or a double-quoted attribute value:
 * `& < > " '` as entities, `\r` as `&#xD;` (so it round-trips), other C0 controls except
 * tab and newline as character references. Everything else (all of Unicode) is left as is.
 * Returns `s` itself when nothing needs escaping.
 */
export function escapeXml(s: string): string {
  const n = s.length;
  let i = 0;
  // Fast path: find the first character needing a replacement.
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 63 && REPLACEMENT[c] !== undefined) break;
  }
  if (i === n) return s;
  let out = '';
  let last = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 63) {
      const r = REPLACEMENT[c];
      if (r !== undefined) {
        if (i > last) out += s.slice(last, i);
        out += r;
        last = i + 1;
      }
    }
  }
  if (last < n) out += s.slice(last);
  return out;
}
