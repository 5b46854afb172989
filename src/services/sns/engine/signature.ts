/**
 * Message signatures, SignatureVersion 1: RSA-SHA1 over SNS's canonical string of the
 * notification or confirmation (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html).
 * The key pair is generated once per process, off the event loop, the first time it is needed,
 * with a self-signed X.509 certificate for it that Nimbus serves at SigningCertURL.
 */
import { createSign, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';

let keys: Promise<{ privateKey: KeyObject; publicKey: KeyObject }> | undefined;
let certificate: Promise<string> | undefined;

function keyPair() {
  keys ??= new Promise((resolve, reject) =>
    generateKeyPair('rsa', { modulusLength: 2048 }, (err, publicKey, privateKey) => (err ? reject(err) : resolve({ publicKey, privateKey }))),
  );
  return keys;
}

/** Starts generating the key pair, so the first delivery need not wait for it. */
export function warmSigningKey(): void {
  void keyPair();
}

/** The fields a signature covers: a Notification's, or a (Un)SubscriptionConfirmation's. */
export interface SignedNotification {
  Message: string;
  MessageId: string;
  Subject?: string;
  SubscribeURL?: string;
  Timestamp: string;
  Token?: string;
  TopicArn: string;
  Type: string;
}

const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_FIELDS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

/** `Name\nvalue\n` for each signed field present, in SNS's (alphabetical) order. */
export function canonicalString(n: SignedNotification): string {
  let out = '';
  for (const k of n.Type === 'Notification' ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS) {
    const v = n[k];
    if (v !== undefined) out += `${k}\n${v}\n`;
  }
  return out;
}

/** The base64 SignatureVersion 1 signature of a notification or confirmation. */
export async function signNotification(n: SignedNotification): Promise<string> {
  const { privateKey } = await keyPair();
  return createSign('RSA-SHA1').update(canonicalString(n), 'utf8').sign(privateKey, 'base64');
}

/** The public key as PEM, for verifying signatures. */
export async function signingPublicKey(): Promise<string> {
  return (await keyPair()).publicKey.export({ type: 'spki', format: 'pem' }) as string;
}

/** The self-signed X.509 certificate (PEM) of the signing key, served at SigningCertURL. */
export function signingCertificate(): Promise<string> {
  certificate ??= keyPair().then(({ publicKey, privateKey }) => selfSigned(publicKey, privateKey, 'sns.nimbus.local'));
  return certificate;
}

// A minimal DER encoder, enough for one certificate.
function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const len: number[] = [];
  for (let n = body.length; n > 0; n >>= 8) len.unshift(n & 0xff);
  const head = body.length < 0x80 ? [tag, body.length] : [tag, 0x80 | len.length, ...len];
  return Buffer.concat([Buffer.from(head), body]);
}
const seq = (...parts: Buffer[]) => der(0x30, ...parts);
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * a! + b!];
  for (const v of rest) {
    const enc = [v & 0x7f];
    for (let x = v >> 7; x > 0; x >>= 7) enc.unshift(0x80 | (x & 0x7f));
    bytes.push(...enc);
  }
  return der(0x06, Buffer.from(bytes));
}
const utcTime = (d: Date) => der(0x17, Buffer.from(d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'));

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm (sha256WithRSAEncryption), signature BIT STRING }. */
function selfSigned(publicKey: KeyObject, privateKey: KeyObject, commonName: string): string {
  const algorithm = seq(oid('1.2.840.113549.1.1.11'), der(0x05));
  const name = seq(der(0x31, seq(oid('2.5.4.3'), der(0x0c, Buffer.from(commonName)))));
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f || 1; // positive, and minimal
  const now = Date.now();
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))), // v3
    der(0x02, serial),
    algorithm,
    name,
    seq(utcTime(new Date(now - 86_400_000)), utcTime(new Date(now + 10 * 365 * 86_400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = createSign('sha256').update(tbs).sign(privateKey);
  const cert = seq(tbs, algorithm, der(0x03, Buffer.from([0]), signature));
  const b64 = cert.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}
