/**
 * SigV4, before anything else is looked at: even a request nobody routes is verified first, so
 * an unsigned request learns nothing about what exists. An unsigned request reaches a service
 * that claimed it (S3, for buckets whose policy decides) as anonymous.
 */
import { InvalidAction } from '../../protocols/errors.js';
import { isUnsigned, requireSigningService, type SigV4Verifier } from '../../protocols/sigv4.js';
import type { Step } from './context.js';

export function authStep(verifier: SigV4Verifier): Step {
  return (ctx, next) => {
    const { req, route } = ctx;
    // A CORS preflight (OPTIONS) carries no credentials of its own: sent to a presigned URL, its
    // query's signature is for the request it precedes, so it is not verified as its own.
    const preflight = req.method === 'OPTIONS' && req.headers.authorization === undefined;
    const anonymous = route !== undefined && route.service.claimsUnsigned !== undefined && (isUnsigned(req) || preflight);
    ctx.anonymous = anonymous;
    ctx.identity = anonymous
      ? { accessKeyId: '', accountId: '', region: '', service: route.service.signingName, payloadSigned: false, payloadHash: 'UNSIGNED-PAYLOAD' }
      : verifier.verify(req.stream ? { ...req, streamed: true } : req);
    if (!route) throw new InvalidAction('The action or operation requested is invalid. Verify that the action is typed correctly.');
    // A signature is good for the service its credential scope names, and no other (the
    // route may have come from X-Amz-Target rather than from the scope).
    requireSigningService(ctx.identity, route.service.signingName);
    return next(ctx);
  };
}
