/** GET /_nimbus/health: 200 with the services and the store once Nimbus is ready, 503 before. */
import type { Step } from './context.js';

export function healthStep(health: () => { ready: boolean; body: Record<string, unknown> }): Step {
  return (ctx, next) => {
    if (ctx.req.path !== '/_nimbus/health' || ctx.req.method !== 'GET') return next(ctx);
    const { ready, body } = health();
    return Promise.resolve({ status: ready ? 200 : 503, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  };
}
