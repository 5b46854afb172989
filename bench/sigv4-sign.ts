/**
 * A small, fast SigV4 signer for the benchmark's JSON-protocol requests (POST /, no query),
 * and one for query-protocol requests (SNS: a form-encoded POST /, no X-Amz-Target).
 * The signing key is derived once per UTC day and the x-amz-date string once per second, so
 * each request costs two SHA-256 digests and one HMAC: the load generator stays light.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
import { createHash, createHmac } from 'node:crypto';

export interface SignerOptions {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service: string;
  /** Host header value, e.g. `127.0.0.1:4566` (it is signed). */
  host: string;
  contentType?: string;
}

/**
 * The part every benchmark signer shares: the x-amz-date string (refreshed once a second),
 * the signing key and credential scope (once a UTC day), and the signature of a canonical
 * request. Subclasses build their canonical request and headers.
 */
export abstract class SigV4Signer {
  private second = -1;
  protected amzDate = '';
  private day = '';
  private key: Buffer = Buffer.alloc(0);
  private scope = '';
  protected credential = '';

  constructor(protected readonly creds: { accessKeyId: string; secretAccessKey: string; region: string; service: string }) {}

  /** The Authorization header for a canonical request built with the last date(). */
  protected authorization(canonical: string, signedHeaders: string): string {
    const stringToSign = `AWS4-HMAC-SHA256\n${this.amzDate}\n${this.scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
    const signature = createHmac('sha256', this.key).update(stringToSign).digest('hex');
    return `AWS4-HMAC-SHA256 Credential=${this.credential}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  }

  /** The x-amz-date to put in the canonical request (call before building it). */
  protected date(): string {
    this.tick();
    return this.amzDate;
  }

  /** Refreshes the date string (per second) and the signing key (per day). */
  private tick(): void {
    const second = Math.floor(Date.now() / 1000);
    if (second === this.second) return;
    this.second = second;
    this.amzDate = new Date(second * 1000).toISOString().replace(/[-:]|\.\d{3}/g, '');
    const day = this.amzDate.slice(0, 8);
    if (day === this.day) return;
    this.day = day;
    const { secretAccessKey, region, service, accessKeyId } = this.creds;
    let key = createHmac('sha256', `AWS4${secretAccessKey}`).update(day).digest();
    for (const part of [region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
    this.key = key;
    this.scope = `${day}/${region}/${service}/aws4_request`;
    this.credential = `${accessKeyId}/${this.scope}`;
  }
}

const SIGNED_HEADERS = 'content-type;host;x-amz-date;x-amz-target';

export class JsonSigner extends SigV4Signer {
  private readonly contentType: string;

  constructor(private readonly o: SignerOptions) {
    super(o);
    this.contentType = o.contentType ?? 'application/x-amz-json-1.0';
  }

  /** Headers for a POST / with this X-Amz-Target and body, Content-Length included. */
  sign(target: string, body: string): Record<string, string> {
    const amzDate = this.date();
    const payloadHash = createHash('sha256').update(body).digest('hex');
    const canonical =
      `POST\n/\n\ncontent-type:${this.contentType}\nhost:${this.o.host}\nx-amz-date:${amzDate}\nx-amz-target:${target}\n\n` +
      `${SIGNED_HEADERS}\n${payloadHash}`;
    return {
      host: this.o.host,
      'content-type': this.contentType,
      'x-amz-date': amzDate,
      'x-amz-target': target,
      authorization: this.authorization(canonical, SIGNED_HEADERS),
      'content-length': String(Buffer.byteLength(body)),
    };
  }
}

const QUERY_SIGNED_HEADERS = 'content-type;host;x-amz-date';
/** What the SDK sends for a query-protocol (awsQuery) POST. */
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=utf-8';

/** SigV4 for query-protocol requests: POST / with a form-encoded body (`Action=...&Version=...`). */
export class QuerySigner extends SigV4Signer {
  constructor(private readonly o: Omit<SignerOptions, 'contentType'>) {
    super(o);
  }

  /** Headers for a POST / with this form body, Content-Length included. */
  sign(body: string): Record<string, string> {
    const amzDate = this.date();
    const payloadHash = createHash('sha256').update(body).digest('hex');
    const canonical =
      `POST\n/\n\ncontent-type:${FORM_CONTENT_TYPE}\nhost:${this.o.host}\nx-amz-date:${amzDate}\n\n` + `${QUERY_SIGNED_HEADERS}\n${payloadHash}`;
    return {
      host: this.o.host,
      'content-type': FORM_CONTENT_TYPE,
      'x-amz-date': amzDate,
      authorization: this.authorization(canonical, QUERY_SIGNED_HEADERS),
      'content-length': String(Buffer.byteLength(body)),
    };
  }
}
