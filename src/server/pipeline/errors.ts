/**
 * Every failure after routing becomes the routed protocol's error shape (`__type`,
 * `<ErrorResponse>`, S3's `<Error>`); anything untyped is logged with its stack and answered as
 * a 500 InternalFailure with the request id.
 */
import type { Logger } from '../../lib/log.js';
import { AwsError, InternalFailure } from '../../protocols/errors.js';
import { encodeJsonError, jsonContentType } from '../../protocols/json.js';
import { encodeQueryError } from '../../protocols/query.js';
import { encodeRestJsonError } from '../../protocols/rest-json.js';
import { encodeRestXmlError } from '../../protocols/rest-xml.js';
import type { ApiRequest, ApiResponse } from '../api.js';
import type { Route } from '../router.js';
import type { Step } from './context.js';

const XML = 'text/xml';
const GENERIC_XMLNS = 'https://nimbus.dev/doc/';

export function errorsStep(log: Logger): Step {
  return async (ctx, next) => {
    try {
      return await next(ctx);
    } catch (e) {
      return encodeError(ctx.route, e, ctx.req, log);
    }
  };
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
    const body = req.method === 'HEAD' || err.status === 304 ? '' : encodeRestXmlError(err, req.requestId);
    // (Signature errors carry S3's names as their query code: SignatureDoesNotMatch, ...)
    return { status: err.status, headers: { ...err.responseHeaders(), ...(body ? { 'content-type': 'application/xml' } : {}) }, body };
  }
  if (route?.protocol === 'rest-json') return encodeRestJsonError(err);
  const asJson = route ? route.protocol === 'json' : String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json');
  if (asJson) {
    const spec = route?.service.json ?? { namespace: 'com.amazon.coral.service', version: '1.0' as const };
    const { headers, body } = encodeJsonError(err, spec);
    return { status: err.status, headers: { 'content-type': jsonContentType(spec.version), ...headers }, body };
  }
  const ns = route?.service.query?.xmlNamespace ?? GENERIC_XMLNS;
  return { status: err.status, headers: { 'content-type': XML }, body: encodeQueryError(err, ns, req.requestId) };
}
