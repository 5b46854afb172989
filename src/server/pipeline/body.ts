/**
 * Body limits, decided before a byte of the body is read: a request whose operation streams
 * its body (S3 uploads) gets the stream; any other is buffered up to MAX_BODY_BYTES, or up to
 * the operation's own `maxBodyBytes` for a caller who names a configured key (strangers cannot
 * make Nimbus hold 70 MB before their signature is refused). `Expect: 100-continue` is answered
 * here, once the limit is known.
 */
import type { IncomingMessage } from 'node:http';
import { streamsPayload } from '../../protocols/rest.js';
import type { SigV4Verifier } from '../../protocols/sigv4.js';
import type { ApiResponse } from '../api.js';
import type { RequestCtx, Step } from './context.js';
import { CORAL_MAX_BODY_BYTES } from './coral.js';
import { Readable } from 'node:stream';

/**
 * Largest request body accepted by the API endpoint. Room for the largest valid SQS request
 * on any wire: 1 MiB of payload (a message, or a batch) grows up to 3x when form-encoded
 * (every byte `%XX`) and 4x for binary attributes (base64, then `+`/`/` percent-encoded).
 */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

const ABORTED = Symbol('aborted');
const TOO_LARGE = Symbol('too large');

export function bodyStep(verifier: SigV4Verifier): Step {
  const limitOf = (ctx: RequestCtx): number | 'stream' => {
    const match = ctx.restMatch;
    if (!match) return ctx.route?.service.json?.coral ? CORAL_MAX_BODY_BYTES : (ctx.endpoint?.target.route.maxBody?.bytes ?? MAX_BODY_BYTES);
    if (streamsPayload(match.target.input)) return 'stream';
    const max = match.target.maxBodyBytes;
    return max !== undefined && verifier.namesKnownKey(ctx.req) ? max : MAX_BODY_BYTES;
  };
  return async (ctx, next) => {
    const limit = limitOf(ctx);
    const incoming = ctx.incoming;
    // Expect: 100-continue: refuse an oversized body before the client sends it. An operation
    // that streams its body asks for it only when it reads it, after authentication and its own
    // checks, so a refused upload (403 to a stranger) is answered without a 100 first, as S3 does.
    if (ctx.expectsContinue) {
      if (limit === 'stream') continueOnFirstRead(incoming, () => ctx.response.writeContinue());
      else if (!(declaredLength(incoming) > limit)) ctx.response.writeContinue();
    }
    if (limit === 'stream') {
      ctx.req.stream = incoming;
      const res = await next(ctx);
      // An answer before the whole body was read (a refusal): close rather than drain it.
      if (!incoming.complete) ctx.closeConnection = true;
      return res;
    }
    const tooLarge = ctx.route?.service.json?.coral ? coralTooLarge : (ctx.endpoint?.target.route.maxBody?.tooLarge ?? serverTooLarge);
    if (declaredLength(incoming) > limit) {
      ctx.closeConnection = true;
      incoming.resume();
      return tooLarge();
    }
    const body = await readBody(incoming, limit);
    if (body === TOO_LARGE) {
      ctx.closeConnection = true;
      return tooLarge();
    }
    if (body === ABORTED) {
      ctx.destroy = true;
      return serverTooLarge();
    }
    ctx.req.body = body;
    // Awaited rather than returned: an async function that returns a promise takes two more
    // turns of the microtask queue to settle.
    return await next(ctx);
  };
}

/** Calls `go` once, when the body is first read (flowing or paused), before a byte of it is asked from the socket. */
function continueOnFirstRead(incoming: IncomingMessage, go: () => void): void {
  const stream = incoming as IncomingMessage & { _read(size: number): void };
  const read = stream._read;
  stream._read = function (size: number) {
    stream._read = read;
    go();
    read.call(this, size);
  };
}

/** The whole body, unless it passes the limit (the rest is then read and dropped) or the client breaks off. */
function readBody(incoming: IncomingMessage, limit: number): Promise<Buffer | typeof TOO_LARGE | typeof ABORTED> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (v: Buffer | typeof TOO_LARGE | typeof ABORTED) => {
      if (!settled) (settled = true), resolve(v);
    };
    incoming.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) return settle(TOO_LARGE);
      chunks.push(chunk);
    });
    incoming.on('end', () => settle(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    incoming.on('error', () => settle(ABORTED));
    incoming.on('close', () => settle(ABORTED));
  });
}

/** The Content-Length the client declared; 0 when none (chunked or empty). */
function declaredLength(req: IncomingMessage): number {
  return Number(req.headers['content-length'] ?? 0);
}

function serverTooLarge(): ApiResponse {
  return { status: 413, headers: { 'content-type': 'text/plain' }, body: 'Request Entity Too Large' };
}

/** DynamoDB's answer to a body over 16 MB: 413, chunked, with nothing in it. */
function coralTooLarge(): ApiResponse {
  return { status: 413, headers: {}, body: Readable.from([]) };
}
