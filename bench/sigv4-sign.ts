/**
 * A small, fast SigV4 signer for the benchmark's JSON-protocol requests (POST /, no query).
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

const SIGNED_HEADERS = 'content-type;host;x-amz-date;x-amz-target';

export class JsonSigner {
  private readonly contentType: string;
  private second = -1;
  private amzDate = '';
  private day = '';
  private key: Buffer = Buffer.alloc(0);
  private scope = '';
  private credential = '';

  constructor(private readonly o: SignerOptions) {
    this.contentType = o.contentType ?? 'application/x-amz-json-1.0';
  }

  /** Headers for a POST / with this X-Amz-Target and body, Content-Length included. */
  sign(target: string, body: string): Record<string, string> {
    this.tick();
    const payloadHash = createHash('sha256').update(body).digest('hex');
    const canonical =
      `POST\n/\n\ncontent-type:${this.contentType}\nhost:${this.o.host}\nx-amz-date:${this.amzDate}\nx-amz-target:${target}\n\n` +
      `${SIGNED_HEADERS}\n${payloadHash}`;
    const stringToSign = `AWS4-HMAC-SHA256\n${this.amzDate}\n${this.scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
    const signature = createHmac('sha256', this.key).update(stringToSign).digest('hex');
    return {
      host: this.o.host,
      'content-type': this.contentType,
      'x-amz-date': this.amzDate,
      'x-amz-target': target,
      authorization: `AWS4-HMAC-SHA256 Credential=${this.credential}, SignedHeaders=${SIGNED_HEADERS}, Signature=${signature}`,
      'content-length': String(Buffer.byteLength(body)),
    };
  }

  /** Refreshes the date string (per second) and the signing key (per day). */
  private tick(): void {
    const now = Date.now();
    const second = Math.floor(now / 1000);
    if (second === this.second) return;
    this.second = second;
    this.amzDate = new Date(second * 1000).toISOString().replace(/[-:]|\.\d{3}/g, '');
    const day = this.amzDate.slice(0, 8);
    if (day === this.day) return;
    this.day = day;
    const { secretAccessKey, region, service, accessKeyId } = this.o;
    let key = createHmac('sha256', `AWS4${secretAccessKey}`).update(day).digest();
    for (const part of [region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
    this.key = key;
    this.scope = `${day}/${region}/${service}/aws4_request`;
    this.credential = `${accessKeyId}/${this.scope}`;
  }
}
