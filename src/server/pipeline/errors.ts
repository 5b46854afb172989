/**
 * Every failure after routing becomes the routed protocol's error shape (`__type`,
 * `<ErrorResponse>`, S3's `<Error>`); anything untyped is logged with its stack and answered as
 * a 500 InternalFailure with the request id.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../../lib/log.js';
import { AwsError, InternalFailure } from '../../protocols/errors.js';
import { encodeJsonError, jsonAnswerType } from '../../protocols/json.js';
import { encodeQueryError } from '../../protocols/query.js';
import { encodeRestJsonError } from '../../protocols/rest-json.js';
import { encodeRestXmlError, encodeRestXmlErrorResponse } from '../../protocols/rest-xml.js';
import type { ApiRequest, ApiResponse } from '../api.js';
import type { Route } from '../router.js';
import type { RequestCtx, Step } from './context.js';

const XML = 'text/xml';
const GENERIC_XMLNS = 'https://nimbus.dev/doc/';

export function errorsStep(log: Logger): Step {
  const failed = (ctx: RequestCtx, e: unknown): ApiResponse => {
    if (clientWentAway(ctx.incoming, e)) {
      // Nothing to fix on our side and no one to answer: a line for whoever traces requests.
      log.debug('client went away mid-request', { requestId: ctx.req.requestId, method: ctx.req.method, path: ctx.req.path });
      return encodeError(ctx.route, new InternalFailure('The client closed the connection.'), ctx.req, log);
    }
    return encodeError(ctx.route, e, ctx.req, log);
  };
  // Not an async function: a rejection handler on the chain's promise costs less than awaiting it.
  return (ctx, next) => {
    let answer: Promise<ApiResponse>;
    try {
      answer = next(ctx);
    } catch (e) {
      return Promise.resolve(failed(ctx, e));
    }
    return answer.then(undefined, (e: unknown) => failed(ctx, e));
  };
}

/**
 * Whether a failure is the client hanging up before its request was read (a dropped upload):
 * node fails the body stream with `aborted` (ECONNRESET) once the socket closes mid-body.
 */
function clientWentAway(incoming: IncomingMessage, e: unknown): boolean {
  if (!incoming.readableAborted && incoming.complete) return false;
  // A refusal of the body (a bad aws-chunked frame) leaves it unread: the client is still there.
  if (e instanceof AwsError && !incoming.readableAborted) return false;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return incoming.readableAborted || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (e instanceof Error && e.message === 'aborted');
}

function encodeError(route: Route | undefined, e: unknown, req: ApiRequest, log: Logger): ApiResponse {
  let err: AwsError;
  if (e instanceof AwsError) err = e;
  else {
    log.error('unhandled error', { requestId: req.requestId, error: e instanceof Error ? e.stack : String(e) });
    err = new InternalFailure('The request processing has failed because of an unknown error, exception or failure.');
  }
  if (route?.protocol === 'rest-xml') {
    // HEAD answers carry no body; the status says it all.
    const spec = route.service.restXml;
    const body =
      req.method === 'HEAD' || err.status === 304
        ? ''
        : spec?.errorEnvelope === 'ErrorResponse'
          ? encodeRestXmlErrorResponse(err, req.requestId, spec.xmlNamespace)
          : encodeRestXmlError(err, req.requestId);
    // (Signature errors carry S3's names as their query code: SignatureDoesNotMatch, ...)
    return { status: err.status, headers: { ...err.responseHeaders(), ...(body ? { 'content-type': 'application/xml' } : {}) }, body };
  }
  if (route?.protocol === 'rest-json') return encodeRestJsonError(err);
  const asJson = route ? route.protocol === 'json' : String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json');
  if (asJson) {
    const spec = route?.service.json ?? { namespace: 'com.amazon.coral.service', version: '1.0' as const };
    const { headers, body } = encodeJsonError(err, spec);
    // Coral answers every client error, a refused signature too, with 400.
    const status = 'coral' in spec && spec.coral && err.status === 403 ? 400 : err.status;
    return { status, headers: { 'content-type': jsonAnswerType(spec, req.headers['content-type']), ...headers }, body };
  }
  const ns = route?.service.query?.xmlNamespace ?? GENERIC_XMLNS;
  return { status: err.status, headers: { 'content-type': XML }, body: encodeQueryError(err, ns, req.requestId) };
}
