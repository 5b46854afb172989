/**
 * Message signatures, SignatureVersion 1 (RSA-SHA1) and 2 (RSA-SHA256), over SNS's canonical
 * string of the notification or confirmation
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html), with a
 * self-signed X.509 certificate for the key that Nimbus serves at SigningCertURL.
 *
 * The 2048-bit key is made once and kept in the data directory (mode 0600), so a message
 * signed before a restart still verifies after it (PKCS#1 v1.5 signatures are deterministic:
 * the same message signs the same way again). Signing runs on the libuv thread pool, off the
 * event loop: at about 0.4 ms of CPU each it is the dearest part of a delivery.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredMessage } from '../repo.js';
import { isoTime, messageFor, signatureVersion } from './envelope.js';

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

export type SignatureVersion = '1' | '2';

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

/** Signatures kept for the other deliveries of the same message. */
const CACHED = 4096;

export class Signer {
  private key: Promise<KeyObject> | undefined;
  private certificatePem: Promise<string> | undefined;
  private readonly cache = new Map<string, Promise<string>>();

  /** `dir`: where the key is kept across restarts; undefined keeps it in memory only. */
  constructor(private readonly dir: string | undefined) {}

  /** Loads or makes the key now, so the first delivery need not wait for it. */
  warm(): void {
    void this.privateKey();
  }

  /** The base64 signature of a notification or confirmation, in the topic's SignatureVersion. */
  async sign(n: SignedNotification, version: SignatureVersion): Promise<string> {
    const key = await this.privateKey();
    const data = Buffer.from(canonicalString(n), 'utf8');
    return new Promise((resolve, reject) =>
      sign(version === '2' ? 'sha256' : 'sha1', data, key, (err, sig) => (err ? reject(err) : resolve(sig.toString('base64')))),
    );
  }

  /**
   * A message's signature as a subscriber of `protocol` receives it (under
   * MessageStructure=json its message may be its own), made once for all its deliveries.
   */
  message(m: StoredMessage, protocol: string, subscribeUrl?: string): Promise<string> {
    const text = messageFor(m, protocol);
    const key = text === m.message ? m.messageId : `${m.messageId} ${protocol}`;
    let sig = this.cache.get(key);
    if (!sig) {
      const Timestamp = isoTime(m.timestamp);
      sig =
        m.type === 'SubscriptionConfirmation'
          ? this.sign({ Message: m.message, MessageId: m.messageId, SubscribeURL: subscribeUrl, Timestamp, Token: m.token, TopicArn: m.topicArn, Type: m.type }, signatureVersion(m))
          : this.sign({ Message: text, MessageId: m.messageId, Subject: m.subject, Timestamp, TopicArn: m.topicArn, Type: 'Notification' }, signatureVersion(m));
      if (this.cache.size >= CACHED) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, sig);
      // A failed signature is not kept: the next delivery tries again.
      sig.catch(() => this.cache.delete(key));
    }
    return sig;
  }

  /** The self-signed X.509 certificate (PEM) of the signing key, served at SigningCertURL. */
  certificate(): Promise<string> {
    this.certificatePem ??= this.privateKey().then((k) => selfSigned(createPublicKey(k), k, 'sns.nimbus.local'));
    return this.certificatePem;
  }

  private privateKey(): Promise<KeyObject> {
    this.key ??= this.loadOrMake();
    return this.key;
  }

  private async loadOrMake(): Promise<KeyObject> {
    const file = this.dir === undefined ? undefined : join(this.dir, 'signing-key.pem');
    if (file) {
      try {
        return createPrivateKey(readFileSync(file, 'utf8'));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    const key = await new Promise<KeyObject>((resolve, reject) =>
      generateKeyPair('rsa', { modulusLength: 2048 }, (err, _pub, priv) => (err ? reject(err) : resolve(priv))),
    );
    if (file) {
      mkdirSync(this.dir!, { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, key.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600, flush: true });
      renameSync(tmp, file);
    }
    return key;
  }
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
  const signature = sign('sha256', tbs, privateKey);
  const cert = seq(tbs, algorithm, der(0x03, Buffer.from([0]), signature));
  const b64 = cert.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}
