/**
 * Where Nimbus connects on a user's behalf (SNS HTTP/HTTPS subscriptions, API gateway HTTP
 * integrations, CDN origins). A subscription or integration URL is user input: without a guard,
 * any account could make Nimbus fetch a cloud metadata endpoint (169.254.169.254) and read
 * the machine's credentials through the answer or the delivery status.
 *
 * Link-local and cloud metadata addresses are refused by default; loopback and private
 * ranges stay allowed (local development points subscriptions at localhost). Operators
 * change this with NIMBUS_OUTBOUND_DENY / NIMBUS_OUTBOUND_ALLOW (CIDR lists; allow wins).
 *
 * The check runs on the addresses a name resolves to, inside the connection's own lookup, so a
 * DNS answer cannot change between the check and the connect (rebinding).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { inCidr } from './policy-conditions.js';

/** Link-local (which holds AWS, GCP, Azure and ECS metadata endpoints), AWS's IPv6 IMDS, Alibaba's metadata address. */
export const DEFAULT_OUTBOUND_DENY: readonly string[] = ['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::254/128', '100.100.100.200/32', '0.0.0.0/8', '::/128'];

export interface OutboundRules {
  /** CIDR blocks refused besides the defaults. */
  deny?: readonly string[];
  /** CIDR blocks allowed even when a deny rule covers them. */
  allow?: readonly string[];
}

/** A connection the rules refuse; the message names the address and how to allow it. */
export class OutboundRefused extends Error {
  readonly code = 'ENIMBUSOUTBOUND';
}

/** `::ffff:169.254.169.254` and `::ffff:a9fe:a9fe` are the IPv4 address they carry. */
function unmapped(address: string): string {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return dotted[1]!;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return address;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

export class OutboundGuard {
  private readonly deny: readonly string[];
  private readonly allow: readonly string[];

  constructor(rules: OutboundRules = {}) {
    this.deny = [...DEFAULT_OUTBOUND_DENY, ...(rules.deny ?? [])];
    this.allow = rules.allow ?? [];
  }

  /** Decisions by address: an integration calls the same few backends on every request. */
  private readonly decided = new Map<string, boolean>();

  /** Whether a connection to this IP address is refused. */
  refuses(address: string): boolean {
    let refused = this.decided.get(address);
    if (refused === undefined) {
      const ip = unmapped(address.replace(/^\[|\]$/g, ''));
      refused = !this.allow.some((c) => inCidr(ip, c)) && this.deny.some((c) => inCidr(ip, c));
      if (this.decided.size >= 1024) this.decided.clear();
      this.decided.set(address, refused);
    }
    return refused;
  }

  /** Throws OutboundRefused for a URL whose host is a refused IP literal (names are checked at connect time by `lookup`). */
  checkUrl(url: URL): void {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && this.refuses(host)) throw this.refusal(host);
  }

  /** A `lookup` for node:http(s) requests and sockets: resolves as usual, refusing denied addresses. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    const all = (options as LookupAllOptions).all === true;
    dnsLookup(hostname, { ...(options as LookupOneOptions), all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, all ? [] : '', 0);
      const allowed = addresses.filter((a) => !this.refuses(a.address));
      if (allowed.length === 0) {
        const error = Object.assign(this.refusal(addresses[0]?.address ?? hostname), { hostname }) as NodeJS.ErrnoException;
        return callback(error, all ? [] : '', 0);
      }
      if (all) return (callback as (e: null, a: LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };

  /** The options to spread into a node:http(s) request so it goes through the guard. */
  requestOptions(url: URL): { lookup: LookupFunction } {
    this.checkUrl(url);
    return { lookup: this.lookup };
  }

  private refusal(address: string): OutboundRefused {
    return new OutboundRefused(`connections to ${address} are refused (link-local and cloud metadata addresses are denied by default; allow a range with NIMBUS_OUTBOUND_ALLOW)`);
  }
}

/** Parses a comma-separated CIDR list (NIMBUS_OUTBOUND_DENY/ALLOW); throws on an entry that is not one. */
export function parseCidrList(text: string | undefined, what: string): string[] {
  if (!text) return [];
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((c) => {
      const [net, bits] = c.split('/', 2) as [string, string?];
      const family = isIP(net);
      const max = family === 4 ? 32 : 128;
      if (family === 0 || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= max))) throw new Error(`${what}: not an IP address or CIDR block: ${c}`);
      return c;
    });
}

/**
 * `fetch` through the guard, for code written against fetch that reaches user-named URLs (a JWT
 * issuer's discovery document and key set). Plain requests only: the body is sent as given and
 * the answer is read whole, up to `maxBytes` (a longer one fails).
 */
export function guardedFetch(guard: OutboundGuard, maxBytes = 1 << 20): typeof fetch {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      let url: URL;
      try {
        url = new URL(input instanceof Request ? input.url : String(input));
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`${url.protocol} URLs are not fetched`);
        const headers = Object.fromEntries(new Headers(init?.headers ?? undefined));
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const req = send(url, { method: init?.method ?? 'GET', headers, ...(init?.signal ? { signal: init.signal } : {}), ...guard.requestOptions(url) }, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > maxBytes) res.destroy(new Error(`${url.href} answered more than ${maxBytes} bytes`));
            else chunks.push(c);
          });
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 502;
            const out = new Headers();
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(', ') : v);
            // A Response cannot carry a body with these statuses.
            const body = status === 204 || status === 304 || (status >= 100 && status < 200) ? null : Buffer.concat(chunks);
            resolve(new Response(body, { status, headers: out }));
          });
        });
        req.on('error', reject);
        req.end(typeof init?.body === 'string' || init?.body instanceof Uint8Array ? init.body : undefined);
      } catch (e) {
        reject(e);
      }
    });
}
