/**
 * Plain HTTP endpoints (function URLs, SNS links, Lambda code links): the service owning the
 * matched host or path answers the request whole and decides its own authentication.
 */
import type { Logger } from '../../lib/log.js';
import type { SigV4Verifier } from '../../protocols/sigv4.js';
import type { EndpointMatch } from '../../services/service.js';
import type { ApiResponse } from '../api.js';
import type { EndpointTarget } from '../endpoints.js';
import type { RequestCtx, Step } from './context.js';

export function endpointStep(verifier: SigV4Verifier, log: Logger): Step {
  const answer = async (ctx: RequestCtx, http: NonNullable<EndpointTarget['route']['http']>, endpoint: EndpointMatch): Promise<ApiResponse> => {
    const req = ctx.req;
    try {
      return await http(req, endpoint, () => verifier.verify(req));
    } catch (e) {
      log.error('unhandled error', { requestId: req.requestId, error: e instanceof Error ? e.stack : String(e) });
      return { status: 500, headers: { 'content-type': 'application/json' }, body: '{"Message":"Internal Server Error"}' };
    }
  };
  // Not async itself: an AWS API request passes through without a promise of this step's own.
  return (ctx, next) => {
    const endpoint = ctx.endpoint;
    const http = endpoint?.target.route.http;
    if (!endpoint || !http || endpoint.target.route.api) return next(ctx);
    return answer(ctx, http, endpoint);
  };
}
