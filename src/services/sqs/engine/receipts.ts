/**
 * Receipt handles: which message, of which queue, in which receive. The nonce changes with
 * every receive, so a handle from an earlier receive no longer matches its message.
 */
export interface Receipt {
  queueId: number;
  seq: number;
  nonce: string;
}

/** A receipt within its (already known) queue. */
export type ReceiptRef = Pick<Receipt, 'seq' | 'nonce'>;

export function encodeReceipt(queueId: number, seq: number, nonce: string): string {
  return Buffer.from(`${queueId}:${seq}:${nonce}`).toString('base64');
}

/** The receipt a handle names, or undefined when it is not one of ours. */
export function decodeReceipt(handle: string): Receipt | undefined {
  if (!/^[A-Za-z0-9+/=]{8,1024}$/.test(handle)) return undefined;
  const m = /^(\d{1,15}):(\d{1,15}):([A-Za-z0-9_-]{8,64})$/.exec(Buffer.from(handle, 'base64').toString('latin1'));
  return m ? { queueId: Number(m[1]), seq: Number(m[2]), nonce: m[3]! } : undefined;
}
