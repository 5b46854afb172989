/** One debug line per request: method, path, status, milliseconds, request id. */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../lib/log.js';
import type { Step } from './context.js';

export function accessLogStep(log: Logger): Step {
  // Nothing is built for the line unless debug lines are written.
  if (log.enabled && !log.enabled('debug')) return (ctx, next) => next(ctx);
  return async (ctx, next) => {
    const res = await next(ctx);
    const { method, path, requestId } = ctx.req;
    log.debug('request', { method, path, status: res.status, ms: Math.round((performance.now() - ctx.startedAt) * 10) / 10, requestId });
    return res;
  };
}
