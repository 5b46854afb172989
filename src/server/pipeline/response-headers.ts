/** Headers a service adds to every answer of its own, errors included (S3's CORS headers for allowed origins). */
import type { Step } from './context.js';

export const responseHeadersStep: Step = async (ctx, next) => {
  const res = await next(ctx);
  const extra = ctx.route?.service.responseHeaders?.(ctx.req, ctx.endpoint);
  if (extra) Object.assign(res.headers, extra);
  return res;
};
