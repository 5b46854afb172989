/**
 * Message signatures, SignatureVersion 1: RSA-SHA1 over SNS's canonical string of the
 * notification (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html).
 * The key pair is generated once per process, off the event loop, the first time it is needed.
 * (Serving the matching certificate at SigningCertURL comes with HTTP subscribers.)
 */
import { createSign, generateKeyPair, type KeyObject } from 'node:crypto';

let keys: Promise<{ privateKey: KeyObject; publicKey: KeyObject }> | undefined;

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

/** The fields a Notification's signature covers. */
export interface SignedNotification {
  Message: string;
  MessageId: string;
  Subject?: string;
  Timestamp: string;
  TopicArn: string;
  Type: string;
}

/** `Name\nvalue\n` for each signed field present, in SNS's (alphabetical) order. */
export function canonicalString(n: SignedNotification): string {
  let out = '';
  for (const k of ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const) {
    const v = n[k];
    if (v !== undefined) out += `${k}\n${v}\n`;
  }
  return out;
}

/** The base64 SignatureVersion 1 signature of a notification. */
export async function signNotification(n: SignedNotification): Promise<string> {
  const { privateKey } = await keyPair();
  return createSign('RSA-SHA1').update(canonicalString(n), 'utf8').sign(privateKey, 'base64');
}

/** The public key as PEM, for verifying signatures (tests; later the signing certificate). */
export async function signingPublicKey(): Promise<string> {
  return (await keyPair()).publicKey.export({ type: 'spki', format: 'pem' }) as string;
}
