/**
 * Headers a service adds to every answer of its own, errors included (S3's CORS headers for
 * allowed origins), and the service told of the answer (S3's access logs).
 */
import { performance } from 'node:perf_hooks';
import type { ApiResponse } from '../api.js';
import type { RequestCtx, Step } from './context.js';

export const responseHeadersStep: Step = (ctx, next) => {
  const service = ctx.route?.service;
  // Most services have neither hook: their answers pass through untouched.
  if (!service?.responseHeaders && !service?.answered) return next(ctx);
  return next(ctx).then((res) => withServiceHeaders(ctx, res));
};

function withServiceHeaders(ctx: RequestCtx, res: ApiResponse): ApiResponse {
  const service = ctx.route?.service;
  const extra = service?.responseHeaders?.(ctx.req, ctx.endpoint);
  if (extra) Object.assign(res.headers, extra);
  if (service?.answered) {
    const { method, path, query, headers, requestId, sourceIp } = ctx.req;
    service.answered({
      method,
      path,
      query,
      headers,
      requestId,
      ...(sourceIp !== undefined ? { sourceIp } : {}),
      ...(ctx.endpoint ? { endpoint: ctx.endpoint } : {}),
      ...(ctx.identity && !ctx.anonymous && ctx.identity.accountId ? { accountId: ctx.identity.accountId } : {}),
      status: res.status,
      responseHeaders: res.headers,
      ...(typeof res.body === 'string' || Buffer.isBuffer(res.body) ? { body: res.body } : {}),
      ms: Math.round(performance.now() - ctx.startedAt),
    });
  }
  return res;
}
