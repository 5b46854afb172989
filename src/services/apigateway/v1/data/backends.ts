/**
 * Calling an integration's backend: a Lambda function through `lambda.invoke` (on its resource
 * policy, for the method's execute-api ARN, as AWS does), SQS SendMessage through
 * `sqs.sendMessages`, or an HTTP endpoint with fetch. Refusals come back as results the data
 * plane answers in API Gateway's terms (500 for a configuration error, logged with the cause).
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate as zlibInflate } from 'node:zlib';
import type { GatewayDeps } from '../../deps.js';
import { MAX_BACKEND_RESPONSE_BYTES, requestBackend, type BackendCall } from '../../shared/http-backend.js';
import type { Integration } from '../model.js';
import { lambdaArnOf } from '../control/integrations.js';

export type BackendResult =
  | { kind: 'ok'; status: number; headers: Record<string, string>; body: Buffer }
  /** A Lambda function that failed: its errorMessage is what selection patterns match. */
  | { kind: 'functionError'; errorMessage: string; body: Buffer }
  /** API Gateway could not call the backend (missing permission, no such function): a 500. */
  | { kind: 'refused'; why: string }
  | { kind: 'timeout' };

export interface LambdaCall {
  functionArn: string;
  payload: Buffer;
  sourceArn: string;
  sourceAccount: string;
  viaRole: boolean;
  requestId: string;
  traceId?: string;
  timeoutMs: number;
}

/** Runs `work` against the integration timeout on the injected clock. */
export function withTimeout<T>(deps: GatewayDeps, ms: number, work: Promise<T>): Promise<T | { kind: 'timeout' }> {
  return new Promise((resolve, reject) => {
    const timer = deps.clock.at(deps.clock.now() + ms, () => resolve({ kind: 'timeout' }));
    work.then(
      (v) => (timer.cancel(), resolve(v)),
      (e: unknown) => (timer.cancel(), reject(e)),
    );
  });
}

export async function invokeLambda(deps: GatewayDeps, call: LambdaCall): Promise<BackendResult> {
  const invoke = deps.internal.get('lambda.invoke');
  if (!invoke) return { kind: 'refused', why: 'Lambda is not running' };
  const result = await withTimeout(
    deps,
    call.timeoutMs,
    invoke({ functionArn: call.functionArn, payload: call.payload, from: 'apigateway.amazonaws.com', sourceArn: call.sourceArn, sourceAccount: call.sourceAccount, viaRole: call.viaRole, requestId: call.requestId, ...(call.traceId ? { traceId: call.traceId } : {}) }),
  );
  if (result.kind === 'timeout') return result;
  if (result.kind !== 'ok') return { kind: 'refused', why: `${result.kind}: ${result.message}` };
  if (result.functionError) {
    let errorMessage = '';
    try {
      const e = JSON.parse(result.payload.toString('utf8')) as { errorMessage?: unknown };
      errorMessage = typeof e.errorMessage === 'string' ? e.errorMessage : '';
    } catch {
      errorMessage = result.payload.toString('utf8');
    }
    return { kind: 'functionError', errorMessage, body: result.payload };
  }
  return { kind: 'ok', status: 200, headers: { 'content-type': 'application/json' }, body: result.payload };
}

/** The function an AWS or AWS_PROXY integration names. */
export const functionOf = (i: Integration) => lambdaArnOf(i.uri);

/** `arn:aws:apigateway:{region}:sqs:path/{account}/{queue}` → the queue's ARN. */
export function queueOf(i: Integration): string | undefined {
  const m = /^arn:aws:apigateway:([^:]+):sqs:path\/(\d{12})\/([^/?]+)/.exec(i.uri ?? '');
  return m ? `arn:aws:sqs:${m[1]}:${m[2]}:${m[3]}` : undefined;
}

/**
 * SQS's SendMessage from a form body (`Action=SendMessage&MessageBody=...`, as mapping
 * templates for SQS write it), answered as SQS's JSON answer to the query protocol.
 */
