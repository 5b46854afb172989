/**
 * The Lambda Runtime API for one execution environment: a small HTTP server on 127.0.0.1 and
 * a random port that only that environment's process is told about.
 *
 *   GET  /2018-06-01/runtime/invocation/next             held until an invocation arrives; 403 while another is held
 *   POST /2018-06-01/runtime/invocation/{id}/response    202, or 400 for an id not in flight
 *   POST /2018-06-01/runtime/invocation/{id}/error       202 / 400; Lambda-Runtime-Function-Error-Type
 *   POST /2018-06-01/runtime/init/error                  202 before the first /next, then 403
 *
 * Anything else is 404 (405 for a known path with the wrong method). Bodies are read whole,
 * up to MAX_RESPONSE_BYTES; a larger body is drained and answered 413, and the hooks learn
 * of it as `undefined`. Routing is by string comparison only: this is the warm path.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Lambda's synchronous response limit, as its error message states it. */
export const MAX_RESPONSE_BYTES = 6291556;

const INVOCATION = '/2018-06-01/runtime/invocation/';
const NEXT = '/2018-06-01/runtime/invocation/next';
const INIT_ERROR = '/2018-06-01/runtime/init/error';

/** What the API answers the runtime. */
export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

export const ACCEPTED: ApiAnswer = { status: 202, body: { status: 'OK' } };
export const INVALID_REQUEST_ID: ApiAnswer = { status: 400, body: { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' } };
export const INVALID_STATE: ApiAnswer = { status: 403, body: { errorMessage: 'State transition is not allowed', errorType: 'InvalidStateTransition' } };
const TOO_LARGE: ApiAnswer = { status: 413, body: { errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`, errorType: 'RequestEntityTooLarge' } };

export interface RuntimeApiHooks {
  /**
   * A `/next` arrived; the hook owns `res` until it answers it (see sendInvocation), or returns
   * the answer to give at once (a second `/next` while one is held: 403).
   */
  next(res: ServerResponse): ApiAnswer | undefined;
  /** A result was posted; `body` is undefined when it exceeded MAX_RESPONSE_BYTES. */
  result(kind: 'response' | 'error', requestId: string, body: Buffer | undefined, errorType: string | undefined): ApiAnswer;
  initError(body: Buffer | undefined, errorType: string | undefined): ApiAnswer;
  /** A hook threw: the request's connection is dropped and this is told (never the server). */
  failed(e: unknown): void;
  /** The listening server reported an error (EMFILE on accept, ...): it keeps serving. */
  serverError(e: Error): void;
}

export class RuntimeApi {
  private readonly server: Server;

  constructor(private readonly hooks: RuntimeApiHooks) {
    // Connections live as long as the environment: no keep-alive or request timeouts
    // (`/next` is held for as long as the environment is idle).
    this.server = createServer({ keepAliveTimeout: 0, requestTimeout: 0, headersTimeout: 0, noDelay: true }, (req, res) => {
      try {
        this.onRequest(req, res);
      } catch (e) {
        this.fail(req, e);
      }
    });
    this.server.keepAliveTimeout = 0;
  }

  /** Starts listening on 127.0.0.1; resolves to `127.0.0.1:<port>`. */
  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        // Without a listener an 'error' (EMFILE on accept) would be thrown and end the process.
        this.server.on('error', (e) => this.hooks.serverError(e));
        resolve(`127.0.0.1:${(this.server.address() as AddressInfo).port}`);
      });
    });
  }

  /** Stops listening and drops every connection (held `/next`s included). */
  close(): void {
    this.server.close();
    this.server.closeAllConnections();
  }

  private fail(req: IncomingMessage, e: unknown): void {
    req.socket.destroy();
    this.hooks.failed(e);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '';
    const path = url.indexOf('?') >= 0 ? url.slice(0, url.indexOf('?')) : url;
    if (path === NEXT) {
      if (req.method !== 'GET') return answer(res, { status: 405, body: { errorMessage: 'Method Not Allowed', errorType: 'MethodNotAllowed' } });
      req.resume();
      const a = this.hooks.next(res);
      if (a) answer(res, a);
      return;
    }
    if (path === INIT_ERROR) {
      if (req.method !== 'POST') return answer(res, { status: 405, body: { errorMessage: 'Method Not Allowed', errorType: 'MethodNotAllowed' } });
      return this.readBody(req, (body) => {
        const a = this.hooks.initError(body, errorTypeOf(req));
        answer(res, body === undefined && a.status === 202 ? TOO_LARGE : a);
      });
    }
    if (path.startsWith(INVOCATION)) {
      const rest = path.slice(INVOCATION.length);
      const slash = rest.indexOf('/');
      const kind = rest.slice(slash + 1);
      if (slash > 0 && (kind === 'response' || kind === 'error')) {
        if (req.method !== 'POST') return answer(res, { status: 405, body: { errorMessage: 'Method Not Allowed', errorType: 'MethodNotAllowed' } });
        let id: string;
        try {
          id = decodeURIComponent(rest.slice(0, slash));
        } catch {
          id = ''; // malformed escapes: matches no invocation
        }
        return this.readBody(req, (body) => {
          const a = this.hooks.result(kind, id, body, errorTypeOf(req));
          answer(res, body === undefined && a.status === 202 ? TOO_LARGE : a);
        });
      }
    }
    req.resume();
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
  }

  /** Reads a body whole, or drains it and yields undefined once it passes the limit. */
  private readBody(req: IncomingMessage, done: (body: Buffer | undefined) => void): void {
    let over = Number(req.headers['content-length']) > MAX_RESPONSE_BYTES;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > MAX_RESPONSE_BYTES) {
        over = true;
        chunks.length = 0;
      } else chunks.push(c);
    });
    req.on('end', () => {
      try {
        done(over ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      } catch (e) {
        this.fail(req, e);
      }
    });
    req.on('error', () => req.destroy());
  }
}

/** Hands an invocation to a held `/next`. */
export function sendInvocation(
  res: ServerResponse,
  inv: { requestId: string; payload: Buffer; invokedFunctionArn: string; traceId?: string; clientContext?: string; cognitoIdentity?: string },
  deadlineMs: number,
): void {
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': inv.payload.length,
    'Lambda-Runtime-Aws-Request-Id': inv.requestId,
    'Lambda-Runtime-Deadline-Ms': deadlineMs,
    'Lambda-Runtime-Invoked-Function-Arn': inv.invokedFunctionArn,
  };
  if (inv.traceId) headers['Lambda-Runtime-Trace-Id'] = inv.traceId;
  if (inv.clientContext) headers['Lambda-Runtime-Client-Context'] = headerSafe(decodeClientContext(inv.clientContext));
  if (inv.cognitoIdentity) headers['Lambda-Runtime-Cognito-Identity'] = headerSafe(inv.cognitoIdentity);
  res.writeHead(200, headers);
  res.end(inv.payload);
}

/**
 * A posted error as the invocation's result: the body is passed through as the runtime wrote
 * it (it becomes the Invoke response); the type comes from Lambda-Runtime-Function-Error-Type,
 * else the body's errorType. A body that is not JSON is wrapped in an error document.
 */
export function postedError(body: Buffer, headerType: string | undefined): { payload: Buffer; errorType: string } {
  let errorType = headerType;
  let payload = body;
  try {
    const doc = JSON.parse(body.toString('utf8')) as { errorType?: unknown } | null;
    if (!errorType && typeof doc?.errorType === 'string') errorType = doc.errorType;
  } catch {
    payload = errorDocument(headerType ?? 'Unhandled', body.toString('utf8'));
  }
  return { payload, errorType: errorType ?? 'Unhandled' };
}

/**
 * An error document Lambda itself writes: `{"errorType","errorMessage"}` in that order, as for
 * Sandbox.Timedout and Runtime.ExitError (`messageFirst` for the few it orders the other way).
 */
export function errorDocument(errorType: string, errorMessage: string, messageFirst = false): Buffer {
  return Buffer.from(JSON.stringify(messageFirst ? { errorMessage, errorType } : { errorType, errorMessage }));
}

function answer(res: ServerResponse, a: ApiAnswer): void {
  const body = JSON.stringify(a.body);
  res.writeHead(a.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function errorTypeOf(req: IncomingMessage): string | undefined {
  const v = req.headers['lambda-runtime-function-error-type'];
  return typeof v === 'string' && v ? v : undefined;
}

/** Lambda hands the runtime the client context as JSON, decoded from Invoke's base64. */
function decodeClientContext(b64: string): string {
  try {
    const text = Buffer.from(b64, 'base64').toString('utf8');
    return JSON.stringify(JSON.parse(text));
  } catch {
    return b64;
  }
}

/** Header values must be Latin-1 without control characters: escape the rest as JSON does. */
function headerSafe(v: string): string {
  // eslint-disable-next-line no-control-regex
  return v.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
