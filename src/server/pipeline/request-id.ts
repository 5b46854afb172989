/** Gives every request its id (x-amzn-RequestId on the answer, RequestId in error bodies, logs). */
import type { Ids } from '../../lib/ids.js';
import type { Step } from './context.js';

export function requestIdStep(ids: Ids): Step {
  return (ctx, next) => {
    ctx.req.requestId = ids.uuid();
    return next(ctx);
  };
}