export async function sendToQueue(deps: GatewayDeps, queueArn: string, form: string, source: { sourceArn: string; sourceAccount: string; requestId: string }): Promise<BackendResult> {
  const send = deps.internal.get('sqs.sendMessages');
  if (!send) return { kind: 'refused', why: 'SQS is not running' };
  const params = new URLSearchParams(form);
  const action = params.get('Action') ?? 'SendMessage';
  const body = params.get('MessageBody');
  if (action !== 'SendMessage' || body === null) {
    return { kind: 'ok', status: 400, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ Error: { Code: 'MissingParameter', Message: 'The request must contain the parameter MessageBody.' } })) };
  }
  try {
    const [r] = await send({ queueArn, from: 'apigateway.amazonaws.com', sourceArn: source.sourceArn, sourceAccount: source.sourceAccount, messages: [{ body, ...(params.get('MessageGroupId') ? { groupId: params.get('MessageGroupId')! } : {}) }] });
    if (!r || 'error' in r) return { kind: 'ok', status: 400, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ Error: { Message: r && 'error' in r ? r.error.message : 'failed' } })) };
    const answer = {
      SendMessageResponse: {
        ResponseMetadata: { RequestId: source.requestId },
        SendMessageResult: { MD5OfMessageAttributes: null, MD5OfMessageBody: createHash('md5').update(body).digest('hex'), MessageId: r.messageId, SequenceNumber: null },
      },
    };
    return { kind: 'ok', status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(answer)) };
  } catch (e) {
    return { kind: 'refused', why: `SQS refused SendMessage to ${queueArn}: ${(e as Error).message}` };
  }
}

/**
 * An HTTP endpoint, through node:http(s) with the outbound guard (an integration URL is user
 * input: it must not reach cloud metadata addresses). Hop-by-hop headers are not forwarded.
 * `decode` (the non-proxy HTTP integration, whose templates read the body as text) turns a
 * gzip, deflate or br body into plain bytes and drops its content-encoding; HTTP_PROXY passes
 * body and content-encoding on together, untouched.
 */
export async function callHttp(deps: GatewayDeps, url: string, method: string, headers: Record<string, string>, body: Buffer | undefined, timeoutMs: number, decode = false): Promise<BackendResult> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { kind: 'refused', why: `the HTTP integration URL ${url} is not a URL` };
  }
  const handle: BackendCall = {};
  const send = body && body.length && method !== 'GET' && method !== 'HEAD' ? body : undefined;
  const work = requestBackend(deps.outbound, target, method, headers, send, handle).then(async (answer): Promise<BackendResult> => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(answer.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
    let payload = answer.body;
    if (decode && out['content-encoding']) {
      payload = await decodeBody(out['content-encoding'], payload);
      delete out['content-encoding'];
    }
    return { kind: 'ok', status: answer.status, headers: out, body: payload };
  });
  try {
    const r = await withTimeout(deps, timeoutMs, work);
    if (r.kind === 'timeout') {
      handle.abort?.();
      work.catch(() => undefined);
    }
    return r;
  } catch (e) {
    return { kind: 'refused', why: `HTTP integration ${method} ${url} failed: ${(e as Error).message}` };
  }
}

const inflate = { gzip: promisify(gunzip), 'x-gzip': promisify(gunzip), deflate: promisify(zlibInflate), br: promisify(brotliDecompress) } as const;

/** A body in its content-encoding made plain, bounded by API Gateway's payload quota; an unknown coding is an error. */
async function decodeBody(encoding: string, body: Buffer): Promise<Buffer> {
  let out = body;
  // Codings apply in the order listed: undo them last first.
  for (const coding of encoding.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c && c !== 'identity').reverse()) {
    const undo = Object.hasOwn(inflate, coding) ? inflate[coding as keyof typeof inflate] : undefined;
    if (!undo) throw new Error(`the backend's content-encoding ${coding} is not supported`);
    out = await undo(out, { maxOutputLength: MAX_BACKEND_RESPONSE_BYTES });
  }
  return out;
}
