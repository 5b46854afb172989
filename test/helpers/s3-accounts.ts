/** Two accounts on one Nimbus, for the S3 access control tests: the owner's client, another account's, and an anonymous fetch. */
import { S3Client } from '@aws-sdk/client-s3';
import { ACCOUNT, startTestNimbus, TEST_CREDENTIALS, type TestNimbus } from './nimbus.js';
import { s3Client } from './s3.js';

export const OWNER = ACCOUNT;
export const OTHER = '111111111111';
export const THIRD = '222222222222';
const OTHER_KEYS = { accessKeyId: 'other', secretAccessKey: 'other-secret' };
const THIRD_KEYS = { accessKeyId: 'third', secretAccessKey: 'third-secret' };

export interface Accounts {
  t: TestNimbus;
  owner: S3Client;
  other: S3Client;
  third: S3Client;
  /** An unsigned request (path-style), as a browser makes it. */
  anonymous(path: string, init?: RequestInit): Promise<Response>;
}

export async function withAccounts(fn: (a: Accounts) => Promise<void>): Promise<void> {
  const t = await startTestNimbus({
    credentials: [
      { ...TEST_CREDENTIALS, accountId: OWNER },
      { ...OTHER_KEYS, accountId: OTHER },
      { ...THIRD_KEYS, accountId: THIRD },
    ],
  });
  const owner = s3Client(t);
  const other = s3Client(t, { credentials: OTHER_KEYS });
  const third = s3Client(t, { credentials: THIRD_KEYS });
  try {
    await fn({ t, owner, other, third, anonymous: (path, init) => fetch(`${t.endpoint}${path}`, init) });
  } finally {
    owner.destroy();
    other.destroy();
    third.destroy();
    await t.stop();
  }
}

/** A body as text. */
export const text = async (out: { Body?: { transformToString(): Promise<string> } }): Promise<string> => out.Body!.transformToString();
